//! Summaries across replications (mean and 95% confidence half-width, Student
//! t over independent replications) and their presentations: the stable JSON
//! document, CSV, and text tables ([`table`]). [`metrics`] computes what each
//! replication reports.

pub mod json;
pub mod metrics;
pub mod table;

use crate::scenario::Scenario;
use crate::stats::{
    AGENT_METRICS, BLOCKED_METRICS, CALL_METRICS, ESCALATION_METRICS, TOTAL_METRICS,
};
pub use metrics::{ReplicationMetrics, Values};
use serde_json::{json, Value};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::cell::RefCell;
use std::collections::HashMap;

/// Mean and confidence half-width of one metric across replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Mean over the replications where the metric is defined (NaN if none).
    pub mean: f64,
    /// Half-width of the 95% confidence interval (NaN with fewer than 2 values).
    pub ci95: f64,
    /// Sample standard deviation across replications (NaN with fewer than 2 values).
    pub sd: f64,
    /// Replications where the metric is defined.
    pub n: usize,
}

impl Estimate {
    /// Mean and half-width at confidence `level` (e.g. 0.95) of the finite values.
    pub fn with_level(values: impl IntoIterator<Item = f64>, level: f64) -> Estimate {
        let xs: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        let n = xs.len();
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                ci95: f64::NAN,
                sd: f64::NAN,
                n,
            };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Estimate {
                mean,
                ci95: f64::NAN,
                sd: f64::NAN,
                n,
            };
        }
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let mut e = Estimate {
            mean,
            ci95: f64::NAN,
            sd: var.sqrt(),
            n,
        };
        e.ci95 = e.half_width(level);
        e
    }

    /// A constant known exactly (no sampling error).
    pub fn exact(value: f64, n: usize) -> Estimate {
        Estimate {
            mean: value,
            ci95: 0.0,
            sd: 0.0,
            n,
        }
    }

    /// Half-width of the confidence interval at `level` (e.g. 0.999).
    pub fn half_width(&self, level: f64) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        student_t_quantile(0.5 + level / 2.0, (self.n - 1) as f64) * self.sd
            / (self.n as f64).sqrt()
    }

    /// Mean and 95% half-width.
    pub fn from_values(values: impl IntoIterator<Item = f64>) -> Estimate {
        Estimate::with_level(values, 0.95)
    }
}

thread_local! {
    /// Student t quantiles already computed: every metric with the same
    /// number of replications needs the same one.
    static T_QUANTILES: RefCell<HashMap<(u64, u64), f64>> = RefCell::new(HashMap::new());
}

/// Quantile `p` of Student's t with `df` degrees of freedom.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    T_QUANTILES.with(|cache| {
        *cache
            .borrow_mut()
            .entry((p.to_bits(), df.to_bits()))
            .or_insert_with(|| {
                StudentsT::new(0.0, 1.0, df)
                    .map(|t| t.inverse_cdf(p))
                    .unwrap_or(f64::NAN)
            })
    })
}

