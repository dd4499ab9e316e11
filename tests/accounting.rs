//! Counting rules at the edges of the run: callers whose patience ran out
//! before the end are abandoned, not unresolved; totals keep every counter.

mod common;

use acdsim::runner::run_one;
use common::*;
use serde_json::json;

#[test]
fn expired_callers_at_the_end_are_abandoned_not_unresolved() {
    // One agent stuck on a 100 h call: every other caller waits out a constant 60 s patience.
    let sc = scenario(&json!({
        "name": "stuck", "seed": 5, "replications": 1, "warmup": 0, "horizon": "1h",
        "skills": ["s"],
        "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 600 },
                     "handle_time": { "constant": "100h" }, "patience": { "constant": "60s" } }],
        "agent_groups": [{ "name": "a", "count": 1, "skills": { "s": 1 } }],
    }));
    for rep in 0..20 {
        let c = &run_one(&sc, 5, rep).queues[0];
        assert_eq!(c.answered, 1);
        assert_eq!(
            c.abandoned_wait_sum_us,
            c.abandoned as u128 * 60_000_000,
            "every abandon waited exactly 60 s"
        );
        // Only callers arriving in the last 60 s (Poisson, mean 10) can still be waiting:
        // 30 is 6 standard deviations above that mean.
        assert!(
            c.unresolved <= 30,
            "rep {rep}: {} unresolved of {}",
            c.unresolved,
            c.offered
        );
        assert_eq!(c.offered, c.answered + c.abandoned + c.unresolved);
    }
}

#[test]
fn totals_keep_every_counter() {
    let sc = scenario(&center(
        "two",
        21,
        &["a", "b"],
        vec![
            queue("qa", "a", 0, 440.0, 180.0, Some(60.0)),
            queue("qb", "b", 0, 300.0, 120.0, Some(30.0)),
        ],
        vec![
            json!({ "name": "ga", "count": 20, "skills": { "a": 1 } }),
            json!({ "name": "gb", "count": 9, "skills": { "b": 1 } }),
        ],
        json!({}),
    ));
    for rep in 0..5 {
        let st = run_one(&sc, 21, rep);
        let t = st.total_queue();
        let (a, b) = (&st.queues[0], &st.queues[1]);
        assert!(
            t.unresolved > 0 || t.abandoned > 0,
            "the check needs both kinds of calls"
        );
        assert_eq!(t.offered, t.answered + t.abandoned + t.unresolved);
        let sum = |f: fn(&acdsim::stats::QueueCounters) -> u64| f(a) + f(b);
        let sum_us = |f: fn(&acdsim::stats::QueueCounters) -> u128| f(a) + f(b);
        assert_eq!(t.offered, sum(|c| c.offered));
        assert_eq!(t.answered, sum(|c| c.answered));
        assert_eq!(t.abandoned, sum(|c| c.abandoned));
        assert_eq!(t.unresolved, sum(|c| c.unresolved));
        assert_eq!(t.answered_in_sl, sum(|c| c.answered_in_sl));
        assert_eq!(t.wait_sum_us, sum_us(|c| c.wait_sum_us));
        assert_eq!(t.abandoned_wait_sum_us, sum_us(|c| c.abandoned_wait_sum_us));
        assert_eq!(t.handle_sum_us, sum_us(|c| c.handle_sum_us));
        assert_eq!(t.talk_sum_us, sum_us(|c| c.talk_sum_us));
        assert_eq!(t.zero_waits, sum(|c| c.zero_waits));
        assert_eq!(t.wait_hist.len(), a.wait_hist.len() + b.wait_hist.len());
        let g = st.total_group();
        assert_eq!(g.handled, st.groups[0].handled + st.groups[1].handled);
        assert_eq!(g.busy_us, st.groups[0].busy_us + st.groups[1].busy_us);
    }
}

#[test]
fn a_caller_whose_patience_ends_as_an_agent_frees_up_has_abandoned() {
    use acdsim::rng::Stream;
    use acdsim::router::{Router, WaitingCall};
    let sc = scenario(&json!({
        "name": "tie", "horizon": "1h", "skills": ["s"],
        "queues": [{ "name": "q", "skill": "s", "arrivals": { "rate_per_hour": 1 }, "handle_time": { "constant": 1 } }],
        "agent_groups": [{ "name": "a", "count": 1, "skills": { "s": 1 } }],
    }));
    let mut router = Router::new(&sc, Stream::new(1, 0, 0, 0));
    let call = |arrival, deadline| WaitingCall {
        arrival,
        deadline,
        talk: 1,
        wrap: 0,
    };
    let agent = router
        .call_arrived(0, call(0, 50))
        .expect("the agent is idle");
    assert_eq!(
        router.call_arrived(0, call(10, 100)),
        None,
        "the second caller waits"
    );
    let mut abandoned = Vec::new();
    // The agent frees up exactly at the waiting caller's deadline: the caller has gone.
    let next = router.agent_free(agent, 100, |q, c| abandoned.push((q, *c)));
    assert_eq!(next, None);
    assert_eq!(abandoned, vec![(0, call(10, 100))]);
    // One microsecond earlier, the caller would have been answered.
    let mut router = Router::new(&sc, Stream::new(1, 0, 0, 0));
    let agent = router.call_arrived(0, call(0, 50)).unwrap();
    router.call_arrived(0, call(10, 100));
    assert_eq!(
        router.agent_free(agent, 99, |_, _| panic!("nobody abandoned")),
        Some((0, call(10, 100)))
    );
}
