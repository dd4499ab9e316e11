//! Routing throughput measurement (`acdsim bench`): runs replications of a
//! scenario back to back on one or more threads for a given wall time and
//! reports calls and events simulated per second.

use crate::engine::{Clock, Simulation};
use crate::runner::useful_threads;
use crate::scenario::Scenario;
use serde::Serialize;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The reference workload of the peers' README (mmc-abandon), built in.
pub const MMC_ABANDON: &str = include_str!("../scenarios/mmc-abandon.json");

/// The built-in mmc-abandon scenario.
pub fn mmc_abandon() -> Scenario {
    Scenario::from_json_str(MMC_ABANDON, "built-in mmc-abandon")
        .expect("the built-in scenario is valid")
}

/// How the skills of a [`generated_center`] are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CenterShape {
    /// One skill per queue; each group holds its queue's skill at level 1
    /// and two others at level 2.
    Skills,
    /// As [`CenterShape::Skills`], and every group also holds a "general"
    /// skill at level 3 whose queue gets 5% of the calls.
    Wide,
    /// Every queue has the same skill (call types differing by priority),
    /// held by every group at level 1.
    OneSkill,
}

impl CenterShape {
    fn suffix(self) -> &'static str {
        match self {
            CenterShape::Skills => "",
            CenterShape::Wide => "-wide",
            CenterShape::OneSkill => "-one-skill",
        }
    }
}

/// A generated center for scaling measurements: `queues` queues with random
/// priorities 0–3, one group per queue of `per_group` agents, skills laid
/// out by `shape` (drawn with a fixed seed); each queue loaded to 85% of its
/// group; exponential handle time (5 min) and patience (3 min); a horizon
/// giving about 60,000 calls per replication after a 10-minute warm-up.
pub fn generated_center(queues: usize, per_group: u32, shape: CenterShape) -> Scenario {
    let doc = generated_center_file(queues, per_group, shape);
    Scenario::from_json_str(&doc.to_string(), "generated center").expect("a valid generated center")
}

/// The scenario file of [`generated_center`] (for `bench --generated N --print-scenario`).
pub fn generated_center_file(
    queues: usize,
    per_group: u32,
    shape: CenterShape,
) -> serde_json::Value {
    use serde_json::json;
    let q = queues.max(1);
    let wide = shape == CenterShape::Wide;
    let mut rng = crate::rng::Stream::new(7, 0, 0, 0);
    let rate = 0.85 * per_group as f64 * 60.0 / 5.0;
    let skills: Vec<String> = match shape {
        CenterShape::OneSkill => vec!["s0".into()],
        _ => (0..q).map(|i| format!("s{i}")).collect(),
    };
    let mut queue_docs: Vec<serde_json::Value> = (0..q)
        .map(|i| {
            let skill = &skills[i.min(skills.len() - 1)];
            json!({ "name": format!("q{i}"), "skill": skill, "priority": rng.below(4),
                    "arrivals": { "rate_per_hour": rate },
                    "handle_time": { "exponential": { "mean": "5m" } },
                    "patience": { "exponential": { "mean": "3m" } } })
        })
        .collect();
    let groups: Vec<serde_json::Value> = (0..q)
        .map(|g| {
            let mut held = serde_json::Map::new();
            if shape == CenterShape::OneSkill {
                held.insert(skills[0].clone(), json!(1));
                return json!({ "name": format!("g{g}"), "count": per_group, "skills": held });
            }
            held.insert(skills[g].clone(), json!(1));
            for _ in 0..2.min(q - 1) {
                let other = rng.below(q as u64) as usize;
                if other != g {
                    held.insert(skills[other].clone(), json!(2));
                }
            }
            if wide {
                held.insert("general".into(), json!(3));
            }
            json!({ "name": format!("g{g}"), "count": per_group, "skills": held })
        })
        .collect();
    let mut all_skills = skills.clone();
    let mut total = rate * q as f64;
    if wide {
        all_skills.push("general".into());
        let general = total / 19.0;
        total += general;
        queue_docs.push(json!({ "name": "general", "skill": "general",
            "arrivals": { "rate_per_hour": general },
            "handle_time": { "exponential": { "mean": "5m" } },
            "patience": { "exponential": { "mean": "3m" } } }));
    }
    let horizon_s = (60_000.0 / total * 3600.0).max(60.0);
    json!({
        "name": format!("center-{q}{}", shape.suffix()),
        "seed": 1, "horizon": horizon_s, "warmup": "10m", "replications": 4,
        "skills": all_skills, "queues": queue_docs, "agent_groups": groups,
    })
}

/// What a benchmark measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BenchResult {
    pub scenario: String,
    pub threads: usize,
    pub replications: u64,
    /// Every call generated, warm-up included.
    pub calls: u64,
    pub events: u64,
    pub wall_s: f64,
    pub calls_per_s: f64,
    pub events_per_s: f64,
    /// Wall nanoseconds per event on one thread (wall time × threads ÷ events).
    pub ns_per_event: f64,
    pub calls_per_s_per_thread: f64,
    /// Peak resident memory of the process (bytes), where the platform tells it.
    pub peak_memory_bytes: Option<u64>,
}

