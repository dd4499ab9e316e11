//! Analytic queueing calculators: Erlang B, Erlang C (M/M/n), Erlang A
//! (M/M/n+M, exponential patience), staffing searches on top of them, and the
//! non-preemptive priority M/M/n mean waits.
//!
//! This module owns the *exact* reference values the simulator is judged by
//! (DESIGN.md §5) and the numbers behind the `acdsim erlang` command. It is
//! pure computation: no simulation, no randomness, no I/O.
//!
//! Units: every time input and output is in **seconds**, every rate is **per
//! second**; offered load ("Erlangs") is `arrival_rate * mean_service`.
//! Service level is "answered within the threshold ÷ offered" and ASA is the
//! mean wait of *answered* calls, as defined in DESIGN.md §2.
//!
//! Invalid inputs (NaN, negative or zero where meaningless, Erlang C with
//! load >= servers, …) are reported as [`ErlangError`], never as panics.
//!
//! # Erlang A method
//!
//! The stationary distribution of the birth–death chain on `k = 0..=K`
//! callers in system (birth `λ`, death `min(k,n)μ + max(k-n,0)θ`) is computed
//! in log space, with `K` chosen so that the neglected tail mass is below
//! `1e-17` (geometric bound, the birth/death ratio is non-increasing). An
//! arrival that finds `n + j` in system (PASTA) has `j` callers ahead; its
//! offered wait `V` is hypoexponential with rates `r_i = nμ + iθ`,
//! `i = j..0`, independent of its own patience `τ ~ Exp(θ)`. Because the
//! rates are equally spaced, `e^{-θV} ~ Beta(α, j+1)` with `α = nμ/θ`, hence,
//! exactly:
//!
//! * `P(answered | j) = E[e^{-θV}] = α / (α + j + 1)`;
//! * `E[V; answered | j] = P(answered | j) · Σ_{i=0..j} 1/(r_i + θ)`;
//! * `P(answered, V <= t | j) = E[U; U >= e^{-θt}]`
//!   `= α/(α+j+1) · P(N > j)` with `N ~ NegativeBinomial(α + 1, e^{-θt})`
//!   (failures before the `(α+1)`-th success), because for an integer second
//!   shape `1 - I_x(α+1, j+1) = P(N > j)`;
//! * `E[τ; abandoned | j]` by a first-step recurrence with positive terms only.
//!
//! This is mathematically identical to the uniformization of the tagged
//! caller's pure-death chain with killing rate `θ` (the unit tests check it
//! against such a uniformization to 1e-11), but costs `O(K)` instead of
//! `O(K · Λt)`: `erlang_a_metrics` for a few thousand agents takes well under
//! a millisecond in release builds.

use serde::Serialize;

/// Neglected stationary tail mass allowed when truncating the Erlang A chain
/// (relative to the largest state weight, hence also to the total mass).
const TAIL_MASS: f64 = 1e-17;

/// Largest Erlang A state space we accept (time is linear in it; memory is
/// constant). Beyond this, patience is so long relative to an overload that
/// the queue is astronomically long.
const MAX_STATES: u64 = 50_000_000;

/// Errors of the analytic calculators.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ErlangError {
    /// An input is NaN, infinite, negative or zero where that is meaningless.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        name: &'static str,
        value: f64,
        reason: &'static str,
    },
    /// Erlang C (no abandonment) has no steady state unless load < servers.
    #[error("unstable queue: offered load {load} Erlangs needs more than {servers} servers (Erlang C requires load < servers)")]
    Unstable { load: f64, servers: u32 },
    /// The staffing search found no number of servers up to `max_servers`
    /// meeting the target (numerically unreachable target).
    #[error("service level target {target} not reached with up to {max_servers} servers")]
    TargetUnreachable { target: f64, max_servers: u32 },
    /// The Erlang A chain would need more states than we are willing to sum
    /// (very long patience together with a heavy overload).
    #[error("Erlang A state space too large (more than {limit} states); patience too long for this overload")]
    StateSpaceTooLarge { limit: u64 },
}

/// Erlang C (M/M/n, FIFO, no abandonment) steady-state metrics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangCResult {
    /// Offered load in Erlangs (arrival rate × mean service).
    pub load: f64,
    pub servers: u32,
    /// Probability that an arrival waits (all servers busy), Erlang C.
    pub p_wait: f64,
    /// P(wait <= threshold) = 1 - C e^{-(nμ-λ)t}.
    pub service_level: f64,
    /// Mean wait in queue (all calls are answered), seconds.
    pub asa_s: f64,
    /// Mean server utilisation, load / servers.
    pub occupancy: f64,
    /// Mean number of calls waiting.
    pub mean_queue: f64,
}

/// Erlang A (M/M/n+M, FIFO, exponential patience) steady-state metrics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangAResult {
    /// Offered load in Erlangs (arrival rate × mean service).
    pub load: f64,
    pub servers: u32,
    /// Probability that an arrival finds all servers busy (PASTA).
    pub p_wait: f64,
    /// Abandoned ÷ offered.
    pub p_abandon: f64,
    /// Answered within the threshold ÷ offered.
    pub service_level: f64,
    /// Mean wait of answered calls, seconds.
    pub asa_s: f64,
    /// Mean wait (time to abandon) of abandoned calls, seconds; 0 when no call abandons.
    pub mean_wait_abandoned_s: f64,
    /// Mean busy servers ÷ servers.
    pub occupancy: f64,
    /// Mean number of calls waiting.
    pub mean_queue: f64,
}

// ---------------------------------------------------------------------------
// Validation helpers

fn invalid(name: &'static str, value: f64, reason: &'static str) -> ErlangError {
    ErlangError::InvalidParameter {
        name,
        value,
        reason,
    }
}

/// Finite and >= 0.
fn check_non_negative(name: &'static str, value: f64) -> Result<(), ErlangError> {
    if !value.is_finite() {
        Err(invalid(name, value, "must be a finite number"))
    } else if value < 0.0 {
        Err(invalid(name, value, "must be >= 0"))
    } else {
        Ok(())
    }
}

/// Finite and > 0.
fn check_positive(name: &'static str, value: f64) -> Result<(), ErlangError> {
    if !value.is_finite() {
        Err(invalid(name, value, "must be a finite number"))
    } else if value <= 0.0 {
        Err(invalid(name, value, "must be > 0"))
    } else {
        Ok(())
    }
}

/// >= 0, +infinity allowed (e.g. "no threshold"), NaN rejected.
fn check_threshold(value: f64) -> Result<(), ErlangError> {
    if value.is_nan() {
        Err(invalid("threshold_s", value, "must not be NaN"))
    } else if value < 0.0 {
        Err(invalid("threshold_s", value, "must be >= 0"))
    } else {
        Ok(())
    }
}

/// > 0, +infinity allowed (no abandonment), NaN rejected.
fn check_patience(value: f64) -> Result<(), ErlangError> {
    if value.is_nan() {
        Err(invalid("mean_patience_s", value, "must not be NaN"))
    } else if value <= 0.0 {
        Err(invalid(
            "mean_patience_s",
            value,
            "must be > 0 (use +infinity for no abandonment)",
        ))
    } else {
        Ok(())
    }
}

