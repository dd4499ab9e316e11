//! Live commands: a script of timed commands (JSON lines, what `acdsim run
//! --commands` reads) checked against a small center with every kind of
//! group, overflow stages and a campaign, then, if valid, applied to one
//! short replication at its times. Neither the reader nor the engine may
//! panic, whatever the commands and their times; the reader's messages are
//! bounded and free of control characters; the books of the run balance.
#![no_main]

use acdsim::command::{Command, Script};
use acdsim::engine::Simulation;
use acdsim::scenario::Scenario;
use acdsim_fuzz::assert_clean_message;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

/// One hour of a small center: a counted group, a group working shifts,
/// supervisors, a queue with overflow stages and escalation, a campaign.
const CENTER: &str = r#"{
  "name": "fuzz", "horizon": "1h", "interval": "15m", "clock_start": "08:00", "closing": "drain",
  "skills": ["a", "b", "out"],
  "queues": [
    { "name": "qa", "skill": "a", "arrivals": { "rate_per_hour": 60 },
      "handle_time": { "exponential": { "mean": "3m" } }, "patience": { "exponential": { "mean": "2m" } },
      "overflow": [ { "after": "0s", "max_level": 1 }, { "after": "30s" } ],
      "escalation": { "probability": 0.1, "after": { "constant": "1m" }, "supervisor_time": { "constant": "2m" } } },
    { "name": "qb", "skill": "b", "arrivals": { "rate_per_hour": [40, 0, 80, 40] },
      "handle_time": { "constant": "2m" } }
  ],
  "agent_groups": [
    { "name": "ga", "count": 2, "skills": { "a": 1, "out": 1 } },
    { "name": "gb", "skills": { "b": 1, "a": 2 }, "shifts": [
      { "start": "08:00", "end": "08:40", "agents": 2, "breaks": [ { "start": "08:20", "duration": "5m" } ] },
      { "start": "08:30", "end": "09:00", "agents": 1 } ] },
    { "name": "gs", "role": "supervisor", "staffing": [1, 0, 2, 1] }
  ],
  "campaigns": [ { "name": "c", "skill": "out", "hours": { "start": "08:10", "end": "08:50" },
    "dialer": { "mode": "predictive" }, "outcomes": { "live": 0.3 }, "talk_time": { "constant": "1m" } } ]
}"#;

fn center() -> &'static Scenario {
    static SC: OnceLock<Scenario> = OnceLock::new();
    SC.get_or_init(|| {
        let mut sc = Scenario::from_json_str(CENTER, "fuzz.json").expect("a valid center");
        sc.reserve_for_commands();
        sc
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for line in text.lines().take(50) {
        if let Err(message) = Command::from_json(line) {
            assert_clean_message("command", &message);
        }
    }
    let sc = center();
    match Script::parse(text, sc) {
        Err(problems) => {
            assert!(problems.len() <= 21, "{} problems listed", problems.len());
            for p in &problems {
                assert_clean_message("script", p);
            }
        }
        Ok(script) => {
            if script.commands.len() > 200 {
                return; // Simulating is what is slow: keep runs short.
            }
            let mut sc = sc.clone();
            sc.script = Some(Arc::new(script));
            let stats = Simulation::new(&sc, 1, 0).run();
            for q in &stats.queues {
                let c = &q.calls;
                assert_eq!(
                    c.offered,
                    c.answered + c.abandoned + c.unresolved + c.disconnected,
                    "calls balance"
                );
            }
        }
    }
});
