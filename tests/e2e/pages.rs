//! The pages people see, against the whole stack (anvil, the indexer and the API as processes
//! over a fresh database) and in a real headless Chromium driven over the DevTools protocol:
//! GraphiQL served by a copy of the API binary alone runs a query and a subscription; a
//! verification page follows the chain (issue → accept) and checks dropped documents; nothing
//! a page loads comes from anywhere but the server, and no served page or script names an
//! outside host. Screenshots go to `target/tmp/screenshots/`; a test checks each is not blank.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy::primitives::B256;
use alloy::transports::http::reqwest;
use egp::bank::Amendment;
use egp_contracts::{GuaranteeType, Satang};
use egp_e2e::browser::{Browser, Page, browser_available};
use egp_testkit::{EGP_KEY, Stack, StackOptions, pepper};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{COMPANY, code, confirmation, terms, today};

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("a screenshots folder");
    dir
}

/// Takes a screenshot (of the whole page, or of the screen for names ending in `-phone`) and
/// fails if it is blank (one colour, or nearly).
async fn shoot(browser: &Browser, page: &Page, name: &str) -> PathBuf {
    let path = screenshots().join(format!("{name}.png"));
    let png = page.screenshot(&path, !name.ends_with("-phone")).await;
    let (other, colours) = browser.picture_stats(&png).await;
    assert!(
        other > 0.02 && colours >= 8,
        "{} looks blank: {other:.3} of it off the main colour, {colours} colours",
        path.display()
    );
    path
}

/// Fails on any request to anything but `base`'s host and port, any script error, and any
/// Content-Security-Policy violation the page reported.
fn assert_only_this_server(page: &mut Page, base: &str) {
    let host = base.trim_start_matches("http://");
    for (method, params) in page.take_events() {
        let url = match method.as_str() {
            "Network.requestWillBeSent" => params["request"]["url"].as_str().unwrap_or("").to_owned(),
            "Network.webSocketCreated" => params["url"].as_str().unwrap_or("").to_owned(),
            "Runtime.exceptionThrown" => panic!("a script failed: {params}"),
            "Log.entryAdded" | "Runtime.consoleAPICalled" => {
                let text = params.to_string();
                assert!(!text.contains("Content Security Policy"), "a CSP violation: {text}");
                continue;
            }
            _ => continue,
        };
        let local = ["http://", "ws://"].iter().any(|scheme| url.starts_with(&format!("{scheme}{host}/")));
        assert!(local || url.starts_with("data:") || url.starts_with("about:"), "the page fetched {url}");
    }
}

fn sha256(bytes: &[u8]) -> B256 {
    B256::from_slice(&Sha256::digest(bytes))
}

/// Sets GraphiQL's query and Headers editors (CodeMirror) and presses Run once GraphiQL has
/// parsed the new query (it does so shortly after an edit; the parsed query tells it whether to
/// use the WebSocket).
async fn graphiql_run(page: &Page, query: &str) {
    let script = format!(
        "(() => {{
            const editors = [...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror);
            const headers = editors.find(cm => cm.getValue().includes('Authorization'));
            headers.setValue(JSON.stringify({{ Authorization: 'Bearer {EGP_KEY}' }}));
            document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue({query:?});
            return true;
        }})()"
    );
    page.eval(&script).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    page.eval("document.querySelector('.graphiql-execute-button').click()").await;
}

const RESULT: &str = "document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()";

#[tokio::test]
async fn graphiql_served_by_the_binary_alone_runs_a_query_and_a_subscription_with_nothing_from_outside() {
    if !browser_available() {
        return;
    }
    let stack = Stack::start(StackOptions { api_copied_alone: true, ..StackOptions::default() }).await;
    let base = stack.base_url();
    let browser = Browser::launch().await;
    let mut page = browser.new_page().await;
    page.goto(&format!("{base}/graphql")).await;
    page.wait_for("document.querySelectorAll('.graphiql-container .CodeMirror').length >= 2", Duration::from_secs(30))
        .await;

    graphiql_run(&page, "{ banks { code name } }").await;
    let (result, _) =
        page.wait_for(&format!("{RESULT}.includes('Bangkok Bank') && {RESULT}"), Duration::from_secs(30)).await;
    let answer: Value = serde_json::from_str(result.as_str().unwrap()).expect("GraphiQL shows JSON");
    assert_eq!(answer["data"]["banks"][0]["code"], "002", "{answer:#}");
    shoot(&browser, &page, "graphiql-query").await;

    // A subscription over the WebSocket, authenticated from the Headers tab.
    graphiql_run(&page, "subscription { guaranteeEvents { name recordId } }").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let today = today(&stack).await;
    let issued = stack.bank(2).await.issue_guarantee(&terms("LG-GRAPHIQL-1", COMPANY, today), &pepper()).await.unwrap();
    let id = issued.subject_id().to_string();
    page.wait_for(
        &format!("{RESULT}.includes('GuaranteeIssued') && {RESULT}.includes('{id}')"),
        Duration::from_secs(30),
    )
    .await;
    shoot(&browser, &page, "graphiql-subscription").await;
    assert_only_this_server(&mut page, &base);
}

