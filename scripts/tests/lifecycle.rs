//! Every bank, gateway and anyone action of the library on a real anvil: each outcome checked
//! against the node's receipt, and the guarantee read back afterwards.

mod common;

use alloy::primitives::B256;
use alloy::providers::Provider;
use chrono::Days;
use common::{
    BBL, HIGHWAYS, IRRIGATION, KBANK, Net, assert_answer_step, assert_guarantee_step, bangkok_end_of_day,
    bangkok_midnight, code, company, event, fixed_expiry, pepper, terms,
};
use egp::bank::{Amendment, Expiry, reference_hash};
use egp::{Error, Subject};
use egp_contracts::bindings::GuaranteeRegistry as G;
use egp_contracts::types::record_id;
use egp_contracts::{ApplicantType, ExpiryType, GuaranteeStatus, GuaranteeType, Satang};
use sha2::{Digest, Sha256};

fn sha256(text: &str) -> B256 {
    B256::from_slice(&Sha256::digest(text.as_bytes()))
}

fn bangkok_expiry(date: chrono::NaiveDate) -> Option<String> {
    Some(format!("{date}T23:59:59+07:00"))
}

#[tokio::test]
async fn issue_puts_every_field_on_chain_and_reads_back() {
    let net = Net::start().await;
    let today = net.today().await;
    let bank = net.bank(BBL).await;
    let mut terms = terms("LG-2569-000001", today);
    terms.issue_date = today.checked_sub_days(Days::new(1)).unwrap();
    terms.branch = code("0105");
    terms.guarantee_type = GuaranteeType::APAY;

    let outcome = bank.issue_guarantee(&terms, &pepper()).await.unwrap();
    let id = record_id(common::bank(BBL), "LG-2569-000001");
    assert_guarantee_step(&bank, &outcome, "issue", id, "PendingAcceptance").await;
    assert_eq!(outcome.subject_id(), id);

    let issued: G::GuaranteeIssued = event(&bank, &outcome).await;
    assert_eq!(issued.id, id);
    assert_eq!(issued.bankCode, 2);
    assert_eq!(issued.agencyCode, code(HIGHWAYS).to_b256());
    assert_eq!(issued.actor, bank.sender().unwrap());
    let request = issued.request;
    assert_eq!(request.bankRef, "LG-2569-000001");
    assert_eq!(&request.branchCode[..4], b"0105");
    assert_eq!(request.guaranteeType, GuaranteeType::APAY as u8);
    assert_eq!(request.amount, 125_000_000);
    assert_eq!(request.issueDate, bangkok_midnight(terms.issue_date));
    assert_eq!(request.effectiveDate, bangkok_midnight(today));
    assert_eq!(request.expiryType, ExpiryType::FIXD as u8);
    assert_eq!(request.expiryDate, bangkok_end_of_day(fixed_expiry(&terms)));
    assert_eq!(request.expiryConditionHash, B256::ZERO);
    assert_eq!(&request.projectNumber[..11], b"69029460012");
    assert_eq!(request.contractNumber, "CGD-2569/0042");
    assert_eq!(request.applicantCommitment, company().commit(&pepper()));
    assert_ne!(request.applicantCommitment, company().commit(&egp_contracts::Pepper::new([7u8; 32]).unwrap()));
    assert_eq!(request.applicantType, ApplicantType::Juristic as u8);
    assert_eq!(request.documentHash, sha256("signed guarantee document"));

    let view = net.reader().await.guarantee(id).await.unwrap();
    assert_eq!(view.id, id);
    assert_eq!(view.bank_code, "002");
    assert_eq!(view.guarantee_type, GuaranteeType::APAY);
    assert_eq!(view.status, GuaranteeStatus::PendingAcceptance);
    assert_eq!(view.agency_code, Some(code(HIGHWAYS)));
    assert_eq!((view.amount, view.outstanding, view.total_paid), (Satang(125_000_000), Satang(125_000_000), Satang(0)));
    assert_eq!(view.expiry_type, ExpiryType::FIXD);
    assert_eq!(view.expiry, bangkok_expiry(fixed_expiry(&terms)));
    assert_eq!(view.effective, format!("{today}T00:00:00+07:00"));
    assert_eq!((view.amendments, view.claims, view.releases), (0, 0, 0));
    assert_eq!((view.pending_amendment(), view.open_claim()), (None, None));
    assert_eq!((view.replaces, view.replaced_by), (None, None));

    // What --json prints: the transaction, block, gas, id and status.
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(json["action"], "issue");
    assert_eq!(json["subject"]["kind"], "guarantee");
    assert_eq!(json["subject"]["id"], id.to_string());
    assert_eq!(json["transaction"], outcome.sent.transaction.unwrap().to_string());
    assert_eq!(json["block"], outcome.sent.block.unwrap());
    assert_eq!(json["gas"], outcome.sent.gas);
    assert_eq!(json["dryRun"], false);
    assert_eq!(json["status"], "PendingAcceptance");
}

