//! The command line's arguments (clap). Every option can also come from the environment where
//! noted; secrets only ever come from the environment, a file or a prompt, never from a flag.

use std::path::PathBuf;

use alloy::primitives::Address;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use egp::read::RecordRef;
use egp::wallet::WalletArgs;
use egp_contracts::{BankCode, Code, GuaranteeType, IssuerKind, Satang};

mod bank;
mod gateway;

pub(crate) use bank::*;
pub(crate) use gateway::*;

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    egp_contracts::dates::parse_date(text).map_err(|error| error.to_string())
}

fn parse_amount(text: &str) -> Result<Satang, String> {
    Satang::from_baht(text).map_err(|error| error.to_string())
}

fn parse_code(text: &str) -> Result<Code, String> {
    Code::new(text).map_err(|error| error.to_string())
}

fn parse_bank(text: &str) -> Result<BankCode, String> {
    text.parse().map_err(|error: egp_contracts::Error| error.to_string())
}

fn parse_record(text: &str) -> Result<RecordRef, String> {
    text.parse().map_err(|error: egp::Error| error.to_string())
}

fn parse_guarantee_type(text: &str) -> Result<GuaranteeType, String> {
    text.parse().map_err(|error: egp_contracts::Error| error.to_string())
}

/// egp: deploy egp-chain and drive e-LGs and credit confirmations as the consortium admin
/// (CGD), a bank, or e-GP acting for an agency. Each party signs from its own wallet.
///
/// Amounts are baht (1,234,567.89); dates are YYYY-MM-DD, Bangkok time; a guarantee or
/// confirmation is named by its id (0x…) or as BANK/REFERENCE (002/LG-2569-000001).
#[derive(Debug, Parser)]
#[command(name = "egp", version, max_term_width = 100)]
pub(crate) struct Cli {
    /// The node's HTTP RPC URL.
    #[arg(long, env = "EGP_RPC_URL", default_value = "http://127.0.0.1:8545", global = true)]
    pub(crate) rpc_url: String,
    /// The deployment manifest (written by `egp deploy`, read by everything else).
    #[arg(long, env = "EGP_MANIFEST", default_value = "deployment.json", global = true)]
    pub(crate) manifest: PathBuf,
    /// Print JSON for machines instead of text.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Simulate transactions (eth_call and gas estimate) without sending them.
    #[arg(long, global = true)]
    pub(crate) dry_run: bool,
    #[command(flatten)]
    pub(crate) wallet: WalletArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the HMAC pepper for 13-digit id commitments comes from.
#[derive(Debug, Args)]
pub(crate) struct PepperArgs {
    /// The environment variable holding the pepper (hex, at least 16 bytes).
    #[arg(long, value_name = "VAR", default_value = "EGP_PEPPER")]
    pub(crate) pepper_env: String,
    /// A file holding the pepper (hex), instead of the environment.
    #[arg(long)]
    pub(crate) pepper_file: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Start the local consortium chain (anvil with the built-in anvil/consortium.json); Ctrl-C stops it.
    Chain(ChainArgs),
    /// Deploy the contracts and write the manifest (nothing changes if already deployed).
    Deploy(DeployArgs),
    /// Fill a development chain with realistic demo data (signs as the local parties).
    Seed(SeedArgs),
    /// Consortium administration (CGD).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// What an issuing bank does.
    #[command(subcommand)]
    Bank(BankCommand),
    /// What e-GP does for an agency, through its gateway.
    #[command(subcommand)]
    Gateway(GatewayCommand),
    /// Mark a guarantee or confirmation whose time has passed as expired (anyone may).
    #[command(subcommand)]
    Expire(ExpireCommand),
    /// Show what the contracts hold now.
    #[command(subcommand)]
    Show(ShowCommand),
    /// Create a keystore, or show the configured wallet's address.
    #[command(subcommand)]
    Wallet(WalletCommand),
}

/// `egp chain`.
#[derive(Debug, Args)]
pub(crate) struct ChainArgs {
    /// The RPC port (default: the definition's, 8545).
    #[arg(long)]
    pub(crate) port: Option<u16>,
    /// Seconds between blocks (default: mine each transaction at once).
    #[arg(long)]
    pub(crate) block_time: Option<u64>,
    /// Keep the chain's state in this file across restarts.
    #[arg(long)]
    pub(crate) state: Option<PathBuf>,
}

/// `egp deploy`.
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The consortium admin (CGD); by default the deployer.
    #[arg(long)]
    pub(crate) admin: Option<Address>,
    /// Also admit the definition's issuers and signers, register its agencies and authorise its
    /// gateway (the local consortium).
    #[arg(long)]
    pub(crate) with_roles: bool,
    /// Deploy again even if the manifest's contracts are on this chain.
    #[arg(long)]
    pub(crate) redeploy: bool,
}

