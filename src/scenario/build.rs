//! From the JSON tree to the model: reads the time frame and skills first
//! (quietly) so that every field referring to them is checked where it
//! stands, reads the whole [`ScenarioSpec`], then runs the checks that span
//! lists (every queue's skill is held by some group, at least one agent)
//! and builds the indexed [`Scenario`].

use super::fields::{ClockTime, Dist, Duration, PerInterval, PositiveDuration, RateProfile};
use super::format::{AgentGroupSpec, CampaignSpec, QueueSpec, ScenarioSpec, MAX_INTERVALS};
use super::read::{quoted, Checker, Context, FileValue, NamedList, Node, UniqueName};
use super::{
    AgentGroup, Arrivals, Break, Campaign, Dialer, DialerMode, Escalation, OverflowStage, Profile,
    Queue, Retry, Role, Routing, Scenario, Shift, Staffing,
};
use crate::time::SimTime;
use serde_json::Value;
use std::collections::HashMap;

const DEFAULT_SEED: u64 = 1;
const DEFAULT_REPLICATIONS: u32 = 10;
const DEFAULT_SERVICE_LEVEL_THRESHOLD: SimTime = SimTime(20_000_000);
/// Default length of profile and report intervals: 30 minutes.
pub const DEFAULT_INTERVAL: SimTime = SimTime(1_800_000_000);

/// Reads the checked model from a JSON tree, or every problem found.
pub fn scenario(root: &Value) -> Result<Scenario, Vec<super::Problem>> {
    let mut ck = Checker::with_context(context(root));
    if ck.ctx.window_us > 0 && ck.ctx.intervals.is_none() {
        let (window, interval) = (SimTime(ck.ctx.window_us), SimTime(ck.ctx.interval_us));
        let message = format!(
            "the horizon ({window}) holds more than {MAX_INTERVALS} intervals of {interval}: make the interval longer"
        );
        ck.problem("interval", message);
    }
    let spec = ScenarioSpec::read(&mut ck, &Node::root(root));
    let model = spec.and_then(|spec| model(&mut ck, spec));
    match model {
        Some(m) if ck.problems.is_empty() => Ok(m),
        _ => {
            if ck.problems.is_empty() {
                // Every reader that gives up records why; this is a safety net.
                ck.problem("", "the scenario could not be read (internal error)");
            }
            Err(ck.problems)
        }
    }
}

/// The declared skills and the time frame, read without reporting (the
/// full read reports their problems where they stand).
fn context(root: &Value) -> Context {
    let mut ctx = Context::default();
    let Value::Object(fields) = root else {
        return ctx;
    };
    let mut quiet = Checker::default();
    let field = |name: &str| fields.get(name).filter(|v| !v.is_null()).map(Node::root);
    if let Some(node) = field("skills") {
        if let Some(NamedList(names)) =
            quiet.named_list("skill", |ck| NamedList::<UniqueName>::read(ck, &node))
        {
            ctx.skill_names = names.into_iter().map(|n| n.0).collect();
            let mut ids = HashMap::new();
            for (i, n) in ctx.skill_names.iter().enumerate() {
                ids.entry(n.clone()).or_insert(i);
            }
            ctx.skills = Some(ids);
        } else if let Value::Array(items) = node.value {
            // A list with some bad entries still names the good ones.
            let names: Vec<String> = items
                .iter()
                .filter_map(|v| v.as_str().filter(|s| !s.trim().is_empty()))
                .map(str::to_string)
                .collect();
            if !names.is_empty() {
                let mut ids = HashMap::new();
                let mut uniq = Vec::new();
                for n in names {
                    if !ids.contains_key(&n) {
                        ids.insert(n.clone(), uniq.len());
                        uniq.push(n);
                    }
                }
                ctx.skill_names = uniq;
                ctx.skills = Some(ids);
            }
        }
    }
    let horizon = field("horizon").and_then(|n| PositiveDuration::read(&mut quiet, &n));
    let warmup = match field("warmup") {
        Some(n) => Duration::read(&mut quiet, &n).map(|d| d.0),
        None => Some(SimTime::ZERO),
    };
    let interval = match field("interval") {
        Some(n) => PositiveDuration::read(&mut quiet, &n).map(|d| d.0),
        None => Some(DEFAULT_INTERVAL),
    };
    ctx.clock_start_given = field("clock_start").is_some();
    ctx.clock_start_s = field("clock_start")
        .and_then(|n| ClockTime::read(&mut quiet, &n))
        .map(|c| c.0);
    if let (Some(h), Some(w), Some(i)) = (horizon, warmup, interval) {
        let n = h.0 .0.div_ceil(i.0);
        if n as usize <= MAX_INTERVALS {
            ctx.intervals = Some(n as usize);
        }
        ctx.window_us = h.0 .0;
        ctx.interval_us = i.0;
        ctx.warmup_us = w.0;
    }
    ctx
}

