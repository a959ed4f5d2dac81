//! The local consortium for development, defined in `anvil/consortium.json` (embedded in the
//! binaries at build time; `--consortium FILE` reads another): chain id, the deterministic
//! mnemonic, who is who (CGD admin, e-GP gateway, one signer per bank), the agencies. Starts
//! anvil with those settings and sets up the roles after a deployment.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use alloy::primitives::Address;
use alloy::providers::{Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use egp_contracts::{BankCode, Code, IssuerKind};
use serde::Deserialize;

use crate::wallet::WalletSource;
use crate::{Egp, Error, Result};

/// Which mnemonic account is which party.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Accounts {
    /// The CGD admin (also the deployer).
    pub admin: u32,
    /// The e-GP gateway.
    pub gateway: u32,
}

/// An issuer of the local consortium.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalIssuer {
    /// Its bank code.
    pub bank_code: BankCode,
    /// Its name.
    pub name: String,
    /// Bank or finance company.
    pub kind: IssuerKind,
    /// The mnemonic account that signs for it.
    pub account_index: u32,
}

/// An agency of the local consortium.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalAgency {
    /// Its code.
    pub code: Code,
    /// Its name.
    pub name: String,
}

/// The local consortium's definition.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalConsortium {
    /// The chain id anvil serves (a private consortium id).
    pub chain_id: u64,
    /// The deterministic development mnemonic (public: never use it for real funds).
    pub mnemonic: String,
    /// Seconds between blocks; `None` mines each transaction at once.
    pub block_time: Option<u64>,
    /// The default RPC port.
    pub port: u16,
    /// Who is who among the mnemonic's accounts.
    pub accounts: Accounts,
    /// The issuers, each with its signer account.
    pub issuers: Vec<LocalIssuer>,
    /// The agencies.
    pub agencies: Vec<LocalAgency>,
}

impl LocalConsortium {
    /// The committed `anvil/consortium.json`, as embedded at build time.
    pub const EMBEDDED: &'static str = include_str!("../../anvil/consortium.json");

    /// The committed definition, embedded at build time: what every local tool uses unless
    /// given another file.
    pub fn embedded() -> Result<Self> {
        Self::parse(Self::EMBEDDED, Path::new("anvil/consortium.json (built in)"))
    }

    /// Reads and checks a definition file: unique bank codes, agency codes and accounts.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
        Self::parse(&text, path)
    }

    /// Checks a definition read from `origin`.
    fn parse(text: &str, origin: &Path) -> Result<Self> {
        let invalid = |reason: String| Error::Consortium { path: origin.to_owned(), reason };
        let consortium: Self = serde_json::from_str(text).map_err(|error| invalid(error.to_string()))?;
        let mut accounts = vec![consortium.accounts.admin, consortium.accounts.gateway];
        accounts.extend(consortium.issuers.iter().map(|issuer| issuer.account_index));
        let mut sorted = accounts.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != accounts.len() {
            return Err(invalid("two parties share one account index".to_owned()));
        }
        let mut banks: Vec<_> = consortium.issuers.iter().map(|issuer| issuer.bank_code).collect();
        banks.sort_unstable();
        if let Some(pair) = banks.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(invalid(format!("bank code {} appears twice", pair[0])));
        }
        let mut agencies: Vec<_> = consortium.agencies.iter().map(|agency| agency.code.clone()).collect();
        agencies.sort_unstable();
        if let Some(pair) = agencies.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(invalid(format!("agency code {} appears twice", pair[0])));
        }
        Ok(consortium)
    }

    /// How many accounts anvil must fund: one past the highest index in use.
    pub fn account_count(&self) -> u32 {
        self.issuers
            .iter()
            .map(|issuer| issuer.account_index)
            .chain([self.accounts.admin, self.accounts.gateway])
            .max()
            .unwrap_or(0)
            + 1
    }

    /// The signer of mnemonic account `index`.
    pub fn signer(&self, index: u32) -> Result<PrivateKeySigner> {
        WalletSource::DevMnemonic { phrase: self.mnemonic.clone(), index }.load()
    }

    /// The CGD admin's signer.
    pub fn admin(&self) -> Result<PrivateKeySigner> {
        self.signer(self.accounts.admin)
    }

    /// The e-GP gateway's signer.
    pub fn gateway(&self) -> Result<PrivateKeySigner> {
        self.signer(self.accounts.gateway)
    }

    /// The signer of `bank`.
    pub fn bank(&self, bank: BankCode) -> Result<PrivateKeySigner> {
        let issuer = self
            .issuers
            .iter()
            .find(|issuer| issuer.bank_code == bank)
            .ok_or_else(|| Error::Usage(format!("bank {bank} is not in the local consortium")))?;
        self.signer(issuer.account_index)
    }

    /// Admits every issuer with its signer, registers every agency and authorises the gateway,
    /// signing as the admin through `admin`.
    pub async fn set_up_roles(&self, admin: &Egp) -> Result<()> {
        for issuer in &self.issuers {
            admin.admit_issuer(issuer.bank_code, issuer.kind, &issuer.name).await?;
            admin.add_signer(issuer.bank_code, self.signer(issuer.account_index)?.address()).await?;
        }
        for agency in &self.agencies {
            admin.register_agency(&agency.code, &agency.name).await?;
        }
        admin.authorise_gateway(self.gateway()?.address()).await?;
        Ok(())
    }

    /// The party table (role, bank code, name, address) for people.
    pub fn parties(&self) -> Result<Vec<(String, Address)>> {
        let mut parties = vec![
            ("CGD admin".to_owned(), self.admin()?.address()),
            ("e-GP gateway".to_owned(), self.gateway()?.address()),
        ];
        for issuer in &self.issuers {
            parties.push((
                format!("bank {} {}", issuer.bank_code, issuer.name),
                self.signer(issuer.account_index)?.address(),
            ));
        }
        Ok(parties)
    }
}

