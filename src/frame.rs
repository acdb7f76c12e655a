//! Where one record ends: the framing rule shared by Phase 1 and Phase 2.
//!
//! Phase 1 stores only where each record starts, plus the short list of records
//! it framed by rule 2. Phase 2 finds where a record ends again from the bytes
//! alone, so the index needs no lengths:
//!
//! 1. If the leader declares a length `L` (five digits, at least a minimal record)
//!    and the byte at `start + L - 1` is the record terminator 0x1D, the record
//!    is `L` bytes long. This is every well-formed record. Phase 1 refuses rule 1
//!    when `L` reaches past an earlier 0x1D onto a whole record behind it (see
//!    [`swallowed_record`]).
//! 2. Otherwise the record runs to the first 0x1D after `start`. Lenient indexing
//!    accepts such a record only when its leader is otherwise plausible (see
//!    [`plausible_leader`]); it then reports the length mismatch as a recovered
//!    record.
//!
//! Every record that Phase 1 did not recover is framed by its declared length:
//! usually by rule 1, and in lenient mode also when its terminator byte is damaged
//! but the next record starts right after it. Phase 2 reads only the declared
//! length for these (one cache line, not two) and reports the damaged terminator
//! as `EndOfRecordNotFound`, with the record's index and offset.

use crate::layout::{
    declared_length, parse_digits, FIELD_TERMINATOR, LEADER_LEN, MIN_RECORD_LEN, RECORD_TERMINATOR,
};

/// The length of the record at `start` if its declared length frames it exactly (rule 1).
#[inline]
pub fn exact_length(data: &[u8], start: usize) -> Option<usize> {
    let rest = data.get(start..)?;
    let len = declared_length(rest)?;
    if len >= MIN_RECORD_LEN && rest.get(len - 1) == Some(&RECORD_TERMINATOR) {
        Some(len)
    } else {
        None
    }
}

/// The length from `start` up to and including the next 0x1D.
#[inline]
pub fn terminated_length(data: &[u8], start: usize) -> Option<usize> {
    let rest = data.get(start..)?;
    memchr::memchr(RECORD_TERMINATOR, rest).map(|e| e + 1)
}

/// Where the record at `start`, which rule 1 frames at `len` bytes, has its first
/// 0x1D, if a whole record (framed by rule 1, with a plausible leader) starts right
/// after that 0x1D and ends within `len`.
///
/// A declared length that reaches exactly the end of a later record would make
/// that record part of this one. No valid record holds a 0x1D before its end, so
/// an exactly framed, plausible record behind one means the length is wrong: the
/// record is then framed by rule 2 instead and the record behind it is kept.
pub fn swallowed_record(data: &[u8], start: usize, len: usize) -> Option<usize> {
    let record = data.get(start..start.checked_add(len)?)?;
    let end = memchr::memchr(RECORD_TERMINATOR, record)? + 1;
    let behind = &record[end..];
    let inner_len = exact_length(behind, 0)?;
    plausible_leader(&behind[..inner_len]).then_some(end - 1)
}

/// Whether `chunk` (a candidate record ending in 0x1D) begins with a leader whose
/// base address points just past a directory terminator inside the chunk.
///
/// That is strong evidence of a real record whose length field alone is wrong:
/// lengths counted in characters, or records over 99,999 bytes.
pub fn plausible_leader(chunk: &[u8]) -> bool {
    if chunk.len() < MIN_RECORD_LEN {
        return false;
    }
    let Some(base) = chunk.get(12..17).and_then(parse_digits) else {
        return false;
    };
    base > LEADER_LEN && base < chunk.len() && chunk.get(base - 1) == Some(&FIELD_TERMINATOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REC: &[u8] = b"00032     2200025   4500\x1e\x1d";

    #[test]
    fn rule_one_uses_the_declared_length() {
        // "00026": the declared length lands on the terminator.
        let rec = b"00026     2200025   4500\x1e\x1d";
        assert_eq!(exact_length(rec, 0), Some(26));
    }

    #[test]
    fn rule_two_runs_to_the_terminator() {
        assert_eq!(exact_length(REC, 0), None);
        assert_eq!(terminated_length(REC, 0), Some(26));
        assert!(plausible_leader(&REC[..26]));
    }

    #[test]
    fn no_terminator_no_record() {
        assert_eq!(exact_length(b"00026     2200025   4500", 0), None);
        assert_eq!(terminated_length(b"00026     2200025   4500", 0), None);
        assert_eq!(terminated_length(b"", 5), None);
    }

    #[test]
    fn implausible_leaders() {
        assert!(!plausible_leader(b"\x1d"));
        assert!(!plausible_leader(b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x1d"));
        // Base address 00025 but no 0x1E before it.
        assert!(!plausible_leader(b"00026     2200025   4500 \x1d"));
    }
}
