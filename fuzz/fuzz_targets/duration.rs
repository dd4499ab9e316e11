//! Durations: `time::parse_duration` never panics, and its error messages
//! are bounded and free of control characters.
#![no_main]

use acdsim::time::parse_duration;
use acdsim_fuzz::assert_clean_message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(message) = parse_duration(text) {
        assert_clean_message("duration", &message);
    }
});
