//! `egp::deploy` on a real anvil: the manifest it writes matches the chain, the local consortium's
//! roles are in place, a second deploy changes nothing, and a redeploy makes new contracts. With
//! its states in memory, anvil keeps the contracts through a rollback deep in a long chain.

mod common;

use alloy::primitives::keccak256;
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use common::{Chain, Net, TempDir, bank};
use egp::Error;
use egp_contracts::deployment::Deployment;
use egp_contracts::{IssuerStatus, dates};
use egp_testkit::ChainOptions;

#[tokio::test]
async fn the_manifest_matches_the_chain_and_the_roles_are_set_up() {
    let net = Net::start().await;
    let report = &net.report;
    assert!(report.deployed && report.roles_set_up);
    let manifest = Deployment::read(&net.manifest).unwrap();
    assert_eq!(manifest, report.deployment);

    let reader = net.reader().await;
    let provider = reader.provider();
    assert!(manifest.check_on_chain(provider).await.unwrap().is_empty());
    assert_eq!(manifest.chain_id, 25600);
    assert_eq!(manifest.deployer, net.consortium().admin().unwrap().address());
    assert!(manifest.compiler_version.starts_with("0.8."), "{}", manifest.compiler_version);
    let contracts: Vec<_> = manifest.contracts.iter().map(|(_, c)| c.clone()).collect();
    assert_eq!(manifest.start_block(), contracts[0].deployment_block);
    assert!(contracts.windows(2).all(|pair| pair[0].deployment_block < pair[1].deployment_block));
    for contract in &contracts {
        let code = provider.get_code_at(contract.address).await.unwrap();
        assert_eq!(keccak256(&code), contract.bytecode_hash);
        let receipt = provider.get_transaction_receipt(contract.transaction_hash).await.unwrap().unwrap();
        assert_eq!(
            (receipt.contract_address, receipt.block_number),
            (Some(contract.address), Some(contract.deployment_block))
        );
    }

    // Every issuer admitted with its signer, every agency registered, the gateway authorised.
    let consortium = reader.consortium();
    for issuer in &net.consortium().issuers {
        let view = reader.issuer(issuer.bank_code).await.unwrap();
        assert_eq!(
            (view.name.as_str(), view.kind, view.status, view.signers),
            (issuer.name.as_str(), issuer.kind, IssuerStatus::Active, 1)
        );
        let signer = net.consortium().signer(issuer.account_index).unwrap().address();
        assert_eq!(consortium.issuerOf(signer).call().await.unwrap(), issuer.bank_code.get());
    }
    for agency in &net.consortium().agencies {
        assert!(consortium.isAgency(agency.code.to_b256()).call().await.unwrap(), "agency {}", agency.code);
    }
    let gateway = net.consortium().gateway().unwrap().address();
    assert!(consortium.isGateway(gateway).call().await.unwrap());
    assert!(consortium.isAdmin(manifest.deployer).call().await.unwrap());
    assert!(!consortium.isAdmin(gateway).call().await.unwrap());
    assert!(reader.chain_time().await.unwrap() > dates::start_of_day(dates::parse_date("2025-01-01").unwrap()));
}

