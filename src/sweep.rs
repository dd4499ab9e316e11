//! What-if grids (`acdsim sweep`): `--set PATH=VALUES` settings, each a list
//! of values, combine into variants of a scenario (every combination, the
//! first setting varying slowest). A setting either sets a field of the
//! scenario file (`agent_groups.NAME.count=20..30`, `volume_cv=0,0.1`,
//! `routing.agent_selection=longest_idle,round_robin`) or applies an
//! operation: `.scale` multiplies arrival rates, a distribution's durations
//! or a group's agents, `.add` adds agents to a group. Paths name list
//! elements by their `name` (`*` for all). Variants are built on the JSON
//! document and read by the normal reader, so every variant is checked like
//! a scenario file.

use crate::scenario::{parse, Scenario, ScenarioError};
use crate::time::parse_duration;
use serde_json::{Map, Value};

/// Why a sweep could not be set up (bad input: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("--set {arg}: {message}")]
    Setting { arg: String, message: String },
    #[error("variant {settings}: {error}")]
    Variant {
        settings: String,
        error: ScenarioError,
    },
    #[error("{count} variants: at most {MAX_VARIANTS} (narrow the ranges)")]
    TooMany { count: u128 },
}

/// Most variants one sweep may hold.
pub const MAX_VARIANTS: u128 = 10_000;

/// One `--set PATH=VALUES`.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// As written, for labels.
    pub path: String,
    segments: Vec<Segment>,
    pub values: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    /// An element of a named list, by name (`*`: every element).
    Named(String),
}

/// A variant: its settings (path, value) and the scenario it gives.
#[derive(Debug, Clone)]
pub struct Variant {
    pub settings: Vec<(String, Value)>,
    pub scenario: Scenario,
}

impl Variant {
    /// "a=1, b=2".
    pub fn label(&self) -> String {
        label(&self.settings)
    }
}

