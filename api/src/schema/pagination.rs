//! The one Relay pagination helper every connection uses: validates `first`/`last` against the
//! page-size limit (a larger page is a `PAGE_TOO_LARGE` error, never a silent cut), decodes the
//! opaque keyset cursor (typed, and refused under another order than its own), and assembles the connection with `pageInfo` and `totalCount`.

use async_graphql::connection::{Connection, CursorType, Edge, OpaqueCursor};
use std::str::FromStr;

use async_graphql::{Context, OutputType};
use serde::{Deserialize, Serialize};

use super::guarantee::Totals;
use crate::{Error, Result};

/// A keyset position as a cursor holds it: the order it was made under, the sort key as text
/// and the record id (hex). Stable across requests: it names a position in the order, not an
/// offset. Only [`PageRequest`] reads one, and validates every part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The order: the list, its sort key and direction (`guarantees:ISSUED:ASC`).
    pub o: String,
    /// Sort key.
    pub k: String,
    /// Record id, hex.
    pub id: String,
}

/// The cursor type of every connection.
pub type PageCursor = OpaqueCursor<Position>;

/// A validated cursor: a sort key of the connection's type and a 32-byte record id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor<K> {
    /// Sort key.
    pub key: K,
    /// Record id.
    pub id: Vec<u8>,
}

/// Reads a cursor made under `order`: a cursor that does not decode, names another order, or
/// holds a key or id of the wrong shape is `BAD_USER_INPUT`, never an error of the database.
fn read_cursor<K: FromStr>(text: &str, order: &str) -> Result<Cursor<K>> {
    let forged = || Error::invalid("cursor", "not a cursor of this API");
    let position = PageCursor::decode_cursor(text).map_err(|_| forged())?.0;
    if position.o != order {
        return Err(Error::invalid(
            "cursor",
            format!("the cursor was made for the order {:?}, not {order:?}: ask for the first page again", position.o),
        ));
    }
    let key = position.k.parse().map_err(|_| forged())?;
    let id = hex::decode(&position.id).ok().filter(|id| id.len() == 32).ok_or_else(forged)?;
    Ok(Cursor { key, id })
}

/// A connection of `N` with `totalCount`.
pub type Page<N> = Connection<PageCursor, N, Totals>;

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// A validated page request of a list sorted by keys of type `K`.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    /// The order the list is read in; every cursor of the page carries it.
    pub order: String,
    /// Reading from the end (`last`/`before`).
    pub backward: bool,
    /// Rows wanted.
    pub size: usize,
    /// Rows strictly beyond this position (in reading order).
    pub from: Option<Cursor<K>>,
}

/// The Relay arguments of a connection.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    /// Rows after this cursor.
    pub after: Option<String>,
    /// Rows before this cursor.
    pub before: Option<String>,
    /// The first rows.
    pub first: Option<i32>,
    /// The last rows.
    pub last: Option<i32>,
}

impl<K: FromStr> PageRequest<K> {
    /// Validates the four Relay arguments for a list read in `order` (a cursor made under
    /// another order is refused), pages of at most `max`.
    pub fn new(args: PageArgs, order: impl Into<String>, max: usize) -> Result<Self> {
        let PageArgs { after, before, first, last } = args;
        let order = order.into();
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
            Some(text) => Some(read_cursor(&text, &order)?),
            None => None,
        };
        Ok(Self { order, backward, size, from })
    }
}

impl<K> PageRequest<K> {
    /// The position of a row with sort key `key` and id `id`, under this request's order.
    pub fn position(&self, key: impl ToString, id: &[u8]) -> Position {
        Position { o: self.order.clone(), k: key.to_string(), id: hex::encode(id) }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(o: &str, k: &str, id: &str) -> String {
        OpaqueCursor(Position { o: o.into(), k: k.into(), id: id.into() }).encode_cursor()
    }

    fn refused(args: PageArgs, order: &str) -> String {
        match PageRequest::<u128>::new(args, order, 100) {
            Err(error @ Error::InvalidInput { field: "cursor", .. }) => error.to_string(),
            other => panic!("expected a refused cursor, got {other:?}"),
        }
    }

    const ID: &str = "0101010101010101010101010101010101010101010101010101010101010101";

    #[test]
    fn a_cursor_reads_back_under_its_own_order() {
        let after = Some(cursor("guarantees:AMOUNT:DESC", "125000000", ID));
        let request =
            PageRequest::<u128>::new(PageArgs { after, ..PageArgs::default() }, "guarantees:AMOUNT:DESC", 100).unwrap();
        assert_eq!(request.from, Some(Cursor { key: 125_000_000, id: vec![1; 32] }));
        assert_eq!(request.position(7, &[1; 32]).o, "guarantees:AMOUNT:DESC");
    }

    #[test]
    fn a_forged_or_foreign_cursor_is_bad_input_naming_the_problem() {
        let order = "guarantees:ISSUED:ASC";
        let after = |text: String| PageArgs { after: Some(text), ..PageArgs::default() };
        for forged in [cursor(order, "abc", ID), cursor(order, "-1", ID), cursor(order, "1", "zz"), "%%%".into()] {
            assert!(refused(after(forged), order).contains("not a cursor of this API"));
        }
        let other = refused(after(cursor("guarantees:AMOUNT:ASC", "1", ID)), order);
        assert!(other.contains("\"guarantees:AMOUNT:ASC\"") && other.contains("first page"), "{other}");
        let before =
            PageArgs { before: Some(cursor("creditConfirmations:ISSUED:ASC", "1", ID)), ..PageArgs::default() };
        assert!(refused(before, order).contains("made for the order"));
    }
}
