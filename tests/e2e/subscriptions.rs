//! e-GP follows events over WebSocket (graphql-transport-ws), as a browser or a service would.

use std::time::Duration;

use egp::bank::reference_hash;
use egp_contracts::Satang;
use egp_testkit::{EGP_KEY, Stack, StackOptions, pepper};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::{COMPANY, code, terms, today};

pub(crate) type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn subscribe(stack: &Stack, query: &str, variables: Value) -> Socket {
    let mut request = stack.ws_url().into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the API accepts WebSockets");
    let init = json!({ "type": "connection_init", "payload": { "apiKey": EGP_KEY } });
    socket.send(Message::Text(init.to_string().into())).await.unwrap();
    let ack = next_json(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    socket
}

pub(crate) async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a message within 30 s")
            .expect("the socket stays open")
            .expect("a valid frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_subscription_receives_the_events_of_a_lifecycle_in_order() {
    let stack = Stack::start(StackOptions::default()).await;
    let today = today(&stack).await;
    let id = egp_testkit::guarantee_id(2, "LG-E2E-SUB");
    let mut socket = subscribe(
        &stack,
        "subscription($id: String!) { guaranteeEvents(filter: { recordId: $id }) { name recordId provenance { blockNumber transactionHash } } }",
        json!({ "id": id.to_string() }),
    )
    .await;
    // Let the server register the subscription before anything happens on chain.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (bank, gateway, agency) = (stack.bank(2).await, stack.gateway().await, code("21009"));
    let outcomes = vec![
        bank.issue_guarantee(&terms("LG-E2E-SUB", COMPANY, today), &pepper()).await.unwrap(),
        gateway.accept(id, &agency).await.unwrap(),
        gateway.claim(id, &agency, Satang(10_000_000), reference_hash("demand")).await.unwrap(),
        bank.pay(id, None, Satang(10_000_000), reference_hash("GFMIS-SUB")).await.unwrap(),
        gateway.release(id, &agency, today).await.unwrap(),
    ];
    let expected = ["GuaranteeIssued", "GuaranteeAccepted", "ClaimMade", "ClaimPaid", "GuaranteeReleased"];
    for (name, outcome) in expected.iter().zip(&outcomes) {
        let message = next_json(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        let event = &message["payload"]["data"]["guaranteeEvents"];
        assert_eq!(event["name"], *name, "{message}");
        assert_eq!(event["recordId"], id.to_string());
        assert_eq!(event["provenance"]["transactionHash"], outcome.sent.transaction.unwrap().to_string());
        assert_eq!(event["provenance"]["blockNumber"], outcome.sent.block.unwrap());
    }
}
