//! The verification pages' handlers: `/v/{id}` (a guarantee) and `/v/c/{id}` (a credit
//! confirmation), each with `qr.svg` (the page's URL as a QR code) and `watch` (Server-Sent
//! Events: the record's version now and after each change the indexer commits).
//!
//! A page reads one snapshot with the API's own statements (`db::guarantees_by_id`,
//! `db::amendments_of`, `db::issuers`, `db::agencies`, `db::confirmations_by_id`) and shows what a
//! caller with the `verify` role may see: a record that role may not see (a tender guarantee)
//! shows only that it exists and whether it is valid.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::B256;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use egp_contracts::verification;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast::error::RecvError;

use super::record::{self, Record};
use super::render;
use crate::auth::{Principal, Role};
use crate::db::{self, ProvenanceRow, Session};
use crate::http::AppState;
use crate::notify::Commit;
use crate::schema::Api;
use crate::schema::types::parse_id;
use crate::{Error, Result};

/// A watcher re-reads its record at least this often, in case a notification was lost.
const WATCH_POLL: Duration = Duration::from_secs(10);

/// Which kind of record a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An e-LG.
    Guarantee,
    /// An e-Credit Confirmation.
    Confirmation,
}

impl Kind {
    /// The page's path for `id`.
    pub(crate) fn path(self, id: &[u8]) -> String {
        let id = B256::from_slice(id);
        match self {
            Self::Guarantee => verification::guarantee_path(id),
            Self::Confirmation => verification::confirmation_path(id),
        }
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Guarantee => ("หนังสือค้ำประกัน", "guarantee"),
            Self::Confirmation => ("หนังสือรับรองวงเงินสินเชื่อ", "credit confirmation"),
        }
    }
}

/// Who a visitor is to the API's rules: the `verify` role.
pub(crate) fn visitor() -> Principal {
    Principal::new(Role::Verify, "public page")
}

/// A record's version as the page carries it: a digest of the event that last changed it and
/// whether that event is final, so a change, a reorg and finality each make a new version.
pub(crate) fn version(provenance: &ProvenanceRow) -> String {
    let mut hasher = Sha256::new();
    hasher.update(&provenance.block_hash);
    hasher.update(provenance.log_index.to_be_bytes());
    hasher.update([u8::from(provenance.is_final)]);
    hex::encode(&hasher.finalize()[..12])
}

/// The 400 page for a malformed id, naming it.
fn bad_id(kind: Kind, text: &str) -> Response {
    let (th, en) = kind.names();
    render::error_page(
        StatusCode::BAD_REQUEST,
        &format!("รหัส{th}ไม่ถูกต้อง: ต้องเป็น 0x ตามด้วยเลขฐานสิบหก 64 หลัก"),
        &format!("this is not a {en} id: expected 0x and 64 hex digits"),
        Some(text),
    )
}

fn not_found(kind: Kind, id: &[u8]) -> Response {
    let (th, en) = kind.names();
    render::error_page(
        StatusCode::NOT_FOUND,
        &format!("ไม่พบ{th}รหัสนี้บนบล็อกเชน โปรดตรวจสอบลิงก์หรือ QR code"),
        &format!("no {en} with this id is recorded on chain; check the link or the QR code"),
        Some(&crate::schema::types::hex0x(id)),
    )
}

fn internal(error: Error) -> Response {
    tracing::error!(%error, "public page failed");
    render::error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "ระบบขัดข้องชั่วคราว โปรดลองใหม่ภายหลัง",
        "the register could not be read just now; try again shortly",
        None,
    )
}

/// Reads `id`'s record of `kind` in one snapshot.
async fn load(api: &Api, kind: Kind, id: &[u8]) -> Result<Option<Record>> {
    let session = Session::new(api.pool.clone(), api.chain_id);
    let marker = session.marker().await?;
    let ids = [id.to_vec()];
    Ok(match kind {
        Kind::Guarantee => {
            let Some(row) = db::guarantees_by_id(&session, &ids).await?.pop() else { return Ok(None) };
            if !visitor().sees(row.bank_code, Some(row.guarantee_type)) {
                return Ok(Some(Record::Confidential { row, marker }));
            }
            let amendments = db::amendments_of(&session, &ids).await?;
            let bank = db::issuers(&session, Some(&[row.bank_code])).await?.pop();
            let agency = db::agencies(&session, Some(std::slice::from_ref(&row.agency_code))).await?.pop();
            Some(Record::Guarantee { row, amendments, bank, agency, marker })
        }
        Kind::Confirmation => {
            let Some(row) = db::confirmations_by_id(&session, &ids).await?.pop() else { return Ok(None) };
            let bank = db::issuers(&session, Some(&[row.bank_code])).await?.pop();
            Some(Record::Confirmation { row, bank, marker })
        }
    })
}

