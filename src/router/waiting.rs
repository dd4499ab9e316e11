//! The calls waiting in each queue, first come first served, with
//! abandonment resolved lazily: every caller carries its deadline (arrival +
//! patience, drawn on arrival) and a queue is FIFO, so an expired caller can
//! only matter when it reaches the head; expired heads are dropped (and
//! reported as abandoned at their deadline) whenever the queue is looked at.
//! Exact, and no timer event per waiting caller.
//!
//! Some rules need to know how many callers are *really* still there at a
//! given moment (a queue limit, trunk lines, the end of a drain), which the
//! lazy queue alone does not tell (an expired caller may sit behind the
//! head). For those, [`Presence`] keeps the deadlines of the waiting calls in
//! a heap and counts, per queue, the expired callers still in the queue;
//! it is switched on only when a scenario needs it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Deadline of a caller who never abandons.
pub const NEVER: u64 = u64::MAX;

/// A call waiting in a queue, with everything drawn for it on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingCall {
    /// Arrival time (µs).
    pub arrival: u64,
    /// The caller abandons at this time if not answered before ([`NEVER`] if patient).
    pub deadline: u64,
    /// Talk time (µs).
    pub talk: u64,
    /// Wrap-up time (µs).
    pub wrap: u64,
}

/// Exact counts of the callers still waiting, despite lazy abandonment.
#[derive(Debug, Default)]
struct Presence {
    /// (deadline, queue, place in the queue) of waiting calls with a finite deadline.
    deadlines: BinaryHeap<Reverse<(u64, u32, u64)>>,
    /// Per queue: callers whose deadline has passed but who are still in the queue.
    expired: Vec<u64>,
    expired_total: u64,
}

/// Tag of a call nobody follows.
pub const NO_TAG: u32 = u32::MAX;

/// Which followed calls were answered: for retrials, a caller who would call
/// again if it abandons is tagged, and the tag says later whether it was
/// answered (abandonment being lazy, an expired caller may still sit in its
/// queue when its retry falls due).
#[derive(Debug, Default)]
struct Tags {
    /// Per queue: the tag of each waiting call, in queue order.
    queues: Vec<VecDeque<u32>>,
    answered: Vec<bool>,
    free: Vec<u32>,
}

/// The waiting calls of every queue.
#[derive(Debug)]
pub struct Waiting {
    queues: Vec<VecDeque<WaitingCall>>,
    /// Per queue: place (count of calls ever queued) of the call at the head.
    head_seq: Vec<u64>,
    /// Calls in all queues, expired ones not yet dropped included.
    len_total: u64,
    presence: Option<Presence>,
    tags: Option<Box<Tags>>,
}

impl Waiting {
    pub fn new(queues: usize) -> Waiting {
        Waiting {
            queues: (0..queues).map(|_| VecDeque::with_capacity(1024)).collect(),
            head_seq: vec![0; queues],
            len_total: 0,
            presence: None,
            tags: None,
        }
    }

    /// Starts following tagged calls (before any call waits).
    pub fn follow_tags(&mut self) {
        self.tags = Some(Box::new(Tags {
            queues: (0..self.queues.len()).map(|_| VecDeque::new()).collect(),
            ..Tags::default()
        }));
    }

    /// A new tag (recycled once its answer was taken).
    pub fn new_tag(&mut self) -> u32 {
        let t = self.tags.as_mut().expect("tags are followed");
        match t.free.pop() {
            Some(tag) => {
                t.answered[tag as usize] = false;
                tag
            }
            None => {
                t.answered.push(false);
                (t.answered.len() - 1) as u32
            }
        }
    }

    /// Whether the call tagged `tag` was answered; the tag is free again.
    pub fn take_answered(&mut self, tag: u32) -> bool {
        let t = self.tags.as_mut().expect("tags are followed");
        t.free.push(tag);
        t.answered[tag as usize]
    }

    /// Puts `call` at the back of queue `q` with `tag`.
    pub fn push_tagged(&mut self, q: usize, call: WaitingCall, tag: u32) {
        self.push(q, call);
        if let Some(t) = &mut self.tags {
            *t.queues[q].back_mut().expect("just pushed") = tag;
        }
    }

    /// Starts counting the callers really present (from now on, and for
    /// those already waiting).
    pub fn count_presence(&mut self) {
        if self.presence.is_some() {
            return;
        }
        let mut p = Presence {
            expired: vec![0; self.queues.len()],
            ..Presence::default()
        };
        for (q, waiting) in self.queues.iter().enumerate() {
            for (i, call) in waiting.iter().enumerate() {
                if call.deadline != NEVER {
                    let seq = self.head_seq[q] + i as u64;
                    p.deadlines.push(Reverse((call.deadline, q as u32, seq)));
                }
            }
        }
        self.presence = Some(p);
    }

    #[inline]
    pub fn head(&self, q: usize) -> Option<&WaitingCall> {
        self.queues[q].front()
    }

    #[inline]
    pub fn is_empty(&self, q: usize) -> bool {
        self.queues[q].is_empty()
    }

    #[inline(always)]
    pub fn push(&mut self, q: usize, call: WaitingCall) {
        if let Some(p) = &mut self.presence {
            if call.deadline != NEVER {
                let seq = self.head_seq[q] + self.queues[q].len() as u64;
                p.deadlines.push(Reverse((call.deadline, q as u32, seq)));
            }
        }
        self.queues[q].push_back(call);
        self.len_total += 1;
        if let Some(t) = &mut self.tags {
            t.queues[q].push_back(NO_TAG);
        }
    }

    /// Calls in queue `q`, expired ones not yet dropped included.
    pub fn len(&self, q: usize) -> usize {
        self.queues[q].len()
    }