#[tokio::test]
async fn a_second_deploy_changes_nothing_and_a_redeploy_makes_new_contracts() {
    let net = Net::start().await;
    let admin = net.consortium().admin().unwrap();
    let written = std::fs::read(&net.manifest).unwrap();
    let block = net.block().await;

    let again =
        egp::deploy::deploy(&net.url, admin.clone(), None, Some(net.consortium()), &net.manifest, false).await.unwrap();
    assert!(!again.deployed && !again.roles_set_up);
    assert_eq!(again.deployment, net.report.deployment);
    assert_eq!(net.block().await, block, "nothing was sent");
    assert_eq!(std::fs::read(&net.manifest).unwrap(), written, "the manifest is untouched");

    let redeployed = egp::deploy::deploy(&net.url, admin, None, None, &net.manifest, true).await.unwrap();
    assert!(redeployed.deployed && !redeployed.roles_set_up);
    let (old, new) = (&net.report.deployment.contracts, &redeployed.deployment.contracts);
    for ((name, before), (_, after)) in old.iter().zip(new.iter()) {
        assert_ne!(before.address, after.address, "{name} has a new address");
        assert!(after.deployment_block > block);
    }
    // The same consortium code; the registries' runtime code embeds their consortium's address.
    assert_eq!(old.consortium.bytecode_hash, new.consortium.bytecode_hash);
    assert_ne!(old.guarantee_registry.bytecode_hash, new.guarantee_registry.bytecode_hash);
    assert_eq!(Deployment::read(&net.manifest).unwrap(), redeployed.deployment);
    let egp = net.reader().await;
    assert!(redeployed.deployment.check_on_chain(egp.provider()).await.unwrap().is_empty());
    // Without the consortium, no roles: the new consortium has no issuers.
    assert_eq!(egp.issuer(bank(2)).await.unwrap().status, IssuerStatus::None);
    // The old contracts are still there, with their issuers.
    assert!(net.report.deployment.check_on_chain(egp.provider()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_manifest_whose_contracts_are_elsewhere_gets_a_fresh_deployment() {
    let net = Net::start().await;
    let fresh = Chain::start().await;
    let dir = TempDir::new("elsewhere");
    let manifest = dir.path().join("deployment.json");
    std::fs::copy(&net.manifest, &manifest).unwrap();
    let admin = fresh.consortium.admin().unwrap();

    let report = egp::deploy::deploy(&fresh.url, admin, None, None, &manifest, false).await.unwrap();
    assert!(report.deployed, "the manifest's contracts are not on this chain");
    assert_eq!(Deployment::read(&manifest).unwrap(), report.deployment);
    let egp = egp::Egp::connect(&fresh.url, &manifest, None::<PrivateKeySigner>).await.unwrap();
    assert!(report.deployment.check_on_chain(egp.provider()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_separate_admin_holds_the_consortium() {
    let chain = Chain::start().await;
    let dir = TempDir::new("admin");
    let manifest = dir.path().join("deployment.json");
    let deployer = chain.consortium.admin().unwrap();
    let cgd = chain.consortium.signer(30).unwrap().address();

    // Setting up roles needs the deployer to be the admin.
    let refused =
        egp::deploy::deploy(&chain.url, deployer.clone(), Some(cgd), Some(&chain.consortium), &manifest, false).await;
    match refused {
        Err(error @ Error::Usage(_)) => assert_eq!(
            error.to_string(),
            format!(
                "setting up the consortium's roles needs the deployer {} to be the admin, not {cgd}",
                deployer.address()
            )
        ),
        other => panic!("expected a usage error, got {other:?}"),
    }
    assert!(!manifest.exists());

    let report = egp::deploy::deploy(&chain.url, deployer.clone(), Some(cgd), None, &manifest, false).await.unwrap();
    assert_eq!(report.deployment.deployer, deployer.address());
    let egp = egp::Egp::connect(&chain.url, &manifest, None::<PrivateKeySigner>).await.unwrap();
    let consortium = egp.consortium();
    assert!(consortium.isAdmin(cgd).call().await.unwrap());
    assert!(!consortium.isAdmin(deployer.address()).call().await.unwrap());
}

#[tokio::test]
async fn a_manifest_for_another_chain_is_never_overwritten_without_redeploy() {
    let net = Net::start().await;
    let dir = TempDir::new("other-chain");
    let manifest = dir.path().join("deployment.json");
    let mut other = net.report.deployment.clone();
    other.chain_id = 7;
    other.write(&manifest).unwrap();
    let before = std::fs::read(&manifest).unwrap();

    let admin = net.consortium().admin().unwrap();
    let error = egp::deploy::deploy(&net.url, admin, None, None, &manifest, false).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "manifest {} is for chain 7, the node at {} serves chain 25600: use another --manifest, or --redeploy to \
             replace it",
            manifest.display(),
            net.url
        )
    );
    assert_eq!(std::fs::read(&manifest).unwrap(), before, "the manifest is untouched");
}

#[tokio::test]
async fn with_its_states_in_memory_anvil_keeps_the_contracts_through_a_deep_rollback() {
    // Past about 500 blocks anvil keeps only the latest few states in memory and the older ones
    // in its disk cache; rolled back onto one of those, anvil 1.7.1 has lost the contracts' code.
    let chain = Chain::with_options(ChainOptions { states_in_memory: true, ..ChainOptions::default() }).await;
    let net = Net::on(chain, TempDir::new("rollback")).await;
    let reader = net.reader().await;
    let provider = reader.provider();
    let _: serde_json::Value = provider.raw_request("anvil_mine".into(), (1_000,)).await.unwrap();
    let head = provider.get_block_number().await.unwrap();
    let _: serde_json::Value = provider.raw_request("anvil_rollback".into(), (20,)).await.unwrap();
    assert_eq!(provider.get_block_number().await.unwrap(), head - 20);
    assert_eq!(net.report.deployment.check_on_chain(provider).await.unwrap(), []);
}
