//! A compact histogram of waits for one (queue, interval) cell. Buckets are
//! log-linear in microseconds: exact below 128 µs, then 128 buckets per
//! power of two (relative resolution better than 0.8%, two significant
//! digits). Storage starts sparse (sorted bucket/count pairs, a few bytes per
//! distinct bucket) and turns dense once many buckets are in use (one count
//! per bucket between the lowest and highest seen: a few kilobytes), so a
//! center with thousands of quiet cells stays small while a busy cell
//! records in constant time. Both forms answer every query identically.

/// Sub-buckets per power of two, and the exact range below it.
const SUB: u64 = 128;
const SUB_BITS: u32 = 7;
/// Sparse entries beyond which the histogram turns dense.
const DENSE_AFTER: usize = 32;

/// The bucket holding `v` µs.
#[inline]
fn bucket(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let shift = 63 - v.leading_zeros() - SUB_BITS;
    ((shift as u64) * SUB + (v >> shift)) as usize
}

/// The largest value of `bucket` (the value reported for it, as HDR does).
fn bucket_high(b: usize) -> u64 {
    let b = b as u64;
    if b < 2 * SUB {
        return b;
    }
    let shift = b / SUB - 1;
    let mantissa = b - shift * SUB;
    let high = ((mantissa as u128 + 1) << shift) - 1;
    high.min(u64::MAX as u128) as u64
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Store {
    /// (bucket, count), sorted by bucket.
    Sparse(Vec<(u16, u32)>),
    /// count by bucket index, from bucket `lo` on.
    Dense { lo: usize, counts: Vec<u32> },
}

/// Waits recorded in one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitHistogram {
    store: Store,
    len: u64,
}

impl Default for WaitHistogram {
    fn default() -> Self {
        WaitHistogram {
            store: Store::Sparse(Vec::new()),
            len: 0,
        }
    }
}

impl WaitHistogram {
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
        self.add(bucket(v), 1);
    }

    #[inline]
    fn add(&mut self, b: usize, n: u32) {
        self.len += n as u64;
        if let Store::Dense { lo, counts } = &mut self.store {
            if let Some(c) = b.checked_sub(*lo).and_then(|i| counts.get_mut(i)) {
                *c = c.saturating_add(n);
                return;
            }
        }
        self.add_slow(b, n);
    }

    /// A value outside the dense window, or in sparse storage.
    #[inline(never)]
    fn add_slow(&mut self, b: usize, n: u32) {
        match &mut self.store {
            Store::Dense { lo, counts } => {
                if b < *lo {
                    let mut wider = vec![0u32; *lo - b];
                    wider.extend_from_slice(counts);
                    *counts = wider;
                    *lo = b;
                } else {
                    counts.resize(b - *lo + 1, 0);
                }
                counts[b - *lo] = counts[b - *lo].saturating_add(n);
            }
            Store::Sparse(pairs) => {
                match pairs.binary_search_by_key(&(b as u16), |p| p.0) {
                    Ok(i) => pairs[i].1 = pairs[i].1.saturating_add(n),
                    Err(i) => pairs.insert(i, (b as u16, n)),
                }
                if pairs.len() > DENSE_AFTER {
                    let lo = pairs[0].0 as usize;
                    let hi = pairs.last().map_or(lo, |p| p.0 as usize);
                    let mut counts = vec![0u32; hi - lo + 1];
                    for &(b, c) in pairs.iter() {
                        counts[b as usize - lo] = c;
                    }
                    self.store = Store::Dense { lo, counts };
                }
            }
        }
    }

    /// (bucket, count) of every non-empty bucket, in increasing order.
    fn buckets(&self) -> Box<dyn Iterator<Item = (usize, u32)> + '_> {
        match &self.store {
            Store::Sparse(pairs) => Box::new(pairs.iter().map(|&(b, c)| (b as usize, c))),
            Store::Dense { lo, counts } => Box::new(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(move |(i, &c)| (lo + i, c)),
            ),
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &WaitHistogram) {
        for (b, c) in other.buckets() {
            self.add(b, c);
        }
    }

    /// The value (µs, highest of its bucket) at rank `rank` (1-based) in increasing order.
    pub fn value_at_rank(&self, rank: u64) -> u64 {
        let mut seen = 0u64;
        let mut last = 0;
        for (b, c) in self.buckets() {
            seen += c as u64;
            last = b;
            if seen >= rank {
                return bucket_high(b);
            }
        }
        bucket_high(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_within_one_percent() {
        let mut prev = 0;
        for v in (0..5000u64).chain([1 << 20, (1 << 20) + 12_345, 3_600_000_000, u64::MAX]) {
            let b = bucket(v);
            assert!(bucket_high(b) >= v, "{v}");
            if b > 0 {
                assert!(bucket_high(b - 1) < v, "{v} belongs to an earlier bucket");
            }
            if v < 5000 {
                assert!(b >= prev && b <= prev + 1, "{v}: bucket {b} after {prev}");
                prev = b;
            }
            let err = (bucket_high(b) - v) as f64 / v.max(1) as f64;
            assert!(err < 1.0 / 128.0, "{v}: {err}");
        }
        assert!(bucket(u64::MAX) < u16::MAX as usize);
    }

    #[test]
    fn sparse_and_dense_give_the_same_answers() {
        let mut sparse = WaitHistogram::default();
        let mut dense = WaitHistogram::default();
        let values: Vec<u64> = (0..10_000u64).map(|i| (i * 7919) % 3_000_000 + 1).collect();
        for &v in &values {
            dense.record(v);
        }
        for &v in &values[..20] {
            sparse.record(v);
        }
        assert!(matches!(sparse.store, Store::Sparse(_)));
        assert!(matches!(dense.store, Store::Dense { .. }));
        // Dense built from the first 20 only (values below and above its
        // first, so the window grows both ways) equals the sparse one.
        let mut d20 = WaitHistogram {
            store: Store::Dense {
                lo: bucket(values[0]),
                counts: vec![0],
            },
            len: 0,
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
}