    /// The callers of queue `q` really there at `now` and the arrival of the
    /// one waiting longest, by looking at every waiting call (read only: for
    /// a live view, not for routing).
    pub fn scan_present(&self, q: usize, now: u64) -> (u64, Option<u64>) {
        let mut present = 0;
        let mut oldest = None;
        for call in &self.queues[q] {
            if call.deadline > now {
                present += 1;
                oldest.get_or_insert(call.arrival);
            }
        }
        (present, oldest)
    }

    /// Removes the head: it is answered.
    #[inline(always)]
    pub fn pop(&mut self, q: usize) -> Option<WaitingCall> {
        let call = self.remove_head(q)?;
        if let Some(t) = &mut self.tags {
            let tag = t.queues[q].pop_front().expect("a tag per call");
            if tag != NO_TAG {
                t.answered[tag as usize] = true;
            }
        }
        Some(call)
    }

    #[inline(always)]
    fn remove_head(&mut self, q: usize) -> Option<WaitingCall> {
        let call = self.queues[q].pop_front()?;
        self.head_seq[q] += 1;
        self.len_total -= 1;
        Some(call)
    }

    /// Drops the expired callers at the head of queue `q` (deadline ≤ `now`),
    /// passing each to `abandoned`.
    #[inline(always)]
    pub fn drop_expired<F: FnMut(usize, &WaitingCall)>(
        &mut self,
        q: usize,
        now: u64,
        abandoned: &mut F,
    ) -> bool {
        let mut dropped = false;
        while let Some(&head) = self.queues[q].front() {
            if head.deadline > now {
                break;
            }
            if self.presence.is_some() {
                // Count every deadline up to now first, so this caller is among them.
                self.purge(now);
                let p = self.presence.as_mut().expect("checked above");
                p.expired[q] -= 1;
                p.expired_total -= 1;
            }
            abandoned(q, &head);
            self.remove_head(q);
            if let Some(t) = &mut self.tags {
                t.queues[q].pop_front();
            }
            dropped = true;
        }
        dropped
    }

    /// Counts the callers whose deadline is at or before `now` as gone.
    fn purge(&mut self, now: u64) {
        let Some(p) = &mut self.presence else { return };
        while let Some(&Reverse((deadline, q, seq))) = p.deadlines.peek() {
            if deadline > now {
                break;
            }
            p.deadlines.pop();
            // A call already out of the queue (answered) no longer counts.
            if seq >= self.head_seq[q as usize] {
                p.expired[q as usize] += 1;
                p.expired_total += 1;
            }
        }
    }

    /// Callers really waiting in queue `q` at `now` (needs [`Waiting::count_presence`]).
    pub fn present(&mut self, q: usize, now: u64) -> u64 {
        self.purge(now);
        let expired = self.presence.as_ref().map_or(0, |p| p.expired[q]);
        self.queues[q].len() as u64 - expired
    }

    /// Callers really waiting in all queues at `now` (needs [`Waiting::count_presence`]).
    pub fn present_total(&mut self, now: u64) -> u64 {
        self.purge(now);
        let expired = self.presence.as_ref().map_or(0, |p| p.expired_total);
        self.len_total - expired
    }

    /// The next deadline of a caller still waiting after `now` ([`NEVER`] if none).
    pub fn next_deadline(&mut self, now: u64) -> u64 {
        self.purge(now);
        let Some(p) = &mut self.presence else {
            return NEVER;
        };
        while let Some(&Reverse((deadline, q, seq))) = p.deadlines.peek() {
            if seq >= self.head_seq[q as usize] {
                return deadline;
            }
            p.deadlines.pop();
        }
        NEVER
    }

    /// Removes every call still waiting, in queue order, passing it to `f(queue, call)`.
    pub fn drain<F: FnMut(usize, &WaitingCall)>(&mut self, mut f: F) {
        for (q, waiting) in self.queues.iter_mut().enumerate() {
            for call in waiting.drain(..) {
                f(q, &call);
            }
        }
        if let Some(t) = &mut self.tags {
            t.queues.iter_mut().for_each(VecDeque::clear);
        }
        self.len_total = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(arrival: u64, deadline: u64) -> WaitingCall {
        WaitingCall {
            arrival,
            deadline,
            talk: 1,
            wrap: 0,
        }
    }

    #[test]
    fn presence_counts_callers_who_left_behind_the_head() {
        let mut w = Waiting::new(2);
        w.count_presence();
        w.push(0, call(0, NEVER));
        w.push(0, call(1, 10)); // leaves at 10, behind a patient head
        w.push(0, call(2, 30));
        w.push(1, call(3, 5));
        assert_eq!(w.present(0, 9), 3);
        assert_eq!(w.present(0, 10), 2);
        assert_eq!(w.present_total(10), 2);
        assert_eq!(w.next_deadline(10), 30);
        // The head is answered; the expired caller behind it is then dropped.
        assert_eq!(w.pop(0), Some(call(0, NEVER)));
        let mut gone = Vec::new();
        assert!(w.drop_expired(0, 12, &mut |q, c| gone.push((q, c.arrival))));
        assert_eq!(gone, [(0, 1)]);
        assert_eq!(w.present(0, 12), 1);
        // An answered call's deadline no longer counts.
        assert_eq!(w.pop(0), Some(call(2, 30)));
        assert_eq!(w.present_total(40), 0);
        assert_eq!(w.next_deadline(40), NEVER);
    }

    #[test]
    fn presence_switched_on_late_counts_the_calls_already_waiting() {
        let mut w = Waiting::new(1);
        w.push(0, call(0, 100));
        w.push(0, call(1, 50));
        w.count_presence();
        assert_eq!(w.present(0, 60), 1);
        assert_eq!(w.next_deadline(60), 100);
    }
}
