//! Live commands: what a flow manager changes while a run goes on (agents
//! on the floor, arrival volumes, overflow stages, campaigns, the pace), as
//! the JSON objects of the live API; how they are checked against a
//! scenario into the [`Action`]s the engine applies; and scripts of timed
//! commands (JSON lines, as `acdsim live --record` writes them) that
//! `acdsim run --commands` replays.

use crate::scenario::Scenario;
use crate::text::{listing, quoted, shown};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;

/// Most names listed in a message about an unknown name.
const LISTED: usize = 10;
/// Largest arrival factor (times the scenario's forecast).
pub const MAX_FACTOR: f64 = 1000.0;
/// Fastest pace (simulated seconds per wall-clock second).
pub const MAX_SPEED: f64 = 1e6;
/// Longest command accepted, in bytes (of JSON).
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// One command, as the API receives it and a recording keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// The group has `agents` agents on the floor from now on (see README:
    /// the difference from its schedule is kept when the schedule changes).
    SetAgents {
        group: String,
        agents: u32,
    },
    /// `agents` more agents (fewer when negative) than the group has now.
    /// The count that results is clamped between 0 and what the group can
    /// have now (removing 5 from 3 agents leaves 0), but an `agents` whose
    /// size is above the most the group can ever have (its agents and the
    /// reserve for commands) is refused, as a typo.
    AddAgents {
        group: String,
        agents: i64,
    },
    /// Up to `agents` agents leave `from` for `to`.
    MoveAgents {
        from: String,
        to: String,
        agents: u32,
    },
    /// Arrivals of `queue` (or every inbound queue: `"*"`) run at `factor`
    /// times the scenario's rates from now on.
    ScaleArrivals {
        queue: String,
        factor: f64,
    },
    /// Overflow stage `stage` of `queue` opens now whatever the wait
    /// (`true`) or stays closed (`false`); see `auto` in [`StageState`].
    SetOverflow {
        queue: String,
        stage: u32,
        open: StageSwitch,
    },
    StartCampaign {
        campaign: String,
    },
    StopCampaign {
        campaign: String,
    },
    /// The pace stops (the simulated clock holds).
    Pause,
    Resume,
    SetSpeed {
        speed: Speed,
    },
    /// The run ends here (written by `live` when it is interrupted).
    Stop,
}

/// How fast a live run goes: simulated seconds per wall-clock second, or
/// as fast as the machine can (`"max"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    Times(f64),
    Max,
}

impl Speed {
    /// A speed from the command line or the API: a number in (0, 1e6] or "max".
    pub fn parse(text: &str) -> Result<Speed, String> {
        if text.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        match text.parse::<f64>() {
            Ok(x) => Speed::checked(x),
            Err(_) => Err(format!(
                "speed {}: a number of simulated seconds per second (e.g. 60) or \"max\"",
                quoted(text)
            )),
        }
    }

    fn checked(x: f64) -> Result<Speed, String> {
        if x.is_finite() && x > 0.0 && x <= MAX_SPEED {
            Ok(Speed::Times(x))
        } else {
            Err(format!(
                "speed {}: must be above 0 and at most {MAX_SPEED:e}, or \"max\"",
                crate::time::short_number(x)
            ))
        }
    }

    /// The factor, `None` for "max".
    pub fn times(self) -> Option<f64> {
        match self {
            Speed::Times(x) => Some(x),
            Speed::Max => None,
        }
    }
}

impl Serialize for Speed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Speed::Times(x) => s.serialize_f64(*x),
            Speed::Max => s.serialize_str("max"),
        }
    }
}

impl<'de> Deserialize<'de> for Speed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Speed, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let speed = match &v {
            serde_json::Value::Number(n) => Speed::checked(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Speed::parse(s),
            _ => Err("speed: a number of simulated seconds per second, or \"max\"".to_string()),
        };
        speed.map_err(serde::de::Error::custom)
    }
}

/// `open` of `set_overflow`: `true`, `false`, or `"auto"` (back to the
/// scenario's wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageSwitch(pub StageState);

/// How an overflow stage opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    /// When a call's wait reaches the stage's `after` (the scenario).
    Auto,
    /// Now, for every call whatever its wait.
    Open,
    /// Never.
    Closed,
}

