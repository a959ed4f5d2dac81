//! Bulk writes through `COPY ... FROM STDIN (FORMAT binary)`: rows are encoded in PostgreSQL's
//! binary copy format and streamed in chunks, so the server neither parses text nor plans a
//! statement per batch. Each value must have its column's exact type (`int8`, `int4`, `bool`,
//! `bytea`, `text`, `numeric`, `json`, `text[]`): binary `COPY` does no casts, so a wrong
//! type fails the whole `COPY` (and its transaction) with an error naming the column.
//!
//! `COPY` has no `ON CONFLICT`: callers use it where no stored row can conflict (the current
//! state of a record is deleted before its rows are written; of the events, only those not
//! stored yet are written).

use egp_contracts::Satang;
use sqlx::PgConnection;

use crate::{Error, Result};

/// The size of the `CopyData` messages a batch is sent in.
const CHUNK: usize = 1 << 20;

/// The binary copy header: signature, flags, header-extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// The `oid` of `text`, for `text[]` values.
const TEXT_OID: u32 = 25;

/// A table's row as `COPY` takes it.
pub(crate) trait CopyRow {
    /// The `COPY <table> (<columns>) FROM STDIN (FORMAT binary)` statement.
    const STATEMENT: &'static str;
    /// Writes the row's fields in `STATEMENT`'s column order (a field count that differs from the
    /// statement's column count fails the `COPY`).
    fn encode(&self, out: &mut Encoder);
}

impl<T: CopyRow> CopyRow for &T {
    const STATEMENT: &'static str = T::STATEMENT;
    fn encode(&self, out: &mut Encoder) {
        (*self).encode(out);
    }
}

/// The binary copy stream's trailer: a field count of -1.
const TRAILER: &[u8] = &(-1_i16).to_be_bytes();

/// Rows of one table in the binary copy format, without the stream's header and trailer, so that
/// rows encoded at different times (ahead of the transaction, and inside it) go in one `COPY`.
#[derive(Debug)]
pub(crate) struct CopyData {
    statement: &'static str,
    rows: Vec<u8>,
    count: u64,
}

/// Encodes `rows`; `size_hint` is the bytes expected (0 when unknown), to allocate once.
pub(crate) fn encode<R: CopyRow>(rows: impl IntoIterator<Item = R>, size_hint: usize) -> Result<CopyData> {
    let mut out = Encoder::with_capacity(size_hint);
    let mut count = 0;
    for row in rows {
        let start = out.start_row();
        row.encode(&mut out);
        out.end_row(start);
        if let Some(error) = out.error.take() {
            return Err(error);
        }
        count += 1;
    }
    Ok(CopyData { statement: R::STATEMENT, rows: out.buf, count })
}

/// Copies `parts` (rows of one table) in one `COPY`; returns the number of rows written.
pub(crate) async fn copy_in(conn: &mut PgConnection, parts: &[&CopyData]) -> Result<u64> {
    let Some(first) = parts.iter().find(|part| part.count > 0) else { return Ok(0) };
    debug_assert!(parts.iter().all(|part| part.statement == first.statement), "one table per COPY");
    let mut copy = conn.copy_in_raw(first.statement).await?;
    copy.send(HEADER).await?;
    for part in parts {
        for chunk in part.rows.chunks(CHUNK) {
            copy.send(chunk).await?;
        }
    }
    copy.send(TRAILER).await?;
    Ok(copy.finish().await?)
}

/// Encodes field values in the binary copy format.
#[derive(Debug)]
pub(crate) struct Encoder {
    buf: Vec<u8>,
    /// Fields written in the current row.
    fields: i16,
    /// The first value that could not be encoded (reported after the row).
    error: Option<Error>,
}

impl Encoder {
    fn with_capacity(bytes: usize) -> Self {
        Self { buf: Vec::with_capacity(bytes.max(4096)), fields: 0, error: None }
    }

