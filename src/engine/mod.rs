//! One replication of a scenario: the simulated clock, the event loop, and
//! the bookkeeping that turns routing decisions into statistics. Single
//! threaded; no allocation per event once the queues have reached their
//! working size.
//!
//! The event model, shared by everything that happens in time:
//! - **Arrivals** sit in their own calendar ([`arrivals`]): one pending
//!   arrival per queue, never in the event heap.
//! - **Timed events** sit in the heap ([`crate::event`]): an agent's call (or
//!   break) ends, a queue's head reaches an overflow stage, a drain check.
//!   Timers that became moot are skipped when they pop, never searched for.
//! - **Special moments** are checked with one comparison per event: the next
//!   floor change of the staffing plan ([`staffing`]), the next interval
//!   boundary, the horizon ([`closing`]).
//!
//! At equal times: special moments first (a boundary's new staffing is in
//! place for calls at that instant), then timed events (an agent frees up
//! before a call arrives), then arrivals.

mod accounting;
pub mod arrivals;
mod callback;
mod callers;
mod closing;
mod command;
mod dialer;
mod escalation;
mod floor;
pub mod observe;
mod retrial;
pub mod staffing;
pub mod view;

pub use command::Applied;
pub use observe::{CallEvent, Observer};

use crate::event::{EventKind, EventQueue};
use crate::rng::{Stream, StreamKind};
use crate::router::{Router, WaitingCall, NEVER};
use crate::scenario::{Closing, Scenario};
use crate::stats::{GroupCounters, QueueCounters, ReplicationStats};
use accounting::{Grid, NO_CELL};
use arrivals::{ArrivalCalendar, ArrivalProcess};
use callback::Callbacks;
use callers::CallerSource;
use dialer::Outbound;
use escalation::{Desk, DIFFICULT};
use rand_distr::{Distribution as _, Gamma};
use staffing::{FloorAgent, FloorGroup, Place, Plan};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Events between two reports of the simulated time to a [`Clock`] (minus one: a mask).
const CLOCK_EVERY: u64 = (1 << 14) - 1;

/// Receives the simulated time of a running replication (microseconds),
/// and may cut it short.
pub trait Clock {
    fn tick(&self, now: u64);
    /// Asked after each tick: whether the replication should stop where it
    /// is (a benchmark out of time). Its results are then incomplete.
    #[inline(always)]
    fn stop(&self) -> bool {
        false
    }
}

/// What a replication simulated before it ended or was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// Every call generated, warm-up included.
    pub calls: u64,
    pub events: u64,
    /// Whether it ran to its end (not stopped by its clock).
    pub complete: bool,
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

/// Trunk lines: how many there are, and when the talking callers hang up.
struct Lines {
    limit: u64,
    talking: BinaryHeap<Reverse<u64>>,
}

/// The state of the closing drain.
#[derive(Debug, Default)]
struct Drain {
    started: bool,
    /// Every group has been released: the drain is over.
    ended: bool,
    /// Per group: no caller it can answer is left, its agents go home.
    released: Vec<bool>,
    /// Callers present at the last look at every group ([`NEVER`]: none yet).
    present_seen: u64,
    /// Time of the pending drain check ([`NEVER`] if none).
    timer_at: u64,
}

/// Where [`Simulation::run_until`] left a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// Every event before the given time is done, none at or after it.
    Paused,
    /// The replication is over.
    Ended,
}

