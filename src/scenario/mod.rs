//! The scenario: the checked, indexed model of a contact center that the
//! engine simulates. Skills, queues and agent groups are dense integer ids;
//! every time is in microseconds from the start of the run (warm-up
//! included). The file format is declared in [`format`] (with its leaf values
//! in [`fields`] and the reading machinery in [`read`]); [`parse`] reads a
//! file and [`build`] turns the checked file into this model.

pub mod build;
pub mod fields;
pub mod format;
mod locate;
pub mod parse;
pub mod read;
pub mod risks;

use crate::distribution::DurationDist;
use crate::time::SimTime;
use serde::Serialize;

pub use parse::ScenarioError;
pub use read::Problem;

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
    /// Service-level target of the whole center, if any.
    pub service_level_target: Option<f64>,
    /// Length of profile and report intervals.
    pub interval: SimTime,
    /// Clock time of the start of the measured window, seconds after midnight.
    pub clock_start: Option<u64>,
    /// Coefficient of variation of the day's volume factor (`None`: no factor).
    pub volume_cv: Option<f64>,
    /// Trunk lines shared by all queues (`None`: unlimited).
    pub lines: Option<u32>,
    pub closing: Closing,
    pub skills: Vec<String>,
    pub queues: Vec<Queue>,
    pub agent_groups: Vec<AgentGroup>,
    pub routing: Routing,
    /// Outbound campaigns.
    pub campaigns: Vec<Campaign>,
    /// The queue of each campaign's live answers waiting for an agent, in
    /// campaign order (routed after the inbound queues; never reported as queues).
    pub campaign_queues: Vec<Queue>,
    /// The queue of the accepted callbacks of each queue with `callback`
    /// (routed after the campaign queues; reported with their queue), and
    /// per inbound queue the index of its callback queue in this list.
    pub callback_queues: Vec<Queue>,
    pub callback_of: Vec<Option<usize>>,
    /// Runs take live commands (agent reserves are set: see
    /// [`Scenario::reserve_for_commands`]).
    #[serde(skip)]
    pub takes_commands: bool,
    /// Timed commands every replication applies (`run --commands`).
    #[serde(skip)]
    pub script: Option<std::sync::Arc<crate::command::Script>>,
}

/// An outbound campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    pub name: String,
    pub skill: SkillId,
    /// The dialer works from `start` to `end` (run times).
    pub start: SimTime,
    pub end: SimTime,
    /// Records in the list (`None`: unlimited).
    pub list_size: Option<u64>,
    pub dialer: Dialer,
    pub dial_time: DurationDist,
    /// Outcome probabilities, by the interval of the dial.
    pub live: Profile<f64>,
    pub machine: Profile<f64>,
    pub busy: Profile<f64>,
    /// Retries of machine, busy and no-answer outcomes.
    pub retry: Option<Retry>,
    pub abandon_cap: f64,
    pub inbound_reserve: u32,
}

/// Retries of a campaign's unanswered records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retry {
    pub delay: DurationDist,
    /// Most dials per record, the first included.
    pub max_attempts: u32,
}

/// How a campaign's dialer paces its calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialer {
    Preview {
        preview_time: DurationDist,
    },
    Progressive,
    Power {
        lines_per_free_agent: f64,
        min_free_agents: u32,
    },
    Predictive,
}

/// The dialer modes as the file names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DialerMode {
    Preview,
    Progressive,
    Power,
    Predictive,
}

impl read::Choice for DialerMode {
    const WHAT: &'static str = "dialer mode";
    const ALL: &'static [(&'static str, DialerMode, &'static str)] = &[
        ("preview", DialerMode::Preview, "An idle agent is reserved, previews the record for preview_time, then dials; never abandons."),
        ("progressive", DialerMode::Progressive, "One dial per idle agent with the skill, the agent reserved until the outcome; never abandons."),
        ("power", DialerMode::Power, "When agents free up, dials round(lines_per_free_agent × idle agents with the skill) minus the dials still ringing."),
        ("predictive", DialerMode::Predictive, "Dials ahead of agents freeing up, pacing itself from the observed live-answer rate to keep abandoned calls under abandon_cap."),
    ];
}

/// A value constant over the run, or one per interval of the measured window
/// (the first interval's value applies during the warm-up).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Profile<T> {
    Constant(T),
    PerInterval(Vec<T>),
}

impl<T> Profile<T> {
    /// The value in interval `i` of the measured window (the last one past the end).
    pub fn at(&self, i: usize) -> &T {
        match self {
            Profile::Constant(v) => v,
            Profile::PerInterval(vs) => &vs[i.min(vs.len() - 1)],
        }
    }

