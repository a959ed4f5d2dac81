//! The current-state rows are `egp-store`'s ([`egp_store::rows`]); the indexer adds how an event
//! stamps its provenance on the rows it changes.

pub use egp_store::rows::*;

use crate::decode::Provenance;

/// Sets the provenance columns of a row to those of the event that changed it last.
pub trait Stamp {
    /// Records `provenance` as the last change.
    fn stamp(&mut self, provenance: &Provenance);
}

macro_rules! stamp {
    ($($row:ty),+) => {$(
        impl Stamp for $row {
            fn stamp(&mut self, provenance: &Provenance) {
                self.contract_address = provenance.contract_address.to_vec();
                self.block_number = provenance.block_number as i64;
                self.block_hash = provenance.block_hash.to_vec();
                self.block_timestamp = provenance.block_timestamp as i64;
                self.transaction_hash = provenance.transaction_hash.to_vec();
                self.transaction_index = provenance.transaction_index as i32;
                self.log_index = provenance.log_index as i32;
                self.is_final = provenance.is_final;
            }
        }
    )+};
}

stamp!(IssuerRow, SignerRow, AgencyRow, GatewayRow, GuaranteeRow, AmendmentRow, ClaimRow, ReleaseRow, ConfirmationRow);
