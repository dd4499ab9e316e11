//! Scripts of timed commands: JSON lines, as `acdsim live --record` writes
//! them (a session line first, then one command a line with its `at_s`),
//! or written by hand, that `acdsim run --commands` replays; reading them
//! against a scenario, with every problem at its line and column.

use super::read::{
    duplicate, duplicate_key, unknown_field, value_text, without_position, Fields, Problem,
};
use super::{Action, Checked, Command};
use crate::scenario::Scenario;
use crate::text::{quoted, shown};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// The column (1-based, in characters) where the value of the last key
/// `field` at nesting `depth` (1: the line's object) starts in a line of
/// JSON; `None` if it is not found (a key written with escapes, say).
fn value_column(line: &str, field: &str, depth: usize) -> Option<usize> {
    let b = line.as_bytes();
    let skip_blank = |mut j: usize| {
        while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r' | b'\n') {
            j += 1;
        }
        j
    };
    let (mut level, mut i, mut found) = (0usize, 0usize, None);
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if i >= b.len() {
                    break;
                }
                if level == depth && line.get(start..i) == Some(field) {
                    let j = skip_blank(i + 1);
                    if j < b.len() && b[j] == b':' {
                        let j = skip_blank(j + 1);
                        if j < b.len() {
                            found = Some(j);
                        }
                    }
                }
            }
            b'{' | b'[' => level += 1,
            b'}' | b']' => level = level.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    found
        .and_then(|j| line.get(..j))
        .map(|p| p.chars().count() + 1)
}

/// serde_json's column (of bytes) in `line` as a column of characters.
fn char_column(line: &str, byte_column: usize) -> usize {
    let mut at = byte_column.saturating_sub(1).min(line.len());
    while !line.is_char_boundary(at) {
        at -= 1;
    }
    line[..at].chars().count() + 1
}

/// One command of a script, at its time.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    /// Run time (µs) at which it applies.
    pub at: u64,
    /// Line of the script (1-based).
    pub line: usize,
    pub command: Command,
    pub checked: Checked,
}

/// A script of timed commands (a recording of a live session, or written
/// by hand): what `run --commands` applies to every replication.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Script {
    /// The seed of the recorded session, if its first line says.
    pub seed: Option<u64>,
    /// The scenario the session ran (`scenario` of its first line, as
    /// `acdsim live` wrote it), if the first line says.
    pub recorded_scenario: Option<String>,
    pub commands: Vec<Timed>,
}

/// The first line of a recording: what was run (`acdsim live` runs and
/// records replication 0 only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub scenario: String,
    pub seed: u64,
    pub replication: u32,
}

impl Session {
    /// The line a recording starts with.
    pub fn line(&self) -> String {
        serde_json::json!({ "session": self }).to_string()
    }
}

/// Most problems a script reports.
const MAX_PROBLEMS: usize = 20;

/// Latest `at_s` of a script line, in seconds of run time (about 285,000
/// years: the clock's microseconds stay far from overflowing).
pub const MAX_AT_S: f64 = 9e12;

/// The fields of a session line's object.
const SESSION_FIELDS: &[&str] = &["scenario", "seed", "replication"];

/// The `session` of a recording's first line, or what is wrong with it.
fn session_of(v: &Value) -> Result<Session, Problem> {
    let Value::Object(map) = v else {
        return Err(Problem::at(
            "session",
            format!(
                "session {}: an object with the recorded run's scenario, seed and replication",
                value_text(v)
            ),
        ));
    };
    if let Some(extra) = map.keys().find(|k| !SESSION_FIELDS.contains(&k.as_str())) {
        return Err(Problem::at(
            extra,
            unknown_field(extra, "session", SESSION_FIELDS),
        ));
    }
    let f = Fields(map);
    let scenario = f.name("scenario", "the name of the scenario recorded")?;
    let seed = f.whole(
        "seed",
        "the seed of the recorded run, a whole number at least 0",
    )?;
    let replication: i128 = f.whole(
        "replication",
        "the replication recorded, a whole number (acdsim live records replication 0)",
    )?;
    if replication != 0 {
        return Err(Problem::at(
            "replication",
            format!(
                "replication {replication}: the replication the session ran; acdsim live runs and records only replication 0, so a recording says 0"
            ),
        ));
    }
    Ok(Session {
        scenario,
        seed,
        replication: 0,
    })
}

