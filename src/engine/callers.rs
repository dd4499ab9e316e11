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
    /// The samplers of the current interval's distributions (patience `None`: patient callers).
    handle: Sampler,
    patience: Option<Sampler>,
    wrap: Sampler,
    /// With distributions by interval: (handle, patience, wrap) of each interval.
    by_interval: Option<Vec<(Sampler, Option<Sampler>, Sampler)>>,
    /// The interval whose samplers are current.
    current: usize,
    handle_rng: Stream,
    patience_rng: Stream,
    wrap_rng: Stream,
    /// With `balk_probability`: its stream and the probability.
    balk: Option<(Stream, f64)>,
    /// With `escalation`: its stream, the probability and the talk before escalating.
    difficult: Option<(Stream, f64, Sampler)>,
    /// With `retrial`: its stream, the probability and the delay.
    retrial: Option<(Stream, f64, Sampler)>,
    pub sl_threshold_us: u64,
}

impl CallerSource {
    pub fn new(queue: &Queue, seed: u64, replication: u64, q: u64) -> CallerSource {
        let stream = |kind| Stream::for_kind(seed, replication, kind, q);
        let at = |p: &Profile<DurationDist>, k: usize| p.at(k).sampler();
        let samplers = |k: usize| {
            (
                at(&queue.handle_time, k),
                queue.patience.as_ref().map(|p| at(p, k)),
                queue
                    .wrap_up
                    .as_ref()
                    .map_or(Sampler::Constant(0), |p| at(p, k)),
            )
        };
        let varies = |p: &Profile<DurationDist>| matches!(p, Profile::PerInterval(_));
        let intervals = [
            Some(&queue.handle_time),
            queue.patience.as_ref(),
            queue.wrap_up.as_ref(),
        ]
        .into_iter()
        .flatten()
        .filter_map(|p| match p {
            Profile::PerInterval(v) => Some(v.len()),
            Profile::Constant(_) => None,
        })
        .max();
        let any_varies = varies(&queue.handle_time)
            || queue.patience.as_ref().is_some_and(varies)
            || queue.wrap_up.as_ref().is_some_and(varies);
        let (handle, patience, wrap) = samplers(0);
        CallerSource {
            handle,
            patience,
            wrap,
            by_interval: any_varies.then(|| (0..intervals.unwrap_or(1)).map(samplers).collect()),
            current: 0,
            handle_rng: stream(StreamKind::HandleTime),
            patience_rng: stream(StreamKind::Patience),
            wrap_rng: stream(StreamKind::WrapUp),
            balk: queue
                .balk_probability
                .filter(|&p| p > 0.0)
                .map(|p| (stream(StreamKind::Balk), p)),
            difficult: queue
                .escalation
                .as_ref()
                .filter(|e| e.probability > 0.0)
                .map(|e| {
                    (
                        stream(StreamKind::Difficult),
                        e.probability,
                        e.after.sampler(),
                    )
                }),
            retrial: queue
                .retrial
                .as_ref()
                .filter(|r| r.probability > 0.0)
                .map(|r| {
                    (
                        stream(StreamKind::Retrial),
                        r.probability,
                        r.delay.sampler(),
                    )
                }),
            sl_threshold_us: queue.service_level_threshold.micros(),
        }
    }

    /// Whether the distributions change by interval.
    #[inline]
    pub fn by_interval(&self) -> bool {
        self.by_interval.is_some()
    }

    /// Whether callers of this queue may call again after abandoning.
    #[inline]
    pub fn retries(&self) -> bool {
        self.retrial.is_some()
    }

    /// For a caller who may abandon: after what delay it would call again
    /// if it does (`NEVER`: it would not).
    pub fn retry_delay(&mut self) -> u64 {
        let Some((rng, p, delay)) = &mut self.retrial else {
            return NEVER;
        };
        if rng.unit_f64() < *p {
            delay.sample(rng)
        } else {
            NEVER
        }
    }

    /// A caller calling again at `now` (interval `k`): the same need (talk,
    /// wrap-up, difficulty), a new patience drawn from the retrial stream.
    pub fn recall(&mut self, call: &mut WaitingCall, now: u64, k: usize) {
        self.select(k);
        let (rng, _, _) = self.retrial.as_mut().expect("the queue has retrials");
        call.arrival = now;
        call.deadline = match &self.patience {
            Some(p) => now.saturating_add(p.sample(rng)),
            None => NEVER,
        };
    }

    /// Makes interval `k`'s distributions current.
    #[inline(always)]
    fn select(&mut self, k: usize) {
        if k != self.current {
            if let Some(all) = &self.by_interval {
                let (h, p, w) = all[k.min(all.len() - 1)].clone();
                (self.handle, self.patience, self.wrap) = (h, p, w);
                self.current = k;
            }
        }
    }

    /// A caller arriving at `now` in interval `k` (its distributions'
    /// interval); the flag says whether it balks should it find no idle agent.
    /// `PLAIN`: the queue has no escalation (no difficult calls to draw).
    #[inline(always)]
    pub fn draw<const PLAIN: bool>(&mut self, now: u64, k: usize) -> (WaitingCall, bool) {
        self.select(k);
        let deadline = match &self.patience {
            Some(p) => now.saturating_add(p.sample(&mut self.patience_rng)),
            None => NEVER,
        };
        let mut call = WaitingCall {
            arrival: now,
            deadline,
            talk: self.handle.sample(&mut self.handle_rng),
            wrap: self.wrap.sample(&mut self.wrap_rng),
        };
        debug_assert!(!PLAIN || self.difficult.is_none());
        if let (false, Some((rng, p, after))) = (PLAIN, &mut self.difficult) {
            if rng.unit_f64() < *p {
                // Talks until it escalates; the flag rides on the wrap-up.
                call.talk = after.sample(rng);
                call.wrap |= super::escalation::DIFFICULT;
            }
        }
        let balks = match &mut self.balk {
            Some((rng, p)) => rng.unit_f64() < *p,
            None => false,
        };
        (call, balks)
    }
}
