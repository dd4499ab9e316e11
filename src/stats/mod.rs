//! Statistics of one replication: integer counters per queue and per agent
//! group, for the whole measured window and for each interval, and the
//! metrics derived from them (service level, ASA, percentiles, occupancy,
//! cost...). Calls are counted by their arrival: a call that arrives during
//! the warm-up is never counted, one that arrives in the measured window is
//! counted (in its arrival interval) whatever happens to it. Agent time is
//! counted by time: each interval gets the part of every activity that falls
//! in it; time after the horizon while draining gets a cell of its own.

pub mod histogram;

use crate::time::MICROS_PER_SEC;
use histogram::{FineHistogram, WaitHistogram};
use std::ops::{Deref, DerefMut};

/// Counts and sums of calls: one queue or all, the whole window or one
/// interval. Sums of durations are `u128` microseconds: they cannot overflow
/// whatever the horizon and the number of calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Calls that arrived and were not blocked.
    pub offered: u64,
    /// Offered calls answered.
    pub answered: u64,
    /// Offered calls whose caller left before being answered (balked ones included).
    pub abandoned: u64,
    /// Offered calls still waiting at the end of the run.
    pub unresolved: u64,
    /// Offered calls disconnected at the horizon (`closing: disconnect`).
    pub disconnected: u64,
    /// Abandoned calls that left at once, finding no idle agent.
    pub balked: u64,
    /// Arrivals refused (queue full or no line free): not offered.
    pub blocked: u64,
    /// Answered calls whose wait was within the queue's service-level threshold.
    pub answered_in_sl: u64,
    /// Abandoned calls whose wait was within the threshold.
    pub abandoned_in_sl: u64,
    /// Answered calls that did not wait at all (kept apart from the histogram: the common case).
    pub zero_waits: u64,
    pub wait_sum_us: u128,
    pub abandoned_wait_sum_us: u128,
    /// Talk + wrap-up of answered calls.
    pub handle_sum_us: u128,
    pub talk_sum_us: u128,
    /// Answered calls that escalated to a supervisor (by their arrival interval).
    pub escalations: u64,
    /// Escalated calls a supervisor took.
    pub supervised: u64,
    /// Escalated callers who hung up on hold before a supervisor took them.
    pub escalation_abandoned: u64,
    /// Escalated calls a supervisor took at once.
    pub supervisor_zero_waits: u64,
    /// Time escalated callers waited on hold before a supervisor took them.
    pub supervisor_wait_sum_us: u128,
    /// Offered calls that were callers calling again after abandoning.
    pub retrials: u64,
    /// Offered calls offered a callback, and those who accepted (and hung up).
    pub callbacks_offered: u64,
    pub callbacks_accepted: u64,
    /// Accepted callbacks an agent made, and the time from the request to the callback.
    pub callbacks_completed: u64,
    pub callback_wait_sum_us: u128,
}

impl CallCounts {
    /// Adds `other` into `self`.
    pub fn merge(&mut self, o: &CallCounts) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.unresolved += o.unresolved;
        self.disconnected += o.disconnected;
        self.balked += o.balked;
        self.blocked += o.blocked;
        self.answered_in_sl += o.answered_in_sl;
        self.abandoned_in_sl += o.abandoned_in_sl;
        self.zero_waits += o.zero_waits;
        self.wait_sum_us += o.wait_sum_us;
        self.abandoned_wait_sum_us += o.abandoned_wait_sum_us;
        self.handle_sum_us += o.handle_sum_us;
        self.talk_sum_us += o.talk_sum_us;
        self.escalations += o.escalations;
        self.supervised += o.supervised;
        self.escalation_abandoned += o.escalation_abandoned;
        self.supervisor_zero_waits += o.supervisor_zero_waits;
        self.supervisor_wait_sum_us += o.supervisor_wait_sum_us;
        self.retrials += o.retrials;
        self.callbacks_offered += o.callbacks_offered;
        self.callbacks_accepted += o.callbacks_accepted;
        self.callbacks_completed += o.callbacks_completed;
        self.callback_wait_sum_us += o.callback_wait_sum_us;
    }

    /// Rank (1-based, zero waits first) of quantile `q` among answered calls.
    fn rank(&self, q: f64) -> u64 {
        (q * self.answered as f64).ceil().max(1.0) as u64
    }
}

