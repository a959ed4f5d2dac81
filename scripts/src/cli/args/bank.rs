//! What an issuing bank states and does on the command line: issuing guarantees and credit
//! confirmations, amending, paying, answering claims.

use std::path::PathBuf;

use alloy::primitives::B256;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use egp::read::RecordRef;
use egp_contracts::{Code, GuaranteeType, Satang};

use super::{ClaimArg, PepperArgs, parse_amount, parse_code, parse_date, parse_guarantee_type, parse_record};

/// A document given as a file (its SHA-256 is used) or directly as a hash.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct DocumentArgs {
    /// The signed document; its SHA-256 becomes the document hash.
    #[arg(long)]
    pub(crate) document: Option<PathBuf>,
    /// The document's SHA-256, if the file is elsewhere.
    #[arg(long)]
    pub(crate) document_hash: Option<B256>,
}

/// What a bank states when it issues a guarantee.
#[derive(Debug, Args)]
pub(crate) struct IssueArgs {
    /// The bank's reference (1 to 35 bytes), unique for the bank.
    #[arg(long = "ref")]
    pub(crate) bank_ref: String,
    /// The issuing branch's code.
    #[arg(long, value_parser = parse_code, default_value = "0001")]
    pub(crate) branch: Code,
    /// TEND, PERF, APAY, RETN, WARR or OTHR.
    #[arg(long = "type", value_parser = parse_guarantee_type)]
    pub(crate) guarantee_type: GuaranteeType,
    /// The amount in baht.
    #[arg(long, value_parser = parse_amount)]
    pub(crate) amount: Satang,
    /// The date on the document (default: today in Bangkok).
    #[arg(long, value_parser = parse_date)]
    pub(crate) issue_date: Option<NaiveDate>,
    /// In force from (default: the issue date).
    #[arg(long, value_parser = parse_date)]
    pub(crate) effective_date: Option<NaiveDate>,
    /// Fixed expiry date (FIXD).
    #[arg(long, value_parser = parse_date, conflicts_with_all = ["open", "condition"])]
    pub(crate) expiry: Option<NaiveDate>,
    /// Open-ended (OPEN).
    #[arg(long)]
    pub(crate) open: bool,
    /// Ends on the condition in this file (COND); only its SHA-256 goes on chain.
    #[arg(long)]
    pub(crate) condition: Option<PathBuf>,
    /// The beneficiary agency's code.
    #[arg(long, value_parser = parse_code)]
    pub(crate) agency: Code,
    /// The e-GP project number.
    #[arg(long, value_parser = parse_code)]
    pub(crate) project: Code,
    /// The procurement contract's number (none for bid security).
    #[arg(long, default_value = "")]
    pub(crate) contract: String,
    /// The environment variable holding the applicant's 13-digit id (prompted for, hidden, if
    /// unset). Only its HMAC commitment leaves this process.
    #[arg(long, value_name = "VAR", default_value = "EGP_APPLICANT_ID")]
    pub(crate) applicant_id_env: String,
    /// Override the applicant type (default: juristic when the id starts with 0).
    #[arg(long, value_enum)]
    pub(crate) applicant_type: Option<ApplicantTypeArg>,
    #[command(flatten)]
    pub(crate) document: DocumentArgs,
    #[command(flatten)]
    pub(crate) pepper: PepperArgs,
}

/// Applicant types on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ApplicantTypeArg {
    /// A company.
    Juristic,
    /// A person.
    Individual,
}

/// What a bank states when it issues a credit confirmation.
#[derive(Debug, Args)]
pub(crate) struct ConfirmArgs {
    /// The bank's reference (1 to 35 bytes), unique for the bank.
    #[arg(long = "ref")]
    pub(crate) bank_ref: String,
    /// The certifying office (head office or authorised branch).
    #[arg(long, value_parser = parse_code, default_value = "HEAD OFFICE")]
    pub(crate) office: Code,
    /// The environment variable holding the supplier's 13-digit id (prompted for, hidden, if unset).
    #[arg(long, value_name = "VAR", default_value = "EGP_SUPPLIER_ID")]
    pub(crate) supplier_id_env: String,
    /// The approved credit line in baht.
    #[arg(long, value_parser = parse_amount)]
    pub(crate) credit_line: Satang,
    /// The date the statement speaks of (default: today).
    #[arg(long, value_parser = parse_date)]
    pub(crate) as_of: Option<NaiveDate>,
    /// End of validity (default: 90 days after issue).
    #[arg(long, value_parser = parse_date)]
    pub(crate) valid_until: Option<NaiveDate>,
    /// For one e-GP project: its number (give --budget too). Without it: supplier registration.
    #[arg(long, value_parser = parse_code, requires = "budget")]
    pub(crate) project: Option<Code>,
    /// The project's budget in baht.
    #[arg(long, value_parser = parse_amount, requires = "project")]
    pub(crate) budget: Option<Satang>,
    #[command(flatten)]
    pub(crate) document: DocumentArgs,
    #[command(flatten)]
    pub(crate) pepper: PepperArgs,
}

/// What an issuing bank does.
#[derive(Debug, Subcommand)]
pub(crate) enum BankCommand {
    /// Issue a guarantee.
    Issue(Box<IssueArgs>),
    /// Cancel a guarantee the agency has not accepted yet.
    Cancel {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
        /// A reason code.
        #[arg(long, value_parser = parse_code)]
        reason: Code,
    },
    /// Propose an amendment (old terms stay in force until the agency accepts).
    Amend {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
        /// The new amount in baht.
        #[arg(long, value_parser = parse_amount)]
        amount: Satang,
        /// The new expiry date (fixed-expiry guarantees).
        #[arg(long, value_parser = parse_date)]
        expiry: Option<NaiveDate>,
        #[command(flatten)]
        document: DocumentArgs,
    },
    /// Pay the open claim, all or part of it.
    Pay {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
        #[command(flatten)]
        claim: ClaimArg,
        /// The amount paid in baht.
        #[arg(long, value_parser = parse_amount)]
        amount: Satang,
        /// The bill-payment or GFMIS reference (its SHA-256 goes on chain for reconciliation).
        #[arg(long)]
        payment_ref: String,
    },
    /// Reject the open claim, listing every discrepancy.
    RejectClaim {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
        #[command(flatten)]
        claim: ClaimArg,
        /// A discrepancy code; repeat for each.
        #[arg(long = "discrepancy", value_parser = parse_code, required = true)]
        discrepancies: Vec<Code>,
    },
    /// Answer an extend-or-pay claim by extending.
    Extend {
        /// The guarantee.
        #[arg(value_parser = parse_record)]
        guarantee: RecordRef,
        #[command(flatten)]
        claim: ClaimArg,
        /// The new expiry date (at least the one requested).
        #[arg(long, value_parser = parse_date)]
        expiry: NaiveDate,
    },
    /// Issue a credit confirmation.
    Confirm(Box<ConfirmArgs>),
    /// Revoke a credit confirmation.
    RevokeConfirmation {
        /// The confirmation.
        #[arg(value_parser = parse_record)]
        confirmation: RecordRef,
        /// A reason code.
        #[arg(long, value_parser = parse_code)]
        reason: Code,
    },
    /// Replace a credit confirmation with a new one for the same supplier.
    SupersedeConfirmation {
        /// The confirmation to replace.
        #[arg(value_parser = parse_record)]
        confirmation: RecordRef,
        #[command(flatten)]
        replacement: Box<ConfirmArgs>,
    },
}
