//! What an issuing bank does: issue a guarantee, cancel it before acceptance, propose an
//! amendment, pay or reject a claim, extend in answer to extend-or-pay; issue, revoke and supersede
//! credit confirmations. Applicants' 13-digit ids are validated and committed here, locally: the
//! plain id never leaves the process.
//!
//! The answers to a claim ([`Egp::pay`], [`Egp::reject_claim`], [`Egp::extend`]) name the claim
//! they answer, as the contract requires: give the sequence number you read (`Some(n)`), or `None`
//! to have it read here. Either way nothing is sent when no claim is open or when claim `n` is no
//! longer the open one.

use std::path::Path;

use alloy::primitives::B256;
use chrono::NaiveDate;
use egp_contracts::bindings::credit_confirmation_registry::ICreditConfirmationRegistry::ConfirmationRequest;
use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::IssueRequest;
use egp_contracts::types::{check_bank_ref, record_id};
use egp_contracts::{
    ApplicantType, BankCode, Code, ConfirmationStatus, ExpiryType, GuaranteeType, Pepper, Purpose, Satang, ThaiId,
    dates,
};
use sha2::{Digest, Sha256};

use crate::outcome::{Outcome, Subject};
use crate::{Egp, Error, Result, Sent};

/// SHA-256 of a file: the document hash of a signed guarantee or confirmation.
pub fn document_hash(path: &Path) -> Result<B256> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    Ok(B256::from_slice(&Sha256::digest(bytes)))
}

/// SHA-256 of a reference text (a bill-payment or GFMIS reference, a reason): what goes on chain,
/// so that both sides can reconcile by hashing the same text.
pub fn reference_hash(text: &str) -> B256 {
    B256::from_slice(&Sha256::digest(text.trim().as_bytes()))
}

/// Juristic when the id starts with 0 (a registration number), else individual.
fn default_type(id: &ThaiId) -> ApplicantType {
    if id.is_juristic() { ApplicantType::Juristic } else { ApplicantType::Individual }
}

/// When a guarantee ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiry {
    /// At the end of this Bangkok date.
    Fixed(NaiveDate),
    /// Open-ended.
    Open,
    /// On a condition, given as the hash of its text.
    Conditional(B256),
}

/// Everything a bank states when it issues an e-LG (DOMAIN.md's record fields). Currency is THB.
#[derive(Debug, Clone)]
pub struct GuaranteeTerms {
    /// The bank's reference (1 to 35 bytes), unique per bank.
    pub bank_ref: String,
    /// Issuing branch code.
    pub branch: Code,
    /// Type.
    pub guarantee_type: GuaranteeType,
    /// Amount.
    pub amount: Satang,
    /// Date on the document.
    pub issue_date: NaiveDate,
    /// In force from.
    pub effective_date: NaiveDate,
    /// Expiry.
    pub expiry: Expiry,
    /// Beneficiary agency.
    pub agency: Code,
    /// e-GP project number.
    pub project_number: Code,
    /// The procurement contract's number (empty for bid security).
    pub contract_number: String,
    /// The applicant's 13-digit id: only its commitment leaves this process.
    pub applicant: ThaiId,
    /// Juristic or individual; by default juristic when the id starts with 0.
    pub applicant_type: Option<ApplicantType>,
    /// SHA-256 of the signed guarantee document.
    pub document_hash: B256,
}

impl GuaranteeTerms {
    /// The registry's `IssueRequest`, with the applicant committed under `pepper`.
    pub fn to_request(&self, pepper: &Pepper) -> Result<IssueRequest> {
        check_bank_ref(&self.bank_ref)?;
        let (expiry_type, expiry_date, condition) = match &self.expiry {
            Expiry::Fixed(date) => (ExpiryType::FIXD, dates::end_of_day(*date), B256::ZERO),
            Expiry::Open => (ExpiryType::OPEN, 0, B256::ZERO),
            Expiry::Conditional(hash) => (ExpiryType::COND, 0, *hash),
        };
        let applicant_type = self.applicant_type.unwrap_or_else(|| default_type(&self.applicant));
        Ok(IssueRequest {
            bankRef: self.bank_ref.clone(),
            branchCode: self.branch.to_b256(),
            guaranteeType: self.guarantee_type.into(),
            amount: self.amount.0,
            issueDate: dates::start_of_day(self.issue_date),
            effectiveDate: dates::start_of_day(self.effective_date),
            expiryType: expiry_type.into(),
            expiryDate: expiry_date,
            expiryConditionHash: condition,
            agencyCode: self.agency.to_b256(),
            projectNumber: self.project_number.to_b256(),
            contractNumber: self.contract_number.clone(),
            applicantCommitment: self.applicant.commit(pepper),
            applicantType: applicant_type.into(),
            documentHash: self.document_hash,
        })
    }
}

