//! The committed SDL (`api/schema.graphql`) is the schema: a change to one without the other fails.
//! Regenerate with `EGP_UPDATE_SDL=1 cargo nextest run --workspace -E 'test(sdl)'`.

#[test]
fn committed_sdl_matches_the_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = egp_api::schema::sdl();
    if std::env::var_os("EGP_UPDATE_SDL").is_some() {
        std::fs::write(&path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "api/schema.graphql is stale: run `EGP_UPDATE_SDL=1 cargo nextest run --workspace -E 'test(sdl)'` and commit it"
    );
}
