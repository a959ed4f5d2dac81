//! What the public pages say, in Thai and in English: statuses in words, guarantee types,
//! purposes, the reasons a record is not valid, and dates as people read them (Thai dates in the
//! Buddhist era, English dates in the common era, both in Asia/Bangkok).

use egp_contracts::dates;
use egp_store::{AmendmentStatus, ConfirmationStatus, GuaranteeAction, GuaranteeStatus, GuaranteeType, Purpose};

use crate::schema::verify::ReasonCode;

/// A phrase in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Words {
    /// Thai.
    pub(crate) th: &'static str,
    /// English.
    pub(crate) en: &'static str,
}

const fn words(th: &'static str, en: &'static str) -> Words {
    Words { th, en }
}

/// How a status reads to a visitor: good (in force), waiting, or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// In force.
    Good,
    /// Not in force yet, or an open claim or a suspension.
    Wait,
    /// Ended or refused.
    Bad,
}

impl Tone {
    /// The CSS class.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Wait => "wait",
            Self::Bad => "bad",
        }
    }
}

/// A guarantee's status in words.
pub(crate) fn guarantee_status(status: GuaranteeStatus) -> (Words, Tone) {
    use GuaranteeStatus as S;
    match status {
        S::PendingAcceptance => (words("รอหน่วยงานตอบรับ", "Pending acceptance by the agency"), Tone::Wait),
        S::Active => (words("มีผลใช้บังคับ", "Active: in force"), Tone::Good),
        S::Claimed => (words("มีการเรียกร้องให้ชำระเงิน", "Claimed: a demand for payment is open"), Tone::Wait),
        S::ExtendOrPay => (words("มีการเรียกร้องให้ขยายระยะเวลาหรือชำระเงิน", "Extend or pay: a demand is open"), Tone::Wait),
        S::Suspended => (words("ถูกระงับชั่วคราว", "Suspended"), Tone::Wait),
        S::Rejected => (words("หน่วยงานปฏิเสธ", "Rejected by the agency"), Tone::Bad),
        S::Cancelled => (words("ธนาคารยกเลิก", "Cancelled by the bank"), Tone::Bad),
        S::Released => (words("คืนหลักประกันแล้ว", "Released"), Tone::Bad),
        S::Expired => (words("หมดอายุ", "Expired"), Tone::Bad),
        S::PaidOut => (words("ชำระเงินเต็มจำนวนแล้ว", "Paid out in full"), Tone::Bad),
        S::Superseded => (words("ถูกแทนที่ด้วยฉบับใหม่", "Superseded by a replacement"), Tone::Bad),
        S::None => (words("ไม่ทราบสถานะ", "Unknown status"), Tone::Wait),
    }
}

/// A credit confirmation's status in words; `lapsed` when a `Valid` one is past its date.
pub(crate) fn confirmation_status(status: ConfirmationStatus, lapsed: bool) -> (Words, Tone) {
    use ConfirmationStatus as S;
    match status {
        S::Valid if lapsed => (words("หมดอายุ", "Expired"), Tone::Bad),
        S::Valid => (words("ใช้ได้", "Valid"), Tone::Good),
        S::Revoked => (words("ธนาคารเพิกถอน", "Revoked by the bank"), Tone::Bad),
        S::Superseded => (words("ถูกแทนที่ด้วยฉบับใหม่", "Superseded by a replacement"), Tone::Bad),
        S::Expired => (words("หมดอายุ", "Expired"), Tone::Bad),
        S::None => (words("ไม่ทราบสถานะ", "Unknown status"), Tone::Wait),
    }
}

/// What became of an amendment (its status, and for a lapsed one the action that made it lapse),
/// as its document's label says it.
pub(crate) fn amendment_status(status: AmendmentStatus, lapse_cause: Option<GuaranteeAction>) -> Words {
    match (status, lapse_cause) {
        (AmendmentStatus::Accepted, _) => words("ตอบรับแล้ว", "accepted"),
        (AmendmentStatus::Rejected, _) => words("ถูกปฏิเสธ", "rejected"),
        (AmendmentStatus::Pending, _) => words("รอตอบรับ", "pending"),
        (AmendmentStatus::Lapsed, Some(GuaranteeAction::Pay)) => {
            words("ตกไปเพราะมีการจ่ายเงินก่อน ไม่มีผล", "lapsed, never in force: a payment came first")
        }
        (AmendmentStatus::Lapsed, Some(GuaranteeAction::Extend)) => {
            words("ตกไปเพราะมีการขยายระยะเวลาก่อน ไม่มีผล", "lapsed, never in force: an extension came first")
        }
        (AmendmentStatus::Lapsed, Some(GuaranteeAction::Reduce)) => {
            words("ตกไปเพราะมีการลดวงเงินก่อน ไม่มีผล", "lapsed, never in force: a reduction came first")
        }
        (AmendmentStatus::Lapsed, _) => {
            words("ตกไปเมื่อหนังสือค้ำประกันสิ้นสุด ไม่มีผล", "lapsed, never in force: the guarantee ended")
        }
    }
}

