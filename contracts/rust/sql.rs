//! Satang in PostgreSQL (feature `sqlx`): `NUMERIC` read through text. The enums' columns come
//! with their declaration ([`crate::enums`]).

/// Satang in a `NUMERIC` column, read as its text (`amount::text AS "amount: Satang"`) and
/// bound as text cast in SQL (`$1::numeric`): exact at any size, never a float.
mod satang {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
    use sqlx::{Decode, Encode, Postgres, Type};

    use crate::Satang;

    impl Type<Postgres> for Satang {
        fn type_info() -> PgTypeInfo {
            <&str as Type<Postgres>>::type_info()
        }

        fn compatible(ty: &PgTypeInfo) -> bool {
            <&str as Type<Postgres>>::compatible(ty)
        }
    }

    impl PgHasArrayType for Satang {
        fn array_type_info() -> PgTypeInfo {
            <&str as PgHasArrayType>::array_type_info()
        }
    }

    impl<'r> Decode<'r, Postgres> for Satang {
        fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
            let text = <&str as Decode<Postgres>>::decode(value)?;
            text.parse().map(Satang).map_err(|_| format!("{text:?} is not an amount in satang").into())
        }
    }

    impl Encode<'_, Postgres> for Satang {
        fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
            <String as Encode<Postgres>>::encode_by_ref(&self.0.to_string(), buf)
        }
    }
}
