//! The scenario: the checked, indexed model of a contact center that the
//! engine simulates. Skills, queues and agent groups are dense integer ids.
//! Reading and checking the JSON file lives in [`parse`]; this module owns
//! the model types only.

pub mod parse;

use crate::distribution::DurationDist;
use crate::time::SimTime;
use serde::Serialize;

pub use parse::{Problem, ScenarioError};

/// Dense id of a skill (index into [`Scenario::skills`]).
pub type SkillId = usize;
/// Dense id of a queue (index into [`Scenario::queues`]).
pub type QueueId = usize;
/// Dense id of an agent group (index into [`Scenario::agent_groups`]).
pub type GroupId = usize;

/// A checked scenario, ready to simulate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub seed: u64,
    /// End of the run: warm-up + the measured window (the file's `horizon`).
    pub end: SimTime,
    /// Start of the measured window; events before it are simulated but not counted.
    pub warmup: SimTime,
    pub replications: u32,
    pub service_level_threshold: SimTime,
    pub skills: Vec<String>,
    pub queues: Vec<Queue>,
    pub agent_groups: Vec<AgentGroup>,
    pub routing: Routing,
}

/// One call type: its own queue, fed by its own arrival process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Queue {
    pub name: String,
    pub skill: SkillId,
    /// Higher is served first.
    pub priority: i32,
    pub arrivals: Arrivals,
    pub handle_time: DurationDist,
    /// `None`: callers never abandon.
    pub patience: Option<DurationDist>,
    /// `None`: no after-call work.
    pub wrap_up: Option<DurationDist>,
    /// Answered within this wait counts toward the service level.
    pub service_level_threshold: SimTime,
}

/// The arrival process of a queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arrivals {
    /// Poisson arrival rate (calls per hour), constant over the horizon.
    pub rate_per_hour: f64,
}

/// Identical agents sharing the same skills.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentGroup {
    pub name: String,
    pub count: u32,
    /// (skill, level): level 1 = primary, 2 = secondary, ...; sorted by skill id.
    pub skills: Vec<(SkillId, u32)>,
}

impl AgentGroup {
    /// The level at which this group holds `skill`, if it does.
    pub fn level(&self, skill: SkillId) -> Option<u32> {
        self.skills
            .iter()
            .find(|(s, _)| *s == skill)
            .map(|&(_, level)| level)
    }
}

/// Routing rules of the ACD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Routing {
    pub agent_selection: AgentSelection,
    pub call_selection: CallSelection,
}

/// Which idle agent gets an arriving call when several can take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AgentSelection {
    /// The agent idle for the longest time.
    #[default]
    LongestIdle,
    /// Circular hunt: the next idle agent after the one chosen last, in declaration order.
    RoundRobin,
    /// The agent who has handled the fewest calls.
    FewestCalls,
    /// The agent with the least accumulated handling time.
    LeastBusyTime,
    /// Uniformly at random among the idle agents who can take the call.
    Random,
    /// The first idle agent in declaration order.
    TopDown,
    /// Lowest level number for the call's skill, then longest idle.
    BestLevel,
}

impl AgentSelection {
    pub const ALL: [(&'static str, AgentSelection); 7] = [
        ("longest_idle", AgentSelection::LongestIdle),
        ("round_robin", AgentSelection::RoundRobin),
        ("fewest_calls", AgentSelection::FewestCalls),
        ("least_busy_time", AgentSelection::LeastBusyTime),
        ("random", AgentSelection::Random),
        ("top_down", AgentSelection::TopDown),
        ("best_level", AgentSelection::BestLevel),
    ];
}

/// Which waiting call an agent who frees up takes, across the queues it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CallSelection {
    /// Highest queue priority, then longest waiting.
    #[default]
    Priority,
    /// The oldest waiting call across the agent's queues.
    LongestWaiting,
    /// The agent's lowest level number first, then priority, then longest waiting.
    BestLevel,
}

impl CallSelection {
    pub const ALL: [(&'static str, CallSelection); 3] = [
        ("priority", CallSelection::Priority),
        ("longest_waiting", CallSelection::LongestWaiting),
        ("best_level", CallSelection::BestLevel),
    ];
}

impl Scenario {
    /// Measured window length (horizon − warm-up).
    pub fn window(&self) -> SimTime {
        SimTime(self.end.0 - self.warmup.0)
    }

    /// Total number of agents.
    pub fn agent_count(&self) -> u64 {
        self.agent_groups.iter().map(|g| g.count as u64).sum()
    }

    /// Reads and checks a scenario file.
    pub fn load(path: &std::path::Path) -> Result<Scenario, ScenarioError> {
        parse::load(path)
    }

    /// Parses and checks scenario JSON text; `origin` names it in error messages.
    pub fn from_json_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        parse::from_json_str(text, origin)
    }
}
