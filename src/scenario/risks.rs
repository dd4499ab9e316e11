//! What a valid scenario may do that its author did not mean, said before it
//! runs: distributions so skewed that a simulation cannot reproduce their
//! stated mean, callers no agent can ever answer piling up in memory, and
//! runs whose size alone takes very long. `validate` prints these as
//! warnings, `run` on stderr; `run` refuses a scenario whose waiting callers
//! could not fit in memory ([`too_big_to_run`]).

use super::{Profile, Scenario};
use crate::distribution::DurationDist;
use crate::rng::Stream;
use crate::time::short_number;

/// Draws taken to check that a distribution's simulated mean is its stated one.
pub const MEAN_CHECK_DRAWS: usize = 20_000;
/// A simulated mean further than this share from the stated one is a warning.
const MEAN_TOLERANCE: f64 = 0.25;
/// Distinct distributions checked per scenario (each costs the draws above).
const MAX_CHECKED: usize = 256;
/// Bytes a waiting caller takes (the engine's waiting-call record and its
/// share of the queue's ring buffer).
pub const BYTES_PER_WAITING_CALL: f64 = 32.0;
/// Waiting callers that could take more than this are refused by `run`.
pub const MAX_WAITING_BYTES: f64 = 4e9;
/// Statistics (per queue and group, per interval, per replication) that
/// would take more than this are refused by `run`.
pub const MAX_STATISTICS_BYTES: f64 = 8e9;
/// Calls per replication beyond which a warning gives the expected run time.
const MANY_CALLS: f64 = 1e9;
/// A generous throughput, for the run-time estimate (calls per second per core).
const CALLS_PER_SECOND: f64 = 1e7;

/// One warning: where, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Risk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Everything worth a warning in `sc`, in file order.
pub fn risks(sc: &Scenario) -> Vec<Risk> {
    let mut out = Vec::new();
    skewed_distributions(sc, &mut out);
    for (q, bytes, why) in waiting_memory(sc) {
        if bytes > 0.1 * MAX_WAITING_BYTES {
            out.push(Risk {
                path: format!("queues[{q}]"),
                message: format!(
                    "{why}: callers could pile up to about {} of memory{}",
                    human_bytes(bytes),
                    if bytes > MAX_WAITING_BYTES {
                        " (run refuses it; set max_waiting, a shorter patience or staff the skill)"
                    } else {
                        ""
                    }
                ),
            });
        }
    }
    let stats = statistics_bytes(sc, sc.replications, crate::runner::default_threads());
    if stats > 0.1 * MAX_STATISTICS_BYTES {
        out.push(Risk {
            path: "interval".to_string(),
            message: format!(
                "{} replication{} of {} queues and {} groups over {} intervals need about {} of \
                 memory for their statistics{}",
                sc.replications,
                if sc.replications == 1 { "" } else { "s" },
                sc.queues.len(),
                sc.agent_groups.len(),
                sc.intervals(),
                human_bytes(stats),
                if stats > MAX_STATISTICS_BYTES {
                    " (run refuses it)"
                } else {
                    ""
                }
            ),
        });
    }
    for (c, camp) in sc.campaigns.iter().enumerate() {
        // Dials that take no time and are never answered are placed again
        // at once: only the bound on dials per instant holds the dialer.
        let instant = camp.dial_time.mean_s() == 0.0
            && !matches!(camp.dialer, crate::scenario::Dialer::Preview { .. });
        let never_live = camp.live.values().contains(&0.0);
        let endless = camp.list_size.is_none() || camp.retry.is_some();
        if instant && never_live && endless {
            out.push(Risk {
                path: format!("campaigns[{c}].dial_time"),
                message: "dials take no time and in some interval none is answered: the dialer \
                          then places up to 1,000 dials per campaign at every instant (set dial_time)"
                    .to_string(),
            });
        }
    }
    let calls = expected_calls(sc);
    if calls > MANY_CALLS {
        out.push(Risk {
            path: "horizon".to_string(),
            message: format!(
                "about {} calls per replication: at {} calls/s per core that is {} per replication",
                short_number(calls.round()),
                short_number(CALLS_PER_SECOND),
                crate::time::format_duration(crate::time::SimTime::from_secs_f64(
                    (calls / CALLS_PER_SECOND).min(3.2e9)
                )),
            ),
        });
    }
    out
}

