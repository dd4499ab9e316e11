//! The real `acdsim` binary: outputs, determinism across threads and seeds,
//! and clear errors (exit code 2) on bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::PathBuf;

fn acdsim() -> Command {
    Command::cargo_bin("acdsim").expect("binary built")
}

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn run_json(args: &[&str]) -> Vec<u8> {
    let out = acdsim()
        .arg("run")
        .arg(scenario_path("mmc-abandon.json"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn json_is_identical_whatever_the_threads_and_seed_sensitive() {
    let one = run_json(&["--json", "--replications", "6", "--threads", "1"]);
    let four = run_json(&["--json", "--replications", "6", "--threads", "4"]);
    assert_eq!(one, four, "--threads 1 and --threads 4 differ");
    let again = run_json(&["--json", "--replications", "6", "--threads", "3"]);
    assert_eq!(one, again, "same seed twice differs");
    let other = run_json(&["--json", "--replications", "6", "--seed", "999"]);
    assert_ne!(one, other, "another seed gave the same output");

    let doc: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(doc["scenario"], "mmc-abandon");
    assert_eq!(doc["seed"], 12345);
    assert_eq!(doc["replications"], 6);
    let offered = doc["total"]["offered"]["mean"].as_f64().unwrap();
    assert!((offered - 60_000.0).abs() < 1_000.0, "offered {offered}");
    for key in [
        "offered",
        "answered",
        "abandoned",
        "unresolved",
        "service_level",
        "abandon_rate",
        "asa_s",
        "wait_p90_s",
        "occupancy",
    ] {
        assert!(
            doc["total"][key]["mean"].is_number(),
            "total.{key}.mean missing"
        );
        assert!(
            doc["total"][key]["ci95"].is_number(),
            "total.{key}.ci95 missing"
        );
    }
    assert_eq!(doc["queues"][0]["name"], "general");
    assert!(doc["queues"][0]["service_level"]["mean"].as_f64().unwrap() > 0.9);
    assert_eq!(doc["agent_groups"][0]["name"], "agents");
    let occ = doc["agent_groups"][0]["occupancy"]["mean"]
        .as_f64()
        .unwrap();
    assert!(occ > 0.9 && occ < 1.0, "occupancy {occ}");
    assert!(
        doc["agent_groups"][0]["calls_per_agent_hour"]["mean"]
            .as_f64()
            .unwrap()
            > 15.0
    );
    let other_doc: serde_json::Value = serde_json::from_slice(&other).unwrap();
    assert_eq!(other_doc["seed"], 999);
}

#[test]
fn table_and_csv_outputs() {
    acdsim()
        .args(["run", "--replications", "2"])
        .arg(scenario_path("mmc-abandon.json"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("service level")
                .and(predicate::str::contains("occupancy"))
                .and(predicate::str::contains("general")),
        );
    let out = acdsim()
        .args(["run", "--replications", "3", "--csv"])
        .arg(scenario_path("multi-skill.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap(),
        vec!["scope", "name", "metric", "mean", "ci95", "n", "interval"]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let sl = rows
        .iter()
        .find(|r| &r[0] == "queue" && &r[1] == "billing" && &r[2] == "service_level")
        .expect("billing SL row");
    let v: f64 = sl[3].parse().unwrap();
    assert!((0.0..=1.0).contains(&v));
    assert!(rows
        .iter()
        .any(|r| &r[0] == "agent_group" && &r[1] == "senior agents" && &r[2] == "occupancy"));
}

#[test]
fn validate_accepts_shipped_scenarios() {
    for name in ["mmc-abandon.json", "multi-skill.json"] {
        acdsim()
            .arg("validate")
            .arg(scenario_path(name))
            .assert()
            .success()
            .stdout(predicate::str::contains("ok"));
    }
}

fn write_temp(content: &str) -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(f.path(), content).unwrap();
    f
}

fn mmc_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scenario_path("mmc-abandon.json")).unwrap())
            .unwrap();
    edit(&mut v);
    v.to_string()
}

fn assert_bad_input(content: &str, expected: &[&str]) {
    let f = write_temp(content);
    for cmd in ["run", "validate"] {
        let out = acdsim().arg(cmd).arg(f.path()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{cmd}: exit code for bad input; stderr: {err}"
        );
        assert!(!err.contains("panicked"), "{cmd} panicked: {err}");
        for e in expected {
            assert!(err.contains(e), "{cmd}: stderr should mention {e:?}: {err}");
        }
        assert!(
            out.stdout.is_empty(),
            "{cmd}: nothing on stdout for bad input"
        );
    }
    // The user's file is untouched.
    assert_eq!(std::fs::read_to_string(f.path()).unwrap(), content);
}

#[test]
fn malformed_json_names_line_and_column() {
    assert_bad_input("{\n  \"name\": \"x\",\n  \"seed\": 1,,\n}", &[":3:"]);
    assert_bad_input("", &["EOF"]);
}

#[test]
fn unknown_skill_is_named_with_its_path() {
    let text = mmc_with(|v| {
        v["agent_groups"][0]["skills"] = serde_json::json!({ "general": 1, "tech": 2 })
    });
    assert_bad_input(&text, &["agent_groups[0].skills.tech", "tech"]);
}

#[test]
fn negative_count_and_rate_are_reported_together() {
    let text = mmc_with(|v| {
        v["agent_groups"][0]["count"] = serde_json::json!(-3);
        v["queues"][0]["arrivals"]["rate_per_hour"] = serde_json::json!(-5);
    });
    assert_bad_input(
        &text,
        &["agent_groups[0].count", "queues[0].arrivals.rate_per_hour"],
    );
}

#[test]
fn missing_field_is_named() {
    let text = mmc_with(|v| {
        v["queues"][0]
            .as_object_mut()
            .unwrap()
            .remove("handle_time");
    });
    assert_bad_input(&text, &["queues[0].handle_time", "missing"]);
}

#[test]
fn nonexistent_file_is_bad_input() {
    let out = acdsim()
        .args(["run", "no/such/scenario.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/scenario.json"), "{err}");
}

#[test]
fn bad_command_line_is_exit_2() {
    acdsim().args(["run"]).assert().code(2);
    acdsim()
        .args(["run", "x.json", "--replications", "0"])
        .assert()
        .code(2);
    acdsim().args(["frobnicate"]).assert().code(2);
    acdsim()
        .args(["run", "x.json", "--replications", "100001"])
        .assert()
        .code(2);
    acdsim()
        .args(["run", "x.json", "--seed", "-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value '-1'"));
    // --agents and --target ask different questions: giving both is an error, not a silent choice.
    let erlang = ["erlang", "--calls-per-hour", "6000", "--aht", "3m"];
    acdsim()
        .args(erlang)
        .args(["--agents", "300", "--target", "80"])
        .assert()
        .code(2);
    acdsim()
        .args(erlang)
        .args(["--agents", "0"])
        .assert()
        .code(2);
    acdsim()
        .args([
            "erlang",
            "--calls-per-hour",
            "-5",
            "--aht",
            "3m",
            "--agents",
            "3",
        ])
        .assert()
        .code(2);
}

#[test]
fn erlang_command_reports_and_staffs() {
    acdsim()
        .args([
            "erlang",
            "--calls-per-hour",
            "6000",
            "--aht",
            "3m",
            "--agents",
            "310",
            "--patience",
            "2m",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Erlang C")
                .and(predicate::str::contains("Erlang A"))
                .and(predicate::str::contains("1.18")),
        );
    let out = acdsim()
        .args([
            "erlang",
            "--calls-per-hour",
            "6000",
            "--aht",
            "3m",
            "--target",
            "80",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = doc["agents"].as_u64().unwrap() as u32;
    let sl = |n: u32| {
        acdsim::erlang::erlang_c_metrics(6000.0 / 3600.0, 180.0, n, 20.0)
            .unwrap()
            .service_level
    };
    assert!(
        sl(n) >= 0.8 && sl(n - 1) < 0.8,
        "{n} agents is not the smallest meeting 80/20"
    );
    assert!((doc["erlang_c"]["service_level"].as_f64().unwrap() - sl(n)).abs() < 1e-12);
}

#[test]
fn bench_reports_throughput() {
    let out = acdsim()
        .args(["bench", "--seconds", "0.2", "--threads", "2", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["scenario"], "mmc-abandon");
    assert_eq!(doc["threads"], 2);
    let calls = doc["calls"].as_f64().unwrap();
    let events = doc["events"].as_f64().unwrap();
    let wall = doc["wall_s"].as_f64().unwrap();
    // Whole replications of about 63,000 calls each, at least one per thread.
    assert!(calls > 2.0 * 55_000.0, "calls {calls}");
    assert!(events > calls, "events {events} calls {calls}");
    assert!((doc["calls_per_s"].as_f64().unwrap() - calls / wall).abs() < 1e-6 * calls / wall);
    assert!(doc["events_per_s"].as_f64().unwrap() > 0.0);
    // A bench of a shipped scenario file, human-readable.
    acdsim()
        .args(["bench", "--seconds", "0.1"])
        .arg(scenario_path("multi-skill.json"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("multi-skill")
                .and(predicate::str::contains("calls simulated")),
        );
    acdsim().args(["bench", "--seconds", "-1"]).assert().code(2);
}

#[test]
fn a_generated_center_is_printed_as_a_scenario_file_and_benchmarked() {
    let out = acdsim()
        .args(["bench", "--generated", "12", "--wide", "--print-scenario"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["name"], "center-12-wide");
    // 12 queues and the "general" one; every group holds its own skill and general.
    assert_eq!(doc["queues"].as_array().unwrap().len(), 13);
    assert_eq!(doc["agent_groups"].as_array().unwrap().len(), 12);
    assert!(doc["agent_groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["skills"]["general"] == 3));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("center.json");
    std::fs::write(&file, &out.stdout).unwrap();
    acdsim()
        .arg("validate")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "13 queues, 12 agent groups (120 agents)",
        ));
    let bench = |args: &[&str]| -> serde_json::Value {
        let out = acdsim().args(args).output().unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The generated center and its printed file are the same scenario.
    let a = bench(&[
        "bench",
        "--generated",
        "12",
        "--wide",
        "--seconds",
        "0",
        "--json",
    ]);
    let f = file.to_str().unwrap();
    let b = bench(&["bench", f, "--seconds", "0", "--json"]);
    assert_eq!(a["scenario"], b["scenario"]);
    // With no time, each stops at its first look at the clock: after the
    // same events of the same scenario, the same calls.
    assert!(a["calls"].as_u64().unwrap() > 0);
    assert_eq!(a["calls"], b["calls"]);
    assert_eq!(a["events"], b["events"]);
    acdsim()
        .args(["bench", "--print-scenario"])
        .assert()
        .code(2);
}

#[test]
fn too_many_replications_in_a_scenario_is_bad_input() {
    let text = mmc_with(|v| v["replications"] = serde_json::json!(4_294_967_295u64));
    assert_bad_input(&text, &["replications", "at most 100000"]);
}

#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not on this platform
    };
    for args in [vec!["validate"], vec!["run", "--replications", "1"]] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("acdsim"))
            .args(&args)
            .arg(scenario_path("mmc-abandon.json"))
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A scenario file in a temporary directory.
fn temp_scenario(doc: &serde_json::Value) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    (dir, file)
}

#[test]
fn unknown_skills_among_thousands_give_a_short_message() {
    let skills: Vec<String> = (0..10_000).map(|i| format!("skill-number-{i}")).collect();
    let queues: Vec<serde_json::Value> = (0..200)
        .map(|i| {
            serde_json::json!({ "name": format!("q{i}"), "skill": format!("nosuch{i}"),
                "arrivals": { "rate_per_hour": 10 }, "handle_time": { "exponential": { "mean": "3m" } } })
        })
        .collect();
    let doc = serde_json::json!({ "name": "many", "horizon": "1h", "skills": skills,
        "queues": queues, "agent_groups": [{ "name": "g", "count": 1, "skills": { "skill-number-0": 1 } }] });
    let (_dir, file) = temp_scenario(&doc);
    let out = acdsim().arg("validate").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.len() < 20_000, "{} bytes of messages", text.len());
    assert!(text.contains("… and 9990 more"), "{text}");
}

#[test]
fn names_that_would_drive_the_terminal_are_escaped_everywhere() {
    let evil = "x\ny\u{1b}[2J\u{0}z\u{202e}";
    let mut doc = short_mmc();
    doc["name"] = evil.into();
    doc["queues"][0]["name"] = evil.into();
    let (_dir, file) = temp_scenario(&doc);
    for args in [
        vec!["validate"],
        vec!["run", "-r", "2"],
        vec!["run", "-r", "2", "--csv"],
        vec!["run", "-r", "2", "--intervals"],
    ] {
        let out = acdsim().args(&args).arg(&file).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
        assert!(
            text.contains("x\\ny\\u{1b}[2J\\u{0}z\\u{202e}"),
            "{args:?}: {text}"
        );
        let hidden: Vec<char> = text
            .chars()
            .filter(|&c| acdsim::text::is_hidden(c) && c != '\n')
            .collect();
        assert!(hidden.is_empty(), "{args:?}: {hidden:?}");
    }
    // A duplicate name in a message: escaped and cut.
    let long = format!("{evil}{}", "q".repeat(70_000));
    doc["queues"][0]["name"] = long.clone().into();
    doc["queues"] = serde_json::json!([doc["queues"][0].clone(), doc["queues"][0].clone()]);
    let (_dir, file) = temp_scenario(&doc);
    let out = acdsim().arg("validate").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.contains("duplicate"), "{text}");
    assert!(text.len() < 1_000, "{text}");
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn a_file_that_is_not_utf8_is_reported_at_its_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, b"{\n  \"name\": \"ab\xff\"\n}").unwrap();
    acdsim()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.json:2:14: invalid UTF-8 (byte 0xFF)",
        ));
}

/// The built-in mmc-abandon scenario as a JSON tree, cut to 30 minutes.
fn short_mmc() -> serde_json::Value {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scenario_path("mmc-abandon.json")).unwrap())
            .unwrap();
    doc["horizon"] = "30m".into();
    doc["warmup"] = "0s".into();
    doc
}

