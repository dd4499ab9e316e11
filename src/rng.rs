//! Random-number streams. Every replication derives its seed from (scenario
//! seed, replication index), and each source of randomness (arrivals of queue
//! q, handle times of queue q, patience, agent choice, ...) draws from its own
//! stream, so variants of a scenario run with the same seed see the same
//! callers (common random numbers). The generator is xoshiro256++, portable
//! and identical on every platform.

use rand::{Rng, SeedableRng, TryRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::convert::Infallible;

/// What a stream is used for; part of its seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum StreamKind {
    Arrivals = 1,
    HandleTime = 2,
    Patience = 3,
    WrapUp = 4,
    AgentChoice = 5,
    /// The day's volume factor (`volume_cv`), one draw per replication.
    Volume = 6,
    /// Whether a caller would balk (`balk_probability`).
    Balk = 7,
    /// Whether a caller is difficult, and its talk before escalating (`escalation`).
    Difficult = 8,
    /// Handover, supervisor time and hold patience of escalated calls.
    Escalation = 9,
    /// A campaign's ringing times.
    DialTime = 10,
    /// A campaign's dial outcomes.
    DialOutcome = 11,
    /// A campaign's retry delays.
    RetryDelay = 12,
    /// A preview dialer's preview times.
    Preview = 13,
    /// Whether an abandoning caller would call again, after what delay, and its new patience.
    Retrial = 14,
    /// Whether a caller offered a callback accepts it.
    Callback = 15,
}

/// One independent random stream.
#[derive(Debug, Clone)]
pub struct Stream(Xoshiro256PlusPlus);

/// SplitMix64 finaliser: a good 64-bit mixer for deriving seeds.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Stream {
    /// The stream for (scenario seed, replication, kind, index within kind).
    pub fn new(seed: u64, replication: u64, kind: u64, index: u64) -> Stream {
        let s = mix64(mix64(mix64(mix64(seed) ^ replication) ^ kind) ^ index);
        Stream(Xoshiro256PlusPlus::seed_from_u64(s))
    }

    pub fn for_kind(seed: u64, replication: u64, kind: StreamKind, index: u64) -> Stream {
        Stream::new(seed, replication, kind as u64, index)
    }

    /// Uniform in [0, 1) with 53 bits.
    #[inline]
    pub fn unit_f64(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, negligible bias for small n).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.0.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

impl TryRng for Stream {
    type Error = Infallible;
    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.0.next_u32())
    }
    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.0.next_u64())
    }
    #[inline]
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = Stream::new(1, 0, 1, 0);
        let mut b = Stream::new(1, 0, 1, 0);
        let mut c = Stream::new(1, 1, 1, 0);
        let mut d = Stream::new(1, 0, 2, 0);
        let xa: Vec<f64> = (0..4).map(|_| a.unit_f64()).collect();
        let xb: Vec<f64> = (0..4).map(|_| b.unit_f64()).collect();
        let xc: Vec<f64> = (0..4).map(|_| c.unit_f64()).collect();
        let xd: Vec<f64> = (0..4).map(|_| d.unit_f64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
        assert_ne!(xa, xd);
    }

    #[test]
    fn unit_and_below_in_range() {
        let mut s = Stream::new(7, 0, 0, 0);
        let mut counts = [0u32; 5];
        for _ in 0..50_000 {
            let u = s.unit_f64();
            assert!((0.0..1.0).contains(&u));
            counts[s.below(5) as usize] += 1;
        }
        // Each bucket expects 10_000 with sd ~ 89; 6 sd bounds.
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 540, "{counts:?}");
        }
    }
}
