//! The future-event list: a min-heap of compact 16-byte events ordered by
//! (time, insertion sequence), so simultaneous events pop in the order they
//! were scheduled and every run is deterministic. Arrivals do not go through
//! it: each queue has exactly one pending arrival, kept by the engine in a
//! small calendar beside the heap. The kind takes 3 bits and the id 21 bits
//! of the tail word, after the 40-bit sequence number.

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
    /// The caller on hold with agent `0` (waiting for a supervisor) may hang up.
    Hold(u32),
    /// Outbound dial `0` (a slot of the dialer) gets its outcome.
    Dial(u32),
    /// Campaign `0` opens, closes or has a retry due: its dialer looks again.
    Campaign(u32),
    /// The caller tagged `0` calls again if it abandoned.
    Retrial(u32),
}

impl EventKind {
    #[inline]
    fn encode(self) -> u64 {
        let (kind, id) = match self {
            EventKind::Agent(id) => (0u64, id),
            EventKind::Overflow(id) => (1, id),
            EventKind::Drain => (2, 0),
            EventKind::Hold(id) => (3, id),
            EventKind::Dial(id) => (4, id),
            EventKind::Campaign(id) => (5, id),
            EventKind::Retrial(id) => (6, id),
        };
        debug_assert!(id <= MAX_ID);
        kind << ID_BITS | id as u64
    }

    #[inline]
    fn decode(bits: u64) -> EventKind {
        let id = (bits & MAX_ID as u64) as u32;
        let kind = (bits >> ID_BITS) & 0b111;
        if kind == 0 {
            return EventKind::Agent(id);
        }
        match kind {
            1 => EventKind::Overflow(id),
            3 => EventKind::Hold(id),
            4 => EventKind::Dial(id),
            5 => EventKind::Campaign(id),
            6 => EventKind::Retrial(id),
            _ => EventKind::Drain,
        }
    }
}

/// Children per node of the heap (measured: 4 costs more comparisons than
/// it saves levels at the sizes a contact center has).
const ARITY: usize = 2;

/// A time-ordered event queue: a binary min-heap of `time << 64 | tail`
/// keys, where the tail is `sequence << 24 | kind/id`, so the order is
/// (time, sequence) and every key is unique.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: Vec<u128>,
    seq: u64,
}

impl EventQueue {
    pub fn with_capacity(cap: usize) -> EventQueue {
        EventQueue {
            heap: Vec::with_capacity(cap),
            seq: 0,
        }
    }

    #[inline]
    fn key(&mut self, time: u64, kind: EventKind) -> u128 {
        // 2^40 events in one replication (about a day of simulation at full
        // speed) before ties could be misordered.
        debug_assert!(self.seq < 1 << (64 - PAYLOAD_BITS));
        let tail = (self.seq << PAYLOAD_BITS) | kind.encode();
        self.seq += 1;
        (time as u128) << 64 | tail as u128
    }

    #[inline]
    fn event(key: u128) -> (u64, EventKind) {
        ((key >> 64) as u64, EventKind::decode(key as u64))
    }

    /// Schedules `kind` at `time` (microseconds).
    #[inline]
    pub fn push(&mut self, time: u64, kind: EventKind) {
        let key = self.key(time, kind);
        let mut i = self.heap.len();
        self.heap.push(key);
        while i > 0 {
            let parent = (i - 1) / ARITY;
            let p = self.heap[parent];
            if p <= key {
                break;
            }
            self.heap[i] = p;
            i = parent;
        }
        self.heap[i] = key;
    }

    /// The earliest event, left in place.
    #[inline]
    pub fn peek(&self) -> Option<(u64, EventKind)> {
        self.heap.first().map(|&k| Self::event(k))
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(u64, EventKind)> {
        let last = self.heap.pop()?;
        if self.heap.is_empty() {
            return Some(Self::event(last));
        }
        let top = self.heap[0];
        self.sift_down(last);
        Some(Self::event(top))
    }

    /// Replaces the earliest event by a new one (one sift instead of a pop and a push).
    /// The queue must not be empty.
    #[inline]
    pub fn replace_top(&mut self, time: u64, kind: EventKind) {
        assert!(!self.heap.is_empty(), "replace_top on an empty queue");
        let key = self.key(time, kind);
        self.sift_down(key);
    }

    /// Puts `key` at the root and moves it down to its place.
    #[inline]
    fn sift_down(&mut self, key: u128) {
        let n = self.heap.len();
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let end = (first + ARITY).min(n);
            let mut child = first;
            let mut least = self.heap[first];
            for c in first + 1..end {
                let k = self.heap[c];
                if k < least {
                    least = k;
                    child = c;
                }
            }
            if key <= least {
                break;
            }
            self.heap[i] = least;
            i = child;
        }
        self.heap[i] = key;
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Every event, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, EventKind)> + '_ {
        self.heap.iter().map(|&k| Self::event(k))
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
            EventKind::Hold(0),
            EventKind::Hold(MAX_ID),
            EventKind::Dial(5),
            EventKind::Campaign(MAX_ID),
            EventKind::Retrial(9),
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
    fn a_long_random_sequence_pops_in_order() {
        // Against a sorted list: pushes, pops and in-place replacements mixed.
        let mut q = EventQueue::with_capacity(16);
        let mut model: Vec<(u64, u64)> = Vec::new();
        let mut rng = crate::rng::Stream::new(3, 0, 0, 0);
        let mut seq = 0u64;
        for step in 0..20_000u64 {
            match rng.below(3) {
                0 | 1 => {
                    let t = step + rng.below(500);
                    q.push(t, AgentFree((seq % 1000) as u32));
                    model.push((t, seq));
                    seq += 1;
                }
                _ if !model.is_empty() => {
                    model.sort();
                    let (t, s) = model.remove(0);
                    assert_eq!(q.peek(), Some((t, AgentFree((s % 1000) as u32))));
                    if rng.below(2) == 0 {
                        assert_eq!(q.pop(), Some((t, AgentFree((s % 1000) as u32))));
                    } else {
                        let t2 = t + rng.below(300);
                        q.replace_top(t2, AgentFree((seq % 1000) as u32));
                        model.push((t2, seq));
                        seq += 1;
                    }
                }
                _ => assert_eq!(q.pop(), None),
            }
            assert_eq!(q.len(), model.len());
        }
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
