//! Readers: MARCXML ([`marcxml`]), MARC-in-JSON ([`json`]) and MARCMaker
//! ([`mrk`]) in, each record transcoded to ISO 2709 into one owned buffer.
//!
//! There is one record representation: a [`MarcFile`] over that buffer gives
//! Phase 2, random access, lookups, `extract`, `validate` and the writers
//! unchanged, whatever the input was. Each record is built as an
//! [`OwnedRecord`] and serialised by the one serialiser, so the buffer is
//! always valid ISO 2709; its text is UTF-8 (XML and JSON are Unicode), and
//! LDR/09 says so (`a`), except in MARCMaker input, whose bytes keep the
//! leader's encoding (see [`mrk`]).
//!
//! A record of the input that is malformed (or cannot be ISO 2709: over
//! 99,999 bytes, a subfield delimiter in a value) keeps its place: its index
//! gives [`ErrorKind::Malformed`] with the record, the line, the column and
//! the byte offset of the problem, and the records after it are read (in
//! lenient framing; strict framing stops there, as for ISO 2709). Text between
//! records that is not well-formed is skipped and reported
//! ([`SkipReason::MalformedInput`]), as is MARCXML content after the
//! document's root element ([`SkipReason::ContentAfterRoot`]).
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::{Format, OpenOptions};
//! let xml = br#"<collection xmlns="http://www.loc.gov/MARC21/slim">
//!   <record><leader>00000nam a2200000 a 4500</leader>
//!     <controlfield tag="001">123</controlfield>
//!     <datafield tag="245" ind1="1" ind2="0"><subfield code="a">A title</subfield></datafield>
//!   </record>
//!   <record><leader>00000nam a2200000 a 4500</leader><datafield tag="245"></record>
//! </collection>"#;
//! let file = OpenOptions::new().format(Some(Format::MarcXml)).read_bytes(xml.to_vec())?;
//! assert_eq!(file.len(), 2);
//! assert_eq!(file.record(0)?.control_number(), Some(&b"123"[..]));
//! let e = file.record(1).unwrap_err();
//! assert!(e.to_string().contains("malformed MARCXML at line 6"), "{e}");
//! # Ok(()) }
//! ```
//!
//! [`MarcFile`]: crate::MarcFile
//! [`OwnedRecord`]: crate::OwnedRecord
//! [`SkipReason::MalformedInput`]: crate::SkipReason::MalformedInput
//! [`SkipReason::ContentAfterRoot`]: crate::SkipReason::ContentAfterRoot

pub mod json;
pub mod marcxml;
pub mod mrk;
mod xml_record;

use crate::error::{Error, ErrorKind, Position};
use crate::format::Format;
use crate::index::{Framing, SkipReason, SkippedRange};
use crate::owned::OwnedRecord;

/// Where something is in the input: its byte offset, line and column (both
/// 1-based; the column counts bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct InputPosition {
    /// The byte offset from the start of the input (after decompression).
    pub offset: u64,
    /// The line, from 1.
    pub line: u64,
    /// The column, from 1, in bytes.
    pub column: u64,
}

/// A malformed record of the input: where the problem is and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Where the problem is.
    pub at: InputPosition,
    /// What it is.
    pub reason: String,
}

/// A placeholder for a record that failed, so that it keeps its index: a
/// record with no fields, never parsed ([`Input::failure`] answers for it).
const PLACEHOLDER: &[u8] = b"00026     2200025   4500\x1e\x1d";

/// What a reader found besides the records: the input's format, where each
/// record was in it, the records that failed, the skipped damage, and (in
/// strict framing) where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    format: Format,
    origins: Vec<InputPosition>,
    failed: Vec<(usize, Malformed)>,
    skipped: Vec<SkippedRange>,
    stopped: Option<Malformed>,
}

