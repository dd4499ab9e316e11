//! The real `acdsim` binary on the time features: per-interval tables,
//! CSV and JSON with interval labels (clock times, offsets, "drain"),
//! per-replication values, the same bytes whatever the threads, what-if
//! sweeps, the staffing search and the schema; and bad input for every time
//! field refused with exit code 2 and the JSON path of the problem.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn acdsim() -> Command {
    Command::cargo_bin("acdsim").expect("binary built")
}

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Runs `acdsim ARGS`, asserts success, returns stdout.
fn stdout_of(args: &[&str]) -> String {
    let out = acdsim().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "acdsim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Runs `acdsim ARGS` expecting bad input: exit code 2, nothing on stdout,
/// no panic; returns stderr.
fn bad_input(args: &[&str]) -> String {
    let out = acdsim().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "acdsim {args:?}: {err}");
    assert!(!err.contains("panicked"), "acdsim {args:?} panicked: {err}");
    assert!(
        out.stdout.is_empty(),
        "acdsim {args:?}: output on bad input"
    );
    err
}

fn write(dir: &Path, name: &str, doc: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

/// A small scenario: two intervals of an hour from 09:00, a group by count
/// and one by a staffing list (with shrinkage), a drain at the end.
fn small() -> Value {
    json!({
        "name": "small", "seed": 7, "horizon": "2h", "interval": "1h", "clock_start": "09:00",
        "replications": 3, "closing": "drain",
        "skills": ["s"],
        "queues": [{
            "name": "q", "skill": "s", "arrivals": { "rate_per_hour": [60, 120] },
            "handle_time": { "exponential": { "mean": "3m" } },
            "patience": { "exponential": { "mean": "2m" } },
        }],
        "agent_groups": [
            { "name": "team", "count": 4, "skills": { "s": 1 }, "cost_per_hour": 20 },
            { "name": "late", "staffing": [1, 2], "skills": { "s": 2 }, "shrinkage": 0.1 },
        ],
    })
}

fn lines_fit(text: &str, what: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "{what}: a line of {} columns:\n{line}",
            line.chars().count()
        );
    }
}

#[test]
fn run_intervals_prints_clock_labelled_tables_within_100_columns() {
    let fd = scenario_path("full-day.json");
    let text = stdout_of(&["run", "-r", "2", "--intervals", fd.to_str().unwrap()]);
    assert!(text.contains("per interval"), "{text}");
    // Every interval of 08:00-21:00 by its clock time, then the drain.
    for label in ["08:00", "08:30", "12:30", "20:30", "drain"] {
        assert!(
            text.lines().any(|l| l.starts_with(label)),
            "no row {label}:\n{text}"
        );
    }
    assert!(!text.lines().any(|l| l.starts_with("21:00")), "{text}");
    for name in ["billing", "tech support", "sales", "seniors"] {
        assert!(text.contains(name), "no table for {name}");
    }
    for name in ["full-day", "mmc-abandon", "multi-skill"] {
        let path = scenario_path(&format!("{name}.json"));
        let path = path.to_str().unwrap();
        lines_fit(&stdout_of(&["run", "-r", "2", path]), name);
        let with_intervals = stdout_of(&["run", "-r", "2", "--intervals", path]);
        lines_fit(&with_intervals, &format!("{name} --intervals"));
        if name == "mmc-abandon" {
            // No clock_start: intervals are labelled by their offset.
            assert!(
                with_intervals.lines().any(|l| l.starts_with("+1:30")),
                "{with_intervals}"
            );
        }
    }
}