/// One interval of a queue: its calls and a compact histogram of their waits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallCell {
    pub calls: CallCounts,
    /// Positive waits of answered calls (µs).
    pub waits: WaitHistogram,
    /// Positive waits of escalated callers for a supervisor (µs).
    pub supervisor_waits: WaitHistogram,
}

impl Deref for CallCell {
    type Target = CallCounts;
    fn deref(&self) -> &CallCounts {
        &self.calls
    }
}

impl DerefMut for CallCell {
    fn deref_mut(&mut self) -> &mut CallCounts {
        &mut self.calls
    }
}

impl CallCell {
    pub fn merge(&mut self, other: &CallCell) {
        self.calls.merge(&other.calls);
        self.waits.merge(&other.waits);
        self.supervisor_waits.merge(&other.supervisor_waits);
    }
}

/// Where a wait quantile comes from.
pub trait WaitQuantiles {
    /// Wait (seconds) at quantile `q` of answered calls; NaN if none answered.
    fn wait_quantile_s(&self, q: f64) -> f64;
}

impl WaitQuantiles for CallCell {
    fn wait_quantile_s(&self, q: f64) -> f64 {
        if self.answered == 0 {
            return f64::NAN;
        }
        let rank = self.rank(q);
        if rank <= self.zero_waits {
            return 0.0;
        }
        self.waits.value_at_rank(rank - self.zero_waits) as f64 / MICROS_PER_SEC as f64
    }
}

/// A queue (or all queues) over one replication: whole-window counts with a
/// histogram of waits at HDR's resolution (3 significant digits), and one
/// cell per interval.
#[derive(Debug, Clone)]
pub struct QueueCounters {
    pub calls: CallCounts,
    /// Positive waits of answered calls, in microseconds.
    pub wait_hist: FineHistogram,
    /// Positive waits of escalated callers for a supervisor, in microseconds.
    pub supervisor_wait_hist: FineHistogram,
    /// One cell per interval of the measured window, by arrival.
    pub intervals: Vec<CallCell>,
}

impl Deref for QueueCounters {
    type Target = CallCounts;
    fn deref(&self) -> &CallCounts {
        &self.calls
    }
}

impl DerefMut for QueueCounters {
    fn deref_mut(&mut self) -> &mut CallCounts {
        &mut self.calls
    }
}

impl Default for QueueCounters {
    fn default() -> Self {
        QueueCounters::with_intervals(0)
    }
}

impl QueueCounters {
    /// Empty counters with `n` interval cells.
    pub fn with_intervals(n: usize) -> QueueCounters {
        QueueCounters {
            calls: CallCounts::default(),
            wait_hist: FineHistogram::default(),
            supervisor_wait_hist: FineHistogram::default(),
            intervals: vec![CallCell::default(); n],
        }
    }

    /// Adds `other` into `self` (histograms add exactly; cells cell by cell).
    pub fn merge(&mut self, other: &QueueCounters) {
        self.calls.merge(&other.calls);
        self.wait_hist.merge(&other.wait_hist);
        self.supervisor_wait_hist.merge(&other.supervisor_wait_hist);
        if self.intervals.len() < other.intervals.len() {
            self.intervals
                .resize(other.intervals.len(), CallCell::default());
        }
        for (a, b) in self.intervals.iter_mut().zip(&other.intervals) {
            a.merge(b);
        }
    }

    /// Records a positive wait in the whole-window histogram.
    #[inline]
    pub fn record_wait(&mut self, wait: u64) {
        self.wait_hist.record(wait);
    }
}

impl WaitQuantiles for QueueCounters {
    fn wait_quantile_s(&self, q: f64) -> f64 {
        if self.answered == 0 {
            return f64::NAN;
        }
        // Rank of the quantile among all answered waits, zero waits first.
        let rank = self.rank(q);
        if rank <= self.zero_waits {
            return 0.0;
        }
        let positive = self.answered - self.zero_waits;
        let q_pos = (rank - self.zero_waits) as f64 / positive as f64;
        self.wait_hist.value_at_quantile(q_pos.min(1.0)) as f64 / MICROS_PER_SEC as f64
    }
}

