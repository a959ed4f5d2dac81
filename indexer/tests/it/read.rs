//! The reader's `eth_getLogs` ranges: one block first, doubling over sparse blocks (so a dense
//! start commits its first batch at once and a sparse chain is crossed in few calls), and cut to
//! about one batch as soon as the blocks are dense.

use std::sync::Arc;
use std::time::Duration;

use egp_indexer::chain::Chain;
use egp_indexer::decode::Decoder;
use egp_indexer::read::Reader;
use serde_json::json;

use crate::common::World;

/// The span of each `eth_getLogs` call `reader` makes to read `from..=to`.
async fn spans(reader: &mut Reader, from: u64, to: u64) -> Vec<u64> {
    let mut spans = Vec::new();
    let mut next = from;
    while next <= to {
        let fetched = reader.read(next, to, false, Some(to)).await.unwrap();
        spans.push(fetched.to - next + 1);
        next = fetched.to + 1;
    }
    spans
}

#[tokio::test]
async fn the_range_starts_at_one_block_doubles_while_sparse_and_shrinks_to_a_batch_when_dense() {
    let world = World::new().await;
    let chain = Chain::connect(&world.anvil.endpoint(), Duration::from_secs(10), Default::default()).unwrap();
    let decoder = Arc::new(Decoder::new(&world.deployment));

    // Forty empty blocks: 1, 2, 4, 8 and 16 blocks a call, then the nine left.
    let first = chain.head().await.unwrap() + 1;
    world.rpc("anvil_mine", json!(["0x28"])).await;
    let head = chain.head().await.unwrap();
    assert_eq!(head, first + 39);
    let mut sparse = Reader::new(chain.clone(), decoder.clone(), Default::default(), 1, 64, 1_000);
    assert_eq!(spans(&mut sparse, first, head).await, [1, 2, 4, 8, 16, 9]);
    assert_eq!(sparse.range, 32, "the range keeps growing over sparse blocks");

    // Twelve blocks of one event each, read 64 blocks at a time with two events a batch: the
    // first call finds six times the target and the range drops to the two blocks that hold it.
    let far = world.now().await + 86_400 * 365;
    for n in 0..12 {
        world.issue(&format!("LG-DENSE-{n}"), far).await;
    }
    let last = chain.head().await.unwrap();
    let mut dense = Reader::new(chain.clone(), decoder, Default::default(), 64, 64, 2);
    assert_eq!(spans(&mut dense, head + 1, last).await, [12]);
    assert_eq!(dense.range, 2);
}