/// An amendment a bank proposes: the old terms stay in force until the agency accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    /// The new guaranteed amount.
    pub new_amount: Satang,
    /// The new expiry date (fixed-expiry guarantees only).
    pub new_expiry: Option<NaiveDate>,
    /// SHA-256 of the amendment document.
    pub terms_hash: B256,
}

/// Everything a bank states when it issues a credit confirmation.
#[derive(Debug, Clone)]
pub struct ConfirmationTerms {
    /// The bank's reference (1 to 35 bytes), unique per bank.
    pub bank_ref: String,
    /// Head office or authorised branch that certifies it.
    pub certifying_office: Code,
    /// The supplier's 13-digit id: only its commitment leaves this process.
    pub supplier: ThaiId,
    /// Juristic or individual; by default juristic when the id starts with 0.
    pub supplier_type: Option<ApplicantType>,
    /// Approved credit facilities.
    pub credit_line: Satang,
    /// The date the statement speaks of.
    pub as_of: NaiveDate,
    /// End of validity (Bangkok date); by default 90 days after issue.
    pub valid_until: Option<NaiveDate>,
    /// What it is for, with the project number and budget for PROJECT.
    pub purpose: ConfirmationPurpose,
    /// SHA-256 of the signed confirmation document.
    pub document_hash: B256,
}

/// A credit confirmation's purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmationPurpose {
    /// One e-GP project.
    Project {
        /// e-GP project number.
        number: Code,
        /// The project's budget.
        budget: Satang,
    },
    /// Supplier registration.
    Registration,
}

impl ConfirmationTerms {
    /// The registry's `ConfirmationRequest`, with the supplier committed under `pepper`.
    pub fn to_request(&self, pepper: &Pepper) -> Result<ConfirmationRequest> {
        check_bank_ref(&self.bank_ref)?;
        let (purpose, project, budget) = match &self.purpose {
            ConfirmationPurpose::Project { number, budget } => (Purpose::PROJECT, number.to_b256(), budget.0),
            ConfirmationPurpose::Registration => (Purpose::REGISTRATION, B256::ZERO, 0),
        };
        let supplier_type = self.supplier_type.unwrap_or_else(|| default_type(&self.supplier));
        Ok(ConfirmationRequest {
            bankRef: self.bank_ref.clone(),
            certifyingOffice: self.certifying_office.to_b256(),
            supplierCommitment: self.supplier.commit(pepper),
            supplierType: supplier_type.into(),
            creditLine: self.credit_line.0,
            asOfDate: dates::start_of_day(self.as_of),
            validUntil: self.valid_until.map_or(0, dates::end_of_day),
            purpose: purpose.into(),
            projectNumber: project,
            projectBudget: budget,
            documentHash: self.document_hash,
        })
    }
}

impl Egp {
    /// The bank the signer acts for, as the consortium sees it (fails if it signs for none).
    pub async fn signer_bank(&self) -> Result<BankCode> {
        let sender = self.sender().ok_or(Error::NoWallet)?;
        let consortium = self.consortium();
        let code = consortium.requireActiveSigner(sender).call().await.map_err(|error| self.call_error(error))?;
        Ok(BankCode::new(code)?)
    }

    /// Issues a guarantee from the signer's bank.
    pub async fn issue_guarantee(&self, terms: &GuaranteeTerms, pepper: &Pepper) -> Result<Outcome> {
        let request = terms.to_request(pepper)?;
        let bank = self.signer_bank().await?;
        let id = record_id(bank, &terms.bank_ref);
        let registry = self.guarantees();
        let sent = self.transact(registry.issue(request)).await?;
        self.guarantee_outcome("issue", id, sent).await
    }