#[tokio::test]
async fn open_and_conditional_expiries_and_individual_applicants() {
    let net = Net::start().await;
    let today = net.today().await;
    let bank = net.bank(KBANK).await;
    let mut open = terms("LG-OPEN-1", today);
    open.expiry = Expiry::Open;
    open.applicant = "1112034563562".parse().unwrap();
    open.applicant_type = None;
    let outcome = bank.issue_guarantee(&open, &pepper()).await.unwrap();
    let issued: G::GuaranteeIssued = event(&bank, &outcome).await;
    assert_eq!((issued.request.expiryType, issued.request.expiryDate), (ExpiryType::OPEN as u8, 0));
    assert_eq!(issued.request.applicantType, ApplicantType::Individual as u8, "an id not starting with 0");
    let view = bank.guarantee(outcome.subject_id()).await.unwrap();
    assert_eq!((view.expiry_type, view.expiry), (ExpiryType::OPEN, None));

    let mut conditional = terms("LG-COND-1", today);
    conditional.expiry = Expiry::Conditional(sha256("until the works are handed over"));
    let outcome = bank.issue_guarantee(&conditional, &pepper()).await.unwrap();
    let issued: G::GuaranteeIssued = event(&bank, &outcome).await;
    assert_eq!(issued.request.expiryType, ExpiryType::COND as u8);
    assert_eq!(issued.request.expiryConditionHash, sha256("until the works are handed over"));
    assert_eq!(issued.request.applicantType, ApplicantType::Juristic as u8);
    assert_eq!(bank.guarantee(outcome.subject_id()).await.unwrap().expiry_type, ExpiryType::COND);
}

/// The walkthrough of docs/cli.md: issue → accept → amend → claim → pay, then paid out in full.
#[tokio::test]
async fn accept_amend_claim_and_pay_partially_then_in_full() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(BBL).await, net.gateway().await);
    let terms = terms("LG-2569-000002", today);
    let agency = &terms.agency;
    let id = net.issue(BBL, &terms).await;

    let accepted = gateway.accept(id, agency).await.unwrap();
    assert_guarantee_step(&gateway, &accepted, "accept", id, "Active").await;

    let new_expiry = fixed_expiry(&terms).checked_add_days(Days::new(90)).unwrap();
    let amendment =
        Amendment { new_amount: Satang(150_000_000), new_expiry: Some(new_expiry), terms_hash: sha256("a1") };
    let proposed = bank.propose_amendment(id, &amendment).await.unwrap();
    assert_guarantee_step(&bank, &proposed, "propose amendment", id, "Active").await;
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!((view.amendments, view.amendment_pending), (1, true));
    assert_eq!(view.amount, Satang(125_000_000), "old terms stay in force until the agency accepts");
    assert_eq!(view.expiry, bangkok_expiry(fixed_expiry(&terms)));

    assert_eq!(view.pending_amendment(), Some(1));
    let amended = gateway.accept_amendment(id, agency, None).await.unwrap();
    assert_answer_step(&gateway, &amended, "accept", Subject::Amendment { id, sequence: 1 }, "Active").await;
    assert_eq!(amended.to_string().split(':').next().unwrap(), format!("accept amendment 1 of guarantee {id}"));
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!((view.amount, view.outstanding), (Satang(150_000_000), Satang(150_000_000)));
    assert_eq!(view.expiry, bangkok_expiry(new_expiry));
    assert_eq!((view.amendments, view.amendment_pending), (1, false));

    let claimed = gateway.claim(id, agency, Satang(40_000_000), sha256("demand 1")).await.unwrap();
    assert_guarantee_step(&gateway, &claimed, "claim", id, "Claimed").await;
    assert_eq!(bank.guarantee(id).await.unwrap().open_claim, Satang(40_000_000));

    assert_eq!(bank.guarantee(id).await.unwrap().open_claim(), Some(1));
    let paid = bank.pay(id, None, Satang(40_000_000), reference_hash("GFMIS 2569-000123")).await.unwrap();
    assert_answer_step(&bank, &paid, "pay", Subject::Claim { id, sequence: 1 }, "Active").await;
    let receipt: G::ClaimPaid = event(&bank, &paid).await;
    assert_eq!(receipt.paymentReference, sha256("GFMIS 2569-000123"));
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!(
        (view.outstanding, view.total_paid, view.open_claim),
        (Satang(110_000_000), Satang(40_000_000), Satang(0))
    );

    // A claim for everything outstanding, paid in part: the rest stays guaranteed.
    gateway.claim(id, agency, Satang(110_000_000), sha256("demand 2")).await.unwrap();
    let part = bank.pay(id, Some(2), Satang(30_000_000), reference_hash("GFMIS 2569-000124")).await.unwrap();
    assert_answer_step(&bank, &part, "pay", Subject::Claim { id, sequence: 2 }, "Active").await;
    assert_eq!(bank.guarantee(id).await.unwrap().outstanding, Satang(80_000_000));

    gateway.claim(id, agency, Satang(80_000_000), sha256("demand 3")).await.unwrap();
    let full = bank.pay(id, None, Satang(80_000_000), reference_hash("GFMIS 2569-000125")).await.unwrap();
    assert_answer_step(&bank, &full, "pay", Subject::Claim { id, sequence: 3 }, "PaidOut").await;
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!(view.status, GuaranteeStatus::PaidOut);
    assert_eq!((view.outstanding, view.total_paid, view.claims), (Satang(0), Satang(150_000_000), 3));
}

