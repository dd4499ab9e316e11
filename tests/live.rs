//! `acdsim live` end to end: the pace against the wall clock (tokio's paused
//! time driving the real engine thread), recorded sessions replayed by
//! `acdsim run --commands` to byte-identical results (to the end, or
//! interrupted like Ctrl-C), and bad commands refused with 400 changing
//! nothing.

#[path = "common/live.rs"]
mod live;

use acdsim::command::{Checked, Command, Speed};
use acdsim::live::pacer::{self, Clocks, TICK};
use acdsim::live::session::{self, Channels, ToEngine};
use acdsim::scenario::Scenario;
use live::LiveProcess;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo() -> PathBuf {
    root().join("scenarios/live-demo.json")
}

/// `acdsim run SCENARIO --commands FILE ARGS...`: its stdout.
fn replay(scenario: &Path, record: &Path, args: &[&str]) -> Vec<u8> {
    let out = Process::new(env!("CARGO_BIN_EXE_acdsim"))
        .arg("run")
        .arg(scenario)
        .arg("--commands")
        .arg(record)
        .args(["--quiet"])
        .args(args)
        .output()
        .expect("acdsim run");
    assert!(
        out.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn time_s(state: &Value) -> f64 {
    state["time_s"].as_f64().expect("time_s")
}

fn group<'a>(state: &'a Value, name: &str) -> &'a Value {
    state["agent_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("no group {name} in {state}"))
}

#[tokio::test(start_paused = true)]
async fn the_engine_keeps_speed_times_wall_time_within_one_tick() {
    let mut sc = Scenario::load(&demo()).unwrap();
    sc.reserve_for_commands();
    let sc = Arc::new(sc);
    let speed = 60.0;
    let clocks = Clocks::new(Speed::Times(speed));
    let (tx, rx) = crossbeam_channel::bounded(64);
    let (snapshot, _) = tokio::sync::watch::channel(Arc::<str>::from("{}"));
    let (events, _) = tokio::sync::broadcast::channel(4);
    let channels = Channels {
        rx,
        snapshot,
        events,
    };
    let engine = {
        let (sc, clocks) = (sc.clone(), clocks.clone());
        std::thread::spawn(move || session::run(sc, 1, clocks, channels, None))
    };
    let wake = tx.clone();
    let pace = tokio::spawn(pacer::run(clocks.clone(), move |_| {
        wake.try_send(ToEngine::Wake).is_ok()
    }));
    let start = tokio::time::Instant::now();
    // The engine thread catches up with the pacer's target in real time;
    // tokio's clock does not move meanwhile (a blocking task holds it).
    let caught_up = |clocks: Arc<Clocks>| async move {
        tokio::task::spawn_blocking(move || loop {
            let target = clocks.target.load(Ordering::Acquire);
            if clocks.reached.load(Ordering::Acquire) >= target {
                return target;
            }
            std::thread::sleep(Duration::from_millis(1));
        })
        .await
        .unwrap()
    };
    let mut checks = 0;
    for _ in 0..40 {
        tokio::time::advance(Duration::from_millis(130)).await;
        tokio::task::yield_now().await;
        caught_up(clocks.clone()).await;
        let wall = start.elapsed().as_secs_f64();
        let reached = clocks.reached.load(Ordering::Acquire) as f64 / 1e6;
        assert!(
            (reached - speed * wall).abs() <= speed * TICK.as_secs_f64() + 1e-6,
            "after {wall} s of wall time the run is at {reached} s, not {speed} × {wall}"
        );
        checks += 1;
    }
    // Paused: the simulated clock holds while wall time goes on.
    clocks.change(|p, now, reached| p.pause(now, reached));
    let held = clocks.reached.load(Ordering::Acquire);
    tokio::time::advance(Duration::from_secs(5)).await;
    tokio::task::yield_now().await;
    caught_up(clocks.clone()).await;
    assert_eq!(clocks.reached.load(Ordering::Acquire), held);
    // Resumed at another speed: from where it held.
    clocks.change(|p, now, reached| p.set_speed(Speed::Times(600.0), now, reached));
    clocks.change(|p, now, reached| p.resume(now, reached));
    let resumed = tokio::time::Instant::now();
    for _ in 0..10 {
        tokio::time::advance(Duration::from_millis(100)).await;
        tokio::task::yield_now().await;
        caught_up(clocks.clone()).await;
        let wall = resumed.elapsed().as_secs_f64();
        let reached = clocks.reached.load(Ordering::Acquire) as f64 / 1e6;
        let want = held as f64 / 1e6 + 600.0 * wall;
        assert!(
            (reached - want).abs() <= 600.0 * TICK.as_secs_f64() + 1e-6,
            "{wall} s after resuming at 600×: {reached} s, not {want} s"
        );
        checks += 1;
    }
    assert_eq!(checks, 50);
    pace.abort();
    tx.send(ToEngine::Interrupt).unwrap();
    drop(tx);
    let outcome = tokio::task::spawn_blocking(move || engine.join().unwrap())
        .await
        .unwrap();
    assert!(outcome.interrupted);
}

#[test]
fn commands_sent_to_the_engine_thread_apply_at_the_time_it_reached() {
    // Straight to the engine thread, without HTTP: a command's time is the
    // run time the engine had reached, and replaying the same commands at
    // those times gives the same statistics.
    let mut sc = Scenario::load(&demo()).unwrap();
    sc.reserve_for_commands();
    let sc = Arc::new(sc);
    let clocks = Clocks::new(Speed::Times(1.0));
    let (tx, rx) = crossbeam_channel::bounded(64);
    let (snapshot, _) = tokio::sync::watch::channel(Arc::<str>::from("{}"));
    let (events, _) = tokio::sync::broadcast::channel(4);
    let engine = {
        let (sc, clocks) = (sc.clone(), clocks.clone());
        let channels = Channels {
            rx,
            snapshot,
            events,
        };
        std::thread::spawn(move || session::run(sc, 7, clocks, channels, None))
    };
    let mut script = String::new();
    let commands = [
        json!({"command": "add_agents", "group": "orders team", "agents": 4}),
        json!({"command": "scale_arrivals", "queue": "*", "factor": 1.5}),
        json!({"command": "move_agents", "from": "returns team", "to": "orders team", "agents": 2}),
        json!({"command": "set_agents", "group": "supervisors", "agents": 3}),
    ];
    for (k, c) in commands.iter().enumerate() {
        // The pacer's part, by hand: the engine may go to hour k + 1.
        clocks
            .target
            .store((k as u64 + 1) * 3_600_000_000, Ordering::Release);
        tx.send(ToEngine::Wake).unwrap();
        while clocks.reached.load(Ordering::Acquire) < (k as u64 + 1) * 3_600_000_000 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let command = Command::from_json(&c.to_string()).unwrap();
        let checked: Checked = command.check(&sc).unwrap();
        let (reply, answer) = tokio::sync::oneshot::channel();
        tx.send(ToEngine::Command {
            command: command.clone(),
            checked,
            reply,
        })
        .unwrap();
        let applied = answer.blocking_recv().unwrap().unwrap();
        assert_eq!(applied.at, (k as u64 + 1) * 3_600_000_000);
        script.push_str(&command.record_line(applied.at));
        script.push('\n');
    }
    clocks.target.store(u64::MAX, Ordering::Release);
    tx.send(ToEngine::Wake).unwrap();
    let outcome = engine.join().unwrap();
    assert!(!outcome.interrupted);
    let mut replayed = (*sc).clone();
    replayed.script = Some(Arc::new(
        acdsim::command::Script::parse(&script, &replayed).unwrap(),
    ));
    let again = acdsim::engine::Simulation::new(&replayed, 7, 0).run();
    assert_eq!(format!("{:?}", outcome.stats), format!("{again:?}"));
    // The commands did something: the orders team got agents.
    let plain = acdsim::engine::Simulation::new(&sc, 7, 0).run();
    assert!(outcome.stats.groups[0].time.staffed_us > plain.groups[0].time.staffed_us);
}

#[test]
fn a_recorded_session_replays_to_byte_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("session.jsonl");
    let scenario = root().join("scenarios/full-day.json");
    let live = LiveProcess::start(
        &scenario,
        &[
            "--speed",
            "6000",
            "--record",
            record.to_str().unwrap(),
            "--json",
        ],
    );
    let at = |t: f64| {
        live.wait_state(&format!("run time {t} s"), Duration::from_secs(30), |s| {
            time_s(s) >= t
        })
    };
    let ok = |c: Value| {
        let (status, answer) = live.command(&c);
        assert_eq!(status, 200, "{c} → {answer}");
        answer["at_s"].as_f64().expect("at_s")
    };
    at(3600.0);
    let t1 = ok(json!({"command": "add_agents", "group": "billing team", "agents": 6}));
    ok(json!({"command": "pause"}));
    let paused = live.state();
    assert_eq!(paused["paused"], true);
    // While paused, commands apply at the same time.
    let t2 = ok(json!({"command": "set_overflow", "queue": "billing", "stage": 1, "open": true}));
    let t3 =
        ok(json!({"command": "move_agents", "from": "sales team", "to": "tech team", "agents": 2}));
    assert_eq!(t2, t3);
    assert!(t2 >= t1);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(time_s(&live.state()), t3, "the clock holds while paused");
    ok(json!({"command": "set_speed", "speed": 3000}));
    ok(json!({"command": "resume"}));
    at(20000.0);
    ok(json!({"command": "scale_arrivals", "queue": "*", "factor": 1.25}));
    ok(json!({"command": "set_agents", "group": "seniors", "agents": 1}));
    at(30000.0);
    ok(json!({"command": "set_overflow", "queue": "billing", "stage": 1, "open": "auto"}));
    ok(json!({"command": "set_speed", "speed": "max"}));
    let (code, out) = live.finish(Duration::from_secs(60));
    assert_eq!(code, 0);
    let recorded = std::fs::read_to_string(&record).unwrap();
    let lines: Vec<Value> = recorded
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1 + 10, "{recorded}");
    assert_eq!(lines[0]["session"]["seed"], 2026);
    let times: Vec<f64> = lines[1..]
        .iter()
        .map(|l| l["at_s"].as_f64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let replayed = replay(&scenario, &record, &["--json"]);
    assert!(!out.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&replayed),
        "live results and their replay differ"
    );
    // The commands changed the day: the billing team was paid for more.
    let live_doc: Value = serde_json::from_slice(&out).unwrap();
    let plain = Process::new(env!("CARGO_BIN_EXE_acdsim"))
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--json",
            "--quiet",
            "-r",
            "1",
        ])
        .output()
        .unwrap();
    let plain: Value = serde_json::from_slice(&plain.stdout).unwrap();
    let staffed = |d: &Value| {
        d["agent_groups"][0]["staffed_hours"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert!(
        staffed(&live_doc) > staffed(&plain) + 50.0,
        "{} vs {}",
        staffed(&live_doc),
        staffed(&plain)
    );
}

#[test]
fn an_interrupted_session_prints_its_results_so_far_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("cut.jsonl");
    let live = LiveProcess::start(
        &demo(),
        &["--speed", "1200", "--record", record.to_str().unwrap()],
    );
    live.wait_state("run time 1800 s", Duration::from_secs(30), |s| {
        time_s(s) >= 1800.0
    });
    let (status, _) =
        live.command(&json!({"command": "add_agents", "group": "orders team", "agents": 2}));
    assert_eq!(status, 200);
    live.wait_state("run time 3000 s", Duration::from_secs(30), |s| {
        time_s(s) >= 3000.0
    });
    live.interrupt();
    let stderr = live.stderr.clone();
    let (code, out) = live.finish(Duration::from_secs(30));
    assert_eq!(code, 0, "{}", stderr.lock().unwrap().join("\n"));
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("live-demo: 1 replication, seed 2026"),
        "{text}"
    );
    let said = stderr.lock().unwrap().join("\n");
    assert!(said.contains("stopped at 0"), "{said}");
    let recorded = std::fs::read_to_string(&record).unwrap();
    let last: Value = serde_json::from_str(recorded.lines().last().unwrap()).unwrap();
    assert_eq!(last["command"], "stop", "{recorded}");
    let stop = last["at_s"].as_f64().unwrap();
    assert!((3000.0..28800.0).contains(&stop), "{stop}");
    let replayed = String::from_utf8(replay(&demo(), &record, &[])).unwrap();
    assert_eq!(text, replayed);
    // The results say they stop there, and cover the day up to the stop:
    // about λ × t calls offered.
    assert!(
        text.lines().nth(1).unwrap().starts_with("stopped at 0"),
        "{text}"
    );
    let doc: Value = serde_json::from_slice(&replay(&demo(), &record, &["--json"])).unwrap();
    assert_eq!(doc["closing"], "stop");
    assert_eq!(doc["stopped_at_s"].as_f64(), Some(stop));
    assert_eq!(doc["window_s"].as_f64(), Some(stop));
    let cells = doc["total"]["intervals"].as_array().unwrap().len();
    let interval = doc["interval_s"].as_f64().unwrap();
    assert_eq!(
        cells as f64,
        (stop / interval).ceil(),
        "intervals up to the stop"
    );
    let offered = doc["total"]["offered"]["mean"].as_f64().unwrap();
    let expected = 130.0 * stop / 3600.0;
    assert!(
        (offered - expected).abs() < 4.0 * expected.sqrt(),
        "{offered} offered by {stop} s, about {expected} expected"
    );
}