/// Runs replications of `sc` on `threads` threads (at most what can help:
/// [`useful_threads`]) for `seconds` of wall time: when time is up, the
/// replications under way stop where they are and what they simulated
/// counts, so a replication longer than the budget does not hold the
/// benchmark. `progress(fraction)` is called from the calling thread about
/// ten times a second.
pub fn bench(
    sc: &Scenario,
    seconds: f64,
    threads: usize,
    mut progress: impl FnMut(f64),
) -> BenchResult {
    let threads = useful_threads(threads, usize::MAX);
    let budget = Duration::from_secs_f64(seconds.max(0.0));
    let next_rep = AtomicU32::new(0);
    let start = Instant::now();
    // Each worker reports when it finished: the wall time is the last finish,
    // not when the polling loop below noticed it.
    let work = || {
        let stopper = Stopper { start, budget };
        let (mut reps, mut calls, mut events) = (0u64, 0u64, 0u64);
        loop {
            let r = next_rep.fetch_add(1, Ordering::Relaxed);
            let w = Simulation::new(sc, sc.seed, r).run_work(&stopper);
            reps += w.complete as u64;
            calls += w.calls;
            events += w.events;
            if !w.complete || start.elapsed() >= budget {
                return (reps, calls, events, Instant::now());
            }
        }
    };
    let totals: Vec<(u64, u64, u64, Instant)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map_while(|_| {
                std::thread::Builder::new()
                    .name("bench".into())
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        if workers.is_empty() {
            // No thread could be started (the system's limit): measure on this one.
            return vec![work()];
        }
        while workers.iter().any(|w| !w.is_finished()) {
            progress((start.elapsed().as_secs_f64() / seconds.max(1e-9)).min(1.0));
            std::thread::sleep(Duration::from_millis(20));
        }
        workers
            .into_iter()
            .map(|w| w.join().expect("bench worker panicked"))
            .collect()
    });
    // The threads that ran (fewer than asked if the system refused some).
    let threads = totals.len();
    let finish = totals.iter().map(|t| t.3).max().unwrap_or(start);
    let wall_s = finish.duration_since(start).as_secs_f64().max(1e-9);
    let (replications, calls, events) = totals
        .iter()
        .fold((0, 0, 0), |a, t| (a.0 + t.0, a.1 + t.1, a.2 + t.2));
    BenchResult {
        scenario: sc.name.clone(),
        threads,
        replications,
        calls,
        events,
        wall_s,
        calls_per_s: calls as f64 / wall_s,
        events_per_s: events as f64 / wall_s,
        ns_per_event: wall_s * 1e9 * threads as f64 / events.max(1) as f64,
        calls_per_s_per_thread: calls as f64 / wall_s / threads as f64,
        peak_memory_bytes: peak_memory_bytes(),
    }
}

/// Stops a benchmark's replications when its time is up.
struct Stopper {
    start: Instant,
    budget: Duration,
}

impl Clock for Stopper {
    #[inline]
    fn tick(&self, _now: u64) {}

    fn stop(&self) -> bool {
        self.start.elapsed() >= self.budget
    }
}

/// Peak resident set size of this process (Linux: `VmHWM` of /proc/self/status).
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::runner::run_one;

    #[test]
    fn built_in_scenario_is_the_reference_workload() {
        let sc = mmc_abandon();
        assert_eq!(sc.name, "mmc-abandon");
        assert_eq!(sc.agent_count(), 310);
        assert_eq!(*sc.queues[0].arrivals.rate_per_hour.at(0), 6000.0);
    }

    #[test]
    fn bench_counts_whole_replications() {
        let mut sc = mmc_abandon();
        sc.end = crate::time::SimTime::from_secs_f64(600.0);
        sc.warmup = crate::time::SimTime::ZERO;
        let r = bench(&sc, 0.0, 2, |_| {});
        // Zero budget: each thread runs exactly one replication.
        assert_eq!(r.replications, 2);
        let one =
            run_one(&sc, sc.seed, 0).calls_generated + run_one(&sc, sc.seed, 1).calls_generated;
        assert_eq!(r.calls, one);
        assert!(r.events >= r.calls);
        assert_eq!(r.threads, 2);
    }

    #[test]
    fn a_replication_longer_than_the_budget_stops_when_time_is_up() {
        let mut sc = mmc_abandon();
        // About 5e9 calls: hours of simulation if it ran to its end.
        sc.end = crate::time::SimTime::from_secs_f64(888_888.0 * 3600.0);
        let r = bench(&sc, 0.2, 1, |_| {});
        assert_eq!(r.replications, 0, "no replication ran to its end");
        assert!(r.calls > 0, "what it simulated counts");
        assert!(r.events >= r.calls);
    }

    #[test]
    fn a_huge_thread_count_starts_only_the_threads_that_help() {
        let r = bench(&mmc_abandon(), 0.0, 300_000, |_| {});
        assert!(r.threads <= crate::runner::default_threads() * crate::runner::THREADS_PER_CORE);
        assert!(r.threads >= 1);
    }

    #[test]
    fn generated_centers_have_the_asked_size() {
        use CenterShape::*;
        for (q, shape) in [(1, Skills), (50, Skills), (50, Wide), (50, OneSkill)] {
            let sc = generated_center(q, 10, shape);
            assert_eq!(sc.queues.len(), q + (shape == Wide) as usize);
            assert_eq!(
                sc.skills.len(),
                if shape == OneSkill {
                    1
                } else {
                    q + (shape == Wide) as usize
                }
            );
            assert_eq!(sc.agent_count(), 10 * q as u64);
            let calls = run_one(&sc, 1, 0).calls_generated;
            // About 60,000 calls plus the warm-up's: within 10%.
            let expected = 60_000.0 * (1.0 + 600.0 / sc.window().as_secs_f64());
            assert!(
                (calls as f64 - expected).abs() < 0.1 * expected,
                "{q}: {calls}"
            );
        }
    }

    #[test]
    fn peak_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_memory_bytes().unwrap() > 1024 * 1024);
        }
    }
}
