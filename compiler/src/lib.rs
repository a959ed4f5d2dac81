//! egp-compiler: the developer tool that compiles the Solidity sources with foundry-compilers
//! (offline, with an explicit compiler, never a download, with the same settings as
//! `foundry.toml`) and rewrites the committed artifacts that `egp-contracts` embeds. It runs in a
//! checkout only; no shipped binary links it (`cargo tree -p egp -e normal` shows no
//! foundry-compilers).

use std::path::{Path, PathBuf};

use egp_contracts::artifacts::{CompiledContract, DEPLOYED_CONTRACTS};
use foundry_compilers::artifacts::remappings::Remapping;
use foundry_compilers::artifacts::{
    BytecodeHash, EvmVersion, Optimizer, Settings, SettingsMetadata, output_selection::OutputSelection,
};
use foundry_compilers::solc::{Solc, SolcCompiler, SolcSettings};
use foundry_compilers::{Artifact, ConfigurableArtifacts, ProjectBuilder, ProjectPathsConfig};

mod error;

pub use error::{Error, Result};

/// The compiler version the committed artifacts were built with.
pub const SOLC_VERSION: &str = "0.8.37";

/// solc 0.8.37 warns (6335) that `at` will become a keyword, in OpenZeppelin's sources.
const IGNORED_WARNINGS: [u64; 1] = [6335];

/// What compiling needs besides the sources.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// A `solc`-compatible executable (native solc or the project's solcjs adapter).
    pub solc: PathBuf,
    /// OpenZeppelin's `contracts/` folder.
    pub openzeppelin: PathBuf,
}

impl Toolchain {
    /// The compiler from `SOLC` if set, else the bootstrapped `.tools/bin/solc`; OpenZeppelin from
    /// `.tools/node_modules`. Fails with "run scripts/bootstrap" when either is missing.
    pub fn locate() -> Result<Self> {
        let solc = std::env::var_os("SOLC").map_or_else(|| tools_dir().join("bin/solc"), PathBuf::from);
        if !solc.is_file() {
            return Err(Error::CompilerMissing { path: solc });
        }
        let openzeppelin = tools_dir().join("node_modules/@openzeppelin/contracts");
        if !openzeppelin.is_dir() {
            return Err(Error::OpenZeppelinMissing { path: openzeppelin });
        }
        Ok(Self { solc, openzeppelin })
    }
}

/// The compiler settings: optimizer at 200 runs, Cancun, no metadata hash (so the bytecode
/// depends on the sources only and committed artifacts can be compared byte for byte).
fn settings() -> Settings {
    let mut settings = Settings::new(OutputSelection::default_output_selection());
    settings.optimizer = Optimizer { enabled: Some(true), runs: Some(200), details: None };
    settings.evm_version = Some(EvmVersion::Cancun);
    settings.metadata = Some(SettingsMetadata::new(BytecodeHash::None, false));
    settings
}

/// Compiles the Foundry project at `root` (its `src/`) and returns the deployed contracts.
pub fn compile(root: &Path, toolchain: &Toolchain) -> Result<Vec<CompiledContract>> {
    let solc = Solc::new(&toolchain.solc)?;
    // `0.8.37+commit.f401782d`: the platform suffix differs between native solc and solcjs builds
    // of the same compiler, so it is left out.
    let commit = solc.version.build.as_str().split('.').take(2).collect::<Vec<_>>().join(".");
    let compiler_version = format!(
        "{}.{}.{}{}",
        solc.version.major,
        solc.version.minor,
        solc.version.patch,
        if commit.is_empty() { String::new() } else { format!("+{commit}") }
    );
    let paths = ProjectPathsConfig::builder()
        .root(root)
        .sources(root.join("src"))
        .remapping(Remapping {
            context: None,
            name: "@openzeppelin/contracts/".into(),
            path: format!("{}/", toolchain.openzeppelin.display()),
        })
        .build_with_root(root);
    let project = ProjectBuilder::<SolcCompiler, ConfigurableArtifacts>::default()
        .paths(paths)
        .settings(SolcSettings { settings: settings(), ..Default::default() })
        .ignore_error_codes(IGNORED_WARNINGS)
        .offline()
        .ephemeral()
        .no_artifacts()
        .build(SolcCompiler::Specific(solc))
        .map_err(Error::Compiler)?;
    let output = project.compile()?;
    if output.has_compiler_errors() {
        return Err(Error::Compilation { diagnostics: output.to_string() });
    }
    DEPLOYED_CONTRACTS
        .iter()
        .map(|&name| {
            let artifact = output.find_first(name).ok_or(Error::ContractMissing { name })?;
            let abi = artifact.get_abi().ok_or(Error::ContractMissing { name })?.into_owned();
            let bytecode = artifact.get_bytecode_bytes().ok_or(Error::ContractMissing { name })?.into_owned();
            let deployed_bytecode =
                artifact.get_deployed_bytecode_bytes().ok_or(Error::ContractMissing { name })?.into_owned();
            Ok(CompiledContract {
                contract_name: name.to_owned(),
                compiler_version: compiler_version.clone(),
                abi,
                bytecode,
                deployed_bytecode,
            })
        })
        .collect()
}

/// The `contracts/` folder (the Foundry project) of this checkout.
pub fn contracts_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("compiler/ sits in the workspace").join("contracts")
}

/// `.tools/` of this checkout, where `scripts/bootstrap` installs the compiler and OpenZeppelin.
pub fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("compiler/ sits in the workspace").join(".tools")
}

/// Where the committed artifact of `name` lives: `contracts/artifacts/<name>.json`.
pub fn artifact_path(name: &str) -> PathBuf {
    contracts_root().join("artifacts").join(format!("{name}.json"))
}

/// Reads a committed artifact from its file.
pub fn read_artifact(name: &str) -> Result<CompiledContract> {
    let path = artifact_path(name);
    let text = std::fs::read_to_string(&path).map_err(|source| Error::ArtifactIo { path: path.clone(), source })?;
    serde_json::from_str(&text).map_err(|source| Error::ArtifactJson { path, source })
}

/// Writes `contract` as its committed artifact (what `sol!` reads at build time).
pub fn write_artifact(contract: &CompiledContract) -> Result<PathBuf> {
    let path = artifact_path(&contract.contract_name);
    let mut text = serde_json::to_string_pretty(contract).expect("artifacts serialise");
    text.push('\n');
    std::fs::write(&path, text).map_err(|source| Error::ArtifactIo { path: path.clone(), source })?;
    Ok(path)
}
