//! Histograms of waits that cost memory only for what they hold.
//!
//! Two bucket layouts:
//! - [`Fine`]: exactly the layout of an HDR histogram with 3 significant
//!   digits and a unit of 1 µs (2048 sub-buckets, each bucket twice as wide
//!   as the one before), and its quantile rule, so whole-run percentiles are
//!   those of HDR (checked against the hdrhistogram crate in the tests);
//! - [`Coarse`]: exact below 128 µs, then 128 buckets per power of two
//!   (within 0.8%), for the many (queue, interval) cells.
//!
//! Storage starts sparse (sorted bucket/count pairs, 8 bytes per distinct
//! bucket) and turns dense (one count per bucket between the lowest and the
//! highest seen) once that is no more than twice the size, or once the pairs
//! are many (512), so a center with
//! thousands of queues and intervals stays small while a busy queue records
//! in constant time. Both forms answer every query identically. An HDR
//! histogram, by contrast, keeps a count for every bucket from zero to the
//! largest value: about 140 KB per queue once waits reach minutes.

use std::marker::PhantomData;

/// A bucket layout: which bucket holds a value, and the value reported for a bucket.
pub trait Buckets {
    fn index(v: u64) -> u32;
    /// The highest value of bucket `i` (what HDR reports for a quantile).
    fn high(i: u32) -> u64;
}

/// HDR's layout for 3 significant digits, unit 1 µs: 2048 sub-buckets
/// (bucket 0 uses all, later buckets their upper half).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fine;

const HDR_HALF_MAGNITUDE: u32 = 10;
const HDR_HALF: u64 = 1 << HDR_HALF_MAGNITUDE;
const HDR_MASK: u64 = 2 * HDR_HALF - 1;
/// 64 − unit magnitude (0) − sub-bucket count magnitude (11).
const HDR_LZ_BASE: u32 = 53;

impl Buckets for Fine {
    #[inline]
    fn index(v: u64) -> u32 {
        let bucket = HDR_LZ_BASE - (v | HDR_MASK).leading_zeros();
        let sub = v >> bucket;
        (((bucket as u64 + 1) << HDR_HALF_MAGNITUDE) + sub - HDR_HALF) as u32
    }

    fn high(i: u32) -> u64 {
        let i = i as u64;
        let mut bucket = (i >> HDR_HALF_MAGNITUDE) as i64 - 1;
        let mut sub = (i & (HDR_HALF - 1)) + HDR_HALF;
        if bucket < 0 {
            sub -= HDR_HALF;
            bucket = 0;
        }
        let low = sub << bucket;
        // Highest equivalent value: the next bucket boundary minus one
        // (capped at u64::MAX in the top bucket, where HDR says u64::MAX − 1:
        // no wait comes near).
        let range_bucket = HDR_LZ_BASE - (low | HDR_MASK).leading_zeros();
        let lowest = (low >> range_bucket) << range_bucket;
        let high = lowest as u128 + (1u128 << range_bucket) - 1;
        high.min(u64::MAX as u128) as u64
    }
}

/// Exact below 128 µs, then 128 buckets per power of two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coarse;

const SUB: u64 = 128;
/// Distinct buckets beyond which storage turns dense whatever the window
/// (an insertion then moves at most 4 KB).
const MAX_SPARSE: usize = 512;
/// Room for pairs reserved at the first value.
const SPARSE_START: usize = 16;
/// Fewest distinct buckets before storage turns dense.
const MIN_DENSE: usize = 16;
const SUB_BITS: u32 = 7;

impl Buckets for Coarse {
    #[inline]
    fn index(v: u64) -> u32 {
        if v < SUB {
            return v as u32;
        }
        let shift = 63 - v.leading_zeros() - SUB_BITS;
        ((shift as u64) * SUB + (v >> shift)) as u32
    }

    fn high(i: u32) -> u64 {
        let b = i as u64;
        if b < 2 * SUB {
            return b;
        }
        let shift = b / SUB - 1;
        let mantissa = b - shift * SUB;
        let high = ((mantissa as u128 + 1) << shift) - 1;
        high.min(u64::MAX as u128) as u64
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Store {
    /// (bucket, count), sorted by bucket.
    Sparse(Vec<(u32, u32)>),
    /// count by bucket, from bucket `lo` on.
    Dense { lo: u32, counts: Vec<u32> },
}

/// Recorded values, bucketed by `B`. Counts saturate at 4,294,967,295 per bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram<B> {
    store: Store,
    len: u64,
    layout: PhantomData<B>,
}

/// Waits of one (queue, interval) cell.
pub type WaitHistogram = Histogram<Coarse>;
/// Waits of a queue over the whole run, with HDR's resolution.
pub type FineHistogram = Histogram<Fine>;

impl<B> Default for Histogram<B> {
    fn default() -> Self {
        Histogram {
            store: Store::Sparse(Vec::new()),
            len: 0,
            layout: PhantomData,
        }
    }
}

impl<B: Buckets> Histogram<B> {
    /// Values recorded.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Records one value (µs).
    #[inline]
    pub fn record(&mut self, v: u64) {
        self.add(B::index(v), 1);
    }

