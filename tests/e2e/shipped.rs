//! The shipped binaries: `egp`, `egp-indexer` and `egp-api` copied alone into a temporary folder,
//! with anvil beside them, deploy, seed, index and answer a GraphQL query with the checkout out of
//! their reach, so that nothing they need (contract artifacts, the local consortium definition,
//! migrations, web assets) is read from it at run time.
//!
//! How the checkout is taken out of reach: every command runs in a private mount namespace
//! (`unshare --mount`, with `--map-root-user` when not root) in which an empty tmpfs is mounted
//! over the checkout the binaries were built in and over `~/.cargo`: inside it, any path there
//! simply does not exist, while the test process and every other test running at the same time
//! still see the real folders (the checkout is never moved, renamed or chmod-ed). Besides, the
//! commands run with the temporary folder as working directory and `HOME`, a `PATH` of that
//! folder and the system's, and no `CARGO_*`, `EGP_*` or `ANVIL` variables. Where the kernel
//! refuses mount namespaces the test fails and says so: it never passes without the isolation.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use alloy::transports::http::reqwest;
use egp_testkit::process::binary;
use serde_json::{Value, json};

const KEY: &str = "shipped-egp-key-0123456789";
const PEPPER: &str = "0x7368697070656420706570706572206f6620746865207465737473";

/// The checkout the binaries were built in.
fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("an address").port()
}

/// The folder the binaries are installed in, and how to run them there.
struct Install {
    dir: PathBuf,
    /// `unshare` and its flags.
    unshare: Vec<&'static str>,
    hidden: Vec<PathBuf>,
    children: Vec<(String, Child)>,
}

