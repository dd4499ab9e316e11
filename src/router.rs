//! The ACD router: owns the waiting calls of every queue, the pools of idle
//! agents, and the selection rules. The engine tells it "a call arrived" and
//! "an agent is free"; it answers with the assignment, if any. It knows
//! nothing of simulated events, so the same router could be driven by a live
//! event feed.
//!
//! Abandonment is resolved lazily: every waiting caller carries its deadline
//! (arrival + patience, drawn on arrival) and queues are FIFO per queue, so an
//! expired caller can only matter when it reaches the head of its queue; the
//! router drops expired heads (reporting them as abandoned at their deadline)
//! whenever it looks at a queue. This is exact and saves one timer event per
//! waiting caller.

use crate::rng::Stream;
use crate::scenario::{AgentSelection, CallSelection, Scenario};
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

/// Routing state of one agent.
#[derive(Debug, Clone)]
struct AgentState {
    group: u32,
    idle_since: u64,
    calls: u64,
    busy_us: u64,
}

/// The idle agents of one group, kept in the order the selection rule needs.
#[derive(Debug)]
enum IdlePool {
    /// Agents in the order they became idle (longest idle first).
    Fifo(VecDeque<u32>),
    /// Min-heap on (primary key, idle since, agent).
    Heap(BinaryHeap<Reverse<(u64, u64, u32)>>),
    /// One bit per agent of the group (top-down, round robin).
    Bits {
        words: Vec<u64>,
        base: u32,
        len: u32,
    },
    /// Unordered, for uniform random choice.
    List(Vec<u32>),
}

impl IdlePool {
    fn len(&self) -> usize {
        match self {
            IdlePool::Fifo(v) => v.len(),
            IdlePool::Heap(h) => h.len(),
            IdlePool::Bits { len, .. } => *len as usize,
            IdlePool::List(v) => v.len(),
        }
    }

    /// First idle agent at or after group-local index `start`, wrapping around.
    fn first_bit_from(words: &[u64], start: usize) -> Option<usize> {
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
}

/// Group-local index where the hunt for an idle agent starts in a bitset
/// pool: the round-robin pointer for round robin, the first agent otherwise.
fn hunt_start(rule: AgentSelection, rr_next: u32, base: u32, words: &[u64]) -> usize {
    if rule != AgentSelection::RoundRobin {
        return 0;
    }
    let start = rr_next.saturating_sub(base) as usize;
    if start >= words.len() * 64 {
        0
    } else {
        start
    }
}

/// The automatic call distributor's state and rules.
#[derive(Debug)]
pub struct Router {
    agent_selection: AgentSelection,
    queues: Vec<VecDeque<WaitingCall>>,
    queue_skill: Vec<u32>,
    agents: Vec<AgentState>,
    pools: Vec<IdlePool>,
    /// For each skill: (group, level) of the groups holding it, in declaration order.
    skill_groups: Vec<Vec<(u32, u32)>>,
    /// For each group: (rank, queue) of the queues it serves, sorted by rank; lower rank served first.
    group_queues: Vec<Vec<(u64, u32)>>,
    /// Round robin: the hunt starts at this agent.
    rr_next: u32,
    rng: Stream,
}

impl Router {
    /// Builds the router for `sc`, every agent idle at time 0. `rng` is used
    /// only by the random agent-selection rule.
    pub fn new(sc: &Scenario, rng: Stream) -> Router {
        let mut agents = Vec::with_capacity(sc.agent_count() as usize);
        let mut pools = Vec::with_capacity(sc.agent_groups.len());
        for (g, group) in sc.agent_groups.iter().enumerate() {
            let base = agents.len() as u32;
            let n = group.count;
            let ids = base..base + n;
            for _ in ids.clone() {
                agents.push(AgentState {
                    group: g as u32,
                    idle_since: 0,
                    calls: 0,
                    busy_us: 0,
                });
            }
            let pool = match sc.routing.agent_selection {
                AgentSelection::LongestIdle | AgentSelection::BestLevel => {
                    let mut v = VecDeque::with_capacity(n as usize);
                    v.extend(ids);
                    IdlePool::Fifo(v)
                }
                AgentSelection::FewestCalls | AgentSelection::LeastBusyTime => {
                    let mut h = BinaryHeap::with_capacity(n as usize);
                    h.extend(ids.map(|a| Reverse((0, 0, a))));
                    IdlePool::Heap(h)
                }
                AgentSelection::TopDown | AgentSelection::RoundRobin => {
                    let mut words = vec![0u64; (n as usize).div_ceil(64)];
                    for i in 0..n as usize {
                        words[i / 64] |= 1 << (i % 64);
                    }
                    IdlePool::Bits {
                        words,
                        base,
                        len: n,
                    }
                }
                AgentSelection::Random => {
                    let mut v = Vec::with_capacity(n as usize);
                    v.extend(ids);
                    IdlePool::List(v)
                }
            };
            pools.push(pool);
        }

        let mut skill_groups = vec![Vec::new(); sc.skills.len()];
        for (g, group) in sc.agent_groups.iter().enumerate() {
            if group.count == 0 {
                continue;
            }
            for &(s, level) in &group.skills {
                skill_groups[s].push((g as u32, level));
            }
        }

        let prio_rank = |p: i32| (i32::MAX as i64 - p as i64) as u64; // higher priority -> lower rank
        let group_queues = sc
            .agent_groups
            .iter()
            .map(|group| {
                let mut v: Vec<(u64, u32)> = sc
                    .queues
                    .iter()
                    .enumerate()
                    .filter_map(|(q, queue)| {
                        let level = group.level(queue.skill)? as u64;
                        let rank = match sc.routing.call_selection {
                            CallSelection::Priority => prio_rank(queue.priority),
                            CallSelection::LongestWaiting => 0,
                            CallSelection::BestLevel => (level << 33) | prio_rank(queue.priority),
                        };
                        Some((rank, q as u32))
                    })
                    .collect();
                v.sort_unstable();
                v
            })
            .collect();

        Router {
            agent_selection: sc.routing.agent_selection,
            queues: sc
                .queues
                .iter()
                .map(|_| VecDeque::with_capacity(1024))
                .collect(),
            queue_skill: sc.queues.iter().map(|q| q.skill as u32).collect(),
            agents,
            pools,
            skill_groups,
            group_queues,
            rr_next: 0,
            rng,
        }
    }

