//! Wallets: where a signer's key comes from. Banks, CGD and e-GP each sign from their own:
//! an encrypted JSON keystore (password from an environment variable, a file or a prompt), a
//! mnemonic with an index, or a raw private key from the environment (development only).
//!
//! [`WalletArgs`] are the command-line options that pick one of them; the `egp` command and the
//! API's gateway signer (`egp-api`) both take them. Any signer works with [`crate::Egp::connect`]:
//! it takes an `alloy` `TxSigner`, the trait a hardware security module would implement. Secrets
//! never appear in output, logs or errors.

use std::path::{Path, PathBuf};

use alloy::signers::local::coins_bip39::English;
use alloy::signers::local::{MnemonicBuilder, PrivateKeySigner};
use clap::Args;
use egp_contracts::BankCode;
use zeroize::Zeroizing;

use crate::local::LocalConsortium;
use crate::{Error, Result};

mod keystore;
#[cfg(test)]
mod other_tools;

/// Where the signing key comes from (one of them, for commands that send transactions).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Wallet")]
pub struct WalletArgs {
    /// An encrypted JSON keystore. Its password comes from --password-file, --password-env,
    /// EGP_KEYSTORE_PASSWORD, or a prompt.
    #[arg(long, env = "EGP_KEYSTORE", global = true)]
    pub keystore: Option<PathBuf>,
    /// A file whose first line is the keystore password.
    #[arg(long, env = "EGP_PASSWORD_FILE", global = true)]
    pub password_file: Option<PathBuf>,
    /// The environment variable holding the keystore password.
    #[arg(long, value_name = "VAR", global = true)]
    pub password_env: Option<String>,
    /// The environment variable holding a BIP-39 mnemonic.
    #[arg(long, value_name = "VAR", global = true)]
    pub mnemonic_env: Option<String>,
    /// The account index within the mnemonic.
    #[arg(long, default_value_t = 0, global = true)]
    pub mnemonic_index: u32,
    /// The environment variable holding a raw hex private key (development only).
    #[arg(long, value_name = "VAR", global = true)]
    pub private_key_env: Option<String>,
    /// Development: sign as a party of the local consortium: `admin`, `gateway` or a bank code.
    #[arg(long, value_name = "PARTY", global = true)]
    pub local_account: Option<String>,
    /// The local consortium definition (chain id, mnemonic, parties, agencies); by default the
    /// committed anvil/consortium.json, built into the binary.
    #[arg(long, env = "EGP_CONSORTIUM", global = true)]
    pub consortium: Option<PathBuf>,
}

impl WalletArgs {
    /// The signer the options name, if any. At most one source may be given.
    pub fn signer(&self) -> Result<Option<PrivateKeySigner>> {
        let given = [
            self.keystore.is_some(),
            self.mnemonic_env.is_some(),
            self.private_key_env.is_some(),
            self.local_account.is_some(),
        ];
        if given.iter().filter(|given| **given).count() > 1 {
            return Err(Error::Usage(
                "give one wallet: --keystore, --mnemonic-env, --private-key-env or --local-account".to_owned(),
            ));
        }
        let source = if let Some(path) = &self.keystore {
            WalletSource::Keystore { path: path.clone(), password: self.password_source() }
        } else if let Some(env) = &self.mnemonic_env {
            WalletSource::Mnemonic { env: env.clone(), index: self.mnemonic_index }
        } else if let Some(env) = &self.private_key_env {
            WalletSource::PrivateKeyEnv { env: env.clone() }
        } else if let Some(party) = &self.local_account {
            let consortium = self.local_consortium()?;
            let signer = match party.as_str() {
                "admin" => consortium.admin()?,
                "gateway" => consortium.gateway()?,
                code => consortium.bank(code.parse::<BankCode>()?)?,
            };
            return Ok(Some(signer));
        } else {
            return Ok(None);
        };
        source.load().map(Some)
    }

    /// Where a keystore's password comes from: `--password-file`, `--password-env`,
    /// `EGP_KEYSTORE_PASSWORD`, else a prompt.
    pub fn password_source(&self) -> PasswordSource {
        if let Some(path) = &self.password_file {
            PasswordSource::File(path.clone())
        } else if let Some(env) = &self.password_env {
            PasswordSource::Env(env.clone())
        } else if std::env::var_os("EGP_KEYSTORE_PASSWORD").is_some() {
            PasswordSource::Env("EGP_KEYSTORE_PASSWORD".to_owned())
        } else {
            PasswordSource::Prompt
        }
    }

    /// The local consortium definition: `--consortium`, else the built-in `anvil/consortium.json`.
    pub fn local_consortium(&self) -> Result<LocalConsortium> {
        match &self.consortium {
            Some(path) => LocalConsortium::load(path),
            None => LocalConsortium::embedded(),
        }
    }
}

/// Where a keystore's password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// The value of an environment variable.
    Env(String),
    /// The first line of a file.
    File(PathBuf),
    /// Asked on the terminal, without echo.
    Prompt,
}

/// Where a signer's key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalletSource {
    /// An encrypted JSON keystore (Web3 Secret Storage version 3, read as geth reads it, so
    /// files from ethers.js, eth-account and the like load too).
    Keystore {
        /// The keystore file.
        path: PathBuf,
        /// Its password.
        password: PasswordSource,
    },
    /// A BIP-39 mnemonic, read from an environment variable, and an account index.
    Mnemonic {
        /// The variable holding the phrase.
        env: String,
        /// The account index (m/44'/60'/0'/0/index).
        index: u32,
    },
    /// A mnemonic phrase given directly (the public anvil development mnemonic), and an index.
    DevMnemonic {
        /// The phrase.
        phrase: String,
        /// The account index.
        index: u32,
    },
    /// A hex private key in an environment variable. For development: a warning is logged.
    PrivateKeyEnv {
        /// The variable.
        env: String,
    },
}