#[test]
fn bad_commands_answer_400_with_a_reason_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("bad.jsonl");
    let live = LiveProcess::start(
        &demo(),
        &["--speed", "60", "--record", record.to_str().unwrap()],
    );
    let (status, _) = live.command(&json!({"command": "pause"}));
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(300));
    let before = live.state();
    let raw = |body: &[u8]| -> (u16, Value) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", live.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = format!(
            "POST /api/commands HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{".to_vec(), "EOF"),
        (b"not json".to_vec(), "expected"),
        (b"[1, 2]".to_vec(), "one JSON object"),
        (vec![0xff, 0xfe], "UTF-8"),
        (br#"{"command": "fly"}"#.to_vec(), "unknown command \"fly\""),
        (br#"{"command": "set_agents", "group": "nobody", "agents": 3}"#.to_vec(), "unknown agent group \"nobody\""),
        (br#"{"command": "set_agents", "group": "orders team", "agents": -3}"#.to_vec(), "a whole number of agents, at least 0"),
        (br#"{"command": "set_agents", "group": "orders team", "agents": 1e9}"#.to_vec(), "at most"),
        (br#"{"command": "set_agents", "group": "orders team", "agents": 9999}"#.to_vec(), "at most"),
        (br#"{"command": "set_agents", "group": "orders team"}"#.to_vec(), "agents: missing"),
        (br#"{"command": "set_agents", "group": "orders team", "agents": 1, "agents": 2}"#.to_vec(), "duplicate field \"agents\""),
        (br#"{"command": "move_agents", "from": "orders team", "to": "orders team", "agents": 1}"#.to_vec(), "same group"),
        (br#"{"command": "scale_arrivals", "queue": "orders", "factor": -1}"#.to_vec(), "between 0 and 1000"),
        (br#"{"command": "scale_arrivals", "queue": "orders", "factor": "lots"}"#.to_vec(), "factor \"lots\": a number"),
        (br#"{"command": "scale_arrivals", "queue": "nowhere", "factor": 2}"#.to_vec(), "unknown queue"),
        (br#"{"command": "set_overflow", "queue": "orders", "stage": 0, "open": true}"#.to_vec(), "no overflow stages"),
        (br#"{"command": "start_campaign", "campaign": "x"}"#.to_vec(), "unknown campaign"),
        (br#"{"command": "set_speed", "speed": 0}"#.to_vec(), "above 0"),
        (br#"{"command": "set_speed", "speed": "fast"}"#.to_vec(), "speed"),
        (br#"{"command": "pause", "please": true}"#.to_vec(), "unknown field \"please\""),
        (format!(r#"{{"command": "pause", "x": "{}"}}"#, "y".repeat(100_000)).into_bytes(), "at most 65536 bytes"),
    ];
    for (body, want) in &cases {
        let (status, answer) = raw(body);
        assert_eq!(
            status,
            400,
            "{} → {answer}",
            String::from_utf8_lossy(&body[..body.len().min(80)])
        );
        let error = answer["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {answer}"));
        assert!(error.contains(want), "{error:?} should say {want:?}");
        assert!(
            error.len() <= 1000,
            "a bounded message: {} bytes",
            error.len()
        );
    }
    // Too long to read at all: refused before it is read, saying why.
    let (status, answer) = raw(&vec![b' '; 1 << 20]);
    assert_eq!(status, 413, "{answer}");
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("at most 65536 bytes"));
    // A page or a method the server does not have: a JSON error listing what it has.
    for (method, path, want) in [
        ("GET", "/nowhere", 404),
        ("DELETE", "/api/state", 405),
        ("GET", "/api/commands", 405),
    ] {
        let (status, answer) =
            live::http_json(live.port, method, path, None, Duration::from_secs(10)).unwrap();
        assert_eq!(status, want, "{method} {path}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains("POST /api/commands"), "{answer}");
    }
    let after = live.state();
    assert_eq!(before, after, "a refused command changed the state");
    assert_eq!(group(&after, "orders team")["target"], 3);
    drop(live);
    // Only the pause was recorded.
    let recorded = std::fs::read_to_string(&record).unwrap();
    assert_eq!(recorded.lines().count(), 2, "{recorded}");
}

#[test]
fn live_refuses_bad_options_with_exit_2() {
    let run = |args: &[&str]| {
        Process::new(env!("CARGO_BIN_EXE_acdsim"))
            .args(args)
            .output()
            .unwrap()
    };
    let demo = demo();
    let demo = demo.to_str().unwrap();
    for (args, says) in [
        (vec!["live", demo, "--speed", "0"], "above 0"),
        (vec!["live", demo, "--speed", "fast"], "speed"),
        (vec!["live", demo, "--port", "99999"], "99999"),
        (vec!["live", "/nonexistent.json"], "nonexistent"),
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    // A recording never overwrites a file without --force.
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.jsonl");
    std::fs::write(&kept, "mine\n").unwrap();
    let out = run(&[
        "live",
        demo,
        "--port",
        "0",
        "--record",
        kept.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "mine\n");
    // A port in use is said at once.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let fresh = dir.path().join("fresh.jsonl");
    let out = run(&[
        "live",
        demo,
        "--port",
        &port,
        "--record",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"));
    // ... and leaves no empty recording behind.
    assert!(!fresh.exists());
}

#[test]
fn sigterm_stops_like_ctrl_c_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("term.jsonl");
    let live = LiveProcess::start(
        &demo(),
        &["--speed", "1200", "--record", record.to_str().unwrap()],
    );
    live.wait_state("run time 600 s", Duration::from_secs(30), |s| {
        time_s(s) >= 600.0
    });
    live.signal("-TERM");
    let stderr = live.stderr.clone();
    let (code, out) = live.finish(Duration::from_secs(30));
    assert_eq!(code, 0, "{}", stderr.lock().unwrap().join("\n"));
    let recorded = std::fs::read_to_string(&record).unwrap();
    let last: Value = serde_json::from_str(recorded.lines().last().unwrap()).unwrap();
    assert_eq!(last["command"], "stop", "{recorded}");
    assert_eq!(replay(&demo(), &record, &[]), out);
}

#[cfg(target_os = "linux")]
#[test]
fn a_recording_that_cannot_be_written_ends_with_exit_1_after_the_results() {
    let live = LiveProcess::start(
        &demo(),
        &["--speed", "max", "--record", "/dev/full", "--force"],
    );
    let stderr = live.stderr.clone();
    let (code, out) = live.finish(Duration::from_secs(60));
    let said = stderr.lock().unwrap().join("\n");
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("cannot record to /dev/full"), "{said}");
    assert!(said.contains("the recording is incomplete"), "{said}");
    // The session itself ran to its end and printed its results.
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("live-demo: 1 replication"), "{text}");
}

#[test]
fn a_recording_replayed_on_another_scenario_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("other.jsonl");
    std::fs::write(
        &record,
        "{\"session\":{\"scenario\":\"another center\",\"seed\":7,\"replication\":0}}\n{\"at_s\":60,\"command\":\"pause\"}\n",
    )
    .unwrap();
    let out = Process::new(env!("CARGO_BIN_EXE_acdsim"))
        .arg("run")
        .arg(demo())
        .arg("--commands")
        .arg(&record)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("recorded on scenario \"another center\", replayed on \"live-demo\""),
        "{err}"
    );
    // The session's seed, one replication.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("live-demo: 1 replication, seed 7,"),
        "{text}"
    );
}
