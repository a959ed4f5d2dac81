//! Refusals end to end on a real anvil: each one a single sentence naming what was wrong, and
//! nothing changed on chain (no block mined, no nonce used, the guarantee as it was).

mod common;

use std::time::Duration;

use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use chrono::Days;
use common::{BBL, Chain, HIGHWAYS, IRRIGATION, KBANK, Net, TempDir, bangkok_end_of_day, code, free_port, pepper};
use common::{reverted, terms};
use egp::bank::{Amendment, ConfirmationPurpose, ConfirmationTerms, Expiry, GuaranteeTerms, reference_hash};
use egp::wallet::{PasswordSource, WalletSource, new_keystore};
use egp::{Egp, Error};
use egp_contracts::ContractRevert;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry::GuaranteeRegistryErrors;
use egp_contracts::deployment::{Deployment, ManifestMismatch};
use egp_contracts::types::record_id;
use egp_contracts::{GuaranteeStatus, Satang, dates};

#[tokio::test]
async fn bank_a_cannot_touch_bank_b_s_guarantee_or_confirmation() {
    let net = Net::start().await;
    let today = net.today().await;
    let (kbank, gateway) = (net.bank(KBANK).await, net.gateway().await);
    let kbank_signer = kbank.sender().unwrap();
    let terms = terms("LG-BBL-1", today);
    let pending = net.issue(BBL, &terms).await;
    let belongs = |id| format!("guarantee {id} belongs to bank 002; the signer acts for bank 004");

    let claimed = net.issue_accepted(BBL, &GuaranteeTerms { bank_ref: "LG-BBL-2".into(), ..terms.clone() }).await;
    gateway.claim(claimed, &terms.agency, Satang(1_000_000), reference_hash("demand")).await.unwrap();
    let block = net.block().await;

    assert_eq!(reverted(kbank.cancel(pending, &code("MINE-NOW")).await), belongs(pending));
    assert_eq!(reverted(kbank.pay(claimed, None, Satang(1_000_000), reference_hash("pay")).await), belongs(claimed));
    assert_eq!(reverted(kbank.reject_claim(claimed, None, &[code("FORGED")]).await), belongs(claimed));
    let amendment = Amendment { new_amount: Satang(1), new_expiry: None, terms_hash: reference_hash("a") };
    assert_eq!(reverted(kbank.propose_amendment(claimed, &amendment).await), belongs(claimed));
    assert_eq!(net.block().await, block, "nothing was sent");

    let confirmation = ConfirmationTerms {
        bank_ref: "CC-BBL-1".into(),
        certifying_office: code("HEAD OFFICE"),
        supplier: common::company(),
        supplier_type: None,
        credit_line: Satang(100_000_000),
        as_of: today,
        valid_until: None,
        purpose: ConfirmationPurpose::Registration,
        document_hash: reference_hash("doc"),
    };
    let cc = net.bank(BBL).await.issue_confirmation(&confirmation, &pepper()).await.unwrap().subject_id();
    let block = net.block().await;
    assert_eq!(
        reverted(kbank.revoke_confirmation(cc, &code("R")).await),
        format!("credit confirmation {cc} belongs to bank 002; the signer acts for bank 004")
    );

    assert_eq!(net.block().await, block, "nothing was sent");
    assert_eq!(kbank.provider().get_transaction_count(kbank_signer).await.unwrap(), 0, "KBANK never sent anything");
    let reader = net.reader().await;
    assert_eq!(reader.guarantee(pending).await.unwrap().status, GuaranteeStatus::PendingAcceptance);
    let view = reader.guarantee(claimed).await.unwrap();
    assert_eq!(
        (view.status, view.open_claim, view.total_paid),
        (GuaranteeStatus::Claimed, Satang(1_000_000), Satang(0))
    );
    assert_eq!(reader.confirmation(cc).await.unwrap().status.to_string(), "Valid");
}