/// A guarantee type (Finance Ministry procurement regulation B.E. 2560).
pub(crate) fn guarantee_type(kind: GuaranteeType) -> Words {
    match kind {
        GuaranteeType::TEND => words("หลักประกันการเสนอราคา", "Bid security"),
        GuaranteeType::PERF => words("หลักประกันสัญญา", "Performance security"),
        GuaranteeType::APAY => words("หลักประกันการรับเงินล่วงหน้า", "Advance payment guarantee"),
        GuaranteeType::RETN => words("หลักประกันผลงาน", "Retention money guarantee"),
        GuaranteeType::WARR => words("หลักประกันความชำรุดบกพร่อง", "Warranty guarantee"),
        GuaranteeType::OTHR => words("หลักประกันอื่น", "Other guarantee"),
    }
}

/// A credit confirmation's purpose.
pub(crate) fn purpose(purpose: Purpose) -> Words {
    match purpose {
        Purpose::PROJECT => words("สำหรับการเสนอราคาโครงการ", "For a bid on one project"),
        Purpose::REGISTRATION => words("สำหรับการขึ้นทะเบียนผู้ประกอบการ", "For supplier registration"),
    }
}

/// Why a guarantee is not valid today, in Thai (the English sentence comes with the reason).
pub(crate) fn reason_th(code: ReasonCode) -> &'static str {
    match code {
        ReasonCode::NotYetAccepted => "หน่วยงานยังไม่ได้ตอบรับหนังสือค้ำประกัน",
        ReasonCode::NotYetEffective => "หนังสือค้ำประกันยังไม่มีผล",
        ReasonCode::Expired => "หนังสือค้ำประกันหมดอายุแล้ว",
        ReasonCode::Claimed => "มีการเรียกร้องตามหนังสือค้ำประกันที่ยังไม่ยุติ",
        ReasonCode::Suspended => "หนังสือค้ำประกันถูกระงับชั่วคราว",
        ReasonCode::Rejected => "หน่วยงานปฏิเสธหนังสือค้ำประกัน",
        ReasonCode::Cancelled => "ธนาคารยกเลิกหนังสือค้ำประกัน",
        ReasonCode::Released => "คืนหลักประกันแล้ว",
        ReasonCode::PaidOut => "ชำระเงินเต็มจำนวนแล้ว",
        ReasonCode::Superseded => "มีหนังสือค้ำประกันฉบับใหม่แทนที่",
        ReasonCode::Revoked => "ธนาคารเพิกถอนแล้ว",
        _ => "ไม่เป็นไปตามเงื่อนไข",
    }
}

const THAI_MONTHS: [&str; 12] =
    ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
const ENGLISH_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A day, from a Unix timestamp, in both languages: `31 ธ.ค. 2570` and `31 Dec 2027`.
pub(crate) fn date(timestamp: u64) -> (String, String) {
    use chrono::Datelike as _;
    let at = dates::to_bangkok(timestamp);
    let month = at.month0() as usize;
    (
        format!("{} {} {}", at.day(), THAI_MONTHS[month], at.year() + 543),
        format!("{} {} {}", at.day(), ENGLISH_MONTHS[month], at.year()),
    )
}

/// A moment, from a Unix timestamp, in both languages, Bangkok time: `2 ธ.ค. 2569 16:20:05 น.`
/// and `2 Dec 2026 16:20:05 (UTC+7)`.
pub(crate) fn date_time(timestamp: u64) -> (String, String) {
    let (th, en) = date(timestamp);
    let clock = dates::to_bangkok(timestamp).format("%H:%M:%S");
    (format!("{th} {clock} น."), format!("{en} {clock} (UTC+7)"))
}

/// An amount of satang in both languages: `1,250,000.00 บาท` and `1,250,000.00 THB`.
pub(crate) fn amount(satang: u128) -> (String, String) {
    let en = egp_contracts::Satang(satang).to_string();
    (en.replace(" THB", " บาท"), en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_the_buddhist_era_in_thai_and_in_bangkok_time() {
        // 2027-12-31T17:30:00Z is 1 January 2028, 00:30 in Bangkok.
        let at = 1_830_274_200;
        assert_eq!(date(at), ("1 ม.ค. 2571".to_owned(), "1 Jan 2028".to_owned()));
        assert_eq!(date_time(at).1, "1 Jan 2028 00:30:00 (UTC+7)");
        assert_eq!(amount(125_000_000), ("1,250,000.00 บาท".to_owned(), "1,250,000.00 THB".to_owned()));
    }

    #[test]
    fn every_status_has_words() {
        for &status in GuaranteeStatus::ALL.iter().filter(|s| **s != GuaranteeStatus::None) {
            assert_ne!(guarantee_status(status).0.en, "Unknown status", "{status}");
        }
        assert_eq!(confirmation_status(ConfirmationStatus::Valid, true).0.en, "Expired");
        let labels: Vec<&str> = [
            (AmendmentStatus::Pending, None),
            (AmendmentStatus::Accepted, None),
            (AmendmentStatus::Rejected, None),
            (AmendmentStatus::Lapsed, Some(GuaranteeAction::Pay)),
            (AmendmentStatus::Lapsed, Some(GuaranteeAction::Expire)),
        ]
        .into_iter()
        .map(|(status, cause)| amendment_status(status, cause).en)
        .collect();
        assert_eq!(labels.iter().collect::<std::collections::BTreeSet<_>>().len(), labels.len(), "{labels:?}");
        assert_eq!(
            amendment_status(AmendmentStatus::Lapsed, Some(GuaranteeAction::Reduce)).en,
            "lapsed, never in force: a reduction came first"
        );
        assert_eq!(
            amendment_status(AmendmentStatus::Lapsed, Some(GuaranteeAction::Supersede)).en,
            "lapsed, never in force: the guarantee ended"
        );
    }
}
