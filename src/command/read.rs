//! Reading one command's JSON (the body of `POST /api/commands`, or a
//! script's line without its `at_s`) into a [`Command`], and the messages
//! for what is wrong with it: not an object, a missing, unknown or
//! mistyped command or field, a field given twice, JSON that does not
//! parse.

use super::{Command, Speed, StageState, StageSwitch};
use crate::text::{quoted, shown};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Longest command accepted, in bytes (of JSON).
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;

impl Command {
    /// Reads one command from JSON text (the body of `POST /api/commands`).
    pub fn from_json(text: &str) -> Result<Command, String> {
        if text.len() > MAX_COMMAND_BYTES {
            return Err(format!(
                "a command is at most {MAX_COMMAND_BYTES} bytes of JSON ({} given)",
                text.len()
            ));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| bad_json(&e))?;
        if let Some(key) = duplicate_key(text) {
            return Err(duplicate(&key));
        }
        Command::from_value(value)
    }

    /// A command from a JSON object; every field must belong to it.
    pub fn from_value(value: Value) -> Result<Command, String> {
        match &value {
            Value::Object(fields) => Command::from_fields(fields).map_err(|p| p.message),
            _ => Err(NOT_AN_OBJECT.into()),
        }
    }

    /// A command from the fields of a JSON object, or what is wrong and
    /// with which field.
    pub(super) fn from_fields(map: &Map<String, Value>) -> Result<Command, Problem> {
        let name = match map.get("command") {
            Some(Value::String(name)) => name,
            Some(other) => {
                return Err(Problem::at(
                    "command",
                    format!("command {}: {}", value_text(other), command_wants()),
                ))
            }
            None => {
                return Err(Problem::whole(format!(
                    "command: missing ({})",
                    command_wants()
                )))
            }
        };
        let Some(&(name, takes)) = COMMANDS.iter().find(|(n, _)| n == name) else {
            return Err(Problem::at(
                "command",
                format!(
                    "unknown command {} (known: {})",
                    quoted(name),
                    command_names()
                ),
            ));
        };
        if let Some(extra) = map
            .keys()
            .find(|k| *k != "command" && !takes.contains(&k.as_str()))
        {
            return Err(Problem::at(extra, unknown_field(extra, name, takes)));
        }
        let f = Fields(map);
        const GROUP: &str = "the name of an agent group";
        const COUNT: &str = "a whole number of agents, at least 0";
        Ok(match name {
            "set_agents" => Command::SetAgents {
                group: f.name("group", GROUP)?,
                agents: f.whole("agents", COUNT)?,
            },
            "add_agents" => Command::AddAgents {
                group: f.name("group", GROUP)?,
                agents: f.whole("agents", "a whole number of agents (negative: fewer)")?,
            },
            "move_agents" => Command::MoveAgents {
                from: f.name("from", GROUP)?,
                to: f.name("to", GROUP)?,
                agents: f.whole("agents", COUNT)?,
            },
            "scale_arrivals" => Command::ScaleArrivals {
                queue: f.name(
                    "queue",
                    "the name of a queue, or \"*\" for every inbound queue",
                )?,
                factor: f.number("factor", FACTOR)?,
            },
            "set_overflow" => Command::SetOverflow {
                queue: f.name("queue", "the name of a queue")?,
                stage: f.whole("stage", "an overflow stage number, from 0")?,
                open: f.open()?,
            },
            "start_campaign" => Command::StartCampaign {
                campaign: f.name("campaign", "the name of a campaign")?,
            },
            "stop_campaign" => Command::StopCampaign {
                campaign: f.name("campaign", "the name of a campaign")?,
            },
            "pause" => Command::Pause,
            "resume" => Command::Resume,
            "set_speed" => Command::SetSpeed { speed: f.speed()? },
            "stop" => Command::Stop,
            other => {
                return Err(Problem::at(
                    "command",
                    format!("unknown command {}", quoted(other)),
                ))
            }
        })
    }
}

/// A message for JSON that is not a command, escaped and bounded.
fn bad_json(e: &serde_json::Error) -> String {
    shown(&e.to_string(), 500)
}

/// What a body or a line that is not a JSON object is told.
const NOT_AN_OBJECT: &str = "a command is one JSON object, e.g. {\"command\": \"pause\"}";

/// What `factor` of `scale_arrivals` takes.
const FACTOR: &str = "a number of times the scenario's rates (1: its forecast)";

