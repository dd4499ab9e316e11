//! Summaries across replications (mean and 95% confidence half-width, Student
//! t over independent replications) and their presentations: a text table,
//! the stable JSON document, and CSV.

use crate::runner::ReplicationMetrics;
use crate::scenario::Scenario;
use crate::stats::{AGENT_METRICS, CALL_METRICS};
use serde_json::{json, Map, Value};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::fmt::Write as _;

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

    fn to_json(self) -> Value {
        json!({ "mean": finite(self.mean), "ci95": finite(self.ci95) })
    }
}

/// Quantile `p` of Student's t with `df` degrees of freedom.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df)
        .map(|t| t.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

fn finite(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

/// Named estimates for one scope (the total, a queue or an agent group).
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeSummary {
    pub name: String,
    pub metrics: Vec<(&'static str, Estimate)>,
}

impl ScopeSummary {
    /// The estimate of `metric`; panics on a name that is not a metric (a programming error).
    pub fn get(&self, metric: &str) -> Estimate {
        self.metrics
            .iter()
            .find(|(m, _)| *m == metric)
            .map(|(_, e)| *e)
            .unwrap_or_else(|| panic!("no metric named {metric}"))
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
    pub total: ScopeSummary,
    pub queues: Vec<ScopeSummary>,
    pub agent_groups: Vec<ScopeSummary>,
    pub calls_generated: u64,
    pub events: u64,
}

fn estimates<const N: usize>(
    names: &[&'static str; N],
    rows: impl Iterator<Item = [f64; N]> + Clone,
) -> Vec<(&'static str, Estimate)> {
    names
        .iter()
        .enumerate()
        .map(|(i, &name)| (name, Estimate::from_values(rows.clone().map(|r| r[i]))))
        .collect()
}

impl Summary {
    /// Summarises replications (given in replication order) of `sc` run with `seed`.
    pub fn new(sc: &Scenario, seed: u64, reps: &[ReplicationMetrics]) -> Summary {
        let mut total = estimates(&CALL_METRICS, reps.iter().map(|r| r.total_calls));
        total.push((
            "agents",
            Estimate::exact(sc.agent_count() as f64, reps.len()),
        ));
        total.extend(estimates(
            &AGENT_METRICS,
            reps.iter().map(|r| r.total_agents),
        ));
        let queues = sc
            .queues
            .iter()
            .enumerate()
            .map(|(q, queue)| ScopeSummary {
                name: queue.name.clone(),
                metrics: estimates(&CALL_METRICS, reps.iter().map(|r| r.queues[q])),
            })
            .collect();
        let agent_groups = sc
            .agent_groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let mut metrics = vec![("agents", Estimate::exact(group.count as f64, reps.len()))];
                metrics.extend(estimates(&AGENT_METRICS, reps.iter().map(|r| r.groups[g])));
                ScopeSummary {
                    name: group.name.clone(),
                    metrics,
                }
            })
            .collect();
        Summary {
            scenario: sc.name.clone(),
            seed,
            replications: reps.len() as u32,
            warmup_s: sc.warmup.as_secs_f64(),
            window_s: sc.window().as_secs_f64(),
            total: ScopeSummary {
                name: "total".to_string(),
                metrics: total,
            },
            queues,
            agent_groups,
            calls_generated: reps.iter().map(|r| r.calls_generated).sum(),
            events: reps.iter().map(|r| r.events).sum(),
        }
    }

    /// The stable JSON document (see README.md, "JSON output").
    pub fn to_json(&self) -> Value {
        fn scope(s: &ScopeSummary, with_name: bool) -> Value {
            let mut m = Map::new();
            if with_name {
                m.insert("name".into(), json!(s.name));
            }
            for (k, e) in &s.metrics {
                m.insert((*k).into(), e.to_json());
            }
            Value::Object(m)
        }
        json!({
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": self.replications,
            "warmup_s": self.warmup_s,
            "window_s": self.window_s,
            "calls_generated": self.calls_generated,
            "events": self.events,
            "total": scope(&self.total, false),
            "queues": self.queues.iter().map(|s| scope(s, true)).collect::<Vec<_>>(),
            "agent_groups": self.agent_groups.iter().map(|s| scope(s, true)).collect::<Vec<_>>(),
        })
    }

    /// CSV: one row per (scope, name, metric) with mean and ci95 (empty when undefined).
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let fmt = |x: f64| {
            if x.is_finite() {
                format!("{x}")
            } else {
                String::new()
            }
        };
        w.write_record(["scope", "name", "metric", "mean", "ci95", "n"])
            .expect("writing to memory");
        let mut rows = vec![("total", &self.total)];
        rows.extend(self.queues.iter().map(|s| ("queue", s)));
        rows.extend(self.agent_groups.iter().map(|s| ("agent_group", s)));
        for (scope, s) in rows {
            for (metric, e) in &s.metrics {
                w.write_record([
                    scope.to_string(),
                    s.name.clone(),
                    metric.to_string(),
                    fmt(e.mean),
                    fmt(e.ci95),
                    e.n.to_string(),
                ])
                .expect("writing to memory");
            }
        }
        String::from_utf8(w.into_inner().expect("flush to memory")).expect("csv is utf-8")
    }

    /// The human-readable table.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} replication{}, seed {}, {} measured after {} warm-up (mean ± 95% CI)",
            self.scenario,
            self.replications,
            if self.replications == 1 { "" } else { "s" },
            self.seed,
            crate::time::format_duration(crate::time::SimTime::from_secs_f64(self.window_s)),
            crate::time::format_duration(crate::time::SimTime::from_secs_f64(self.warmup_s)),
        );
        let _ = writeln!(out);
        let cols: [(&str, &str, Fmt); 9] = [
            ("offered", "offered", Fmt::Count),
            ("answered", "answered", Fmt::Count),
            ("abandoned", "abandoned", Fmt::Count),
            ("unresolved", "unresolved", Fmt::Count),
            ("service_level", "service level", Fmt::Percent),
            ("abandon_rate", "abandon rate", Fmt::Percent),
            ("asa_s", "ASA s", Fmt::Secs),
            ("wait_p90_s", "p90 wait s", Fmt::Secs),
            ("aht_s", "AHT s", Fmt::Secs),
        ];
        let mut rows = vec![("total".to_string(), &self.total)];
        rows.extend(self.queues.iter().map(|s| (s.name.clone(), s)));
        out.push_str(&table(
            "queue",
            &cols,
            rows.iter().map(|(n, s)| (n.as_str(), *s)),
        ));
        let _ = writeln!(out);
        let gcols: [(&str, &str, Fmt); 4] = [
            ("agents", "agents", Fmt::Count),
            ("handled", "handled", Fmt::Count),
            ("occupancy", "occupancy", Fmt::Percent),
            ("calls_per_agent_hour", "calls/agent-hour", Fmt::Rate),
        ];
        let mut grows = vec![("total", &self.total)];
        grows.extend(self.agent_groups.iter().map(|s| (s.name.as_str(), s)));
        out.push_str(&table("agent group", &gcols, grows.into_iter()));
        out
    }
}

