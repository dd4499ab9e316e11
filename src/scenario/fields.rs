//! The leaf values of the scenario format that carry domain meaning:
//! durations, clock times, distributions, arrival rates, per-interval lists,
//! skill references, probabilities. Each reads itself (with its checks and
//! messages) and describes itself as JSON Schema, in one place.

use super::read::{describe, quoted, Checker, Defs, FileValue, Node};
use crate::distribution::DurationDist;
use crate::time::{parse_duration, secs_to_time, SimTime, MICROS_PER_SEC};
use serde_json::{json, Value};

/// One call per microsecond (the clock's resolution): beyond this the run would never advance.
pub const MAX_RATE_PER_HOUR: f64 = 3.6e9;

/// Regular expression of a duration string (for editors; the reader is the authority).
const DURATION_PATTERN: &str = r"^\s*(?=\S)(([0-9]+\.?[0-9]*|\.[0-9]+)|(([0-9]+\.?[0-9]*|\.[0-9]+)h)?(([0-9]+\.?[0-9]*|\.[0-9]+)(m|min))?(([0-9]+\.?[0-9]*|\.[0-9]+)s)?(([0-9]+\.?[0-9]*|\.[0-9]+)ms)?)\s*$";
/// Regular expression of a clock time.
const CLOCK_PATTERN: &str = r"^\s*[0-9]{1,2}:[0-5][0-9](:[0-5][0-9])?\s*$";

fn duration_schema(minimum_exclusive: bool) -> Value {
    let number = if minimum_exclusive {
        json!({ "type": "number", "exclusiveMinimum": 0 })
    } else {
        json!({ "type": "number", "minimum": 0 })
    };
    json!({
        "anyOf": [number, { "type": "string", "pattern": DURATION_PATTERN }],
        "examples": ["20s", "3m", "1h30m", "250ms", 90],
    })
}

/// A duration: a number of seconds, or a string like "20s", "3m", "1h30m", "250ms".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration(pub SimTime);

impl FileValue for Duration {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let parsed = match node.value {
            Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| format!("invalid duration {n}"))
                .and_then(secs_to_time),
            // "-0" is zero, as the number -0 is; anything else with a sign is negative.
            Value::String(s) if s.trim_start().starts_with('-') => {
                match parse_duration(&s.trim_start()[1..]) {
                    Ok(SimTime::ZERO) => Ok(SimTime::ZERO),
                    _ => Err(format!(
                        "must not be negative, got {}",
                        describe(node.value)
                    )),
                }
            }
            Value::String(s) => parse_duration(s),
            _ => {
                let expected = r#"a duration (seconds, or a string like "20s", "3m", "1h30m")"#;
                ck.wrong_type(node, expected);
                return None;
            }
        };
        parsed
            .map(Duration)
            .map_err(|message| ck.problem(&node.path, message))
            .ok()
    }
    fn schema(_: &mut Defs) -> Value {
        duration_schema(false)
    }
}

/// A duration > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositiveDuration(pub SimTime);

impl FileValue for PositiveDuration {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let Duration(t) = Duration::read(ck, node)?;
        if t == SimTime::ZERO {
            ck.problem(
                &node.path,
                format!("must be positive, got {}", describe(node.value)),
            );
            return None;
        }
        Some(PositiveDuration(t))
    }
    fn schema(_: &mut Defs) -> Value {
        duration_schema(true)
    }
}

/// Parses "HH:MM" or "HH:MM:SS" (hours 0..=47) into seconds after midnight.
pub fn parse_clock(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let field = |s: &str, max: u64| -> Option<u64> {
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<u64>().ok().filter(|&v| v <= max)
    };
    let h = field(parts[0], 47)?;
    let m = field(parts[1], 59)?;
    let s = match parts.get(2) {
        Some(p) => field(p, 59)?,
        None => 0,
    };
    Some(h * 3600 + m * 60 + s)
}

