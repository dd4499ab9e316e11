//! The scenario file format, declared once: every object, its fields, their
//! types and their documentation. The reader (`acdsim run`, `validate`) and
//! the JSON Schema (`acdsim schema`) are both generated from these
//! declarations, so they cannot disagree. Checks that involve several fields
//! (exactly one of `count`, `staffing`, `shifts`; breaks inside their shift;
//! overflow stages in order) sit next to the object they concern.

use super::fields::{
    Amount, ClockTime, Dist, Duration, Levels, LinesPerAgent, PerInterval, PositiveDuration,
    Probability, RateProfile, Share, SkillRef, StaffingList, Target, TimeOfDay, VolumeCv,
};
use super::read::{
    Bounded, Checker, FileValue, NamedItems, NamedList, NonEmpty, Object, UniqueName,
};
use super::{AgentSelection, CallSelection, Closing, DialerMode, Role};
use crate::file_object;
use crate::time::SimTime;
use serde_json::json;

/// More replications than anyone needs. The runner keeps every replication's
/// figures per interval (about 20 numbers per queue, group and interval) for
/// the confidence intervals: memory grows with replications × intervals.
pub const MAX_REPLICATIONS: u32 = 100_000;
/// At most this many intervals in the measured window (statistics are kept per interval).
pub const MAX_INTERVALS: usize = 10_000;

crate::file_choice!(AgentSelection);
crate::file_choice!(CallSelection);
crate::file_choice!(Closing);
crate::file_choice!(Role);
crate::file_choice!(DialerMode);

file_object! {
    /// A contact-center scenario for acdsim: queues fed by callers, agent
    /// groups with skills and staffing, routing rules, and the time frame of
    /// the simulation.
    pub struct ScenarioSpec ("scenario") {
        /// Name shown in reports.
        req name: UniqueName,
        /// Seed of every random stream (default 1). The same seed gives the same callers.
        opt seed: Bounded<u64, 0, { u64::MAX as i128 }>,
        /// Length of the measured window.
        req horizon: PositiveDuration,
        /// Simulated before the measured window and not counted (default 0): the run lasts warmup + horizon.
        opt warmup: Duration,
        /// Independent replications (days) to simulate (default 10, at most 100000).
        opt replications: Bounded<u32, 1, { MAX_REPLICATIONS as i128 }>,
        /// A call answered within this wait counts toward the service level (default 20s); queues may override it.
        opt service_level_threshold: Duration,
        /// Service-level target (a fraction, 0.8 for 80%): reports the share of days that meet it (`sl_target_met`).
        opt service_level_target: Target,
        /// Length of the intervals of profiles, staffing lists and per-interval results (default 30m).
        opt interval: PositiveDuration,
        /// Clock time of the start of the measured window ("08:00"): labels intervals and lets shifts and breaks be written as clock times.
        opt clock_start: ClockTime,
        /// Day-to-day volume uncertainty: each replication multiplies every arrival rate by one factor drawn from a gamma distribution with mean 1 and this coefficient of variation.
        opt volume_cv: VolumeCv,
        /// Trunk lines shared by all queues, each held from a call's arrival until it leaves; an arrival finding every line busy is blocked.
        opt lines: Bounded<u32, 0, { u32::MAX as i128 }>,
        /// What happens at the end of the horizon: "stop" (default: calls still waiting are unresolved), "drain" (no new calls; agents stay until every waiting call is answered or abandoned) or "disconnect" (calls still waiting are disconnected).
        opt closing: Closing,
        /// Skill names (each queue needs one; agent groups hold several at levels).
        req skills: NamedList<UniqueName>,
        /// One queue per call type.
        req queues: NamedList<QueueSpec>,
        /// Groups of identical agents.
        req agent_groups: NamedList<AgentGroupSpec>,
        /// Routing rules of the ACD.
        opt routing: RoutingSpec,
        /// Outbound campaigns: calls placed by a dialer and answered by agents with the campaign's skill.
        opt campaigns: NamedItems<CampaignSpec>,
        /// The JSON Schema of this format, for editors (`acdsim schema` prints it); ignored by acdsim.
        opt schema_url as "$schema": String,
    }
}