#[tokio::test]
async fn a_pending_guarantee_is_rejected_by_the_agency_or_cancelled_by_the_bank() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(BBL).await, net.gateway().await);

    let first = net.issue(BBL, &terms("LG-REJ-1", today)).await;
    let rejected = gateway.reject(first, &code(HIGHWAYS), &code("WRONG-AMOUNT")).await.unwrap();
    assert_guarantee_step(&gateway, &rejected, "reject", first, "Rejected").await;
    let event: G::GuaranteeRejected = event(&gateway, &rejected).await;
    assert_eq!(event.reasonCode, code("WRONG-AMOUNT").to_b256());
    assert_eq!(bank.guarantee(first).await.unwrap().status, GuaranteeStatus::Rejected);

    let second = net.issue(BBL, &terms("LG-CAN-1", today)).await;
    let cancelled = bank.cancel(second, &code("ISSUED-IN-ERROR")).await.unwrap();
    assert_guarantee_step(&bank, &cancelled, "cancel", second, "Cancelled").await;
    assert_eq!(bank.guarantee(second).await.unwrap().status, GuaranteeStatus::Cancelled);
}

#[tokio::test]
async fn a_rejected_amendment_leaves_the_terms_as_they_were() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(KBANK).await, net.gateway().await);
    let terms = terms("LG-AMD-REJ", today);
    let id = net.issue_accepted(KBANK, &terms).await;
    // A decrease; a FIXD amendment restates the expiry (here the current one).
    let amendment =
        Amendment { new_amount: Satang(100_000_000), new_expiry: Some(fixed_expiry(&terms)), terms_hash: sha256("d") };
    bank.propose_amendment(id, &amendment).await.unwrap();
    let rejected = gateway.reject_amendment(id, &terms.agency, Some(1), &code("NOT-AGREED")).await.unwrap();
    assert_answer_step(&gateway, &rejected, "reject", Subject::Amendment { id, sequence: 1 }, "Active").await;
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!((view.amount, view.amendments, view.amendment_pending), (Satang(125_000_000), 1, false));
}

