//! Record repair: reading records whose directory is damaged but whose fields
//! can still be found.
//!
//! Phase 2 validates a record once ([`Validation::Strict`] is the check
//! itself). Under [`Validation::Repair`], the default, a record that fails the
//! strict check is given a second look: if its fields can still be located, it
//! is read, and every repair is reported on the record ([`crate::RecordRef::repairs`])
//! with its kind and position. No accessor can fail afterwards, as for a clean
//! record. Clean records never reach this module, so they pay nothing.
//!
//! # The rules
//!
//! They sit beside the framing rules of Phase 1 (see the `index` module), and
//! they are what real archives need: pymarc reads these records, trusting
//! lengths that are wrong, and gives values with a byte cut off or with the
//! next field's bytes in them. marcmap gives the field as its terminators say.
//!
//! 1. **The directory.** Where the leader's base address frames it (a 0x1E
//!    just before the base address, after whole entries strict validation would
//!    read), that is the directory. Otherwise it is the run of 12-byte entries
//!    from byte 24 (a tag of three printable ASCII bytes, four digits of length,
//!    five of start) up to the first 0x1E at an entry boundary. If no 0x1E ends
//!    it ([`RepairKind::DirectoryTerminatorMissing`]), it ends at the first bytes
//!    that are not an entry.
//! 2. **The base address** is where the data starts: just after the directory's
//!    0x1E. A base address in the leader that says otherwise is replaced
//!    ([`RepairKind::BaseAddress`]). Without a terminator, the leader's base is
//!    kept if it points at the end of the directory or one byte past it (the
//!    terminator was dropped, or overwritten); if it points elsewhere, the
//!    entries may have stopped at a damaged one, and the record is refused.
//! 3. **The fields.** The data area (base address to the record terminator) is
//!    cut after each field terminator 0x1E into *chunks* (the last may lack its
//!    terminator: it then ends at the record terminator).
//!    - If there are as many chunks as directory entries, every entry whose
//!      declared bytes are sound (in bounds, ending in 0x1E) is exactly its
//!      chunk, and the declared starts never go back, the directory is in data
//!      order: entry *i* is chunk *i*. That covers lengths counted in
//!      characters instead of bytes (UTF-8 data under a blank LDR/09: every
//!      start and length is off), one bad length (and every start after it),
//!      and an entry pointing past the data.
//!    - Otherwise each entry whose declared bytes are sound keeps them, and an
//!      entry that starts where a chunk starts runs to that chunk's 0x1E
//!      ([`RepairKind::FieldEnd`]).
//!    - Any other entry cannot be located: the record is refused, with the
//!      error strict validation gives.
//!
//! Records that pymarc also refuses (a non-ASCII leader, a base address or
//! directory entry that is not digits, no fields) are refused here too.

use crate::layout::{parse_digits, DIRECTORY_ENTRY_LEN, FIELD_TERMINATOR, LEADER_LEN};
use std::fmt;

/// How Phase 2 treats a record whose directory does not match its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Validation {
    /// Refuse it, with an error naming the first inconsistency.
    Strict,
    /// Read it if its fields can be located, reporting every repair (see the
    /// module documentation for the rules).
    #[default]
    Repair,
}

crate::named_values!(Validation, "validation", {
    "repair" => Validation::Repair,
    "strict" => Validation::Strict,
});

/// One repair made to read a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repair {
    /// What was repaired.
    pub kind: RepairKind,
    /// The byte it concerns, from the start of the record.
    pub byte: usize,
    /// The field (directory index) it concerns, if one.
    pub field: Option<usize>,
}

