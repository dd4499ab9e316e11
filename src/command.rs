//! Live commands: what a flow manager changes while a run goes on (agents
//! on the floor, arrival volumes, overflow stages, campaigns, the pace), as
//! the JSON objects of the live API; how they are checked against a
//! scenario into the [`Action`]s the engine applies; and scripts of timed
//! commands (JSON lines, as `acdsim live --record` writes them) that
//! `acdsim run --commands` replays.

use crate::scenario::Scenario;
use crate::text::{listing, quoted, shown};
use serde::{Deserialize, Serialize};
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
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| bad_json(&e))?;
        Command::from_value(value)
    }

    /// A command from a JSON object; every field must belong to it.
    fn from_value(value: serde_json::Value) -> Result<Command, String> {
        let given: Vec<String> = match &value {
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        };
        let command: Command = serde_json::from_value(value).map_err(|e| bad_json(&e))?;
        // serde lets unknown fields through in commands without any.
        if let Ok(serde_json::Value::Object(known)) = serde_json::to_value(&command) {
            if let Some(extra) = given.iter().find(|k| !known.contains_key(*k)) {
                return Err(format!(
                    "unknown field {} of {}",
                    quoted(extra),
                    command.name()
                ));
            }
        }
        Ok(command)
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
        let group = |name: &str| {
            find(
                sc.agent_groups.iter().map(|g| g.name.as_str()),
                name,
                "agent group",
            )
        };
        let queue = |name: &str| find(sc.queues.iter().map(|q| q.name.as_str()), name, "queue");
        let campaign = |name: &str| {
            find(
                sc.campaigns.iter().map(|c| c.name.as_str()),
                name,
                "campaign",
            )
        };
        let model = Checked::Model;
        Ok(match self {
            Command::SetAgents { group: g, agents } => {
                let group = group(g)?;
                let most = sc.agent_groups[group].slots();
                if *agents > most {
                    return Err(format!(
                        "agents {agents}: group {} can have at most {most} agents",
                        quoted(g)
                    ));
                }
                model(Action::SetAgents {
                    group,
                    agents: *agents,
                })
            }
            Command::AddAgents { group: g, agents } => {
                let group = group(g)?;
                let most = sc.agent_groups[group].slots() as i64;
                if agents.abs() > most {
                    return Err(format!(
                        "agents {agents}: group {} can have at most {most} agents",
                        quoted(g)
                    ));
                }
                model(Action::AddAgents {
                    group,
                    agents: *agents,
                })
            }
            Command::MoveAgents { from, to, agents } => {
                let (f, t) = (group(from)?, group(to)?);
                if f == t {
                    return Err(format!("from and to are the same group {}", quoted(from)));
                }
                model(Action::MoveAgents {
                    from: f,
                    to: t,
                    agents: *agents,
                })
            }
            Command::ScaleArrivals { queue: q, factor } => {
                if !(factor.is_finite() && (0.0..=MAX_FACTOR).contains(factor)) {
                    return Err(format!(
                        "factor {}: must be between 0 and {MAX_FACTOR} (1: the scenario's forecast)",
                        crate::time::short_number(*factor)
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
                    return Err(format!("queue {} has no overflow stages", quoted(q)));
                }
                if *stage as usize >= stages {
                    return Err(format!(
                        "stage {stage}: queue {} has stages 0 to {}",
                        quoted(q),
                        stages - 1
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
    pub commands: Vec<Timed>,
}

/// The first line of a recording: what was run.
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

    /// Reads script text; problems as "LINE:COLUMN: message" (at most 20, then a count).
    pub fn parse(text: &str, sc: &Scenario) -> Result<Script, Vec<String>> {
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
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let mut fields = match serde_json::from_str::<serde_json::Value>(trimmed) {
                Ok(serde_json::Value::Object(m)) => m,
                Ok(_) => {
                    problem(line, 1, "each line is one JSON object".into());
                    continue;
                }
                Err(e) => {
                    problem(line, e.column(), bad_json(&e));
                    continue;
                }
            };
            if let Some(session) = fields.remove("session") {
                match serde_json::from_value::<Session>(session) {
                    Ok(s) if script.commands.is_empty() && script.seed.is_none() => {
                        script.seed = Some(s.seed)
                    }
                    Ok(_) => problem(line, 1, "the session line must come first".into()),
                    Err(e) => problem(line, 1, format!("session: {}", bad_json(&e))),
                }
                continue;
            }
            let at = match fields.remove("at_s") {
                Some(serde_json::Value::Number(n)) => {
                    match n.as_f64().filter(|x| x.is_finite() && *x >= 0.0) {
                        Some(s) if s * 1e6 < u64::MAX as f64 / 2.0 => (s * 1e6).round() as u64,
                        _ => {
                            problem(
                                line,
                                1,
                                format!("at_s {n}: seconds of run time, at least 0"),
                            );
                            continue;
                        }
                    }
                }
                Some(_) => {
                    problem(line, 1, "at_s: seconds of run time (a number)".into());
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
                    1,
                    format!(
                        "at_s {}: before the previous command's time ({}): commands come in time order",
                        at as f64 / 1e6,
                        last as f64 / 1e6
                    ),
                );
                continue;
            }
            last = at;
            let command = match Command::from_value(serde_json::Value::Object(fields)) {
                Ok(c) => c,
                Err(e) => {
                    problem(line, 1, e);
                    continue;
                }
            };
            let checked = command.check(sc);
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
                    1,
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
                Err(message) => problem(line, 1, message),
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
        assert!(err(r#"{"command": "fly"}"#).contains("unknown variant `fly`"));
        assert!(
            err(r#"{"command": "set_agents", "group": "zz", "agents": 1}"#)
                .contains("unknown agent group \"zz\" (known: a, b)")
        );
        assert!(
            err(r#"{"command": "set_agents", "group": "a", "agents": -1}"#)
                .contains("invalid value")
        );
        assert!(
            err(r#"{"command": "set_agents", "group": "a", "agents": 100000}"#)
                .contains("at most 103 agents")
        );
        assert!(
            err(r#"{"command": "set_agents", "group": "a"}"#).contains("missing field `agents`")
        );
        assert!(err(r#"{"command": "pause", "x": 1}"#).contains("unknown field \"x\" of pause"));
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
        assert!(problems[0].starts_with("2:1: at_s 4: before the previous"));
        assert!(problems[1].starts_with("3:1: each line is one JSON object"));
        assert!(problems[2].starts_with("4:1: at_s: missing"));
        assert!(problems[3].starts_with("5:1: unknown agent group"));
        let many = "x\n".repeat(100);
        let problems = Script::parse(&many, &sc).unwrap_err();
        assert_eq!(problems.len(), MAX_PROBLEMS + 1);
        assert_eq!(problems.last().unwrap(), "… and 80 more problems");
    }
}
