//! Retrials against theory.
//!
//! - A Markovian center with retrials (Poisson fresh arrivals, `c` agents,
//!   exponential talk time, exponential patience, and callers who abandon
//!   calling again with probability P after an exponential delay) is a
//!   continuous-time Markov chain on (n callers in the system, talking or
//!   waiting; m callers in orbit, about to call again). The test builds it
//!   with n and m truncated where the mass left out is negligible (checked),
//!   solves it by Gauss-Seidel (checked by its residual, its flow identities,
//!   a larger truncation and, with P = 0, by the closed form of M/M/c+M), and
//!   derives the offered, retried, answered and abandoned calls per hour, the
//!   abandon rate, the occupancy, and — following a tagged caller through the
//!   queue in front of it — the ASA, the mean wait of abandoned callers and
//!   the service level. Each must lie in the simulation's 99.9% confidence
//!   interval over independent replications (common::LEVEL): seeds are
//!   fixed, so the outcome is reproducible, and a correct simulator fails one
//!   check with probability 0.1% plus the tiny bias of a finite window after
//!   a warm-up. Tolerances are the confidence intervals themselves, never
//!   tuned by hand.
//! - Exact properties: calls are conserved in every replication
//!   (offered = answered + abandoned + unresolved + disconnected) and, with
//!   no warm-up, every retrial follows an abandonment of the window
//!   (retrials ≤ abandoned); probability 0 changes no shared metric (library
//!   and `run --json`); with every caller balking and P = 1 each balk of an
//!   interval is retried in the next one; with `closing: drain` no retrial
//!   is offered after the horizon (the run up to it is that of `stop`).

mod common;

use acdsim::report::{Estimate, ReplicationMetrics, Summary};
use acdsim::runner::{run_replications, RunOptions};
use acdsim::scenario::Scenario;
use acdsim::stats::ReplicationStats;
use common::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// The Markov chain of a center with retrials.

/// A Markovian center with one queue and retrials.
#[derive(Debug, Clone, Copy)]
struct Center {
    agents: u32,
    /// Fresh arrivals per hour.
    per_hour: f64,
    handle_s: f64,
    patience_s: f64,
    /// Probability that a caller who abandons calls again.
    p: f64,
    /// Mean (exponential) delay before calling again.
    delay_s: f64,
    /// Service-level threshold (s).
    threshold_s: f64,
}

/// Rates per hour.
impl Center {
    fn lambda(&self) -> f64 {
        self.per_hour
    }
    fn mu(&self) -> f64 {
        3600.0 / self.handle_s
    }
    fn gamma(&self) -> f64 {
        3600.0 / self.patience_s
    }
    fn theta(&self) -> f64 {
        3600.0 / self.delay_s
    }

    /// The transitions out of (n, m) (target, rate per hour), with n ≤ `top_n`
    /// and m ≤ `top_m`: arrivals that would exceed `top_n` are lost (a caller
    /// in orbit stays there), callers who would join a full orbit give up.
    fn transitions(&self, n: u32, m: u32, top_n: u32, top_m: u32) -> Vec<((u32, u32), f64)> {
        let c = self.agents;
        let mut out = Vec::with_capacity(5);
        let mut push = |y: (u32, u32), rate: f64| {
            if rate > 0.0 && y != (n, m) {
                out.push((y, rate));
            }
        };
        if n < top_n {
            // A fresh call.
            push((n + 1, m), self.lambda());
            // A caller in orbit calls again.
            if m > 0 {
                push((n + 1, m - 1), m as f64 * self.theta());
            }
        }
        // A call ends.
        if n > 0 {
            push((n - 1, m), n.min(c) as f64 * self.mu());
        }
        // A waiting caller abandons: into the orbit with probability P.
        if n > c {
            let rate = (n - c) as f64 * self.gamma();
            push((n - 1, (m + 1).min(top_m)), rate * self.p);
            push((n - 1, m), rate * (1.0 - self.p));
        }
        out
    }