impl Serialize for StageSwitch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            StageState::Open => s.serialize_bool(true),
            StageState::Closed => s.serialize_bool(false),
            StageState::Auto => s.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for StageSwitch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StageSwitch, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Bool(true) => Ok(StageSwitch(StageState::Open)),
            serde_json::Value::Bool(false) => Ok(StageSwitch(StageState::Closed)),
            serde_json::Value::String(s) if s == "auto" => Ok(StageSwitch(StageState::Auto)),
            _ => Err(serde::de::Error::custom(
                "open: true (open the stage now), false (keep it closed) or \"auto\" (as the scenario says)",
            )),
        }
    }
}

/// A command checked against a scenario: names became indexes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    SetAgents {
        group: usize,
        agents: u32,
    },
    AddAgents {
        group: usize,
        agents: i64,
    },
    MoveAgents {
        from: usize,
        to: usize,
        agents: u32,
    },
    /// `queue` `None`: every inbound queue.
    ScaleArrivals {
        queue: Option<usize>,
        factor: f64,
    },
    SetOverflow {
        queue: usize,
        stage: usize,
        state: StageState,
    },
    Campaign {
        campaign: usize,
        open: bool,
    },
    Stop,
}

/// A change of pace (the engine ignores it; a replay too).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    Pause,
    Resume,
    Speed(Speed),
}

/// What a command does once checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Checked {
    Model(Action),
    Pace(Pace),
}

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
    fn from_fields(map: &Map<String, Value>) -> Result<Command, Problem> {
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

    /// The command's name (its `command` field).
    pub fn name(&self) -> &'static str {
        match self {
            Command::SetAgents { .. } => "set_agents",
            Command::AddAgents { .. } => "add_agents",
            Command::MoveAgents { .. } => "move_agents",
            Command::ScaleArrivals { .. } => "scale_arrivals",
            Command::SetOverflow { .. } => "set_overflow",
            Command::StartCampaign { .. } => "start_campaign",
            Command::StopCampaign { .. } => "stop_campaign",
            Command::Pause => "pause",
            Command::Resume => "resume",
            Command::SetSpeed { .. } => "set_speed",
            Command::Stop => "stop",
        }
    }

    /// The command checked against `sc`: every name known, every value in range.
    pub fn check(&self, sc: &Scenario) -> Result<Checked, String> {
        self.check_at(sc).map_err(|(_, message)| message)
    }

    /// [`Command::check`], with the field a problem is about.
    fn check_at(&self, sc: &Scenario) -> Result<Checked, (&'static str, String)> {
        let group = |name: &str| {
            find(
                sc.agent_groups.iter().map(|g| g.name.as_str()),
                name,
                "agent group",
            )
        };
        let queue = |name: &str| {
            find(sc.queues.iter().map(|q| q.name.as_str()), name, "queue").map_err(|e| ("queue", e))
        };
        let campaign = |name: &str| {
            find(
                sc.campaigns.iter().map(|c| c.name.as_str()),
                name,
                "campaign",
            )
            .map_err(|e| ("campaign", e))
        };
        let model = Checked::Model;
        Ok(match self {
            Command::SetAgents { group: g, agents } => {
                let group = group(g).map_err(|e| ("group", e))?;
                let most = sc.agent_groups[group].slots();
                if *agents > most {
                    return Err((
                        "agents",
                        format!(
                            "agents {agents}: group {} can have at most {most} agents",
                            quoted(g)
                        ),
                    ));
                }
                model(Action::SetAgents {
                    group,
                    agents: *agents,
                })
            }
            Command::AddAgents { group: g, agents } => {
                let group = group(g).map_err(|e| ("group", e))?;
                let most = sc.agent_groups[group].slots();
                // A size above any the group can have is a typo, not a clamp.
                if agents.unsigned_abs() > u64::from(most) {
                    let message = if *agents < 0 {
                        format!(
                            "agents {agents}: group {} has at most {most} agents to remove",
                            quoted(g)
                        )
                    } else {
                        format!(
                            "agents {agents}: group {} can have at most {most} agents",
                            quoted(g)
                        )
                    };
                    return Err(("agents", message));
                }
                model(Action::AddAgents {
                    group,
                    agents: *agents,
                })
            }
            Command::MoveAgents { from, to, agents } => {
                let f = group(from).map_err(|e| ("from", e))?;
                let t = group(to).map_err(|e| ("to", e))?;
                if f == t {
                    return Err((
                        "to",
                        format!("from and to are the same group {}", quoted(from)),
                    ));
                }
                model(Action::MoveAgents {
                    from: f,
                    to: t,
                    agents: *agents,
                })
            }
            Command::ScaleArrivals { queue: q, factor } => {
                if !(factor.is_finite() && (0.0..=MAX_FACTOR).contains(factor)) {
                    return Err((
                        "factor",
                        format!(
                            "factor {}: must be between 0 and {MAX_FACTOR} (1: the scenario's forecast)",
                            crate::time::short_number(*factor)
                        ),
                    ));
                }
                let queue = if q == "*" { None } else { Some(queue(q)?) };
                model(Action::ScaleArrivals {
                    queue,
                    factor: *factor,
                })
            }
            Command::SetOverflow {
                queue: q,
                stage,
                open,
            } => {
                let queue = queue(q)?;
                let stages = sc.queues[queue].overflow.len();
                if stages == 0 {
                    return Err((
                        "queue",
                        format!("queue {} has no overflow stages", quoted(q)),
                    ));
                }
                if *stage as usize >= stages {
                    return Err((
                        "stage",
                        format!(
                            "stage {stage}: queue {} has stages 0 to {}",
                            quoted(q),
                            stages - 1
                        ),
                    ));
                }
                model(Action::SetOverflow {
                    queue,
                    stage: *stage as usize,
                    state: open.0,
                })
            }
            Command::StartCampaign { campaign: c } => model(Action::Campaign {
                campaign: campaign(c)?,
                open: true,
            }),
            Command::StopCampaign { campaign: c } => model(Action::Campaign {
                campaign: campaign(c)?,
                open: false,
            }),
            Command::Stop => model(Action::Stop),
            Command::Pause => Checked::Pace(Pace::Pause),
            Command::Resume => Checked::Pace(Pace::Resume),
            Command::SetSpeed { speed } => Checked::Pace(Pace::Speed(*speed)),
        })
    }

    /// The line a recording keeps: the command with its simulated time
    /// first (`at_s`, seconds of run time).
    pub fn record_line(&self, at_us: u64) -> String {
        let mut line = serde_json::Map::new();
        line.insert("at_s".into(), serde_json::json!(at_us as f64 / 1e6));
        if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(self) {
            line.extend(fields);
        }
        serde_json::Value::Object(line).to_string()
    }
}

