//! The real `acdsim` binary names where a bad field's value stands in the
//! file: each problem line is `  PATH: MESSAGE (at FILE:LINE:COLUMN)`, the
//! column counted in characters, as for syntax errors (`FILE:LINE:COLUMN: ...`).

use assert_cmd::Command;
use std::path::PathBuf;

fn acdsim() -> Command {
    Command::cargo_bin("acdsim").expect("binary built")
}

/// A scenario with problems deep inside: a bad standard deviation, a wrong
/// type after non-ASCII text on the same line, an unknown skill under a key
/// that needs quoting, and a missing field.
const BAD: &str = r#"{
  "name": "réseau ☎ support",
  "horizon": "1h",
  "skills": ["billing", "sales"],
  "queues": [
    {
      "name": "billing",
      "skill": "billing",
      "arrivals": { "rate_per_hour": 60 },
      "handle_time": {
        "gamma": {
          "mean": "4m",
          "sd": "-2m"
        }
      }
    },
    { "name": "ventes — été", "priority": "haute", "skill": "sales",
      "arrivals": { "rate_per_hour": 30 } }
  ],
  "agent_groups": [
    { "name": "g", "count": 3, "skills": { "billing": 1, "sales": 1, "tech support": 2 } }
  ]
}
"#;

/// "LINE:COLUMN" of the first `needle` in `text` (columns in characters).
fn place(text: &str, needle: &str) -> String {
    let before = &text[..text.find(needle).expect("needle in text")];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    format!("{line}:{column}")
}

/// Runs acdsim with `args` on a file holding `text`: (the file, stderr),
/// checking the command refused it as bad input.
fn refused(args: &[&str], text: &str) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, text).unwrap();
    let out = acdsim().args(args).arg(&file).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "exit code for bad input: {err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.starts_with(&format!("error: {}: ", file.display())),
        "{err}"
    );
    (dir, file, err)
}

#[test]
fn validate_names_the_line_and_column_of_each_bad_value() {
    let (_dir, file, err) = refused(&["validate"], BAD);
    let f = file.display();
    // Each problem line: the old "PATH: MESSAGE", then where the value is.
    let expected = [
        format!("error: {f}: 4 problems:"),
        format!(
            "  queues[0].handle_time.gamma.sd: must not be negative, got \"-2m\" (at {f}:{})",
            place(BAD, r#""-2m""#)
        ),
        format!(
            "  queues[1].priority: expected an integer, got \"haute\" (at {f}:{})",
            place(BAD, r#""haute""#)
        ),
        // A missing field: where its object starts.
        format!(
            "  queues[1].handle_time: missing field (at {f}:{})",
            place(BAD, r#"{ "name": "ventes"#)
        ),
        format!(
            "  agent_groups[0].skills[\"tech support\"]: unknown skill \"tech support\" \
             (known skills: billing, sales) (at {f}:{})",
            place(BAD, "2 } }")
        ),
    ];
    assert_eq!(err.lines().collect::<Vec<_>>(), expected, "{err}");
    // As an editor shows them.
    assert!(err.contains(&format!("(at {f}:13:17)\n")), "{err}");
    // 43 characters ("—" and "é" one column each), though 47 bytes.
    assert!(
        err.contains(&format!("got \"haute\" (at {f}:17:43)\n")),
        "{err}"
    );
    assert!(
        err.contains(&format!("missing field (at {f}:17:5)\n")),
        "{err}"
    );
    assert!(err.contains(&format!("(at {f}:21:86)\n")), "{err}");
}

#[test]
fn run_says_the_same() {
    let (_dir, file, err) = refused(&["run", "--replications", "1"], BAD);
    let f = file.display();
    assert!(
        err.contains(&format!(
            "\n  queues[0].handle_time.gamma.sd: must not be negative, got \"-2m\" (at {f}:13:17)\n"
        )),
        "{err}"
    );
}

#[test]
fn windows_line_endings_and_a_byte_order_mark_do_not_shift_the_place() {
    let text = format!("\u{feff}{}", BAD.replace('\n', "\r\n"));
    let (_dir, file, err) = refused(&["validate"], &text);
    let f = file.display();
    assert!(err.contains(&format!("\"-2m\" (at {f}:13:17)\n")), "{err}");
    assert!(
        err.contains(&format!("\"haute\" (at {f}:17:43)\n")),
        "{err}"
    );
}

#[test]
fn a_problem_of_the_document_itself_has_no_place() {
    let (_dir, _file, err) = refused(&["validate"], "[\n  1\n]\n");
    assert!(
        err.ends_with(": 1 problem:\n  (top level): expected an object, got an array\n"),
        "{err}"
    );
}

#[test]
fn only_shown_problems_are_placed_and_the_message_stays_bounded() {
    // 300 queues with a bad priority each, one per line.
    let queues: Vec<String> = (0..300)
        .map(|i| {
            format!(
                r#"    {{ "name": "q{i}", "skill": "s", "priority": "p{i}", "arrivals": {{ "rate_per_hour": 1 }}, "handle_time": {{ "constant": 1 }} }}"#
            )
        })
        .collect();
    let text = format!(
        "{{\n  \"name\": \"many\",\n  \"horizon\": \"1h\",\n  \"skills\": [\"s\"],\n  \"queues\": [\n{}\n  ],\n  \"agent_groups\": [ {{ \"name\": \"g\", \"count\": 1, \"skills\": {{ \"s\": 1 }} }} ]\n}}\n",
        queues.join(",\n")
    );
    let (_dir, file, err) = refused(&["validate"], &text);
    let f = file.display();
    assert!(err.contains(": 300 problems:\n"), "{err}");
    assert!(err.contains("... and 250 more"), "{err}");
    assert_eq!(err.matches(" (at ").count(), 50, "{err}");
    for i in [0, 1, 49] {
        let at = place(&text, &format!("\"p{i}\""));
        assert!(
            err.contains(&format!(
                "  queues[{i}].priority: expected an integer, got \"p{i}\" (at {f}:{at})\n"
            )),
            "{i}: {err}"
        );
    }
    assert!(err.contains(&format!("\"p0\" (at {f}:6:47)\n")), "{err}");
    assert!(err.len() < 10_000, "{} bytes", err.len());
}