/// Formats seconds after midnight as a clock time ("08:30", "23:59:30"), wrapping past 24 h.
pub fn format_clock(secs: u64) -> String {
    let s = secs % 86_400;
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    if sec == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

/// The clock time of the start of the measured window (`clock_start`), in seconds after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime(pub u64);

impl FileValue for ClockTime {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let s = ck.string(node)?;
        match parse_clock(s) {
            Some(secs) if secs < 86_400 => Some(ClockTime(secs)),
            _ => {
                let message = format!(
                    "expected a clock time like \"08:00\" or \"08:30:15\", got {}",
                    describe(node.value)
                );
                ck.problem(&node.path, message);
                None
            }
        }
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "string", "pattern": CLOCK_PATTERN, "examples": ["08:00"] })
    }
}

/// A moment of the day for shifts and breaks: a clock time ("08:30", needs
/// `clock_start`) or a duration from the start of the measured window
/// ("2h30m"). Read as microseconds from the start of the run (warm-up
/// included); a clock time earlier than the run start is the next day's.
/// The flag says whether it was written as a clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay(pub SimTime, pub bool);

impl FileValue for TimeOfDay {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let warmup = ck.ctx.warmup_us;
        if let Value::String(s) = node.value {
            if s.contains(':') {
                let Some(secs) = parse_clock(s) else {
                    let message = format!(
                        "expected a clock time like \"08:00\" or a duration from the start of the window like \"2h30m\", got {}",
                        describe(node.value)
                    );
                    ck.problem(&node.path, message);
                    return None;
                };
                let Some(start) = ck.ctx.clock_start_s else {
                    if ck.ctx.clock_start_given {
                        // The clock start itself is wrong: reported where it stands.
                        return None;
                    }
                    let message = format!(
                        "clock time {} needs the scenario's clock_start (or write a duration from the start of the measured window, like \"2h\")",
                        quoted(s)
                    );
                    ck.problem(&node.path, message);
                    return None;
                };
                // Time from the start of the run, on the first day on which
                // the clock shows it at or after the start of the run.
                let day = 86_400 * MICROS_PER_SEC as i128;
                let offset = (secs as i128 - start as i128) * MICROS_PER_SEC as i128;
                let from_run_start = (offset + warmup as i128).rem_euclid(day);
                return Some(TimeOfDay(SimTime(from_run_start as u64), true));
            }
        }
        let Duration(t) = Duration::read(ck, node)?;
        Some(TimeOfDay(SimTime(warmup.saturating_add(t.0)), false))
    }
    fn schema(_: &mut Defs) -> Value {
        json!({
            "anyOf": [
                { "type": "string", "pattern": CLOCK_PATTERN },
                duration_schema(false),
            ],
            "examples": ["08:00", "13:30", "4h"],
        })
    }
}

/// A finite number in a range, with a message naming the range.
fn read_number(
    ck: &mut Checker,
    node: &Node<'_>,
    ok: impl Fn(f64) -> bool,
    rule: &str,
) -> Option<f64> {
    let Some(v) = node.value.as_f64() else {
        ck.wrong_type(node, "a number");
        return None;
    };
    if v.is_finite() && ok(v) {
        Some(v)
    } else {
        let got = describe(node.value);
        ck.problem(&node.path, format!("must be {rule}, got {got}"));
        None
    }
}

/// A probability in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probability(pub f64);

impl FileValue for Probability {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        read_number(ck, node, |v| (0.0..=1.0).contains(&v), "between 0 and 1").map(Probability)
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "number", "minimum": 0, "maximum": 1 })
    }
}

/// A share of time in [0, 1) (shrinkage).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share(pub f64);

impl FileValue for Share {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        read_number(
            ck,
            node,
            |v| (0.0..1.0).contains(&v),
            "at least 0 and below 1",
        )
        .map(Share)
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "number", "minimum": 0, "exclusiveMaximum": 1 })
    }
}

/// A service-level target: a fraction in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target(pub f64);

impl FileValue for Target {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        read_number(
            ck,
            node,
            |v| v > 0.0 && v <= 1.0,
            "a fraction above 0 and at most 1 (0.8 for 80%)",
        )
        .map(Target)
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 1, "examples": [0.8] })
    }
}

/// A non-negative amount (money per hour).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount(pub f64);

impl FileValue for Amount {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        read_number(ck, node, |v| v >= 0.0, "a non-negative number").map(Amount)
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "number", "minimum": 0 })
    }
}

/// Lines a power dialer places per idle agent: above 0, at most 1000.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinesPerAgent(pub f64);