    /// Group of `agent`.
    #[inline]
    pub fn group_of(&self, agent: u32) -> u32 {
        self.agents[agent as usize].group
    }

    /// Number of idle agents.
    pub fn idle_agents(&self) -> usize {
        self.pools.iter().map(IdlePool::len).sum()
    }

    /// A call arrives in `queue`: returns the idle agent chosen to answer it
    /// (now busy), or queues the call and returns `None`.
    #[inline]
    pub fn call_arrived(&mut self, queue: usize, call: WaitingCall) -> Option<u32> {
        let skill = self.queue_skill[queue] as usize;
        match self.pick_idle_agent(skill) {
            Some(agent) => Some(agent),
            None => {
                self.queues[queue].push_back(call);
                None
            }
        }
    }

    /// Records that `agent` starts handling a call of `handle_us` (talk + wrap-up).
    #[inline]
    pub fn start_handling(&mut self, agent: u32, handle_us: u64) {
        let a = &mut self.agents[agent as usize];
        a.calls += 1;
        a.busy_us += handle_us;
    }

    /// `agent` is free at `now`: returns the waiting call it takes (and the
    /// queue), or puts the agent in its idle pool. Expired callers met on the
    /// way are passed to `abandoned(queue, call)`.
    #[inline]
    pub fn agent_free<F: FnMut(usize, &WaitingCall)>(
        &mut self,
        agent: u32,
        now: u64,
        mut abandoned: F,
    ) -> Option<(usize, WaitingCall)> {
        let g = self.agents[agent as usize].group as usize;
        let mut best: Option<(u64, u64, usize)> = None;
        for &(rank, q) in &self.group_queues[g] {
            if let Some((best_rank, _, _)) = best {
                if rank > best_rank {
                    break;
                }
            }
            let q = q as usize;
            let waiting = &mut self.queues[q];
            while let Some(head) = waiting.front() {
                if head.deadline <= now {
                    abandoned(q, head);
                    waiting.pop_front();
                } else {
                    break;
                }
            }
            if let Some(head) = waiting.front() {
                let key = (rank, head.arrival, q);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
        }
        if let Some((_, _, q)) = best {
            let call = self.queues[q].pop_front().expect("head seen above");
            return Some((q, call));
        }
        self.make_idle(agent, now);
        None
    }

    /// Removes every call still waiting, in queue order, passing it to `f(queue, call)`.
    pub fn drain_waiting<F: FnMut(usize, &WaitingCall)>(&mut self, mut f: F) {
        for (q, waiting) in self.queues.iter_mut().enumerate() {
            for call in waiting.drain(..) {
                f(q, &call);
            }
        }
    }

    fn make_idle(&mut self, agent: u32, now: u64) {
        let a = &mut self.agents[agent as usize];
        a.idle_since = now;
        let (calls, busy) = (a.calls, a.busy_us);
        let g = a.group as usize;
        match &mut self.pools[g] {
            IdlePool::Fifo(v) => v.push_back(agent),
            IdlePool::Heap(h) => {
                let primary = match self.agent_selection {
                    AgentSelection::FewestCalls => calls,
                    _ => busy,
                };
                h.push(Reverse((primary, now, agent)));
            }
            IdlePool::Bits { words, base, len } => {
                let i = (agent - *base) as usize;
                words[i / 64] |= 1 << (i % 64);
                *len += 1;
            }
            IdlePool::List(v) => v.push(agent),
        }
    }

    /// Chooses (and removes from its pool) the idle agent that takes a call of `skill`.
    #[inline]
    fn pick_idle_agent(&mut self, skill: usize) -> Option<u32> {
        let candidates = &self.skill_groups[skill];
        if self.agent_selection == AgentSelection::Random {
            return self.pick_random(skill);
        }
        // (rule key, group, the group's best idle agent): the lowest key wins.
        let mut best: Option<((u64, u64, u64), usize, u32)> = None;
        for &(g, level) in candidates {
            let g = g as usize;
            let (key, agent) = match &self.pools[g] {
                IdlePool::Fifo(v) => match v.front() {
                    Some(&a) => {
                        let since = self.agents[a as usize].idle_since;
                        if self.agent_selection == AgentSelection::BestLevel {
                            ((level as u64, since, a as u64), a)
                        } else {
                            ((since, a as u64, 0), a)
                        }
                    }
                    None => continue,
                },
                IdlePool::Heap(h) => match h.peek() {
                    Some(&Reverse((k, since, a))) => ((k, since, a as u64), a),
                    None => continue,
                },
                IdlePool::Bits { words, base, len } => {
                    if *len == 0 {
                        continue;
                    }
                    let start = hunt_start(self.agent_selection, self.rr_next, *base, words);
                    let Some(i) = IdlePool::first_bit_from(words, start) else {
                        continue;
                    };
                    let a = *base + i as u32;
                    let key = if self.agent_selection == AgentSelection::RoundRobin {
                        // Circular distance from the hunt pointer.
                        let n = self.agents.len() as u64;
                        ((a as u64 + n - self.rr_next as u64) % n, 0, 0)
                    } else {
                        (a as u64, 0, 0)
                    };
                    (key, a)
                }
                IdlePool::List(_) => unreachable!("random handled above"),
            };
            if best.is_none_or(|(b, _, _)| key < b) {
                best = Some((key, g, agent));
            }
        }
        let (_, g, agent) = best?;
        match &mut self.pools[g] {
            IdlePool::Fifo(v) => {
                v.pop_front();
            }
            IdlePool::Heap(h) => {
                h.pop();
            }
            IdlePool::Bits { words, base, len } => {
                let i = (agent - *base) as usize;
                words[i / 64] &= !(1 << (i % 64));
                *len -= 1;
            }
            IdlePool::List(_) => unreachable!("random handled above"),
        }
        if self.agent_selection == AgentSelection::RoundRobin {
            self.rr_next = (agent + 1) % self.agents.len() as u32;
        }
        Some(agent)
    }

    fn pick_random(&mut self, skill: usize) -> Option<u32> {
        let total: usize = self.skill_groups[skill]
            .iter()
            .map(|&(g, _)| self.pools[g as usize].len())
            .sum();
        if total == 0 {
            return None;
        }
        let mut r = self.rng.below(total as u64) as usize;
        for &(g, _) in &self.skill_groups[skill] {
            let IdlePool::List(v) = &mut self.pools[g as usize] else {
                unreachable!("random rule uses lists")
            };
            if r < v.len() {
                let agent = v.swap_remove(r);
                return Some(agent);
            }
            r -= v.len();
        }
        unreachable!("r < total")
    }
}
