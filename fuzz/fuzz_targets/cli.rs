//! Command lines: `cli::parse_args` never panics (clap's debug assertions
//! on the command definition included), and its error messages are bounded
//! and free of control characters (the arguments they echo are escaped).
//!
//! The input is split on NUL bytes into arguments, each taken as raw bytes
//! (not necessarily UTF-8, as on Unix), after the program name `acdsim`.
#![no_main]

use acdsim_fuzz::assert_clean_message;
use libfuzzer_sys::fuzz_target;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt as _;

fuzz_target!(|data: &[u8]| {
    // An empty input is the bare program name; otherwise every NUL ends an argument.
    let pieces: Vec<&[u8]> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == 0).collect()
    };
    let args = std::iter::once(OsString::from("acdsim")).chain(
        pieces
            .into_iter()
            .map(|arg| OsString::from_vec(arg.to_vec())),
    );
    if let Err(message) = acdsim::cli::parse_args(args) {
        assert_clean_message("cli", &message);
    }
});
