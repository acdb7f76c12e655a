//! Where one record ends: the framing rule shared by Phase 1 and Phase 2.
//!
//! Phase 1 stores only where each record starts, plus the short list of records
//! it framed by rule 2. Phase 2 finds where a record ends again from the bytes
//! alone, so the index needs no lengths:
//!
//! 1. If the leader declares a length `L` (five digits, at least a minimal record)
//!    and the byte at `start + L - 1` is the record terminator 0x1D, the record
//!    is `L` bytes long. This is every well-formed record. When an earlier 0x1D
//!    sits inside those `L` bytes, Phase 1 takes rule 1 only if the record's
//!    fields end exactly at `L` (see [`fields_reach_declared_end`]).
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
    declared_length, parse_digits, DIRECTORY_ENTRY_LEN, FIELD_TERMINATOR, LEADER_LEN,
    MIN_RECORD_LEN, RECORD_TERMINATOR,
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

/// Whether `record`, framed by rule 1 although a 0x1D already sits at
/// `first_terminator` (before its last byte), is one record: its fields end
/// exactly at the declared end. (A 0x1D inside the leader or directory is not
/// checked: see the code.)
///
/// A stray 0x1D inside a field does not change where the fields end, so such a
/// record passes. A declared length that is wrong and happens to land on the 0x1D
/// of a later record (two records' worth, say) fails: the directory ends at the
/// record's own 0x1D, and taking the length would swallow the records behind it.
/// Phase 1 then resynchronises instead. The bytes read lie before
/// `first_terminator`, which is as far as a refused record moves the scan, so
/// Phase 1 stays linear.
pub fn fields_reach_declared_end(record: &[u8], first_terminator: usize) -> bool {
    let Some(base) = record.get(12..17).and_then(parse_digits) else {
        return false;
    };
    if base > first_terminator {
        // The 0x1D sits in the leader or the directory, not in field data. Reading
        // the directory would go past it (and Phase 1 would no longer be linear),
        // so rule 1 stands, as it did before this check.
        return true;
    }
    if base <= LEADER_LEN || record[base - 1] != FIELD_TERMINATOR {
        return false;
    }
    let directory = &record[LEADER_LEN..base - 1];
    if !directory.len().is_multiple_of(DIRECTORY_ENTRY_LEN) {
        return false;
    }
    let mut fields_end = 0;
    for entry in directory.chunks_exact(DIRECTORY_ENTRY_LEN) {
        let (Some(length), Some(offset)) =
            (parse_digits(&entry[3..7]), parse_digits(&entry[7..12]))
        else {
            return false;
        };
        fields_end = fields_end.max(offset + length);
    }
    base + fields_end + 1 == record.len()
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