    /// The stationary distribution with n ≤ `top_n` and m ≤ `top_m`
    /// (Gauss-Seidel until the balance equations hold to ~1e-14).
    fn solve(&self, top_n: u32, top_m: u32) -> Stationary {
        let width = top_n as usize + 1;
        let states = width * (top_m as usize + 1);
        let index = |(n, m): (u32, u32)| m as usize * width + n as usize;
        let mut incoming: Vec<Vec<(usize, f64)>> = vec![Vec::new(); states];
        let mut out_rate = vec![0.0; states];
        for m in 0..=top_m {
            for n in 0..=top_n {
                let i = index((n, m));
                for (y, rate) in self.transitions(n, m, top_n, top_m) {
                    out_rate[i] += rate;
                    incoming[index(y)].push((i, rate));
                }
            }
        }
        // Start on the level of an empty orbit: with P = 0 the others are
        // transient and stay empty.
        let mut pi = vec![0.0; states];
        pi[..width].fill(1.0 / width as f64);
        let mut sweeps = 0;
        loop {
            // Forward then backward sweep (symmetric Gauss-Seidel).
            for pass in 0..2 {
                for k in 0..states {
                    let j = if pass == 0 { k } else { states - 1 - k };
                    let inflow: f64 = incoming[j].iter().map(|&(i, r)| pi[i] * r).sum();
                    pi[j] = inflow / out_rate[j];
                }
            }
            let total: f64 = pi.iter().sum();
            pi.iter_mut().for_each(|x| *x /= total);
            sweeps += 1;
            if sweeps % 20 == 0 {
                let st = Stationary {
                    center: *self,
                    top_n,
                    top_m,
                    pi: pi.clone(),
                };
                if st.residual() < 1e-14 {
                    eprintln!(
                        "{self:?}: {states} states solved in {sweeps} sweeps, residual {:e}",
                        st.residual()
                    );
                    return st;
                }
                assert!(sweeps < 100_000, "Gauss-Seidel does not converge");
            }
        }
    }
}

/// A stationary distribution of the truncated chain.
struct Stationary {
    center: Center,
    top_n: u32,
    top_m: u32,
    /// Indexed m × (top_n + 1) + n.
    pi: Vec<f64>,
}

/// What theory says of a Markovian center with retrials (per hour).
#[derive(Debug, Clone, Copy)]
struct Theory {
    offered: f64,
    retrials: f64,
    answered: f64,
    abandoned: f64,
    abandon_rate: f64,
    occupancy: f64,
    /// Mean wait in queue of answered calls (s).
    asa_s: f64,
    /// Mean wait of abandoned calls (s).
    abandoned_wait_s: f64,
    /// Share of offered calls answered within the threshold.
    service_level: f64,
    /// Mean callers waiting, in orbit.
    queue: f64,
    orbit: f64,
}

/// A caller with `j` callers ahead in the queue (every agent busy): the
/// probability it is answered, the means of its wait × 1{answered} and of its
/// wait × 1{abandoned} (hours). Ahead of it, a place frees up at rate
/// cμ + jγ (an agent takes the head, or someone ahead abandons); it abandons
/// at rate γ: the first event comes after an exponential time independent of
/// which event it is.
#[derive(Debug, Clone, Copy)]
struct Tagged {
    answered: f64,
    answered_wait: f64,
    abandoned_wait: f64,
}

impl Center {
    /// [`Tagged`] for 0..=`top` callers ahead.
    fn tagged(&self, top: u32) -> Vec<Tagged> {
        let (cmu, gamma) = (self.agents as f64 * self.mu(), self.gamma());
        let mut out: Vec<Tagged> = Vec::new();
        for j in 0..=top {
            let advance = cmu + j as f64 * gamma;
            let r = advance + gamma;
            let (a, w, b) = match out.last() {
                // The head of the queue is answered when a call ends.
                None => (1.0, 0.0, 0.0),
                Some(t) => (t.answered, t.answered_wait, t.abandoned_wait),
            };
            let answered = advance / r * a;
            out.push(Tagged {
                answered,
                answered_wait: answered / r + advance / r * w,
                abandoned_wait: (1.0 - answered) / r + advance / r * b,
            });
        }
        out
    }