#[tokio::test]
async fn each_party_is_held_to_its_role() {
    let net = Net::start().await;
    let today = net.today().await;
    let (bank, gateway) = (net.bank(BBL).await, net.gateway().await);
    let id = net.issue(BBL, &terms("LG-ROLE-1", today)).await;
    let block = net.block().await;

    // A gateway cannot issue.
    let refused = gateway.issue_guarantee(&terms("LG-GW-1", today), &pepper()).await;
    let address = gateway.sender().unwrap();
    assert_eq!(reverted(refused), format!("address {address} does not sign for any bank in the consortium"));
    // A bank cannot accept for an agency.
    let refused = bank.accept(id, &code(HIGHWAYS)).await;
    let address = bank.sender().unwrap();
    assert_eq!(reverted(refused), format!("address {address} is not an authorised e-GP gateway"));
    // The gateway acts only for the beneficiary it names.
    let refused = gateway.accept(id, &code(IRRIGATION)).await;
    assert_eq!(reverted(refused), format!("guarantee {id} is in favour of agency 21009, not agency 03005"));
    // A bank cannot suspend a guarantee.
    let refused = bank.suspend_guarantee(id, reference_hash("no")).await;
    assert_eq!(reverted(refused), format!("address {address} is not the consortium admin"));
    // Without a wallet nothing can be sent at all.
    match net.reader().await.accept(id, &code(HIGHWAYS)).await {
        Err(error @ Error::NoWallet) => assert!(error.to_string().starts_with("this command signs a transaction")),
        other => panic!("expected NoWallet, got {other:?}"),
    }

    assert_eq!(net.block().await, block);
    assert_eq!(net.reader().await.guarantee(id).await.unwrap().status, GuaranteeStatus::PendingAcceptance);
    let gateway_issued = record_id(common::bank(BBL), "LG-GW-1");
    assert!(matches!(net.reader().await.guarantee(gateway_issued).await, Err(Error::Usage(_))));
}

#[tokio::test]
async fn a_suspended_bank_cannot_issue() {
    let net = Net::start().await;
    let today = net.today().await;
    net.admin().await.suspend_issuer(common::bank(KBANK), reference_hash("BOT order")).await.unwrap();
    let block = net.block().await;

    let refused = net.bank(KBANK).await.issue_guarantee(&terms("LG-SUSP-1", today), &pepper()).await;
    assert_eq!(reverted(refused), "bank 004 is Suspended; this needs it Active");
    assert_eq!(net.block().await, block);
    let id = record_id(common::bank(KBANK), "LG-SUSP-1");
    assert!(matches!(net.reader().await.guarantee(id).await, Err(Error::Usage(_))));
}

#[tokio::test]
async fn an_expired_guarantee_cannot_be_claimed() {
    let net = Net::start().await;
    let today = net.today().await;
    let gateway = net.gateway().await;
    let mut terms = terms("LG-LATE-1", today);
    terms.issue_date = today.checked_sub_days(Days::new(60)).unwrap();
    terms.effective_date = terms.issue_date;
    terms.expiry = Expiry::Fixed(today);
    // Accepted before its expiry, then nobody marks it expired: still Active, but past its expiry.
    let id = net.issue_accepted(BBL, &terms).await;
    net.advance_past(bangkok_end_of_day(today)).await;
    let block = net.block().await;
    let now = net.reader().await.chain_time().await.unwrap();

    let refused = gateway.claim(id, &terms.agency, Satang(1_000_000), reference_hash("late demand")).await;
    let Err(Error::Reverted(revert)) = refused else { panic!("a late claim went through: {refused:?}") };
    let ContractRevert::Guarantee(GuaranteeRegistryErrors::ExpiryPassed(late)) = revert.as_ref() else {
        panic!("expected ExpiryPassed, got {revert}");
    };
    assert_eq!((late.id, late.expiryDate), (id, bangkok_end_of_day(today)));
    assert!(late.timestamp >= now && late.timestamp <= now + 60, "simulated at {} (now {now})", late.timestamp);
    assert_eq!(
        revert.to_string(),
        format!(
            "guarantee {id} expired at {today}T23:59:59+07:00; it is {}, too late to claim",
            dates::to_bangkok(late.timestamp).to_rfc3339()
        )
    );
    let requested = today.checked_add_days(Days::new(90)).unwrap();
    let refused = gateway.claim_extend_or_pay(id, &terms.agency, Satang(1), requested, reference_hash("late")).await;
    assert!(reverted(refused).starts_with(&format!("guarantee {id} expired at ")));

    assert_eq!(net.block().await, block);
    let view = net.reader().await.guarantee(id).await.unwrap();
    assert_eq!((view.status, view.claims, view.open_claim), (GuaranteeStatus::Active, 0, Satang(0)));
}

