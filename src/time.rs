//! Simulated time: an integer count of microseconds, and the duration syntax
//! of scenario files (`20`, `2.5`, `"20s"`, `"3m"`, `"1h30m"`, `"250ms"`).

use crate::text::quoted;
use std::fmt;

/// Microseconds per second.
pub const MICROS_PER_SEC: u64 = 1_000_000;

/// A point in simulated time or a span of it, in whole microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Converts seconds (finite, non-negative) to the nearest microsecond.
    #[inline]
    pub fn from_secs_f64(secs: f64) -> SimTime {
        SimTime((secs * MICROS_PER_SEC as f64).round() as u64)
    }

    #[inline]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }

    #[inline]
    pub fn micros(self) -> u64 {
        self.0
    }
}

/// Serialised as seconds (a number), the unit of every report.
impl serde::Serialize for SimTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_secs_f64())
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_duration(*self))
    }
}

/// Formats a duration the way scenario files write it (`1h30m`, `20s`, `0.5s`).
pub fn format_duration(t: SimTime) -> String {
    let total = t.0;
    if total == 0 {
        return "0s".to_string();
    }
    let secs_whole = total / MICROS_PER_SEC;
    let frac = total % MICROS_PER_SEC;
    let (h, m, s) = (secs_whole / 3600, (secs_whole / 60) % 60, secs_whole % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    // "1h0m5s", not "1h5s" (which reads as an hour and five minutes).
    if m > 0 || (h > 0 && (s > 0 || frac > 0)) {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || frac > 0 {
        if frac > 0 {
            let v = format!("{}.{:06}", s, frac);
            out.push_str(v.trim_end_matches('0'));
            out.push('s');
        } else {
            out.push_str(&format!("{s}s"));
        }
    }
    out
}

/// Parses a duration string: one or more `<number><unit>` parts with units
/// `h`, `m`, `s`, `ms` (e.g. `"1h30m"`, `"2.5s"`, `"90s"`), or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<SimTime, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration".to_string());
    }
    if let Ok(v) = s.parse::<f64>() {
        return secs_to_time(v).map_err(|e| format!("{e} in duration {}", quoted(text)));
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total = 0.0f64;
    let mut last_rank = u8::MAX;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        if start == i {
            return Err(bad_duration(text));
        }
        let num: f64 = s[start..i].parse().map_err(|_| bad_duration(text))?;
        let ustart = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let (factor, rank) = match &s[ustart..i] {
            "h" => (3600.0, 3),
            "m" | "min" => (60.0, 2),
            "s" => (1.0, 1),
            "ms" => (0.001, 0),
            _ => return Err(bad_duration(text)),
        };
        if rank >= last_rank {
            return Err(format!(
                "units must go from larger to smaller, each once, in duration {}",
                quoted(text)
            ));
        }
        last_rank = rank;
        total += num * factor;
    }
    secs_to_time(total).map_err(|e| format!("{e} in duration {}", quoted(text)))
}

fn bad_duration(text: &str) -> String {
    format!("invalid duration {}: expected seconds (e.g. 90) or a string like \"20s\", \"3m\", \"1h30m\", \"250ms\"", quoted(text))
}

/// Converts a number of seconds to `SimTime`, rejecting negative, non-finite and absurdly large values.
pub fn secs_to_time(secs: f64) -> Result<SimTime, String> {
    if !secs.is_finite() {
        return Err("duration is not a finite number".to_string());
    }
    if secs < 0.0 {
        return Err(format!("negative duration ({} s)", short_number(secs)));
    }
    // Durations are kept in whole microseconds: one that is not zero must
    // not vanish on the way.
    if secs > 0.0 && secs < 0.5e-6 {
        return Err(format!(
            "duration {} s is shorter than one microsecond, the resolution of durations",
            short_number(secs)
        ));
    }
    // About 100 years: far beyond any scenario, far below u64 overflow.
    if secs > 3.2e9 {
        return Err(format!(
            "duration too large ({} s; at most 3.2e9 s, about 100 years)",
            short_number(secs)
        ));
    }
    Ok(SimTime::from_secs_f64(secs))
}

/// A number as a message shows it: plain when ordinary, in exponent form
/// when huge or tiny (never 300 digits).
pub fn short_number(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e9 || x.abs() < 1e-6) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_bad_duration_echoes_is_escaped_and_bounded() {
        // Found by fuzzing (fuzz/regressions/duration).
        for text in ["\0", "\u{1b}[2J", ":\0\u{3}", "08:00\u{1b}[2J"] {
            let e = parse_duration(text).unwrap_err();
            assert!(!e.chars().any(crate::text::is_hidden), "{e:?}");
        }
        let e = parse_duration(&"x".repeat(70_000)).unwrap_err();
        assert!(e.len() < 300, "{} bytes", e.len());
    }

    #[test]
    fn a_duration_below_the_resolution_is_refused_not_rounded_to_zero() {
        for text in ["0.0000001s", "1e-7", "0.0004ms"] {
            let e = parse_duration(text).unwrap_err();
            assert!(e.contains("shorter than one microsecond"), "{text}: {e}");
        }
        assert_eq!(parse_duration("0.0000005s").unwrap(), SimTime(1));
        assert_eq!(parse_duration("0").unwrap(), SimTime::ZERO);
        assert_eq!(parse_duration("0.000001").unwrap(), SimTime(1));
    }

    #[test]
    fn huge_numbers_are_shown_short() {
        let err = parse_duration("1e300").unwrap_err();
        assert!(err.contains("1e300 s"), "{err}");
        assert_eq!(short_number(2.5), "2.5");
        assert_eq!(short_number(-2.0), "-2");
    }

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("20s").unwrap(), SimTime(20_000_000));
        assert_eq!(parse_duration("3m").unwrap(), SimTime(180_000_000));
        assert_eq!(parse_duration("1h30m").unwrap(), SimTime(5_400_000_000));
        assert_eq!(parse_duration("250ms").unwrap(), SimTime(250_000));
        assert_eq!(parse_duration("1.5s").unwrap(), SimTime(1_500_000));
        assert_eq!(parse_duration("90").unwrap(), SimTime(90_000_000));
        assert_eq!(parse_duration("1h0m5s").unwrap(), SimTime(3_605_000_000));
    }

    #[test]
    fn rejects_bad_durations() {
        for bad in ["", "s", "3x", "-5s", "5s3m", "3m3m", "1..2s", "abc", "-1"] {
            assert!(parse_duration(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn formats_round_trip() {
        for s in [
            "1h30m",
            "20s",
            "0.5s",
            "10h",
            "2m3s",
            "1h0m5s",
            "2h0m0.25s",
            "1h1m1s",
        ] {
            let t = parse_duration(s).unwrap();
            assert_eq!(format_duration(t), s);
            assert_eq!(parse_duration(&format_duration(t)).unwrap(), t);
        }
    }
}