/// Bytes of statistics a run of `replications` on `threads` workers holds
/// at its peak: each worker's counters per (queue, interval) and (group,
/// interval) cell, and every replication's metrics per cell, kept until the
/// summary.
pub fn statistics_bytes(sc: &Scenario, replications: u32, threads: usize) -> f64 {
    use crate::stats::{AgentTime, CallCell, AGENT_METRICS, CALL_METRICS};
    let cells = sc.intervals() as f64 + 2.0;
    let queues = sc.queues.len() as f64 + 1.0;
    let groups = sc.agent_groups.len() as f64 + 1.0;
    let live = cells
        * (queues * std::mem::size_of::<CallCell>() as f64
            + groups * std::mem::size_of::<AgentTime>() as f64);
    let kept =
        cells * 8.0 * (queues * CALL_METRICS.len() as f64 + groups * AGENT_METRICS.len() as f64);
    live * threads.min(replications as usize).max(1) as f64 + kept * replications as f64
}

/// Why `run` must not start `sc` with `replications` on `threads`: waiting
/// callers, or statistics, that cannot fit in memory.
pub fn too_big_to_run(sc: &Scenario, replications: u32, threads: usize) -> Option<Risk> {
    let stats = statistics_bytes(sc, replications, threads);
    if stats > MAX_STATISTICS_BYTES {
        return Some(Risk {
            path: "interval".to_string(),
            message: format!(
                "{} queues and {} groups over {} intervals, {} replication{}: the statistics \
                 would need about {} of memory (at most {}); use longer intervals, fewer \
                 replications or a shorter horizon",
                sc.queues.len(),
                sc.agent_groups.len(),
                sc.intervals(),
                replications,
                if replications == 1 { "" } else { "s" },
                human_bytes(stats),
                human_bytes(MAX_STATISTICS_BYTES)
            ),
        });
    }
    waiting_memory(sc)
        .into_iter()
        .find(|&(_, bytes, _)| bytes > MAX_WAITING_BYTES)
        .map(|(q, bytes, why)| Risk {
            path: format!("queues[{q}]"),
            message: format!(
                "{why}: waiting callers could need about {} of memory (at most {}); \
                 set max_waiting, a shorter patience or staff the skill",
                human_bytes(bytes),
                human_bytes(MAX_WAITING_BYTES)
            ),
        })
}

/// Calls generated per replication, warm-up included (expected).
pub fn expected_calls(sc: &Scenario) -> f64 {
    let interval_h = sc.interval.as_secs_f64() / 3600.0;
    sc.queues
        .iter()
        .map(|q| match &q.arrivals.rate_per_hour {
            Profile::Constant(r) => r * sc.end.as_secs_f64() / 3600.0,
            Profile::PerInterval(rates) => {
                rates.iter().sum::<f64>() * interval_h + rates[0] * sc.warmup.as_secs_f64() / 3600.0
            }
        })
        .sum::<f64>()
}

/// Work of one replication in events: about two per call (its arrival and
/// its end, or its abandonment), and the statistics cells of every queue and
/// group in every interval, each costing about as much as a few events to
/// set up and summarise. Drives the progress bar.
pub fn expected_work(sc: &Scenario) -> f64 {
    const EVENTS_PER_CELL: f64 = 20.0;
    let cells =
        (sc.queues.len() + sc.agent_groups.len() + 2) as f64 * (sc.intervals() as f64 + 2.0);
    2.0 * expected_calls(sc) + EVENTS_PER_CELL * cells
}

