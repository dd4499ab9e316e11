//! The ACD router: owns the waiting calls of every queue ([`waiting`]), the
//! pools of idle agents ([`pool`]), and the selection rules. The engine
//! tells it "a call arrived", "an agent is available", "a call's wait
//! crossed an overflow stage", "this agent leaves the floor"; it answers
//! with assignments. It knows nothing of simulated events, so the same
//! router could be driven by a live event feed.
//!
//! Overflow: a queue's stages say which levels may answer a call as its
//! wait grows. Because a queue is FIFO, its head has waited longest: if the
//! head is not yet eligible for an agent's level, no call behind it is.

mod heads;
mod index;
mod pool;
pub mod waiting;

use crate::command::StageState;
use crate::rng::Stream;
use crate::scenario::{AgentSelection, CallSelection, Scenario, Staffing};
use heads::QueueHeads;
use index::{Fenwick, GroupEntry, Key, SkillIndex};
use pool::{Agent, GroupPool, IdlePool};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};

/// Groups holding a skill (or queues without overflow of a skill) beyond
/// which the skill gets an index instead of a scan.
pub const SCAN_LIMIT: usize = 8;
pub use waiting::{WaitingCall, NEVER};

/// A queue served by a group: its rank for the call-selection rule (lower
/// first), the wait from which the group's level may answer it, and whether
/// the queue has overflow stages.
#[derive(Debug, Clone, Copy)]
struct Served {
    rank: u128,
    queue: u32,
    overflow: bool,
    delay: u64,
}

/// The indexed queues of a skill a group serves ([`heads`]): `rank` is the
/// lowest rank among them for this group, `level_rank` what the group's
/// level adds to each one's rank within the skill.
#[derive(Debug, Clone, Copy)]
struct ServedHeads {
    rank: u128,
    level_rank: u128,
    skill: u32,
}

/// What routing a new call of a queue needs.
#[derive(Debug, Clone, Copy)]
struct QueueInfo {
    skill: u32,
    /// Highest level that may answer a new call at once.
    arrival_level: u32,
    /// Who must hear when the queue's head changes.
    head: HeadWatch,
}

/// Who follows a queue's head: nobody (scanned queues), the engine (a queue
/// with overflow stages times its head's next stage), or [`heads`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeadWatch {
    Nobody,
    Overflow,
    Indexed,
}

/// The automatic call distributor's state and rules.
#[derive(Debug)]
pub struct Router {
    agent_selection: AgentSelection,
    waiting: waiting::Waiting,
    /// Per queue: what an arrival needs.
    queue_info: Vec<QueueInfo>,
    /// Per queue: overflow stages as (wait, highest level), empty without overflow.
    stages: Vec<Vec<(u64, u32)>>,
    agents: Vec<Agent>,
    /// Idle agents of each group.
    pools: Vec<GroupPool>,
    /// For each skill: (group, level) of the groups holding it, in declaration order.
    skill_groups: Vec<Vec<(u32, u32)>>,
    /// For each skill: a scan, or an index when many groups hold it.
    index: Vec<SkillIndex>,
    /// What the indexes know of each group.
    group_index: Vec<GroupEntry>,
    /// For each group: the queues it serves that are not indexed, sorted by rank.
    group_queues: Vec<Vec<Served>>,
    /// For each group: the skills whose indexed queues it serves, sorted by rank.
    group_heads: Vec<Vec<ServedHeads>>,
    /// The heads of the queues of skills with many queues.
    heads: QueueHeads,
    /// Whether any queue is kept in [`heads`].
    any_indexed: bool,
    /// Queues with overflow whose head changed since the engine last asked.
    heads_changed: Vec<u32>,
    /// Round robin: the hunt starts at this agent.
    rr_next: u32,
    rng: Stream,
    /// Overflow stages as the scenario gives them and how live commands
    /// set each one (`None` until a command does).
    stage_overrides: Option<Box<StageOverrides>>,
}

/// The scenario's overflow stages of every queue and the state live
/// commands put each stage in.
#[derive(Debug)]
struct StageOverrides {
    base: Vec<Vec<(u64, u32)>>,
    states: Vec<Vec<StageState>>,
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

/// Highest level allowed by the last of `stages` reached after waiting `wait`.
fn level_after(stages: &[(u64, u32)], wait: u64) -> u32 {
    match stages.iter().rev().find(|s| s.0 <= wait) {
        Some(&(_, level)) => level,
        None if stages.is_empty() => u32::MAX,
        None => 0,
    }
}

/// The key and agent of a group's best idle agent for a skill held at
/// `level` (every rule but round robin and random).
#[inline(always)]
fn group_best(
    gp: &mut GroupPool,
    agents: &[Agent],
    rule: AgentSelection,
    level: u32,
) -> Option<(Key, u32)> {
    if gp.idle == 0 {
        return None;
    }
    gp.clean(agents);
    match &gp.pool {
        IdlePool::Fifo(v) => {
            let &(a, _) = v.front()?;
            let since = agents[a as usize].idle_since;
            if rule == AgentSelection::BestLevel {
                Some(((level as u64, since, a as u64), a))
            } else {
                Some(((since, a as u64, 0), a))
            }
        }
        IdlePool::Heap(h) => {
            let &Reverse((k, since, a, _)) = h.peek()?;
            Some(((k, since, a as u64), a))
        }
        IdlePool::Bits { words, base } => {
            let i = IdlePool::first_bit_from(words, 0)?;
            let a = *base + i as u32;
            Some(((a as u64, 0, 0), a))
        }
        IdlePool::List { .. } => unreachable!("random picks by counts"),
    }
}

/// Round robin: a group's idle agent nearest after the hunt pointer
/// `rr_next` (circularly within the group), keyed by its circular distance
/// among `n` agents.
#[inline]
fn round_robin_best(gp: &GroupPool, rr_next: u32, n: usize) -> Option<(Key, u32)> {
    let IdlePool::Bits { words, base } = &gp.pool else {
        unreachable!("round robin uses bitsets")
    };
    let start = hunt_start(AgentSelection::RoundRobin, rr_next, *base, words);
    let i = IdlePool::first_bit_from(words, start)?;
    let a = *base + i as u32;
    let n = n as u64;
    Some((((a as u64 + n - rr_next as u64) % n, 0, 0), a))
}

impl Router {
    /// Builds the router for `sc`. Agents of groups with a constant `count`
    /// are logged in and idle at time 0; agents of scheduled groups are off
    /// until the engine logs them in. `rng` is used only by the random
    /// agent-selection rule.
    pub fn new(sc: &Scenario, rng: Stream) -> Router {
        Router::with_scan_limit(sc, rng, SCAN_LIMIT)
    }