/// One replication, ready to run; `O` observes its calls (nobody, in batch runs).
pub struct Simulation<'a, O: Observer = ()> {
    sc: &'a Scenario,
    obs: O,
    /// The replication pauses here ([`NEVER`]: it does not): see [`Simulation::run_until`].
    pause_at: u64,
    /// Ended by a `stop` command before its horizon (or during its drain).
    stopped: bool,
    replication: u32,
    grid: Grid,
    /// Agent events at or after this time are not scheduled (the horizon,
    /// unless draining).
    stop_at: u64,
    router: Router,
    events: EventQueue,
    arrivals: ArrivalCalendar,
    callers: Vec<CallerSource>,
    agents: Vec<FloorAgent>,
    groups: Vec<FloorGroup>,
    plan: Plan,
    /// Earliest of: next floor change, next interval boundary, the horizon.
    next_special: u64,
    next_boundary: u64,
    /// Cell of the current time ([`NO_CELL`] during the warm-up), and its span.
    cur_cell: usize,
    cur_cell_start: u64,
    cur_cell_end: u64,
    /// No agent ever leaves the floor (constant groups, no drain): agent
    /// events are always the end of a call.
    floor_static: bool,
    horizon_passed: bool,
    /// The replication has ended.
    over: bool,
    /// Per queue: most calls allowed to wait (`u32::MAX`: no limit).
    max_waiting: Vec<u32>,
    /// Per inbound queue: whether it is plain — no trunk lines block its
    /// calls, no limit of calls waiting, no difficult calls, callers who
    /// neither call again nor take callbacks — so that an arrival needs
    /// none of those checks.
    plain: Vec<bool>,
    lines: Option<Lines>,
    /// Per queue: time of the pending overflow check ([`NEVER`] if none).
    overflow_at: Vec<u64>,
    heads_changed: Vec<u32>,
    drain: Drain,
    /// Supervisors and escalated calls (`None`: no queue escalates).
    desk: Option<Box<Desk>>,
    /// Outbound campaigns (`None`: none).
    outbound: Option<Box<Outbound>>,
    /// Router index of the first campaign queue (the number of inbound queues).
    first_campaign_queue: usize,
    /// Router index of the first callback queue.
    first_callback_queue: usize,
    /// Callbacks (`None`: no queue offers them).
    callbacks: Option<Box<Callbacks>>,
    /// An agent became idle since the dialers last looked.
    agent_went_idle: bool,
    /// Routing has follow-ups beyond overflow timers: campaigns, or a drain
    /// under way ([`Simulation::follow_up`]).
    follow_ups: bool,
    /// Some answered calls need more than the basics (trunk lines, escalation, campaigns).
    answer_extras: bool,
    /// Per retrial tag: the queue and the call of a caller who would call again.
    retry_calls: Vec<(u32, WaitingCall, u32)>,
    /// While a caller calls again: how many times it has (0 otherwise).
    calling_again: u32,
    queue_stats: Vec<QueueCounters>,
    group_stats: Vec<GroupCounters>,
    now: u64,
    calls_generated: u64,
    events_processed: u64,
}

/// The day's volume factor: gamma with mean 1 and coefficient of variation `cv`.
fn volume_factor(cv: f64, rng: &mut Stream) -> f64 {
    if cv == 0.0 {
        return 1.0;
    }
    let shape = 1.0 / (cv * cv);
    Gamma::new(shape, cv * cv)
        .expect("checked coefficient of variation")
        .sample(rng)
}

