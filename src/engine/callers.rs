//! Callers: everything drawn for a call on its arrival (patience, talk and
//! wrap-up times, whether it would balk), each from its queue's own random
//! stream, so that two variants of a scenario run with the same seed see the
//! same callers whatever their staffing (common random numbers).

use crate::distribution::{DurationDist, Sampler};
use crate::rng::{Stream, StreamKind};
use crate::router::{WaitingCall, NEVER};
use crate::scenario::{Profile, Queue};

/// Random sources and fixed parameters of one queue's callers.
pub(super) struct CallerSource {
    handle: Profile<Sampler>,
    patience: Option<Profile<Sampler>>,
    wrap: Profile<Sampler>,
    handle_rng: Stream,
    patience_rng: Stream,
    wrap_rng: Stream,
    /// With `balk_probability`: its stream and the probability.
    balk: Option<(Stream, f64)>,
    /// Whether any distribution changes by interval.
    pub by_interval: bool,
    pub sl_threshold_us: u64,
}

fn samplers(p: &Profile<DurationDist>) -> Profile<Sampler> {
    p.map(DurationDist::sampler)
}

impl CallerSource {
    pub fn new(queue: &Queue, seed: u64, replication: u64, q: u64) -> CallerSource {
        let stream = |kind| Stream::for_kind(seed, replication, kind, q);
        let handle = samplers(&queue.handle_time);
        let patience = queue.patience.as_ref().map(samplers);
        let wrap = queue
            .wrap_up
            .as_ref()
            .map(samplers)
            .unwrap_or(Profile::Constant(Sampler::Constant(0)));
        let varies = |p: &Profile<Sampler>| matches!(p, Profile::PerInterval(_));
        CallerSource {
            by_interval: varies(&handle) || patience.as_ref().is_some_and(varies) || varies(&wrap),
            handle,
            patience,
            wrap,
            handle_rng: stream(StreamKind::HandleTime),
            patience_rng: stream(StreamKind::Patience),
            wrap_rng: stream(StreamKind::WrapUp),
            balk: queue
                .balk_probability
                .filter(|&p| p > 0.0)
                .map(|p| (stream(StreamKind::Balk), p)),
            sl_threshold_us: queue.service_level_threshold.micros(),
        }
    }

    /// A caller arriving at `now` in interval `k` (its distributions'
    /// interval); the flag says whether it balks should it find no idle agent.
    #[inline]
    pub fn draw(&mut self, now: u64, k: usize) -> (WaitingCall, bool) {
        let deadline = match &self.patience {
            Some(p) => now.saturating_add(p.at(k).sample(&mut self.patience_rng)),
            None => NEVER,
        };
        let call = WaitingCall {
            arrival: now,
            deadline,
            talk: self.handle.at(k).sample(&mut self.handle_rng),
            wrap: self.wrap.at(k).sample(&mut self.wrap_rng),
        };
        let balks = match &mut self.balk {
            Some((rng, p)) => rng.unit_f64() < *p,
            None => false,
        };
        (call, balks)
    }
}
