//! Replications: runs a scenario many times on a pool of worker threads and
//! hands back each replication's metrics in replication order, so results
//! never depend on thread scheduling.

use crate::engine::Simulation;
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::stats::{agent_metrics, call_metrics, ReplicationStats, AGENT_METRICS, CALL_METRICS};
use crossbeam_channel::RecvTimeoutError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How to run the replications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    pub replications: u32,
    pub seed: u64,
    /// Worker threads (at least 1).
    pub threads: usize,
}

impl RunOptions {
    /// The scenario's own replications and seed, one thread per core.
    pub fn from_scenario(sc: &Scenario) -> RunOptions {
        RunOptions {
            replications: sc.replications,
            seed: sc.seed,
            threads: default_threads(),
        }
    }
}

/// Number of hardware threads, at least 1.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// What one replication reports: metric values (NaN where undefined).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationMetrics {
    pub replication: u32,
    pub total_calls: [f64; CALL_METRICS.len()],
    pub total_agents: [f64; AGENT_METRICS.len()],
    pub queues: Vec<[f64; CALL_METRICS.len()]>,
    pub groups: Vec<[f64; AGENT_METRICS.len()]>,
    pub calls_generated: u64,
    pub events: u64,
}

impl ReplicationMetrics {
    pub fn from_stats(s: &ReplicationStats) -> ReplicationMetrics {
        ReplicationMetrics {
            replication: s.replication,
            total_calls: call_metrics(&s.total_queue()),
            total_agents: agent_metrics(&s.total_group()),
            queues: s.queues.iter().map(call_metrics).collect(),
            groups: s.groups.iter().map(agent_metrics).collect(),
            calls_generated: s.calls_generated,
            events: s.events,
        }
    }
}

/// Runs one replication.
pub fn run_one(sc: &Scenario, seed: u64, replication: u32) -> ReplicationStats {
    Simulation::new(sc, seed, replication).run()
}

/// Progress of a run: whole replications finished, and the same counting the
/// simulated part of those under way (for a smooth bar on long replications).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub finished: u32,
    pub replications: f64,
}

/// Runs `opts.replications` replications of `sc` on `opts.threads` worker
/// threads (jobs and results over crossbeam channels), applies `reduce` to
/// each replication's statistics inside the worker, and returns the reduced
/// values in replication order. `progress` is called on the calling thread
/// when a replication finishes and about ten times a second meanwhile.
pub fn run_replications<T, R, P>(
    sc: &Scenario,
    opts: RunOptions,
    reduce: R,
    mut progress: P,
) -> Vec<T>
where
    T: Send,
    R: Fn(ReplicationStats) -> T + Sync,
    P: FnMut(Progress),
{
    let n = opts.replications as usize;
    let threads = opts.threads.clamp(1, n.max(1));
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let (job_tx, job_rx) = crossbeam_channel::bounded::<u32>(n);
    let (res_tx, res_rx) = crossbeam_channel::unbounded::<(u32, T)>();
    for r in 0..n as u32 {
        job_tx.send(r).expect("receiver alive");
    }
    drop(job_tx);
    // Simulated time reached by each worker in its current replication.
    let clocks: Vec<AtomicU64> = (0..threads).map(|_| AtomicU64::new(0)).collect();
    let end = sc.end.micros().max(1) as f64;
    std::thread::scope(|scope| {
        for clock in &clocks {
            let (job_rx, res_tx, reduce) = (job_rx.clone(), res_tx.clone(), &reduce);
            scope.spawn(move || {
                for r in job_rx.iter() {
                    clock.store(0, Ordering::Relaxed);
                    let stats = Simulation::new(sc, opts.seed, r).run_observed(clock);
                    clock.store(0, Ordering::Relaxed);
                    if res_tx.send((r, reduce(stats))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(res_tx);
        let mut finished = 0u32;
        loop {
            match res_rx.recv_timeout(Duration::from_millis(100)) {
                Ok((r, value)) => {
                    out[r as usize] = Some(value);
                    finished += 1;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            let under_way: f64 = clocks
                .iter()
                .map(|c| c.load(Ordering::Relaxed) as f64 / end)
                .sum();
            progress(Progress {
                finished,
                replications: (finished as f64 + under_way).min(n as f64),
            });
        }
    });
    out.into_iter()
        .map(|v| v.expect("every replication reported"))
        .collect()
}

/// Runs the replications and returns their metrics in replication order.
pub fn run_metrics<P: FnMut(Progress)>(
    sc: &Scenario,
    opts: RunOptions,
    progress: P,
) -> Vec<ReplicationMetrics> {
    run_replications(sc, opts, |s| ReplicationMetrics::from_stats(&s), progress)
}

/// Runs the replications and summarises them (no progress reporting).
pub fn simulate(sc: &Scenario, opts: RunOptions) -> Summary {
    let reps = run_metrics(sc, opts, |_| {});
    Summary::new(sc, opts.seed, &reps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::mmc_abandon;
    use crate::time::SimTime;

    fn short() -> Scenario {
        let mut sc = mmc_abandon();
        sc.warmup = SimTime::ZERO;
        sc.end = SimTime::from_secs_f64(1800.0);
        sc
    }

    #[test]
    fn results_come_back_in_replication_order_whatever_the_threads() {
        let sc = short();
        let calls = |threads| {
            let opts = RunOptions {
                replications: 5,
                seed: 9,
                threads,
            };
            run_replications(&sc, opts, |s| (s.replication, s.calls_generated), |_| {})
        };
        let one = calls(1);
        assert_eq!(
            one.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4]
        );
        assert_eq!(one, calls(3));
        assert_ne!(one[0].1, one[1].1, "replications draw different callers");
    }

    #[test]
    fn progress_ends_with_every_replication_finished() {
        let sc = short();
        let mut seen = Vec::new();
        let opts = RunOptions {
            replications: 4,
            seed: 1,
            threads: 2,
        };
        run_replications(&sc, opts, |s| s.calls_generated, |p| seen.push(p));
        let last = *seen.last().unwrap();
        assert_eq!(
            last,
            Progress {
                finished: 4,
                replications: 4.0
            }
        );
        assert!(seen.windows(2).all(|w| w[0].finished <= w[1].finished));
        assert!(seen
            .iter()
            .all(|p| p.replications >= p.finished as f64 && p.replications <= 4.0));
    }

    #[test]
    fn the_clock_reaches_the_end_of_the_run() {
        let sc = short();
        let clock = AtomicU64::new(0);
        let stats = Simulation::new(&sc, 1, 0).run_observed(&clock);
        assert_eq!(clock.load(Ordering::Relaxed), sc.end.micros());
        // Observing changes nothing.
        let plain = run_one(&sc, 1, 0);
        assert_eq!(
            format!("{:?}", ReplicationMetrics::from_stats(&stats)),
            format!("{:?}", ReplicationMetrics::from_stats(&plain))
        );
    }
}