impl<'a> Simulation<'a> {
    /// Prepares replication `replication` of `sc`, with random streams derived
    /// from (`seed`, `replication`).
    pub fn new(sc: &'a Scenario, seed: u64, replication: u32) -> Simulation<'a> {
        Simulation::observed(sc, seed, replication, ())
    }
}

impl<'a, O: Observer> Simulation<'a, O> {
    /// [`Simulation::new`], telling `obs` what happens to every call.
    pub fn observed(sc: &'a Scenario, seed: u64, replication: u32, obs: O) -> Simulation<'a, O> {
        let rep = replication as u64;
        let factor = sc
            .volume_cv
            .map(|cv| volume_factor(cv, &mut Stream::for_kind(seed, rep, StreamKind::Volume, 0)));
        let processes = sc
            .queues
            .iter()
            .enumerate()
            .map(|(q, queue)| {
                let rng = Stream::for_kind(seed, rep, StreamKind::Arrivals, q as u64);
                ArrivalProcess::new(sc, &queue.arrivals.rate_per_hour, factor, rng)
            })
            .collect();
        // Inbound queues, the queue of each campaign's live answers, of each queue's callbacks.
        let routed = || {
            sc.queues
                .iter()
                .chain(&sc.campaign_queues)
                .chain(&sc.callback_queues)
        };
        let callers = routed()
            .enumerate()
            .map(|(q, queue)| CallerSource::new(queue, seed, rep, q as u64))
            .collect();
        let router = Router::new(sc, Stream::for_kind(seed, rep, StreamKind::AgentChoice, 0));
        let draining = sc.closing == Closing::Drain;
        let grid = Grid {
            warmup: sc.warmup.micros(),
            horizon: sc.end.micros(),
            interval: sc.interval.micros(),
            intervals: sc.intervals(),
            drain_cell: draining,
        };
        let cells = grid.intervals + draining as usize;
        let mut agents = Vec::with_capacity(sc.agent_count() as usize);
        let mut groups = Vec::with_capacity(sc.agent_groups.len());
        let mut group_stats = Vec::with_capacity(sc.agent_groups.len());
        for group in &sc.agent_groups {
            let n = group.agent_slots();
            let count = group.constant_count();
            let place = if count.is_some() {
                Place::Floor
            } else {
                Place::Off
            };
            let first = agents.len() as u32;
            agents.extend((0..n).map(|_| FloorAgent {
                place,
                due: staffing::Due::Nothing,
            }));
            // The reserve for live commands, off the floor.
            agents.extend((0..group.reserve).map(|_| FloorAgent {
                place: Place::Off,
                due: staffing::Due::Nothing,
            }));
            let mut fg = FloorGroup::default();
            let mut gs = GroupCounters {
                agents: group.peak_agents(),
                intervals: vec![Default::default(); cells],
                ..Default::default()
            };
            if let Some(c) = count {
                // The floor of a constant group: every agent logged in from time 0.
                let c = group.on_floor(c);
                fg.target = c;
                fg.sched = c;
                fg.change(0, &grid, &mut gs.intervals, c as i32, 0, 0);
            }
            // Logged-off agents, the lowest id on top: a counted group's
            // slots, or (a constant group, a group working shifts) only the
            // reserve for live commands.
            fg.shifts = matches!(group.staffing, crate::scenario::Staffing::Shifts(_));
            fg.reserve_from = first + n;
            fg.off = match group.staffing {
                crate::scenario::Staffing::PerInterval(_) => {
                    (first..first + group.slots()).rev().collect()
                }
                _ => (first + n..first + group.slots()).rev().collect(),
            };
            groups.push(fg);
            group_stats.push(gs);
        }
        let needs_presence = sc.lines.is_some()
            || sc
                .queues
                .iter()
                .any(|q| q.max_waiting.is_some() || q.callback.is_some());
        let mut sim = Simulation {
            sc,
            obs,
            pause_at: NEVER,
            stopped: false,
            replication,
            grid,
            // Runs taking commands schedule every end (a `stop` needs them).
            stop_at: if draining || sc.takes_commands {
                NEVER
            } else {
                grid.horizon
            },
            router,
            events: EventQueue::with_capacity(sc.agent_count() as usize + 16),
            arrivals: ArrivalCalendar::new(processes),
            callers,
            agents,
            groups,
            plan: Plan::new(sc),
            next_special: 0,
            next_boundary: grid.warmup,
            cur_cell: NO_CELL,
            cur_cell_start: 0,
            cur_cell_end: 0,
            floor_static: !draining
                && sc.agent_groups.iter().all(|g| g.constant_count().is_some())
                && !sc.takes_commands
                && sc.queues.iter().all(|q| q.escalation.is_none()),
            horizon_passed: false,
            over: false,
            max_waiting: routed()
                .map(|q| q.max_waiting.unwrap_or(u32::MAX))
                .collect(),
            plain: sc
                .queues
                .iter()
                .map(|q| {
                    sc.lines.is_none()
                        && q.max_waiting.is_none()
                        && q.escalation.is_none()
                        && q.retrial.is_none()
                        && q.callback.is_none()
                })
                .collect(),
            lines: sc.lines.map(|l| Lines {
                limit: l as u64,
                talking: BinaryHeap::new(),
            }),
            overflow_at: vec![NEVER; routed().count()],
            heads_changed: Vec::new(),
            drain: Drain {
                timer_at: NEVER,
                present_seen: NEVER,
                ..Drain::default()
            },
            desk: Desk::new(sc, seed, rep),
            outbound: Outbound::new(sc, seed, rep, cells),
            first_campaign_queue: sc.queues.len(),
            first_callback_queue: sc.queues.len() + sc.campaign_queues.len(),
            callbacks: Callbacks::new(sc, seed, rep),
            agent_went_idle: false,
            follow_ups: !sc.campaigns.is_empty(),
            answer_extras: sc.lines.is_some()
                || !sc.campaigns.is_empty()
                || sc.queues.iter().any(|q| q.escalation.is_some()),
            retry_calls: Vec::new(),
            calling_again: 0,
            // Live answers of campaigns may arrive while draining: their
            // queues have a cell for the drain.
            queue_stats: routed()
                .enumerate()
                .map(|(q, _)| {
                    let campaign =
                        q >= sc.queues.len() && q < sc.queues.len() + sc.campaign_queues.len();
                    QueueCounters::with_intervals(if campaign { cells } else { grid.intervals })
                })
                .collect(),
            group_stats,
            now: 0,
            calls_generated: 0,
            events_processed: 0,
        };
        if needs_presence {
            sim.router.waiting().count_presence();
        }
        if sc.queues.iter().any(|q| q.retrial.is_some()) {
            sim.router.waiting().follow_tags();
        }
        sim.open_campaigns();
        sim
    }

    /// Runs to the end and returns the statistics.
    pub fn run(self) -> ReplicationStats {
        self.run_observed(&())
    }

    /// Runs to the end, telling `clock` the simulated time every few
    /// thousand events (for progress reports on long replications).
    pub fn run_observed<C: Clock>(mut self, clock: &C) -> ReplicationStats {
        if let Some(script) = self.sc.script.clone() {
            for timed in &script.commands {
                if let crate::command::Checked::Model(action) = timed.checked {
                    if self.run_until_with(timed.at, clock) == Reached::Ended {
                        break;
                    }
                    // A checked script applies whole (times within the run, nothing after a stop).
                    let applied = self.execute(&action);
                    debug_assert!(applied.is_ok(), "line {}: {applied:?}", timed.line);
                }
            }
        }
        if !self.over {
            self.simulate(clock);
        }
        clock.tick(self.now.max(self.grid.horizon));
        self.finish()
    }

    /// Runs to the end, or until `clock` says stop, and tells how much was
    /// simulated (for benchmarks: a stopped replication has no results).
    pub fn run_work<C: Clock>(mut self, clock: &C) -> Work {
        if self.simulate(clock) {
            let stats = self.finish();
            return Work {
                calls: stats.calls_generated,
                events: stats.events,
                complete: true,
            };
        }
        Work {
            calls: self.calls_generated,
            events: self.events_processed,
            complete: false,
        }
    }

    /// Runs every event before `limit` (µs of run time), none at or after
    /// it, then leaves the replication at `limit` (its current time), where
    /// commands may change it ([`Simulation::execute`]: after the special
    /// moments at that time, if any). Running to `t1`
    /// then to `t2` does exactly what running to `t2` does: the same
    /// commands at the same times give the same results however the run is
    /// cut (live, paced by the wall clock, or replayed from a recording).
    pub fn run_until(&mut self, limit: u64) -> Reached {
        self.run_until_with(limit, &())
    }

    /// [`Simulation::run_until`], telling `clock` the time as it goes.
    fn run_until_with<C: Clock>(&mut self, limit: u64, clock: &C) -> Reached {
        if self.is_over() {
            return Reached::Ended;
        }
        if limit <= self.now {
            return Reached::Paused;
        }
        self.pause_at = limit;
        self.next_special = self.next_special.min(limit);
        let ended = self.simulate(clock);
        self.pause_at = NEVER;
        if ended {
            self.over = true;
            return Reached::Ended;
        }
        self.now = limit;
        Reached::Paused
    }

    /// Whether the replication has ended (its horizon, or its drain, is over).
    pub fn is_over(&self) -> bool {
        self.over
    }

    /// The current time (µs of run time).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &'a Scenario {
        self.sc
    }

