//! Micro-benchmarks of the pieces on the hot path: the event queue, agent
//! selection among many idle agents, and call selection across several long
//! queues.

use acdsim::event::{EventKind, EventQueue};
use acdsim::rng::Stream;
use acdsim::router::{Router, WaitingCall, NEVER};
use acdsim::scenario::Scenario;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde_json::json;
use std::hint::black_box;

/// `queues` queues on distinct skills, `groups` groups of `per_group` agents holding every skill.
fn center(
    queues: usize,
    groups: usize,
    per_group: u32,
    agent_rule: &str,
    call_rule: &str,
) -> Scenario {
    let skills: Vec<String> = (0..queues).map(|i| format!("s{i}")).collect();
    let qs: Vec<_> = (0..queues)
        .map(|i| {
            json!({ "name": format!("q{i}"), "skill": skills[i], "priority": i % 3,
                    "arrivals": { "rate_per_hour": 100 }, "handle_time": { "exponential": { "mean": 60 } } })
        })
        .collect();
    let gs: Vec<_> = (0..groups)
        .map(|g| {
            let map: serde_json::Map<_, _> = skills
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), json!(1 + (i + g) % 3)))
                .collect();
            json!({ "name": format!("g{g}"), "count": per_group, "skills": map })
        })
        .collect();
    let v = json!({ "name": "micro", "horizon": "1h", "skills": skills, "queues": qs, "agent_groups": gs,
                    "routing": { "agent_selection": agent_rule, "call_selection": call_rule } });
    Scenario::from_json_str(&v.to_string(), "bench").expect("valid bench scenario")
}

/// An event queue holding `size` agent-free events at random times, and the stream that drew them.
fn filled_queue(size: usize) -> (EventQueue, Stream) {
    let mut q = EventQueue::with_capacity(size);
    let mut rng = Stream::new(1, 0, 0, 0);
    for i in 0..size {
        q.push(rng.below(1 << 30), EventKind::Agent(i as u32));
    }
    (q, rng)
}

fn event_queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue");
    for size in [300usize, 10_000] {
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("pop_push_{size}"), |b| {
            let (mut q, mut rng) = filled_queue(size);
            b.iter(|| {
                let (t, k) = q.pop().expect("non-empty");
                q.push(t + rng.below(1 << 30), k);
                black_box(t)
            })
        });
        g.bench_function(format!("replace_top_{size}"), |b| {
            let (mut q, mut rng) = filled_queue(size);
            b.iter(|| {
                let (t, k) = q.peek().expect("non-empty");
                q.replace_top(t + rng.below(1 << 30), k);
                black_box(t)
            })
        });
    }
    g.finish();
}

fn call(arrival: u64) -> WaitingCall {
    WaitingCall {
        arrival,
        deadline: NEVER,
        talk: 1,
        wrap: 0,
    }
}

/// A call arrives with many idle agents able to take it; the agent is then freed again.
fn agent_selection(c: &mut Criterion) {
    let mut g = c.benchmark_group("agent_selection");
    g.throughput(Throughput::Elements(1));
    for rule in [
        "longest_idle",
        "fewest_calls",
        "top_down",
        "round_robin",
        "random",
        "best_level",
    ] {
        let sc = center(4, 8, 250, rule, "priority");
        g.bench_function(rule, |b| {
            let mut router = Router::new(&sc, Stream::new(1, 0, 5, 0));
            let mut now = 0u64;
            b.iter(|| {
                now += 1;
                let agent = router
                    .call_arrived(black_box(1), call(now))
                    .expect("idle agents");
                router.start_handling(agent, 1);
                black_box(router.agent_free(agent, now, |_, _| {}))
            })
        });
    }
    g.finish();
}

/// An agent frees up while long queues wait on several of its skills.
fn call_selection(c: &mut Criterion) {
    let mut g = c.benchmark_group("call_selection");
    // Each iteration frees the agent 1000 times.
    g.throughput(Throughput::Elements(1000));
    for rule in ["priority", "longest_waiting", "best_level"] {
        let sc = center(12, 1, 1, "longest_idle", rule);
        g.bench_function(rule, |b| {
            b.iter_batched_ref(
                || {
                    let mut router = Router::new(&sc, Stream::new(1, 0, 5, 0));
                    let agent = router.call_arrived(0, call(0)).expect("one idle agent");
                    for i in 0..12_000u64 {
                        assert!(router
                            .call_arrived((i % 12) as usize, call(i + 1))
                            .is_none());
                    }
                    (router, agent)
                },
                |(router, agent)| {
                    for _ in 0..1000 {
                        black_box(router.agent_free(*agent, 20_000, |_, _| {}));
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, event_queue, agent_selection, call_selection);
criterion_main!(benches);
