//! Credit confirmations on a real anvil: issue (project and registration), revoke, supersede, and
//! expiry once the chain's clock passes `validUntil`.

mod common;

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::B256;
use alloy::providers::Provider;
use chrono::{Days, NaiveDate};
use common::{
    BBL, KBANK, Net, assert_mined, bangkok_end_of_day, bangkok_midnight, code, company, event, pepper, reverted,
};
use egp::bank::{ConfirmationPurpose, ConfirmationTerms, reference_hash};
use egp::{Egp, Outcome, Subject};
use egp_contracts::bindings::CreditConfirmationRegistry as R;
use egp_contracts::types::record_id;
use egp_contracts::{ApplicantType, ConfirmationStatus, Purpose, Satang, dates};

/// A confirmation of a 5,000,000.00 THB credit line for one project with a 20,000,000.00 THB budget.
fn confirmation(bank_ref: &str, today: NaiveDate) -> ConfirmationTerms {
    ConfirmationTerms {
        bank_ref: bank_ref.to_owned(),
        certifying_office: code("HEAD OFFICE"),
        supplier: company(),
        supplier_type: None,
        credit_line: Satang(500_000_000),
        as_of: today,
        valid_until: None,
        purpose: ConfirmationPurpose::Project { number: code("69029460012"), budget: Satang(2_000_000_000) },
        document_hash: reference_hash("signed confirmation"),
    }
}

async fn assert_step(egp: &Egp, outcome: &Outcome, action: &str, id: B256, status: &str) {
    let registry = egp.deployment().contracts.credit_confirmation_registry.address;
    assert_mined(egp, outcome, action, &Subject::Confirmation { id }, registry, Some(status)).await;
}

async fn block_time(egp: &Egp, block: u64) -> u64 {
    let block = egp.provider().get_block_by_number(BlockNumberOrTag::Number(block)).await.unwrap().unwrap();
    block.header.timestamp
}

#[tokio::test]
async fn a_bank_issues_confirmations_for_a_project_and_for_registration() {
    let net = Net::start().await;
    let today = net.today().await;
    let bank = net.bank(BBL).await;

    let terms = confirmation("CC-2569-0001", today);
    let outcome = bank.issue_confirmation(&terms, &pepper()).await.unwrap();
    let id = record_id(common::bank(BBL), "CC-2569-0001");
    assert_step(&bank, &outcome, "issue", id, "Valid").await;
    let issued: R::CreditConfirmationIssued = event(&bank, &outcome).await;
    let mined_at = block_time(&bank, outcome.sent.block.unwrap()).await;
    assert_eq!((issued.id, issued.bankCode, issued.issuedAt), (id, 2, mined_at));
    assert_eq!(issued.validUntil, mined_at + 90 * 86_400, "90 days by default");
    assert_eq!(issued.supplierCommitment, company().commit(&pepper()));
    let request = issued.request;
    assert_eq!(&request.certifyingOffice[..11], b"HEAD OFFICE");
    assert_eq!(request.supplierType, ApplicantType::Juristic as u8);
    assert_eq!(request.creditLine, 500_000_000);
    assert_eq!(request.asOfDate, bangkok_midnight(today));
    assert_eq!(request.purpose, Purpose::PROJECT as u8);
    assert_eq!((&request.projectNumber[..11], request.projectBudget), (&b"69029460012"[..], 2_000_000_000));
    assert_eq!(request.documentHash, reference_hash("signed confirmation"));

    let view = net.reader().await.confirmation(id).await.unwrap();
    assert_eq!((view.status, view.expired, view.bank_code.as_str()), (ConfirmationStatus::Valid, false, "002"));
    assert_eq!(view.issued_at, dates::to_bangkok(mined_at).to_rfc3339());
    assert_eq!(view.valid_until, dates::to_bangkok(mined_at + 90 * 86_400).to_rfc3339());

    let until = today.checked_add_days(Days::new(30)).unwrap();
    let registration = ConfirmationTerms {
        bank_ref: "CC-REG-0001".into(),
        purpose: ConfirmationPurpose::Registration,
        valid_until: Some(until),
        supplier: "1112034563562".parse().unwrap(),
        ..terms
    };
    let outcome = bank.issue_confirmation(&registration, &pepper()).await.unwrap();
    let issued: R::CreditConfirmationIssued = event(&bank, &outcome).await;
    assert_eq!(issued.validUntil, bangkok_end_of_day(until));
    assert_eq!((issued.request.purpose, issued.request.projectBudget), (Purpose::REGISTRATION as u8, 0));
    assert_eq!(
        (issued.request.projectNumber, issued.request.supplierType),
        (B256::ZERO, ApplicantType::Individual as u8)
    );
}