async fn page(state: AppState, kind: Kind, text: String, headers: HeaderMap) -> Response {
    let Ok(id) = parse_id("id", &text) else { return bad_id(kind, &text) };
    let path = kind.path(&id);
    let url = state.web.base_url(&headers).map(|base| format!("{base}{path}"));
    match load(&state.api, kind, &id).await {
        Ok(Some(record)) => match record::page(&record, &path, url.as_deref()) {
            Ok(html) => render::html(StatusCode::OK, html),
            Err(error) => internal(error),
        },
        Ok(None) => not_found(kind, &id),
        Err(error) => internal(error),
    }
}

/// `GET /v/{id}`.
pub(crate) async fn guarantee(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    page(state, Kind::Guarantee, id, headers).await
}

/// `GET /v/c/{id}`.
pub(crate) async fn confirmation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    page(state, Kind::Confirmation, id, headers).await
}

/// The version of `id`'s record now; `None` when there is no such record.
async fn current_version(api: &Api, kind: Kind, id: &[u8]) -> Result<Option<String>> {
    let session = Session::new(api.pool.clone(), api.chain_id);
    let ids = [id.to_vec()];
    Ok(match kind {
        Kind::Guarantee => db::guarantees_by_id(&session, &ids).await?.pop().map(|r| version(&r.provenance())),
        Kind::Confirmation => db::confirmations_by_id(&session, &ids).await?.pop().map(|r| version(&r.provenance())),
    })
}

async fn qr(state: AppState, kind: Kind, text: String, headers: HeaderMap) -> Response {
    let Ok(id) = parse_id("id", &text) else { return bad_id(kind, &text) };
    match current_version(&state.api, kind, &id).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(kind, &id),
        Err(error) => return internal(error),
    }
    let Some(base) = state.web.base_url(&headers) else {
        return render::error_page(
            StatusCode::BAD_REQUEST,
            "ไม่ทราบที่อยู่สาธารณะของหน้านี้",
            "the request names no usable Host and the server has no --public-url",
            None,
        );
    };
    match verification::qr_svg(&format!("{base}{}", kind.path(&id))) {
        Ok(svg) => ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=3600")], svg)
            .into_response(),
        Err(error) => internal(Error::Config(error.to_string())),
    }
}

/// `GET /v/{id}/qr.svg`.
pub(crate) async fn guarantee_qr(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    qr(state, Kind::Guarantee, id, headers).await
}

/// `GET /v/c/{id}/qr.svg`.
pub(crate) async fn confirmation_qr(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    qr(state, Kind::Confirmation, id, headers).await
}

struct Watch {
    api: Arc<Api>,
    kind: Kind,
    id: Vec<u8>,
    commits: tokio::sync::broadcast::Receiver<Commit>,
    closing: tokio_util::sync::CancellationToken,
    last: Option<String>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Watch {
    /// The next version to send: the first at once, later ones after a commit changes it.
    async fn next(&mut self) -> Option<String> {
        loop {
            let now = match current_version(&self.api, self.kind, &self.id).await {
                Ok(version) => Some(version.unwrap_or_else(|| "gone".into())),
                Err(error) => {
                    tracing::warn!(%error, "watch: reading the record failed; retrying");
                    None
                }
            };
            // "gone": a reorg undid the record; the page's next fetch shows the 404.
            if let Some(version) = now
                && self.last.as_ref() != Some(&version)
            {
                self.last = Some(version.clone());
                return Some(version);
            }
            tokio::select! {
                _ = self.closing.cancelled() => return None,
                received = tokio::time::timeout(WATCH_POLL, self.commits.recv()) => {
                    if let Ok(Err(RecvError::Closed)) = received {
                        return None;
                    }
                }
            }
        }
    }
}

async fn watch(state: AppState, kind: Kind, text: String) -> Response {
    let Ok(id) = parse_id("id", &text) else { return bad_id(kind, &text) };
    let Ok(permit) = state.web.watchers.clone().try_acquire_owned() else {
        let mut response =
            (StatusCode::SERVICE_UNAVAILABLE, "too many pages are following records; retry later").into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        return response;
    };
    match current_version(&state.api, kind, &id).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(kind, &id),
        Err(error) => return internal(error),
    }
    let watch = Watch {
        commits: state.api.notifier.subscribe(),
        api: state.api.clone(),
        kind,
        id,
        closing: state.web.closing.clone(),
        last: None,
        _permit: permit,
    };
    let events = futures_util::stream::unfold(watch, |mut watch| async move {
        let version = watch.next().await?;
        Some((Ok::<_, Infallible>(Event::default().event("version").data(version)), watch))
    });
    let mut response = Sse::new(events).keep_alive(KeepAlive::default()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /v/{id}/watch`.
pub(crate) async fn guarantee_watch(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    watch(state, Kind::Guarantee, id).await
}

/// `GET /v/c/{id}/watch`.
pub(crate) async fn confirmation_watch(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    watch(state, Kind::Confirmation, id).await
}