#[tokio::test]
async fn reduce_then_release_with_the_return_deadline() {
    let net = Net::start().await;
    let today = net.today().await;
    let gateway = net.gateway().await;
    let terms = terms("LG-REL-1", today);
    let id = net.issue_accepted(BBL, &terms).await;

    let reduced = gateway.reduce(id, &terms.agency, Satang(25_000_000)).await.unwrap();
    assert_guarantee_step(&gateway, &reduced, "reduce", id, "Active").await;
    let view = gateway.guarantee(id).await.unwrap();
    assert_eq!((view.amount, view.outstanding, view.releases), (Satang(125_000_000), Satang(100_000_000), 1));

    let ended = today.checked_sub_days(Days::new(3)).unwrap();
    let released = gateway.release(id, &terms.agency, ended).await.unwrap();
    assert_guarantee_step(&gateway, &released, "release", id, "Released").await;
    let event: G::GuaranteeReleased = event(&gateway, &released).await;
    assert_eq!(event.releasedAmount, 100_000_000);
    assert_eq!(event.obligationsEndedAt, bangkok_midnight(ended));
    assert_eq!(event.returnDeadline, bangkok_midnight(ended) + 15 * 86_400, "clause 170: 15 days");
    let view = gateway.guarantee(id).await.unwrap();
    assert_eq!((view.status, view.outstanding, view.releases), (GuaranteeStatus::Released, Satang(0), 2));
}

#[tokio::test]
async fn a_claim_is_rejected_with_every_discrepancy_or_withdrawn() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(BBL).await, net.gateway().await);
    let terms = terms("LG-CLM-1", today);
    let id = net.issue_accepted(BBL, &terms).await;

    gateway.claim(id, &terms.agency, Satang(5_000_000), sha256("demand")).await.unwrap();
    let discrepancies = [code("LATE-PRESENTATION"), code("MISSING-STATEMENT")];
    let rejected = bank.reject_claim(id, None, &discrepancies).await.unwrap();
    assert_answer_step(&bank, &rejected, "reject", Subject::Claim { id, sequence: 1 }, "Active").await;
    let event: G::ClaimRejected = event(&bank, &rejected).await;
    assert_eq!(event.discrepancies, discrepancies.iter().map(|d| d.to_b256()).collect::<Vec<_>>());
    assert_eq!(event.sequence, 1);
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!((view.open_claim, view.outstanding, view.claims), (Satang(0), Satang(125_000_000), 1));

    let claimed = gateway.claim(id, &terms.agency, Satang(6_000_000), sha256("demand 2")).await.unwrap();
    assert_guarantee_step(&gateway, &claimed, "claim", id, "Claimed").await;
    let withdrawn = gateway.withdraw_claim(id, &terms.agency).await.unwrap();
    assert_guarantee_step(&gateway, &withdrawn, "withdraw claim", id, "Active").await;
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!((view.open_claim, view.outstanding, view.claims), (Satang(0), Satang(125_000_000), 2));
}

#[tokio::test]
async fn extend_or_pay_is_answered_by_an_extension() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(KBANK).await, net.gateway().await);
    let terms = terms("LG-EOP-1", today);
    let id = net.issue_accepted(KBANK, &terms).await;
    let requested = fixed_expiry(&terms).checked_add_days(Days::new(180)).unwrap();

    let claimed =
        gateway.claim_extend_or_pay(id, &terms.agency, Satang(10_000_000), requested, sha256("extend or pay")).await;
    let claimed = claimed.unwrap();
    assert_guarantee_step(&gateway, &claimed, "claim extend-or-pay", id, "ExtendOrPay").await;
    let made: G::ClaimMade = event(&gateway, &claimed).await;
    assert!(made.extendOrPay);
    assert_eq!(made.requestedExpiryDate, bangkok_end_of_day(requested));
    assert_eq!(bank.guarantee(id).await.unwrap().open_claim, Satang(10_000_000));

    let extended = bank.extend(id, Some(1), requested).await.unwrap();
    assert_answer_step(&bank, &extended, "extend", Subject::Claim { id, sequence: 1 }, "Active").await;
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!(view.expiry, bangkok_expiry(requested));
    assert_eq!((view.open_claim, view.outstanding), (Satang(0), Satang(125_000_000)));
}

#[tokio::test]
async fn supersede_links_the_replacement_both_ways() {
    let net = Net::start().await;
    let today = net.today().await;
    let gateway = net.gateway().await;
    let old_terms = terms("LG-SUP-1", today);
    let old = net.issue_accepted(BBL, &old_terms).await;
    let mut top_up = terms("LG-SUP-1-R", today);
    top_up.amount = Satang(150_000_000);
    let new = net.issue_accepted(BBL, &top_up).await;

    let superseded = gateway.supersede(old, &old_terms.agency, new).await.unwrap();
    assert_guarantee_step(&gateway, &superseded, "supersede", old, "Superseded").await;
    let (old_view, new_view) = (gateway.guarantee(old).await.unwrap(), gateway.guarantee(new).await.unwrap());
    assert_eq!(
        (old_view.status, old_view.replaced_by, old_view.replaces),
        (GuaranteeStatus::Superseded, Some(new), None)
    );
    assert_eq!((new_view.status, new_view.replaces, new_view.replaced_by), (GuaranteeStatus::Active, Some(old), None));
}

