//! End to end: anvil, the `egp` library for banks and the gateway, the indexer and the API as
//! real processes over a fresh PostgreSQL database, and e-GP's GraphQL requests over HTTP and
//! WebSocket.

mod actions;
mod lifecycle;
mod pages;
mod resilience;
mod shipped;
mod subscriptions;

use chrono::{Days, NaiveDate};
use egp::bank::{ConfirmationPurpose, ConfirmationTerms, reference_hash};
use egp_contracts::{Code, Satang};
use egp_testkit::Stack;

/// The DOMAIN.md example company id and another valid id: the suppliers of these tests.
pub(crate) const COMPANY: &str = "0105564012347";
pub(crate) const PERSON: &str = "1112034563562";

pub(crate) fn code(text: &str) -> Code {
    Code::new(text).expect("a valid code")
}

pub(crate) async fn today(stack: &Stack) -> NaiveDate {
    stack.net().today().await
}

pub(crate) use egp_testkit::guarantee_terms as terms;

/// A project credit confirmation of `credit_line` for a 20,000,000.00 THB budget.
pub(crate) fn confirmation(bank_ref: &str, supplier: &str, credit_line: Satang, today: NaiveDate) -> ConfirmationTerms {
    ConfirmationTerms {
        bank_ref: bank_ref.to_owned(),
        certifying_office: code("HEAD OFFICE"),
        supplier: supplier.parse().expect("a valid id"),
        supplier_type: None,
        credit_line,
        as_of: today,
        valid_until: Some(today.checked_add_days(Days::new(365)).expect("a date")),
        purpose: ConfirmationPurpose::Project { number: code("69029460012"), budget: Satang(2_000_000_000) },
        document_hash: reference_hash(&format!("confirmation {bank_ref}")),
    }
}