/// Agent time of a group (or all groups), over the whole run or one interval.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentTime {
    /// Calls the agents started handling.
    pub handled: u64,
    /// Handling time (talk + wrap-up).
    pub busy_us: u128,
    /// Time on the floor: idle or handling.
    pub logged_us: u128,
    /// Time on break.
    pub break_us: u128,
    /// Time agents stayed beyond their schedule to finish a call (or to drain the queues).
    pub overtime_us: u128,
    /// Time on the floor blocked with a caller on hold for a supervisor.
    pub blocked_us: u128,
    /// Scheduled (paid) time, shrinkage included; with live commands, the
    /// time of agents they added counts and of those they took off does not.
    pub staffed_us: u128,
    /// Time of agents live commands added to the schedule (paid, in `staffed_us`).
    pub added_us: u128,
    /// Time of scheduled agents live commands took off the floor (unpaid, out of `staffed_us`).
    pub removed_us: u128,
    /// Cost of the scheduled time and overtime, when the group has a cost per hour.
    pub cost: Option<f64>,
}

impl AgentTime {
    pub fn merge(&mut self, o: &AgentTime) {
        self.handled += o.handled;
        self.busy_us += o.busy_us;
        self.logged_us += o.logged_us;
        self.break_us += o.break_us;
        self.overtime_us += o.overtime_us;
        self.blocked_us += o.blocked_us;
        self.staffed_us += o.staffed_us;
        self.added_us += o.added_us;
        self.removed_us += o.removed_us;
        self.cost = match (self.cost, o.cost) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }

    /// Time handling calls or blocked with a caller on hold ÷ time on the floor.
    pub fn occupancy(&self) -> f64 {
        ratio(
            (self.busy_us + self.blocked_us) as f64,
            self.logged_us as f64,
        )
    }

    /// Calls handled per agent-hour on the floor.
    pub fn calls_per_agent_hour(&self) -> f64 {
        ratio(self.handled as f64, hours(self.logged_us))
    }
}

/// Microseconds to hours.
pub fn hours(us: u128) -> f64 {
    us as f64 / (3600.0 * MICROS_PER_SEC as f64)
}

/// Time accounting of one agent group over one replication.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupCounters {
    /// Agents in the group (most scheduled at once).
    pub agents: u32,
    /// The whole run: measured window, and the drain when there is one.
    pub time: AgentTime,
    /// Handling time of calls answered before the end that falls after the end
    /// of the run (with `busy_us`, it accounts for every answered call's whole handle time).
    pub busy_after_end_us: u128,
    /// One cell per interval of the measured window, then one for the drain if any.
    pub intervals: Vec<AgentTime>,
}

impl Deref for GroupCounters {
    type Target = AgentTime;
    fn deref(&self) -> &AgentTime {
        &self.time
    }
}

impl DerefMut for GroupCounters {
    fn deref_mut(&mut self) -> &mut AgentTime {
        &mut self.time
    }
}

impl GroupCounters {
    pub fn merge(&mut self, other: &GroupCounters) {
        self.agents += other.agents;
        self.time.merge(&other.time);
        self.busy_after_end_us += other.busy_after_end_us;
        if self.intervals.len() < other.intervals.len() {
            self.intervals
                .resize(other.intervals.len(), AgentTime::default());
        }
        for (a, b) in self.intervals.iter_mut().zip(&other.intervals) {
            a.merge(b);
        }
    }
}

/// What a campaign's dialer did in one interval (counted when it happened).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DialCell {
    pub dials: u64,
    /// First dials of a record of the list.
    pub records: u64,
    pub live_answers: u64,
    /// Connected calls, and the time their agent had been idle or waiting
    /// for a dial's outcome just before (µs).
    pub connects_timed: u64,
    pub idle_before_connect_us: u128,
}

impl DialCell {
    pub fn merge(&mut self, o: &DialCell) {
        self.dials += o.dials;
        self.records += o.records;
        self.live_answers += o.live_answers;
        self.connects_timed += o.connects_timed;
        self.idle_before_connect_us += o.idle_before_connect_us;
    }
}

/// A campaign over one replication: its dialer's counts, and the calls of
/// its live answers (answered = connected, abandoned = silent calls).
#[derive(Debug, Clone, Default)]
pub struct CampaignCounters {
    pub dials: DialCell,
    pub intervals: Vec<DialCell>,
    pub calls: QueueCounters,
}

/// Campaign metrics, in report order.
pub const CAMPAIGN_METRICS: [&str; 11] = [
    "dials",
    "live_answers",
    "connects",
    "abandoned",
    "abandon_rate",
    "cap_breached",
    "contacts_per_agent_hour",
    "list_penetration",
    "talk_s",
    "idle_between_calls_s",
    "records_dialled",
];