    /// Every distinct value, in order (one for a constant).
    pub fn values(&self) -> &[T] {
        match self {
            Profile::Constant(v) => std::slice::from_ref(v),
            Profile::PerInterval(vs) => vs,
        }
    }

    /// The same profile with `f` applied to every value.
    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> Profile<U> {
        match self {
            Profile::Constant(v) => Profile::Constant(f(v)),
            Profile::PerInterval(vs) => Profile::PerInterval(vs.iter().map(f).collect()),
        }
    }
}

/// One call type: its own queue, fed by its own arrival process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Queue {
    pub name: String,
    pub skill: SkillId,
    /// Higher is served first.
    pub priority: i32,
    pub arrivals: Arrivals,
    /// Talk time, by the call's arrival interval.
    pub handle_time: Profile<DurationDist>,
    /// `None`: callers never abandon.
    pub patience: Option<Profile<DurationDist>>,
    /// `None`: no after-call work.
    pub wrap_up: Option<Profile<DurationDist>>,
    /// Answered within this wait counts toward the service level.
    pub service_level_threshold: SimTime,
    /// This queue's service-level target (its own or the scenario's).
    pub service_level_target: Option<f64>,
    /// Probability that a caller finding no eligible idle agent leaves at once.
    pub balk_probability: Option<f64>,
    /// At most this many calls wait; arrivals finding the queue full are blocked.
    pub max_waiting: Option<u32>,
    /// Overflow stages (empty: every level is eligible at once).
    pub overflow: Vec<OverflowStage>,
    /// Escalation of difficult calls to supervisors.
    pub escalation: Option<Escalation>,
    /// Abandoning callers who call again.
    pub retrial: Option<Retrial>,
    /// Callbacks offered to callers facing a long wait.
    pub callback: Option<Callback>,
}

/// Callbacks of a queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Callback {
    /// Offered when the predicted wait is above this.
    pub offer_when_wait_over: SimTime,
    pub accept_probability: f64,
}

/// Abandoning callers of a queue who call again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retrial {
    pub probability: f64,
    pub delay: DurationDist,
}

/// Difficult calls of a queue and what happens when they escalate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    /// Share of calls that are difficult (drawn on arrival).
    pub probability: f64,
    /// The agent's talk before escalating.
    pub after: DurationDist,
    /// Agent and supervisor both on the call (`None`: 0).
    pub handover: Option<DurationDist>,
    /// The supervisor's own time with the caller.
    pub supervisor_time: DurationDist,
    /// A caller on hold hangs up after this (`None`: never).
    pub hold_patience: Option<DurationDist>,
}

/// From wait `after` on, agents of level at most `max_level` may answer (`None`: any level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OverflowStage {
    pub after: SimTime,
    pub max_level: Option<u32>,
}

/// The arrival process of a queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arrivals {
    /// Poisson arrival rate (calls per hour), constant or per interval.
    pub rate_per_hour: Profile<f64>,
}

/// Agent slots every group has in reserve for live commands, at least.
pub const MIN_RESERVE: u32 = 100;

/// Identical agents sharing the same skills.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentGroup {
    pub name: String,
    /// How many agents are scheduled when.
    pub staffing: Staffing,
    /// (skill, level): level 1 = primary, 2 = secondary, ...; sorted by skill id.
    pub skills: Vec<(SkillId, u32)>,
    /// Share of scheduled agents kept off the floor (paid, unavailable).
    pub shrinkage: f64,
    /// Cost of one paid agent-hour.
    pub cost_per_hour: Option<f64>,
    /// Agents or supervisors.
    pub role: Role,
    /// Extra agent slots live commands may log in beyond the schedule (0
    /// unless the run takes commands: see [`Scenario::reserve_for_commands`]).
    #[serde(skip)]
    pub reserve: u32,
}

/// What a group's people do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Answer calls of their skills.
    #[default]
    Agent,
    /// Take escalated calls (and, with `answers_calls`, ordinary calls of their skills).
    Supervisor,
}

impl read::Choice for Role {
    const WHAT: &'static str = "role";
    const ALL: &'static [(&'static str, Role, &'static str)] = &[
        ("agent", Role::Agent, "Answers calls of the group's skills."),
        (
            "supervisor",
            Role::Supervisor,
            "Takes escalated calls, oldest first; with answers_calls, also ordinary calls of its skills when no escalation waits.",
        ),
    ];
}

