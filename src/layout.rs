//! The fixed byte layouts of ISO 2709, read in place through zerocopy.
//!
//! A record starts with a 24-byte leader, then a directory of 12-byte entries
//! ended by 0x1E, then the fields, then 0x1D. These types are views over those
//! bytes: no copy, no alignment requirement, and no parse until a number is asked for.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// The record terminator.
pub const RECORD_TERMINATOR: u8 = 0x1D;
/// The field terminator.
pub const FIELD_TERMINATOR: u8 = 0x1E;
/// The subfield delimiter.
pub const SUBFIELD_DELIMITER: u8 = 0x1F;
/// The length of the leader.
pub const LEADER_LEN: usize = 24;
/// The length of one directory entry.
pub const DIRECTORY_ENTRY_LEN: usize = 12;
/// The smallest possible record: a leader, a directory terminator and a record terminator.
pub const MIN_RECORD_LEN: usize = LEADER_LEN + 2;

/// The 24-byte record leader, in place.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Debug)]
#[repr(C)]
pub struct Leader {
    /// 00-04: the record length in bytes, five ASCII digits.
    pub record_length: [u8; 5],
    /// 05: record status.
    pub status: u8,
    /// 06: type of record.
    pub record_type: u8,
    /// 07: bibliographic level.
    pub bibliographic_level: u8,
    /// 08: type of control.
    pub control_type: u8,
    /// 09: character coding scheme: `a` is UTF-8, blank is MARC-8.
    pub coding_scheme: u8,
    /// 10: indicator count.
    pub indicator_count: u8,
    /// 11: subfield code count.
    pub subfield_code_count: u8,
    /// 12-16: base address of data, five ASCII digits.
    pub base_address: [u8; 5],
    /// 17-19: encoding level, cataloguing form, multipart level.
    pub implementation_defined: [u8; 3],
    /// 20-23: the entry map, normally `4500`.
    pub entry_map: [u8; 4],
}

impl Leader {
    /// The record length, if it is five ASCII digits.
    pub fn record_length(&self) -> Option<usize> {
        parse_digits(&self.record_length)
    }

    /// The base address of data, if it is five ASCII digits.
    pub fn base_address(&self) -> Option<usize> {
        parse_digits(&self.base_address)
    }

    /// Whether LDR/09 says the record is UTF-8.
    pub fn is_utf8(&self) -> bool {
        self.coding_scheme == b'a'
    }

    /// The leader as its 24 bytes.
    pub fn as_bytes(&self) -> &[u8; LEADER_LEN] {
        zerocopy::transmute_ref!(self)
    }
}

/// One 12-byte directory entry, in place.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Debug)]
#[repr(C)]
pub struct DirEntry {
    /// The field's tag, three bytes.
    pub tag: [u8; 3],
    /// The field's length in bytes, including its terminator: four ASCII digits.
    pub length: [u8; 4],
    /// The field's start, relative to the base address: five ASCII digits.
    pub start: [u8; 5],
}

impl DirEntry {
    /// The field length, if it is four ASCII digits.
    pub fn length(&self) -> Option<usize> {
        parse_digits(&self.length)
    }

    /// The field start, if it is five ASCII digits.
    pub fn start(&self) -> Option<usize> {
        parse_digits(&self.start)
    }
}

/// Parses a run of ASCII digits. `None` if any byte is not a digit or the run is empty.
///
/// Runs here are at most five digits, so the value cannot overflow.
#[inline]
pub fn parse_digits(bytes: &[u8]) -> Option<usize> {
    if bytes.is_empty() {
        return None;
    }
    let mut n = 0usize;
    for &b in bytes {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + d as usize;
    }
    Some(n)
}

/// The record length declared by the leader at the start of `bytes`, if it has one.
#[inline]
pub fn declared_length(bytes: &[u8]) -> Option<usize> {
    bytes.get(..5).and_then(parse_digits)
}

/// A directory entry's four-digit length, which validation
/// (`RecordRef::parse`) has already checked, read without checks and at once
/// (SWAR, in a u32): each byte less `0`, then the pairs `d0·10 + d1` and
/// `d2·10 + d3`, then `pair0·100 + pair1`: a handful of instructions where a
/// byte loop took four multiply-adds in a chain, for every field a walk reads
/// (record views, lint, the batch edit's copy of unchanged fields).
/// (Non-digits would give a wrong number, never a panic.)
#[inline(always)]
pub(crate) fn validated_digits4(b: [u8; 4]) -> usize {
    let x = u32::from_le_bytes(b).wrapping_sub(0x3030_3030);
    let pairs = x.wrapping_mul(10).wrapping_add(x >> 8) & 0x00FF_00FF;
    (pairs.wrapping_mul(1 + (100 << 16)) >> 16) as usize
}

