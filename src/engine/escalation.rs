//! Supervisor takeover of difficult calls. A difficult call (drawn on
//! arrival) is answered like any other, but its agent talks for the
//! escalation's `after` and then escalates: a free supervisor joins at once,
//! or the caller goes on hold and the agent is blocked with it in the
//! escalation queue (first come first served; supervisors take it before any
//! ordinary call). When a supervisor takes the call, both are on it for the
//! handover, then the agent goes to wrap-up and the supervisor stays with
//! the caller for `supervisor_time`. A caller on hold with a `hold_patience`
//! may hang up: the agent is then free at once.
//!
//! The desk exists only when some queue escalates, so scenarios without
//! escalation run exactly as before (and draw nothing from its streams).

use super::accounting::NO_CELL;
use super::{Observer, Simulation};
use crate::distribution::Sampler;
use crate::event::EventKind;
use crate::rng::{Stream, StreamKind};
use crate::router::NEVER;
use crate::scenario::{Role, Scenario};
use std::collections::VecDeque;

/// Set in a call's `wrap` when the call is difficult (wrap-up times are far below 2^63 µs).
pub const DIFFICULT: u64 = 1 << 63;

/// Where an agent is with an escalated call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Stage {
    /// No escalated call.
    #[default]
    None,
    /// Talking before escalating.
    Talking,
    /// Blocked with the caller on hold, waiting for a supervisor.
    Blocked,
}

/// The escalated call an agent is on.
#[derive(Debug, Clone, Copy, Default)]
struct Escalated {
    stage: Stage,
    queue: u32,
    /// The call's arrival interval ([`NO_CELL`]: not counted).
    cell: usize,
    /// The agent's wrap-up after the handover.
    wrap: u64,
    /// When the call escalated.
    since: u64,
    /// When the caller on hold hangs up ([`NEVER`]: never).
    deadline: u64,
}

/// The random times of one queue's escalations.
struct QueueTimes {
    rng: Stream,
    handover: Option<Sampler>,
    supervisor: Sampler,
    hold_patience: Option<Sampler>,
}

/// Supervisors and the calls escalated to them.
pub(super) struct Desk {
    /// Per agent.
    calls: Vec<Escalated>,
    /// Agents blocked with a caller on hold, with the time they escalated, oldest first
    /// (entries whose caller hung up are skipped when met).
    hold: VecDeque<(u32, u64)>,
    /// Per group: whether it is a supervisor group.
    supervisor_group: Vec<bool>,
    supervisor_groups: Vec<usize>,
    /// Per queue (`None`: no escalation).
    times: Vec<Option<QueueTimes>>,
    /// Agents talking before escalating or blocked.
    pub in_progress: u32,
}

impl Desk {
    /// The desk of `sc`, or `None` when no queue escalates.
    pub fn new(sc: &Scenario, seed: u64, replication: u64) -> Option<Box<Desk>> {
        if sc.queues.iter().all(|q| q.escalation.is_none()) {
            return None;
        }
        let times = sc
            .queues
            .iter()
            .enumerate()
            .map(|(q, queue)| {
                let e = queue.escalation.as_ref()?;
                Some(QueueTimes {
                    rng: Stream::for_kind(seed, replication, StreamKind::Escalation, q as u64),
                    handover: e.handover.as_ref().map(|d| d.sampler()),
                    supervisor: e.supervisor_time.sampler(),
                    hold_patience: e.hold_patience.as_ref().map(|d| d.sampler()),
                })
            })
            .collect();
        let supervisor_group: Vec<bool> = sc
            .agent_groups
            .iter()
            .map(|g| g.role == Role::Supervisor)
            .collect();
        Some(Box::new(Desk {
            calls: vec![Escalated::default(); sc.agent_count() as usize],
            hold: VecDeque::new(),
            supervisor_groups: (0..supervisor_group.len())
                .filter(|&g| supervisor_group[g])
                .collect(),
            supervisor_group,
            times,
            in_progress: 0,
        }))
    }

    /// Whether `agent` is talking before escalating.
    #[inline]
    pub fn escalating(&self, agent: u32) -> bool {
        self.calls[agent as usize].stage == Stage::Talking
    }

    /// Whether group `g` is a supervisor group.
    #[inline]
    pub fn is_supervisor_group(&self, g: usize) -> bool {
        self.supervisor_group[g]
    }

    /// Escalated calls: callers on hold for a supervisor, and all in progress
    /// (talking before escalating, or on hold).
    pub fn counts(&self) -> (u32, u32) {
        let on_hold = self
            .calls
            .iter()
            .filter(|e| e.stage == Stage::Blocked)
            .count() as u32;
        (on_hold, self.in_progress)
    }