#[tokio::test]
async fn a_guarantee_cannot_be_issued_already_expired() {
    let net = Net::start().await;
    let today = net.today().await;
    let mut terms = terms("LG-PAST-1", today);
    terms.issue_date = today.checked_sub_days(Days::new(60)).unwrap();
    terms.effective_date = terms.issue_date;
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap();
    terms.expiry = Expiry::Fixed(yesterday);
    let block = net.block().await;
    let refused = reverted(net.bank(BBL).await.issue_guarantee(&terms, &pepper()).await);
    let id = record_id(common::bank(BBL), "LG-PAST-1");
    assert!(
        refused.starts_with(&format!(
            "guarantee {id}: the fixed expiry {yesterday}T23:59:59+07:00 has passed or is now (it is "
        )),
        "{refused}"
    );
    assert_eq!(net.block().await, block, "nothing was sent");
}
#[tokio::test]
async fn a_wrong_keystore_password_sends_nothing() {
    let net = Net::start().await;
    let today = net.today().await;
    let dir = TempDir::new("keystore");
    let (key, path) = new_keystore(dir.path(), "correct horse battery staple").unwrap();
    let wrong = dir.path().join("wrong-password");
    std::fs::write(&wrong, "Tr0ub4dor&3\n").unwrap();
    let right = dir.path().join("password");
    std::fs::write(&right, "correct horse battery staple\n").unwrap();
    // The keystore's key signs for Bangkok Bank and has gas money.
    net.admin().await.add_signer(common::bank(BBL), key.address()).await.unwrap();
    net.fund(key.address(), 1).await;
    let block = net.block().await;

    let error =
        WalletSource::Keystore { path: path.clone(), password: PasswordSource::File(wrong) }.load().unwrap_err();
    assert!(matches!(&error, Error::WrongPassword { path: p } if *p == path), "{error:?}");
    assert_eq!(error.to_string(), format!("wrong password for keystore {}", path.display()));
    assert!(!error.to_string().contains("Tr0ub4dor"));
    assert_eq!(net.block().await, block);
    let provider = net.reader().await;
    assert_eq!(provider.provider().get_transaction_count(key.address()).await.unwrap(), 0);

    // The right password loads the same key, and it signs for the bank.
    let signer = WalletSource::Keystore { path, password: PasswordSource::File(right) }.load().unwrap();
    assert_eq!(signer.address(), key.address());
    let bank = net.connect(signer).await;
    let outcome = bank.issue_guarantee(&terms("LG-KEYSTORE-1", today), &pepper()).await.unwrap();
    assert_eq!(outcome.status.as_deref(), Some("PendingAcceptance"));
    assert_eq!(net.block().await, block + 1);
}

