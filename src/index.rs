//! Phase 1: where every record starts, and nothing else.
//!
//! The scan finds each record terminator with `memchr` (a streaming read that the
//! prefetcher follows) and cross-checks it against the length in the leader. A
//! pure walk from leader to leader touches less memory, but every jump is a cache
//! miss the prefetcher cannot predict; the streaming scan is faster on real files.
//!
//! The index keeps one `u64` start offset per record (8 bytes a record). Lengths
//! are not stored: a record that was not recovered is exactly its declared length,
//! and a recovered one (see [`RecoveredRecord`]) runs to the next 0x1D, so Phase 2
//! re-derives every length from the leader.
//!
//! In [`Framing::Strict`] mode the scan stops at the first framing error and keeps
//! it, with its position. In [`Framing::Lenient`] mode it resynchronises on the
//! next 0x1D and reports every byte range it skips, and every record it accepted
//! although its declared length was wrong. A record whose terminator byte alone is
//! damaged (the next record starts right after it) is kept, so that Phase 2
//! reports it with its position instead of losing it. A declared length that runs
//! past an earlier 0x1D is trusted only when the record's own fields end where it
//! says; otherwise it could swallow the records behind that 0x1D, so lenient
//! framing resynchronises on that 0x1D like any other damage (the record before
//! it is usually recovered, or else skipped and reported), and strict framing stops
//! with `LengthPastTerminator`.

use crate::error::{Error, ErrorKind, Position};
use crate::frame;
use crate::layout::{declared_length, MIN_RECORD_LEN, RECORD_TERMINATOR};
use crate::words::Words;
use std::fmt;

/// How Phase 1 treats framing damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Framing {
    /// Stop at the first framing error; the records before it stay readable.
    Strict,
    /// Skip damage, resynchronise on the next record terminator, and report what was skipped.
    #[default]
    Lenient,
}

crate::named_values!(Framing, "framing", {
    "strict" => Framing::Strict,
    "lenient" => Framing::Lenient,
});

/// Why a byte range was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// Newlines, carriage returns, tabs, spaces, NULs or 0x1A (DOS end of file) between records.
    Filler,
    /// The data ends inside a record: no terminator follows.
    TruncatedRecord,
    /// Bytes up to a terminator that do not start with a usable leader.
    NotARecord,
    /// Bytes before a record whose leader frames the rest of the chunk.
    GarbageBeforeRecord,
    /// Text between two records of a MARCXML, MARC-in-JSON or MARCMaker input
    /// that is not well-formed (the records around it are read).
    MalformedInput,
    /// Content after a MARCXML document's root element ends (text, a second
    /// root): not well-formed XML. The records in it are read, as the
    /// records after damage are; the rest of it is skipped.
    ContentAfterRoot,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::Filler => "filler bytes between records",
            SkipReason::TruncatedRecord => "truncated record (no record terminator follows)",
            SkipReason::NotARecord => "bytes without a usable leader before a record terminator",
            SkipReason::GarbageBeforeRecord => "garbage before a record",
            SkipReason::MalformedInput => "malformed input between records",
            SkipReason::ContentAfterRoot => "content after the root element",
        })
    }
}

/// A byte range that lenient indexing skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SkippedRange {
    /// The absolute offset of the first skipped byte.
    pub offset: u64,
    /// How many bytes were skipped.
    pub length: u64,
    /// Why.
    pub reason: SkipReason,
}

/// A record that lenient indexing accepted although its leader's length was wrong.
///
/// The record runs to the next 0x1D; its leader is otherwise plausible. Real
/// archives produce these when a length was counted in characters, or when a
/// record grew past 99,999 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecoveredRecord {
    /// The record's index.
    pub record: u64,
    /// Its absolute offset.
    pub offset: u64,
    /// The length the leader declared, if it was five digits.
    pub declared: Option<usize>,
    /// The length up to and including the record terminator.
    pub actual: usize,
}

/// The result of Phase 1.
///
/// Every offset in it is absolute: for an index of a whole file, the offset in
/// the file; for an index of a byte range (see [`crate::partition`]), still the
/// offset in the file, not in the range. Record numbers ([`RecoveredRecord::record`],
/// the record of a framing error) count from the index's first record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecordIndex {
    starts: Words,
    skipped: Vec<SkippedRange>,
    recovered: Vec<RecoveredRecord>,
    stopped_at: Option<u64>,
    /// The absolute offset of the first byte of the data the index was built from.
    data_offset: u64,
}

