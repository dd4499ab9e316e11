//! acdsim against published results of ContactCenters, the Java
//! contact-center simulation library of Eric Buist and Pierre L'Ecuyer
//! (Université de Montréal, built on SSJ): the "Blend call center" example
//! of its user guide (examples volume, section "Blend call center", program
//! Blend.java and its printed output Blend.res), an inbound line and a
//! threshold dialer on agents who serve both. The published figures and
//! their source are in `bench/contactcenters/published.json`; the model
//! mapped onto acdsim is `scenarios/contactcenters-blend.json` (the mapping
//! and where the two models differ: README.md, "Against ContactCenters").
//!
//! - The scenario encodes the program's inputs (checked from the program's
//!   own constants).
//! - Every figure acdsim can compute the way the program does agrees with the
//!   published one: |acdsim − published| ≤ t(0.9995) × √(se_acdsim² +
//!   se_published²) + half a unit of the last printed digit, i.e. the two
//!   estimates are not different at the 0.1% level (the level of the other
//!   statistical checks of the suite), both over 1,000 independent days. The
//!   published standard errors come from the printed 95% intervals (or the
//!   printed standard deviations over 1,000 days). The seed is fixed: the
//!   outcome is reproducible.
//! - The comparison has power: the same check rejects the neighbouring dialer
//!   policies (2 → 1.5 lines per free agent, a free-agent threshold of 3 or
//!   5 instead of 4).
//! - The data file is complete: every published figure is either compared
//!   or says what acdsim lacks to compute it.

mod common;

use acdsim::report::{student_t_quantile, ReplicationMetrics};
use acdsim::stats::{AGENT_METRICS, CALL_METRICS, CAMPAIGN_METRICS};
use serde_json::Value;

const PUBLISHED: &str = include_str!("../bench/contactcenters/published.json");
const SCENARIO: &str = include_str!("../scenarios/contactcenters-blend.json");

/// Figures compared with the published ones. `queue_inbound` (derived by
/// Little's law, and the waiting time again) is shown by the bench script
/// but not asserted; the outbound waits are not reported by acdsim.
const COMPARED: [&str; 17] = [
    "tried_outbound",
    "arrived_inbound",
    "arrived_outbound",
    "arrived_all",
    "served_inbound",
    "served_outbound",
    "served_all",
    "abandoned_inbound",
    "abandoned_outbound",
    "abandoned_all",
    "not_in_target",
    "service_level",
    "occupancy_inbound",
    "occupancy_blend",
    "occupancy_all",
    "wait_inbound",
    "posWait_inbound",
];

/// The figures that need the run with a 0 s threshold.
const NEEDS_ZERO_THRESHOLD: [&str; 1] = ["posWait_inbound"];

// ---------------------------------------------------------------------------
// Running the scenario.

fn doc() -> Value {
    serde_json::from_str(SCENARIO).expect("the scenario is JSON")
}

/// The same scenario with a 0 s threshold: the threshold only counts, so
/// the same seed simulates the same days, and `answered_within_threshold`
/// counts the calls answered without waiting.
fn zero_threshold(v: &Value) -> Value {
    let mut v = v.clone();
    v["service_level_threshold"] = "0s".into();
    v
}

fn at(names: &[&str], metric: &str) -> usize {
    names
        .iter()
        .position(|m| *m == metric)
        .unwrap_or_else(|| panic!("no metric named {metric}"))
}

/// `metric` of the inbound queue, whole run.
fn inbound(r: &ReplicationMetrics, metric: &str) -> f64 {
    let x = r.queues[0].whole[at(&CALL_METRICS, metric)];
    if x.is_nan() {
        0.0 // a mean wait with nothing to average counts for nothing
    } else {
        x
    }
}

/// `metric` of the campaign, whole run.
fn outbound(r: &ReplicationMetrics, metric: &str) -> f64 {
    r.campaigns[0].whole[at(&CAMPAIGN_METRICS, metric)]
}

/// Busy and logged-in agent-hours of group `g` over 8:00–14:00 (the three
/// intervals; the drain after 14:00 is left out, as the program leaves out
/// its wrap-up period).
fn group_hours(r: &ReplicationMetrics, g: usize) -> (f64, f64) {
    let (occ, logged) = (
        at(&AGENT_METRICS, "occupancy"),
        at(&AGENT_METRICS, "logged_in_hours"),
    );
    r.groups[g].intervals[..3]
        .iter()
        .fold((0.0, 0.0), |(b, l), cell| {
            let occupancy = if cell[occ].is_nan() { 0.0 } else { cell[occ] };
            (b + occupancy * cell[logged], l + cell[logged])
        })
}