/// What a [`Repair`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RepairKind {
    /// The directory has no terminator (0x1E); it ends where the entries end.
    DirectoryTerminatorMissing,
    /// The leader's base address disagrees with the directory; the data starts
    /// at `actual`.
    BaseAddress {
        /// What the leader says.
        declared: usize,
        /// Where the data starts.
        actual: usize,
    },
    /// The field starts where its directory entry says, but its declared length
    /// does not end on its terminator: it runs to the terminator instead.
    FieldEnd {
        /// The length the directory gives.
        declared_length: usize,
        /// The field's length up to and including its terminator.
        length: usize,
    },
    /// The field was located as the next terminated chunk of data, its
    /// directory start and length being wrong (lengths counted in characters,
    /// or an entry past the data).
    FieldLocated {
        /// The start the directory gives, relative to the base address.
        declared_start: usize,
        /// The length the directory gives.
        declared_length: usize,
        /// Where the field starts, relative to the base address.
        start: usize,
        /// Its length up to and including its terminator (if it has one).
        length: usize,
    },
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            RepairKind::DirectoryTerminatorMissing => write!(
                f,
                "the directory has no terminator (0x1E): it ends at byte {} of the record",
                self.byte
            ),
            RepairKind::BaseAddress { declared, actual } => write!(
                f,
                "base address {declared} disagrees with the directory: the data starts at {actual}"
            ),
            RepairKind::FieldEnd {
                declared_length,
                length,
            } => write!(
                f,
                "field {}: directory length {declared_length} does not end on a field terminator; the field is {length} bytes up to its terminator",
                self.field.unwrap_or(0)
            ),
            RepairKind::FieldLocated {
                declared_start,
                declared_length,
                start,
                length,
            } => write!(
                f,
                "field {}: directory start {declared_start} and length {declared_length} do not frame a field; located by its terminator at start {start}, {length} bytes",
                self.field.unwrap_or(0)
            ),
        }
    }
}

/// Where a repaired record's fields are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Where the data starts.
    pub base: usize,
    /// The end of the directory entries (exclusive), from the record's start.
    pub directory_end: usize,
    /// Each field's start from the record's start, and its length without its terminator.
    pub spans: Box<[(usize, usize)]>,
    /// What was repaired.
    pub repairs: Box<[Repair]>,
}

/// A 12-byte directory entry as strict validation reads one: an ASCII tag and
/// digits.
fn is_strict_entry(entry: &[u8]) -> bool {
    entry.len() == DIRECTORY_ENTRY_LEN
        && entry[..3].is_ascii()
        && entry[3..].iter().all(u8::is_ascii_digit)
}

/// A 12-byte directory entry that a scan for the directory's end can trust: a
/// printable ASCII tag and digits.
fn is_entry(entry: &[u8]) -> bool {
    is_strict_entry(entry) && entry[..3].iter().all(|b| (0x20..0x7F).contains(b))
}

/// Where the directory ends if the leader's base address frames it: a 0x1E just
/// before the base address, after whole entries that strict validation would
/// read. Then the directory is trusted as it is (a tag byte may even be 0x1E).
fn framed_by_base(record: &[u8], base: usize, end: usize) -> Option<usize> {
    let directory_end = base.checked_sub(1)?;
    let framed = directory_end > LEADER_LEN
        && directory_end < end
        && record[directory_end] == FIELD_TERMINATOR
        && (directory_end - LEADER_LEN).is_multiple_of(DIRECTORY_ENTRY_LEN)
        && record[LEADER_LEN..directory_end]
            .chunks_exact(DIRECTORY_ENTRY_LEN)
            .all(is_strict_entry);
    framed.then_some(directory_end)
}

