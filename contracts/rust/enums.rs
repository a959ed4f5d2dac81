//! Every status and kind of the workspace is declared once, with [`domain_enum!`](crate::domain_enum):
//! the Rust enum, the name it is stored and shown under, and from that same list of variants its
//! `TEXT` column (feature `sqlx`) and its GraphQL enum (feature `graphql`). [`DomainEnum`] is what
//! those mappings read; nothing else spells a variant's name.
//!
//! A declaration either mirrors a Solidity enum (`: solidity "Contract.Enum"`: `#[repr(u8)]`, the
//! `u8` conversions and `SOLIDITY_NAME`; the variants are the Solidity names, a test compares them
//! with the sources) or is one the mirror and the API derive (statuses of amendments, claims,
//! actions, …), whose variants may name their stored spelling (`Pending = "pending"`). `unset V`
//! names the variant that stands for "no value" (Solidity's zero): it is stored and read like any
//! other, but it is no GraphQL value — absent from the schema, refused as input, an error as output.
//!
//! ```
//! egp_contracts::domain_enum! {
//!     /// Where a parcel stands.
//!     pub enum ParcelStatus, unset Lost {
//!         /// Nowhere to be found.
//!         Lost,
//!         /// On its way.
//!         Sent = "sent",
//!         /// Arrived.
//!         Delivered,
//!     }
//! }
//!
//! use egp_contracts::DomainEnum;
//! assert_eq!(ParcelStatus::Sent.name(), "sent");
//! assert_eq!("DELIVERED".parse::<ParcelStatus>().unwrap(), ParcelStatus::Delivered);
//! assert_eq!(ParcelStatus::UNSET, Some(ParcelStatus::Lost));
//! ```

use std::fmt;

use crate::{Error, Result};

/// A status or kind declared with [`domain_enum!`](crate::domain_enum): what its column and
/// GraphQL mappings need.
pub trait DomainEnum: Copy + Eq + fmt::Debug + Send + Sync + Unpin + 'static {
    /// The Rust type's name, which is also its GraphQL type's (`GuaranteeStatus`).
    const TYPE_NAME: &'static str;
    /// What errors call it: the Solidity enum for a mirror (`IGuaranteeRegistry.Status`), else
    /// the type's name.
    const KIND: &'static str;
    /// Every variant, in declaration order (Solidity's, for a mirror).
    const ALL: &'static [Self];
    /// The variant that means "no value" (Solidity's zero), if the enum has one: never a GraphQL
    /// value.
    const UNSET: Option<Self>;
    /// The type's doc comment (its GraphQL description).
    const DOC: &'static str;
    /// Each variant's doc comment, in the order of [`ALL`](Self::ALL).
    const DOCS: &'static [&'static str];

    /// The name as stored in its column and shown (`Display`, serde, error messages).
    fn name(self) -> &'static str;

    /// The variant's Rust identifier (its GraphQL name is this in `SCREAMING_SNAKE_CASE`).
    fn variant(self) -> &'static str;

    /// The variant stored as `name`, exactly.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|variant| variant.name() == name)
    }

    /// The variant `text` names, ignoring case and surrounding blanks (what people type).
    fn parse_name(text: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|variant| variant.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| Error::UnknownEnumValue { kind: Self::KIND, value: text.to_owned() })
    }

    /// The variant's GraphQL name: its identifier in `SCREAMING_SNAKE_CASE` (`PaidOut` →
    /// `PAID_OUT`, `TEND` → `TEND`), as async-graphql names enum values.
    fn graphql_name(self) -> String {
        screaming_snake(self.variant())
    }
}

/// `PendingAcceptance` → `PENDING_ACCEPTANCE`; a run of capitals stays one word.
fn screaming_snake(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 4);
    let mut previous_lower = false;
    for c in ident.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// A doc comment's lines, each trimmed, as async-graphql turns doc comments into descriptions.
