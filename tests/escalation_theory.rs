//! Supervisor escalation against theory.
//!
//! - A Markovian center (Poisson arrivals, exponential handle time, `after`
//!   and supervisor time, no abandonment, no handover, no wrap-up) is a
//!   continuous-time Markov chain on (agents on ordinary calls, agents
//!   talking before escalating, agents blocked, busy supervisors, calls in
//!   queue). The test builds the chain with the queue truncated where the
//!   mass left out is negligible, solves it exactly (block Gaussian
//!   elimination level by level, checked by its residual, its throughput
//!   identities and, with no difficult calls, by Erlang C to 1e-9), and
//!   derives the mean queue wait, the mean wait for a supervisor (Little),
//!   supervisor occupancy, the agents' blocked share and occupancy. Each must
//!   lie in the simulation's 99.9% confidence interval over independent
//!   replications (common::LEVEL): seeds are fixed, so the outcome is
//!   reproducible, and a correct simulator fails one check with probability
//!   0.1% plus the tiny bias of a finite window after a warm-up. Tolerances
//!   are the confidence intervals themselves, never tuned by hand.
//! - The same chain with exponential hold patience gives the share of
//!   escalated callers who hang up on hold.
//! - Exact properties: enough supervisors (with supervisor times shorter
//!   than any `after`) means no supervisor wait and no blocked time; more
//!   escalations to one supervisor mean longer supervisor waits; agent time
//!   adds up (handling + blocked never exceeds logged-in time, logged-in time
//!   is agents × window); escalations are supervised, abandoned on hold or
//!   still on hold at the end; and probability 0 changes no shared metric.

mod common;

use acdsim::report::{Estimate, Summary};
use acdsim::runner::{run_replications, simulate, RunOptions};
use acdsim::scenario::Scenario;
use acdsim::stats::ReplicationStats;
use common::*;
use serde_json::{json, Value};
use std::collections::HashMap;

// ---------------------------------------------------------------------------
// Dense linear algebra (small blocks only).

/// A dense row-major matrix.
#[derive(Debug, Clone)]
struct Mat {
    rows: usize,
    cols: usize,
    a: Vec<f64>,
}

impl Mat {
    fn zeros(rows: usize, cols: usize) -> Mat {
        Mat {
            rows,
            cols,
            a: vec![0.0; rows * cols],
        }
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.cols + j]
    }

    fn add(&mut self, i: usize, j: usize, v: f64) {
        self.a[i * self.cols + j] += v;
    }

    fn set(&mut self, i: usize, j: usize, v: f64) {
        self.a[i * self.cols + j] = v;
    }

    fn mul(&self, o: &Mat) -> Mat {
        assert_eq!(self.cols, o.rows);
        let mut m = Mat::zeros(self.rows, o.cols);
        for i in 0..self.rows {
            for k in 0..self.cols {
                let x = self.at(i, k);
                if x != 0.0 {
                    for j in 0..o.cols {
                        m.a[i * o.cols + j] += x * o.at(k, j);
                    }
                }
            }
        }
        m
    }

    fn plus(&self, o: &Mat) -> Mat {
        assert_eq!((self.rows, self.cols), (o.rows, o.cols));
        Mat {
            rows: self.rows,
            cols: self.cols,
            a: self.a.iter().zip(&o.a).map(|(x, y)| x + y).collect(),
        }
    }

    fn neg(&self) -> Mat {
        Mat {
            rows: self.rows,
            cols: self.cols,
            a: self.a.iter().map(|x| -x).collect(),
        }
    }

    /// `self · m⁻¹` (Gaussian elimination with partial pivoting on mᵀ).
    fn div(&self, m: &Mat) -> Mat {
        let n = m.rows;
        assert_eq!(m.cols, n);
        assert_eq!(self.cols, n);
        // Y m = X  ⇔  mᵀ Yᵀ = Xᵀ: factor mᵀ = P⁻¹ L U.
        let mut lu = Mat::zeros(n, n);
        for i in 0..n {
            for j in 0..n {
                lu.set(i, j, m.at(j, i));
            }
        }
        let mut perm: Vec<usize> = (0..n).collect();
        for k in 0..n {
            let p = (k..n)
                .max_by(|&x, &y| lu.at(x, k).abs().total_cmp(&lu.at(y, k).abs()))
                .unwrap();
            assert!(lu.at(p, k) != 0.0, "singular block");
            if p != k {
                for j in 0..n {
                    lu.a.swap(k * n + j, p * n + j);
                }
                perm.swap(k, p);
            }
            for i in k + 1..n {
                let f = lu.at(i, k) / lu.at(k, k);
                lu.set(i, k, f);
                if f != 0.0 {
                    for j in k + 1..n {
                        let v = lu.at(k, j);
                        lu.add(i, j, -f * v);
                    }
                }
            }
        }
        let mut out = Mat::zeros(self.rows, n);
        for r in 0..self.rows {
            // Solve mᵀ y = x for x the row r of self.
            let mut y: Vec<f64> = perm.iter().map(|&p| self.at(r, p)).collect();
            for i in 0..n {
                for k in 0..i {
                    y[i] -= lu.at(i, k) * y[k];
                }
            }
            for i in (0..n).rev() {
                for k in i + 1..n {
                    y[i] -= lu.at(i, k) * y[k];
                }
                y[i] /= lu.at(i, i);
            }
            out.a[r * n..(r + 1) * n].copy_from_slice(&y);
        }
        out
    }
}