#[test]
fn a_distribution_too_skewed_to_simulate_its_mean_is_a_warning() {
    let mut doc = short_mmc();
    doc["queues"][0]["handle_time"] = serde_json::json!({ "gamma": { "mean": "3m", "sd": 3.2e9 } });
    let (_dir, file) = temp_scenario(&doc);
    acdsim()
        .arg("validate")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "queues[0].handle_time: 20000 draws average 0 s against a stated mean of 180 s",
        ));
    let out = acdsim()
        .args(["run", "-r", "2"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning:"));
    let out = acdsim()
        .args(["run", "-r", "2", "--quiet"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.stderr.is_empty(), "--quiet prints no warning");
    // The shipped scenarios have none.
    for name in ["mmc-abandon.json", "multi-skill.json", "full-day.json"] {
        acdsim()
            .arg("validate")
            .arg(scenario_path(name))
            .assert()
            .success()
            .stdout(predicate::str::contains("warning").not());
    }
}

#[test]
fn callers_no_agent_can_answer_that_would_not_fit_in_memory_are_refused() {
    let mut doc = short_mmc();
    doc["skills"] = serde_json::json!(["general", "other"]);
    doc["horizon"] = "8h".into();
    doc["queues"][0]["arrivals"]["rate_per_hour"] = 6e7.into();
    doc["queues"][0]["patience"] = serde_json::json!({ "constant": "24h" });
    doc["agent_groups"] = serde_json::json!([
        { "name": "general team", "count": 0, "skills": { "general": 1 } },
        { "name": "others", "count": 10, "skills": { "other": 1 } }
    ]);
    let (_dir, file) = temp_scenario(&doc);
    acdsim()
        .arg("validate")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "queues[0]: no agent is ever staffed with skill \"general\"",
        ));
    for cmd in [
        vec!["run"],
        vec!["bench", "--seconds", "1"],
        vec!["sweep", "--set", "queues.*.arrivals.scale=1"],
    ] {
        acdsim()
            .args(&cmd)
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("of memory (at most 4 GB)"));
    }
    // Bounded by max_waiting: it runs.
    doc["queues"][0]["max_waiting"] = 1000.into();
    doc["horizon"] = "1m".into();
    let (_dir, file) = temp_scenario(&doc);
    acdsim()
        .args(["run", "-r", "1"])
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn a_refused_command_line_echoes_its_arguments_escaped_and_bounded() {
    let long = "z".repeat(100_000);
    for arg in ["-\u{1b}[2J", "--\u{202e}x", long.as_str()] {
        let out = acdsim()
            .args(["run", "--seed", arg, "x.json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{arg:?}");
        let text = String::from_utf8(out.stderr).unwrap();
        assert!(text.starts_with("error:"), "{text}");
        assert!(text.len() < 4_000, "{} bytes", text.len());
        assert!(
            !text
                .chars()
                .any(|c| acdsim::text::is_hidden(c) && c != '\n'),
            "{text:?}"
        );
    }
    // Help and version are still clap's, on stdout, exit 0.
    acdsim()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("acdsim"));
    acdsim()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage"));
}

