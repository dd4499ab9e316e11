//! Scenario JSON: `Scenario::from_json_str` never panics, and its error
//! messages are bounded and free of control characters (a scenario's text
//! must not be able to write escape sequences to the user's terminal).
//! A scenario that parses is not run: simulating is too slow for fuzzing.
#![no_main]

use acdsim::scenario::Scenario;
use acdsim_fuzz::assert_clean_message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = Scenario::from_json_str(text, "fuzz.json") {
        assert_clean_message("scenario", &e.to_string());
    }
});
