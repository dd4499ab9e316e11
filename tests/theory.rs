//! The simulator against queueing theory: Erlang C, Erlang A, pooled and
//! dedicated queues, non-preemptive priorities. Every check uses a 99.9%
//! confidence interval over independent replications (see common::LEVEL).

mod common;

use acdsim::erlang;
use common::*;
use serde_json::json;

/// One queue, one group of `agents`, exponential handle time and patience.
fn single(
    seed: u64,
    per_hour: f64,
    aht_s: f64,
    patience_s: Option<f64>,
    agents: u32,
) -> acdsim::scenario::Scenario {
    single_threshold(seed, per_hour, aht_s, patience_s, agents, "20s")
}

/// The same with the service-level threshold `t`.
fn single_threshold(
    seed: u64,
    per_hour: f64,
    aht_s: f64,
    patience_s: Option<f64>,
    agents: u32,
    t: &str,
) -> acdsim::scenario::Scenario {
    let mut v = center(
        "single",
        seed,
        &["s"],
        vec![queue("q", "s", 0, per_hour, aht_s, patience_s)],
        vec![json!({ "name": "agents", "count": agents, "skills": { "s": 1 } })],
        json!({}),
    );
    v["service_level_threshold"] = json!(t);
    scenario(&v)
}

fn check_erlang_c(per_hour: f64, aht_s: f64, agents: u32, seed: u64, replications: u32) {
    let mut sc = single(seed, per_hour, aht_s, None, agents);
    sc.replications = replications;
    let s = run(&sc);
    let th = erlang::erlang_c_metrics(per_hour / 3600.0, aht_s, agents, 20.0).unwrap();
    let t = &s.total;
    let label = format!("Erlang C λ={per_hour}/h AHT={aht_s}s n={agents}");
    assert_ci(
        t.get("service_level"),
        th.service_level,
        &format!("{label}: service level"),
    );
    assert_ci(t.get("asa_s"), th.asa_s, &format!("{label}: ASA"));
    assert_ci(
        t.get("occupancy"),
        th.occupancy,
        &format!("{label}: occupancy"),
    );
    // No abandonment is possible.
    assert_eq!(t.get("abandoned").mean, 0.0);
}

#[test]
fn erlang_c_moderate_load() {
    // 8 Erlangs on 10 agents: P(wait) ≈ 0.41.
    // Few calls per replication (about 1,800), so many replications.
    check_erlang_c(160.0, 180.0, 10, 11, 400);
}

#[test]
fn erlang_c_heavy_load() {
    // 60 Erlangs on 64 agents (94% occupancy).
    // At 94% occupancy waits are strongly correlated in time: many replications.
    check_erlang_c(1200.0, 180.0, 64, 12, 200);
}

fn check_erlang_a(s: &acdsim::report::ScopeSummary, th: &erlang::ErlangAResult, label: &str) {
    assert_ci(
        s.get("abandon_rate"),
        th.p_abandon,
        &format!("{label}: abandon rate"),
    );
    assert_ci(
        s.get("service_level"),
        th.service_level,
        &format!("{label}: service level"),
    );
    assert_ci(s.get("asa_s"), th.asa_s, &format!("{label}: ASA"));
    assert_ci(
        s.get("abandoned_wait_s"),
        th.mean_wait_abandoned_s,
        &format!("{label}: mean wait of abandoned calls"),
    );
}

#[test]
fn shipped_mmc_abandon_matches_erlang_a_and_the_peers_values() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mmc-abandon.json");
    let sc = acdsim::scenario::Scenario::load(&path).unwrap();
    assert!(sc.replications >= 20);
    let s = run(&sc);
    // Exact Erlang A values of this workload (λ = 100/min, mean talk 180 s,
    // mean patience 120 s, 310 agents, SL threshold 20 s), computed by an
    // independent implementation and written here as numbers.
    let t = &s.total;
    assert_ci(t.get("abandon_rate"), 0.011825, "mmc-abandon: P(abandon)");
    assert_ci(
        t.get("service_level"),
        0.986207,
        "mmc-abandon: service level",
    );
    assert_ci(t.get("asa_s"), 1.3819, "mmc-abandon: ASA");
    assert_ci(t.get("occupancy"), 0.9563, "mmc-abandon: occupancy");
    assert_ci(t.get("offered"), 60_000.0, "mmc-abandon: offered");
    // And our own Erlang A module agrees with those values.
    let th = erlang::erlang_a_metrics(100.0 / 60.0, 180.0, 120.0, 310, 20.0).unwrap();
    assert!((th.p_abandon - 0.011825).abs() < 5e-6);
    check_erlang_a(t, &th, "mmc-abandon");
}

