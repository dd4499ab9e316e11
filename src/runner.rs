//! Replications: runs a scenario many times on a pool of worker threads and
//! hands back each replication's metrics in replication order, so results
//! never depend on thread scheduling.

use crate::engine::Simulation;
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::stats::{agent_metrics, call_metrics, ReplicationStats, AGENT_METRICS, CALL_METRICS};

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

/// Runs `opts.replications` replications of `sc` on `opts.threads` workers,
/// applies `reduce` to each replication's statistics inside the worker, and
/// returns the reduced values in replication order. `progress(done)` is called
/// on the calling thread after each replication completes.
pub fn run_replications<T, R, P>(
    sc: &Scenario,
    opts: RunOptions,
    reduce: R,
    mut progress: P,
) -> Vec<T>
where
    T: Send,
    R: Fn(ReplicationStats) -> T + Sync,
    P: FnMut(u32),
{
    let n = opts.replications as usize;
    let threads = opts.threads.clamp(1, n.max(1));
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    if threads == 1 {
        for (r, slot) in out.iter_mut().enumerate() {
            *slot = Some(reduce(run_one(sc, opts.seed, r as u32)));
            progress(r as u32 + 1);
        }
    } else {
        let (job_tx, job_rx) = crossbeam_channel::bounded::<u32>(n);
        let (res_tx, res_rx) = crossbeam_channel::unbounded::<(u32, T)>();
        for r in 0..n as u32 {
            job_tx.send(r).expect("receiver alive");
        }
        drop(job_tx);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let (job_rx, res_tx, reduce) = (job_rx.clone(), res_tx.clone(), &reduce);
                scope.spawn(move || {
                    for r in job_rx.iter() {
                        let value = reduce(run_one(sc, opts.seed, r));
                        if res_tx.send((r, value)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(res_tx);
            let mut done = 0;
            for (r, value) in res_rx.iter() {
                out[r as usize] = Some(value);
                done += 1;
                progress(done);
            }
        });
    }
    out.into_iter()
        .map(|v| v.expect("every replication reported"))
        .collect()
}

/// Runs the replications and returns their metrics in replication order.
pub fn run_metrics<P: FnMut(u32)>(
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