// ---------------------------------------------------------------------------
// Estimators, as the program's: means of daily counts, ratios of means.

/// Mean and its standard error.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// `scale` × mean(xs) / mean(ys) and its delta-method standard error (the
/// program's FunctionOfMultipleMeansTally with a delta-method interval).
fn ratio_se(xs: &[f64], ys: &[f64], scale: f64) -> (f64, f64) {
    let (mx, _) = mean_se(xs);
    let (my, _) = mean_se(ys);
    let r = mx / my;
    let d: Vec<f64> = xs.iter().zip(ys).map(|(x, y)| x - r * y).collect();
    let (_, se_d) = mean_se(&d);
    (scale * r, scale * se_d / my)
}

/// acdsim's value and standard error of each figure it can compute, by the
/// program's definitions (see `acdsim` in published.json). With `zero`
/// (the 0 s-threshold run of the same days) also `posWait_inbound`.
fn figures(
    reps: &[ReplicationMetrics],
    zero: Option<&[ReplicationMetrics]>,
) -> Vec<(&'static str, f64, f64)> {
    let col = |f: &dyn Fn(&ReplicationMetrics) -> f64| reps.iter().map(f).collect::<Vec<f64>>();
    let arrived_in = |r: &ReplicationMetrics| inbound(r, "offered") + inbound(r, "blocked");
    let not_in_target = |r: &ReplicationMetrics| {
        inbound(r, "answered") - inbound(r, "answered_within_threshold") + inbound(r, "abandoned")
            - inbound(r, "abandoned_within_threshold")
    };
    let wait_min = |r: &ReplicationMetrics| {
        (inbound(r, "answered") * inbound(r, "asa_s")
            + inbound(r, "abandoned") * inbound(r, "abandoned_wait_s"))
            / 60.0
    };
    let mut out = vec![
        ("tried_outbound", mean_se(&col(&|r| outbound(r, "dials")))),
        ("arrived_inbound", mean_se(&col(&arrived_in))),
        (
            "arrived_outbound",
            mean_se(&col(&|r| outbound(r, "live_answers"))),
        ),
        (
            "arrived_all",
            mean_se(&col(&|r| arrived_in(r) + outbound(r, "live_answers"))),
        ),
        ("served_inbound", mean_se(&col(&|r| inbound(r, "answered")))),
        (
            "served_outbound",
            mean_se(&col(&|r| outbound(r, "connects"))),
        ),
        (
            "served_all",
            mean_se(&col(&|r| inbound(r, "answered") + outbound(r, "connects"))),
        ),
        (
            "abandoned_inbound",
            mean_se(&col(&|r| inbound(r, "abandoned") + inbound(r, "blocked"))),
        ),
        (
            "abandoned_outbound",
            mean_se(&col(&|r| outbound(r, "abandoned"))),
        ),
        (
            "abandoned_all",
            mean_se(&col(&|r| {
                inbound(r, "abandoned") + inbound(r, "blocked") + outbound(r, "abandoned")
            })),
        ),
        ("not_in_target", mean_se(&col(&not_in_target))),
        (
            "service_level",
            ratio_se(
                &col(&|r| arrived_in(r) - not_in_target(r)),
                &col(&arrived_in),
                100.0,
            ),
        ),
        (
            "occupancy_inbound",
            ratio_se(
                &col(&|r| group_hours(r, 0).0),
                &col(&|r| group_hours(r, 0).1),
                100.0,
            ),
        ),
        (
            "occupancy_blend",
            ratio_se(
                &col(&|r| group_hours(r, 1).0),
                &col(&|r| group_hours(r, 1).1),
                100.0,
            ),
        ),
        (
            "occupancy_all",
            ratio_se(
                &col(&|r| group_hours(r, 0).0 + group_hours(r, 1).0),
                &col(&|r| group_hours(r, 0).1 + group_hours(r, 1).1),
                100.0,
            ),
        ),
        (
            "wait_inbound",
            ratio_se(&col(&wait_min), &col(&arrived_in), 1.0),
        ),
    ];
    if let Some(zero) = zero {
        assert_eq!(reps.len(), zero.len());
        let pos_wait: Vec<f64> = reps
            .iter()
            .zip(zero)
            .map(|(r, z)| {
                // The same days: the threshold changes nothing but the counting.
                assert_eq!(inbound(r, "offered"), inbound(z, "offered"));
                assert_eq!(inbound(r, "answered"), inbound(z, "answered"));
                assert_eq!(inbound(r, "abandoned"), inbound(z, "abandoned"));
                inbound(r, "answered") - inbound(z, "answered_within_threshold")
                    + inbound(r, "abandoned")
                    + inbound(r, "blocked")
            })
            .collect();
        out.push(("posWait_inbound", mean_se(&pos_wait)));
    }
    out.into_iter().map(|(id, (m, se))| (id, m, se)).collect()
}

