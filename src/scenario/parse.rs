//! Reading and checking scenario files (format version 1, JSON): this file
//! owns the file format, turning text into a checked [`Scenario`] or into a
//! [`ScenarioError`] that lists every problem at once.
//!
//! Two stages, as the design asks:
//! 1. **Syntax.** `serde_json` reads the text into a JSON tree. Syntax errors
//!    (and repeated keys, which `serde_json` would silently resolve to the last
//!    one) come back as [`ScenarioError::Syntax`] with line and column.
//! 2. **Meaning.** A walker reads the tree field by field, builds the model
//!    (skills, queues and agent groups get dense ids) and records a [`Problem`]
//!    with its JSON path (`queues[0].handle_time.exponential.mean`) for every
//!    missing, unknown, mistyped or out-of-range field, so the user fixes them
//!    all in one go. A walker rather than typed `serde` structs: those stop at
//!    the first wrong type, the walker keeps going.
//!
//! Time semantics: the file's `horizon` is the length of the *measured*
//! window and `warmup` comes before it, so the model's [`Scenario::horizon`]
//! (end of the run) is `warmup + horizon`.

use super::{
    AgentGroup, AgentSelection, Arrivals, CallSelection, Queue, Routing, Scenario, SkillId,
};
use crate::distribution::DurationDist;
use crate::time::{parse_duration, secs_to_time, SimTime};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a scenario could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read scenario file {}: {error}", .path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The text is not valid JSON.
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid JSON, but not a valid scenario: every problem found.
    #[error("{}", invalid_message(.origin, .problems))]
    Invalid {
        origin: String,
        problems: Vec<Problem>,
    },
}

/// One thing wrong in a scenario, at a JSON path such as `queues[0].skill`
/// (empty path: the document itself).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(top level)"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

fn invalid_message(origin: &str, problems: &[Problem]) -> String {
    let n = problems.len();
    let mut out = format!("{origin}: {n} problem{}:", if n == 1 { "" } else { "s" });
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    out
}

/// Reads and checks a scenario file; the path names it in messages.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|error| ScenarioError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    from_json_str(&text, &path.display().to_string())
}

/// Parses and checks scenario JSON text; `origin` (a file name) names it in messages.
pub fn from_json_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let json = parse_json(text, origin)?;
    let mut ck = Checker::default();
    let scenario = read_scenario(&mut ck, &Node::root(&json));
    match scenario {
        Some(scenario) if ck.problems.is_empty() => Ok(scenario),
        _ => {
            if ck.problems.is_empty() {
                // Every reader that gives up records why; this is a safety net.
                ck.problem("", "the scenario could not be read (internal error)");
            }
            Err(ScenarioError::Invalid {
                origin: origin.to_string(),
                problems: ck.problems,
            })
        }
    }
}

// ---------------------------------------------------------------------------
// Stage 1: syntax.

fn parse_json(text: &str, origin: &str) -> Result<Value, ScenarioError> {
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

// ---------------------------------------------------------------------------
// Stage 2: the walker's tools. A `Node` is a JSON value with its path; the
// `Checker` reads nodes into Rust values, recording a problem whenever it
// cannot (and then returning `None`).

/// A value in the JSON tree, with its path from the root.
struct Node<'a> {
    path: String,
    value: &'a Value,
}

impl<'a> Node<'a> {
    fn root(value: &'a Value) -> Self {
        Node {
            path: String::new(),
            value,
        }
    }

    fn child(&self, key: &str, value: &'a Value) -> Node<'a> {
        Node {
            path: join_key(&self.path, key),
            value,
        }
    }

    fn item(&self, index: usize, value: &'a Value) -> Node<'a> {
        Node {
            path: format!("{}[{index}]", self.path),
            value,
        }
    }
}

/// `a.b` for identifier-like keys, `a["odd key"]` otherwise.
fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, path.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{}]", quoted(key)),
    }
}

/// A string as JSON writes it, quotes and escapes included.
fn quoted(s: &str) -> String {
    Value::from(s).to_string()
}

