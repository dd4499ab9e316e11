//! The future-event list: a min-heap of compact events ordered by
//! (time, insertion sequence), so simultaneous events pop in the order they
//! were scheduled and every run is deterministic.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens at an event's time. Fits in 8 bytes; no boxed payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The next call of queue `0` arrives.
    Arrival(u32),
    /// Agent `0` finishes talk and wrap-up of its call and is free again.
    AgentFree(u32),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// (time << 64) | sequence: one integer comparison orders events.
    key: u128,
    kind: EventKind,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest first.
        other.key.cmp(&self.key)
    }
}

/// A time-ordered event queue.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl EventQueue {
    pub fn with_capacity(cap: usize) -> EventQueue {
        EventQueue {
            heap: BinaryHeap::with_capacity(cap),
            seq: 0,
        }
    }

    /// Schedules `kind` at `time` (microseconds).
    #[inline]
    pub fn push(&mut self, time: u64, kind: EventKind) {
        let key = ((time as u128) << 64) | self.seq as u128;
        self.seq += 1;
        self.heap.push(Entry { key, kind });
    }

    /// Time of the earliest event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|e| (e.key >> 64) as u64)
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(u64, EventKind)> {
        self.heap.pop().map(|e| ((e.key >> 64) as u64, e.kind))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::with_capacity(8);
        q.push(30, EventKind::Arrival(0));
        q.push(10, EventKind::AgentFree(1));
        q.push(10, EventKind::AgentFree(2));
        q.push(20, EventKind::Arrival(3));
        q.push(10, EventKind::AgentFree(0));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (10, EventKind::AgentFree(1)),
                (10, EventKind::AgentFree(2)),
                (10, EventKind::AgentFree(0)),
                (20, EventKind::Arrival(3)),
                (30, EventKind::Arrival(0)),
            ]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn large_times_order_correctly() {
        let mut q = EventQueue::with_capacity(4);
        q.push(u64::MAX - 1, EventKind::Arrival(1));
        q.push(1 << 40, EventKind::Arrival(2));
        assert_eq!(q.peek_time(), Some(1 << 40));
        assert_eq!(q.pop().unwrap().1, EventKind::Arrival(2));
        assert_eq!(q.pop().unwrap().0, u64::MAX - 1);
    }
}