#[cfg_attr(not(feature = "graphql"), allow(dead_code, reason = "only the GraphQL mapping shows docs"))]
fn description(doc: &str) -> Option<String> {
    let text = doc.lines().map(str::trim).collect::<Vec<_>>().join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Declares a status or kind once: the enum (`Debug`, `Copy`, `Eq`, `Ord`, `Hash`, serde by
/// name), `ALL`, `name()`, `Default` (the first variant), `Display`, `FromStr` (case-insensitive)
/// and [`DomainEnum`]; with `egp-contracts`' feature `sqlx` a `TEXT` column holding the name,
/// with `graphql` a GraphQL enum. See the [module](crate::enums) for the two forms.
///
/// The crate that invokes it needs `serde` among its dependencies (serde's derive asks for it).
#[macro_export]
macro_rules! domain_enum {
    // A mirror of a Solidity enum.
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident : solidity $solidity:literal $(, unset $unset:ident)? {
            $($(#[doc = $vdoc:literal])* $variant:ident),+ $(,)?
        }
    ) => {
        $crate::domain_enum!(@declare [$($doc)*] [#[repr(u8)]] $name, $solidity, [$($unset)?],
            [$([$($vdoc)*] $variant []),+]);

        impl $name {
            /// The Solidity enum this mirrors (`Contract.Enum` or a file-level name).
            pub const SOLIDITY_NAME: &'static str = $solidity;
        }

        impl ::std::convert::TryFrom<u8> for $name {
            type Error = $crate::Error;

            fn try_from(value: u8) -> $crate::Result<Self> {
                Self::ALL.get(usize::from(value)).copied().ok_or_else(|| $crate::Error::UnknownEnumValue {
                    kind: $solidity,
                    value: value.to_string(),
                })
            }
        }

        impl ::std::convert::From<$name> for u8 {
            fn from(value: $name) -> u8 {
                value as u8
            }
        }
    };

    // A status or kind the mirror or the API derive; a variant may give its stored spelling.
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident $(, unset $unset:ident)? {
            $($(#[doc = $vdoc:literal])* $variant:ident $(= $stored:literal)?),+ $(,)?
        }
    ) => {
        $crate::domain_enum!(@declare [$($doc)*] [] $name, stringify!($name), [$($unset)?],
            [$([$($vdoc)*] $variant [$($stored)?]),+]);
    };

    (@name $variant:ident) => { stringify!($variant) };
    (@name $variant:ident $stored:literal) => { $stored };
    (@unset) => { ::std::option::Option::None };
    (@unset $unset:ident) => { ::std::option::Option::Some(Self::$unset) };

    (@declare [$($doc:literal)*] [$($repr:tt)*] $name:ident, $kind:expr, [$($unset:ident)?],
        [$([$($vdoc:literal)*] $variant:ident [$($stored:literal)?]),+]) => {
        $(#[doc = $doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            $crate::__private::serde::Serialize, $crate::__private::serde::Deserialize,
        )]
        $($repr)*
        pub enum $name {
            $($(#[doc = $vdoc])* $(#[serde(rename = $stored)])? $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name as stored and shown.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $crate::domain_enum!(@name $variant $($stored)?)),+
                }
            }
        }

        impl $crate::DomainEnum for $name {
            const TYPE_NAME: &'static str = stringify!($name);
            const KIND: &'static str = $kind;
            const ALL: &'static [Self] = <$name>::ALL;
            const UNSET: ::std::option::Option<Self> = $crate::domain_enum!(@unset $($unset)?);
            const DOC: &'static str = concat!("" $(, $doc, "\n")*);
            const DOCS: &'static [&'static str] = &[$(concat!("" $(, $vdoc, "\n")*)),+];

            fn name(self) -> &'static str {
                <$name>::name(self)
            }

            fn variant(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant)),+
                }
            }
        }

        /// The first variant: Solidity's zero for a mirror, a row's starting point otherwise.
        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self::ALL[0]
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;

            fn from_str(text: &str) -> $crate::Result<Self> {
                <Self as $crate::DomainEnum>::parse_name(text)
            }
        }

        $crate::__domain_enum_sqlx!($name);
        $crate::__domain_enum_graphql!($name);
    };
}