    /// The observer of the calls.
    pub fn observer(&self) -> &O {
        &self.obs
    }

    pub fn observer_mut(&mut self) -> &mut O {
        &mut self.obs
    }

    /// Ends the replication at its current time (a `stop` command) and
    /// returns its statistics: as if the horizon were now (callers still
    /// waiting are unresolved), the intervals after it left out.
    pub fn stop(mut self) -> ReplicationStats {
        self.stop_here();
        self.finish()
    }

    /// The event loop: returns true at the end of the replication, false if
    /// `clock` stopped it or it reached its pause.
    #[inline(always)]
    fn simulate<C: Clock>(&mut self, clock: &C) -> bool {
        loop {
            let (arrival, q) = self.arrivals.peek();
            let (t_event, kind) = self.events.peek().unwrap_or((NEVER, EventKind::Agent(0)));
            let t = t_event.min(arrival);
            if t >= self.next_special {
                if self.next_special == self.pause_at && self.pause_at != NEVER {
                    if t != NEVER || self.next_moment() != NEVER {
                        return false;
                    }
                    // Nothing is left but the pause: the run is over.
                    self.next_special = NEVER;
                }
                if self.special() {
                    continue;
                }
                break;
            }
            if t_event <= arrival {
                // At equal times an agent frees up before the call arrives.
                self.now = t_event;
                // The end of a call first: by far the most frequent event.
                if let EventKind::Agent(agent) = kind {
                    self.on_agent_event(agent, t_event);
                } else {
                    self.on_timer(kind, t_event);
                }
            } else {
                self.now = arrival;
                self.arrivals.advance();
                self.on_arrival(q, arrival);
            }
            self.events_processed += 1;
            if self.events_processed & CLOCK_EVERY == 0 {
                clock.tick(self.now);
                if clock.stop() {
                    return false;
                }
            }
        }
        true
    }