/// A number, or `null` when undefined.
pub fn finite(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

/// Named estimates of one interval of a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalSummary {
    /// Start, seconds from the start of the measured window.
    pub start_s: f64,
    /// Clock time ("08:30") with `clock_start`, else the offset ("+1:30"); "drain" after the horizon.
    pub label: String,
    pub metrics: Vec<(&'static str, Estimate)>,
}

/// Named estimates for one scope (the total, a queue or an agent group).
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeSummary {
    pub name: String,
    pub metrics: Vec<(&'static str, Estimate)>,
    pub intervals: Vec<IntervalSummary>,
}

impl ScopeSummary {
    /// The estimate of `metric`; panics on a name that is not a metric (a programming error).
    pub fn get(&self, metric: &str) -> Estimate {
        find(&self.metrics, metric)
    }
}

fn find(metrics: &[(&'static str, Estimate)], metric: &str) -> Estimate {
    metrics
        .iter()
        .find(|(m, _)| *m == metric)
        .map(|(_, e)| *e)
        .unwrap_or_else(|| panic!("no metric named {metric}"))
}

impl IntervalSummary {
    /// The estimate of `metric` (panics on an unknown name).
    pub fn get(&self, metric: &str) -> Estimate {
        find(&self.metrics, metric)
    }
}

/// Everything `acdsim run` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub warmup_s: f64,
    pub window_s: f64,
    pub interval_s: f64,
    pub clock_start: Option<String>,
    pub closing: &'static str,
    /// When a `stop` command ended the run (seconds of run time; the same
    /// in every replication, which replay the same commands): the window
    /// then ends there and the closing is `stop`.
    pub stopped_at_s: Option<f64>,
    /// The scenario's clock at the stop (see [`Scenario::clock_label`]).
    pub stopped_at_clock: Option<String>,
    /// Service-level threshold of each queue (seconds), for table headers.
    pub thresholds_s: Vec<f64>,
    pub total: ScopeSummary,
    pub queues: Vec<ScopeSummary>,
    pub agent_groups: Vec<ScopeSummary>,
    /// Outbound campaigns (empty without).
    pub campaigns: Vec<ScopeSummary>,
    pub calls_generated: u64,
    pub events: u64,
}

/// One set of named values of a scope, whole run (`None`) or interval `k`.
type Part<'a> = &'a dyn Fn(&ReplicationMetrics, Option<usize>) -> Vec<(&'static str, f64)>;

/// Estimates of several metric sets of one scope (whole run or interval `k`),
/// concatenated in order.
fn scope_metrics(
    reps: &[ReplicationMetrics],
    parts: &[Part],
    k: Option<usize>,
) -> Vec<(&'static str, Estimate)> {
    let per_rep: Vec<Vec<(&'static str, f64)>> = reps
        .iter()
        .map(|r| parts.iter().flat_map(|p| p(r, k)).collect())
        .collect();
    let Some(first) = per_rep.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|i| {
            let name = first[i].0;
            let values = per_rep.iter().map(|v| v[i].1);
            let e = Estimate::from_values(values.clone());
            // Figures fixed by the scenario (agents, paid hours) are exact.
            let fixed = EXACT_METRICS.contains(&name)
                && e.mean.is_finite()
                && values.clone().all(|x| x == first[i].1);
            (
                name,
                if fixed {
                    Estimate::exact(e.mean, e.n)
                } else {
                    e
                },
            )
        })
        .collect()
}

/// Metrics the scenario fixes: reported exactly when every replication agrees.
const EXACT_METRICS: [&str; 2] = ["agents", "staffed_hours"];

/// Picks the whole-run or interval values of one scope, named.
pub(crate) fn named<const N: usize>(
    names: &'static [&'static str; N],
    v: &Values<N>,
    k: Option<usize>,
) -> Vec<(&'static str, f64)> {
    let row = match k {
        None => &v.whole,
        Some(k) => &v.intervals[k],
    };
    names.iter().copied().zip(row.iter().copied()).collect()
}

/// Escalation metrics of the total (`None`) or queue `q`, when reported.
pub(crate) fn escalation_part(
    r: &ReplicationMetrics,
    q: Option<usize>,
    k: Option<usize>,
) -> Vec<(&'static str, f64)> {
    match &r.escalation {
        Some(e) => named(&ESCALATION_METRICS, q.map_or(&e.total, |q| &e.queues[q]), k),
        None => Vec::new(),
    }
}

/// Retrial metrics of the total (`None`) or queue `q`, when reported.
pub(crate) fn retrial_part(
    r: &ReplicationMetrics,
    q: Option<usize>,
    k: Option<usize>,
) -> Vec<(&'static str, f64)> {
    match &r.retrial {
        Some(set) => named(
            &crate::stats::RETRIAL_METRICS,
            q.map_or(&set.total, |q| &set.queues[q]),
            k,
        ),
        None => Vec::new(),
    }
}

/// Callback metrics of the total (`None`) or queue `q`, when reported.
pub(crate) fn callback_part(
    r: &ReplicationMetrics,
    q: Option<usize>,
    k: Option<usize>,
) -> Vec<(&'static str, f64)> {
    match &r.callback {
        Some(set) => named(
            &crate::stats::CALLBACK_METRICS,
            q.map_or(&set.total, |q| &set.queues[q]),
            k,
        ),
        None => Vec::new(),
    }
}

/// Blocked-time metrics of the total (`None`) or group `g`, when reported.
pub(crate) fn blocked_part(
    r: &ReplicationMetrics,
    g: Option<usize>,
    k: Option<usize>,
) -> Vec<(&'static str, f64)> {
    match &r.escalation {
        Some(e) => named(
            &BLOCKED_METRICS,
            g.map_or(&e.total_blocked, |g| &e.groups[g]),
            k,
        ),
        None => Vec::new(),
    }
}

impl Summary {
    /// Summarises replications (given in replication order) of `sc` run with `seed`.
    pub fn new(sc: &Scenario, seed: u64, reps: &[ReplicationMetrics]) -> Summary {
        let cells = reps.first().map_or(0, |r| r.total_agents.intervals.len());
        let intervals = |parts: &[Part]| {
            (0..cells)
                .map(|k| IntervalSummary {
                    start_s: k as f64 * sc.interval.as_secs_f64(),
                    label: if k < sc.intervals() {
                        sc.interval_label(k)
                    } else {
                        "drain".to_string()
                    },
                    metrics: scope_metrics(reps, parts, Some(k)),
                })
                .collect::<Vec<_>>()
        };
        let mut total_parts: Vec<Part> = vec![
            &|r, k| named(&CALL_METRICS, &r.total_calls, k),
            &|r, k| named(&AGENT_METRICS, &r.total_agents, k),
            &|r, k| named(&TOTAL_METRICS, &r.total_extra, k),
        ];
        let escalation = reps.first().is_some_and(|r| r.escalation.is_some());
        if escalation {
            total_parts.push(&|r, k| escalation_part(r, None, k));
            total_parts.push(&|r, k| blocked_part(r, None, k));
        }
        let retrial = reps.first().is_some_and(|r| r.retrial.is_some());
        if retrial {
            total_parts.push(&|r, k| retrial_part(r, None, k));
        }
        let callback = reps.first().is_some_and(|r| r.callback.is_some());
        if callback {
            total_parts.push(&|r, k| callback_part(r, None, k));
        }
        let total = ScopeSummary {
            name: "total".to_string(),
            metrics: scope_metrics(reps, &total_parts, None),
            intervals: intervals(&total_parts),
        };
        let queues = sc
            .queues
            .iter()
            .enumerate()
            .map(|(q, queue)| {
                let calls = move |r: &ReplicationMetrics, k| named(&CALL_METRICS, &r.queues[q], k);
                let mut parts: Vec<Part> = vec![&calls];
                let esc = move |r: &ReplicationMetrics, k| escalation_part(r, Some(q), k);
                if escalation {
                    parts.push(&esc);
                }
                let ret = move |r: &ReplicationMetrics, k| retrial_part(r, Some(q), k);
                if retrial {
                    parts.push(&ret);
                }
                let cb = move |r: &ReplicationMetrics, k| callback_part(r, Some(q), k);
                if callback {
                    parts.push(&cb);
                }
                ScopeSummary {
                    name: queue.name.clone(),
                    metrics: scope_metrics(reps, &parts, None),
                    intervals: intervals(&parts),
                }
            })
            .collect();
        let agent_groups = sc
            .agent_groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let time = move |r: &ReplicationMetrics, k| named(&AGENT_METRICS, &r.groups[g], k);
                let mut parts: Vec<Part> = vec![&time];
                let blocked = move |r: &ReplicationMetrics, k| blocked_part(r, Some(g), k);
                if escalation {
                    parts.push(&blocked);
                }
                ScopeSummary {
                    name: group.name.clone(),
                    metrics: scope_metrics(reps, &parts, None),
                    intervals: intervals(&parts),
                }
            })
            .collect();
        let stopped_at_s = reps.iter().find_map(|r| r.stopped_at_s);
        let warmup_s = sc.warmup.as_secs_f64();
        let horizon_s = warmup_s + sc.window().as_secs_f64();
        Summary {
            scenario: sc.name.clone(),
            seed,
            replications: reps.len() as u32,
            warmup_s,
            window_s: match stopped_at_s {
                Some(at) => (at.min(horizon_s) - warmup_s).max(0.0),
                None => sc.window().as_secs_f64(),
            },
            interval_s: sc.interval.as_secs_f64(),
            clock_start: sc.clock_start.map(crate::scenario::fields::format_clock),
            closing: match stopped_at_s {
                Some(_) => "stop",
                None => sc.closing.name(),
            },
            stopped_at_s,
            stopped_at_clock: stopped_at_s
                .map(|at| sc.clock_label(crate::time::SimTime::from_secs_f64(at).0, true)),
            thresholds_s: sc
                .queues
                .iter()
                .map(|q| q.service_level_threshold.as_secs_f64())
                .collect(),
            total,
            queues,
            agent_groups,
            campaigns: sc
                .campaigns
                .iter()
                .enumerate()
                .map(|(c, camp)| {
                    let values = move |r: &ReplicationMetrics, k| {
                        named(&crate::stats::CAMPAIGN_METRICS, &r.campaigns[c], k)
                    };
                    let parts: [Part; 1] = [&values];
                    ScopeSummary {
                        name: camp.name.clone(),
                        metrics: scope_metrics(reps, &parts, None),
                        intervals: intervals(&parts),
                    }
                })
                .collect(),
            calls_generated: reps.iter().map(|r| r.calls_generated).sum(),
            events: reps.iter().map(|r| r.events).sum(),
        }
    }

    /// The stable JSON document (see README.md, "JSON output"), as a tree.
    /// To write it out, serialize [`json::Document`] instead: it streams.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(json::Document::new(self)).expect("a summary is valid JSON")
    }

    /// CSV: one row per (scope, name, metric[, interval]) with mean and ci95
    /// (empty when undefined); `interval` is empty for whole-run rows.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let fmt = |x: f64| {
            if x.is_finite() {
                format!("{x}")
            } else {
                String::new()
            }
        };
        w.write_record(["scope", "name", "metric", "mean", "ci95", "n", "interval"])
            .expect("writing to memory");
        let mut rows = vec![("total", &self.total)];
        rows.extend(self.queues.iter().map(|s| ("queue", s)));
        rows.extend(self.agent_groups.iter().map(|s| ("agent_group", s)));
        rows.extend(self.campaigns.iter().map(|s| ("campaign", s)));
        let mut write = |scope: &str, name: &str, metrics: &[(&str, Estimate)], interval: &str| {
            for (metric, e) in metrics {
                w.write_record([
                    scope,
                    name,
                    metric,
                    &fmt(e.mean),
                    &fmt(e.ci95),
                    &e.n.to_string(),
                    interval,
                ])
                .expect("writing to memory");
            }
        };
        // Names escaped (never cut): a CSV is read by other tools, but may be
        // shown on a terminal too.
        for (scope, s) in &rows {
            write(
                scope,
                &crate::text::shown(&s.name, usize::MAX),
                &s.metrics,
                "",
            );
        }
        for (scope, s) in &rows {
            let name = crate::text::shown(&s.name, usize::MAX);
            for i in &s.intervals {
                write(scope, &name, &i.metrics, &i.label);
            }
        }
        String::from_utf8(w.into_inner().expect("flush to memory")).expect("csv is utf-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_uses_student_t() {
        let e = Estimate::from_values([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        // sd = sqrt(2.5), t(0.975, 4) = 2.776445
        let expected = 2.776445 * (2.5f64 / 5.0).sqrt();
        assert!((e.ci95 - expected).abs() < 1e-5, "{}", e.ci95);
        assert_eq!(e.n, 5);
    }

    #[test]
    fn estimate_skips_undefined_values() {
        let e = Estimate::from_values([f64::NAN, 2.0]);
        assert_eq!(e.mean, 2.0);
        assert!(e.ci95.is_nan());
        assert_eq!(e.n, 1);
        assert!(Estimate::from_values([f64::NAN]).mean.is_nan());
    }

    #[test]
    fn t_quantile_values() {
        assert!((student_t_quantile(0.975, 19.0) - 2.093024).abs() < 1e-5);
        assert!((student_t_quantile(0.975, 1e4) - 1.960201).abs() < 1e-5);
        // Cached: the same answer again.
        assert_eq!(
            student_t_quantile(0.975, 19.0),
            student_t_quantile(0.975, 19.0)
        );
    }
}