    /// For 0..=`top` callers ahead: the probability of being answered within
    /// the threshold (uniformization of the tagged caller's chain).
    fn answered_within(&self, top: u32) -> Vec<f64> {
        let (cmu, gamma) = (self.agents as f64 * self.mu(), self.gamma());
        let t = self.threshold_s / 3600.0;
        let big = cmu + (top + 1) as f64 * gamma;
        // a[j]: probability of having been answered within i uniformized steps.
        let mut a = vec![0.0; top as usize + 1];
        let mut sum = vec![0.0; top as usize + 1];
        let x = big * t;
        let mut weight = (-x).exp();
        let mut mass = 0.0;
        let mut i = 0u32;
        while mass < 1.0 - 1e-16 && i < 10_000 {
            for (s, v) in sum.iter_mut().zip(&a) {
                *s += weight * v;
            }
            mass += weight;
            // One more step: j → j − 1 (or answered from 0) at cμ + jγ,
            // abandoned at γ, else stay.
            let prev = a.clone();
            for j in 0..a.len() {
                let advance = (cmu + j as f64 * gamma) / big;
                let next = if j == 0 { 1.0 } else { prev[j - 1] };
                let stay = 1.0 - advance - gamma / big;
                a[j] = advance * next + stay * prev[j];
            }
            i += 1;
            weight *= x / i as f64;
        }
        assert!(mass > 1.0 - 1e-12, "Poisson mass {mass}");
        sum
    }
}

impl Stationary {
    fn states(&self) -> impl Iterator<Item = ((u32, u32), f64)> + '_ {
        let width = self.top_n as usize + 1;
        self.pi
            .iter()
            .enumerate()
            .map(move |(i, &p)| (((i % width) as u32, (i / width) as u32), p))
    }

    fn mean(&self, f: impl Fn(u32, u32) -> f64) -> f64 {
        self.states().map(|((n, m), p)| p * f(n, m)).sum()
    }

    /// Largest |(πQ)_x| relative to the largest probability flow out of a state.
    fn residual(&self) -> f64 {
        let width = self.top_n as usize + 1;
        let mut flow = vec![0.0; self.pi.len()];
        let mut scale: f64 = 0.0;
        for ((n, m), p) in self.states() {
            let out = self.center.transitions(n, m, self.top_n, self.top_m);
            let total: f64 = out.iter().map(|(_, r)| r).sum();
            scale = scale.max(p * total);
            flow[m as usize * width + n as usize] -= p * total;
            for ((n2, m2), r) in out {
                flow[m2 as usize * width + n2 as usize] += p * r;
            }
        }
        flow.iter().fold(0.0f64, |m, v| m.max(v.abs())) / scale
    }

    fn theory(&self) -> Theory {
        let ce = &self.center;
        let c = ce.agents;
        let queue = self.mean(|n, _| n.saturating_sub(c) as f64);
        let orbit = self.mean(|_, m| m as f64);
        let busy = self.mean(|n, _| n.min(c) as f64);
        let retrials = ce.theta() * orbit;
        let offered = ce.lambda() + retrials;
        let abandoned = ce.gamma() * queue;
        // Callers arriving (fresh or calling again) see state (n, m) with
        // weight π(n, m)(λ + mθ): the tagged caller has n − c ahead.
        let top_j = self.top_n - c;
        let tagged = ce.tagged(top_j);
        let within = ce.answered_within(top_j);
        let (mut answered_wait, mut abandoned_wait, mut in_sl) = (0.0, 0.0, 0.0);
        for ((n, m), p) in self.states() {
            let w = p * (ce.lambda() + m as f64 * ce.theta()) / offered;
            if n < c {
                in_sl += w;
            } else {
                let j = (n - c) as usize;
                answered_wait += w * tagged[j].answered_wait;
                abandoned_wait += w * tagged[j].abandoned_wait;
                in_sl += w * within[j];
            }
        }
        let answered = ce.mu() * busy;
        Theory {
            offered,
            retrials,
            answered,
            abandoned,
            abandon_rate: abandoned / offered,
            occupancy: busy / c as f64,
            asa_s: answered_wait * offered / answered * 3600.0,
            abandoned_wait_s: abandoned_wait * offered / abandoned * 3600.0,
            service_level: in_sl,
            queue,
            orbit,
        }
    }

    /// The truncation leaves out negligible mass, the chain is solved, and
    /// its flows balance.
    fn check(&self) {
        let c = &self.center;
        let residual = self.residual();
        assert!(residual < 1e-13, "{c:?}: residual {residual:e}");
        let total: f64 = self.pi.iter().sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!(self.pi.iter().all(|&p| p >= 0.0));
        // The top levels (where the truncation acts) are out of reach.
        let edge_n: f64 = self
            .states()
            .filter(|((n, _), _)| *n + 10 > self.top_n)
            .map(|(_, p)| p)
            .sum();
        let edge_m: f64 = self
            .states()
            .filter(|((_, m), _)| *m + 10 > self.top_m)
            .map(|(_, p)| p)
            .sum();
        assert!(
            edge_n < 1e-15,
            "{c:?}: mass {edge_n:e} near n = {}",
            self.top_n
        );
        assert!(
            edge_m < 1e-15,
            "{c:?}: mass {edge_m:e} near m = {}",
            self.top_m
        );
        let th = self.theory();
        // Every offered call is answered or abandons; callers enter the orbit
        // as fast as they leave it.
        let rel = |a: f64, b: f64| (a / b - 1.0).abs();
        assert!(
            rel(th.answered + th.abandoned, th.offered) < 1e-10,
            "{c:?}: {th:?}"
        );
        if c.p > 0.0 {
            assert!(
                rel(c.p * th.abandoned, th.retrials) < 1e-10,
                "{c:?}: {th:?}"
            );
        } else {
            assert_eq!(th.orbit, 0.0);
        }
        // The tagged caller agrees with the chain: the same share answered,
        // and (Little) the same total time in queue.
        let tagged = c.tagged(self.top_n - c.agents);
        let tagged_answered = self.states().fold(0.0, |s, ((n, m), p)| {
            let w = p * (c.lambda() + m as f64 * c.theta()) / th.offered;
            let a = if n < c.agents {
                1.0
            } else {
                tagged[(n - c.agents) as usize].answered
            };
            s + w * a
        });
        assert!(
            rel(tagged_answered, th.answered / th.offered) < 1e-10,
            "{c:?}: tagged {tagged_answered}, chain {}",
            th.answered / th.offered
        );
        let waiting = (th.answered * th.asa_s + th.abandoned * th.abandoned_wait_s) / 3600.0;
        assert!(
            rel(waiting, th.queue) < 1e-10,
            "{c:?}: Little {waiting} vs {}",
            th.queue
        );
        assert!(th.service_level < th.answered / th.offered);
    }
}

