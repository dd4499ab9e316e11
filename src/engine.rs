//! One replication of a scenario: the simulated clock, the event loop, and
//! the bookkeeping that turns routing decisions into statistics. Single
//! threaded; no allocation per event once the queues have reached their
//! working size.

use crate::distribution::Sampler;
use crate::event::{EventKind, EventQueue};
use crate::rng::{Stream, StreamKind};
use crate::router::{Router, WaitingCall, NEVER};
use crate::scenario::Scenario;
use crate::stats::{GroupCounters, QueueCounters, ReplicationStats};

/// Events between two reports of the simulated time to a [`Clock`] (minus one: a mask).
const CLOCK_EVERY: u64 = (1 << 14) - 1;

/// Receives the simulated time of a running replication (microseconds).
pub trait Clock {
    fn tick(&self, now: u64);
}

/// No one is watching.
impl Clock for () {
    #[inline(always)]
    fn tick(&self, _now: u64) {}
}

/// The latest simulated time, readable from another thread.
impl Clock for std::sync::atomic::AtomicU64 {
    #[inline]
    fn tick(&self, now: u64) {
        self.store(now, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Random sources and fixed parameters of one queue.
struct QueueSource {
    interarrival: Sampler,
    handle: Sampler,
    patience: Option<Sampler>,
    wrap: Sampler,
    arrivals_rng: Stream,
    handle_rng: Stream,
    patience_rng: Stream,
    wrap_rng: Stream,
    sl_threshold_us: u64,
}

/// One replication, ready to run.
pub struct Simulation {
    replication: u32,
    warmup: u64,
    horizon: u64,
    router: Router,
    events: EventQueue,
    sources: Vec<QueueSource>,
    /// Calendar of arrivals: the next arrival time of each queue ([`NEVER`] past the horizon).
    next_arrival: Vec<u64>,
    /// The queue with the earliest next arrival.
    next_queue: usize,
    queue_stats: Vec<QueueCounters>,
    group_stats: Vec<GroupCounters>,
    calls_generated: u64,
    events_processed: u64,
}

impl Simulation {
    /// Prepares replication `replication` of `sc`, with random streams derived
    /// from (`seed`, `replication`).
    pub fn new(sc: &Scenario, seed: u64, replication: u32) -> Simulation {
        let rep = replication as u64;
        let sources = sc
            .queues
            .iter()
            .enumerate()
            .map(|(q, queue)| {
                let q = q as u64;
                QueueSource {
                    interarrival: crate::distribution::DurationDist::Exponential {
                        mean_s: 3600.0 / queue.arrivals.rate_per_hour,
                    }
                    .sampler(),
                    handle: queue.handle_time.sampler(),
                    patience: queue.patience.as_ref().map(|d| d.sampler()),
                    wrap: queue
                        .wrap_up
                        .as_ref()
                        .map(|d| d.sampler())
                        .unwrap_or(Sampler::Constant(0)),
                    arrivals_rng: Stream::for_kind(seed, rep, StreamKind::Arrivals, q),
                    handle_rng: Stream::for_kind(seed, rep, StreamKind::HandleTime, q),
                    patience_rng: Stream::for_kind(seed, rep, StreamKind::Patience, q),
                    wrap_rng: Stream::for_kind(seed, rep, StreamKind::WrapUp, q),
                    sl_threshold_us: queue.service_level_threshold.micros(),
                }
            })
            .collect();
        let router = Router::new(sc, Stream::for_kind(seed, rep, StreamKind::AgentChoice, 0));
        let window = sc.end.micros() - sc.warmup.micros();
        let group_stats = sc
            .agent_groups
            .iter()
            .map(|g| GroupCounters {
                agents: g.count,
                logged_us: g.count as u128 * window as u128,
                ..Default::default()
            })
            .collect();
        Simulation {
            replication,
            warmup: sc.warmup.micros(),
            horizon: sc.end.micros(),
            router,
            events: EventQueue::with_capacity(sc.agent_count() as usize + 16),
            next_arrival: vec![NEVER; sc.queues.len()],
            next_queue: 0,
            sources,
            queue_stats: sc.queues.iter().map(|_| QueueCounters::default()).collect(),
            group_stats,
            calls_generated: 0,
            events_processed: 0,
        }
    }

    /// Runs to the horizon and returns the statistics.
    pub fn run(self) -> ReplicationStats {
        self.run_observed(&())
    }

    /// Runs to the horizon, telling `clock` the simulated time every few
    /// thousand events (for progress reports on long replications).
    pub fn run_observed<C: Clock>(mut self, clock: &C) -> ReplicationStats {
        for q in 0..self.sources.len() {
            self.next_arrival[q] = self.draw_arrival(q, 0);
        }
        self.update_next_arrival();
        loop {
            let arrival_time = self.next_arrival[self.next_queue];
            let now = match self.events.peek() {
                // At equal times an agent frees up before the call arrives.
                Some((now, EventKind::AgentFree(agent))) if now <= arrival_time => {
                    if now >= self.horizon {
                        break;
                    }
                    self.on_agent_free(agent, now);
                    now
                }
                _ => {
                    if arrival_time >= self.horizon {
                        break;
                    }
                    let q = self.next_queue;
                    self.next_arrival[q] = self.draw_arrival(q, arrival_time);
                    self.update_next_arrival();
                    self.on_arrival(q, arrival_time);
                    arrival_time
                }
            };
            self.events_processed += 1;
            if self.events_processed & CLOCK_EVERY == 0 {
                clock.tick(now);
            }
        }
        clock.tick(self.horizon);
        self.finish()
    }

    /// Time of the arrival after one at `now` in queue `q` (never if past the horizon).
    #[inline]
    fn draw_arrival(&mut self, q: usize, now: u64) -> u64 {
        let src = &mut self.sources[q];
        let t = now.saturating_add(src.interarrival.sample(&mut src.arrivals_rng));
        if t < self.horizon {
            t
        } else {
            NEVER
        }
    }

    /// Finds the queue whose call arrives next (lowest index on ties).
    #[inline]
    fn update_next_arrival(&mut self) {
        let mut best = 0;
        for (q, &t) in self.next_arrival.iter().enumerate().skip(1) {
            if t < self.next_arrival[best] {
                best = q;
            }
        }
        self.next_queue = best;
    }

    #[inline]
    fn on_arrival(&mut self, q: usize, now: u64) {
        self.calls_generated += 1;
        // Every caller draws its patience, talk and wrap-up on arrival, from its
        // queue's own streams: the same callers whatever the staffing.
        let src = &mut self.sources[q];
        let deadline = match &src.patience {
            Some(p) => now.saturating_add(p.sample(&mut src.patience_rng)),
            None => NEVER,
        };
        let call = WaitingCall {
            arrival: now,
            deadline,
            talk: src.handle.sample(&mut src.handle_rng),
            wrap: src.wrap.sample(&mut src.wrap_rng),
        };
        if now >= self.warmup {
            self.queue_stats[q].offered += 1;
        }
        if let Some(agent) = self.router.call_arrived(q, call) {
            let end = self.answer(agent, q, &call, now);
            if end < self.horizon {
                self.events.push(end, EventKind::AgentFree(agent));
            }
        }
    }

    /// The agent whose event is at the top of the event list is free at `now`:
    /// it takes the next call (its event is replaced in place) or goes idle.
    #[inline]
    fn on_agent_free(&mut self, agent: u32, now: u64) {
        let warmup = self.warmup;
        let stats = &mut self.queue_stats;
        let next = self.router.agent_free(agent, now, |q, call| {
            if call.arrival >= warmup {
                let s = &mut stats[q];
                s.abandoned += 1;
                s.abandoned_wait_sum_us += (call.deadline - call.arrival) as u128;
            }
        });
        match next {
            Some((q, call)) => {
                let end = self.answer(agent, q, &call, now);
                if end < self.horizon {
                    self.events.replace_top(end, EventKind::AgentFree(agent));
                } else {
                    self.events.pop();
                }
            }
            None => {
                self.events.pop();
            }
        }
    }

    /// `agent` answers `call` of queue `q` at `now`; returns when it will be free.
    #[inline]
    fn answer(&mut self, agent: u32, q: usize, call: &WaitingCall, now: u64) -> u64 {
        let handle = call.talk + call.wrap;
        let end = now.saturating_add(handle);
        self.router.start_handling(agent, handle);
        if call.arrival >= self.warmup {
            let wait = now - call.arrival;
            let s = &mut self.queue_stats[q];
            s.answered += 1;
            s.wait_sum_us += wait as u128;
            s.handle_sum_us += handle as u128;
            s.talk_sum_us += call.talk as u128;
            if wait <= self.sources[q].sl_threshold_us {
                s.answered_in_sl += 1;
            }
            if wait == 0 {
                s.zero_waits += 1;
            } else {
                // Auto-resizing histogram: recording only fails past u64 range.
                if s.wait_hist.record(wait).is_err() {
                    s.wait_hist.saturating_record(wait);
                }
            }
        }
        // Agent time inside the measured window.
        let g = &mut self.group_stats[self.router.group_of(agent) as usize];
        let busy = end.min(self.horizon).saturating_sub(now.max(self.warmup));
        g.busy_us += busy as u128;
        g.busy_after_end_us += end.saturating_sub(self.horizon) as u128;
        if now >= self.warmup {
            g.handled += 1;
        }
        end
    }

    /// End of the horizon: callers whose deadline passed have abandoned, the
    /// rest are unresolved.
    fn finish(mut self) -> ReplicationStats {
        let (warmup, horizon) = (self.warmup, self.horizon);
        let stats = &mut self.queue_stats;
        self.router.drain_waiting(|q, call| {
            if call.arrival < warmup {
                return;
            }
            let s = &mut stats[q];
            if call.deadline < horizon {
                s.abandoned += 1;
                s.abandoned_wait_sum_us += (call.deadline - call.arrival) as u128;
            } else {
                s.unresolved += 1;
            }
        });
        ReplicationStats {
            replication: self.replication,
            queues: self.queue_stats,
            groups: self.group_stats,
            calls_generated: self.calls_generated,
            events: self.events_processed,
        }
    }
}
