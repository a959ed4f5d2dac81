//! Compiling from Rust, offline, with the bootstrapped compiler; the committed artifacts (which
//! every binary embeds) must match what the Solidity sources compile to.

use egp_compiler::{self as compile, SOLC_VERSION, Toolchain, contracts_root};
use egp_contracts::artifacts::{DEPLOYED_CONTRACTS, embedded};

#[test]
fn compiles_offline_and_committed_artifacts_are_current() {
    let toolchain = Toolchain::locate().expect("scripts/bootstrap installs the compiler");
    let compiled = compile::compile(&contracts_root(), &toolchain).expect("the contracts compile");
    assert_eq!(compiled.len(), DEPLOYED_CONTRACTS.len());
    for fresh in compiled {
        assert!(fresh.compiler_version.starts_with(SOLC_VERSION), "{}", fresh.compiler_version);
        assert!(!fresh.bytecode.is_empty() && !fresh.abi.errors.is_empty());
        let committed = compile::read_artifact(&fresh.contract_name).unwrap();
        assert!(
            committed == fresh,
            "contracts/artifacts/{}.json is stale: run `cargo run -p egp-compiler` and commit the result",
            fresh.contract_name
        );
        assert!(embedded(&fresh.contract_name).unwrap() == committed, "the embedded artifact is the committed file");
    }
}

#[test]
fn a_syntax_error_comes_back_as_a_compiler_diagnostic() {
    let toolchain = Toolchain::locate().unwrap();
    let dir = std::env::temp_dir().join(format!("egp-compile-error-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/Broken.sol"), "pragma solidity ^0.8.24;\ncontract Broken { function f( }\n").unwrap();
    let error = compile::compile(&dir, &toolchain).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    let message = error.to_string();
    assert!(message.contains("did not compile") && message.contains("Broken.sol"), "{message}");
}

#[test]
fn a_missing_compiler_says_to_run_bootstrap() {
    let error = egp_compiler::Error::CompilerMissing { path: "/nowhere/solc".into() };
    assert!(error.to_string().contains("run scripts/bootstrap"), "{error}");
}