impl RecordIndex {
    /// Scans `data` and records where each record starts.
    pub fn build(data: &[u8], framing: Framing) -> RecordIndex {
        let mut scanner = Scanner::new(data, 0, true, framing);
        // A guess that avoids most regrowth: real records average 1-2 KB.
        scanner.starts.reserve(data.len() / 1024);
        let mut pos = 0;
        while pos < data.len() {
            match scanner.step(pos) {
                Step::Next(next) => pos = next,
                // `NeedMore` cannot happen: the data is complete.
                Step::Stop | Step::NeedMore => break,
            }
        }
        scanner.into_index()
    }

    /// An index from its parts, as a sidecar keeps them (checked by the caller).
    pub(crate) fn from_parts(
        starts: Words,
        skipped: Vec<SkippedRange>,
        recovered: Vec<RecoveredRecord>,
        stopped_at: Option<u64>,
    ) -> RecordIndex {
        RecordIndex {
            starts,
            skipped,
            recovered,
            stopped_at,
            data_offset: 0,
        }
    }

    /// The number of records found.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether no record was found.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The start offset of record `i`.
    pub fn start(&self, i: usize) -> Option<u64> {
        self.starts.get(i).copied()
    }

    /// Every start offset, in file order.
    pub fn starts(&self) -> &[u64] {
        &self.starts
    }

    /// The byte ranges lenient indexing skipped, in file order.
    pub fn skipped(&self) -> &[SkippedRange] {
        &self.skipped
    }

    /// The records lenient indexing accepted despite a wrong declared length.
    pub fn recovered(&self) -> &[RecoveredRecord] {
        &self.recovered
    }

    /// Whether record `i` was recovered (framed by rule 2). Every other record is
    /// framed exactly by its declared length (rule 1): Phase 1 checked that.
    pub fn is_recovered(&self, i: usize) -> bool {
        // Sorted by record index; almost always empty.
        self.recovered
            .binary_search_by_key(&(i as u64), |r| r.record)
            .is_ok()
    }

    /// The offset where strict indexing stopped at a framing error, if it did.
    pub fn stopped_at(&self) -> Option<u64> {
        self.stopped_at
    }

    /// The framing error strict indexing stopped at, if any, described from `data`
    /// (the bytes this index was built from: for an index of a byte range, that
    /// range's bytes).
    pub fn framing_error(&self, data: &[u8]) -> Option<Error> {
        let pos = self.stopped_at?;
        let rel = usize::try_from(pos.checked_sub(self.data_offset)?).ok()?;
        Some(framing_error_at(data, rel, pos, self.starts.len()))
    }

    /// Bytes of heap used by the index itself.
    pub fn heap_bytes(&self) -> usize {
        self.starts.heap_bytes()
            + self.skipped.capacity() * std::mem::size_of::<SkippedRange>()
            + self.recovered.capacity() * std::mem::size_of::<RecoveredRecord>()
    }
}

/// The framing error for a record at `pos` of `data` (absolute offset `at`) that
/// rule 1 does not frame.
fn framing_error_at(data: &[u8], pos: usize, at: u64, record: usize) -> Error {
    let rest = data.get(pos..).unwrap_or_default();
    // Rule 1 frames the record but Phase 1 refused it: the length runs past an
    // earlier 0x1D, beyond the record's own fields.
    let past = frame::exact_length(data, pos).and_then(|len| {
        let e = memchr::memchr(RECORD_TERMINATOR, rest)?;
        Some((len, e))
    });
    let kind = match (past, declared_length(rest)) {
        (Some((declared, terminator)), _) => ErrorKind::LengthPastTerminator {
            declared,
            terminator,
        },
        _ if rest.len() < 5 => ErrorKind::Truncated {
            needed: 5,
            available: rest.len(),
        },
        (_, None) => ErrorKind::RecordLengthInvalid {
            found: String::from_utf8_lossy(&rest[..5]).into_owned(),
        },
        (_, Some(len)) if len < MIN_RECORD_LEN => ErrorKind::RecordTooShort { length: len },
        (_, Some(len)) if len > rest.len() => ErrorKind::Truncated {
            needed: len,
            available: rest.len(),
        },
        (_, Some(_)) => ErrorKind::EndOfRecordNotFound,
    };
    let pos = Position {
        record: Some(record as u64),
        record_offset: Some(at),
        byte: Some(at),
        field: None,
    };
    Error::new(kind, pos)
}