// ---------------------------------------------------------------------------
// The Markov chain of a center with escalation.

/// A Markovian center: one queue, `agents` agents, `supervisors` supervisors.
#[derive(Debug, Clone, Copy)]
struct Center {
    agents: u32,
    supervisors: u32,
    per_hour: f64,
    handle_s: f64,
    /// Probability that a call is difficult.
    p: f64,
    after_s: f64,
    supervisor_s: f64,
    /// Mean (exponential) hold patience; `None`: callers on hold wait as long as it takes.
    hold_patience_s: Option<f64>,
}

/// A state of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct State {
    /// Agents talking on ordinary calls.
    n: u32,
    /// Agents talking on difficult calls before escalating.
    d: u32,
    /// Agents blocked with a caller on hold for a supervisor.
    b: u32,
    /// Busy supervisors.
    s: u32,
    /// Calls waiting in the queue.
    q: u32,
}

impl Center {
    fn lambda(&self) -> f64 {
        self.per_hour / 3600.0
    }

    /// The states of level `q` (calls in queue): with calls waiting every
    /// agent is busy; an agent is blocked only while every supervisor is busy.
    fn level(&self, q: u32) -> Vec<State> {
        let mut out = Vec::new();
        for n in 0..=self.agents {
            for d in 0..=self.agents - n {
                for b in 0..=self.agents - n - d {
                    if q > 0 && n + d + b < self.agents {
                        continue;
                    }
                    for s in 0..=self.supervisors {
                        if b > 0 && s < self.supervisors {
                            continue;
                        }
                        out.push(State { n, d, b, s, q });
                    }
                }
            }
        }
        out
    }

    /// The transitions out of `x` (target, rate per second); arrivals that
    /// would make the queue longer than `top` are lost (the truncation).
    fn transitions(&self, x: State, top: u32) -> Vec<(State, f64)> {
        let (lambda, p) = (self.lambda(), self.p);
        let mut out: Vec<(State, f64)> = Vec::new();
        let mut push = |y: State, rate: f64| {
            if rate > 0.0 && y != x {
                out.push((y, rate));
            }
        };
        // An agent frees up in state `y`: it takes the oldest queued call, if any.
        let free_agent = |y: State, rate: f64, push: &mut dyn FnMut(State, f64)| {
            if y.q > 0 {
                let q = y.q - 1;
                push(State { n: y.n + 1, q, ..y }, rate * (1.0 - p));
                push(State { d: y.d + 1, q, ..y }, rate * p);
            } else {
                push(y, rate);
            }
        };
        // Arrival.
        if x.n + x.d + x.b < self.agents {
            push(State { n: x.n + 1, ..x }, lambda * (1.0 - p));
            push(State { d: x.d + 1, ..x }, lambda * p);
        } else if x.q < top {
            push(State { q: x.q + 1, ..x }, lambda);
        }
        // An ordinary call ends.
        if x.n > 0 {
            let rate = x.n as f64 / self.handle_s;
            free_agent(State { n: x.n - 1, ..x }, rate, &mut push);
        }
        // An agent escalates: a free supervisor takes the call and frees the
        // agent at once, or the agent is blocked with the caller on hold.
        if x.d > 0 {
            let rate = x.d as f64 / self.after_s;
            let y = State { d: x.d - 1, ..x };
            if x.s < self.supervisors {
                free_agent(State { s: x.s + 1, ..y }, rate, &mut push);
            } else {
                push(State { b: y.b + 1, ..y }, rate);
            }
        }
        // A supervisor finishes: takes the oldest blocked escalation first
        // (whose agent is then free), else goes idle.
        if x.s > 0 {
            let rate = x.s as f64 / self.supervisor_s;
            if x.b > 0 {
                free_agent(State { b: x.b - 1, ..x }, rate, &mut push);
            } else {
                push(State { s: x.s - 1, ..x }, rate);
            }
        }
        // A caller on hold hangs up: the agent is free.
        if let (true, Some(patience)) = (x.b > 0, self.hold_patience_s) {
            free_agent(State { b: x.b - 1, ..x }, x.b as f64 / patience, &mut push);
        }
        out
    }

