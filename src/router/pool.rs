//! The idle agents of one group, kept in the order the agent-selection rule
//! needs: a FIFO for longest idle, a heap for fewest calls / least busy time,
//! a bitset for top-down / round robin, a plain list for random choice. An
//! agent leaving the floor while idle (a break, the end of a shift) is
//! removed in O(1): bits and list entries at once, FIFO and heap entries
//! lazily (marked stale by the agent's epoch and skipped when they reach the
//! front), so no pool is ever searched.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Routing state of one agent: its group, the keys of the selection rules,
/// and what a pool needs to skip stale entries (idle, epoch).
#[derive(Debug, Clone)]
pub(super) struct Agent {
    pub group: u32,
    pub idle: bool,
    /// Bumped whenever the agent leaves a pool other than from its front.
    pub epoch: u32,
    pub idle_since: u64,
    pub calls: u64,
    pub busy_us: u64,
}

/// The idle agents of one group and their counts.
#[derive(Debug)]
pub(super) struct GroupPool {
    pub pool: IdlePool,
    /// Idle agents (stale entries excluded).
    pub idle: u32,
    /// Stale entries (agents removed while idle, not yet skipped).
    pub stale: u32,
}

impl GroupPool {
    /// Skips the stale entries at the front.
    #[inline]
    pub fn clean(&mut self, agents: &[Agent]) {
        if self.stale > 0 {
            self.stale -= self.pool.clean(agents);
        }
    }
}

/// Idle agents of one group.
#[derive(Debug)]
pub(super) enum IdlePool {
    /// (agent, epoch) in the order they became idle (longest idle first).
    Fifo(VecDeque<(u32, u32)>),
    /// Min-heap on (primary key, idle since, agent, epoch).
    Heap(BinaryHeap<Reverse<(u64, u64, u32, u32)>>),
    /// One bit per agent of the group, which holds agents `base..base + bits`.
    Bits { words: Vec<u64>, base: u32 },
    /// Unordered, for uniform random choice; `pos[i]` is the place of agent
    /// `base + i` in `list` (`u32::MAX` when not idle).
    List {
        list: Vec<u32>,
        pos: Vec<u32>,
        base: u32,
    },
}

impl IdlePool {
    /// First idle agent at or after group-local index `start`, wrapping around.
    pub fn first_bit_from(words: &[u64], start: usize) -> Option<usize> {
        let n = words.len();
        if n == 0 {
            return None;
        }
        let (w0, b0) = (start / 64, start % 64);
        let masked = words[w0] & (!0u64 << b0);
        if masked != 0 {
            return Some(w0 * 64 + masked.trailing_zeros() as usize);
        }
        for i in 1..=n {
            let w = (w0 + i) % n;
            let word = if w == w0 {
                words[w] & !(!0u64 << b0)
            } else {
                words[w]
            };
            if word != 0 {
                return Some(w * 64 + word.trailing_zeros() as usize);
            }
        }
        None
    }

    /// Drops stale entries at the front of a FIFO or heap pool; returns how many.
    #[inline]
    pub fn clean(&mut self, agents: &[Agent]) -> u32 {
        let mut dropped = 0;
        let valid = |a: u32, e: u32| {
            let p = &agents[a as usize];
            p.idle && p.epoch == e
        };
        match self {
            IdlePool::Fifo(v) => {
                while let Some(&(a, e)) = v.front() {
                    if valid(a, e) {
                        break;
                    }
                    v.pop_front();
                    dropped += 1;
                }
            }
            IdlePool::Heap(h) => {
                while let Some(&Reverse((_, _, a, e))) = h.peek() {
                    if valid(a, e) {
                        break;
                    }
                    h.pop();
                    dropped += 1;
                }
            }
            IdlePool::Bits { .. } | IdlePool::List { .. } => {}
        }
        dropped
    }

    /// Whether removals leave stale entries behind (FIFO and heap pools).
    pub fn lazy(&self) -> bool {
        matches!(self, IdlePool::Fifo(_) | IdlePool::Heap(_))
    }

    /// Adds `agent` (now idle, with `epoch`); `key` orders heap pools.
    #[inline(always)]
    pub fn push(&mut self, agent: u32, epoch: u32, key: u64, since: u64) {
        match self {
            IdlePool::Fifo(v) => v.push_back((agent, epoch)),
            IdlePool::Heap(h) => h.push(Reverse((key, since, agent, epoch))),
            IdlePool::Bits { words, base } => {
                let i = (agent - *base) as usize;
                words[i / 64] |= 1 << (i % 64);
            }
            IdlePool::List { list, pos, base } => {
                pos[(agent - *base) as usize] = list.len() as u32;
                list.push(agent);
            }
        }
    }

    /// Removes `agent`, known to be idle in this pool. FIFO and heap entries
    /// are left to be skipped as stale (the caller bumps the agent's epoch).
    pub fn remove(&mut self, agent: u32) {
        match self {
            IdlePool::Fifo(_) | IdlePool::Heap(_) => {}
            IdlePool::Bits { words, base } => {
                let i = (agent - *base) as usize;
                words[i / 64] &= !(1 << (i % 64));
            }
            IdlePool::List { list, pos, base } => {
                let i = pos[(agent - *base) as usize] as usize;
                list.swap_remove(i);
                if let Some(&moved) = list.get(i) {
                    pos[(moved - *base) as usize] = i as u32;
                }
                pos[(agent - *base) as usize] = u32::MAX;
            }
        }
    }

    /// Removes and returns one idle agent to log off: the front of a FIFO or
    /// heap (after `clean`), the last agent of a bitset, the last listed.
    pub fn take_any(&mut self) -> Option<u32> {
        match self {
            IdlePool::Fifo(v) => v.pop_front().map(|e| e.0),
            IdlePool::Heap(h) => h.pop().map(|Reverse(e)| e.2),
            IdlePool::Bits { words, base } => {
                let w = words.iter().rposition(|&w| w != 0)?;
                let b = 63 - words[w].leading_zeros() as usize;
                words[w] &= !(1 << b);
                Some(*base + (w * 64 + b) as u32)
            }
            IdlePool::List { list, .. } => {
                let agent = *list.last()?;
                self.remove(agent);
                Some(agent)
            }
        }
    }
}
