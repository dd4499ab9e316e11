//! What one replication reports: the value of every metric for the total,
//! each queue and each agent group, over the whole run and for each interval
//! (NaN where a metric is undefined). Computed in the worker that ran the
//! replication, so only these numbers travel back, not the counters.

use crate::scenario::Scenario;
use crate::stats::{
    agent_metrics, call_metrics, total_metrics, AgentTime, CallCell, ReplicationStats,
    AGENT_METRICS, CALL_METRICS, TOTAL_METRICS,
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

/// Every metric of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationMetrics {
    pub replication: u32,
    pub total_calls: CallValues,
    pub total_agents: AgentValues,
    pub total_extra: Values<{ TOTAL_METRICS.len() }>,
    pub queues: Vec<CallValues>,
    pub groups: Vec<AgentValues>,
    pub calls_generated: u64,
    pub events: u64,
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
            calls_generated: s.calls_generated,
            events: s.events,
        }
    }
}
