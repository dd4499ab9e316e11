//! Callbacks: a caller of a queue with `callback` who finds no idle agent is
//! offered a callback when its predicted wait — (1 + the calls waiting in
//! the queue) × the queue's mean handle time ÷ the agents on the floor
//! holding its skill — is above `offer_when_wait_over`; it accepts with
//! `accept_probability` (drawn from a stream of its own) and hangs up. The
//! callback waits in a queue of its own, with the queue's skill and the
//! callback's priority, and never gives up: the agent the routing rules give
//! it to calls the customer back (talk and wrap-up as drawn on arrival). The
//! callback queue has no overflow stages, so an agent already idle at a level
//! the queue's first stage leaves out calls back at once. Callbacks are never
//! escalated.

use super::accounting::NO_CELL;
use super::escalation::DIFFICULT;
use super::{Observer, Simulation};
use crate::rng::{Stream, StreamKind};
use crate::router::WaitingCall;
use crate::scenario::Scenario;

/// The callbacks of one queue.
struct QueueCallbacks {
    /// The router's index of the queue of its accepted callbacks.
    queue: usize,
    threshold_us: u64,
    accept: f64,
    /// Mean talk + wrap-up of the queue (first interval's distributions), µs.
    mean_handle_us: f64,
    /// Groups holding the queue's skill.
    holders: Vec<usize>,
    rng: Stream,
}

/// Per inbound queue, its callbacks (if any).
pub(super) struct Callbacks {
    queues: Vec<Option<QueueCallbacks>>,
    /// The router's index of the first callback queue.
    pub first_queue: usize,
}

impl Callbacks {
    /// The callbacks of `sc`, or `None` when no queue offers them.
    pub fn new(sc: &Scenario, seed: u64, replication: u64) -> Option<Box<Callbacks>> {
        if sc.callback_queues.is_empty() {
            return None;
        }
        let first_queue = sc.queues.len() + sc.campaign_queues.len();
        let queues = sc
            .queues
            .iter()
            .enumerate()
            .map(|(q, queue)| {
                let c = queue.callback.as_ref()?;
                let wrap = queue.wrap_up.as_ref().map_or(0.0, |w| w.at(0).mean_s());
                Some(QueueCallbacks {
                    queue: first_queue + sc.callback_of[q].expect("a queue with callbacks has one"),
                    threshold_us: c.offer_when_wait_over.micros(),
                    accept: c.accept_probability,
                    mean_handle_us: (queue.handle_time.at(0).mean_s() + wrap) * 1e6,
                    holders: (0..sc.agent_groups.len())
                        .filter(|&g| sc.agent_groups[g].level(queue.skill).is_some())
                        .collect(),
                    rng: Stream::for_kind(seed, replication, StreamKind::Callback, q as u64),
                })
            })
            .collect();
        Some(Box::new(Callbacks {
            queues,
            first_queue,
        }))
    }
}

impl<O: Observer> Simulation<'_, O> {
    /// A caller of queue `q` (offered, arriving at `now` in `cell`) finds no
    /// idle agent: it may be offered a callback and accept it. Returns
    /// whether it did (its call then waits in the callback queue).
    #[cold]
    pub(super) fn callback_taken(
        &mut self,
        q: usize,
        call: &WaitingCall,
        now: u64,
        cell: usize,
    ) -> bool {
        // Callers really still there (abandonment is lazy: presence is counted).
        let waiting = self.router.waiting().present(q, now) as f64;
        let Some(cb) = self.callbacks.as_mut().and_then(|c| c.queues[q].as_mut()) else {
            return false;
        };
        let on_floor: u64 = cb
            .holders
            .iter()
            .map(|&g| self.groups[g].logged.count as u64)
            .sum();
        let predicted = (waiting + 1.0) * cb.mean_handle_us / on_floor.max(1) as f64;
        if predicted <= cb.threshold_us as f64 {
            return false;
        }
        let accepted = cb.rng.unit_f64() < cb.accept;
        let queue = cb.queue;
        if cell != NO_CELL {
            let c = &mut self.queue_stats[q].intervals[cell];
            c.callbacks_offered += 1;
            c.callbacks_accepted += accepted as u64;
        }
        if accepted {
            let mut call = *call;
            call.arrival = now;
            call.deadline = crate::router::NEVER;
            call.wrap &= !DIFFICULT;
            // The callback queue has no overflow stages: an idle agent the
            // caller's queue could not take yet (at a level its first stage
            // leaves out) calls back at once. Without stages the caller found
            // no idle agent holding the skill, and neither does this.
            match self.router.pick_for_arrival(queue) {
                Some(agent) => {
                    let end = self.answer(agent, queue, &call, now, cell);
                    self.schedule_agent(agent, end);
                }
                None => self.router.enqueue(queue, call),
            }
        }
        accepted
    }

    /// Moves the counts of each callback queue (at the end of `queue_stats`)
    /// into its queue's cells: callbacks completed and their wait.
    pub(super) fn settle_callbacks(&mut self) {
        let Some(cbs) = self.callbacks.take() else {
            return;
        };
        let callback_stats = self.queue_stats.split_off(cbs.first_queue);
        for (q, cb) in cbs.queues.iter().enumerate() {
            let Some(cb) = cb else { continue };
            let from = &callback_stats[cb.queue - cbs.first_queue];
            for (to, cell) in self.queue_stats[q]
                .intervals
                .iter_mut()
                .zip(&from.intervals)
            {
                to.callbacks_completed += cell.answered;
                to.callback_wait_sum_us += cell.wait_sum_us;
            }
        }
    }
}
