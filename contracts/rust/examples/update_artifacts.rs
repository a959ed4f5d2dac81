//! Recompiles `contracts/src` and rewrites the committed artifacts in `contracts/artifacts/`.
//! Run it after changing a contract: `cargo run -p egp-contracts --example update-artifacts`.
#![allow(clippy::disallowed_macros, reason = "a developer command that reports what it wrote")]

use egp_contracts::compile::{self, Toolchain};

fn main() -> Result<(), egp_contracts::Error> {
    let toolchain = Toolchain::locate()?;
    for contract in compile::compile(&egp_contracts::tools::contracts_root(), &toolchain)? {
        let path = compile::write_artifact(&contract)?;
        println!("wrote {} ({} bytes of runtime code)", path.display(), contract.deployed_bytecode.len());
    }
    Ok(())
}