    /// The stationary distribution with the queue truncated at `top`.
    fn solve(&self, top: u32) -> Stationary {
        let levels: Vec<Vec<State>> = (0..=top).map(|q| self.level(q)).collect();
        let index: HashMap<State, usize> = levels
            .iter()
            .flat_map(|l| l.iter().enumerate().map(|(i, &x)| (x, i)))
            .collect();
        let k_max = top as usize;
        // Blocks of the generator: local (with the diagonal), up and down a level.
        let mut local: Vec<Mat> = Vec::new();
        let mut up: Vec<Mat> = Vec::new();
        let mut down: Vec<Mat> = Vec::new();
        for (k, states) in levels.iter().enumerate() {
            let m = states.len();
            let mut l = Mat::zeros(m, m);
            let mut u = Mat::zeros(m, levels.get(k + 1).map_or(0, |v| v.len()));
            let mut d = Mat::zeros(m, if k > 0 { levels[k - 1].len() } else { 0 });
            for (i, &x) in states.iter().enumerate() {
                for (y, rate) in self.transitions(x, top) {
                    let j = *index
                        .get(&y)
                        .unwrap_or_else(|| panic!("{x:?} leads to {y:?}, not a state"));
                    l.add(i, i, -rate);
                    match y.q as i64 - x.q as i64 {
                        0 => l.add(i, j, rate),
                        1 => u.add(i, j, rate),
                        -1 => d.add(i, j, rate),
                        _ => panic!("{x:?} → {y:?} skips a level"),
                    }
                }
            }
            local.push(l);
            up.push(u);
            down.push(d);
        }
        // Linear level reduction: π_k = π_{k-1} R_k from the top level down,
        // with R_k = U_{k-1} (-(L_k + R_{k+1} D_{k+1}))⁻¹.
        let mut r: Vec<Option<Mat>> = vec![None; k_max + 1];
        for k in (1..=k_max).rev() {
            let mut m = local[k].clone();
            if k < k_max {
                m = m.plus(&r[k + 1].as_ref().unwrap().mul(&down[k + 1]));
            }
            r[k] = Some(up[k - 1].div(&m.neg()));
        }
        // Level 0: π_0 (L_0 + R_1 D_1) = 0, one equation replaced by Σ π_0 = 1.
        let mut b0 = local[0].plus(&r[1].as_ref().unwrap().mul(&down[1]));
        for i in 0..b0.rows {
            b0.set(i, 0, 1.0);
        }
        let mut e0 = Mat::zeros(1, b0.rows);
        e0.set(0, 0, 1.0);
        let mut pi = vec![e0.div(&b0)];
        for k in 1..=k_max {
            let next = pi[k - 1].mul(r[k].as_ref().unwrap());
            pi.push(next);
        }
        let total: f64 = pi.iter().flat_map(|v| v.a.iter()).sum();
        let pi: Vec<Vec<f64>> = pi
            .into_iter()
            .map(|v| v.a.into_iter().map(|x| x / total).collect())
            .collect();
        Stationary {
            center: *self,
            top,
            levels,
            pi,
        }
    }
}

/// A stationary distribution of the truncated chain.
struct Stationary {
    center: Center,
    top: u32,
    levels: Vec<Vec<State>>,
    pi: Vec<Vec<f64>>,
}

/// What theory says of a Markovian center.
#[derive(Debug, Clone, Copy)]
struct Theory {
    /// Mean wait in queue of answered calls (s).
    wq_s: f64,
    /// Mean time an escalated caller spends on hold (s): over all escalations.
    hold_s: f64,
    supervisor_occupancy: f64,
    blocked_share: f64,
    agent_occupancy: f64,
    /// Share of escalated callers who hang up on hold.
    hold_abandon_share: f64,
}