#[derive(Clone, Copy)]
enum Fmt {
    Count,
    Percent,
    Secs,
    Rate,
}

fn cell(e: Estimate, f: Fmt) -> String {
    if !e.mean.is_finite() {
        return "-".to_string();
    }
    let (scale, prec, suffix) = match f {
        Fmt::Count => (
            1.0,
            if e.mean.fract() == 0.0 && (e.ci95.is_nan() || e.ci95 == 0.0) {
                0
            } else {
                1
            },
            "",
        ),
        Fmt::Percent => (100.0, 2, "%"),
        Fmt::Secs => (1.0, 2, ""),
        Fmt::Rate => (1.0, 2, ""),
    };
    let mean = format!("{:.*}{}", prec, e.mean * scale, suffix);
    if e.ci95.is_finite() && e.ci95 > 0.0 {
        format!("{mean} ±{:.*}", prec, e.ci95 * scale)
    } else {
        mean
    }
}

fn table<'a>(
    first: &str,
    cols: &[(&str, &str, Fmt)],
    rows: impl Iterator<Item = (&'a str, &'a ScopeSummary)>,
) -> String {
    let mut grid: Vec<Vec<String>> = vec![std::iter::once(first.to_string())
        .chain(cols.iter().map(|c| c.1.to_string()))
        .collect()];
    for (name, s) in rows {
        let mut row = vec![name.to_string()];
        for &(metric, _, f) in cols {
            row.push(cell(s.get(metric), f));
        }
        grid.push(row);
    }
    let widths: Vec<usize> = (0..grid[0].len())
        .map(|c| grid.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &grid {
        let mut line = String::new();
        for (c, v) in row.iter().enumerate() {
            if c == 0 {
                let _ = write!(line, "{:<w$}", v, w = widths[c]);
            } else {
                let _ = write!(line, "  {:>w$}", v, w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
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
    }
}
