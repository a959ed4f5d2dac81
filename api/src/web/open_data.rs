//! Open data: `GET /open-data/guarantees.csv` and `.json`, no key needed. Counts and amounts of
//! guarantees by month of issue (Bangkok), type, bank and status, with nothing about agencies
//! or suppliers; tender guarantees (TEND) are left out entirely (the API's rule: they reveal
//! bidders). A cell of fewer than [`MIN_CELL`] guarantees is suppressed, and so are the next
//! smallest cells until the suppressed ones hold at least [`MIN_CELL`] guarantees in at least
//! two cells, so that the published total minus the visible cells never gives one small cell
//! away. Every answer names the indexed block it was computed at. Column order is stable:
//! [`COLUMNS`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::render;
use crate::db::{self, GuaranteeCellRow, GuaranteeFilter, Marker, Session};
use crate::http::AppState;
use crate::schema::Api;
use crate::schema::types::{hex0x, iso};
use crate::{Error, Result};

/// The smallest cell published.
pub(crate) const MIN_CELL: i64 = 5;

/// A computed answer is reused for at least this long, even if the mirror moved meanwhile.
const REUSE: Duration = Duration::from_secs(30);

/// The columns, in their order, with what each holds (the JSON `columns` repeats them).
pub(crate) const COLUMNS: [(&str, &str); 10] = [
    ("month", "month of the issue date, YYYY-MM, Asia/Bangkok; 'total' on the last row"),
    ("guarantee_type", "PERF performance, APAY advance payment, RETN retention, WARR warranty, OTHR other"),
    ("bank_code", "issuing bank, 3 digits (Bank of Thailand code)"),
    ("bank_name", "issuing bank's name as registered on chain"),
    (
        "status",
        "PendingAcceptance, Active, Claimed, ExtendOrPay, Suspended, Rejected, Cancelled, Released, Expired, PaidOut, Superseded",
    ),
    ("count", "number of guarantees; empty when suppressed"),
    ("amount_thb", "sum of the amounts guaranteed, baht with 2 decimals; empty when suppressed"),
    ("outstanding_thb", "sum of the amounts still claimable, baht with 2 decimals; empty when suppressed"),
    (
        "suppressed",
        "true when the cell is withheld (fewer than 5 guarantees, or hidden so that no small cell can be derived)",
    ),
    ("indexed_block", "the indexed block the data was computed at"),
];

/// One published cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    row: GuaranteeCellRow,
    amount: u128,
    outstanding: u128,
    suppressed: bool,
}

/// The computed data set.
#[derive(Debug)]
pub(crate) struct OpenData {
    marker: Option<Marker>,
    computed_at: u64,
    cells: Vec<Cell>,
    total: (i64, u128, u128),
}

/// The last answer, reused while the mirror has not moved (and for [`REUSE`] at least).
#[derive(Debug, Default)]
pub(crate) struct Cache {
    last: tokio::sync::Mutex<Option<(Instant, Arc<OpenData>)>>,
}

/// Suppresses small cells, then the smallest others until the hidden ones are not one small cell.
pub(crate) fn suppress(cells: &mut [Cell]) {
    for cell in cells.iter_mut() {
        cell.suppressed = cell.row.count < MIN_CELL;
    }
    loop {
        let hidden = cells.iter().filter(|c| c.suppressed);
        let (n, guarantees) = hidden.fold((0, 0), |(n, sum), c| (n + 1, sum + c.row.count));
        if n == 0 || (n >= 2 && guarantees >= MIN_CELL) {
            return;
        }
        match cells.iter_mut().filter(|c| !c.suppressed).min_by_key(|c| c.row.count) {
            Some(smallest) => smallest.suppressed = true,
            None => return,
        }
    }
}

async fn compute(api: &Api) -> Result<OpenData> {
    let session = Session::new(api.pool.clone(), api.chain_id);
    let marker = session.marker().await?;
    let filter = GuaranteeFilter { hide_tender: true, ..GuaranteeFilter::default() };
    let rows = db::guarantee_cells(&session, &filter).await?;
    let mut cells = Vec::with_capacity(rows.len());
    let mut total = (0, 0, 0);
    for row in rows {
        let (amount, outstanding) = (row.amount.0, row.outstanding.0);
        total = (total.0 + row.count, total.1 + amount, total.2 + outstanding);
        cells.push(Cell { row, amount, outstanding, suppressed: false });
    }
    suppress(&mut cells);
    Ok(OpenData { marker, computed_at: chrono::Utc::now().timestamp().max(0) as u64, cells, total })
}

impl Cache {
    async fn get(&self, api: &Api) -> Result<Arc<OpenData>> {
        let mut last = self.last.lock().await;
        if let Some((at, data)) = last.as_ref() {
            let moved = if at.elapsed() < REUSE {
                false
            } else {
                let session = Session::new(api.pool.clone(), api.chain_id);
                session.marker().await?.map(|m| m.block_number) != data.marker.as_ref().map(|m| m.block_number)
            };
            if !moved {
                return Ok(data.clone());
            }
        }
        let data = Arc::new(compute(api).await?);
        *last = Some((Instant::now(), data.clone()));
        Ok(data)
    }
}