/// What `open` of `set_overflow` takes.
const OPEN: &str =
    "true (open the stage now), false (keep it closed) or \"auto\" (as the scenario says)";

/// What `speed` of `set_speed` takes.
const SPEED: &str = "a number of simulated seconds per second (e.g. 60) or \"max\"";

/// Every command and the fields it takes (besides `command`).
const COMMANDS: &[(&str, &[&str])] = &[
    ("set_agents", &["group", "agents"]),
    ("add_agents", &["group", "agents"]),
    ("move_agents", &["from", "to", "agents"]),
    ("scale_arrivals", &["queue", "factor"]),
    ("set_overflow", &["queue", "stage", "open"]),
    ("start_campaign", &["campaign"]),
    ("stop_campaign", &["campaign"]),
    ("pause", &[]),
    ("resume", &[]),
    ("set_speed", &["speed"]),
    ("stop", &[]),
];

/// The names of every command.
fn command_names() -> String {
    COMMANDS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the `command` field takes.
fn command_wants() -> String {
    format!("a string naming the command (one of {})", command_names())
}

/// "a", "a and b", "a, b and c".
fn and_list(names: &[&str]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The message for a field `of` (a command, or the session) does not take.
pub(super) fn unknown_field(field: &str, of: &str, takes: &[&str]) -> String {
    let takes = if takes.is_empty() {
        "it takes no fields besides command".to_string()
    } else {
        format!("it takes {}", and_list(takes))
    };
    format!("unknown field {} of {of} ({takes})", quoted(field))
}

/// The message for a field given twice in one object.
pub(super) fn duplicate(field: &str) -> String {
    format!("duplicate field {} (each field comes once)", quoted(field))
}

/// A JSON value as a message shows it after its field's name: strings
/// quoted, anything else as JSON; bounded.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        other => shown(&other.to_string(), 60),
    }
}

/// What is wrong with a command and, when it is about one field, which (a
/// script points at its value).
#[derive(Debug)]
pub(super) struct Problem {
    pub(super) field: Option<String>,
    pub(super) message: String,
}

impl Problem {
    pub(super) fn at(field: &str, message: String) -> Problem {
        Problem {
            field: Some(field.to_string()),
            message,
        }
    }

    fn whole(message: String) -> Problem {
        Problem {
            field: None,
            message,
        }
    }
}

/// The fields of a command's object, read each as its type.
pub(super) struct Fields<'a>(pub(super) &'a Map<String, Value>);

impl Fields<'_> {
    /// The field's value, or a message saying it is missing and what it takes.
    fn get(&self, field: &str, wants: &str) -> Result<&Value, Problem> {
        self.0
            .get(field)
            .ok_or_else(|| Problem::whole(format!("{field}: missing ({wants})")))
    }

    /// The message for a value `field` cannot take.
    fn bad(field: &str, v: &Value, wants: &str) -> Problem {
        Problem::at(field, format!("{field} {}: {wants}", value_text(v)))
    }

    pub(super) fn name(&self, field: &str, wants: &str) -> Result<String, Problem> {
        match self.get(field, wants)? {
            Value::String(s) => Ok(s.clone()),
            v => Err(Fields::bad(field, v, &format!("{wants} (a string)"))),
        }
    }

    /// A whole number (`2.0` too) of the type `T`.
    pub(super) fn whole<T: TryFrom<i128>>(&self, field: &str, wants: &str) -> Result<T, Problem> {
        let v = self.get(field, wants)?;
        let n = whole_number(v).ok_or_else(|| Fields::bad(field, v, wants))?;
        T::try_from(n).map_err(|_| Fields::bad(field, v, wants))
    }

    fn number(&self, field: &str, wants: &str) -> Result<f64, Problem> {
        match self.get(field, wants)? {
            Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| Fields::bad(field, &n.clone().into(), wants)),
            v => Err(Fields::bad(field, v, wants)),
        }
    }

    fn open(&self) -> Result<StageSwitch, Problem> {
        match self.get("open", OPEN)? {
            Value::Bool(true) => Ok(StageSwitch(StageState::Open)),
            Value::Bool(false) => Ok(StageSwitch(StageState::Closed)),
            Value::String(s) if s == "auto" => Ok(StageSwitch(StageState::Auto)),
            v => Err(Fields::bad("open", v, OPEN)),
        }
    }

    fn speed(&self) -> Result<Speed, Problem> {
        let speed = match self.get("speed", SPEED)? {
            Value::Number(n) => Speed::checked(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Speed::parse(s),
            v => return Err(Fields::bad("speed", v, SPEED)),
        };
        speed.map_err(|e| Problem::at("speed", e))
    }
}