impl Input {
    /// An input of `format` of which no record was read.
    pub(crate) fn without_records(format: Format) -> Input {
        Input {
            format,
            origins: Vec::new(),
            failed: Vec::new(),
            skipped: Vec::new(),
            stopped: None,
        }
    }

    /// Whether every record was read and nothing was skipped or stopped at.
    pub(crate) fn is_clean(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty() && self.stopped.is_none()
    }

    /// The input's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Where record `i` starts in the input.
    pub fn origin(&self, i: usize) -> Option<InputPosition> {
        self.origins.get(i).copied()
    }

    /// Why record `i` could not be read, if it could not.
    pub fn failure(&self, i: usize) -> Option<&Malformed> {
        self.failed
            .binary_search_by_key(&i, |(j, _)| *j)
            .ok()
            .map(|k| &self.failed[k].1)
    }

    /// How many records failed.
    pub fn failed_count(&self) -> usize {
        self.failed.len()
    }

    /// The damage skipped between records (offsets in the input).
    pub fn skipped(&self) -> &[SkippedRange] {
        &self.skipped
    }

    /// The error for record `i`'s failure `m`.
    pub(crate) fn error(&self, i: usize, m: &Malformed) -> Error {
        self.malformed(i, self.origin(i).map(|o| o.offset), m)
    }

    fn malformed(&self, i: usize, record_offset: Option<u64>, m: &Malformed) -> Error {
        Error::new(
            ErrorKind::Malformed {
                format: self.format,
                line: m.at.line,
                column: m.at.column,
                reason: m.reason.clone(),
            },
            Position {
                record: Some(i as u64),
                record_offset,
                byte: Some(m.at.offset),
                field: None,
            },
        )
    }

    /// The error strict framing stopped at, if it did: about the record after
    /// the last one read.
    pub fn stop_error(&self) -> Option<Error> {
        let m = self.stopped.as_ref()?;
        Some(self.malformed(self.origins.len(), None, m))
    }

    /// Maps every byte offset (a reader that read a changed copy of its
    /// input maps them back to the input's).
    pub(crate) fn map_offsets(&mut self, f: impl Fn(u64) -> u64) {
        for p in self
            .origins
            .iter_mut()
            .chain(self.failed.iter_mut().map(|(_, m)| &mut m.at))
            .chain(self.stopped.iter_mut().map(|m| &mut m.at))
        {
            p.offset = f(p.offset);
        }
        for s in &mut self.skipped {
            let end = f(s.offset + s.length);
            s.offset = f(s.offset);
            s.length = end.saturating_sub(s.offset);
        }
    }

    /// Bytes of heap used by the bookkeeping.
    pub fn heap_bytes(&self) -> usize {
        self.origins.capacity() * std::mem::size_of::<InputPosition>()
            + self.failed.capacity() * std::mem::size_of::<(usize, Malformed)>()
    }
}

/// The result of a reader: ISO 2709 bytes, and what it found.
#[derive(Debug)]
pub struct Transcoded {
    /// The records as ISO 2709, one after the other (a failed record's place
    /// holds a placeholder).
    pub bytes: Vec<u8>,
    /// Everything else.
    pub input: Input,
}

/// Collects records as ISO 2709, with their positions and failures.
pub(crate) struct Builder {
    bytes: Vec<u8>,
    input: Input,
    framing: Framing,
}

impl Builder {
    pub(crate) fn new(format: Format, framing: Framing, capacity: usize) -> Self {
        Builder {
            bytes: Vec::with_capacity(capacity),
            input: Input {
                format,
                origins: Vec::new(),
                failed: Vec::new(),
                skipped: Vec::new(),
                stopped: None,
            },
            framing,
        }
    }

    /// Whether strict framing stopped the reading.
    pub(crate) fn stopped(&self) -> bool {
        self.input.stopped.is_some()
    }

