//! The compiler tool's error type.

use std::path::PathBuf;

/// What can go wrong while compiling and writing artifacts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No Solidity compiler where we looked.
    #[error("no Solidity compiler at {}: run scripts/bootstrap (or set SOLC to a solc {} binary)", path.display(), crate::SOLC_VERSION)]
    CompilerMissing {
        /// Where the compiler was expected.
        path: PathBuf,
    },
    /// OpenZeppelin's sources are not installed.
    #[error("OpenZeppelin contracts not found at {}: run scripts/bootstrap", path.display())]
    OpenZeppelinMissing {
        /// Where they were expected.
        path: PathBuf,
    },
    /// The compiler could not be run or its output not read.
    #[error("running the Solidity compiler failed: {0}")]
    Compiler(#[from] foundry_compilers::error::SolcError),
    /// The sources did not compile.
    #[error("the Solidity sources did not compile:\n{diagnostics}")]
    Compilation {
        /// The compiler's diagnostics.
        diagnostics: String,
    },
    /// A contract we need was not in the compiler's output.
    #[error("the compiler produced no artifact for contract {name}")]
    ContractMissing {
        /// The contract's name.
        name: &'static str,
    },
    /// Reading or writing an artifact file failed.
    #[error("cannot access artifact {}: {source}", path.display())]
    ArtifactIo {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// An artifact file is not the JSON we write.
    #[error("artifact {} is not valid JSON: {source}", path.display())]
    ArtifactJson {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