    /// [`Router::new`], indexing the skills held by more than `scan_limit`
    /// groups (the answer does not depend on it: tests compare).
    pub fn with_scan_limit(sc: &Scenario, rng: Stream, scan_limit: usize) -> Router {
        // Inbound queues, the queue of each campaign's live answers, of each queue's callbacks.
        let queues: Vec<&crate::scenario::Queue> = sc
            .queues
            .iter()
            .chain(&sc.campaign_queues)
            .chain(&sc.callback_queues)
            .collect();
        let mut agents = Vec::with_capacity(sc.agent_count() as usize);
        let mut pools = Vec::with_capacity(sc.agent_groups.len());
        for (g, group) in sc.agent_groups.iter().enumerate() {
            let base = agents.len() as u32;
            let n = group.slots();
            for _ in 0..n {
                agents.push(Agent {
                    group: g as u32,
                    idle: false,
                    epoch: 0,
                    idle_since: 0,
                    calls: 0,
                    busy_us: 0,
                });
            }
            let pool = match sc.routing.agent_selection {
                AgentSelection::LongestIdle | AgentSelection::BestLevel => {
                    IdlePool::Fifo(VecDeque::with_capacity(n as usize))
                }
                AgentSelection::FewestCalls | AgentSelection::LeastBusyTime => {
                    IdlePool::Heap(BinaryHeap::with_capacity(n as usize))
                }
                AgentSelection::TopDown | AgentSelection::RoundRobin => IdlePool::Bits {
                    words: vec![0u64; (n as usize).div_ceil(64)],
                    base,
                },
                AgentSelection::Random => IdlePool::List {
                    list: Vec::with_capacity(n as usize),
                    pos: vec![u32::MAX; n as usize],
                    base,
                },
            };
            pools.push(GroupPool {
                pool,
                idle: 0,
                stale: 0,
            });
        }

        let mut skill_groups = vec![Vec::new(); sc.skills.len()];
        for (g, group) in sc.agent_groups.iter().enumerate() {
            if group.slots() == 0 {
                continue;
            }
            for &(s, level) in &group.skills {
                skill_groups[s].push((g as u32, level));
            }
        }

        let stages: Vec<Vec<(u64, u32)>> = queues
            .iter()
            .map(|q| {
                q.overflow
                    .iter()
                    .map(|s| (s.after.micros(), s.max_level.unwrap_or(u32::MAX)))
                    .collect()
            })
            .collect();

        // Higher priority -> lower rank.
        let prio_rank = |p: i32| (i32::MAX as i64 - p as i64) as u128;
        // The queues of each skill, so each group meets only its own queues
        // (the setup is linear in the size of the center, not queues × groups).
        let mut skill_queues: Vec<Vec<usize>> = vec![Vec::new(); sc.skills.len()];
        for (q, queue) in queues.iter().enumerate() {
            skill_queues[queue.skill].push(q);
        }
        // Skills with many queues without overflow keep those queues' heads
        // in order ([`heads`]) instead of each free agent scanning them.
        let inner_rank = |q: usize| match sc.routing.call_selection {
            CallSelection::Priority | CallSelection::BestLevel => {
                prio_rank(queues[q].priority) as u64
            }
            CallSelection::LongestWaiting => 0,
        };
        let indexed: Vec<Option<u32>> = {
            let plain = |q: usize| stages[q].is_empty();
            let many: Vec<bool> = skill_queues
                .iter()
                .map(|qs| qs.iter().filter(|&&q| plain(q)).count() > scan_limit)
                .collect();
            (0..queues.len())
                .map(|q| {
                    let skill = queues[q].skill;
                    (many[skill] && plain(q)).then_some(skill as u32)
                })
                .collect()
        };
        let ranks: Vec<u64> = (0..queues.len()).map(inner_rank).collect();
        let heads = QueueHeads::new(sc.skills.len(), &indexed, &ranks);
        // Per skill: the lowest rank among its indexed queues, if any.
        let lowest_indexed: Vec<Option<u64>> = skill_queues
            .iter()
            .map(|qs| {
                qs.iter()
                    .filter(|&&q| indexed[q].is_some())
                    .map(|&q| ranks[q])
                    .min()
            })
            .collect();

        // What each group scans: the queues it serves that are not indexed.
        let group_queues: Vec<Vec<Served>> = sc
            .agent_groups
            .iter()
            .map(|group| {
                let mut v: Vec<Served> = group
                    .skills
                    .iter()
                    .flat_map(|&(skill, level)| {
                        skill_queues[skill].iter().map(move |&q| (q, level))
                    })
                    .filter(|&(q, _)| indexed[q].is_none())
                    .map(|(q, level)| {
                        let queue = &queues[q];
                        let rank = match sc.routing.call_selection {
                            CallSelection::Priority => prio_rank(queue.priority),
                            CallSelection::LongestWaiting => 0,
                            CallSelection::BestLevel => {
                                ((level as u128) << 64) | prio_rank(queue.priority)
                            }
                        };
                        let delay = if stages[q].is_empty() {
                            0
                        } else {
                            stages[q]
                                .iter()
                                .find(|s| s.1 >= level)
                                .map_or(NEVER, |s| s.0)
                        };
                        Served {
                            rank,
                            queue: q as u32,
                            overflow: !stages[q].is_empty(),
                            delay,
                        }
                    })
                    .collect();
                v.sort_unstable_by_key(|s| (s.rank, s.queue));
                v
            })
            .collect();
        let group_heads: Vec<Vec<ServedHeads>> = sc
            .agent_groups
            .iter()
            .map(|group| {
                let mut v: Vec<ServedHeads> = group
                    .skills
                    .iter()
                    .filter_map(|&(skill, level)| {
                        let lowest = lowest_indexed[skill]?;
                        let level_rank = match sc.routing.call_selection {
                            CallSelection::BestLevel => (level as u128) << 64,
                            _ => 0,
                        };
                        Some(ServedHeads {
                            rank: level_rank | lowest as u128,
                            level_rank,
                            skill: skill as u32,
                        })
                    })
                    .collect();
                v.sort_unstable_by_key(|h| (h.rank, h.skill));
                v
            })
            .collect();

        let queue_info = queues
            .iter()
            .zip(&stages)
            .enumerate()
            .map(|(q_index, (q, s))| QueueInfo {
                skill: q.skill as u32,
                arrival_level: level_after(s, 0),
                head: if !s.is_empty() {
                    HeadWatch::Overflow
                } else if heads.indexed(q_index) {
                    HeadWatch::Indexed
                } else {
                    HeadWatch::Nobody
                },
            })
            .collect();
        let mut group_index = vec![GroupEntry::default(); sc.agent_groups.len()];
        let index = skill_groups
            .iter()
            .enumerate()
            .map(|(skill, holders)| {
                if holders.len() <= scan_limit {
                    return SkillIndex::Scan;
                }
                let mut levels: Vec<u32> = holders.iter().map(|&(_, l)| l).collect();
                levels.sort_unstable();
                levels.dedup();
                for (pos, &(g, level)) in holders.iter().enumerate() {
                    group_index[g as usize]
                        .skills
                        .push((skill as u32, level, pos as u32));
                }
                match sc.routing.agent_selection {
                    AgentSelection::RoundRobin => SkillIndex::Ordered(
                        levels.into_iter().map(|l| (l, BTreeSet::new())).collect(),
                    ),
                    AgentSelection::Random => SkillIndex::Counts(
                        levels
                            .into_iter()
                            .map(|l| (l, Fenwick::new(holders.len())))
                            .collect(),
                    ),
                    _ => SkillIndex::Keyed(
                        levels.into_iter().map(|l| (l, BinaryHeap::new())).collect(),
                    ),
                }
            })
            .collect();
        let mut router = Router {
            agent_selection: sc.routing.agent_selection,
            waiting: waiting::Waiting::new(queues.len()),
            queue_info,
            stages,
            agents,
            pools,
            skill_groups,
            index,
            group_index,
            group_queues,
            group_heads,
            any_indexed: indexed.iter().any(Option::is_some),
            heads,
            heads_changed: Vec::new(),
            rr_next: 0,
            rng,
            stage_overrides: None,
        };
        let mut base = 0u32;
        for group in &sc.agent_groups {
            if let Staffing::Count(_) = group.staffing {
                // The reserve for live commands stays off.
                for a in base..base + group.agent_slots() {
                    router.make_idle(a, 0);
                }
            }
            base += group.slots();
        }
        router
    }