/// Values of [`CAMPAIGN_METRICS`]: `logged_us` is the time on the floor of
/// the agents holding the campaign's skill; `list_size` the records in its list.
pub fn campaign_metrics(
    d: &DialCell,
    calls: &CallCounts,
    logged_us: u128,
    list_size: Option<u64>,
    cap: f64,
) -> [f64; CAMPAIGN_METRICS.len()] {
    let us = MICROS_PER_SEC as f64;
    let abandon_rate = ratio(calls.abandoned as f64, d.live_answers as f64);
    let breached = if abandon_rate.is_finite() {
        (abandon_rate > cap) as u8 as f64
    } else {
        f64::NAN
    };
    [
        d.dials as f64,
        d.live_answers as f64,
        calls.answered as f64,
        calls.abandoned as f64,
        abandon_rate,
        breached,
        ratio(calls.answered as f64, hours(logged_us)),
        list_size.map_or(f64::NAN, |n| d.records as f64 / n as f64),
        ratio(calls.talk_sum_us as f64 / us, calls.answered as f64),
        ratio(
            d.idle_before_connect_us as f64 / us,
            d.connects_timed as f64,
        ),
        d.records as f64,
    ]
}

/// Cost per handled call: the metric of the total that no single group has.
pub const TOTAL_METRICS: [&str; 1] = ["cost_per_handled_call"];

/// Values of [`TOTAL_METRICS`].
pub fn total_metrics(g: &AgentTime) -> [f64; TOTAL_METRICS.len()] {
    [ratio(g.cost.unwrap_or(f64::NAN), g.handled as f64)]
}

/// Everything one replication measured.
#[derive(Debug, Clone)]
pub struct ReplicationStats {
    pub replication: u32,
    pub queues: Vec<QueueCounters>,
    pub groups: Vec<GroupCounters>,
    /// Outbound campaigns (empty without).
    pub campaigns: Vec<CampaignCounters>,
    /// Length of each agent-time cell (µs): the intervals, then the drain if any.
    pub cell_us: Vec<u64>,
    /// Every call generated, warm-up included.
    pub calls_generated: u64,
    /// Events processed.
    pub events: u64,
    /// When a `stop` command (or Ctrl-C in a live run) ended the run (µs of
    /// run time); `None` when it ran to its end.
    pub stopped_at_us: Option<u64>,
}

impl ReplicationStats {
    /// All queues together.
    pub fn total_queue(&self) -> QueueCounters {
        let mut t = QueueCounters::default();
        for q in &self.queues {
            t.merge(q);
        }
        t
    }

    /// All groups together.
    pub fn total_group(&self) -> GroupCounters {
        let mut t = GroupCounters::default();
        for g in &self.groups {
            t.merge(g);
        }
        t
    }
}

/// `num / den`, NaN when the denominator is zero (an undefined rate, not zero).
#[inline]
pub fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        f64::NAN
    } else {
        num / den
    }
}

/// The call metrics of a queue or of the total, in report order.
pub const CALL_METRICS: [&str; 21] = [
    "offered",
    "answered",
    "abandoned",
    "unresolved",
    "service_level",
    "abandon_rate",
    "asa_s",
    "wait_p50_s",
    "wait_p90_s",
    "wait_p99_s",
    "abandoned_wait_s",
    "aht_s",
    "talk_s",
    "blocked",
    "balked",
    "disconnected",
    "answered_within_threshold",
    "abandoned_within_threshold",
    "service_level_of_answered",
    "service_level_excl_short_abandons",
    "sl_target_met",
];

