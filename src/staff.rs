//! The staffing solver (`acdsim staff`): the fewest agents per interval, for
//! the chosen groups, such that every interval meets the targets (the mean
//! over replications of the interval's service level, and optionally its
//! abandonment and occupancy).
//!
//! Method:
//! 1. **Start** from the per-interval Erlang A answer (Erlang C without
//!    patience) for the calls the chosen groups can answer, on the floor,
//!    turned into scheduled agents through the group's shrinkage, and split
//!    between several chosen groups in proportion to their current schedule.
//! 2. **Up**: simulate (the scenario's seed and replications: common random
//!    numbers, so every comparison is between the same callers) and add one
//!    agent in every interval that misses a target, to the busiest chosen
//!    group of that interval, until every interval meets the targets.
//! 3. **Down**: simulate every staffing with one agent fewer in one
//!    (group, interval), all in one parallel batch; keep the removals that
//!    still meet every target (several at once when they are not in
//!    neighbouring intervals, confirmed by one more simulation), until no
//!    single removal does. The last batch is the proof of minimality.
//!
//! Limits: intervals interact (calls waiting at a boundary are answered by
//! the next interval's agents), so the result is minimal one agent at a time
//! — no single agent can be removed — not necessarily the least total over
//! all staffings; with several groups it is a heuristic (which group gets the
//! next agent) and another split may use fewer agents.

use crate::erlang;
use crate::runner::{run_variants, Progress, RunOptions};
use crate::scenario::{Scenario, Staffing};
use crate::stats::ReplicationStats;
use crate::time::SimTime;

/// What every interval must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets {
    /// Service level (fraction answered within `threshold`, of offered).
    pub service_level: f64,
    pub threshold: SimTime,
    /// Highest abandonment rate.
    pub max_abandon: Option<f64>,
    /// Highest occupancy of the chosen groups.
    pub max_occupancy: Option<f64>,
}

/// Why no staffing was found.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("{0}")]
    Bad(String),
    #[error("the targets cannot be met: {0}")]
    Unreachable(String),
}

/// What one interval needs and gets.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalStaffing {
    pub label: String,
    /// Calls per hour the chosen groups can answer (offered, scenario rates).
    pub calls_per_hour: f64,
    /// Agents on the floor by Erlang C and Erlang A (`None` when they cannot say).
    pub erlang_c: Option<u32>,
    pub erlang_a: Option<u32>,
    /// Scheduled agents of each chosen group.
    pub staffing: Vec<u32>,
    /// Simulated means over the replications.
    pub service_level: f64,
    pub abandon_rate: f64,
    pub occupancy: f64,
}

/// The solver's answer.
#[derive(Debug, Clone)]
pub struct StaffResult {
    /// The chosen groups.
    pub groups: Vec<usize>,
    pub intervals: Vec<IntervalStaffing>,
    /// The staffed scenario (chosen groups given by `staffing`).
    pub scenario: Scenario,
    /// Staffings simulated (each with every replication).
    pub evaluations: usize,
    /// Scheduled agent-hours of the chosen groups.
    pub agent_hours: f64,
    /// Their cost, when they have a cost per hour.
    pub cost: Option<f64>,
}

/// Per-interval means of one staffing.
#[derive(Debug, Clone)]
struct Outcome {
    sl: Vec<f64>,
    abandon: Vec<f64>,
    occupancy: Vec<f64>,
    /// Per chosen group, per interval.
    group_occupancy: Vec<Vec<f64>>,
}

/// One replication's per-interval figures for the chosen queues and groups.
struct RepFigures {
    sl: Vec<f64>,
    abandon: Vec<f64>,
    occupancy: Vec<f64>,
    group_occupancy: Vec<Vec<f64>>,
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values.filter(|v| v.is_finite()) {
        sum += v;
        n += 1;
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// The solver's view of a scenario.
struct Problem<'a> {
    base: &'a Scenario,
    groups: Vec<usize>,
    /// Queues some chosen group can answer.
    queues: Vec<usize>,
    intervals: usize,
    targets: Targets,
    opts: RunOptions,
}

impl Problem<'_> {
    /// The scenario with the chosen groups staffed by `s` (one list per chosen group).
    fn scenario(&self, s: &[Vec<u32>]) -> Scenario {
        let mut sc = self.base.clone();
        for (i, &g) in self.groups.iter().enumerate() {
            sc.agent_groups[g].staffing = Staffing::PerInterval(s[i].clone());
        }
        sc
    }

