//! Reading the indexer's tables. Every GraphQL request reads through one [`Session`]: a
//! `REPEATABLE READ` read-only transaction whose first statement reads the indexer's checkpoint,
//! so every answer of the request comes from the same committed batch and the consistency marker
//! names exactly that block. Statements are static SQL or `QueryBuilder` with binds.

mod queries;
mod rows;
mod session;

pub use queries::*;
pub use rows::*;
pub use session::{Conn, Marker, Session};