impl FileValue for LinesPerAgent {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        read_number(
            ck,
            node,
            |v| v > 0.0 && v <= 1000.0,
            "above 0 and at most 1000",
        )
        .map(LinesPerAgent)
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 1000 })
    }
}

/// Coefficient of variation of the day's volume: in [0, 10].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeCv(pub f64);

impl FileValue for VolumeCv {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        read_number(ck, node, |v| (0.0..=10.0).contains(&v), "between 0 and 10").map(VolumeCv)
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "number", "minimum": 0, "maximum": 10 })
    }
}

/// An arrival rate in calls per hour.
fn read_rate(ck: &mut Checker, node: &Node<'_>, zero_ok: bool) -> Option<f64> {
    let rule = if zero_ok {
        "a non-negative number"
    } else {
        "a positive number"
    };
    let rate = read_number(ck, node, |v| v > 0.0 || (zero_ok && v == 0.0), rule)?;
    if rate > MAX_RATE_PER_HOUR {
        let message = format!(
            "must be at most {MAX_RATE_PER_HOUR} (one call per microsecond), got {}",
            describe(node.value)
        );
        ck.problem(&node.path, message);
        return None;
    }
    Some(rate)
}

/// A value constant over the run, or one value per interval of the measured window.
#[derive(Debug, Clone, PartialEq)]
pub enum PerInterval<T> {
    One(T),
    List(Vec<T>),
}

/// Checks that a per-interval list has one value per interval.
fn check_profile_length(ck: &mut Checker, node: &Node<'_>, len: usize) -> bool {
    let Some(n) = ck.ctx.intervals else {
        // The time frame is invalid (already reported): nothing to compare with.
        return false;
    };
    if len == n && ck.ctx.window_us == n as u64 * ck.ctx.interval_us {
        return true;
    }
    let (interval, window) = (SimTime(ck.ctx.interval_us), SimTime(ck.ctx.window_us));
    let message = if !ck.ctx.window_us.is_multiple_of(ck.ctx.interval_us) {
        format!(
            "a per-interval list needs the horizon ({window}) to be a whole number of intervals ({interval})"
        )
    } else {
        format!(
            "has {len} value{} but the measured window has {n} intervals ({window} ÷ {interval}): give one value per interval",
            if len == 1 { "" } else { "s" }
        )
    };
    ck.problem(&node.path, message);
    false
}

impl<T: FileValue> FileValue for PerInterval<T> {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        if !node.value.is_array() {
            return T::read(ck, node).map(PerInterval::One);
        }
        let items = ck.array(node, T::what(), true)?;
        let read: Vec<Option<T>> = items.iter().map(|item| T::read(ck, item)).collect();
        let ok = check_profile_length(ck, node, read.len());
        let values: Option<Vec<T>> = read.into_iter().collect();
        if ok {
            values.map(PerInterval::List)
        } else {
            None
        }
    }
    fn schema(defs: &mut Defs) -> Value {
        let one = T::schema(defs);
        json!({ "anyOf": [one.clone(), { "type": "array", "items": one, "minItems": 1 }] })
    }
    fn what() -> &'static str {
        T::what()
    }
}

/// `rate_per_hour`: a positive number, or one non-negative number per interval.
#[derive(Debug, Clone, PartialEq)]
pub struct RateProfile(pub PerInterval<f64>);

impl FileValue for RateProfile {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        if !node.value.is_array() {
            return read_rate(ck, node, false).map(|r| RateProfile(PerInterval::One(r)));
        }
        let items = ck.array(node, "rate", true)?;
        let read: Vec<Option<f64>> = items.iter().map(|i| read_rate(ck, i, true)).collect();
        let ok = check_profile_length(ck, node, read.len());
        let values: Option<Vec<f64>> = read.into_iter().collect();
        if ok {
            values.map(|v| RateProfile(PerInterval::List(v)))
        } else {
            None
        }
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "anyOf": [
            { "type": "number", "exclusiveMinimum": 0, "maximum": MAX_RATE_PER_HOUR },
            { "type": "array", "minItems": 1,
              "items": { "type": "number", "minimum": 0, "maximum": MAX_RATE_PER_HOUR } },
        ]})
    }
}

/// Agents per interval (`staffing`): one non-negative integer per interval.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffingList(pub Vec<u32>);