    #[inline]
    fn add(&mut self, b: u32, n: u32) {
        self.len += n as u64;
        if let Store::Dense { lo, counts } = &mut self.store {
            if let Some(c) = b.checked_sub(*lo).and_then(|i| counts.get_mut(i as usize)) {
                *c = c.saturating_add(n);
                return;
            }
        }
        self.add_slow(b, n);
    }

    /// A value outside the dense window, or in sparse storage.
    #[inline(never)]
    fn add_slow(&mut self, b: u32, n: u32) {
        match &mut self.store {
            Store::Dense { lo, counts } => {
                let (new_lo, new_hi) = (b.min(*lo), b.max(*lo + counts.len() as u32 - 1));
                if self.len < MAX_SPARSE as u64
                    && (new_hi - new_lo) as u64 + 1 > 4 * self.len + MIN_DENSE as u64
                {
                    // An outlier far away from few values: back to pairs
                    // rather than a wide window.

                    let mut pairs: Vec<(u32, u32)> = counts
                        .iter()
                        .enumerate()
                        .filter(|(_, &c)| c > 0)
                        .map(|(i, &c)| (*lo + i as u32, c))
                        .collect();
                    let at = pairs.partition_point(|p| p.0 < b);
                    pairs.insert(at, (b, n));
                    self.store = Store::Sparse(pairs);
                    return;
                }
                if b < *lo {
                    let mut wider = vec![0u32; (*lo - b) as usize];
                    wider.extend_from_slice(counts);
                    *counts = wider;
                    *lo = b;
                } else {
                    counts.resize((b - *lo) as usize + 1, 0);
                }
                let c = &mut counts[(b - *lo) as usize];
                *c = c.saturating_add(n);
            }
            Store::Sparse(pairs) => {
                match pairs.binary_search_by_key(&b, |p| p.0) {
                    Ok(i) => {
                        pairs[i].1 = pairs[i].1.saturating_add(n);
                        return;
                    }
                    Err(i) => {
                        if pairs.capacity() == 0 {
                            // Cells that record anything usually record a
                            // few dozen values: skip the smallest growth steps.
                            pairs.reserve_exact(SPARSE_START);
                        }
                        pairs.insert(i, (b, n))
                    }
                }
                let lo = pairs[0].0;
                let hi = pairs[pairs.len() - 1].0;
                // Dense once it takes at most twice the memory (and holds a
                // few buckets), or once inserting into the pairs would move too much.
                let window = (hi - lo) as usize + 1;
                if (pairs.len() >= MIN_DENSE && window <= 4 * pairs.len())
                    || pairs.len() > MAX_SPARSE
                {
                    let mut counts = vec![0u32; window];
                    for &(b, c) in pairs.iter() {
                        counts[(b - lo) as usize] = c;
                    }
                    self.store = Store::Dense { lo, counts };
                }
            }
        }
    }

    /// (bucket, count) of every non-empty bucket, in increasing order.
    fn buckets(&self) -> Box<dyn Iterator<Item = (u32, u32)> + '_> {
        match &self.store {
            Store::Sparse(pairs) => Box::new(pairs.iter().copied()),
            Store::Dense { lo, counts } => Box::new(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(move |(i, &c)| (lo + i as u32, c)),
            ),
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Histogram<B>) {
        for (b, c) in other.buckets() {
            self.add(b, c);
        }
    }

    /// The value (highest of its bucket) at rank `rank` (1-based) in increasing order.
    pub fn value_at_rank(&self, rank: u64) -> u64 {
        let mut seen = 0u64;
        let mut last = 0;
        for (b, c) in self.buckets() {
            seen += c as u64;
            last = b;
            if seen >= rank {
                return B::high(b);
            }
        }
        B::high(last)
    }