/// Truncation of the chains below (each checks the mass near it).
const TOP_N: u32 = 60;
const TOP_M: u32 = 80;

/// The center of the statistical test: 100 fresh calls/h on 6 agents with
/// 4 min talk (6.7 Erlangs: overloaded but for abandonment), 1 min patience,
/// half the abandoners call again after 10 min on average.
const CENTER: Center = Center {
    agents: 6,
    per_hour: 100.0,
    handle_s: 240.0,
    patience_s: 60.0,
    p: 0.5,
    delay_s: 600.0,
    threshold_s: 20.0,
};

#[test]
fn the_chain_without_retrials_is_erlang_a() {
    for (agents, per_hour, handle_s, patience_s) in [
        (6, 100.0, 240.0, 60.0),
        (3, 40.0, 300.0, 120.0),
        (1, 20.0, 200.0, 30.0),
    ] {
        let c = Center {
            agents,
            per_hour,
            handle_s,
            patience_s,
            p: 0.0,
            ..CENTER
        };
        let st = c.solve(TOP_N, 10);
        st.check();
        // Birth and death: π_n ∝ Π λ / (min(k, c)μ + (k − c)⁺γ).
        let mut bd = vec![1.0];
        for k in 1..=TOP_N {
            let death = k.min(agents) as f64 * c.mu() + k.saturating_sub(agents) as f64 * c.gamma();
            bd.push(bd[k as usize - 1] * c.lambda() / death);
        }
        let total: f64 = bd.iter().sum();
        for (n, x) in bd.iter().enumerate() {
            let chain = st.pi[n];
            assert!(
                (chain - x / total).abs() < 1e-12,
                "{c:?}: π({n}) = {chain} vs {}",
                x / total
            );
        }
        let th = st.theory();
        assert_eq!(th.retrials, 0.0);
        assert_eq!(th.offered, c.lambda());
        eprintln!("M/M/{agents}+M: {th:?}");
    }
}

