//! The Rust enums must match what the Solidity sources say.

use std::path::Path;

use egp_contracts::types::{
    ApplicantType, ConfirmationStatus, ExpiryType, GuaranteeAction, GuaranteeStatus, GuaranteeType, IssuerKind,
    IssuerStatus, Purpose, Role,
};

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
    let read = |file: &str| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/interfaces").join(file)).unwrap()
    };
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