    /// Any timed event but the end of a call.
    #[inline(never)]
    fn on_timer(&mut self, kind: EventKind, now: u64) {
        match kind {
            EventKind::Agent(agent) => self.on_agent_event(agent, now),
            EventKind::Overflow(queue) => self.on_overflow(queue as usize, now),
            EventKind::Drain => self.on_drain_timer(now),
            EventKind::Hold(agent) => self.on_hold_end(agent, now),
            EventKind::Dial(id) => self.on_dial_outcome(id, now),
            EventKind::Campaign(c) => self.on_campaign_wake(c as usize, now),
            EventKind::Retrial(tag) => self.on_retrial(tag, now),
        }
    }

    /// Handles the special moment at `next_special` (boundary, floor change,
    /// horizon); returns false when the run is over.
    fn special(&mut self) -> bool {
        let s = self.next_special;
        if s == NEVER {
            return self.nothing_left();
        }
        self.now = s;
        if s == self.next_boundary && !self.horizon_passed {
            self.cur_cell = self.grid.cell_of(s);
            let next = s + self.grid.interval;
            self.next_boundary = if next < self.grid.horizon {
                next
            } else {
                NEVER
            };
            self.cur_cell_start = s;
            self.cur_cell_end = self.next_boundary.min(self.grid.horizon);
        }

        while self.plan.next_time() == s {
            let change = self.plan.pop();
            self.apply(change, s);
        }
        if s == self.grid.horizon && !self.horizon_passed {
            self.horizon_passed = true;
            if self.sc.closing != Closing::Drain {
                return false;
            }
            self.cur_cell = self.grid.cell_of(s);
            self.cur_cell_start = s;
            self.cur_cell_end = NEVER;
            self.begin_drain(s);
        }
        self.next_special = self.next_moment().min(self.pause_at);
        true
    }

    /// Handles the special moments due now (a boundary, a staffing change,
    /// the horizon), as a command does before it applies: its calls count
    /// in the interval starting now, on the floor the schedule has now.
    /// After [`Simulation::run_until`] stopped at such a moment, the
    /// [`Simulation::view`] is the floor just before it until this runs.
    /// Returns false if the run ended there.
    pub fn settle(&mut self) -> bool {
        while !self.over && self.next_moment() == self.now {
            self.next_special = self.now;
            if !self.special() {
                self.over = true;
            }
        }
        !self.over
    }

    /// The next special moment: floor change, interval boundary, horizon.
    fn next_moment(&self) -> u64 {
        let horizon = if self.horizon_passed {
            NEVER
        } else {
            self.grid.horizon
        };
        self.plan.next_time().min(self.next_boundary).min(horizon)
    }

    #[inline(always)]
    fn on_arrival(&mut self, q: usize, now: u64) {
        self.calls_generated += 1;
        if !self.plain[q] {
            self.on_arrival_with_extras(q, now);
            return;
        }
        // Every caller draws its patience, talk and wrap-up on arrival, from its
        // queue's own streams: the same callers whatever the staffing.
        let src = &mut self.callers[q];
        let k = if src.by_interval() {
            self.grid.profile_index(now)
        } else {
            0
        };
        let (call, balks) = src.draw::<true>(now, k);
        self.offer::<true>(q, call, balks, NEVER, false, now);
    }

    /// [`Simulation::on_arrival`] in a queue that is not plain.
    #[inline(never)]
    fn on_arrival_with_extras(&mut self, q: usize, now: u64) {
        let src = &mut self.callers[q];
        let k = if src.by_interval() {
            self.grid.profile_index(now)
        } else {
            0
        };
        let (call, balks) = src.draw::<false>(now, k);
        let retry = if src.retries() {
            src.retry_delay()
        } else {
            NEVER
        };
        self.offer::<false>(q, call, balks, retry, false, now);
    }