/// What one step of the scan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The scan goes on at this position (of the scanner's data).
    Next(usize),
    /// Strict framing stopped at a framing error.
    Stop,
    /// The data ends before the bytes this step's decision depends on; nothing
    /// was recorded. Only for data that is not the whole rest of the file.
    NeedMore,
}

/// Where a scan of a byte range ended (see [`scan_until`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanEnd {
    /// The first record at or after the end of the range starts at `record`
    /// (absolute). It is not in the index.
    Record { record: u64 },
    /// The file ended first.
    Eof,
    /// Strict framing stopped (the index says where).
    Stopped,
}

/// The scan of Phase 1, over `data`, which holds the file's bytes from absolute
/// offset `base`.
///
/// The decisions are the same whatever `data` is: a step reads only the bytes
/// from its position up to the first 0x1D and up to its declared length. When
/// `data` is not the rest of the file (`complete` is false) and those bytes are
/// not all in it, the step says [`Step::NeedMore`] instead of deciding, so a
/// scan of a window never decides differently from a scan of the whole file.
pub(crate) struct Scanner<'a> {
    data: &'a [u8],
    base: u64,
    complete: bool,
    framing: Framing,
    /// The record starts found, kept apart from `index` while scanning (a plain
    /// vector in the hot loop).
    starts: Vec<u64>,
    index: RecordIndex,
}

/// Bytes that real archives put between records.
pub(crate) fn is_filler(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | b'\t' | b' ' | 0x00 | 0x1A)
}

/// Whether a step at `rest` (the data from its position) can be decided from
/// `rest` alone: the first 0x1D is in it, and so is the whole declared length.
fn decidable(rest: &[u8], first_terminator: Option<usize>) -> bool {
    match declared_length(rest) {
        _ if first_terminator.is_none() => false,
        Some(len) => len <= rest.len(),
        None => true,
    }
}

/// A scan of a byte range that ran out of data: what it found so far, and the
/// position (in its data) where it goes on once it has more.
#[derive(Debug)]
pub(crate) struct Pending {
    pub index: RecordIndex,
    pub pos: usize,
}

