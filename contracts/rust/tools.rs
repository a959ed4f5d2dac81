//! Where the executables `scripts/bootstrap` installs live: `.tools/bin/` at the workspace root,
//! unless the usual variables (`SOLC`, `ANVIL`, `FORGE`) point elsewhere.

use std::path::PathBuf;

/// The `contracts/` folder (the Foundry project) in this checkout.
pub fn contracts_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `.tools/` at the workspace root.
pub fn tools_dir() -> PathBuf {
    contracts_root().parent().expect("contracts/ sits in the workspace").join(".tools")
}

/// `$variable` if set, else `.tools/bin/<name>`. Existence is the caller's to check.
pub fn tool_path(name: &str, variable: &str) -> PathBuf {
    std::env::var_os(variable).map(PathBuf::from).unwrap_or_else(|| tools_dir().join("bin").join(name))
}

/// The anvil binary: `ANVIL` or `.tools/bin/anvil`.
pub fn anvil() -> PathBuf {
    tool_path("anvil", "ANVIL")
}

/// The Solidity compiler: `SOLC` or `.tools/bin/solc`.
pub fn solc() -> PathBuf {
    tool_path("solc", "SOLC")
}