    /// The value at quantile `q` the way an HDR histogram answers it: the
    /// rank is ⌈q × count⌉ (at least 1, q at most 1).
    pub fn value_at_quantile(&self, q: f64) -> u64 {
        let q = q.min(1.0);
        let rank = ((q * self.len as f64).ceil() as u64).max(1);
        self.value_at_rank(rank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coarse_buckets_are_contiguous_and_within_one_percent() {
        let mut prev = 0;
        for v in (0..5000u64).chain([1 << 20, (1 << 20) + 12_345, 3_600_000_000, u64::MAX]) {
            let b = Coarse::index(v);
            assert!(Coarse::high(b) >= v, "{v}");
            if b > 0 {
                assert!(Coarse::high(b - 1) < v, "{v} belongs to an earlier bucket");
            }
            if v < 5000 {
                assert!(b >= prev && b <= prev + 1, "{v}: bucket {b} after {prev}");
                prev = b;
            }
            let err = (Coarse::high(b) - v) as f64 / v.max(1) as f64;
            assert!(err < 1.0 / 128.0, "{v}: {err}");
        }
    }

    #[test]
    fn fine_buckets_are_contiguous_and_within_a_thousandth() {
        let mut rng = crate::rng::Stream::new(5, 0, 0, 0);
        let values = (0..5000u64)
            .chain((0..20_000).map(|_| rng.below(1 << 40)))
            .chain([1 << 33, u64::MAX / 3, u64::MAX - 1, u64::MAX]);
        for v in values {
            let b = Fine::index(v);
            assert!(Fine::high(b) >= v, "{v}");
            if b > 0 {
                assert!(Fine::high(b - 1) < v, "{v}");
            }
            assert!((Fine::high(b) - v) as f64 <= v as f64 / 1000.0, "{v}");
        }
    }

    #[test]
    fn fine_quantiles_are_those_of_hdr() {
        // The same values in the hdrhistogram crate (3 significant digits,
        // auto-resizing, the whole-run histogram of earlier versions).
        let mut rng = crate::rng::Stream::new(11, 0, 0, 0);
        for round in 0..30 {
            let mut hdr = hdrhistogram::Histogram::<u64>::new(3).unwrap();
            let mut ours = FineHistogram::default();
            let n = 1 + rng.below(3000);
            let scale = 1 + rng.below(1 << (10 + round % 20));
            for _ in 0..n {
                let v = 1 + (rng.unit_f64() * rng.unit_f64() * scale as f64) as u64;
                hdr.record(v).unwrap();
                ours.record(v);
            }
            assert_eq!(ours.len(), hdr.len());
            for q in [0.001, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
                assert_eq!(
                    ours.value_at_quantile(q),
                    hdr.value_at_quantile(q),
                    "round {round}, q {q}"
                );
            }
        }
    }

    #[test]
    fn sparse_and_dense_give_the_same_answers() {
        let values: Vec<u64> = (0..10_000u64).map(|i| (i * 7919) % 3_000_000 + 1).collect();
        let mut sparse = WaitHistogram::default();
        for &v in &values[..20] {
            sparse.record(v);
        }
        let mut dense = WaitHistogram::default();
        for &v in &values {
            dense.record(v);
        }
        assert!(matches!(sparse.store, Store::Sparse(_)));
        assert!(matches!(dense.store, Store::Dense { .. }));
        // A dense one built from the same 20 (the window grows both ways) answers alike.
        let mut d20 = WaitHistogram {
            store: Store::Dense {
                lo: Coarse::index(values[0]),
                counts: vec![0],
            },
            len: 0,
            layout: PhantomData,
        };
        for &v in &values[..20] {
            d20.record(v);
        }
        for rank in [1, 5, 10, 15, 20] {
            assert_eq!(sparse.value_at_rank(rank), d20.value_at_rank(rank));
        }
        let mut sorted = values.clone();
        sorted.sort_unstable();
        for q in [0.5, 0.9, 0.99] {
            let rank = (q * values.len() as f64).ceil() as u64;
            let exact = sorted[rank as usize - 1];
            let got = dense.value_at_rank(rank);
            assert!(
                got >= exact && (got - exact) as f64 <= exact as f64 / 128.0,
                "{q}: {got} vs {exact}"
            );
        }
        let mut merged = sparse.clone();
        merged.merge(&dense);
        assert_eq!(merged.len(), 10_020);
    }

    #[test]
    fn a_few_values_far_apart_stay_small() {
        let mut h = FineHistogram::default();
        for v in [1_000, 100_000_000, 3_000_000_000] {
            h.record(v);
        }
        match &h.store {
            Store::Sparse(p) => assert_eq!(p.len(), 3),
            Store::Dense { .. } => panic!("three values need no dense window"),
        }
    }
}
