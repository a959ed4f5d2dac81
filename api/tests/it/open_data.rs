//! Open data through the router: totals equal the sums over the `guarantees` table, cells of
//! fewer than 5 guarantees are suppressed (and never alone), tender guarantees are absent, the
//! CSV and the JSON hold the same rows in the documented column order, and both name the indexed
//! block.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use egp_api::Limits;
use egp_contracts::{GuaranteeType, dates};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tower::ServiceExt;

use crate::common::*;

async fn get(router: &axum::Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 8 << 20).await.unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// (month, type, bank, status) → (count, amount, outstanding).
type Cells = BTreeMap<(String, String, String, String), (i64, u128, u128)>;

fn thb(satang: u128) -> String {
    format!("{}.{:02}", satang / 100, satang % 100)
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn open_data_totals_match_the_table_small_cells_are_suppressed_and_tender_is_absent(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::start().await;
    let today = world.today().await;
    // Six accepted performance guarantees of one bank (a cell of 6), two pending (a cell of 2),
    // one warranty of another bank (a cell of 1), and two tender guarantees.
    for n in 0..6 {
        world.issue_accepted(BBL, &terms(&format!("OD-PERF-{n}"), today)).await;
    }
    for n in 0..2 {
        world.issue(BBL, &terms(&format!("OD-PEND-{n}"), today)).await;
    }
    let mut warranty = terms("OD-WARR-0", today);
    warranty.guarantee_type = GuaranteeType::WARR;
    world.issue_accepted(KBANK, &warranty).await;
    for n in 0..2 {
        let mut tender = terms(&format!("OD-TEND-{n}"), today);
        tender.guarantee_type = GuaranteeType::TEND;
        world.issue_accepted(BBL, &tender).await;
    }
    world.index(&database_url(&options)).await;
    let pool = pool_options.connect_with(options).await.unwrap();

    // What the table holds, grouped here by month of issue (Bangkok), type, bank and status.
    let rows: Vec<(String, i32, String, String, String, String)> = sqlx::query_as(
        "SELECT guarantee_type, bank_code, status, issue_date::text, amount::text, outstanding::text FROM guarantees",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut table = Cells::new();
    for (kind, bank, status, issued, amount, outstanding) in rows.iter().filter(|r| r.0 != "TEND") {
        let month = dates::to_bangkok(issued.parse().unwrap()).format("%Y-%m").to_string();
        let cell = table.entry((month, kind.clone(), format!("{bank:03}"), status.clone())).or_default();
        *cell = (cell.0 + 1, cell.1 + amount.parse::<u128>().unwrap(), cell.2 + outstanding.parse::<u128>().unwrap());
    }
    let total = table.values().fold((0, 0, 0), |t, c| (t.0 + c.0, t.1 + c.1, t.2 + c.2));
    assert_eq!(total.0, 9);
    let indexed: i64 = sqlx::query_scalar("SELECT block_number FROM checkpoints").fetch_one(&pool).await.unwrap();

    let router = router(pool, &world.url, Limits::default());
    let (status, headers, body) = get(&router, "/open-data/guarantees.json").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-indexed-block"], indexed.to_string().as_str());
    let data: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(data["indexed_block"]["number"], indexed);
    assert_eq!(data["minimum_cell_size"], 5);
    assert_eq!(data["total"]["count"], total.0, "{data:#}");
    assert_eq!(data["total"]["amount_thb"], thb(total.1));
    assert_eq!(data["total"]["outstanding_thb"], thb(total.2));

    let published = data["rows"].as_array().unwrap();
    assert_eq!(published.len(), table.len(), "one row per cell: {data:#}");
    let (mut hidden_cells, mut hidden_guarantees) = (0, 0);
    for (row, (key, cell)) in published.iter().zip(&table) {
        assert_ne!(row["guarantee_type"], "TEND");
        let row_key = (
            row["month"].as_str().unwrap(),
            row["guarantee_type"].as_str().unwrap(),
            row["bank_code"].as_str().unwrap(),
            row["status"].as_str().unwrap(),
        );
        assert_eq!(
            row_key,
            (key.0.as_str(), key.1.as_str(), key.2.as_str(), key.3.as_str()),
            "rows in the documented order"
        );
        if row["suppressed"] == true {
            assert!(row["count"].is_null() && row["amount_thb"].is_null() && row["outstanding_thb"].is_null(), "{row}");
            hidden_cells += 1;
            hidden_guarantees += cell.0;
        } else {
            assert!(cell.0 >= 5, "a cell of {} is published: {row}", cell.0);
            assert_eq!(row["count"], cell.0);
            assert_eq!(row["amount_thb"], thb(cell.1));
            assert_eq!(row["outstanding_thb"], thb(cell.2));
        }
    }
    // The cells of 2 and 1 are suppressed together (3 guarantees), so the smallest other goes too.
    assert!(hidden_cells >= 2 && hidden_guarantees >= 5, "{hidden_cells} cells, {hidden_guarantees} guarantees");
    assert!(!body.contains("OD-") && !body.contains(HIGHWAYS), "record-level detail: {body}");

    // The CSV: the same rows, the documented columns in their order, the total last.
    let (status, headers, csv) = get(&router, "/open-data/guarantees.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    let names: Vec<&str> = data["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(lines[0], names.join(","));
    assert_eq!(
        lines[0],
        "month,guarantee_type,bank_code,bank_name,status,count,amount_thb,outstanding_thb,suppressed,indexed_block"
    );
    assert_eq!(lines.len(), published.len() + 2);
    for (line, row) in lines[1..].iter().zip(published) {
        let field = |v: &Value| {
            v.as_str().map(str::to_owned).unwrap_or_else(|| if v.is_null() { String::new() } else { v.to_string() })
        };
        let expected = [
            field(&row["month"]),
            field(&row["guarantee_type"]),
            field(&row["bank_code"]),
            field(&row["bank_name"]),
            field(&row["status"]),
            field(&row["count"]),
            field(&row["amount_thb"]),
            field(&row["outstanding_thb"]),
            field(&row["suppressed"]),
            indexed.to_string(),
        ];
        assert_eq!(line.split(',').collect::<Vec<_>>(), expected, "{csv}");
    }
    assert_eq!(
        lines.last().unwrap(),
        &format!("total,,,,,{},{},{},false,{indexed}", total.0, thb(total.1), thb(total.2))
    );
    assert!(!csv.contains("TEND"));
}