/// How many agents of a group are scheduled when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Staffing {
    /// The same number for the whole run.
    Count(u32),
    /// One number per interval of the measured window (the first during the warm-up).
    PerInterval(Vec<u32>),
    /// Shifts with their own hours and breaks.
    Shifts(Vec<Shift>),
}

/// `agents` agents working from `start` to `end` (run times), with breaks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shift {
    pub start: SimTime,
    pub end: SimTime,
    pub agents: u32,
    pub breaks: Vec<Break>,
}

/// A break of every agent of a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Break {
    pub start: SimTime,
    pub duration: SimTime,
}

impl AgentGroup {
    /// The level at which this group holds `skill`, if it does.
    pub fn level(&self, skill: SkillId) -> Option<u32> {
        self.skills
            .iter()
            .find(|(s, _)| *s == skill)
            .map(|&(_, level)| level)
    }

    /// Agents the group needs to exist: the most ever on the floor at once
    /// for counts and staffing lists, every shift's agents for shifts.
    pub fn agent_slots(&self) -> u32 {
        match &self.staffing {
            Staffing::Count(n) => self.on_floor(*n),
            Staffing::PerInterval(v) => v.iter().map(|&n| self.on_floor(n)).max().unwrap_or(0),
            Staffing::Shifts(shifts) => shifts
                .iter()
                .map(|s| self.on_floor(s.agents))
                .fold(0u32, u32::saturating_add),
        }
    }

    /// Agent ids the group takes in a run: its [`AgentGroup::agent_slots`]
    /// and, after them, its [`AgentGroup::reserve`] for live commands.
    pub fn slots(&self) -> u32 {
        self.agent_slots() + self.reserve
    }

    /// The most agents scheduled at once (shrinkage included: they are paid).
    pub fn peak_agents(&self) -> u32 {
        match &self.staffing {
            Staffing::Count(n) => *n,
            Staffing::PerInterval(v) => v.iter().copied().max().unwrap_or(0),
            Staffing::Shifts(shifts) => {
                let mut edges: Vec<(SimTime, i64)> = shifts
                    .iter()
                    .flat_map(|s| [(s.start, s.agents as i64), (s.end, -(s.agents as i64))])
                    .collect();
                // Ends before starts at the same moment.
                edges.sort();
                let (mut now, mut peak) = (0i64, 0i64);
                for (_, d) in edges {
                    now += d;
                    peak = peak.max(now);
                }
                peak as u32
            }
        }
    }

    /// Agents on the floor out of `scheduled` (shrinkage keeps the rest off).
    pub fn on_floor(&self, scheduled: u32) -> u32 {
        if self.shrinkage == 0.0 {
            scheduled
        } else {
            (scheduled as f64 * (1.0 - self.shrinkage)).round() as u32
        }
    }

    /// The constant count of a group without a schedule.
    pub fn constant_count(&self) -> Option<u32> {
        match self.staffing {
            Staffing::Count(n) => Some(n),
            _ => None,
        }
    }
}

/// What happens at the end of the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    /// The run stops; calls still waiting are unresolved.
    #[default]
    Stop,
    /// No new calls; the agents on the floor stay until every waiting call is answered or abandoned.
    Drain,
    /// Calls still waiting are disconnected.
    Disconnect,
}

impl Closing {
    /// Its name in the file ("drain").
    pub fn name(self) -> &'static str {
        <Closing as read::Choice>::ALL
            .iter()
            .find(|&&(_, c, _)| c == self)
            .map_or("stop", |&(name, _, _)| name)
    }
}

impl read::Choice for Closing {
    const WHAT: &'static str = "closing";
    const ALL: &'static [(&'static str, Closing, &'static str)] = &[
        (
            "stop",
            Closing::Stop,
            "The run stops at the horizon; calls still waiting are reported as unresolved.",
        ),
        (
            "drain",
            Closing::Drain,
            "No new calls after the horizon; the agents on the floor stay until every waiting call is answered or abandoned.",
        ),
        (
            "disconnect",
            Closing::Disconnect,
            "Calls still waiting at the horizon are disconnected.",
        ),
    ];
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
    /// (name in the file, rule, meaning).
    pub const ALL: [(&'static str, AgentSelection, &'static str); 7] = [
        (
            "longest_idle",
            AgentSelection::LongestIdle,
            "The agent idle for the longest time.",
        ),
        (
            "round_robin",
            AgentSelection::RoundRobin,
            "Circular hunt: the next idle agent after the one chosen last, in declaration order.",
        ),
        (
            "fewest_calls",
            AgentSelection::FewestCalls,
            "The agent who has handled the fewest calls (then longest idle).",
        ),
        (
            "least_busy_time",
            AgentSelection::LeastBusyTime,
            "The agent with the least accumulated handling time (then longest idle).",
        ),
        (
            "random",
            AgentSelection::Random,
            "Uniformly at random among the idle agents who can take the call.",
        ),
        (
            "top_down",
            AgentSelection::TopDown,
            "The first idle agent in declaration order (groups in file order, agents within).",
        ),
        (
            "best_level",
            AgentSelection::BestLevel,
            "Lowest level number for the call's skill, then longest idle.",
        ),
    ];
}

