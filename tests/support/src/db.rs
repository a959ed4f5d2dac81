//! Databases on the shared PostgreSQL server (`DATABASE_URL`): the URL of a `#[sqlx::test]`
//! database, and scratch databases created and dropped by a test or a benchmark.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};

/// The server's URL: `DATABASE_URL`, else the local server's `postgres` database.
pub fn server_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The URL of `database` on the server of `server` (a URL naming any database there).
pub fn url_on(server: &str, database: &str) -> String {
    let (base, _) = server.rsplit_once('/').unwrap_or_else(|| panic!("{server:?} names no database"));
    format!("{base}/{database}")
}

/// The URL of the database `#[sqlx::test]` created (its options name it).
pub fn test_database_url(options: &PgConnectOptions) -> String {
    url_on(&server_url(), options.get_database().expect("a test database"))
}

/// A fresh empty database next to the server's, dropped by [`ScratchDb::drop_now`] (or, failing
/// that, on drop through `psql`, so that a panicking test leaves nothing behind).
#[derive(Debug)]
pub struct ScratchDb {
    name: String,
    url: String,
    server: String,
    dropped: bool,
}

impl ScratchDb {
    /// `egp_<tag>_<pid>_<n>` on `server` (`tag`: lowercase letters, digits and `_`).
    pub async fn create(server: &str, tag: &str) -> Result<Self, sqlx::Error> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        assert!(
            tag.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "a database tag is lowercase letters, digits and _: {tag:?}"
        );
        let name = format!("egp_{tag}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut conn = PgConnection::connect(server).await?;
        // Identifiers cannot be bound; the name is built from a checked tag and numbers.
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
        conn.close().await?;
        Ok(Self { url: url_on(server, &name), name, server: server.to_owned(), dropped: false })
    }

    /// [`ScratchDb::create`] on [`server_url`], with `migrator`'s migrations applied.
    pub async fn migrated(tag: &str, migrator: &Migrator) -> Self {
        let db = Self::create(&server_url(), tag).await.expect("a scratch database");
        let pool = db.pool().await;
        migrator.run(&pool).await.expect("the migrations apply");
        pool.close().await;
        db
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A pool of connections to it.
    pub async fn pool(&self) -> PgPool {
        PgPool::connect(&self.url).await.expect("the scratch database accepts connections")
    }

    /// Leaves it in place (to look at afterwards); returns its URL.
    pub fn keep(mut self) -> String {
        self.dropped = true;
        std::mem::take(&mut self.url)
    }

    /// Drops it now, ending its sessions.
    pub async fn drop_now(mut self) -> Result<(), sqlx::Error> {
        let mut conn = PgConnection::connect(&self.server).await?;
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut conn).await?;
        conn.close().await?;
        self.dropped = true;
        Ok(())
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if !self.dropped {
            // Drop runs outside async code: psql, as an operator would.
            let _ = Command::new("psql")
                .args(["-X", "-q", &self.server, "-c", &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)])
                .env("PGOPTIONS", "--client-min-messages=warning")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Runs `query` on the database at `url` through `psql`, returning its unaligned output.
pub fn psql(url: &str, query: &str) -> String {
    let output = Command::new("psql")
        .args(["-X", "-q", "-t", "-A", url, "-c", query])
        .env("PGOPTIONS", "--client-min-messages=warning")
        .output()
        .expect("psql runs");
    assert!(output.status.success(), "psql failed on {query:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8")
}
