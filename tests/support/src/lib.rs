//! egp-testkit: the fixtures every crate's tests and the benchmarks share, one module each — a
//! free port ([`ports`]), a temporary folder ([`dirs`]), a scratch database on the shared server
//! ([`db`]), a PostgreSQL server of a test's own to stop and crash ([`postgres`]), anvil with the
//! contracts deployed ([`chain`]), a proxy in front of the node that takes it away or makes it
//! answer wrongly ([`front`]), workspace binaries run as processes ([`process`]) and the whole
//! stack — anvil, a database, `egp-indexer` and `egp-api` as processes — for end-to-end tests
//! ([`stack`]).
//!
//! Nothing here is mocked: real anvil, real PostgreSQL, the real binaries. The indexer and the
//! API are run as processes, so this crate depends on neither and both can use it.

pub mod chain;
pub mod db;
pub mod dirs;
pub mod front;
pub mod ports;
pub mod postgres;
pub mod process;
pub mod stack;
pub mod wait;

pub use chain::{Chain, ChainOptions, DevChain, Net, guarantee_id, guarantee_terms, pepper, synthetic_deployment};
pub use db::ScratchDb;
pub use dirs::TempDir;
pub use ports::free_port;
pub use stack::{EGP_KEY, Stack, StackOptions};