impl FileValue for StaffingList {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let items = ck.array(node, "agent count", true)?;
        let read: Vec<Option<u32>> = items
            .iter()
            .map(|i| super::read::read_integer(ck, i, 0, u32::MAX as i128).map(|v| v as u32))
            .collect();
        let ok = check_profile_length(ck, node, read.len());
        let values: Option<Vec<u32>> = read.into_iter().collect();
        if ok {
            values.map(StaffingList)
        } else {
            None
        }
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "array", "minItems": 1, "items": { "type": "integer", "minimum": 0 } })
    }
}

const DISTRIBUTIONS: &[&str] = &["exponential", "lognormal", "gamma", "uniform", "constant"];

/// A distribution of durations: an object with one key naming the family.
#[derive(Debug, Clone, PartialEq)]
pub struct Dist(pub DurationDist);

impl FileValue for Dist {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let families = DISTRIBUTIONS.join(", ");
        let Value::Object(fields) = node.value else {
            let expected = format!(
                r#"a distribution such as {{"exponential": {{"mean": "3m"}}}} (families: {families})"#
            );
            ck.wrong_type(node, &expected);
            return None;
        };
        let (family, params) = match fields.iter().next() {
            Some(entry) if fields.len() == 1 => entry,
            _ => {
                let mut keys: Vec<String> = fields.keys().take(5).map(|k| quoted(k)).collect();
                if fields.len() > 5 {
                    keys.push(format!("… and {} more", fields.len() - 5));
                }
                let got = if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                };
                let message = format!(
                    "expected exactly one distribution family (one of: {families}), got {got}"
                );
                ck.problem(&node.path, message);
                return None;
            }
        };
        let params = node.child(family, params);
        let dist = distribution_params(ck, family, &params)?;
        if let Err(message) = dist.check() {
            ck.problem(&params.path, message);
            return None;
        }
        Some(Dist(dist))
    }

    fn schema(defs: &mut Defs) -> Value {
        defs.reference("Distribution", |_| {
            let d = duration_schema(false);
            let pair = |a: &str, b: &str, doc: &str| {
                json!({ "type": "object", "description": doc,
                        "properties": { a: d.clone(), b: d.clone() },
                        "required": [a, b], "additionalProperties": false })
            };
            let family = |name: &str, params: Value| {
                json!({ "type": "object", "properties": { name: params },
                        "required": [name], "additionalProperties": false })
            };
            json!({
                "description": "A distribution of durations: an object with one key naming the family.",
                "oneOf": [
                    family("exponential", json!({ "type": "object", "description": "Exponential with this mean.",
                        "properties": { "mean": d.clone() }, "required": ["mean"], "additionalProperties": false })),
                    family("lognormal", pair("mean", "sd", "Lognormal with this mean and standard deviation.")),
                    family("gamma", pair("mean", "sd", "Gamma with this mean and standard deviation.")),
                    family("uniform", pair("min", "max", "Uniform between min and max.")),
                    family("constant", d.clone()),
                ],
                "examples": [{ "exponential": { "mean": "3m" } }],
            })
        })
    }

    fn what() -> &'static str {
        "distribution"
    }
}

/// The parameters of one distribution family (not yet checked against each other).
fn distribution_params(ck: &mut Checker, family: &str, params: &Node<'_>) -> Option<DurationDist> {
    let secs = |t: SimTime| t.as_secs_f64();
    let pair = |ck: &mut Checker, a: &str, b: &str| {
        let obj = ck.object(params, &[a, b])?;
        let x = obj.required(ck, a, Duration::read);
        let y = obj.required(ck, b, Duration::read);
        Some((secs(x?.0), secs(y?.0)))
    };
    Some(match family {
        "exponential" => {
            let obj = ck.object(params, &["mean"])?;
            let mean = obj.required(ck, "mean", Duration::read)?;
            DurationDist::Exponential {
                mean_s: secs(mean.0),
            }
        }
        "lognormal" => {
            let (mean_s, sd_s) = pair(ck, "mean", "sd")?;
            DurationDist::Lognormal { mean_s, sd_s }
        }
        "gamma" => {
            let (mean_s, sd_s) = pair(ck, "mean", "sd")?;
            DurationDist::Gamma { mean_s, sd_s }
        }
        "uniform" => {
            let (min_s, max_s) = pair(ck, "min", "max")?;
            DurationDist::Uniform { min_s, max_s }
        }
        "constant" => DurationDist::Constant {
            value_s: secs(Duration::read(ck, params)?.0),
        },
        _ => {
            let families = DISTRIBUTIONS.join(", ");
            let message = format!("unknown distribution (expected one of: {families})");
            ck.problem(&params.path, message);
            return None;
        }
    })
}