/// Per queue that no staffed agent can ever answer: (queue, bytes its waiting
/// callers could take, why).
fn waiting_memory(sc: &Scenario) -> Vec<(usize, f64, String)> {
    let mut staffed = vec![false; sc.skills.len()];
    for g in &sc.agent_groups {
        if g.peak_agents() > 0 {
            for &(skill, _) in &g.skills {
                staffed[skill] = true;
            }
        }
    }
    let run_s = sc.end.as_secs_f64();
    let mut out = Vec::new();
    for (q, queue) in sc.queues.iter().enumerate() {
        if staffed[queue.skill] {
            continue;
        }
        let rate_s = queue
            .arrivals
            .rate_per_hour
            .values()
            .iter()
            .copied()
            .fold(0.0, f64::max)
            / 3600.0;
        // A caller waits until its patience runs out (or the run ends).
        let stay_s = match &queue.patience {
            None => run_s,
            Some(p) => p
                .values()
                .iter()
                .map(|d| d.mean_s())
                .fold(0.0, f64::max)
                .min(run_s),
        };
        let mut waiting = rate_s * stay_s;
        if let Some(m) = queue.max_waiting {
            waiting = waiting.min(m as f64);
        }
        if let Some(l) = sc.lines {
            waiting = waiting.min(l as f64);
        }
        let why = format!(
            "no agent is ever staffed with skill {}",
            crate::text::quoted(&sc.skills[queue.skill])
        );
        out.push((q, waiting * BYTES_PER_WAITING_CALL, why));
    }
    out
}

/// Distributions whose draws do not average to their stated mean.
fn skewed_distributions(sc: &Scenario, out: &mut Vec<Risk>) {
    let mut checked: Vec<(DurationDist, Option<f64>)> = Vec::new();
    for (q, queue) in sc.queues.iter().enumerate() {
        let fields = [
            ("handle_time", Some(&queue.handle_time)),
            ("patience", queue.patience.as_ref()),
            ("wrap_up", queue.wrap_up.as_ref()),
        ];
        for (field, profile) in fields {
            let Some(profile) = profile else { continue };
            let per_interval = matches!(profile, Profile::PerInterval(_));
            for (i, d) in profile.values().iter().enumerate() {
                let simulated = match checked.iter().find(|(c, _)| c == d) {
                    Some(&(_, m)) => m,
                    None if checked.len() >= MAX_CHECKED => None,
                    None => {
                        let m = simulated_mean_gap(d);
                        checked.push((d.clone(), m));
                        m
                    }
                };
                if let Some(mean_s) = simulated {
                    let path = if per_interval {
                        format!("queues[{q}].{field}[{i}]")
                    } else {
                        format!("queues[{q}].{field}")
                    };
                    out.push(Risk {
                        path,
                        message: format!(
                            "{} draws average {} s against a stated mean of {} s: \
                             the distribution is too skewed to simulate its mean",
                            MEAN_CHECK_DRAWS,
                            significant(mean_s),
                            significant(d.mean_s())
                        ),
                    });
                }
            }
        }
    }
}

/// The simulated mean of `d` (seconds) if it is further than
/// [`MEAN_TOLERANCE`] from the stated one, from [`MEAN_CHECK_DRAWS`] draws of
/// the engine's own sampler with a fixed seed.
pub fn simulated_mean_gap(d: &DurationDist) -> Option<f64> {
    let stated = d.mean_s();
    if stated.is_nan() || stated <= 0.0 {
        return None;
    }
    let sampler = d.sampler();
    let mut rng = Stream::new(0x5eed, 0, 0, 0);
    let sum: f64 = (0..MEAN_CHECK_DRAWS)
        .map(|_| sampler.sample(&mut rng) as f64)
        .sum();
    let mean_s = sum / MEAN_CHECK_DRAWS as f64 / 1e6;
    ((mean_s - stated).abs() > MEAN_TOLERANCE * stated).then_some(mean_s)
}