impl Install {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("egp-shipped-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).expect("a temporary folder");
        for name in ["egp", "egp-indexer", "egp-api"] {
            std::fs::copy(binary(name), dir.join("bin").join(name)).expect("a copy of the binary");
        }
        let mut hidden = vec![checkout()];
        if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
            hidden.push(home.join(".cargo"));
        }
        hidden.retain(|path| path.is_dir());
        let mut install = Self { dir, unshare: Vec::new(), hidden, children: Vec::new() };
        install.unshare = ["--mount", "--mount --map-root-user"]
            .into_iter()
            .map(|flags| flags.split(' ').collect::<Vec<_>>())
            .find(|flags| {
                install.unshare = flags.clone();
                // Inside, the checkout must be empty: its Cargo.toml is gone.
                let probe = format!("test ! -e '{}/Cargo.toml'", checkout().display());
                install.command("sh", &["-c", &probe], &[]).status().is_ok_and(|status| status.success())
            })
            .unwrap_or_else(|| {
                panic!(
                    "this system refuses private mount namespaces (unshare --mount): the test cannot hide the checkout"
                )
            });
        install
    }

    /// Installs anvil beside the binaries (a copy of the file, not a link into the checkout).
    fn add_anvil(&self) {
        let anvil = egp_contracts::tools::find_anvil().expect("scripts/bootstrap installs anvil");
        std::fs::copy(anvil, self.dir.join("bin/anvil")).expect("a copy of anvil");
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// `program` (a name on the installed `PATH`) with the checkout hidden.
    fn command(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let script = r#"set -e; for dir in "$@"; do [ "$dir" = -- ] && break; mount -t tmpfs egp-hidden "$dir"; done
            while [ "$1" != -- ]; do shift; done; shift; exec "$@""#;
        let mut command = Command::new("unshare");
        command.args(&self.unshare).args(["--propagation", "private", "sh", "-c", script, "sh"]);
        command.args(&self.hidden).arg("--").arg(program).args(args);
        command
            .env_clear()
            .env("HOME", &self.dir)
            .env("PATH", format!("{}:/usr/bin:/bin", self.dir.join("bin").display()))
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .current_dir(&self.dir);
        command
    }

    /// Runs `program` to its end.
    fn run(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(program, args, env).output().unwrap_or_else(|error| panic!("cannot run {program}: {error}"))
    }

    /// Runs `program` to its end; its standard output, which must be JSON, after success.
    fn json(&self, program: &str, args: &[&str]) -> Value {
        let output = self.run(program, args, &[]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_str(stdout.lines().last().unwrap_or_default())
            .unwrap_or_else(|_| panic!("{program} {args:?} printed no JSON: {stdout}"))
    }

    /// Starts `program` in the background, its output in `<label>.log`.
    fn spawn(&mut self, label: &str, program: &str, args: &[&str]) {
        let log = std::fs::File::create(self.dir.join(format!("{label}.log"))).expect("a log file");
        let child = self
            .command(program, args, &[])
            .stdout(log.try_clone().expect("a log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {program}: {error}"));
        self.children.push((label.to_owned(), child));
    }

    fn logs(&self) -> String {
        let mut all = String::new();
        for (label, _) in &self.children {
            let text = std::fs::read_to_string(self.dir.join(format!("{label}.log"))).unwrap_or_default();
            all.push_str(&format!("--- {label}\n{text}\n"));
        }
        all
    }
}

impl Drop for Install {
    fn drop(&mut self) {
        // SIGTERM: `egp chain` stops its anvil on it (a SIGKILL would leave anvil running).
        for (_, child) in self.children.iter_mut().rev() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn psql(url: &str, statement: &str) {
    let status = Command::new("psql")
        .args(["-X", "-q", url, "-c", statement])
        .env("PGOPTIONS", "--client-min-messages=warning")
        .stdout(Stdio::null())
        .status();
    assert!(status.is_ok_and(|s| s.success()), "psql failed: {statement}");
}

async fn graphql(http: &reqwest::Client, url: &str, query: &str) -> Option<Value> {
    let body = json!({ "query": query }).to_string();
    let response = http
        .post(url)
        .header("authorization", format!("Bearer {KEY}"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .ok()?;
    serde_json::from_str(&response.text().await.ok()?).ok()
}

#[tokio::test]
async fn the_binaries_copied_alone_deploy_seed_index_and_answer() {
    let mut install = Install::new();
    let checkout = checkout().display().to_string();

    // Without anvil anywhere it may look, `egp chain` says where it looked, never in the checkout.
    let missing = install.run("egp", &["chain"], &[]);
    let said = String::from_utf8_lossy(&missing.stderr).to_string() + &String::from_utf8_lossy(&missing.stdout);
    assert!(!missing.status.success() && said.contains("no anvil found"), "{said}");
    assert!(said.contains("every folder of PATH") && !said.contains(&checkout), "{said}");

    install.add_anvil();
    let rpc_port = free_port().to_string();
    let rpc_url = format!("http://127.0.0.1:{rpc_port}");
    install.spawn("chain", "egp", &["chain", "--port", &rpc_port]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", rpc_port.parse::<u16>().unwrap())).is_err() {
        assert!(Instant::now() < deadline, "the chain did not start:\n{}", install.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Deploy from the embedded artifacts, roles from the embedded consortium definition.
    let manifest = install.path("deployment.json");
    let common = ["--rpc-url", &rpc_url, "--manifest", &manifest, "--json"];
    let deployed =
        install.json("egp", &[&common[..], &["--local-account", "admin", "deploy", "--with-roles"]].concat());
    assert_eq!(deployed["deployed"], json!(true), "{deployed}");
    assert_eq!(deployed["rolesSetUp"], json!(true), "{deployed}");
    let seeded = install.json("egp", &[&common[..], &["seed", "--guarantees", "6"]].concat());
    let guarantees = seeded["guarantees"].as_u64().expect("a count of guarantees");
    assert!(guarantees >= 6, "{seeded}");

    // A fresh database, migrated by the indexer from its embedded migrations.
    let server = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base).to_owned();
    let database = format!("egp_shipped_{}", std::process::id());
    psql(&server, &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
    psql(&server, &format!("CREATE DATABASE {database}"));
    let database_url = format!("{base}/{database}");
    let db = ["--database-url", database_url.as_str(), "--rpc-url", &rpc_url, "--manifest", &manifest];
    let migrated = install.run("egp-indexer", &[&db[..], &["migrate"]].concat(), &[]);
    assert!(migrated.status.success(), "migrate: {}", String::from_utf8_lossy(&migrated.stderr));
    install.spawn("indexer", "egp-indexer", &[&db[..], &["--poll-interval-ms", "100"]].concat());

    // The API with the local gateway's key (from the embedded consortium definition).
    std::fs::write(install.dir.join("pepper"), PEPPER).expect("the pepper file");
    let mut hashing = install
        .command("egp-api", &["hash-key", "--role", "egp", "--label", "shipped"], &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("egp-api hash-key starts");
    {
        use std::io::Write;
        hashing.stdin.take().expect("stdin").write_all(KEY.as_bytes()).expect("the key is written");
    }
    let hashed = hashing.wait_with_output().expect("egp-api hash-key ends");
    assert!(hashed.status.success(), "hash-key: {}", String::from_utf8_lossy(&hashed.stderr));
    std::fs::write(install.dir.join("api-keys"), &hashed.stdout).expect("the keys file");
    let api_port = free_port();
    let listen = format!("127.0.0.1:{api_port}");
    let (pepper, keys) = (install.path("pepper"), install.path("api-keys"));
    let api = ["--pepper-file", pepper.as_str(), "--api-keys-file", &keys, "--listen", &listen];
    install.spawn("api", "egp-api", &[&db[..], &api[..], &["--local-account", "gateway"]].concat());

    // The answer: every seeded guarantee, once the indexer has caught up.
    egp_contracts::tls::use_ring();
    let http = reqwest::Client::new();
    let url = format!("http://{listen}/graphql");
    let query = "{ guarantees(first: 1) { totalCount } banks { code } }";
    let deadline = Instant::now() + Duration::from_secs(120);
    let answer = loop {
        if let Some(answer) = graphql(&http, &url, query).await
            && answer["data"]["guarantees"]["totalCount"].as_u64() == Some(guarantees)
        {
            break answer;
        }
        assert!(Instant::now() < deadline, "no complete answer from the API:\n{}", install.logs());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(answer["data"]["banks"].as_array().map(Vec::len), Some(22), "{answer}");
    let logs = install.logs();
    assert!(!logs.contains(&checkout), "a binary named a path in the checkout:\n{logs}");
    psql(&server, &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
}