    /// Cancels a guarantee the agency has not accepted yet.
    pub async fn cancel(&self, id: B256, reason: &Code) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.cancel(id, reason.to_b256())).await?;
        self.guarantee_outcome("cancel", id, sent).await
    }

    /// Proposes an amendment.
    pub async fn propose_amendment(&self, id: B256, amendment: &Amendment) -> Result<Outcome> {
        let registry = self.guarantees();
        let expiry = amendment.new_expiry.map_or(0, dates::end_of_day);
        let call = registry.proposeAmendment(id, amendment.new_amount.0, expiry, amendment.terms_hash);
        let sent = self.transact(call).await?;
        self.guarantee_outcome("propose amendment", id, sent).await
    }

    /// Pays the open claim of guarantee `id` (all or part of it), with the payment reference's hash.
    /// `claim` is the sequence number of the claim the payment was prepared for, as the caller read
    /// it; `None` pays the claim open now. Nothing is sent when no claim is open, or when `claim` is
    /// no longer the open one ([`Error::NothingToAnswer`], [`Error::MovedOn`]).
    pub async fn pay(&self, id: B256, claim: Option<u16>, amount: Satang, payment_reference: B256) -> Result<Outcome> {
        let sequence = self.claim_to_answer(id, claim, "pay").await?;
        let registry = self.guarantees();
        let sent = self.transact(registry.pay(id, sequence, amount.0, payment_reference)).await?;
        self.answer_outcome("pay", id, Subject::Claim { id, sequence }, sent).await
    }

    /// Rejects the open claim of guarantee `id`, listing every discrepancy. `claim` as for
    /// [`Egp::pay`].
    pub async fn reject_claim(&self, id: B256, claim: Option<u16>, discrepancies: &[Code]) -> Result<Outcome> {
        let sequence = self.claim_to_answer(id, claim, "reject").await?;
        let registry = self.guarantees();
        let codes = discrepancies.iter().map(Code::to_b256).collect();
        let sent = self.transact(registry.rejectClaim(id, sequence, codes)).await?;
        self.answer_outcome("reject", id, Subject::Claim { id, sequence }, sent).await
    }

    /// Answers the open extend-or-pay claim of guarantee `id` by extending to the end of
    /// `new_expiry` (Bangkok). `claim` as for [`Egp::pay`].
    pub async fn extend(&self, id: B256, claim: Option<u16>, new_expiry: NaiveDate) -> Result<Outcome> {
        let sequence = self.claim_to_answer(id, claim, "extend").await?;
        let registry = self.guarantees();
        let sent = self.transact(registry.extend(id, sequence, dates::end_of_day(new_expiry))).await?;
        self.answer_outcome("extend", id, Subject::Claim { id, sequence }, sent).await
    }

    /// Issues a credit confirmation from the signer's bank.
    pub async fn issue_confirmation(&self, terms: &ConfirmationTerms, pepper: &Pepper) -> Result<Outcome> {
        let request = terms.to_request(pepper)?;
        let bank = self.signer_bank().await?;
        let id = record_id(bank, &terms.bank_ref);
        let registry = self.confirmations();
        let sent = self.transact(registry.issue(request)).await?;
        self.confirmation_outcome("issue", id, sent).await
    }

    /// Revokes a credit confirmation.
    pub async fn revoke_confirmation(&self, id: B256, reason: &Code) -> Result<Outcome> {
        let registry = self.confirmations();
        let sent = self.transact(registry.revoke(id, reason.to_b256())).await?;
        self.confirmation_outcome("revoke", id, sent).await
    }

    /// Replaces credit confirmation `id` with a new one for the same supplier, in one transaction.
    /// The outcome names the replacement.
    pub async fn supersede_confirmation(
        &self,
        id: B256,
        replacement: &ConfirmationTerms,
        pepper: &Pepper,
    ) -> Result<Outcome> {
        let request = replacement.to_request(pepper)?;
        let bank = self.signer_bank().await?;
        let replacement_id = record_id(bank, &replacement.bank_ref);
        let registry = self.confirmations();
        let sent = self.transact(registry.supersede(id, request)).await?;
        self.confirmation_outcome("supersede with", replacement_id, sent).await
    }

    /// Marks a credit confirmation past its validity as expired (anyone may).
    pub async fn expire_confirmation(&self, id: B256) -> Result<Outcome> {
        let registry = self.confirmations();
        let sent = self.transact(registry.expire(id)).await?;
        self.confirmation_outcome("expire", id, sent).await
    }

    /// Marks a guarantee whose fixed expiry has passed as expired (anyone may).
    pub async fn expire_guarantee(&self, id: B256) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.expire(id)).await?;
        self.guarantee_outcome("expire", id, sent).await
    }

    async fn confirmation_outcome(&self, action: &'static str, id: B256, sent: Sent) -> Result<Outcome> {
        let status: Option<ConfirmationStatus> = match sent.block {
            Some(block) => Some(self.confirmation_at(id, Some(block)).await?.status),
            None => None,
        };
        Ok(Outcome { action, subject: Subject::Confirmation { id }, sent, status: status.map(|s| s.to_string()) })
    }
}
