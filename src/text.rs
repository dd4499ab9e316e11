//! User text as acdsim shows it in messages and tables: control and
//! direction-changing characters escaped, and long text cut with an ellipsis,
//! so a scenario's names can neither write to the terminal (clear it, forge
//! lines, reverse what follows) nor flood the output.

/// Longest quoted name in a message, in characters (longer ones end with `…`).
pub const MAX_QUOTED: usize = 60;

/// Whether `c` is shown escaped: control characters (C0, DEL, C1) and the
/// invisible characters that change how the following text is displayed
/// (bidirectional overrides and isolates, zero-width marks, the byte-order mark).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// `s` with hidden characters escaped (`\n`, `\u{1b}`), cut to `max`
/// characters with a final `…` when longer.
pub fn shown(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for c in s.chars() {
        let piece: String = if is_hidden(c) {
            c.escape_default().collect()
        } else {
            c.to_string()
        };
        let n = piece.chars().count();
        if chars + n > max {
            // Room for the ellipsis: drop what overflows.
            while chars >= max && !out.is_empty() {
                out.pop();
                chars -= 1;
            }
            out.push('…');
            return out;
        }
        out.push_str(&piece);
        chars += n;
    }
    out
}

/// `s` between double quotes for a message: quotes and backslashes escaped
/// as in JSON, hidden characters escaped, at most [`MAX_QUOTED`] characters.
pub fn quoted(s: &str) -> String {
    let mut inner = String::new();
    for c in s.chars() {
        match c {
            '"' => inner.push_str("\\\""),
            '\\' => inner.push_str("\\\\"),
            _ => inner.push(c),
        }
    }
    format!("\"{}\"", shown(&inner, MAX_QUOTED))
}

/// Names shown in a message listing what is known: at most `max`, each
/// escaped and cut, then "… and N more".
pub fn listing<'a>(names: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let mut shown_names = Vec::new();
    let mut more = 0usize;
    for n in names {
        if shown_names.len() < max {
            shown_names.push(shown(n, MAX_QUOTED));
        } else {
            more += 1;
        }
    }
    if more > 0 {
        shown_names.push(format!("… and {more} more"));
    }
    shown_names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_escaped() {
        assert_eq!(shown("a\nb\u{1b}[2J\0", 40), "a\\nb\\u{1b}[2J\\u{0}");
        assert_eq!(
            shown("x\u{202e}y\u{7f}\u{85}", 40),
            "x\\u{202e}y\\u{7f}\\u{85}"
        );
        assert_eq!(shown("café ünïcode", 40), "café ünïcode");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let long = "é".repeat(70_000);
        let s = shown(&long, 24);
        assert_eq!(s.chars().count(), 24);
        assert!(s.ends_with('…'));
        assert_eq!(shown("abc", 3), "abc");
        assert_eq!(shown("abcd", 3), "ab…");
        // An escape is never cut in half.
        assert_eq!(shown("ab\u{1b}", 5), "ab…");
    }

    #[test]
    fn quoted_names_are_json_like_and_bounded() {
        assert_eq!(quoted("billing"), "\"billing\"");
        assert_eq!(quoted("a \"b\" \\"), "\"a \\\"b\\\" \\\\\"");
        let q = quoted(&"q".repeat(1000));
        assert_eq!(q.chars().count(), MAX_QUOTED + 2);
    }
}
