//! The bindings against a real chain: anvil (the bootstrapped binary) on a free port, the three
//! contracts deployed from the committed artifacts, a real event decoded, a real revert turned
//! into words, and the gas of issuing an e-LG measured on a mined transaction.

use alloy::node_bindings::AnvilInstance;
use alloy::primitives::{Address, B256, keccak256};
use alloy::providers::{DynProvider, Provider};
use alloy::sol_types::SolEvent;
use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::IssueRequest;
use egp_contracts::bindings::{Consortium, GuaranteeRegistry};
use egp_contracts::deployment::{self, Deployment, ManifestMismatch};
use egp_contracts::{ApplicantType, Code, ContractRevert, ExpiryType, GuaranteeStatus, GuaranteeType, Pepper, ThaiId};
use egp_testkit::{DevChain, TempDir};

struct Chain {
    _anvil: AnvilInstance,
    provider: DynProvider,
    admin: Address,
    bank: Address,
    gateway: Address,
    consortium: Address,
    registry: Address,
    deployment: Deployment,
}

fn code(text: &str) -> B256 {
    Code::new(text).unwrap().to_b256()
}

async fn chain() -> Chain {
    let DevChain { anvil, provider } = DevChain::start(egp_testkit::chain::anvil());
    let [admin, bank, gateway] = [anvil.addresses()[0], anvil.addresses()[1], anvil.addresses()[2]];

    let deployment = deployment::deploy(&provider, admin, admin).await.unwrap();
    let consortium = Consortium::new(deployment.contracts.consortium.address, provider.clone());

    consortium.admitIssuer(2, 0, "Bangkok Bank".into()).from(admin).send().await.unwrap().watch().await.unwrap();
    consortium.addSigner(2, bank).from(admin).send().await.unwrap().watch().await.unwrap();
    consortium
        .registerAgency(code("21009"), "Department of Highways".into())
        .from(admin)
        .send()
        .await
        .unwrap()
        .watch()
        .await
        .unwrap();
    consortium.authoriseGateway(gateway).from(admin).send().await.unwrap().watch().await.unwrap();
    Chain {
        _anvil: anvil,
        provider,
        admin,
        bank,
        gateway,
        consortium: *consortium.address(),
        registry: deployment.contracts.guarantee_registry.address,
        deployment,
    }
}

fn request(bank_ref: &str, applicant: B256) -> IssueRequest {
    let now = 1_767_225_600u64;
    IssueRequest {
        bankRef: bank_ref.into(),
        branchCode: code("0001"),
        guaranteeType: GuaranteeType::PERF as u8,
        amount: 250_000_000,
        issueDate: now,
        effectiveDate: now,
        expiryType: ExpiryType::FIXD as u8,
        expiryDate: now + 10 * 365 * 86_400,
        expiryConditionHash: B256::ZERO,
        agencyCode: code("21009"),
        projectNumber: code("69029460012"),
        contractNumber: "CGD-2569/0042".into(),
        applicantCommitment: applicant,
        applicantType: ApplicantType::Juristic as u8,
        documentHash: keccak256("signed guarantee"),
    }
}

#[tokio::test]
async fn issue_emits_a_decodable_event_within_the_gas_budget() {
    let chain = chain().await;
    let registry = GuaranteeRegistry::new(chain.registry, chain.provider.clone());
    let pepper = Pepper::new(*b"egp-chain anvil test pepper").unwrap();
    let applicant = "0105564012347".parse::<ThaiId>().unwrap().commit(&pepper);

    let receipt = registry
        .issue(request("LG-2569-000001", applicant))
        .from(chain.bank)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    assert!(receipt.gas_used <= 95_000, "issuing an e-LG used {} gas, the budget is 95,000", receipt.gas_used);

    let log = receipt
        .inner
        .logs()
        .iter()
        .find(|log| log.topic0() == Some(&GuaranteeRegistry::GuaranteeIssued::SIGNATURE_HASH))
        .expect("GuaranteeIssued");
    let event = GuaranteeRegistry::GuaranteeIssued::decode_log_data(log.data()).unwrap();
    let expected_id = keccak256([&2u16.to_be_bytes()[..], b"LG-2569-000001"].concat());
    assert_eq!(event.id, expected_id);
    assert_eq!(event.bankCode, 2);
    assert_eq!(event.agencyCode, code("21009"));
    assert_eq!(event.request.amount, 250_000_000);
    assert_eq!(event.request.applicantCommitment, applicant);
    assert_eq!(GuaranteeStatus::try_from(event.status).unwrap(), GuaranteeStatus::PendingAcceptance);
    assert_eq!(event.actor, chain.bank);
    assert_eq!(registry.guaranteeId(2, "LG-2569-000001".into()).call().await.unwrap(), expected_id);

    let stored = registry.getGuarantee(expected_id).call().await.unwrap();
    assert_eq!(stored.outstanding, 250_000_000);
    assert_eq!(GuaranteeStatus::try_from(stored.status).unwrap(), GuaranteeStatus::PendingAcceptance);
}

