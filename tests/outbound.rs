//! Outbound campaigns: the four dialers, blending with inbound traffic,
//! retries and the calling list, and the reports.
//!
//! - Exact properties, checked in every replication: preview and progressive
//!   dialers reserve an agent per dial, so they never abandon and connect
//!   every live answer; a power dialer at 1 line per idle agent never has
//!   more live answers than idle agents (outbound-only floor), so it never
//!   abandons either; list and retry bookkeeping (records ≤ list size,
//!   dials ≤ records × max_attempts, penetration = records ÷ list size, one
//!   live answer per record at most); live answers are connected, silent or
//!   still waiting at the end; per-interval counts add up to the whole run;
//!   a campaign that never dials changes no inbound figure; nothing is
//!   dialled at the instant a campaign's hours end.
//! - Statistical properties, each against a 99.9% Student-t interval over
//!   independent replications (common::LEVEL, fixed seeds): the predictive
//!   dialer stays under its abandon cap while keeping agents busier than a
//!   progressive dialer; a power dialer abandons more with more lines;
//!   `inbound_reserve` protects the inbound service level; retries follow
//!   the geometric law of the outcomes; occupancy counts the time reserved
//!   waiting for an outcome as idle and previewing as work; the idle time
//!   before a connect is the ringing of the dials it took
//!   (E[dial_time] ÷ P(live)).
//! - The binary's JSON and CSV list campaigns only when there are some.

mod common;

use acdsim::report::{Estimate, ReplicationMetrics, Summary};
use acdsim::stats::{AGENT_METRICS, CALL_METRICS, CAMPAIGN_METRICS};
use assert_cmd::Command;
use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

// ---------------------------------------------------------------------------
// Helpers.

fn position(names: &[&str], metric: &str) -> usize {
    names
        .iter()
        .position(|m| *m == metric)
        .unwrap_or_else(|| panic!("no metric named {metric}"))
}

/// Whole-run value of `metric` of campaign `c` in one replication.
fn camp(r: &ReplicationMetrics, c: usize, metric: &str) -> f64 {
    r.campaigns[c].whole[position(&CAMPAIGN_METRICS, metric)]
}

/// Value of `metric` of campaign `c` in interval `k` of one replication.
fn camp_at(r: &ReplicationMetrics, c: usize, k: usize, metric: &str) -> f64 {
    r.campaigns[c].intervals[k][position(&CAMPAIGN_METRICS, metric)]
}

/// Whole-run value of call metric `metric` of inbound queue `q`.
fn queue(r: &ReplicationMetrics, q: usize, metric: &str) -> f64 {
    r.queues[q].whole[position(&CALL_METRICS, metric)]
}

/// Whole-run value of agent metric `metric` of group `g`.
fn group(r: &ReplicationMetrics, g: usize, metric: &str) -> f64 {
    r.groups[g].whole[position(&AGENT_METRICS, metric)]
}

/// Mean and spread over the replications of `f`.
fn estimate(reps: &[ReplicationMetrics], f: impl Fn(&ReplicationMetrics) -> f64) -> Estimate {
    Estimate::with_level(reps.iter().map(f), LEVEL)
}

/// The `LEVEL` confidence interval of `e`.
fn interval(e: Estimate) -> (f64, f64) {
    let h = e.half_width(LEVEL);
    assert!(h.is_finite(), "no interval with n = {}", e.n);
    (e.mean - h, e.mean + h)
}

/// Asserts the `LEVEL` interval of `low` lies entirely below that of `high`.
fn assert_below(low: Estimate, high: Estimate, what: &str) {
    let (l, h) = (interval(low), interval(high));
    eprintln!(
        "{what}: {:.6} [{:.6}, {:.6}] < {:.6} [{:.6}, {:.6}]",
        low.mean, l.0, l.1, high.mean, h.0, h.1
    );
    assert!(
        l.1 < h.0,
        "{what}: {:.6} ± {:.6} is not below {:.6} ± {:.6} (99.9% intervals overlap)",
        low.mean,
        l.1 - low.mean,
        high.mean,
        h.1 - high.mean
    );
}

/// A campaign of skill "outbound" dialling with `dialer` for the first 8 h
/// of the measured window: live 30% (machine 20%, busy 10%, no answer 40%),
/// ringing 15–25 s, exponential talk of 3 min, no retries, default patience
/// (2 s) and cap (3%).
fn campaign(dialer: Value) -> Value {
    json!({
        "name": "renewals", "skill": "outbound",
        "hours": { "start": "0s", "end": "8h" },
        "dialer": dialer,
        "dial_time": { "uniform": { "min": "15s", "max": "25s" } },
        "outcomes": { "live": 0.3, "machine": 0.2, "busy": 0.1 },
        "talk_time": { "exponential": { "mean": "3m" } },
    })
}

/// An outbound center: group "agents" of `agents` agents holding only the
/// campaign's skill, 8 h measured without warm-up. The format needs an
/// inbound queue: a trickle (1 call an hour) answered by a separate
/// one-agent group "desk", which never touches the campaign.
fn outbound_center(name: &str, seed: u64, reps: u32, agents: u32, campaign: Value) -> Value {
    json!({
        "name": name, "seed": seed, "replications": reps, "horizon": "8h",
        "skills": ["inbound", "outbound"],
        "queues": [{
            "name": "desk", "skill": "inbound",
            "arrivals": { "rate_per_hour": 1 },
            "handle_time": { "exponential": { "mean": "3m" } },
        }],
        "agent_groups": [
            { "name": "agents", "count": agents, "skills": { "outbound": 1 } },
            { "name": "desk", "count": 1, "skills": { "inbound": 1 } },
        ],
        "campaigns": [campaign],
    })
}

