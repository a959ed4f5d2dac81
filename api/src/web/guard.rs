//! What stands in front of the public pages: a rate limit per client (a token bucket per
//! address) and the security headers every response carries.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::render;
use crate::http::AppState;

/// The Content-Security-Policy: only this server's scripts, styles and connections; images and
/// fonts also from `data:` (GraphiQL's stylesheet embeds its fonts so); nothing may frame a page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// How many client addresses the limiter remembers before it forgets those with a full bucket.
const REMEMBERED: usize = 10_000;

/// Requests per minute per client address, as a token bucket holding a minute's worth.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    trust_forwarded_for: bool,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per address.
    pub(crate) fn new(per_minute: u32, trust_forwarded_for: bool) -> Self {
        Self { per_minute, trust_forwarded_for, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `client`'s bucket, or says how long until one is free.
    pub(crate) fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let refill = |(tokens, at): (f64, Instant)| {
            (capacity.min(tokens + now.duration_since(at).as_secs_f64() * per_second), now)
        };
        let mut buckets = self.buckets.lock().expect("not poisoned");
        if buckets.len() >= REMEMBERED {
            buckets.retain(|_, bucket| refill(*bucket).0 < capacity);
        }
        let bucket = buckets.entry(client).or_insert((capacity, now));
        *bucket = refill(*bucket);
        if bucket.0 >= 1.0 {
            bucket.0 -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.0) / per_second))
        }
    }

    /// The client's address: the connection's peer, or behind a trusted proxy the last
    /// `X-Forwarded-For` entry; one shared bucket when neither is known.
    fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
        if self.trust_forwarded_for
            && let Some(forwarded) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
            && let Some(Ok(ip)) = forwarded.rsplit(',').next().map(|last| last.trim().parse())
        {
            return ip;
        }
        peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.ip())
    }
}

/// Middleware: refuses a client above its rate with 429 and `Retry-After`.
pub(crate) async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let limiter = &state.web.limiter;
    let client = limiter.client(peer, request.headers());
    match limiter.take(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs().max(1);
            let th = format!(
                "มีคำขอจากที่อยู่ของคุณมากเกินไป (ไม่เกิน {} ครั้งต่อนาที) โปรดลองอีกครั้งใน {seconds} วินาที",
                limiter.per_minute
            );
            let en = format!(
                "too many requests from your address (at most {} a minute); try again in {seconds} s",
                limiter.per_minute
            );
            let mut response = render::error_page(StatusCode::TOO_MANY_REQUESTS, &th, &en, None);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}

/// Middleware: the headers a public government page needs, on every response.
pub(crate) async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    set(headers, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(headers, HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    if state.web.https {
        set(headers, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_a_minutes_worth_then_waits_while_others_go_on() {
        let limiter = RateLimiter::new(60, false);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limiter.take(a, start).is_ok());
        }
        let wait = limiter.take(a, start).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.take(b, start).is_ok());
        assert!(limiter.take(a, start + Duration::from_secs(1)).is_ok());
        assert!(limiter.take(a, start + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn forwarded_for_counts_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 198.51.100.7"));
        let peer = Some(SocketAddr::from(([127, 0, 0, 1], 9000)));
        assert_eq!(RateLimiter::new(1, false).client(peer, &headers), IpAddr::from([127, 0, 0, 1]));
        assert_eq!(RateLimiter::new(1, true).client(peer, &headers), IpAddr::from([198, 51, 100, 7]));
    }
}