/// `x` with about four significant digits.
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || !(1e-4..1e9).contains(&x.abs()) {
        return short_number(x);
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut x = b;
    let mut u = 0;
    while x >= 1000.0 && u < UNITS.len() - 1 {
        x /= 1000.0;
        u += 1;
    }
    if u == UNITS.len() - 1 && x >= 1000.0 {
        return format!("{} TB", short_number(x.round()));
    }
    format!("{x:.0} {}", UNITS[u])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_distributions_simulate_their_mean() {
        for d in [
            DurationDist::Exponential { mean_s: 180.0 },
            DurationDist::Gamma {
                mean_s: 180.0,
                sd_s: 360.0,
            },
            DurationDist::Lognormal {
                mean_s: 300.0,
                sd_s: 900.0,
            },
            DurationDist::Uniform {
                min_s: 10.0,
                max_s: 20.0,
            },
            DurationDist::Constant { value_s: 2.0 },
        ] {
            assert_eq!(simulated_mean_gap(&d), None, "{d:?}");
        }
    }

    #[test]
    fn degenerate_distributions_are_caught() {
        let gamma = DurationDist::Gamma {
            mean_s: 180.0,
            sd_s: 3.2e9,
        };
        let m = simulated_mean_gap(&gamma).expect("a gamma of shape 3e-15 averages ~0");
        assert!(m < 1.0, "{m}");
        let lognormal = DurationDist::Lognormal {
            mean_s: 1.0,
            sd_s: 3.2e9,
        };
        assert!(simulated_mean_gap(&lognormal).is_some());
    }

    #[test]
    fn dials_that_take_no_time_and_are_never_answered_are_warned_of() {
        let center = |dial_time: Option<&str>, live: serde_json::Value| {
            let mut camp = serde_json::json!({
                "name": "c", "skill": "out", "hours": { "start": "0s", "end": "1h" },
                "dialer": { "mode": "progressive" }, "outcomes": { "live": live },
                "talk_time": { "constant": "1m" },
            });
            if let Some(d) = dial_time {
                camp["dial_time"] = serde_json::json!({ "constant": d });
            }
            let doc = serde_json::json!({
                "name": "d", "horizon": "2h", "interval": "1h", "skills": ["s", "out"],
                "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 10 },
                             "handle_time": { "constant": 60 } }],
                "agent_groups": [{ "name": "g", "count": 2, "skills": { "s": 1, "out": 1 } }],
                "campaigns": [camp],
            });
            Scenario::from_json_str(&doc.to_string(), "t").unwrap()
        };
        let warned = |sc: &Scenario| risks(sc).iter().any(|r| r.path == "campaigns[0].dial_time");
        assert!(warned(&center(None, serde_json::json!([0.3, 0.0]))));
        assert!(!warned(&center(Some("20s"), serde_json::json!([0.3, 0.0]))));
        assert!(!warned(&center(None, serde_json::json!(0.3))));
    }

    #[test]
    fn statistics_memory_grows_with_cells_and_replications() {
        let mut sc = crate::bench::generated_center(100, 10, crate::bench::CenterShape::Skills);
        let one = statistics_bytes(&sc, 1, 1);
        assert!(statistics_bytes(&sc, 100, 1) > 2.0 * one);
        assert!(too_big_to_run(&sc, 1000, 2).is_none());
        // 100 queues × 100 groups × 1,000,000 intervals.
        sc.interval = crate::time::SimTime::from_secs_f64(sc.end.as_secs_f64() / 1_000_000.0);
        let r = too_big_to_run(&sc, 1, 1).expect("too big");
        assert!(r.message.contains("statistics would need"), "{r}");
    }

    #[test]
    fn work_counts_the_cells_of_a_large_center_with_few_calls() {
        let mut sc = crate::bench::generated_center(1000, 10, crate::bench::CenterShape::Skills);
        for q in &mut sc.queues {
            q.arrivals.rate_per_hour = Profile::Constant(0.01);
        }
        sc.interval = crate::time::SimTime::from_secs_f64(sc.end.as_secs_f64() / 1000.0);
        assert!(expected_calls(&sc) < 1000.0);
        assert!(expected_work(&sc) > 1e7, "{}", expected_work(&sc));
    }

    #[test]
    fn means_are_shown_with_four_digits() {
        assert_eq!(significant(0.1027043123), "0.1027");
        assert_eq!(significant(180.0), "180");
        assert_eq!(significant(1234.5678), "1235");
        assert_eq!(significant(0.0), "0");
    }

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(46e9), "46 GB");
        assert_eq!(human_bytes(3.2e15), "3200 TB");
    }
}