#[tokio::test]
async fn a_verification_page_follows_the_chain_and_checks_dropped_documents() {
    if !browser_available() {
        return;
    }
    let stack = Stack::start(StackOptions::default()).await;
    let base = stack.base_url();
    let today = today(&stack).await;
    let files = stack.dir.join("documents");
    std::fs::create_dir_all(&files).unwrap();
    let signed = b"%PDF-1.7\n% the e-LG LG-WEB-1 as Bangkok Bank signed it\n%%EOF\n".to_vec();
    let mut forged = signed.clone();
    forged[30] = b'X';
    let amendment = b"%PDF-1.7\n% amendment 1 of LG-WEB-1: 1,500,000.00 THB\n%%EOF\n".to_vec();
    for (name, bytes) in [("lg.pdf", &signed), ("forged.pdf", &forged), ("amendment.pdf", &amendment)] {
        std::fs::write(files.join(name), bytes).unwrap();
    }

    let mut lg = terms("LG-WEB-1", COMPANY, today);
    lg.document_hash = sha256(&signed);
    let issued = stack.bank(2).await.issue_guarantee(&lg, &pepper()).await.unwrap();
    let id = issued.subject_id();
    stack.wait_indexed(issued.sent.block.unwrap()).await;

    let browser = Browser::launch().await;
    let mut page = browser.new_page().await;
    page.goto(&format!("{base}/v/{id}")).await;
    let status = "document.getElementById('status').textContent";
    let (shown, _) = page.wait_for(status, Duration::from_secs(5)).await;
    assert_eq!(shown, "Pending acceptance by the agency");
    shoot(&browser, &page, "verify-pending").await;
    // Let the page's event stream connect before the chain moves.
    page.wait_for("document.documentElement.dataset.following === 'yes'", Duration::from_secs(5)).await;

    // Accept on chain: the page changes by itself.
    let sent = Instant::now();
    stack.gateway().await.accept(id, &code("21009")).await.unwrap();
    let receipt = sent.elapsed();
    page.wait_for(&format!("{status} === 'Active: in force'"), Duration::from_secs(5)).await;
    let shown = sent.elapsed();
    #[allow(clippy::disallowed_macros, reason = "the test reports the delay it observed")]
    {
        eprintln!(
            "the page showed the acceptance {} ms after the transaction was sent (its receipt came back after {} ms)",
            shown.as_millis(),
            receipt.as_millis()
        );
    }
    shoot(&browser, &page, "verify-active").await;

    // The signed file matches; a file with one byte changed does not.
    page.drop_file("#drop", &files.join("lg.pdf")).await;
    let verdict = "document.getElementById('verdict').getAttribute('data-verdict')";
    page.wait_for(&format!("{verdict} === 'match'"), Duration::from_secs(5)).await;
    let text = page.eval("document.getElementById('verdict').innerText").await;
    assert!(text.as_str().unwrap().contains("the e-LG as the bank issued it"), "{text}");
    assert!(text.as_str().unwrap().contains(&sha256(&signed).to_string()), "{text}");
    shoot(&browser, &page, "verify-document-match").await;
    page.drop_file("#drop", &files.join("forged.pdf")).await;
    page.wait_for(&format!("{verdict} === 'mismatch'"), Duration::from_secs(5)).await;
    shoot(&browser, &page, "verify-document-mismatch").await;

    // An amendment's document: the page lists it after the change and the check finds it.
    let proposal = Amendment {
        new_amount: Satang(150_000_000),
        new_expiry: Some(today.checked_add_days(chrono::Days::new(800)).unwrap()),
        terms_hash: sha256(&amendment),
    };
    stack.bank(2).await.propose_amendment(id, &proposal).await.unwrap();
    page.wait_for(
        &format!("document.querySelector('#documents [data-sha256=\"{}\"]')", sha256(&amendment)),
        Duration::from_secs(5),
    )
    .await;
    page.drop_file("#drop", &files.join("amendment.pdf")).await;
    page.wait_for(
        &format!("{verdict} === 'match' && document.getElementById('verdict').innerText.includes('amendment 1')"),
        Duration::from_secs(5),
    )
    .await;
    assert_only_this_server(&mut page, &base);

    // On a phone.
    page.viewport(390, 844, true).await;
    page.goto(&format!("{base}/v/{id}")).await;
    shoot(&browser, &page, "verify-phone").await;

    // A tender guarantee, a credit confirmation and an unknown id, as a visitor sees them.
    let mut tender = terms("LG-WEB-TEND", COMPANY, today);
    tender.guarantee_type = GuaranteeType::TEND;
    let tender_id = stack.bank(2).await.issue_guarantee(&tender, &pepper()).await.unwrap().subject_id();
    let cc = confirmation("CC-WEB-1", COMPANY, Satang(500_000_000), today);
    let confirmed = stack.bank(4).await.issue_confirmation(&cc, &pepper()).await.unwrap();
    stack.wait_indexed(confirmed.sent.block.unwrap()).await;
    page.viewport(1280, 900, false).await;
    page.goto(&format!("{base}/v/{tender_id}")).await;
    assert_eq!(page.eval(status).await, "Exists but is not valid");
    shoot(&browser, &page, "verify-tender").await;
    page.goto(&format!("{base}/v/c/{}", confirmed.subject_id())).await;
    assert_eq!(page.eval(status).await, "Valid");
    shoot(&browser, &page, "verify-confirmation").await;
    page.goto(&format!("{base}/v/0x{}", "ab".repeat(32))).await;
    let problem = page.eval("document.getElementById('problem').innerText").await;
    assert!(problem.as_str().unwrap().contains("o guarantee with this id is recorded on chain"), "{problem}");
    shoot(&browser, &page, "verify-not-found").await;
    assert_only_this_server(&mut page, &base);
}

