//! Invariants over random small scenarios (proptest): every offered call is
//! answered, abandoned or still waiting; agent time adds up; no agent is
//! double-booked; the same seed gives the same result.

mod common;

use acdsim::runner::run_one;
use acdsim::scenario::{AgentSelection, CallSelection};
use common::dist;
use proptest::prelude::*;
use serde_json::{json, Value};

prop_compose! {
    fn arb_scenario()(
        n_skills in 1usize..4,
        queues in prop::collection::vec((0usize..4, -3i32..4, 10.0..900.0f64, dist(), prop::option::of(dist()), prop::option::of(dist())), 1..4),
        groups in prop::collection::vec((0u32..12, prop::collection::vec((0usize..4, 1u32..4), 1..4)), 1..4),
        agent_rule in 0usize..7,
        call_rule in 0usize..3,
        warmup in prop_oneof![Just(0.0), 0.0..3600.0f64],
        horizon in 600.0..14_400.0f64,
        seed in any::<u64>(),
    ) -> Value {
        let skills: Vec<String> = (0..n_skills).map(|i| format!("s{i}")).collect();
        let queues: Vec<Value> = queues.into_iter().enumerate().map(|(i, (s, prio, rate, handle, patience, wrap))| {
            let mut q = json!({
                "name": format!("q{i}"), "skill": skills[s % n_skills], "priority": prio,
                "arrivals": { "rate_per_hour": rate }, "handle_time": handle,
            });
            if let Some(p) = patience { q["patience"] = p; }
            if let Some(w) = wrap { q["wrap_up"] = w; }
            q
        }).collect();
        let mut groups: Vec<Value> = groups.into_iter().enumerate().map(|(i, (count, sk))| {
            let map: serde_json::Map<String, Value> = sk.into_iter().map(|(s, l)| (skills[s % n_skills].clone(), json!(l))).collect();
            json!({ "name": format!("g{i}"), "count": count, "skills": map })
        }).collect();
        // Make sure every skill has at least one agent so the scenario is valid.
        groups.push(json!({ "name": "floor", "count": 1, "skills": skills.iter().map(|s| (s.clone(), json!(1))).collect::<serde_json::Map<_, _>>() }));
        json!({
            "name": "random", "seed": seed, "replications": 1, "warmup": warmup, "horizon": horizon,
            "skills": skills, "queues": queues, "agent_groups": groups,
            "routing": { "agent_selection": AgentSelection::ALL[agent_rule].0, "call_selection": CallSelection::ALL[call_rule].0 },
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn calls_and_agent_time_are_conserved(v in arb_scenario()) {
        let sc = common::scenario(&v);
        let stats = run_one(&sc, sc.seed, 0);
        let window = sc.window().micros();
        for (q, c) in stats.queues.iter().enumerate() {
            prop_assert_eq!(c.offered, c.answered + c.abandoned + c.unresolved, "queue {}", q);
            prop_assert!(c.answered_in_sl <= c.answered);
            prop_assert_eq!(c.zero_waits + c.wait_hist.len(), c.answered);
            prop_assert!(c.talk_sum_us <= c.handle_sum_us);
        }
        let mut busy = 0;
        for (g, gc) in stats.groups.iter().enumerate() {
            prop_assert_eq!(gc.logged_us, sc.agent_groups[g].constant_count().unwrap() as u128 * window as u128);
            // An agent handles one call at a time: never busier than logged in.
            prop_assert!(gc.busy_us <= gc.logged_us, "group {} busy {} > logged {}", g, gc.busy_us, gc.logged_us);
            busy += gc.busy_us + gc.busy_after_end_us;
        }
        let total = stats.total_queue();
        let handled: u64 = stats.groups.iter().map(|g| g.handled).sum();
        if sc.warmup.micros() == 0 {
            // Every call is counted: the agents' side and the calls' side agree exactly.
            prop_assert_eq!(handled, total.answered);
            prop_assert_eq!(busy, total.handle_sum_us);
        }
        // Determinism: a second run is identical.
        let again = run_one(&sc, sc.seed, 0);
        // (Compared as text: undefined metrics are NaN, which is never == itself.)
        let m = |s| format!("{:?}", acdsim::report::ReplicationMetrics::from_stats(&sc, s));
        prop_assert_eq!(m(&stats), m(&again));
    }
}
