//! The live wallboard in a real browser: `acdsim live` on a small center
//! whose orders queue is understaffed (100 calls/h of 3 minutes on 3
//! agents), opened in headless Chromium through chromedriver. The clock must
//! move, calls must pile up, and clicking "add 5 agents" for the orders team
//! must drain the queue. A screenshot goes to `target/wallboard.png` (and to
//! `$ACDSIM_SCREENSHOT` when set, for the README).
//!
//! Without chromium and chromedriver the test is skipped with a message,
//! except in CI (`CI=true`), where it fails.

#[path = "common/browser.rs"]
mod browser;
#[path = "common/live.rs"]
mod live;

use browser::{find_tools, in_ci, write_file, Driver, Session, INSTALL_HINT};
use live::LiveProcess;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

const QUEUE: &str = "orders";
const GROUP: &str = "orders team";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The number in a cell, if it holds one.
fn number(session: &Session, css: &str) -> Result<Option<f64>, String> {
    Ok(session
        .text(css)?
        .and_then(|t| t.trim().replace(',', "").parse::<f64>().ok()))
}

/// The page's state in a failure message: the last snapshot it rendered,
/// its own error list and the console.
fn diagnose(session: &Session, live: &LiveProcess) -> String {
    let page = session
        .execute(
            "const w = window.wallboard || {}; \
             return { errors: w.errors || null, rendered: w.rendered || 0, \
                      snapshot: w.snapshot ? JSON.stringify(w.snapshot).slice(0, 3000) : null };",
            json!([]),
        )
        .map(|v| v.to_string())
        .unwrap_or_else(|e| e);
    format!(
        "page: {page}\nconsole: {:?}\nacdsim stderr:\n{}",
        session.browser_log(),
        live.stderr_text()
    )
}

#[test]
fn wallboard_add_agents_drains_the_queue() {
    let tools = match find_tools() {
        Ok(t) => t,
        Err(why) if in_ci() => {
            panic!("CI=true but the browser test cannot run: {why}; {INSTALL_HINT}")
        }
        Err(why) => {
            eprintln!("skipped: no chromium/chromedriver found ({why}); {INSTALL_HINT}");
            return;
        }
    };
    let scenario = root().join("scenarios/live-demo.json");
    let live = LiveProcess::start(&scenario, &["--speed", "600"]);
    let url = format!("http://127.0.0.1:{}/", live.port);
    let driver = Driver::start(&tools).unwrap_or_else(|e| panic!("chromedriver: {e}"));
    let session = driver
        .session(1440, 1000)
        .unwrap_or_else(|e| panic!("browser session: {e}"));
    let check = |r: Result<(), String>| {
        if let Err(e) = r {
            let shot = root().join("target/wallboard-failure.png");
            if let Ok(png) = session.screenshot() {
                let _ = write_file(&shot, &png);
            }
            panic!(
                "{e}\n(screenshot: {})\n{}",
                shot.display(),
                diagnose(&session, &live)
            );
        }
    };
    check(run(&session, &url));
    // The page rendered without an error of its own or of the console (the
    // network entries of a stream reconnecting are not the page's fault).
    let errors = session
        .execute(
            "return (window.wallboard && window.wallboard.errors) || ['no wallboard object'];",
            json!([]),
        )
        .unwrap();
    assert_eq!(
        errors,
        json!([]),
        "page errors\n{}",
        diagnose(&session, &live)
    );
    let console: Vec<_> = session
        .browser_log()
        .into_iter()
        .filter(|e| e["level"] == "SEVERE" && e["source"] != "network")
        .collect();
    assert!(console.is_empty(), "console errors: {console:?}");
    // Screenshots: the build folder, and the README's when asked.
    let png = session.screenshot().unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let mut targets = vec![root().join("target/wallboard.png")];
    if let Some(p) = std::env::var_os("ACDSIM_SCREENSHOT").filter(|p| !p.is_empty()) {
        targets.push(PathBuf::from(p));
    }
    for path in targets {
        write_file(&path, &png).unwrap();
        eprintln!("wallboard screenshot: {}", path.display());
    }
    drop(session);
    drop(driver);
    drop(live);
}

fn run(session: &Session, url: &str) -> Result<(), String> {
    let waiting = format!(r#"td[data-queue="{QUEUE}"][data-field="waiting"]"#);
    let agents = format!(r#"[data-group="{GROUP}"][data-field="agents"]"#);
    let add5 = format!(r#"button[data-action="add5"][data-group="{GROUP}"]"#);
    session.goto(url)?;

    // Live numbers: the clock shows a time, then another.
    let first = session.wait_for("the clock to show a time", Duration::from_secs(20), |s| {
        Ok(s.text("#clock")?
            .filter(|t| t.contains(':') && !t.contains('-')))
    })?;
    session.wait_for(
        &format!("the clock to move on from {first}"),
        Duration::from_secs(20),
        |s| Ok(s.text("#clock")?.filter(|t| t.contains(':') && *t != first)),
    )?;

    // Calls pile up on 3 agents (at 600× a simulated hour is 6 s).
    let before = session.wait_for(
        "at least 12 calls waiting in orders",
        Duration::from_secs(40),
        |s| Ok(number(s, &waiting)?.filter(|&w| w >= 12.0)),
    )?;
    let staffed = number(session, &agents)?.ok_or("no agent count for the orders team")?;
    let at_click = session.text("#clock")?.unwrap_or_default();
    eprintln!("{at_click}: {before} calls waiting, {staffed} agents: clicking \"add 5 agents\"");

    let button = session.find(&add5)?;
    let label = session.text(&add5)?.unwrap_or_default();
    if label.trim() != "add 5 agents" {
        return Err(format!("the button reads {label:?}, not \"add 5 agents\""));
    }
    session.click(&button)?;

    // The group gets its 5 agents, and the backlog drains: 8 agents answer
    // 160 calls/h against 100 arriving.
    session.wait_for(
        &format!("the orders team to show {} agents", staffed + 5.0),
        Duration::from_secs(15),
        |s| Ok(number(s, &agents)?.filter(|&a| a == staffed + 5.0)),
    )?;
    let limit = (before / 4.0).floor();
    let after = session.wait_for(
        &format!("orders to drain from {before} to at most {limit} calls waiting"),
        Duration::from_secs(40),
        |s| Ok(number(s, &waiting)?.filter(|&w| w <= limit)),
    )?;
    let at_drain = session.text("#clock")?.unwrap_or_default();
    eprintln!("{at_drain}: {after} calls waiting");
    Ok(())
}