impl Stationary {
    fn states(&self) -> impl Iterator<Item = (State, f64)> + '_ {
        self.levels
            .iter()
            .zip(&self.pi)
            .flat_map(|(l, p)| l.iter().copied().zip(p.iter().copied()))
    }

    fn mean(&self, f: impl Fn(State) -> f64) -> f64 {
        self.states().map(|(x, p)| p * f(x)).sum()
    }

    /// Probability of `q ≥ from`.
    fn tail(&self, from: u32) -> f64 {
        self.states()
            .filter(|(x, _)| x.q >= from)
            .map(|(_, p)| p)
            .sum()
    }

    /// Largest |(πQ)_x| relative to the largest probability flow out of a state.
    fn residual(&self) -> f64 {
        let mut flow: HashMap<State, f64> = HashMap::new();
        let mut scale: f64 = 0.0;
        for (x, p) in self.states() {
            let out = self.center.transitions(x, self.top);
            let total: f64 = out.iter().map(|(_, r)| r).sum();
            scale = scale.max(p * total);
            *flow.entry(x).or_default() -= p * total;
            for (y, r) in out {
                *flow.entry(y).or_default() += p * r;
            }
        }
        flow.values().fold(0.0f64, |m, v| m.max(v.abs())) / scale
    }

    fn theory(&self) -> Theory {
        let c = &self.center;
        let (lambda, n, s) = (c.lambda(), c.agents as f64, c.supervisors as f64);
        let escalations = lambda * c.p;
        let blocked = self.mean(|x| x.b as f64);
        Theory {
            wq_s: self.mean(|x| x.q as f64) / lambda,
            hold_s: blocked / escalations,
            supervisor_occupancy: self.mean(|x| x.s as f64) / s,
            blocked_share: blocked / n,
            agent_occupancy: self.mean(|x| (x.n + x.d + x.b) as f64) / n,
            hold_abandon_share: match c.hold_patience_s {
                Some(patience) => blocked / patience / escalations,
                None => 0.0,
            },
        }
    }

    /// Checks the solution: tiny residual, negligible truncated mass, and
    /// throughputs that match the arrivals.
    fn check(&self) {
        let c = &self.center;
        let residual = self.residual();
        assert!(residual < 1e-10, "{c:?}: residual {residual:e}");
        let tail = self.tail(self.top / 2);
        assert!(tail < 1e-9, "{c:?}: P(queue ≥ {}) = {tail:e}", self.top / 2);
        let total: f64 = self.pi.iter().flatten().sum();
        assert!((total - 1.0).abs() < 1e-12);
        // Every call is answered: ordinary ends + escalations = arrivals.
        let lambda = c.lambda();
        let ends = self.mean(|x| x.n as f64 / c.handle_s + x.d as f64 / c.after_s);
        assert!(
            (ends / lambda - 1.0).abs() < 1e-9,
            "{c:?}: calls end at {ends}, arrive at {lambda}"
        );
        // Every escalation is supervised or hangs up on hold.
        if c.p == 0.0 {
            assert_eq!(self.mean(|x| (x.d + x.b + x.s) as f64), 0.0);
            return;
        }
        let supervised = self.mean(|x| x.s as f64) / c.supervisor_s;
        let hung_up = match c.hold_patience_s {
            Some(patience) => self.mean(|x| x.b as f64) / patience,
            None => 0.0,
        };
        assert!(
            ((supervised + hung_up) / (lambda * c.p) - 1.0).abs() < 1e-9,
            "{c:?}: escalations end at {}, start at {}",
            supervised + hung_up,
            lambda * c.p
        );
    }
}

/// Probability of waiting in M/M/n at `load` Erlangs (Erlang B recursion).
fn erlang_c(n: u32, load: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = load * b / (k as f64 + load * b);
    }
    let rho = load / n as f64;
    b / (1.0 - rho + rho * b)
}

/// Queue truncation of the chains below (each test checks the mass beyond half of it).
const TOP: u32 = 400;

#[test]
fn the_chain_without_difficult_calls_is_erlang_c() {
    for (agents, per_hour, handle_s) in [(4, 30.0, 240.0), (3, 40.0, 240.0), (1, 10.0, 300.0)] {
        let c = Center {
            agents,
            supervisors: 1,
            per_hour,
            handle_s,
            p: 0.0,
            after_s: 180.0,
            supervisor_s: 240.0,
            hold_patience_s: None,
        };
        let st = c.solve(TOP);
        st.check();
        let th = st.theory();
        let lambda = c.lambda();
        let load = lambda * handle_s;
        let wq = erlang_c(agents, load) / (agents as f64 / handle_s - lambda);
        let rel = (th.wq_s / wq - 1.0).abs();
        eprintln!(
            "M/M/{agents} at {load} Erlangs: Wq chain {:.9} s, Erlang C {wq:.9} s",
            th.wq_s
        );
        assert!(
            rel < 1e-9,
            "Wq {} vs Erlang C {wq} (relative {rel:e})",
            th.wq_s
        );
        assert!((th.agent_occupancy / (load / agents as f64) - 1.0).abs() < 1e-9);
        assert_eq!(th.blocked_share, 0.0);
        assert_eq!(th.supervisor_occupancy, 0.0);
        // And our Erlang C agrees with the library's.
        let lib = acdsim::erlang::erlang_c(agents, load).unwrap();
        assert!((lib - erlang_c(agents, load)).abs() < 1e-12);
    }
}

// ---------------------------------------------------------------------------
// Simulation of a Markovian center.

/// Hours of the measured window of the statistical runs (one interval).
const WINDOW_H: u32 = 4000;

/// The scenario of `c`: `replications` windows of `hours` after a 10 h warm-up.
fn center_scenario(c: &Center, seed: u64, replications: u32, hours: u32) -> Value {
    let exp = |mean: f64| json!({ "exponential": { "mean": mean } });
    let mut escalation = json!({
        "probability": c.p, "after": exp(c.after_s), "supervisor_time": exp(c.supervisor_s),
    });
    if let Some(patience) = c.hold_patience_s {
        escalation["hold_patience"] = exp(patience);
    }
    json!({
        "name": "escalation markov", "seed": seed, "replications": replications,
        "warmup": "10h", "horizon": format!("{hours}h"), "interval": format!("{hours}h"),
        "skills": ["general"],
        "queues": [{
            "name": "calls", "skill": "general",
            "arrivals": { "rate_per_hour": c.per_hour },
            "handle_time": exp(c.handle_s),
            "escalation": escalation,
        }],
        "agent_groups": [
            { "name": "agents", "count": c.agents, "skills": { "general": 1 } },
            { "name": "supervisors", "role": "supervisor", "count": c.supervisors },
        ],
    })
}