/// The `TEXT` column of a domain enum (`egp-contracts` built with `sqlx`).
#[cfg(feature = "sqlx")]
#[doc(hidden)]
#[macro_export]
macro_rules! __domain_enum_sqlx {
    ($name:ident) => {
        impl $crate::__private::sqlx::Type<$crate::__private::sqlx::Postgres> for $name {
            fn type_info() -> $crate::__private::sqlx::postgres::PgTypeInfo {
                $crate::enums::sql::type_info()
            }

            fn compatible(ty: &$crate::__private::sqlx::postgres::PgTypeInfo) -> bool {
                $crate::enums::sql::compatible(ty)
            }
        }

        impl $crate::__private::sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> $crate::__private::sqlx::postgres::PgTypeInfo {
                $crate::enums::sql::array_type_info()
            }
        }

        impl<'r> $crate::__private::sqlx::Decode<'r, $crate::__private::sqlx::Postgres> for $name {
            fn decode(
                value: $crate::__private::sqlx::postgres::PgValueRef<'r>,
            ) -> ::std::result::Result<Self, $crate::__private::sqlx::error::BoxDynError> {
                $crate::enums::sql::decode(value)
            }
        }

        impl $crate::__private::sqlx::Encode<'_, $crate::__private::sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut $crate::__private::sqlx::postgres::PgArgumentBuffer,
            ) -> ::std::result::Result<
                $crate::__private::sqlx::encode::IsNull,
                $crate::__private::sqlx::error::BoxDynError,
            > {
                $crate::enums::sql::encode(*self, buf)
            }
        }
    };
}

/// Without `sqlx`: no column mapping.
#[cfg(not(feature = "sqlx"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __domain_enum_sqlx {
    ($name:ident) => {};
}

/// The GraphQL enum of a domain enum (`egp-contracts` built with `graphql`).
#[cfg(feature = "graphql")]
#[doc(hidden)]
#[macro_export]
macro_rules! __domain_enum_graphql {
    ($name:ident) => {
        impl $crate::__private::async_graphql::InputType for $name {
            type RawValueType = Self;

            fn type_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(<Self as $crate::DomainEnum>::TYPE_NAME)
            }

            fn create_type_info(registry: &mut $crate::__private::async_graphql::registry::Registry) -> String {
                $crate::enums::graphql::create_type_info::<Self>(registry)
            }

            fn parse(
                value: ::std::option::Option<$crate::__private::async_graphql::Value>,
            ) -> $crate::__private::async_graphql::InputValueResult<Self> {
                $crate::enums::graphql::parse(value)
            }

            fn to_value(&self) -> $crate::__private::async_graphql::Value {
                $crate::enums::graphql::to_value(*self)
            }

            fn as_raw_value(&self) -> ::std::option::Option<&Self::RawValueType> {
                ::std::option::Option::Some(self)
            }
        }

        impl $crate::__private::async_graphql::OutputType for $name {
            fn type_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(<Self as $crate::DomainEnum>::TYPE_NAME)
            }

            fn create_type_info(registry: &mut $crate::__private::async_graphql::registry::Registry) -> String {
                $crate::enums::graphql::create_type_info::<Self>(registry)
            }

            async fn resolve(
                &self,
                _: &$crate::__private::async_graphql::ContextSelectionSet<'_>,
                field: &$crate::__private::async_graphql::Positioned<
                    $crate::__private::async_graphql::parser::types::Field,
                >,
            ) -> $crate::__private::async_graphql::ServerResult<$crate::__private::async_graphql::Value> {
                $crate::enums::graphql::resolve(*self, field.pos)
            }
        }
    };
}