#[tokio::test]
async fn a_bank_revokes_and_supersedes_its_confirmations() {
    let net = Net::start().await;
    let today = net.today().await;
    let bank = net.bank(KBANK).await;

    let revoked_id = bank.issue_confirmation(&confirmation("CC-REV-1", today), &pepper()).await.unwrap().subject_id();
    let revoked = bank.revoke_confirmation(revoked_id, &code("FACILITY-WITHDRAWN")).await.unwrap();
    assert_step(&bank, &revoked, "revoke", revoked_id, "Revoked").await;
    assert_eq!(bank.confirmation(revoked_id).await.unwrap().status, ConfirmationStatus::Revoked);

    let old = bank.issue_confirmation(&confirmation("CC-SUP-1", today), &pepper()).await.unwrap().subject_id();
    let replacement = ConfirmationTerms { credit_line: Satang(800_000_000), ..confirmation("CC-SUP-1-R", today) };
    let new = record_id(common::bank(KBANK), "CC-SUP-1-R");
    let superseded = bank.supersede_confirmation(old, &replacement, &pepper()).await.unwrap();
    assert_step(&bank, &superseded, "supersede with", new, "Valid").await;
    let event: R::CreditConfirmationSuperseded = event(&bank, &superseded).await;
    assert_eq!((event.id, event.replacementId), (old, new));
    let (old_view, new_view) = (bank.confirmation(old).await.unwrap(), bank.confirmation(new).await.unwrap());
    assert_eq!((old_view.status, old_view.replaced_by), (ConfirmationStatus::Superseded, Some(new)));
    assert_eq!((new_view.status, new_view.replaces), (ConfirmationStatus::Valid, Some(old)));

    // A replacement is for the same supplier only.
    let block = net.block().await;
    let other_supplier =
        ConfirmationTerms { supplier: "1112034563562".parse().unwrap(), ..confirmation("CC-X", today) };
    let refused = bank.supersede_confirmation(new, &other_supplier, &pepper()).await;
    assert_eq!(reverted(refused), format!("credit confirmation {new}: a replacement must be for the same supplier"));
    assert_eq!(net.block().await, block);
}

#[tokio::test]
async fn anyone_expires_a_confirmation_once_its_validity_has_passed() {
    let net = Net::start().await;
    let today = net.today().await;
    let bank = net.bank(BBL).await;
    let terms = ConfirmationTerms { valid_until: Some(today), ..confirmation("CC-EXP-1", today) };
    let id = bank.issue_confirmation(&terms, &pepper()).await.unwrap().subject_id();

    let anyone = net.connect(net.funded_stranger(1).await).await;
    let refused = anyone.expire_confirmation(id).await;
    let sentence = reverted(refused);
    let prefix = format!("credit confirmation {id} is valid until {today}T23:59:59+07:00; it is only ");
    assert!(sentence.starts_with(&prefix), "{sentence}");

    net.advance_time(2 * 86_400).await;
    let view = anyone.confirmation(id).await.unwrap();
    assert_eq!((view.status, view.expired), (ConfirmationStatus::Valid, true), "expired even before anyone marks it");
    // Expired whether or not anyone marked it: the bank can no longer revoke it.
    let refused = reverted(bank.revoke_confirmation(id, &code("TOO-LATE")).await);
    assert!(
        refused.starts_with(&format!("credit confirmation {id} expired at {today}T23:59:59+07:00 (it is ")),
        "{refused}"
    );
    assert!(refused.ends_with("it can no longer be revoked or superseded"), "{refused}");
    let expired = anyone.expire_confirmation(id).await.unwrap();
    assert_step(&anyone, &expired, "expire", id, "Expired").await;
    assert_eq!(anyone.confirmation(id).await.unwrap().status, ConfirmationStatus::Expired);
}