/// Runs the center and checks the simulation against the chain.
fn check_markov_center(c: Center, seed: u64, replications: u32) {
    let st = c.solve(TOP);
    st.check();
    let th = st.theory();
    let label = format!(
        "N={} S={} λ={}/h handle={}s p={} after={}s supervisor={}s",
        c.agents, c.supervisors, c.per_hour, c.handle_s, c.p, c.after_s, c.supervisor_s
    );
    eprintln!("{label}: theory {th:?}");
    // Moderately loaded, with noticeable blocking.
    assert!(
        (0.55..0.85).contains(&th.agent_occupancy),
        "{label}: {th:?}"
    );
    assert!(
        (0.55..0.85).contains(&th.supervisor_occupancy),
        "{label}: {th:?}"
    );
    assert!(th.blocked_share > 0.03, "{label}: {th:?}");
    let s = run(&scenario(&center_scenario(
        &c,
        seed,
        replications,
        WINDOW_H,
    )));
    let (q, agents, sups) = (&s.queues[0], &s.agent_groups[0], &s.agent_groups[1]);
    for (what, e) in [
        ("ASA", q.get("asa_s")),
        ("supervisor wait", q.get("supervisor_wait_s")),
        ("agent occupancy", agents.get("occupancy")),
        ("blocked share", agents.get("blocked_share")),
        ("supervisor occupancy", sups.get("occupancy")),
    ] {
        eprintln!(
            "{label}: {what}: {:.5} ± {:.5} (99.9%), relative half-width {:.2}%",
            e.mean,
            e.half_width(LEVEL),
            100.0 * e.half_width(LEVEL) / e.mean
        );
    }
    assert_ci(q.get("asa_s"), th.wq_s, &format!("{label}: ASA"));
    assert_ci(
        q.get("supervisor_wait_s"),
        th.hold_s,
        &format!("{label}: supervisor wait"),
    );
    assert_ci(
        agents.get("occupancy"),
        th.agent_occupancy,
        &format!("{label}: agent occupancy"),
    );
    assert_ci(
        agents.get("blocked_share"),
        th.blocked_share,
        &format!("{label}: agents' blocked share"),
    );
    assert_ci(
        sups.get("occupancy"),
        th.supervisor_occupancy,
        &format!("{label}: supervisor occupancy"),
    );
    assert_ci(
        q.get("escalation_rate"),
        c.p,
        &format!("{label}: escalation rate"),
    );
    assert_ci(
        q.get("offered"),
        c.per_hour * WINDOW_H as f64,
        &format!("{label}: offered"),
    );
    // Nothing is lost: no abandonment and no hang-up on hold.
    assert_eq!(q.get("abandoned").mean, 0.0);
    assert_eq!(q.get("escalation_abandoned").mean, 0.0);
    assert_eq!(sups.get("blocked_hours").mean, 0.0);
}

#[test]
fn markov_center_with_one_supervisor_matches_its_chain() {
    check_markov_center(
        Center {
            agents: 4,
            supervisors: 1,
            per_hour: 34.0,
            handle_s: 240.0,
            p: 0.3,
            after_s: 180.0,
            supervisor_s: 240.0,
            hold_patience_s: None,
        },
        101,
        100,
    );
}

#[test]
fn markov_center_with_two_supervisors_matches_its_chain() {
    check_markov_center(
        Center {
            agents: 3,
            supervisors: 2,
            per_hour: 22.0,
            handle_s: 240.0,
            p: 0.5,
            after_s: 120.0,
            supervisor_s: 480.0,
            hold_patience_s: None,
        },
        102,
        100,
    );
}

// ---------------------------------------------------------------------------
// Hold patience.

/// Position of `name` in a list of metric names.
fn position(names: &[&str], name: &str) -> usize {
    names.iter().position(|&n| n == name).unwrap()
}

/// Per replication: its metrics, and (escalations, supervised, hung up on hold) of queue 0.
type Counted = (acdsim::report::ReplicationMetrics, [u64; 3]);

fn run_counted(sc: &Scenario) -> Vec<Counted> {
    let opts = RunOptions {
        replications: sc.replications,
        seed: sc.seed,
        threads: 2,
    };
    run_replications(
        sc,
        opts,
        |s: ReplicationStats| {
            let c = &s.queues[0].calls;
            (
                acdsim::report::ReplicationMetrics::from_stats(sc, &s),
                [c.escalations, c.supervised, c.escalation_abandoned],
            )
        },
        |_| {},
    )
}