/// A short description of a value for "got ..." in messages.
fn describe(value: &Value) -> String {
    const MAX_CHARS: usize = 40;
    match value {
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
        Value::String(s) if s.chars().count() > MAX_CHARS => {
            let head: String = s.chars().take(MAX_CHARS).collect();
            quoted(&format!("{head}..."))
        }
        other => other.to_string(),
    }
}

/// A JSON object whose field names have been checked.
struct Object<'a> {
    path: String,
    fields: &'a Map<String, Value>,
}

impl<'a> Object<'a> {
    /// Reads a required field, or records "missing field".
    fn required<T>(
        &self,
        ck: &mut Checker,
        name: &str,
        read: impl FnOnce(&mut Checker, &Node<'a>) -> Option<T>,
    ) -> Option<T> {
        let path = join_key(&self.path, name);
        match self.fields.get(name) {
            Some(value) => read(ck, &Node { path, value }),
            None => {
                ck.problem(&path, "missing field");
                None
            }
        }
    }

    /// Reads an optional field; absent or `null` gives `default`.
    fn optional<T>(
        &self,
        ck: &mut Checker,
        name: &str,
        default: T,
        read: impl FnOnce(&mut Checker, &Node<'a>) -> Option<T>,
    ) -> Option<T> {
        match self.fields.get(name) {
            Some(value) if !value.is_null() => {
                let path = join_key(&self.path, name);
                read(ck, &Node { path, value })
            }
            _ => Some(default),
        }
    }
}

/// Collects the problems found while reading the tree.
#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn wrong_type(&mut self, node: &Node<'_>, expected: &str) {
        let got = describe(node.value);
        self.problem(&node.path, format!("expected {expected}, got {got}"));
    }

