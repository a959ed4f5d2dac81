//! `egp-indexer-bench`: seeds N events on a local anvil (thousands of transactions per block, so
//! seeding is quick), then measures, in one run: the full backfill (events/s into PostgreSQL),
//! fetch-only (the indexer's reading task: `eth_getLogs` + headers + decode + preparing the
//! rows, no writes) and write-only (the same prepared batches into a fresh database, time inside
//! the transactions only), and prints the three figures and the peak memory of each phase
//! (nothing is kept between phases: the batches stream through bounded channels).
//!
//! `cargo run -p egp-indexer --release --bin egp-indexer-bench -- --events 100000`
//! (`--chain-state FILE` keeps the seeded chain for the next run).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::network::TransactionBuilder;
use alloy::node_bindings::AnvilInstance;
use alloy::primitives::{B256, keccak256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use clap::Parser;
use egp_contracts::bindings::Consortium;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::issueCall;
use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::IssueRequest;
use egp_contracts::{ApplicantType, Code, Deployment, ExpiryType, GuaranteeType};
use egp_indexer::chain::Chain;
use egp_indexer::decode::Decoder;
use egp_indexer::prepare::PreparedBatch;
use egp_indexer::read::Reader;
use egp_indexer::store;
use egp_indexer::{Metrics, Settings};
use egp_testkit::{DevChain, ScratchDb, TempDir};
use futures_util::StreamExt;
use futures_util::stream;
use sqlx::{Connection, PgConnection};
use tokio::sync::mpsc;

/// Benchmark of the indexer against a local anvil and PostgreSQL.
#[derive(Debug, Parser)]
struct Args {
    /// Events to seed (one `GuaranteeIssued` each).
    #[arg(long, default_value_t = 100_000)]
    events: usize,
    /// Transactions per block while seeding.
    #[arg(long, default_value_t = 5_000)]
    per_block: usize,
    /// PostgreSQL server (a scratch database is created on it and dropped afterwards).
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    database_url: String,
    /// Reuse a seeded chain between runs: anvil's state is written to this file after seeding
    /// (with the manifest beside it, `<FILE>.deployment.json`) and loaded instead of seeding when
    /// the file exists. Seeding 100,000 events takes about a minute; loading, seconds.
    #[arg(long)]
    chain_state: Option<PathBuf>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    tracing_subscriber::fmt().with_env_filter("warn").with_writer(std::io::stderr).init();
    egp_contracts::tls::use_ring();
    let mut out = std::io::stdout();

    // A saved chain is loaded only with its record (written once seeding has finished).
    let saved = args.chain_state.as_deref().filter(|state| state.exists() && seed_record(state).exists());
    let mut anvil = egp_testkit::chain::anvil().args(["--gas-limit", "2000000000", "--no-mining"]);
    match (saved, &args.chain_state) {
        // Loading 100,000 events' state takes anvil a while: wait up to two minutes for it.
        (Some(state), _) => anvil = anvil.arg("--load-state").arg(state.display().to_string()).timeout(120_000),
        // anvil writes its state when it stops (the instance's drop stops it gracefully).
        (None, Some(state)) => anvil = anvil.arg("--dump-state").arg(state.display().to_string()),
        (None, None) => {}
    }
    let anvil = anvil.try_spawn()?;
    let deployment = match saved {
        Some(state) => {
            let record: SeedRecord = serde_json::from_slice(&std::fs::read(seed_record(state))?)?;
            if record.events != args.events {
                return Err(format!(
                    "{} holds a chain seeded with {} events, not {}: pass --events {} or another --chain-state",
                    state.display(),
                    record.events,
                    args.events,
                    record.events
                )
                .into());
            }
            writeln!(out, "loaded a chain seeded with {} events from {}", record.events, state.display())?;
            record.deployment
        }
        None => {
            let deployment = seed(&anvil, &args, &mut out).await?;
            if let Some(state) = &args.chain_state {
                let record = SeedRecord { events: args.events, deployment: deployment.clone() };
                std::fs::write(seed_record(state), serde_json::to_vec_pretty(&record)?)?;
            }
            deployment
        }
    };
    let head = ProviderBuilder::new().connect_http(anvil.endpoint_url()).get_block_number().await?;

    let dir = TempDir::new("indexer-bench");
    let manifest = dir.path().join("deployment.json");
    deployment.write(&manifest)?;

    // 1. The full backfill, as the indexer runs it.
    let backfill_db = ScratchDb::create(&args.database_url, "bench_backfill").await?;
    let settings = Settings::from_args([
        "--database-url",
        backfill_db.url(),
        "--rpc-url",
        &anvil.endpoint(),
        "--manifest",
        &manifest.display().to_string(),
        "--exit-when-caught-up",
        "--progress",
        "off",
    ]);
    let reader_settings = (settings.initial_block_range, settings.max_block_range, settings.target_batch_events);
    reset_peak_rss();
    let started = Instant::now();
    egp_indexer::run(settings, Default::default()).await?;
    let backfill = started.elapsed();
    let backfill_peak = peak_rss_kib();
    let mut conn = PgConnection::connect(backfill_db.url()).await?;
    let stored: i64 = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM events WHERE event = 'GuaranteeIssued'")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    if stored as usize != args.events {
        return Err(format!("backfill stored {stored} events, expected {}", args.events).into());
    }

    // 2. Fetch only: the indexer's reading task over the same blocks (logs, headers, decode,
    // prepare), batches dropped as they come.
    let chain = Chain::connect(&anvil.endpoint(), Duration::from_secs(60), Arc::new(Metrics::default()))?;
    let decoder = Arc::new(Decoder::new(&deployment));
    let (initial, max, target) = reader_settings;
    let reader = Reader::new(chain.clone(), decoder.clone(), Arc::new(Metrics::default()), initial, max, target);
    reset_peak_rss();
    let started = Instant::now();
    let mut fetched = 0;
    let mut batches = read_all(reader.clone(), deployment.chain_id, deployment.start_block(), head);
    while let Some(batch) = batches.recv().await {
        fetched += batch?.batch().events.len();
    }
    let fetch = started.elapsed();
    let fetch_peak = peak_rss_kib();

    // 3. Write only: the same batches into a fresh database, read and prepared ahead by a task
    // (at most two waiting); only the time inside the commits counts.
    let write_db = ScratchDb::create(&args.database_url, "bench_write").await?;
    let mut conn = PgConnection::connect(write_db.url()).await?;
    egp_indexer::MIGRATOR.run_direct(&mut conn).await?;
    let start_parent = chain.header(deployment.start_block() - 1).await?.hash;
    let mut checkpoint = store::load_or_init_checkpoint(&mut conn, &deployment, Some(start_parent)).await?;
    let backend: i32 = sqlx::query_scalar!("SELECT pg_backend_pid() AS \"pid!\"").fetch_one(&mut conn).await?;
    let backend_cpu_before = cpu_ms(&format!("/proc/{backend}/stat"));
    let own_cpu_before = cpu_ms("/proc/self/stat");
    reset_peak_rss();
    let mut write = Duration::ZERO;
    let mut written = 0;
    let mut batches = read_all(reader, deployment.chain_id, deployment.start_block(), head);
    while let Some(batch) = batches.recv().await {
        let batch = batch?;
        let started = Instant::now();
        checkpoint = store::commit_batch(&mut conn, &decoder, &checkpoint, &batch).await?.0;
        write += started.elapsed();
        written += batch.batch().events.len();
    }
    let write_peak = peak_rss_kib();
    // CPU of the PostgreSQL backend that ran the commits (readable when the server is local) and
    // of this process (which also read the batches), to see which side a write-only rate is made of.
    let backend_cpu = cpu_ms(&format!("/proc/{backend}/stat")).zip(backend_cpu_before).map(|(a, b)| a - b);
    let own_cpu = cpu_ms("/proc/self/stat").zip(own_cpu_before).map(|(a, b)| a - b);
    conn.close().await?;

    let rate = |events: usize, time: Duration| events as f64 / time.as_secs_f64().max(1e-9);
    let all = args.events + 9; // plus the setup's consortium events
    writeln!(
        out,
        "backfill:   {:>9.0} events/s ({} events in {:.2} s), peak memory {} MiB",
        rate(all, backfill),
        all,
        backfill.as_secs_f64(),
        backfill_peak / 1024
    )?;
    writeln!(
        out,
        "fetch-only: {:>9.0} events/s ({} events in {:.2} s), peak memory {} MiB",
        rate(fetched, fetch),
        fetched,
        fetch.as_secs_f64(),
        fetch_peak / 1024
    )?;
    writeln!(
        out,
        "write-only: {:>9.0} events/s ({} events in {:.2} s), peak memory {} MiB",
        rate(written, write),
        written,
        write.as_secs_f64(),
        write_peak / 1024
    )?;
    if let (Some(backend), Some(own)) = (backend_cpu, own_cpu) {
        writeln!(
            out,
            "            CPU time: PostgreSQL backend {:.2} s, benchmark process (reading included) {:.2} s",
            backend as f64 / 1000.0,
            own as f64 / 1000.0
        )?;
    }

    backfill_db.drop_now().await?;
    write_db.drop_now().await?;
    Ok(())
}

