//! The public pages through the router: a guarantee's and a credit confirmation's verification
//! page show what a visitor may see and nothing more (no tax id or commitment; a tender guarantee
//! only exists-and-is-valid), clear 404 and 400 pages, the QR code of the configured public URL,
//! the security headers, the rate limit and GraphiQL's embedded assets.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use egp::bank::{Amendment, reference_hash};
use egp_api::Limits;
use egp_api::web::{PublicSettings, Web};
use egp_contracts::{GuaranteeType, Satang, verification};
use futures_util::StreamExt;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tower::ServiceExt;

use crate::common::*;

struct Got {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn get(router: &axum::Router, path: &str) -> Got {
    let request = Request::get(path).header("host", "127.0.0.1:8080").body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 8 << 20).await.unwrap();
    Got { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// A day as the page's Thai-then-English cell starts: the Thai date in the Buddhist era.
fn page_date(day: chrono::NaiveDate) -> String {
    use chrono::Datelike as _;
    const THAI_MONTHS: [&str; 12] =
        ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
    format!("{} {} {}", day.day(), THAI_MONTHS[day.month0() as usize], day.year() + 543)
}

fn web(public_url: &str, rate: u32) -> Web {
    let settings =
        PublicSettings { public_url: Some(public_url.into()), public_rate_limit: rate, ..PublicSettings::default() };
    Web::new(&settings).unwrap()
}

/// Every script is a file of this server; no inline script, style or event handler.
fn assert_no_inline_code(html: &str) {
    for (at, _) in html.match_indices("<script") {
        let tag = &html[at..at + html[at..].find('>').unwrap()];
        assert!(tag.contains(" src=\"/assets/"), "a script that is not a file of this server: {tag}");
    }
    assert!(!html.contains("<style"), "an inline stylesheet");
    for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap()) {
        // The attribute names: what is left outside the quoted values.
        let names: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        for attribute in names.split_whitespace().skip(1) {
            let name = attribute.split('=').next().unwrap();
            assert!(name != "style" && !name.starts_with("on"), "an inline style or handler: <{tag}>");
        }
    }
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn verification_pages_show_what_a_visitor_may_see_and_nothing_more(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let world = World::start().await;
    let today = world.today().await;
    let mut perf = terms("LG-PAGE-1", today);
    perf.document_hash = reference_hash("the signed e-LG");
    let perf_id = world.issue_accepted(BBL, &perf).await;
    let amendment = Amendment {
        new_amount: Satang(150_000_000),
        new_expiry: Some(today.checked_add_days(chrono::Days::new(800)).unwrap()),
        terms_hash: reference_hash("amendment 1"),
    };
    world.bank(BBL).await.propose_amendment(perf_id, &amendment).await.expect("amendment");
    // LG-PAGE-2: in force only from next week; its amendment lapsed when a reduction came first.
    let mut later = terms("LG-PAGE-2", today);
    later.effective_date = today.checked_add_days(chrono::Days::new(7)).unwrap();
    let later_id = world.issue_accepted(BBL, &later).await;
    let lapsing = Amendment { terms_hash: reference_hash("amendment 1 of LG-PAGE-2"), ..amendment.clone() };
    world.bank(BBL).await.propose_amendment(later_id, &lapsing).await.expect("amendment");
    world.gateway().await.reduce(later_id, &later.agency, Satang(10_000_000)).await.expect("reduction");
    let mut tender = terms("LG-PAGE-TEND", today);
    tender.guarantee_type = GuaranteeType::TEND;
    let tender_id = world.issue_accepted(BBL, &tender).await;
    let confirmation_id = world
        .bank(KBANK)
        .await
        .issue_confirmation(&confirmation("CC-PAGE-1", COMPANY, today), &pepper())
        .await
        .expect("confirmation")
        .subject_id();
    world.index(&database_url(&options)).await;
    let pool = pool_options.connect_with(options).await.unwrap();
    let (commitment, transaction, block): (Vec<u8>, Vec<u8>, i64) = sqlx::query_as(
        "SELECT applicant_commitment, transaction_hash, block_number FROM guarantees WHERE bank_ref = 'LG-PAGE-1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let one_watcher = PublicSettings { public_max_watchers: 1, ..PublicSettings::default() };
    let watched = router_with_web(pool.clone(), &world.url, Limits::default(), Web::new(&one_watcher).unwrap());
    let router = router_with_web(pool, &world.url, Limits::default(), web("https://verify.egp.example/", 1000));

    // A guarantee: the facts, in both languages, with where they come from.
    let page = get(&router, &format!("/v/{perf_id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    let html = &page.body;
    for expected in [
        "id=\"status\" lang=\"en\">Active: in force<",
        "มีผลใช้บังคับ",
        "data-valid=\"true\"",
        "Valid today",
        "002 ",
        "LG-PAGE-1",
        HIGHWAYS,
        "Performance security (PERF)",
        "หลักประกันสัญญา",
        "1,250,000.00 THB",
        "1,250,000.00 บาท",
        &format!("In force from</span></dt><dd id=\"effective\">{}", page_date(today)),
        "An amendment awaits the agency",
        "data-final=",
        "indexed block",
        &format!("data-sha256=\"{}\"", reference_hash("the signed e-LG")),
        &format!("data-sha256=\"{}\"", reference_hash("amendment 1")),
        "amendment 1 (pending)",
        &format!("data-watch=\"/v/{perf_id}/watch\""),
        &format!("https://verify.egp.example/v/{perf_id}"),
        &format!("0x{}", hex::encode(&transaction)),
        &format!("block {block} ·"),
    ] {
        assert!(html.contains(expected), "the page lacks {expected:?}:\n{html}");
    }
    assert!(!html.contains(&hex::encode(&commitment)), "the applicant's commitment is on the page");
    assert!(!html.contains(COMPANY), "a tax id is on the page");
    assert_no_inline_code(html);

    // Not in force yet, and its lapsed amendment's document is still one of the guarantee's,
    // labelled as never in force; no amendment awaits the agency.
    let page = get(&router, &format!("/v/{later_id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for expected in [
        "id=\"status\" lang=\"en\">Active: in force<",
        "data-valid=\"false\"",
        "The guarantee takes effect after the date",
        &format!("In force from</span></dt><dd id=\"effective\">{}", page_date(later.effective_date)),
        "1,150,000.00 THB",
        &format!("data-sha256=\"{}\"", reference_hash("amendment 1 of LG-PAGE-2")),
        "amendment 1 (lapsed, never in force: a reduction came first)",
    ] {
        assert!(page.body.contains(expected), "the page lacks {expected:?}:\n{}", page.body);
    }
    assert!(!page.body.contains("An amendment awaits the agency"), "{}", page.body);

    // A tender guarantee: that it exists and is valid, nothing else.
    let page = get(&router, &format!("/v/{tender_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"status\" lang=\"en\">Exists and is valid<"), "{}", page.body);
    for secret in ["LG-PAGE-TEND", HIGHWAYS, "1,250,000.00", "Bid security", "TEND", "data-sha256", "Bangkok Bank"] {
        assert!(!page.body.contains(secret), "the tender page shows {secret:?}:\n{}", page.body);
    }

    // A credit confirmation.
    let page = get(&router, &format!("/v/c/{confirmation_id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for expected in ["id=\"status\" lang=\"en\">Valid<", "5,000,000.00 THB", "CC-PAGE-1", "HEAD OFFICE", "004 "] {
        assert!(page.body.contains(expected), "the confirmation page lacks {expected:?}:\n{}", page.body);
    }
    assert!(!page.body.contains(COMPANY));

    // Unknown and malformed ids: clear pages with the right status, naming the value.
    let unknown = format!("0x{}", "ab".repeat(32));
    for path in [
        format!("/v/{unknown}"),
        format!("/v/c/{unknown}"),
        format!("/v/{unknown}/qr.svg"),
        format!("/v/{confirmation_id}"),
    ] {
        let page = get(&router, &path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.body);
        assert!(page.body.contains("is recorded on chain") && page.body.contains("<html"), "{}", page.body);
    }
    for (path, value) in [("/v/nonsense", "nonsense"), ("/v/c/0x12", "0x12"), ("/v/%3Cb%3E/qr.svg", "&lt;b&gt;")] {
        let page = get(&router, path).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(page.body.contains("expected 0x and 64 hex digits"), "{}", page.body);
        assert!(page.body.contains(&format!("id=\"value\">{value}<")), "{}", page.body);
        assert!(!page.body.contains("<b>"));
    }

    // The page follows its record: the event stream's first event is the version the page shows;
    // a stream holds one of the watcher places (none left: 503), an unknown record is a 404.
    let version = html.split("data-version=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let request = Request::get(format!("/v/{perf_id}/watch")).body(Body::empty()).unwrap();
    let stream = watched.clone().oneshot(request).await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut body = stream.into_body().into_data_stream();
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), body.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(String::from_utf8_lossy(&first), format!("event: version\ndata: {version}\n\n"));
    assert_eq!(get(&watched, &format!("/v/{perf_id}/watch")).await.status, StatusCode::SERVICE_UNAVAILABLE);
    drop(body);
    assert_eq!(get(&router, &format!("/v/0x{}/watch", "ab".repeat(32))).await.status, StatusCode::NOT_FOUND);

    // The QR code encodes the configured public URL of the page.
    let qr = get(&router, &format!("/v/{perf_id}/qr.svg")).await;
    assert_eq!(qr.status, StatusCode::OK);
    assert_eq!(qr.headers["content-type"], "image/svg+xml");
    let expected = verification::qr_svg(&format!("https://verify.egp.example/v/{perf_id}")).unwrap();
    assert_eq!(qr.body, expected);
    let qr = get(&router, &format!("/v/c/{confirmation_id}/qr.svg")).await;
    assert_eq!(qr.body, verification::qr_svg(&format!("https://verify.egp.example/v/c/{confirmation_id}")).unwrap());
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn every_response_carries_the_security_headers_and_the_pages_are_rate_limited(
    pool_options: PgPoolOptions,
    options: PgConnectOptions,
) {
    let pool = pool_options.connect_with(options).await.unwrap();
    let router =
        router_with_web(pool.clone(), "http://127.0.0.1:9", Limits::default(), web("http://127.0.0.1:8080", 1000));

    // GraphiQL: every file from this server, each served with its type.
    let page = get(&router, "/graphql").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_no_inline_code(&page.body);
    let mut files = 0;
    for (at, _) in page.body.match_indices("/assets/") {
        let path = &page.body[at..at + page.body[at..].find('"').unwrap()];
        let asset = get(&router, path).await;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
        let kind = asset.headers["content-type"].to_str().unwrap();
        assert!(kind.starts_with(if path.ends_with(".js") { "text/javascript" } else { "text/css" }), "{path}: {kind}");
        assert!(asset.headers["cache-control"].to_str().unwrap().contains("immutable"));
        files += 1;
    }
    assert_eq!(files, 6, "{}", page.body);
    assert_eq!(get(&router, "/assets/nothing.js").await.status, StatusCode::NOT_FOUND);

    for path in ["/graphql", "/v/nonsense", "/health", "/open-data/guarantees.csv"] {
        let got = get(&router, path).await;
        let header = |name: &str| got.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert_eq!(header("content-security-policy"), egp_api::web::CONTENT_SECURITY_POLICY, "{path}");
        assert!(header("content-security-policy").contains("script-src 'self';"));
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert!(header("permissions-policy").contains("camera=()"), "{path}");
    }
    let https =
        router_with_web(pool.clone(), "http://127.0.0.1:9", Limits::default(), web("https://verify.egp.example", 1000));
    assert_eq!(get(&https, "/graphql").await.headers["strict-transport-security"], "max-age=31536000");

    // Three requests a minute: the fourth waits, told for how long; the API itself is not limited.
    let limited = router_with_web(pool, "http://127.0.0.1:9", Limits::default(), web("http://127.0.0.1:8080", 3));
    for _ in 0..3 {
        assert_eq!(get(&limited, "/v/nonsense").await.status, StatusCode::BAD_REQUEST);
    }
    let refused = get(&limited, "/open-data/guarantees.json").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    let wait: u64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert!(refused.body.contains("at most 3 a minute"), "{}", refused.body);
    assert_eq!(get(&limited, "/health").await.status, StatusCode::SERVICE_UNAVAILABLE, "health is not rate-limited");

    // Settings that cannot work are refused, naming the value.
    let bad = PublicSettings { public_url: Some("verify.egp.example".into()), ..PublicSettings::default() };
    let error = Web::new(&bad).unwrap_err().to_string();
    assert!(error.contains("verify.egp.example") && error.contains("http"), "{error}");
}