/// Values of [`CALL_METRICS`] for one set of counters (NaN where undefined).
/// `target`: the service-level target, for `sl_target_met` (1 met, 0 missed).
pub fn call_metrics<C: Deref<Target = CallCounts> + WaitQuantiles>(
    c: &C,
    target: Option<f64>,
) -> [f64; CALL_METRICS.len()] {
    let us = MICROS_PER_SEC as f64;
    let service_level = ratio(c.answered_in_sl as f64, c.offered as f64);
    let met = match target {
        Some(t) if service_level.is_finite() => {
            if service_level >= t {
                1.0
            } else {
                0.0
            }
        }
        _ => f64::NAN,
    };
    [
        c.offered as f64,
        c.answered as f64,
        c.abandoned as f64,
        c.unresolved as f64,
        service_level,
        ratio(c.abandoned as f64, c.offered as f64),
        ratio(c.wait_sum_us as f64 / us, c.answered as f64),
        c.wait_quantile_s(0.5),
        c.wait_quantile_s(0.9),
        c.wait_quantile_s(0.99),
        ratio(c.abandoned_wait_sum_us as f64 / us, c.abandoned as f64),
        ratio(c.handle_sum_us as f64 / us, c.answered as f64),
        ratio(c.talk_sum_us as f64 / us, c.answered as f64),
        c.blocked as f64,
        c.balked as f64,
        c.disconnected as f64,
        c.answered_in_sl as f64,
        c.abandoned_in_sl as f64,
        ratio(c.answered_in_sl as f64, c.answered as f64),
        ratio(
            c.answered_in_sl as f64,
            (c.offered - c.abandoned_in_sl) as f64,
        ),
        met,
    ]
}

/// Escalation metrics of a queue or of the total, reported when some queue escalates.
pub const ESCALATION_METRICS: [&str; 5] = [
    "escalations",
    "escalation_rate",
    "supervisor_wait_s",
    "supervisor_wait_p90_s",
    "escalation_abandoned",
];

/// Values of [`ESCALATION_METRICS`]; `p90_s` is the 90th percentile of the
/// supervisor waits (seconds), computed by the caller from its histogram.
pub fn escalation_metrics(c: &CallCounts, p90_s: f64) -> [f64; ESCALATION_METRICS.len()] {
    let us = MICROS_PER_SEC as f64;
    [
        c.escalations as f64,
        ratio(c.escalations as f64, c.answered as f64),
        ratio(c.supervisor_wait_sum_us as f64 / us, c.supervised as f64),
        p90_s,
        c.escalation_abandoned as f64,
    ]
}

/// Quantile `q` (seconds) of supervisor waits from the count of zero waits
/// and the positive ones (`at_rank(r)`: the r-th smallest positive wait, µs).
pub fn supervisor_wait_quantile_s(c: &CallCounts, q: f64, at_rank: impl Fn(u64) -> u64) -> f64 {
    if c.supervised == 0 {
        return f64::NAN;
    }
    let rank = (q * c.supervised as f64).ceil().max(1.0) as u64;
    if rank <= c.supervisor_zero_waits {
        return 0.0;
    }
    at_rank(rank - c.supervisor_zero_waits) as f64 / MICROS_PER_SEC as f64
}

/// Queue metrics reported when some queue has retrials.
pub const RETRIAL_METRICS: [&str; 1] = ["retrials"];

/// Values of [`RETRIAL_METRICS`].
pub fn retrial_metrics(c: &CallCounts) -> [f64; RETRIAL_METRICS.len()] {
    [c.retrials as f64]
}

/// Queue metrics reported when some queue offers callbacks.
pub const CALLBACK_METRICS: [&str; 4] = [
    "callbacks_offered",
    "callbacks_accepted",
    "callbacks_completed",
    "callback_wait_s",
];

/// Values of [`CALLBACK_METRICS`].
pub fn callback_metrics(c: &CallCounts) -> [f64; CALLBACK_METRICS.len()] {
    [
        c.callbacks_offered as f64,
        c.callbacks_accepted as f64,
        c.callbacks_completed as f64,
        ratio(
            c.callback_wait_sum_us as f64 / MICROS_PER_SEC as f64,
            c.callbacks_completed as f64,
        ),
    ]
}

/// Agent metrics reported when some queue escalates.
pub const BLOCKED_METRICS: [&str; 2] = ["blocked_hours", "blocked_share"];

/// Values of [`BLOCKED_METRICS`].
pub fn blocked_metrics(g: &AgentTime) -> [f64; BLOCKED_METRICS.len()] {
    [
        hours(g.blocked_us),
        ratio(g.blocked_us as f64, g.logged_us as f64),
    ]
}

/// The agent metrics of a group or of the total, in report order.
pub const AGENT_METRICS: [&str; 9] = [
    "agents",
    "handled",
    "occupancy",
    "calls_per_agent_hour",
    "staffed_hours",
    "logged_in_hours",
    "break_hours",
    "overtime_hours",
    "cost",
];