#[test]
fn erlang_a_overloaded_small_team() {
    // 22 Erlangs offered to 20 agents: stable only thanks to abandonment.
    let sc = single(21, 440.0, 180.0, Some(60.0), 20);
    let s = run(&sc);
    let th = erlang::erlang_a_metrics(440.0 / 3600.0, 180.0, 60.0, 20, 20.0).unwrap();
    check_erlang_a(&s.total, &th, "Erlang A overload");
    assert_ci(
        s.total.get("occupancy"),
        th.occupancy,
        "Erlang A overload: occupancy",
    );
}

#[test]
fn dedicated_groups_behave_as_independent_queues() {
    let sc = scenario(&center(
        "dedicated",
        31,
        &["a", "b"],
        vec![
            queue("qa", "a", 0, 600.0, 240.0, Some(90.0)),
            queue("qb", "b", 0, 300.0, 120.0, Some(150.0)),
        ],
        vec![
            json!({ "name": "ga", "count": 40, "skills": { "a": 1 } }),
            json!({ "name": "gb", "count": 11, "skills": { "b": 1 } }),
        ],
        json!({}),
    ));
    let s = run(&sc);
    let tha = erlang::erlang_a_metrics(600.0 / 3600.0, 240.0, 90.0, 40, 20.0).unwrap();
    let thb = erlang::erlang_a_metrics(300.0 / 3600.0, 120.0, 150.0, 11, 20.0).unwrap();
    check_erlang_a(&s.queues[0], &tha, "dedicated queue a");
    check_erlang_a(&s.queues[1], &thb, "dedicated queue b");
    assert_ci(
        s.agent_groups[0].get("occupancy"),
        tha.occupancy,
        "group a occupancy",
    );
    assert_ci(
        s.agent_groups[1].get("occupancy"),
        thb.occupancy,
        "group b occupancy",
    );
}

#[test]
fn cross_trained_group_with_longest_waiting_pools_the_queues() {
    let sc = scenario(&center(
        "pooled",
        41,
        &["a", "b"],
        vec![
            queue("qa", "a", 0, 500.0, 180.0, Some(120.0)),
            queue("qb", "b", 3, 700.0, 180.0, Some(120.0)),
        ],
        vec![json!({ "name": "all", "count": 60, "skills": { "a": 1, "b": 2 } })],
        json!({ "call_selection": "longest_waiting" }),
    ));
    let s = run(&sc);
    let th = erlang::erlang_a_metrics(1200.0 / 3600.0, 180.0, 120.0, 60, 20.0).unwrap();
    check_erlang_a(&s.total, &th, "pooled total");
    // With one FIFO order across queues, each queue sees the pooled figures too.
    check_erlang_a(&s.queues[0], &th, "pooled queue a");
    check_erlang_a(&s.queues[1], &th, "pooled queue b");
}

#[test]
fn two_priority_classes_match_non_preemptive_priority_formula() {
    let sc = scenario(&center(
        "priority",
        51,
        &["s"],
        vec![
            queue("low", "s", 1, 700.0, 180.0, None),
            queue("high", "s", 9, 500.0, 180.0, None),
        ],
        vec![json!({ "name": "agents", "count": 64, "skills": { "s": 1 } })],
        json!({ "call_selection": "priority" }),
    ));
    let mut sc = sc;
    sc.replications = 200;
    let s = run(&sc);
    let waits = erlang::priority_mean_waits(&[500.0 / 3600.0, 700.0 / 3600.0], 180.0, 64).unwrap();
    assert_ci(
        s.queues[1].get("asa_s"),
        waits[0],
        "high-priority mean wait",
    );
    assert_ci(s.queues[0].get("asa_s"), waits[1], "low-priority mean wait");
    assert!(
        waits[1] > 3.0 * waits[0],
        "the test must separate the classes"
    );
    // Overall mean wait is that of the pooled Erlang C queue (work conservation).
    let c = erlang::erlang_c_metrics(1200.0 / 3600.0, 180.0, 64, 20.0).unwrap();
    assert_ci(s.total.get("asa_s"), c.asa_s, "priority total mean wait");
}