fn model(ck: &mut Checker, spec: ScenarioSpec) -> Option<Scenario> {
    let warmup = spec.warmup.map_or(SimTime::ZERO, |d| d.0);
    let horizon = spec.horizon.0;
    let interval = spec.interval.map_or(DEFAULT_INTERVAL, |d| d.0);
    let threshold = spec
        .service_level_threshold
        .map_or(DEFAULT_SERVICE_LEVEL_THRESHOLD, |d| d.0);
    let target = spec.service_level_target.map(|t| t.0);
    let skills: Vec<String> = spec.skills.0.into_iter().map(|n| n.0).collect();
    let callback_priorities: Vec<Option<i32>> = spec
        .queues
        .0
        .iter()
        .map(|q| q.callback.as_ref().and_then(|c| c.priority.map(|p| p.0)))
        .collect();
    let queues: Vec<Queue> = spec
        .queues
        .0
        .into_iter()
        .map(|q| queue(q, threshold, target))
        .collect();
    let groups: Vec<AgentGroup> = spec.agent_groups.0.into_iter().map(group).collect();
    check_skills_served(ck, &groups);
    check_overflow_reachable(ck, &queues, &groups, &skills);
    check_some_agent(ck, &groups);
    check_supervisors(ck, &queues, &groups);
    let (campaigns, campaign_queues): (Vec<Campaign>, Vec<Queue>) = spec
        .campaigns
        .map(|c| c.0.into_iter().map(campaign).unzip())
        .unwrap_or_default();
    let mut callback_of = vec![None; queues.len()];
    let mut callback_queues = Vec::new();
    for (i, q) in queues.iter().enumerate() {
        if q.callback.is_some() {
            callback_of[i] = Some(callback_queues.len());
            callback_queues.push(callback_queue(q, callback_priorities[i]));
        }
    }
    let routing = spec.routing.map_or(Routing::default(), |r| Routing {
        agent_selection: r.agent_selection.unwrap_or_default(),
        call_selection: r.call_selection.unwrap_or_default(),
    });
    Some(Scenario {
        name: spec.name.0,
        seed: spec.seed.map_or(DEFAULT_SEED, |s| s.0),
        end: SimTime(warmup.0.saturating_add(horizon.0)),
        warmup,
        replications: spec.replications.map_or(DEFAULT_REPLICATIONS, |r| r.0),
        service_level_threshold: threshold,
        service_level_target: target,
        interval,
        clock_start: spec.clock_start.map(|c| c.0),
        volume_cv: spec.volume_cv.map(|v| v.0),
        lines: spec.lines.map(|l| l.0),
        closing: spec.closing.unwrap_or_default(),
        skills,
        queues,
        agent_groups: groups,
        routing,
        campaigns,
        campaign_queues,
        callback_queues,
        callback_of,
        takes_commands: false,
        script: None,
    })
}

fn profile<T, U>(p: PerInterval<T>, f: impl Fn(T) -> U) -> Profile<U> {
    match p {
        PerInterval::One(v) => Profile::Constant(f(v)),
        PerInterval::List(vs) => Profile::PerInterval(vs.into_iter().map(f).collect()),
    }
}

fn dists(p: PerInterval<Dist>) -> Profile<crate::distribution::DurationDist> {
    profile(p, |d| d.0)
}