/// A JSON number that is whole (`3`, `-1`, `2.0`), as an `i128`.
fn whole_number(v: &Value) -> Option<i128> {
    let Value::Number(n) = v else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Some(u.into());
    }
    let x = n.as_f64()?;
    (x.is_finite() && x.fract() == 0.0 && x.abs() < 1e30).then_some(x as i128)
}

/// The first key that comes twice at the top of the JSON object `text`
/// (serde_json keeps the last one silently); `None` if none does or `text`
/// is not an object.
pub(super) fn duplicate_key(text: &str) -> Option<String> {
    struct Keys(Option<String>);
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Keys;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
            let mut seen = std::collections::HashSet::new();
            let mut twice = None;
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<serde::de::IgnoredAny>()?;
                if twice.is_none() && seen.contains(&key) {
                    twice = Some(key);
                } else {
                    seen.insert(key);
                }
            }
            Ok(Keys(twice))
        }
    }
    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Keys, D::Error> {
            d.deserialize_map(Visitor)
        }
    }
    serde_json::from_str::<Keys>(text).ok().and_then(|k| k.0)
}

/// serde_json's message without its " at line L column C" (a script's
/// message starts with the line and column already).
pub(super) fn without_position(message: &str) -> &str {
    if let Some(i) = message.rfind(" at line ") {
        let rest = &message[i + " at line ".len()..];
        if let Some((line, col)) = rest.split_once(" column ") {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if digits(line) && digits(col) {
                return &message[..i];
            }
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::super::tests::check;
    use super::super::{Action, Checked};
    use super::*;

    #[test]
    fn a_command_that_is_not_an_object_or_names_no_command_is_told_the_shape() {
        let err = |json: &str| Command::from_json(json).unwrap_err();
        let object = "a command is one JSON object, e.g. {\"command\": \"pause\"}";
        for json in ["null", "[]", "[1, 2]", "\"pause\"", "5"] {
            assert_eq!(err(json), object, "{json}");
        }
        let names = "set_agents, add_agents, move_agents, scale_arrivals, set_overflow, start_campaign, stop_campaign, pause, resume, set_speed, stop";
        assert_eq!(
            err(r#"{"command": 5}"#),
            format!("command 5: a string naming the command (one of {names})")
        );
        assert_eq!(
            err(r#"{"command": ["pause"]}"#),
            format!("command [\"pause\"]: a string naming the command (one of {names})")
        );
        assert_eq!(
            err(r#"{"group": "a"}"#),
            format!("command: missing (a string naming the command (one of {names}))")
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named_with_what_it_takes() {
        let err = |json: &str| Command::from_json(json).unwrap_err();
        let cases = [
            (
                r#"{"command": "set_agents", "group": "x", "agents": "2"}"#,
                "agents \"2\": a whole number of agents, at least 0",
            ),
            (
                r#"{"command": "set_agents", "group": "a", "agents": -1}"#,
                "agents -1: a whole number of agents, at least 0",
            ),
            (
                r#"{"command": "set_agents", "group": "a", "agents": 1.5}"#,
                "agents 1.5: a whole number of agents, at least 0",
            ),
            (
                r#"{"command": "set_agents", "group": "a", "agents": 5000000000}"#,
                "agents 5000000000: a whole number of agents, at least 0",
            ),
            (
                r#"{"command": "set_agents", "group": "a"}"#,
                "agents: missing (a whole number of agents, at least 0)",
            ),
            (
                r#"{"command": "set_agents", "group": 5, "agents": 1}"#,
                "group 5: the name of an agent group (a string)",
            ),
            (
                r#"{"command": "add_agents", "group": "a", "agents": null}"#,
                "agents null: a whole number of agents (negative: fewer)",
            ),
            (
                r#"{"command": "move_agents", "from": "a", "to": true, "agents": 1}"#,
                "to true: the name of an agent group (a string)",
            ),
            (
                r#"{"command": "scale_arrivals", "queue": "q", "factor": "lots"}"#,
                "factor \"lots\": a number of times the scenario's rates (1: its forecast)",
            ),
            (
                r#"{"command": "scale_arrivals", "factor": 2}"#,
                "queue: missing (the name of a queue, or \"*\" for every inbound queue)",
            ),
            (
                r#"{"command": "set_overflow", "queue": "q", "stage": -1, "open": true}"#,
                "stage -1: an overflow stage number, from 0",
            ),
            (
                r#"{"command": "set_overflow", "queue": "q", "stage": 0, "open": "yes"}"#,
                "open \"yes\": true (open the stage now), false (keep it closed) or \"auto\" (as the scenario says)",
            ),
            (
                r#"{"command": "start_campaign", "campaign": {"a": 1}}"#,
                "campaign {\"a\":1}: the name of a campaign (a string)",
            ),
            (
                r#"{"command": "set_speed", "speed": true}"#,
                "speed true: a number of simulated seconds per second (e.g. 60) or \"max\"",
            ),
            (
                r#"{"command": "set_speed", "speed": "fast"}"#,
                "speed \"fast\": a number of simulated seconds per second (e.g. 60) or \"max\"",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(err(json), want, "{json}");
        }
        // A value shown in a message is bounded.
        let long = format!(
            r#"{{"command": "set_agents", "group": "a", "agents": [{}]}}"#,
            "1,".repeat(1000) + "1"
        );
        assert!(err(&long).len() < 200, "{}", err(&long));
        // A whole number written with a fraction is that number.
        assert_eq!(
            check(r#"{"command": "set_agents", "group": "b", "agents": 2.0}"#),
            Ok(Checked::Model(Action::SetAgents {
                group: 1,
                agents: 2
            }))
        );
    }

    #[test]
    fn unknown_fields_name_the_command_and_the_fields_it_takes() {
        let err = |json: &str| Command::from_json(json).unwrap_err();
        assert_eq!(
            err(r#"{"command": "set_agents", "group": "a", "agents": 1, "extra": 0}"#),
            "unknown field \"extra\" of set_agents (it takes group and agents)"
        );
        assert_eq!(
            err(r#"{"command": "move_agents", "form": "a", "to": "b", "agents": 1}"#),
            "unknown field \"form\" of move_agents (it takes from, to and agents)"
        );
        assert_eq!(
            err(r#"{"command": "pause", "speed": 2}"#),
            "unknown field \"speed\" of pause (it takes no fields besides command)"
        );
        assert_eq!(
            err(r#"{"command": "start_campaign", "campaign": "x", "at_s": 1}"#),
            "unknown field \"at_s\" of start_campaign (it takes campaign)"
        );
    }

    #[test]
    fn a_field_given_twice_is_refused() {
        let err = |json: &str| Command::from_json(json).unwrap_err();
        assert_eq!(
            err(r#"{"command":"set_agents","group":"a","agents":1,"agents":2}"#),
            "duplicate field \"agents\" (each field comes once)"
        );
        assert_eq!(
            err(r#"{"command": "pause", "command": "resume"}"#),
            "duplicate field \"command\" (each field comes once)"
        );
        // Only the top level: a key repeated inside a value is the value's business.
        assert_eq!(duplicate_key(r#"{"a": {"b": 1, "b": 2}, "c": 1}"#), None);
        assert_eq!(duplicate_key("[1, 1]"), None);
        assert_eq!(
            duplicate_key(r#"{"a\u0062": 1, "ab": 2}"#),
            Some("ab".into())
        );
    }

    #[test]
    fn every_command_reads_with_the_fields_it_takes() {
        let sample = |field: &str| match field {
            "group" | "from" | "to" | "campaign" => serde_json::json!("a"),
            "queue" => serde_json::json!("q"),
            "open" => serde_json::json!(true),
            _ => serde_json::json!(1),
        };
        for (name, takes) in COMMANDS {
            let mut obj = Map::new();
            obj.insert("command".into(), serde_json::json!(name));
            for f in *takes {
                obj.insert(f.to_string(), sample(f));
            }
            let c = Command::from_value(Value::Object(obj.clone())).unwrap();
            assert_eq!(c.name(), *name);
            let back = serde_json::to_value(&c).unwrap();
            let keys: Vec<&String> = back.as_object().unwrap().keys().collect();
            assert_eq!(keys, obj.keys().collect::<Vec<_>>());
        }
    }
}