/// A blended center: group "blended" of `agents` agents answering inbound
/// "sales" first (level 1, `best_level`) and the campaign's calls second
/// (level 2). Sales: Poisson `per_hour`, exponential handle time of 4 min,
/// exponential patience of 2 min, 20 s threshold. 1 h warm-up, 8 h measured.
fn blended_center(
    name: &str,
    seed: u64,
    reps: u32,
    agents: u32,
    per_hour: f64,
    campaign: Option<Value>,
) -> Value {
    let mut v = json!({
        "name": name, "seed": seed, "replications": reps,
        "warmup": "1h", "horizon": "8h", "service_level_threshold": "20s",
        "skills": ["sales", "outbound"],
        "queues": [{
            "name": "sales", "skill": "sales",
            "arrivals": { "rate_per_hour": per_hour },
            "handle_time": { "exponential": { "mean": "4m" } },
            "patience": { "exponential": { "mean": "2m" } },
        }],
        "agent_groups": [
            { "name": "blended", "count": agents, "skills": { "sales": 1, "outbound": 2 } },
        ],
        "routing": { "call_selection": "best_level" },
    });
    if let Some(c) = campaign {
        v["campaigns"] = json!([c]);
    }
    v
}

fn acdsim() -> Command {
    Command::cargo_bin("acdsim").expect("binary built")
}

/// A scenario file in a temporary directory.
fn temp_scenario(doc: &Value) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    (dir, file)
}

