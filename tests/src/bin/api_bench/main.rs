//! `egp-api-bench`: loads N guarantees into a fresh PostgreSQL database through the indexer's
//! writer (`egp_indexer::store::commit_batch`, the rows the indexer itself writes, events and
//! checkpoint included), starts the real API (`egp_api::build` and `http::router` on a loopback
//! port), drives it with concurrent HTTP clients on loopback and prints requests/s and p50/p99
//! latency for `guarantee(id)` and for a filtered, paginated `guarantees` query. The database is
//! dropped at the end.
//!
//! `cargo run -p egp-e2e --release --bin egp-api-bench -- --guarantees 1000000`

mod data;
mod drive;
mod load;

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use egp_contracts::Pepper;
use egp_testkit::{ScratchDb, TempDir};
use sqlx::{Connection, PgConnection};
use tokio_util::sync::CancellationToken;

use crate::drive::{Driver, Figures, Workload};

/// Benchmark of the GraphQL API over a PostgreSQL mirror of N guarantees.
#[derive(Debug, Parser)]
struct Args {
    /// Guarantees to load.
    #[arg(long, default_value_t = 1_000_000)]
    guarantees: usize,
    /// Requests measured per query.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Time limit of each measured phase, seconds.
    #[arg(long, default_value_t = 60)]
    max_seconds: u64,
    /// Clients sending at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Pages read per walk of the `guarantees` query (the first, then by `after`).
    #[arg(long, default_value_t = 5)]
    pages: usize,
    /// A quick run for CI: 2,000 guarantees, 200 requests per query, 8 clients; fails on any
    /// error answer.
    #[arg(long)]
    smoke: bool,
    /// Keep the database afterwards (to look at query plans); its URL is printed.
    #[arg(long)]
    keep_database: bool,
    /// PostgreSQL server (a scratch database is created on it and dropped afterwards).
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    database_url: String,
}

/// The consortium pepper of the synthetic chain (applicant commitments) and of the server.
const PEPPER: &[u8; 32] = b"egp-api-bench pepper, 32 bytes!!";

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut args = Args::parse();
    if args.smoke {
        args.guarantees = 2_000;
        args.requests = 200;
        args.concurrency = 8;
        args.max_seconds = 30;
    }
    tracing_subscriber::fmt().with_env_filter("egp_api_bench=info,sqlx=error,warn").with_writer(std::io::stderr).init();
    let db = ScratchDb::create(&args.database_url, "api_bench").await?;
    let result = run(&args, db.url()).await;
    if args.keep_database {
        writeln!(std::io::stdout(), "database kept: {}", db.keep())?;
    } else {
        db.drop_now().await?;
    }
    result
}

async fn run(args: &Args, url: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout();
    let pepper = Pepper::new(*PEPPER)?;

    let loaded = load::load(url, args.guarantees, &pepper, !args.smoke).await?;
    let rate = |n: usize, t: Duration| n as f64 / t.as_secs_f64().max(1e-9);
    writeln!(
        out,
        "load:    {} guarantees ({} events) in {:.1} s: {:.0} guarantees/s, {:.0} events/s (indexer writer, 10k-event batches)",
        loaded.guarantees,
        loaded.events,
        loaded.elapsed.as_secs_f64(),
        rate(loaded.guarantees, loaded.elapsed),
        rate(loaded.events, loaded.elapsed),
    )?;
    let started = Instant::now();
    let mut conn = PgConnection::connect(url).await?;
    // What autovacuum would have done by the time anyone queries a mirror this size.
    sqlx::raw_sql("VACUUM (ANALYZE)").execute(&mut conn).await?;
    let size: String =
        sqlx::query_scalar("SELECT pg_size_pretty(pg_database_size(current_database()))").fetch_one(&mut conn).await?;
    conn.close().await?;
    writeln!(out, "vacuum analyze: {:.1} s; database size {size}", started.elapsed().as_secs_f64())?;

    // The real server: settings as the command line parses them, the real router, loopback TCP.
    let dir = TempDir::new("api-bench");
    let dir = dir.path();
    let key = format!("bench-key-{:016x}", rand::random::<u64>());
    std::fs::write(dir.join("pepper"), hex::encode(PEPPER))?;
    std::fs::write(dir.join("keys"), egp_api::auth::key_line(&key, "egp", None, "bench")?)?;
    let settings = egp_api::Settings::from_args([
        "--database-url",
        url,
        "--pepper-file",
        &dir.join("pepper").display().to_string(),
        "--api-keys-file",
        &dir.join("keys").display().to_string(),
    ]);
    let (_, state) = egp_api::build(&settings).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let cancel = CancellationToken::new();
    let shutdown = cancel.clone().cancelled_owned();
    let server = tokio::spawn(async move {
        axum::serve(listener, egp_api::http::router(state)).with_graceful_shutdown(shutdown).await
    });

    let driver = Driver {
        endpoint: format!("http://{address}/graphql"),
        key,
        concurrency: args.concurrency,
        client: {
            egp_contracts::tls::use_ring();
            reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?
        },
    };
    let limit = Duration::from_secs(args.max_seconds);
    let warm_up = (args.requests / 10).clamp(args.concurrency, 1_000);
    let lookups = Arc::new(Workload::Lookup(loaded.sample));
    let agencies = (0..data::AGENCIES).map(data::agency_code).collect();
    let pages = Arc::new(Workload::Pages { agencies, pages: args.pages.max(1) });
    writeln!(
        out,
        "server:  http://{address}/graphql (default limits, {} database connections); {} clients on loopback",
        settings.db_connections, args.concurrency
    )?;
    let mut failed = false;
    for (name, work, seed) in
        [("guarantee(id)", lookups, 1), ("guarantees(agency, statuses, first: 50, after)", pages, 2)]
    {
        driver.run(work.clone(), warm_up, limit, seed + 100).await?;
        let figures = driver.run(work, args.requests, limit, seed).await?;
        report(&mut out, name, &figures)?;
        failed |= figures.failures > 0;
    }

    cancel.cancel();
    server.await??;
    if failed {
        return Err("some requests failed (see above)".into());
    }
    Ok(())
}

fn report(out: &mut impl std::io::Write, name: &str, f: &Figures) -> Result<(), Failure> {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    writeln!(
        out,
        "{name}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} requests in {:.1} s, {:.1} rows/request, {} failed)",
        f.rate(),
        ms(f.quantile(0.50)),
        ms(f.quantile(0.99)),
        f.requests,
        f.elapsed.as_secs_f64(),
        f.rows as f64 / f.requests.max(1) as f64,
        f.failures,
    )?;
    if let Some(failure) = &f.first_failure {
        writeln!(out, "  first failure: {failure}")?;
    }
    Ok(())
}
