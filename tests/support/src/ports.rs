//! Free TCP ports on the loopback interface.

use std::net::TcpListener;

/// A port nothing listens on: the OS's pick, released at once (a service started on it a moment
/// later may still lose a race, which is why [`crate::Chain::start`] retries).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port").local_addr().expect("its address").port()
}
