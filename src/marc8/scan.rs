//! Finding the end of a run of bytes that decode to themselves.

/// Bytes that MARC-8 with ASCII in G0 decodes to themselves, one for one, in
/// any context: the record structure characters 0x1D-0x1F and the printable
/// ASCII 0x20-0x7E, except `&`, which may start a character reference.
#[inline]
#[cfg(test)]
pub(crate) fn is_plain(b: u8) -> bool {
    (0x1D..0x7F).contains(&b) && b != b'&'
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// For 8 bytes read little-endian: the top bit of each byte that is not
/// [`is_plain`] is set, possibly with false positives, but only in bytes
/// after (above) a true one, so the lowest set bit is exact.
#[inline]
fn not_plain_mask(x: u64) -> u64 {
    // Bytes above 0x7E (adding 1 sets the top bit of 0x7F; `| x` catches 0x80+).
    let high = x.wrapping_add(LO) | x;
    // Bytes below 0x1D.
    let low = x.wrapping_sub(LO * 0x1D) & !x;
    // Bytes equal to `&`.
    let y = x ^ (LO * u64::from(b'&'));
    let amp = y.wrapping_sub(LO) & !y;
    (high | low | amp) & HI
}

/// The length of the longest prefix of `bytes` that is all [`is_plain`].
#[inline]
pub(crate) fn plain_prefix(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut done = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mask = not_plain_mask(u64::from_le_bytes(word));
        if mask != 0 {
            return done + (mask.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    // The last few bytes, padded with plain ones.
    let tail = chunks.remainder();
    let mut word = [b'a'; 8];
    if let Some(w) = word.get_mut(..tail.len()) {
        w.copy_from_slice(tail);
    }
    let mask = not_plain_mask(u64::from_le_bytes(word));
    done + (mask.trailing_zeros() / 8).min(tail.len() as u32) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(bytes: &[u8]) -> usize {
        bytes
            .iter()
            .position(|&b| !is_plain(b))
            .unwrap_or(bytes.len())
    }

    #[test]
    fn every_byte_in_every_position() {
        for len in 0..20 {
            for pos in 0..len {
                for b in 0..=255u8 {
                    for fill in [b'a', b'~', 0x1D, b' '] {
                        let mut v = vec![fill; len];
                        v[pos] = b;
                        assert_eq!(plain_prefix(&v), slow(&v), "{v:?}");
                        // And with a second odd byte after it.
                        if pos + 1 < len {
                            for b2 in [0x00, 0x1C, b'&', 0x7F, 0x80, 0xFF] {
                                v[pos + 1] = b2;
                                assert_eq!(plain_prefix(&v), slow(&v), "{v:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn same_as_bytewise(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            proptest::prop_assert_eq!(plain_prefix(&bytes), slow(&bytes));
        }
    }
}