    fn figures(&self, st: &ReplicationStats) -> RepFigures {
        let k = self.intervals;
        let mut sl = vec![f64::NAN; k];
        let mut abandon = vec![f64::NAN; k];
        for c in 0..k {
            let (mut offered, mut in_sl, mut ab) = (0u64, 0u64, 0u64);
            for &q in &self.queues {
                let cell = &st.queues[q].intervals[c];
                offered += cell.offered;
                in_sl += cell.answered_in_sl;
                ab += cell.abandoned;
            }
            if offered > 0 {
                sl[c] = in_sl as f64 / offered as f64;
                abandon[c] = ab as f64 / offered as f64;
            }
        }
        let occ = |cells: &[&crate::stats::AgentTime]| {
            let busy: u128 = cells.iter().map(|t| t.busy_us).sum();
            let logged: u128 = cells.iter().map(|t| t.logged_us).sum();
            crate::stats::ratio(busy as f64, logged as f64)
        };
        let occupancy = (0..k)
            .map(|c| {
                let cells: Vec<_> = self
                    .groups
                    .iter()
                    .map(|&g| &st.groups[g].intervals[c])
                    .collect();
                occ(&cells)
            })
            .collect();
        let group_occupancy = self
            .groups
            .iter()
            .map(|&g| (0..k).map(|c| occ(&[&st.groups[g].intervals[c]])).collect())
            .collect();
        RepFigures {
            sl,
            abandon,
            occupancy,
            group_occupancy,
        }
    }