#[test]
fn csv_rows_carry_their_interval_label() {
    let fd = scenario_path("full-day.json");
    let text = stdout_of(&["run", "-r", "2", "--csv", fd.to_str().unwrap()]);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap(),
        vec!["scope", "name", "metric", "mean", "ci95", "n", "interval"]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let offered = |scope: &str, name: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| &r[0] == scope && &r[1] == name && &r[2] == "offered")
            .map(|r| r[6].to_string())
            .collect()
    };
    // The whole run first (empty interval), then one row per interval, then the drain.
    let mut want = vec![String::new()];
    want.extend((0..26).map(|k| format!("{:02}:{:02}", 8 + k / 2, (k % 2) * 30)));
    want.push("drain".into());
    assert_eq!(offered("total", "total"), want);
    // Every metric of every scope: one whole-run row, then one per label.
    let mut per_metric = std::collections::BTreeMap::<(String, String, String), Vec<String>>::new();
    for r in &rows {
        assert_eq!(r.len(), 7, "{r:?}");
        let key = (r[0].to_string(), r[1].to_string(), r[2].to_string());
        per_metric.entry(key).or_default().push(r[6].to_string());
    }
    for (key, labels) in &per_metric {
        assert_eq!(labels, &want, "{key:?}");
    }
    assert_eq!(offered("queue", "tech support"), want);
    let staffed: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[0] == "agent_group" && &r[1] == "seniors" && &r[2] == "staffed_hours")
        .collect();
    assert_eq!(staffed.len(), 28);
    assert_eq!(&staffed[0][6], "");
    // Two shifts of 3 agents, 08:00-16:30 and 12:30-21:00: 51 paid hours, exactly.
    assert_eq!(staffed[0][3].parse::<f64>(), Ok(51.0));
    assert_eq!(&staffed[1][6], "08:00");
    assert_eq!(staffed[1][3].parse::<f64>(), Ok(1.5));
}

#[test]
fn per_replication_json_gives_each_replications_plain_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.json", &small());
    let text = stdout_of(&["run", "-r", "3", "--json", "--per-replication", &path]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let reps = doc["per_replication"].as_array().expect("per_replication");
    assert_eq!(reps.len(), 3);
    let plain = |block: &Value, what: &str| {
        let obj = block.as_object().unwrap();
        for (k, v) in obj {
            match k.as_str() {
                "name" => assert!(v.is_string()),
                "intervals" => {
                    let cells = v.as_array().unwrap();
                    // Two intervals and the drain.
                    let labels: Vec<&str> =
                        cells.iter().map(|c| c["label"].as_str().unwrap()).collect();
                    assert_eq!(labels, ["09:00", "10:00", "drain"], "{what}");
                    for c in cells {
                        assert!(c["start_s"].is_number(), "{what}");
                        for (m, x) in c.as_object().unwrap() {
                            assert!(x.is_number() || x.is_null() || m == "label", "{what}.{m}");
                        }
                    }
                }
                _ => assert!(v.is_number() || v.is_null(), "{what}.{k} = {v}"),
            }
        }
    };
    for (i, r) in reps.iter().enumerate() {
        assert_eq!(r["replication"], i);
        plain(&r["total"], "total");
        assert!(r["total"]["offered"].is_number());
        assert!(r["total"]["handled"].is_number());
        assert_eq!(r["queues"].as_array().unwrap().len(), 1);
        assert_eq!(r["agent_groups"].as_array().unwrap().len(), 2);
        for q in r["queues"].as_array().unwrap() {
            plain(q, "queue");
        }
        for g in r["agent_groups"].as_array().unwrap() {
            plain(g, "group");
            assert!(g["staffed_hours"].is_number());
        }
    }
    // The per-replication offered calls average to the summary's mean.
    let mean: f64 = reps
        .iter()
        .map(|r| r["total"]["offered"].as_f64().unwrap())
        .sum::<f64>()
        / 3.0;
    let summary = doc["total"]["offered"]["mean"].as_f64().unwrap();
    assert!((mean - summary).abs() < 1e-9, "{mean} vs {summary}");

    let err = bad_input(&["run", "-r", "3", "--per-replication", &path]);
    assert!(err.contains("--json"), "{err}");
}

