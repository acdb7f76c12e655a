//! A profile of a whole file, what a cataloguer asks of a file received from a
//! vendor before loading it: how many records of each type, level, encoding
//! level and character coding; which were damaged, repaired or mislabelled;
//! which tags occur, in how many records and how often; the subfield codes
//! and indicator values of each tag; how long records and fields are.
//!
//! [`profile`] reads every record once, on N threads: each thread counts into
//! its own flat tables ([`parallel::fold_range`]), and the tables are added
//! up at the end. Nothing is kept a record.
//!
//! ```
//! use marcmap::profile::{self, ProfileOptions};
//! use marcmap::MarcFile;
//!
//! let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".repeat(3);
//! let file = MarcFile::from_bytes(raw);
//! let p = profile::profile(&file, &ProfileOptions::default(), 2);
//! assert_eq!((p.records, p.good, p.bad), (3, 3, 0));
//! assert_eq!(p.leader_values(6), [(b'a', 3)]);
//! let t245 = p.tag(b"245").unwrap();
//! assert_eq!((t245.records, t245.occurrences), (3, 3));
//! assert_eq!(t245.indicators[0], [(b'1', 3)]);
//! assert_eq!(t245.subfields.iter().map(|s| s.code).collect::<Vec<_>>(), [b'a', b'b']);
//! ```

#[cfg(feature = "arrow")]
pub mod arrow;
mod distribution;
mod lint;
mod problems;
mod tally;

pub use distribution::{Bucket, Distribution};
pub use lint::RuleCount;
pub use problems::{Example, Problem, EXAMPLES};

use crate::file::MarcFile;
use crate::layout::LEADER_LEN;
use crate::lint::Linter;
use crate::parallel;
use crate::query;
use crate::text::TextDecoder;
use lint::LintTally;
use tally::{TagTally, Tally};

/// The leader positions a profile counts: those that hold codes. The others
/// hold the record's length (00-04) and base address (12-16), whose digits say
/// nothing counted one position at a time (lengths have their own distribution).
pub const LEADER_POSITIONS: [usize; 14] = [5, 6, 7, 8, 9, 10, 11, 17, 18, 19, 20, 21, 22, 23];

/// What [`profile`] reads and how.
#[derive(Debug, Clone, Default)]
pub struct ProfileOptions {
    /// The decoder that decides each record's encoding. Text is checked
    /// strictly, whatever its error handling says (as `validate` does): a
    /// record whose text does not decode is bad.
    pub decoder: TextDecoder,
    /// Skip the text check: a record is bad only when its structure cannot be
    /// read.
    pub structure_only: bool,
    /// Lint every record with this linter and count the findings by rule
    /// ([`Profile::lint`]). Records that parse are linted, whether or not their
    /// text decodes; one that does not parse is an `invalid-record` finding,
    /// as `lint` reports it.
    pub lint: Option<Linter>,
}

/// A whole file's profile: see the [module documentation](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Records in the file's index (good and bad).
    pub records: usize,
    /// Records read (some by repairing them) whose text decodes. Every count
    /// below that is not about problems is over these.
    pub good: u64,
    /// Records that cannot be read, or whose text does not decode.
    pub bad: u64,
    /// Good records that were read by repairing their directory or lengths.
    pub repaired: u64,
    /// Good records labelled MARC-8 (LDR/09 blank) whose bytes are UTF-8.
    pub mislabelled_utf8: u64,
    /// Byte ranges between records skipped as damage (lenient framing).
    pub skipped_ranges: usize,
    /// How many bytes those ranges hold.
    pub skipped_bytes: u64,
    /// Records found despite a wrong length in their leader.
    pub recovered: usize,
    /// For each leader position (0-23), how many good records have each byte
    /// there (the [`LEADER_POSITIONS`] only).
    leader: Box<[[u64; 256]; LEADER_LEN]>,
    /// Every tag found, in byte order.
    pub tags: Vec<TagProfile>,
    /// Good records' lengths in bytes.
    pub record_lengths: Distribution,
    /// Fields' lengths in bytes, terminator included (as in the directory).
    pub field_lengths: Distribution,
    /// How many fields each good record has.
    pub fields_per_record: Distribution,
    /// What was wrong, by kind, most frequent first.
    pub problems: Vec<Problem>,
    /// With [`ProfileOptions::lint`]: every rule the linter runs, with its
    /// findings and the records having them, most findings first.
    pub lint: Option<Vec<RuleCount>>,
}

/// One tag's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagProfile {
    /// The tag.
    pub tag: [u8; 3],
    /// Records with at least one such field.
    pub records: u64,
    /// Fields with this tag.
    pub occurrences: u64,
    /// Their bytes, terminators included.
    pub bytes: u64,
    /// Data fields: each indicator's values with how many fields have it,
    /// most frequent first (a missing indicator counts as a blank). Empty for
    /// control fields.
    pub indicators: [Vec<(u8, u64)>; 2],
    /// Data fields: the subfield codes in code order.
    pub subfields: Vec<SubfieldProfile>,
}

impl TagProfile {
    /// The tag as text.
    pub fn tag_str(&self) -> &str {
        std::str::from_utf8(&self.tag).unwrap_or("???")
    }