impl read::Choice for AgentSelection {
    const WHAT: &'static str = "agent selection";
    const ALL: &'static [(&'static str, AgentSelection, &'static str)] = &AgentSelection::ALL;
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
    /// (name in the file, rule, meaning).
    pub const ALL: [(&'static str, CallSelection, &'static str); 3] = [
        (
            "priority",
            CallSelection::Priority,
            "Highest queue priority, then the call waiting longest.",
        ),
        (
            "longest_waiting",
            CallSelection::LongestWaiting,
            "The call waiting longest across the agent's queues.",
        ),
        (
            "best_level",
            CallSelection::BestLevel,
            "The agent's lowest level number first, then priority, then longest waiting.",
        ),
    ];
}

impl read::Choice for CallSelection {
    const WHAT: &'static str = "call selection";
    const ALL: &'static [(&'static str, CallSelection, &'static str)] = &CallSelection::ALL;
}

impl Scenario {
    /// The wall-clock label of run time `t`: the scenario's clock
    /// (`clock_start` is the start of the measured window), else the time
    /// since the window started ("+1:30:00", "-0:10:00" in the warm-up).
    pub fn clock_label(&self, t: u64, seconds: bool) -> String {
        let offset = t as i64 / 1_000_000 - self.warmup.micros() as i64 / 1_000_000;
        match self.clock_start {
            Some(c) => {
                let s = (c as i64 + offset).rem_euclid(86_400);
                let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
                if seconds {
                    format!("{h:02}:{m:02}:{sec:02}")
                } else {
                    format!("{h:02}:{m:02}")
                }
            }
            None => {
                let sign = if offset < 0 { "-" } else { "+" };
                let s = offset.abs();
                format!("{sign}{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
            }
        }
    }

    /// Measured window length (horizon − warm-up).
    pub fn window(&self) -> SimTime {
        SimTime(self.end.0 - self.warmup.0)
    }

    /// Number of intervals of the measured window (the last may be shorter).
    pub fn intervals(&self) -> usize {
        self.window().0.div_ceil(self.interval.0) as usize
    }

    /// Start of interval `i` of the measured window (run time).
    pub fn interval_start(&self, i: usize) -> SimTime {
        SimTime(self.warmup.0 + i as u64 * self.interval.0)
    }

    /// The label of interval `i`: its clock time with `clock_start`, else its offset from the
    /// start of the window ("+1:30").
    pub fn interval_label(&self, i: usize) -> String {
        let offset = SimTime(i as u64 * self.interval.0);
        match self.clock_start {
            Some(c) => fields::format_clock(c + offset.0 / crate::time::MICROS_PER_SEC),
            None => {
                let s = offset.0 / crate::time::MICROS_PER_SEC;
                let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
                if sec == 0 {
                    format!("+{h}:{m:02}")
                } else {
                    format!("+{h}:{m:02}:{sec:02}")
                }
            }
        }
    }

    /// Agents that exist in the run (every group's slots, reserves for
    /// live commands included).
    pub fn agent_count(&self) -> u64 {
        self.agent_groups.iter().map(|g| g.slots() as u64).sum()
    }

    /// Agents the schedules use (reserves for live commands excluded).
    pub fn scheduled_agent_count(&self) -> u64 {
        self.agent_groups
            .iter()
            .map(|g| g.agent_slots() as u64)
            .sum()
    }

    /// Gives every group a reserve of agent slots so that live commands
    /// may add agents: as many again as its schedule uses, and at least
    /// [`MIN_RESERVE`] (within the engine's limit on agent ids). Unused
    /// slots change no result.
    pub fn reserve_for_commands(&mut self) {
        self.takes_commands = true;
        let mut room =
            (crate::event::MAX_ID as u64 + 1).saturating_sub(self.scheduled_agent_count());
        for g in &mut self.agent_groups {
            let want = g.agent_slots().max(MIN_RESERVE) as u64;
            let r = want.min(room);
            g.reserve = r as u32;
            room -= r;
        }
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
