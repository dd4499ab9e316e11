//! Statistics of one replication: integer counters and HDR wait histograms
//! per queue, time accounting per agent group, and the metrics derived from
//! them (service level, ASA, percentiles, occupancy...). Calls are counted by
//! their arrival: a call that arrives during the warm-up is never counted,
//! one that arrives in the measured window is counted whatever happens to it.

use crate::time::MICROS_PER_SEC;
use hdrhistogram::Histogram;

/// Counters of one queue (or of all queues together) over one replication.
/// Sums of durations are `u128` microseconds: they cannot overflow whatever
/// the horizon and the number of calls or agents.
#[derive(Debug, Clone)]
pub struct QueueCounters {
    /// Calls that arrived in the measured window.
    pub offered: u64,
    /// Offered calls answered before the end.
    pub answered: u64,
    /// Offered calls whose patience ran out before the end.
    pub abandoned: u64,
    /// Offered calls still waiting at the end.
    pub unresolved: u64,
    /// Answered calls whose wait was within the queue's service-level threshold.
    pub answered_in_sl: u64,
    pub wait_sum_us: u128,
    pub abandoned_wait_sum_us: u128,
    /// Talk + wrap-up of answered calls.
    pub handle_sum_us: u128,
    pub talk_sum_us: u128,
    /// Answered calls that did not wait at all (kept apart from the histogram: the common case).
    pub zero_waits: u64,
    /// Positive waits of answered calls, in microseconds.
    pub wait_hist: Histogram<u64>,
}

impl Default for QueueCounters {
    fn default() -> Self {
        QueueCounters {
            offered: 0,
            answered: 0,
            abandoned: 0,
            unresolved: 0,
            answered_in_sl: 0,
            wait_sum_us: 0,
            abandoned_wait_sum_us: 0,
            handle_sum_us: 0,
            talk_sum_us: 0,
            zero_waits: 0,
            wait_hist: Histogram::new(3).expect("3 significant digits is valid"),
        }
    }
}

impl QueueCounters {
    /// Adds `other` into `self` (histograms add exactly).
    pub fn merge(&mut self, other: &QueueCounters) {
        self.offered += other.offered;
        self.answered += other.answered;
        self.abandoned += other.abandoned;
        self.unresolved += other.unresolved;
        self.answered_in_sl += other.answered_in_sl;
        self.wait_sum_us += other.wait_sum_us;
        self.abandoned_wait_sum_us += other.abandoned_wait_sum_us;
        self.handle_sum_us += other.handle_sum_us;
        self.talk_sum_us += other.talk_sum_us;
        self.zero_waits += other.zero_waits;
        self.wait_hist
            .add(&other.wait_hist)
            .expect("auto-resizing histograms always add");
    }

    /// Wait (seconds) at quantile `q` of answered calls; NaN if none answered.
    pub fn wait_quantile_s(&self, q: f64) -> f64 {
        if self.answered == 0 {
            return f64::NAN;
        }
        // Rank of the quantile among all answered waits, zero waits first.
        let rank = (q * self.answered as f64).ceil().max(1.0) as u64;
        if rank <= self.zero_waits {
            return 0.0;
        }
        let positive = self.answered - self.zero_waits;
        let q_pos = (rank - self.zero_waits) as f64 / positive as f64;
        self.wait_hist.value_at_quantile(q_pos.min(1.0)) as f64 / MICROS_PER_SEC as f64
    }
}

/// Time accounting of one agent group over the measured window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupCounters {
    pub agents: u32,
    /// Calls the group's agents started handling in the measured window.
    pub handled: u64,
    /// Handling time (talk + wrap-up) inside the measured window.
    pub busy_us: u128,
    /// Logged-in time inside the measured window.
    pub logged_us: u128,
    /// Handling time of calls answered before the end that falls after the end
    /// (with `busy_us`, it accounts for every answered call's whole handle time).
    pub busy_after_end_us: u128,
}

impl GroupCounters {
    pub fn merge(&mut self, other: &GroupCounters) {
        self.agents += other.agents;
        self.handled += other.handled;
        self.busy_us += other.busy_us;
        self.logged_us += other.logged_us;
        self.busy_after_end_us += other.busy_after_end_us;
    }

    /// Handling time ÷ logged-in time.
    pub fn occupancy(&self) -> f64 {
        ratio(self.busy_us as f64, self.logged_us as f64)
    }