#[test]
fn the_chain_does_not_depend_on_its_truncation() {
    let a = CENTER.solve(TOP_N, TOP_M);
    let b = CENTER.solve(TOP_N + 20, TOP_M + 20);
    a.check();
    b.check();
    let (x, y) = (a.theory(), b.theory());
    for (what, u, v) in [
        ("offered", x.offered, y.offered),
        ("retrials", x.retrials, y.retrials),
        ("ASA", x.asa_s, y.asa_s),
        ("service level", x.service_level, y.service_level),
    ] {
        assert!((u / v - 1.0).abs() < 1e-10, "{what}: {u} vs {v}");
    }
}

// ---------------------------------------------------------------------------
// Simulation of a Markovian center.

/// Hours of the measured window of the statistical runs (one interval).
const WINDOW_H: u32 = 4000;

fn exp(mean_s: f64) -> Value {
    json!({ "exponential": { "mean": mean_s } })
}

/// The scenario of `c`: `replications` windows of `hours` after a 10 h
/// warm-up (60 mean retry delays: the orbit has long reached equilibrium).
fn center_scenario(c: &Center, seed: u64, replications: u32, hours: u32) -> Value {
    json!({
        "name": "retrial markov", "seed": seed, "replications": replications,
        "warmup": "10h", "horizon": format!("{hours}h"), "interval": format!("{hours}h"),
        "service_level_threshold": c.threshold_s,
        "skills": ["general"],
        "queues": [{
            "name": "calls", "skill": "general",
            "arrivals": { "rate_per_hour": c.per_hour },
            "handle_time": exp(c.handle_s),
            "patience": exp(c.patience_s),
            "retrial": { "probability": c.p, "delay": exp(c.delay_s) },
        }],
        "agent_groups": [{ "name": "agents", "count": c.agents, "skills": { "general": 1 } }],
    })
}

#[test]
fn markov_center_with_retrials_matches_its_chain() {
    let c = CENTER;
    let st = c.solve(TOP_N, TOP_M);
    st.check();
    let th = st.theory();
    let label = format!(
        "c={} λ={}/h handle={}s patience={}s P={} delay={}s",
        c.agents, c.per_hour, c.handle_s, c.patience_s, c.p, c.delay_s
    );
    eprintln!("{label}: theory {th:?}");
    // Retrials matter: over a tenth of the offered calls, and they make a
    // difference the simulation can see (the chain without them).
    assert!(th.retrials > 0.1 * th.offered, "{label}: {th:?}");
    let plain = Center { p: 0.0, ..c }.solve(TOP_N, 10).theory();
    let hours = WINDOW_H as f64;
    let sc = scenario(&center_scenario(&c, 211, 40, WINDOW_H));
    let opts = RunOptions {
        replications: sc.replications,
        seed: sc.seed,
        threads: 2,
    };
    // Per replication: its metrics, and its fresh calls (offered − retrials).
    let reps = run_replications(
        &sc,
        opts,
        |st: ReplicationStats| {
            let q = &st.queues[0];
            (
                ReplicationMetrics::from_stats(&sc, &st),
                (q.offered - q.retrials) as f64,
            )
        },
        |_| {},
    );
    let metrics: Vec<_> = reps.iter().map(|(m, _)| m.clone()).collect();
    let s = Summary::new(&sc, sc.seed, &metrics);
    let (q, agents) = (&s.queues[0], &s.agent_groups[0]);
    // Fresh calls are the Poisson arrivals.
    assert_ci(
        Estimate::from_values(reps.iter().map(|(_, fresh)| *fresh)),
        c.per_hour * hours,
        &format!("{label}: fresh calls"),
    );
    let checks = [
        (
            "offered",
            q.get("offered"),
            th.offered * hours,
            plain.offered * hours,
        ),
        ("retrials", q.get("retrials"), th.retrials * hours, 0.0),
        (
            "answered",
            q.get("answered"),
            th.answered * hours,
            plain.answered * hours,
        ),
        (
            "abandoned",
            q.get("abandoned"),
            th.abandoned * hours,
            plain.abandoned * hours,
        ),
        (
            "abandon rate",
            q.get("abandon_rate"),
            th.abandon_rate,
            plain.abandon_rate,
        ),
        (
            "occupancy",
            agents.get("occupancy"),
            th.occupancy,
            plain.occupancy,
        ),
        ("ASA", q.get("asa_s"), th.asa_s, plain.asa_s),
        (
            "abandoned wait",
            q.get("abandoned_wait_s"),
            th.abandoned_wait_s,
            plain.abandoned_wait_s,
        ),
        (
            "service level",
            q.get("service_level"),
            th.service_level,
            plain.service_level,
        ),
    ];
    for (what, e, theory, without) in &checks {
        let half = e.half_width(LEVEL);
        eprintln!(
            "{label}: {what}: simulated {:.5} ± {:.5} (99.9%, relative {:.3}%), theory {theory:.5}, without retrials {without:.5}",
            e.mean,
            half,
            100.0 * half / e.mean,
        );
    }
    for (what, e, theory, without) in checks {
        assert_ci(e, theory, &format!("{label}: {what}"));
        // The test could tell the chain without retrials apart.
        assert!(
            (e.mean - without).abs() > e.half_width(LEVEL),
            "{label}: {what}: {e:?} does not exclude {without} (no retrials)"
        );
    }
    assert_eq!(q.get("blocked").mean, 0.0);
    assert_eq!(q.get("balked").mean, 0.0);
    // Only callers waiting at the horizon are unresolved.
    assert!(q.get("unresolved").mean < 10.0);
}