    /// Adds `record`, which started at `at`; one that ISO 2709 cannot hold fails.
    pub(crate) fn record(&mut self, record: &OwnedRecord, at: InputPosition) {
        if self.stopped() {
            return;
        }
        match record.write_iso2709(&mut self.bytes) {
            Ok(()) => self.input.origins.push(at),
            Err(e) => {
                let reason = match e.position().field {
                    Some(f) => format!("field {f}: {}", e.kind()),
                    None => e.kind().to_string(),
                };
                self.fail(at, Malformed { at, reason });
            }
        }
    }

    /// Adds the record `fields` hold, with `leader`, which started at `at`;
    /// one that ISO 2709 cannot hold fails.
    pub(crate) fn record_from(
        &mut self,
        fields: &mut crate::owned::FieldWriter,
        leader: &[u8; 24],
        at: InputPosition,
    ) {
        if self.stopped() {
            return;
        }
        match fields.finish(leader, &mut self.bytes) {
            Ok(()) => self.input.origins.push(at),
            Err(e) => {
                let reason = match e.position().field {
                    Some(f) => format!("field {f}: {}", e.kind()),
                    None => e.kind().to_string(),
                };
                self.fail(at, Malformed { at, reason });
            }
        }
    }

    /// A record that started at `start` failed with `why`; under strict
    /// framing the reading stops here.
    pub(crate) fn fail(&mut self, start: InputPosition, why: Malformed) {
        if self.stopped() {
            return;
        }
        if self.framing == Framing::Strict {
            self.input.stopped = Some(why);
            return;
        }
        let i = self.input.origins.len();
        self.input.origins.push(start);
        self.input.failed.push((i, why));
        self.bytes.extend_from_slice(PLACEHOLDER);
    }

    /// Damage between records, `offset..end` in the input; under strict
    /// framing the reading stops here.
    pub(crate) fn skip(&mut self, offset: u64, end: u64, why: Malformed) {
        self.skip_as(offset, end, why, SkipReason::MalformedInput);
    }

    /// As [`Builder::skip`], for `reason`.
    pub(crate) fn skip_as(&mut self, offset: u64, end: u64, why: Malformed, reason: SkipReason) {
        if self.stopped() || end <= offset {
            return;
        }
        if self.framing == Framing::Strict {
            self.input.stopped = Some(why);
            return;
        }
        self.input.skipped.push(SkippedRange {
            offset,
            length: end - offset,
            reason,
        });
    }

    /// Appends `other` (the next part of the same input, read on its own).
    pub(crate) fn append(&mut self, mut other: Builder) {
        if self.stopped() {
            return;
        }
        let base = self.input.origins.len();
        self.bytes.append(&mut other.bytes);
        self.input.origins.append(&mut other.input.origins);
        self.input
            .failed
            .extend(other.input.failed.into_iter().map(|(i, m)| (i + base, m)));
        self.input.skipped.append(&mut other.input.skipped);
        self.input.stopped = other.input.stopped;
    }

    /// Adds `by` to every line (a part read on its own counted from its start).
    pub(crate) fn shift_lines(&mut self, by: u64) {
        let input = &mut self.input;
        let positions = input
            .origins
            .iter_mut()
            .chain(input.failed.iter_mut().map(|(_, m)| &mut m.at))
            .chain(input.stopped.iter_mut().map(|m| &mut m.at));
        for p in positions {
            p.line += by;
        }
    }

    pub(crate) fn finish(self) -> Transcoded {
        Transcoded {
            bytes: self.bytes,
            input: self.input,
        }
    }
}

/// Line and column of byte offsets, counted forward through the input.
pub(crate) struct Lines<'a> {
    data: &'a [u8],
    /// Where counting started, and its line.
    start: usize,
    first_line: u64,
    /// Offsets below this are counted.
    counted: usize,
    /// The line of `counted` (1-based) and the offset where that line starts.
    line: u64,
    line_start: usize,
}