    /// An object with free-form keys.
    fn map<'a>(&mut self, node: &Node<'a>) -> Option<&'a Map<String, Value>> {
        match node.value {
            Value::Object(fields) => Some(fields),
            _ => {
                self.wrong_type(node, "an object");
                None
            }
        }
    }

    /// An object with the given fields only; each unknown field is a problem.
    fn object<'a>(&mut self, node: &Node<'a>, known: &[&str]) -> Option<Object<'a>> {
        let fields = self.map(node)?;
        for key in fields.keys() {
            if !known.contains(&key.as_str()) {
                let message = format!("unknown field (expected one of: {})", known.join(", "));
                self.problem(&join_key(&node.path, key), message);
            }
        }
        Some(Object {
            path: node.path.clone(),
            fields,
        })
    }

    /// A non-empty array; `what` names one element in the message.
    fn array<'a>(&mut self, node: &Node<'a>, what: &str) -> Option<Vec<Node<'a>>> {
        let Value::Array(items) = node.value else {
            self.wrong_type(node, &format!("an array of {what}s"));
            return None;
        };
        if items.is_empty() {
            self.problem(&node.path, format!("must list at least one {what}"));
            return None;
        }
        Some(
            items
                .iter()
                .enumerate()
                .map(|(i, value)| node.item(i, value))
                .collect(),
        )
    }

    fn string<'a>(&mut self, node: &Node<'a>) -> Option<&'a str> {
        match node.value {
            Value::String(s) => Some(s),
            _ => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    /// A non-blank string.
    fn name(&mut self, node: &Node<'_>) -> Option<String> {
        let s = self.string(node)?;
        if s.trim().is_empty() {
            self.problem(&node.path, "must not be empty");
            return None;
        }
        Some(s.to_string())
    }

    /// An integer in `min..=max` (a number with a zero fraction, like `10.0`, counts).
    fn integer<T>(&mut self, node: &Node<'_>, min: T, max: T) -> Option<T>
    where
        T: Copy + fmt::Display + Into<i128> + TryFrom<i128>,
    {
        let (lo, hi): (i128, i128) = (min.into(), max.into());
        let expected = match lo {
            0 => "a non-negative integer",
            1 => "a positive integer",
            _ => "an integer",
        };
        let value = match node.value {
            Value::Number(n) => integer_value(n),
            _ => None,
        };
        let got = describe(node.value);
        match value {
            None => self.wrong_type(node, expected),
            Some(v) if v < lo && (lo == 0 || lo == 1) => self.wrong_type(node, expected),
            Some(v) if v < lo => {
                self.problem(&node.path, format!("must be at least {min}, got {got}"))
            }
            Some(v) if v > hi => {
                self.problem(&node.path, format!("must be at most {max}, got {got}"))
            }
            Some(v) => return T::try_from(v).ok(),
        }
        None
    }

    /// A finite number > 0.
    fn positive_number(&mut self, node: &Node<'_>) -> Option<f64> {
        let Some(v) = node.value.as_f64() else {
            self.wrong_type(node, "a number");
            return None;
        };
        if v.is_finite() && v > 0.0 {
            Some(v)
        } else {
            let got = describe(node.value);
            self.problem(&node.path, format!("must be a positive number, got {got}"));
            None
        }
    }

    /// A duration: a number of seconds, or a string like "20s", "3m", "1h30m", "250ms".
    fn duration(&mut self, node: &Node<'_>) -> Option<SimTime> {
        let parsed = match node.value {
            Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| format!("invalid duration {n}"))
                .and_then(secs_to_time),
            Value::String(s) if s.trim_start().starts_with('-') => Err(format!(
                "must not be negative, got {}",
                describe(node.value)
            )),
            Value::String(s) => parse_duration(s),
            _ => {
                let expected = r#"a duration (seconds, or a string like "20s", "3m", "1h30m")"#;
                self.wrong_type(node, expected);
                return None;
            }
        };
        parsed
            .map_err(|message| self.problem(&node.path, message))
            .ok()
    }

    /// A duration > 0.
    fn positive_duration(&mut self, node: &Node<'_>) -> Option<SimTime> {
        let t = self.duration(node)?;
        if t == SimTime::ZERO {
            self.problem(
                &node.path,
                format!("must be positive, got {}", describe(node.value)),
            );
            return None;
        }
        Some(t)
    }

    /// One of the names in `table`; `what` names the kind of choice in messages.
    fn choice<T: Copy>(&mut self, node: &Node<'_>, what: &str, table: &[(&str, T)]) -> Option<T> {
        let names: Vec<&str> = table.iter().map(|&(name, _)| name).collect();
        let names = names.join(", ");
        let Value::String(s) = node.value else {
            self.wrong_type(node, &format!("one of: {names}"));
            return None;
        };
        match table.iter().find(|(name, _)| name == s) {
            Some(&(_, value)) => Some(value),
            None => {
                let message = format!("unknown {what} {} (expected one of: {names})", quoted(s));
                self.problem(&node.path, message);
                None
            }
        }
    }

    /// A distribution of durations: an object with one key naming the family.
    fn distribution(&mut self, node: &Node<'_>) -> Option<DurationDist> {
        let families = DISTRIBUTIONS.join(", ");
        let Value::Object(fields) = node.value else {
            let expected = format!(
                r#"a distribution such as {{"exponential": {{"mean": "3m"}}}} (families: {families})"#
            );
            self.wrong_type(node, &expected);
            return None;
        };
        let (family, params) = match fields.iter().next() {
            Some(entry) if fields.len() == 1 => entry,
            _ => {
                let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
                let got = if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                };
                let message = format!(
                    "expected exactly one distribution family (one of: {families}), got {got}"
                );
                self.problem(&node.path, message);
                return None;
            }
        };
        let params = node.child(family, params);
        let dist = self.distribution_params(family, &params)?;
        if let Err(message) = dist.check() {
            self.problem(&params.path, message);
            return None;
        }
        Some(dist)
    }

    /// The parameters of one distribution family (not yet checked against each other).
    fn distribution_params(&mut self, family: &str, params: &Node<'_>) -> Option<DurationDist> {
        let secs = |t: SimTime| t.as_secs_f64();
        let pair = |ck: &mut Checker, a: &str, b: &str| {
            let obj = ck.object(params, &[a, b])?;
            let x = obj.required(ck, a, Checker::duration);
            let y = obj.required(ck, b, Checker::duration);
            Some((secs(x?), secs(y?)))
        };
        Some(match family {
            "exponential" => {
                let obj = self.object(params, &["mean"])?;
                let mean = obj.required(self, "mean", Checker::duration)?;
                DurationDist::Exponential { mean_s: secs(mean) }
            }
            "lognormal" => {
                let (mean_s, sd_s) = pair(self, "mean", "sd")?;
                DurationDist::Lognormal { mean_s, sd_s }
            }
            "gamma" => {
                let (mean_s, sd_s) = pair(self, "mean", "sd")?;
                DurationDist::Gamma { mean_s, sd_s }
            }
            "uniform" => {
                let (min_s, max_s) = pair(self, "min", "max")?;
                DurationDist::Uniform { min_s, max_s }
            }
            "constant" => DurationDist::Constant {
                value_s: secs(self.duration(params)?),
            },
            _ => {
                let families = DISTRIBUTIONS.join(", ");
                let message = format!("unknown distribution (expected one of: {families})");
                self.problem(&params.path, message);
                return None;
            }
        })
    }
}