#[test]
fn callers_on_hold_hang_up_as_the_chain_says_with_an_overloaded_supervisor() {
    // The supervisor is offered 30/h × 0.4 × 6 min = 1.2 Erlangs: without
    // hold patience the agents would end up blocked for ever. Callers on
    // hold hang up after 30 s on average, which keeps the center stable.
    let c = Center {
        agents: 4,
        supervisors: 1,
        per_hour: 30.0,
        handle_s: 240.0,
        p: 0.4,
        after_s: 180.0,
        supervisor_s: 360.0,
        hold_patience_s: Some(30.0),
    };
    let st = c.solve(TOP);
    st.check();
    let th = st.theory();
    let label = "overloaded supervisor, hold patience 30 s";
    eprintln!("{label}: theory {th:?}");
    // Half the escalated callers hang up, so the supervisor is busy only
    // part of the time.
    assert!(c.lambda() * c.p * c.supervisor_s > 1.0);
    assert!(th.hold_abandon_share > 0.4 && th.supervisor_occupancy > 0.5);
    let sc = scenario(&center_scenario(&c, 103, 100, WINDOW_H));
    let reps = run_counted(&sc);
    let metrics: Vec<_> = reps.iter().map(|(m, _)| m.clone()).collect();
    let s = Summary::new(&sc, sc.seed, &metrics);
    let (q, agents, sups) = (&s.queues[0], &s.agent_groups[0], &s.agent_groups[1]);
    // Share of escalations that hung up on hold, per replication.
    let names = &acdsim::stats::ESCALATION_METRICS;
    let (esc, hung) = (
        position(names, "escalations"),
        position(names, "escalation_abandoned"),
    );
    let share = Estimate::from_values(metrics.iter().map(|m| {
        let v = &m.escalation.as_ref().unwrap().queues[0].whole;
        v[hung] / v[esc]
    }));
    assert_ci(
        share,
        th.hold_abandon_share,
        &format!("{label}: hung up on hold"),
    );
    assert_ci(q.get("asa_s"), th.wq_s, &format!("{label}: ASA"));
    assert_ci(
        sups.get("occupancy"),
        th.supervisor_occupancy,
        &format!("{label}: supervisor occupancy"),
    );
    assert_ci(
        agents.get("blocked_share"),
        th.blocked_share,
        &format!("{label}: blocked share"),
    );
    assert_ci(
        agents.get("occupancy"),
        th.agent_occupancy,
        &format!("{label}: agent occupancy"),
    );
    assert!(q.get("escalation_abandoned").mean > 0.0);
    assert!(q.get("escalation_abandoned").mean <= q.get("escalations").mean);
    // Each escalation is supervised, hung up on hold, or still on hold at
    // the end (at most one per agent).
    for (m, [escalations, supervised, hung_up]) in &reps {
        let rep = m.replication;
        assert!(*hung_up > 0, "rep {rep}");
        let open = escalations
            .checked_sub(supervised + hung_up)
            .unwrap_or_else(|| panic!("rep {rep}: {supervised} + {hung_up} > {escalations}"));
        assert!(
            open <= c.agents as u64,
            "rep {rep}: {open} escalations unaccounted for"
        );
    }
}

// ---------------------------------------------------------------------------
// Exact properties.

#[test]
fn a_supervisor_per_agent_with_short_supervisor_times_never_keeps_anyone_waiting() {
    // An agent talks at least 180 s before escalating and a supervisor keeps
    // a call at most 170 s, so each agent has at most one escalated call with
    // a supervisor at any time: with as many supervisors as agents one is
    // always free. (With unbounded times, e.g. exponential, a supervisor per
    // agent would not be enough: agents may escalate faster than supervisors
    // finish.)
    let agents = 3;
    let sc = scenario(&json!({
        "name": "a supervisor per agent", "seed": 5, "replications": 10,
        "warmup": "1h", "horizon": "200h", "interval": "200h",
        "skills": ["general"],
        "queues": [{
            "name": "calls", "skill": "general",
            "arrivals": { "rate_per_hour": 30 },
            "handle_time": { "exponential": { "mean": 240 } },
            "escalation": {
                "probability": 0.5,
                "after": { "uniform": { "min": 180, "max": 300 } },
                "supervisor_time": { "uniform": { "min": 60, "max": 170 } },
            },
        }],
        "agent_groups": [
            { "name": "agents", "count": agents, "skills": { "general": 1 } },
            { "name": "supervisors", "role": "supervisor", "count": agents },
        ],
    }));
    let reps = run_counted(&sc);
    let metrics: Vec<_> = reps.iter().map(|(m, _)| m.clone()).collect();
    let s = Summary::new(&sc, sc.seed, &metrics);
    let q = &s.queues[0];
    assert!(
        q.get("escalations").mean > 1000.0,
        "{:?}",
        q.get("escalations")
    );
    assert!(
        q.get("asa_s").mean > 0.0,
        "the agents are busy enough to queue calls"
    );
    assert_eq!(q.get("supervisor_wait_s").mean, 0.0);
    assert_eq!(q.get("supervisor_wait_s").sd, 0.0);
    assert_eq!(q.get("supervisor_wait_p90_s").mean, 0.0);
    assert_eq!(s.agent_groups[0].get("blocked_hours").mean, 0.0);
    assert_eq!(s.agent_groups[0].get("blocked_share").mean, 0.0);
    assert!(s.agent_groups[1].get("occupancy").mean > 0.1);
    for (m, [escalations, supervised, hung_up]) in &reps {
        assert_eq!(*hung_up, 0);
        // Only calls escalating in the last minutes may still be unsupervised.
        assert!(escalations - supervised <= agents, "rep {}", m.replication);
    }
}

