//! Arrivals: each queue's non-homogeneous Poisson process, piecewise
//! constant by interval and exact (one exponential draw per call, inverted
//! through the cumulative rate across interval boundaries), and the calendar
//! of next arrivals across queues (a binary heap keyed by time then queue,
//! O(log queues) per call). Arrivals never enter the event heap: each queue
//! has exactly one pending arrival.

use crate::rng::Stream;
use crate::router::NEVER;
use crate::scenario::{Profile, Scenario};
use rand_distr::{Distribution as _, Exp1};

/// A stretch of constant rate: from `start` (run time, µs) on, a mean
/// interarrival of `mean_us` (infinite when the rate is 0).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Piece {
    start: u64,
    mean_us: f64,
}

/// The arrival process of one queue.
#[derive(Debug, Clone)]
pub struct ArrivalProcess {
    pieces: Vec<Piece>,
    /// The scenario's pieces, and the factor live commands put on them.
    base: Vec<Piece>,
    factor: f64,
    /// The piece holding the latest arrival.
    cursor: usize,
    /// No arrival at or after this time.
    end: u64,
    rng: Stream,
}

impl ArrivalProcess {
    /// The process of rates `rates` (calls per hour) multiplied by `factor`,
    /// over the run of `sc`: the first interval's rate applies from time 0
    /// (warm-up included); adjacent intervals of equal rate form one piece.
    pub fn new(sc: &Scenario, rates: &Profile<f64>, factor: Option<f64>, rng: Stream) -> Self {
        let mean_us = |rate: f64| {
            let rate = match factor {
                Some(b) => rate * b,
                None => rate,
            };
            if rate > 0.0 {
                // The same expression as an exponential distribution of mean 3600/rate s.
                (3600.0 / rate) * 1e6
            } else {
                f64::INFINITY
            }
        };
        let mut pieces: Vec<Piece> = Vec::new();
        for (i, &rate) in rates.values().iter().enumerate() {
            let start = if i == 0 {
                0
            } else {
                sc.interval_start(i).micros()
            };
            let m = mean_us(rate);
            if pieces.last().is_none_or(|p| p.mean_us != m) {
                pieces.push(Piece { start, mean_us: m });
            }
        }
        ArrivalProcess {
            base: pieces.clone(),
            factor: 1.0,
            pieces,
            cursor: 0,
            end: sc.end.micros(),
            rng,
        }
    }

    /// Time of the arrival after one at `now` (or the first, with `now` = 0);
    /// [`NEVER`] if none before the end.
    #[inline(always)]
    pub fn next(&mut self, now: u64) -> u64 {
        let e: f64 = Exp1.sample(&mut self.rng);
        if let [only] = self.pieces[..] {
            // Constant rate: the common case, kept tight.
            if !only.mean_us.is_finite() {
                return NEVER;
            }
            // Round to the microsecond; saturating keeps absurd tails finite.
            let at = now.saturating_add((e * only.mean_us + 0.5) as u64);
            return if at < self.end { at } else { NEVER };
        }
        self.next_piecewise(now, e)
    }

    /// The factor live commands put on the scenario's rates.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// From `now` on, the rates are `factor` times the scenario's. The
    /// pending arrival, due at `pending`, moves where the hazard left until
    /// it, at the new rates, runs out (an unchanged factor moves nothing), or is
    /// drawn afresh if there was none ([`NEVER`]): Poisson arrivals have
    /// no memory, so both are exact. Returns its new time.
    pub fn rescale(&mut self, now: u64, pending: u64, factor: f64) -> u64 {
        if factor == self.factor {
            return pending;
        }
        let left = (pending != NEVER).then(|| self.hazard(now, pending));
        self.factor = factor;
        let at = |p: &Piece| Piece {
            start: p.start.max(now),
            mean_us: p.mean_us / factor,
        };
        // The piece holding `now`, then the later ones.
        let current = self.base.iter().rposition(|p| p.start <= now).unwrap_or(0);
        self.pieces = self.base[current..].iter().map(at).collect();
        self.cursor = 0;
        match left {
            Some(e) => self.next_piecewise(now, e),
            None => self.next(now),
        }
    }

