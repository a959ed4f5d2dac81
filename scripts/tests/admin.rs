//! The consortium admin's actions on a real anvil: issuers, signers (with a key rotation),
//! agencies, gateways, and suspending a guarantee. Each outcome is checked against the node's
//! receipt and the state read back.

mod common;

use common::{
    BBL, HIGHWAYS, KBANK, Net, assert_guarantee_step, assert_mined, bank, code, event, pepper, reverted, terms,
};
use egp::Subject;
use egp::bank::reference_hash;
use egp_contracts::bindings::Consortium as C;
use egp_contracts::bindings::GuaranteeRegistry as G;
use egp_contracts::{GuaranteeStatus, IssuerKind, IssuerStatus, Satang};

#[tokio::test]
async fn issuers_are_admitted_suspended_and_resumed() {
    let net = Net::start().await;
    let admin = net.admin().await;
    let consortium = net.report.deployment.contracts.consortium.address;

    let mizuho = bank(39);
    let admitted = admin.admit_issuer(mizuho, IssuerKind::Bank, "Mizuho Bank").await.unwrap();
    let subject = Subject::Issuer { bank_code: "039".into() };
    assert_mined(&admin, &admitted, "admit", &subject, consortium, Some("Active")).await;
    let view = admin.issuer(mizuho).await.unwrap();
    assert_eq!((view.bank_code.as_str(), view.name.as_str()), ("039", "Mizuho Bank"));
    assert_eq!((view.kind, view.status, view.signers), (IssuerKind::Bank, IssuerStatus::Active, 0));

    let finance = bank(901);
    admin.admit_issuer(finance, IssuerKind::FinanceCompany, "Thai Guarantee Finance").await.unwrap();
    assert_eq!(admin.issuer(finance).await.unwrap().kind, IssuerKind::FinanceCompany);

    let kbank = bank(KBANK);
    let suspended = admin.suspend_issuer(kbank, reference_hash("BOT order 12/2569")).await.unwrap();
    let subject = Subject::Issuer { bank_code: "004".into() };
    assert_mined(&admin, &suspended, "suspend", &subject, consortium, Some("Suspended")).await;
    let event: C::IssuerSuspended = event(&admin, &suspended).await;
    assert_eq!((event.bankCode, event.reasonHash), (4, reference_hash("BOT order 12/2569")));
    assert_eq!(admin.issuer(kbank).await.unwrap().status, IssuerStatus::Suspended);

    let resumed = admin.resume_issuer(kbank).await.unwrap();
    assert_mined(&admin, &resumed, "resume", &subject, consortium, Some("Active")).await;
    assert_eq!(admin.issuer(kbank).await.unwrap().status, IssuerStatus::Active);
    // Resumed for real: the bank issues again.
    let today = net.today().await;
    net.issue(KBANK, &terms("LG-AFTER-RESUME", today)).await;
}

#[tokio::test]
async fn a_bank_rotates_its_signing_key_without_a_gap() {
    let net = Net::start().await;
    let admin = net.admin().await;
    let today = net.today().await;
    let consortium = net.report.deployment.contracts.consortium.address;
    let bbl = bank(BBL);
    let old = net.bank(BBL).await;
    let old_address = old.sender().unwrap();
    let before = net.issue(BBL, &terms("LG-OLD-KEY", today)).await;

    // Add the new key first, then remove the old one.
    let new_key = net.funded_stranger(1).await;
    let new_address = new_key.address();
    let added = admin.add_signer(bbl, new_address).await.unwrap();
    let subject = Subject::Signer { bank_code: "002".into(), address: new_address };
    assert_mined(&admin, &added, "add", &subject, consortium, None).await;
    assert_eq!(admin.issuer(bbl).await.unwrap().signers, 2);
    let new = net.connect(new_key).await;
    assert_eq!(new.signer_bank().await.unwrap(), bbl);

    let removed = admin.remove_signer(bbl, old_address).await.unwrap();
    let subject = Subject::Signer { bank_code: "002".into(), address: old_address };
    assert_mined(&admin, &removed, "remove", &subject, consortium, None).await;
    let event: C::SignerRemoved = event(&admin, &removed).await;
    assert_eq!((event.bankCode, event.signer), (2, old_address));
    assert_eq!(admin.issuer(bbl).await.unwrap().signers, 1);

    // The guarantee belongs to the bank, not to the key: the new key cancels what the old one issued.
    let cancelled = new.cancel(before, &code("ISSUED-IN-ERROR")).await.unwrap();
    assert_guarantee_step(&new, &cancelled, "cancel", before, "Cancelled").await;
    let issued = new.issue_guarantee(&terms("LG-NEW-KEY", today), &pepper()).await.unwrap();
    assert_eq!(new.guarantee(issued.subject_id()).await.unwrap().bank_code, "002");

    // The old key signs for nobody now.
    let block = net.block().await;
    let refused = old.issue_guarantee(&terms("LG-OLD-KEY-2", today), &pepper()).await;
    assert_eq!(reverted(refused), format!("address {old_address} does not sign for any bank in the consortium"));
    assert_eq!(net.block().await, block);
}