    /// Group of `agent`.
    #[inline]
    pub fn group_of(&self, agent: u32) -> u32 {
        self.agents[agent as usize].group
    }

    /// Idle agents of the groups holding `skill`.
    pub fn idle_with_skill(&self, skill: usize) -> u64 {
        self.skill_groups[skill]
            .iter()
            .map(|&(g, _)| self.pools[g as usize].idle as u64)
            .sum()
    }

    /// When `agent` last became idle.
    pub fn idle_since(&self, agent: u32) -> u64 {
        self.agents[agent as usize].idle_since
    }

    /// Number of idle agents.
    pub fn idle_agents(&self) -> usize {
        self.pools.iter().map(|p| p.idle as usize).sum()
    }

    /// The waiting calls.
    pub fn waiting(&mut self) -> &mut waiting::Waiting {
        &mut self.waiting
    }

    /// A call arrives in `queue`: returns the idle agent chosen to answer it
    /// (now busy), or queues the call and returns `None`.
    #[inline]
    pub fn call_arrived(&mut self, queue: usize, call: WaitingCall) -> Option<u32> {
        match self.pick_for_arrival(queue) {
            Some(agent) => Some(agent),
            None => {
                self.enqueue(queue, call);
                None
            }
        }
    }

    /// The idle agent who answers a new call of `queue` at once, if any
    /// (removed from the idle pool).
    #[inline(always)]
    pub fn pick_for_arrival(&mut self, queue: usize) -> Option<u32> {
        let info = self.queue_info[queue];
        self.pick_idle_agent(info.skill as usize, info.arrival_level)
    }