// ---------------------------------------------------------------------------
// Conservation.

/// Every replication of `sc` (its replications, on 2 threads).
fn replications(sc: &Scenario) -> Vec<ReplicationStats> {
    let opts = RunOptions {
        replications: sc.replications,
        seed: sc.seed,
        threads: 2,
    };
    run_replications(sc, opts, |s| s, |_| {})
}

/// Two queues with abandonment, balking and retrials, sharing agents; no
/// warm-up, so every retrial of the window follows an abandonment of the window.
fn two_queues(closing: &str) -> Value {
    json!({
        "name": "retrial conservation", "seed": 17, "replications": 12,
        "horizon": "12h", "interval": "1h", "closing": closing,
        "skills": ["a", "b"],
        "queues": [
            {
                "name": "qa", "skill": "a", "arrivals": { "rate_per_hour": 120 },
                "handle_time": exp(200.0), "patience": exp(60.0), "wrap_up": exp(15.0),
                "balk_probability": 0.2,
                "retrial": { "probability": 0.7, "delay": exp(300.0) },
            },
            {
                "name": "qb", "skill": "b", "arrivals": { "rate_per_hour": 50 },
                "handle_time": { "lognormal": { "mean": 300, "sd": 200 } },
                "patience": { "uniform": { "min": 10, "max": 200 } },
                "retrial": { "probability": 0.4, "delay": { "constant": 120 } },
            },
        ],
        "agent_groups": [
            { "name": "generalists", "count": 3, "skills": { "a": 1, "b": 2 } },
            { "name": "b-team", "count": 2, "skills": { "b": 1 } },
        ],
    })
}

/// Checks calls are conserved in every replication of `reps` (and interval
/// by interval), every retrial follows an abandonment, and returns the
/// retrials per queue over all replications.
fn check_conservation(reps: &[ReplicationStats], what: &str) -> Vec<u64> {
    let mut retried = vec![0u64; reps[0].queues.len()];
    for st in reps {
        let rep = st.replication;
        for (q, c) in st.queues.iter().enumerate() {
            let what = format!("{what}, replication {rep}, queue {q}: {:?}", c.calls);
            assert_eq!(
                c.offered,
                c.answered + c.abandoned + c.unresolved + c.disconnected,
                "{what}"
            );
            // No warm-up: each retrial of the window follows an abandonment
            // of the window (the retried call's, counted by its arrival).
            assert!(c.retrials <= c.abandoned, "{what}");
            assert!(c.balked <= c.abandoned, "{what}");
            // Interval by interval, and the intervals add up.
            let mut sum = [0u64; 3];
            for cell in &c.intervals {
                assert_eq!(
                    cell.offered,
                    cell.answered + cell.abandoned + cell.unresolved + cell.disconnected,
                    "{what}"
                );
                assert!(cell.retrials <= cell.offered, "{what}");
                sum[0] += cell.offered;
                sum[1] += cell.retrials;
                sum[2] += cell.abandoned;
            }
            assert_eq!(sum, [c.offered, c.retrials, c.abandoned], "{what}");
            // The first interval's retrials follow its own abandonments.
            let first = &c.intervals[0];
            assert!(first.retrials <= first.abandoned, "{what}");
            retried[q] += c.retrials;
        }
    }
    retried
}

