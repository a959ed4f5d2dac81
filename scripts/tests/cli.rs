//! The `egp` binary end to end on a real local consortium chain: the walkthrough of docs/cli.md, JSON
//! output, and refusals that print one sentence, exit 1 and send nothing.

use std::path::Path;
use std::process::{Command, Output};

use alloy::providers::{Provider, ProviderBuilder};
use egp::local::LocalConsortium;
use egp_testkit::{Chain, TempDir};

struct Stack {
    chain: Chain,
    dir: TempDir,
}

impl Stack {
    async fn start(name: &str) -> Self {
        let chain = Chain::start().await;
        let dir = TempDir::new(&format!("cli-{name}"));
        std::fs::write(dir.path().join("lg.pdf"), "signed guarantee").unwrap();
        Self { chain, dir }
    }

    fn url(&self) -> &str {
        &self.chain.url
    }

    fn egp(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_egp"))
            .args(args)
            .current_dir(self.dir.path())
            .env("EGP_RPC_URL", self.url())
            .env("EGP_PEPPER", "0x000102030405060708090a0b0c0d0e0f")
            .env("EGP_APPLICANT_ID", "0105564012347")
            .env_remove("EGP_MANIFEST")
            .env_remove("EGP_PUBLIC_URL")
            .env_remove("EGP_KEYSTORE")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.egp(args);
        assert!(output.status.success(), "egp {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    async fn block(&self) -> u64 {
        egp_contracts::tls::use_ring();
        ProviderBuilder::new().connect_http(self.url().parse().unwrap()).get_block_number().await.unwrap()
    }
}

fn issue_args(bank_ref: &str) -> Vec<&str> {
    vec![
        "bank",
        "issue",
        "--ref",
        bank_ref,
        "--type",
        "PERF",
        "--amount",
        "1,250,000.00",
        "--expiry",
        "2099-12-31",
        "--agency",
        "21009",
        "--project",
        "69029460012",
        "--contract",
        "CGD-2569/0042",
        "--document",
        "lg.pdf",
    ]
}

fn with<'a>(prefix: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    prefix.iter().chain(rest).copied().collect()
}

#[tokio::test]
async fn the_readme_walkthrough_runs_and_prints_each_transaction() {
    let stack = Stack::start("walkthrough").await;
    let deployed = stack.ok(&["--local-account", "admin", "deploy", "--with-roles"]);
    assert!(deployed.contains("deployed to chain 25600"), "{deployed}");
    assert!(Path::new(&stack.dir.path().join("deployment.json")).is_file());
    let again = stack.ok(&["--local-account", "admin", "deploy", "--with-roles"]);
    assert!(again.contains("already deployed"), "{again}");

    let bank = ["--local-account", "002"];
    let gateway = ["--local-account", "gateway"];
    let issued = stack.ok(&with(&bank, &issue_args("LG-2569-000001")));
    assert!(issued.contains("status PendingAcceptance") && issued.contains("transaction 0x"), "{issued}");
    let steps: [(&[&str], &str); 5] = [
        (&["gateway", "accept", "002/LG-2569-000001", "--agency", "21009"], "status Active"),
        (
            &[
                "bank",
                "amend",
                "002/LG-2569-000001",
                "--amount",
                "1,500,000",
                "--expiry",
                "2100-06-30",
                "--document",
                "lg.pdf",
            ],
            "status Active",
        ),
        (
            &["gateway", "accept-amendment", "002/LG-2569-000001", "--agency", "21009", "--amendment", "1"],
            "accept amendment 1 of guarantee",
        ),
        (
            &[
                "gateway",
                "claim",
                "002/LG-2569-000001",
                "--agency",
                "21009",
                "--amount",
                "300,000",
                "--document",
                "lg.pdf",
            ],
            "status Claimed",
        ),
        (
            &["bank", "pay", "002/LG-2569-000001", "--amount", "300,000", "--payment-ref", "GFMIS-1", "--claim", "1"],
            "pay claim 1 of guarantee",
        ),
    ];
    for (args, expected) in steps {
        let signer = if args[0] == "gateway" { gateway } else { bank };
        let printed = stack.ok(&with(&signer, args));
        assert!(printed.contains(expected) && printed.contains("in block"), "{args:?}: {printed}");
    }
    let shown: serde_json::Value =
        serde_json::from_str(&stack.ok(&["--json", "show", "guarantee", "002/LG-2569-000001"])).unwrap();
    assert_eq!(shown["status"], "Active");
    assert_eq!(shown["amount"], 150_000_000);
    assert_eq!(shown["outstanding"], 120_000_000);
    assert_eq!(shown["totalPaid"], 30_000_000);

    // The bank prints the QR code of the guarantee's public page on the e-LG.
    let id = egp_contracts::types::record_id("002".parse().unwrap(), "LG-2569-000001");
    let qr = ["show", "guarantee", "002/LG-2569-000001", "--qr", "lg-qr.svg"];
    let output = stack.egp(&with(&qr, &["--public-url", "https://verify.egp.example/"]));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let url = format!("https://verify.egp.example/v/{id}");
    assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("QR code of {url} written to lg-qr.svg")));
    let svg = std::fs::read_to_string(stack.dir.path().join("lg-qr.svg")).unwrap();
    assert_eq!(svg, egp_contracts::verification::qr_svg(&url).unwrap());
    let without = stack.egp(&["show", "guarantee", "002/LG-2569-000001", "--qr", "other.svg"]);
    assert_eq!(without.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&without.stderr).contains("--public-url or EGP_PUBLIC_URL"));
    assert!(!stack.dir.path().join("other.svg").exists());

    // An answer to a claim that is no longer open: one sentence, nothing sent.
    let before = stack.block().await;
    let output = stack.egp(&with(
        &bank,
        &["bank", "pay", "002/LG-2569-000001", "--amount", "1", "--payment-ref", "GFMIS-2", "--claim", "1"],
    ));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap().trim(),
        format!(
            "error: guarantee {id}: claim 1 is no longer open and no claim is; nothing was sent: read the guarantee \
             again"
        )
    );
    assert_eq!(stack.block().await, before);
}