    /// `call` is offered to queue `q` at `now`: answered at once, blocked,
    /// balking, or waiting. `retry`: after what delay the caller would call
    /// again if it abandons ([`NEVER`]: it would not); `retrial`: the caller
    /// is calling again. `PLAIN`: the queue is plain (see [`Simulation::plain`]).
    #[inline(always)]
    fn offer<const PLAIN: bool>(
        &mut self,
        q: usize,
        call: WaitingCall,
        balks: bool,
        retry: u64,
        retrial: bool,
        now: u64,
    ) {
        let cell = self.cur_cell;
        if PLAIN {
            debug_assert!(self.lines.is_none() && retry == NEVER && !retrial);
        } else if let Some(lines) = &mut self.lines {
            while lines.talking.peek().is_some_and(|&Reverse(t)| t <= now) {
                lines.talking.pop();
            }
            let busy = lines.talking.len() as u64 + self.router.waiting().present_total(now);
            if busy >= lines.limit {
                self.count_blocked(q, cell);
                return;
            }
        }
        if let Some(agent) = self.router.pick_for_arrival(q) {
            self.tell_offered(q, retrial, now);
            if cell != NO_CELL {
                let c = &mut self.queue_stats[q].intervals[cell];
                c.offered += 1;
                c.retrials += retrial as u64;
            }
            let end = self.answer(agent, q, &call, now, cell);
            self.schedule_agent(agent, end);
            return;
        }
        let limit = if PLAIN { u32::MAX } else { self.max_waiting[q] };
        if limit != u32::MAX && self.router.waiting().present(q, now) >= limit as u64 {
            self.count_blocked(q, cell);
            return;
        }
        self.tell_offered(q, retrial, now);
        if O::ON && balks {
            self.obs.event(CallEvent::Abandoned {
                queue: q as u32,
                arrival: now,
                at: now,
                balked: true,
            });
        }
        if cell != NO_CELL {
            let c = &mut self.queue_stats[q].intervals[cell];
            c.offered += 1;
            c.retrials += retrial as u64;
            if balks {
                c.abandoned += 1;
                c.balked += 1;
                c.abandoned_in_sl += 1;
            }
        }
        if !PLAIN && !balks && self.callbacks.is_some() && self.callback_taken(q, &call, now, cell)
        {
            return;
        }
        if !PLAIN && retry != NEVER {
            self.follow_retry(q, call, balks, retry, now);
            if balks {
                return;
            }
        } else if !balks {
            self.router.enqueue(q, call);
        }
        if !balks {
            self.rearm_overflow(now);
        }
    }

    #[inline(always)]
    fn tell_offered(&mut self, q: usize, retrial: bool, now: u64) {
        if O::ON {
            self.obs.event(CallEvent::Offered {
                queue: q as u32,
                at: now,
                retrial,
            });
        }
    }

    fn count_blocked(&mut self, q: usize, cell: usize) {
        if O::ON {
            let at = self.now;
            self.obs.event(CallEvent::Blocked {
                queue: q as u32,
                at,
            });
        }
        if cell != NO_CELL {
            self.queue_stats[q].intervals[cell].blocked += 1;
        }
    }

    /// Schedules the end of `agent`'s call at `end` (if it matters).
    #[inline(always)]
    fn schedule_agent(&mut self, agent: u32, end: u64) {
        if end < self.stop_at {
            self.events.push(end, EventKind::Agent(agent));
        }
    }

    /// The agent at the top of the event heap is done with its call or break.
    #[inline(always)]
    fn on_agent_event(&mut self, agent: u32, now: u64) {
        if !self.floor_static && self.agent_event_off_floor(agent, now) {
            return;
        }
        let next = self.next_call(agent, now);
        let end = match next {
            Some((q, call)) => {
                let cell = self.arrival_cell(call.arrival);
                self.answer(agent, q, &call, now, cell)
            }
            None => NEVER,
        };
        // An agent who chains calls has its event replaced in place (one
        // sift of the heap in the loop's code, for both cases).
        if end < self.stop_at {
            self.events.replace_top(end, EventKind::Agent(agent));
        } else {
            self.events.pop();
        }
        // `now` is `self.now`: read back rather than kept in a register across the heap's sift.
        self.after_routing(self.now);
    }

    /// [`Simulation::on_agent_event`] on a floor that changes: a break
    /// ends, a call escalates, the agent leaves, a supervisor frees up.
    /// Returns whether it handled the event (else the agent is free for the
    /// next call as usual).
    #[inline(never)]
    fn agent_event_off_floor(&mut self, agent: u32, now: u64) -> bool {
        let a = self.agents[agent as usize];
        if a.place == Place::Break {
            self.events.pop();
            self.end_break(agent, now);
            return true;
        }
        if self.desk.as_ref().is_some_and(|d| d.escalating(agent)) {
            self.events.pop();
            self.escalate(agent, now);
            self.after_routing(now);
            return true;
        }
        let g = self.router.group_of(agent) as usize;
        let fg = &self.groups[g];
        if a.due != staffing::Due::Nothing
            || fg.pending > 0
            || fg.away_pending > 0
            || self.released(g)
        {
            self.events.pop();
            self.leave_after_call(agent, now);
            return true;
        }
        if self.desk.is_some() {
            // A supervisor takes an escalated call before any other.
            self.events.pop();
            self.make_available(agent, now);
            return true;
        }
        false
    }

    /// `agent` is available at `now`: the router gives it the next call or
    /// makes it idle. Expired callers met on the way are counted. Inlined
    /// always: it is the heart of a call's end.
    #[inline(always)]
    fn next_call(&mut self, agent: u32, now: u64) -> Option<(usize, WaitingCall)> {
        // The grid by reference: a copy would be loaded (and spilled) at every call's end.
        let (stats, callers, grid, obs) = (
            &mut self.queue_stats,
            &self.callers,
            &self.grid,
            &mut self.obs,
        );
        let next = self.router.agent_free(agent, now, |q, call| {
            record_abandon(stats, callers, grid, obs, q, call);
        });
        // Only dialers look at it (in `follow_up`).
        if next.is_none() {
            self.agent_went_idle = true;
        }
        next
    }