// ---------------------------------------------------------------------------
// The published figures.

struct Published {
    value: f64,
    /// Standard error of the published mean.
    se: f64,
    /// Half a unit of the last printed digit.
    rounding: f64,
    n: f64,
}

fn published_doc() -> Value {
    serde_json::from_str(PUBLISHED).expect("published.json is JSON")
}

fn published(id: &str) -> Published {
    let doc = published_doc();
    let f = doc["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no published figure {id}"));
    let n = doc["source"]["replications"].as_f64().unwrap();
    let se = match f.get("ci") {
        Some(ci) => {
            let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
            (hi - lo) / 2.0 / student_t_quantile(0.975, n - 1.0)
        }
        None => f["sd"].as_f64().unwrap() / f["n"].as_f64().unwrap().sqrt(),
    };
    Published {
        value: f["value"].as_f64().unwrap(),
        se,
        rounding: 0.5 * 10f64.powi(-(f["decimals"].as_i64().unwrap() as i32)),
        n,
    }
}

/// Whether acdsim's (mean, se) over `n` days and the published figure are
/// not different at the 0.1% level; also the difference in standard errors.
fn agrees(id: &str, mean: f64, se: f64, n: usize) -> (bool, f64) {
    let p = published(id);
    let se_diff = se.hypot(p.se);
    let df = (n.min(p.n as usize) - 1) as f64;
    let bound = student_t_quantile(0.9995, df) * se_diff + p.rounding;
    let diff = mean - p.value;
    (diff.abs() <= bound, diff / se_diff)
}

// ---------------------------------------------------------------------------
// Tests.

#[test]
fn the_scenario_is_the_published_model() {
    // Blend.java's inputs (its times are in minutes; here in seconds).
    let v = doc();
    let close = |x: &Value, want: f64, what: &str| {
        let x = x
            .as_f64()
            .unwrap_or_else(|| panic!("{what}: not a number: {x}"));
        assert!(
            (x - want).abs() <= 1e-6 * want.abs().max(1.0),
            "{what}: {x} ≠ {want}"
        );
    };
    assert_eq!(v["horizon"], "6h");
    assert_eq!(v["interval"], "2h");
    assert_eq!(v["clock_start"], "08:00");
    assert_eq!(v["closing"], "drain");
    assert_eq!(v["service_level_threshold"], "20s");
    assert_eq!(
        v["replications"].as_u64(),
        published_doc()["source"]["replications"].as_u64()
    );
    // Busyness B ~ gamma(29.7, 29.7): mean 1, coefficient of variation 1/√29.7.
    close(&v["volume_cv"], 1.0 / 29.7f64.sqrt(), "volume_cv");
    let q = &v["queues"][0];
    // ARRIVALRATES = {68.45, 72.93, 71.92} per half hour.
    for (k, per_half_hour) in [68.45, 72.93, 71.92].into_iter().enumerate() {
        close(
            &q["arrivals"]["rate_per_hour"][k],
            2.0 * per_half_hour,
            "rate",
        );
    }
    // Gamma(α = 0.755, scale β = 753.8 s): mean αβ, sd √α β.
    let (alpha, beta) = (0.755f64, 753.8f64);
    close(
        &q["handle_time"]["gamma"]["mean"],
        alpha * beta,
        "service mean",
    );
    close(
        &q["handle_time"]["gamma"]["sd"],
        alpha.sqrt() * beta,
        "service sd",
    );
    assert_eq!(q["patience"]["exponential"]["mean"], "500s");
    close(&q["balk_probability"], 0.005, "PROBBALK");
    assert_eq!(q["max_waiting"], 80);
    assert!(q.get("wrap_up").is_none());
    let g = &v["agent_groups"];
    assert_eq!(g[0]["skills"], serde_json::json!({ "inbound": 1 }));
    assert_eq!(g[0]["staffing"], serde_json::json!([23, 23, 21]));
    assert_eq!(
        g[1]["skills"],
        serde_json::json!({ "outbound": 1, "inbound": 2 })
    );
    assert_eq!(g[1]["staffing"], serde_json::json!([16, 18, 16]));
    assert_eq!(v["routing"]["agent_selection"], "best_level");
    assert_eq!(v["routing"]["call_selection"], "best_level");
    let c = &v["campaigns"][0];
    assert_eq!(c["hours"]["start"], "11:00");
    assert_eq!(c["hours"]["end"], "13:55");
    assert_eq!(c["dialer"]["mode"], "power");
    close(&c["dialer"]["lines_per_free_agent"], 2.0, "KAPPA");
    assert_eq!(c["dialer"]["min_free_agents"], 4);
    assert!(c.get("dial_time").is_none(), "no dial delay");
    assert!(c.get("retry").is_none() && c.get("list_size").is_none());
    assert!(c.get("inbound_reserve").is_none());
    for (k, p) in [0.28, 0.29, 0.29].into_iter().enumerate() {
        close(&c["outcomes"]["live"][k], p, "PROBREACH");
    }
    assert_eq!(c["talk_time"]["exponential"]["mean"], "440.2s");
    assert_eq!(c["patience"]["constant"], "5s");
}

