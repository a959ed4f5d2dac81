//! Every status and kind reads back from PostgreSQL as the variant written, alone and in arrays, and
//! the spellings already stored keep reading back; a name no variant has is an error naming it.

use egp_contracts::{DomainEnum, GuaranteeAction, Role};
use egp_store::{
    ActionKind, ActionStatus, AmendmentStatus, ApplicantType, ClaimStatus, ConfirmationStatus, ExpiryType,
    GuaranteeStatus, GuaranteeType, IssuerKind, IssuerStatus, Purpose, ReleaseKind,
};
use sqlx::postgres::PgHasArrayType;
use sqlx::{Decode, Encode, PgPool, Postgres, Type};

async fn round_trip<T>(pool: &PgPool)
where
    T: DomainEnum + Type<Postgres> + PgHasArrayType + for<'r> Decode<'r, Postgres> + for<'q> Encode<'q, Postgres>,
{
    for &variant in T::ALL {
        let (back, text): (T, String) =
            sqlx::query_as("SELECT $1::text, $1::text").bind(variant).fetch_one(pool).await.unwrap();
        assert_eq!((back, text.as_str()), (variant, variant.name()), "{}", T::TYPE_NAME);
    }
    let all: Vec<T> = sqlx::query_scalar("SELECT $1::text[]").bind(T::ALL).fetch_one(pool).await.unwrap();
    assert_eq!(all, T::ALL, "{}", T::TYPE_NAME);
    let error = sqlx::query_scalar::<_, T>("SELECT 'no such name'::text").fetch_one(pool).await.unwrap_err();
    assert!(error.to_string().contains(&format!("unknown {} \"no such name\"", T::TYPE_NAME)), "{error}");
}

#[sqlx::test]
async fn every_enum_reads_back_what_it_writes(pool: PgPool) {
    round_trip::<GuaranteeType>(&pool).await;
    round_trip::<ExpiryType>(&pool).await;
    round_trip::<GuaranteeStatus>(&pool).await;
    round_trip::<GuaranteeAction>(&pool).await;
    round_trip::<ApplicantType>(&pool).await;
    round_trip::<Purpose>(&pool).await;
    round_trip::<ConfirmationStatus>(&pool).await;
    round_trip::<IssuerKind>(&pool).await;
    round_trip::<IssuerStatus>(&pool).await;
    round_trip::<Role>(&pool).await;
    round_trip::<AmendmentStatus>(&pool).await;
    round_trip::<ClaimStatus>(&pool).await;
    round_trip::<ReleaseKind>(&pool).await;
    round_trip::<ActionKind>(&pool).await;
    round_trip::<ActionStatus>(&pool).await;
}

/// The spellings the tables already hold (the migrations' comments list them): renaming a variant
/// must not strand a row written before.
#[sqlx::test]
async fn the_stored_spellings_still_read_back(pool: PgPool) {
    async fn read<T>(pool: &PgPool, stored: &[&str]) -> Vec<T>
    where
        T: DomainEnum + Type<Postgres> + for<'r> Decode<'r, Postgres>,
    {
        let mut out = Vec::new();
        for name in stored {
            out.push(sqlx::query_scalar("SELECT $1::text").bind(name).fetch_one(pool).await.unwrap());
        }
        out
    }
    let kinds = [
        "accept",
        "reject",
        "acceptAmendment",
        "rejectAmendment",
        "reduce",
        "release",
        "claim",
        "claimExtendOrPay",
        "withdrawClaim",
        "supersede",
    ];
    assert_eq!(read::<ActionKind>(&pool, &kinds).await, ActionKind::ALL);
    let statuses = ["pending", "submitted", "included", "final", "failed"];
    assert_eq!(read::<ActionStatus>(&pool, &statuses).await, ActionStatus::ALL);
    let amendments = ["Pending", "Accepted", "Rejected", "Lapsed"];
    assert_eq!(read::<AmendmentStatus>(&pool, &amendments).await, AmendmentStatus::ALL);
    let claims = ["Open", "Paid", "Rejected", "Withdrawn", "Extended"];
    assert_eq!(read::<ClaimStatus>(&pool, &claims).await, ClaimStatus::ALL);
    assert_eq!(read::<ReleaseKind>(&pool, &["Reduce", "Release"]).await, ReleaseKind::ALL);
    assert_eq!(
        read::<GuaranteeStatus>(&pool, &["None", "PaidOut"]).await,
        [GuaranteeStatus::None, GuaranteeStatus::PaidOut]
    );
}
