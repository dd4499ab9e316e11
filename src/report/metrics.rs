//! What one replication reports: the value of every metric for the total,
//! each queue and each agent group, over the whole run and for each interval
//! (NaN where a metric is undefined). Computed in the worker that ran the
//! replication, so only these numbers travel back, not the counters.

use crate::scenario::Scenario;
use crate::stats::{
    agent_metrics, blocked_metrics, call_metrics, escalation_metrics, supervisor_wait_quantile_s,
    total_metrics, AgentTime, CallCell, QueueCounters, ReplicationStats, AGENT_METRICS,
    BLOCKED_METRICS, CALL_METRICS, ESCALATION_METRICS, TOTAL_METRICS,
};

/// Values of one scope: the whole run, then each interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Values<const N: usize> {
    pub whole: [f64; N],
    pub intervals: Vec<[f64; N]>,
}

/// Call-metric values.
pub type CallValues = Values<{ CALL_METRICS.len() }>;
/// Agent-metric values.
pub type AgentValues = Values<{ AGENT_METRICS.len() }>;

/// Escalation-metric values (of a queue or the total).
pub type EscalationValues = Values<{ ESCALATION_METRICS.len() }>;
/// Blocked-time values (of a group or the total).
pub type BlockedValues = Values<{ BLOCKED_METRICS.len() }>;

/// The metrics of escalations, when some queue escalates.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationReport {
    pub total: EscalationValues,
    pub queues: Vec<EscalationValues>,
    pub total_blocked: BlockedValues,
    pub groups: Vec<BlockedValues>,
}

/// Values of one metric set for the total and each queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSet<const N: usize> {
    pub total: Values<N>,
    pub queues: Vec<Values<N>>,
}

impl<const N: usize> QueueSet<N> {
    /// `f` applied to the total's and every queue's counts, whole run and by interval.
    fn of(
        s: &ReplicationStats,
        total: &QueueCounters,
        f: impl Fn(&crate::stats::CallCounts) -> [f64; N],
    ) -> Self {
        let cells = s.cell_us.len();
        let values = |q: &QueueCounters| Values {
            whole: f(&q.calls),
            intervals: (0..cells)
                .map(|c| match q.intervals.get(c) {
                    Some(cell) => f(&cell.calls),
                    None => f(&Default::default()),
                })
                .collect(),
        };
        QueueSet {
            total: values(total),
            queues: s.queues.iter().map(values).collect(),
        }
    }
}

/// Campaign-metric values.
pub type CampaignValues = Values<{ crate::stats::CAMPAIGN_METRICS.len() }>;

/// Every metric of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationMetrics {
    pub replication: u32,
    pub total_calls: CallValues,
    pub total_agents: AgentValues,
    pub total_extra: Values<{ TOTAL_METRICS.len() }>,
    pub queues: Vec<CallValues>,
    pub groups: Vec<AgentValues>,
    /// `None` when no queue escalates (nothing is reported of it).
    pub escalation: Option<EscalationReport>,
    /// One per campaign.
    pub campaigns: Vec<CampaignValues>,
    /// Retrials of the total and each queue, when some queue has them.
    pub retrial: Option<QueueSet<{ crate::stats::RETRIAL_METRICS.len() }>>,
    /// Callbacks of the total and each queue, when some queue offers them.
    pub callback: Option<QueueSet<{ crate::stats::CALLBACK_METRICS.len() }>>,
    pub calls_generated: u64,
    pub events: u64,
    /// When a `stop` command ended the replication (seconds of run time).
    pub stopped_at_s: Option<f64>,
}

/// Mean scheduled agents of a cell of `len` µs.
fn mean_agents(t: &AgentTime, len: u64) -> f64 {
    if len == 0 {
        0.0
    } else {
        t.staffed_us as f64 / len as f64
    }
}