#[tokio::test]
async fn a_manifest_for_another_chain_or_without_its_contracts_is_refused() {
    let net = Net::start().await;
    let dir = TempDir::new("manifest");
    let mut elsewhere = Deployment::read(&net.manifest).unwrap();
    elsewhere.chain_id = 1;
    let path = dir.path().join("mainnet.json");
    elsewhere.write(&path).unwrap();

    let admin = net.consortium().admin().unwrap();
    match Egp::connect(&net.url, &path, Some(admin.clone())).await {
        Err(error @ Error::ManifestMismatch { .. }) => {
            let Error::ManifestMismatch { mismatch, .. } = &error else { unreachable!() };
            assert_eq!(*mismatch, ManifestMismatch::ChainId { manifest: 1, chain: 25600 });
            assert_eq!(
                error.to_string(),
                format!(
                    "deployment manifest {} does not match the node at {}: the manifest is for chain 1, the node \
                     serves chain 25600",
                    path.display(),
                    net.url
                )
            );
        }
        other => panic!("expected ManifestMismatch, got {other:?}"),
    }

    // The right chain id, but a fresh chain where nothing is deployed.
    let fresh = Chain::start().await;
    match Egp::connect(&fresh.url, &net.manifest, Some(admin)).await {
        Err(Error::ManifestMismatch { mismatch, url, .. }) => {
            assert_eq!(url, fresh.url);
            let consortium = net.report.deployment.contracts.consortium.address;
            assert_eq!(mismatch, ManifestMismatch::NoCode { contract: "Consortium", address: consortium });
        }
        other => panic!("expected ManifestMismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_node_is_one_sentence() {
    let net = Net::start().await;
    let url = format!("http://127.0.0.1:{}", free_port());
    let admin = net.consortium().admin().unwrap();
    match Egp::connect(&url, &net.manifest, Some(admin.clone())).await {
        Err(error @ Error::RpcUnreachable { .. }) => {
            assert!(error.to_string().starts_with(&format!("cannot reach the node at {url}: ")), "{error}");
            assert_eq!(error.to_string().lines().count(), 1, "{error}");
        }
        other => panic!("expected RpcUnreachable, got {other:?}"),
    }
    let dir = TempDir::new("unreachable");
    let deployed = egp::deploy::deploy(&url, admin, None, None, &dir.path().join("d.json"), false).await;
    assert!(matches!(deployed, Err(Error::RpcUnreachable { .. })), "{deployed:?}");
    assert!(!dir.path().join("d.json").exists(), "no manifest for a failed deployment");
}

#[tokio::test]
async fn a_signer_without_funds_is_told_so_and_sends_nothing() {
    let net = Net::start().await;
    let today = net.today().await;
    let poor = PrivateKeySigner::random();
    let address = poor.address();
    net.admin().await.add_signer(common::bank(BBL), address).await.unwrap();
    let block = net.block().await;

    let bank = net.connect(poor).await;
    assert_eq!(bank.signer_bank().await.unwrap(), common::bank(BBL), "the consortium admitted the key");
    match bank.issue_guarantee(&terms("LG-POOR-1", today), &pepper()).await {
        Err(error @ Error::InsufficientFunds { .. }) => {
            assert_eq!(error.to_string(), format!("account {address} has too little to pay for gas: fund it first"));
        }
        other => panic!("expected InsufficientFunds, got {other:?}"),
    }
    assert_eq!(net.block().await, block);
    assert_eq!(bank.provider().get_transaction_count(address).await.unwrap(), 0);
    let id = record_id(common::bank(BBL), "LG-POOR-1");
    assert!(matches!(bank.guarantee(id).await, Err(Error::Usage(_))));

    // Funded, the same connection sends: the refused send left no nonce gap behind.
    net.fund(address, 1).await;
    let (terms, pepper) = (terms("LG-POOR-1", today), pepper());
    let retry = tokio::time::timeout(Duration::from_secs(20), bank.issue_guarantee(&terms, &pepper));
    let outcome = retry.await.expect("the transaction is mined, not stuck behind a nonce gap").unwrap();
    assert_eq!((outcome.subject_id(), outcome.status.as_deref()), (id, Some("PendingAcceptance")));
    let block = net.block().await;

    // Deploying from an empty account is refused before anything is sent, too.
    let dir = TempDir::new("poor-deploy");
    let manifest = dir.path().join("d.json");
    let deployed = egp::deploy::deploy(&net.url, PrivateKeySigner::random(), None, None, &manifest, false).await;
    assert!(matches!(deployed, Err(Error::InsufficientFunds { .. })), "{deployed:?}");
    assert_eq!(net.block().await, block);
}
