//! The heads of a skill's many queues, in call-selection order, so that an
//! agent who frees up finds the call to take in O(log queues) even when one
//! skill has hundreds of queues (call types that differ by priority or
//! service-level threshold). Skills with a few queues are scanned instead:
//! that is faster, and gives the same answer.
//!
//! Only queues without overflow stages are kept here: every level may
//! answer their head at once, so one order serves every group holding the
//! skill. Per skill, an indexed binary min-heap of its non-empty queues by
//! (rank within the skill, the head's arrival, queue): the order a scan of
//! those queues would pick them in. A head may be a caller whose patience has
//! run out (dropped lazily): its key is then a lower bound of the queue's
//! true key, which is all the search needs.

/// Marks a queue that is not in any heap.
const OUT: u32 = u32::MAX;

#[derive(Debug)]
pub(super) struct QueueHeads {
    /// Per skill: its non-empty indexed queues, as a binary min-heap.
    heaps: Vec<Vec<u32>>,
    /// Per queue: its place in its skill's heap, or [`OUT`].
    pos: Vec<u32>,
    /// Per queue: the skill whose heap holds it, or [`OUT`] if not indexed.
    skill: Vec<u32>,
    /// Per queue: (rank within the skill, arrival of the head).
    key: Vec<(u64, u64)>,
    /// Per skill: its indexed queues, empty or not.
    members: Vec<Vec<u32>>,
}

impl QueueHeads {
    /// `indexed[q]`: the skill of queue `q` if it is indexed; `rank[q]`: its
    /// fixed rank within the skill (lower first).
    pub fn new(skills: usize, indexed: &[Option<u32>], rank: &[u64]) -> QueueHeads {
        let mut members = vec![Vec::new(); skills];
        for (q, s) in indexed.iter().enumerate() {
            if let Some(s) = s {
                members[*s as usize].push(q as u32);
            }
        }
        QueueHeads {
            heaps: members
                .iter()
                .map(|m| Vec::with_capacity(m.len()))
                .collect(),
            members,
            pos: vec![OUT; indexed.len()],
            skill: indexed.iter().map(|s| s.unwrap_or(OUT)).collect(),
            key: rank.iter().map(|&r| (r, 0)).collect(),
        }
    }

    /// Skill `s`'s indexed queues, empty or not.
    pub fn queues_of(&self, s: usize) -> &[u32] {
        &self.members[s]
    }

    /// Whether queue `q` is kept here.
    #[inline(always)]
    pub fn indexed(&self, q: usize) -> bool {
        self.skill[q] != OUT
    }

    /// The queue whose head comes first among skill `s`'s queues, with its
    /// (rank within the skill, head's arrival).
    #[inline]
    pub fn first(&self, s: usize) -> Option<(usize, (u64, u64))> {
        let q = *self.heaps[s].first()? as usize;
        Some((q, self.key[q]))
    }

    /// Queue `q`'s head is now the call that arrived at `arrival`, or the
    /// queue is empty (`None`).
    pub fn set_head(&mut self, q: usize, arrival: Option<u64>) {
        let s = self.skill[q] as usize;
        match (arrival, self.pos[q]) {
            (None, OUT) => {}
            (None, i) => self.remove(s, i as usize),
            (Some(t), OUT) => {
                self.key[q].1 = t;
                let i = self.heaps[s].len();
                self.heaps[s].push(q as u32);
                self.pos[q] = i as u32;
                self.sift_up(s, i);
            }
            (Some(t), i) => {
                // Heads only move back in the queue: the key only grows.
                self.key[q].1 = t;
                self.sift_down(s, i as usize);
            }
        }
    }

    #[inline]
    fn less(&self, a: u32, b: u32) -> bool {
        (self.key[a as usize], a) < (self.key[b as usize], b)
    }

    fn place(&mut self, s: usize, i: usize, q: u32) {
        self.heaps[s][i] = q;
        self.pos[q as usize] = i as u32;
    }

    fn remove(&mut self, s: usize, i: usize) {
        let q = self.heaps[s][i];
        self.pos[q as usize] = OUT;
        let last = self.heaps[s].pop().expect("the queue is in the heap");
        if i < self.heaps[s].len() {
            self.place(s, i, last);
            self.sift_down(s, i);
            self.sift_up(s, self.pos[last as usize] as usize);
        }
    }

    fn sift_up(&mut self, s: usize, mut i: usize) {
        let q = self.heaps[s][i];
        while i > 0 {
            let parent = (i - 1) / 2;
            let p = self.heaps[s][parent];
            if !self.less(q, p) {
                break;
            }
            self.place(s, i, p);
            i = parent;
        }
        self.place(s, i, q);
    }

    fn sift_down(&mut self, s: usize, mut i: usize) {
        let q = self.heaps[s][i];
        let n = self.heaps[s].len();
        loop {
            let mut child = 2 * i + 1;
            if child >= n {
                break;
            }
            if child + 1 < n && self.less(self.heaps[s][child + 1], self.heaps[s][child]) {
                child += 1;
            }
            let c = self.heaps[s][child];
            if !self.less(c, q) {
                break;
            }
            self.place(s, i, c);
            i = child;
        }
        self.place(s, i, q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_head_is_the_least_key_after_any_changes() {
        // Two skills; queue 4 is not indexed.
        let indexed = [Some(0), Some(0), Some(1), Some(0), None, Some(0), Some(1)];
        let rank = [2, 1, 0, 1, 0, 3, 0];
        let mut h = QueueHeads::new(2, &indexed, &rank);
        let mut heads: [Option<u64>; 7] = [None; 7];
        let mut rng = crate::rng::Stream::new(9, 0, 0, 0);
        for step in 0..20_000u64 {
            let q = rng.below(7) as usize;
            if !h.indexed(q) {
                continue;
            }
            let next = if rng.below(4) == 0 {
                None
            } else {
                // Heads only move back: a later arrival than the current head.
                Some(heads[q].unwrap_or(step) + rng.below(50))
            };
            heads[q] = next;
            h.set_head(q, next);
            for s in 0..2u32 {
                let want = (0..7)
                    .filter(|&q| indexed[q] == Some(s))
                    .filter_map(|q| heads[q].map(|t| ((rank[q], t), q)))
                    .min();
                assert_eq!(
                    h.first(s as usize).map(|(q, k)| (k, q)),
                    want,
                    "step {step}"
                );
            }
        }
    }
}
