//! The statuses and kinds the mirror derives (the contracts' own enums are in `egp-contracts`):
//! each stored as its name in a `TEXT` column, never spelled anywhere else.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares an enum of names stored as `TEXT`: `name()`, `ALL`, `Display`, serde and sqlx.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name as stored.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant)),+
                }
            }
        }

        /// The first variant (a row's starting point before its event sets it).
        impl Default for $name {
            fn default() -> Self {
                Self::ALL[0]
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        egp_contracts::sql_text_enum!($name);
    };
}

stored_enum! {
    /// Where an amendment proposal stands.
    AmendmentStatus {
        /// Proposed, awaiting the agency.
        Pending,
        /// Accepted: the terms changed.
        Accepted,
        /// Refused by the agency.
        Rejected,
        /// Overtaken, unanswered, by a later change of terms or by the end of the guarantee.
        Lapsed,
    }
}

stored_enum! {
    /// Where a claim (demand for payment) stands.
    ClaimStatus {
        /// Awaiting the bank's answer.
        Open,
        /// Paid.
        Paid,
        /// Refused by the bank (with discrepancies).
        Rejected,
        /// Withdrawn by the agency.
        Withdrawn,
        /// Answered by extending the guarantee (extend-or-pay).
        Extended,
    }
}

stored_enum! {
    /// What a release row records.
    ReleaseKind {
        /// Part of the outstanding amount released.
        Reduce,
        /// The guarantee released in full.
        Release,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_variants() {
        assert_eq!(
            ClaimStatus::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
            ["Open", "Paid", "Rejected", "Withdrawn", "Extended"]
        );
        assert_eq!(AmendmentStatus::Lapsed.to_string(), "Lapsed");
        assert_eq!(ReleaseKind::Reduce.name(), "Reduce");
    }
}
