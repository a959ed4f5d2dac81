//! What the contracts hold now: guarantees, credit confirmations and issuers, as typed views.

use std::fmt;
use std::str::FromStr;

use alloy::eips::BlockId;
use alloy::primitives::B256;
use egp_contracts::types::record_id;
use egp_contracts::{
    BankCode, Code, ConfirmationStatus, ExpiryType, GuaranteeStatus, GuaranteeType, IssuerKind, IssuerStatus, Satang,
    dates,
};
use serde::Serialize;

use crate::{Egp, Error, Result};

/// How a command names a guarantee or confirmation: its id (`0x…`) or `BANK/REFERENCE`
/// (`002/LG-2569-000001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    /// The 32-byte id.
    Id(B256),
    /// The issuing bank and its reference.
    BankRef(BankCode, String),
}

impl RecordRef {
    /// The id the registries use.
    pub fn id(&self) -> B256 {
        match self {
            Self::Id(id) => *id,
            Self::BankRef(bank, bank_ref) => record_id(*bank, bank_ref),
        }
    }
}

impl FromStr for RecordRef {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        if let Some((bank, bank_ref)) = text.split_once('/') {
            egp_contracts::types::check_bank_ref(bank_ref)?;
            return Ok(Self::BankRef(bank.parse()?, bank_ref.to_owned()));
        }
        text.parse::<B256>().map(Self::Id).map_err(|_| {
            Error::Usage(format!("{text:?} is neither a 32-byte id (0x…) nor BANK/REFERENCE (002/LG-2569-000001)"))
        })
    }
}

/// A guarantee as the registry holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuaranteeView {
    /// Its id.
    pub id: B256,
    /// Issuing bank.
    pub bank_code: String,
    /// Type.
    pub guarantee_type: GuaranteeType,
    /// Status.
    pub status: GuaranteeStatus,
    /// Beneficiary agency.
    pub agency_code: Option<Code>,
    /// Amount in satang.
    pub amount: Satang,
    /// Outstanding in satang.
    pub outstanding: Satang,
    /// Paid so far, satang.
    pub total_paid: Satang,
    /// Expiry type.
    pub expiry_type: ExpiryType,
    /// Expiry (FIXD) as a Bangkok date-time.
    pub expiry: Option<String>,
    /// In force from (Bangkok date-time): no claim before.
    pub effective: String,
    /// Amendments proposed so far.
    pub amendments: u16,
    /// Whether the last amendment awaits the agency.
    pub amendment_pending: bool,
    /// Claims made so far.
    pub claims: u16,
    /// Open claim amount, satang.
    pub open_claim: Satang,
    /// Reductions and releases so far.
    pub releases: u16,
    /// The guarantee this one replaced.
    pub replaces: Option<B256>,
    /// The guarantee that replaced this one.
    pub replaced_by: Option<B256>,
}

impl fmt::Display for GuaranteeView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "guarantee   {}", self.id)?;
        writeln!(f, "status      {}", self.status)?;
        writeln!(f, "type        {}", self.guarantee_type)?;
        writeln!(f, "bank        {}", self.bank_code)?;
        writeln!(f, "agency      {}", self.agency_code.as_ref().map_or("-".to_owned(), ToString::to_string))?;
        writeln!(f, "amount      {}", self.amount)?;
        writeln!(f, "outstanding {}", self.outstanding)?;
        writeln!(f, "paid        {}", self.total_paid)?;
        writeln!(f, "effective   {}", self.effective)?;
        writeln!(f, "expiry      {} {}", self.expiry_type, self.expiry.as_deref().unwrap_or(""))?;
        match self.pending_amendment() {
            Some(sequence) => writeln!(f, "amendments  {} (amendment {sequence} pending)", self.amendments)?,
            None => writeln!(f, "amendments  {}", self.amendments)?,
        }
        match self.open_claim() {
            Some(sequence) => writeln!(f, "claims      {} (claim {sequence} open: {})", self.claims, self.open_claim)?,
            None => writeln!(f, "claims      {} (none open)", self.claims)?,
        }
        write!(f, "releases    {}", self.releases)?;
        if let Some(id) = self.replaces {
            write!(f, "\nreplaces    {id}")?;
        }
        if let Some(id) = self.replaced_by {
            write!(f, "\nreplaced by {id}")?;
        }
        Ok(())
    }
}

impl GuaranteeView {
    /// The sequence number of the open claim, if one is open (also while the guarantee is
    /// suspended: the claim stays open under the suspension).
    pub fn open_claim(&self) -> Option<u16> {
        (self.open_claim.0 != 0).then_some(self.claims)
    }

    /// The sequence number of the amendment awaiting the agency, if any.
    pub fn pending_amendment(&self) -> Option<u16> {
        self.amendment_pending.then_some(self.amendments)
    }
}

