//! Where a problem stands in the scenario text: a scan of the original JSON
//! text that follows a problem's path (`queues[0].handle_time.gamma.sd`,
//! `agent_groups[2].skills["tech support"]`, as [`read::join_key`] writes
//! them) to the value it names, and gives its line and column.
//!
//! Used only when a file is refused, once per shown problem: a linear scan
//! that allocates nothing except to decode a key written with escapes or to
//! compare a quoted (odd) key. The text has already been parsed, but the scan
//! does not rely on it: on anything unexpected it answers `None`, never panics.
//!
//! [`read::join_key`]: super::read::join_key

/// A place in the text: 1-based line, and 1-based column counted in
/// characters (a tab or an `é` is one column), as for invalid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// Where the value at `path` starts in `text` (its first character: the
/// opening quote of a string, the `{` of an object). When the path's last
/// key or index is absent (a missing field), where the enclosing object or
/// array starts. `None` for the document itself (empty path), a path that
/// does not follow the text (or was cut short for display), or a key shown
/// cut short that several keys of the object could be.
///
/// A byte-order mark at the start is skipped: line 1, column 1 is the
/// character after it, as for syntax errors.
pub fn locate(text: &str, path: &str) -> Option<Location> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = find(text, path)?;
    Some(location_of(text, offset))
}