/// One supervisor, 4 agents; difficult calls with probability `p`.
fn one_supervisor(p: f64, replications: u32) -> Scenario {
    let exp = |mean: f64| json!({ "exponential": { "mean": mean } });
    scenario(&json!({
        "name": "one supervisor", "seed": 9, "replications": replications,
        "warmup": "2h", "horizon": "500h",
        "skills": ["general"],
        "queues": [{
            "name": "calls", "skill": "general",
            "arrivals": { "rate_per_hour": 24 },
            "handle_time": exp(240.0),
            "escalation": { "probability": p, "after": exp(180.0), "supervisor_time": exp(180.0) },
        }],
        "agent_groups": [
            { "name": "agents", "count": 4, "skills": { "general": 1 } },
            { "name": "supervisors", "role": "supervisor", "count": 1 },
        ],
    }))
}

#[test]
fn more_escalations_to_one_supervisor_mean_longer_waits_and_agent_time_adds_up() {
    let wait = |p: f64| {
        let s = run(&one_supervisor(p, 20));
        let e = s.queues[0].get("supervisor_wait_s");
        eprintln!(
            "p = {p}: supervisor wait {:.2} ± {:.2} s",
            e.mean,
            e.half_width(LEVEL)
        );
        (e, s)
    };
    let (low, s_low) = wait(0.2);
    let (high, s_high) = wait(0.5);
    // The supervisor's load goes from 0.24 to 0.6: the waits' 99.9%
    // intervals do not even overlap.
    assert!(
        high.mean - high.half_width(LEVEL) > low.mean + low.half_width(LEVEL),
        "supervisor wait {low:?} at p = 0.2, {high:?} at p = 0.5"
    );
    assert!(
        s_high.agent_groups[0].get("blocked_share").mean
            > s_low.agent_groups[0].get("blocked_share").mean
    );
    for s in [&s_low, &s_high] {
        for g in &s.agent_groups {
            let (occupancy, blocked_share) = (g.get("occupancy").mean, g.get("blocked_share").mean);
            let (logged, blocked) = (g.get("logged_in_hours").mean, g.get("blocked_hours").mean);
            assert!(blocked_share <= occupancy && occupancy <= 1.0, "{}", g.name);
            assert!(blocked <= occupancy * logged * (1.0 + 1e-12), "{}", g.name);
            assert!(occupancy > 0.0, "{}", g.name);
        }
        assert!(s.agent_groups[0].get("blocked_hours").mean > 0.0);
        // Supervisors are never blocked.
        assert_eq!(s.agent_groups[1].get("blocked_hours").mean, 0.0);
    }
    // Agent time in integer microseconds, interval by interval and for the
    // whole run: handling + blocked never exceeds the time logged in, which
    // is the group's agents × the interval (constant staffing).
    let sc = one_supervisor(0.5, 4);
    let opts = RunOptions {
        replications: sc.replications,
        seed: sc.seed,
        threads: 2,
    };
    for st in run_replications(&sc, opts, |s| s, |_| {}) {
        let window: u64 = st.cell_us.iter().sum();
        assert_eq!(window, 500 * 3_600_000_000);
        for (g, gs) in st.groups.iter().enumerate() {
            let agents = [4u128, 1][g];
            assert_eq!(gs.agents as u128, agents);
            assert_eq!(gs.time.logged_us, agents * window as u128);
            assert!(gs.time.busy_us + gs.time.blocked_us <= gs.time.logged_us);
            for (cell, &len) in gs.intervals.iter().zip(&st.cell_us) {
                assert_eq!(cell.logged_us, agents * len as u128);
                assert!(
                    cell.busy_us + cell.blocked_us <= cell.logged_us,
                    "rep {} group {g}: {cell:?}",
                    st.replication
                );
            }
        }
        assert_eq!(st.groups[1].time.blocked_us, 0);
        assert!(st.groups[0].time.blocked_us > 0);
    }
    // One replication: logged-in hours are exactly agents × horizon.
    let sc = one_supervisor(0.5, 1);
    let s = simulate(
        &sc,
        RunOptions {
            replications: 1,
            seed: sc.seed,
            threads: 1,
        },
    );
    for (g, agents) in s.agent_groups.iter().zip([4.0, 1.0]) {
        assert_eq!(g.get("logged_in_hours").mean, agents * 500.0, "{}", g.name);
        let (blocked, logged) = (g.get("blocked_hours").mean, g.get("logged_in_hours").mean);
        assert!((g.get("blocked_share").mean - blocked / logged).abs() <= 1e-12);
    }
}

