//! A PostgreSQL server of the test's own, to stop, crash and restart: the shared server on
//! `DATABASE_URL` must stay up for the tests running next to this one. A fresh cluster in a
//! temporary folder (data, socket, log), a free port on 127.0.0.1, trust authentication, fsync
//! off; stopped and removed on drop. PostgreSQL refuses to run as root, so when the tests do, the
//! server runs as the `postgres` user.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

use sqlx::{Connection, PgConnection};

use crate::dirs::TempDir;

/// How `pg_ctl stop` ends the server.
#[derive(Debug, Clone, Copy)]
pub enum Shutdown {
    /// `-m fast`: sessions are terminated, open transactions roll back, a clean shutdown.
    Fast,
    /// `-m immediate`: every server process quits at once, like a crash; the next start recovers
    /// from the WAL.
    Immediate,
}

impl Shutdown {
    fn mode(self) -> &'static str {
        match self {
            Self::Fast => "fast",
            Self::Immediate => "immediate",
        }
    }
}

/// A private PostgreSQL server.
pub struct PrivatePostgres {
    bin: PathBuf,
    port: u16,
    /// The `postgres` user's uid and gid when the tests run as root.
    owner: Option<(u32, u32)>,
    running: bool,
    dir: TempDir,
}

impl PrivatePostgres {
    /// Creates a cluster and starts it.
    pub fn start_new() -> Self {
        let dir = TempDir::new("postgres");
        let owner = postgres_user_if_root();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let port = crate::free_port();
        let mut server = Self { bin: bin_dir(), port, owner, running: false, dir };
        let data = server.data();
        let mut initdb = server.tool("initdb");
        initdb.arg("-D").arg(&data).args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        server.run(&mut initdb);
        let conf = format!(
            "\nport = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             fsync = off\nshared_buffers = 16MB\nmax_connections = 20\n",
            server.port,
            server.dir.path().display()
        );
        let mut file = std::fs::OpenOptions::new().append(true).open(data.join("postgresql.conf")).unwrap();
        std::io::Write::write_all(&mut file, conf.as_bytes()).unwrap();
        server.start();
        server
    }

    /// Starts the server (again) and waits until it accepts connections, crash recovery included.
    pub fn start(&mut self) {
        assert!(!self.running, "the server is already running");
        let (data, log) = (self.data(), self.dir.path().join("server.log"));
        self.run(self.tool("pg_ctl").arg("-D").arg(&data).arg("-l").arg(&log).args(["-w", "-t", "120", "start"]));
        self.running = true;
    }

    /// Stops the server and waits until it is gone.
    pub fn stop(&mut self, shutdown: Shutdown) {
        assert!(self.running, "the server is not running");
        self.run(self.tool("pg_ctl").arg("-D").arg(self.data()).args([
            "-m",
            shutdown.mode(),
            "-w",
            "-t",
            "120",
            "stop",
        ]));
        self.running = false;
    }

    /// The URL of `database` on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates an empty database and returns its URL.
    pub async fn create_database(&self, name: &str) -> String {
        let mut conn = PgConnection::connect(&self.url("postgres")).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        self.url(name)
    }

    /// Whether the server is running (started and not stopped since).
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn tool(&self, name: &str) -> Command {
        let mut command = Command::new(self.bin.join(name));
        // The server's working folder must be readable by its user.
        command.current_dir(self.dir.path()).env_remove("PGDATA").env_remove("PGPORT");
        if let Some((uid, gid)) = self.owner {
            command.uid(uid).gid(gid);
        }
        command
    }

    fn run(&self, command: &mut Command) {
        let output = command.output().unwrap_or_else(|error| panic!("{command:?}: {error}"));
        assert!(
            output.status.success(),
            "{command:?} failed ({}):\n{}{}\nserver log:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if self.running {
            let _ = self.tool("pg_ctl").arg("-D").arg(self.data()).args(["-m", "immediate", "-w", "stop"]).output();
        }
    }
}

/// PostgreSQL's programs: `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> PathBuf {
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output()
        && output.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if dir.join("pg_ctl").exists() {
            return dir;
        }
    }
    let versions =
        std::fs::read_dir("/usr/lib/postgresql").expect("PostgreSQL installed (pg_config or /usr/lib/postgresql)");
    versions
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("pg_ctl").exists())
        .max()
        .map(|(_, bin)| bin)
        .expect("a PostgreSQL version under /usr/lib/postgresql")
}

fn postgres_user_if_root() -> Option<(u32, u32)> {
    // SAFETY: plain libc calls; the passwd record is read before any other getpw* call.
    unsafe {
        if libc::geteuid() != 0 {
            return None;
        }
        let user = libc::getpwnam(c"postgres".as_ptr());
        assert!(!user.is_null(), "running as root needs a `postgres` user to run the server");
        Some(((*user).pw_uid, (*user).pw_gid))
    }
}