#[test]
fn threshold_zero_counts_only_calls_that_did_not_wait() {
    // Service level within 0 s = 1 - P(wait): a call answered at once is within any threshold.
    let mut sc = single_threshold(11, 160.0, 180.0, None, 10, "0s");
    sc.replications = 200;
    let s = run(&sc);
    let th = erlang::erlang_c_metrics(160.0 / 3600.0, 180.0, 10, 0.0).unwrap();
    assert!((th.service_level - (1.0 - th.p_wait)).abs() < 1e-12);
    assert_ci(
        s.total.get("service_level"),
        1.0 - th.p_wait,
        "SL within 0 s",
    );
}

#[test]
fn service_level_where_it_is_steep_in_the_threshold() {
    // Short calls and a 5 s threshold: one second more would move SL by ~5 points,
    // so the threshold comparison is checked to the second.
    let sc = single_threshold(13, 5400.0, 6.0, None, 10, "5s");
    let s = run(&sc);
    let th = erlang::erlang_c_metrics(1.5, 6.0, 10, 5.0).unwrap();
    let th_plus_1s = erlang::erlang_c_metrics(1.5, 6.0, 10, 6.0).unwrap();
    assert!(
        th_plus_1s.service_level - th.service_level > 0.03,
        "the test must be sensitive"
    );
    assert_ci(
        s.total.get("service_level"),
        th.service_level,
        "SL within 5 s",
    );
    assert_ci(s.total.get("asa_s"), th.asa_s, "ASA with short calls");
}

#[test]
fn wait_percentile_matches_erlang_c_tail() {
    // FIFO M/M/n: P(W > t) = C exp(-(n mu - lambda) t), so the 90th percentile of
    // waits is ln(C / 0.1) / (n mu - lambda) when C > 0.1.
    let mut sc = single(12, 1200.0, 180.0, None, 64);
    sc.replications = 200;
    let s = run(&sc);
    let th = erlang::erlang_c_metrics(1200.0 / 3600.0, 180.0, 64, 20.0).unwrap();
    assert!(th.p_wait > 0.1);
    let decay = 64.0 / 180.0 - 1200.0 / 3600.0;
    let p90 = (th.p_wait / 0.1).ln() / decay;
    assert_ci(s.total.get("wait_p90_s"), p90, "p90 wait");
}

#[test]
fn callers_waiting_at_the_end_and_throughput_match_erlang_a() {
    let sc = single(21, 440.0, 180.0, Some(60.0), 20);
    let s = run(&sc);
    let th = erlang::erlang_a_metrics(440.0 / 3600.0, 180.0, 60.0, 20, 20.0).unwrap();
    // The end of the run is a fixed time: callers still waiting then are a sample of the queue length.
    assert_ci(
        s.total.get("unresolved"),
        th.mean_queue,
        "unresolved = mean queue length",
    );
    // Calls handled per agent-hour = throughput per agent.
    let per_agent_hour = 440.0 * (1.0 - th.p_abandon) / 20.0;
    assert_ci(
        s.agent_groups[0].get("calls_per_agent_hour"),
        per_agent_hour,
        "group calls per agent-hour",
    );
    assert_ci(
        s.total.get("calls_per_agent_hour"),
        per_agent_hour,
        "total calls per agent-hour",
    );
}

#[test]
fn wrap_up_keeps_agents_busy() {
    // No abandonment: whatever the distributions, occupancy = lambda (E[talk] + E[wrap]) / n
    // and AHT = E[talk] + E[wrap]. Lognormal talk of mean 200 s, uniform wrap-up of mean 30 s.
    let mut q = queue("q", "s", 0, 900.0, 200.0, None);
    q["handle_time"] = json!({ "lognormal": { "mean": 200, "sd": 120 } });
    q["wrap_up"] = json!({ "uniform": { "min": 10, "max": 50 } });
    let sc = scenario(&center(
        "wrap-up",
        71,
        &["s"],
        vec![q],
        vec![json!({ "name": "agents", "count": 64, "skills": { "s": 1 } })],
        json!({}),
    ));
    let s = run(&sc);
    assert_ci(
        s.total.get("occupancy"),
        900.0 / 3600.0 * 230.0 / 64.0,
        "occupancy with wrap-up",
    );
    assert_ci(s.total.get("aht_s"), 230.0, "AHT = talk + wrap-up");
    assert_ci(s.total.get("talk_s"), 200.0, "talk time");
}
