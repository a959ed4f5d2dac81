//! Rebuilds the crate when a migration changes: `sqlx::migrate!()` embeds `migrations/` at
//! compile time, and cargo does not watch that folder by itself.
#![allow(clippy::disallowed_macros, reason = "build scripts talk to cargo on stdout")]

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
