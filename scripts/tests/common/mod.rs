//! What the `egp` crate's integration tests share on top of `egp-testkit`'s anvil world ([`Net`]:
//! a real anvil with the local consortium deployed by `egp::deploy`): the test data (banks,
//! agencies, terms) and the checks of what the library reports against the node's receipts.
#![allow(dead_code, unused_imports, reason = "each test binary uses its own part of the shared fixture")]

use alloy::primitives::{Address, B256};
use alloy::providers::Provider;
use chrono::{Days, NaiveDate};
use egp::bank::{Expiry, GuaranteeTerms, reference_hash};
use egp::{Egp, Error, Outcome, Subject};
use egp_contracts::{ApplicantType, BankCode, Code, GuaranteeType, Satang, ThaiId};
pub(crate) use egp_testkit::{Chain, Net, TempDir, free_port, pepper};

/// A bank code from its number.
pub(crate) fn bank(code: u16) -> BankCode {
    BankCode::new(code).expect("a valid bank code")
}

/// A code (agency, reason, branch…).
pub(crate) fn code(text: &str) -> Code {
    Code::new(text).expect("a valid code")
}

/// Bangkok Bank and Kasikornbank: the two banks most tests use.
pub(crate) const BBL: u16 = 2;
pub(crate) const KBANK: u16 = 4;
/// The Department of Highways: the beneficiary most tests use.
pub(crate) const HIGHWAYS: &str = "21009";
/// The Royal Irrigation Department: another registered agency.
pub(crate) const IRRIGATION: &str = "03005";

/// A juristic applicant's valid 13-digit registration number.
pub(crate) fn company() -> ThaiId {
    "0105564012347".parse().expect("a valid registration number")
}

/// A performance guarantee of 1,250,000.00 THB for the Department of Highways, issued today,
/// expiring in two years: every field set.
pub(crate) fn terms(bank_ref: &str, today: NaiveDate) -> GuaranteeTerms {
    GuaranteeTerms {
        bank_ref: bank_ref.to_owned(),
        branch: code("0001"),
        guarantee_type: GuaranteeType::PERF,
        amount: Satang(125_000_000),
        issue_date: today,
        effective_date: today,
        expiry: Expiry::Fixed(today.checked_add_days(Days::new(730)).expect("a date")),
        agency: code(HIGHWAYS),
        project_number: code("69029460012"),
        contract_number: "CGD-2569/0042".to_owned(),
        applicant: company(),
        applicant_type: Some(ApplicantType::Juristic),
        document_hash: reference_hash("signed guarantee document"),
    }
}

/// The fixed expiry date of `terms`.
pub(crate) fn fixed_expiry(terms: &GuaranteeTerms) -> NaiveDate {
    match terms.expiry {
        Expiry::Fixed(date) => date,
        ref other => panic!("expected a fixed expiry, got {other:?}"),
    }
}

/// 00:00:00 Bangkok on `date` in Unix seconds, computed here independently of the library.
pub(crate) fn bangkok_midnight(date: NaiveDate) -> u64 {
    let utc = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp();
    u64::try_from(utc - 7 * 3600).expect("after 1970")
}

/// 23:59:59 Bangkok on `date` in Unix seconds.
pub(crate) fn bangkok_end_of_day(date: NaiveDate) -> u64 {
    bangkok_midnight(date) + 86_399
}

/// Checks that `outcome` reports a mined transaction exactly as the node has it: hash, block and
/// gas from the receipt, sent by `egp`'s signer to `contract`, successful; and that it names
/// `action` on `subject` with status `status` afterwards.
pub(crate) async fn assert_mined(
    egp: &Egp,
    outcome: &Outcome,
    action: &str,
    subject: &Subject,
    contract: Address,
    status: Option<&str>,
) {
    assert_eq!(outcome.action, action);
    assert_eq!(&outcome.subject, subject);
    assert_eq!(outcome.status.as_deref(), status, "status after {action}");
    assert!(!outcome.sent.dry_run);
    let hash = outcome.sent.transaction.expect("a mined transaction has a hash");
    let receipt = egp.provider().get_transaction_receipt(hash).await.unwrap().expect("the node knows the transaction");
    assert!(receipt.status(), "{action} reverted on chain");
    assert_eq!(outcome.sent.block, receipt.block_number, "block of {action}");
    assert_eq!(outcome.sent.gas, receipt.gas_used, "gas of {action}");
    assert!(outcome.sent.gas > 21_000, "{action} ran contract code: {} gas", outcome.sent.gas);
    assert_eq!(receipt.from, egp.sender().expect("a signer"), "sender of {action}");
    assert_eq!(receipt.to, Some(contract), "contract of {action}");
}

/// [`assert_mined`] for a guarantee transition on the registry.
pub(crate) async fn assert_guarantee_step(egp: &Egp, outcome: &Outcome, action: &str, id: B256, status: &str) {
    let registry = egp.deployment().contracts.guarantee_registry.address;
    assert_mined(egp, outcome, action, &Subject::Guarantee { id }, registry, Some(status)).await;
}

/// [`assert_mined`] for an answer to a claim or amendment (`subject`) on the registry.
pub(crate) async fn assert_answer_step(egp: &Egp, outcome: &Outcome, action: &str, subject: Subject, status: &str) {
    let registry = egp.deployment().contracts.guarantee_registry.address;
    assert_mined(egp, outcome, action, &subject, registry, Some(status)).await;
}

/// The revert sentence of a refused action (panics on success or on any other error).
pub(crate) fn reverted<T: std::fmt::Debug>(result: egp::Result<T>) -> String {
    match result {
        Err(Error::Reverted(revert)) => revert.to_string(),
        other => panic!("expected a contract revert, got {other:?}"),
    }
}

/// The event `E` in the receipt of `outcome`'s transaction (panics if there is none).
pub(crate) async fn event<E: alloy::sol_types::SolEvent>(egp: &Egp, outcome: &Outcome) -> E {
    let hash = outcome.sent.transaction.expect("a mined transaction");
    let receipt = egp.provider().get_transaction_receipt(hash).await.unwrap().expect("a receipt");
    let log = receipt
        .inner
        .logs()
        .iter()
        .find(|log| log.topic0() == Some(&E::SIGNATURE_HASH))
        .unwrap_or_else(|| panic!("no {} in transaction {hash}", E::SIGNATURE));
    E::decode_log_data(log.data()).expect("the event decodes")
}