    /// Whether it is a control field's tag (00X).
    pub fn is_control(&self) -> bool {
        self.tag[0] == b'0' && self.tag[1] == b'0' && self.tag[2].is_ascii_digit()
    }
}

/// One subfield code's counts within a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubfieldProfile {
    /// The code byte.
    pub code: u8,
    /// Records with at least one such subfield in a field of the tag.
    pub records: u64,
    /// Subfields with this code in fields of the tag.
    pub occurrences: u64,
}

impl Profile {
    /// The values at leader position `pos` in good records, with how many
    /// records have each, most frequent first (ties in byte order). Only the
    /// [`LEADER_POSITIONS`] are counted: another position gives nothing.
    pub fn leader_values(&self, pos: usize) -> Vec<(u8, u64)> {
        self.leader.get(pos).map(nonzero).unwrap_or_default()
    }

    /// The counts of `tag`, if any record has it.
    pub fn tag(&self, tag: &[u8; 3]) -> Option<&TagProfile> {
        self.tags
            .binary_search_by(|t| t.tag.cmp(tag))
            .ok()
            .map(|k| &self.tags[k])
    }

    /// Fields in good records.
    pub fn fields(&self) -> u64 {
        self.field_lengths.count
    }
}

/// The byte values with a count, most frequent first, ties in byte order.
fn nonzero(counts: &[u64; 256]) -> Vec<(u8, u64)> {
    let mut out: Vec<(u8, u64)> = (0..=255u8)
        .zip(counts.iter().copied())
        .filter(|&(_, n)| n > 0)
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The profile of every record of `file`, on `threads` threads.
pub fn profile(file: &MarcFile, options: &ProfileOptions, threads: usize) -> Profile {
    file.expect_scan();
    let decoder = options.decoder.strict();
    let text = (!options.structure_only).then_some(&decoder);
    let linter = options.lint.as_ref();
    let init = || (Tally::new(), LintTally::default());
    let parts = parallel::fold_range(file.len(), threads, init, |(tally, lints), range| {
        for i in range {
            match query::check_record(file, i, text) {
                Ok(good) => {
                    tally.record(i, good.record());
                    if let Some(linter) = linter {
                        lints.record(linter, good.record());
                    }
                }
                Err(e) => {
                    let offset = file.offset(i);
                    tally.problems.bad(i, offset, &e);
                    let Some(linter) = linter else { continue };
                    // A record whose text does not decode still parses: lint it
                    // as `lint` does (a rare path, so parsing it again is fine).
                    match file.record(i) {
                        Ok(record) => lints.record(linter, &record),
                        Err(e) => lints.invalid(linter, i, offset.unwrap_or(0), &e),
                    }
                }
            }
        }
    });
    let mut parts = parts.into_iter();
    let (mut all, mut lints) = parts.next().unwrap_or_else(init);
    for (tally, more) in parts {
        all.merge(tally);
        lints.merge(more);
    }
    let lint = linter.map(|linter| {
        // As `lint` does: the error that stopped strict framing is a finding too.
        if let Some(e) = file.framing_error() {
            let index = e.position().record.unwrap_or(file.len() as u64) as usize;
            lints.invalid(linter, index, 0, &e);
        }
        lints.finish(linter)
    });
    finish(file, all, lint)
}

/// The profile from the added-up tallies.
fn finish(file: &MarcFile, mut all: Tally, lint: Option<Vec<RuleCount>>) -> Profile {
    for d in [
        &mut all.record_lengths,
        &mut all.field_lengths,
        &mut all.fields_per_record,
    ] {
        d.finish();
    }
    let problems = std::mem::take(&mut all.problems).finish();
    let bad = problems
        .iter()
        .filter(|p| p.id.starts_with("bad:"))
        .map(|p| p.records)
        .sum();
    let (good, repaired, mislabelled_utf8) = (all.good, all.repaired, all.mislabelled_utf8);
    let leader = std::mem::replace(&mut all.leader, Box::new([[0; 256]; LEADER_LEN]));
    let (record_lengths, field_lengths, fields_per_record) = (
        all.record_lengths.clone(),
        all.field_lengths.clone(),
        all.fields_per_record.clone(),
    );
    let tags = all.into_tags().into_iter().map(tag_profile).collect();
    Profile {
        records: file.len(),
        good,
        bad,
        repaired,
        mislabelled_utf8,
        skipped_ranges: file.skipped().len(),
        skipped_bytes: file.skipped().iter().map(|s| s.length).sum(),
        recovered: file.recovered().len(),
        leader,
        tags,
        record_lengths,
        field_lengths,
        fields_per_record,
        problems,
        lint,
    }
}

fn tag_profile((tag, t): ([u8; 3], Box<TagTally>)) -> TagProfile {
    let subfields = (0..=255u8)
        .zip(t.subfields.iter())
        .filter(|(_, s)| s.occurrences > 0)
        .map(|(code, s)| SubfieldProfile {
            code,
            records: s.records,
            occurrences: s.occurrences,
        })
        .collect();
    TagProfile {
        tag,
        records: t.records,
        occurrences: t.occurrences,
        bytes: t.bytes,
        indicators: [nonzero(&t.indicators[0]), nonzero(&t.indicators[1])],
        subfields,
    }
}