impl ReplicationMetrics {
    /// The metrics of one replication of `sc`.
    pub fn from_stats(sc: &Scenario, s: &ReplicationStats) -> ReplicationMetrics {
        let cells = s.cell_us.len();
        let calls = |whole: &crate::stats::QueueCounters, target: Option<f64>| CallValues {
            whole: call_metrics(whole, target),
            intervals: (0..cells)
                .map(|c| match whole.intervals.get(c) {
                    Some(cell) => call_metrics(cell, target),
                    // The drain has no arrivals.
                    None => call_metrics(&CallCell::default(), target),
                })
                .collect(),
        };
        let agents = |g: &crate::stats::GroupCounters| AgentValues {
            whole: agent_metrics(&g.time, g.agents as f64),
            intervals: g
                .intervals
                .iter()
                .zip(&s.cell_us)
                .map(|(t, &len)| agent_metrics(t, mean_agents(t, len)))
                .collect(),
        };
        let total_queue = s.total_queue();
        let total_group = s.total_group();
        ReplicationMetrics {
            replication: s.replication,
            total_calls: calls(&total_queue, sc.service_level_target),
            total_agents: agents(&total_group),
            total_extra: Values {
                whole: total_metrics(&total_group.time),
                intervals: total_group.intervals.iter().map(total_metrics).collect(),
            },
            queues: s
                .queues
                .iter()
                .zip(&sc.queues)
                .map(|(q, queue)| calls(q, queue.service_level_target))
                .collect(),
            groups: s.groups.iter().map(agents).collect(),
            escalation: sc
                .queues
                .iter()
                .any(|q| q.escalation.is_some())
                .then(|| escalation_report(s, &total_queue, &total_group)),
            retrial: sc
                .queues
                .iter()
                .any(|q| q.retrial.is_some())
                .then(|| QueueSet::of(s, &total_queue, crate::stats::retrial_metrics)),
            callback: sc
                .queues
                .iter()
                .any(|q| q.callback.is_some())
                .then(|| QueueSet::of(s, &total_queue, crate::stats::callback_metrics)),
            campaigns: s
                .campaigns
                .iter()
                .zip(&sc.campaigns)
                .map(|(c, camp)| campaign_values(sc, s, c, camp))
                .collect(),
            calls_generated: s.calls_generated,
            events: s.events,
            stopped_at_s: s.stopped_at_us.map(|us| us as f64 / 1e6),
        }
    }
}

/// Escalation values of a queue (or the total) over the whole run and by interval.
fn escalation_values(q: &QueueCounters, cells: usize) -> EscalationValues {
    let whole_p90 = supervisor_wait_quantile_s(&q.calls, 0.9, |r| {
        let positive = q.supervised - q.supervisor_zero_waits;
        q.supervisor_wait_hist
            .value_at_quantile((r as f64 / positive as f64).min(1.0))
    });
    EscalationValues {
        whole: escalation_metrics(&q.calls, whole_p90),
        intervals: (0..cells)
            .map(|c| match q.intervals.get(c) {
                Some(cell) => {
                    let p90 = supervisor_wait_quantile_s(&cell.calls, 0.9, |r| {
                        cell.supervisor_waits.value_at_rank(r)
                    });
                    escalation_metrics(&cell.calls, p90)
                }
                None => escalation_metrics(&Default::default(), f64::NAN),
            })
            .collect(),
    }
}

fn blocked_values(g: &crate::stats::GroupCounters) -> BlockedValues {
    BlockedValues {
        whole: blocked_metrics(&g.time),
        intervals: g.intervals.iter().map(blocked_metrics).collect(),
    }
}

fn escalation_report(
    s: &ReplicationStats,
    total_queue: &QueueCounters,
    total_group: &crate::stats::GroupCounters,
) -> EscalationReport {
    let cells = s.cell_us.len();
    EscalationReport {
        total: escalation_values(total_queue, cells),
        queues: s
            .queues
            .iter()
            .map(|q| escalation_values(q, cells))
            .collect(),
        total_blocked: blocked_values(total_group),
        groups: s.groups.iter().map(blocked_values).collect(),
    }
}

/// The metrics of one campaign, whole run and by interval.
fn campaign_values(
    sc: &Scenario,
    s: &ReplicationStats,
    c: &crate::stats::CampaignCounters,
    camp: &crate::scenario::Campaign,
) -> CampaignValues {
    // Time on the floor of the agents who hold the campaign's skill.
    let holders: Vec<usize> = (0..sc.agent_groups.len())
        .filter(|&g| sc.agent_groups[g].level(camp.skill).is_some())
        .collect();
    let logged = |cell: Option<usize>| -> u128 {
        holders
            .iter()
            .map(|&g| match cell {
                None => s.groups[g].time.logged_us,
                Some(k) => s.groups[g].intervals.get(k).map_or(0, |t| t.logged_us),
            })
            .sum()
    };
    let metrics = |d: &crate::stats::DialCell, calls: &crate::stats::CallCounts, cell| {
        crate::stats::campaign_metrics(d, calls, logged(cell), camp.list_size, camp.abandon_cap)
    };
    CampaignValues {
        whole: metrics(&c.dials, &c.calls.calls, None),
        intervals: (0..s.cell_us.len())
            .map(|k| {
                let empty = crate::stats::DialCell::default();
                let d = c.intervals.get(k).unwrap_or(&empty);
                match c.calls.intervals.get(k) {
                    Some(cell) => metrics(d, &cell.calls, Some(k)),
                    None => metrics(d, &Default::default(), Some(k)),
                }
            })
            .collect(),
    }
}
