//! Statuses and kinds are GraphQL enums: the unset value of a contract enum (`NONE`, Solidity's
//! zero) is no value a client may send or see, and refusing it is a client error naming it.

use serde_json::json;
use sqlx::PgPool;

use crate::common::*;

/// The values of `enum <name> { … }` in the SDL.
fn sdl_values(sdl: &str, name: &str) -> Vec<String> {
    let start = sdl.find(&format!("enum {name} {{")).unwrap_or_else(|| panic!("enum {name} not in the SDL"));
    let body = &sdl[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find('}').unwrap()];
    // Descriptions are quoted blocks; values are the bare words.
    let mut values = Vec::new();
    let mut in_description = false;
    for line in body.lines().map(str::trim).filter(|line| !line.is_empty()) {
        if line.starts_with("\"\"\"") {
            in_description = !(in_description || line.len() > 3 && line.ends_with("\"\"\""));
        } else if !in_description {
            values.push(line.to_owned());
        }
    }
    values
}

#[test]
fn the_unset_values_are_not_in_the_schema() {
    let sdl = egp_api::schema::sdl();
    assert_eq!(
        sdl_values(&sdl, "GuaranteeStatus"),
        [
            "PENDING_ACCEPTANCE",
            "ACTIVE",
            "CLAIMED",
            "EXTEND_OR_PAY",
            "SUSPENDED",
            "REJECTED",
            "CANCELLED",
            "RELEASED",
            "EXPIRED",
            "PAID_OUT",
            "SUPERSEDED"
        ]
    );
    assert_eq!(sdl_values(&sdl, "ConfirmationStatus"), ["VALID", "REVOKED", "SUPERSEDED", "EXPIRED"]);
    assert_eq!(sdl_values(&sdl, "IssuerStatus"), ["ACTIVE", "SUSPENDED"]);
    assert_eq!(sdl_values(&sdl, "ClaimStatus"), ["OPEN", "PAID", "REJECTED", "WITHDRAWN", "EXTENDED"]);
    assert_eq!(sdl_values(&sdl, "ActionStatus"), ["PENDING", "SUBMITTED", "INCLUDED", "FINAL", "FAILED"]);
}

#[sqlx::test(migrator = "egp_store::MIGRATOR")]
async fn the_unset_value_is_refused_as_input_naming_it(pool: PgPool) {
    let schema = schema(pool, "http://127.0.0.1:9");
    let cases = [
        ("{ guarantees(filter: { statuses: [ACTIVE, NONE] }) { totalCount } }", json!({})),
        (
            "query($s: [GuaranteeStatus!]) { guarantees(filter: { statuses: $s }) { totalCount } }",
            json!({ "s": ["NONE"] }),
        ),
        ("{ creditConfirmations(filter: { statuses: [NONE] }) { totalCount } }", json!({})),
        (
            "query($s: [ConfirmationStatus!]) { creditConfirmations(filter: { statuses: $s }) { totalCount } }",
            json!({ "s": ["VALID", "NONE"] }),
        ),
    ];
    for (query, variables) in cases {
        let answer = run(&schema, egp(), query, variables).await;
        assert_eq!(codes(&answer), ["BAD_USER_INPUT"], "{query}: {answer}");
        let message = answer["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("does not contain the value \"NONE\""), "{query}: {message}");
        assert!(answer["data"].is_null(), "{query}: {answer}");
    }

    // Every other value is accepted, by literal and by variable.
    let every = "query($s: [GuaranteeStatus!]) { guarantees(filter: { statuses: $s }) { totalCount } }";
    let all = sdl_values(&egp_api::schema::sdl(), "GuaranteeStatus");
    assert_eq!(data(&schema, every, json!({ "s": all })).await["guarantees"]["totalCount"], 0);
    let answer =
        data(&schema, "{ creditConfirmations(filter: { statuses: [VALID, EXPIRED] }) { totalCount } }", empty());
    assert_eq!(answer.await["creditConfirmations"]["totalCount"], 0);
}