/// Index of `name` among `names`, or a message listing the known ones.
fn find<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    name: &str,
    what: &str,
) -> Result<usize, String> {
    if let Some(i) = names.clone().position(|n| n == name) {
        return Ok(i);
    }
    Err(format!(
        "unknown {what} {} (known: {})",
        quoted(name),
        listing(names, LISTED)
    ))
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
fn unknown_field(field: &str, of: &str, takes: &[&str]) -> String {
    let takes = if takes.is_empty() {
        "it takes no fields besides command".to_string()
    } else {
        format!("it takes {}", and_list(takes))
    };
    format!("unknown field {} of {of} ({takes})", quoted(field))
}

/// The message for a field given twice in one object.
fn duplicate(field: &str) -> String {
    format!("duplicate field {} (each field comes once)", quoted(field))
}

/// A JSON value as a message shows it after its field's name: strings
/// quoted, anything else as JSON; bounded.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        other => shown(&other.to_string(), 60),
    }
}

/// What is wrong with a command and, when it is about one field, which (a
/// script points at its value).
#[derive(Debug)]
struct Problem {
    field: Option<String>,
    message: String,
}

impl Problem {
    fn at(field: &str, message: String) -> Problem {
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
struct Fields<'a>(&'a Map<String, Value>);

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

    fn name(&self, field: &str, wants: &str) -> Result<String, Problem> {
        match self.get(field, wants)? {
            Value::String(s) => Ok(s.clone()),
            v => Err(Fields::bad(field, v, &format!("{wants} (a string)"))),
        }
    }