/// Whether the four bytes of `x` are all ASCII digits, at once: each byte's
/// high nibble is 3, and so is the high nibble of the byte plus 6 (a low
/// nibble of at most 9). A carry out of a byte (one of 0xFA and above, no
/// digit) can only spoil a result that is already false.
#[inline(always)]
fn all_digits(x: u32) -> bool {
    (x & 0xF0F0_F0F0) | ((x.wrapping_add(0x0606_0606) & 0xF0F0_F0F0) >> 4) == 0x3333_3333
}

/// A directory entry's length: four digits, checked and read at once
/// ([`all_digits`], [`validated_digits4`]), as [`parse_digits`] reads them.
#[inline(always)]
pub(crate) fn checked_digits4(b: [u8; 4]) -> Option<usize> {
    all_digits(u32::from_le_bytes(b)).then(|| validated_digits4(b))
}

/// A directory entry's start: five digits, checked and read as
/// [`checked_digits4`] reads a length, after its first digit.
#[inline(always)]
pub(crate) fn checked_digits5(b: [u8; 5]) -> Option<usize> {
    (b[0].is_ascii_digit() && all_digits(u32::from_le_bytes([b[1], b[2], b[3], b[4]])))
        .then(|| validated_digits5(b))
}

/// A directory entry's five-digit start, read as [`validated_digits4`] reads
/// a length: its first digit, then the other four at once.
#[inline(always)]
pub(crate) fn validated_digits5(b: [u8; 5]) -> usize {
    usize::from(b[0].wrapping_sub(b'0')) * 10_000 + validated_digits4([b[1], b[2], b[3], b[4]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validated_digits_reads_numbers() {
        assert_eq!(validated_digits4(*b"0042"), 42);
        assert_eq!(validated_digits5(*b"99999"), 99_999);
        assert_eq!(validated_digits5(*b"00000"), 0);
        // Every length and every start a directory entry can hold.
        for n in 0..10_000 {
            let digits: [u8; 4] = format!("{n:04}").into_bytes().try_into().unwrap();
            assert_eq!(validated_digits4(digits), n, "{n}");
        }
        for n in 0..100_000 {
            let digits: [u8; 5] = format!("{n:05}").into_bytes().try_into().unwrap();
            assert_eq!(validated_digits5(digits), n, "{n}");
        }
        // Checked, as `parse_digits` checks: every byte value at every
        // position of a few numbers.
        for base in [*b"00000", *b"12345", *b"99999", *b"09090"] {
            for at in 0..5 {
                for b in 0..=255u8 {
                    let mut five = base;
                    five[at] = b;
                    assert_eq!(checked_digits5(five), parse_digits(&five), "{five:?}");
                    let four = [five[1], five[2], five[3], five[4]];
                    assert_eq!(checked_digits4(four), parse_digits(&four), "{four:?}");
                }
            }
        }
        // Two bytes wrong at once, one of them near 0xFF (a carry).
        for b in [0x2F, 0x3A, 0xF9, 0xFA, 0xFF, 0x00, 0x80, 0xB0] {
            for c in [0x2F, 0x30, 0x39, 0x3A, 0xFF, 0x06] {
                for at in 0..3 {
                    let mut four = *b"1234";
                    four[at] = b;
                    four[at + 1] = c;
                    assert_eq!(checked_digits4(four), parse_digits(&four), "{four:?}");
                }
            }
        }
        // Bytes that are not digits (should a mapped file change under a
        // reader) give some number, without a panic.
        for b in [
            *b"\x00\x00\x00\x00",
            *b"\xff\xff\xff\xff",
            *b"12a4",
            *b"////",
        ] {
            let _ = validated_digits4(b);
            let _ = validated_digits5([b'9', b[0], b[1], b[2], b[3]]);
        }
    }

    #[test]
    fn digits() {
        assert_eq!(parse_digits(b"00042"), Some(42));
        assert_eq!(parse_digits(b"99999"), Some(99_999));
        assert_eq!(parse_digits(b"0004 "), None);
        assert_eq!(parse_digits(b"-0042"), None);
        assert_eq!(parse_digits(b""), None);
    }

    #[test]
    fn layouts_have_iso2709_sizes() {
        assert_eq!(std::mem::size_of::<Leader>(), LEADER_LEN);
        assert_eq!(std::mem::size_of::<DirEntry>(), DIRECTORY_ENTRY_LEN);
    }

    #[test]
    fn leader_reads_in_place() {
        let raw = b"00714cam a2200205 a 4500";
        let (leader, _) = Leader::ref_from_prefix(&raw[..]).unwrap();
        assert_eq!(leader.record_length(), Some(714));
        assert_eq!(leader.base_address(), Some(205));
        assert_eq!(leader.record_type, b'a');
        assert!(leader.is_utf8());
        assert_eq!(leader.as_bytes(), raw);
    }
}