    /// Simulates several staffings in one parallel batch.
    fn evaluate(
        &self,
        staffings: &[Vec<Vec<u32>>],
        progress: &mut dyn FnMut(Progress),
    ) -> Vec<Outcome> {
        let variants: Vec<Scenario> = staffings.iter().map(|s| self.scenario(s)).collect();
        let reps = run_variants(&variants, self.opts, |_, st| self.figures(&st), progress);
        reps.into_iter()
            .map(|r| {
                let k = self.intervals;
                Outcome {
                    sl: (0..k).map(|c| mean(r.iter().map(|x| x.sl[c]))).collect(),
                    abandon: (0..k)
                        .map(|c| mean(r.iter().map(|x| x.abandon[c])))
                        .collect(),
                    occupancy: (0..k)
                        .map(|c| mean(r.iter().map(|x| x.occupancy[c])))
                        .collect(),
                    group_occupancy: (0..self.groups.len())
                        .map(|g| {
                            (0..k)
                                .map(|c| mean(r.iter().map(|x| x.group_occupancy[g][c])))
                                .collect()
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// Intervals that miss a target, with how far they are from missing
    /// (the smallest margin over every target; negative when missed).
    fn margins(&self, o: &Outcome) -> Vec<f64> {
        (0..self.intervals)
            .map(|c| {
                let mut m = f64::INFINITY;
                if o.sl[c].is_finite() {
                    m = m.min(o.sl[c] - self.targets.service_level);
                }
                if let (Some(max), true) = (self.targets.max_abandon, o.abandon[c].is_finite()) {
                    m = m.min(max - o.abandon[c]);
                }
                if let (Some(max), true) = (self.targets.max_occupancy, o.occupancy[c].is_finite())
                {
                    m = m.min(max - o.occupancy[c]);
                }
                m
            })
            .collect()
    }
}

/// Offered loads (erlangs) above which no Erlang estimate is attempted.
const MAX_ERLANG_LOAD: f64 = 1e6;

/// Per-interval Erlang C and Erlang A agents on the floor for `queues`.
fn erlang_estimates(
    sc: &Scenario,
    queues: &[usize],
    targets: &Targets,
) -> Vec<(f64, Option<u32>, Option<u32>)> {
    let t = targets.threshold.as_secs_f64();
    (0..sc.intervals())
        .map(|k| {
            let (mut lambda, mut work, mut patience_weight, mut patience_sum) =
                (0.0, 0.0, 0.0, 0.0);
            for &q in queues {
                let queue = &sc.queues[q];
                let rate = *queue.arrivals.rate_per_hour.at(k);
                let aht = queue.handle_time.at(k).mean_s()
                    + queue.wrap_up.as_ref().map_or(0.0, |w| w.at(k).mean_s());
                lambda += rate;
                work += rate * aht;
                if let Some(p) = &queue.patience {
                    patience_sum += rate * p.at(k).mean_s();
                    patience_weight += rate;
                }
            }
            if lambda <= 0.0 {
                return (0.0, Some(0), Some(0));
            }
            let (rate_s, aht) = (lambda / 3600.0, work / lambda);
            if rate_s * aht > MAX_ERLANG_LOAD {
                // Beyond what the formulas evaluate in reasonable time: the
                // simulation alone finds the staffing.
                return (lambda, None, None);
            }
            let with_occupancy_cap = |n: u32, load: f64| {
                let mut n = n;
                if let Some(max) = targets.max_occupancy {
                    n = n.max((load / max).ceil() as u32);
                }
                n
            };
            let load = rate_s * aht;
            let target = targets.service_level.min(0.999_999);
            let c = erlang::agents_for_service_level_c(rate_s, aht, t, target)
                .ok()
                .map(|r| with_occupancy_cap(r.servers, load));
            let a = if patience_weight > 0.0 {
                let patience = patience_sum / patience_weight;
                erlang::agents_for_service_level_a(rate_s, aht, patience, t, target)
                    .ok()
                    .map(|r| {
                        let mut n = r.servers;
                        if let Some(max) = targets.max_abandon {
                            while n < r.servers + 10_000 {
                                match erlang::erlang_a_metrics(rate_s, aht, patience, n, t) {
                                    Ok(m) if m.p_abandon > max => n += 1,
                                    _ => break,
                                }
                            }
                        }
                        with_occupancy_cap(n, load)
                    })
            } else {
                c
            };
            (lambda, c, a)
        })
        .collect()
}

/// Scheduled agents that put at least `net` on the floor after `shrinkage`.
fn gross(net: u32, shrinkage: f64) -> u32 {
    if shrinkage == 0.0 {
        return net;
    }
    let mut n = (net as f64 / (1.0 - shrinkage)).floor() as u32;
    while ((n as f64) * (1.0 - shrinkage)).round() < net as f64 {
        n += 1;
    }
    n
}

/// Upper bound on agents in one interval of one group before giving up.
const MAX_PER_INTERVAL: u32 = 100_000;
/// Rounds of the up phase before giving up.
const MAX_UP_ROUNDS: usize = 400;

/// Finds the staffing. `progress(phase, p)` reports each batch of simulations.
pub fn staff(
    sc: &Scenario,
    targets: Targets,
    groups: &[usize],
    opts: RunOptions,
    mut progress: impl FnMut(&str, Progress),
) -> Result<StaffResult, StaffError> {
    if groups.is_empty() {
        return Err(StaffError::Bad("no group to staff".into()));
    }
    if !sc.window().0.is_multiple_of(sc.interval.0) {
        return Err(StaffError::Bad(format!(
            "the horizon ({}) is not a whole number of intervals ({}): staffing is found per interval, so make the horizon a multiple of the interval",
            sc.window(),
            sc.interval
        )));
    }
    let mut base = sc.clone();
    for q in &mut base.queues {
        q.service_level_threshold = targets.threshold;
    }
    base.service_level_threshold = targets.threshold;
    base.service_level_target = Some(targets.service_level);
    base.seed = opts.seed;
    base.replications = opts.replications;
    let queues: Vec<usize> = (0..base.queues.len())
        .filter(|&q| {
            groups
                .iter()
                .any(|&g| base.agent_groups[g].level(base.queues[q].skill).is_some())
        })
        .collect();
    if queues.is_empty() {
        return Err(StaffError::Bad("the chosen groups answer no queue".into()));
    }
    let k = base.intervals();
    let problem = Problem {
        base: &base,
        groups: groups.to_vec(),
        queues,
        intervals: k,
        targets,
        opts,
    };
    let erlang = erlang_estimates(&base, &problem.queues, &targets);

    // 1. Start: Erlang A on the floor, split by the current schedule, as scheduled agents.
    let current: Vec<Vec<f64>> = groups.iter().map(|&g| current_schedule(&base, g)).collect();
    let mut s: Vec<Vec<u32>> = vec![vec![0; k]; groups.len()];
    for c in 0..k {
        let net = erlang[c].2.or(erlang[c].1).unwrap_or(0);
        let total: f64 = current.iter().map(|v| v[c]).sum();
        for (i, &g) in groups.iter().enumerate() {
            let share = if total > 0.0 {
                current[i][c] / total
            } else {
                1.0 / groups.len() as f64
            };
            let n = (net as f64 * share).round() as u32;
            s[i][c] = gross(n, base.agent_groups[g].shrinkage);
        }
    }

    // 2. Up: add agents where an interval misses, until all meet.
    let mut evaluations = 0;
    let mut outcome;
    let mut round = 0;
    loop {
        round += 1;
        outcome = problem
            .evaluate(std::slice::from_ref(&s), &mut |p| {
                progress("adding agents", p)
            })
            .remove(0);
        evaluations += 1;
        let margins = problem.margins(&outcome);
        let missing: Vec<usize> = (0..k).filter(|&c| margins[c] < 0.0).collect();
        if missing.is_empty() {
            break;
        }
        if round >= MAX_UP_ROUNDS {
            let labels: Vec<String> = missing.iter().map(|&c| base.interval_label(c)).collect();
            let hint = if groups.len() < base.agent_groups.len() {
                // Typically: a queue the chosen groups serve only after an
                // overflow wait, or mostly answered by a group left as it is.
                let names: Vec<&str> = groups
                    .iter()
                    .map(|&g| base.agent_groups[g].name.as_str())
                    .collect();
                format!(
                    " (more agents in {} do not bring them on target: the queues they serve also depend on the other groups, or reach these groups only after an overflow wait; staff more groups with --group, or all of them without it)",
                    names.join(", ")
                )
            } else {
                String::new()
            };
            return Err(StaffError::Unreachable(format!(
                "after {round} rounds of adding agents, intervals {} still miss{hint}",
                labels.join(", ")
            )));
        }
        for c in missing {
            // The busiest chosen group of the interval gets the agent.
            let i = (0..groups.len())
                .max_by(|&a, &b| {
                    let oa = outcome.group_occupancy[a][c];
                    let ob = outcome.group_occupancy[b][c];
                    oa.partial_cmp(&ob)
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(b.cmp(&a))
                })
                .unwrap_or(0);
            if s[i][c] >= MAX_PER_INTERVAL {
                return Err(StaffError::Unreachable(format!(
                    "interval {} needs more than {MAX_PER_INTERVAL} agents",
                    base.interval_label(c)
                )));
            }
            s[i][c] += 1;
        }
    }

    // 3a. Down, guided: try removing one agent in each interval with room to
    // spare (largest margins first, never two neighbouring intervals), from
    // the least busy group there; halve the set until one simulation confirms.
    loop {
        let margins = problem.margins(&outcome);
        let mut order: Vec<usize> = (0..k).filter(|&c| margins[c] > 0.0).collect();
        order.sort_by(|&a, &b| {
            margins[b]
                .partial_cmp(&margins[a])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        let mut chosen: Vec<(usize, usize)> = Vec::new();
        for c in order {
            if chosen.iter().any(|&(_, o)| o.abs_diff(c) <= 1) {
                continue;
            }
            let least_busy = (0..groups.len()).filter(|&i| s[i][c] > 0).min_by(|&a, &b| {
                let oa = outcome.group_occupancy[a][c];
                let ob = outcome.group_occupancy[b][c];
                oa.partial_cmp(&ob)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(a.cmp(&b))
            });
            if let Some(i) = least_busy {
                chosen.push((i, c));
            }
        }
        if !remove_confirmed(
            &problem,
            &mut s,
            &mut outcome,
            &mut evaluations,
            chosen,
            1,
            &mut progress,
        ) {
            break;
        }
    }

    // 3b. Down, exhaustive: every single removal in one batch, until none
    // keeps every interval on target (that last batch is the proof).
    loop {
        let candidates: Vec<(usize, usize)> = (0..groups.len())
            .flat_map(|i| (0..k).map(move |c| (i, c)))
            .filter(|&(i, c)| s[i][c] > 0)
            .collect();
        if candidates.is_empty() {
            break;
        }
        let staffings: Vec<Vec<Vec<u32>>> = candidates
            .iter()
            .map(|&(i, c)| {
                let mut t = s.clone();
                t[i][c] -= 1;
                t
            })
            .collect();
        let outcomes = problem.evaluate(&staffings, &mut |p| progress("removing agents", p));
        evaluations += staffings.len();
        // Feasible removals, best slack first.
        let mut feasible: Vec<(f64, usize)> = outcomes
            .iter()
            .enumerate()
            .filter_map(|(j, o)| {
                let m = problem.margins(o);
                let worst = m.iter().copied().fold(f64::INFINITY, f64::min);
                (worst >= 0.0).then_some((worst, j))
            })
            .collect();
        if feasible.is_empty() {
            break;
        }
        feasible.sort_by(|a, b| {
            b.0.partial_cmp(&a.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1.cmp(&b.1))
        });
        // Several removals at once when no two touch the same or neighbouring
        // intervals (whatever the group); halved until one simulation confirms them.
        let mut chosen: Vec<usize> = Vec::new();
        for &(_, j) in &feasible {
            let (_, c) = candidates[j];
            if chosen.iter().all(|&o| candidates[o].1.abs_diff(c) > 1) {
                chosen.push(j);
            }
        }
        let chosen: Vec<(usize, usize)> = chosen.iter().map(|&j| candidates[j]).collect();
        if !remove_confirmed(
            &problem,
            &mut s,
            &mut outcome,
            &mut evaluations,
            chosen,
            2,
            &mut progress,
        ) {
            // The best single removal is already known to keep every interval on target.
            let (i, c) = candidates[feasible[0].1];
            s[i][c] -= 1;
            outcome = outcomes[feasible[0].1].clone();
        }
    }

    let staffed = problem.scenario(&s);
    let lengths: Vec<f64> = (0..k)
        .map(|c| {
            let start = c as f64 * base.interval.as_secs_f64();
            (base.window().as_secs_f64() - start).min(base.interval.as_secs_f64()) / 3600.0
        })
        .collect();
    let agent_hours: f64 = s
        .iter()
        .map(|v| {
            v.iter()
                .zip(&lengths)
                .map(|(&n, h)| n as f64 * h)
                .sum::<f64>()
        })
        .sum();
    let costs: Vec<Option<f64>> = groups
        .iter()
        .enumerate()
        .map(|(i, &g)| {
            base.agent_groups[g].cost_per_hour.map(|rate| {
                rate * s[i]
                    .iter()
                    .zip(&lengths)
                    .map(|(&n, h)| n as f64 * h)
                    .sum::<f64>()
            })
        })
        .collect();
    let cost = costs.iter().flatten().copied().reduce(|a, b| a + b);
    let intervals = (0..k)
        .map(|c| IntervalStaffing {
            label: base.interval_label(c),
            calls_per_hour: erlang[c].0,
            erlang_c: erlang[c].1,
            erlang_a: erlang[c].2,
            staffing: s.iter().map(|v| v[c]).collect(),
            service_level: outcome.sl[c],
            abandon_rate: outcome.abandon[c],
            occupancy: outcome.occupancy[c],
        })
        .collect();
    Ok(StaffResult {
        groups: groups.to_vec(),
        intervals,
        scenario: staffed,
        evaluations,
        agent_hours,
        cost,
    })
}

/// Removes one agent at each (group, interval) of `chosen` at once if one
/// simulation confirms that every interval still meets the targets; else
/// halves the set and tries again, down to `fewest` removals. Returns
/// whether a set was removed.
fn remove_confirmed(
    problem: &Problem<'_>,
    s: &mut Vec<Vec<u32>>,
    outcome: &mut Outcome,
    evaluations: &mut usize,
    mut chosen: Vec<(usize, usize)>,
    fewest: usize,
    progress: &mut impl FnMut(&str, Progress),
) -> bool {
    while chosen.len() >= fewest.max(1) {
        let mut t = s.clone();
        for &(i, c) in &chosen {
            t[i][c] -= 1;
        }
        let o = problem
            .evaluate(std::slice::from_ref(&t), &mut |p| {
                progress("removing agents", p)
            })
            .remove(0);
        *evaluations += 1;
        if problem.margins(&o).iter().all(|&m| m >= 0.0) {
            *s = t;
            *outcome = o;
            return true;
        }
        chosen.truncate(chosen.len() / 2);
    }
    false
}

/// A group's scheduled agents in each interval (mean over the interval).
fn current_schedule(sc: &Scenario, g: usize) -> Vec<f64> {
    let group = &sc.agent_groups[g];
    let k = sc.intervals();
    match &group.staffing {
        Staffing::Count(n) => vec![*n as f64; k],
        Staffing::PerInterval(v) => v.iter().map(|&n| n as f64).collect(),
        Staffing::Shifts(shifts) => (0..k)
            .map(|c| {
                let (a, b) = (
                    sc.interval_start(c).0,
                    sc.interval_start(c).0 + sc.interval.0,
                );
                shifts
                    .iter()
                    .map(|s| {
                        let overlap = s.end.0.min(b).saturating_sub(s.start.0.max(a));
                        s.agents as f64 * overlap as f64 / sc.interval.0 as f64
                    })
                    .sum()
            })
            .collect(),
    }
}

/// The staffed scenario as a file: `doc` (the original JSON) with the chosen
/// groups' agents given as `staffing` lists, the threshold and target used,
/// and the seed and replications the result was found with.
pub fn staffed_document(
    doc: &serde_json::Value,
    result: &StaffResult,
    targets: &Targets,
) -> serde_json::Value {
    let mut doc = doc.clone();
    let obj = doc.as_object_mut().expect("a scenario is an object");
    obj.insert("seed".into(), result.scenario.seed.into());
    obj.insert("replications".into(), result.scenario.replications.into());
    obj.insert(
        "service_level_threshold".into(),
        crate::time::format_duration(targets.threshold).into(),
    );
    obj.insert("service_level_target".into(), targets.service_level.into());
    // The search judged every queue by these: the queues' own give way.
    if let Some(serde_json::Value::Array(queues)) = obj.get_mut("queues") {
        for q in queues {
            if let Some(qo) = q.as_object_mut() {
                qo.remove("service_level_threshold");
                qo.remove("service_level_target");
            }
        }
    }
    if let Some(serde_json::Value::Array(groups)) = obj.get_mut("agent_groups") {
        for (i, &g) in result.groups.iter().enumerate() {
            if let Some(go) = groups.get_mut(g).and_then(|v| v.as_object_mut()) {
                go.remove("count");
                go.remove("shifts");
                let list: Vec<u32> = result.intervals.iter().map(|iv| iv.staffing[i]).collect();
                go.insert("staffing".into(), list.into());
            }
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gross_staffing_covers_the_floor_after_shrinkage() {
        assert_eq!(gross(10, 0.0), 10);
        for net in 0..50 {
            for s in [0.1, 0.25, 0.33] {
                let g = gross(net, s);
                assert!(((g as f64) * (1.0 - s)).round() >= net as f64);
                assert!(
                    g == 0 || (((g - 1) as f64) * (1.0 - s)).round() < net as f64,
                    "{net} {s} {g}"
                );
            }
        }
    }
}