    /// Puts a call at the back of `queue`.
    #[inline(always)]
    pub fn enqueue(&mut self, queue: usize, call: WaitingCall) {
        let watch = self.queue_info[queue].head;
        if watch != HeadWatch::Nobody && self.waiting.is_empty(queue) {
            self.head_changed(queue, watch, Some(call.arrival));
        }
        self.waiting.push(queue, call);
    }

    /// Puts a call at the back of `queue` with a tag ([`waiting::Waiting::new_tag`]).
    pub fn enqueue_tagged(&mut self, queue: usize, call: WaitingCall, tag: u32) {
        let watch = self.queue_info[queue].head;
        if watch != HeadWatch::Nobody && self.waiting.is_empty(queue) {
            self.head_changed(queue, watch, Some(call.arrival));
        }
        self.waiting.push_tagged(queue, call, tag);
    }

    /// Tells whoever follows queue `q`'s head that it is now the call that
    /// arrived at `arrival`, or that the queue is empty (`None`).
    #[inline(never)]
    fn head_changed(&mut self, q: usize, watch: HeadWatch, arrival: Option<u64>) {
        match watch {
            HeadWatch::Nobody => {}
            HeadWatch::Overflow => self.heads_changed.push(q as u32),
            HeadWatch::Indexed => self.heads.set_head(q, arrival),
        }
    }

    /// Records that `agent` starts handling a call of `handle_us` (talk + wrap-up).
    #[inline]
    pub fn start_handling(&mut self, agent: u32, handle_us: u64) {
        let a = &mut self.agents[agent as usize];
        a.calls += 1;
        a.busy_us += handle_us;
    }