fn env_secret(name: &str) -> Result<String> {
    std::env::var(name).map_err(|_| Error::MissingEnv { name: name.to_owned() })
}

impl PasswordSource {
    /// Reads the password; a prompt says `prompt`.
    pub fn read(&self, prompt: &str) -> Result<String> {
        match self {
            Self::Env(name) => env_secret(name),
            Self::File(path) => std::fs::read_to_string(path)
                .map(|text| text.lines().next().unwrap_or_default().to_owned())
                .map_err(|source| Error::Io { path: path.clone(), source }),
            Self::Prompt => {
                rpassword::prompt_password(prompt).map_err(|source| Error::Io { path: "/dev/tty".into(), source })
            }
        }
    }
}

impl WalletSource {
    /// Loads the signer. A wrong keystore password is [`Error::WrongPassword`], a keystore file
    /// that cannot be read [`Error::Keystore`] (found before the password is asked for); nothing
    /// is sent.
    pub fn load(&self) -> Result<PrivateKeySigner> {
        match self {
            Self::Keystore { path, password } => load_keystore(path, password),
            Self::Mnemonic { env, index } => from_mnemonic(&env_secret(env)?, *index),
            Self::DevMnemonic { phrase, index } => from_mnemonic(phrase, *index),
            Self::PrivateKeyEnv { env } => {
                let key = env_secret(env)?;
                tracing::warn!(variable = %env, "signing with a raw private key from the environment: for development only");
                key.trim()
                    .parse::<PrivateKeySigner>()
                    .map_err(|_| Error::Wallet(format!("{env} does not hold a 32-byte hex private key")))
            }
        }
    }
}

/// Reads and checks the keystore file before asking for its password, then decrypts it.
fn load_keystore(path: &Path, password: &PasswordSource) -> Result<PrivateKeySigner> {
    let refuse = |problem: String| Error::Keystore { path: path.to_owned(), problem };
    let io = |source| Error::Io { path: path.to_owned(), source };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(refuse("is not a file".into()));
    }
    let size = metadata.len();
    if size > keystore::MAX_FILE_BYTES {
        return Err(refuse(format!(
            "is {size} bytes, larger than any keystore ({} bytes at most)",
            keystore::MAX_FILE_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| refuse("is not UTF-8 text".into()))?;
    let parsed = keystore::Keystore::parse(&text).map_err(refuse)?;
    let password = Zeroizing::new(password.read(&format!("password for {}: ", path.display()))?);
    parsed.decrypt(&password).map_err(|refusal| match refusal {
        keystore::Refusal::WrongPassword => Error::WrongPassword { path: path.to_owned() },
        keystore::Refusal::Malformed(problem) => refuse(problem),
    })
}

fn from_mnemonic(phrase: &str, index: u32) -> Result<PrivateKeySigner> {
    MnemonicBuilder::<English>::default()
        .phrase(phrase.trim())
        .index(index)
        .and_then(|builder| builder.build())
        .map_err(|_| Error::Wallet(format!("not a valid BIP-39 English mnemonic, or index {index} is out of range")))
}

/// Creates a new random key, encrypts it into a keystore file in `dir`, and returns its signer and
/// the file's path.
pub fn new_keystore(dir: &Path, password: &str) -> Result<(PrivateKeySigner, PathBuf)> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_owned(), source })?;
    let mut rng = rand::thread_rng();
    let (signer, name) = PrivateKeySigner::new_keystore(dir, &mut rng, password, None)
        .map_err(|error| Error::Wallet(format!("cannot write a keystore in {}: {error}", dir.display())))?;
    Ok((signer, dir.join(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANVIL_MNEMONIC: &str = "test test test test test test test test test test test junk";

    #[test]
    fn mnemonic_reproduces_anvil_accounts() {
        let signer = WalletSource::DevMnemonic { phrase: ANVIL_MNEMONIC.into(), index: 0 }.load().unwrap();
        assert_eq!(signer.address().to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        let error = WalletSource::DevMnemonic { phrase: "not a mnemonic".into(), index: 0 }.load().unwrap_err();
        assert!(!error.to_string().contains("not a mnemonic"), "the phrase is never echoed: {error}");
    }

    #[test]
    fn keystore_round_trip_and_wrong_password() {
        let dir = std::env::temp_dir().join(format!("egp-keystore-{}", std::process::id()));
        let (signer, path) = new_keystore(&dir, "correct horse").unwrap();
        let password_file = dir.join("password.txt");
        std::fs::write(&password_file, "correct horse\n").unwrap();
        let loaded = WalletSource::Keystore { path: path.clone(), password: PasswordSource::File(password_file) }
            .load()
            .unwrap();
        assert_eq!(loaded.address(), signer.address());

        let wrong = dir.join("wrong.txt");
        std::fs::write(&wrong, "battery staple").unwrap();
        let error = WalletSource::Keystore { path, password: PasswordSource::File(wrong) }.load().unwrap_err();
        assert!(matches!(error, Error::WrongPassword { .. }), "{error}");
        assert!(!error.to_string().contains("battery"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_secrets_name_the_variable_only() {
        let error = WalletSource::PrivateKeyEnv { env: "EGP_TEST_UNSET_KEY_VARIABLE".into() }.load().unwrap_err();
        assert_eq!(error.to_string(), "environment variable EGP_TEST_UNSET_KEY_VARIABLE is not set");
    }
}
