//! Compiling from Rust, offline, with the bootstrapped compiler; the committed artifacts and the
//! Rust enums must match what the Solidity sources say.

use egp_contracts::compile::{self, DEPLOYED_CONTRACTS, SOLC_VERSION, Toolchain};
use egp_contracts::tools::contracts_root;
use egp_contracts::types::{
    ApplicantType, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus, GuaranteeType, IssuerKind,
    IssuerStatus, Purpose, Role,
};

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
            "contracts/artifacts/{}.json is stale: run `cargo run -p egp-contracts --example update-artifacts` \
             and commit the result",
            fresh.contract_name
        );
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
    let error = egp_contracts::Error::CompilerMissing { path: "/nowhere/solc".into() };
    assert!(error.to_string().contains("run scripts/bootstrap"), "{error}");
}

/// The variant names of `enum <name> { ... }` in a Solidity source.
fn solidity_enum(source: &str, name: &str) -> Vec<String> {
    let start = source.find(&format!("enum {name} {{")).unwrap_or_else(|| panic!("enum {name} not found"));
    let body = &source[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find('}').unwrap()];
    body.lines()
        .map(|line| line.split("//").next().unwrap().trim().trim_end_matches(',').trim())
        .filter(|variant| !variant.is_empty())
        .map(str::to_owned)
        .collect()
}

fn names<T: ToString>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

#[test]
fn rust_enums_match_the_solidity_enums() {
    let read = |file: &str| std::fs::read_to_string(contracts_root().join("src/interfaces").join(file)).unwrap();
    let guarantees = read("IGuaranteeRegistry.sol");
    let confirmations = read("ICreditConfirmationRegistry.sol");
    let consortium = read("IConsortium.sol");
    let types = read("Types.sol");
    let cases = [
        (solidity_enum(&guarantees, "GuaranteeType"), names(GuaranteeType::ALL)),
        (solidity_enum(&guarantees, "ExpiryType"), names(ExpiryType::ALL)),
        (solidity_enum(&guarantees, "Status"), names(GuaranteeStatus::ALL)),
        (solidity_enum(&guarantees, "Action"), names(GuaranteeAction::ALL)),
        (solidity_enum(&confirmations, "Purpose"), names(Purpose::ALL)),
        (solidity_enum(&confirmations, "ConfirmationStatus"), names(ConfirmationStatus::ALL)),
        (solidity_enum(&consortium, "IssuerKind"), names(IssuerKind::ALL)),
        (solidity_enum(&consortium, "IssuerStatus"), names(IssuerStatus::ALL)),
        (solidity_enum(&consortium, "Role"), names(Role::ALL)),
        (solidity_enum(&types, "ApplicantType"), names(ApplicantType::ALL)),
    ];
    for (solidity, rust) in cases {
        assert_eq!(rust, solidity);
    }
}