/// Line and column of byte `offset` (a character boundary) of `text`.
fn location_of(text: &str, offset: usize) -> Location {
    let bytes = text.as_bytes();
    let before = &bytes[..offset.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line = 1 + before[..line_start].iter().filter(|&&b| b == b'\n').count();
    // Characters = bytes that do not continue a UTF-8 sequence.
    let column = 1 + before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count();
    Location { line, column }
}

/// One step of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'p> {
    /// `.key` (or `key` first): an identifier-like key, as is.
    Plain(&'p str),
    /// `["odd key"]`: the key as [`quoted`](crate::text::quoted) shows it, quotes included.
    Quoted(&'p str),
    /// `[3]`.
    Index(usize),
}

/// Whether [`read::join_key`](super::read::join_key) writes `key` as is (else quoted).
fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The first segment of `rest` and what follows it; `None` if `rest` is not
/// a path as the reader writes them (a path cut short for display, ending in
/// `…`, never is).
fn next_segment(rest: &str, first: bool) -> Option<(Segment<'_>, &str)> {
    let bytes = rest.as_bytes();
    match bytes.first()? {
        b'[' if bytes.get(1) == Some(&b'"') => {
            // A quoted key: up to the quote that closes it (every backslash
            // starts a two-character escape), then `]`.
            let mut i = 2;
            loop {
                match *bytes.get(i)? {
                    b'\\' => i += 2,
                    b'"' => break,
                    _ => i += 1,
                }
            }
            if bytes.get(i + 1) != Some(&b']') {
                return None;
            }
            Some((Segment::Quoted(rest.get(1..=i)?), rest.get(i + 2..)?))
        }
        b'[' => {
            let end = bytes.iter().position(|&b| b == b']')?;
            let digits = rest.get(1..end)?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some((Segment::Index(digits.parse().ok()?), rest.get(end + 1..)?))
        }
        b'.' if !first => plain_segment(rest.get(1..)?),
        _ if first => plain_segment(rest),
        _ => None,
    }
}

fn plain_segment(rest: &str) -> Option<(Segment<'_>, &str)> {
    let end = rest
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        .unwrap_or(rest.len());
    if end == 0 {
        return None;
    }
    Some((Segment::Plain(rest.get(..end)?), rest.get(end..)?))
}

/// Byte offset of the value at `path` in `text` (see [`locate`]).
fn find(text: &str, path: &str) -> Option<usize> {
    if path.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    let mut rest = path;
    let mut first = true;
    // Decoded keys written with escapes (allocated only if one is met).
    let mut key_buf = String::new();
    while !rest.is_empty() {
        let (segment, after) = next_segment(rest, first)?;
        first = false;
        rest = after;
        match child(text, pos, segment, &mut key_buf)? {
            Some(found) => pos = found,
            // The last key or index is absent: its container.
            None if rest.is_empty() => return Some(pos),
            None => return None,
        }
    }
    Some(pos)
}

/// In the object or array starting at `pos`, where the value named by
/// `segment` starts: `Some(None)` when absent, `None` when the text does not
/// fit (not a container of the right kind, malformed) or the key is ambiguous.
fn child(
    text: &str,
    pos: usize,
    segment: Segment<'_>,
    key_buf: &mut String,
) -> Option<Option<usize>> {
    let bytes = text.as_bytes();
    match (segment, *bytes.get(pos)?) {
        (Segment::Index(n), b'[') => {
            let mut i = skip_ws(bytes, pos + 1);
            if *bytes.get(i)? == b']' {
                return Some(None);
            }
            let mut k = 0;
            loop {
                if k == n {
                    return Some(Some(i));
                }
                i = skip_ws(bytes, skip_value(bytes, i)?);
                match *bytes.get(i)? {
                    b',' => i = skip_ws(bytes, i + 1),
                    b']' => return Some(None),
                    _ => return None,
                }
                k += 1;
            }
        }
        (Segment::Plain(_) | Segment::Quoted(_), b'{') => {
            // A quoted key shown cut short ("abc…") may stand for several
            // keys: then every key of the object is compared.
            let cut = matches!(segment, Segment::Quoted(q) if q.ends_with("…\""));
            let mut found = None;
            let mut i = skip_ws(bytes, pos + 1);
            if *bytes.get(i)? == b'}' {
                return Some(None);
            }
            loop {
                if *bytes.get(i)? != b'"' {
                    return None;
                }
                let key_end = skip_string(bytes, i)?;
                let raw = text.get(i + 1..key_end - 1)?;
                i = skip_ws(bytes, key_end);
                if *bytes.get(i)? != b':' {
                    return None;
                }
                i = skip_ws(bytes, i + 1);
                if key_matches(segment, raw, key_buf)? {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(i);
                    if !cut {
                        return Some(found);
                    }
                }
                i = skip_ws(bytes, skip_value(bytes, i)?);
                match *bytes.get(i)? {
                    b',' => i = skip_ws(bytes, i + 1),
                    b'}' => return Some(found),
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// Whether the key written `raw` (between its quotes, escapes undecoded) is
/// the one `segment` names; `None` if `raw` is not a valid JSON string body.
fn key_matches(segment: Segment<'_>, raw: &str, key_buf: &mut String) -> Option<bool> {
    let key = if raw.contains('\\') {
        decode(raw, key_buf)?;
        key_buf.as_str()
    } else {
        raw
    };
    Some(match segment {
        Segment::Plain(name) => key == name,
        Segment::Quoted(shown) => !is_plain(key) && crate::text::quoted(key) == shown,
        Segment::Index(_) => false,
    })
}

/// Decodes the body of a JSON string into `out`; `None` on a bad escape.
/// (A lone surrogate, refused by the parser anyway, becomes U+FFFD.)
fn decode(raw: &str, out: &mut String) -> Option<()> {
    out.clear();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hi = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&hi) {
                    let mut ahead = chars.clone();
                    let lo = match (ahead.next(), ahead.next()) {
                        (Some('\\'), Some('u')) => hex4(&mut ahead),
                        _ => None,
                    };
                    match lo {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            chars = ahead;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                .unwrap_or('\u{fffd}')
                        }
                        _ => '\u{fffd}',
                    }
                } else {
                    char::from_u32(hi).unwrap_or('\u{fffd}')
                }
            }
            _ => return None,
        };
        out.push(decoded);
    }
    Some(())
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// After the string whose opening quote is at `i`.
fn skip_string(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match *bytes.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// After the value starting at `i` (without recursion: nesting depth is only counted).
fn skip_value(bytes: &[u8], i: usize) -> Option<usize> {
    match *bytes.get(i)? {
        b'"' => skip_string(bytes, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match *bytes.get(j)? {
                    b'"' => {
                        j = skip_string(bytes, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        b',' | b':' | b'}' | b']' => None,
        _ => {
            // A number, true, false or null: up to the next delimiter.
            let len = bytes[i..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(bytes.len() - i);
            Some(i + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::read::join_key;

    /// (line, column) of the value at `path`.
    fn at(text: &str, path: &str) -> Option<(usize, usize)> {
        locate(text, path).map(|l| (l.line, l.column))
    }

    /// (line, column) of the first occurrence of `needle` in `text`, counted
    /// independently of the scanner.
    fn where_is(text: &str, needle: &str) -> (usize, usize) {
        let offset = text.find(needle).expect("needle in text");
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
        (line, column)
    }

    const DOC: &str = r#"{
  "name": "demo",
  "skills": ["billing", "sales"],
  "queues": [
    { "name": "a", "skill": "billing", "priority": 1,
      "handle_time": { "lognormal": { "mean": "5m", "sd": 150 } } },
    {
      "name": "b",
      "skill": "sales",
      "priority": "x",
      "handle_time": { "gamma": { "mean": "4m", "sd": -2 } },
      "wrap_up": [ [1, 2], {"k": [3, {"deep": true}]}, null ]
    }
  ],
  "agent_groups": [
    { "name": "g", "count": 4, "skills": { "billing": 1, "sales": 2 } }
  ],
  "campaigns": [ { "dialer": { "mode": "power", "lines_per_free_agent": 0 } } ]
}"#;

    #[test]
    fn top_level_fields() {
        assert_eq!(at(DOC, "name"), Some(where_is(DOC, "\"demo\"")));
        assert_eq!(at(DOC, "name"), Some((2, 11)));
        assert_eq!(at(DOC, "skills"), Some((3, 13)));
        assert_eq!(at(DOC, "queues"), Some((4, 13)));
    }

    #[test]
    fn nested_objects_and_arrays() {
        assert_eq!(at(DOC, "skills[1]"), Some(where_is(DOC, "\"sales\"]")));
        assert_eq!(at(DOC, "queues[0]"), Some((5, 5)));
        assert_eq!(at(DOC, "queues[1]"), Some((7, 5)));
        assert_eq!(at(DOC, "queues[1].priority"), Some((10, 19)));
        assert_eq!(at(DOC, "queues[0].priority"), Some(where_is(DOC, "1,\n")));
        assert_eq!(
            at(DOC, "queues[0].handle_time.lognormal.sd"),
            Some(where_is(DOC, "150"))
        );
        assert_eq!(
            at(DOC, "queues[1].handle_time.gamma.sd"),
            Some(where_is(DOC, "-2 }"))
        );
        assert_eq!(
            at(DOC, "queues[1].handle_time.gamma"),
            Some(where_is(DOC, "{ \"mean\": \"4m\""))
        );
        assert_eq!(
            at(DOC, "agent_groups[0].skills.sales"),
            Some(where_is(DOC, "2 } }\n  ]"))
        );
        assert_eq!(
            at(DOC, "campaigns[0].dialer.lines_per_free_agent"),
            Some(where_is(DOC, "0 } } ]"))
        );
    }

    #[test]
    fn arrays_of_arrays_and_nested_values_are_skipped_whole() {
        assert_eq!(
            at(DOC, "queues[1].wrap_up[0][1]"),
            Some(where_is(DOC, "2], {"))
        );
        assert_eq!(
            at(DOC, "queues[1].wrap_up[1].k[1].deep"),
            Some(where_is(DOC, "true"))
        );
        assert_eq!(at(DOC, "queues[1].wrap_up[2]"), Some(where_is(DOC, "null")));
    }

    #[test]
    fn a_missing_field_is_placed_at_its_object() {
        // queues[1] has no patience: the queue's object.
        assert_eq!(at(DOC, "queues[1].patience"), Some((7, 5)));
        assert_eq!(
            at(DOC, "queues[0].handle_time.lognormal.min"),
            Some(where_is(DOC, "{ \"mean\": \"5m\""))
        );
        assert_eq!(at(DOC, "horizon"), Some((1, 1)));
        // Empty containers too.
        assert_eq!(at("{\"a\": {}}", "a.b"), Some((1, 7)));
        assert_eq!(at("{\"a\": []}", "a[0]"), Some((1, 7)));
        // An index past the end: the array.
        assert_eq!(at(DOC, "skills[2]"), Some((3, 13)));
    }

    #[test]
    fn a_path_that_leaves_the_text_has_no_location() {
        // Only the last step may be absent.
        assert_eq!(at(DOC, "routing.agent_selection"), None);
        assert_eq!(at(DOC, "queues[5].name"), None);
        // Keys of arrays, indices of objects, steps into scalars.
        assert_eq!(at(DOC, "queues.name"), None);
        assert_eq!(at(DOC, "agent_groups[0][0]"), None);
        assert_eq!(at(DOC, "name.first"), None);
        assert_eq!(at(DOC, "name[0]"), None);
    }

    #[test]
    fn the_document_itself_has_no_location() {
        assert_eq!(at(DOC, ""), None);
        assert_eq!(at("[]", ""), None);
    }

    #[test]
    fn malformed_paths_have_no_location() {
        for path in [
            ".name",
            "name.",
            "queues[",
            "queues[]",
            "queues[x]",
            "queues[-1]",
            "queues[0]x",
            "queues..name",
            "queues[99999999999999999999999]",
            "agent_groups[0].skills[\"sales",
            "agent_groups[0].skills[\"sales\"",
            "na me",
            "queues[1].prior…",
            "…",
        ] {
            assert_eq!(at(DOC, path), None, "{path}");
        }
    }

    #[test]
    fn odd_keys_are_found_in_their_quoted_form() {
        let text = "{\"skills\": {\"tech support\": 1, \"a.b\": 2, \"\": 3, \"q\\\"uote\\\\\": 4, \"é\": 5}}";
        let paths: Vec<String> = ["tech support", "a.b", "", "q\"uote\\", "é"]
            .iter()
            .map(|k| join_key("skills", k))
            .collect();
        assert_eq!(paths[0], r#"skills["tech support"]"#);
        assert_eq!(paths[3], r#"skills["q\"uote\\"]"#);
        let expected = ["1,", "2,", "3,", "4,", "5}"];
        for (path, value) in paths.iter().zip(expected) {
            assert_eq!(at(text, path), Some(where_is(text, value)), "{path}");
        }
        // A plain key is never written quoted, nor the reverse.
        assert_eq!(at("{\"a\": {\"b\": 1}}", r#"a["b"]"#), Some((1, 7)));
        assert_eq!(at("{\"a\": {\"b c\": 1}}", "a.b"), Some((1, 7)));
    }

    #[test]
    fn keys_written_with_escapes_are_decoded() {
        // "\u0073ales" is "sales"; "\ud83d\ude00" is one emoji.
        let text = "{\"skills\": {\"\\u0073ales\": 1, \"x\\ud83d\\ude00\": 2, \"tab\\there\": 3, \"\\/\": 4}}";
        assert_eq!(at(text, "skills.sales"), Some(where_is(text, "1,")));
        assert_eq!(
            at(text, &join_key("skills", "x😀")),
            Some(where_is(text, "2,"))
        );
        // Hidden characters are shown escaped in paths (`\t`).
        let tab = join_key("skills", "tab\there");
        assert_eq!(
            at(text, &crate::text::shown(&tab, 400)),
            Some(where_is(text, "3,"))
        );
        assert_eq!(
            at(text, &join_key("skills", "/")),
            Some(where_is(text, "4}"))
        );
    }

    #[test]
    fn strings_with_quotes_and_brackets_do_not_confuse_the_scan() {
        let text = r#"{"a": "x\"}, \"b\": [1", "c": ["]", "\\", "}{", {"d": "\\\""}], "b": 7}"#;
        assert_eq!(at(text, "b"), Some(where_is(text, "7}")));
        assert_eq!(at(text, "c[1]"), Some(where_is(text, r#""\\", "}{""#)));
        assert_eq!(at(text, "c[3].d"), Some(where_is(text, r#""\\\"""#)));
        // The key "b" inside a string value is not a key.
        assert_eq!(at(text, "a"), Some((1, 7)));
    }

    #[test]
    fn columns_count_characters() {
        let text = "{\"name\": \"café ☕ 😀\", \"seed\": \"x\",\n\t\"ü\": {\"ß\": [\"€\", 5]}}";
        assert_eq!(at(text, "seed"), Some(where_is(text, "\"x\"")));
        assert_eq!(at(text, "seed"), Some((1, 30)));
        assert_eq!(at(text, &join_key("", "ü")), Some((2, 7)));
        let path = format!("{}[1]", join_key(&join_key("", "ü"), "ß"));
        assert_eq!(at(text, &path), Some((2, 19)));
        assert_eq!(at(text, &path), Some(where_is(text, "5]")));
    }

    #[test]
    fn line_endings_and_a_byte_order_mark() {
        let text = "{\r\n  \"a\": 1,\r\n  \"b\":\r\n\r\n    2\r\n}";
        assert_eq!(at(text, "a"), Some((2, 8)));
        assert_eq!(at(text, "b"), Some((5, 5)));
        let bom = "\u{feff}{\"a\": 1}";
        assert_eq!(at(bom, "a"), Some((1, 7)));
        assert_eq!(at(bom, "b"), Some((1, 1)));
    }

    #[test]
    fn a_key_shown_cut_short_is_found_only_if_unambiguous() {
        let long = "k ".repeat(100);
        let path = crate::text::shown(&join_key("m", &long), 400);
        assert!(path.ends_with("…\"]"), "{path}");
        let one = format!("{{\"m\": {{\"x\": 0, \"{long}\": 1}}}}");
        assert_eq!(at(&one, &path), Some(where_is(&one, "1}")));
        let two = format!("{{\"m\": {{\"{long}\": 1, \"{long}!\": 2}}}}");
        assert_eq!(at(&two, &path), None);
        // A whole path cut short for display (ends with "…") has no location.
        let deep = format!("{{\"{}\": 1}}", "a".repeat(500));
        let cut = crate::text::shown(&"a".repeat(500), 400);
        assert_eq!(at(&deep, &cut), None);
    }

    #[test]
    fn plain_keys_follow_join_key() {
        for key in [
            "a", "A9", "x_y", "x-y", "", "a b", "a.b", "é", "a[0]", "\"", "…",
        ] {
            let plain = join_key("p", key) == format!("p.{key}");
            assert_eq!(is_plain(key), plain, "{key:?}");
        }
    }

    #[test]
    fn malformed_text_gives_none_or_a_place_never_a_panic() {
        let texts = [
            "",
            "   ",
            "{",
            "[",
            "{\"a\"",
            "{\"a\":",
            "{\"a\": [1, 2",
            "{\"a\": \"unterminated",
            "{\"a\": \"bad \\",
            "{\"a\" 1}",
            "{\"a\": 1 \"b\": 2}",
            "{\"\\u12\": 1}",
            "{\"\\ud800\": 1}",
            "{\"\\q\": 1}",
            "{\"a\": }",
            "{\"a\": ]]]}",
            "{\"a\": [}",
            "[[[[[[[[[[",
            "\"é",
            "{\"é\u{0}\": \"\u{1b}\"}",
        ];
        let paths = [
            "a", "a[0]", "a[1]", "a.b", "b", "é", "a[0][0]", "[0]", "[\"é\"]",
        ];
        for text in texts {
            for path in paths {
                if let Some(l) = locate(text, path) {
                    assert!(l.line >= 1 && l.column >= 1);
                }
            }
        }
        let deep = "[".repeat(100_000);
        assert_eq!(at(&deep, "a"), None);
        // The scan follows whatever the text holds as far as it goes.
        assert_eq!(at(&deep, &"[0]".repeat(1000)), Some((1, 1001)));
        assert_eq!(at(&deep, "[0][1]"), None);
    }

    #[test]
    fn agrees_with_serde_json_on_every_value_of_a_document() {
        // Every value of DOC, found through its path: the text there parses
        // to the value serde_json sees at that place.
        fn walk(v: &serde_json::Value, path: String, out: &mut Vec<(String, serde_json::Value)>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, c) in m {
                        walk(c, join_key(&path, k), out);
                    }
                }
                serde_json::Value::Array(a) => {
                    for (i, c) in a.iter().enumerate() {
                        walk(c, format!("{path}[{i}]"), out);
                    }
                }
                _ => {}
            }
            out.push((path, v.clone()));
        }
        let text = format!(
            "{}\n,\"x y\": {{\"\\u00e9\\n\": [{{}}, [], \"\\\"\"], \"z\": -1.5e3}}}}",
            DOC.trim_end().strip_suffix('}').unwrap()
        );
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut values = Vec::new();
        walk(&doc, String::new(), &mut values);
        assert!(values.len() > 40);
        for (path, value) in values {
            if path.is_empty() {
                continue;
            }
            let offset = find(&text, &crate::text::shown(&path, 400))
                .unwrap_or_else(|| panic!("{path} not found"));
            let end = skip_value(text.as_bytes(), offset).unwrap();
            let found: serde_json::Value = serde_json::from_str(&text[offset..end]).unwrap();
            assert_eq!(found, value, "{path}");
        }
    }
}