#[tokio::test]
async fn anyone_expires_a_guarantee_whose_fixed_expiry_has_passed() {
    let net = Net::start().await;
    let today = net.today().await;
    let mut terms = terms("LG-EXP-1", today);
    terms.agency = code(IRRIGATION);
    terms.issue_date = today.checked_sub_days(Days::new(100)).unwrap();
    terms.effective_date = terms.issue_date;
    // A fixed expiry must lie in the future at issue: the end of today, then the clock moves past it.
    terms.expiry = Expiry::Fixed(today);
    let accepted = net.issue_accepted(BBL, &terms).await;
    let pending = net.issue(BBL, &egp::bank::GuaranteeTerms { bank_ref: "LG-EXP-2".into(), ..terms.clone() }).await;
    net.advance_past(bangkok_end_of_day(today)).await;

    // Someone with no role at all.
    let anyone = net.connect(net.funded_stranger(1).await).await;
    for (id, before) in [(accepted, "Active"), (pending, "PendingAcceptance")] {
        assert_eq!(anyone.guarantee(id).await.unwrap().status.to_string(), before);
        let expired = anyone.expire_guarantee(id).await.unwrap();
        assert_guarantee_step(&anyone, &expired, "expire", id, "Expired").await;
        let event: G::GuaranteeExpired = event(&anyone, &expired).await;
        assert_eq!(event.expiryDate, bangkok_end_of_day(fixed_expiry(&terms)));
        assert_eq!(anyone.guarantee(id).await.unwrap().status, GuaranteeStatus::Expired);
    }
}

#[tokio::test]
async fn a_dry_run_simulates_and_sends_nothing() {
    let net = Net::start().await;
    let today = net.today().await;
    let terms = terms("LG-DRY-1", today);
    let id = record_id(common::bank(BBL), "LG-DRY-1");
    let before = net.block().await;
    let bank = net.bank(BBL).await.with_dry_run(true);
    let nonce = bank.provider().get_transaction_count(bank.sender().unwrap()).await.unwrap();

    let outcome = bank.issue_guarantee(&terms, &pepper()).await.unwrap();
    assert!(outcome.sent.dry_run);
    assert_eq!((outcome.sent.transaction, outcome.sent.block, outcome.status.as_deref()), (None, None, None));
    assert!(outcome.sent.gas > 50_000, "an issue estimate: {}", outcome.sent.gas);
    assert_eq!(outcome.subject, Subject::Guarantee { id });
    assert_eq!(
        outcome.to_string(),
        format!("dry run: issue guarantee {id} would succeed, estimated gas {}", outcome.sent.gas)
    );
    assert_eq!(net.block().await, before, "no block was mined");
    assert_eq!(bank.provider().get_transaction_count(bank.sender().unwrap()).await.unwrap(), nonce);
    match net.reader().await.guarantee(id).await {
        Err(Error::Usage(message)) => assert_eq!(message, format!("guarantee {id} does not exist")),
        other => panic!("the dry run issued a guarantee: {other:?}"),
    }

    // A dry run of a transition on a real guarantee: the status stays where it was.
    let id = net.issue(BBL, &terms).await;
    let before = net.block().await;
    let gateway = net.gateway().await.with_dry_run(true);
    let outcome = gateway.accept(id, &terms.agency).await.unwrap();
    assert!(outcome.sent.dry_run && outcome.sent.transaction.is_none() && outcome.sent.gas > 21_000);
    assert_eq!(net.block().await, before);
    assert_eq!(gateway.guarantee(id).await.unwrap().status, GuaranteeStatus::PendingAcceptance);

    // A dry run still refuses what the contract would refuse, in words.
    let refused = gateway.claim(id, &terms.agency, Satang(1), sha256("d")).await;
    assert_eq!(common::reverted(refused), format!("guarantee {id} is PendingAcceptance; claim needs Active"));
}
