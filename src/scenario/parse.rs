//! Reading scenario files (format version 1, JSON): the syntax stage (text
//! to a JSON tree, with line and column on errors, repeated keys refused),
//! then [`build`](super::build) for the meaning, every problem at once with
//! its JSON path. [`ScenarioError`] is what the user sees: for a file read
//! from text, each shown problem also gives the line and column of the value
//! its path names (see the `locate` module).
//!
//! Time semantics: the file's `horizon` is the length of the *measured*
//! window and `warmup` comes before it, so the model's [`Scenario::end`]
//! (end of the run) is `warmup + horizon`.

pub use super::locate::Location;
use super::read::{quoted, Problem};
use super::Scenario;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;
use std::path::{Path, PathBuf};

pub use super::format::MAX_REPLICATIONS;

/// Why a scenario could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read scenario file {}: {error}", shown_origin(&.path.display().to_string()))]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The text is not valid JSON.
    #[error("{}:{line}:{column}: {}", shown_origin(.origin), crate::text::shown(.message, 1000))]
    Syntax {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid JSON, but not a valid scenario: every problem found.
    #[error("{}", invalid_message(.origin, .problems, .locations))]
    Invalid {
        origin: String,
        problems: Vec<Problem>,
        /// Where in the text the value of each shown problem stands, in the
        /// order of `problems` (only the first [`MAX_SHOWN_PROBLEMS`] are
        /// located; empty when there is no text, e.g. a sweep's variant).
        locations: Vec<Option<Location>>,
    },
}

impl ScenarioError {
    /// The same error, with the location in `text` (the text the scenario
    /// was read from) of each shown problem that can be found there.
    pub fn located_in(self, text: &str) -> ScenarioError {
        match self {
            ScenarioError::Invalid {
                origin, problems, ..
            } => {
                let locations = problems
                    .iter()
                    .take(MAX_SHOWN_PROBLEMS)
                    .map(|p| super::locate::locate(text, &p.path))
                    .collect();
                ScenarioError::Invalid {
                    origin,
                    problems,
                    locations,
                }
            }
            other => other,
        }
    }
}

/// Problems shown in one message; the rest are counted.
pub const MAX_SHOWN_PROBLEMS: usize = 50;

/// A file name as messages show it: escaped, and cut if absurdly long.
pub fn shown_origin(origin: &str) -> String {
    crate::text::shown(origin, 300)
}

/// "FILE: N problems:", then one line per shown problem: "PATH: MESSAGE",
/// followed by " (at FILE:LINE:COLUMN)" where the value's place is known
/// (the form of syntax errors, which editors and terminals follow).
fn invalid_message(origin: &str, problems: &[Problem], locations: &[Option<Location>]) -> String {
    let n = problems.len();
    let origin = shown_origin(origin);
    let mut out = format!("{origin}: {n} problem{}:", if n == 1 { "" } else { "s" });
    for (i, p) in problems.iter().take(MAX_SHOWN_PROBLEMS).enumerate() {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
        if let Some(Some(at)) = locations.get(i) {
            out.push_str(&format!(" (at {origin}:{}:{})", at.line, at.column));
        }
    }
    if n > MAX_SHOWN_PROBLEMS {
        out.push_str(&format!("\n  ... and {} more", n - MAX_SHOWN_PROBLEMS));
    }
    out
}

/// Reads and checks a scenario file; the path names it in messages.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = read_text(path)?;
    from_json_str(&text, &path.display().to_string())
}

/// Reads a scenario file's text.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|error| ScenarioError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let origin = path.display().to_string();
        invalid_utf8(e.as_bytes(), e.utf8_error(), &origin)
    })
}

/// Where a file stops being UTF-8: line and column (in characters) of the
/// first bad byte, as for a JSON syntax error.
fn invalid_utf8(bytes: &[u8], e: std::str::Utf8Error, origin: &str) -> ScenarioError {
    let good = &bytes[..e.valid_up_to()];
    let text = std::str::from_utf8(good).unwrap_or_default();
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let byte = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
    ScenarioError::Syntax {
        origin: origin.to_string(),
        line,
        column,
        message: format!("invalid UTF-8 (byte 0x{byte:02X}): scenario files are UTF-8 text"),
    }
}

/// Parses and checks scenario JSON text; `origin` (a file name) names it in
/// messages, with the line and column of each problem's value.
pub fn from_json_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let json = parse_json(text, origin)?;
    from_json_value(&json, origin).map_err(|e| e.located_in(text))
}

/// Checks a scenario given as a JSON tree; `origin` names it in messages.
/// Problems have no line and column (there is no text); when the tree was
/// parsed from a file's text, [`ScenarioError::located_in`] adds them.
pub fn from_json_value(json: &Value, origin: &str) -> Result<Scenario, ScenarioError> {
    super::build::scenario(json).map_err(|problems| ScenarioError::Invalid {
        origin: origin.to_string(),
        problems,
        locations: Vec::new(),
    })
}