/// Without `graphql`: no GraphQL enum.
#[cfg(not(feature = "graphql"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __domain_enum_graphql {
    ($name:ident) => {};
}

/// What every domain enum's column calls: the name in a `TEXT` column; reading a name no variant
/// has is an error naming it.
#[cfg(feature = "sqlx")]
pub mod sql {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
    use sqlx::{Decode, Encode, Postgres, Type};

    use super::DomainEnum;

    /// `TEXT`.
    pub fn type_info() -> PgTypeInfo {
        <&str as Type<Postgres>>::type_info()
    }

    /// Any text type.
    pub fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as Type<Postgres>>::compatible(ty)
    }

    /// `TEXT[]`.
    pub fn array_type_info() -> PgTypeInfo {
        <&str as PgHasArrayType>::array_type_info()
    }

    /// The variant stored as the column's text.
    pub fn decode<T: DomainEnum>(value: PgValueRef<'_>) -> Result<T, BoxDynError> {
        let text = <&str as Decode<'_, Postgres>>::decode(value)?;
        T::from_name(text).ok_or_else(|| format!("unknown {} {text:?}", T::TYPE_NAME).into())
    }

    /// The variant's name as the column's text.
    pub fn encode<T: DomainEnum>(value: T, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<'_, Postgres>>::encode(value.name(), buf)
    }
}

/// What every domain enum's GraphQL enum calls: one value per variant but the unset one, named in
/// `SCREAMING_SNAKE_CASE` and described by the variant's doc comment.
#[cfg(feature = "graphql")]
pub mod graphql {
    use async_graphql::registry::{Deprecation, MetaEnumValue, MetaType, MetaTypeId, Registry};
    use async_graphql::{InputType, InputValueError, InputValueResult, Name, Pos, ServerError, ServerResult, Value};

    use super::{DomainEnum, description};

    /// The variants a client may send and receive: all but the unset one.
    fn values<T: DomainEnum>() -> impl Iterator<Item = (T, &'static str)> {
        T::ALL.iter().copied().zip(T::DOCS.iter().copied()).filter(|(variant, _)| Some(*variant) != T::UNSET)
    }

    /// Registers the enum type.
    pub fn create_type_info<T: DomainEnum + InputType>(registry: &mut Registry) -> String {
        registry.create_input_type::<T, _>(MetaTypeId::Enum, |_| MetaType::Enum {
            name: T::TYPE_NAME.to_owned(),
            description: description(T::DOC),
            enum_values: values::<T>()
                .map(|(variant, doc)| {
                    let name = variant.graphql_name();
                    let value = MetaEnumValue {
                        name: name.clone(),
                        description: description(doc),
                        deprecation: Deprecation::NoDeprecated,
                        visible: None,
                        inaccessible: false,
                        tags: Vec::new(),
                        directive_invocations: Vec::new(),
                    };
                    (name, value)
                })
                .collect(),
            visible: None,
            inaccessible: false,
            tags: Vec::new(),
            rust_typename: Some(std::any::type_name::<T>()),
            directive_invocations: Vec::new(),
            requires_scopes: Vec::new(),
        })
    }

    /// The variant an input value names; the unset one, or any other name, is refused with it.
    pub fn parse<T: DomainEnum + InputType>(value: Option<Value>) -> InputValueResult<T> {
        let value = value.unwrap_or_default();
        let text = match &value {
            Value::Enum(name) => name.as_str(),
            Value::String(text) => text.as_str(),
            _ => return Err(InputValueError::expected_type(value)),
        };
        values::<T>().map(|(variant, _)| variant).find(|variant| variant.graphql_name() == text).ok_or_else(|| {
            InputValueError::custom(format!(
                "enumeration type \"{}\" does not contain the value \"{text}\"",
                T::TYPE_NAME
            ))
        })
    }

    /// The variant as a GraphQL enum value.
    pub fn to_value<T: DomainEnum>(value: T) -> Value {
        Value::Enum(Name::new(value.graphql_name()))
    }