file_object! {
    /// One call type: its own FIFO queue, fed by its own arrival process.
    pub struct QueueSpec ("queue") {
        /// Unique name of the queue.
        req name: UniqueName,
        /// The skill an agent needs to answer its calls.
        req skill: SkillRef,
        /// Higher is served first (default 0; see routing.call_selection).
        opt priority: Bounded<i32, { i32::MIN as i128 }, { i32::MAX as i128 }>,
        /// The arrival process.
        req arrivals: ArrivalsSpec,
        /// Talk time: a distribution, or one per interval (chosen by the call's arrival interval).
        req handle_time: PerInterval<Dist>,
        /// Time a caller waits before abandoning (absent: never abandons); a distribution or one per interval.
        opt patience: PerInterval<Dist>,
        /// After-call work during which the agent takes no call (absent: none); a distribution or one per interval.
        opt wrap_up: PerInterval<Dist>,
        /// Overrides the scenario's service-level threshold for this queue.
        opt service_level_threshold: Duration,
        /// Overrides the scenario's service-level target for this queue.
        opt service_level_target: Target,
        /// A caller who finds no eligible idle agent leaves at once with this probability (counted as abandoned with a wait of 0, and as balked).
        opt balk_probability: Probability,
        /// At most this many calls wait in the queue; an arrival finding it full is blocked.
        opt max_waiting: Bounded<u32, 0, { u32::MAX as i128 }>,
        /// Overflow stages: as its wait grows, a call may be answered by agents of higher level numbers. The first stage is at 0s; a stage without max_level opens the queue to every level.
        opt overflow: NonEmpty<StageSpec>,
        /// Difficult calls: the agent talks for `after`, then hands the caller to a supervisor (a group with role "supervisor").
        opt escalation: EscalationSpec,
        /// A caller who abandons (balking included) calls again after `delay` with `probability`: a new offered call, counted in `retrials`.
        opt retrial: RetrialSpec,
        /// Callers whose predicted wait exceeds `offer_when_wait_over` are offered a callback; those who accept hang up and are called back when an agent is free.
        opt callback: CallbackSpec,
    }
    check = |ck, obj, value| value.is_none_or(|q| check_overflow(ck, &obj.path, q));
}

file_object! {
    /// Callbacks offered to callers facing a long wait. The wait is predicted
    /// on arrival as (calls waiting in the queue + 1) × the queue's mean
    /// handle time ÷ the agents on the floor holding its skill. Accepted
    /// callbacks wait in a queue of their own (same skill) and are called back
    /// by the first agent the routing rules give them to.
    pub struct CallbackSpec ("callback") {
        /// Offer a callback when the predicted wait is above this.
        req offer_when_wait_over: Duration,
        /// Share of callers offered a callback who accept it.
        req accept_probability: Probability,
        /// Priority of the callbacks against the queues for an agent who frees up (default: the queue's priority − 1, after its own callers).
        opt priority: Bounded<i32, { i32::MIN as i128 }, { i32::MAX as i128 }>,
    }
}

file_object! {
    /// Callers who abandon and call again.
    pub struct RetrialSpec ("retrial") {
        /// Share of abandoning callers who call again.
        req probability: Probability,
        /// Time between the abandonment and the new call (not 0 on average).
        req delay: Dist,
    }
    check = |ck, obj, value| value.is_none_or(|r| {
        if r.delay.0.mean_s() > 0.0 {
            return true;
        }
        let message = "must take time on average: a caller cannot call again at the very moment it hangs up";
        ck.problem(&super::read::join_key(&obj.path, "delay"), message);
        false
    });
}

file_object! {
    /// Escalation of difficult calls to a supervisor. A call is difficult
    /// with `probability` (drawn on arrival); its agent talks for `after`,
    /// then escalates: a free supervisor joins for `handover` (both on the
    /// call), then the agent goes to wrap-up and the supervisor handles the
    /// caller for `supervisor_time`. With no supervisor free, the caller is on
    /// hold and the agent blocked with it, first come first served.
    pub struct EscalationSpec ("escalation") {
        /// Share of the queue's calls that are difficult.
        req probability: Probability,
        /// Time the agent talks before escalating (replaces handle_time for difficult calls).
        req after: Dist,
        /// Time agent and supervisor are both on the call (default 0).
        opt handover: Dist,
        /// Time the supervisor handles the caller after the handover.
        req supervisor_time: Dist,
        /// Time a caller on hold waits for a supervisor before hanging up (absent: waits as long as it takes); the agent is then free.
        opt hold_patience: Dist,
    }
}