/// A credit confirmation as the registry holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmationView {
    /// Its id.
    pub id: B256,
    /// Issuing bank.
    pub bank_code: String,
    /// Status as stored (a `Valid` one past `validUntil` is expired all the same: see `expired`).
    pub status: ConfirmationStatus,
    /// Whether `validUntil` had passed at the block read.
    pub expired: bool,
    /// Issued at (Bangkok).
    pub issued_at: String,
    /// Valid until (Bangkok).
    pub valid_until: String,
    /// The confirmation this one replaced.
    pub replaces: Option<B256>,
    /// The confirmation that replaced this one.
    pub replaced_by: Option<B256>,
}

impl fmt::Display for ConfirmationView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "credit confirmation {}", self.id)?;
        writeln!(f, "status      {}{}", self.status, if self.expired { " (validity passed)" } else { "" })?;
        writeln!(f, "bank        {}", self.bank_code)?;
        writeln!(f, "issued      {}", self.issued_at)?;
        write!(f, "valid until {}", self.valid_until)?;
        if let Some(id) = self.replaces {
            write!(f, "\nreplaces    {id}")?;
        }
        if let Some(id) = self.replaced_by {
            write!(f, "\nreplaced by {id}")?;
        }
        Ok(())
    }
}

/// An issuer as the consortium holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuerView {
    /// Bank code.
    pub bank_code: String,
    /// Name.
    pub name: String,
    /// Bank or finance company.
    pub kind: IssuerKind,
    /// Status.
    pub status: IssuerStatus,
    /// Number of signer addresses.
    pub signers: u32,
}

/// The sequence to answer: `open`, if there is one and it is the `expected` one (when given).
fn answerable(
    id: B256,
    what: &'static str,
    action: &'static str,
    status: GuaranteeStatus,
    open: Option<u16>,
    expected: Option<u16>,
) -> Result<u16> {
    match (open, expected) {
        (Some(open), Some(expected)) if open != expected => {
            Err(Error::MovedOn { id, what, expected, open: Some(open) })
        }
        (Some(open), _) => Ok(open),
        (None, Some(expected)) => Err(Error::MovedOn { id, what, expected, open: None }),
        (None, None) => Err(Error::NothingToAnswer { id, what, action, status }),
    }
}

fn nonzero(word: B256) -> Option<B256> {
    (word != B256::ZERO).then_some(word)
}

impl Egp {
    /// A guarantee as the registry holds it now. Unknown ids are an error naming the id.
    pub async fn guarantee(&self, id: B256) -> Result<GuaranteeView> {
        self.guarantee_at(id, None).await
    }

    /// A guarantee as the registry held it at the end of `block` (now if `None`).
    pub async fn guarantee_at(&self, id: B256, block: Option<u64>) -> Result<GuaranteeView> {
        let registry = self.guarantees();
        let call = registry.getGuarantee(id).block(block.map_or(BlockId::latest(), BlockId::number));
        let g = call.call().await.map_err(|error| self.call_error(error))?;
        let status = GuaranteeStatus::try_from(g.status)?;
        if status == GuaranteeStatus::None {
            return Err(Error::Usage(format!("guarantee {id} does not exist")));
        }
        let expiry_type = ExpiryType::try_from(g.expiryType)?;
        Ok(GuaranteeView {
            id,
            bank_code: BankCode::new(g.bankCode)?.to_string(),
            guarantee_type: GuaranteeType::try_from(g.guaranteeType)?,
            status,
            agency_code: Code::from_b256(g.agencyCode)?,
            amount: Satang(g.amount),
            outstanding: Satang(g.outstanding),
            total_paid: Satang(g.totalPaid),
            expiry: (expiry_type == ExpiryType::FIXD).then(|| dates::to_bangkok(g.expiryDate).to_rfc3339()),
            effective: dates::to_bangkok(g.effectiveDate).to_rfc3339(),
            expiry_type,
            amendments: g.amendmentCount,
            amendment_pending: g.amendmentPending,
            claims: g.claimCount,
            open_claim: Satang(g.claimAmount),
            releases: g.releaseCount,
            replaces: nonzero(g.replaces),
            replaced_by: nonzero(g.replacedBy),
        })
    }

    /// The sequence number of the claim an answer (`action`: "pay", "reject", "extend") to guarantee
    /// `id` names: the claim open now, which must be `expected` when the caller read one. Refuses
    /// with [`Error::NothingToAnswer`] when no claim is open and [`Error::MovedOn`] when another one
    /// is, so that nothing is sent.
    pub async fn claim_to_answer(&self, id: B256, expected: Option<u16>, action: &'static str) -> Result<u16> {
        let view = self.guarantee(id).await?;
        answerable(id, "claim", action, view.status, view.open_claim(), expected)
    }

