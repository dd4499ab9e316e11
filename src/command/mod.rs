//! Live commands: what a flow manager changes while a run goes on (agents
//! on the floor, arrival volumes, overflow stages, campaigns, the pace), as
//! the JSON objects of the live API, and how they are checked against a
//! scenario into the [`Action`]s the engine applies. Reading one command's
//! JSON and saying what is wrong with it is in `read`; scripts of timed
//! commands (JSON lines, as `acdsim live --record` writes them) that
//! `acdsim run --commands` replays are in `script`.

mod read;
mod script;

pub use read::MAX_COMMAND_BYTES;
pub use script::{Script, Session, Timed, MAX_AT_S};

use crate::scenario::Scenario;
use crate::text::{listing, quoted};
use serde::{Deserialize, Serialize};

/// Most names listed in a message about an unknown name.
const LISTED: usize = 10;
/// Largest arrival factor (times the scenario's forecast).
pub const MAX_FACTOR: f64 = 1000.0;
/// Fastest pace (simulated seconds per wall-clock second).
pub const MAX_SPEED: f64 = 1e6;

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

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn scenario() -> Scenario {
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

    pub(super) fn check(json: &str) -> Result<Checked, String> {
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
}
