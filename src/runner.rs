//! Replications: runs a scenario many times on a pool of worker threads and
//! hands back each replication's metrics in replication order, so results
//! never depend on thread scheduling.

use crate::engine::Simulation;
use crate::report::{ReplicationMetrics, Summary};
use crate::scenario::Scenario;
use crate::stats::ReplicationStats;
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

/// Threads per core beyond which more threads cannot help (a small margin
/// above one for cores that wait on memory).
pub const THREADS_PER_CORE: usize = 4;

/// The worker threads worth starting for `jobs` whole jobs when `asked` were
/// asked for: at least one, at most one per job and [`THREADS_PER_CORE`] per
/// core (a huge `--threads` would otherwise start that many OS threads).
pub fn useful_threads(asked: usize, jobs: usize) -> usize {
    let cores = default_threads();
    asked
        .min(jobs)
        .min(cores.saturating_mul(THREADS_PER_CORE))
        .max(1)
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
pub fn run_replications<T, R, P>(sc: &Scenario, opts: RunOptions, reduce: R, progress: P) -> Vec<T>
where
    T: Send,
    R: Fn(ReplicationStats) -> T + Sync,
    P: FnMut(Progress),
{
    let mut out = run_variants(std::slice::from_ref(sc), opts, |_, s| reduce(s), progress);
    out.pop().expect("one variant")
}

/// Runs `opts.replications` replications of each of `variants` (all with
/// `opts.seed`: common random numbers), every (variant, replication) a job
/// on the worker pool. Returns, per variant, the reduced values in
/// replication order; `progress` counts replications over all variants.
pub fn run_variants<T, R, P>(
    variants: &[Scenario],
    opts: RunOptions,
    reduce: R,
    mut progress: P,
) -> Vec<Vec<T>>
where
    T: Send,
    R: Fn(usize, ReplicationStats) -> T + Sync,
    P: FnMut(Progress),
{
    let reps = opts.replications as usize;
    let n = reps * variants.len();
    let threads = useful_threads(opts.threads, n);
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let (job_tx, job_rx) = crossbeam_channel::bounded::<usize>(n);
    let (res_tx, res_rx) = crossbeam_channel::unbounded::<(usize, T)>();
    for job in 0..n {
        job_tx.send(job).expect("receiver alive");
    }
    drop(job_tx);
    // Fraction of its current replication each worker has simulated (as f64 bits).
    let clocks: Vec<AtomicU64> = (0..threads).map(|_| AtomicU64::new(0)).collect();
    // One job loop per worker; run on the calling thread if no thread
    // can be started at all (the system's thread limit).
    let work = |clock: &AtomicU64,
                job_rx: crossbeam_channel::Receiver<usize>,
                res_tx: crossbeam_channel::Sender<(usize, T)>| {
        for job in job_rx.iter() {
            let (v, r) = (job / reps, (job % reps) as u32);
            let sc = &variants[v];
            let observer = Fraction {
                cell: clock,
                end: sc.end.micros().max(1) as f64,
            };
            clock.store(0, Ordering::Relaxed);
            let stats = Simulation::new(sc, opts.seed, r).run_observed(&observer);
            clock.store(0, Ordering::Relaxed);
            if res_tx.send((job, reduce(v, stats))).is_err() {
                return;
            }
        }
    };
    std::thread::scope(|scope| {
        let mut started = 0;
        for clock in &clocks {
            let (job_rx, res_tx, work) = (job_rx.clone(), res_tx.clone(), &work);
            let spawned = std::thread::Builder::new()
                .name("replications".into())
                .spawn_scoped(scope, move || work(clock, job_rx, res_tx));
            if spawned.is_err() {
                // Fewer workers than asked: the ones started share the jobs.
                break;
            }
            started += 1;
        }
        if started == 0 {
            work(&clocks[0], job_rx.clone(), res_tx.clone());
        }
        drop(res_tx);
        let mut finished = 0u32;
        loop {
            match res_rx.recv_timeout(Duration::from_millis(100)) {
                Ok((job, value)) => {
                    out[job] = Some(value);
                    finished += 1;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            let under_way: f64 = clocks
                .iter()
                .map(|c| f64::from_bits(c.load(Ordering::Relaxed)).min(1.0))
                .sum();
            progress(Progress {
                finished,
                replications: (finished as f64 + under_way).min(n as f64),
            });
        }
    });
    let mut values = out
        .into_iter()
        .map(|v| v.expect("every replication reported"));
    (0..variants.len())
        .map(|_| values.by_ref().take(reps).collect())
        .collect()
}

/// Tells the runner how far into its replication a worker is.
struct Fraction<'a> {
    cell: &'a AtomicU64,
    end: f64,
}

impl crate::engine::Clock for Fraction<'_> {
    #[inline]
    fn tick(&self, now: u64) {
        self.cell
            .store((now as f64 / self.end).to_bits(), Ordering::Relaxed);
    }
}

/// Runs the replications and returns their metrics in replication order.
pub fn run_metrics<P: FnMut(Progress)>(
    sc: &Scenario,
    opts: RunOptions,
    progress: P,
) -> Vec<ReplicationMetrics> {
    run_replications(
        sc,
        opts,
        |s| ReplicationMetrics::from_stats(sc, &s),
        progress,
    )
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
    fn threads_are_bounded_by_jobs_and_cores() {
        let cores = default_threads();
        assert_eq!(useful_threads(0, 5), 1);
        assert_eq!(useful_threads(3, 2), 2);
        assert_eq!(useful_threads(1, 0), 1);
        assert_eq!(
            useful_threads(usize::MAX, usize::MAX),
            cores * THREADS_PER_CORE
        );
        assert_eq!(useful_threads(100_000, 100_000), cores * THREADS_PER_CORE);
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
            format!("{:?}", ReplicationMetrics::from_stats(&sc, &stats)),
            format!("{:?}", ReplicationMetrics::from_stats(&sc, &plain))
        );
    }
}