    /// Starts a row: its field count is written by [`Self::end_row`] at the returned position.
    fn start_row(&mut self) -> usize {
        self.fields = 0;
        self.buf.extend_from_slice(&0_i16.to_be_bytes());
        self.buf.len() - 2
    }

    fn end_row(&mut self, start: usize) {
        self.buf[start..start + 2].copy_from_slice(&self.fields.to_be_bytes());
    }

    fn field(&mut self, bytes: &[u8]) {
        self.fields += 1;
        let len = i32::try_from(bytes.len()).expect("a field is smaller than 2 GiB");
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(bytes);
    }

    fn null(&mut self) {
        self.fields += 1;
        self.buf.extend_from_slice(&(-1_i32).to_be_bytes());
    }

    /// An `int8`.
    pub(crate) fn int8(&mut self, value: i64) {
        self.field(&value.to_be_bytes());
    }

    /// An `int4`.
    pub(crate) fn int4(&mut self, value: i32) {
        self.field(&value.to_be_bytes());
    }

    /// A `bool`.
    pub(crate) fn bool(&mut self, value: bool) {
        self.field(&[u8::from(value)]);
    }

    /// A `bytea`.
    pub(crate) fn bytea(&mut self, value: &[u8]) {
        self.field(value);
    }

    /// A nullable `bytea`.
    pub(crate) fn bytea_or_null(&mut self, value: Option<&[u8]>) {
        match value {
            Some(value) => self.field(value),
            None => self.null(),
        }
    }

    /// A `text` (UTF-8, as the database's encoding must be).
    pub(crate) fn text(&mut self, value: &str) {
        self.field(value.as_bytes());
    }

    /// A nullable `text`.
    pub(crate) fn text_or_null(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }

    /// A `json` from its text (the server checks that it is JSON).
    pub(crate) fn json(&mut self, json: &str) {
        self.field(json.as_bytes());
    }

    /// A `text[]` (one dimension), or NULL.
    pub(crate) fn text_array_or_null(&mut self, values: Option<&[String]>) {
        let Some(values) = values else { return self.null() };
        self.fields += 1;
        let start = self.buf.len();
        self.buf.extend_from_slice(&0_i32.to_be_bytes()); // length, set below
        let dimensions: i32 = if values.is_empty() { 0 } else { 1 };
        self.buf.extend_from_slice(&dimensions.to_be_bytes());
        self.buf.extend_from_slice(&0_i32.to_be_bytes()); // no NULL elements
        self.buf.extend_from_slice(&TEXT_OID.to_be_bytes());
        if !values.is_empty() {
            let count = i32::try_from(values.len()).expect("fewer than 2^31 elements");
            self.buf.extend_from_slice(&count.to_be_bytes());
            self.buf.extend_from_slice(&1_i32.to_be_bytes()); // lower bound
            for value in values {
                let len = i32::try_from(value.len()).expect("an element is smaller than 2 GiB");
                self.buf.extend_from_slice(&len.to_be_bytes());
                self.buf.extend_from_slice(value.as_bytes());
            }
        }
        let len = i32::try_from(self.buf.len() - start - 4).expect("a field is smaller than 2 GiB");
        self.buf[start..start + 4].copy_from_slice(&len.to_be_bytes());
    }

    /// A `numeric` from a non-negative decimal integer (as the fold writes amounts and dates).
    pub(crate) fn numeric(&mut self, decimal: &str) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&0_i32.to_be_bytes()); // length, set below
        if write_numeric(&mut self.buf, decimal) {
            let len = i32::try_from(self.buf.len() - start - 4).expect("a numeric is short");
            self.buf[start..start + 4].copy_from_slice(&len.to_be_bytes());
            self.fields += 1;
        } else {
            self.buf.truncate(start);
            self.null();
            self.error.get_or_insert_with(|| Error::NotANumber { value: decimal.to_owned() });
        }
    }

    /// An amount in satang as `NUMERIC`.
    pub(crate) fn satang(&mut self, amount: Satang) {
        self.numeric(&amount.0.to_string());
    }

    /// An amount in satang, or NULL.
    pub(crate) fn satang_or_null(&mut self, amount: Option<Satang>) {
        match amount {
            Some(amount) => self.satang(amount),
            None => self.null(),
        }
    }

    /// A `NUMERIC` from its decimal digits, or NULL.
    pub(crate) fn numeric_or_null(&mut self, decimal: Option<&str>) {
        match decimal {
            Some(decimal) => self.numeric(decimal),
            None => self.null(),
        }
    }
}