/// `acdsim run FILE ARGS...` on `doc`: its stdout (the run must succeed).
fn run_binary(doc: &Value, args: &[&str]) -> Vec<u8> {
    let (_dir, file) = temp_scenario(doc);
    let out = acdsim()
        .arg("run")
        .arg(&file)
        .args(["--quiet", "--threads", "2"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "acdsim run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn run_json(doc: &Value, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_slice(&run_binary(doc, &all)).unwrap()
}

// ---------------------------------------------------------------------------
// 1. Reserved agents never abandon.

#[test]
fn preview_and_progressive_never_abandon() {
    let retry = json!({ "delay": { "exponential": { "mean": "15m" } }, "max_attempts": 3 });
    let mut configs: Vec<(&str, Value)> = Vec::new();

    // Outbound only, progressive, ringing 10–30 s, retries, a list that may
    // run out, and a patience far shorter than any wait could be.
    let mut c = campaign(json!({ "mode": "progressive" }));
    c["dial_time"] = json!({ "uniform": { "min": "10s", "max": "30s" } });
    c["retry"] = retry.clone();
    c["list_size"] = json!(1500);
    c["patience"] = json!({ "constant": 0.1 });
    configs.push((
        "progressive, outbound only",
        outbound_center("p1", 0, 8, 12, c),
    ));

    // Outbound only, preview, no dial_time (0), retries, patience 0.5 s.
    let mut c = campaign(json!({
        "mode": "preview", "preview_time": { "exponential": { "mean": "12s" } }
    }));
    c.as_object_mut().unwrap().remove("dial_time");
    c["retry"] = retry.clone();
    c["patience"] = json!({ "constant": 0.5 });
    configs.push((
        "preview, outbound only, dial_time 0",
        outbound_center("p2", 0, 8, 12, c),
    ));

    // Blended with busy inbound traffic, progressive, constant ringing,
    // wrap-up, retries, the campaign's calls at a *higher* priority than
    // inbound, patience 0.2 s.
    let mut c = campaign(json!({ "mode": "progressive" }));
    c["dial_time"] = json!({ "constant": "20s" });
    c["wrap_up"] = json!({ "constant": "30s" });
    c["retry"] = retry.clone();
    c["priority"] = json!(5);
    c["patience"] = json!({ "constant": 0.2 });
    configs.push((
        "progressive, blended",
        blended_center("p3", 0, 8, 20, 240.0, Some(c)),
    ));

    // Blended, preview, dial_time 0, inbound_reserve 2, default patience.
    let mut c = campaign(json!({
        "mode": "preview", "preview_time": { "constant": "8s" }
    }));
    c.as_object_mut().unwrap().remove("dial_time");
    c["inbound_reserve"] = json!(2);
    c["retry"] = retry.clone();
    configs.push((
        "preview, blended, reserve 2",
        blended_center("p4", 0, 8, 20, 200.0, Some(c)),
    ));

    // Blended progressive and preview on a floor that changes: shifts with
    // breaks (reserved agents must still log off and go on break
    // correctly), clock-time campaign hours, closing "disconnect".
    for (what, dialer) in [
        (
            "progressive, blended, shifts and breaks",
            json!({ "mode": "progressive" }),
        ),
        (
            "preview, blended, shifts and breaks",
            json!({ "mode": "preview", "preview_time": { "uniform": { "min": "5s", "max": "15s" } } }),
        ),
    ] {
        let mut c = campaign(dialer);
        c["hours"] = json!({ "start": "08:30", "end": "11:30" });
        c["retry"] = retry.clone();
        c["patience"] = json!({ "constant": 0.1 });
        let mut v = blended_center("p5", 0, 8, 0, 150.0, Some(c));
        v["clock_start"] = json!("08:00");
        v["warmup"] = json!("0s");
        v["horizon"] = json!("4h");
        v["closing"] = json!("disconnect");
        v["agent_groups"] = json!([
            {
                "name": "blended", "skills": { "sales": 1, "outbound": 2 },
                "shifts": [
                    { "start": "08:00", "end": "12:00", "agents": 8,
                      "breaks": [{ "start": "09:00", "duration": "15m" }] },
                    { "start": "08:30", "end": "11:00", "agents": 6,
                      "breaks": [{ "start": "10:00", "duration": "10m" }] },
                ],
            },
        ]);
        configs.push((what, v));
    }

    for (what, mut v) in configs {
        for seed in [1u64, 77, 2026] {
            v["seed"] = json!(seed);
            let reps = common::metrics(&v);
            for r in &reps {
                let (dials, live, connects, abandoned) = (
                    camp(r, 0, "dials"),
                    camp(r, 0, "live_answers"),
                    camp(r, 0, "connects"),
                    camp(r, 0, "abandoned"),
                );
                let at = format!("{what}, seed {seed}, replication {}", r.replication);
                assert!(
                    dials > 100.0 && live > 10.0,
                    "{at}: {dials} dials, {live} live"
                );
                assert_eq!(abandoned, 0.0, "{at}: silent calls");
                assert_eq!(camp(r, 0, "abandon_rate"), 0.0, "{at}: abandon rate");
                assert_eq!(connects, live, "{at}: connects vs live answers");
                assert_eq!(camp(r, 0, "cap_breached"), 0.0, "{at}: cap breached");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 2. Predictive against progressive.

#[test]
fn predictive_stays_under_its_cap_with_higher_occupancy_than_progressive() {
    // 20 outbound agents, 40 replications of 8 h.
    let predictive = common::metrics(&outbound_center(
        "predictive",
        4242,
        40,
        20,
        campaign(json!({ "mode": "predictive" })),
    ));
    let progressive = common::metrics(&outbound_center(
        "progressive",
        4242,
        40,
        20,
        campaign(json!({ "mode": "progressive" })),
    ));
    let cap = 0.03;

    let rate = estimate(&predictive, |r| camp(r, 0, "abandon_rate"));
    let (_, upper) = interval(rate);
    eprintln!(
        "predictive abandon rate {:.5} (99.9% upper bound {upper:.5}), cap {cap}",
        rate.mean
    );
    assert!(
        rate.mean > 0.0,
        "a predictive dialer dials ahead: some silent calls"
    );
    assert!(
        rate.mean <= cap,
        "predictive abandon rate {} over the cap",
        rate.mean
    );
    assert!(
        upper <= cap,
        "predictive abandon rate's upper bound {upper} over the cap"
    );
    // The dialer aims at 70% of its cap, so replications over it are rare.
    let breached = estimate(&predictive, |r| camp(r, 0, "cap_breached"));
    eprintln!("predictive cap_breached {:.3}", breached.mean);
    assert!(
        breached.mean <= 0.05,
        "cap breached in {:.1}% of days",
        breached.mean * 100.0
    );
    for r in &predictive {
        let breach = camp(r, 0, "abandon_rate") > cap;
        assert_eq!(camp(r, 0, "cap_breached"), breach as u8 as f64);
        assert_eq!(
            camp(r, 0, "abandon_rate"),
            camp(r, 0, "abandoned") / camp(r, 0, "live_answers")
        );
    }

    let occupancy = |reps: &[ReplicationMetrics]| estimate(reps, |r| group(r, 0, "occupancy"));
    assert_below(occupancy(&progressive), occupancy(&predictive), "occupancy");
    let contacts =
        |reps: &[ReplicationMetrics]| estimate(reps, |r| camp(r, 0, "contacts_per_agent_hour"));
    assert_below(
        contacts(&progressive),
        contacts(&predictive),
        "contacts per agent-hour",
    );
    let idle = |reps: &[ReplicationMetrics]| estimate(reps, |r| camp(r, 0, "idle_between_calls_s"));
    assert_below(idle(&predictive), idle(&progressive), "idle between calls");

    // Contacts per agent-hour are the connects over the agents' logged-in
    // hours (8 h × 20 agents, the desk agent excluded); the group handled
    // exactly the campaign's connects.
    for r in predictive.iter().chain(&progressive) {
        assert_eq!(group(r, 0, "handled"), camp(r, 0, "connects"));
        assert_eq!(group(r, 0, "logged_in_hours"), 160.0);
        let per_hour = camp(r, 0, "connects") / 160.0;
        assert!((camp(r, 0, "contacts_per_agent_hour") - per_hour).abs() < 1e-9);
    }
    // Talk time is the campaign's: exponential with a mean of 180 s.
    assert_ci(
        estimate(&predictive, |r| camp(r, 0, "talk_s")),
        180.0,
        "predictive talk_s",
    );
    assert_ci(
        estimate(&progressive, |r| camp(r, 0, "talk_s")),
        180.0,
        "progressive talk_s",
    );
}

// ---------------------------------------------------------------------------
// 3. The power dialer.

#[test]
fn power_dialer_abandons_more_with_more_lines() {
    let run = |lines: f64| {
        common::metrics(&outbound_center(
            "power",
            99,
            40,
            20,
            campaign(json!({ "mode": "power", "lines_per_free_agent": lines })),
        ))
    };
    let (one, two, three) = (run(1.0), run(2.0), run(3.0));
    // At 1 line per idle agent on an outbound-only floor the dials ringing
    // never outnumber the idle agents (a live answer takes one of each), so
    // no live answer ever waits: not a single silent call.
    for r in &one {
        assert_eq!(
            camp(r, 0, "abandoned"),
            0.0,
            "1 line, replication {}",
            r.replication
        );
        assert_eq!(camp(r, 0, "connects"), camp(r, 0, "live_answers"));
    }
    let rate = |reps: &[ReplicationMetrics]| estimate(reps, |r| camp(r, 0, "abandon_rate"));
    assert_below(rate(&one), rate(&two), "abandon rate, 1 vs 2 lines");
    assert_below(rate(&two), rate(&three), "abandon rate, 2 vs 3 lines");
    // More lines also keep the agents busier.
    let occupancy = |reps: &[ReplicationMetrics]| estimate(reps, |r| group(r, 0, "occupancy"));
    assert_below(
        occupancy(&one),
        occupancy(&three),
        "occupancy, 1 vs 3 lines",
    );
}

// ---------------------------------------------------------------------------
// 4. Blending with an inbound reserve.

/// Per replication: inbound-only SL minus blended SL (same seed: the
/// inbound callers are the same draws, so the difference is paired).
fn sl_degradation(only: &[ReplicationMetrics], blended: &[ReplicationMetrics]) -> Estimate {
    Estimate::with_level(
        only.iter()
            .zip(blended)
            .map(|(a, b)| queue(a, 0, "service_level") - queue(b, 0, "service_level")),
        LEVEL,
    )
}

#[test]
fn blending_with_inbound_reserve_keeps_inbound_service() {
    // 20 blended agents; sales 240 calls/h × 4 min = 16 Erlangs: about 91%
    // answered within 20 s without a campaign (occupancy ~77%).
    //
    // Tolerance: blending must cost inbound at most 3 percentage points of
    // service level — the usual slack around an SL target (80/20 ± 3 pts),
    // fixed before looking at any figure. It is asserted on the upper end of
    // the 99.9% interval of the paired degradation, so the claim holds with
    // the test's confidence, not just on average.
    //
    // The reserve: the smallest R whose degradation meets that bound in an
    // exploratory run on another seed (seed 11: R = 4 costs 4.1 ± 0.5 pts,
    // R = 5 2.5 ± 0.5 (upper end 3.06: not enough), R = 6 1.6 ± 0.35),
    // while still connecting about 150 outbound calls a day. This test runs
    // seed 2024, never used to choose R.
    const TOLERANCE: f64 = 0.03;
    const RESERVE: u32 = 6;
    let (seed, reps, agents, per_hour) = (2024, 40, 20, 240.0);
    let progressive = |reserve: u32| {
        let mut c = campaign(json!({ "mode": "progressive" }));
        c["dial_time"] = json!({ "uniform": { "min": "10s", "max": "30s" } });
        c["wrap_up"] = json!({ "constant": "30s" });
        c["inbound_reserve"] = json!(reserve);
        common::metrics(&blended_center(
            "blended",
            seed,
            reps,
            agents,
            per_hour,
            Some(c),
        ))
    };
    let only = common::metrics(&blended_center(
        "inbound only",
        seed,
        reps,
        agents,
        per_hour,
        None,
    ));
    let sl_only = estimate(&only, |r| queue(r, 0, "service_level"));
    eprintln!("inbound only: SL {:.4}", sl_only.mean);

    let reserves = [0, 2, 4, RESERVE];
    let runs: Vec<Vec<ReplicationMetrics>> = reserves.iter().map(|&r| progressive(r)).collect();
    let mut degradations = Vec::new();
    for (&reserve, blended) in reserves.iter().zip(&runs) {
        let d = sl_degradation(&only, blended);
        let connects = estimate(blended, |r| camp(r, 0, "connects"));
        eprintln!(
            "reserve {reserve}: SL {:.4}, degradation {:.4} ± {:.4} (99.9%), {:.1} connects/day, occupancy {:.4}",
            estimate(blended, |r| queue(r, 0, "service_level")).mean,
            d.mean,
            d.half_width(LEVEL),
            connects.mean,
            estimate(blended, |r| group(r, 0, "occupancy")).mean,
        );
        degradations.push(d);
    }

    // The chosen reserve keeps inbound within the tolerance...
    let chosen = degradations[reserves.len() - 1];
    let (_, upper) = interval(chosen);
    assert!(
        upper <= TOLERANCE,
        "reserve {RESERVE}: inbound SL degraded by {:.4} ± {:.4}, over {TOLERANCE}",
        chosen.mean,
        chosen.half_width(LEVEL)
    );
    // ...while the campaign still connects a substantial number of calls.
    let chosen_run = &runs[reserves.len() - 1];
    let connects = estimate(chosen_run, |r| camp(r, 0, "connects"));
    assert!(
        connects.mean >= 100.0,
        "only {} connects a day",
        connects.mean
    );
    assert!(chosen_run.iter().all(|r| camp(r, 0, "connects") > 30.0));

    // The less reserve, the more inbound suffers (and the more outbound
    // connects): each step of the reserve is a significant paired change.
    for i in 1..reserves.len() {
        let (less, more) = (&runs[i - 1], &runs[i]);
        let step = Estimate::with_level(
            more.iter()
                .zip(less)
                .map(|(a, b)| queue(a, 0, "service_level") - queue(b, 0, "service_level")),
            LEVEL,
        );
        let (low, _) = interval(step);
        assert!(
            low > 0.0,
            "reserve {} → {}: SL gain {:.4} ± {:.4} not significant",
            reserves[i - 1],
            reserves[i],
            step.mean,
            step.half_width(LEVEL)
        );
        let c = |reps: &[ReplicationMetrics]| estimate(reps, |r| camp(r, 0, "connects"));
        assert!(c(more).mean < c(less).mean);
    }
    // No reserve at all is far outside the tolerance.
    let (low, _) = interval(degradations[0]);
    assert!(
        low > TOLERANCE,
        "reserve 0 degraded SL by only {}",
        degradations[0].mean
    );
}

// ---------------------------------------------------------------------------
// 5. A campaign that never dials changes nothing inbound.

#[test]
fn no_campaign_is_byte_identical() {
    // An empty list of campaigns: either refused as bad input (exit 2,
    // naming the field), or accepted and then exactly the same run as
    // without the field — every output byte for byte.
    let without = blended_center("same", 3, 4, 12, 120.0, None);
    let mut empty = without.clone();
    empty["campaigns"] = json!([]);
    let (_dir, file) = temp_scenario(&empty);
    let out = acdsim()
        .arg("run")
        .arg(&file)
        .arg("--quiet")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        eprintln!("an empty list of campaigns is accepted");
        for args in [
            &["--json", "--per-replication"][..],
            &["--csv"][..],
            &["--intervals"][..],
        ] {
            assert_eq!(
                String::from_utf8(run_binary(&without, args)).unwrap(),
                String::from_utf8(run_binary(&empty, args)).unwrap(),
                "run {args:?}: \"campaigns\": [] differs from no campaigns"
            );
        }
    } else {
        eprintln!("an empty list of campaigns is refused: {err}");
        assert_eq!(out.status.code(), Some(2), "stderr: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("campaigns"), "{err}");
        assert!(out.stdout.is_empty());
    }

    // A campaign whose hours begin at the end of the horizon never dials:
    // every inbound figure, per replication and per interval, is the same
    // as without it, for each way of closing...
    for closing in ["stop", "drain", "disconnect"] {
        let mut without = blended_center("same", 3, 6, 12, 120.0, None);
        without["closing"] = json!(closing);
        assert_inbound_unchanged(&without, &format!("closing {closing}"));
    }
    // ...and for each routing rule, in the shipped multi-skill center with
    // the campaign's skill held (last) by two of its groups.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/multi-skill.json");
    let mut multi: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    multi["replications"] = json!(3);
    multi["skills"]
        .as_array_mut()
        .unwrap()
        .push(json!("outbound"));
    multi["agent_groups"][0]["skills"]["outbound"] = json!(3);
    multi["agent_groups"][2]["skills"]["outbound"] = json!(3);
    for (agents, calls) in [
        ("best_level", "best_level"),
        ("random", "priority"),
        ("round_robin", "longest_waiting"),
        ("fewest_calls", "priority"),
    ] {
        multi["routing"] = json!({ "agent_selection": agents, "call_selection": calls });
        assert_inbound_unchanged(&multi, &format!("multi-skill, {agents}/{calls}"));
    }
}

/// `without` (a scenario without campaigns) and the same with a campaign
/// that never dials give the same inbound figures, byte for byte.
fn assert_inbound_unchanged(without: &Value, what: &str) {
    let mut never = campaign(json!({ "mode": "predictive" }));
    never["hours"] = json!({ "start": "8h", "end": "10h" });
    let mut with = without.clone();
    with["campaigns"] = json!([never]);

    let a = run_json(without, &["--per-replication"]);
    let b = run_json(&with, &["--per-replication"]);
    assert!(a.get("campaigns").is_none());
    assert_eq!(b["campaigns"][0]["name"], "renewals");
    assert_eq!(b["campaigns"][0]["dials"]["mean"], 0.0);
    assert_eq!(b["campaigns"][0]["live_answers"]["mean"], 0.0);
    for key in ["total", "queues", "agent_groups", "calls_generated"] {
        // Byte for byte (the documents keep their key order).
        assert_eq!(
            a[key].to_string(),
            b[key].to_string(),
            "{what}: {key} differs"
        );
    }
    let (pa, pb) = (
        a["per_replication"].as_array().unwrap(),
        b["per_replication"].as_array().unwrap(),
    );
    assert_eq!(pa.len(), without["replications"].as_u64().unwrap() as usize);
    for (ra, rb) in pa.iter().zip(pb) {
        for key in ["total", "queues", "agent_groups"] {
            assert_eq!(ra[key].to_string(), rb[key].to_string(), "{what}: {key}");
        }
    }
}

// ---------------------------------------------------------------------------
// 6. Retries and the calling list.

#[test]
fn retries_and_list_conservation() {
    // A list of 300 records, 3 attempts an hour apart, 10 progressive
    // agents: the fresh records run out within the first hour and every
    // retry is done hours before the end, so each record is dialled until
    // its first live answer or its third attempt: with q = 0.7 the chance of
    // no live answer, E[dials] = N(1 + q + q²) and E[live] = N(1 − q³).
    let (n, k, q) = (300.0, 3.0, 0.7);
    let mut c = campaign(json!({ "mode": "progressive" }));
    c["list_size"] = json!(n as u64);
    c["retry"] = json!({ "delay": { "constant": "1h" }, "max_attempts": k as u64 });
    let exhausted = common::metrics(&outbound_center("list", 5, 40, 10, c));
    for r in &exhausted {
        let (records, dials, live) = (
            camp(r, 0, "records_dialled"),
            camp(r, 0, "dials"),
            camp(r, 0, "live_answers"),
        );
        assert_eq!(records, n, "every record dialled");
        assert_eq!(camp(r, 0, "list_penetration"), 1.0);
        assert!(dials >= records && dials <= records * k, "{dials} dials");
        // At most one live answer per record: live answers are not retried.
        assert!(live <= records, "{live} live answers of {records} records");
        assert_eq!(camp(r, 0, "connects"), live);
        assert_eq!(camp(r, 0, "abandoned"), 0.0);
    }
    assert_ci(
        estimate(&exhausted, |r| camp(r, 0, "dials")),
        n * (1.0 + q + q * q),
        "dials of an exhausted list with 3 attempts",
    );
    assert_ci(
        estimate(&exhausted, |r| camp(r, 0, "live_answers")),
        n * (1.0 - q * q * q),
        "live answers of an exhausted list with 3 attempts",
    );

    // A list too long to finish: penetration is the share dialled.
    let mut c = campaign(json!({ "mode": "progressive" }));
    c["list_size"] = json!(100_000);
    c["retry"] = json!({ "delay": { "constant": "30m" }, "max_attempts": 2 });
    for r in &common::metrics(&outbound_center("long list", 5, 10, 10, c)) {
        let records = camp(r, 0, "records_dialled");
        assert!(records > 500.0 && records < 100_000.0);
        assert_eq!(camp(r, 0, "list_penetration"), records / 100_000.0);
        assert!(camp(r, 0, "dials") <= 2.0 * records);
        assert!(camp(r, 0, "dials") > records, "retries were dialled");
    }

    // Every dial answered live: no retry ever, one dial per record. The
    // predictive dialer (which dials ahead, so some live answers go silent)
    // exhausts 500 records in about 2.5 h of talk: at the end nothing is
    // ringing or waiting, so live answers = dials and every live answer is
    // either connected or silent.
    let mut c = campaign(json!({ "mode": "predictive" }));
    c["outcomes"] = json!({ "live": 1.0 });
    c["list_size"] = json!(500);
    c["retry"] = json!({ "delay": { "constant": "10m" }, "max_attempts": 3 });
    let mut silent = 0.0;
    for r in &common::metrics(&outbound_center("all live", 5, 10, 10, c)) {
        let (records, dials, live) = (
            camp(r, 0, "records_dialled"),
            camp(r, 0, "dials"),
            camp(r, 0, "live_answers"),
        );
        assert_eq!(records, 500.0);
        assert_eq!(dials, records, "no retry when every dial is live");
        assert_eq!(live, dials, "every dial a live answer");
        assert_eq!(
            camp(r, 0, "connects") + camp(r, 0, "abandoned"),
            live,
            "replication {}",
            r.replication
        );
        silent += camp(r, 0, "abandoned");
    }
    assert!(silent > 0.0, "the predictive dialer never dialled ahead");

    // An endless list with a power dialer at 3 lines per idle agent: live
    // answers are connected, silent, or still waiting at the horizon (at
    // most those of its last 2 s of patience).
    let c = campaign(json!({ "mode": "power", "lines_per_free_agent": 3.0 }));
    for r in &common::metrics(&outbound_center("power", 5, 20, 20, c)) {
        let left = camp(r, 0, "live_answers") - camp(r, 0, "connects") - camp(r, 0, "abandoned");
        assert!(camp(r, 0, "abandoned") > 0.0);
        assert!(
            (0.0..=20.0).contains(&left),
            "replication {}: {left} live answers neither connected nor silent",
            r.replication
        );
    }
}

// ---------------------------------------------------------------------------
// 7. Intervals.

#[test]
fn per_interval_counts_add_up() {
    // 08:00–12:00 in 30 min intervals; the campaign dials 09:00–11:00.
    let mut c = campaign(json!({ "mode": "predictive" }));
    c["hours"] = json!({ "start": "09:00", "end": "11:00" });
    c["retry"] = json!({ "delay": { "constant": "20m" }, "max_attempts": 2 });
    c["list_size"] = json!(100_000);
    let mut v = outbound_center("intervals", 0, 1, 15, c);
    v["clock_start"] = json!("08:00");
    v["horizon"] = json!("4h");
    v["interval"] = json!("30m");
    let counts = [
        "dials",
        "live_answers",
        "connects",
        "abandoned",
        "records_dialled",
    ];
    for seed in [3u64, 4, 5] {
        // A single replication: the summary's means are that replication's counts.
        v["seed"] = json!(seed);
        let sc = scenario(&v);
        let s: Summary = run(&sc);
        assert_eq!(s.replications, 1);
        let camp_s = &s.campaigns[0];
        assert_eq!(camp_s.name, "renewals");
        assert_eq!(camp_s.intervals.len(), 8);
        for m in counts {
            let whole = camp_s.get(m).mean;
            let sum: f64 = camp_s.intervals.iter().map(|i| i.get(m).mean).sum();
            assert_eq!(sum, whole, "seed {seed}: {m} by interval vs whole run");
            assert_eq!(whole.fract(), 0.0);
        }
        assert!(
            camp_s.get("abandoned").mean > 0.0,
            "seed {seed}: no silent call"
        );
        for (k, i) in camp_s.intervals.iter().enumerate() {
            let open = (2..6).contains(&k);
            let dials = i.get("dials").mean;
            assert_eq!(
                dials > 0.0,
                open,
                "seed {seed}: {dials} dials in {}",
                i.label
            );
            if k < 2 {
                assert_eq!(i.get("live_answers").mean, 0.0, "{}", i.label);
            }
            if k > 6 {
                // An hour after the close nothing is left ringing.
                assert_eq!(i.get("live_answers").mean, 0.0, "{}", i.label);
            }
        }
        assert_eq!(camp_s.intervals[2].label, "09:00");
    }

    // The same in every replication of a run with a warm-up before 08:00
    // (counted nowhere; the campaign does not dial in it).
    v["replications"] = json!(6);
    v["warmup"] = json!("30m");
    for r in &common::metrics(&v) {
        for m in counts {
            let sum: f64 = (0..8).map(|k| camp_at(r, 0, k, m)).sum();
            assert_eq!(sum, camp(r, 0, m), "replication {}: {m}", r.replication);
        }
    }
}

#[test]
fn outcome_probabilities_apply_by_interval() {
    // Live answers only where the interval's live probability is positive
    // (the outcome's interval decides); elsewhere every dial is retried.
    let mut c = campaign(json!({ "mode": "progressive" }));
    c["outcomes"] = json!({
        "live": [0.3, 0.3, 0.0, 0.0, 0.6, 0.6, 0.3, 0.3],
        "machine": [0.2, 0.2, 0.5, 0.5, 0.1, 0.1, 0.2, 0.2],
    });
    c["retry"] = json!({ "delay": { "constant": "30m" }, "max_attempts": 4 });
    let mut v = outbound_center("by interval", 6, 10, 12, c);
    v["horizon"] = json!("4h");
    v["interval"] = json!("30m");
    let reps = common::metrics(&v);
    for r in &reps {
        for k in 0..8 {
            let (dials, live) = (camp_at(r, 0, k, "dials"), camp_at(r, 0, k, "live_answers"));
            assert!(dials > 0.0, "interval {k}: no dial");
            if k == 2 || k == 3 {
                assert_eq!(live, 0.0, "interval {k}: live answers at probability 0");
            } else {
                assert!(live > 0.0, "interval {k}: no live answer");
            }
        }
    }
    // The live share follows the interval's probability: live answers of
    // the interval over its dials (about 1,700 in interval 5 over the
    // replications, binomial standard error ≈ 0.012, so 0.05 is four of them;
    // dials of the interval's last seconds resolving in the next one blur it
    // a little).
    for (k, p) in [(0, 0.3), (5, 0.6)] {
        let share: f64 = reps
            .iter()
            .map(|r| camp_at(r, 0, k, "live_answers"))
            .sum::<f64>()
            / reps.iter().map(|r| camp_at(r, 0, k, "dials")).sum::<f64>();
        eprintln!("interval {k}: live share {share:.3}, probability {p}");
        assert!((share - p).abs() < 0.05, "interval {k}: live share {share}");
    }
}

// ---------------------------------------------------------------------------
// 8. Reports.

#[test]
fn the_json_lists_campaigns_only_when_there_are_some() {
    let without = blended_center("plain", 8, 3, 12, 120.0, None);
    let mut c = campaign(json!({ "mode": "predictive" }));
    c["list_size"] = json!(5000);
    let with = blended_center("blend", 8, 3, 12, 120.0, Some(c));

    let doc = run_json(&without, &["--per-replication"]);
    assert!(
        doc.get("campaigns").is_none(),
        "campaigns key without campaigns"
    );
    assert!(doc["queues"].is_array());
    for r in doc["per_replication"].as_array().unwrap() {
        assert!(r.get("campaigns").is_none());
    }

    let doc = run_json(&with, &["--per-replication"]);
    let list = doc["campaigns"].as_array().expect("campaigns array");
    assert_eq!(list.len(), 1);
    let camp_doc = &list[0];
    assert_eq!(camp_doc["name"], "renewals");
    for m in CAMPAIGN_METRICS {
        assert!(
            camp_doc[m]["mean"].is_number(),
            "campaigns[0].{m}.mean missing"
        );
        assert!(
            camp_doc[m]["ci95"].is_number(),
            "campaigns[0].{m}.ci95 missing"
        );
    }
    for m in [
        "dials",
        "live_answers",
        "connects",
        "abandoned",
        "abandon_rate",
        "cap_breached",
        "contacts_per_agent_hour",
        "list_penetration",
        "talk_s",
        "idle_between_calls_s",
        "records_dialled",
    ] {
        assert!(camp_doc.get(m).is_some(), "{m} missing");
    }
    assert!(camp_doc["dials"]["mean"].as_f64().unwrap() > 0.0);
    let intervals = camp_doc["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 16);
    assert!(intervals[0]["dials"]["mean"].is_number());
    assert!(intervals[0]["label"].is_string());
    // Campaigns are not queues.
    let queues: Vec<&str> = doc["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert_eq!(queues, ["sales"]);
    let reps = doc["per_replication"].as_array().unwrap();
    assert_eq!(reps.len(), 3);
    for r in reps {
        let c = &r["campaigns"][0];
        assert_eq!(c["name"], "renewals");
        assert!(c["dials"].is_number());
        assert_eq!(c["intervals"].as_array().unwrap().len(), 16);
    }

    let csv_out = String::from_utf8(run_binary(&with, &["--csv"])).unwrap();
    let mut rdr = csv::Reader::from_reader(csv_out.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    for m in CAMPAIGN_METRICS {
        assert!(
            rows.iter().any(|r| &r[0] == "campaign"
                && &r[1] == "renewals"
                && &r[2] == m
                && r[6].is_empty()),
            "no whole-run CSV row for campaign metric {m}"
        );
    }
    let interval_rows = rows
        .iter()
        .filter(|r| &r[0] == "campaign" && &r[2] == "dials" && !r[6].is_empty())
        .count();
    assert_eq!(interval_rows, 16);
    let csv_without = String::from_utf8(run_binary(&without, &["--csv"])).unwrap();
    assert!(!csv_without.lines().any(|l| l.starts_with("campaign,")));

    // The table names the campaign too.
    let table = String::from_utf8(run_binary(&with, &[])).unwrap();
    assert!(table.contains("renewals"), "{table}");
}

// ---------------------------------------------------------------------------
// Occupancy: waiting for a dial's outcome is idle, previewing is work.

#[test]
fn waiting_for_an_outcome_is_idle_and_previewing_is_work() {
    // Outbound-only floor, endless list, agents reserved again the moment
    // they free up: each connect costs a geometric number of dials (mean
    // 1 / p, p = 0.3), each a preview P (busy) then E[dial_time] = 20 s of
    // ringing (idle), then 180 s of talk. Occupancy (handling ÷ logged in) is
    //   progressive: 180 / (180 + 20 / 0.3) = 0.7297,
    //   preview:     (180 + 10 / 0.3) / (180 + 30 / 0.3) = 0.7619;
    // were the reserved time counted as busy, both would be 1.
    // Finite-horizon bias: every agent starts with a wait, so over 8 h the
    // expected occupancy is lower by about 0.001 (Monte Carlo of the
    // alternating renewal process: 0.7286 and 0.7610), a third of the 99.9%
    // half-widths (±0.003).
    let cases = [
        (
            json!({ "mode": "progressive" }),
            180.0 / (180.0 + 20.0 / 0.3),
        ),
        (
            json!({ "mode": "preview", "preview_time": { "constant": "10s" } }),
            (180.0 + 10.0 / 0.3) / (180.0 + 30.0 / 0.3),
        ),
    ];
    for (dialer, theory) in cases {
        let reps = common::metrics(&outbound_center(
            "occupancy",
            31,
            40,
            20,
            campaign(dialer.clone()),
        ));
        assert_ci(
            estimate(&reps, |r| group(r, 0, "occupancy")),
            theory,
            &format!("{dialer} occupancy"),
        );
    }
}

// ---------------------------------------------------------------------------
// Idle time before a connect.

#[test]
fn idle_between_calls_is_the_ringing_before_a_live_answer() {
    // On an outbound-only floor with an endless list, a progressive or
    // preview dialer reserves an agent the moment it frees up and dials
    // for it until a live answer: the number of dials is geometric with
    // mean 1 / p (p = 0.3), each ringing E[dial_time] = 20 s, so the agent
    // waits 20 / 0.3 = 66.7 s before each connect. Previewing a record is
    // work ("time reserved waiting for a dial outcome counts as idle", the
    // preview does not), so the preview dialer's idle time is the same.
    // (As of 9d89fdd the preview check fails at about 89.5 s: the previews
    // of earlier unanswered dials of the same reservation chain are counted
    // as idle, only the last one is subtracted; 89.5 ≈ 66.7 + 10 × (1/0.3 − 1).)
    // Finite-horizon bias: the last, unfinished wait of each agent is left
    // out, which lowers the mean by about (E[I] − E[I at the end]) / (connects
    // per agent) ≈ −13 s / 115 ≈ −0.1 s, well inside the intervals (±0.6 s).
    let theory = 20.0 / 0.3;
    let progressive = common::metrics(&outbound_center(
        "progressive",
        31,
        40,
        20,
        campaign(json!({ "mode": "progressive" })),
    ));
    assert_ci(
        estimate(&progressive, |r| camp(r, 0, "idle_between_calls_s")),
        theory,
        "progressive idle between calls",
    );
    let preview = common::metrics(&outbound_center(
        "preview",
        31,
        40,
        20,
        campaign(json!({ "mode": "preview", "preview_time": { "constant": "10s" } })),
    ));
    assert_ci(
        estimate(&preview, |r| camp(r, 0, "idle_between_calls_s")),
        theory,
        "preview idle between calls",
    );
}

// ---------------------------------------------------------------------------
// Closing "drain" with dials ringing at the horizon.

#[test]
fn drain_closing_resolves_the_dials_ringing_at_the_horizon() {
    // The dialers work until the horizon: with closing "drain" the dials
    // still ringing then have their outcomes after it, and their live
    // answers are connected or go silent during the drain.
    // (As of 9d89fdd this panics, "index out of bounds: the len is 16 but
    // the index is 16": the drain cell has no slot in the dialer's
    // per-interval counts (`Outbound::count`), nor in the campaign queues'
    // call counters (`answer`, `record_abandon`), both sized without it.)
    for dialer in [
        json!({ "mode": "progressive" }),
        json!({ "mode": "predictive" }),
    ] {
        let mut v = outbound_center("drain", 12, 4, 20, campaign(dialer.clone()));
        v["closing"] = json!("drain");
        for r in &common::metrics(&v) {
            let live = camp(r, 0, "live_answers");
            assert!(live > 0.0);
            // Nothing is left waiting once the drain is over.
            assert_eq!(
                camp(r, 0, "connects") + camp(r, 0, "abandoned"),
                live,
                "{dialer}: replication {}",
                r.replication
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The end of a campaign's hours.

#[test]
fn nothing_is_dialled_at_the_instant_a_campaign_closes() {
    // A campaign's hours are [start, end). Its dialer learns it is closed
    // from a wake-up at `end`, but other events of that instant may come
    // first: a shift starting (a floor change, handled before any timed
    // event), or a break ending whose event was scheduled before the
    // campaign's closing wake-up. An agent freed by either must not be
    // given a dial at `end`.
    // (As of 014887d each case places one dial at 600 s, counted in the
    // interval starting there.)
    let campaign = |start: &str| {
        json!({
            "name": "c", "skill": "out", "hours": { "start": start, "end": "600s" },
            "dialer": { "mode": "progressive" }, "dial_time": { "constant": 10 },
            "outcomes": { "live": 1.0 }, "talk_time": { "constant": 60 },
        })
    };
    let center = |shifts: Value, campaign: Value| {
        json!({
            "name": "campaign end", "seed": 1, "replications": 2,
            "horizon": "20m", "interval": "10m",
            "skills": ["out"],
            "queues": [{
                "name": "in", "skill": "out", "arrivals": { "rate_per_hour": [0, 0] },
                "handle_time": { "constant": 60 },
            }],
            "agent_groups": [{ "name": "team", "skills": { "out": 1 }, "shifts": shifts }],
            "campaigns": [campaign],
        })
    };
    // Nobody on the floor while the campaign is open; the shift starts as it closes.
    let shift_starts = center(
        json!([{ "start": "600s", "end": "1200s", "agents": 1 }]),
        campaign("0s"),
    );
    // The only agent is on a break while the campaign is open, back as it
    // closes (the break's end was scheduled at 300 s, the closing at 400 s).
    let break_ends = center(
        json!([{ "start": "0s", "end": "1200s", "agents": 1,
                 "breaks": [{ "start": "300s", "duration": 300 }] }]),
        campaign("400s"),
    );
    for (v, what) in [
        (shift_starts, "a shift starting"),
        (break_ends, "a break ending"),
    ] {
        for st in common::replications(&scenario(&v)) {
            let c = &st.campaigns[0];
            assert_eq!(
                c.intervals.iter().map(|d| d.dials).collect::<Vec<_>>(),
                [0, 0],
                "{what} at the campaign's end: dials by interval"
            );
            assert_eq!(c.calls.calls.answered, 0, "{what}: connects");
        }
    }
}
