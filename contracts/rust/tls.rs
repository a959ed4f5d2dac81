//! TLS for the workspace's HTTP clients (a node's `https://` JSON-RPC, the benchmarks' HTTP).
//!
//! rustls runs on ring everywhere: PostgreSQL connections (sqlx) and `wss://` subscriptions pick
//! it from their own features, while reqwest, alloy's HTTP transport, is built without a provider
//! of its own (its default, aws-lc-rs, is a long C build that needs cmake) and takes the process's
//! default. [`use_ring`] sets that default; every function of the workspace that builds an HTTP
//! client calls it first (reqwest would otherwise refuse to build the client, with a panic).

use std::sync::Once;

/// Makes ring the process's default rustls crypto provider. Cheap after the first call; a
/// provider that the embedding program installed before is kept.
pub fn use_ring() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // An error only says that a default exists already, which is all this needs.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_https_client_builds_on_ring() {
        super::use_ring();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        // reqwest panics here when no provider is installed.
        let client = reqwest::Client::builder().build();
        assert!(client.is_ok(), "{client:?}");
    }
}