fn queue(q: QueueSpec, default_threshold: SimTime, default_target: Option<f64>) -> Queue {
    let RateProfile(rates) = q.arrivals.rate_per_hour;
    Queue {
        name: q.name.0,
        skill: q.skill.0,
        priority: q.priority.map_or(0, |p| p.0),
        arrivals: Arrivals {
            rate_per_hour: profile(rates, |r| r),
        },
        handle_time: dists(q.handle_time),
        patience: q.patience.map(dists),
        wrap_up: q.wrap_up.map(dists),
        service_level_threshold: q.service_level_threshold.map_or(default_threshold, |d| d.0),
        service_level_target: q.service_level_target.map(|t| t.0).or(default_target),
        balk_probability: q.balk_probability.map(|p| p.0),
        max_waiting: q.max_waiting.map(|m| m.0),
        overflow: q
            .overflow
            .map(|stages| {
                stages
                    .0
                    .into_iter()
                    .map(|s| OverflowStage {
                        after: s.after.0,
                        max_level: s.max_level.map(|l| l.0),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        escalation: q.escalation.map(|e| Escalation {
            probability: e.probability.0,
            after: e.after.0,
            handover: e.handover.map(|d| d.0),
            supervisor_time: e.supervisor_time.0,
            hold_patience: e.hold_patience.map(|d| d.0),
        }),
        retrial: q.retrial.map(|r| super::Retrial {
            probability: r.probability.0,
            delay: r.delay.0,
        }),
        callback: q.callback.map(|c| super::Callback {
            offer_when_wait_over: c.offer_when_wait_over.0,
            accept_probability: c.accept_probability.0,
        }),
    }
}

/// The queue of a queue's accepted callbacks: its skill, the given priority
/// (default one below the queue's), callers who never hang up.
fn callback_queue(q: &Queue, priority: Option<i32>) -> Queue {
    Queue {
        name: format!("{} (callbacks)", q.name),
        priority: priority.unwrap_or(q.priority.saturating_sub(1)),
        patience: None,
        balk_probability: None,
        max_waiting: None,
        overflow: Vec::new(),
        escalation: None,
        retrial: None,
        callback: None,
        ..q.clone()
    }
}

/// A campaign, and the queue its live answers wait in for an agent.
fn campaign(c: CampaignSpec) -> (Campaign, Queue) {
    let (start, mut end) = (c.hours.start.0, c.hours.end.0);
    if end <= start && c.hours.end.1 {
        end = SimTime(end.0 + 86_400 * crate::time::MICROS_PER_SEC);
    }
    let zero = || Profile::Constant(0.0);
    let probs = |p: Option<PerInterval<super::fields::Probability>>| {
        p.map_or_else(zero, |p| profile(p, |x| x.0))
    };
    let dialer = match c.dialer.mode {
        DialerMode::Preview => Dialer::Preview {
            preview_time: c
                .dialer
                .preview_time
                .expect("checked: preview has a preview time")
                .0,
        },
        DialerMode::Progressive => Dialer::Progressive,
        DialerMode::Power => Dialer::Power {
            lines_per_free_agent: c.dialer.lines_per_free_agent.map_or(1.0, |l| l.0),
            min_free_agents: c.dialer.min_free_agents.map_or(1, |m| m.0),
        },
        DialerMode::Predictive => Dialer::Predictive,
    };
    let patience = c.patience.map_or(
        crate::distribution::DurationDist::Constant { value_s: 2.0 },
        |d| d.0,
    );
    let queue = Queue {
        name: c.name.0.clone(),
        skill: c.skill.0,
        priority: c.priority.map_or(0, |p| p.0),
        arrivals: Arrivals {
            rate_per_hour: Profile::Constant(0.0),
        },
        handle_time: Profile::Constant(c.talk_time.0),
        patience: Some(Profile::Constant(patience)),
        wrap_up: c.wrap_up.map(|w| Profile::Constant(w.0)),
        service_level_threshold: SimTime(2_000_000),
        service_level_target: None,
        balk_probability: None,
        max_waiting: None,
        overflow: Vec::new(),
        escalation: None,
        retrial: None,
        callback: None,
    };
    let campaign = Campaign {
        name: c.name.0,
        skill: c.skill.0,
        start,
        end,
        list_size: c.list_size.map(|l| l.0),
        dialer,
        dial_time: c.dial_time.map_or(
            crate::distribution::DurationDist::Constant { value_s: 0.0 },
            |d| d.0,
        ),
        live: profile(c.outcomes.live, |x| x.0),
        machine: probs(c.outcomes.machine),
        busy: probs(c.outcomes.busy),
        retry: c.retry.map(|r| Retry {
            delay: r.delay.0,
            max_attempts: r.max_attempts.0,
        }),
        abandon_cap: c.abandon_cap.map_or(0.03, |a| a.0),
        inbound_reserve: c.inbound_reserve.map_or(0, |r| r.0),
    };
    (campaign, queue)
}

fn group(g: AgentGroupSpec) -> AgentGroup {
    let staffing = if let Some(n) = g.count {
        Staffing::Count(n.0)
    } else if let Some(list) = g.staffing {
        Staffing::PerInterval(list.0)
    } else {
        let shifts = g.shifts.map(|s| s.0).unwrap_or_default();
        Staffing::Shifts(
            shifts
                .into_iter()
                .map(|s| {
                    let (start, end) = s.span();
                    let mut breaks: Vec<Break> = s
                        .breaks
                        .unwrap_or_default()
                        .into_iter()
                        .map(|b| {
                            let mut at = b.start.0;
                            if at < start && b.start.1 {
                                at = SimTime(at.0 + 86_400 * crate::time::MICROS_PER_SEC);
                            }
                            Break {
                                start: at,
                                duration: b.duration.0,
                            }
                        })
                        .collect();
                    breaks.sort_by_key(|b| b.start);
                    Shift {
                        start,
                        end,
                        agents: s.agents.0,
                        breaks,
                    }
                })
                .collect(),
        )
    };
    let role = g.role.unwrap_or_default();
    let answers = g.answers_calls.unwrap_or(role == Role::Agent);
    AgentGroup {
        name: g.name.0,
        staffing,
        role,
        // Supervisors who do not answer calls are never routed a call.
        skills: match g.skills {
            Some(levels) if answers => levels.0,
            _ => Vec::new(),
        },
        shrinkage: g.shrinkage.map_or(0.0, |s| s.0),
        cost_per_hour: g.cost_per_hour.map(|c| c.0),
        reserve: 0,
    }
}

/// A queue whose skill no group holds can never be answered: almost surely a
/// typo. A skill held only by groups without agents is accepted: that is a
/// staffing what-if ("the whole tech team is off"), and the report shows it.
fn check_skills_served(ck: &mut Checker, groups: &[AgentGroup]) {
    let held: std::collections::HashSet<usize> = groups
        .iter()
        .flat_map(|g| g.skills.iter().map(|&(s, _)| s))
        .collect();
    let uses = std::mem::take(&mut ck.skill_uses);
    for (path, name, skill) in uses {
        if !held.contains(&skill) {
            let message = format!("no agent group has skill {}", quoted(&name));
            ck.problem(&path, message);
        }
    }
}

/// A queue whose widest overflow stage stops below every level held for its
/// skill can never be answered.
fn check_overflow_reachable(
    ck: &mut Checker,
    queues: &[Queue],
    groups: &[AgentGroup],
    skills: &[String],
) {
    for (i, q) in queues.iter().enumerate() {
        let Some(widest) = q.overflow.last().and_then(|s| s.max_level) else {
            continue;
        };
        let best = groups
            .iter()
            .flat_map(|g| g.skills.iter())
            .filter(|&&(s, _)| s == q.skill)
            .map(|&(_, level)| level)
            .min();
        if let Some(best) = best.filter(|&b| b > widest) {
            let message = format!(
                "the last stage allows levels up to {widest}, but every group holds skill {} at level {best} or higher: its calls could never be answered (end with a stage without max_level, or raise it)",
                quoted(&skills[q.skill])
            );
            ck.problem(&format!("queues[{i}].overflow"), message);
        }
    }
}

/// Escalations need a supervisor group (one with 0 supervisors is a what-if, accepted).
fn check_supervisors(ck: &mut Checker, queues: &[Queue], groups: &[AgentGroup]) {
    if groups.iter().any(|g| g.role == Role::Supervisor) {
        return;
    }
    for (i, q) in queues.iter().enumerate() {
        if q.escalation.is_some() {
            let message = "no agent group has role \"supervisor\" to take escalated calls";
            ck.problem(&format!("queues[{i}].escalation"), message);
        }
    }
}

fn check_some_agent(ck: &mut Checker, groups: &[AgentGroup]) {
    let total: u64 = groups.iter().map(|g| g.agent_slots() as u64).sum();
    if total == 0 {
        ck.problem(
            "agent_groups",
            "no agents: every group has 0 agents at all times, at least one agent is needed",
        );
    }
    // Events carry an agent id in 21 bits (see crate::event).
    if total > crate::event::MAX_ID as u64 + 1 {
        let message = format!(
            "{total} agents in all: at most {} are supported",
            crate::event::MAX_ID as u64 + 1
        );
        ck.problem("agent_groups", message);
    }
}
