//! What marcmap found wrong in a file, by kind: records it could not read (by
//! the error that stopped them) and records it read only by repairing them (by
//! what was repaired), each kind with a few examples to look at.

use crate::error::{DecodeReason, Error, ErrorKind};
use crate::record::RecordRef;
use crate::repair::RepairKind;
use std::collections::BTreeMap;

/// Examples kept for each kind: the first ones in the file.
pub const EXAMPLES: usize = 5;

/// One kind of problem and how many records have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A stable id: `bad:...` for records that cannot be read, `repaired:...`
    /// for records read by repairing them.
    pub id: &'static str,
    /// What it means, in a cataloguer's words.
    pub description: &'static str,
    /// How many records have it (a repaired record is counted once for each
    /// kind of repair it needed).
    pub records: u64,
    /// The first few records with it, in file order.
    pub examples: Vec<Example>,
}

/// A record that has a [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// Its index in the file.
    pub record: usize,
    /// Its byte offset in the file, when known.
    pub offset: Option<u64>,
    /// What is wrong, with its position.
    pub message: String,
}

/// The problems one thread found, by id.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    found: BTreeMap<&'static str, (&'static str, u64, Vec<Example>)>,
}

impl Problems {
    fn add(
        &mut self,
        id: &'static str,
        description: &'static str,
        example: impl FnOnce() -> Example,
    ) {
        let entry = self.found.entry(id).or_insert((description, 0, Vec::new()));
        entry.1 += 1;
        // A thread visits its chunks in file order: its first examples are its earliest.
        if entry.2.len() < EXAMPLES {
            entry.2.push(example());
        }
    }

    /// Counts a record that could not be read.
    pub(crate) fn bad(&mut self, i: usize, offset: Option<u64>, error: &Error) {
        let (id, description) = bad_kind(error.kind());
        self.add(id, description, || Example {
            record: i,
            offset,
            message: error.to_string(),
        });
    }

    /// Counts a repaired record, once for each kind of repair it needed.
    pub(crate) fn repaired(&mut self, i: usize, record: &RecordRef<'_>) {
        let mut kinds: Vec<(&'static str, &'static str)> = record
            .repairs()
            .iter()
            .map(|r| repair_kind(&r.kind))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        for (id, description) in kinds {
            let first = record
                .repairs()
                .iter()
                .find(|r| repair_kind(&r.kind).0 == id);
            self.add(id, description, || Example {
                record: i,
                offset: record.offset(),
                message: first.map(|r| r.to_string()).unwrap_or_default(),
            });
        }
    }

    pub(crate) fn merge(&mut self, other: Problems) {
        for (id, (description, n, examples)) in other.found {
            let entry = self.found.entry(id).or_insert((description, 0, Vec::new()));
            entry.1 += n;
            entry.2.extend(examples);
        }
    }

    /// The problems, most frequent first, each with its first examples in file order.
    pub(crate) fn finish(self) -> Vec<Problem> {
        let mut out: Vec<Problem> = self
            .found
            .into_iter()
            .map(|(id, (description, records, mut examples))| {
                examples.sort_by_key(|e| e.record);
                examples.truncate(EXAMPLES);
                Problem {
                    id,
                    description,
                    records,
                    examples,
                }
            })
            .collect();
        out.sort_by(|a, b| b.records.cmp(&a.records).then(a.id.cmp(b.id)));
        out
    }
}

/// The id and description of an error that makes a record unreadable.
fn bad_kind(kind: &ErrorKind) -> (&'static str, &'static str) {
    match kind {
        ErrorKind::RecordLengthInvalid { .. }
        | ErrorKind::RecordTooShort { .. }
        | ErrorKind::LengthPastTerminator { .. } => (
            "bad:record-length",
            "the record length in the leader (LDR/00-04) is not a usable number",
        ),
        ErrorKind::Truncated { .. } | ErrorKind::EndOfRecordNotFound => (
            "bad:truncated",
            "the record is cut short: its end (0x1D) is missing",
        ),
        ErrorKind::LeaderInvalid { .. } => (
            "bad:leader",
            "the leader is not valid (not ASCII, or not digits where digits belong)",
        ),
        ErrorKind::BaseAddressNotFound { .. } | ErrorKind::BaseAddressInvalid { .. } => (
            "bad:base-address",
            "the base address of data (LDR/12-16) is wrong and the fields cannot be found",
        ),
        ErrorKind::DirectoryInvalid { .. } => (
            "bad:directory",
            "the directory is damaged and the fields cannot be found",
        ),
        ErrorKind::NoFields => ("bad:no-fields", "the record has no fields"),
        ErrorKind::FieldOutOfBounds { .. } | ErrorKind::FieldTerminatorMissing => (
            "bad:field",
            "a field lies outside the record or lacks its terminator (0x1E)",
        ),
        ErrorKind::Decode(d) => match d.reason {
            DecodeReason::InvalidUtf8 => (
                "bad:utf8",
                "text is not valid UTF-8 (the leader, LDR/09, says UTF-8)",
            ),
            DecodeReason::Marc8(_) => (
                "bad:marc8",
                "text is not valid MARC-8 (the leader, LDR/09, says MARC-8)",
            ),
            DecodeReason::Unmappable => {
                ("bad:encoding", "text has bytes its encoding does not map")
            }
        },
        _ => ("bad:other", "the record cannot be read"),
    }
}

/// The id and description of a repair.
fn repair_kind(kind: &RepairKind) -> (&'static str, &'static str) {
    match kind {
        RepairKind::DirectoryTerminatorMissing => (
            "repaired:directory-end",
            "the directory lacks its terminator; it ends where its entries end",
        ),
        RepairKind::BaseAddress { .. } => (
            "repaired:base-address",
            "the base address (LDR/12-16) disagrees with the directory; the data was found after it",
        ),
        RepairKind::FieldEnd { .. } => (
            "repaired:field-length",
            "a directory length is wrong; the field runs to its terminator",
        ),
        RepairKind::FieldLocated { .. } => (
            "repaired:field-located",
            "directory starts and lengths are wrong (often counted in characters, not bytes); fields were found by their terminators",
        ),
    }
}