    /// The variant as a field's value; the unset one is no value a client may receive (a record
    /// that holds it is broken), so it is an `INTERNAL` error naming the type.
    pub fn resolve<T: DomainEnum>(value: T, pos: Pos) -> ServerResult<Value> {
        if Some(value) == T::UNSET {
            let mut error = ServerError::new(format!("the record holds no {} (it is unset)", T::TYPE_NAME), Some(pos));
            error.extensions.get_or_insert_with(Default::default).set("code", "INTERNAL");
            return Err(error);
        }
        Ok(to_value(value))
    }
}

#[cfg(test)]
#[allow(unreachable_pub, reason = "the macro declares public enums; the test's own is private to it")]
mod tests {
    use super::*;

    crate::domain_enum! {
        /// A test enum.
        pub enum Stage, unset Nothing {
            /// Unset.
            Nothing,
            /// First
            /// stage.
            FirstStep = "first",
            /// Second.
            SecondStep,
        }
    }

    #[test]
    fn names_are_stored_spellings_or_the_variants() {
        assert_eq!(Stage::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(), ["Nothing", "first", "SecondStep"]);
        assert_eq!(Stage::from_name("first"), Some(Stage::FirstStep));
        assert_eq!(Stage::from_name("FirstStep"), None);
        assert_eq!(" FIRST ".parse::<Stage>().unwrap(), Stage::FirstStep);
        assert_eq!("third".parse::<Stage>().unwrap_err().to_string(), "\"third\" is not a Stage");
        assert_eq!(serde_json::to_string(&Stage::FirstStep).unwrap(), "\"first\"");
        assert_eq!(serde_json::from_str::<Stage>("\"SecondStep\"").unwrap(), Stage::SecondStep);
        assert_eq!(Stage::default(), Stage::Nothing);
        assert_eq!(Stage::UNSET, Some(Stage::Nothing));
    }

    #[test]
    fn graphql_names_are_screaming_snake_case() {
        assert_eq!(Stage::FirstStep.graphql_name(), "FIRST_STEP");
        for (ident, graphql) in
            [("PaidOut", "PAID_OUT"), ("TEND", "TEND"), ("ExtendOrPay", "EXTEND_OR_PAY"), ("Bank", "BANK")]
        {
            assert_eq!(screaming_snake(ident), graphql);
        }
        assert_eq!(description(Stage::DOCS[1]).as_deref(), Some("First\nstage."));
        assert_eq!(description(Stage::DOC).as_deref(), Some("A test enum."));
    }

    #[cfg(feature = "graphql")]
    #[test]
    fn the_unset_variant_is_no_graphql_value() {
        use async_graphql::{InputType, Name, Pos, Value};

        let mut registry = async_graphql::registry::Registry::default();
        <Stage as InputType>::create_type_info(&mut registry);
        let async_graphql::registry::MetaType::Enum { enum_values, description, .. } = &registry.types["Stage"] else {
            panic!("not an enum");
        };
        assert_eq!(enum_values.keys().collect::<Vec<_>>(), ["FIRST_STEP", "SECOND_STEP"]);
        assert_eq!(description.as_deref(), Some("A test enum."));

        let parse = |text: &str| <Stage as InputType>::parse(Some(Value::Enum(Name::new(text))));
        assert_eq!(parse("SECOND_STEP").unwrap(), Stage::SecondStep);
        for refused in ["NOTHING", "first", "FirstStep"] {
            let error = parse(refused).unwrap_err().into_server_error(Pos::default());
            assert!(error.message.contains(&format!("does not contain the value \"{refused}\"")), "{}", error.message);
        }
        assert!(graphql::resolve(Stage::FirstStep, Pos::default()).is_ok());
        let unset = graphql::resolve(Stage::Nothing, Pos::default()).unwrap_err();
        assert_eq!(unset.extensions.unwrap().get("code"), Some(&Value::from("INTERNAL")));
    }
}
