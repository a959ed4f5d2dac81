//! `update-artifacts`: recompiles `contracts/src` and rewrites the committed artifacts in
//! `contracts/artifacts/`. Run it after changing a contract: `cargo run -p egp-compiler`.
#![allow(clippy::disallowed_macros, reason = "a developer command that reports what it wrote")]

use egp_compiler::{Toolchain, compile, contracts_root, write_artifact};

fn main() -> Result<(), egp_compiler::Error> {
    let toolchain = Toolchain::locate()?;
    for contract in compile(&contracts_root(), &toolchain)? {
        let path = write_artifact(&contract)?;
        println!("wrote {} ({} bytes of runtime code)", path.display(), contract.deployed_bytecode.len());
    }
    Ok(())
}