/// Scans `data` (the file's bytes from absolute offset `base`; `complete` if they
/// run to the end of the file) from its first byte, which must be a record start
/// or a position the whole-file scan visits, until the first record that starts
/// at or after the absolute offset `end`, which is left out of the index with the
/// record numbers it would take. Where `data` ends too soon, the scan so far
/// comes back as [`Pending`], to be resumed with more bytes (the same from
/// `base`, and more after them).
///
/// Skipped ranges before that record are kept, also those at or after `end`: a
/// range of the file owns the damage between its last record and the next
/// range's first. With strict framing the scan also stops at the first framing
/// error, even one at or after `end` (nothing else would report it).
pub(crate) fn scan_until(
    data: &[u8],
    base: u64,
    complete: bool,
    framing: Framing,
    end: u64,
    resume: Option<Pending>,
) -> std::result::Result<(RecordIndex, ScanEnd), Pending> {
    let mut scanner = Scanner::new(data, base, complete, framing);
    let mut pos = 0;
    match resume {
        Some(p) => {
            pos = p.pos;
            scanner.resume(p.index);
        }
        None => {
            let span = end.saturating_sub(base).min(data.len() as u64);
            scanner.starts.reserve(span as usize / 1024);
        }
    }
    loop {
        if pos >= data.len() {
            if !complete {
                let index = scanner.into_index();
                return Err(Pending { index, pos });
            }
            return Ok((scanner.into_index(), ScanEnd::Eof));
        }
        let before = scanner.starts.len();
        match scanner.step(pos) {
            Step::Next(next) => pos = next,
            Step::Stop => return Ok((scanner.into_index(), ScanEnd::Stopped)),
            Step::NeedMore => {
                let index = scanner.into_index();
                return Err(Pending { index, pos });
            }
        }
        let Some(k) = scanner.starts[before..].iter().position(|&s| s >= end) else {
            continue;
        };
        let record = scanner.starts[before + k];
        scanner.starts.truncate(before + k);
        let kept = scanner.starts.len() as u64;
        scanner.index.recovered.retain(|r| r.record < kept);
        return Ok((scanner.into_index(), ScanEnd::Record { record }));
    }
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(data: &'a [u8], base: u64, complete: bool, framing: Framing) -> Self {
        Scanner {
            data,
            base,
            complete,
            framing,
            starts: Vec::new(),
            index: RecordIndex {
                data_offset: base,
                ..RecordIndex::default()
            },
        }
    }

    /// The index found, its starts in it.
    pub(crate) fn into_index(mut self) -> RecordIndex {
        self.starts.shrink_to_fit();
        self.index.starts = self.starts.into();
        self.index
    }

    /// Goes on from a scan that ran out of data.
    fn resume(&mut self, mut index: RecordIndex) {
        self.starts = std::mem::take(index.starts.vec());
        self.index = index;
    }

    fn push_start(&mut self, pos: usize) {
        self.starts.push(self.base + pos as u64);
    }

    /// The record starts found so far, in file order.
    pub(crate) fn starts_found(&self) -> &[u64] {
        &self.starts
    }

    /// Takes over what another scan of the same data found from its step at
    /// `at` (absolute) on: `part`'s records from its record `first` (the one at
    /// `at`, or its first record after `at`), the ranges it skipped and the
    /// records it recovered from `at` on, and where it stopped. The scan from a
    /// position it steps at is the same whoever runs it, so when this scan's
    /// next step is at `at` too, the result is the one this scan would have
    /// found itself: see [`crate::chunked_index`].
    pub(crate) fn adopt(&mut self, part: &RecordIndex, first: usize, at: u64) {
        let records = self.starts.len() as u64;
        self.starts.extend_from_slice(&part.starts[first..]);
        let skipped = part.skipped.partition_point(|s| s.offset < at);
        for range in &part.skipped[skipped..] {
            self.push_skipped(*range);
        }
        let recovered = part.recovered.partition_point(|r| r.offset < at);
        self.index
            .recovered
            .extend(part.recovered[recovered..].iter().map(|r| RecoveredRecord {
                record: r.record - first as u64 + records,
                ..*r
            }));
        if part.stopped_at.is_some() {
            self.index.stopped_at = part.stopped_at;
        }
    }

    /// Handles whatever starts at `pos` (of `data`); says where to continue.
    #[inline]
    pub(crate) fn step(&mut self, pos: usize) -> Step {
        let data = self.data;
        let rest = &data[pos..];
        // Fast path: the first terminator is exactly where the leader says.
        let first = memchr::memchr(RECORD_TERMINATOR, rest);
        if !self.complete && !decidable(rest, first) {
            return Step::NeedMore;
        }
        if let Some(e) = first {
            let len = e + 1;
            if declared_length(rest) == Some(len) && len >= MIN_RECORD_LEN {
                self.push_start(pos);
                return Step::Next(pos + len);
            }
        }
        // Rule 1 with a 0x1D before the declared end: only if the record's own
        // fields reach that end. Otherwise the length is wrong, and may swallow
        // the records behind that 0x1D.
        if let (Some(len), Some(e)) = (frame::exact_length(data, pos), first) {
            if frame::fields_reach_declared_end(&rest[..len], e) {
                self.push_start(pos);
                return Step::Next(pos + len);
            }
        }
        match self.framing {
            Framing::Strict => {
                self.index.stopped_at = Some(self.base + pos as u64);
                Step::Stop
            }
            Framing::Lenient => Step::Next(self.resync(pos)),
        }
    }

    fn skip(&mut self, offset: usize, length: usize, reason: SkipReason) {
        self.push_skipped(SkippedRange {
            offset: self.base + offset as u64,
            length: length as u64,
            reason,
        });
    }

    fn push_skipped(&mut self, range: SkippedRange) {
        // Adjacent skips for the same reason merge into one range.
        if let Some(last) = self.index.skipped.last_mut() {
            if last.reason == range.reason && last.offset + last.length == range.offset {
                last.length += range.length;
                return;
            }
        }
        self.index.skipped.push(range);
    }

    /// Lenient recovery at `pos`, where rule 1 did not frame a record.
    fn resync(&mut self, pos: usize) -> usize {
        let data = self.data;
        let filler = data[pos..].iter().take_while(|&&b| is_filler(b)).count();
        if filler > 0 {
            self.skip(pos, filler, SkipReason::Filler);
            return pos + filler;
        }
        let Some(len) = frame::terminated_length(data, pos) else {
            self.skip(pos, data.len() - pos, SkipReason::TruncatedRecord);
            return data.len();
        };
        let chunk = &data[pos..pos + len];
        // A record whose declared length frames the rest of the chunk, behind some garbage.
        let inner = (1..len.saturating_sub(MIN_RECORD_LEN - 1))
            .find(|&p| declared_length(&chunk[p..]) == Some(len - p));
        // An exactly framed record with a plausible leader inside the chunk beats a
        // plausible leader at its start: the start is then a record cut short (its
        // leader and directory survive, its terminator does not) or junk, and taking
        // the whole chunk as one record would swallow the whole record behind it.
        let inner_is_record = inner.is_some_and(|p| frame::plausible_leader(&chunk[p..]));
        if frame::plausible_leader(chunk) && !inner_is_record {
            self.index.recovered.push(RecoveredRecord {
                record: self.starts.len() as u64,
                offset: self.base + pos as u64,
                declared: declared_length(chunk),
                actual: len,
            });
            self.push_start(pos);
            return pos + len;
        }
        match inner {
            // The leader's own length reaches exactly the record behind it: this is
            // a record whose terminator is damaged. Keep it, so that Phase 2 reports
            // it (EndOfRecordNotFound, with its index and offset) instead of
            // dropping it as garbage. Its declared length frames it, as for rule 1.
            Some(p) if p >= MIN_RECORD_LEN && declared_length(chunk) == Some(p) => {
                self.push_start(pos);
                self.push_start(pos + p);
            }
            Some(p) => {
                self.skip(pos, p, SkipReason::GarbageBeforeRecord);
                self.push_start(pos + p);
            }
            None => self.skip(pos, len, SkipReason::NotARecord),
        }
        pos + len
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal well-formed record with one control field.
    fn rec(cn: &str) -> Vec<u8> {
        rec_with(cn.as_bytes())
    }

    /// A well-formed record whose one control field holds `data` (any bytes).
    /// Phase 1's other tests (the chunked scan's) build their records with it.
    pub(crate) fn rec_with(data: &[u8]) -> Vec<u8> {
        let base = 24 + 12 + 1;
        let field_len = data.len() + 1;
        let total = base + field_len + 1;
        let mut out = format!("{total:05}nam a22{base:05} a 4500").into_bytes();
        out.extend(format!("001{field_len:04}{:05}\x1e", 0).bytes());
        out.extend(data);
        out.extend(b"\x1e\x1d");
        out
    }

    #[test]
    fn damaged_terminator_keeps_the_record_and_the_next() {
        let mut bad = rec("a");
        let last = bad.len() - 1;
        bad[last] = b'x';
        let mut data = rec("z");
        let bad_at = data.len() as u64;
        data.extend(&bad);
        let next_at = data.len() as u64;
        data.extend(rec("b"));
        let idx = RecordIndex::build(&data, Framing::Lenient);
        assert_eq!(idx.starts(), &[0, bad_at, next_at]);
        assert!(idx.skipped().is_empty() && idx.recovered().is_empty());
        let strict = RecordIndex::build(&data, Framing::Strict);
        assert_eq!(strict.starts(), &[0]);
        assert_eq!(strict.stopped_at(), Some(bad_at));
    }

    #[test]
    fn a_length_reaching_past_a_whole_record_does_not_swallow_it() {
        // Record a's length is the length of a and b together: it lands exactly on
        // b's terminator. The whole record b behind a's own 0x1D is kept, and a is
        // recovered (framed up to its own 0x1D) with its wrong length reported.
        let (a, b) = (rec("a"), rec("b"));
        let mut data = a.clone();
        data[..5].copy_from_slice(format!("{:05}", a.len() + b.len()).as_bytes());
        data.extend(&b);
        let idx = RecordIndex::build(&data, Framing::Lenient);
        assert_eq!(idx.starts(), &[0, a.len() as u64]);
        assert!(idx.skipped().is_empty());
        assert_eq!(idx.recovered().len(), 1);
        assert_eq!(idx.recovered()[0].declared, Some(a.len() + b.len()));
        assert_eq!(idx.recovered()[0].actual, a.len());

        let strict = RecordIndex::build(&data, Framing::Strict);
        assert!(strict.is_empty());
        let err = strict.framing_error(&data).unwrap();
        assert!(matches!(
            err.kind(),
            ErrorKind::LengthPastTerminator { declared, terminator }
                if *declared == a.len() + b.len() && *terminator == a.len() - 1
        ));
        assert_eq!(err.position().byte, Some(0));
    }

    #[test]
    fn a_stray_terminator_does_not_hide_a_swallowed_record() {
        // Record a has a stray 0x1D inside its field and declares the length of a
        // and b together. b is kept; a is recovered up to the stray 0x1D (Phase 2
        // then reports it), and the rest of a's field is skipped and reported.
        let (a, b) = (rec_with(b"x\x1dy"), rec("b"));
        let mut data = a.clone();
        data[..5].copy_from_slice(format!("{:05}", a.len() + b.len()).as_bytes());
        data.extend(&b);
        let idx = RecordIndex::build(&data, Framing::Lenient);
        assert_eq!(idx.starts(), &[0, a.len() as u64]);
        assert_eq!(idx.recovered().len(), 1);
        assert_eq!(idx.skipped().len(), 1);
        let skipped = idx.skipped()[0];
        assert_eq!(skipped.offset + skipped.length, a.len() as u64);
    }

    #[test]
    fn a_record_whose_fields_reach_its_length_keeps_what_its_fields_hold() {
        // A well-formed record whose field holds two whole records (0x1D and all):
        // its declared length is right, so it stays one record.
        let inner = [rec("x"), rec("y")].concat();
        let outer = rec_with(&inner);
        let mut data = outer.clone();
        data.extend(rec("b"));
        for framing in [Framing::Lenient, Framing::Strict] {
            let idx = RecordIndex::build(&data, framing);
            assert_eq!(idx.starts(), &[0, outer.len() as u64]);
            assert!(idx.skipped().is_empty() && idx.recovered().is_empty());
        }
    }

    #[test]
    fn indexes_back_to_back_records() {
        let mut data = rec("a");
        let second = data.len() as u64;
        data.extend(rec("bb"));
        let idx = RecordIndex::build(&data, Framing::Strict);
        assert_eq!(idx.starts(), &[0, second]);
        assert!(idx.framing_error(&data).is_none());
        assert!(idx.skipped().is_empty());
    }

    #[test]
    fn empty_input_has_no_records() {
        let idx = RecordIndex::build(b"", Framing::Strict);
        assert!(idx.is_empty() && idx.framing_error(b"").is_none());
    }

    #[test]
    fn strict_stops_with_position_lenient_skips_filler() {
        let mut data = rec("a");
        let bad = data.len();
        data.extend(b"\r\n");
        data.extend(rec("b"));
        let strict = RecordIndex::build(&data, Framing::Strict);
        assert_eq!(strict.len(), 1);
        let err = strict.framing_error(&data).unwrap();
        assert_eq!(err.position().record, Some(1));
        assert_eq!(err.position().byte, Some(bad as u64));

        let lenient = RecordIndex::build(&data, Framing::Lenient);
        assert_eq!(lenient.starts(), &[0, bad as u64 + 2]);
        assert_eq!(
            lenient.skipped(),
            &[SkippedRange {
                offset: bad as u64,
                length: 2,
                reason: SkipReason::Filler
            }]
        );
    }

    #[test]
    fn lenient_does_not_let_a_cut_record_swallow_the_next() {
        // A record cut after its directory (so its leader is plausible) and no
        // terminator, then a whole record: found by the property tests in
        // tests/core/props.rs. The cut bytes are skipped, the whole record kept.
        let whole = rec("b");
        let mut data = rec("aaaaaaaaaaaa")[..40].to_vec();
        let at = data.len() as u64;
        data.extend(&whole);
        let idx = RecordIndex::build(&data, Framing::Lenient);
        assert_eq!(idx.starts(), &[at]);
        assert!(idx.recovered().is_empty());
        assert_eq!(
            idx.skipped(),
            &[SkippedRange {
                offset: 0,
                length: at,
                reason: SkipReason::GarbageBeforeRecord
            }]
        );
    }

    #[test]
    fn lenient_recovers_wrong_length_and_garbage() {
        let mut wrong = rec("a");
        wrong[..5].copy_from_slice(b"00999");
        let mut data = wrong.clone();
        data.extend(b"xyz");
        let garbage_at = data.len() - 3;
        data.extend(rec("b"));
        data.extend(b"0012"); // truncated tail
        let idx = RecordIndex::build(&data, Framing::Lenient);
        assert_eq!(idx.starts(), &[0, garbage_at as u64 + 3]);
        assert_eq!(idx.recovered().len(), 1);
        assert_eq!(idx.recovered()[0].declared, Some(999));
        let reasons: Vec<_> = idx.skipped().iter().map(|s| s.reason).collect();
        assert_eq!(
            reasons,
            [SkipReason::GarbageBeforeRecord, SkipReason::TruncatedRecord]
        );
    }
}