file_object! {
    /// An outbound campaign: a dialer places calls during its hours; a live
    /// answer waits at most `patience` for an agent with the campaign's skill
    /// (else it is an abandoned, silent call); other outcomes may be retried.
    pub struct CampaignSpec ("campaign") {
        /// Unique name of the campaign.
        req name: UniqueName,
        /// The skill an agent needs to take its calls (blended agents hold it beside inbound skills).
        req skill: SkillRef,
        /// Priority of its connected calls against inbound queues for an agent who frees up (default 0; see routing.call_selection).
        opt priority: Bounded<i32, { i32::MIN as i128 }, { i32::MAX as i128 }>,
        /// When the dialer works: clock times (with clock_start) or durations from the start of the measured window.
        req hours: HoursSpec,
        /// Records in the calling list (absent: unlimited).
        opt list_size: Bounded<u64, 1, { u64::MAX as i128 }>,
        /// How the dialer paces its calls.
        req dialer: DialerSpec,
        /// Ringing until the outcome is known (default 0).
        opt dial_time: Dist,
        /// Probability of each outcome of a dial (a number or one per interval); the rest of 1 is no answer.
        req outcomes: OutcomesSpec,
        /// Machine, busy and no-answer outcomes are dialled again after `delay`, up to `max_attempts` dials per record (absent: never).
        opt retry: RetrySpec,
        /// Talk time of a connected call.
        req talk_time: Dist,
        /// After-call work of a connected call (absent: none).
        opt wrap_up: Dist,
        /// Time a live answer waits for an agent before hanging up (default 2s: the regulatory definition of an abandoned call).
        opt patience: Dist,
        /// Most abandoned (silent) calls allowed per live answer over a replication (default 0.03); `cap_breached` reports the share of replications over it.
        opt abandon_cap: Probability,
        /// The dialer never uses the last N idle agents with the campaign's skill, so they stay for inbound calls (default 0).
        opt inbound_reserve: Bounded<u32, 0, { u32::MAX as i128 }>,
    }
    check = |ck, obj, value| value.is_none_or(|c| check_campaign(ck, &obj.path, c));
}

file_object! {
    /// The hours of a campaign.
    pub struct HoursSpec ("hours") {
        /// Clock time or duration from the start of the measured window.
        req start: TimeOfDay,
        /// Clock time or duration from the start of the measured window; an end earlier than the start is the next day.
        req end: TimeOfDay,
    }
}

file_object! {
    /// A campaign's dialer.
    pub struct DialerSpec ("dialer") {
        /// "preview", "progressive", "power" or "predictive".
        req mode: DialerMode,
        /// Preview only: the agent reads the record for this long before the dial.
        opt preview_time: Dist,
        /// Power only: lines dialled per idle agent with the campaign's skill (above 0, at most 1000).
        opt lines_per_free_agent: LinesPerAgent,
        /// Power only: dial only when at least this many agents of the whole floor are idle (default 1).
        opt min_free_agents: Bounded<u32, 0, { u32::MAX as i128 }>,
    }
}

file_object! {
    /// Outcome probabilities of a dial.
    pub struct OutcomesSpec ("outcomes") {
        /// A person answers.
        req live: PerInterval<Probability>,
        /// An answering machine (default 0).
        opt machine: PerInterval<Probability>,
        /// Busy line (default 0).
        opt busy: PerInterval<Probability>,
    }
}

file_object! {
    /// Retries of unanswered records.
    pub struct RetrySpec ("retry") {
        /// Time until the record is dialled again.
        req delay: Dist,
        /// Most dials per record, the first included.
        req max_attempts: Bounded<u32, 1, { u32::MAX as i128 }>,
    }
}

file_object! {
    /// The arrival process of a queue: Poisson, piecewise constant by interval.
    pub struct ArrivalsSpec ("arrivals") {
        /// Calls per hour: a number (constant), or a list with one rate per interval of the measured window (its length × interval = horizon). During a warm-up the first interval's rate applies.
        req rate_per_hour: RateProfile,
    }
}

file_object! {
    /// One overflow stage of a queue.
    pub struct StageSpec ("overflow stage") {
        /// Wait at which the stage starts (the first stage starts at 0s).
        req after: Duration,
        /// Highest level number that may answer from this stage on (absent: every level).
        opt max_level: Bounded<u32, 1, { u32::MAX as i128 }>,
    }
}

