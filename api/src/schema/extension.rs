//! The request extension: opens the request's snapshot (and its DataLoaders) before execution,
//! adds the consistency marker to `extensions`, and gives every error a stable code —
//! `QUERY_TOO_DEEP`, `QUERY_TOO_COMPLEX`, `GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`,
//! `BAD_USER_INPUT` for argument errors async-graphql raises itself, whether while validating (a
//! value the argument's type does not hold, such as an enum's unset `NONE`) or while executing.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables};

use super::types::hex0x;
use super::{Api, request_data};
use crate::db::Session;

/// Creates one [`SnapshotExtension`] per request.
pub(crate) struct Snapshots;

impl ExtensionFactory for Snapshots {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SnapshotExtension {
            session: Mutex::new(None),
            subscription: Mutex::new(false),
            mutation: Mutex::new(false),
        })
    }
}

/// The per-request extension.
pub(crate) struct SnapshotExtension {
    session: Mutex<Option<Arc<Session>>>,
    subscription: Mutex<bool>,
    mutation: Mutex<bool>,
}

fn with_code(mut error: ServerError, code: &'static str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

#[async_graphql::async_trait::async_trait]
impl Extension for SnapshotExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let api = ctx.data_unchecked::<Arc<Api>>();
        let (session, loaders) = request_data(api);
        *self.session.lock().expect("not poisoned") = Some(session.clone());
        next.run(ctx, request.data(session).data(loaders)).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await.map_err(|e| with_code(e, "GRAPHQL_PARSE_FAILED"))?;
        let subscription = document.operations.iter().any(|(_, op)| op.node.ty == OperationType::Subscription);
        *self.subscription.lock().expect("not poisoned") = subscription;
        let mutation = document.operations.iter().any(|(_, op)| op.node.ty == OperationType::Mutation);
        *self.mutation.lock().expect("not poisoned") = mutation;
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    let code = match e.message.as_str() {
                        "Query is nested too deep." => "QUERY_TOO_DEEP",
                        "Query is too complex." => "QUERY_TOO_COMPLEX",
                        // The document is well formed; a value given for an argument is not one
                        // its type holds (async-graphql's ArgumentsOfCorrectType, which also
                        // checks variables). The message names the argument and the value.
                        message if message.starts_with("Invalid value for argument") => "BAD_USER_INPUT",
                        _ => "GRAPHQL_VALIDATION_FAILED",
                    };
                    with_code(e, code)
                })
                .collect()
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let session = self.session.lock().expect("not poisoned").clone();
        let subscription = *self.subscription.lock().expect("not poisoned");
        let mutation = *self.mutation.lock().expect("not poisoned");
        // Every query answer names the block it was read at, so open the snapshot up front. A
        // mutation writes through the pool first: holding a snapshot's connection meanwhile
        // could starve the pool under many concurrent mutations.
        if let (Some(session), false) = (&session, subscription || mutation)
            && let Err(error) = session.marker().await
        {
            return Response::from_errors(vec![with_code(
                async_graphql::Error::from(error).into_server_error(async_graphql::Pos::default()),
                "INTERNAL",
            )]);
        }
        let mut response = next.run(ctx, operation_name).await;
        response.errors = response.errors.into_iter().map(|e| with_code(e, "BAD_USER_INPUT")).collect();
        if let Some(session) = session
            && !subscription
            && let Some(marker) = session.opened_marker()
        {
            response = response.extension("consistency", marker_value(marker));
        }
        response
    }
}

fn marker_value(marker: Option<&crate::db::Marker>) -> Value {
    let Some(m) = marker else {
        return Value::from_json(serde_json::json!({ "indexedBlockNumber": null, "indexedBlockHash": null }))
            .unwrap_or(Value::Null);
    };
    Value::from_json(serde_json::json!({
        "chainId": m.chain_id,
        "indexedBlockNumber": m.block_number,
        "indexedBlockHash": m.block_hash.as_deref().map(hex0x),
        "indexedBlockTime": m.block_timestamp.map(|t| super::types::iso(t.max(0) as u64)),
        "finalBlockNumber": m.final_block,
    }))
    .unwrap_or(Value::Null)
}