/// The number as an exact integer, if it is one (huge values saturate).
fn integer_value(n: &Number) -> Option<i128> {
    if let Some(v) = n.as_i64() {
        return Some(v.into());
    }
    if let Some(v) = n.as_u64() {
        return Some(v.into());
    }
    let f = n.as_f64()?;
    // `as` saturates at the i128 bounds, which the range check then rejects.
    (f.is_finite() && f.fract() == 0.0).then_some(f as i128)
}

/// Names already used in a list, each with where it first appeared.
#[derive(Default)]
struct Seen(HashMap<String, String>);

impl Seen {
    /// Records `name` first seen at `item`; a repeat is a problem at `path`.
    fn check(&mut self, ck: &mut Checker, name: &str, item: &str, path: &str, what: &str) {
        if let Some(first) = self.0.get(name) {
            let message = format!("duplicate {what} {} (also {first})", quoted(name));
            ck.problem(path, message);
        } else {
            self.0.insert(name.to_string(), item.to_string());
        }
    }
}

// ---------------------------------------------------------------------------
// Stage 2: the format itself.

const SCENARIO_FIELDS: &[&str] = &[
    "name",
    "seed",
    "horizon",
    "warmup",
    "replications",
    "service_level_threshold",
    "skills",
    "queues",
    "agent_groups",
    "routing",
];
const QUEUE_FIELDS: &[&str] = &[
    "name",
    "skill",
    "priority",
    "arrivals",
    "handle_time",
    "patience",
    "wrap_up",
    "service_level_threshold",
];
const ARRIVALS_FIELDS: &[&str] = &["rate_per_hour"];
const GROUP_FIELDS: &[&str] = &["name", "count", "skills"];
const ROUTING_FIELDS: &[&str] = &["agent_selection", "call_selection"];
const DISTRIBUTIONS: &[&str] = &["exponential", "lognormal", "gamma", "uniform", "constant"];

const DEFAULT_SEED: u64 = 1;
const DEFAULT_REPLICATIONS: u32 = 10;
/// More replications than anyone needs; the runner keeps a few hundred bytes per replication.
pub const MAX_REPLICATIONS: u32 = 100_000;
const DEFAULT_SERVICE_LEVEL_THRESHOLD: SimTime = SimTime(20_000_000);
/// One call per microsecond (the clock's resolution): beyond this the run would never advance.
const MAX_RATE_PER_HOUR: f64 = 3.6e9;