file_object! {
    /// A group of identical agents: the same skills, levels and cost. Give
    /// exactly one of `count`, `staffing` or `shifts`.
    pub struct AgentGroupSpec ("agent group") {
        /// Unique name of the group.
        req name: UniqueName,
        /// Agents logged in for the whole run.
        opt count: Bounded<u32, 0, { u32::MAX as i128 }>,
        /// Agents per interval of the measured window (one number per interval; the first applies during a warm-up).
        opt staffing: StaffingList,
        /// Shifts: agents who log in at `start`, take their breaks, and log out at `end`.
        opt shifts: NonEmpty<ShiftSpec>,
        /// Skill name → level (1 = primary, 2 = secondary…). Required, except for supervisors who do not answer calls.
        opt skills: Levels,
        /// "agent" (default) or "supervisor": supervisors take escalated calls, oldest first.
        opt role: Role,
        /// Supervisors only: also answer ordinary calls of their skills when no escalation waits (default false).
        opt answers_calls: bool,
        /// Share of scheduled time unavailable for calls (meetings, training, absence): the group puts round(n × (1 − shrinkage)) of its n scheduled agents on the floor; all n are paid.
        opt shrinkage: Share,
        /// Cost of one scheduled agent-hour (overtime included).
        opt cost_per_hour: Amount,
    }
    check = |ck, obj, value| check_one_staffing(ck, obj) && value.is_none_or(|g| check_role(ck, &obj.path, g));
    extra_schema = |s: &mut serde_json::Value| {
        s["oneOf"] = json!([
            { "required": ["count"] }, { "required": ["staffing"] }, { "required": ["shifts"] },
        ]);
    };
}

file_object! {
    /// A shift: `agents` agents log in at `start` and log out at `end` (finishing their call), with breaks.
    pub struct ShiftSpec ("shift") {
        /// Clock time ("08:00", needs clock_start) or duration from the start of the measured window ("0s").
        req start: TimeOfDay,
        /// Clock time or duration from the start of the measured window; an end earlier than the start is the next day.
        req end: TimeOfDay,
        /// Agents working this shift.
        req agents: Bounded<u32, 0, { u32::MAX as i128 }>,
        /// Breaks of each agent of the shift (an agent busy at the start of a break takes it when the call ends).
        opt breaks: Vec<BreakSpec>,
    }
    check = |ck, obj, value| value.is_none_or(|s| check_shift(ck, &obj.path, s));
}

file_object! {
    /// A break in a shift.
    pub struct BreakSpec ("break") {
        /// Clock time or duration from the start of the measured window.
        req start: TimeOfDay,
        /// Length of the break.
        req duration: PositiveDuration,
    }
}

file_object! {
    /// Routing rules of the ACD.
    pub struct RoutingSpec ("routing") {
        /// Which idle agent gets an arriving call (default longest_idle).
        opt agent_selection: AgentSelection,
        /// Which waiting call an agent who frees up takes (default priority).
        opt call_selection: CallSelection,
    }
}

/// A group gives exactly one of `count`, `staffing`, `shifts`.
pub(super) fn check_one_staffing(ck: &mut Checker, obj: &Object<'_>) -> bool {
    let given: Vec<&str> = ["count", "staffing", "shifts"]
        .into_iter()
        .filter(|f| obj.has(f))
        .collect();
    match given.len() {
        1 => true,
        0 => {
            let path = super::read::join_key(&obj.path, "count");
            ck.problem(
                &path,
                "missing field (give the group's agents as count, staffing or shifts)",
            );
            false
        }
        _ => {
            ck.problem(
                &obj.path,
                format!(
                    "give exactly one of count, staffing or shifts, got {}",
                    given.join(" and ")
                ),
            );
            false
        }
    }
}

