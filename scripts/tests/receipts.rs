//! Waiting for a receipt has a time limit: a transaction the chain does not mine stops the
//! command with an error naming the transaction and the limit, and the error is honest (the
//! transaction may still be mined, and here it is).

mod common;

use std::time::Duration;

use alloy::providers::Provider;
use common::{Net, code};
use egp::Error;

#[tokio::test]
async fn a_transaction_not_mined_in_time_is_named_with_the_limit() {
    let net = Net::start().await;
    let admin = net.admin().await.with_receipt_timeout(Duration::from_secs(2));
    let provider = admin.provider().clone();
    let _: serde_json::Value = provider.raw_request("evm_setAutomine".into(), (false,)).await.expect("evm_setAutomine");

    let error = admin.register_agency(&code("99001"), "Department of Late Blocks").await.unwrap_err();
    let Error::NotMined { hash, limit } = &error else { panic!("expected NotMined, got {error:?}") };
    assert_eq!(*limit, Duration::from_secs(2));
    let message = error.to_string();
    assert!(message.contains(&hash.to_string()) && message.contains("within 2 s"), "{message}");
    assert!(message.contains("may still be mined"), "{message}");

    // It was only late: the next block includes it.
    let _: serde_json::Value = provider.raw_request("evm_mine".into(), Vec::<u64>::new()).await.expect("evm_mine");
    let receipt = provider.get_transaction_receipt(*hash).await.unwrap().expect("mined after all");
    assert!(receipt.status());
}