#[tokio::test]
async fn reverts_decode_into_sentences() {
    let chain = chain().await;
    let registry = GuaranteeRegistry::new(chain.registry, chain.provider.clone());
    let receipt = registry
        .issue(request("LG-2569-000002", keccak256("commitment")))
        .from(chain.bank)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    let id = keccak256([&2u16.to_be_bytes()[..], b"LG-2569-000002"].concat());

    // Wrong state: a claim on a guarantee the agency has not accepted.
    let error = registry.claim(id, code("21009"), 1, keccak256("demand")).from(chain.gateway).call().await.unwrap_err();
    let revert = ContractRevert::from_contract_error(&error).expect("one of our errors");
    assert_eq!(revert.to_string(), format!("guarantee {id} is PendingAcceptance; claim needs Active"));

    // Wrong actor, bubbled up from the consortium: the admin is not a bank signer.
    let Err(error) = registry.cancel(id, code("DUPLICATE")).from(chain.admin).call().await else {
        panic!("the admin cancelled a guarantee");
    };
    let revert = ContractRevert::from_contract_error(&error).unwrap();
    assert_eq!(revert.to_string(), format!("address {} does not sign for any bank in the consortium", chain.admin));

    // A value problem: the same bank reference twice.
    let error = registry.issue(request("LG-2569-000002", keccak256("c"))).from(chain.bank).call().await.unwrap_err();
    let revert = ContractRevert::from_contract_error(&error).unwrap();
    assert!(revert.to_string().starts_with(&format!("guarantee {id} already exists")), "{revert}");

    // OpenZeppelin's access control, from the consortium itself.
    let consortium = Consortium::new(chain.consortium, chain.provider.clone());
    let Err(error) = consortium.authoriseGateway(chain.bank).from(chain.bank).call().await else {
        panic!("a bank authorised a gateway");
    };
    let revert = ContractRevert::from_contract_error(&error).unwrap();
    assert!(revert.to_string().starts_with(&format!("address {} is not the consortium admin", chain.bank)), "{revert}");

    // Nothing changed on chain.
    let stored = registry.getGuarantee(id).call().await.unwrap();
    assert_eq!(GuaranteeStatus::try_from(stored.status).unwrap(), GuaranteeStatus::PendingAcceptance);
    assert_eq!(chain.provider.get_block_number().await.unwrap(), receipt.block_number.unwrap());
}

/// The rules this chain adds over a plain state machine, refused on a real node in words: an answer
/// naming a claim that is not the open one, and one address taking a second duty.
#[tokio::test]
async fn stale_answers_and_doubled_duties_are_refused_in_words() {
    let chain = chain().await;
    let registry = GuaranteeRegistry::new(chain.registry, chain.provider.clone());
    registry
        .issue(request("LG-2569-000003", keccak256("c")))
        .from(chain.bank)
        .send()
        .await
        .unwrap()
        .watch()
        .await
        .unwrap();
    let id = keccak256([&2u16.to_be_bytes()[..], b"LG-2569-000003"].concat());
    let agency = code("21009");
    registry.accept(id, agency).from(chain.gateway).send().await.unwrap().watch().await.unwrap();
    registry
        .claim(id, agency, 1_000, keccak256("demand"))
        .from(chain.gateway)
        .send()
        .await
        .unwrap()
        .watch()
        .await
        .unwrap();

    let Err(error) = registry.pay(id, 2, 1_000, keccak256("GFMIS-1")).from(chain.bank).call().await else {
        panic!("a payment named a claim not yet made");
    };
    assert_eq!(
        ContractRevert::from_contract_error(&error).unwrap().to_string(),
        format!("guarantee {id}: the answer is to claim 2, but claim 1 is the one open; read the guarantee again")
    );
    assert!(registry.pay(id, 1, 1_000, keccak256("GFMIS-1")).from(chain.bank).call().await.is_ok(), "claim 1 is open");

    let consortium = Consortium::new(chain.consortium, chain.provider.clone());
    let Err(error) = consortium.addSigner(2, chain.gateway).from(chain.admin).call().await else {
        panic!("the gateway became a signer");
    };
    assert_eq!(
        ContractRevert::from_contract_error(&error).unwrap().to_string(),
        format!(
            "address {} is an e-GP gateway already: one address holds only one of consortium admin, e-GP gateway and \
             bank signer",
            chain.gateway
        )
    );
    let Err(error) = consortium.authoriseGateway(chain.bank).from(chain.admin).call().await else {
        panic!("a signer became a gateway");
    };
    assert!(ContractRevert::from_contract_error(&error).unwrap().to_string().contains("is a bank signer already"));
}

#[tokio::test]
async fn a_manifest_round_trips_and_matches_its_chain() {
    let chain = chain().await;
    let manifest = &chain.deployment;
    assert_eq!(manifest.chain_id, 31337);
    assert!(manifest.compiler_version.starts_with("0.8.37"));
    assert_eq!(manifest.start_block(), manifest.contracts.consortium.deployment_block);
    assert!(manifest.check_on_chain(&chain.provider).await.unwrap().is_empty());

    let dir = TempDir::new("manifest");
    let path = dir.path().join("deployment.json");
    manifest.write(&path).unwrap();
    assert_eq!(&Deployment::read(&path).unwrap(), manifest);

    let mut moved = manifest.clone();
    moved.contracts.credit_confirmation_registry.address = chain.bank;
    moved.contracts.guarantee_registry.address = manifest.contracts.consortium.address;
    assert_eq!(
        moved.check_on_chain(&chain.provider).await.unwrap(),
        vec![
            ManifestMismatch::OtherCode {
                contract: "GuaranteeRegistry",
                address: manifest.contracts.consortium.address
            },
            ManifestMismatch::NoCode { contract: "CreditConfirmationRegistry", address: chain.bank },
        ]
    );
    let mut elsewhere = manifest.clone();
    elsewhere.chain_id = 25600;
    assert_eq!(
        elsewhere.check_on_chain(&chain.provider).await.unwrap(),
        vec![ManifestMismatch::ChainId { manifest: 25600, chain: 31337 }]
    );
}