fn label(settings: &[(String, Value)]) -> String {
    settings
        .iter()
        .map(|(p, v)| format!("{p}={}", show(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as the user would write it on the command line.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Splits `text` on `sep` outside brackets, braces and quotes.
fn split_top(text: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 && !quoted {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

/// Lists whose elements are named.
const NAMED_LISTS: [&str; 3] = ["queues", "agent_groups", "campaigns"];

fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut parts = split_top(path, '.').into_iter().peekable();
    while let Some(part) = parts.next() {
        let part = part.trim().to_string();
        if part.is_empty() {
            return Err("empty part in the path".into());
        }
        // `queues[tech support]` names an element too.
        let (key, bracket) = match part.split_once('[') {
            Some((k, rest)) if rest.ends_with(']') => {
                (k.to_string(), Some(rest[..rest.len() - 1].to_string()))
            }
            _ => (part.clone(), None),
        };
        let named = NAMED_LISTS.contains(&key.as_str());
        segments.push(Segment::Key(key.clone()));
        if named {
            let name = match bracket {
                Some(n) => n,
                None => parts.next().ok_or_else(|| {
                    format!("{key} needs an element name: {key}.NAME (or {key}.*)")
                })?,
            };
            let name = name.trim().trim_matches('"').to_string();
            segments.push(Segment::Named(name));
        } else if bracket.is_some() {
            return Err(format!("{key} is not a list of named elements"));
        }
    }
    Ok(segments)
}

/// Parses one value: JSON if it reads as JSON, else a string.
fn parse_value(text: &str) -> Value {
    let t = text.trim();
    serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string()))
}

/// Expands `a..b` (integers, inclusive) or `a..b:step`.
fn parse_range(text: &str) -> Option<Result<Vec<Value>, String>> {
    let (range, step) = match text.split_once(':') {
        Some((r, s)) => (r, Some(s)),
        None => (text, None),
    };
    let (a, b) = range.split_once("..")?;
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let (Some(a), Some(b)) = (num(a), num(b)) else {
        return Some(Err(format!("expected a range like 20..30, got {text}")));
    };
    let step = match step {
        Some(s) => match num(s) {
            Some(s) if s > 0.0 => s,
            _ => return Some(Err(format!("the step of {text} must be a positive number"))),
        },
        None => 1.0,
    };
    if b < a {
        return Some(Err(format!("the range {text} ends before it starts")));
    }
    let n = ((b - a) / step + 1e-9).floor() as u64 + 1;
    if n as u128 > MAX_VARIANTS {
        return Some(Err(format!("the range {text} has {n} values")));
    }
    let integral = a.fract() == 0.0 && step.fract() == 0.0;
    Some(Ok((0..n)
        .map(|i| {
            let x = a + i as f64 * step;
            if integral {
                Value::from(x as i64)
            } else {
                // Round away float noise (0.1 steps).
                Value::from((x * 1e9).round() / 1e9)
            }
        })
        .collect()))
}

impl Setting {
    /// Parses `PATH=VALUES`: values are a comma-separated list, an inclusive
    /// integer range `A..B`, or `A..B:STEP`.
    pub fn parse(arg: &str) -> Result<Setting, SweepError> {
        let bad = |message: String| SweepError::Setting {
            arg: arg.to_string(),
            message,
        };
        let (path, values) = arg.split_once('=').ok_or_else(|| {
            bad("expected PATH=VALUES, e.g. agent_groups.agents.count=20..30".into())
        })?;
        let segments = parse_path(path).map_err(bad)?;
        if let [Segment::Key(k)] = segments.as_slice() {
            if k == "seed" || k == "replications" {
                return Err(bad(format!(
                    "variants share the seed and replications (common random numbers): give them with --{k}"
                )));
            }
        }
        let values = match parse_range(values.trim()) {
            Some(r) => r.map_err(bad)?,
            None => split_top(values, ',')
                .iter()
                .map(|v| {
                    if v.trim().is_empty() {
                        Err(bad("an empty value".into()))
                    } else {
                        Ok(parse_value(v))
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Setting {
            path: path.trim().to_string(),
            segments,
            values,
        })
    }
}

/// Every combination of the settings' values, applied to `doc` (the
/// scenario file's JSON), each read and checked; `origin` names the file.
pub fn variants(
    doc: &Value,
    origin: &str,
    settings: &[Setting],
) -> Result<Vec<Variant>, SweepError> {
    let count: u128 = settings.iter().map(|s| s.values.len() as u128).product();
    if count > MAX_VARIANTS {
        return Err(SweepError::TooMany { count });
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut index = vec![0usize; settings.len()];
    loop {
        let chosen: Vec<(String, Value)> = settings
            .iter()
            .zip(&index)
            .map(|(s, &i)| (s.path.clone(), s.values[i].clone()))
            .collect();
        let mut variant = doc.clone();
        for (s, &i) in settings.iter().zip(&index) {
            apply(&mut variant, &s.segments, &s.values[i]).map_err(|message| {
                SweepError::Setting {
                    arg: format!("{}={}", s.path, show(&s.values[i])),
                    message,
                }
            })?;
        }
        let name = label(&chosen);
        let scenario =
            parse::from_json_value(&variant, &format!("{origin} ({name})")).map_err(|error| {
                SweepError::Variant {
                    settings: name.clone(),
                    error,
                }
            })?;
        out.push(Variant {
            settings: chosen,
            scenario,
        });
        // Next combination: the last setting varies fastest.
        let mut k = settings.len();
        loop {
            if k == 0 {
                return Ok(out);
            }
            k -= 1;
            index[k] += 1;
            if index[k] < settings[k].values.len() {
                break;
            }
            index[k] = 0;
        }
    }
}

/// Applies one setting to the document.
fn apply(doc: &mut Value, path: &[Segment], value: &Value) -> Result<(), String> {
    // Operations: the last key is `scale` or `add` on a field that supports it.
    if let [prefix @ .., Segment::Key(field), Segment::Key(op)] = path {
        if op == "scale" || op == "add" {
            let x = value
                .as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("{op} needs a number, got {}", show(value)))?;
            return for_each(doc, prefix, &mut |node, at| operate(node, at, field, op, x));
        }
    }
    let (last, prefix) = match path.split_last() {
        Some((Segment::Key(k), prefix)) => (k.clone(), prefix),
        _ => return Err("the path must end with a field name".into()),
    };
    for_each(doc, prefix, &mut |node, at| {
        let obj = node
            .as_object_mut()
            .ok_or_else(|| format!("{at} is not an object"))?;
        if last == "count" {
            for other in ["staffing", "shifts"] {
                if obj.get(other).is_some_and(|v| !v.is_null()) {
                    return Err(format!(
                        "{at} is given by {other}, not count: use {at}.staffing.scale or .add"
                    ));
                }
            }
        }
        obj.insert(last.clone(), value.clone());
        Ok(())
    })
}

/// Calls `f` on every node the path names (`*` expands), with its location.
fn for_each(
    node: &mut Value,
    path: &[Segment],
    f: &mut dyn FnMut(&mut Value, &str) -> Result<(), String>,
) -> Result<(), String> {
    walk(node, path, String::new(), f)
}

fn walk(
    node: &mut Value,
    path: &[Segment],
    at: String,
    f: &mut dyn FnMut(&mut Value, &str) -> Result<(), String>,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return f(node, &at);
    };
    let join = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        }
    };
    match first {
        Segment::Key(key) => {
            let obj = node.as_object_mut().ok_or_else(|| {
                format!(
                    "{} is not an object",
                    if at.is_empty() { "the scenario" } else { &at }
                )
            })?;
            let child = obj.entry(key.clone()).or_insert(Value::Null);
            if child.is_null() {
                if let Some(Segment::Named(_)) = rest.first() {
                    return Err(format!("the scenario has no {key}"));
                }
                *child = Value::Object(Map::new());
            }

            walk(child, rest, join(key), f)
        }
        Segment::Named(name) => {
            let items = node
                .as_array_mut()
                .ok_or_else(|| format!("{at} is not a list"))?;
            let mut found = false;
            let names: Vec<String> = items
                .iter()
                .filter_map(|i| i.get("name").and_then(Value::as_str).map(str::to_string))
                .collect();
            for item in items.iter_mut() {
                let item_name = item
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                if name == "*" || item_name == *name {
                    found = true;
                    walk(item, rest, format!("{at}.{item_name}"), f)?;
                }
            }
            if found {
                Ok(())
            } else {
                Err(format!(
                    "no element of {at} is named \"{name}\" (names: {})",
                    names.join(", ")
                ))
            }
        }
    }
}

/// `field.scale` / `field.add` on the object `node` (located at `at`).
fn operate(node: &mut Value, at: &str, field: &str, op: &str, x: f64) -> Result<(), String> {
    let obj = node
        .as_object_mut()
        .ok_or_else(|| format!("{at} is not an object"))?;
    match (field, op) {
        ("arrivals", "scale") => {
            if x < 0.0 {
                return Err(format!("scale must not be negative, got {x}"));
            }
            let rate = obj
                .get_mut("arrivals")
                .and_then(|a| a.get_mut("rate_per_hour"))
                .ok_or_else(|| format!("{at} has no arrivals.rate_per_hour"))?;
            scale_numbers(rate, x)
        }
        ("handle_time" | "patience" | "wrap_up", "scale") => {
            if x <= 0.0 {
                return Err(format!("scale must be positive, got {x}"));
            }
            let dist = obj
                .get_mut(field)
                .filter(|d| !d.is_null())
                .ok_or_else(|| format!("{at} has no {field}"))?;
            match dist {
                Value::Array(items) => items.iter_mut().try_for_each(|d| scale_distribution(d, x)),
                d => scale_distribution(d, x),
            }
        }
        ("staffing", "scale" | "add") => {
            if op == "scale" && x < 0.0 {
                return Err(format!("scale must not be negative, got {x}"));
            }
            let change = |n: f64| -> f64 {
                let v = if op == "scale" { n * x } else { n + x };
                v.round().max(0.0)
            };
            if let Some(count) = obj.get_mut("count").filter(|v| !v.is_null()) {
                let n = count.as_f64().ok_or_else(|| format!("{at}.count is not a number"))?;
                *count = Value::from(change(n) as u64);
            } else if let Some(Value::Array(list)) = obj.get_mut("staffing") {
                for v in list {
                    let n = v.as_f64().ok_or_else(|| format!("{at}.staffing holds a non-number"))?;
                    *v = Value::from(change(n) as u64);
                }
            } else if let Some(Value::Array(shifts)) = obj.get_mut("shifts") {
                for s in shifts {
                    let agents = s
                        .get_mut("agents")
                        .ok_or_else(|| format!("{at}: a shift has no agents"))?;
                    let n = agents.as_f64().ok_or_else(|| format!("{at}: a shift's agents is not a number"))?;
                    *agents = Value::from(change(n) as u64);
                }
            } else {
                return Err(format!("{at} has no count, staffing or shifts"));
            }
            Ok(())
        }
        _ => Err(format!(
            "{field}.{op} is not an operation (operations: arrivals.scale, handle_time.scale, patience.scale, wrap_up.scale, staffing.scale, staffing.add)"
        )),
    }
}

fn scale_numbers(v: &mut Value, x: f64) -> Result<(), String> {
    match v {
        Value::Array(items) => items.iter_mut().try_for_each(|i| scale_numbers(i, x)),
        Value::Number(n) => {
            let scaled = n.as_f64().unwrap_or(0.0) * x;
            *v = Value::from(scaled);
            Ok(())
        }
        other => Err(format!("expected a number, got {other}")),
    }
}

/// Multiplies every duration of a distribution (`{"family": params}`).
fn scale_distribution(d: &mut Value, x: f64) -> Result<(), String> {
    let Some(obj) = d.as_object_mut() else {
        return Err(format!("expected a distribution, got {d}"));
    };
    for (_, params) in obj.iter_mut() {
        match params {
            Value::Object(fields) => {
                for (_, v) in fields.iter_mut() {
                    scale_duration(v, x)?;
                }
            }
            v => scale_duration(v, x)?,
        }
    }
    Ok(())
}

/// A duration (number of seconds or string) times `x`, as seconds.
fn scale_duration(v: &mut Value, x: f64) -> Result<(), String> {
    let secs = match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => parse_duration(s)?.as_secs_f64(),
        other => return Err(format!("expected a duration, got {other}")),
    };
    *v = Value::from(secs * x);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "name": "s", "horizon": "1h", "interval": "30m", "skills": ["a", "b"],
            "queues": [
                { "name": "qa", "skill": "a", "arrivals": { "rate_per_hour": [100, 200] },
                  "handle_time": { "lognormal": { "mean": "3m", "sd": 60 } } },
                { "name": "q b", "skill": "b", "arrivals": { "rate_per_hour": 50 },
                  "handle_time": [{ "constant": "1m" }, { "exponential": { "mean": 30 } }] },
            ],
            "agent_groups": [
                { "name": "ga", "count": 10, "skills": { "a": 1 } },
                { "name": "gb", "staffing": [3, 4], "skills": { "b": 1 } },
            ],
        })
    }

    fn build(args: &[&str]) -> Result<Vec<Variant>, SweepError> {
        let settings: Vec<Setting> = args
            .iter()
            .map(|a| Setting::parse(a))
            .collect::<Result<_, _>>()?;
        variants(&doc(), "s.json", &settings)
    }

    #[test]
    fn ranges_and_lists_combine_into_every_variant() {
        let v = build(&[
            "agent_groups.ga.count=8..10",
            "queues.*.arrivals.scale=1,1.5",
        ])
        .unwrap();
        assert_eq!(v.len(), 6);
        assert_eq!(
            v[1].label(),
            "agent_groups.ga.count=8, queues.*.arrivals.scale=1.5"
        );
        assert_eq!(v[5].scenario.agent_groups[0].constant_count(), Some(10));
        let rates = &v[1].scenario.queues[0].arrivals.rate_per_hour;
        assert_eq!(rates.values(), [150.0, 300.0]);
        assert_eq!(*v[1].scenario.queues[1].arrivals.rate_per_hour.at(0), 75.0);
    }

    #[test]
    fn operations_scale_distributions_and_staffing() {
        let v = build(&[
            "queues[q b].handle_time.scale=2",
            "agent_groups.gb.staffing.add=-4",
            "queues.qa.handle_time.scale=0.5",
        ])
        .unwrap();
        let q = &v[0].scenario.queues[1];
        assert_eq!(q.handle_time.values()[0].mean_s(), 120.0);
        assert_eq!(q.handle_time.values()[1].mean_s(), 60.0);
        assert_eq!(
            v[0].scenario.queues[0].handle_time.values()[0].mean_s(),
            90.0
        );
        match &v[0].scenario.agent_groups[1].staffing {
            crate::scenario::Staffing::PerInterval(s) => assert_eq!(s, &[0, 0]),
            other => panic!("{other:?}"),
        }
        let v = build(&["agent_groups.*.staffing.scale=1.5"]).unwrap();
        assert_eq!(v[0].scenario.agent_groups[0].constant_count(), Some(15));
        let v = build(&[
            "routing.agent_selection=longest_idle,round_robin",
            "volume_cv=0,0.1",
        ])
        .unwrap();
        assert_eq!(v.len(), 4);
        assert_eq!(v[3].scenario.volume_cv, Some(0.1));
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let err = |args: &[&str]| build(args).unwrap_err().to_string();
        assert!(err(&["agent_groups.nobody.count=3"])
            .contains(r#"no element of agent_groups is named "nobody" (names: ga, gb)"#));
        assert!(err(&["agent_groups.gb.count=3"]).contains("given by staffing"));
        assert!(err(&["queues.qa.arrivals.scale=x"]).contains("scale needs a number"));
        assert!(err(&["count"]).contains("expected PATH=VALUES"));
        assert!(err(&["queues=1"]).contains("needs an element name"));
        assert!(err(&["agent_groups.ga.count=5..3"]).contains("ends before it starts"));
        assert!(err(&["queues.qa.colour.scale=2"]).contains("is not an operation"));
        assert!(err(&["seed=1,2"]).contains("give them with --seed"));
        assert!(err(&["replications=5"]).contains("give them with --replications"));
        // The variant itself is checked by the reader, with the setting named.
        let e = err(&["agent_groups.ga.count=-1"]);
        assert!(
            e.contains("agent_groups.ga.count=-1") && e.contains("agent_groups[0].count"),
            "{e}"
        );
        assert!(matches!(
            build(&["volume_cv=0..20000"]),
            Err(SweepError::Setting { .. })
        ));
    }

    #[test]
    fn values_split_outside_json() {
        let s = Setting::parse(r#"queues.qa.patience={"exponential":{"mean":60}},{"constant":30}"#)
            .unwrap();
        assert_eq!(s.values.len(), 2);
        assert_eq!(s.values[1], json!({"constant": 30}));
        let s = Setting::parse("volume_cv=0..0.3:0.1").unwrap();
        assert_eq!(s.values, [json!(0.0), json!(0.1), json!(0.2), json!(0.3)]);
    }
}