#[tokio::test]
async fn agencies_are_registered_and_gateways_authorised_and_revoked() {
    let net = Net::start().await;
    let admin = net.admin().await;
    let today = net.today().await;
    let consortium = net.report.deployment.contracts.consortium.address;

    let agency = code("99001");
    let mut for_new_agency = terms("LG-NEW-AGENCY", today);
    for_new_agency.agency = agency.clone();
    let refused = net.bank(BBL).await.issue_guarantee(&for_new_agency, &pepper()).await;
    assert_eq!(reverted(refused), "agency 99001 is not registered in the consortium");

    let registered = admin.register_agency(&agency, "Provincial Waterworks Authority").await.unwrap();
    assert_mined(&admin, &registered, "register", &Subject::Agency { code: "99001".into() }, consortium, None).await;
    let event: C::AgencyRegistered = event(&admin, &registered).await;
    assert_eq!((event.agencyCode, event.name.as_str()), (agency.to_b256(), "Provincial Waterworks Authority"));
    let id = net.issue(BBL, &for_new_agency).await;

    let second_gateway = net.funded_stranger(1).await;
    let address = second_gateway.address();
    let authorised = admin.authorise_gateway(address).await.unwrap();
    assert_mined(&admin, &authorised, "authorise", &Subject::Gateway { address }, consortium, None).await;
    let second = net.connect(second_gateway).await;
    let accepted = second.accept(id, &agency).await.unwrap();
    assert_guarantee_step(&second, &accepted, "accept", id, "Active").await;

    let revoked = admin.revoke_gateway(address).await.unwrap();
    assert_mined(&admin, &revoked, "revoke", &Subject::Gateway { address }, consortium, None).await;
    let refused = second.claim(id, &agency, Satang(1_000), reference_hash("demand")).await;
    assert_eq!(reverted(refused), format!("address {address} is not an authorised e-GP gateway"));
    assert_eq!(second.guarantee(id).await.unwrap().status, GuaranteeStatus::Active);
    // The consortium's own gateway is untouched.
    net.gateway().await.claim(id, &agency, Satang(1_000), reference_hash("demand")).await.unwrap();
}

#[tokio::test]
async fn the_admin_freezes_a_guarantee_and_lifts_the_freeze() {
    let net = Net::start().await;
    let admin = net.admin().await;
    let gateway = net.gateway().await;
    let today = net.today().await;
    let terms = terms("LG-FRZ-1", today);
    let id = net.issue_accepted(BBL, &terms).await;
    let court = reference_hash("Civil Court order 1234/2569");

    let suspended = admin.suspend_guarantee(id, court).await.unwrap();
    assert_guarantee_step(&admin, &suspended, "suspend", id, "Suspended").await;
    let event: G::GuaranteeSuspended = event(&admin, &suspended).await;
    assert_eq!((event.reasonHash, event.previousStatus), (court, GuaranteeStatus::Active as u8));
    let refused = gateway.claim(id, &terms.agency, Satang(1_000), reference_hash("demand")).await;
    assert_eq!(reverted(refused), format!("guarantee {id} is Suspended; claim needs Active"));

    let resumed = admin.resume_guarantee(id, reference_hash("order lifted")).await.unwrap();
    assert_guarantee_step(&admin, &resumed, "resume", id, "Active").await;

    // A freeze over an open claim gives the claim back, untouched.
    gateway.claim(id, &terms.agency, Satang(2_000_000), reference_hash("demand")).await.unwrap();
    admin.suspend_guarantee(id, court).await.unwrap();
    let resumed = admin.resume_guarantee(id, reference_hash("order lifted again")).await.unwrap();
    assert_guarantee_step(&admin, &resumed, "resume", id, "Claimed").await;
    let view = admin.guarantee(id).await.unwrap();
    assert_eq!((view.open_claim, view.agency_code), (Satang(2_000_000), Some(code(HIGHWAYS))));
}