/// How to run the local chain.
#[derive(Debug, Clone)]
pub struct AnvilOptions {
    /// The anvil binary (see `egp_contracts::tools::find_anvil`).
    pub anvil: PathBuf,
    /// The port to listen on.
    pub port: u16,
    /// Seconds between blocks; `None` mines each transaction at once.
    pub block_time: Option<u64>,
    /// Keep the chain's state in this file across restarts (loaded at start, saved at exit).
    pub state: Option<PathBuf>,
    /// Keep the states of the latest [`IN_MEMORY_STATES`] blocks in memory and none on disk
    /// (`--prune-history`), for a chain that `anvil_rollback` reorganises: by default anvil
    /// moves older states to its disk cache (`~/.foundry/anvil/tmp`; past about 500 blocks it
    /// keeps as few as the latest 10 in memory), and anvil 1.7.1 rolled back onto a state from
    /// that cache has lost the contracts' code, so every later call answers empty. With this,
    /// calls at blocks further below the head fail instead.
    pub states_in_memory: bool,
}

/// How many of the latest blocks' states anvil keeps with [`AnvilOptions::states_in_memory`]; a
/// rollback must be shallower.
pub const IN_MEMORY_STATES: u64 = 64;

/// A running local chain; stopping it (or dropping this) ends anvil.
#[derive(Debug)]
pub struct LocalChain {
    child: tokio::process::Child,
    /// The HTTP RPC endpoint.
    pub url: String,
}

impl LocalChain {
    /// Waits until anvil exits (for a foreground `egp chain`).
    pub async fn wait(&mut self) -> Result<()> {
        self.child.wait().await.map(|_| ()).map_err(|source| Error::Io { path: "anvil".into(), source })
    }

    /// Stops anvil gracefully (SIGTERM, so that `--state` is saved), then waits for it.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(pid) = self.child.id() {
            // tokio would send SIGKILL; anvil saves --state only on a graceful SIGTERM.
            let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
        }
        self.wait().await
    }
}

/// Starts anvil with the consortium's chain id, mnemonic and accounts, waits until its RPC
/// answers, and returns it. A port already in use is an error naming the port.
pub async fn start_anvil(consortium: &LocalConsortium, options: &AnvilOptions) -> Result<LocalChain> {
    if !options.anvil.is_file() {
        return Err(Error::Anvil {
            path: options.anvil.clone(),
            reason: "no such file: set ANVIL to anvil's path, put it on PATH, or run scripts/bootstrap in a checkout"
                .to_owned(),
        });
    }
    if TcpListener::bind(("127.0.0.1", options.port)).is_err() {
        return Err(Error::Usage(format!(
            "port {} is already in use: stop what runs there or pass --port",
            options.port
        )));
    }
    let mut command = tokio::process::Command::new(&options.anvil);
    command
        .args(["--host", "127.0.0.1", "--port", &options.port.to_string()])
        .args(["--chain-id", &consortium.chain_id.to_string()])
        .args(["--mnemonic", &consortium.mnemonic])
        .args(["--accounts", &consortium.account_count().to_string()])
        .args(["--hardfork", "cancun"])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(seconds) = options.block_time.or(consortium.block_time) {
        command.args(["--block-time", &seconds.to_string()]);
    }
    if let Some(state) = &options.state {
        command.arg("--state").arg(state);
    }
    if options.states_in_memory {
        command.args(["--prune-history", &IN_MEMORY_STATES.to_string()]);
    }
    let child =
        command.spawn().map_err(|error| Error::Anvil { path: options.anvil.clone(), reason: error.to_string() })?;
    let url = format!("http://127.0.0.1:{}", options.port);
    let mut chain = LocalChain { child, url };
    egp_contracts::tls::use_ring();
    let provider = ProviderBuilder::new().connect_http(chain.url.parse().expect("a valid URL"));
    for _ in 0..200 {
        if let Ok(chain_id) = provider.get_chain_id().await {
            if chain_id != consortium.chain_id {
                return Err(Error::Usage(format!(
                    "the chain at {} has id {chain_id}, the consortium definition says {}",
                    chain.url, consortium.chain_id
                )));
            }
            return Ok(chain);
        }
        if let Ok(Some(status)) = chain.child.try_wait() {
            return Err(Error::Anvil { path: options.anvil.clone(), reason: format!("exited at start ({status})") });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(Error::Anvil { path: options.anvil.clone(), reason: "its RPC did not answer within 10 s".to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_definition_is_valid() {
        let consortium = LocalConsortium::embedded().unwrap();
        assert_ne!(consortium.chain_id, 1);
        assert_ne!(consortium.chain_id, 31337);
        assert_eq!(consortium.issuers.len(), 22);
        assert!(consortium.agencies.len() >= 5);
        assert_eq!(consortium.account_count(), 24);
        assert_eq!(consortium.parties().unwrap().len(), 24);
    }
}
