//! `acdsim live` under load on loopback: hundreds of wallboard viewers
//! (server-sent events), some of which never read, clients polling the
//! state, listeners of the event stream (one reading everything, some
//! never reading), clients sending garbage or hanging up mid-request, and
//! a storm of commands from several threads. The engine must not notice:
//! memory stays bounded, the listener that keeps up gets every call event,
//! and the results are byte-identical to the same commands replayed by
//! `acdsim run --commands` without any viewer.

#[path = "common/live.rs"]
mod live;

use live::{http_json, read_chunked, LiveProcess};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SSE_VIEWERS: usize = 300;
const SLOW_VIEWERS: usize = 100;
const SLOW_LISTENERS: usize = 5;
const STORM_THREADS: usize = 6;
const STORM_COMMANDS: usize = 150;

fn connect(port: u16, request: &str) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.write_all(request.as_bytes()).expect("send");
    s
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n")
}

#[test]
fn hundreds_of_viewers_and_a_command_storm_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("storm.jsonl");
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/live-demo.json");
    let live = LiveProcess::start(
        &scenario,
        &[
            "--speed",
            "2400",
            "--record",
            record.to_str().unwrap(),
            "--json",
        ],
    );
    let port = live.port;
    let stop = Arc::new(AtomicBool::new(false));

    // The listener that keeps up: the whole event stream, until it ends with the run.
    let everything = std::thread::spawn(move || {
        let s = connect(port, &get("/api/events"));
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break; // The end of the headers.
            }
        }
        let mut body = Vec::new();
        read_chunked(&mut reader, &mut body).expect("the event stream ends cleanly");
        String::from_utf8(body).unwrap()
    });
    // Listeners and viewers that never read.
    let idle: Vec<TcpStream> = (0..SLOW_LISTENERS)
        .map(|_| connect(port, &get("/api/events")))
        .chain((0..SLOW_VIEWERS).map(|_| connect(port, &get("/api/stream"))))
        .collect();
    // Viewers that read every frame they get, on a few threads.
    let frames = Arc::new(AtomicU64::new(0));
    let viewers: Vec<_> = (0..3)
        .map(|_| {
            let (stop, frames) = (stop.clone(), frames.clone());
            std::thread::spawn(move || {
                let mut socks: Vec<TcpStream> = (0..SSE_VIEWERS / 3)
                    .map(|_| {
                        let s = connect(port, &get("/api/stream"));
                        s.set_nonblocking(true).unwrap();
                        s
                    })
                    .collect();
                let mut buf = vec![0u8; 64 * 1024];
                while !stop.load(Ordering::Relaxed) {
                    for s in &mut socks {
                        if let Ok(n) = s.read(&mut buf) {
                            let got = buf[..n].windows(5).filter(|w| w == b"data:").count();
                            frames.fetch_add(got as u64, Ordering::Relaxed);
                        }
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        })
        .collect();
    // Pollers, and clients that misbehave.
    let polls = Arc::new(AtomicU64::new(0));
    let pollers: Vec<_> = (0..2)
        .map(|_| {
            let (stop, polls) = (stop.clone(), polls.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok((200, v)) =
                        http_json(port, "GET", "/api/state", None, Duration::from_secs(10))
                    {
                        assert!(v["time_s"].is_number());
                        polls.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    let rude = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut k = 0u64;
            while !stop.load(Ordering::Relaxed) {
                k += 1;
                let garbage: Vec<u8> = (0..200).map(|i| (i * 31 + k * 7) as u8).collect();
                if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                    let _ = match k % 4 {
                        0 => s.write_all(&garbage),
                        1 => s.write_all(
                            b"POST /api/commands HTTP/1.1\r\nContent-Length: 500\r\n\r\n{\"comm",
                        ),
                        2 => s.write_all(b"GET /api/stream HTTP/1.1\r\n\r\n"),
                        _ => s.write_all(b"GET /nowhere HTTP/1.1\r\n\r\n"),
                    };
                    // Hang up without reading.
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    // Memory, watched from outside.
    let rss = Arc::new(Mutex::new(Vec::new()));
    let watch = {
        let (stop, rss) = (stop.clone(), rss.clone());
        let pid = live.child.id();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let status =
                    std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                if let Some(kb) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                {
                    rss.lock().unwrap().push((Instant::now(), kb));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    // The storm: valid and invalid commands from several threads at once.
    live.wait_state("the run under way", Duration::from_secs(20), |s| {
        s["time_s"].as_f64().unwrap() > 600.0
    });
    let storm: Vec<_> = (0..STORM_THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                for k in 0..STORM_COMMANDS {
                    let (command, valid) = match (t + k) % 5 {
                        0 => (json!({"command": "add_agents", "group": "orders team", "agents": 1}), true),
                        1 => (json!({"command": "add_agents", "group": "orders team", "agents": -1}), true),
                        2 => (json!({"command": "scale_arrivals", "queue": "*", "factor": 1.0 + (k % 3) as f64 / 10.0}), true),
                        3 => (json!({"command": "move_agents", "from": "returns team", "to": "orders team", "agents": 9999}), true),
                        _ => (json!({"command": "set_agents", "group": "nobody", "agents": 1}), false),
                    };
                    let (status, answer) = http_json(
                        port,
                        "POST",
                        "/api/commands",
                        Some(&command),
                        Duration::from_secs(20),
                    )
                    .expect("an answer");
                    answers.push((valid, status, answer));
                }
                answers
            })
        })
        .collect();
    let mut counts = [0usize; 3];
    for h in storm {
        for (valid, status, answer) in h.join().unwrap() {
            match (valid, status) {
                (true, 200) => {
                    assert!(answer["at_s"].is_number(), "{answer}");
                    counts[0] += 1;
                }
                (false, 400) => {
                    assert!(answer["error"]
                        .as_str()
                        .unwrap()
                        .contains("unknown agent group"));
                    counts[1] += 1;
                }
                // The run ended during the storm, or the queue was full: said so.
                (_, 400) | (_, 503) => {
                    assert!(answer["error"].is_string(), "{answer}");
                    counts[2] += 1;
                }
                other => panic!("unexpected answer {other:?}: {answer}"),
            }
        }
    }
    assert!(counts[0] >= 500, "valid commands applied: {counts:?}");
    assert!(counts[1] >= 150, "invalid commands refused: {counts:?}");

    let (code, out) = live.finish(Duration::from_secs(120));
    stop.store(true, Ordering::Relaxed);
    for h in viewers.into_iter().chain(pollers).chain([rude, watch]) {
        h.join().unwrap();
    }
    drop(idle);
    assert_eq!(code, 0);
    assert!(frames.load(Ordering::Relaxed) > 1000, "viewers got frames");
    assert!(polls.load(Ordering::Relaxed) > 50, "pollers got answers");

    // The same session without viewers: byte-identical results.
    let replayed = std::process::Command::new(env!("CARGO_BIN_EXE_acdsim"))
        .arg("run")
        .arg(&scenario)
        .arg("--commands")
        .arg(&record)
        .args(["--json", "--quiet"])
        .output()
        .unwrap();
    assert!(replayed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&replayed.stdout)
    );
    let recorded = std::fs::read_to_string(&record).unwrap();
    assert_eq!(
        recorded.lines().count(),
        1 + counts[0],
        "every applied command is recorded"
    );

    // The listener that kept up got every call event.
    let events = everything.join().unwrap();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let lines: Vec<Value> = events
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines.iter().all(|l| l["event"] != "lagged"),
        "the fast listener skipped events"
    );
    // It listened from its first event on (a listener hears what happens
    // from when it subscribes): every call offered in the intervals after
    // that, it heard of, and of no other.
    let first = lines[0]["t"].as_f64().unwrap();
    let intervals = doc["total"]["intervals"].as_array().unwrap();
    let (mut heard, mut offered, mut counted) = (0.0, 0.0, 0);
    for k in intervals {
        let start = k["start_s"].as_f64().unwrap();
        let end = start + doc["interval_s"].as_f64().unwrap();
        if start < first {
            continue;
        }
        counted += 1;
        offered += k["offered"]["mean"].as_f64().unwrap();
        heard += lines
            .iter()
            .filter(|l| l["event"] == "offered" && l.get("queue").is_some())
            .filter(|l| (start..end).contains(&l["t"].as_f64().unwrap()))
            .count() as f64;
    }
    assert!(
        counted >= 20,
        "the listener heard {counted} whole intervals"
    );
    assert_eq!(heard, offered, "calls offered from {first} s on");
    assert!(
        lines
            .windows(2)
            .all(|w| w[0]["t"].as_f64() <= w[1]["t"].as_f64() || w[1]["event"] == "abandoned"),
        "events come in time order (abandonment may come late)"
    );

    // Memory stayed bounded: no growth over the run.
    let rss = rss.lock().unwrap();
    assert!(rss.len() > 20, "memory sampled");
    let peak = rss.iter().map(|r| r.1).max().unwrap();
    let half = rss.len() / 2;
    let first = rss[..half].iter().map(|r| r.1).max().unwrap();
    let second = rss[half..].iter().map(|r| r.1).max().unwrap();
    eprintln!("resident memory: peak {peak} kB, first half {first} kB, second half {second} kB");
    assert!(peak < 64 * 1024, "peak memory {peak} kB");
    assert!(
        second <= first + first / 4 + 16 * 1024,
        "memory grew: {first} kB then {second} kB"
    );
}