/// Values of [`AGENT_METRICS`]; `agents` is given (the group's size for the
/// whole run, the mean scheduled agents for an interval).
pub fn agent_metrics(g: &AgentTime, agents: f64) -> [f64; AGENT_METRICS.len()] {
    [
        agents,
        g.handled as f64,
        g.occupancy(),
        g.calls_per_agent_hour(),
        hours(g.staffed_us),
        hours(g.logged_us),
        hours(g.break_us),
        hours(g.overtime_us),
        g.cost.unwrap_or(f64::NAN),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(answered: u64, zero_waits: u64) -> QueueCounters {
        QueueCounters {
            calls: CallCounts {
                answered,
                zero_waits,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn quantiles_count_zero_waits() {
        let mut c = counts(10, 6);
        let mut cell = CallCell {
            calls: counts(10, 6).calls,
            ..Default::default()
        };
        for w in [1_000_000u64, 2_000_000, 3_000_000, 4_000_000] {
            c.wait_hist.record(w);
            cell.waits.record(w);
        }
        for (q, want) in [(0.5, 0.0), (0.6, 0.0), (0.7, 1.0), (0.9, 3.0), (1.0, 4.0)] {
            let whole = c.wait_quantile_s(q);
            let interval = cell.wait_quantile_s(q);
            assert!((whole - want).abs() <= want * 0.001, "{q}: {whole}");
            assert!((interval - want).abs() <= want / 128.0, "{q}: {interval}");
        }
    }

    #[test]
    fn metrics_derive_from_counters() {
        let mut c = counts(90, 90);
        c.offered = 100;
        c.abandoned = 8;
        c.unresolved = 2;
        c.answered_in_sl = 72;
        c.abandoned_in_sl = 4;
        c.wait_sum_us = 90 * 5_000_000;
        c.abandoned_wait_sum_us = 8 * 30_000_000;
        c.handle_sum_us = 90 * 200_000_000;
        c.talk_sum_us = 90 * 180_000_000;
        let m = call_metrics(&c, Some(0.8));
        let get = |name: &str| m[CALL_METRICS.iter().position(|&n| n == name).unwrap()];
        assert_eq!(get("service_level"), 0.72);
        assert_eq!(get("abandon_rate"), 0.08);
        assert_eq!(get("asa_s"), 5.0);
        assert_eq!(get("abandoned_wait_s"), 30.0);
        assert_eq!(get("aht_s"), 200.0);
        assert_eq!(get("talk_s"), 180.0);
        assert_eq!(get("service_level_of_answered"), 0.8);
        assert_eq!(get("service_level_excl_short_abandons"), 72.0 / 96.0);
        assert_eq!(get("sl_target_met"), 0.0);
        assert_eq!(call_metrics(&c, Some(0.7))[20], 1.0);
        assert!(call_metrics(&c, None)[20].is_nan());
        c.offered = 0;
        assert!(call_metrics(&c, None)[4].is_nan());
        let g = AgentTime {
            handled: 30,
            busy_us: 3600 * 1_000_000,
            logged_us: 2 * 3600 * 1_000_000,
            staffed_us: 4 * 3600 * 1_000_000,
            cost: Some(80.0),
            ..Default::default()
        };
        assert_eq!(
            agent_metrics(&g, 3.0),
            [3.0, 30.0, 0.5, 15.0, 4.0, 2.0, 0.0, 0.0, 80.0]
        );
    }

    #[test]
    fn merge_adds_everything() {
        let mut a = QueueCounters::with_intervals(2);
        a.offered = 3;
        a.answered = 2;
        a.zero_waits = 1;
        a.wait_hist.record(5);
        a.intervals[1].offered = 3;
        a.intervals[1].waits.record(5);
        let mut b = a.clone();
        b.abandoned = 1;
        a.merge(&b);
        assert_eq!(
            (a.offered, a.answered, a.abandoned, a.zero_waits),
            (6, 4, 1, 2)
        );
        assert_eq!(a.wait_hist.len(), 2);
        assert_eq!(a.intervals[1].offered, 6);
        assert_eq!(a.intervals[1].waits.len(), 2);
        let mut t = AgentTime::default();
        t.merge(&AgentTime {
            cost: Some(2.0),
            ..Default::default()
        });
        t.merge(&AgentTime::default());
        assert_eq!(t.cost, Some(2.0));
    }
}
