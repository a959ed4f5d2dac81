//! Reading the indexer's tables. Every GraphQL request reads through one [`Session`]: a
//! `REPEATABLE READ` read-only transaction whose first statement reads the indexer's checkpoint,
//! so every answer of the request comes from the same committed batch and the consistency marker
//! names exactly that block. Statements are compile-checked `query_as!` (`records.rs`) or, where a
//! filter is dynamic, `QueryBuilder` with binds (`queries.rs`).

mod queries;
mod records;
mod rows;
mod session;

pub use queries::*;
pub use records::*;
pub use rows::*;
pub use session::{Conn, Marker, Session};