/// `egp seed`.
#[derive(Debug, Args)]
pub(crate) struct SeedArgs {
    /// How many guarantees.
    #[arg(long, default_value_t = 200)]
    pub(crate) guarantees: usize,
    /// The random seed (same seed, same data).
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
}

/// Consortium administration.
#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Admit an issuer.
    AdmitIssuer {
        /// Its 3-digit bank code.
        #[arg(long, value_parser = parse_bank)]
        bank: BankCode,
        /// Its name.
        #[arg(long)]
        name: String,
        /// Bank or finance company.
        #[arg(long, value_enum, default_value_t = KindArg::Bank)]
        kind: KindArg,
    },
    /// Suspend an issuer: its signers can do nothing.
    SuspendIssuer {
        /// Its bank code.
        #[arg(long, value_parser = parse_bank)]
        bank: BankCode,
        /// The reason (only its SHA-256 goes on chain).
        #[arg(long)]
        reason: String,
    },
    /// Resume a suspended issuer.
    ResumeIssuer {
        /// Its bank code.
        #[arg(long, value_parser = parse_bank)]
        bank: BankCode,
    },
    /// Let an address sign for an issuer.
    AddSigner {
        /// The issuer's bank code.
        #[arg(long, value_parser = parse_bank)]
        bank: BankCode,
        /// The signer's address.
        #[arg(long)]
        address: Address,
    },
    /// Stop an address signing for an issuer.
    RemoveSigner {
        /// The issuer's bank code.
        #[arg(long, value_parser = parse_bank)]
        bank: BankCode,
        /// The signer's address.
        #[arg(long)]
        address: Address,
    },
    /// Register a government agency.
    RegisterAgency {
        /// Its code (GFMIS department code).
        #[arg(long, value_parser = parse_code)]
        code: Code,
        /// Its name.
        #[arg(long)]
        name: String,
    },
    /// Authorise an e-GP gateway address.
    AuthoriseGateway {
        /// The address.
        #[arg(long)]
        address: Address,
    },
    /// Revoke an e-GP gateway address.
    RevokeGateway {
        /// The address.
        #[arg(long)]
        address: Address,
    },
    /// Suspend a guarantee (court order or fraud).
    SuspendGuarantee {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
        /// The reason (only its SHA-256 goes on chain).
        #[arg(long)]
        reason: String,
    },
    /// Resume a suspended guarantee.
    ResumeGuarantee {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
        /// The reason (only its SHA-256 goes on chain).
        #[arg(long)]
        reason: String,
    },
}

/// Issuer kinds on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum KindArg {
    /// A commercial bank.
    Bank,
    /// A finance company licensed for guarantee business.
    FinanceCompany,
}

impl From<KindArg> for IssuerKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Bank => Self::Bank,
            KindArg::FinanceCompany => Self::FinanceCompany,
        }
    }
}

/// Expiry by anyone.
#[derive(Debug, Subcommand)]
pub(crate) enum ExpireCommand {
    /// A guarantee whose fixed expiry has passed.
    Guarantee {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
    },
    /// A credit confirmation past its validity.
    Confirmation {
        /// The confirmation.
        #[arg(value_parser = parse_record)]
        confirmation: RecordRef,
    },
}

/// Reads.
#[derive(Debug, Subcommand)]
pub(crate) enum ShowCommand {
    /// A guarantee as the registry holds it now.
    Guarantee {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
        #[command(flatten)]
        qr: QrArgs,
    },
    /// A credit confirmation as the registry holds it now.
    Confirmation {
        /// The confirmation.
        #[arg(value_parser = parse_record)]
        confirmation: RecordRef,
        #[command(flatten)]
        qr: QrArgs,
    },
    /// An issuer as the consortium holds it.
    Issuer {
        /// Its bank code.
        #[arg(value_parser = parse_bank)]
        bank: BankCode,
    },
    /// The local consortium's parties: who is which bank, with their addresses.
    Parties,
}

/// The QR code of a record's public verification page, for the bank to print on the document.
#[derive(Debug, Args)]
pub(crate) struct QrArgs {
    /// Also write the QR code (SVG) of the record's public verification page to this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) qr: Option<PathBuf>,
    /// The public pages' base URL the QR code points to (egp-api's --public-url).
    #[arg(long, env = "EGP_PUBLIC_URL", value_name = "URL")]
    pub(crate) public_url: Option<String>,
}

/// Wallet helpers.
#[derive(Debug, Subcommand)]
pub(crate) enum WalletCommand {
    /// Create a new key in an encrypted keystore (password from --password-file, --password-env,
    /// EGP_KEYSTORE_PASSWORD or a prompt).
    New {
        /// The folder to write the keystore into.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Print the configured wallet's address.
    Address,
}