/// Per replication and queue: (offered, retrials), and the calls generated.
fn arrivals(reps: &[ReplicationStats]) -> Vec<(Vec<(u64, u64)>, u64)> {
    reps.iter()
        .map(|st| {
            (
                st.queues.iter().map(|c| (c.offered, c.retrials)).collect(),
                st.calls_generated,
            )
        })
        .collect()
}

#[test]
fn calls_are_conserved_and_every_retrial_follows_an_abandonment() {
    let stop = replications(&scenario(&two_queues("stop")));
    let retried = check_conservation(&stop, "stop");
    assert!(retried.iter().all(|&r| r > 100), "{retried:?}");
    for st in &stop {
        assert!(st.queues.iter().all(|c| c.disconnected == 0));
    }
    let disconnect = replications(&scenario(&two_queues("disconnect")));
    check_conservation(&disconnect, "disconnect");
    for st in &disconnect {
        assert!(st.queues.iter().all(|c| c.unresolved == 0));
    }
    assert!(disconnect
        .iter()
        .any(|st| st.queues.iter().any(|c| c.disconnected > 0)));
    // Up to the horizon both runs are the same: the same calls and retrials.
    assert_eq!(arrivals(&stop), arrivals(&disconnect));
}

#[test]
fn draining_center_offers_no_retrial_after_the_horizon() {
    // With `closing: drain` no call arrives after the horizon (README): up to
    // the horizon the run is that of `closing: stop`, the same calls and
    // retrials, and calls are conserved. (Without retrials, as a control,
    // the same holds.)
    let mut control = two_queues("drain");
    control["queues"][0]["retrial"]["probability"] = json!(0);
    control["queues"][1]["retrial"]["probability"] = json!(0);
    let mut control_stop = control.clone();
    control_stop["closing"] = json!("stop");
    let (a, b) = (
        replications(&scenario(&control)),
        replications(&scenario(&control_stop)),
    );
    check_conservation(&a, "drain without retrials");
    assert_eq!(arrivals(&a), arrivals(&b), "drain without retrials");
    let stop = replications(&scenario(&two_queues("stop")));
    let drain = replications(&scenario(&two_queues("drain")));
    check_conservation(&drain, "drain");
    assert_eq!(arrivals(&drain), arrivals(&stop), "drain");
}

// ---------------------------------------------------------------------------
// Probability 0.

/// A small center with abandonment, balking, wrap-up, two queues, a warm-up
/// and intervals.
fn plain_center() -> Value {
    json!({
        "name": "plain", "seed": 4, "replications": 6,
        "warmup": "30m", "horizon": "6h", "interval": "1h",
        "service_level_threshold": "20s",
        "skills": ["a", "b"],
        "queues": [
            {
                "name": "qa", "skill": "a", "arrivals": { "rate_per_hour": 90 },
                "handle_time": exp(180.0), "patience": exp(120.0), "wrap_up": exp(20.0),
                "balk_probability": 0.1,
            },
            {
                "name": "qb", "skill": "b", "arrivals": { "rate_per_hour": 40 },
                "handle_time": exp(240.0), "patience": exp(200.0),
            },
        ],
        "agent_groups": [
            { "name": "generalists", "count": 3, "skills": { "a": 1, "b": 2 } },
            { "name": "b-team", "count": 3, "skills": { "b": 1 } },
        ],
    })
}

/// `plain_center` whose queues retry with probability `p`.
fn retrying(p: f64) -> Value {
    let mut v = plain_center();
    v["queues"][0]["retrial"] = json!({ "probability": p, "delay": exp(300.0) });
    v["queues"][1]["retrial"] = json!({ "probability": p, "delay": { "constant": 60 } });
    v
}

/// `doc` without the `retrials` metric (at every depth), and how many were removed.
fn without_retrials(doc: Value) -> (Value, usize) {
    common::without_metrics(doc, &["retrials"])
}