fn thb(satang: u128) -> String {
    format!("{}.{:02}", satang / 100, satang % 100)
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

impl OpenData {
    fn block(&self) -> String {
        self.marker.as_ref().map_or(String::new(), |m| m.block_number.to_string())
    }

    fn total_suppressed(&self) -> bool {
        self.total.0 > 0 && self.total.0 < MIN_CELL
    }

    pub(crate) fn csv(&self) -> String {
        let mut out = COLUMNS.map(|(name, _)| name).join(",");
        out.push('\n');
        let block = self.block();
        for cell in &self.cells {
            let row = &cell.row;
            let values = if cell.suppressed {
                [String::new(), String::new(), String::new()]
            } else {
                [row.count.to_string(), thb(cell.amount), thb(cell.outstanding)]
            };
            let fields = [
                row.month.clone(),
                row.guarantee_type.to_string(),
                format!("{:03}", row.bank_code),
                csv_field(&row.bank_name),
                row.status.to_string(),
                values[0].clone(),
                values[1].clone(),
                values[2].clone(),
                cell.suppressed.to_string(),
                block.clone(),
            ];
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        let (count, amount, outstanding) = self.total;
        let totals = if self.total_suppressed() {
            ",,,true".to_owned()
        } else {
            format!("{count},{},{},false", thb(amount), thb(outstanding))
        };
        out.push_str(&format!("total,,,,,{totals},{block}\n"));
        out
    }

    pub(crate) fn json(&self) -> Value {
        let cell = |count: i64, amount: u128, outstanding: u128, suppressed: bool| {
            if suppressed {
                json!({ "count": null, "amount_thb": null, "outstanding_thb": null, "suppressed": true })
            } else {
                json!({ "count": count, "amount_thb": thb(amount), "outstanding_thb": thb(outstanding), "suppressed": false })
            }
        };
        let rows: Vec<Value> = self
            .cells
            .iter()
            .map(|c| {
                let mut row = json!({
                    "month": c.row.month,
                    "guarantee_type": c.row.guarantee_type,
                    "bank_code": format!("{:03}", c.row.bank_code),
                    "bank_name": c.row.bank_name,
                    "status": c.row.status,
                });
                let values = cell(c.row.count, c.amount, c.outstanding, c.suppressed);
                row.as_object_mut().expect("an object").extend(values.as_object().expect("an object").clone());
                row
            })
            .collect();
        let (count, amount, outstanding) = self.total;
        json!({
            "dataset": "egp-chain guarantees by month of issue, type, bank and status (tender guarantees excluded)",
            "indexed_block": self.marker.as_ref().map(|m| json!({
                "chain_id": m.chain_id,
                "number": m.block_number,
                "hash": m.block_hash.as_deref().map(hex0x),
                "time": m.block_timestamp.map(|t| iso(t.max(0) as u64)),
            })),
            "computed_at": iso(self.computed_at),
            "minimum_cell_size": MIN_CELL,
            "columns": COLUMNS.iter().map(|(name, about)| json!({ "name": name, "description": about })).collect::<Vec<_>>(),
            "rows": rows,
            "total": cell(count, amount, outstanding, self.total_suppressed()),
        })
    }
}

async fn answer(state: &AppState) -> Result<Arc<OpenData>, Response> {
    state.web.open_data.get(&state.api).await.map_err(|error: Error| {
        tracing::error!(%error, "open data failed");
        render::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "อ่านข้อมูลไม่ได้ชั่วคราว",
            "the register could not be read just now; try again shortly",
            None,
        )
    })
}

fn respond(data: &OpenData, content_type: &'static str, body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    if let Ok(block) = HeaderValue::from_str(&data.block()) {
        headers.insert("x-indexed-block", block);
    }
    response
}

/// `GET /open-data/guarantees.csv`.
pub(crate) async fn csv(State(state): State<AppState>) -> Response {
    match answer(&state).await {
        Ok(data) => respond(&data, "text/csv; charset=utf-8", data.csv()),
        Err(page) => page,
    }
}

/// `GET /open-data/guarantees.json`.
pub(crate) async fn json(State(state): State<AppState>) -> Response {
    match answer(&state).await {
        Ok(data) => respond(&data, "application/json", data.json().to_string()),
        Err(page) => page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(count: i64) -> Cell {
        let row = GuaranteeCellRow {
            month: "2026-12".into(),
            guarantee_type: egp_store::GuaranteeType::PERF,
            bank_code: 2,
            bank_name: "Bangkok Bank".into(),
            status: egp_store::GuaranteeStatus::Active,
            count,
            amount: egp_store::Satang(0),
            outstanding: egp_store::Satang(0),
        };
        Cell { row, amount: 0, outstanding: 0, suppressed: false }
    }

    fn suppressed(counts: &[i64]) -> Vec<bool> {
        let mut cells: Vec<Cell> = counts.iter().map(|&c| cell(c)).collect();
        suppress(&mut cells);
        cells.iter().map(|c| c.suppressed).collect()
    }

    #[test]
    fn small_cells_are_suppressed_and_never_alone() {
        assert_eq!(suppressed(&[5, 9, 12]), [false, false, false]);
        // One small cell: the next smallest goes too, or total minus the rest would reveal it.
        assert_eq!(suppressed(&[1, 9, 6]), [true, false, true]);
        // Two small cells holding fewer than 5 together: one more.
        assert_eq!(suppressed(&[1, 2, 7, 8]), [true, true, true, false]);
        assert_eq!(suppressed(&[3, 2, 20]), [true, true, false]);
        assert_eq!(suppressed(&[4]), [true]);
    }

    #[test]
    fn bank_names_with_commas_are_quoted() {
        assert_eq!(csv_field("Bank, \"A\""), "\"Bank, \"\"A\"\"\"");
        assert_eq!(thb(125_000_001), "1250000.01");
    }
}