/// Hosts the third-party bundles name in text, none of them ever fetched (the browser tests see
/// every request; the CSP would refuse them anyway). A host not listed here fails the test.
const NAMED_IN_THIRD_PARTY_TEXT: [(&str, &str); 7] = [
    ("www.w3.org", "XML namespace names (SVG, XLink, MathML) that React and GraphiQL pass to the DOM"),
    ("github.com", "GraphiQL's logo link and links in its error messages"),
    ("codemirror.net", "GraphiQL's link to the editor's key map documentation"),
    ("commonmark.org", "the description of GraphQL's built-in String type"),
    ("en.wikipedia.org", "the description of GraphQL's built-in Float type"),
    ("radix-ui.com", "a warning for developers in Radix UI"),
    ("reactjs.org", "React's error-decoder link in its production error messages"),
];

/// Every `scheme://host` (and `//host` in an attribute or `url(…)`) that `text` names.
fn hosts(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in ["http://", "https://", "ws://", "wss://", "src=\"//", "href=\"//", "url(//", "url(\"//", "url('//"] {
        for (at, _) in text.match_indices(marker) {
            let rest = &text[at + marker.len()..];
            let host: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
                .collect();
            // A bare scheme ("http://" + a link's text, in Markdown's linkifier) names no host.
            if !host.is_empty() {
                found.push(host);
            }
        }
    }
    found
}

#[tokio::test]
async fn no_served_page_or_script_names_an_outside_host() {
    let stack = Stack::start(StackOptions::default()).await;
    let base = stack.base_url();
    let this_server = base.trim_start_matches("http://").to_owned();
    let today = today(&stack).await;
    let issued = stack.bank(2).await.issue_guarantee(&terms("LG-HOSTS-1", COMPANY, today), &pepper()).await.unwrap();
    let cc = confirmation("CC-HOSTS-1", COMPANY, Satang(500_000_000), today);
    let confirmed = stack.bank(4).await.issue_confirmation(&cc, &pepper()).await.unwrap();
    stack.wait_indexed(confirmed.sent.block.unwrap()).await;
    egp_contracts::tls::use_ring();
    let http = reqwest::Client::new();
    let fetch = |path: String| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            let response = http.get(&url).send().await.expect("the API answers");
            let kind =
                response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            (kind, response.text().await.expect("a body"))
        }
    };

    let mut served: Vec<(String, String, String, bool)> = Vec::new();
    for path in [
        "/graphql".to_owned(),
        format!("/v/{}", issued.subject_id()),
        format!("/v/c/{}", confirmed.subject_id()),
        format!("/v/0x{}", "00".repeat(32)),
        "/v/not-an-id".to_owned(),
    ] {
        let (kind, body) = fetch(path.clone()).await;
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        served.push((path, kind, body, false));
    }
    for (path, _, vendored) in egp_api::web::assets::list() {
        let (kind, body) = fetch(path.to_owned()).await;
        served.push((path.to_owned(), kind, body, vendored));
    }
    assert!(served.iter().filter(|s| s.1.contains("javascript")).count() >= 5, "every script is served");
    for (path, kind, body, vendored) in &served {
        for host in hosts(body) {
            if host == this_server {
                continue;
            }
            let known = NAMED_IN_THIRD_PARTY_TEXT.iter().any(|(h, _)| *h == host);
            assert!(
                *vendored && known && kind.contains("javascript"),
                "{path} ({kind}) names the outside host {host:?}"
            );
        }
    }
    // The HTML loads only this server's files.
    for (path, _, body, _) in served.iter().filter(|s| s.1.starts_with("text/html")) {
        for (at, _) in body.match_indices(" src=\"").chain(body.match_indices(" href=\"")) {
            let target = &body[at..].split('"').nth(1).unwrap_or("");
            assert!(target.starts_with('/') && !target.starts_with("//"), "{path} loads {target}");
        }
    }
}