/// A dialer's fields belong to its mode; outcome probabilities add up to
/// at most 1 in every interval; campaign hours end after they start.
fn check_campaign(ck: &mut Checker, path: &str, c: &CampaignSpec) -> bool {
    let mut ok = true;
    let d = &c.dialer;
    let dialer = |f: &str| format!("{path}.dialer.{f}");
    let mode = d.mode;
    let only = |ck: &mut Checker, given: bool, field: &str, modes: &str| {
        if given {
            ck.problem(&dialer(field), format!("only for the {modes} dialer"));
        }
        !given
    };
    ok &= only(
        ck,
        d.preview_time.is_some() && mode != DialerMode::Preview,
        "preview_time",
        "preview",
    );
    ok &= only(
        ck,
        d.lines_per_free_agent.is_some() && mode != DialerMode::Power,
        "lines_per_free_agent",
        "power",
    );
    ok &= only(
        ck,
        d.min_free_agents.is_some() && mode != DialerMode::Power,
        "min_free_agents",
        "power",
    );
    if mode == DialerMode::Preview && d.preview_time.is_none() {
        ck.problem(
            &dialer("preview_time"),
            "missing field (the preview dialer needs it)",
        );
        ok = false;
    }
    if mode == DialerMode::Power && d.lines_per_free_agent.is_none() {
        let message = "missing field (the power dialer needs it)";
        ck.problem(&dialer("lines_per_free_agent"), message);
        ok = false;
    }
    let o = &c.outcomes;
    let at = |p: &Option<super::fields::PerInterval<Probability>>, k: usize| match p {
        None => 0.0,
        Some(super::fields::PerInterval::One(v)) => v.0,
        Some(super::fields::PerInterval::List(vs)) => vs[k.min(vs.len() - 1)].0,
    };
    let live = Some(o.live.clone());
    let n = [&live, &o.machine, &o.busy]
        .iter()
        .filter_map(|p| match p {
            Some(super::fields::PerInterval::List(vs)) => Some(vs.len()),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    for k in 0..n {
        let sum = at(&live, k) + at(&o.machine, k) + at(&o.busy, k);
        if sum > 1.0 + 1e-9 {
            let which = if n > 1 {
                format!(" in interval {}", k + 1)
            } else {
                String::new()
            };
            ck.problem(
                &format!("{path}.outcomes"),
                format!("live + machine + busy add up to {sum}{which}: at most 1 (the rest is no answer)"),
            );
            ok = false;
            break;
        }
    }
    let (start, mut end) = (c.hours.start.0, c.hours.end.0);
    if end <= start && c.hours.end.1 {
        end = SimTime(end.0 + 86_400 * crate::time::MICROS_PER_SEC);
    }
    if end <= start {
        ck.problem(
            &format!("{path}.hours.end"),
            "the campaign must end after it starts",
        );
        ok = false;
    }
    ok
}

/// Agents need skills; supervisors need them only to answer calls, and only
/// supervisors choose whether they answer calls.
fn check_role(ck: &mut Checker, path: &str, g: &AgentGroupSpec) -> bool {
    let supervisor = g.role == Some(Role::Supervisor);
    let answers = g.answers_calls.unwrap_or(!supervisor);
    if supervisor && !answers && g.skills.is_some() {
        let message = "supervisors answer calls of their skills only with \"answers_calls\": true (add it, or remove skills)";
        ck.problem(&super::read::join_key(path, "skills"), message);
        return false;
    }
    if !supervisor && g.answers_calls.is_some() {
        let message = "only for supervisors (role \"supervisor\"): agents always answer calls";
        ck.problem(&super::read::join_key(path, "answers_calls"), message);
        return false;
    }
    if answers && g.skills.is_none() {
        let message = if supervisor {
            "missing field (supervisors who answer calls need skills)"
        } else {
            "missing field"
        };
        ck.problem(&super::read::join_key(path, "skills"), message);
        return false;
    }
    true
}

/// Overflow stages start at 0 s, in increasing order of wait, with levels
/// that only widen; a stage open to every level is the last.
fn check_overflow(ck: &mut Checker, path: &str, q: &QueueSpec) -> bool {
    let Some(NonEmpty(stages)) = &q.overflow else {
        return true;
    };
    let at = |i: usize, field: &str| format!("{path}.overflow[{i}].{field}");
    let mut ok = true;
    if stages[0].after.0 != SimTime::ZERO {
        ck.problem(
            &at(0, "after"),
            format!("the first stage starts at 0s, got {}", stages[0].after.0),
        );
        ok = false;
    }
    for (i, pair) in stages.windows(2).enumerate() {
        let (a, b) = (&pair[0], &pair[1]);
        if b.after.0 <= a.after.0 {
            let message = format!(
                "stages must start at increasing waits: {} is not after {}",
                b.after.0, a.after.0
            );
            ck.problem(&at(i + 1, "after"), message);
            ok = false;
        }
        match (a.max_level, b.max_level) {
            (None, _) => {
                let message =
                    "a stage without max_level opens the queue to every level: it must be the last";
                ck.problem(&at(i, "max_level"), message);
                ok = false;
            }
            (Some(x), Some(y)) if y.0 < x.0 => {
                let message = format!(
                    "levels only widen from stage to stage: {} is below the previous stage's {}",
                    y.0, x.0
                );
                ck.problem(&at(i + 1, "max_level"), message);
                ok = false;
            }
            _ => {}
        }
    }
    ok
}

impl ShiftSpec {
    /// (start, end) in run time; an end at or before the start given as a
    /// clock time is the next day's.
    pub fn span(&self) -> (SimTime, SimTime) {
        let (start, mut end) = (self.start.0, self.end.0);
        if end <= start && self.end.1 {
            end = SimTime(end.0 + 86_400 * crate::time::MICROS_PER_SEC);
        }
        (start, end)
    }
}

/// A shift ends after it starts, inside the run; its breaks lie inside it
/// and do not overlap.
fn check_shift(ck: &mut Checker, path: &str, s: &ShiftSpec) -> bool {
    let (start, end) = s.span();
    let mut ok = true;
    if end <= start {
        let message = format!(
            "the shift must end after it starts ({} from the start of the window)",
            window_offset(ck, start)
        );
        ck.problem(&format!("{path}.end"), message);
        return false;
    }
    if ck.ctx.intervals.is_some() {
        let run_end = SimTime(ck.ctx.warmup_us + ck.ctx.window_us);
        if end > run_end {
            let message = format!(
                "the shift ends {} after the start of the window, past the end of the horizon ({})",
                window_offset(ck, end),
                SimTime(ck.ctx.window_us)
            );
            ck.problem(&format!("{path}.end"), message);
            ok = false;
        }
    }
    let breaks = s.breaks.as_deref().unwrap_or_default();
    let mut spans: Vec<(SimTime, SimTime, usize)> = breaks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut bs = b.start.0;
            // A break written as a clock time in an overnight shift falls on the shift's day.
            if bs < start && b.start.1 {
                bs = SimTime(bs.0 + 86_400 * crate::time::MICROS_PER_SEC);
            }
            (bs, SimTime(bs.0.saturating_add(b.duration.0 .0)), i)
        })
        .collect();
    for &(bs, be, i) in &spans {
        if bs < start || be > end {
            let message = format!(
                "the break ({} to {} from the start of the window) is not inside its shift ({} to {})",
                window_offset(ck, bs),
                window_offset(ck, be),
                window_offset(ck, start),
                window_offset(ck, end)
            );
            ck.problem(&format!("{path}.breaks[{i}]"), message);
            ok = false;
        }
    }
    spans.sort();
    for pair in spans.windows(2) {
        if pair[1].0 < pair[0].1 {
            let message = format!("overlaps breaks[{}] of the same shift", pair[0].2);
            ck.problem(&format!("{path}.breaks[{}]", pair[1].2), message);
            ok = false;
        }
    }
    ok
}

