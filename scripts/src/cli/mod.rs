//! The command line's parts: arguments, dispatch to the library, output.

pub(crate) mod args;
pub(crate) mod output;
pub(crate) mod run;