    /// `agent` is available at `now` outside of a call's end (logged in, back
    /// from a break): takes a call (scheduling its end) or goes idle.
    fn make_available(&mut self, agent: u32, now: u64) {
        if self.desk.is_some() {
            let g = self.router.group_of(agent) as usize;
            if self.supervisor_takes_hold(agent, g, now) {
                self.after_routing(now);
                return;
            }
        }
        if let Some((q, call)) = self.next_call(agent, now) {
            let cell = self.arrival_cell(call.arrival);
            let end = self.answer(agent, q, &call, now, cell);
            self.schedule_agent(agent, end);
        }
        self.after_routing(now);
    }

    /// Whether group `g`'s agents go home as they free up (drained).
    #[inline]
    fn released(&self, g: usize) -> bool {
        self.drain.released.get(g).copied().unwrap_or(false)
    }

    /// Follow-ups of a routing decision: overflow timers of queues whose
    /// head changed, the dialers, and the end of a drain.
    #[inline(always)]
    fn after_routing(&mut self, now: u64) {
        self.rearm_overflow(now);
        if self.follow_ups {
            self.follow_up(now);
        }
    }

    /// The dialers look again if an agent went idle; a drain under way checks whether it is over.
    #[inline(never)]
    fn follow_up(&mut self, now: u64) {
        if self.agent_went_idle {
            self.agent_went_idle = false;
            self.dialers_look(now);
        }
        if self.drain.started && !self.drain.ended {
            self.check_drain(now);
        }
    }

    /// `agent` answers `call` of queue `q` at `now`; `cell` is the call's
    /// arrival interval. Returns when the agent will be free.
    #[inline(always)]
    fn answer(&mut self, agent: u32, q: usize, call: &WaitingCall, now: u64, cell: usize) -> u64 {
        if self.answer_extras {
            // The fields by value: a reference would keep every call in memory.
            return self.answer_with_extras(
                agent,
                q,
                (call.arrival, call.talk),
                call.wrap,
                now,
                cell,
            );
        }
        self.answer_basic(agent, q, call, now, cell)
    }

    /// [`Simulation::answer`] with what answering means beyond the basics:
    /// trunk lines, a difficult call that will escalate, a campaign's call (a connect).
    #[inline(never)]
    fn answer_with_extras(
        &mut self,
        agent: u32,
        q: usize,
        (arrival, talk): (u64, u64),
        wrap: u64,
        now: u64,
        cell: usize,
    ) -> u64 {
        // A difficult call talks until it escalates (see `escalation`): its
        // wrap-up comes after the handover, and its flag is not a duration.
        let difficult = wrap & DIFFICULT != 0;
        let call = WaitingCall {
            arrival,
            deadline: NEVER,
            talk,
            wrap: if difficult { 0 } else { wrap },
        };
        let end = self.answer_basic(agent, q, &call, now, cell);
        if let Some(lines) = &mut self.lines {
            lines.talking.push(Reverse(now.saturating_add(talk)));
        }
        if difficult {
            self.begin_difficult(agent, q, wrap, cell);
        }
        if (self.first_campaign_queue..self.first_callback_queue).contains(&q) {
            self.on_connect(q);
        }
        end
    }

    /// The basics of answering `call` (its wrap-up a duration): the
    /// statistics and the agent's time.
    #[inline(always)]
    fn answer_basic(
        &mut self,
        agent: u32,
        q: usize,
        call: &WaitingCall,
        now: u64,
        cell: usize,
    ) -> u64 {
        let handle = call.talk + call.wrap;
        if O::ON {
            self.obs.event(CallEvent::Answered {
                queue: q as u32,
                agent,
                arrival: call.arrival,
                at: now,
                talk: call.talk,
                wrap: call.wrap,
            });
        }
        if cell != NO_CELL {
            let wait = now - call.arrival;
            let s = &mut self.queue_stats[q];
            let c = &mut s.intervals[cell];
            c.answered += 1;
            c.wait_sum_us += wait as u128;
            c.handle_sum_us += handle as u128;
            c.talk_sum_us += call.talk as u128;
            if wait <= self.callers[q].sl_threshold_us {
                c.answered_in_sl += 1;
            }
            if wait == 0 {
                c.zero_waits += 1;
            } else {
                c.waits.record(wait);
                s.record_wait(wait);
            }
        }
        self.occupy(agent, now, handle, true)
    }

