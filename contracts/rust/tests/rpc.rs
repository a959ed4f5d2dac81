//! Every class of node failure as a real anvil (or a real socket) produces it, read from alloy's
//! typed errors by `egp_contracts::rpc`; and waiting for a receipt gives up at its time limit,
//! naming the transaction.

use std::net::TcpListener;
use std::time::Duration;

use alloy::network::{Ethereum, EthereumWallet, NetworkWallet, TransactionBuilder};
use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use egp_contracts::ContractRevert;
use egp_contracts::bindings::Consortium;
use egp_contracts::rpc::{self, NodeFailure, ReceiptError, RefusalKind};

fn anvil(args: &[&str]) -> AnvilInstance {
    Anvil::at(egp_contracts::tools::find_anvil().expect("scripts/bootstrap installs anvil"))
        .args(args.iter().copied())
        .try_spawn()
        .expect("anvil starts")
}

/// A provider signing as `signer`, with nonce, gas and fees filled in unless the request sets them.
fn provider(url: &str, signer: PrivateKeySigner) -> DynProvider {
    egp_contracts::tls::use_ring();
    ProviderBuilder::new().wallet(EthereumWallet::new(signer)).connect_http(url.parse().unwrap()).erased()
}

fn dev_signer(anvil: &AnvilInstance, index: usize) -> PrivateKeySigner {
    PrivateKeySigner::from(anvil.keys()[index].clone())
}

fn transfer(to: Address) -> TransactionRequest {
    TransactionRequest::default().with_to(to).with_value(U256::from(1)).with_gas_limit(21_000)
}

/// The refusal of a failed send.
async fn refusal_of(provider: &DynProvider, request: TransactionRequest) -> (RefusalKind, String) {
    let error = provider.send_transaction(request).await.expect_err("the node refuses");
    match NodeFailure::from_rpc(&error) {
        NodeFailure::Refused(refusal) => (refusal.kind, refusal.message),
        other => panic!("expected a refusal, got {other:?} from {error}"),
    }
}

#[tokio::test]
async fn a_node_that_is_down_is_unreachable() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    egp_contracts::tls::use_ring();
    let provider = ProviderBuilder::new().connect_http(format!("http://127.0.0.1:{port}").parse().unwrap());
    let failure = NodeFailure::from_rpc(&provider.get_block_number().await.unwrap_err());
    assert!(failure.is_unreachable() && failure.refusal().is_none(), "{failure:?}");
    let NodeFailure::Unreachable { reason } = &failure else { panic!("{failure:?}") };
    assert!(reason.to_ascii_lowercase().contains("refused"), "the root cause, not the HTTP client's wrapper: {reason}");
}

/// A socket that answers every request with `response` (raw HTTP), once per connection.
fn fake_server(response: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            use std::io::{Read, Write};
            let Ok(mut stream) = stream else { return };
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

#[tokio::test]
async fn an_http_error_status_and_an_answer_that_is_not_json_rpc_are_told_apart() {
    let busy = fake_server("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy");
    egp_contracts::tls::use_ring();
    let provider = ProviderBuilder::new().connect_http(busy.parse().unwrap());
    let failure = NodeFailure::from_rpc(&provider.get_block_number().await.unwrap_err());
    assert_eq!(failure, NodeFailure::Http { status: 503 });
    assert!(failure.is_unreachable());

    let garbled = fake_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot json!",
    );
    egp_contracts::tls::use_ring();
    let provider = ProviderBuilder::new().connect_http(garbled.parse().unwrap());
    let failure = NodeFailure::from_rpc(&provider.get_block_number().await.unwrap_err());
    assert!(matches!(failure, NodeFailure::Malformed { .. }), "{failure:?}");
}