fn read_scenario(ck: &mut Checker, root: &Node<'_>) -> Option<Scenario> {
    let obj = ck.object(root, SCENARIO_FIELDS)?;
    let name = obj.required(ck, "name", Checker::name);
    let seed = obj.optional(ck, "seed", DEFAULT_SEED, |ck, n| ck.integer(n, 0, u64::MAX));
    let horizon = obj.required(ck, "horizon", Checker::positive_duration);
    let warmup = obj.optional(ck, "warmup", SimTime::ZERO, Checker::duration);
    let replications = obj.optional(ck, "replications", DEFAULT_REPLICATIONS, |ck, n| {
        ck.integer(n, 1, MAX_REPLICATIONS)
    });
    let threshold = obj.optional(
        ck,
        "service_level_threshold",
        DEFAULT_SERVICE_LEVEL_THRESHOLD,
        Checker::duration,
    );
    let skills = obj.required(ck, "skills", read_skills).unwrap_or_default();

    let default_threshold = threshold.unwrap_or(DEFAULT_SERVICE_LEVEL_THRESHOLD);
    let mut skill_uses = Vec::new();
    let queues = obj.required(ck, "queues", |ck, n| {
        read_list(ck, n, "queue", |ck, item, seen| {
            read_queue(ck, item, &skills, default_threshold, seen, &mut skill_uses)
        })
    });
    let groups = obj.required(ck, "agent_groups", |ck, n| {
        read_list(ck, n, "agent group", |ck, item, seen| {
            read_group(ck, item, &skills, seen)
        })
    });
    // Cross-checks only when every group was read, so that one mistake in a
    // group does not also show up as "nobody has skill X".
    if let Some(groups) = &groups {
        check_skills_served(ck, &skill_uses, groups);
        check_some_agent(ck, groups);
    }
    let routing = obj.optional(ck, "routing", Routing::default(), read_routing);

    let (horizon, warmup) = (horizon?, warmup?);
    if !skills.usable {
        return None;
    }
    Some(Scenario {
        name: name?,
        seed: seed?,
        end: SimTime(warmup.0.saturating_add(horizon.0)),
        warmup,
        replications: replications?,
        service_level_threshold: threshold?,
        skills: skills.names,
        queues: queues?,
        agent_groups: groups?,
        routing: routing?,
    })
}

/// Reads every element of a non-empty list; `None` if any element is invalid.
fn read_list<'a, T>(
    ck: &mut Checker,
    node: &Node<'a>,
    what: &str,
    mut read_item: impl FnMut(&mut Checker, &Node<'a>, &mut Seen) -> Option<T>,
) -> Option<Vec<T>> {
    let items = ck.array(node, what)?;
    let mut seen = Seen::default();
    let read: Vec<Option<T>> = items
        .iter()
        .map(|item| read_item(ck, item, &mut seen))
        .collect();
    read.into_iter().collect()
}

/// The declared skills and their ids.
#[derive(Default)]
struct Skills {
    names: Vec<String>,
    ids: HashMap<String, SkillId>,
    /// False when the list itself is unusable (missing, not an array, empty):
    /// then references to skills are not checked, to avoid a cascade of
    /// "unknown skill" problems that all have the same cause.
    usable: bool,
}

impl Skills {
    /// The id of skill `name`, referenced at `path`.
    fn resolve(&self, ck: &mut Checker, name: &str, path: &str) -> Option<SkillId> {
        if let Some(&id) = self.ids.get(name) {
            return Some(id);
        }
        if self.usable {
            let message = format!(
                "unknown skill {} (known skills: {})",
                quoted(name),
                self.names.join(", ")
            );
            ck.problem(path, message);
        }
        None
    }
}

fn read_skills(ck: &mut Checker, node: &Node<'_>) -> Option<Skills> {
    let items = ck.array(node, "skill")?;
    let mut skills = Skills {
        usable: true,
        ..Skills::default()
    };
    let mut seen = Seen::default();
    for item in &items {
        let Some(name) = ck.name(item) else { continue };
        seen.check(ck, &name, &item.path, &item.path, "skill");
        if !skills.ids.contains_key(&name) {
            skills.ids.insert(name.clone(), skills.names.len());
            skills.names.push(name);
        }
    }
    Some(skills)
}

/// Where a queue names its skill, for the check that some group has it.
struct SkillUse {
    path: String,
    name: String,
    skill: SkillId,
}