fn check_target(value: f64) -> Result<(), ErlangError> {
    if !value.is_finite() || !(0.0..1.0).contains(&value) {
        Err(invalid(
            "target",
            value,
            "must be in [0, 1) (a service level of 1 is never reached)",
        ))
    } else {
        Ok(())
    }
}

fn check_servers(servers: u32) -> Result<(), ErlangError> {
    if servers == 0 {
        Err(invalid("servers", 0.0, "must be at least 1"))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Erlang B / C

/// One step of the Erlang B recursion: B(k) from B(k-1).
#[inline]
fn erlang_b_step(b_prev: f64, k: u64, load: f64) -> f64 {
    let x = load * b_prev;
    x / (k as f64 + x)
}

/// Below this many steps the Erlang B recursion starts at `B(0) = 1` (exact,
/// and the same bits as ever); beyond it, it starts close to its target.
const WARM_START_MIN: f64 = 1e6;

/// Standard deviations (of the Poisson load, `sqrt(a)`) the warm-started
/// recursion runs before its target: its relative error shrinks like
/// `exp(-WINDOW²/2)` on the way, far below one bit.
const WINDOW: f64 = 40.0;

/// Erlang B blocking probability for `servers` and offered load `load`
/// (Erlangs). Stable recursion `B(k) = a B(k-1) / (k + a B(k-1))`, `B(0) = 1`.
///
/// At huge sizes the O(servers) recursion is cut to O(sqrt(load)) steps:
/// beyond `a + 40 sqrt(a) + 40` servers B is below `exp(−800)`, under the
/// smallest double, and is returned as 0; below that, when more than a
/// million steps would be needed, it starts at `k0 = min(n, a) − 40 sqrt(a)
/// − 40` from the fluid value `B(k0) ≈ (a − k0) / a`, whose error each step
/// multiplies by `1 − B(k) ≈ k / a` (a factor `exp(−800)` before `a`).
pub fn erlang_b(servers: u32, load: f64) -> Result<f64, ErlangError> {
    check_non_negative("load", load)?;
    let n = f64::from(servers);
    let window = WINDOW * load.sqrt() + WINDOW;
    if n > WARM_START_MIN && n >= load + window {
        return Ok(0.0);
    }
    let k0 = (n.min(load) - window).floor();
    let (mut b, first) = if k0 > WARM_START_MIN {
        ((load - k0) / load, k0 as u64 + 1)
    } else {
        (1.0, 1)
    };
    for k in first..=u64::from(servers) {
        b = erlang_b_step(b, k, load);
        if b == 0.0 {
            break; // stays 0 from here on
        }
    }
    Ok(b)
}

/// Erlang C from Erlang B: C = n B / (n - a (1 - B)), for a < n.
#[inline]
fn erlang_c_from_b(servers: u32, load: f64, b: f64) -> f64 {
    let n = f64::from(servers);
    n * b / (n - load * (1.0 - b))
}

/// Erlang C probability that an arrival waits (M/M/n), `load < servers` required.
pub fn erlang_c(servers: u32, load: f64) -> Result<f64, ErlangError> {
    check_non_negative("load", load)?;
    if load >= f64::from(servers) {
        return Err(ErlangError::Unstable { load, servers });
    }
    let b = erlang_b(servers, load)?;
    Ok(erlang_c_from_b(servers, load, b))
}

/// Metrics for M/M/n once B(n) is known (load < n checked by the caller).
fn erlang_c_result(lambda: f64, mu: f64, servers: u32, threshold_s: f64, b: f64) -> ErlangCResult {
    let load = lambda / mu;
    let n = f64::from(servers);
    let c = erlang_c_from_b(servers, load, b);
    let drain = n * mu - lambda; // > 0
                                 // threshold = +inf gives exp(-inf) = 0: service level 1.
    let service_level = 1.0 - c * (-drain * threshold_s).exp();
    let asa_s = c / drain;
    ErlangCResult {
        load,
        servers,
        p_wait: c,
        service_level,
        asa_s,
        occupancy: load / n,
        mean_queue: lambda * asa_s,
    }
}

/// M/M/n FIFO: service level = P(wait <= threshold) = 1 - C e^{-(n mu - lambda) t}; ASA = C / (n mu - lambda).
///
/// `arrival_rate_per_s` may be 0 (empty system); `threshold_s` may be +infinity.
pub fn erlang_c_metrics(
    arrival_rate_per_s: f64,
    mean_service_s: f64,
    servers: u32,
    threshold_s: f64,
) -> Result<ErlangCResult, ErlangError> {
    check_non_negative("arrival_rate_per_s", arrival_rate_per_s)?;
    check_positive("mean_service_s", mean_service_s)?;
    check_threshold(threshold_s)?;
    let mu = 1.0 / mean_service_s;
    let load = arrival_rate_per_s * mean_service_s;
    if !load.is_finite() || load >= f64::from(servers) {
        return Err(ErlangError::Unstable { load, servers });
    }
    let b = erlang_b(servers, load)?;
    Ok(erlang_c_result(
        arrival_rate_per_s,
        mu,
        servers,
        threshold_s,
        b,
    ))
}

// ---------------------------------------------------------------------------
// Erlang A

/// Kahan-compensated running sum (keeps the log-space recurrences accurate
/// over tens of thousands of steps).
#[derive(Clone, Copy, Default)]
struct Kahan {
    sum: f64,
    comp: f64,
}

impl Kahan {
    fn new(start: f64) -> Self {
        Kahan {
            sum: start,
            comp: 0.0,
        }
    }
    #[inline]
    fn add(&mut self, x: f64) {
        let y = x - self.comp;
        let t = self.sum + y;
        self.comp = (t - self.sum) - y;
        self.sum = t;
    }
}

/// Birth–death chain of M/M/n+M: the ratio `π_k / π_{k-1} = λ / death(k)`.
#[derive(Clone, Copy)]
struct Chain {
    lambda: f64,
    mu: f64,
    theta: f64,
    n: u64,
}

impl Chain {
    /// λ / (min(k,n) μ + max(k-n,0) θ), k >= 1. Non-increasing in k.
    #[inline]
    fn ratio(&self, k: u64) -> f64 {
        let death = if k <= self.n {
            k as f64 * self.mu
        } else {
            self.n as f64 * self.mu + (k - self.n) as f64 * self.theta
        };
        self.lambda / death
    }

    /// Log weights `w_k = ln(π_k/π_0)`, k = 0, 1, …, in order, computed
    /// identically on every call (so two passes agree bit for bit).
    fn log_weights(&self) -> impl Iterator<Item = (u64, f64)> + '_ {
        let mut w = Kahan::new(0.0);
        (0u64..).map(move |k| {
            if k > 0 {
                w.add(self.ratio(k).ln());
            }
            (k, w.sum)
        })
    }

    /// Last state `K` to keep, and the largest log weight. Stops at the first
    /// `k` where the geometric bound on the tail beyond `k`,
    /// `π_k ρ/(1-ρ)` with `ρ = ratio(k+1)`, is below `TAIL_MASS · max π`.
    fn truncation(&self) -> Result<(u64, f64), ErlangError> {
        // In overload the mode sits at n + (λ - nμ)/θ: refuse at once when
        // that alone is beyond the limit.
        let mode_queue = (self.lambda - self.n as f64 * self.mu) / self.theta;
        if mode_queue > 0.0 && self.n as f64 + mode_queue > MAX_STATES as f64 {
            return Err(ErlangError::StateSpaceTooLarge { limit: MAX_STATES });
        }
        let log_tail = TAIL_MASS.ln();
        let mut w_max = f64::NEG_INFINITY;
        for (k, w) in self.log_weights() {
            w_max = w_max.max(w);
            let rho = self.ratio(k + 1);
            if rho < 1.0 && w - w_max + (rho / (1.0 - rho)).ln() < log_tail {
                return Ok((k, w_max));
            }
            if k >= MAX_STATES {
                return Err(ErlangError::StateSpaceTooLarge { limit: MAX_STATES });
            }
        }
        unreachable!("log_weights is an infinite iterator")
    }
}

/// Stationary distribution π_0..π_K of the M/M/n+M chain (test helper and
/// documentation of the truncation; the metrics stream it without storing).
#[cfg(test)]
fn stationary(chain: &Chain) -> Result<Vec<f64>, ErlangError> {
    let (k_max, w_max) = chain.truncation()?;
    let mut p: Vec<f64> = chain
        .log_weights()
        .take((k_max + 1) as usize)
        .map(|(_, w)| (w - w_max).exp())
        .collect();
    let z: f64 = p.iter().sum();
    p.iter_mut().for_each(|x| *x /= z);
    Ok(p)
}

/// M/M/n+M (Erlang A, exponential patience, FIFO). Works for any load (also load >= servers).
///
/// `mean_patience_s = +infinity` means no abandonment: the result is then the
/// Erlang C one (and load >= servers is [`ErlangError::Unstable`]).
/// `threshold_s` may be +infinity (service level = P(answered)).
pub fn erlang_a_metrics(
    arrival_rate_per_s: f64,
    mean_service_s: f64,
    mean_patience_s: f64,
    servers: u32,
    threshold_s: f64,
) -> Result<ErlangAResult, ErlangError> {
    check_non_negative("arrival_rate_per_s", arrival_rate_per_s)?;
    check_positive("mean_service_s", mean_service_s)?;
    check_patience(mean_patience_s)?;
    check_servers(servers)?;
    check_threshold(threshold_s)?;

    let lambda = arrival_rate_per_s;
    let load = lambda * mean_service_s;
    if !load.is_finite() {
        return Err(invalid(
            "arrival_rate_per_s",
            arrival_rate_per_s,
            "offered load overflows",
        ));
    }
    if mean_patience_s == f64::INFINITY {
        let c = erlang_c_metrics(lambda, mean_service_s, servers, threshold_s)?;
        return Ok(ErlangAResult {
            load: c.load,
            servers,
            p_wait: c.p_wait,
            p_abandon: 0.0,
            service_level: c.service_level,
            asa_s: c.asa_s,
            mean_wait_abandoned_s: 0.0,
            occupancy: c.occupancy,
            mean_queue: c.mean_queue,
        });
    }
    if lambda == 0.0 {
        return Ok(ErlangAResult {
            load: 0.0,
            servers,
            p_wait: 0.0,
            p_abandon: 0.0,
            service_level: 1.0,
            asa_s: 0.0,
            mean_wait_abandoned_s: 0.0,
            occupancy: 0.0,
            mean_queue: 0.0,
        });
    }

    let mu = 1.0 / mean_service_s;
    let theta = 1.0 / mean_patience_s;
    let n = u64::from(servers);
    let chain = Chain {
        lambda,
        mu,
        theta,
        n,
    };
    let (k_max, w_max) = chain.truncation()?;

    let n_mu = n as f64 * mu;
    // e^{-θV} ~ Beta(α, j + 1) for an arrival with j callers ahead.
    let alpha = n_mu / theta;
    // Negative binomial N ~ NB(α+1, u0), u0 = e^{-θt}: ln q_0 = (α+1) ln u0,
    // ln q_k = ln q_{k-1} + ln((α+k)/k) + ln(1-u0).
    // t = 0 (nobody who waits is within it) and t = +inf (everyone answered
    // is) are handled apart: their logs are infinite.
    let sl_mode = if threshold_s == 0.0 {
        Some(0.0)
    } else if threshold_s == f64::INFINITY {
        Some(1.0)
    } else {
        None
    };
    let ln_one_minus_u0 = (-(-theta * threshold_s).exp_m1()).ln();
    let mut ln_q = Kahan::new(-(n_mu + theta) * threshold_s);
    let mut nb_cdf = 0.0;

    // Unnormalised accumulators (divided by z at the end).
    let mut z = 0.0; // total mass
    let mut no_wait = 0.0; // Σ_{k<n} π_k
    let mut busy = 0.0; // Σ min(k,n) π_k
    let mut waiters = 0.0; // Σ_{j>=0} π_{n+j}                (p_wait)
    let mut queue = 0.0; // Σ j π_{n+j}                      (mean queue)
    let mut ans_wait = 0.0; // Σ π_{n+j} P(ans|j)
    let mut ans_wait_sl = 0.0; // Σ π_{n+j} P(ans, V<=t | j)
    let mut abandon = 0.0; // Σ π_{n+j} P(ab|j)
    let mut wait_ans = 0.0; // Σ π_{n+j} E[V; ans | j]
    let mut wait_ab = 0.0; // Σ π_{n+j} E[τ; ab | j]

    // Per-j recurrences (j = callers ahead of the arrival).
    let mut inv_sum = Kahan::new(0.0); // Σ_{i=0..j} 1/(r_i + θ)
    let mut e_ab = 0.0; // E[τ; ab | j]

    for (k, w) in chain.log_weights().take((k_max + 1) as usize) {
        let p = (w - w_max).exp();
        z += p;
        if k < n {
            no_wait += p;
            busy += k as f64 * p;
            continue;
        }
        busy += n as f64 * p;
        let j = k - n;
        let jf = j as f64;
        waiters += p;
        queue += jf * p;

        let r_j = n_mu + jf * theta; // first advance rate with j ahead
        let out = r_j + theta; // = θ (α + j + 1)
        let denom = alpha + jf + 1.0;
        let p_ans = alpha / denom; // Π r_i/(r_i+θ), telescoped
        let p_ab = (jf + 1.0) / denom;
        inv_sum.add(1.0 / out);
        // E[τ; ab | j] = P(ab|j)/(r_j+θ) + r_j/(r_j+θ) E[τ; ab | j-1]
        e_ab = p_ab / out + (r_j / out) * e_ab;

        // P(N > j): NB survival, from the cdf accumulated up to j.
        let nb_surv = match sl_mode {
            Some(fixed) => fixed,
            None => {
                if j > 0 {
                    ln_q.add((alpha / jf).ln_1p() + ln_one_minus_u0);
                }
                nb_cdf += ln_q.sum.exp();
                (1.0 - nb_cdf).max(0.0)
            }
        };

        ans_wait += p * p_ans;
        ans_wait_sl += p * p_ans * nb_surv;
        abandon += p * p_ab;
        wait_ans += p * p_ans * inv_sum.sum;
        wait_ab += p * e_ab;
    }

    let p_answered = (no_wait + ans_wait) / z;
    let p_abandon = abandon / z;
    let asa_s = (wait_ans / z) / p_answered;
    let mean_wait_abandoned_s = if abandon > 0.0 {
        wait_ab / abandon
    } else {
        0.0
    };
    Ok(ErlangAResult {
        load,
        servers,
        p_wait: waiters / z,
        p_abandon,
        service_level: (no_wait + ans_wait_sl) / z,
        asa_s,
        mean_wait_abandoned_s,
        occupancy: busy / z / n as f64,
        mean_queue: queue / z,
    })
}

// ---------------------------------------------------------------------------
// Staffing

/// Largest staffing the searches try before giving up (`TargetUnreachable`).
fn staffing_cap(load: f64) -> u64 {
    let cap = load.ceil() + 100.0 * load.sqrt() + 1000.0;
    cap.min(f64::from(u32::MAX)) as u64
}

/// Smallest number of servers whose service level (Erlang C, or Erlang A when `mean_patience_s` is Some) is >= target (0..1). Also return the result at that staffing.
///
/// Erlang C version: scans n upward from the smallest stable staffing,
/// updating Erlang B incrementally (bit-identical to [`erlang_c_metrics`] at
/// the returned n). `target` must be in [0, 1).
pub fn agents_for_service_level_c(
    arrival_rate_per_s: f64,
    mean_service_s: f64,
    threshold_s: f64,
    target: f64,
) -> Result<ErlangCResult, ErlangError> {
    check_non_negative("arrival_rate_per_s", arrival_rate_per_s)?;
    check_positive("mean_service_s", mean_service_s)?;
    check_threshold(threshold_s)?;
    check_target(target)?;
    let lambda = arrival_rate_per_s;
    let mu = 1.0 / mean_service_s;
    let load = lambda * mean_service_s;
    if !load.is_finite() {
        return Err(invalid(
            "arrival_rate_per_s",
            arrival_rate_per_s,
            "offered load overflows",
        ));
    }
    let cap = staffing_cap(load);
    // In floating point: the load may exceed every integer type.
    if load.floor() + 1.0 > cap as f64 {
        return Err(ErlangError::TargetUnreachable {
            target,
            max_servers: cap as u32,
        });
    }
    let n_start = load.floor() as u64 + 1;
    let mut b = erlang_b(n_start as u32, load)?;
    let mut n = n_start;
    loop {
        let r = erlang_c_result(lambda, mu, n as u32, threshold_s, b);
        if r.service_level >= target {
            return Ok(r);
        }
        if n >= cap {
            return Err(ErlangError::TargetUnreachable {
                target,
                max_servers: cap as u32,
            });
        }
        n += 1;
        if b != 0.0 {
            b = erlang_b_step(b, n, load);
        }
    }
}

/// Smallest number of servers whose Erlang A service level (answered within
/// the threshold ÷ offered) is >= `target` (in [0, 1)), and the result there.
///
/// Exponential then binary search on n (the service level is non-decreasing
/// in n); the returned n always satisfies the target and n - 1 does not
/// (n - 1 was either evaluated, or is below `target × load`, which bounds the
/// service level from above). `mean_patience_s = +infinity` gives the Erlang C
/// staffing.
pub fn agents_for_service_level_a(
    arrival_rate_per_s: f64,
    mean_service_s: f64,
    mean_patience_s: f64,
    threshold_s: f64,
    target: f64,
) -> Result<ErlangAResult, ErlangError> {
    check_non_negative("arrival_rate_per_s", arrival_rate_per_s)?;
    check_positive("mean_service_s", mean_service_s)?;
    check_patience(mean_patience_s)?;
    check_threshold(threshold_s)?;
    check_target(target)?;
    let load = arrival_rate_per_s * mean_service_s;
    if !load.is_finite() {
        return Err(invalid(
            "arrival_rate_per_s",
            arrival_rate_per_s,
            "offered load overflows",
        ));
    }
    if mean_patience_s == f64::INFINITY {
        let c =
            agents_for_service_level_c(arrival_rate_per_s, mean_service_s, threshold_s, target)?;
        return erlang_a_metrics(
            arrival_rate_per_s,
            mean_service_s,
            mean_patience_s,
            c.servers,
            threshold_s,
        );
    }
    let eval = |n: u64| {
        erlang_a_metrics(
            arrival_rate_per_s,
            mean_service_s,
            mean_patience_s,
            n as u32,
            threshold_s,
        )
    };
    if target == 0.0 {
        return eval(1);
    }
    let cap = staffing_cap(load);
    // Invariant: SL(lo) < target, SL(hi) >= target. Throughput gives
    // SL(n) <= P(answered) <= n / load, so every n < target * load fails
    // without being evaluated (this skips the long, heavily overloaded
    // chains); lo = 0 fails too (nobody is answered, target > 0).
    let mut lo = ((target * load).ceil() as u64).saturating_sub(1);
    if lo >= cap {
        return Err(ErlangError::TargetUnreachable {
            target,
            max_servers: cap as u32,
        });
    }
    let mut hi = (load.ceil() as u64).clamp(lo + 1, cap);
    let mut step = (load.sqrt().ceil() as u64).max(1);
    let mut best = loop {
        let r = eval(hi)?;
        if r.service_level >= target {
            break r;
        }
        if hi >= cap {
            return Err(ErlangError::TargetUnreachable {
                target,
                max_servers: cap as u32,
            });
        }
        lo = hi;
        hi = (hi + step).min(cap);
        step = step.saturating_mul(2);
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let r = eval(mid)?;
        if r.service_level >= target {
            hi = mid;
            best = r;
        } else {
            lo = mid;
        }
    }
    Ok(best)
}

// ---------------------------------------------------------------------------
// Priority

/// Non-preemptive priority M/M/n, all classes with the same exponential service time: mean wait in queue per class,
/// classes given highest priority first: W_k = (C(n, a) / (n mu)) / ((1 - s_{k-1}) (1 - s_k)), s_k = sum_{i<=k} lambda_i / (n mu).
///
/// Requires the total load to be < servers. Classes with rate 0 are allowed
/// (their mean wait is still the one a call of that class would see).
pub fn priority_mean_waits(
    arrival_rates_per_s: &[f64],
    mean_service_s: f64,
    servers: u32,
) -> Result<Vec<f64>, ErlangError> {
    for &rate in arrival_rates_per_s {
        check_non_negative("arrival_rates_per_s", rate)?;
    }
    check_positive("mean_service_s", mean_service_s)?;
    let lambda: f64 = arrival_rates_per_s.iter().sum();
    let load = lambda * mean_service_s;
    if !load.is_finite() || load >= f64::from(servers) {
        return Err(ErlangError::Unstable { load, servers });
    }
    let c = erlang_c(servers, load)?;
    let n_mu = f64::from(servers) / mean_service_s;
    let base = c / n_mu;
    let mut s_prev = 0.0;
    let mut cum = 0.0;
    Ok(arrival_rates_per_s
        .iter()
        .map(|&rate| {
            cum += rate;
            let s = cum / n_mu;
            let w = base / ((1.0 - s_prev) * (1.0 - s));
            s_prev = s;
            w
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: f64 = 60.0;

    fn close(actual: f64, expected: f64, tol: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= tol,
            "{what}: got {actual:.15}, expected {expected:.15} (tol {tol:e}, diff {:e})",
            (actual - expected).abs()
        );
    }

    fn rel_close(actual: f64, expected: f64, rel: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= rel * expected.abs(),
            "{what}: got {actual:.15}, expected {expected:.15} (rel tol {rel:e}, rel diff {:e})",
            ((actual - expected) / expected).abs()
        );
    }

    // ----- Erlang B / C -----------------------------------------------------

    /// Exact rational values, computed with Python `fractions.Fraction`
    /// (B = (a^n/n!) / Σ_{k<=n} a^k/k!, C = n B / (n - a (1 - B))).
    /// The whole recursion from B(0) = 1, as erlang_b does below a million steps.
    fn erlang_b_full(servers: u32, load: f64) -> f64 {
        let mut b = 1.0;
        for k in 1..=u64::from(servers) {
            b = erlang_b_step(b, k, load);
        }
        b
    }

    #[test]
    fn erlang_b_at_huge_sizes_matches_the_whole_recursion() {
        for load in [1.2e6, 3.3e6] {
            let sd = f64::sqrt(load);
            for z in [-60.0, -8.0, -1.0, 0.0, 0.5, 2.0, 6.0, 20.0, 35.0, 45.0] {
                let n = (load + z * sd).round() as u32;
                let full = erlang_b_full(n, load);
                let fast = erlang_b(n, load).unwrap();
                if full < 1e-290 {
                    assert!(fast < 1e-290, "{load} {n}: {fast} vs {full}");
                } else {
                    rel_close(fast, full, 1e-9, &format!("B({n}, {load})"));
                }
            }
        }
        // Out of reach of the whole recursion in a test, but instant now.
        // u32::MAX servers, 1.5 standard deviations above the load.
        let b = erlang_b(u32::MAX, f64::from(u32::MAX) - 1e5).unwrap();
        assert!(b > 1e-6 && b < 1e-4, "{b}");
        assert_eq!(erlang_b(u32::MAX, 3.0e9).unwrap(), 0.0);
        let overloaded = erlang_b(1_000_000_000, 4.0e9).unwrap();
        rel_close(overloaded, 0.75, 1e-6, "B(1e9, 4e9) near 1 - n/a");
    }

    #[test]
    fn staffing_at_loads_beyond_any_server_count_is_unreachable_not_wrapped() {
        // 3.7e20 calls/h of 3 min: 1.85e19 Erlangs, more than u64::MAX / 1.
        let lambda = 3.7e20 / 3600.0;
        for l in [lambda, 1e30, 1e300] {
            let r = agents_for_service_level_c(l, 180.0, 20.0, 0.8);
            assert!(
                matches!(r, Err(ErlangError::TargetUnreachable { .. })),
                "{l}: {r:?}"
            );
        }
        // Near the largest staffing: answered by the warm-started recursion.
        let r = agents_for_service_level_c(3.7e9 / 3600.0, 180.0, 20.0, 0.8).unwrap();
        assert!(
            r.servers as f64 > 1.85e8 && (r.servers as f64) < 1.85e8 + 1e5,
            "{}",
            r.servers
        );
    }

    #[test]
    fn erlang_b_textbook_and_exact() {
        close(
            erlang_b(10, 5.0).unwrap(),
            0.018_384_570_336_648_132,
            1e-15,
            "B(10,5)",
        );
        close(
            erlang_b(5, 3.0).unwrap(),
            0.110_054_347_826_086_96,
            1e-15,
            "B(5,3)",
        );
        close(erlang_b(1, 1.0).unwrap(), 0.5, 1e-15, "B(1,1)");
        close(erlang_b(0, 7.0).unwrap(), 1.0, 0.0, "B(0,a)");
        close(erlang_b(4, 0.0).unwrap(), 0.0, 0.0, "B(n,0)");
        // Huge n: early exit, no hang.
        assert_eq!(erlang_b(u32::MAX, 10.0).unwrap(), 0.0);
    }

    #[test]
    fn erlang_c_textbook_and_exact() {
        // Textbook: n = 10, a = 8 -> P(wait) ~ 0.4092.
        let c = erlang_c(10, 8.0).unwrap();
        close(c, 0.4092, 5e-5, "C(10,8) textbook");
        close(c, 0.409_180_150_796_443_54, 1e-14, "C(10,8) exact");
        close(erlang_c(1, 0.5).unwrap(), 0.5, 1e-15, "C(1,ρ) = ρ");
        close(erlang_c(3, 0.0).unwrap(), 0.0, 0.0, "C(n,0)");
        close(
            erlang_c(310, 300.0).unwrap(),
            0.455_930_605_823_897_6,
            1e-12,
            "C(310,300)",
        );
    }

    #[test]
    fn erlang_c_unstable_and_invalid() {
        assert_eq!(
            erlang_c(10, 10.0),
            Err(ErlangError::Unstable {
                load: 10.0,
                servers: 10
            })
        );
        assert!(matches!(
            erlang_c(10, 12.0),
            Err(ErlangError::Unstable { .. })
        ));
        assert!(matches!(
            erlang_c(0, 0.0),
            Err(ErlangError::Unstable { .. })
        ));
        for bad in [f64::NAN, -1.0, f64::INFINITY] {
            assert!(matches!(
                erlang_b(3, bad),
                Err(ErlangError::InvalidParameter { name: "load", .. })
            ));
            assert!(matches!(
                erlang_c(3, bad),
                Err(ErlangError::InvalidParameter { name: "load", .. })
            ));
        }
        assert!(matches!(
            erlang_c_metrics(100.0 / MIN, 180.0, 300, 20.0),
            Err(ErlangError::Unstable { .. })
        ));
    }

    #[test]
    fn erlang_c_metrics_formulas() {
        let lambda = 100.0 / MIN;
        let r = erlang_c_metrics(lambda, 180.0, 310, 20.0).unwrap();
        let c = 0.455_930_605_823_897_6; // exact, see above
        let drain = 310.0 / 180.0 - lambda;
        close(r.load, 300.0, 1e-12, "load");
        close(r.p_wait, c, 1e-12, "p_wait");
        close(r.asa_s, c / drain, 1e-10, "asa");
        close(
            r.service_level,
            1.0 - c * (-drain * 20.0).exp(),
            1e-12,
            "sl",
        );
        close(r.occupancy, 300.0 / 310.0, 1e-15, "occupancy");
        close(r.mean_queue, lambda * r.asa_s, 1e-12, "Little");
        // Threshold 0 and +inf.
        let r0 = erlang_c_metrics(lambda, 180.0, 310, 0.0).unwrap();
        close(r0.service_level, 1.0 - c, 1e-12, "sl(0)");
        let rinf = erlang_c_metrics(lambda, 180.0, 310, f64::INFINITY).unwrap();
        close(rinf.service_level, 1.0, 0.0, "sl(inf)");
        // Empty system.
        let e = erlang_c_metrics(0.0, 180.0, 3, 20.0).unwrap();
        assert_eq!((e.p_wait, e.service_level, e.asa_s), (0.0, 1.0, 0.0));
    }

    // ----- Erlang A: reference values ---------------------------------------

    /// (λ per min, mean service min, n, mean patience min, t s) and the exact
    /// values for those parameters with 12 significant digits, as printed by
    /// bench/peers/erlang_a.py --digits 12 --calls-per-hour 60λ --aht 60S
    /// --patience 60P --agents n --threshold t (numpy/scipy, an independent
    /// method: phase-type wait solved with solve_banded, service level by
    /// uniformization; W_ab computed directly, Little's law
    /// E[Q]/λ = P(ans) ASA + P(ab) W_ab checked by its --checks). It matches
    /// every value below within 1e-11 relative: all 12 digits, but for 1 to 3
    /// units of the last one in W_ab at n = 280 and in five values at
    /// n = 3050, where the script and this module agree to about 2e-14.
    /// Fields: p_wait, p_abandon, service level, ASA s, occupancy, E[Q], W_ab s.
    type Case = ((f64, f64, u32, f64, f64), [f64; 7]);
    const PEER_CASES: [Case; 7] = [
        (
            (100.0, 3.0, 310, 2.0, 20.0),
            [
                0.262926702755,
                0.0118247111572,
                0.986207250966,
                1.38190876702,
                0.956298666622,
                2.36494223145,
                4.51573346303,
            ],
        ),
        (
            (2.0, 3.0, 5, 2.0, 20.0),
            [
                0.662486129084,
                0.268899129016,
                0.438515754027,
                28.53310395,
                0.87732104518,
                1.07559651607,
                42.4222955796,
            ],
        ),
        (
            (3.0, 3.0, 5, 1.0, 30.0),
            [
                0.821793318884,
                0.474626266415,
                0.338036682848,
                26.6578049466,
                0.945672720452,
                1.42387879925,
                30.4919185789,
            ],
        ),
        (
            // load 12 on 5 servers
            (4.0, 3.0, 5, 2.0, 20.0),
            [
                0.977902031015,
                0.585877487806,
                0.0493433317088,
                89.4715629306,
                0.993894029265,
                4.68701990245,
                56.7577877937,
            ],
        ),
        (
            // threshold 0: service level = P(no wait)
            (1.0, 3.0, 5, 0.5, 0.0),
            [
                0.141045850285,
                0.0830057846115,
                0.858954149715,
                1.15985326639,
                0.550196529233,
                0.0415028923057,
                17.1866913739,
            ],
        ),
        (
            // load 300 on 280 servers
            (100.0, 3.0, 280, 2.0, 20.0),
            [
                0.822357454207,
                0.0718318998154,
                0.848781681357,
                8.70657745815,
                0.994465821626,
                14.3663799631,
                7.49890397977,
            ],
        ),
        (
            (1000.0, 3.0, 3050, 3.0, 60.0),
            [
                0.18291590091,
                0.00180392738572,
                0.998196072614,
                0.322540701097,
                0.981832202571,
                5.41178215716,
                1.52338079612,
            ],
        ),
    ];

    #[test]
    fn erlang_a_matches_peer_reference() {
        for ((lam_min, s_min, n, p_min, t), v) in PEER_CASES {
            let r = erlang_a_metrics(lam_min / MIN, s_min * MIN, p_min * MIN, n, t).unwrap();
            let what = format!("λ={lam_min}/min S={s_min}min n={n} P={p_min}min t={t}s");
            // 12 significant digits printed: relative 1e-10 leaves room for the
            // last printed digits and for the reference's own rounding.
            let names = ["p_wait", "p_abandon", "sl", "asa", "occ", "E[Q]", "W_ab"];
            let got = [
                r.p_wait,
                r.p_abandon,
                r.service_level,
                r.asa_s,
                r.occupancy,
                r.mean_queue,
                r.mean_wait_abandoned_s,
            ];
            for i in 0..7 {
                rel_close(got[i], v[i], 1e-10, &format!("{what} {}", names[i]));
            }
            close(r.load, lam_min * s_min, 1e-9, "load");
        }
    }

    /// The headline numbers of bench/peers/README.md, as printed (4-6 digits)
    /// by bench/peers/erlang_a.py with no arguments.
    #[test]
    fn erlang_a_reference_workload_readme() {
        let r = erlang_a_metrics(100.0 / MIN, 180.0, 120.0, 310, 20.0).unwrap();
        close(r.p_abandon, 0.011825, 5e-7, "P(abandon)");
        close(r.service_level, 0.986207, 5e-7, "SL");
        close(r.asa_s, 1.3819, 5e-5, "ASA");
        close(r.occupancy, 0.9563, 5e-5, "occupancy");
    }

    #[test]
    fn erlang_a_internal_consistency() {
        let params = [
            (100.0 / MIN, 180.0, 120.0, 310u32, 20.0),
            (100.0 / MIN, 180.0, 120.0, 250, 20.0),
            (2.0 / MIN, 180.0, 120.0, 5, 20.0),
            (0.5, 60.0, 5.0, 10, 15.0),
            (0.5, 60.0, 1e4, 40, 15.0),
            (10.0, 200.0, 90.0, 2100, 30.0),
            (0.01, 300.0, 60.0, 1, 10.0),
        ];
        for (lambda, s, p, n, t) in params {
            let r = erlang_a_metrics(lambda, s, p, n, t).unwrap();
            let theta = 1.0 / p;
            // Rate balance: abandonment rate = θ E[Q].
            close(
                r.p_abandon,
                theta * r.mean_queue / lambda,
                1e-9,
                "rate balance",
            );
            rel_close(
                r.p_abandon,
                theta * r.mean_queue / lambda,
                1e-9,
                "rate balance rel",
            );
            // Throughput: busy servers = λ P(ans) / μ.
            rel_close(
                r.occupancy * f64::from(n),
                lambda * (1.0 - r.p_abandon) * s,
                1e-9,
                "occupancy vs throughput",
            );
            // Little on the queue: E[Q] = λ (P(ans) ASA + P(ab) W_ab).
            rel_close(
                r.mean_queue,
                lambda * ((1.0 - r.p_abandon) * r.asa_s + r.p_abandon * r.mean_wait_abandoned_s),
                1e-9,
                "Little",
            );
            // Service level bounds.
            assert!(r.service_level <= 1.0 - r.p_abandon + 1e-15);
            assert!(r.service_level >= 1.0 - r.p_wait - 1e-15);
        }
    }

    // ----- Erlang A: independent uniformization of the tagged caller --------

    /// P(answered within t) over offered, by uniformization of the tagged
    /// caller's pure-death chain (j ahead -> ... -> 0 ahead -> served, rates
    /// r_i = nμ + iθ, killing rate θ), over the whole vector of starting states
    /// at once. Poisson weights relative to the mode, normalised by their sum,
    /// both tails cut below 1e-14.
    fn service_level_by_uniformization(lambda: f64, s: f64, p: f64, n: u32, t: f64) -> f64 {
        let (mu, theta) = (1.0 / s, 1.0 / p);
        let chain = Chain {
            lambda,
            mu,
            theta,
            n: u64::from(n),
        };
        let pi = stationary(&chain).unwrap();
        let n = n as usize;
        if pi.len() <= n {
            return pi.iter().sum();
        }
        let no_wait: f64 = pi[..n].iter().sum();
        let mut x: Vec<f64> = pi[n..].to_vec(); // x[i]: mass with i ahead
        let jmax = x.len() - 1;
        let r = |i: usize| n as f64 * mu + i as f64 * theta;
        let big = r(jmax) + theta;
        let m = big * t;
        // Poisson(m) weights around the mode.
        let mode = m.floor() as usize;
        let mut right = vec![1.0];
        let mut k = mode;
        loop {
            let next = right.last().unwrap() * m / (k + 1) as f64;
            k += 1;
            right.push(next);
            if next < 1e-18 && (k as f64) > m {
                break;
            }
        }
        let mut left = vec![];
        let mut w = 1.0;
        let mut k = mode;
        while k > 0 {
            w *= k as f64 / m;
            k -= 1;
            if w < 1e-18 {
                break;
            }
            left.push(w);
        }
        let lo = mode - left.len();
        let mut weights: Vec<f64> = left.into_iter().rev().collect();
        weights.extend(right);
        let total: f64 = weights.iter().sum();
        // DTMC steps; served(m) = mass absorbed in "served" after m steps.
        let mut served = 0.0;
        let mut acc = 0.0;
        for step in 0..lo + weights.len() {
            if step >= lo {
                acc += weights[step - lo] * served;
            }
            let mut next = vec![0.0; x.len()];
            for i in 0..x.len() {
                let stay = 1.0 - (r(i) + theta) / big;
                next[i] += x[i] * stay;
                if i == 0 {
                    served += x[0] * r(0) / big;
                } else {
                    next[i - 1] += x[i] * r(i) / big;
                }
            }
            x = next;
        }
        no_wait + acc / total
    }

    #[test]
    fn erlang_a_service_level_matches_uniformization() {
        let params = [
            (100.0 / MIN, 180.0, 120.0, 310u32, 20.0),
            (4.0 / MIN, 180.0, 120.0, 5, 20.0),
            (3.0 / MIN, 180.0, 60.0, 5, 30.0),
            (100.0 / MIN, 180.0, 120.0, 280, 20.0),
            (0.5, 60.0, 5.0, 10, 15.0),
            (0.5, 60.0, 30.0, 25, 120.0),
        ];
        for (lambda, s, p, n, t) in params {
            let exact = erlang_a_metrics(lambda, s, p, n, t).unwrap().service_level;
            let unif = service_level_by_uniformization(lambda, s, p, n, t);
            close(exact, unif, 1e-11, &format!("SL λ={lambda} n={n} t={t}"));
        }
    }

    #[test]
    fn erlang_a_tail_is_negligible() {
        let chain = Chain {
            lambda: 100.0 / MIN,
            mu: 1.0 / 180.0,
            theta: 1.0 / 120.0,
            n: 310,
        };
        let pi = stationary(&chain).unwrap();
        let last = *pi.last().unwrap();
        assert!(last < 1e-17, "last state mass {last:e}");
        assert!(pi.len() > 310 && pi.len() < 2000, "K = {}", pi.len() - 1);
    }

    #[test]
    fn erlang_a_long_patience_approaches_erlang_c() {
        let lambda = 100.0 / MIN;
        let c = erlang_c_metrics(lambda, 180.0, 310, 20.0).unwrap();
        // The gap to Erlang C is linear in θ = 1/patience (measured: relative
        // ASA gap 1.40e-5 at 1e8 s, 1.40e-7 at 1e10 s, 1.40e-9 at 1e12 s).
        for (patience, tol) in [(1e8, 2e-5), (1e10, 2e-7), (1e12, 2e-9)] {
            let a = erlang_a_metrics(lambda, 180.0, patience, 310, 20.0).unwrap();
            rel_close(a.p_wait, c.p_wait, tol, "p_wait");
            rel_close(a.service_level, c.service_level, tol, "sl");
            rel_close(a.asa_s, c.asa_s, tol, "asa");
            rel_close(a.occupancy, c.occupancy, tol, "occupancy");
            rel_close(a.mean_queue, c.mean_queue, tol, "mean queue");
            assert!(a.p_abandon < 1e3 / patience);
        }
        // Exactly infinite patience is Erlang C, and unstable when overloaded.
        let inf = erlang_a_metrics(lambda, 180.0, f64::INFINITY, 310, 20.0).unwrap();
        assert_eq!(inf.service_level, c.service_level);
        assert_eq!(inf.p_abandon, 0.0);
        assert!(matches!(
            erlang_a_metrics(lambda, 180.0, f64::INFINITY, 300, 20.0),
            Err(ErlangError::Unstable { .. })
        ));
    }

    #[test]
    fn erlang_a_edge_cases() {
        // No traffic.
        let r = erlang_a_metrics(0.0, 180.0, 120.0, 3, 20.0).unwrap();
        assert_eq!((r.service_level, r.p_abandon, r.occupancy), (1.0, 0.0, 0.0));
        // Threshold +inf: service level = P(answered).
        let r = erlang_a_metrics(4.0 / MIN, 180.0, 120.0, 5, f64::INFINITY).unwrap();
        close(r.service_level, 1.0 - r.p_abandon, 1e-14, "sl(inf)");
        // Very short patience, heavy overload: everything still finite.
        let r = erlang_a_metrics(10.0, 180.0, 1.0, 3, 20.0).unwrap();
        assert!(r.p_abandon > 0.99 && r.p_abandon < 1.0);
        assert!(r.service_level.is_finite() && r.asa_s.is_finite());
        // Huge server count, small load: stops early, SL = 1.
        let r = erlang_a_metrics(0.1, 100.0, 60.0, u32::MAX, 20.0).unwrap();
        close(r.service_level, 1.0, 1e-15, "huge n");
        // Very long patience with overload: refused, not an OOM or a hang.
        assert_eq!(
            erlang_a_metrics(100.0, 180.0, 1e12, 10, 20.0),
            Err(ErlangError::StateSpaceTooLarge { limit: MAX_STATES })
        );
    }

    #[test]
    fn erlang_a_invalid_inputs() {
        let ok = (1.0, 100.0, 60.0, 5u32, 20.0);
        let bad_rate = [f64::NAN, -1.0, f64::INFINITY];
        for v in bad_rate {
            assert!(matches!(
                erlang_a_metrics(v, ok.1, ok.2, ok.3, ok.4),
                Err(ErlangError::InvalidParameter {
                    name: "arrival_rate_per_s",
                    ..
                })
            ));
        }
        for v in [f64::NAN, -1.0, 0.0, f64::INFINITY] {
            assert!(matches!(
                erlang_a_metrics(ok.0, v, ok.2, ok.3, ok.4),
                Err(ErlangError::InvalidParameter {
                    name: "mean_service_s",
                    ..
                })
            ));
        }
        for v in [f64::NAN, -1.0, 0.0] {
            assert!(matches!(
                erlang_a_metrics(ok.0, ok.1, v, ok.3, ok.4),
                Err(ErlangError::InvalidParameter {
                    name: "mean_patience_s",
                    ..
                })
            ));
        }
        for v in [f64::NAN, -1.0] {
            assert!(matches!(
                erlang_a_metrics(ok.0, ok.1, ok.2, ok.3, v),
                Err(ErlangError::InvalidParameter {
                    name: "threshold_s",
                    ..
                })
            ));
        }
        assert!(matches!(
            erlang_a_metrics(ok.0, ok.1, ok.2, 0, ok.4),
            Err(ErlangError::InvalidParameter {
                name: "servers",
                ..
            })
        ));
        for v in [f64::NAN, -0.1, 1.0, 1.5] {
            assert!(matches!(
                agents_for_service_level_c(ok.0, ok.1, ok.4, v),
                Err(ErlangError::InvalidParameter { name: "target", .. })
            ));
            assert!(matches!(
                agents_for_service_level_a(ok.0, ok.1, ok.2, ok.4, v),
                Err(ErlangError::InvalidParameter { name: "target", .. })
            ));
        }
        assert!(matches!(
            erlang_c_metrics(ok.0, 0.0, 5, 20.0),
            Err(ErlangError::InvalidParameter {
                name: "mean_service_s",
                ..
            })
        ));
        assert!(matches!(
            priority_mean_waits(&[0.1, f64::NAN], 100.0, 5),
            Err(ErlangError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn erlang_a_service_level_monotone_in_servers() {
        let mut prev = 0.0;
        for n in 1..=60 {
            let r = erlang_a_metrics(0.25, 180.0, 60.0, n, 20.0).unwrap();
            assert!(r.service_level >= prev, "n={n}");
            prev = r.service_level;
        }
    }

    // ----- Staffing -----------------------------------------------------------

    #[test]
    fn staffing_c_80_20() {
        let lambda = 100.0 / MIN;
        let r = agents_for_service_level_c(lambda, 180.0, 20.0, 0.8).unwrap();
        // Independent check (Python fractions, exact Erlang C): n = 308 gives
        // SL 0.7780, n = 309 gives 0.8173.
        assert_eq!(r.servers, 309);
        let at = erlang_c_metrics(lambda, 180.0, r.servers, 20.0).unwrap();
        let below = erlang_c_metrics(lambda, 180.0, r.servers - 1, 20.0).unwrap();
        assert_eq!(r, at);
        assert!(at.service_level >= 0.8);
        assert!(below.service_level < 0.8);
        // Target 0: smallest stable staffing.
        let r0 = agents_for_service_level_c(lambda, 180.0, 20.0, 0.0).unwrap();
        assert_eq!(r0.servers, 301);
    }

    #[test]
    fn staffing_a_smallest_n() {
        for (lambda, s, p, t, target) in [
            (100.0 / MIN, 180.0, 120.0, 20.0, 0.8),
            (100.0 / MIN, 180.0, 120.0, 20.0, 0.95),
            (100.0 / MIN, 180.0, 20.0, 20.0, 0.5),
            (2.0 / MIN, 180.0, 120.0, 20.0, 0.8),
            (2.0 / MIN, 180.0, 120.0, 20.0, 0.1),
            (1.0 / MIN, 180.0, 120.0, 0.0, 0.9),
            (1000.0 / MIN, 180.0, 180.0, 30.0, 0.9),
        ] {
            let r = agents_for_service_level_a(lambda, s, p, t, target).unwrap();
            assert!(r.service_level >= target);
            assert_eq!(r, erlang_a_metrics(lambda, s, p, r.servers, t).unwrap());
            if r.servers > 1 {
                let below = erlang_a_metrics(lambda, s, p, r.servers - 1, t).unwrap();
                assert!(below.service_level < target, "n-1 = {}", r.servers - 1);
            }
        }
        // Values confirmed with bench/peers/erlang_a.py --agents N (plus
        // --calls-per-hour 120 for λ = 2/min) at n-1 and n
        // (6 printed decimals): 80/20 on the reference workload: n = 275 ->
        // 0.793159, n = 276 -> 0.805305; 95/20: 295 -> 0.948898, 296 ->
        // 0.952812; λ = 2/min, 80/20: 7 -> 0.732709, 8 -> 0.838345.
        for (lambda, target, expected) in [
            (100.0 / MIN, 0.8, 276),
            (100.0 / MIN, 0.95, 296),
            (2.0 / MIN, 0.8, 8),
        ] {
            let r = agents_for_service_level_a(lambda, 180.0, 120.0, 20.0, target).unwrap();
            assert_eq!(r.servers, expected, "λ={lambda} target={target}");
        }
        // Tiny load: one agent is enough.
        let r = agents_for_service_level_a(0.001, 100.0, 60.0, 20.0, 0.9).unwrap();
        assert_eq!(r.servers, 1);
        // Target 0: one agent.
        let r = agents_for_service_level_a(100.0 / MIN, 180.0, 120.0, 20.0, 0.0).unwrap();
        assert_eq!(r.servers, 1);
        // Abandonment only helps the waiting callers: never more agents than Erlang C.
        let c = agents_for_service_level_c(100.0 / MIN, 180.0, 20.0, 0.8).unwrap();
        let a = agents_for_service_level_a(100.0 / MIN, 180.0, 120.0, 20.0, 0.8).unwrap();
        assert!(a.servers <= c.servers);
        // Infinite patience = Erlang C staffing.
        let ai = agents_for_service_level_a(100.0 / MIN, 180.0, f64::INFINITY, 20.0, 0.8).unwrap();
        assert_eq!(ai.servers, c.servers);
    }

    // ----- Priority -----------------------------------------------------------

    #[test]
    fn priority_one_class_is_erlang_c() {
        let lambda = 100.0 / MIN;
        let w = priority_mean_waits(&[lambda], 180.0, 310).unwrap();
        let c = erlang_c_metrics(lambda, 180.0, 310, 20.0).unwrap();
        assert_eq!(w.len(), 1);
        rel_close(w[0], c.asa_s, 1e-13, "one class");
    }

    #[test]
    fn priority_conservation_and_order() {
        // Equal service times: the rate-weighted mean wait is the FIFO one
        // (work-conserving, non-preemptive), and higher priority waits less.
        let rates = [0.3, 0.5, 0.8];
        let w = priority_mean_waits(&rates, 30.0, 50).unwrap();
        let total: f64 = rates.iter().sum();
        let fifo = erlang_c_metrics(total, 30.0, 50, 0.0).unwrap().asa_s;
        let mixed: f64 = rates.iter().zip(&w).map(|(r, w)| r * w).sum::<f64>() / total;
        rel_close(mixed, fifo, 1e-12, "conservation");
        assert!(w[0] < w[1] && w[1] < w[2]);
        // Explicit formula for class 2.
        let n_mu = 50.0 / 30.0;
        let c = erlang_c(50, total * 30.0).unwrap();
        let (s1, s2) = (0.3 / n_mu, 0.8 / n_mu);
        rel_close(w[1], c / n_mu / ((1.0 - s1) * (1.0 - s2)), 1e-14, "class 2");
        // Unstable total load.
        assert!(matches!(
            priority_mean_waits(&[1.0, 1.0], 30.0, 50),
            Err(ErlangError::Unstable { .. })
        ));
        assert_eq!(
            priority_mean_waits(&[], 30.0, 5).unwrap(),
            Vec::<f64>::new()
        );
    }
}
