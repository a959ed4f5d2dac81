//! What e-GP does for an agency on the command line, through its gateway.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use egp::read::RecordRef;
use egp_contracts::{Code, Satang};

use super::{DocumentArgs, parse_amount, parse_code, parse_date, parse_record};

/// What e-GP does for an agency.
#[derive(Debug, Subcommand)]
pub(crate) enum GatewayCommand {
    /// Accept a pending guarantee.
    Accept(AgencyTarget),
    /// Reject a pending guarantee.
    Reject {
        #[command(flatten)]
        target: AgencyTarget,
        /// A reason code.
        #[arg(long, value_parser = parse_code)]
        reason: Code,
    },
    /// Accept the pending amendment.
    AcceptAmendment {
        #[command(flatten)]
        target: AgencyTarget,
        #[command(flatten)]
        amendment: AmendmentArg,
    },
    /// Reject the pending amendment.
    RejectAmendment {
        #[command(flatten)]
        target: AgencyTarget,
        #[command(flatten)]
        amendment: AmendmentArg,
        /// A reason code.
        #[arg(long, value_parser = parse_code)]
        reason: Code,
    },
    /// Release part of the outstanding amount.
    Reduce {
        #[command(flatten)]
        target: AgencyTarget,
        /// By how much, in baht.
        #[arg(long, value_parser = parse_amount)]
        amount: Satang,
    },
    /// Release the guarantee in full.
    Release {
        #[command(flatten)]
        target: AgencyTarget,
        /// The date the contractor's obligations ended (default: today).
        #[arg(long, value_parser = parse_date)]
        obligations_ended: Option<NaiveDate>,
    },
    /// Demand payment, or (with --extend-to) an extension or else payment.
    Claim {
        #[command(flatten)]
        target: AgencyTarget,
        /// The amount demanded in baht.
        #[arg(long, value_parser = parse_amount)]
        amount: Satang,
        /// Extend or pay: the expiry date asked for.
        #[arg(long, value_parser = parse_date)]
        extend_to: Option<NaiveDate>,
        #[command(flatten)]
        demand: DocumentArgs,
    },
    /// Withdraw the open claim.
    WithdrawClaim(AgencyTarget),
    /// Replace a guarantee with an accepted replacement or top-up.
    Supersede {
        #[command(flatten)]
        target: AgencyTarget,
        /// The replacing guarantee.
        #[arg(long, value_parser = parse_record)]
        replacement: RecordRef,
    },
}

/// Which claim an answer is for.
#[derive(Debug, Args)]
pub(crate) struct ClaimArg {
    /// The sequence number of the claim this answers, as `egp show guarantee` printed it: nothing
    /// is sent if another claim is open by now. Without it, the claim open now.
    #[arg(long = "claim", value_name = "SEQUENCE")]
    pub(crate) sequence: Option<u16>,
}

/// Which amendment an answer is for.
#[derive(Debug, Args)]
pub(crate) struct AmendmentArg {
    /// The sequence number of the amendment this answers, as `egp show guarantee` printed it:
    /// nothing is sent if another amendment is pending by now. Without it, the one pending now.
    #[arg(long = "amendment", value_name = "SEQUENCE")]
    pub(crate) sequence: Option<u16>,
}

/// A guarantee and the agency e-GP acts for.
#[derive(Debug, Args)]
pub(crate) struct AgencyTarget {
    /// The guarantee.
    #[arg(value_parser = parse_record)]
    pub(crate) guarantee: RecordRef,
    /// The agency e-GP acts for (the guarantee's beneficiary).
    #[arg(long, value_parser = parse_code)]
    pub(crate) agency: Code,
}