fn read_queue(
    ck: &mut Checker,
    node: &Node<'_>,
    skills: &Skills,
    default_threshold: SimTime,
    seen: &mut Seen,
    skill_uses: &mut Vec<SkillUse>,
) -> Option<Queue> {
    let obj = ck.object(node, QUEUE_FIELDS)?;
    let name = obj.required(ck, "name", |ck, n| {
        let name = ck.name(n)?;
        seen.check(ck, &name, &node.path, &n.path, "queue name");
        Some(name)
    });
    let skill = obj.required(ck, "skill", |ck, n| {
        let name = ck.string(n)?;
        let skill = skills.resolve(ck, name, &n.path)?;
        skill_uses.push(SkillUse {
            path: n.path.clone(),
            name: name.to_string(),
            skill,
        });
        Some(skill)
    });
    let priority = obj.optional(ck, "priority", 0, |ck, n| ck.integer(n, i32::MIN, i32::MAX));
    let arrivals = obj.required(ck, "arrivals", read_arrivals);
    let handle_time = obj.required(ck, "handle_time", Checker::distribution);
    let patience = obj.optional(ck, "patience", None, |ck, n| ck.distribution(n).map(Some));
    let wrap_up = obj.optional(ck, "wrap_up", None, |ck, n| ck.distribution(n).map(Some));
    let threshold = obj.optional(
        ck,
        "service_level_threshold",
        default_threshold,
        Checker::duration,
    );
    Some(Queue {
        name: name?,
        skill: skill?,
        priority: priority?,
        arrivals: arrivals?,
        handle_time: handle_time?,
        patience: patience?,
        wrap_up: wrap_up?,
        service_level_threshold: threshold?,
    })
}

fn read_arrivals(ck: &mut Checker, node: &Node<'_>) -> Option<Arrivals> {
    let obj = ck.object(node, ARRIVALS_FIELDS)?;
    let rate = obj.required(ck, "rate_per_hour", |ck, n| {
        let rate = ck.positive_number(n)?;
        if rate > MAX_RATE_PER_HOUR {
            let message = format!(
                "must be at most {MAX_RATE_PER_HOUR} (one call per microsecond), got {}",
                describe(n.value)
            );
            ck.problem(&n.path, message);
            return None;
        }
        Some(rate)
    })?;
    Some(Arrivals {
        rate_per_hour: rate,
    })
}

fn read_group(
    ck: &mut Checker,
    node: &Node<'_>,
    skills: &Skills,
    seen: &mut Seen,
) -> Option<AgentGroup> {
    let obj = ck.object(node, GROUP_FIELDS)?;
    let name = obj.required(ck, "name", |ck, n| {
        let name = ck.name(n)?;
        seen.check(ck, &name, &node.path, &n.path, "agent group name");
        Some(name)
    });
    let count = obj.required(ck, "count", |ck, n| ck.integer(n, 0, u32::MAX));
    let levels = obj.required(ck, "skills", |ck, n| read_levels(ck, n, skills));
    Some(AgentGroup {
        name: name?,
        count: count?,
        skills: levels?,
    })
}

/// A group's skills: skill name -> level (1 = primary), sorted by skill id.
fn read_levels(ck: &mut Checker, node: &Node<'_>, skills: &Skills) -> Option<Vec<(SkillId, u32)>> {
    let fields = ck.map(node)?;
    if fields.is_empty() {
        let message = r#"must give at least one skill with its level, e.g. {"general": 1}"#;
        ck.problem(&node.path, message);
        return None;
    }
    let mut levels = Vec::with_capacity(fields.len());
    let mut all_valid = true;
    for (name, value) in fields {
        let entry = node.child(name, value);
        let skill = skills.resolve(ck, name, &entry.path);
        let level = ck.integer(&entry, 1, u32::MAX);
        match (skill, level) {
            (Some(skill), Some(level)) => levels.push((skill, level)),
            _ => all_valid = false,
        }
    }
    levels.sort_unstable();
    all_valid.then_some(levels)
}

fn read_routing(ck: &mut Checker, node: &Node<'_>) -> Option<Routing> {
    let obj = ck.object(node, ROUTING_FIELDS)?;
    let agent_selection =
        obj.optional(ck, "agent_selection", AgentSelection::default(), |ck, n| {
            ck.choice(n, "agent selection", &AgentSelection::ALL)
        });
    let call_selection = obj.optional(ck, "call_selection", CallSelection::default(), |ck, n| {
        ck.choice(n, "call selection", &CallSelection::ALL)
    });
    Some(Routing {
        agent_selection: agent_selection?,
        call_selection: call_selection?,
    })
}

