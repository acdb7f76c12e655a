//! Length distributions (of records, of fields, of fields a record): counts in
//! buckets whose edges run 1, 2, 5, 10, 20, 50..., so that a librarian reads
//! "records of 1,000 to 1,999 bytes" rather than a bin number.

/// The bucket edges: a value `v` is in the bucket `EDGES[k] <= v < EDGES[k + 1]`
/// (the last bucket has no upper edge). MARC records are at most 99,999 bytes.
pub(crate) const EDGES: [u64; 15] = [
    0, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000,
];

/// The bucket of each value below [`SMALL`], looked up instead of searched
/// for: nearly every field, and most records, are shorter, and the search's
/// unpredictable compares were a fifth of a profile's counting.
const SMALL: usize = 1_000;
static SMALL_BUCKETS: [u8; SMALL] = small_buckets();

const fn small_buckets() -> [u8; SMALL] {
    let mut out = [0u8; SMALL];
    let (mut v, mut k) = (0, 0);
    while v < SMALL {
        while k + 1 < EDGES.len() && EDGES[k + 1] as usize <= v {
            k += 1;
        }
        out[v] = k as u8;
        v += 1;
    }
    out
}

/// The bucket of `v`: the last edge at or below it.
#[inline]
fn bucket(v: u64) -> usize {
    match usize::try_from(v).ok().and_then(|v| SMALL_BUCKETS.get(v)) {
        Some(&k) => k as usize,
        None => EDGES.partition_point(|&e| e <= v) - 1,
    }
}

/// A tally of values: how many, their sum, the smallest and largest, and how
/// many fall in each bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// How many values.
    pub count: u64,
    /// Their sum.
    pub total: u64,
    /// The smallest (0 when there is none).
    pub min: u64,
    /// The largest (0 when there is none).
    pub max: u64,
    /// How many values in each bucket, for [`Distribution::buckets`].
    counts: [u64; EDGES.len()],
}

/// One bucket of a [`Distribution`]: values from `low` up to and including
/// `high` (`None`: no upper bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// The smallest value in the bucket.
    pub low: u64,
    /// The largest value in the bucket, if it has one.
    pub high: Option<u64>,
    /// How many values fell in it.
    pub count: u64,
}

impl Default for Distribution {
    fn default() -> Self {
        Distribution {
            count: 0,
            total: 0,
            min: u64::MAX,
            max: 0,
            counts: [0; EDGES.len()],
        }
    }
}

impl Distribution {
    /// Adds one value.
    #[inline]
    pub(crate) fn tally(&mut self, v: u64) {
        self.count += 1;
        self.total += v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.counts[bucket(v)] += 1;
    }

    /// Adds another distribution's values.
    pub(crate) fn merge(&mut self, other: &Distribution) {
        self.count += other.count;
        self.total += other.total;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
    }

    /// Fixes `min` for an empty distribution (it starts at `u64::MAX`).
    pub(crate) fn finish(&mut self) {
        if self.count == 0 {
            self.min = 0;
        }
    }

    /// The mean, or 0 when there are no values.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.total as f64 / self.count as f64
        }
    }

    /// The buckets from the first to the last that hold a value (none when
    /// there is no value), empty ones between them included, so that a chart
    /// of them has no gaps.
    pub fn buckets(&self) -> Vec<Bucket> {
        let first = self.counts.iter().position(|&c| c > 0);
        let last = self.counts.iter().rposition(|&c| c > 0);
        let (Some(first), Some(last)) = (first, last) else {
            return Vec::new();
        };
        (first..=last)
            .map(|k| Bucket {
                low: EDGES[k],
                high: EDGES.get(k + 1).map(|e| e - 1),
                count: self.counts[k],
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_land_in_their_buckets() {
        let mut d = Distribution::default();
        for v in [0, 9, 10, 999, 1_000, 99_999, 250_000] {
            d.tally(v);
        }
        d.finish();
        assert_eq!((d.count, d.min, d.max), (7, 0, 250_000));
        let b = d.buckets();
        assert_eq!(
            b.first().map(|b| (b.low, b.high, b.count)),
            Some((0, Some(9), 2))
        );
        let of = |low| b.iter().find(|b| b.low == low).map(|b| b.count);
        assert_eq!(of(10), Some(1));
        assert_eq!(of(500), Some(1));
        assert_eq!(of(1_000), Some(1));
        assert_eq!(of(50_000), Some(1));
        assert_eq!(of(20), Some(0), "empty buckets between are kept");
        assert_eq!(b.last().map(|b| (b.low, b.high)), Some((200_000, None)));
        assert_eq!(b.iter().map(|b| b.count).sum::<u64>(), 7);
    }

    #[test]
    fn the_lookup_is_the_search() {
        for v in (0..3_000).chain([99_999, 100_000, 250_000, u64::MAX]) {
            assert_eq!(bucket(v), EDGES.partition_point(|&e| e <= v) - 1, "{v}");
        }
    }

    #[test]
    fn merging_adds_up() {
        let (mut a, mut b) = (Distribution::default(), Distribution::default());
        a.tally(5);
        b.tally(5_000);
        a.merge(&b);
        a.finish();
        assert_eq!((a.count, a.total, a.min, a.max), (2, 5_005, 5, 5_000));
        let mut empty = Distribution::default();
        empty.finish();
        assert_eq!((empty.min, empty.mean()), (0, 0.0));
        assert!(empty.buckets().is_empty());
    }
}
