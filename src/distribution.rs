//! Random durations of the scenario (handle time, patience, wrap-up): the
//! distribution families a scenario may name and their samplers, in microseconds.

use crate::rng::Stream;
use crate::time::SimTime;
use rand_distr::{Distribution as _, Exp1, Gamma, LogNormal};
use serde::Serialize;

/// A distribution of durations as the scenario states it (parameters in seconds).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationDist {
    Exponential { mean_s: f64 },
    Lognormal { mean_s: f64, sd_s: f64 },
    Gamma { mean_s: f64, sd_s: f64 },
    Uniform { min_s: f64, max_s: f64 },
    Constant { value_s: f64 },
}

impl DurationDist {
    /// Mean of the distribution, in seconds.
    pub fn mean_s(&self) -> f64 {
        match *self {
            DurationDist::Exponential { mean_s }
            | DurationDist::Lognormal { mean_s, .. }
            | DurationDist::Gamma { mean_s, .. } => mean_s,
            DurationDist::Uniform { min_s, max_s } => 0.5 * (min_s + max_s),
            DurationDist::Constant { value_s } => value_s,
        }
    }

    /// Checks the parameters; returns a message naming the bad one.
    pub fn check(&self) -> Result<(), String> {
        let pos = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("{name} must be a positive duration, got {v} s"))
            }
        };
        let nonneg = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!("{name} must be a non-negative duration, got {v} s"))
            }
        };
        match *self {
            DurationDist::Exponential { mean_s } => pos("mean", mean_s),
            DurationDist::Lognormal { mean_s, sd_s } | DurationDist::Gamma { mean_s, sd_s } => {
                pos("mean", mean_s)?;
                pos("sd", sd_s)
            }
            DurationDist::Uniform { min_s, max_s } => {
                nonneg("min", min_s)?;
                nonneg("max", max_s)?;
                if max_s < min_s {
                    Err(format!("max ({max_s} s) is smaller than min ({min_s} s)"))
                } else {
                    Ok(())
                }
            }
            DurationDist::Constant { value_s } => nonneg("constant", value_s),
        }
    }

    /// Builds the sampler (parameters must have passed [`DurationDist::check`]).
    pub fn sampler(&self) -> Sampler {
        const US: f64 = 1e6;
        match *self {
            DurationDist::Exponential { mean_s } => Sampler::Exponential {
                mean_us: mean_s * US,
            },
            DurationDist::Lognormal { mean_s, sd_s } => {
                let sigma2 = (1.0 + (sd_s / mean_s).powi(2)).ln();
                let mu = (mean_s * US).ln() - 0.5 * sigma2;
                Sampler::Lognormal(LogNormal::new(mu, sigma2.sqrt()).expect("checked parameters"))
            }
            DurationDist::Gamma { mean_s, sd_s } => {
                let shape = (mean_s / sd_s).powi(2);
                let scale = sd_s * sd_s / mean_s * US;
                Sampler::Gamma(Gamma::new(shape, scale).expect("checked parameters"))
            }
            DurationDist::Uniform { min_s, max_s } => Sampler::Uniform {
                min_us: min_s * US,
                width_us: (max_s - min_s) * US,
            },
            DurationDist::Constant { value_s } => {
                Sampler::Constant(SimTime::from_secs_f64(value_s).micros())
            }
        }
    }
}

/// A ready-to-draw duration sampler; draws are whole microseconds.
#[derive(Debug, Clone)]
pub enum Sampler {
    Exponential { mean_us: f64 },
    Lognormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Uniform { min_us: f64, width_us: f64 },
    Constant(u64),
}

impl Sampler {
    /// Draws one duration in microseconds.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Stream) -> u64 {
        let x = match self {
            Sampler::Exponential { mean_us } => {
                let e: f64 = Exp1.sample(rng);
                e * mean_us
            }
            Sampler::Lognormal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Uniform { min_us, width_us } => min_us + width_us * rng.unit_f64(),
            Sampler::Constant(v) => return *v,
        };
        // Round to the microsecond; saturating keeps absurd tails finite.
        (x + 0.5) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_sd(d: &DurationDist, n: usize) -> (f64, f64) {
        let s = d.sampler();
        let mut rng = Stream::new(42, 0, 0, 0);
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng) as f64 / 1e6).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt())
    }

    #[test]
    fn moments_match_parameters() {
        // n = 200k: standard error of the mean is sd/447, so 5 standard errors is ~1.1% of sd.
        let n = 200_000;
        let cases = [
            (DurationDist::Exponential { mean_s: 180.0 }, 180.0, 180.0),
            (
                DurationDist::Lognormal {
                    mean_s: 300.0,
                    sd_s: 150.0,
                },
                300.0,
                150.0,
            ),
            (
                DurationDist::Gamma {
                    mean_s: 60.0,
                    sd_s: 30.0,
                },
                60.0,
                30.0,
            ),
            (
                DurationDist::Uniform {
                    min_s: 10.0,
                    max_s: 30.0,
                },
                20.0,
                20.0 / 12f64.sqrt(),
            ),
        ];
        for (d, m, sd) in cases {
            let (em, esd) = mean_sd(&d, n);
            let se = sd / (n as f64).sqrt();
            assert!((em - m).abs() < 5.0 * se, "{d:?}: mean {em} vs {m}");
            assert!((esd - sd).abs() < 0.03 * sd, "{d:?}: sd {esd} vs {sd}");
            assert!((d.mean_s() - m).abs() < 1e-9);
        }
    }

    #[test]
    fn constant_is_exact() {
        let d = DurationDist::Constant { value_s: 12.5 };
        let s = d.sampler();
        let mut rng = Stream::new(1, 0, 0, 0);
        assert_eq!(s.sample(&mut rng), 12_500_000);
        let zero = DurationDist::Constant { value_s: 0.0 }.sampler();
        assert_eq!(zero.sample(&mut rng), 0);
    }

    #[test]
    fn check_rejects_bad_parameters() {
        assert!(DurationDist::Exponential { mean_s: 0.0 }.check().is_err());
        assert!(DurationDist::Exponential { mean_s: f64::NAN }
            .check()
            .is_err());
        assert!(DurationDist::Lognormal {
            mean_s: 1.0,
            sd_s: -1.0
        }
        .check()
        .is_err());
        assert!(DurationDist::Uniform {
            min_s: 5.0,
            max_s: 1.0
        }
        .check()
        .is_err());
        assert!(DurationDist::Constant { value_s: -1.0 }.check().is_err());
        assert!(DurationDist::Gamma {
            mean_s: 2.0,
            sd_s: 1.0
        }
        .check()
        .is_ok());
    }
}