fn assert_same(a: &Value, b: &Value, what: &str) {
    common::assert_same_json(a, b, &format!("{what} (probability 0)"))
}

fn binary_json(v: &Value, tag: &str) -> Value {
    common::binary_json(v, &format!("retrial-{tag}"))
}

#[test]
fn probability_zero_changes_no_metric() {
    // The library's report.
    let lib = |v: &Value| without_retrials(run(&scenario(v)).to_json());
    let (plain, none) = lib(&plain_center());
    let (zero, removed) = lib(&retrying(0.0));
    assert_eq!(none, 0, "no retrials metric without retrials");
    assert!(removed > 0, "the retrials metric is reported with retrials");
    assert_same(&plain, &zero, "library");
    // The comparison is sensitive: a few retrials change the report.
    let (some, _) = lib(&retrying(0.05));
    assert_ne!(some, plain);
    // The binary's JSON, replication by replication.
    let (plain, none) = without_retrials(binary_json(&plain_center(), "plain"));
    let (zero, removed) = without_retrials(binary_json(&retrying(0.0), "zero"));
    assert_eq!(none, 0);
    assert!(removed > 0);
    assert!(plain["per_replication"].as_array().unwrap().len() == 6);
    assert_same(&plain, &zero, "run --json");
}

// ---------------------------------------------------------------------------
// Every caller balks, and calls again.

#[test]
fn every_balker_calls_again_with_probability_one() {
    // Callers never wait for an agent (they balk when none is idle) and call
    // again 10 min later, exactly one interval: each interval's balks are the
    // next interval's retrials. (Without patience nobody abandons otherwise.)
    let v = json!({
        "name": "balk and retry", "seed": 23, "replications": 8,
        "horizon": "24h", "interval": "10m",
        "skills": ["general"],
        "queues": [{
            "name": "calls", "skill": "general",
            "arrivals": { "rate_per_hour": 48 },
            "handle_time": exp(300.0),
            "balk_probability": 1,
            "retrial": { "probability": 1, "delay": { "constant": "10m" } },
        }],
        "agent_groups": [{ "name": "agents", "count": 5, "skills": { "general": 1 } }],
    });
    let sc = scenario(&v);
    let mut total = [0u64; 3];
    for st in replications(&sc) {
        let rep = st.replication;
        let c = &st.queues[0];
        let what = format!("replication {rep}: {:?}", c.calls);
        assert_eq!(
            c.offered,
            c.answered + c.abandoned + c.unresolved + c.disconnected,
            "{what}"
        );
        assert_eq!(c.abandoned, c.balked, "{what}");
        assert!(c.retrials > 0 && c.retrials <= c.abandoned, "{what}");
        let cells = &c.intervals;
        assert_eq!(cells.len(), 144);
        assert_eq!(cells[0].retrials, 0, "{what}");
        for k in 1..cells.len() {
            assert_eq!(
                cells[k].retrials,
                cells[k - 1].balked,
                "replication {rep}, interval {k}: retrials vs the balks before"
            );
        }
        // Only the last interval's balkers have not called again yet.
        assert_eq!(
            c.retrials + cells.last().unwrap().balked,
            c.balked,
            "{what}"
        );
        total[0] += c.offered;
        total[1] += c.retrials;
        total[2] += c.balked;
    }
    eprintln!("offered, retrials, balked over the replications: {total:?}");
    // 4 Erlangs on 5 agents: a fifth of the fresh callers balk (Erlang B),
    // so plenty call again.
    assert!(total[1] * 10 > total[0], "{total:?}");
    // With a probability below 1 fewer call again.
    let mut half = v.clone();
    half["queues"][0]["retrial"]["probability"] = json!(0.5);
    let s = run(&scenario(&half));
    let full = Summary::new(
        &sc,
        sc.seed,
        &replications(&sc)
            .iter()
            .map(|st| ReplicationMetrics::from_stats(&sc, st))
            .collect::<Vec<_>>(),
    );
    let (r_half, r_full) = (
        s.queues[0].get("retrials").mean,
        full.queues[0].get("retrials").mean,
    );
    assert!(r_half > 0.0 && r_half < r_full, "{r_half} vs {r_full}");
}