impl Script {
    /// Reads a script file (JSON lines) and checks every command against `sc`.
    pub fn load(path: &Path, sc: &Scenario) -> Result<Script, String> {
        let shown_path = shown(&path.display().to_string(), 200);
        let bytes =
            std::fs::read(path).map_err(|e| format!("{shown_path}: cannot read it: {e}"))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            format!("{shown_path}: not UTF-8 text (byte {at})")
        })?;
        Script::parse(&text, sc).map_err(|problems| {
            problems
                .into_iter()
                .map(|p| format!("{shown_path}:{p}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    /// Reads script text; problems as "LINE:COLUMN: message" (at most 20,
    /// then a count), the column that of the value the problem is about
    /// when there is one (else 1).
    pub fn parse(text: &str, sc: &Scenario) -> Result<Script, Vec<String>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut script = Script::default();
        let mut problems = Vec::new();
        let mut more = 0usize;
        let mut problem = |line: usize, col: usize, message: String| {
            if problems.len() < MAX_PROBLEMS {
                problems.push(format!("{line}:{col}: {message}"));
            } else {
                more += 1;
            }
        };
        let mut last = 0u64;
        let mut first = true;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let was_first = std::mem::replace(&mut first, false);
            // The column of `field`'s value in this line (1 if not found).
            let col = |field: &str| value_column(raw, field, 1).unwrap_or(1);
            let mut fields = match serde_json::from_str::<Value>(raw) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    problem(line, 1, "each line is one JSON object".into());
                    continue;
                }
                Err(e) => {
                    let message = without_position(&e.to_string()).to_string();
                    problem(line, char_column(raw, e.column()), shown(&message, 500));
                    continue;
                }
            };
            if let Some(key) = duplicate_key(raw) {
                problem(line, col(&key), duplicate(&key));
                continue;
            }
            if let Some(session) = fields.remove("session") {
                if !was_first {
                    problem(line, 1, "the session line must come first".into());
                    continue;
                }
                if let Some(extra) = fields.keys().next() {
                    problem(
                        line,
                        col(extra),
                        format!(
                            "unknown field {} of a session line (it takes session only)",
                            quoted(extra)
                        ),
                    );
                    continue;
                }
                match session_of(&session) {
                    Ok(s) => {
                        script.seed = Some(s.seed);
                        script.recorded_scenario = Some(s.scenario);
                    }
                    Err(p) => {
                        let at = match &p.field {
                            Some(f) if f == "session" => col(f),
                            Some(f) => value_column(raw, f, 2).unwrap_or(1),
                            None => col("session"),
                        };
                        problem(line, at, format!("session: {}", p.message));
                    }
                }
                continue;
            }
            let at = match fields.remove("at_s") {
                Some(Value::Number(n)) => match n.as_f64() {
                    Some(s) if (0.0..=MAX_AT_S).contains(&s) => (s * 1e6).round() as u64,
                    Some(s) if s > MAX_AT_S => {
                        problem(
                            line,
                            col("at_s"),
                            format!(
                                "at_s {}: seconds of run time, at most {MAX_AT_S:e} (the run ends at {} s)",
                                crate::time::short_number(s),
                                sc.end.as_secs_f64()
                            ),
                        );
                        continue;
                    }
                    _ => {
                        problem(
                            line,
                            col("at_s"),
                            format!("at_s {n}: seconds of run time, at least 0"),
                        );
                        continue;
                    }
                },
                Some(v) => {
                    problem(
                        line,
                        col("at_s"),
                        format!("at_s {}: seconds of run time (a number)", value_text(&v)),
                    );
                    continue;
                }
                None => {
                    problem(
                        line,
                        1,
                        "at_s: missing (when the command applies, in seconds of run time)".into(),
                    );
                    continue;
                }
            };
            if at < last {
                problem(
                    line,
                    col("at_s"),
                    format!(
                        "at_s {}: before the previous command's time ({}): commands come in time order",
                        at as f64 / 1e6,
                        last as f64 / 1e6
                    ),
                );
                continue;
            }
            last = at;
            let command = match Command::from_fields(&fields) {
                Ok(c) => c,
                Err(p) => {
                    problem(line, p.field.as_deref().map_or(1, col), p.message);
                    continue;
                }
            };
            let checked = command.check_at(sc);
            if script
                .commands
                .last()
                .is_some_and(|t| t.command == Command::Stop)
            {
                problem(
                    line,
                    1,
                    "the run stopped on an earlier line: nothing comes after a stop".into(),
                );
                continue;
            }
            if at >= sc.end.micros()
                && matches!(checked, Ok(Checked::Model(a)) if a != Action::Stop)
            {
                problem(
                    line,
                    col("at_s"),
                    format!(
                        "at_s {}: the run ends at {} s (only a stop may come after)",
                        at as f64 / 1e6,
                        sc.end.as_secs_f64()
                    ),
                );
                continue;
            }
            match checked {
                Ok(checked) => script.commands.push(Timed {
                    at,
                    line,
                    command,
                    checked,
                }),
                Err((field, message)) => problem(line, col(field), message),
            }
        }
        if more > 0 {
            problems.push(format!("… and {more} more problems"));
        }
        if problems.is_empty() {
            Ok(script)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::scenario;
    use super::*;

    #[test]
    fn a_recorded_line_reads_back_as_the_same_command_at_the_same_microsecond() {
        let sc = scenario();
        let c = Command::SetAgents {
            group: "a".into(),
            agents: 5,
        };
        let at = 4_321_987_654u64;
        let line = c.record_line(at);
        assert!(
            line.starts_with(r#"{"at_s":4321.987654,"command":"set_agents""#),
            "{line}"
        );
        let session = Session {
            scenario: "c".into(),
            seed: 9,
            replication: 0,
        };
        let text = format!("{}\n{line}\n\n", session.line());
        let script = Script::parse(&text, &sc).unwrap();
        assert_eq!(script.seed, Some(9));
        assert_eq!(script.commands.len(), 1);
        assert_eq!(script.commands[0].at, at);
        assert_eq!(script.commands[0].command, c);
        assert_eq!(script.commands[0].line, 2);
    }

    #[test]
    fn script_problems_name_the_line_and_are_capped() {
        let sc = scenario();
        let text = "{\"at_s\": 5, \"command\": \"pause\"}\n{\"at_s\": 4, \"command\": \"pause\"}\n[1]\n{\"command\": \"pause\"}\n{\"at_s\": 9, \"command\": \"set_agents\", \"group\": \"nope\", \"agents\": 1}\n";
        let problems = Script::parse(text, &sc).unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("2:10: at_s 4: before the previous"));
        assert!(problems[1].starts_with("3:1: each line is one JSON object"));
        assert!(problems[2].starts_with("4:1: at_s: missing"));
        assert!(problems[3].starts_with("5:47: unknown agent group"));
        let many = "x\n".repeat(100);
        let problems = Script::parse(&many, &sc).unwrap_err();
        assert_eq!(problems.len(), MAX_PROBLEMS + 1);
        assert_eq!(problems[0], "1:1: expected value");
        assert_eq!(problems.last().unwrap(), "… and 80 more problems");
    }

    #[test]
    fn script_problems_point_at_the_value_they_are_about() {
        let sc = scenario();
        let one = |line: &str| Script::parse(line, &sc).unwrap_err().join("\n");
        // The column is that of the value (in characters), 1 when there is none.
        let at = |line: &str, value: &str| line[..line.rfind(value).unwrap()].chars().count() + 1;
        let line = r#"{"at_s": 1, "command": "set_agents", "group": "a", "agents": 100000}"#;
        assert_eq!(
            one(line),
            format!(
                "1:{}: agents 100000: group \"a\" can have at most 103 agents",
                at(line, "100000")
            )
        );
        let line = r#"  {"at_s": 1, "command": "set_agents", "group": "ü", "agents": "2"}"#;
        assert_eq!(
            one(line),
            format!(
                "1:{}: agents \"2\": a whole number of agents, at least 0",
                at(line, "\"2\"")
            )
        );
        let line = r#"{"at_s": 1, "command": "pause", "extra": "agents"}"#;
        assert_eq!(
            one(line),
            format!(
                "1:{}: unknown field \"extra\" of pause (it takes no fields besides command)",
                at(line, "\"agents\"")
            )
        );
        let line = r#"{"at_s": 1, "command": "fly"}"#;
        assert!(
            one(line).starts_with("1:24: unknown command \"fly\""),
            "{}",
            one(line)
        );
        let line = r#"{"at_s": 1, "command": "set_agents", "group": "a"}"#;
        assert_eq!(
            one(line),
            "1:1: agents: missing (a whole number of agents, at least 0)"
        );
        // A key inside a string or deeper down is not the field.
        let line =
            r#"{"at_s": 1, "command": "set_overflow", "queue": "q", "stage": 7, "open": true}"#;
        assert!(
            one(line).starts_with(&format!("1:{}: stage 7:", at(line, "7"))),
            "{}",
            one(line)
        );
        assert_eq!(value_column(r#"{"a": {"b": 1}, "b": 2}"#, "b", 1), Some(22));
        assert_eq!(
            value_column(r#"{"a": "\"b\": 1", "b": 2}"#, "b", 1),
            Some(24)
        );
        assert_eq!(value_column(r#"{"a": {"b": 1}}"#, "b", 2), Some(13));
        assert_eq!(value_column(r#"{"a": "b\"#, "b", 1), None);
        // A field given twice: at the second.
        let line =
            r#"{"at_s": 1, "command": "set_agents", "group": "a", "agents": 1, "agents": 2}"#;
        assert_eq!(
            one(line),
            format!(
                "1:{}: duplicate field \"agents\" (each field comes once)",
                at(line, "2")
            )
        );
    }

    #[test]
    fn script_json_errors_give_their_position_once_and_a_bom_is_skipped() {
        let sc = scenario();
        let one = |text: &str| Script::parse(text, &sc).unwrap_err().join("\n");
        assert_eq!(one("\n{\"at_s\": 1,}\n"), "2:12: trailing comma");
        assert_eq!(
            one("{\"at_s\": 1, \"command\": \"pau"),
            "1:27: EOF while parsing a string"
        );
        assert_eq!(
            without_position("expected value at line 1 column 1"),
            "expected value"
        );
        assert_eq!(without_position("x at line one"), "x at line one");
        let script = Script::parse("\u{feff}{\"at_s\": 1, \"command\": \"pause\"}\n", &sc).unwrap();
        assert_eq!(script.commands.len(), 1);
        // A BOM anywhere else is not JSON.
        assert!(
            one("\n\u{feff}{}").starts_with("2:1: expected value"),
            "{}",
            one("\n\u{feff}{}")
        );
    }

    #[test]
    fn at_s_says_its_bounds() {
        let sc = scenario();
        let one = |text: &str| Script::parse(text, &sc).unwrap_err().join("\n");
        assert_eq!(
            one(r#"{"at_s": 1e15, "command": "stop"}"#),
            "1:10: at_s 1e15: seconds of run time, at most 9e12 (the run ends at 7200 s)"
        );
        assert_eq!(
            one(r#"{"at_s": -1, "command": "stop"}"#),
            "1:10: at_s -1: seconds of run time, at least 0"
        );
        assert_eq!(
            one(r#"{"at_s": "5", "command": "stop"}"#),
            "1:10: at_s \"5\": seconds of run time (a number)"
        );
        let script = Script::parse(r#"{"at_s": 9e12, "command": "stop"}"#, &sc).unwrap();
        assert_eq!(script.commands[0].at, 9_000_000_000_000_000_000);
    }

    #[test]
    fn the_session_line_keeps_its_scenario_and_refuses_another_replication() {
        let sc = scenario();
        let one = |text: &str| Script::parse(text, &sc).unwrap_err().join("\n");
        let script = Script::parse(
            "{\"session\": {\"scenario\": \"c.json\", \"seed\": 7, \"replication\": 0}}\n",
            &sc,
        )
        .unwrap();
        assert_eq!(script.seed, Some(7));
        assert_eq!(script.recorded_scenario.as_deref(), Some("c.json"));
        assert_eq!(Script::parse("", &sc).unwrap().recorded_scenario, None);
        assert_eq!(
            one(r#"{"session": {"scenario": "c", "seed": 7, "replication": 3}}"#),
            "1:57: session: replication 3: the replication the session ran; acdsim live runs and records only replication 0, so a recording says 0"
        );
        assert_eq!(
            one(r#"{"session": {"scenario": "c", "seed": -7, "replication": 0}}"#),
            "1:39: session: seed -7: the seed of the recorded run, a whole number at least 0"
        );
        assert_eq!(
            one(r#"{"session": {"scenario": "c", "seed": 7}}"#),
            "1:13: session: replication: missing (the replication recorded, a whole number (acdsim live records replication 0))"
        );
        assert_eq!(
            one(r#"{"session": {"scenario": "c", "seed": 7, "replication": 0, "x": 1}}"#),
            "1:65: session: unknown field \"x\" of session (it takes scenario, seed and replication)"
        );
        assert_eq!(
            one(r#"{"session": 5}"#),
            "1:13: session: session 5: an object with the recorded run's scenario, seed and replication"
        );
        assert_eq!(
            one(r#"{"session": {"scenario": "c", "seed": 7, "replication": 0}, "at_s": 1}"#),
            "1:69: unknown field \"at_s\" of a session line (it takes session only)"
        );
        assert_eq!(
            one("{\"at_s\": 1, \"command\": \"pause\"}\n{\"session\": {\"scenario\": \"c\", \"seed\": 7, \"replication\": 0}}"),
            "2:1: the session line must come first"
        );
    }
}