    /// The expected arrivals (integrated rate) of the current pieces over `[from, to)`.
    fn hazard(&self, from: u64, to: u64) -> f64 {
        let mut h = 0.0;
        for (k, p) in self.pieces.iter().enumerate() {
            let end = self.pieces.get(k + 1).map_or(u64::MAX, |n| n.start);
            let (a, b) = (from.max(p.start), to.min(end));
            if a < b && p.mean_us.is_finite() {
                h += (b - a) as f64 / p.mean_us;
            }
        }
        h
    }

    /// [`ArrivalProcess::next`] across pieces, with the exponential draw `e`.
    #[inline(never)]
    fn next_piecewise(&mut self, now: u64, mut e: f64) -> u64 {
        let mut t = now;
        let mut k = self.cursor;
        loop {
            // The piece holding `t` (a rounded arrival may sit just past a boundary).
            while k + 1 < self.pieces.len() && self.pieces[k + 1].start <= t {
                k += 1;
            }
            let last = k + 1 == self.pieces.len();
            let piece_end = if last {
                self.end
            } else {
                self.pieces[k + 1].start
            };
            let mean_us = self.pieces[k].mean_us;
            if mean_us.is_finite() {
                let x = e * mean_us;
                if last || x < (piece_end - t) as f64 {
                    self.cursor = k;
                    // Round to the microsecond; saturating keeps absurd tails finite.
                    let at = t.saturating_add((x + 0.5) as u64);
                    return if at < self.end { at } else { NEVER };
                }
                // The rest of the exponential carries over to the next piece.
                e -= (piece_end - t) as f64 / mean_us;
            }
            if last {
                self.cursor = k;
                return NEVER;
            }
            k += 1;
            t = piece_end;
        }
    }
}

/// The next arrival of every queue, earliest first (lowest queue on ties):
/// a binary min-heap of (time, queue), one entry per queue.
#[derive(Debug)]
pub struct ArrivalCalendar {
    heap: Vec<(u64, u32)>,
    processes: Vec<ArrivalProcess>,
}

impl ArrivalCalendar {
    /// Draws each queue's first arrival.
    pub fn new(mut processes: Vec<ArrivalProcess>) -> Self {
        let mut cal = ArrivalCalendar {
            heap: Vec::with_capacity(processes.len()),
            processes: Vec::new(),
        };
        for (q, p) in processes.iter_mut().enumerate() {
            cal.heap.push((p.next(0), q as u32));
        }
        cal.heap.sort_unstable();
        cal.processes = processes;
        cal
    }

    /// (time, queue) of the next arrival; time [`NEVER`] when none is left.
    #[inline]
    pub fn peek(&self) -> (u64, usize) {
        match self.heap.first() {
            Some(&(t, q)) => (t, q as usize),
            None => (NEVER, 0),
        }
    }

    /// The arrival process of queue `q`.
    pub fn process(&self, q: usize) -> &ArrivalProcess {
        &self.processes[q]
    }

    /// Queue `q`'s rates become `factor` times the scenario's from `now` on
    /// (see [`ArrivalProcess::rescale`]).
    pub fn rescale(&mut self, q: usize, now: u64, factor: f64) {
        let i = self
            .heap
            .iter()
            .position(|&(_, k)| k as usize == q)
            .expect("every queue has an entry");
        let pending = self.heap[i].0;
        self.heap[i].0 = self.processes[q].rescale(now, pending, factor);
        // A sorted array is a heap.
        self.heap.sort_unstable();
    }

    /// The arrival at the top happens: draws that queue's next one.
    #[inline(always)]
    pub fn advance(&mut self) {
        let (t, q) = self.heap[0];
        let next = self.processes[q as usize].next(t);
        self.heap[0] = (next, q);
        self.sift_down();
    }