    /// Whether an escalated caller may be waiting on hold.
    #[inline]
    pub fn anyone_on_hold(&self) -> bool {
        !self.hold.is_empty()
    }
}

impl<O: Observer> Simulation<'_, O> {
    /// `agent` answers a difficult call of queue `q` (its talk is the
    /// escalation's `after`, `wrap` its flagged wrap-up): remember what
    /// happens when it escalates.
    pub(super) fn begin_difficult(&mut self, agent: u32, q: usize, wrap: u64, cell: usize) {
        let desk = self.desk.as_mut().expect("difficult calls need the desk");
        desk.calls[agent as usize] = Escalated {
            stage: Stage::Talking,
            queue: q as u32,
            cell,
            wrap: wrap & !DIFFICULT,
            since: 0,
            deadline: NEVER,
        };
        desk.in_progress += 1;
    }

    /// `agent`'s talk before escalating ends at `now` (its event popped).
    pub(super) fn escalate(&mut self, agent: u32, now: u64) {
        let desk = self.desk.as_mut().expect("escalation needs the desk");
        let e = &mut desk.calls[agent as usize];
        e.since = now;
        let (q, cell) = (e.queue as usize, e.cell);
        if cell != NO_CELL {
            self.queue_stats[q].intervals[cell].escalations += 1;
        }
        if O::ON {
            self.obs.event(super::CallEvent::Escalated {
                agent,
                queue: q as u32,
                at: now,
            });
        }
        let g = self.router.group_of(agent) as usize;
        if self.desk.as_ref().is_some_and(|d| d.is_supervisor_group(g)) {
            // A supervisor who answered it needs no other: it takes the call over itself.
            self.supervise_own(agent, now);
            return;
        }
        if let Some(supervisor) = self.free_supervisor() {
            self.supervise(supervisor, agent, now);
            return;
        }
        let desk = self.desk.as_mut().expect("escalation needs the desk");
        let times = desk.times[q].as_mut().expect("the queue escalates");
        let deadline = match &times.hold_patience {
            Some(p) => now.saturating_add(p.sample(&mut times.rng)),
            None => NEVER,
        };
        let e = &mut desk.calls[agent as usize];
        e.stage = Stage::Blocked;
        e.deadline = deadline;
        desk.hold.push_back((agent, now));
        if deadline < self.stop_at {
            self.events.push(deadline, EventKind::Hold(agent));
        }
        let g = self.router.group_of(agent) as usize;
        self.groups[g].blocked_change(now, &self.grid, &mut self.group_stats[g].intervals, 1);
    }

    /// An idle supervisor, taken out of its idle pool.
    fn free_supervisor(&mut self) -> Option<u32> {
        let desk = self.desk.as_ref()?;
        for i in 0..desk.supervisor_groups.len() {
            let g = self.desk.as_ref()?.supervisor_groups[i];
            if self.released(g) {
                continue;
            }
            if let Some(s) = self.router.take_any_idle(g) {
                return Some(s);
            }
        }
        None
    }

    /// The agent blocked longest with a caller on hold, taken off the hold queue.
    pub(super) fn next_on_hold(&mut self) -> Option<u32> {
        let desk = self.desk.as_mut()?;
        while let Some((agent, since)) = desk.hold.pop_front() {
            let e = &desk.calls[agent as usize];
            if e.stage == Stage::Blocked && e.since == since {
                return Some(agent);
            }
        }
        None
    }

    /// `supervisor` takes `agent`'s escalated call at `now`: the handover,
    /// then the agent's wrap-up and the supervisor's own time.
    pub(super) fn supervise(&mut self, supervisor: u32, agent: u32, now: u64) {
        let desk = self.desk.as_mut().expect("escalation needs the desk");
        let e = desk.calls[agent as usize];
        if O::ON {
            self.obs.event(super::CallEvent::TakenOver {
                supervisor,
                agent,
                queue: e.queue,
                at: now,
            });
        }
        let desk = self.desk.as_mut().expect("escalation needs the desk");
        desk.calls[agent as usize].stage = Stage::None;
        desk.in_progress -= 1;
        let q = e.queue as usize;
        let times = desk.times[q].as_mut().expect("the queue escalates");
        let handover = times
            .handover
            .as_ref()
            .map_or(0, |h| h.sample(&mut times.rng));
        let own = times.supervisor.sample(&mut times.rng);
        if e.stage == Stage::Blocked {
            let g = self.router.group_of(agent) as usize;
            self.groups[g].blocked_change(now, &self.grid, &mut self.group_stats[g].intervals, -1);
        }
        if e.cell != NO_CELL {
            let wait = now - e.since;
            let s = &mut self.queue_stats[q];
            let c = &mut s.intervals[e.cell];
            c.supervised += 1;
            c.supervisor_wait_sum_us += wait as u128;
            c.handle_sum_us += (handover + e.wrap) as u128;
            c.talk_sum_us += handover as u128;
            if wait == 0 {
                c.supervisor_zero_waits += 1;
            } else {
                c.supervisor_waits.record(wait);
                s.supervisor_wait_hist.record(wait);
            }
        }
        let agent_end = self.occupy(agent, now, handover + e.wrap, false);
        self.schedule_agent(agent, agent_end);
        let supervisor_end = self.occupy(supervisor, now, handover + own, true);
        self.schedule_agent(supervisor, supervisor_end);
    }

    /// `supervisor` answered a call that turned out difficult and handles
    /// it to the end itself at `now`: no handover, no wait, the
    /// supervisor's time, then its wrap-up.
    fn supervise_own(&mut self, supervisor: u32, now: u64) {
        if O::ON {
            let desk = self.desk.as_ref().expect("escalation needs the desk");
            let queue = desk.calls[supervisor as usize].queue;
            self.obs.event(super::CallEvent::TakenOver {
                supervisor,
                agent: supervisor,
                queue,
                at: now,
            });
        }
        let desk = self.desk.as_mut().expect("escalation needs the desk");
        let e = desk.calls[supervisor as usize];
        desk.calls[supervisor as usize].stage = Stage::None;
        desk.in_progress -= 1;
        let q = e.queue as usize;
        let times = desk.times[q].as_mut().expect("the queue escalates");
        let own = times.supervisor.sample(&mut times.rng);
        if e.cell != NO_CELL {
            let c = &mut self.queue_stats[q].intervals[e.cell];
            c.supervised += 1;
            c.supervisor_zero_waits += 1;
            c.handle_sum_us += (own + e.wrap) as u128;
            c.talk_sum_us += own as u128;
        }
        // Counted as the escalated call a supervisor takes, as when another
        // supervisor takes it over.
        let end = self.occupy(supervisor, now, own + e.wrap, true);
        self.schedule_agent(supervisor, end);
    }

    /// The hold timer of `agent`'s caller fires at `now`: the caller hangs
    /// up if still on hold, and the agent is free.
    pub(super) fn on_hold_end(&mut self, agent: u32, now: u64) {
        self.events.pop();
        let Some(desk) = self.desk.as_mut() else {
            return;
        };
        let e = desk.calls[agent as usize];
        if e.stage != Stage::Blocked || e.deadline != now {
            return; // Moot: a supervisor took the call.
        }
        desk.calls[agent as usize].stage = Stage::None;
        desk.in_progress -= 1;
        if e.cell != NO_CELL {
            self.queue_stats[e.queue as usize].intervals[e.cell].escalation_abandoned += 1;
        }
        let g = self.router.group_of(agent) as usize;
        self.groups[g].blocked_change(now, &self.grid, &mut self.group_stats[g].intervals, -1);
        self.agent_done(agent, now);
    }

    /// `agent` is done with a call at `now` outside of a call's end event:
    /// it leaves (shift over, break due, group too large, drain over) or
    /// takes the next call.
    pub(super) fn agent_done(&mut self, agent: u32, now: u64) {
        let g = self.router.group_of(agent) as usize;
        let a = self.agents[agent as usize];
        let fg = &self.groups[g];
        if a.due != super::staffing::Due::Nothing
            || fg.pending > 0
            || fg.away_pending > 0
            || self.released(g)
        {
            self.leave_after_call(agent, now);
        } else {
            self.make_available(agent, now);
        }
    }

    /// A supervisor of group `g` is available at `now`: takes the oldest
    /// escalated call on hold, if any. Returns whether it took one.
    #[inline]
    pub(super) fn supervisor_takes_hold(&mut self, supervisor: u32, g: usize, now: u64) -> bool {
        let Some(desk) = self.desk.as_ref() else {
            return false;
        };
        if !desk.is_supervisor_group(g) || !desk.anyone_on_hold() {
            return false;
        }
        match self.next_on_hold() {
            Some(agent) => {
                self.supervise(supervisor, agent, now);
                true
            }
            None => false,
        }
    }
}
