//! A minimal WebDriver client for browser tests: starts `chromedriver`, opens
//! a headless Chromium session and speaks the W3C WebDriver protocol (JSON
//! over HTTP/1.1 on 127.0.0.1) with `std::net` and `serde_json` only, so the
//! browser test needs no extra dependency. Everything it starts is ended on
//! drop (the session closes the browser, then chromedriver is killed), also
//! when a test panics.
#![allow(dead_code)]

use crate::live::http_json;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a missing browser says; the test prints it when it skips.
pub const INSTALL_HINT: &str = "install with apt-get install chromium chromium-driver";

/// True when running in CI (`CI` set to anything but empty, `0` or `false`):
/// a missing browser is then a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| {
            let v = v.trim().to_ascii_lowercase();
            !(v.is_empty() || v == "0" || v == "false")
        })
        .unwrap_or(false)
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The browser and its driver: `CHROMEDRIVER` and `CHROME_BIN` override the
/// search of `PATH` (`chromedriver`; `chromium`, `chromium-browser`,
/// `google-chrome`).
#[derive(Debug, Clone)]
pub struct Tools {
    pub chromedriver: PathBuf,
    /// Passed to chromedriver only when given by `CHROME_BIN` (Debian's
    /// chromedriver knows where its chromium is).
    pub chrome_bin: Option<PathBuf>,
}

pub fn find_tools() -> Result<Tools, String> {
    let chromedriver = match std::env::var_os("CHROMEDRIVER") {
        Some(p) => PathBuf::from(p),
        None => on_path(&["chromedriver"]).ok_or("no chromedriver found")?,
    };
    if !chromedriver.is_file() {
        return Err(format!("{} does not exist", chromedriver.display()));
    }
    let chrome_bin = std::env::var_os("CHROME_BIN").map(PathBuf::from);
    match &chrome_bin {
        Some(p) if !p.is_file() => return Err(format!("{} does not exist", p.display())),
        Some(_) => {}
        None => {
            on_path(&[
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ])
            .ok_or("no chromium found")?;
        }
    }
    Ok(Tools {
        chromedriver,
        chrome_bin,
    })
}

/// A free TCP port on 127.0.0.1 (free when asked; chromedriver takes it next).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// A running chromedriver, killed on drop.
pub struct Driver {
    child: Child,
    pub port: u16,
    tools: Tools,
}

impl Driver {
    pub fn start(tools: &Tools) -> Result<Driver, String> {
        let port = free_port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", tools.chromedriver.display()))?;
        let mut driver = Driver {
            child,
            port,
            tools: tools.clone(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok((200, v)) = http_json(port, "GET", "/status", None, Duration::from_secs(5)) {
                if v["value"]["ready"].as_bool().unwrap_or(true) {
                    return Ok(driver);
                }
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(format!("chromedriver exited at start: {status}"));
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not answer within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A new headless browser session with a window of `width` × `height`.
    pub fn session(&self, width: u32, height: u32) -> Result<Session<'_>, String> {
        let mut options = json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                format!("--window-size={width},{height}"),
            ],
        });
        if let Some(bin) = &self.tools.chrome_bin {
            options["binary"] = json!(bin);
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "browser": "ALL" },
        } } });
        let (status, v) = http_json(
            self.port,
            "POST",
            "/session",
            Some(&caps),
            Duration::from_secs(60),
        )?;
        let id = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("new session: HTTP {status}: {v}"))?
            .to_string();
        Ok(Session { driver: self, id })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session, closed (browser quit) on drop.
pub struct Session<'a> {
    driver: &'a Driver,
    pub id: String,
}

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let full = format!("/session/{}{path}", self.id);
        let (status, v) = http_json(
            self.driver.port,
            method,
            &full,
            body.as_ref(),
            Duration::from_secs(60),
        )?;
        if status != 200 {
            return Err(format!("{method} {path}: HTTP {status}: {}", v["value"]));
        }
        Ok(v["value"].clone())
    }

    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.call("POST", "/url", Some(json!({ "url": url })))
            .map(|_| ())
    }

    /// Runs `script` (a function body: `return …`, arguments in `arguments`).
    pub fn execute(&self, script: &str, args: Value) -> Result<Value, String> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The text of the first element matching `css`, `None` if none does.
    pub fn text(&self, css: &str) -> Result<Option<String>, String> {
        let v = self.execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            json!([css]),
        )?;
        Ok(v.as_str().map(str::to_string))
    }

    /// The first element matching `css` (a WebDriver element id).
    pub fn find(&self, css: &str) -> Result<String, String> {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        v[ELEMENT]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("find {css}: {v}"))
    }

    /// A real click (scrolled into view, pointer events) on an element.
    pub fn click(&self, element: &str) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .map(|_| ())
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>, String> {
        let v = self.call("GET", "/screenshot", None)?;
        base64_decode(v.as_str().ok_or("screenshot: no data")?)
    }

    /// The browser's console and network log since the last call
    /// (chromedriver's log endpoint; empty if it has none).
    pub fn browser_log(&self) -> Vec<Value> {
        self.call("POST", "/se/log", Some(json!({ "type": "browser" })))
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    }

    /// Polls `probe` every 100 ms until it gives `Some`, or fails after `timeout`.
    pub fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&Self) -> Result<Option<T>, String>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(t) = probe(self)? {
                return Ok(t);
            }
            if Instant::now() > deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = http_json(
            self.driver.port,
            "DELETE",
            &format!("/session/{}", self.id),
            None,
            Duration::from_secs(20),
        );
    }
}

/// Standard base64 (WebDriver screenshots).
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b'\r' | b'\n' | b' ' => continue,
            _ => return Err(format!("base64: unexpected byte {c}")),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// Writes `bytes` to `path`, creating its folder.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}