/// A queue whose skill no group holds can never be answered: almost surely a
/// typo. A skill held only by groups of 0 agents is accepted: that is a
/// staffing what-if ("the whole tech team is off"), and the report shows it.
fn check_skills_served(ck: &mut Checker, skill_uses: &[SkillUse], groups: &[AgentGroup]) {
    for used in skill_uses {
        if !groups.iter().any(|g| g.level(used.skill).is_some()) {
            let message = format!("no agent group has skill {}", quoted(&used.name));
            ck.problem(&used.path, message);
        }
    }
}

fn check_some_agent(ck: &mut Checker, groups: &[AgentGroup]) {
    let total: u64 = groups.iter().map(|g| g.count as u64).sum();
    if total == 0 {
        ck.problem(
            "agent_groups",
            "no agents: every group has count 0, at least one agent is needed",
        );
    }
    // Events carry an agent id in 21 bits (see crate::event).
    if total > crate::event::MAX_ID as u64 + 1 {
        let message = format!(
            "{total} agents in all: at most {} are supported",
            crate::event::MAX_ID as u64 + 1
        );
        ck.problem("agent_groups", message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        assert_eq!(billing.arrivals.rate_per_hour, 600.0);
        assert_eq!(
            billing.handle_time,
            DurationDist::Lognormal {
                mean_s: 300.0,
                sd_s: 150.0
            }
        );
        assert_eq!(
            billing.patience,
            Some(DurationDist::Exponential { mean_s: 120.0 })
        );
        assert_eq!(
            billing.wrap_up,
            Some(DurationDist::Constant { value_s: 30.0 })
        );
        assert_eq!(billing.service_level_threshold, secs(30.0));

        let sales = &s.queues[1];
        assert_eq!(sales.skill, 1);
        assert_eq!(sales.priority, 0);
        assert_eq!(sales.arrivals.rate_per_hour, 120.5);
        assert_eq!(
            sales.handle_time,
            DurationDist::Gamma {
                mean_s: 240.0,
                sd_s: 120.0
            }
        );
        assert_eq!(sales.patience, None);
        assert_eq!(
            sales.wrap_up,
            Some(DurationDist::Uniform {
                min_s: 10.0,
                max_s: 20.0
            })
        );
        // The scenario-wide threshold is the default of each queue.
        assert_eq!(sales.service_level_threshold, secs(15.0));

        assert_eq!(s.agent_groups.len(), 3);
        assert_eq!(s.agent_groups[0].skills, [(0, 1)]);
        // Sorted by skill id, whatever the order in the file.
        assert_eq!(s.agent_groups[1].skills, [(0, 2), (1, 1)]);
        assert_eq!(s.agent_groups[1].level(0), Some(2));
        assert_eq!(s.agent_groups[2].count, 0);
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
                 arrivals, handle_time, patience, wrap_up, service_level_threshold)",
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
                "agent_groups[1].count: missing field",
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
        assert_eq!(s.agent_groups[0].count, 12);
        assert_eq!(s.seed, 10_000_000_000_000_000_000);
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
                 exponential, lognormal, gamma, uniform, constant), got constant, uniform",
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
            ["agent_groups: no agents: every group has count 0, at least one agent is needed"]
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
        for (name, value) in AgentSelection::ALL {
            let mut doc = full();
            doc["routing"]["agent_selection"] = name.into();
            let s = from_json_str(&doc.to_string(), "t.json").unwrap();
            assert_eq!(s.routing.agent_selection, value);
        }
        for (name, value) in CallSelection::ALL {
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
        let err = from_json_str(&doc.to_string(), "scenarios/x.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "scenarios/x.json: 2 problems:\n  \
             queues[0].arrivals.rate_per_hour: must be a positive number, got -5\n  \
             agent_groups[1].skills.tech: unknown skill \"tech\" (known skills: billing, sales)"
        );
        let err = from_json_str("[]", "y.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "y.json: 1 problem:\n  (top level): expected an object, got an array"
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
        let mut keys: Vec<&'static str> = SCENARIO_FIELDS.to_vec();
        keys.extend(QUEUE_FIELDS);
        keys.extend(GROUP_FIELDS);
        keys.extend(ROUTING_FIELDS);
        keys.extend(ARRIVALS_FIELDS);
        keys.extend(DISTRIBUTIONS);
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
