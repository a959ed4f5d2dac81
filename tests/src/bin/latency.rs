//! The bank-to-e-GP latency benchmark: issues guarantees one after another from a bank wallet and
//! measures, for each, the time from the bank's transaction receipt to the first GraphQL answer
//! that contains it, and separately to its event on a GraphQL subscription. Prints p50, p90, p99
//! and max. Run it in release: `cargo run -p egp-e2e --release --bin egp-latency -- --help`.
#![allow(clippy::disallowed_macros, reason = "a benchmark that prints its figures")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alloy::primitives::B256;
use clap::Parser;
use egp::bank::{Expiry, GuaranteeTerms, reference_hash};
use egp_contracts::{Code, GuaranteeType, Satang, ThaiId, dates};
use egp_testkit::{EGP_KEY, Stack, StackOptions, pepper};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Measures bank receipt → e-GP answer latency on a local stack.
#[derive(Debug, Parser)]
struct Args {
    /// How many guarantees to issue, one after another.
    #[arg(long, default_value_t = 1000)]
    guarantees: usize,
    /// Seconds between blocks (default: anvil automine, a block per transaction).
    #[arg(long)]
    block_time: Option<u64>,
    /// How often the indexer polls the chain head, in milliseconds.
    #[arg(long, default_value_t = 10)]
    poll_interval_ms: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what:<34} n={:<5} p50 {:>7.1} ms   p90 {:>7.1} ms   p99 {:>7.1} ms   max {:>7.1} ms",
        samples.len(),
        ms(percentile(&samples, 50.0)),
        ms(percentile(&samples, 90.0)),
        ms(percentile(&samples, 99.0)),
        ms(*samples.last().expect("at least one sample"))
    );
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    assert!(args.guarantees > 0, "--guarantees must be at least 1");
    let options = StackOptions {
        block_time: args.block_time,
        poll_interval_ms: args.poll_interval_ms,
        ..StackOptions::default()
    };
    let stack = Stack::start(options).await;
    let today = dates::bangkok_date(stack.admin().await.chain_time().await.expect("chain time"));

    // Subscription arrivals, by guarantee id.
    let arrivals: Arc<Mutex<HashMap<B256, Instant>>> = Arc::default();
    let mut request = stack.ws_url().into_client_request().expect("a WebSocket URL");
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().expect("a header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the API accepts WebSockets");
    let init = json!({ "type": "connection_init", "payload": { "apiKey": EGP_KEY } });
    socket.send(Message::Text(init.to_string().into())).await.expect("send");
    let subscribe = json!({ "id": "1", "type": "subscribe",
        "payload": { "query": "subscription { guaranteeEvents { name recordId } }" } });
    socket.send(Message::Text(subscribe.to_string().into())).await.expect("send");
    let listener = {
        let arrivals = arrivals.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else { continue };
                let arrived = Instant::now();
                let value: Value = serde_json::from_str(&text).unwrap_or_default();
                let event = &value["payload"]["data"]["guaranteeEvents"];
                if event["name"] == "GuaranteeIssued"
                    && let Some(id) = event["recordId"].as_str().and_then(|id| id.parse::<B256>().ok())
                {
                    arrivals.lock().expect("not poisoned").entry(id).or_insert(arrived);
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;

    let bank = stack.bank(2).await;
    let registry = bank.guarantees();
    let applicant: ThaiId = "0105564012347".parse().expect("a valid id");
    let query = "query($id: String!) { guarantee(id: $id) { id } }";
    let mut to_query = Vec::with_capacity(args.guarantees);
    let mut receipts = Vec::with_capacity(args.guarantees);
    let started = Instant::now();
    for n in 0..args.guarantees {
        let terms = GuaranteeTerms {
            bank_ref: format!("LAT-{n:06}"),
            branch: Code::new("0001").expect("a code"),
            guarantee_type: GuaranteeType::PERF,
            amount: Satang(125_000_000),
            issue_date: today,
            effective_date: today,
            expiry: Expiry::Open,
            agency: Code::new("21009").expect("a code"),
            project_number: Code::new("69029460012").expect("a code"),
            contract_number: String::new(),
            applicant: applicant.clone(),
            applicant_type: None,
            document_hash: reference_hash(&format!("latency {n}")),
        };
        let request = terms.to_request(&pepper()).expect("valid terms");
        let id = egp_testkit::guarantee_id(2, &terms.bank_ref);
        let receipt = registry
            .issue(request)
            .from(bank.sender().expect("a signer"))
            .send()
            .await
            .expect("sent")
            .get_receipt()
            .await
            .expect("a receipt");
        let at_receipt = Instant::now();
        assert!(receipt.status(), "issue {n} reverted");
        loop {
            let answer = stack.graphql(query, json!({ "id": id.to_string() })).await;
            if !answer["data"]["guarantee"].is_null() {
                break;
            }
            assert!(at_receipt.elapsed() < Duration::from_secs(30), "guarantee {id} never appeared");
        }
        to_query.push(at_receipt.elapsed());
        receipts.push((id, at_receipt));
    }
    let total = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    listener.abort();
    let arrivals = arrivals.lock().expect("not poisoned");
    let to_event: Vec<Duration> = receipts
        .iter()
        .filter_map(|(id, at)| arrivals.get(id).map(|arrived| arrived.saturating_duration_since(*at)))
        .collect();

    println!(
        "egp-latency: {} guarantees from bank 002, {}, indexer polling every {} ms, {:.1} s in all",
        args.guarantees,
        args.block_time.map_or("anvil automine".to_owned(), |s| format!("a block every {s} s")),
        args.poll_interval_ms,
        total.as_secs_f64()
    );
    report("receipt -> first GraphQL answer", to_query);
    if to_event.is_empty() {
        println!("receipt -> subscription event       no events arrived");
    } else {
        report("receipt -> subscription event", to_event);
    }
}