#[test]
fn json_has_interval_arrays_everywhere_and_the_new_metrics() {
    let fd = scenario_path("full-day.json");
    let text = stdout_of(&["run", "-r", "2", "--json", fd.to_str().unwrap()]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["closing"], "drain");
    assert_eq!(doc["clock_start"], "08:00");
    let check_intervals = |scope: &Value, what: &str| {
        let cells = scope["intervals"]
            .as_array()
            .unwrap_or_else(|| panic!("{what}"));
        assert_eq!(cells.len(), 27, "{what}: 26 intervals and the drain");
        for (k, c) in cells.iter().enumerate() {
            assert_eq!(c["start_s"].as_f64(), Some(k as f64 * 1800.0), "{what}");
            assert!(c["label"].is_string(), "{what}");
        }
        assert_eq!(cells[0]["label"], "08:00", "{what}");
        assert_eq!(cells[25]["label"], "20:30", "{what}");
        assert_eq!(cells[26]["label"], "drain", "{what}");
    };
    check_intervals(&doc["total"], "total");
    for q in doc["queues"].as_array().unwrap() {
        check_intervals(q, q["name"].as_str().unwrap());
    }
    for g in doc["agent_groups"].as_array().unwrap() {
        check_intervals(g, g["name"].as_str().unwrap());
    }
    let call_metrics = [
        "blocked",
        "balked",
        "disconnected",
        "answered_within_threshold",
        "abandoned_within_threshold",
        "service_level_of_answered",
        "service_level_excl_short_abandons",
        "sl_target_met",
    ];
    let agent_metrics = ["staffed_hours", "overtime_hours", "cost"];
    let has = |scope: &Value, metric: &str, what: &str| {
        let m = &scope[metric];
        assert!(
            m.get("mean").is_some() && m.get("ci95").is_some(),
            "{what}.{metric}: {m}"
        );
        let first = &scope["intervals"][0][metric];
        assert!(first.get("mean").is_some(), "{what}.intervals[0].{metric}");
    };
    for m in call_metrics.iter().chain(&agent_metrics) {
        has(&doc["total"], m, "total");
    }
    has(&doc["total"], "cost_per_handled_call", "total");
    for q in doc["queues"].as_array().unwrap() {
        for m in call_metrics {
            has(q, m, "queue");
        }
    }
    for g in doc["agent_groups"].as_array().unwrap() {
        for m in agent_metrics {
            has(g, m, "group");
        }
    }
    // full-day has a service-level target and costs: those are defined.
    assert!(doc["total"]["sl_target_met"]["mean"].is_number());
    assert!(doc["total"]["cost"]["mean"].as_f64().unwrap() > 0.0);
    assert!(
        doc["total"]["cost_per_handled_call"]["mean"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[test]
fn json_is_byte_identical_on_one_and_two_threads() {
    let fd = scenario_path("full-day.json");
    let fd = fd.to_str().unwrap();
    let one = stdout_of(&["run", "-r", "4", "--json", "-t", "1", fd]);
    let two = stdout_of(&["run", "-r", "4", "--json", "-t", "2", fd]);
    assert!(one == two, "-t 1 and -t 2 differ");
}

#[test]
fn sweep_runs_every_combination_as_a_table_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.json", &small());
    let sets = [
        "--set",
        "agent_groups.team.count=2..4",
        "--set",
        "queues.*.arrivals.scale=1,1.5",
    ];
    let args = |extra: &[&'static str]| {
        let mut a: Vec<&str> = vec!["sweep", &path, "-r", "2"];
        a.extend(sets);
        a.extend(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |extra: &[&'static str]| {
        let a = args(extra);
        stdout_of(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let table = run(&[]);
    assert!(table.contains("6 variants"), "{table}");
    assert!(table.contains("agent_groups.team.count"), "{table}");
    assert!(table.contains("queues.*.arrivals.scale"), "{table}");
    for row in ["#1", "#6"] {
        assert!(table.lines().any(|l| l.starts_with(row)), "{table}");
    }
    lines_fit(&table, "sweep table");

    let doc: Value = serde_json::from_str(&run(&["--json"])).unwrap();
    assert_eq!(
        doc["settings"],
        json!(["agent_groups.team.count", "queues.*.arrivals.scale"])
    );
    let variants = doc["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 6);
    // The first setting varies slowest.
    let settings: Vec<(i64, f64)> = variants
        .iter()
        .map(|v| {
            (
                v["settings"]["agent_groups.team.count"].as_i64().unwrap(),
                v["settings"]["queues.*.arrivals.scale"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        settings,
        [(2, 1.0), (2, 1.5), (3, 1.0), (3, 1.5), (4, 1.0), (4, 1.5)]
    );
    for v in variants {
        assert!(v["total"]["service_level"]["mean"].is_number());
        assert_eq!(v["queues"].as_array().unwrap().len(), 1);
        let groups = v["agent_groups"].as_array().unwrap();
        assert_eq!(
            groups[0]["agents"]["mean"].as_f64(),
            v["settings"]["agent_groups.team.count"].as_f64()
        );
        assert!(v["total"]["intervals"].is_array());
    }
    // Common random numbers: the same callers whatever the staffing.
    assert_eq!(
        variants[0]["total"]["offered"],
        variants[2]["total"]["offered"]
    );

    let csv_text = run(&["--csv"]);
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(&header[0], "agent_groups.team.count");
    assert_eq!(&header[1], "queues.*.arrivals.scale");
    assert!(header.iter().any(|h| h == "service_level"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 6, "one row per variant");
    assert_eq!((&rows[3][0], &rows[3][1]), ("3", "1.5"));
}

#[test]
fn bad_sweep_settings_exit_2_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.json", &small());
    let cases: [(&str, &[&str]); 7] = [
        ("agent_groups.nobody.count=3", &["nobody", "team, late"]),
        (
            "queues.q.colour.scale=2",
            &["colour.scale", "not an operation"],
        ),
        (
            "agent_groups.late.count=3",
            &["agent_groups.late", "staffing"],
        ),
        ("queues.*.arrivals.scale=x", &["scale needs a number", "x"]),
        ("agent_groups.team.count=", &["empty value"]),
        ("queues.*.arrivals.scale=1,,2", &["empty value"]),
        // A variant the reader refuses: the setting and the JSON path.
        (
            "agent_groups.team.count=3,-1",
            &["agent_groups.team.count=-1", "agent_groups[0].count"],
        ),
    ];
    for (set, expected) in cases {
        let err = bad_input(&["sweep", &path, "-r", "1", "--set", set]);
        let name = set.split('=').next().unwrap();
        assert!(err.contains(name), "--set {set}: {err}");
        for e in expected {
            assert!(err.contains(e), "--set {set}: should mention {e:?}: {err}");
        }
    }
}

#[test]
fn staff_prints_erlang_columns_and_writes_a_valid_staffed_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = small();
    sc["closing"] = json!("stop");
    let input = write(dir.path(), "small.json", &sc);
    let out = dir.path().join("staffed.json");
    let out = out.to_str().unwrap();
    let text = stdout_of(&[
        "staff",
        &input,
        "--service-level",
        "80/20s",
        "-r",
        "4",
        "-o",
        out,
    ]);
    for word in ["Erlang C", "Erlang A", "09:00", "10:00", "team", "late"] {
        assert!(text.contains(word), "{word}:\n{text}");
    }
    lines_fit(&text, "staff");
    let validated = stdout_of(&["validate", out]);
    assert!(validated.contains("ok"), "{validated}");
    let staffed: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    for g in staffed["agent_groups"].as_array().unwrap() {
        let list = g["staffing"].as_array().unwrap_or_else(|| panic!("{g}"));
        assert_eq!(list.len(), 2, "{g}");
        assert!(g.get("count").is_none(), "{g}");
    }
    // The rest of the scenario is kept.
    assert_eq!(staffed["queues"], sc["queues"]);
    assert_eq!(staffed["clock_start"], "09:00");
    // A group named twice is staffed once.
    let json = stdout_of(&[
        "staff",
        &input,
        "--service-level",
        "80/20s",
        "-r",
        "2",
        "--group",
        "team",
        "--group",
        "team",
        "--json",
    ]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["groups"], json!(["team"]), "{doc}");
}

#[test]
fn staff_never_overwrites_a_file_without_force_nor_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = small();
    sc["closing"] = json!("stop");
    let input = write(dir.path(), "small.json", &sc);
    let before = std::fs::read_to_string(&input).unwrap();
    let existing = dir.path().join("existing.json");
    std::fs::write(&existing, "keep me").unwrap();
    let existing = existing.to_str().unwrap();
    let base = [
        "staff",
        input.as_str(),
        "--service-level",
        "80/20s",
        "-r",
        "2",
    ];

    let mut args = base.to_vec();
    args.extend(["-o", existing]);
    let err = bad_input(&args);
    assert!(err.contains("exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(existing).unwrap(), "keep me");

    let mut args = base.to_vec();
    args.extend(["-o", &input, "--force"]);
    let err = bad_input(&args);
    assert!(err.contains("scenario being read"), "{err}");
    assert_eq!(std::fs::read_to_string(&input).unwrap(), before);

    // With --force another existing file is replaced.
    let mut args = base.to_vec();
    args.extend(["-o", existing, "--force"]);
    stdout_of(&args);
    stdout_of(&["validate", existing]);
}

#[test]
fn bad_staff_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "small.json", &small());
    for sl in [
        "100/20s", "0/20s", "150/20s", "abc", "80", "80/xyz", "80/-5s", "/20s",
    ] {
        let err = bad_input(&["staff", &input, "--service-level", sl]);
        assert!(err.contains("--service-level"), "{sl}: {err}");
    }
    let err = bad_input(&[
        "staff",
        &input,
        "--service-level",
        "80/20s",
        "--group",
        "nobody",
    ]);
    assert!(err.contains("nobody") && err.contains("team"), "{err}");
    // An output into a directory that does not exist is refused before the work.
    let missing = dir.path().join("no-such-dir").join("staffed.json");
    let err = bad_input(&[
        "staff",
        &input,
        "--service-level",
        "80/20s",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert!(err.contains("no directory"), "{err}");
}

#[test]
fn staffing_one_group_that_cannot_lift_the_service_level_says_why() {
    // In the full day, sales agents reach billing calls only after a 30 s
    // overflow wait: more of them never bring billing to 80% within 20 s.
    let out = acdsim()
        .arg("staff")
        .arg(scenario_path("full-day.json"))
        .args(["--service-level", "80/20s", "--group", "sales team"])
        .args(["-r", "3", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the targets cannot be met") && err.contains("staff more groups with --group"),
        "{err}"
    );
}

#[test]
fn schema_prints_a_json_schema() {
    let text = stdout_of(&["schema"]);
    let doc: Value = serde_json::from_str(&text).expect("the schema is JSON");
    assert_eq!(
        doc["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    for field in ["interval", "clock_start", "closing", "lines", "volume_cv"] {
        assert!(doc["properties"].get(field).is_some(), "{field}");
    }
}

/// A valid scenario using every time field, for the edits below.
fn timed() -> Value {
    json!({
        "name": "timed", "horizon": "2h", "interval": "1h", "clock_start": "09:00",
        "skills": ["s"],
        "queues": [{
            "name": "q", "skill": "s", "arrivals": { "rate_per_hour": [60, 0] },
            "handle_time": [{ "exponential": { "mean": "3m" } }, { "constant": "2m" }],
            "patience": { "exponential": { "mean": "2m" } },
            "wrap_up": [{ "constant": "10s" }, { "constant": "20s" }],
            "overflow": [
                { "after": "0s", "max_level": 1 },
                { "after": "30s", "max_level": 2 },
                { "after": "1m" },
            ],
        }],
        "agent_groups": [
            { "name": "g", "count": 4, "skills": { "s": 1 } },
            { "name": "h", "skills": { "s": 2 }, "shifts": [{
                "start": "09:00", "end": "10:30", "agents": 2,
                "breaks": [
                    { "start": "09:30", "duration": "10m" },
                    { "start": "10:00", "duration": "10m" },
                ],
            }] },
            { "name": "k", "staffing": [1, 2], "skills": { "s": 1 }, "shrinkage": 0.2 },
        ],
    })
}

#[test]
fn the_timed_scenario_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "timed.json", &timed());
    stdout_of(&["validate", &path]);
    stdout_of(&["run", "-r", "1", &path]);
}

#[test]
fn bad_time_fields_exit_2_naming_the_json_path() {
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "a profile of the wrong length",
            Box::new(|d| d["queues"][0]["arrivals"]["rate_per_hour"] = json!([1, 2, 3])),
            "queues[0].arrivals.rate_per_hour",
        ),
        (
            "a negative rate in a profile",
            Box::new(|d| d["queues"][0]["arrivals"]["rate_per_hour"] = json!([1, -2])),
            "queues[0].arrivals.rate_per_hour[1]",
        ),
        (
            "a negative constant rate",
            Box::new(|d| d["queues"][0]["arrivals"]["rate_per_hour"] = json!(-5)),
            "queues[0].arrivals.rate_per_hour",
        ),
        (
            "a rate that is not a number",
            Box::new(|d| d["queues"][0]["arrivals"]["rate_per_hour"] = json!([1, "many"])),
            "queues[0].arrivals.rate_per_hour[1]",
        ),
        (
            "a distribution list of the wrong length",
            Box::new(|d| d["queues"][0]["handle_time"] = json!([{ "constant": 1 }])),
            "queues[0].handle_time",
        ),
        (
            "a patience list of the wrong length",
            Box::new(|d| {
                d["queues"][0]["patience"] =
                    json!([{ "constant": 1 }, { "constant": 2 }, { "constant": 3 }])
            }),
            "queues[0].patience",
        ),
        (
            "a staffing list of the wrong length",
            Box::new(|d| d["agent_groups"][2]["staffing"] = json!([1, 2, 3])),
            "agent_groups[2].staffing",
        ),
        (
            "max_level 0",
            Box::new(|d| d["queues"][0]["overflow"][0]["max_level"] = json!(0)),
            "queues[0].overflow[0].max_level",
        ),
        (
            "overflow that never reaches a level any group holds",
            Box::new(|d| {
                d["queues"][0]["overflow"] = json!([{ "after": "0s", "max_level": 1 }]);
                d["agent_groups"][0]["skills"] = json!({ "s": 2 });
                d["agent_groups"][2]["skills"] = json!({ "s": 3 });
            }),
            "queues[0].overflow",
        ),
        (
            "a first stage not at 0s",
            Box::new(|d| d["queues"][0]["overflow"][0]["after"] = json!("5s")),
            "queues[0].overflow[0].after",
        ),
        (
            "stages out of order",
            Box::new(|d| d["queues"][0]["overflow"][2]["after"] = json!("20s")),
            "queues[0].overflow[2].after",
        ),
        (
            "a stage without max_level that is not the last",
            Box::new(|d| {
                d["queues"][0]["overflow"][1]
                    .as_object_mut()
                    .unwrap()
                    .remove("max_level");
            }),
            "queues[0].overflow[1].max_level",
        ),
        (
            "a shift ending before it starts",
            Box::new(|d| {
                d["agent_groups"][1]["shifts"] =
                    json!([{ "start": "1h", "end": "30m", "agents": 2 }])
            }),
            "agent_groups[1].shifts[0].end",
        ),
        (
            "a shift ending after the horizon",
            Box::new(|d| d["agent_groups"][1]["shifts"][0]["end"] = json!("11:30")),
            "agent_groups[1].shifts[0].end",
        ),
        (
            "a clock time without clock_start",
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("clock_start");
            }),
            "agent_groups[1].shifts[0].start",
        ),
        (
            "a break outside its shift",
            Box::new(|d| d["agent_groups"][1]["shifts"][0]["breaks"][1]["start"] = json!("10:25")),
            "agent_groups[1].shifts[0].breaks[1]",
        ),
        (
            "overlapping breaks",
            Box::new(|d| d["agent_groups"][1]["shifts"][0]["breaks"][1]["start"] = json!("09:35")),
            "agent_groups[1].shifts[0].breaks[1]",
        ),
        (
            "both count and staffing",
            Box::new(|d| d["agent_groups"][0]["staffing"] = json!([1, 2])),
            "agent_groups[0]",
        ),
        (
            "none of count, staffing and shifts",
            Box::new(|d| {
                d["agent_groups"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("count");
            }),
            "agent_groups[0].count",
        ),
        (
            "shrinkage 1",
            Box::new(|d| d["agent_groups"][2]["shrinkage"] = json!(1)),
            "agent_groups[2].shrinkage",
        ),
        (
            "balk_probability 2",
            Box::new(|d| d["queues"][0]["balk_probability"] = json!(2)),
            "queues[0].balk_probability",
        ),
        (
            "volume_cv -1",
            Box::new(|d| d["volume_cv"] = json!(-1)),
            "volume_cv",
        ),
        (
            "closing \"later\"",
            Box::new(|d| d["closing"] = json!("later")),
            "closing",
        ),
        (
            "interval \"0s\"",
            Box::new(|d| d["interval"] = json!("0s")),
            "interval",
        ),
        (
            "more than 10000 intervals",
            Box::new(|d| {
                d["interval"] = json!("1s");
                d["horizon"] = json!("3h");
            }),
            "interval",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (what, edit, path) in cases {
        let mut doc = timed();
        edit(&mut doc);
        let file = write(dir.path(), "bad.json", &doc);
        for cmd in ["validate", "run"] {
            let err = bad_input(&[cmd, &file]);
            // Each problem is on a line of its own: "  PATH: message".
            assert!(
                err.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{path}: "))),
                "{what} ({cmd}): stderr should name {path}:\n{err}"
            );
        }
    }
}

#[test]
fn a_clock_time_in_a_warm_up_across_midnight_falls_on_the_first_day() {
    // The run starts at 23:40 (a 30-minute warm-up before 00:10): a shift
    // from 23:50 to 01:00 lies inside it ("moved to the first day on which
    // it falls at or after the start of the run").
    let mut doc = timed();
    doc["clock_start"] = json!("00:10");
    doc["warmup"] = json!("30m");
    doc["agent_groups"][1]["shifts"] = json!([{
        "start": "23:50", "end": "01:00", "agents": 2,
        "breaks": [{ "start": "00:20", "duration": "10m" }],
    }]);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "midnight.json", &doc);
    stdout_of(&["validate", &file]);
}

#[test]
fn staff_on_a_partial_last_interval_writes_a_valid_scenario_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = small();
    sc["horizon"] = json!("2h30m");
    sc["closing"] = json!("stop");
    sc["queues"][0]["arrivals"]["rate_per_hour"] = json!(60);
    sc["agent_groups"] = json!([{ "name": "team", "count": 4, "skills": { "s": 1 } }]);
    let input = write(dir.path(), "ragged.json", &sc);
    let out = dir.path().join("staffed.json");
    let out = out.to_str().unwrap();
    let run = acdsim()
        .args([
            "staff",
            &input,
            "--service-level",
            "80/20s",
            "-r",
            "2",
            "-o",
            out,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!err.contains("panicked"), "{err}");
    match run.status.code() {
        // Refused as bad input: no file written.
        Some(2) => assert!(!Path::new(out).exists(), "{err}"),
        // Or written: then it must be a scenario acdsim accepts.
        Some(0) => {
            stdout_of(&["validate", out]);
        }
        other => panic!("exit code {other:?}: {err}"),
    }
}

#[test]
fn the_staffed_scenario_carries_the_target_it_was_staffed_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = small();
    sc["closing"] = json!("stop");
    sc["queues"][0]["service_level_target"] = json!(0.95);
    sc["queues"][0]["service_level_threshold"] = json!("40s");
    let input = write(dir.path(), "small.json", &sc);
    let out = dir.path().join("staffed.json");
    let out = out.to_str().unwrap();
    stdout_of(&[
        "staff",
        &input,
        "--service-level",
        "80/20s",
        "-r",
        "2",
        "--seed",
        "77",
        "-o",
        out,
    ]);
    let staffed: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    // The seed and replications the staffing was found with, not the file's.
    assert_eq!(staffed["seed"], 77);
    assert_eq!(staffed["replications"], 2);
    assert_eq!(staffed["service_level_target"], 0.8);
    assert_eq!(staffed["service_level_threshold"], "20s");
    let q = &staffed["queues"][0];
    assert!(q.get("service_level_threshold").is_none(), "{q}");
    assert!(
        q.get("service_level_target").is_none_or(|t| t == 0.8),
        "the queue keeps a target of {}",
        q["service_level_target"]
    );
}

#[test]
fn an_invalid_clock_start_is_reported_once_where_it_stands() {
    let mut doc = timed();
    doc["clock_start"] = json!("24:00");
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "clock.json", &doc);
    let err = bad_input(&["validate", &file]);
    assert!(
        err.lines()
            .any(|l| l.trim_start().starts_with("clock_start: ")),
        "{err}"
    );
    assert!(!err.contains("needs the scenario's clock_start"), "{err}");
}