/// What a saved chain holds, written beside anvil's state file.
#[derive(serde::Serialize, serde::Deserialize)]
struct SeedRecord {
    events: usize,
    deployment: Deployment,
}

/// The record of the chain saved at `state`.
fn seed_record(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".deployment.json");
    PathBuf::from(name)
}

/// Deploys, sets up one bank, agency and gateway, then seeds `args.events` issued guarantees,
/// `args.per_block` transactions a block.
async fn seed(anvil: &AnvilInstance, args: &Args, out: &mut impl std::io::Write) -> Result<Deployment, Failure> {
    let provider = DevChain::provider_for(anvil);
    let [admin, bank, gateway] = [anvil.addresses()[0], anvil.addresses()[1], anvil.addresses()[2]];
    // Deployment and setup with interval mining off: mine each transaction explicitly.
    provider.raw_request::<_, serde_json::Value>("evm_setAutomine".into(), (true,)).await?;
    let deployment = egp_contracts::deployment::deploy(&provider, admin, admin).await?;
    let consortium = Consortium::new(deployment.contracts.consortium.address, provider.clone());
    consortium.admitIssuer(2, 0, "Bangkok Bank".into()).from(admin).send().await?.watch().await?;
    consortium.addSigner(2, bank).from(admin).send().await?.watch().await?;
    let agency = Code::new("21009")?.to_b256();
    consortium.registerAgency(agency, "Department of Highways".into()).from(admin).send().await?.watch().await?;
    consortium.authoriseGateway(gateway).from(admin).send().await?.watch().await?;
    provider.raw_request::<_, serde_json::Value>("evm_setAutomine".into(), (false,)).await?;

    // Seed: unsigned eth_sendTransaction from anvil's unlocked account, many in flight.
    let seeding = Instant::now();
    let plain = ProviderBuilder::new().disable_recommended_fillers().connect_http(anvil.endpoint_url()).erased();
    let mut nonce = plain.get_transaction_count(bank).await?;
    let registry = deployment.contracts.guarantee_registry.address;
    let chain_id = deployment.chain_id;
    // A fixed expiry must lie in the future: a year after the chain's clock.
    let now =
        plain.get_block(alloy::eips::BlockId::latest()).await?.ok_or("the chain has a latest block")?.header.timestamp;
    let expiry_date = now + 365 * 86_400;
    let gas_price = plain.get_gas_price().await? * 2;
    let mut sent = 0;
    while sent < args.events {
        let chunk = args.per_block.min(args.events - sent);
        let requests: Vec<TransactionRequest> = (sent..sent + chunk)
            .map(|i| {
                let request = IssueRequest {
                    bankRef: format!("BENCH-{i}"),
                    branchCode: Code::new("0001").expect("a code").to_b256(),
                    guaranteeType: GuaranteeType::TEND as u8,
                    amount: 1_000_000 + i as u128,
                    issueDate: now,
                    effectiveDate: now,
                    expiryType: ExpiryType::FIXD as u8,
                    expiryDate: expiry_date,
                    expiryConditionHash: B256::ZERO,
                    agencyCode: agency,
                    projectNumber: Code::new("69029460012").expect("a code").to_b256(),
                    contractNumber: String::new(),
                    applicantCommitment: keccak256(i.to_be_bytes()),
                    applicantType: ApplicantType::Juristic as u8,
                    documentHash: keccak256(format!("doc {i}")),
                };
                TransactionRequest::default()
                    .with_from(bank)
                    .with_to(registry)
                    .with_input(issueCall { request }.abi_encode())
                    .with_nonce(nonce + (i - sent) as u64)
                    .with_gas_limit(300_000)
                    .with_gas_price(gas_price)
                    .with_chain_id(chain_id)
            })
            .collect();
        let results: Vec<_> = stream::iter(requests)
            .map(|tx| {
                let plain = plain.clone();
                async move { plain.raw_request::<_, B256>("eth_sendTransaction".into(), (tx,)).await }
            })
            .buffer_unordered(64)
            .collect()
            .await;
        for result in results {
            result?;
        }
        plain.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await?;
        nonce += chunk as u64;
        sent += chunk;
    }
    let head = plain.get_block_number().await?;
    let seeded = seeding.elapsed();
    writeln!(out, "seeded {} events in {} blocks in {:.1} s", args.events, head, seeded.as_secs_f64())?;
    Ok(deployment)
}