/// A system that refuses new threads (a user's process limit) gets fewer
/// workers, not a panic. Needs root (to run as `nobody` with `setpriv`);
/// skipped with a note elsewhere.
#[test]
fn a_refused_thread_spawn_runs_with_fewer_workers() {
    use std::os::unix::fs::PermissionsExt as _;
    let root = std::process::Command::new("id").arg("-u").output().ok();
    let is_root = root.is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let setpriv = std::path::Path::new("/usr/bin/setpriv").exists();
    if !is_root || !setpriv {
        eprintln!("skipped: needs root and /usr/bin/setpriv to run as nobody with a process limit");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = dir.path().join("acdsim");
    std::fs::copy(assert_cmd::cargo::cargo_bin("acdsim"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let scenario = dir.path().join("s.json");
    std::fs::write(&scenario, short_mmc().to_string()).unwrap();
    std::fs::set_permissions(&scenario, std::fs::Permissions::from_mode(0o644)).unwrap();
    let script = format!(
        "ulimit -u 3; {b} run {s} -r 8 -t 4 --json; echo run=$?; {b} bench --seconds 0.2 -t 4 --json; echo bench=$?",
        b = bin.display(),
        s = scenario.display()
    );
    let out = std::process::Command::new("/usr/bin/setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "bash",
            "-c",
            &script,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stdout.contains("run=0") && stdout.contains("bench=0"),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("\"replications\": 8"), "{stdout}");
}
