//! Indexes over the groups that hold a skill, so that finding the idle agent
//! for a call costs O(log groups) even when a skill is held by hundreds of
//! groups (a "general" skill everyone has at level 3). Skills held by a few
//! groups are scanned instead: that is faster, and gives the same answer.
//!
//! One index per agent-selection family, each answering exactly what the
//! scan answers:
//! - [`Keyed`](SkillIndex::Keyed): longest idle, best level, fewest calls,
//!   least busy time, top-down — a lazy min-heap per level of (the group's
//!   best key, group, version); an entry whose version is old is skipped;
//! - [`Ordered`](SkillIndex::Ordered): round robin — per level, the set of
//!   groups with an idle agent, in declaration order, for a circular search;
//! - [`Counts`](SkillIndex::Counts): random — per level bound, a Fenwick
//!   tree of idle counts in declaration order, for a uniform draw.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// The selection key of a group's best idle agent (lowest wins).
pub(super) type Key = (u64, u64, u64);

/// A lazy min-heap of (key, group, version).
pub(super) type GroupHeap = BinaryHeap<Reverse<(Key, u32, u32)>>;

/// A Fenwick (binary indexed) tree of counts.
#[derive(Debug, Clone)]
pub(super) struct Fenwick {
    tree: Vec<u64>,
}

impl Fenwick {
    pub fn new(n: usize) -> Fenwick {
        Fenwick {
            tree: vec![0; n + 1],
        }
    }

    /// Adds `delta` at position `i` (0-based).
    pub fn add(&mut self, i: usize, delta: i64) {
        let mut i = i + 1;
        while i < self.tree.len() {
            self.tree[i] = (self.tree[i] as i64 + delta) as u64;
            i += i & i.wrapping_neg();
        }
    }

    /// Sum of every count.
    pub fn total(&self) -> u64 {
        let mut i = self.tree.len() - 1;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    /// The position holding the `r`-th unit (0-based, `r < total`) and `r`
    /// minus the counts before that position.
    pub fn find(&self, mut r: u64) -> (usize, u64) {
        let n = self.tree.len() - 1;
        let mut pos = 0;
        let mut step = n.next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= r {
                pos = next;
                r -= self.tree[next];
            }
            step >>= 1;
        }
        (pos, r)
    }
}

/// The index of one skill.
#[derive(Debug)]
pub(super) enum SkillIndex {
    /// Few groups: scan them.
    Scan,
    /// Per distinct level (ascending): (level, its heap of (key, group, version)).
    Keyed(Vec<(u32, GroupHeap)>),
    /// Per distinct level (ascending): the groups with an idle agent.
    Ordered(Vec<(u32, BTreeSet<u32>)>),
    /// Per distinct level (ascending): idle counts of the groups at that
    /// level or below, by position in the skill's group list.
    Counts(Vec<(u32, Fenwick)>),
}

/// What the indexes know of one group.
#[derive(Debug, Clone, Default)]
pub(super) struct GroupEntry {
    /// The indexed skills it holds: (skill, level, position in the skill's group list).
    pub skills: Vec<(u32, u32, u32)>,
    /// Bumped whenever its best key changes (older heap entries are stale).
    pub version: u32,
    /// The key last indexed (`None`: no idle agent).
    pub key: Option<Key>,
    /// Idle agents last counted (random).
    pub counted: u32,
    /// Whether it is in the ordered sets (round robin).
    pub listed: bool,
}

/// Heap entries beyond this multiple of the groups trigger a rebuild without stale ones.
const REBUILD_FACTOR: usize = 4;

impl SkillIndex {
    /// Pushes `key` for `group` (at `version`) into the heap of `level`;
    /// rebuilds the heap when stale entries pile up.
    pub fn push(&mut self, level: u32, key: Key, group: u32, version: u32, groups: &[GroupEntry]) {
        let SkillIndex::Keyed(levels) = self else {
            return;
        };
        let Some((_, heap)) = levels.iter_mut().find(|(l, _)| *l == level) else {
            return;
        };
        heap.push(Reverse((key, group, version)));
        if heap.len() > REBUILD_FACTOR * groups.len() + 16 {
            let live: Vec<_> = heap
                .drain()
                .filter(|Reverse((_, g, v))| groups[*g as usize].version == *v)
                .collect();
            *heap = live.into_iter().collect();
        }
    }

    /// The least key of a group holding the skill at a level up to
    /// `max_level` (stale entries dropped on the way), with its group.
    pub fn least(&mut self, max_level: u32, groups: &[GroupEntry]) -> Option<(Key, u32)> {
        let SkillIndex::Keyed(levels) = self else {
            return None;
        };
        let mut best: Option<(Key, u32)> = None;
        for (level, heap) in levels.iter_mut() {
            if *level > max_level {
                break;
            }
            while let Some(&Reverse((key, g, v))) = heap.peek() {
                let entry = &groups[g as usize];
                if entry.version == v && entry.key.is_some() {
                    if best.is_none_or(|(b, _)| key < b) {
                        best = Some((key, g));
                    }
                    break;
                }
                heap.pop();
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenwick_finds_the_position_of_each_unit() {
        let counts = [3u64, 0, 2, 5, 0, 1];
        let mut f = Fenwick::new(counts.len());
        for (i, &c) in counts.iter().enumerate() {
            f.add(i, c as i64);
        }
        assert_eq!(f.total(), 11);
        let mut expected = Vec::new();
        for (i, &c) in counts.iter().enumerate() {
            for k in 0..c {
                expected.push((i, k));
            }
        }
        for (r, &e) in expected.iter().enumerate() {
            assert_eq!(f.find(r as u64), e, "unit {r}");
        }
        f.add(3, -5);
        assert_eq!(f.total(), 6);
        assert_eq!(f.find(5), (5, 0));
    }
}