/// Reads `from..=to` with the indexer's reader in a task, handing over batches ready to commit
/// (every block final, as with the default zero confirmations).
fn read_all(mut reader: Reader, chain_id: u64, from: u64, to: u64) -> mpsc::Receiver<Result<PreparedBatch, Failure>> {
    let (sender, receiver) = mpsc::channel(2);
    tokio::spawn(async move {
        let mut next = from;
        while next <= to {
            let mut fetched = match reader.read(next, to, false, Some(to)).await {
                Ok(fetched) => fetched,
                Err(error) => return sender.send(Err(error.into())).await,
            };
            next = fetched.to + 1;
            loop {
                let prepared = match fetched.next_batch(reader.decoder(), reader.metrics()) {
                    Ok(Some(batch)) => PreparedBatch::new(chain_id, batch).map(Some),
                    other => other.map(|_| None),
                };
                let (done, item) = match prepared {
                    Ok(Some(batch)) => (false, Ok(batch)),
                    Ok(None) => break,
                    Err(error) => (true, Err(error.into())),
                };
                sender.send(item).await?;
                if done {
                    return Ok(());
                }
            }
        }
        Ok(())
    });
    receiver
}

/// Restarts the peak resident memory count (Linux: `5` into `clear_refs`), so that each phase
/// reports its own peak.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// User plus system CPU time of the process whose `stat` file is `path`, in milliseconds (Linux;
/// `None` where `/proc` is not readable, e.g. a PostgreSQL server on another machine).
fn cpu_ms(path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Clock ticks are 100 per second on Linux (USER_HZ).
    Some(ticks * 10)
}

/// Peak resident memory of this process, KiB (Linux `VmHWM`).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
