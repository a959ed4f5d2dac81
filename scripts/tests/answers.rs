//! Answers name what they answer: the library reads the open claim or pending amendment, or checks
//! the one the caller read, and sends nothing when it has moved on. On a real anvil; nothing
//! changes on chain when an answer is refused.

mod common;

use common::{BBL, Net, assert_answer_step, code, reverted, terms};
use egp::bank::{Amendment, reference_hash};
use egp::{Error, Subject};
use egp_contracts::{GuaranteeStatus, Satang};

/// A payment of 100,000 prepared for claim 1 must not close claim 2 of 500,000.
#[tokio::test]
async fn a_payment_for_a_claim_that_moved_on_is_refused_before_sending() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(BBL).await, net.gateway().await);
    let terms = terms("LG-ANS-1", today);
    let id = net.issue_accepted(BBL, &terms).await;
    gateway.claim(id, &terms.agency, Satang(10_000_000), reference_hash("demand 1")).await.unwrap();
    let prepared_for = bank.guarantee(id).await.unwrap().open_claim();
    assert_eq!(prepared_for, Some(1));
    gateway.withdraw_claim(id, &terms.agency).await.unwrap();
    gateway.claim(id, &terms.agency, Satang(50_000_000), reference_hash("demand 2")).await.unwrap();
    let block = net.block().await;

    let refused = bank.pay(id, prepared_for, Satang(10_000_000), reference_hash("GFMIS-1")).await;
    match &refused {
        Err(error @ Error::MovedOn { expected: 1, open: Some(2), .. }) => assert_eq!(
            error.to_string(),
            format!(
                "guarantee {id}: claim 1 is no longer open, claim 2 is; nothing was sent: read the guarantee again"
            )
        ),
        other => panic!("expected MovedOn, got {other:?}"),
    }
    for refused in [
        bank.reject_claim(id, Some(1), &[code("LATE")]).await,
        bank.extend(id, Some(3), today.checked_add_days(chrono::Days::new(800)).unwrap()).await,
    ] {
        assert!(matches!(refused, Err(Error::MovedOn { open: Some(2), .. })), "{refused:?}");
    }
    assert_eq!(net.block().await, block, "nothing was sent");
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!(
        (view.status, view.open_claim, view.total_paid),
        (GuaranteeStatus::Claimed, Satang(50_000_000), Satang(0))
    );

    // Read afresh, the answer names claim 2.
    let paid = bank.pay(id, None, Satang(50_000_000), reference_hash("GFMIS-2")).await.unwrap();
    assert_answer_step(&bank, &paid, "pay", Subject::Claim { id, sequence: 2 }, "Active").await;
    assert!(paid.to_string().starts_with(&format!("pay claim 2 of guarantee {id}: transaction ")), "{paid}");

    // Nothing open any more: nothing to answer, nothing sent.
    let block = net.block().await;
    match bank.pay(id, None, Satang(1), reference_hash("GFMIS-3")).await {
        Err(error @ Error::NothingToAnswer { .. }) => {
            assert_eq!(error.to_string(), format!("guarantee {id} is Active with no claim open: nothing to pay"))
        }
        other => panic!("expected NothingToAnswer, got {other:?}"),
    }
    assert!(matches!(
        bank.pay(id, Some(2), Satang(1), reference_hash("GFMIS-3")).await,
        Err(Error::MovedOn { expected: 2, open: None, .. })
    ));
    assert_eq!(net.block().await, block);
}

/// An acceptance prepared for amendment 1 must not apply amendment 2.
#[tokio::test]
async fn an_acceptance_for_an_amendment_that_moved_on_is_refused_before_sending() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(BBL).await, net.gateway().await);
    let terms = terms("LG-ANS-2", today);
    let id = net.issue_accepted(BBL, &terms).await;
    let expiry = today.checked_add_days(chrono::Days::new(900)).unwrap();
    let first =
        Amendment { new_amount: Satang(150_000_000), new_expiry: Some(expiry), terms_hash: reference_hash("a1") };
    bank.propose_amendment(id, &first).await.unwrap();
    gateway.reject_amendment(id, &terms.agency, Some(1), &code("NOT-AGREED")).await.unwrap();
    let second = Amendment { new_amount: Satang(300_000_000), ..first };
    bank.propose_amendment(id, &second).await.unwrap();
    let block = net.block().await;

    let refused = gateway.accept_amendment(id, &terms.agency, Some(1)).await;
    match &refused {
        Err(error @ Error::MovedOn { .. }) => assert_eq!(
            error.to_string(),
            format!(
                "guarantee {id}: amendment 1 is no longer open, amendment 2 is; nothing was sent: read the guarantee again"
            )
        ),
        other => panic!("expected MovedOn, got {other:?}"),
    }
    assert_eq!(net.block().await, block, "nothing was sent");
    assert_eq!(bank.guarantee(id).await.unwrap().amount, Satang(125_000_000), "old terms in force");

    let accepted = gateway.accept_amendment(id, &terms.agency, Some(2)).await.unwrap();
    assert_answer_step(&gateway, &accepted, "accept", Subject::Amendment { id, sequence: 2 }, "Active").await;
    assert_eq!(bank.guarantee(id).await.unwrap().amount, Satang(300_000_000));
}

/// A reduction after a proposal makes it lapse: the agency is told there is nothing to accept, and
/// the contract refuses an answer naming it.
#[tokio::test]
async fn a_lapsed_amendment_cannot_be_accepted() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(BBL).await, net.gateway().await);
    let terms = terms("LG-ANS-3", today);
    let id = net.issue_accepted(BBL, &terms).await;
    let expiry = today.checked_add_days(chrono::Days::new(900)).unwrap();
    let amendment =
        Amendment { new_amount: Satang(150_000_000), new_expiry: Some(expiry), terms_hash: reference_hash("a1") };
    bank.propose_amendment(id, &amendment).await.unwrap();
    gateway.reduce(id, &terms.agency, Satang(25_000_000)).await.unwrap();
    let view = bank.guarantee(id).await.unwrap();
    assert_eq!((view.pending_amendment(), view.amendments), (None, 1), "lapsed");

    let refused = gateway.accept_amendment(id, &terms.agency, None).await;
    assert!(matches!(refused, Err(Error::NothingToAnswer { .. })), "{refused:?}");
    let refused = gateway.accept_amendment(id, &terms.agency, Some(1)).await;
    assert!(matches!(refused, Err(Error::MovedOn { open: None, .. })), "{refused:?}");
    // Straight to the contract, past the library's check: the contract's own sentence.
    let registry = gateway.guarantees();
    let call = registry.acceptAmendment(id, terms.agency.to_b256(), 1);
    assert_eq!(
        reverted(gateway.transact(call).await),
        format!("guarantee {id} has no pending amendment (it was answered or it lapsed)")
    );
}
