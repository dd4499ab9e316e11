//! Checks shared by the fuzz targets.

/// Longest error message a target accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Whether `c` may appear in a message shown on a terminal: everything but
/// control characters (C0 including NUL and ESC, DEL, C1 U+0080–U+009F),
/// apart from line feed and tab.
pub fn is_allowed_in_message(c: char) -> bool {
    c == '\n' || c == '\t' || !c.is_control()
}

/// Panics unless `message` is at most [`MAX_MESSAGE_BYTES`] long.
pub fn assert_bounded(what: &str, message: &str) {
    assert!(
        message.len() <= MAX_MESSAGE_BYTES,
        "{what}: error message of {} bytes (more than {MAX_MESSAGE_BYTES}); it starts {:?}",
        message.len(),
        excerpt(message, 0),
    );
}

/// Environment variable that turns [`assert_no_control_chars`] off (any
/// non-empty value but `0`), to fuzz for panics and unbounded messages past a
/// known, still open control-character finding. Read once per process.
pub const ALLOW_CONTROL_CHARS_VAR: &str = "ACDSIM_FUZZ_ALLOW_CONTROL_CHARS";

fn control_chars_allowed() -> bool {
    static ALLOWED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ALLOWED.get_or_init(|| {
        std::env::var_os(ALLOW_CONTROL_CHARS_VAR).is_some_and(|v| !v.is_empty() && v != "0")
    })
}

/// Panics if `message` holds a control character other than `\n` and `\t`
/// (unless [`ALLOW_CONTROL_CHARS_VAR`] is set).
pub fn assert_no_control_chars(what: &str, message: &str) {
    if control_chars_allowed() {
        return;
    }
    if let Some((at, c)) = message
        .char_indices()
        .find(|&(_, c)| !is_allowed_in_message(c))
    {
        panic!(
            "{what}: error message holds control character {:?} at byte {at}: {:?}",
            c,
            excerpt(message, at),
        );
    }
}

/// Both checks: bounded and free of control characters.
pub fn assert_clean_message(what: &str, message: &str) {
    assert_bounded(what, message);
    assert_no_control_chars(what, message);
}

/// Up to about 200 bytes of `s` around byte `at` (on char boundaries).
fn excerpt(s: &str, at: usize) -> &str {
    let mut start = at.saturating_sub(100);
    while !s.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + 100).min(s.len());
    while !s.is_char_boundary(end) {
        end += 1;
    }
    &s[start..end]
}
