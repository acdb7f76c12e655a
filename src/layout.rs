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

#[cfg(test)]
mod tests {
    use super::*;

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
