//! Tests of `acdsim live` through the real binary: start it on a free port
//! (parsing the `wallboard: http://HOST:PORT/` line of its stderr), talk to
//! its HTTP API with `std::net` (HTTP/1.1, JSON), interrupt it like Ctrl-C,
//! and collect what it printed. Whatever is started is ended on drop, also
//! when a test panics.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `acdsim live`, killed on drop.
pub struct LiveProcess {
    pub child: Child,
    pub port: u16,
    /// Its stderr lines so far.
    pub stderr: Arc<Mutex<Vec<String>>>,
    stdout: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Drop for LiveProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LiveProcess {
    /// Starts `acdsim live SCENARIO --port 0 ARGS...` and waits (30 s at
    /// most) for the address it serves on.
    pub fn start(scenario: &Path, args: &[&str]) -> LiveProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_acdsim"))
            .arg("live")
            .arg(scenario)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting acdsim live");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        // Both pipes are read to their end in threads (the child never
        // blocks on a full pipe); stderr lines are handed over to find the address.
        let mut out = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.read_to_end(&mut buf);
            buf
        });
        let (tx, rx) = mpsc::channel::<String>();
        let err = child.stderr.take().unwrap();
        let keep = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                keep.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        let mut live = LiveProcess {
            child,
            port: 0,
            stderr,
            stdout: Some(stdout),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(port) = parse_port(&line) {
                        live.port = port;
                        return live;
                    }
                }
                Err(_) => {
                    let status = live.child.try_wait().ok().flatten();
                    panic!(
                        "acdsim live printed no `wallboard: http://127.0.0.1:PORT/` line within 30 s \
                         (exit status: {status:?}); its stderr:\n{}",
                        live.stderr_text()
                    );
                }
            }
        }
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// `GET /api/state`.
    pub fn state(&self) -> Value {
        let (status, v) = http_json(
            self.port,
            "GET",
            "/api/state",
            None,
            Duration::from_secs(10),
        )
        .unwrap_or_else(|e| panic!("{e}\nstderr:\n{}", self.stderr_text()));
        assert_eq!(status, 200, "GET /api/state: {v}");
        v
    }

    /// `POST /api/commands` with `command`: the status and the answer.
    pub fn command(&self, command: &Value) -> (u16, Value) {
        http_json(
            self.port,
            "POST",
            "/api/commands",
            Some(command),
            Duration::from_secs(20),
        )
        .unwrap_or_else(|e| panic!("{e}\nstderr:\n{}", self.stderr_text()))
    }

    /// Waits (`timeout` at most) until `f` holds for the state.
    pub fn wait_state(&self, what: &str, timeout: Duration, f: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let s = self.state();
            if f(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited {timeout:?} for {what}; last state: {s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGINT, as Ctrl-C does.
    pub fn interrupt(&self) {
        self.signal("-INT");
    }

    /// Sends a signal (`"-INT"`, `"-TERM"`) to the process.
    pub fn signal(&self, which: &str) {
        let status = Command::new("kill")
            .args([which, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to end (`timeout` at most): its exit code and stdout.
    pub fn finish(mut self, timeout: Duration) -> (i32, Vec<u8>) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                let out = self.stdout.take().unwrap().join().unwrap();
                return (status.code().unwrap_or(-1), out);
            }
            assert!(
                Instant::now() < deadline,
                "acdsim live did not end within {timeout:?}; stderr:\n{}",
                self.stderr_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its resident memory (kB), from /proc.
    pub fn rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

/// The port of a `wallboard: http://HOST:PORT/` line.
pub fn parse_port(line: &str) -> Option<u16> {
    let rest = line.trim().strip_prefix("wallboard:")?.trim();
    let rest = rest.strip_prefix("http://")?;
    let host_port = rest.split('/').next()?;
    host_port.rsplit_once(':')?.1.parse().ok()
}

/// One HTTP/1.1 request with a JSON body; returns the status and the JSON answer.
pub fn http_json(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> Result<(u16, Value), String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect :{port}: {e}"))?;
    stream.set_read_timeout(Some(timeout)).ok();
    stream.set_write_timeout(Some(timeout)).ok();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(payload.as_bytes()))
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader
        .read_line(&mut status_line)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{method} {path}: bad status line {status_line:?}"))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "content-length" {
                length = v.parse::<usize>().ok();
            } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    let mut raw = Vec::new();
    let read = if chunked {
        read_chunked(&mut reader, &mut raw)
    } else if let Some(n) = length {
        raw.resize(n, 0);
        reader.read_exact(&mut raw)
    } else {
        reader.read_to_end(&mut raw).map(|_| ())
    };
    read.map_err(|e| format!("{method} {path}: reading the answer: {e}"))?;
    let value = if raw.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&raw).map_err(|e| {
            format!(
                "{method} {path}: not JSON ({e}): {}",
                String::from_utf8_lossy(&raw[..raw.len().min(300)])
            )
        })?
    };
    Ok((status, value))
}

pub fn read_chunked(reader: &mut impl BufRead, out: &mut Vec<u8>) -> std::io::Result<()> {
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        if n == 0 {
            return Ok(());
        }
        let start = out.len();
        out.resize(start + n, 0);
        reader.read_exact(&mut out[start..])?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
    }
}
