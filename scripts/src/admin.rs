//! What the consortium admin (CGD) does: admit, suspend and resume issuers, manage their signer
//! addresses, register agencies, authorise e-GP gateways, and suspend or resume a guarantee.

use alloy::primitives::{Address, B256};
use egp_contracts::{BankCode, Code, GuaranteeStatus, IssuerKind};

use crate::outcome::{Outcome, Subject};
use crate::{Egp, Result};

impl Egp {
    /// Admits an issuer.
    pub async fn admit_issuer(&self, bank: BankCode, kind: IssuerKind, name: &str) -> Result<Outcome> {
        let consortium = self.consortium();
        let sent = self.transact(consortium.admitIssuer(bank.get(), kind.into(), name.to_owned())).await?;
        self.issuer_outcome("admit", bank, sent).await
    }

    /// Suspends an issuer: its signers can do nothing until it is resumed.
    pub async fn suspend_issuer(&self, bank: BankCode, reason_hash: B256) -> Result<Outcome> {
        let consortium = self.consortium();
        let sent = self.transact(consortium.suspendIssuer(bank.get(), reason_hash)).await?;
        self.issuer_outcome("suspend", bank, sent).await
    }

    /// Resumes a suspended issuer.
    pub async fn resume_issuer(&self, bank: BankCode) -> Result<Outcome> {
        let consortium = self.consortium();
        let sent = self.transact(consortium.resumeIssuer(bank.get())).await?;
        self.issuer_outcome("resume", bank, sent).await
    }

    /// Lets `signer` sign for the issuer (add the new key before removing an old one).
    pub async fn add_signer(&self, bank: BankCode, signer: Address) -> Result<Outcome> {
        let consortium = self.consortium();
        let sent = self.transact(consortium.addSigner(bank.get(), signer)).await?;
        Ok(Outcome {
            action: "add",
            subject: Subject::Signer { bank_code: bank.to_string(), address: signer },
            sent,
            status: None,
        })
    }

    /// Stops `signer` signing for the issuer.
    pub async fn remove_signer(&self, bank: BankCode, signer: Address) -> Result<Outcome> {
        let consortium = self.consortium();
        let sent = self.transact(consortium.removeSigner(bank.get(), signer)).await?;
        Ok(Outcome {
            action: "remove",
            subject: Subject::Signer { bank_code: bank.to_string(), address: signer },
            sent,
            status: None,
        })
    }

    /// Registers a government agency.
    pub async fn register_agency(&self, code: &Code, name: &str) -> Result<Outcome> {
        let consortium = self.consortium();
        let sent = self.transact(consortium.registerAgency(code.to_b256(), name.to_owned())).await?;
        Ok(Outcome { action: "register", subject: Subject::Agency { code: code.to_string() }, sent, status: None })
    }

    /// Authorises an e-GP gateway address.
    pub async fn authorise_gateway(&self, gateway: Address) -> Result<Outcome> {
        let consortium = self.consortium();
        let sent = self.transact(consortium.authoriseGateway(gateway)).await?;
        Ok(Outcome { action: "authorise", subject: Subject::Gateway { address: gateway }, sent, status: None })
    }

    /// Revokes an e-GP gateway address.
    pub async fn revoke_gateway(&self, gateway: Address) -> Result<Outcome> {
        let consortium = self.consortium();
        let sent = self.transact(consortium.revokeGateway(gateway)).await?;
        Ok(Outcome { action: "revoke", subject: Subject::Gateway { address: gateway }, sent, status: None })
    }

    /// Freezes a guarantee (court order or fraud).
    pub async fn suspend_guarantee(&self, id: B256, reason_hash: B256) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.suspend(id, reason_hash)).await?;
        self.guarantee_outcome("suspend", id, sent).await
    }

    /// Lifts a guarantee's freeze.
    pub async fn resume_guarantee(&self, id: B256, reason_hash: B256) -> Result<Outcome> {
        let registry = self.guarantees();
        let sent = self.transact(registry.resume(id, reason_hash)).await?;
        self.guarantee_outcome("resume", id, sent).await
    }

    async fn issuer_outcome(&self, action: &'static str, bank: BankCode, sent: crate::Sent) -> Result<Outcome> {
        let status = match sent.block {
            Some(_) => Some(self.issuer(bank).await?.status.to_string()),
            None => None,
        };
        Ok(Outcome { action, subject: Subject::Issuer { bank_code: bank.to_string() }, sent, status })
    }

    /// The outcome of a guarantee transition, with the status the contract holds after it.
    pub(crate) async fn guarantee_outcome(&self, action: &'static str, id: B256, sent: crate::Sent) -> Result<Outcome> {
        self.answer_outcome(action, id, Subject::Guarantee { id }, sent).await
    }

    /// The outcome of a transition of guarantee `id` about `subject` (the guarantee, or the claim or
    /// amendment an answer named), with the guarantee's status after it.
    pub(crate) async fn answer_outcome(
        &self,
        action: &'static str,
        id: B256,
        subject: Subject,
        sent: crate::Sent,
    ) -> Result<Outcome> {
        let status: Option<GuaranteeStatus> = match sent.block {
            Some(block) => Some(self.guarantee_at(id, Some(block)).await?.status),
            None => None,
        };
        Ok(Outcome { action, subject, sent, status: status.map(|s| s.to_string()) })
    }
}