    /// Calls handled per logged-in agent-hour.
    pub fn calls_per_agent_hour(&self) -> f64 {
        ratio(
            self.handled as f64,
            self.logged_us as f64 / (3600.0 * MICROS_PER_SEC as f64),
        )
    }
}

/// Everything one replication measured.
#[derive(Debug, Clone)]
pub struct ReplicationStats {
    pub replication: u32,
    pub queues: Vec<QueueCounters>,
    pub groups: Vec<GroupCounters>,
    /// Every call generated, warm-up included.
    pub calls_generated: u64,
    /// Events processed.
    pub events: u64,
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
pub const CALL_METRICS: [&str; 13] = [
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
];

/// Values of [`CALL_METRICS`] for one set of counters (NaN where undefined).
pub fn call_metrics(c: &QueueCounters) -> [f64; CALL_METRICS.len()] {
    let us = MICROS_PER_SEC as f64;
    [
        c.offered as f64,
        c.answered as f64,
        c.abandoned as f64,
        c.unresolved as f64,
        ratio(c.answered_in_sl as f64, c.offered as f64),
        ratio(c.abandoned as f64, c.offered as f64),
        ratio(c.wait_sum_us as f64 / us, c.answered as f64),
        c.wait_quantile_s(0.5),
        c.wait_quantile_s(0.9),
        c.wait_quantile_s(0.99),
        ratio(c.abandoned_wait_sum_us as f64 / us, c.abandoned as f64),
        ratio(c.handle_sum_us as f64 / us, c.answered as f64),
        ratio(c.talk_sum_us as f64 / us, c.answered as f64),
    ]
}

/// The agent metrics of a group or of the total, in report order.
pub const AGENT_METRICS: [&str; 3] = ["handled", "occupancy", "calls_per_agent_hour"];

/// Values of [`AGENT_METRICS`].
pub fn agent_metrics(g: &GroupCounters) -> [f64; AGENT_METRICS.len()] {
    [g.handled as f64, g.occupancy(), g.calls_per_agent_hour()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_count_zero_waits() {
        let mut c = QueueCounters {
            answered: 10,
            zero_waits: 6,
            ..Default::default()
        };
        for w in [1_000_000u64, 2_000_000, 3_000_000, 4_000_000] {
            c.wait_hist.record(w).unwrap();
        }
        assert_eq!(c.wait_quantile_s(0.5), 0.0);
        assert_eq!(c.wait_quantile_s(0.6), 0.0);
        let p70 = c.wait_quantile_s(0.7);
        assert!((p70 - 1.0).abs() < 0.001, "{p70}");
        let p90 = c.wait_quantile_s(0.9);
        assert!((p90 - 3.0).abs() < 0.003, "{p90}");
        let p100 = c.wait_quantile_s(1.0);
        assert!((p100 - 4.0).abs() < 0.004, "{p100}");
    }

    #[test]
    fn metrics_derive_from_counters() {
        let mut c = QueueCounters {
            offered: 100,
            answered: 90,
            abandoned: 8,
            unresolved: 2,
            answered_in_sl: 72,
            wait_sum_us: 90 * 5_000_000,
            abandoned_wait_sum_us: 8 * 30_000_000,
            handle_sum_us: 90 * 200_000_000,
            talk_sum_us: 90 * 180_000_000,
            zero_waits: 90,
            ..Default::default()
        };
        let m = call_metrics(&c);
        assert_eq!(m[4], 0.72);
        assert_eq!(m[5], 0.08);
        assert_eq!(m[6], 5.0);
        assert_eq!(m[10], 30.0);
        assert_eq!(m[11], 200.0);
        assert_eq!(m[12], 180.0);
        c.offered = 0;
        assert!(call_metrics(&c)[4].is_nan());
        let g = GroupCounters {
            agents: 2,
            handled: 30,
            busy_us: 3600 * 1_000_000,
            logged_us: 2 * 3600 * 1_000_000,
            busy_after_end_us: 0,
        };
        assert_eq!(agent_metrics(&g), [30.0, 0.5, 15.0]);
    }

    #[test]
    fn merge_adds_everything() {
        let mut a = QueueCounters {
            offered: 3,
            answered: 2,
            zero_waits: 1,
            ..Default::default()
        };
        a.wait_hist.record(5).unwrap();
        let mut b = a.clone();
        b.abandoned = 1;
        a.merge(&b);
        assert_eq!(
            (a.offered, a.answered, a.abandoned, a.zero_waits),
            (6, 4, 1, 2)
        );
        assert_eq!(a.wait_hist.len(), 2);
    }
}