impl<'a> Lines<'a> {
    /// Counting from `start`, which is at line `line` (whose first byte is at
    /// `line_start`).
    pub(crate) fn new(data: &'a [u8], start: usize, line: u64, line_start: usize) -> Self {
        Lines {
            data,
            start,
            first_line: line,
            counted: start,
            line,
            line_start,
        }
    }

    /// The position of `offset`. Offsets at or after the last one asked for
    /// are counted from there; earlier ones are counted from the start.
    pub(crate) fn at(&mut self, offset: usize) -> InputPosition {
        let offset = offset.min(self.data.len());
        if offset < self.counted {
            // Counted again from the start, in the same numbering.
            let from = self.start.min(offset);
            let part = &self.data[from..offset];
            let line = self.first_line + count_newlines(part) as u64;
            let line_start = memchr::memrchr(b'\n', &self.data[..offset]).map_or(0, |p| p + 1);
            return InputPosition {
                offset: offset as u64,
                line,
                column: (offset - line_start) as u64 + 1,
            };
        }
        let part = &self.data[self.counted..offset];
        let newlines = count_newlines(part);
        if newlines > 0 {
            self.line += newlines as u64;
            self.line_start = self.counted + memchr::memrchr(b'\n', part).unwrap_or(0) + 1;
        }
        self.counted = offset;
        InputPosition {
            offset: offset as u64,
            line: self.line,
            column: (offset - self.line_start) as u64 + 1,
        }
    }

    /// The line reached and where it starts.
    pub(crate) fn state(&self) -> (usize, u64, usize) {
        (self.counted, self.line, self.line_start)
    }
}

/// A leader from its text: 24 characters, each that is not ASCII (which ISO
/// 2709 would need as one byte) a blank; `None` if it is not 24 characters.
pub(crate) fn leader_of(text: &str) -> Option<[u8; 24]> {
    let mut out = [b' '; 24];
    let mut n = 0;
    for c in text.chars() {
        if n == 24 {
            return None;
        }
        if c.is_ascii() {
            out[n] = c as u8;
        }
        n += 1;
    }
    (n == 24).then_some(out)
}

/// A tag from its text: three ASCII characters; a numeric tag of fewer digits
/// is padded with zeros, as pymarc writes it (`42` is `042`).
pub(crate) fn tag_of(text: &str) -> Option<[u8; 3]> {
    let text = text.trim();
    if let Ok(t) = <[u8; 3]>::try_from(text.as_bytes()) {
        return t.is_ascii().then_some(t);
    }
    if (1..3).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        let padded = format!("{text:0>3}");
        return <[u8; 3]>::try_from(padded.as_bytes()).ok();
    }
    None
}

/// How many newlines `part` holds: faster than a search per newline when
/// lines are short, as in pretty-printed XML. Counting in bytes, 255 at a
/// time, lets the compiler keep 16 or 32 counters in one vector register
/// (a count in `usize` widens every byte first, at a quarter of the speed).
fn count_newlines(part: &[u8]) -> usize {
    part.chunks(255)
        .map(|chunk| {
            chunk
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'\n'))) as usize
        })
        .sum()
}

/// The position of `offset` in `data`, counted from the start.
pub(crate) fn position_of(data: &[u8], offset: usize) -> InputPosition {
    let offset = offset.min(data.len());
    let before = &data[..offset];
    let line = count_newlines(before) as u64 + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    InputPosition {
        offset: offset as u64,
        line,
        column: (offset - line_start) as u64 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let data = b"ab\ncd\n\nxyz";
        let mut lines = Lines::new(data, 0, 1, 0);
        assert_eq!(
            lines.at(1),
            InputPosition {
                offset: 1,
                line: 1,
                column: 2
            }
        );
        assert_eq!(lines.at(4).line, 2);
        assert_eq!(lines.at(8), position_of(data, 8));
        assert_eq!(lines.at(8).column, 2);
        assert_eq!(lines.at(2), position_of(data, 2));
        assert_eq!(position_of(data, 7).line, 4);
    }
}