    /// `agent` is available at `now` (free after a call, back from a break,
    /// just logged in): returns the waiting call it takes (and the queue), or
    /// puts the agent in its idle pool. Expired callers met on the way are
    /// passed to `abandoned(queue, call)`.
    #[inline(always)]
    pub fn agent_free<F: FnMut(usize, &WaitingCall)>(
        &mut self,
        agent: u32,
        now: u64,
        mut abandoned: F,
    ) -> Option<(usize, WaitingCall)> {
        let g = self.agents[agent as usize].group as usize;
        let mut best: Option<(u128, u64, usize)> = None;
        for &Served {
            rank,
            queue,
            overflow,
            delay,
        } in &self.group_queues[g]
        {
            if let Some((best_rank, _, _)) = best {
                if rank > best_rank {
                    break;
                }
            }
            let q = queue as usize;
            if self.waiting.drop_expired(q, now, &mut abandoned) && overflow {
                self.heads_changed.push(queue);
            }
            if let Some(head) = self.waiting.head(q) {
                if now - head.arrival < delay {
                    // Not yet eligible for this agent's level (overflow).
                    continue;
                }
                let key = (rank, head.arrival, q);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
        }
        if self.any_indexed && !self.group_heads[g].is_empty() {
            best = self.best_head(g, now, best, &mut abandoned);
        }
        if let Some((_, _, q)) = best {
            let call = self.waiting.pop(q).expect("head seen above");
            let watch = self.queue_info[q].head;
            if watch != HeadWatch::Nobody {
                let next = self.waiting.head(q).map(|c| c.arrival);
                self.head_changed(q, watch, next);
            }
            return Some((q, call));
        }
        self.make_idle(agent, now);
        None
    }

    /// The best of `best` and the first heads of the indexed queues group
    /// `g` serves, as (rank, arrival, queue). Expired callers at those heads
    /// are dropped on the way. Inlined: out of line it took the address of
    /// `abandoned`, which then lived on the stack at every agent's call end.
    #[inline(always)]
    fn best_head<F: FnMut(usize, &WaitingCall)>(
        &mut self,
        g: usize,
        now: u64,
        mut best: Option<(u128, u64, usize)>,
        abandoned: &mut F,
    ) -> Option<(u128, u64, usize)> {
        for i in 0..self.group_heads[g].len() {
            let served = self.group_heads[g][i];
            if best.is_some_and(|(rank, _, _)| served.rank > rank) {
                break;
            }
            while let Some((q, (rank, arrival))) = self.heads.first(served.skill as usize) {
                if self.waiting.drop_expired(q, now, &mut *abandoned) {
                    let next = self.waiting.head(q).map(|c| c.arrival);
                    self.heads.set_head(q, next);
                    continue;
                }
                let key = (served.level_rank | rank as u128, arrival, q);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
                break;
            }
        }
        best
    }

    /// Queue `q`'s head may have crossed an overflow stage at `now`: drops
    /// expired callers, and returns the head with the idle agent who answers
    /// it if its stage now allows one.
    pub fn overflow_due<F: FnMut(usize, &WaitingCall)>(
        &mut self,
        q: usize,
        now: u64,
        mut abandoned: F,
    ) -> Option<(u32, WaitingCall)> {
        self.waiting.drop_expired(q, now, &mut abandoned);
        let head = *self.waiting.head(q)?;
        let max_level = level_after(&self.stages[q], now - head.arrival);
        let agent = self.pick_idle_agent(self.queue_info[q].skill as usize, max_level)?;
        self.waiting.pop(q);
        Some((agent, head))
    }

    /// When queue `q` next needs a look for overflow: the moment its head
    /// reaches its next stage ([`NEVER`] if the queue is empty or its head
    /// has reached the last stage).
    ///
    /// The head's abandonment needs no check of its own: while a head waits
    /// at a stage, no agent of a level that stage admits is idle (it would
    /// have taken the head), so a later call's crossings up to that stage
    /// open nothing; and an agent who becomes idle afterwards has looked at
    /// this queue first, dropping an expired head and re-arming the check
    /// for the next one.
    pub fn next_overflow_check<F: FnMut(usize, &WaitingCall)>(
        &mut self,
        q: usize,
        now: u64,
        mut abandoned: F,
    ) -> u64 {
        self.waiting.drop_expired(q, now, &mut abandoned);
        let Some(head) = self.waiting.head(q) else {
            return NEVER;
        };
        let wait = now - head.arrival;
        self.stages[q]
            .iter()
            .find(|s| s.0 > wait)
            .map_or(NEVER, |s| head.arrival.saturating_add(s.0))
    }

    /// Overflow stage `stage` of queue `q` opens now for every call (`Open`),
    /// never (`Closed`), or at its wait again (`Auto`). A stage opened now
    /// counts as reached at 0 s; a call may be answered at the widest level
    /// of the stages it has reached.
    pub fn set_stage(&mut self, q: usize, stage: usize, state: StageState) {
        let o = self.stage_overrides.get_or_insert_with(|| {
            Box::new(StageOverrides {
                base: self.stages.clone(),
                states: self
                    .stages
                    .iter()
                    .map(|s| vec![StageState::Auto; s.len()])
                    .collect(),
            })
        });
        o.states[q][stage] = state;
        let mut eff: Vec<(u64, u32)> = o.base[q]
            .iter()
            .zip(&o.states[q])
            .filter_map(|(&(after, level), state)| match state {
                StageState::Auto => Some((after, level)),
                StageState::Open => Some((0, level)),
                StageState::Closed => None,
            })
            .collect();
        eff.sort_by_key(|s| s.0);
        // Levels only widen with the wait: the widest reached so far.
        let mut widest = 0;
        for s in &mut eff {
            widest = widest.max(s.1);
            s.1 = widest;
        }
        if eff.is_empty() {
            // Every stage closed: no level answers (still a queue with overflow).
            eff.push((NEVER, 0));
        }
        self.queue_info[q].arrival_level = level_after(&eff, 0);
        let skill = self.queue_info[q].skill as usize;
        for &(g, level) in &self.skill_groups[skill] {
            for served in &mut self.group_queues[g as usize] {
                if served.queue as usize == q {
                    served.delay = eff.iter().find(|s| s.1 >= level).map_or(NEVER, |s| s.0);
                }
            }
        }
        self.stages[q] = eff;
    }

    /// The state live commands put each overflow stage of queue `q` in.
    pub fn stage_states(&self, q: usize) -> Vec<StageState> {
        match &self.stage_overrides {
            Some(o) => o.states[q].clone(),
            None => vec![StageState::Auto; self.stages[q].len()],
        }
    }

    /// Whether `agent` is idle.
    pub fn is_idle(&self, agent: u32) -> bool {
        self.agents[agent as usize].idle
    }

    /// Idle agents of group `g`.
    pub fn idle_in_group(&self, g: usize) -> u32 {
        self.pools[g].idle
    }

    /// The waiting calls (read only).
    pub fn waiting_calls(&self) -> &waiting::Waiting {
        &self.waiting
    }

    /// Whether some overflow queue's head changed since the last [`Router::take_heads_changed`].
    #[inline(always)]
    pub fn heads_changed(&self) -> bool {
        !self.heads_changed.is_empty()
    }

    /// Takes the list of overflow queues whose head changed (the engine
    /// re-arms their timers), leaving it empty.
    pub fn take_heads_changed(&mut self, out: &mut Vec<u32>) {
        std::mem::swap(out, &mut self.heads_changed);
        self.heads_changed.clear();
    }

    /// Removes `agent` from its idle pool if it is idle (it goes on break or
    /// logs off); returns whether it was idle.
    pub fn take_idle(&mut self, agent: u32) -> bool {
        let a = &mut self.agents[agent as usize];
        if !a.idle {
            return false;
        }
        a.idle = false;
        a.epoch = a.epoch.wrapping_add(1);
        let g = a.group as usize;
        let gp = &mut self.pools[g];
        gp.pool.remove(agent);
        gp.idle -= 1;
        if gp.pool.lazy() {
            gp.stale += 1;
        }
        self.reindex(g);
        true
    }

    /// Removes one idle agent of group `g` (to log off), if any.
    pub fn take_any_idle(&mut self, g: usize) -> Option<u32> {
        let gp = &mut self.pools[g];
        if gp.idle == 0 {
            return None;
        }
        gp.clean(&self.agents);
        let agent = gp.pool.take_any()?;
        gp.idle -= 1;
        let a = &mut self.agents[agent as usize];
        a.idle = false;
        a.epoch = a.epoch.wrapping_add(1);
        self.reindex(g);
        Some(agent)
    }

    /// Whether a caller group `g` can answer (at some stage) is really waiting at `now`.
    pub fn group_has_waiting(&mut self, g: usize, now: u64) -> bool {
        let waiting = &mut self.waiting;
        self.group_queues[g]
            .iter()
            .any(|s| s.delay != NEVER && waiting.present(s.queue as usize, now) > 0)
            || self.group_heads[g].iter().any(|h| {
                self.heads
                    .queues_of(h.skill as usize)
                    .iter()
                    .any(|&q| waiting.present(q as usize, now) > 0)
            })
    }

    /// Removes every call still waiting, in queue order, passing it to `f(queue, call)`.
    pub fn drain_waiting<F: FnMut(usize, &WaitingCall)>(&mut self, f: F) {
        self.waiting.drain(f);
    }

    #[inline(always)]
    fn make_idle(&mut self, agent: u32, now: u64) {
        let a = &mut self.agents[agent as usize];
        debug_assert!(!a.idle, "agent {agent} is already idle");
        a.idle_since = now;
        a.idle = true;
        let key = match self.agent_selection {
            AgentSelection::FewestCalls => a.calls,
            _ => a.busy_us,
        };
        let g = a.group as usize;
        let gp = &mut self.pools[g];
        gp.pool.push(agent, a.epoch, key, now);
        gp.idle += 1;
        self.reindex(g);
    }

    /// Chooses (and removes from its pool) the idle agent that takes a call
    /// of `skill`, among the groups holding it at a level up to `max_level`.
    #[inline(always)]
    fn pick_idle_agent(&mut self, skill: usize, max_level: u32) -> Option<u32> {
        if !matches!(self.index[skill], SkillIndex::Scan) {
            return self.pick_indexed(skill, max_level);
        }
        if self.agent_selection == AgentSelection::Random {
            return self.pick_random(skill, max_level);
        }
        // (rule key, group, the group's best idle agent): the lowest key wins.
        let mut best: Option<(Key, usize, u32)> = None;
        let rule = self.agent_selection;
        for &(g, level) in &self.skill_groups[skill] {
            if level > max_level {
                continue;
            }
            let g = g as usize;
            let gp = &mut self.pools[g];
            if gp.idle == 0 {
                continue;
            }
            let found = if rule == AgentSelection::RoundRobin {
                round_robin_best(gp, self.rr_next, self.agents.len())
            } else {
                group_best(gp, &self.agents, rule, level)
            };
            let Some((key, agent)) = found else { continue };
            if best.is_none_or(|(b, _, _)| key < b) {
                best = Some((key, g, agent));
            }
        }
        let (_, g, agent) = best?;
        self.take_from_group(g, agent);
        Some(agent)
    }

    /// Removes `agent`, group `g`'s best idle agent, from the pool: it takes a call.
    #[inline(always)]
    fn take_from_group(&mut self, g: usize, agent: u32) {
        let gp = &mut self.pools[g];
        match &mut gp.pool {
            IdlePool::Fifo(v) => {
                v.pop_front();
            }
            IdlePool::Heap(h) => {
                h.pop();
            }
            pool @ IdlePool::Bits { .. } => pool.remove(agent),
            pool @ IdlePool::List { .. } => pool.remove(agent),
        }
        gp.idle -= 1;
        self.agents[agent as usize].idle = false;
        if self.agent_selection == AgentSelection::RoundRobin {
            self.rr_next = (agent + 1) % self.agents.len() as u32;
        }
        self.reindex(g);
    }

    /// [`Router::pick_idle_agent`] through the skill's index.
    #[inline(never)]
    fn pick_indexed(&mut self, skill: usize, max_level: u32) -> Option<u32> {
        match self.agent_selection {
            AgentSelection::Random => {
                let SkillIndex::Counts(levels) = &self.index[skill] else {
                    unreachable!("random indexes counts")
                };
                let (_, tree) = levels.iter().rev().find(|(bound, _)| *bound <= max_level)?;
                let total = tree.total();
                if total == 0 {
                    return None;
                }
                let (pos, offset) = tree.find(self.rng.below(total));
                let g = self.skill_groups[skill][pos].0 as usize;
                let agent = match &self.pools[g].pool {
                    IdlePool::List { list, .. } => list[offset as usize],
                    _ => unreachable!("random uses lists"),
                };
                self.take_from_group(g, agent);
                Some(agent)
            }
            AgentSelection::RoundRobin => {
                let SkillIndex::Ordered(levels) = &self.index[skill] else {
                    unreachable!("round robin indexes ordered sets")
                };
                let n = self.agents.len() as u64;
                let rr = self.rr_next;
                let g0 = self.agents[rr as usize].group;
                let mut best: Option<(u64, u32, usize)> = None;
                for (level, set) in levels {
                    if *level > max_level {
                        break;
                    }
                    // The group of the hunt pointer from the pointer on, then
                    // the next groups, then from the first group (wrapping).
                    let found = set
                        .contains(&g0)
                        .then(|| self.first_idle_at_or_after(g0 as usize, rr))
                        .flatten()
                        .or_else(|| {
                            let g = *set.range(g0 + 1..).next()?;
                            self.first_idle_at_or_after(g as usize, 0)
                        })
                        .or_else(|| {
                            let g = *set.iter().next()?;
                            self.first_idle_at_or_after(g as usize, 0)
                        });
                    if let Some(a) = found {
                        let d = (a as u64 + n - rr as u64) % n;
                        if best.is_none_or(|(bd, _, _)| d < bd) {
                            best = Some((d, a, self.agents[a as usize].group as usize));
                        }
                    }
                }
                let (_, agent, g) = best?;
                self.take_from_group(g, agent);
                Some(agent)
            }
            _ => {
                let (_, g) = {
                    let (index, groups) = (&mut self.index[skill], &self.group_index);
                    index.least(max_level, groups)?
                };
                let g = g as usize;
                let (_, agent) =
                    group_best(&mut self.pools[g], &self.agents, self.agent_selection, 0)?;
                self.take_from_group(g, agent);
                Some(agent)
            }
        }
    }

    /// Group `g`'s first idle agent with id at least `from` (round robin), if any.
    fn first_idle_at_or_after(&self, g: usize, from: u32) -> Option<u32> {
        let IdlePool::Bits { words, base } = &self.pools[g].pool else {
            unreachable!("round robin uses bitsets")
        };
        let start = from.saturating_sub(*base) as usize;
        let (w0, b0) = (start / 64, start % 64);
        for (w, &word) in words.iter().enumerate().skip(w0) {
            let word = if w == w0 { word & (!0u64 << b0) } else { word };
            if word != 0 {
                return Some(*base + (w * 64) as u32 + word.trailing_zeros());
            }
        }
        None
    }

    /// Brings the indexes of group `g`'s skills up to date after its pool changed.
    #[inline(always)]
    fn reindex(&mut self, g: usize) {
        if !self.group_index[g].skills.is_empty() {
            self.reindex_skills(g);
        }
    }

    #[inline(never)]
    fn reindex_skills(&mut self, g: usize) {
        let idle = self.pools[g].idle;
        match self.agent_selection {
            AgentSelection::Random => {
                let entry = &mut self.group_index[g];
                let delta = idle as i64 - entry.counted as i64;
                if delta == 0 {
                    return;
                }
                entry.counted = idle;
                for &(skill, level, pos) in &entry.skills {
                    if let SkillIndex::Counts(levels) = &mut self.index[skill as usize] {
                        for (bound, tree) in levels.iter_mut() {
                            if *bound >= level {
                                tree.add(pos as usize, delta);
                            }
                        }
                    }
                }
            }
            AgentSelection::RoundRobin => {
                let entry = &mut self.group_index[g];
                let has = idle > 0;
                if has == entry.listed {
                    return;
                }
                entry.listed = has;
                for &(skill, level, _) in &entry.skills {
                    if let SkillIndex::Ordered(levels) = &mut self.index[skill as usize] {
                        if let Some((_, set)) = levels.iter_mut().find(|(l, _)| *l == level) {
                            if has {
                                set.insert(g as u32);
                            } else {
                                set.remove(&(g as u32));
                            }
                        }
                    }
                }
            }
            _ => {
                let key = group_best(&mut self.pools[g], &self.agents, self.agent_selection, 0)
                    .map(|(k, _)| k);
                let entry = &mut self.group_index[g];
                if key == entry.key {
                    return;
                }
                entry.version = entry.version.wrapping_add(1);
                entry.key = key;
                let Some(base) = key else { return };
                let version = entry.version;
                for i in 0..self.group_index[g].skills.len() {
                    let (skill, level, _) = self.group_index[g].skills[i];
                    let key = if self.agent_selection == AgentSelection::BestLevel {
                        (level as u64, base.1, base.2)
                    } else {
                        base
                    };
                    self.index[skill as usize].push(
                        level,
                        key,
                        g as u32,
                        version,
                        &self.group_index,
                    );
                }
            }
        }
    }

    fn pick_random(&mut self, skill: usize, max_level: u32) -> Option<u32> {
        let total: usize = self.skill_groups[skill]
            .iter()
            .filter(|&&(_, level)| level <= max_level)
            .map(|&(g, _)| self.pools[g as usize].idle as usize)
            .sum();
        if total == 0 {
            return None;
        }
        let mut r = self.rng.below(total as u64) as usize;
        for &(g, level) in &self.skill_groups[skill] {
            if level > max_level {
                continue;
            }
            let g = g as usize;
            let n = self.pools[g].idle as usize;
            if r < n {
                let IdlePool::List { list, .. } = &self.pools[g].pool else {
                    unreachable!("random uses lists")
                };
                let agent = list[r];
                self.take_from_group(g, agent);
                return Some(agent);
            }
            r -= n;
        }
        unreachable!("r < total")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::AgentSelection;
    use serde_json::json;

    /// A center where one skill is held by many groups at several levels
    /// (indexed), others by few (scanned); with overflow on one queue.
    fn center(rule: &str, call_rule: &str, groups: usize, seed: u64) -> Scenario {
        let mut rng = Stream::new(seed, 0, 0, 0);
        let groups: Vec<_> = (0..groups)
            .map(|g| {
                let mut skills = serde_json::Map::new();
                skills.insert("wide".into(), json!(1 + rng.below(3)));
                skills.insert(format!("s{}", g % 3), json!(1));
                json!({ "name": format!("g{g}"), "count": 1 + rng.below(5), "skills": skills })
            })
            .collect();
        let queue = |name: &str, skill: &str| {
            json!({ "name": name, "skill": skill, "arrivals": { "rate_per_hour": 60 },
                    "handle_time": { "constant": 60 } })
        };
        let mut wide = queue("wide", "wide");
        wide["overflow"] = json!([{ "after": "0s", "max_level": 1 }, { "after": "10s", "max_level": 2 }, { "after": "20s" }]);
        let mut queues = vec![
            wide,
            queue("plain", "wide"),
            queue("q0", "s0"),
            queue("q1", "s1"),
            queue("q2", "s2"),
        ];
        // Many more queues of the wide skill (their heads indexed at the
        // default limit), a few more of s0, with mixed priorities.
        for i in 0..14 {
            let skill = if i < 11 { "wide" } else { "s0" };
            let mut q = queue(&format!("p{i}"), skill);
            q["priority"] = json!(rng.below(3));
            queues.push(q);
        }
        let doc = json!({
            "name": "wide", "horizon": "1h", "skills": ["wide", "s0", "s1", "s2"],
            "queues": queues,
            "agent_groups": groups,
            "routing": { "agent_selection": rule, "call_selection": call_rule },
        });
        Scenario::from_json_str(&doc.to_string(), "t").unwrap()
    }

    /// Drives two routers through the same random operations and asserts
    /// they choose the same agents and calls every time, and that the same
    /// callers abandon (an index may drop them later than a scan: lazily,
    /// at their deadline either way).
    fn same_choices(sc: &Scenario, seed: u64, limit: usize) {
        let mut scan = Router::with_scan_limit(sc, Stream::new(seed, 0, 5, 0), usize::MAX);
        let mut indexed = Router::with_scan_limit(sc, Stream::new(seed, 0, 5, 0), limit);
        // Callers really present are counted (as in a drain), so that both
        // agree on who waits whenever each drops its expired callers.
        scan.waiting().count_presence();
        indexed.waiting().count_presence();
        let mut rng = Stream::new(seed, 1, 0, 0);
        let agents = sc.agent_count() as u32;
        let mut busy: Vec<u32> = Vec::new();
        let mut off: Vec<u32> = Vec::new();
        let mut now = 0u64;
        let (mut gone_a, mut gone_b) = (Vec::new(), Vec::new());
        for step in 0..6000 {
            now += rng.below(3_000_000);
            match rng.below(10) {
                0..=3 => {
                    let q = rng.below(sc.queues.len() as u64) as usize;
                    let call = WaitingCall {
                        arrival: now,
                        deadline: now + rng.below(40_000_000),
                        talk: 1,
                        wrap: 0,
                    };
                    let a = scan.call_arrived(q, call);
                    assert_eq!(
                        a,
                        indexed.call_arrived(q, call),
                        "step {step}: arrival in {q}"
                    );
                    busy.extend(a);
                }
                4..=6 if !busy.is_empty() => {
                    let agent = busy.swap_remove(rng.below(busy.len() as u64) as usize);
                    let a = scan.agent_free(agent, now, |q, c| gone_a.push((q, *c)));
                    let b = indexed.agent_free(agent, now, |q, c| gone_b.push((q, *c)));
                    assert_eq!(a, b, "step {step}: agent {agent} frees up");
                    if a.is_some() {
                        busy.push(agent);
                    }
                }
                7 => {
                    let agent = rng.below(agents as u64) as u32;
                    let (a, b) = (scan.take_idle(agent), indexed.take_idle(agent));
                    assert_eq!(a, b, "step {step}");
                    if a {
                        off.push(agent);
                    }
                }
                8 => {
                    let g = rng.below(sc.agent_groups.len() as u64) as usize;
                    let a = scan.take_any_idle(g);
                    assert_eq!(a, indexed.take_any_idle(g), "step {step}");
                    off.extend(a);
                }
                _ => {
                    if let Some(agent) = off.pop() {
                        // Back on the floor: the same as freeing up.
                        let a = scan.agent_free(agent, now, |q, c| gone_a.push((q, *c)));
                        let b = indexed.agent_free(agent, now, |q, c| gone_b.push((q, *c)));
                        assert_eq!(a, b, "step {step}");
                        if a.is_some() {
                            busy.push(agent);
                        }
                    }
                    let a = scan.overflow_due(0, now, |q, c| gone_a.push((q, *c)));
                    let b = indexed.overflow_due(0, now, |q, c| gone_b.push((q, *c)));
                    assert_eq!(a, b, "step {step}");
                    busy.extend(a.map(|x| x.0));
                }
            }
            assert_eq!(scan.idle_agents(), indexed.idle_agents());
            let g = rng.below(sc.agent_groups.len() as u64) as usize;
            assert_eq!(
                scan.group_has_waiting(g, now),
                indexed.group_has_waiting(g, now),
                "step {step}: whether group {g} has callers waiting"
            );
        }
        // Every caller either abandoned by the end or still waits, the same in both.
        let expired = |list: &mut Vec<(usize, WaitingCall)>, r: &mut Router| {
            r.drain_waiting(|q, c| list.push((q, *c)));
            list.retain(|(_, c)| c.deadline <= now);
            list.sort_by_key(|&(q, c)| (q, c.arrival, c.deadline));
        };
        expired(&mut gone_a, &mut scan);
        expired(&mut gone_b, &mut indexed);
        assert_eq!(gone_a, gone_b);
        assert!(!gone_a.is_empty(), "some callers abandon");
    }

    #[test]
    fn indexes_choose_exactly_what_a_scan_chooses() {
        for (rule, _, _) in AgentSelection::ALL {
            for call_rule in ["priority", "longest_waiting", "best_level"] {
                for seed in 0..3 {
                    let sc = center(rule, call_rule, 12 + seed as usize * 7, seed);
                    // Every skill indexed; and the wide skill indexed while the
                    // others (held by a few groups each) are scanned.
                    for limit in [0, SCAN_LIMIT] {
                        same_choices(&sc, seed, limit);
                    }
                }
            }
        }
    }
}