// ---------------------------------------------------------------------------
// Stage 1: syntax.

/// Parses JSON text strictly (repeated keys are errors); `origin` names it in messages.
pub fn parse_json(text: &str, origin: &str) -> Result<Value, ScenarioError> {
    // Some Windows editors start UTF-8 files with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str::<StrictJson>(text)
        .map(|StrictJson(value)| value)
        .map_err(|e| ScenarioError::Syntax {
            origin: origin.to_string(),
            line: e.line(),
            column: e.column(),
            message: syntax_message(&e),
        })
}

/// serde_json's message without its " at line L column C" suffix.
fn syntax_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_string()
}

/// A JSON tree read like `serde_json::Value`, except that an object with a
/// repeated key is an error. (serde_json's nesting limit still applies.)
struct StrictJson(Value);

impl<'de> Deserialize<'de> for StrictJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictJson)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if fields.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key {}", quoted(&key))));
            }
            let StrictJson(value) = map.next_value()?;
            fields.insert(key, value);
        }
        Ok(Value::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::DurationDist;
    use crate::scenario::format::{
        AgentGroupSpec, ArrivalsSpec, BreakSpec, QueueSpec, RoutingSpec, ScenarioSpec, ShiftSpec,
        StageSpec,
    };
    use crate::scenario::{AgentSelection, CallSelection, Profile, Routing};
    use crate::time::SimTime;
    use proptest::prelude::*;

    #[test]
    fn invalid_utf8_is_reported_where_it_stands() {
        let bytes = b"{\n  \"name\": \"caf\xc3\xa9 \xff\xfe\"\n}".to_vec();
        let e = String::from_utf8(bytes).unwrap_err();
        let err = invalid_utf8(e.as_bytes(), e.utf8_error(), "bad.json");
        let text = err.to_string();
        assert!(text.contains("bad.json"), "{text}");
        assert!(text.contains("bad.json:2:17:"), "{text}");
        assert!(text.contains("0xFF"), "{text}");
    }

    #[test]
    fn too_many_agents_is_a_problem() {
        let text = r#"{"name": "big", "horizon": "1h", "skills": ["a"],
            "queues": [{"name": "q", "skill": "a", "arrivals": {"rate_per_hour": 1}, "handle_time": {"constant": 1}}],
            "agent_groups": [{"name": "g", "count": 2000000, "skills": {"a": 1}},
                             {"name": "h", "count": 2000000, "skills": {"a": 1}}]}"#;
        let err = from_json_str(text, "big.json").unwrap_err().to_string();
        assert!(
            err.contains("4000000 agents in all: at most 2097152"),
            "{err}"
        );
    }

    /// A scenario using every field of the format.
    const FULL: &str = r#"{
      "name": "two-skills",
      "seed": 7,
      "horizon": "10h",
      "warmup": "30m",
      "replications": 5,
      "service_level_threshold": 15,
      "skills": ["billing", "sales"],
      "queues": [
        { "name": "billing", "skill": "billing", "priority": 1,
          "arrivals": { "rate_per_hour": 600 },
          "handle_time": { "lognormal": { "mean": "5m", "sd": 150 } },
          "patience": { "exponential": { "mean": "2m" } },
          "wrap_up": { "constant": "30s" },
          "service_level_threshold": "30s" },
        { "name": "sales", "skill": "sales",
          "arrivals": { "rate_per_hour": 120.5 },
          "handle_time": { "gamma": { "mean": "4m", "sd": "2m" } },
          "wrap_up": { "uniform": { "min": 10, "max": "20s" } } }
      ],
      "agent_groups": [
        { "name": "billing-team", "count": 40, "skills": { "billing": 1 } },
        { "name": "blended", "count": 10, "skills": { "sales": 1, "billing": 2 } },
        { "name": "trainees", "count": 0, "skills": { "sales": 1 } }
      ],
      "routing": { "agent_selection": "best_level", "call_selection": "longest_waiting" }
    }"#;

    /// Only the required fields.
    const MINIMAL: &str = r#"{
      "name": "mmc",
      "horizon": "1h",
      "skills": ["general"],
      "queues": [ { "name": "general", "skill": "general",
                    "arrivals": { "rate_per_hour": 6000 },
                    "handle_time": { "exponential": { "mean": "3m" } } } ],
      "agent_groups": [ { "name": "agents", "count": 310, "skills": { "general": 1 } } ]
    }"#;

    fn secs(s: f64) -> SimTime {
        SimTime::from_secs_f64(s)
    }

    fn full() -> Value {
        serde_json::from_str(FULL).unwrap()
    }

    /// The problems, as displayed, of a scenario given as a JSON value.
    fn problems(doc: &Value) -> Vec<String> {
        match from_json_str(&doc.to_string(), "t.json") {
            Err(ScenarioError::Invalid { problems, .. }) => {
                problems.iter().map(ToString::to_string).collect()
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    /// The problems after `edit` is applied to the full example.
    fn problems_after(edit: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut doc = full();
        edit(&mut doc);
        problems(&doc)
    }

    fn remove(doc: &mut Value, pointer: &str, key: &str) -> Value {
        doc.pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .and_then(|o| o.remove(key))
            .unwrap()
    }

    fn set(doc: &mut Value, pointer: &str, value: Value) {
        *doc.pointer_mut(pointer).unwrap() = value;
    }

    #[test]
    fn full_example_builds_the_model() {
        let s = from_json_str(FULL, "full.json").unwrap();
        assert_eq!(s.name, "two-skills");
        assert_eq!(s.seed, 7);
        // horizon in the file is the measured window; the model's is the end of the run.
        assert_eq!(s.warmup, secs(1800.0));
        assert_eq!(s.end, secs(36_000.0 + 1800.0));
        assert_eq!(s.window(), secs(36_000.0));
        assert_eq!(s.replications, 5);
        assert_eq!(s.service_level_threshold, secs(15.0));
        assert_eq!(s.skills, ["billing", "sales"]);

        let billing = &s.queues[0];
        assert_eq!(billing.name, "billing");
        assert_eq!(billing.skill, 0);
        assert_eq!(billing.priority, 1);
        assert_eq!(billing.arrivals.rate_per_hour, Profile::Constant(600.0));
        assert_eq!(
            billing.handle_time,
            Profile::Constant(DurationDist::Lognormal {
                mean_s: 300.0,
                sd_s: 150.0
            })
        );
        assert_eq!(
            billing.patience,
            Some(Profile::Constant(DurationDist::Exponential {
                mean_s: 120.0
            }))
        );
        assert_eq!(
            billing.wrap_up,
            Some(Profile::Constant(DurationDist::Constant { value_s: 30.0 }))
        );
        assert_eq!(billing.service_level_threshold, secs(30.0));

        let sales = &s.queues[1];
        assert_eq!(sales.skill, 1);
        assert_eq!(sales.priority, 0);
        assert_eq!(sales.arrivals.rate_per_hour, Profile::Constant(120.5));
        assert_eq!(
            sales.handle_time,
            Profile::Constant(DurationDist::Gamma {
                mean_s: 240.0,
                sd_s: 120.0
            })
        );
        assert_eq!(sales.patience, None);
        assert_eq!(
            sales.wrap_up,
            Some(Profile::Constant(DurationDist::Uniform {
                min_s: 10.0,
                max_s: 20.0
            }))
        );
        // The scenario-wide threshold is the default of each queue.
        assert_eq!(sales.service_level_threshold, secs(15.0));

        assert_eq!(s.agent_groups.len(), 3);
        assert_eq!(s.agent_groups[0].skills, [(0, 1)]);
        // Sorted by skill id, whatever the order in the file.
        assert_eq!(s.agent_groups[1].skills, [(0, 2), (1, 1)]);
        assert_eq!(s.agent_groups[1].level(0), Some(2));
        assert_eq!(s.agent_groups[2].constant_count(), Some(0));
        assert_eq!(s.agent_count(), 50);
        assert_eq!(s.routing.agent_selection, AgentSelection::BestLevel);
        assert_eq!(s.routing.call_selection, CallSelection::LongestWaiting);
    }

    #[test]
    fn defaults_apply_to_optional_fields() {
        let s = from_json_str(MINIMAL, "min.json").unwrap();
        assert_eq!(s.seed, 1);
        assert_eq!(s.warmup, SimTime::ZERO);
        assert_eq!(s.end, secs(3600.0));
        assert_eq!(s.replications, 10);
        assert_eq!(s.service_level_threshold, secs(20.0));
        assert_eq!(s.queues[0].service_level_threshold, secs(20.0));
        assert_eq!(s.queues[0].priority, 0);
        assert_eq!(s.queues[0].patience, None);
        assert_eq!(s.queues[0].wrap_up, None);
        assert_eq!(s.routing, Routing::default());
    }

    #[test]
    fn null_optional_fields_mean_absent() {
        let mut doc: Value = serde_json::from_str(MINIMAL).unwrap();
        doc["seed"] = Value::Null;
        doc["routing"] = Value::Null;
        doc["queues"][0]["patience"] = Value::Null;
        let s = from_json_str(&doc.to_string(), "t.json").unwrap();
        assert_eq!(s.seed, 1);
        assert_eq!(s.queues[0].patience, None);
    }

    #[test]
    fn reference_workload_runs_warmup_plus_horizon() {
        let mut doc: Value = serde_json::from_str(MINIMAL).unwrap();
        doc["horizon"] = "10h".into();
        doc["warmup"] = "30m".into();
        let s = from_json_str(&doc.to_string(), "t.json").unwrap();
        assert_eq!(s.end, secs(10.5 * 3600.0));
        assert_eq!(s.warmup, secs(1800.0));
    }

    #[test]
    fn unknown_fields_are_reported_with_the_valid_names() {
        let got = problems_after(|d| {
            let v = remove(d, "/queues/0", "handle_time");
            d["queues"][0]["handle_tme"] = v;
        });
        assert_eq!(
            got,
            [
                "queues[0].handle_tme: unknown field (expected one of: name, skill, priority, \
                 arrivals, handle_time, patience, wrap_up, service_level_threshold, \
                 service_level_target, balk_probability, max_waiting, overflow, escalation, retrial, callback)",
                "queues[0].handle_time: missing field",
            ]
        );
        let got = problems_after(|d| d["colour"] = "blue".into());
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("colour: unknown field (expected one of: name, seed,"));
        let got = problems_after(|d| d["routing"]["agent_selectoin"] = "random".into());
        assert_eq!(
            got,
            ["routing.agent_selectoin: unknown field (expected one of: agent_selection, call_selection)"]
        );
        let got = problems_after(|d| d["queues"][1]["handle_time"]["gamma"]["stddev"] = 3.into());
        assert_eq!(
            got,
            ["queues[1].handle_time.gamma.stddev: unknown field (expected one of: mean, sd)",]
        );
    }

    #[test]
    fn missing_required_fields() {
        let got = problems_after(|d| {
            remove(d, "", "horizon");
            remove(d, "/queues/0", "arrivals");
            remove(d, "/agent_groups/1", "count");
            remove(d, "/queues/1/handle_time/gamma", "sd");
        });
        assert_eq!(
            got,
            [
                "horizon: missing field",
                "queues[0].arrivals: missing field",
                "queues[1].handle_time.gamma.sd: missing field",
                "agent_groups[1].count: missing field (give the group's agents as count, staffing or shifts)",
            ]
        );
    }

    #[test]
    fn wrong_types_say_what_was_expected_and_got() {
        let got = problems_after(|d| {
            d["name"] = 5.into();
            d["seed"] = "12345".into();
            d["queues"][0]["priority"] = 1.5.into();
            d["queues"][0]["arrivals"] = serde_json::json!([600]);
            d["agent_groups"][0]["count"] = "ten".into();
            d["agent_groups"][1]["skills"] = serde_json::json!(["sales"]);
            d["horizon"] = true.into();
        });
        assert_eq!(
            got,
            [
                "name: expected a string, got 5",
                r#"seed: expected a non-negative integer, got "12345""#,
                r#"horizon: expected a duration (seconds, or a string like "20s", "3m", "1h30m"), got true"#,
                "queues[0].priority: expected an integer, got 1.5",
                "queues[0].arrivals: expected an object, got an array",
                r#"agent_groups[0].count: expected a non-negative integer, got "ten""#,
                "agent_groups[1].skills: expected an object, got an array",
            ]
        );
    }

    #[test]
    fn negative_and_out_of_range_numbers() {
        let got = problems_after(|d| {
            d["queues"][0]["arrivals"]["rate_per_hour"] = (-5).into();
            d["queues"][1]["arrivals"]["rate_per_hour"] = 0.into();
            d["agent_groups"][0]["count"] = (-3).into();
            d["agent_groups"][1]["skills"]["sales"] = 0.into();
            d["replications"] = 0.into();
            d["queues"][0]["priority"] = 5_000_000_000i64.into();
            d["agent_groups"][2]["count"] = 1e20.into();
        });
        assert_eq!(
            got,
            [
                "replications: expected a positive integer, got 0",
                "queues[0].priority: must be at most 2147483647, got 5000000000",
                "queues[0].arrivals.rate_per_hour: must be a positive number, got -5",
                "queues[1].arrivals.rate_per_hour: must be a positive number, got 0",
                "agent_groups[0].count: expected a non-negative integer, got -3",
                "agent_groups[1].skills.sales: expected a positive integer, got 0",
                "agent_groups[2].count: must be at most 4294967295, got 1e+20",
            ]
        );
    }

    #[test]
    fn integral_floats_count_as_integers() {
        let mut doc: Value = serde_json::from_str(MINIMAL).unwrap();
        doc["agent_groups"][0]["count"] = 12.0.into();
        doc["seed"] = 1e19.into();
        let s = from_json_str(&doc.to_string(), "t.json").unwrap();
        assert_eq!(s.agent_groups[0].constant_count(), Some(12));
        assert_eq!(s.seed, 10_000_000_000_000_000_000);
    }

    #[test]
    fn zero_with_a_sign_is_zero_as_a_string_and_as_a_number() {
        for zero in [
            serde_json::json!("-0"),
            serde_json::json!("-0s"),
            serde_json::json!(-0.0),
            serde_json::json!("0"),
        ] {
            let mut doc: Value = serde_json::from_str(MINIMAL).unwrap();
            doc["warmup"] = zero.clone();
            let s = from_json_str(&doc.to_string(), "t.json").unwrap();
            assert_eq!(s.warmup, SimTime::ZERO, "{zero}");
        }
        let got = problems_after(|d| {
            d["warmup"] = "-0.5s".into();
            d["queues"][0]["wrap_up"]["constant"] = "0.0000001s".into();
        });
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(got[0], r#"warmup: must not be negative, got "-0.5s""#);
        assert!(
            got[1].contains("shorter than one microsecond"),
            "{}",
            got[1]
        );
    }

    #[test]
    fn bad_durations() {
        let got = problems_after(|d| {
            d["horizon"] = "0s".into();
            d["warmup"] = "-5m".into();
            d["service_level_threshold"] = (-2).into();
            d["queues"][0]["service_level_threshold"] = "20 seconds".into();
            d["queues"][0]["wrap_up"]["constant"] = "NaN".into();
        });
        assert_eq!(got.len(), 5, "{got:#?}");
        assert_eq!(got[0], r#"horizon: must be positive, got "0s""#);
        assert_eq!(got[1], r#"warmup: must not be negative, got "-5m""#);
        assert_eq!(got[2], "service_level_threshold: negative duration (-2 s)");
        assert_eq!(
            got[3],
            r#"queues[0].wrap_up.constant: duration is not a finite number in duration "NaN""#
        );
        assert!(
            got[4].starts_with(
                r#"queues[0].service_level_threshold: invalid duration "20 seconds": expected"#
            ),
            "{}",
            got[4]
        );
    }

    #[test]
    fn distribution_problems() {
        let got = problems_after(|d| {
            d["queues"][0]["handle_time"] = serde_json::json!({ "exponentail": { "mean": "3m" } });
            d["queues"][0]["patience"] = serde_json::json!({});
            d["queues"][0]["wrap_up"] = serde_json::json!({ "constant": 1, "uniform": {} });
            d["queues"][1]["handle_time"] =
                serde_json::json!({ "gamma": { "mean": "4m", "sd": 0 } });
            d["queues"][1]["wrap_up"] = serde_json::json!({ "uniform": { "min": 20, "max": 10 } });
            d["queues"][1]["patience"] = "2m".into();
        });
        assert_eq!(
            got,
            [
                "queues[0].handle_time.exponentail: unknown distribution (expected one of: \
                 exponential, lognormal, gamma, uniform, constant)",
                "queues[0].patience: expected exactly one distribution family (one of: \
                 exponential, lognormal, gamma, uniform, constant), got none",
                "queues[0].wrap_up: expected exactly one distribution family (one of: \
                 exponential, lognormal, gamma, uniform, constant), got \"constant\", \"uniform\"",
                "queues[1].handle_time.gamma: sd must be a positive duration, got 0 s",
                r#"queues[1].patience: expected a distribution such as {"exponential": {"mean": "3m"}} (families: exponential, lognormal, gamma, uniform, constant), got "2m""#,
                "queues[1].wrap_up.uniform: max (10 s) is smaller than min (20 s)",
            ]
        );
        let got = problems_after(|d| {
            d["queues"][0]["handle_time"] = serde_json::json!({ "exponential": { "mean": 0 } });
        });
        assert_eq!(
            got,
            ["queues[0].handle_time.exponential: mean must be a positive duration, got 0 s"]
        );
    }

    #[test]
    fn skill_references_are_checked() {
        let got = problems_after(|d| {
            let level = remove(d, "/agent_groups/1/skills", "sales");
            d["agent_groups"][1]["skills"]["tech"] = level;
            d["queues"][1]["skill"] = "salse".into();
        });
        assert_eq!(
            got,
            [
                r#"queues[1].skill: unknown skill "salse" (known skills: billing, sales)"#,
                r#"agent_groups[1].skills.tech: unknown skill "tech" (known skills: billing, sales)"#,
            ]
        );
        // Odd characters in a key are quoted in the path.
        let got = problems_after(|d| d["agent_groups"][0]["skills"]["tech support"] = 1.into());
        assert_eq!(
            got,
            [
                r#"agent_groups[0].skills["tech support"]: unknown skill "tech support" (known skills: billing, sales)"#
            ]
        );
    }

    #[test]
    fn a_queue_nobody_can_answer_is_a_problem() {
        let got = problems_after(|d| {
            d["skills"] = serde_json::json!(["billing", "sales", "tech"]);
            d["queues"][1]["skill"] = "tech".into();
        });
        assert_eq!(got, [r#"queues[1].skill: no agent group has skill "tech""#]);
        // Held only by an empty group is fine (staffing what-ifs set counts to 0).
        let mut doc = full();
        doc["agent_groups"][1]["skills"] = serde_json::json!({ "billing": 2 });
        assert!(from_json_str(&doc.to_string(), "t.json").is_ok());
    }

    #[test]
    fn lists_must_be_non_empty_with_unique_names() {
        let got = problems_after(|d| {
            d["skills"] = serde_json::json!(["billing", "sales", "billing", " "]);
            d["queues"][1]["name"] = "billing".into();
            d["agent_groups"][2]["name"] = "blended".into();
            d["agent_groups"][0]["skills"] = serde_json::json!({});
        });
        assert_eq!(
            got,
            [
                r#"skills[2]: duplicate skill "billing" (also skills[0])"#,
                "skills[3]: must not be empty",
                r#"queues[1].name: duplicate queue name "billing" (also queues[0])"#,
                r#"agent_groups[0].skills: must give at least one skill with its level, e.g. {"general": 1}"#,
                r#"agent_groups[2].name: duplicate agent group name "blended" (also agent_groups[1])"#,
            ]
        );
        let got = problems_after(|d| {
            d["queues"] = serde_json::json!([]);
            d["agent_groups"] = serde_json::json!([]);
        });
        assert_eq!(
            got,
            [
                "queues: must list at least one queue",
                "agent_groups: must list at least one agent group",
            ]
        );
    }

    #[test]
    fn unusable_skill_list_does_not_cascade() {
        let got = problems_after(|d| d["skills"] = serde_json::json!([]));
        assert_eq!(got, ["skills: must list at least one skill"]);
        let got = problems_after(|d| {
            remove(d, "", "skills");
        });
        assert_eq!(got, ["skills: missing field"]);
    }

    #[test]
    fn at_least_one_agent() {
        let got = problems_after(|d| {
            for g in 0..3 {
                d["agent_groups"][g]["count"] = 0.into();
            }
        });
        assert_eq!(
            got,
            ["agent_groups: no agents: every group has 0 agents at all times, at least one agent is needed"]
        );
    }

    #[test]
    fn routing_names_are_checked() {
        let got = problems_after(|d| {
            d["routing"]["agent_selection"] = "longest".into();
            d["routing"]["call_selection"] = 3.into();
        });
        assert_eq!(
            got,
            [
                r#"routing.agent_selection: unknown agent selection "longest" (expected one of: longest_idle, round_robin, fewest_calls, least_busy_time, random, top_down, best_level)"#,
                "routing.call_selection: expected one of: priority, longest_waiting, best_level, got 3",
            ]
        );
        // Every listed name is accepted.
        for (name, value, _) in AgentSelection::ALL {
            let mut doc = full();
            doc["routing"]["agent_selection"] = name.into();
            let s = from_json_str(&doc.to_string(), "t.json").unwrap();
            assert_eq!(s.routing.agent_selection, value);
        }
        for (name, value, _) in CallSelection::ALL {
            let mut doc = full();
            doc["routing"]["call_selection"] = name.into();
            let s = from_json_str(&doc.to_string(), "t.json").unwrap();
            assert_eq!(s.routing.call_selection, value);
        }
    }

    #[test]
    fn invalid_display_lists_every_problem() {
        let mut doc = full();
        doc["agent_groups"][1]["skills"]["tech"] = 1.into();
        doc["queues"][0]["arrivals"]["rate_per_hour"] = (-5).into();
        // Without text (a tree): path and message.
        let err = from_json_value(&doc, "scenarios/x.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "scenarios/x.json: 2 problems:\n  \
             queues[0].arrivals.rate_per_hour: must be a positive number, got -5\n  \
             agent_groups[1].skills.tech: unknown skill \"tech\" (known skills: billing, sales)"
        );
        // From text: the same, then where each value is (one line here).
        let text = doc.to_string();
        let column = |key: &str| text.find(key).unwrap() + key.len() + 1;
        let err = from_json_str(&text, "scenarios/x.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "scenarios/x.json: 2 problems:\n  \
                 queues[0].arrivals.rate_per_hour: must be a positive number, got -5 \
                 (at scenarios/x.json:1:{})\n  \
                 agent_groups[1].skills.tech: unknown skill \"tech\" (known skills: billing, sales) \
                 (at scenarios/x.json:1:{})",
                column("\"rate_per_hour\":"),
                column("\"tech\":"),
            )
        );
        // The document itself has no place.
        let err = from_json_str("[]", "y.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "y.json: 1 problem:\n  (top level): expected an object, got an array"
        );
    }

    #[test]
    fn problems_give_the_line_and_column_of_their_value() {
        let text = FULL
            .replace(r#""priority": 1,"#, r#""priority": "x","#)
            .replace(r#""sd": "2m""#, r#""sd": "-2m""#)
            .replace(
                r#"{ "name": "sales", "skill": "sales","#,
                r#"{ "name": "sales","#,
            )
            .replace(r#""billing-team""#, r#""équipe ☎""#)
            .replace(
                r#"{ "billing": 1 }"#,
                r#"{ "billing": 1, "tech support": 1 }"#,
            );
        // Line and column (in characters) of the first `needle`, counted here.
        let place = |needle: &str| {
            let before = &text[..text.find(needle).unwrap()];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
            format!("(at s.json:{line}:{column})")
        };
        let err = from_json_str(&text, "s.json").unwrap_err().to_string();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines,
            [
                "s.json: 4 problems:".to_string(),
                format!(
                    "  queues[0].priority: expected an integer, got \"x\" {}",
                    place(r#""x""#)
                ),
                // A missing field: where its object starts.
                format!(
                    "  queues[1].skill: missing field {}",
                    place(r#"{ "name": "sales""#)
                ),
                format!(
                    "  queues[1].handle_time.gamma.sd: must not be negative, got \"-2m\" {}",
                    place(r#""-2m""#)
                ),
                format!(
                    "  agent_groups[0].skills[\"tech support\"]: unknown skill \"tech support\" (known skills: billing, sales) {}",
                    place("1 }")
                ),
            ]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
        );
        // As the user reads it: columns in characters ("é" and "☎" count one).
        assert!(
            err.contains("queues[0].priority: expected an integer, got \"x\" (at s.json:10:62)\n"),
            "{err}"
        );
        assert!(
            err.contains("(known skills: billing, sales) (at s.json:22:86)"),
            "{err}"
        );
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let text = "{\n  \"name\": \"x\",\n  \"horizon\": \"1h\"\n  \"skills\": []\n}";
        match from_json_str(text, "scenarios/x.json") {
            Err(e @ ScenarioError::Syntax { line, column, .. }) => {
                assert_eq!((line, column), (4, 3));
                assert_eq!(e.to_string(), "scenarios/x.json:4:3: expected `,` or `}`");
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_are_syntax_errors() {
        let text = "{\"name\": \"a\",\n \"name\": \"b\"}";
        let err = from_json_str(text, "d.json").unwrap_err();
        assert!(
            matches!(err, ScenarioError::Syntax { line: 2, .. }),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("d.json:2:"), "{err}");
        assert!(
            err.to_string().ends_with(r#"duplicate key "name""#),
            "{err}"
        );
    }

    #[test]
    fn byte_order_mark_is_accepted() {
        assert!(from_json_str(&format!("\u{feff}{MINIMAL}"), "bom.json").is_ok());
    }

    #[test]
    fn load_reports_unreadable_files_with_their_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.json");
        let err = load(&missing).unwrap_err();
        assert!(matches!(err, ScenarioError::Io { .. }));
        let msg = err.to_string();
        assert!(msg.starts_with("cannot read scenario file "), "{msg}");
        assert!(msg.contains("nope.json"), "{msg}");

        let good = dir.path().join("ok.json");
        std::fs::write(&good, MINIMAL).unwrap();
        assert_eq!(load(&good).unwrap().name, "mmc");

        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\"name\": 1}").unwrap();
        let msg = load(&bad).unwrap_err().to_string();
        assert!(msg.starts_with(&format!("{}: ", bad.display())), "{msg}");
    }

    /// Checks the invariants of any outcome: never a silent failure.
    fn outcome_is_sane(result: &Result<Scenario, ScenarioError>) {
        match result {
            Ok(s) => {
                assert!(s.end > s.warmup);
                assert!(!s.queues.is_empty() && s.agent_count() >= 1);
            }
            Err(ScenarioError::Invalid { problems, .. }) => assert!(!problems.is_empty()),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn garbage_never_panics() {
        let deep_array = "[".repeat(100_000);
        let deep_object = "{\"a\":".repeat(100_000);
        let deep_closed = format!("{}1{}", "[".repeat(120), "]".repeat(120));
        let long_name = format!("{{\"name\": \"{}\"}}", "x".repeat(100_000));
        let inputs: Vec<&str> = vec![
            "",
            "   ",
            "\u{feff}",
            "[]",
            "{}",
            "null",
            "0",
            "\"scenario\"",
            "true",
            "{\"name\": 1e400}",
            "{\"seed\": 18446744073709551616}",
            "{\"seed\": -1e308, \"replications\": 1e308}",
            "{\"horizon\": \"NaN\", \"warmup\": \"inf\", \"service_level_threshold\": \"1e400\"}",
            "{\"horizon\": \"-1h\", \"warmup\": -0.0, \"service_level_threshold\": 9e300}",
            "{\"horizon\": \"99999999999h\"}",
            "{\"horizon\": \"1h1h\", \"warmup\": \"m\", \"service_level_threshold\": \"\"}",
            "{\"skills\": [null, [], {}, \"\"], \"queues\": [null], \"agent_groups\": [[]]}",
            "{\"queues\": [{\"handle_time\": {\"constant\": {\"constant\": 1}}}]}",
            "{\"agent_groups\": [{\"skills\": {\"\": -1}}]}",
            "{\"routing\": []}",
            "{\"a\": 1} trailing",
            "\u{0}\u{1}\u{ffff}",
            &deep_array,
            &deep_object,
            &deep_closed,
            &long_name,
        ];
        for input in inputs {
            let result = from_json_str(input, "garbage.json");
            assert!(result.is_err(), "{input:.60} should be rejected");
            outcome_is_sane(&result);
        }
    }

    /// Arbitrary JSON whose keys are often the format's own names, so the
    /// walker gets deep.
    fn arb_json() -> impl Strategy<Value = Value> {
        let strings = prop_oneof![
            "[a-z0-9 .-]{0,6}",
            prop::sample::select(vec![
                "10h",
                "0s",
                "-5s",
                "3m",
                "1h30m",
                "250ms",
                "NaN",
                "inf",
                "1e400",
                "general",
                "billing",
                "longest_idle",
                "priority",
            ])
            .prop_map(String::from),
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            strings.prop_map(Value::from),
        ];
        let mut keys: Vec<&'static str> = ScenarioSpec::FIELDS.to_vec();
        keys.extend(QueueSpec::FIELDS);
        keys.extend(AgentGroupSpec::FIELDS);
        keys.extend(RoutingSpec::FIELDS);
        keys.extend(ArrivalsSpec::FIELDS);
        keys.extend(ShiftSpec::FIELDS);
        keys.extend(BreakSpec::FIELDS);
        keys.extend(StageSpec::FIELDS);
        keys.extend(["exponential", "lognormal", "gamma", "uniform", "constant"]);
        keys.extend(["mean", "sd", "min", "max", "general", "x"]);
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(prop::sample::select(keys.clone()), inner, 0..5)
                    .prop_map(|m| Value::Object(
                        m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                    )),
            ]
        })
    }

    const POINTERS: &[&str] = &[
        "",
        "/name",
        "/seed",
        "/horizon",
        "/warmup",
        "/replications",
        "/service_level_threshold",
        "/skills",
        "/skills/0",
        "/queues",
        "/queues/0",
        "/queues/0/skill",
        "/queues/0/priority",
        "/queues/0/arrivals",
        "/queues/0/arrivals/rate_per_hour",
        "/queues/0/handle_time",
        "/queues/0/handle_time/lognormal",
        "/queues/0/handle_time/lognormal/sd",
        "/queues/0/patience",
        "/queues/0/wrap_up",
        "/queues/0/wrap_up/constant",
        "/queues/1/wrap_up/uniform/max",
        "/agent_groups",
        "/agent_groups/1",
        "/agent_groups/1/count",
        "/agent_groups/1/skills",
        "/agent_groups/1/skills/billing",
        "/routing",
        "/routing/call_selection",
    ];

    proptest! {
        #[test]
        fn any_text_is_handled(text in any::<String>()) {
            outcome_is_sane(&from_json_str(&text, "p.json"));
        }

        #[test]
        fn any_json_document_is_handled(doc in arb_json()) {
            let result = from_json_str(&doc.to_string(), "p.json");
            prop_assert!(!matches!(result, Err(ScenarioError::Syntax { .. })), "{:?}", result);
            outcome_is_sane(&result);
        }

        #[test]
        fn any_value_anywhere_in_a_valid_scenario_is_handled(
            pointer in prop::sample::select(POINTERS),
            value in arb_json(),
        ) {
            let mut doc = full();
            set(&mut doc, pointer, value);
            let result = from_json_str(&doc.to_string(), "p.json");
            prop_assert!(!matches!(result, Err(ScenarioError::Syntax { .. })), "{:?}", result);
            outcome_is_sane(&result);
        }

        #[test]
        fn damaged_text_is_handled(cut in 0..FULL.len(), len in 0usize..40, insert in "[\\[\\]{}\",:0-9a-z-]{0,3}") {
            let chars: Vec<char> = FULL.chars().collect();
            let end = (cut + len).min(chars.len());
            let text: String = chars[..cut].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(&chars[end..]).collect();
            outcome_is_sane(&from_json_str(&text, "p.json"));
        }
    }
}