    /// A whole number (`2.0` too) of the type `T`.
    fn whole<T: TryFrom<i128>>(&self, field: &str, wants: &str) -> Result<T, Problem> {
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
fn duplicate_key(text: &str) -> Option<String> {
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
fn without_position(message: &str) -> &str {
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
    use super::*;

    fn scenario() -> Scenario {
        let doc = serde_json::json!({
            "name": "c", "horizon": "2h", "skills": ["s", "t"],
            "queues": [
                { "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 10 },
                  "handle_time": { "constant": 60 },
                  "overflow": [{ "after": "0s", "max_level": 1 }, { "after": "30s" }] },
                { "name": "r", "skill": "t", "arrivals": { "rate_per_hour": 10 },
                  "handle_time": { "constant": 60 } },
            ],
            "agent_groups": [
                { "name": "a", "count": 3, "skills": { "s": 1, "t": 2 } },
                { "name": "b", "count": 2, "skills": { "t": 1 } },
            ],
        });
        let mut sc = Scenario::from_json_str(&doc.to_string(), "t").unwrap();
        sc.reserve_for_commands();
        sc
    }

    fn check(json: &str) -> Result<Checked, String> {
        Command::from_json(json)?.check(&scenario())
    }

    #[test]
    fn the_api_shapes_become_actions() {
        assert_eq!(
            check(r#"{"command": "set_agents", "group": "b", "agents": 7}"#),
            Ok(Checked::Model(Action::SetAgents {
                group: 1,
                agents: 7
            }))
        );
        assert_eq!(
            check(r#"{"command": "move_agents", "from": "b", "to": "a", "agents": 1}"#),
            Ok(Checked::Model(Action::MoveAgents {
                from: 1,
                to: 0,
                agents: 1
            }))
        );
        assert_eq!(
            check(r#"{"command": "scale_arrivals", "queue": "*", "factor": 1.15}"#),
            Ok(Checked::Model(Action::ScaleArrivals {
                queue: None,
                factor: 1.15
            }))
        );
        assert_eq!(
            check(r#"{"command": "set_overflow", "queue": "q", "stage": 1, "open": true}"#),
            Ok(Checked::Model(Action::SetOverflow {
                queue: 0,
                stage: 1,
                state: StageState::Open
            }))
        );
        assert_eq!(
            check(r#"{"command": "set_speed", "speed": "max"}"#),
            Ok(Checked::Pace(Pace::Speed(Speed::Max)))
        );
        assert_eq!(
            check(r#"{"command": "pause"}"#),
            Ok(Checked::Pace(Pace::Pause))
        );
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        let err = |json: &str| check(json).unwrap_err();
        assert!(err("{").contains("EOF"), "{}", err("{"));
        assert_eq!(
            err(r#"{"command": "fly"}"#),
            "unknown command \"fly\" (known: set_agents, add_agents, move_agents, scale_arrivals, set_overflow, start_campaign, stop_campaign, pause, resume, set_speed, stop)"
        );
        assert!(
            err(r#"{"command": "set_agents", "group": "zz", "agents": 1}"#)
                .contains("unknown agent group \"zz\" (known: a, b)")
        );
        assert!(
            err(r#"{"command": "set_agents", "group": "a", "agents": 100000}"#)
                .contains("at most 103 agents")
        );
        assert!(
            err(r#"{"command": "scale_arrivals", "queue": "q", "factor": -2}"#)
                .contains("between 0 and 1000")
        );
        assert!(
            err(r#"{"command": "set_overflow", "queue": "r", "stage": 0, "open": true}"#)
                .contains("has no overflow stages")
        );
        assert!(
            err(r#"{"command": "set_overflow", "queue": "q", "stage": 2, "open": true}"#)
                .contains("stages 0 to 1")
        );
        assert!(err(r#"{"command": "set_speed", "speed": 0}"#).contains("above 0"));
        assert!(err(r#"{"command": "start_campaign", "campaign": "x"}"#)
            .contains("unknown campaign \"x\" (known: )"));
        assert!(
            err(r#"{"command": "move_agents", "from": "a", "to": "a", "agents": 1}"#)
                .contains("same group")
        );
        let long = format!(r#"{{"command": "pause", "x": "{}"}}"#, "y".repeat(70_000));
        assert!(err(&long).contains("at most 65536 bytes"));
    }

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

    #[test]
    fn add_agents_refuses_a_size_above_the_group_with_a_message_for_each_sign() {
        let err = |json: &str| check(json).unwrap_err();
        assert_eq!(
            err(r#"{"command": "add_agents", "group": "a", "agents": -104}"#),
            "agents -104: group \"a\" has at most 103 agents to remove"
        );
        assert_eq!(
            err(r#"{"command": "add_agents", "group": "a", "agents": 104}"#),
            "agents 104: group \"a\" can have at most 103 agents"
        );
        assert_eq!(
            err(r#"{"command": "add_agents", "group": "a", "agents": -9223372036854775808}"#),
            "agents -9223372036854775808: group \"a\" has at most 103 agents to remove"
        );
        for n in [-103, 103] {
            let json = format!(r#"{{"command": "add_agents", "group": "a", "agents": {n}}}"#);
            assert_eq!(
                check(&json),
                Ok(Checked::Model(Action::AddAgents {
                    group: 0,
                    agents: n
                }))
            );
        }
    }

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