    /// `agent` is busy from `now` for `handle` µs (a call it answers when
    /// `handled`, else the rest of one): counted in its group's time by
    /// interval. Returns when it will be free.
    #[inline(always)]
    fn occupy(&mut self, agent: u32, now: u64, handle: u64, handled: bool) -> u64 {
        let end = now.saturating_add(handle);
        self.router.start_handling(agent, handle);
        // Agent time, by interval (most calls end in the interval they start in).
        let gs = &mut self.group_stats[self.router.group_of(agent) as usize];
        if self.cur_cell == NO_CELL && end <= self.grid.warmup {
            // All in the warm-up: not counted.
        } else if self.cur_cell != NO_CELL && end <= self.cur_cell_end {
            let c = &mut gs.intervals[self.cur_cell];
            c.busy_us += handle as u128;
            c.handled += handled as u64;
        } else {
            let cells = &mut gs.intervals;
            let after = self
                .grid
                .split(now, end, |c, us| cells[c].busy_us += us as u128);
            gs.busy_after_end_us += after as u128;
            if self.cur_cell != NO_CELL {
                gs.intervals[self.cur_cell].handled += handled as u64;
            }
        }
        end
    }

    /// The interval of a call that arrived at `arrival` (usually the current one).
    #[inline]
    fn arrival_cell(&self, arrival: u64) -> usize {
        if arrival >= self.cur_cell_start && self.cur_cell != NO_CELL && !self.horizon_passed {
            self.cur_cell
        } else {
            self.grid.cell_of(arrival)
        }
    }

    /// Queue `q`'s overflow check is due at `now`.
    fn on_overflow(&mut self, q: usize, now: u64) {
        self.events.pop();
        if self.overflow_at[q] != now {
            return; // Moot: replaced by an earlier check.
        }
        self.overflow_at[q] = NEVER;
        self.overflow_now(q, now);
        self.after_routing(now);
    }

    /// Queue `q`'s head may be eligible for more agents at `now` (its wait
    /// reached a stage, or a stage opened): heads idle agents may take are
    /// answered, and the next check is timed.
    fn overflow_now(&mut self, q: usize, now: u64) {
        loop {
            let (stats, callers, grid, obs) = (
                &mut self.queue_stats,
                &self.callers,
                self.grid,
                &mut self.obs,
            );
            let due = self.router.overflow_due(q, now, |q, call| {
                record_abandon(stats, callers, &grid, obs, q, call);
            });
            let Some((agent, call)) = due else { break };
            let cell = self.arrival_cell(call.arrival);
            let end = self.answer(agent, q, &call, now, cell);
            self.schedule_agent(agent, end);
        }
        self.arm_overflow(q, now);
    }

    /// Makes sure queue `q` is looked at when its head next reaches a stage or abandons.
    fn arm_overflow(&mut self, q: usize, now: u64) {
        let (stats, callers, grid, obs) = (
            &mut self.queue_stats,
            &self.callers,
            self.grid,
            &mut self.obs,
        );
        let t = self.router.next_overflow_check(q, now, |q, call| {
            record_abandon(stats, callers, &grid, obs, q, call);
        });
        if t < self.overflow_at[q] {
            self.overflow_at[q] = t;
            self.events.push(t, EventKind::Overflow(q as u32));
        }
    }

    /// Re-arms the overflow checks of queues whose head changed.
    #[inline]
    fn rearm_overflow(&mut self, now: u64) {
        if !self.router.heads_changed() {
            return;
        }
        self.router.take_heads_changed(&mut self.heads_changed);
        for i in 0..self.heads_changed.len() {
            self.arm_overflow(self.heads_changed[i] as usize, now);
        }
    }
}

/// Counts an abandoned caller (its patience ran out at its deadline).
#[inline]
fn record_abandon<O: Observer>(
    stats: &mut [QueueCounters],
    callers: &[CallerSource],
    grid: &Grid,
    obs: &mut O,
    q: usize,
    call: &WaitingCall,
) {
    if O::ON {
        obs.event(CallEvent::Abandoned {
            queue: q as u32,
            arrival: call.arrival,
            at: call.deadline,
            balked: false,
        });
    }
    let cell = grid.cell_of(call.arrival);
    if cell == NO_CELL {
        return;
    }
    let wait = call.deadline - call.arrival;
    let c = &mut stats[q].intervals[cell];
    c.abandoned += 1;
    c.abandoned_wait_sum_us += wait as u128;
    if wait <= callers[q].sl_threshold_us {
        c.abandoned_in_sl += 1;
    }
}