#[tokio::test]
async fn a_revert_carries_its_data_and_decodes() {
    let anvil = anvil(&[]);
    let admin = dev_signer(&anvil, 0);
    let provider = provider(&anvil.endpoint(), admin.clone());
    let deployment =
        egp_contracts::deployment::deploy(&provider, admin.address(), admin.address()).await.expect("deploy");
    let consortium = Consortium::new(deployment.contracts.consortium.address, provider.clone());
    let stranger = anvil.addresses()[5];
    let Err(error) = consortium.admitIssuer(2, 0, "Bangkok Bank".into()).from(stranger).call().await else {
        panic!("a stranger cannot admit an issuer")
    };
    let failure = NodeFailure::from_contract(&error).expect("the node answered");
    let refusal = failure.refusal().expect("a refusal");
    assert_eq!(refusal.kind, RefusalKind::Reverted, "{refusal:?}");
    let data = refusal.revert.as_ref().expect("revert data");
    assert!(ContractRevert::decode(data).is_some(), "one of our custom errors: {data}");
}

#[tokio::test]
async fn a_used_nonce_is_nonce_too_low() {
    let anvil = anvil(&[]);
    let provider = provider(&anvil.endpoint(), dev_signer(&anvil, 0));
    let to = anvil.addresses()[1];
    provider.send_transaction(transfer(to)).await.unwrap().get_receipt().await.unwrap();
    let (kind, message) = refusal_of(&provider, transfer(to).with_nonce(0)).await;
    assert_eq!(kind, RefusalKind::NonceTooLow, "{message}");
}

#[tokio::test]
async fn the_same_transaction_twice_is_already_known() {
    let anvil = anvil(&["--no-mining"]);
    let signer = dev_signer(&anvil, 0);
    let provider = provider(&anvil.endpoint(), signer.clone());
    let request = transfer(anvil.addresses()[1])
        .with_nonce(0)
        .with_chain_id(anvil.chain_id())
        .with_max_fee_per_gas(10_000_000_000)
        .with_max_priority_fee_per_gas(1_000_000_000);
    let envelope = NetworkWallet::<Ethereum>::sign_request(&EthereumWallet::new(signer), request).await.unwrap();
    let raw = alloy::eips::eip2718::Encodable2718::encoded_2718(&envelope);
    let _first = provider.send_raw_transaction(&raw).await.unwrap();
    let error = provider.send_raw_transaction(&raw).await.unwrap_err();
    let failure = NodeFailure::from_rpc(&error);
    assert_eq!(failure.refusal().map(|r| r.kind), Some(RefusalKind::AlreadyKnown), "{failure:?}");
}

#[tokio::test]
async fn an_account_without_funds_is_insufficient_funds() {
    let anvil = anvil(&[]);
    let poor = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x42)).unwrap();
    let provider = provider(&anvil.endpoint(), poor);
    let (kind, message) = refusal_of(&provider, transfer(anvil.addresses()[1]).with_gas_price(1_000_000_000)).await;
    assert_eq!(kind, RefusalKind::InsufficientFunds, "{message}");
}

#[tokio::test]
async fn a_fee_below_the_base_fee_is_underpriced() {
    let anvil = anvil(&[]);
    let provider = provider(&anvil.endpoint(), dev_signer(&anvil, 0));
    let request = transfer(anvil.addresses()[1]).with_max_fee_per_gas(1).with_max_priority_fee_per_gas(1);
    let (kind, message) = refusal_of(&provider, request).await;
    assert_eq!(kind, RefusalKind::Underpriced, "{message}");
}

#[tokio::test]
async fn waiting_for_a_receipt_gives_up_at_the_limit_naming_the_transaction() {
    let anvil = anvil(&["--no-mining"]);
    let provider = provider(&anvil.endpoint(), dev_signer(&anvil, 0));
    let pending = provider.send_transaction(transfer(anvil.addresses()[1])).await.unwrap();
    let hash = *pending.tx_hash();
    let limit = Duration::from_secs(2);
    let error = rpc::receipt(pending, limit).await.unwrap_err();
    assert_eq!(error, ReceiptError::NotMined { hash, limit });
    let message = error.to_string();
    assert!(message.contains(&hash.to_string()) && message.contains("within 2 s"), "{message}");

    // It was only late: mined afterwards, its receipt comes.
    let _: serde_json::Value = provider.raw_request("evm_mine".into(), Vec::<u64>::new()).await.unwrap();
    assert!(provider.get_transaction_receipt(hash).await.unwrap().is_some());
}
