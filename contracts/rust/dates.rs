//! Dates as egp-chain shows them (Asia/Bangkok, UTC+7 all year) and holds them on chain (Unix
//! seconds). A date such as an expiry date means the whole day in Bangkok: it starts at 00:00:00
//! and ends at 23:59:59 Bangkok time.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};

use crate::{Error, Result};

/// Asia/Bangkok: UTC+7, no daylight saving.
pub fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Error::InvalidDate { value: text.to_owned() })
}

/// 00:00:00 Bangkok time on `date`, in Unix seconds.
pub fn start_of_day(date: NaiveDate) -> u64 {
    unix(date, NaiveTime::MIN)
}

/// 23:59:59 Bangkok time on `date`, in Unix seconds.
pub fn end_of_day(date: NaiveDate) -> u64 {
    unix(date, NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time"))
}

fn unix(date: NaiveDate, time: NaiveTime) -> u64 {
    let local = bangkok().from_local_datetime(&date.and_time(time)).single().expect("fixed offsets are unambiguous");
    u64::try_from(local.timestamp()).unwrap_or(0)
}

/// A Unix timestamp as a Bangkok date-time (`2026-01-01T07:00:00+07:00` when shown with `to_rfc3339`).
pub fn to_bangkok(timestamp: u64) -> DateTime<FixedOffset> {
    let seconds = i64::try_from(timestamp).unwrap_or(i64::MAX);
    DateTime::from_timestamp(seconds, 0).unwrap_or_default().with_timezone(&bangkok())
}

/// The Bangkok calendar date of a Unix timestamp.
pub fn bangkok_date(timestamp: u64) -> NaiveDate {
    to_bangkok(timestamp).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_bangkok_days() {
        let date = parse_date("2026-01-01").unwrap();
        // 2026-01-01T00:00:00+07:00 is 2025-12-31T17:00:00Z.
        assert_eq!(start_of_day(date), 1_767_225_600 - 7 * 3600);
        assert_eq!(end_of_day(date), start_of_day(date) + 86_399);
        assert_eq!(bangkok_date(end_of_day(date)), date);
        assert_eq!(to_bangkok(1_767_225_600).to_rfc3339(), "2026-01-01T07:00:00+07:00");
        let error = parse_date("2026-02-30").unwrap_err().to_string();
        assert!(error.contains("\"2026-02-30\""), "{error}");
    }
}