// ---------------------------------------------------------------------------
// Probability 0.

/// A small center with abandonment, wrap-up, two queues and two agent
/// groups, plus a supervisor group.
fn plain_center() -> Value {
    let exp = |mean: f64| json!({ "exponential": { "mean": mean } });
    json!({
        "name": "plain", "seed": 4, "replications": 6,
        "warmup": "30m", "horizon": "6h", "interval": "1h",
        "service_level_threshold": "20s",
        "skills": ["a", "b"],
        "queues": [
            {
                "name": "qa", "skill": "a", "arrivals": { "rate_per_hour": 90 },
                "handle_time": exp(180.0), "patience": exp(120.0), "wrap_up": exp(20.0),
            },
            {
                "name": "qb", "skill": "b", "arrivals": { "rate_per_hour": 40 },
                "handle_time": exp(240.0), "patience": exp(200.0),
            },
        ],
        "agent_groups": [
            { "name": "generalists", "count": 3, "skills": { "a": 1, "b": 2 } },
            { "name": "b-team", "count": 3, "skills": { "b": 1 } },
            { "name": "supervisors", "role": "supervisor", "count": 1 },
        ],
    })
}

/// `plain_center` whose first queue escalates with probability `p`.
fn escalating(p: f64) -> Value {
    let mut v = plain_center();
    v["queues"][0]["escalation"] = json!({
        "probability": p,
        "after": { "exponential": { "mean": 120 } },
        "supervisor_time": { "exponential": { "mean": 300 } },
        "handover": { "constant": 30 },
        "hold_patience": { "exponential": { "mean": 60 } },
    });
    v
}

/// Metrics reported only when some queue escalates.
const ESCALATION_ONLY: [&str; 7] = [
    "escalations",
    "escalation_rate",
    "supervisor_wait_s",
    "supervisor_wait_p90_s",
    "escalation_abandoned",
    "blocked_hours",
    "blocked_share",
];

/// The report as JSON without the escalation-only metrics (at every depth).
fn shared_report(v: &Value) -> (Value, usize) {
    common::without_metrics(run(&scenario(v)).to_json(), &ESCALATION_ONLY)
}

#[test]
fn probability_zero_changes_no_metric() {
    let (plain, none) = shared_report(&plain_center());
    let (zero, removed) = shared_report(&escalating(0.0));
    assert_eq!(none, 0, "no escalation metric without escalation");
    assert!(
        removed > 0,
        "escalation metrics are reported with escalation"
    );
    common::assert_same_json(&plain, &zero, "probability 0");
    // The comparison is sensitive: a few difficult calls change the report.
    let (some, _) = shared_report(&escalating(0.05));
    assert_ne!(some, plain);
}

#[test]
fn supervisors_who_answer_calls_handle_their_own_difficult_ones() {
    // Only supervisors answer, every call is difficult and no caller on hold
    // ever hangs up: if a supervisor's own difficult call waited for another
    // supervisor, all of them would end up blocked, each with its caller on
    // hold, for good.
    let exp = |mean: f64| json!({ "exponential": { "mean": mean } });
    let sc = scenario(&json!({
        "name": "supervisors only", "seed": 4, "replications": 5,
        "horizon": "8h", "closing": "drain",
        "skills": ["general"],
        "queues": [{
            "name": "calls", "skill": "general",
            "arrivals": { "rate_per_hour": 20 },
            "handle_time": exp(240.0),
            "escalation": { "probability": 1.0, "after": exp(60.0), "supervisor_time": exp(120.0) },
        }],
        "agent_groups": [
            { "name": "supervisors", "role": "supervisor", "answers_calls": true, "count": 3,
              "skills": { "general": 1 } },
        ],
    }));
    let s = run(&sc);
    let q = &s.queues[0];
    assert_eq!(
        q.get("unresolved").mean,
        0.0,
        "every call is resolved in the drain"
    );
    assert_eq!(q.get("escalation_rate").mean, 1.0);
    assert_eq!(
        q.get("supervisor_wait_s").mean,
        0.0,
        "nobody waits for a supervisor"
    );
    assert_eq!(q.get("escalation_abandoned").mean, 0.0);
    assert_eq!(s.agent_groups[0].get("blocked_hours").mean, 0.0);
    // Each call is handled twice by its supervisor: answered, then taken over.
    let answered = q.get("answered").mean;
    assert!(answered > 100.0, "{answered} calls answered");
    assert_eq!(s.agent_groups[0].get("handled").mean, 2.0 * answered);
}