    /// The sequence number of the amendment an answer (`action`: "accept", "reject") to guarantee
    /// `id` names: the one pending now, which must be `expected` when the caller read one. Refuses
    /// like [`Egp::claim_to_answer`].
    pub async fn amendment_to_answer(&self, id: B256, expected: Option<u16>, action: &'static str) -> Result<u16> {
        let view = self.guarantee(id).await?;
        answerable(id, "amendment", action, view.status, view.pending_amendment(), expected)
    }

    /// A credit confirmation as the registry holds it now.
    pub async fn confirmation(&self, id: B256) -> Result<ConfirmationView> {
        self.confirmation_at(id, None).await
    }

    /// A credit confirmation at the end of `block` (now if `None`).
    pub async fn confirmation_at(&self, id: B256, block: Option<u64>) -> Result<ConfirmationView> {
        let registry = self.confirmations();
        let call = registry.getConfirmation(id).block(block.map_or(BlockId::latest(), BlockId::number));
        let c = call.call().await.map_err(|error| self.call_error(error))?;
        let status = ConfirmationStatus::try_from(c.status)?;
        if status == ConfirmationStatus::None {
            return Err(Error::Usage(format!("credit confirmation {id} does not exist")));
        }
        let now = self.block_time(block).await?;
        Ok(ConfirmationView {
            id,
            bank_code: BankCode::new(c.bankCode)?.to_string(),
            status,
            expired: now > c.validUntil,
            issued_at: dates::to_bangkok(c.issuedAt).to_rfc3339(),
            valid_until: dates::to_bangkok(c.validUntil).to_rfc3339(),
            replaces: nonzero(c.replaces),
            replaced_by: nonzero(c.replacedBy),
        })
    }

    /// An issuer as the consortium holds it.
    pub async fn issuer(&self, bank: BankCode) -> Result<IssuerView> {
        let consortium = self.consortium();
        let issuer = consortium.issuer(bank.get()).call().await.map_err(|error| self.call_error(error))?;
        Ok(IssuerView {
            bank_code: bank.to_string(),
            name: issuer.name,
            kind: IssuerKind::try_from(issuer.kind)?,
            status: IssuerStatus::try_from(issuer.status)?,
            signers: issuer.signerCount,
        })
    }

    /// The latest block's timestamp: "now" as the contracts see it.
    pub async fn chain_time(&self) -> Result<u64> {
        self.block_time(None).await
    }

    /// The timestamp of `block` (the latest if `None`).
    async fn block_time(&self, block: Option<u64>) -> Result<u64> {
        use alloy::providers::Provider;
        let tag = block.map_or(alloy::eips::BlockNumberOrTag::Latest, alloy::eips::BlockNumberOrTag::Number);
        let block = self
            .provider()
            .get_block_by_number(tag)
            .await
            .map_err(|error| self.rpc_error(&error))?
            .ok_or_else(|| Error::Usage(format!("the node has no block {tag}")))?;
        Ok(block.header.timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_refs_parse_ids_and_bank_references() {
        let by_ref: RecordRef = "002/LG-2569-000001".parse().unwrap();
        assert_eq!(by_ref, RecordRef::BankRef(BankCode::new(2).unwrap(), "LG-2569-000001".into()));
        let by_id: RecordRef = format!("{}", by_ref.id()).parse().unwrap();
        assert_eq!(by_id.id(), by_ref.id());
        let cases = [
            ("2/LG", "invalid bank code \"2\""),
            ("002/", "invalid bank reference \"\""),
            ("0x1234", "\"0x1234\" is neither a 32-byte id"),
            ("hello", "\"hello\" is neither a 32-byte id"),
        ];
        for (bad, expected) in cases {
            let error = bad.parse::<RecordRef>().unwrap_err().to_string();
            assert!(error.starts_with(expected), "{bad}: {error}");
        }
    }

    #[test]
    fn answers_name_the_open_claim_or_refuse_in_words() {
        let id = B256::repeat_byte(7);
        let status = GuaranteeStatus::Claimed;
        assert_eq!(answerable(id, "claim", "pay", status, Some(2), None).unwrap(), 2);
        assert_eq!(answerable(id, "claim", "pay", status, Some(2), Some(2)).unwrap(), 2);
        let moved = answerable(id, "claim", "pay", status, Some(2), Some(1)).unwrap_err().to_string();
        assert_eq!(
            moved,
            format!(
                "guarantee {id}: claim 1 is no longer open, claim 2 is; nothing was sent: read the guarantee again"
            )
        );
        let gone = answerable(id, "amendment", "accept", status, None, Some(1)).unwrap_err().to_string();
        assert!(gone.contains("amendment 1 is no longer open and no amendment is; nothing was sent"), "{gone}");
        let none = answerable(id, "claim", "pay", GuaranteeStatus::Active, None, None).unwrap_err().to_string();
        assert_eq!(none, format!("guarantee {id} is Active with no claim open: nothing to pay"));
    }
}
