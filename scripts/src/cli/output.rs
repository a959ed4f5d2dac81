//! The only place the command line prints: results as text or JSON on stdout, errors as one
//! sentence on stderr (or a JSON object on stdout with --json).
#![allow(clippy::disallowed_macros, reason = "this module is the command line's output")]

use std::fmt::Display;

use serde::Serialize;

/// Prints a result.
pub(crate) fn result<T: Serialize + Display>(value: &T, json: bool) {
    if json {
        println!("{}", serde_json::to_string(value).expect("results serialise"));
    } else {
        println!("{value}");
    }
}

/// Prints a line of progress or information for people (stderr, so stdout stays parseable).
pub(crate) fn note(text: impl Display) {
    eprintln!("{text}");
}

/// Prints an error.
pub(crate) fn error(error: &egp::Error, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "error": error.to_string() }));
    } else {
        eprintln!("error: {error}");
    }
}
