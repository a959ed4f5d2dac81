//! The one Relay pagination helper every connection uses: validates `first`/`last` against the
//! page-size limit (a larger page is a `PAGE_TOO_LARGE` error, never a silent cut), decodes the
//! opaque keyset cursor, and assembles the connection with `pageInfo` and `totalCount`.

use async_graphql::connection::{Connection, CursorType, Edge, OpaqueCursor};
use async_graphql::{Context, OutputType};
use serde::{Deserialize, Serialize};

use super::guarantee::Totals;
use crate::{Error, Result};

/// A keyset position: the sort key as text and the record id (hex). Stable across requests:
/// it names a position in the order, not an offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Sort key.
    pub k: String,
    /// Record id, hex.
    pub id: String,
}

impl Position {
    /// The id's bytes.
    pub fn id_bytes(&self) -> Result<Vec<u8>> {
        hex::decode(&self.id).map_err(|_| Error::invalid("cursor", "not a cursor of this API"))
    }
}

/// The cursor type of every connection.
pub type PageCursor = OpaqueCursor<Position>;

/// A connection of `N` with `totalCount`.
pub type Page<N> = Connection<PageCursor, N, Totals>;

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// Reading from the end (`last`/`before`).
    pub backward: bool,
    /// Rows wanted.
    pub size: usize,
    /// Rows strictly beyond this position (in reading order).
    pub from: Option<Position>,
}

impl PageRequest {
    /// Validates the four Relay arguments.
    pub fn new(
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        max: usize,
    ) -> Result<Self> {
        if first.is_some() && last.is_some() {
            return Err(Error::invalid("first/last", "give first or last, not both"));
        }
        if (first.is_some() && before.is_some()) || (last.is_some() && after.is_some()) {
            return Err(Error::invalid("cursor", "use after with first, before with last"));
        }
        let backward = last.is_some() || before.is_some();
        let size = match first.or(last) {
            Some(n) if n < 0 => return Err(Error::invalid("first/last", "must not be negative")),
            Some(n) if n as usize > max => return Err(Error::PageTooLarge { requested: i64::from(n), max }),
            Some(n) => n as usize,
            None => DEFAULT_PAGE_SIZE.min(max),
        };
        let from = match if backward { before } else { after } {
            Some(text) => Some(
                PageCursor::decode_cursor(&text).map_err(|_| Error::invalid("cursor", "not a cursor of this API"))?.0,
            ),
            None => None,
        };
        Ok(Self { backward, size, from })
    }

    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn limit(&self) -> i64 {
        self.size as i64 + 1
    }

    /// The connection from rows in reading order (`size + 1` at most) and the total.
    pub fn connection<N: OutputType>(&self, mut rows: Vec<(Position, N)>, total_count: i64) -> Page<N> {
        let more = rows.len() > self.size;
        rows.truncate(self.size);
        if self.backward {
            rows.reverse();
        }
        let (previous, next) = if self.backward { (more, self.from.is_some()) } else { (self.from.is_some(), more) };
        let mut connection = Connection::with_additional_fields(previous, next, Totals { total_count });
        connection.edges.extend(rows.into_iter().map(|(position, node)| Edge::new(OpaqueCursor(position), node)));
        connection
    }
}

/// Whether the query asks for `totalCount` (counting is skipped otherwise).
pub fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// The complexity of a connection field: its page size times its children.
pub fn complexity(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let size = first.or(last).unwrap_or(DEFAULT_PAGE_SIZE as i32).clamp(1, 100) as usize;
    size.saturating_mul(child).saturating_add(10)
}