/// The name of a declared skill, resolved to its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkillRef(pub usize);

impl FileValue for SkillRef {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let name = ck.string(node)?;
        let skill = ck.resolve_skill(name, &node.path)?;
        ck.skill_uses
            .push((node.path.clone(), name.to_string(), skill));
        Some(SkillRef(skill))
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "string", "description": "One of the names in `skills`." })
    }
}

/// A group's skills: skill name → level (1 = primary, 2 = secondary…), sorted by skill id.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels(pub Vec<(usize, u32)>);

impl FileValue for Levels {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
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
            let skill = ck.resolve_skill(name, &entry.path);
            let level = super::read::read_integer(ck, &entry, 1, u32::MAX as i128);
            match (skill, level) {
                (Some(skill), Some(level)) => levels.push((skill, level as u32)),
                _ => all_valid = false,
            }
        }
        levels.sort_unstable();
        all_valid.then_some(Levels(levels))
    }
    fn schema(_: &mut Defs) -> Value {
        json!({
            "type": "object", "minProperties": 1,
            "additionalProperties": { "type": "integer", "minimum": 1 },
            "examples": [{ "general": 1 }],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_parse_and_print() {
        assert_eq!(parse_clock("08:00"), Some(8 * 3600));
        assert_eq!(parse_clock("8:30"), Some(8 * 3600 + 1800));
        assert_eq!(parse_clock("23:59:30"), Some(86_370));
        assert_eq!(parse_clock("24:00"), Some(86_400));
        for bad in [
            "8",
            "08:60",
            "08:00:60",
            "48:00",
            "ab:cd",
            "08:",
            ":30",
            "08:00:00:00",
            "-1:00",
            "008:00",
        ] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
        assert_eq!(format_clock(8 * 3600), "08:00");
        assert_eq!(format_clock(86_400 + 90), "00:01:30");
    }

    fn read_time(v: Value, clock: Option<u64>, warmup_s: u64) -> Result<u64, Vec<String>> {
        let mut ck = Checker::default();
        ck.ctx.clock_start_s = clock;
        ck.ctx.warmup_us = warmup_s * MICROS_PER_SEC;
        match TimeOfDay::read(&mut ck, &Node::root(&v)) {
            Some(t) => Ok(t.0 .0 / MICROS_PER_SEC),
            None => Err(ck.problems.iter().map(ToString::to_string).collect()),
        }
    }

    #[test]
    fn times_of_day_are_clock_times_or_offsets_from_the_window() {
        // Window starts at 08:00 after a 30-minute warm-up.
        let c = Some(8 * 3600);
        assert_eq!(read_time(json!("08:00"), c, 1800), Ok(1800));
        assert_eq!(read_time(json!("07:30"), c, 1800), Ok(0));
        assert_eq!(read_time(json!("21:00"), c, 1800), Ok(1800 + 13 * 3600));
        // Before the start of the run: the next day.
        assert_eq!(read_time(json!("07:00"), c, 1800), Ok(1800 + 23 * 3600));
        // A warm-up across midnight: 23:50 is 20 minutes into a run that
        // starts at 23:40 (window at 00:10), 00:20 is the next morning.
        assert_eq!(read_time(json!("23:50"), Some(600), 1800), Ok(600));
        assert_eq!(read_time(json!("00:20"), Some(600), 1800), Ok(2400));
        assert_eq!(read_time(json!("2h"), c, 1800), Ok(1800 + 7200));
        assert_eq!(read_time(json!(60), None, 0), Ok(60));
        let err = read_time(json!("09:00"), None, 0).unwrap_err();
        assert!(
            err[0].contains("needs the scenario's clock_start"),
            "{err:?}"
        );
        let err = read_time(json!("9:75"), c, 0).unwrap_err();
        assert!(err[0].contains("expected a clock time"), "{err:?}");
    }
}