#[tokio::test]
async fn json_output_carries_transaction_block_gas_id_and_status() {
    let stack = Stack::start("json").await;
    stack.ok(&["--local-account", "admin", "deploy", "--with-roles"]);
    let printed = stack.ok(&with(&["--json", "--local-account", "004"], &issue_args("KB-1")));
    let outcome: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let expected_id = egp_contracts::types::record_id("004".parse().unwrap(), "KB-1");
    assert_eq!(outcome["subject"]["id"], expected_id.to_string());
    assert_eq!(outcome["status"], "PendingAcceptance");
    assert_eq!(outcome["dryRun"], false);
    assert!(outcome["transaction"].as_str().unwrap().starts_with("0x"));
    assert!(outcome["block"].as_u64().unwrap() > 0 && outcome["gas"].as_u64().unwrap() > 21_000);
}

#[tokio::test]
async fn refusals_print_one_sentence_exit_1_and_send_nothing() {
    let stack = Stack::start("refusals").await;
    stack.ok(&["--local-account", "admin", "deploy", "--with-roles"]);
    stack.ok(&with(&["--local-account", "002"], &issue_args("LG-1")));
    let before = stack.block().await;

    // Another bank's signer.
    let output = stack.egp(&["--local-account", "004", "bank", "cancel", "002/LG-1", "--reason", "X"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let id = egp_contracts::types::record_id("002".parse().unwrap(), "LG-1");
    assert_eq!(stderr.trim(), format!("error: guarantee {id} belongs to bank 002; the signer acts for bank 004"));

    // A dry run simulates and sends nothing.
    let dry = stack.ok(&with(&["--dry-run", "--local-account", "002"], &issue_args("LG-2")));
    assert!(dry.starts_with("dry run: issue"), "{dry}");

    // An invalid applicant id is refused without echoing it.
    let mut args = with(&["--local-account", "002"], &issue_args("LG-3"));
    args.insert(0, "--json");
    let output = Command::new(env!("CARGO_BIN_EXE_egp"))
        .args(&args)
        .current_dir(stack.dir.path())
        .env("EGP_RPC_URL", stack.url())
        .env("EGP_PEPPER", "0x000102030405060708090a0b0c0d0e0f")
        .env("EGP_APPLICANT_ID", "1112034563563")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("check digit") && !stdout.contains("1112034563563"), "{stdout}");

    // A wrong keystore password.
    let keystore_dir = stack.dir.path().join("keys");
    let (_, keystore) = egp::wallet::new_keystore(&keystore_dir, "right password").unwrap();
    std::fs::write(stack.dir.path().join("wrong.txt"), "wrong password\n").unwrap();
    let keystore = keystore.to_str().unwrap();
    let output = stack.egp(&[
        "--keystore",
        keystore,
        "--password-file",
        "wrong.txt",
        "bank",
        "cancel",
        "002/LG-1",
        "--reason",
        "X",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim(), format!("error: wrong password for keystore {keystore}"));

    // Unreachable node.
    let output = Command::new(env!("CARGO_BIN_EXE_egp"))
        .args(["show", "guarantee", "002/LG-1"])
        .current_dir(stack.dir.path())
        .env("EGP_RPC_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8(output.stderr).unwrap().starts_with("error: cannot reach the node at http://127.0.0.1:9")
    );

    assert_eq!(stack.block().await, before, "no refused command may send a transaction");
}

#[test]
fn wallet_address_reads_keystores_written_by_other_tools() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keystores");
    let listed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("fixtures.json")).unwrap()).unwrap();
    let dir = TempDir::new("cli-keystores");
    let dir = dir.path();
    let egp = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_egp"))
            .args(args)
            .env_remove("EGP_KEYSTORE")
            .env_remove("EGP_PASSWORD_FILE")
            .env_remove("EGP_KEYSTORE_PASSWORD")
            .output()
            .unwrap()
    };
    // ethers.js v6 spells the member "Crypto"; eth-account writes a checksummed address.
    for fixture in listed.as_array().unwrap().iter().filter(|f| f["file"].as_str().unwrap().contains("scrypt.json")) {
        let keystore = fixtures.join(fixture["file"].as_str().unwrap());
        let password = dir.join("password.txt");
        std::fs::write(&password, format!("{}\n", fixture["password"].as_str().unwrap())).unwrap();
        let (keystore, password) = (keystore.to_str().unwrap(), password.to_str().unwrap());
        let output = egp(&["--json", "--keystore", keystore, "--password-file", password, "wallet", "address"]);
        assert!(output.status.success(), "{keystore}: {}", String::from_utf8_lossy(&output.stderr));
        let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let address =
            |value: &serde_json::Value| value.as_str().unwrap().parse::<alloy::primitives::Address>().unwrap();
        assert_eq!(address(&shown["address"]), address(&fixture["address"]), "{keystore}");
    }

    // A file that is not a keystore: one sentence naming it, before any password is asked for.
    let broken = dir.join("broken.json");
    std::fs::write(&broken, r#"{"version": 3, "id": "a1575c02-3e4f-4358-98ca-8df70b8519c9"}"#).unwrap();
    let broken = broken.to_str().unwrap();
    let output = egp(&["--keystore", broken, "wallet", "address"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim(), format!("error: keystore {broken}: has no \"crypto\" member (nor \"Crypto\")"));
}

#[test]
fn egp_chain_names_where_it_looked_for_anvil() {
    let dir = std::env::temp_dir().join(format!("egp-cli-anvil-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let egp = |env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_egp"));
        command.arg("chain").current_dir(&dir).env_remove("ANVIL").env_remove("EGP_CONSORTIUM");
        command.envs(env.iter().copied()).output().unwrap()
    };
    // An explicit ANVIL is never replaced by another binary.
    let output = egp(&[("ANVIL", "/nowhere/anvil")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: no anvil found (looked at ANVIL=/nowhere/anvil)"), "{stderr}");

    // A definition file given on the command line overrides the built-in one.
    let custom = dir.join("consortium.json");
    let built_in: serde_json::Value = serde_json::from_str(LocalConsortium::EMBEDDED).unwrap();
    let mut other = built_in;
    other["agencies"] = serde_json::json!([{ "code": "21009", "name": "A" }, { "code": "21009", "name": "B" }]);
    std::fs::write(&custom, other.to_string()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_egp"))
        .args(["--consortium", custom.to_str().unwrap(), "show", "parties"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("agency code 21009 appears twice"), "the file was read, not the built-in one: {stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
