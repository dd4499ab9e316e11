//! The pace of a live run: simulated time held against the wall clock times
//! a speed. [`Pace`] is the arithmetic (the simulated time the engine may
//! reach at a given instant, and how pausing, resuming and changing speed
//! rebase it); [`run`] is the tokio task that tells the engine, every tick,
//! how far it may go. The engine never waits for the pacer and the pacer
//! never waits for the engine: when the machine cannot keep up, the engine
//! is simply behind its target (the wallboard says by how much).

use crate::command::Speed;
use crate::router::NEVER;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::time::{Duration, Instant};

/// How often the pacer moves the engine's target (wall clock).
pub const TICK: Duration = Duration::from_millis(20);

/// Simulated time against wall time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub speed: Speed,
    pub paused: bool,
    /// At `base_wall` the simulated time was `base_sim` (µs).
    base_wall: Instant,
    base_sim: u64,
}

impl Pace {
    /// A pace starting now at simulated time 0.
    pub fn new(speed: Speed, now: Instant) -> Pace {
        Pace {
            speed,
            paused: false,
            base_wall: now,
            base_sim: 0,
        }
    }

    /// The simulated time (µs) the engine may run to at `now`: the base
    /// plus speed × the wall time since (all of it at "max").
    pub fn target(&self, now: Instant) -> u64 {
        if self.paused {
            return self.base_sim;
        }
        match self.speed {
            Speed::Max => NEVER,
            Speed::Times(x) => {
                let wall = now.saturating_duration_since(self.base_wall).as_secs_f64();
                let ahead = (wall * x * 1e6).min((NEVER / 2) as f64) as u64;
                self.base_sim.saturating_add(ahead)
            }
        }
    }

    /// The clock holds where the engine is (`reached`).
    pub fn pause(&mut self, now: Instant, reached: u64) {
        self.rebase(now, reached);
        self.paused = true;
    }

    /// The clock goes on from where the engine is.
    pub fn resume(&mut self, now: Instant, reached: u64) {
        self.rebase(now, reached);
        self.paused = false;
    }

    /// The clock goes on at `speed` from where the engine is.
    pub fn set_speed(&mut self, speed: Speed, now: Instant, reached: u64) {
        self.rebase(now, reached);
        self.speed = speed;
    }

    fn rebase(&mut self, now: Instant, reached: u64) {
        self.base_wall = now;
        self.base_sim = reached;
    }
}

/// What the pacer and the engine share: the pace, and how far the engine is.
#[derive(Debug)]
pub struct Clocks {
    pub pace: Mutex<Pace>,
    /// The engine's simulated time (µs).
    pub reached: AtomicU64,
    /// The latest target the pacer gave (µs).
    pub target: AtomicU64,
}

impl Clocks {
    pub fn new(speed: Speed) -> Arc<Clocks> {
        Arc::new(Clocks {
            pace: Mutex::new(Pace::new(speed, Instant::now())),
            reached: AtomicU64::new(0),
            target: AtomicU64::new(0),
        })
    }

    /// Applies `f` to the pace at the engine's current time.
    pub fn change(&self, f: impl FnOnce(&mut Pace, Instant, u64)) {
        let reached = self.reached.load(Ordering::Acquire);
        let mut pace = self.pace.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut pace, Instant::now(), reached);
        self.target
            .store(pace.target(Instant::now()), Ordering::Release);
    }

    /// The current pace.
    pub fn pace(&self) -> Pace {
        *self.pace.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every [`TICK`], publishes the target and calls `wake` (so the engine
/// looks at it), until `wake` returns false (the engine is gone).
pub async fn run(clocks: Arc<Clocks>, mut wake: impl FnMut(u64) -> bool) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let target = clocks.pace().target(Instant::now());
        clocks.target.store(target, Ordering::Release);
        if !wake(target) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_target_is_speed_times_wall_time_and_holds_while_paused() {
        let t0 = Instant::now();
        let mut pace = Pace::new(Speed::Times(60.0), t0);
        assert_eq!(pace.target(t0), 0);
        assert_eq!(pace.target(t0 + Duration::from_secs(2)), 120_000_000);
        // Paused where the engine is (a little behind its target).
        pace.pause(t0 + Duration::from_secs(2), 119_000_000);
        assert_eq!(pace.target(t0 + Duration::from_secs(100)), 119_000_000);
        pace.resume(t0 + Duration::from_secs(100), 119_000_000);
        assert_eq!(
            pace.target(t0 + Duration::from_secs(101)),
            119_000_000 + 60_000_000
        );
        pace.set_speed(
            Speed::Times(1.0),
            t0 + Duration::from_secs(101),
            179_000_000,
        );
        assert_eq!(
            pace.target(t0 + Duration::from_millis(101_500)),
            179_500_000
        );
        pace.set_speed(Speed::Max, t0, 5);
        assert_eq!(pace.target(t0), NEVER);
    }

    #[tokio::test(start_paused = true)]
    async fn the_task_moves_the_target_every_tick_with_the_wall_clock() {
        let clocks = Clocks::new(Speed::Times(300.0));
        let start = Instant::now();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(run(clocks.clone(), move |target| {
            log.lock().unwrap().push((Instant::now(), target));
            true
        }));
        tokio::time::sleep(Duration::from_secs(3)).await;
        task.abort();
        let seen = seen.lock().unwrap();
        assert!(seen.len() >= 140, "{} ticks in 3 s", seen.len());
        for &(at, target) in seen.iter() {
            let wall = at.duration_since(start).as_secs_f64();
            let want = wall * 300.0 * 1e6;
            assert!(
                (target as f64 - want).abs() <= 300.0 * TICK.as_secs_f64() * 1e6,
                "at {wall} s: target {target} µs, speed × wall {want} µs"
            );
        }
        // Ticks are TICK apart.
        for w in seen.windows(2) {
            assert_eq!(w[1].0 - w[0].0, TICK);
        }
    }
}