/// Locates the fields of `record` (leader to 0x1D inclusive, at least a minimal
/// record, an ASCII leader, a base address of digits) by the rules of the
/// module documentation. `None` when they cannot be located.
pub(crate) fn locate(record: &[u8]) -> Option<Layout> {
    let end = record.len().checked_sub(1)?;
    let mut repairs = Vec::new();
    // Strict validation refuses a base address that is not digits, and so
    // does repair (see `record::repairable`).
    let declared_base = record.get(12..17).and_then(parse_digits)?;

    // Rules 1 and 2: the directory and the base address.
    let (directory_end, base) = match framed_by_base(record, declared_base, end) {
        Some(directory_end) => (directory_end, declared_base),
        None => {
            let mut directory_end = LEADER_LEN;
            while directory_end + DIRECTORY_ENTRY_LEN <= end
                && record[directory_end] != FIELD_TERMINATOR
                && is_entry(&record[directory_end..directory_end + DIRECTORY_ENTRY_LEN])
            {
                directory_end += DIRECTORY_ENTRY_LEN;
            }
            if directory_end == LEADER_LEN {
                return None;
            }
            let base = if record.get(directory_end) == Some(&FIELD_TERMINATOR) {
                directory_end + 1
            } else {
                repairs.push(Repair {
                    kind: RepairKind::DirectoryTerminatorMissing,
                    byte: directory_end,
                    field: None,
                });
                // Without a terminator, the end of the entries is only trusted
                // where the leader agrees: entries after a damaged one must not
                // be read as data.
                if declared_base == directory_end || declared_base == directory_end + 1 {
                    declared_base
                } else {
                    return None;
                }
            };
            (directory_end, base)
        }
    };
    if base > end {
        return None;
    }
    if declared_base != base {
        repairs.push(Repair {
            kind: RepairKind::BaseAddress {
                declared: declared_base,
                actual: base,
            },
            byte: 12,
            field: None,
        });
    }

    // Rule 3: the fields.
    let data = &record[base..end];
    // Each chunk's start and length (terminator included, if it has one).
    let mut chunks = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let len = memchr::memchr(FIELD_TERMINATOR, &data[at..]).map_or(data.len() - at, |p| p + 1);
        chunks.push((at, len));
        at += len;
    }
    let entries: Vec<(usize, usize)> = record[LEADER_LEN..directory_end]
        .chunks_exact(DIRECTORY_ENTRY_LEN)
        .map(|e| {
            // `is_entry` checked the digits.
            let length = parse_digits(&e[3..7]).unwrap_or(0);
            let start = parse_digits(&e[7..12]).unwrap_or(0);
            (start, length)
        })
        .collect();
    let sound = |&(start, length): &(usize, usize)| {
        length > 0 && start + length <= data.len() && data[start + length - 1] == FIELD_TERMINATOR
    };
    // In data order: as many chunks as entries, every sound entry its chunk,
    // and the declared starts (of the entries that point into the data) never
    // going back, so that no field is paired with another's data.
    let mut last_start = 0;
    let in_order = chunks.len() == entries.len()
        && entries.iter().zip(&chunks).all(|(e, c)| {
            if e.0 < data.len() {
                if e.0 < last_start {
                    return false;
                }
                last_start = e.0;
            }
            !sound(e) || e == c
        });
    let mut spans = Vec::with_capacity(entries.len());
    for (i, &(start, length)) in entries.iter().enumerate() {
        let entry_at = LEADER_LEN + i * DIRECTORY_ENTRY_LEN;
        let (s, l) = if sound(&(start, length)) && (!in_order || chunks[i] == (start, length)) {
            (start, length)
        } else if in_order {
            let (s, l) = chunks[i];
            let kind = if s == start {
                RepairKind::FieldEnd {
                    declared_length: length,
                    length: l,
                }
            } else {
                RepairKind::FieldLocated {
                    declared_start: start,
                    declared_length: length,
                    start: s,
                    length: l,
                }
            };
            repairs.push(Repair {
                kind,
                byte: entry_at,
                field: Some(i),
            });
            (s, l)
        } else {
            let &(s, l) = chunks.iter().find(|c| c.0 == start)?;
            repairs.push(Repair {
                kind: RepairKind::FieldEnd {
                    declared_length: length,
                    length: l,
                },
                byte: entry_at,
                field: Some(i),
            });
            (s, l)
        };
        // Without the terminator, if it has one.
        let has_terminator = data.get(s + l - 1) == Some(&FIELD_TERMINATOR);
        spans.push((base + s, l - usize::from(has_terminator)));
    }
    Some(Layout {
        base,
        directory_end,
        spans: spans.into_boxed_slice(),
        repairs: repairs.into_boxed_slice(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record from a directory (tag, declared length, declared start) and the data area.
    fn record(entries: &[(&str, usize, usize)], data: &[u8], base: Option<usize>) -> Vec<u8> {
        let mut dir = Vec::new();
        for (tag, len, start) in entries {
            dir.extend(format!("{tag}{len:04}{start:05}").bytes());
        }
        dir.push(FIELD_TERMINATOR);
        let base = base.unwrap_or(LEADER_LEN + dir.len());
        let total = LEADER_LEN + dir.len() + data.len() + 1;
        let mut out = format!("{total:05}nz   22{base:05}n  4500").into_bytes();
        out.extend(dir);
        out.extend(data);
        out.push(0x1D);
        out
    }

    fn fields(r: &[u8], l: &Layout) -> Vec<Vec<u8>> {
        l.spans.iter().map(|&(s, n)| r[s..s + n].to_vec()).collect()
    }

    #[test]
    fn one_short_length_runs_to_its_terminator() {
        let data = b"n79\x1e850101n| a azannaabn\x1e1 \x1faSmith\x1e";
        let r = record(
            &[("001", 4, 0), ("008", 19, 4), ("100", 10, 25)],
            data,
            None,
        );
        let l = locate(&r).unwrap();
        assert_eq!(
            fields(&r, &l),
            [&b"n79"[..], b"850101n| a azannaabn", b"1 \x1faSmith"]
        );
        assert_eq!(l.repairs.len(), 1);
        assert_eq!(
            l.repairs[0].kind,
            RepairKind::FieldEnd {
                declared_length: 19,
                length: 21
            }
        );
        assert_eq!(l.repairs[0].field, Some(1));
    }

    #[test]
    fn lengths_in_characters_are_located_in_order() {
        // "é" is two bytes: every start after it is off by one.
        let data = "caf\u{e9}\x1e10\x1faT\u{e9}\x1e".as_bytes();
        let r = record(&[("001", 5, 0), ("245", 6, 5)], data, None);
        let l = locate(&r).unwrap();
        assert_eq!(
            fields(&r, &l),
            ["caf\u{e9}".as_bytes(), "10\x1faT\u{e9}".as_bytes()]
        );
        assert_eq!(l.repairs.len(), 2);
    }

    #[test]
    fn a_missing_directory_terminator_keeps_a_consistent_base() {
        let data = b"1 \x1faX\x1e10\x1faT\x1e";
        let mut r = record(&[("100", 6, 0), ("245", 6, 6)], data, None);
        // Overwrite the directory terminator.
        r[LEADER_LEN + 24] = b'0';
        let l = locate(&r).unwrap();
        assert_eq!(l.base, LEADER_LEN + 25);
        assert_eq!(fields(&r, &l), [&b"1 \x1faX"[..], b"10\x1faT"]);
        assert_eq!(l.repairs[0].kind, RepairKind::DirectoryTerminatorMissing);
    }

    #[test]
    fn a_wrong_base_address_is_replaced() {
        let r = record(&[("001", 4, 0)], b"abc\x1e", Some(30));
        let l = locate(&r).unwrap();
        assert_eq!(l.base, LEADER_LEN + 13);
        assert!(matches!(
            l.repairs[0].kind,
            RepairKind::BaseAddress { declared: 30, .. }
        ));
        assert_eq!(fields(&r, &l), [b"abc"]);
    }

    #[test]
    fn an_entry_past_the_data_is_located() {
        let r = record(&[("001", 50, 99_999)], b"test\x1e", None);
        let l = locate(&r).unwrap();
        assert_eq!(fields(&r, &l), [b"test"]);
    }

    #[test]
    fn unordered_directories_keep_their_sound_entries() {
        // Sound entries out of data order, one bad length starting at a chunk.
        let data = b"bbb\x1eaaa\x1ecc\x1e";
        let r = record(&[("002", 4, 4), ("001", 4, 0), ("003", 2, 8)], data, None);
        let l = locate(&r).unwrap();
        assert_eq!(fields(&r, &l), [&b"aaa"[..], b"bbb", b"cc"]);
        assert_eq!(l.repairs.len(), 1);
        // An entry that starts inside a chunk cannot be located.
        let r = record(&[("002", 4, 4), ("001", 4, 0), ("003", 1, 9)], data, None);
        assert!(locate(&r).is_none());
    }

    #[test]
    fn an_unordered_directory_in_characters_is_not_paired_in_order() {
        // Lengths in characters, and the 245's entry listed before the 100's
        // although its data comes second: pairing entries and chunks in order
        // would give each field the other's data. No entry starts at a chunk,
        // so the record cannot be located.
        let data = "1 \x1faSmith \u{e9}\x1e10\x1faTitle \u{e9}\x1e".as_bytes();
        let r = record(&[("245", 12, 12), ("100", 12, 0)], data, None);
        let l = locate(&r);
        assert!(l.is_none_or(|l| { fields(&r, &l)[1].starts_with(b"1 ") }));
    }

    #[test]
    fn a_directory_framed_by_the_base_address_is_kept_whole() {
        // A tag byte that is 0x1E: the base address still frames the directory,
        // so a short 650 length is repaired without losing the other entries.
        let data = b"ocm123\x1e10\x1faA title\x1e 0\x1faSubject\x1e";
        let r = record(
            &[("001", 7, 0), ("\x1e45", 12, 7), ("650", 11, 19)],
            data,
            None,
        );
        let l = locate(&r).unwrap();
        assert_eq!(l.spans.len(), 3);
        assert_eq!(fields(&r, &l)[2], b" 0\x1faSubject");
    }

    #[test]
    fn no_entries_no_record() {
        assert!(locate(b"00026     2200025   4500\x1e\x1d").is_none());
    }
}