/// Appends PostgreSQL's binary `numeric` of a non-negative decimal integer to `out`: digit count,
/// weight, sign and display scale, then base-10000 digits, most significant first, trailing zero
/// digits dropped. Returns `false` (with `out` partly written) unless `decimal` is one or more
/// ASCII digits.
fn write_numeric(out: &mut Vec<u8>, decimal: &str) -> bool {
    if decimal.is_empty() || !decimal.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let digits = decimal.trim_start_matches('0').as_bytes();
    // Base-10000 groups from the most significant; the first group takes the leftover digits.
    let lead = match digits.len() % 4 {
        0 => 4,
        lead => lead,
    };
    let group = |chunk: &[u8]| chunk.iter().fold(0_i16, |value, digit| value * 10 + i16::from(digit - b'0'));
    let mut count = 0_usize;
    let mut significant = 0_usize; // groups up to the last non-zero one
    let header = out.len();
    out.extend_from_slice(&[0; 8]); // digit count, weight, sign, scale: set below
    let mut rest = digits;
    let mut take = lead;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(take);
        let value = group(chunk);
        out.extend_from_slice(&value.to_be_bytes());
        count += 1;
        if value != 0 {
            significant = count;
        }
        rest = tail;
        take = 4;
    }
    let Ok(weight) = i16::try_from(count.max(1) - 1) else { return false };
    let weight = if significant == 0 { 0 } else { weight };
    out.truncate(header + 8 + 2 * significant);
    let Ok(ndigits) = i16::try_from(significant) else { return false };
    out[header..header + 2].copy_from_slice(&ndigits.to_be_bytes());
    out[header + 2..header + 4].copy_from_slice(&weight.to_be_bytes());
    // Sign 0 (positive) and display scale 0 (an integer) are the zeros already there.
    true
}

#[cfg(test)]
mod tests {
    use super::write_numeric;

    fn numeric_binary(decimal: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        write_numeric(&mut out, decimal).then_some(out)
    }

    fn words(bytes: &[u8]) -> Vec<i16> {
        bytes.chunks(2).map(|w| i16::from_be_bytes([w[0], w[1]])).collect()
    }

    #[test]
    fn numeric_is_base_10000_groups_with_weight() {
        assert_eq!(words(&numeric_binary("0").unwrap()), [0, 0, 0, 0]);
        assert_eq!(words(&numeric_binary("7").unwrap()), [1, 0, 0, 0, 7]);
        assert_eq!(words(&numeric_binary("12345").unwrap()), [2, 1, 0, 0, 1, 2345]);
        // Trailing zero groups are dropped; the weight keeps the magnitude.
        assert_eq!(words(&numeric_binary("100000000").unwrap()), [1, 2, 0, 0, 1]);
        assert_eq!(words(&numeric_binary("000042").unwrap()), [1, 0, 0, 0, 42]);
        let max = u128::MAX.to_string();
        assert_eq!(words(&numeric_binary(&max).unwrap())[..2], [10, 9]);
    }

    #[test]
    fn numeric_refuses_what_is_not_a_decimal_integer() {
        for bad in ["", "-1", "1.5", "1e3", " 1", "0x10"] {
            assert!(numeric_binary(bad).is_none(), "{bad:?}");
        }
    }
}