/// A run time shown as an offset from the start of the measured window ("-30m", "2h").
fn window_offset(ck: &Checker, t: SimTime) -> String {
    let w = ck.ctx.warmup_us;
    if t.0 >= w {
        SimTime(t.0 - w).to_string()
    } else {
        format!("-{}", SimTime(w - t.0))
    }
}

/// The JSON Schema of the scenario format (draft 2020-12).
pub fn schema() -> serde_json::Value {
    let mut defs = super::read::Defs::default();
    let root = ScenarioSpec::schema(&mut defs);
    let name = root["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .expect("the scenario is a definition")
        .to_string();
    let body = defs.0.remove(&name).expect("defined above");
    let mut doc = serde_json::Map::new();
    doc.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );

    doc.insert("title".into(), json!("acdsim scenario"));
    if let serde_json::Value::Object(fields) = body {
        doc.extend(fields);
    }
    doc.insert(
        "$defs".into(),
        serde_json::Value::Object(defs.0.into_iter().collect()),
    );
    serde_json::Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_describes_every_field_of_the_reader() {
        let s = schema();
        let props = s["properties"].as_object().unwrap();
        let names: Vec<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(names, ScenarioSpec::FIELDS);
        for (name, p) in props {
            assert!(
                p["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{name} has no description"
            );
        }
        let queue = &s["$defs"]["QueueSpec"];
        let qnames: Vec<&str> = queue["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(qnames, QueueSpec::FIELDS);
        assert_eq!(queue["additionalProperties"], false);
        assert_eq!(
            s["required"],
            json!(["name", "horizon", "skills", "queues", "agent_groups"])
        );
        let closing: Vec<&str> = s["$defs"]
            .as_object()
            .unwrap()
            .values()
            .chain(std::iter::once(&s))
            .filter_map(|d| d["properties"].get("closing"))
            .flat_map(|c| c["oneOf"].as_array().unwrap())
            .map(|c| c["const"].as_str().unwrap())
            .collect();
        assert_eq!(closing, ["stop", "drain", "disconnect"]);
    }
}
