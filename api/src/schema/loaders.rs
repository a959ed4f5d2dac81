//! DataLoaders: one statement per kind of child for a whole page, never one per row. They are
//! created per request over the request's snapshot, so batching never crosses snapshots.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use crate::Error;
use crate::db::{self, AgencyRow, AmendmentRow, ClaimRow, EventRow, GuaranteeRow, IssuerRow, ReleaseRow, Session};

/// Every loader of a request.
pub struct Loaders {
    session: Arc<Session>,
}

impl Loaders {
    /// Loaders reading `session`.
    pub fn new(session: Arc<Session>) -> Self {
        Self { session }
    }
}

/// A guarantee by id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GuaranteeKey(pub Vec<u8>);
/// The amendments of a guarantee.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AmendmentsOf(pub Vec<u8>);
/// The claims of a guarantee.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimsOf(pub Vec<u8>);
/// The reductions and releases of a guarantee.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReleasesOf(pub Vec<u8>);
/// The event history of a record: kind (`guarantee`, `confirmation`) and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HistoryOf(pub &'static str, pub Vec<u8>);
/// An issuer by bank code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssuerKey(pub i32);
/// An agency by code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgencyKey(pub String);

type Loaded<K, V> = Result<HashMap<K, V>, Arc<Error>>;

fn group<K: std::hash::Hash + Eq + Clone, R>(keys: &[K], rows: Vec<R>, key: impl Fn(&R) -> K) -> HashMap<K, Vec<R>> {
    let mut out: HashMap<K, Vec<R>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    out
}

impl Loader<GuaranteeKey> for Loaders {
    type Value = GuaranteeRow;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[GuaranteeKey]) -> Loaded<GuaranteeKey, GuaranteeRow> {
        let ids: Vec<Vec<u8>> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = db::guarantees_by_id(&self.session, &ids).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|r| (GuaranteeKey(r.id.clone()), r)).collect())
    }
}

impl Loader<AmendmentsOf> for Loaders {
    type Value = Vec<AmendmentRow>;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[AmendmentsOf]) -> Loaded<AmendmentsOf, Vec<AmendmentRow>> {
        let ids: Vec<Vec<u8>> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = db::amendments_of(&self.session, &ids).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |r| AmendmentsOf(r.guarantee_id.clone())))
    }
}

impl Loader<ClaimsOf> for Loaders {
    type Value = Vec<ClaimRow>;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[ClaimsOf]) -> Loaded<ClaimsOf, Vec<ClaimRow>> {
        let ids: Vec<Vec<u8>> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = db::claims_of(&self.session, &ids).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |r| ClaimsOf(r.guarantee_id.clone())))
    }
}

impl Loader<ReleasesOf> for Loaders {
    type Value = Vec<ReleaseRow>;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[ReleasesOf]) -> Loaded<ReleasesOf, Vec<ReleaseRow>> {
        let ids: Vec<Vec<u8>> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = db::releases_of(&self.session, &ids).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |r| ReleasesOf(r.guarantee_id.clone())))
    }
}

impl Loader<HistoryOf> for Loaders {
    type Value = Vec<EventRow>;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[HistoryOf]) -> Loaded<HistoryOf, Vec<EventRow>> {
        let mut out: HashMap<HistoryOf, Vec<EventRow>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for kind in ["guarantee", "confirmation"] {
            let ids: Vec<Vec<u8>> = keys.iter().filter(|k| k.0 == kind).map(|k| k.1.clone()).collect();
            if ids.is_empty() {
                continue;
            }
            let rows = db::history_of(&self.session, kind, &ids).await.map_err(Arc::new)?;
            for row in rows {
                // An event belongs to its record and to its related record (a supersede names both).
                for key in [row.entity_key.clone(), row.related_key.clone()].into_iter().flatten() {
                    if let Some(events) = out.get_mut(&HistoryOf(kind, key)) {
                        events.push(row.clone());
                    }
                }
            }
        }
        Ok(out)
    }
}

impl Loader<IssuerKey> for Loaders {
    type Value = IssuerRow;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[IssuerKey]) -> Loaded<IssuerKey, IssuerRow> {
        let codes: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = db::issuers(&self.session, Some(&codes)).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|r| (IssuerKey(r.bank_code), r)).collect())
    }
}

impl Loader<AgencyKey> for Loaders {
    type Value = AgencyRow;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[AgencyKey]) -> Loaded<AgencyKey, AgencyRow> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = db::agencies(&self.session, Some(&codes)).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|r| (AgencyKey(r.code.clone()), r)).collect())
    }
}
