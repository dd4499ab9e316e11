//! The future-event list: a min-heap of compact 16-byte events ordered by
//! (time, insertion sequence), so simultaneous events pop in the order they
//! were scheduled and every run is deterministic. Arrivals do not go through
//! it: each queue has exactly one pending arrival, kept by the engine in a
//! small calendar beside the heap. The kind takes 3 bits and the id 21 bits
//! of the tail word, after the 40-bit sequence number.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Bits of an event's tail word holding the kind and id; the sequence number takes the rest.
const PAYLOAD_BITS: u32 = 24;
const ID_BITS: u32 = 21;
/// Largest id an event can carry (agents are numbered below it).
pub const MAX_ID: u32 = (1 << ID_BITS) - 1;

/// What happens at an event's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Agent `0` finishes its call (talk and wrap-up) or its break.
    Agent(u32),
    /// Queue `0`'s head may reach an overflow stage (or abandon): look again.
    Overflow(u32),
    /// The drain after the horizon checks whether every caller has left.
    Drain,
}

impl EventKind {
    #[inline]
    fn encode(self) -> u64 {
        let (kind, id) = match self {
            EventKind::Agent(id) => (0u64, id),
            EventKind::Overflow(id) => (1, id),
            EventKind::Drain => (2, 0),
        };
        debug_assert!(id <= MAX_ID);
        kind << ID_BITS | id as u64
    }

    #[inline]
    fn decode(bits: u64) -> EventKind {
        let id = (bits & MAX_ID as u64) as u32;
        match (bits >> ID_BITS) & 0b111 {
            0 => EventKind::Agent(id),
            1 => EventKind::Overflow(id),
            _ => EventKind::Drain,
        }
    }
}

/// (time, sequence << 24 | kind/id): derived lexicographic order is (time, sequence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    time: u64,
    tail: u64,
}

/// A time-ordered event queue.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
}

impl EventQueue {
    pub fn with_capacity(cap: usize) -> EventQueue {
        EventQueue {
            heap: BinaryHeap::with_capacity(cap),
            seq: 0,
        }
    }

    #[inline]
    fn entry(&mut self, time: u64, kind: EventKind) -> Reverse<Entry> {
        // 2^40 events in one replication (about a day of simulation at full
        // speed) before ties could be misordered.
        debug_assert!(self.seq < 1 << (64 - PAYLOAD_BITS));
        let tail = (self.seq << PAYLOAD_BITS) | kind.encode();
        self.seq += 1;
        Reverse(Entry { time, tail })
    }

    /// Schedules `kind` at `time` (microseconds).
    #[inline]
    pub fn push(&mut self, time: u64, kind: EventKind) {
        let e = self.entry(time, kind);
        self.heap.push(e);
    }

    /// The earliest event, left in place.
    #[inline]
    pub fn peek(&self) -> Option<(u64, EventKind)> {
        self.heap
            .peek()
            .map(|Reverse(e)| (e.time, EventKind::decode(e.tail)))
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(u64, EventKind)> {
        self.heap
            .pop()
            .map(|Reverse(e)| (e.time, EventKind::decode(e.tail)))
    }

    /// Replaces the earliest event by a new one (one sift instead of a pop and a push).
    /// The queue must not be empty.
    #[inline]
    pub fn replace_top(&mut self, time: u64, kind: EventKind) {
        let e = self.entry(time, kind);
        let mut top = self.heap.peek_mut().expect("replace_top on an empty queue");
        *top = e;
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventKind::{Agent as AgentFree, Overflow};

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::with_capacity(8);
        q.push(30, AgentFree(7));
        q.push(10, AgentFree(1));
        q.push(10, AgentFree(2));
        q.push(20, AgentFree(3));
        q.push(10, AgentFree(0));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (10, AgentFree(1)),
                (10, AgentFree(2)),
                (10, AgentFree(0)),
                (20, AgentFree(3)),
                (30, AgentFree(7)),
            ]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn replace_top_keeps_order_and_ties_go_after_earlier_events() {
        let mut q = EventQueue::with_capacity(8);
        q.push(5, AgentFree(1));
        q.push(8, AgentFree(2));
        q.push(8, AgentFree(MAX_ID));
        assert_eq!(q.peek(), Some((5, AgentFree(1))));
        // Agent 1 takes a call ending at 8: scheduled last, so it pops after the two others at 8.
        q.replace_top(8, AgentFree(1));
        assert_eq!(q.len(), 3);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![(8, AgentFree(2)), (8, AgentFree(MAX_ID)), (8, AgentFree(1))]
        );
    }

    #[test]
    fn every_kind_round_trips() {
        for kind in [
            AgentFree(0),
            AgentFree(MAX_ID),
            Overflow(7),
            Overflow(MAX_ID),
            EventKind::Drain,
        ] {
            assert_eq!(EventKind::decode(kind.encode()), kind);
        }
        let mut q = EventQueue::with_capacity(4);
        q.push(5, Overflow(3));
        q.push(5, EventKind::Drain);
        q.push(4, AgentFree(9));
        assert_eq!(q.pop(), Some((4, AgentFree(9))));
        assert_eq!(q.pop(), Some((5, Overflow(3))));
        assert_eq!(q.pop(), Some((5, EventKind::Drain)));
    }

    #[test]
    fn large_times_order_correctly() {
        let mut q = EventQueue::with_capacity(4);
        q.push(u64::MAX - 1, AgentFree(1));
        q.push(1 << 40, AgentFree(2));
        assert_eq!(q.peek(), Some((1 << 40, AgentFree(2))));
        assert_eq!(q.pop().unwrap().1, AgentFree(2));
        assert_eq!(q.pop().unwrap().0, u64::MAX - 1);
    }
}