    #[inline]
    fn sift_down(&mut self) {
        let n = self.heap.len();
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= n {
                return;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right] < self.heap[left] {
                right
            } else {
                left
            };
            if self.heap[child] < self.heap[i] {
                self.heap.swap(child, i);
                i = child;
            } else {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn scenario(horizon: &str, rates: serde_json::Value) -> Scenario {
        let doc = serde_json::json!({
            "name": "a", "horizon": horizon, "interval": "1h", "skills": ["s"],
            "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": rates },
                         "handle_time": { "constant": 1 } }],
            "agent_groups": [{ "name": "g", "count": 1, "skills": { "s": 1 } }],
        });
        Scenario::from_json_str(&doc.to_string(), "t").unwrap()
    }

    fn arrivals(sc: &Scenario, seed: u64) -> Vec<u64> {
        let mut p = ArrivalProcess::new(
            sc,
            &sc.queues[0].arrivals.rate_per_hour,
            None,
            Stream::new(seed, 0, 1, 0),
        );
        let mut out = Vec::new();
        let mut t = p.next(0);
        while t != NEVER {
            out.push(t);
            t = p.next(t);
        }
        out
    }

    #[test]
    fn a_flat_profile_is_the_constant_rate() {
        let flat = scenario("3h", serde_json::json!([600, 600, 600]));
        let constant = scenario("3h", serde_json::json!(600));
        assert_eq!(arrivals(&flat, 4), arrivals(&constant, 4));
    }

    #[test]
    fn an_interval_at_rate_zero_has_no_arrivals() {
        let sc = scenario("3h", serde_json::json!([600, 0, 300]));
        for seed in 0..20 {
            let a = arrivals(&sc, seed);
            let h = 3_600_000_000;
            assert!(a.iter().all(|&t| !(h..2 * h).contains(&t)), "seed {seed}");
            assert!(a.iter().any(|&t| t >= 2 * h));
            assert!(a.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn the_calendar_gives_arrivals_in_time_order_lowest_queue_first_on_ties() {
        let sc = scenario("3h", serde_json::json!(600));
        let processes: Vec<ArrivalProcess> = (0..7)
            .map(|q| {
                ArrivalProcess::new(
                    &sc,
                    &sc.queues[0].arrivals.rate_per_hour,
                    None,
                    // Queues 0 and 1 share a stream: their arrivals tie.
                    Stream::new(1, 0, 1, q.max(1)),
                )
            })
            .collect();
        let mut cal = ArrivalCalendar::new(processes);
        let mut last = (0, 0);
        let mut ties = 0;
        for _ in 0..5000 {
            let (t, q) = cal.peek();
            assert!((t, q) >= last, "{:?} after {:?}", (t, q), last);
            ties += (t == last.0 && q == 1 && last.1 == 0) as u32;
            last = (t, q);
            cal.advance();
        }
        assert!(ties > 100, "queues 0 and 1 tie and 0 goes first");
    }

    #[test]
    fn counts_per_interval_follow_the_profile() {
        // Rates 100, 400, 1000 per hour: over 400 runs the mean counts are
        // within 5 standard errors of the rates.
        let sc = scenario("3h", serde_json::json!([100, 400, 1000]));
        let runs = 400;
        let mut counts = [0u64; 3];
        for seed in 0..runs {
            for t in arrivals(&sc, seed) {
                counts[(t / 3_600_000_000) as usize] += 1;
            }
        }
        for (k, rate) in [100.0, 400.0, 1000.0f64].into_iter().enumerate() {
            let mean = counts[k] as f64 / runs as f64;
            let se = (rate / runs as f64).sqrt();
            assert!(
                (mean - rate).abs() < 5.0 * se,
                "interval {k}: {mean} vs {rate}"
            );
        }
    }
}
