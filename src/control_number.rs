//! Lookup by 001 control number.
//!
//! The index is one sorted `u64` per record that has a 001: a 32-bit hash of the
//! trimmed control number above the record index. That is 8 bytes a record and no
//! per-record allocation. A lookup finds the run of equal hashes by binary search
//! and confirms each candidate against the record itself, so hash collisions cost
//! time, never correctness. Duplicate control numbers are all kept, in file order.
//!
//! The hash is FNV-1a (64-bit, folded to 32), written out here, so that it is the
//! same in every build and on every platform: the index is kept in sidecars
//! ([`crate::sidecar`]). It is not keyed: a file crafted so that many 001s collide
//! makes lookups slower (each candidate is confirmed), never wrong.

use crate::parallel;
use crate::record::RecordRef;
use crate::words::Words;

/// Sorted `(hash << 32) | record` keys: the lookup index behind
/// [`MarcFile::find_control_number`](crate::MarcFile::find_control_number).
#[derive(Debug, Default)]
pub struct ControlNumberIndex {
    keys: Words,
}

/// Control numbers compare without leading and trailing ASCII whitespace.
fn normalise(cn: &[u8]) -> &[u8] {
    cn.trim_ascii()
}

/// FNV-1a, 64-bit: the same value for the same bytes in every build.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn hash32(cn: &[u8]) -> u64 {
    let h = fnv1a(cn);
    (h ^ (h >> 32)) & 0xFFFF_FFFF
}

impl ControlNumberIndex {
    /// Reads the 001 of each of `records` records on `threads` threads:
    /// `control_number(i)` is record `i`'s, or `None` (no 001, or the record
    /// does not parse).
    pub(crate) fn build<'d>(
        records: usize,
        threads: usize,
        control_number: impl Fn(usize) -> Option<&'d [u8]> + Sync,
    ) -> ControlNumberIndex {
        // Records over u32::MAX can't be keyed; no real file comes near 4 billion records.
        let n = records.min(u32::MAX as usize);
        let hashes =
            parallel::map_range(n, threads, |i| Some(hash32(normalise(control_number(i)?))));
        let mut keys: Vec<u64> = hashes
            .into_iter()
            .enumerate()
            .filter_map(|(i, h)| Some((h? << 32) | i as u64))
            .collect();
        keys.sort_unstable();
        ControlNumberIndex { keys: keys.into() }
    }

    /// An index from keys a sidecar kept (checked by the caller: sorted, and
    /// every record number in range).
    pub(crate) fn from_keys(keys: Words) -> ControlNumberIndex {
        ControlNumberIndex { keys }
    }

    /// The sorted `(hash << 32) | record` keys, as a sidecar keeps them.
    pub(crate) fn keys(&self) -> &[u64] {
        &self.keys
    }

    /// The records whose 001 equals `cn` (whitespace-trimmed), in order, among
    /// those this index was built from: `raw(i)` gives record `i`'s bytes and
    /// `control_number(i)` its 001, as for [`ControlNumberIndex::build`].
    pub(crate) fn find_in<'d>(
        &self,
        cn: &[u8],
        raw: impl Fn(usize) -> Option<&'d [u8]>,
        control_number: impl Fn(usize) -> Option<&'d [u8]>,
    ) -> Vec<usize> {
        let cn = normalise(cn);
        let h = hash32(cn);
        let lo = self.keys.partition_point(|&k| k >> 32 < h);
        self.keys[lo..]
            .iter()
            .take_while(|&&k| k >> 32 == h)
            .map(|&k| (k & 0xFFFF_FFFF) as usize)
            .filter(|&i| {
                // Only records that validated were indexed: an O(1) re-read is
                // enough for a clean record. A repaired record's 001 may sit
                // elsewhere than its directory says, so a miss is confirmed by a
                // full parse (hash collisions are rare, repaired records too).
                let quick = raw(i)
                    .and_then(|raw| RecordRef::revalidated(raw, None))
                    .is_some_and(|r| r.control_number().map(normalise) == Some(cn));
                quick || control_number(i).map(normalise) == Some(cn)
            })
            .collect()
    }

    /// The number of records with a 001.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no record has a 001.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a() {
        // The published FNV-1a 64 test vectors: the sidecar format depends on them.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