#[test]
fn acdsim_reproduces_the_published_blend_figures() {
    let v = doc();
    let reps = common::metrics(&v);
    let zero = common::metrics(&zero_threshold(&v));
    let n = reps.len();
    assert_eq!(n, 1000);
    let figs = figures(&reps, Some(&zero));
    assert_eq!(
        figs.iter().map(|f| f.0).collect::<Vec<_>>(),
        COMPARED.to_vec()
    );
    let mut failures = Vec::new();
    for (id, mean, se) in figs {
        let p = published(id);
        let (ok, z) = agrees(id, mean, se, n);
        // Shown with `--nocapture`.
        eprintln!(
            "{id:20} acdsim {mean:10.4} ± {:7.4}  published {:10.4} ± {:7.4}  z = {z:+.2}",
            1.96 * se,
            p.value,
            1.96 * p.se
        );
        if !ok {
            failures.push(format!(
                "{id}: acdsim {mean:.4} (se {se:.4}), published {:.4} (se {:.4}), z = {z:.2}",
                p.value, p.se
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_published_figures_pin_down_the_dialer() {
    // Each neighbouring policy differs from the published figures by more
    // than the 0.1% bound on some figure: the agreement above is evidence
    // for the threshold policy of the example, not a loose check.
    let variants: [(&str, Value); 3] = [
        ("lines_per_free_agent", 1.5.into()),
        ("min_free_agents", 3.into()),
        ("min_free_agents", 5.into()),
    ];
    for (field, value) in variants {
        let mut v = doc();
        v["campaigns"][0]["dialer"][field] = value.clone();
        let reps = common::metrics(&v);
        let rejected: Vec<String> = figures(&reps, None)
            .into_iter()
            .filter_map(|(id, mean, se)| {
                let (ok, z) = agrees(id, mean, se, reps.len());
                (!ok).then(|| format!("{id} (z = {z:.1})"))
            })
            .collect();
        eprintln!("{field} = {value}: rejected by {}", rejected.join(", "));
        assert!(
            !rejected.is_empty(),
            "{field} = {value} agrees with every published figure"
        );
    }
}

#[test]
fn every_published_figure_is_compared_or_says_what_is_missing() {
    let doc = published_doc();
    let figs = doc["figures"].as_array().unwrap();
    for f in figs {
        let id = f["id"].as_str().unwrap();
        assert!(f["value"].is_number() && f["decimals"].is_u64(), "{id}");
        assert!(
            f.get("ci").is_some() != f.get("sd").is_some(),
            "{id}: an interval or a standard deviation"
        );
        if f["acdsim"].is_null() {
            assert!(
                f["missing"].as_str().is_some_and(|m| !m.is_empty()),
                "{id}: not computed by acdsim, and no reason given"
            );
            assert!(!COMPARED.contains(&id), "{id}");
        } else {
            assert!(
                COMPARED.contains(&id) || id == "queue_inbound",
                "{id} has a mapping but is not compared"
            );
        }
        if let Some(ci) = f.get("ci") {
            let (lo, hi, x) = (
                ci[0].as_f64().unwrap(),
                ci[1].as_f64().unwrap(),
                f["value"].as_f64().unwrap(),
            );
            assert!(
                lo < x && x < hi,
                "{id}: the printed interval holds the mean"
            );
        }
    }
    for id in COMPARED.iter().chain(&NEEDS_ZERO_THRESHOLD) {
        assert!(figs.iter().any(|f| f["id"] == *id), "{id} not published");
    }
}
