//! Record-aligned byte ranges: cutting a file into partitions without indexing it.
//!
//! A cut at an arbitrary byte offset is moved to the first record start at or
//! after it, as the lenient whole-file scan ([`RecordIndex::build`]) would find
//! it, by reading only a window of the file around the cut. A range of the file
//! then owns the records that start in it, and the damage (skipped bytes) that
//! lies between its last record and the next range's first. So for any cuts:
//!
//! > the records and skipped ranges of all ranges, concatenated, are exactly the
//! > lenient whole-file index: the same offsets, the same bytes, the same skipped
//! > ranges, the same recovered records.
//!
//! # How a cut finds its record
//!
//! The lenient scan is a walk: from each position it visits, one step decides
//! what is there (a record, filler, damage) and moves on. A step lands just after
//! the first 0x1D after its position (a record framed at its terminator, or
//! damage up to it), after a run of filler, or, for a record whose declared
//! length frames it although an earlier 0x1D sits inside it (a well-formed
//! record with a 0x1D in a field), just after the 0x1D at its declared end. So
//! every position the walk visits is 0, or just after a 0x1D, or the end of a
//! filler run that starts at one of those.
//!
//! Take the last 0x1D before the cut, at `t`. The walk visits `t + 1` unless some
//! position it visits at or before `t` takes a step that jumps past `t + 1`, and
//! only the third kind of step jumps past a 0x1D. Such a step reaches at most
//! 99,999 bytes (five length digits), so it starts in the 100,000 bytes before
//! `t`. The window is therefore read back that far: if no candidate position
//! there (each 0x1D + 1, and the end of a filler run after it) would jump past
//! `t + 1`, whichever of them the walk visits, it visits `t + 1`. The scan then
//! runs from `t + 1` to the first record at or after the cut, exactly as the
//! whole-file scan does from there.
//!
//! In a real file no candidate jumps: each record's length lands on its own
//! terminator. When one would (a record holding whole records in a field, or a
//! damaged length that happens to land on a later 0x1D), the window is widened
//! back to the 0x1D before that candidate, which is certified the same way, and
//! so on back to the start of the file at worst. The answer is then still
//! exact, only the window is larger. A step's decision reads bytes up to its
//! declared length, up to 99,999 bytes ahead; where those are not in the window,
//! it is widened forward too.
//!
//! A cut therefore reads about 110 KB, in one read: 100,000 bytes of look-back,
//! the record the cut falls in, and the first record after it. Computing 64
//! partitions of a 1 GB file reads 63 such windows, not the file.

use crate::index::{is_filler, scan_until, Framing, RecordIndex, ScanEnd, Scanner, Step};
use crate::layout::{declared_length, MIN_RECORD_LEN, RECORD_TERMINATOR};
use crate::parallel;
use crate::storage::RangeBytes;
pub use crate::storage::{RandomReads, ReadAt};
use std::io;
use std::ops::Range;

/// The longest step the lenient scan can take past a 0x1D: a declared length is
/// five digits.
const MAX_DECLARED: u64 = 99_999;

/// How far before the last 0x1D before a cut a step that jumps past it can start.
const LOOK_BACK: u64 = MAX_DECLARED + 1;

/// The bytes read after a cut at first: the rest of the record the cut is in and
/// the next one, for records of a few KB (more is read when they are longer).
const FORWARD: u64 = 8 * 1024;

/// The bytes read before the look-back at first: the start of the record the cut
/// is in, so that its 0x1D-delimited start is usually in the first read.
const BEFORE: u64 = 4 * 1024;

/// A contiguous stretch of the file, read on demand and widened as needed.
struct Window<'s, S: ReadAt + ?Sized> {
    source: &'s S,
    size: u64,
    start: u64,
    bytes: Vec<u8>,
}

impl<'s, S: ReadAt + ?Sized> Window<'s, S> {
    fn new(source: &'s S, size: u64, at: u64) -> Self {
        Window {
            source,
            size,
            start: at.min(size),
            bytes: Vec::new(),
        }
    }

    fn end(&self) -> u64 {
        self.start + self.bytes.len() as u64
    }

    fn complete(&self) -> bool {
        self.end() == self.size
    }

    /// Makes the window cover at least `from..to` (clamped to the file), reading
    /// only the bytes it lacks.
    fn cover(&mut self, from: u64, to: u64) -> io::Result<()> {
        let to = to.min(self.size);
        let from = from.min(to);
        if self.bytes.is_empty() {
            // Nothing held yet: one read.
            self.start = from;
        }
        if from < self.start {
            let mut front = vec![0; (self.start - from) as usize];
            self.source.read_exact_at(&mut front, from)?;
            front.extend_from_slice(&self.bytes);
            self.bytes = front;
            self.start = from;
        }
        if to > self.end() {
            let old = self.bytes.len();
            let end = self.end();
            self.bytes.resize(old + (to - end) as usize, 0);
            self.source.read_exact_at(&mut self.bytes[old..], end)?;
        }
        Ok(())
    }

    /// Widens the window forward, at least doubling what it holds after `from`.
    fn grow(&mut self, from: u64) -> io::Result<()> {
        let after = self.end().saturating_sub(from).max(FORWARD);
        self.cover(self.start, self.end().saturating_add(after))
    }

    /// The window's bytes from absolute `at`.
    fn from(&self, at: u64) -> &[u8] {
        &self.bytes[(at - self.start) as usize..]
    }

    /// The offset of the last 0x1D before `before`, widening the window back as
    /// needed; `None` if there is none in the file.
    fn last_terminator_before(&mut self, before: u64) -> io::Result<Option<u64>> {
        loop {
            let here = &self.bytes[..(before - self.start) as usize];
            if let Some(t) = memchr::memrchr(RECORD_TERMINATOR, here) {
                return Ok(Some(self.start + t as u64));
            }
            if self.start == 0 {
                return Ok(None);
            }
            let back = (self.end() - self.start).max(LOOK_BACK);
            self.cover(self.start.saturating_sub(back), self.end())?;
        }
    }
}

/// The first record start at or after `cut` as the lenient whole-file index has
/// it, reading only a window of `source` (`size` bytes) around the cut.
///
/// A cut at 0 stays at 0, and a cut at or past the end is the end: a range from
/// 0 owns any damage before the first record. See the [module](self) for how the
/// window is chosen and why the answer is exact.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// let record = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";
/// let data = [&record[..], &record[..], b"\r\n", &record[..]].concat();
/// // A cut inside the second record moves past it and past the filler after it.
/// assert_eq!(marcmap::partition::align_cut(&data[..], data.len() as u64, 50)?, 86);
/// assert_eq!(marcmap::partition::align_cut(&data[..], data.len() as u64, 42)?, 42);
/// # Ok(()) }
/// ```
pub fn align_cut<S: ReadAt + ?Sized>(source: &S, size: u64, cut: u64) -> io::Result<u64> {
    if cut == 0 || cut >= size {
        return Ok(cut.min(size));
    }
    let mut window = Window::new(source, size, cut);
    window.cover(cut.saturating_sub(LOOK_BACK + BEFORE), cut + FORWARD)?;
    let anchor = anchor_before(&mut window, cut)?;
    let mut pending = None;
    loop {
        let data = window.from(anchor);
        match scan_until(
            data,
            anchor,
            window.complete(),
            Framing::Lenient,
            cut,
            pending,
        ) {
            Ok((_, ScanEnd::Record { record })) => return Ok(record),
            Ok((_, ScanEnd::Eof | ScanEnd::Stopped)) => return Ok(size),
            Err(more) => {
                pending = Some(more);
                window.grow(cut)?;
            }
        }
    }
}

/// A position at or before `cut` that the whole-file scan visits: just after the
/// last 0x1D before it that no step can jump over (0 if there is none).
fn anchor_before<S: ReadAt + ?Sized>(window: &mut Window<'_, S>, cut: u64) -> io::Result<u64> {
    let mut before = cut;
    loop {
        let Some(t) = window.last_terminator_before(before)? else {
            return Ok(0);
        };
        let from = t.saturating_sub(LOOK_BACK);
        window.cover(from, t + 1)?;
        match first_jump_over(window, from, t)? {
            None => return Ok(t + 1),
            // That candidate may or may not be visited: decide from further back.
            Some(candidate) => before = candidate,
        }
    }
}

/// The first position in `from..=t` that the scan might visit and whose step
/// would jump past `t + 1` (the 0x1D at `t`), if any.
fn first_jump_over<S: ReadAt + ?Sized>(
    window: &mut Window<'_, S>,
    from: u64,
    t: u64,
) -> io::Result<Option<u64>> {
    // Positions the scan can visit: 0, each 0x1D + 1, and the end of a filler run
    // starting at one of them. A run reaching into the window from before it
    // passes `from`: its end is a candidate too (it may not be visited; a superset
    // of candidates is safe).
    let mut starts = Vec::new();
    if from == 0 {
        starts.push(0);
    } else if window.from(from).first().copied().is_some_and(is_filler) {
        starts.push(filler_end(window, from));
    }
    let here = &window.from(from)[..(t - from) as usize];
    starts.extend(memchr::memchr_iter(RECORD_TERMINATOR, here).map(|e| from + e as u64 + 1));
    for s in starts {
        for candidate in [s, filler_end(window, s)] {
            if jumps_over(window, candidate, t)? {
                return Ok(Some(candidate));
            }
        }
    }
    Ok(None)
}

/// Where the run of filler bytes at `at` ends (`at` if there is none). Within a
/// candidate window it ends at the latest at the 0x1D that bounds it.
fn filler_end<S: ReadAt + ?Sized>(window: &Window<'_, S>, at: u64) -> u64 {
    let run = window.from(at).iter().take_while(|&&b| is_filler(b));
    at + run.count() as u64
}

/// Whether the scan's step at `at` (at or before `t`) would land past `t + 1`.
fn jumps_over<S: ReadAt + ?Sized>(window: &mut Window<'_, S>, at: u64, t: u64) -> io::Result<bool> {
    // Only a record framed by its declared length past an earlier 0x1D jumps, so
    // its length must land past `t`; any other step lands at or before `t + 1`.
    let Some(len) = declared_length(window.from(at)) else {
        return Ok(false);
    };
    if len < MIN_RECORD_LEN || at + len as u64 - 1 <= t {
        return Ok(false);
    }
    loop {
        let mut scanner = Scanner::new(window.from(at), at, window.complete(), Framing::Lenient);
        match scanner.step(0) {
            Step::Next(next) => return Ok(at + next as u64 > t + 1),
            Step::Stop => return Ok(false),
            Step::NeedMore => window.cover(window.start, at + len as u64)?,
        }
    }
}

/// `n` record-aligned byte ranges that cover `source` (`size` bytes), as equal in
/// size as the records allow.
///
/// The cuts are at `i * size / n`, each moved to a record start with
/// [`align_cut`]: one read of about 110 KB a cut, the reads made by up to 8
/// threads at once (they wait on storage, not on the CPU). Ranges left empty (a
/// record larger than a range, or damage) are dropped, so there may be fewer
/// than `n`; there is always at least one, also for an empty file (`0..0`).
pub fn partitions<S: ReadAt + Sync + ?Sized>(
    source: &S,
    size: u64,
    n: usize,
) -> io::Result<Vec<Range<u64>>> {
    if crate::sniff::converted(&head(source, size)?, None).is_some() {
        // Compressed or transcoded: one range, which reads every record.
        return Ok(std::iter::once(0..size).collect());
    }
    let n = n.max(1) as u64;
    let wanted: Vec<u64> = (1..n)
        .map(|i| (size as u128 * i as u128 / n as u128) as u64)
        .collect();
    let mut cuts = vec![0];
    cuts.extend(align_all(source, size, &wanted)?);
    cuts.push(size);
    // Each cut moves forward by itself, so they stay in order (a cut that falls
    // before the previous one's record lands on that record too).
    cuts.dedup();
    let ranges: Vec<Range<u64>> = cuts.windows(2).map(|w| w[0]..w[1]).collect();
    Ok(if ranges.is_empty() {
        std::iter::once(0..0).collect()
    } else {
        ranges
    })
}

/// The first bytes of `source` (4 KiB at most), to tell what it is.
pub(crate) fn head<S: ReadAt + ?Sized>(source: &S, size: u64) -> io::Result<Vec<u8>> {
    let mut head = vec![0; size.min(HEAD) as usize];
    source.read_exact_at(&mut head, 0)?;
    Ok(head)
}

const HEAD: u64 = 4 << 10;

/// How many cuts are aligned at once: their reads overlap.
const READERS: usize = 8;

/// [`align_cut`] for each of `cuts`, on up to [`READERS`] threads, in order.
fn align_all<S: ReadAt + Sync + ?Sized>(
    source: &S,
    size: u64,
    cuts: &[u64],
) -> io::Result<Vec<u64>> {
    let threads = READERS.min(cuts.len());
    if threads <= 1 {
        return cuts.iter().map(|&c| align_cut(source, size, c)).collect();
    }
    let tasks = parallel::Tasks::new(cuts.len());
    let found = parallel::on_threads(threads, || {
        let mut mine = Vec::new();
        while let Some(i) = tasks.next_task() {
            mine.push((i, align_cut(source, size, cuts[i])));
        }
        mine
    });
    parallel::in_task_order(found).into_iter().collect()
}

/// The bytes after a range's end that an index of it reads at first: enough for
/// the tail of its last record and the first record of the next range.
const TAIL: u64 = 128 * 1024;

/// Indexes the records of the range `start..end` of a file of `size` bytes:
/// `start` is already a record start ([`align_cut`]) and `bytes` holds the
/// file's bytes from there, widened only as far as the scan needs.
///
/// Gives the index (the records that start before `end`, and the damage before
/// the next record) and where the range's own bytes end: the next range's first
/// record, the end of the file, or with strict framing stopped the bytes the
/// error is described from.
pub(crate) fn index_range<B: RangeBytes>(
    bytes: &mut B,
    size: u64,
    start: u64,
    end: u64,
    framing: Framing,
) -> io::Result<(RecordIndex, u64)> {
    let rest = size.saturating_sub(start);
    let mut len = (end.saturating_sub(start) + TAIL).min(rest);
    let mut pending = None;
    loop {
        bytes.extend_to(len)?;
        let data = bytes.bytes();
        let complete = data.len() as u64 == rest;
        match scan_until(data, start, complete, framing, end, pending) {
            Ok((index, ScanEnd::Record { record })) => return Ok((index, record)),
            Ok((index, ScanEnd::Eof)) => return Ok((index, size)),
            Ok((index, ScanEnd::Stopped)) => return Ok((index, start + data.len() as u64)),
            Err(more) => {
                pending = Some(more);
                // Double what lies past the range's end.
                let past = len.saturating_sub(end.saturating_sub(start)).max(TAIL);
                len = len.saturating_add(past).min(rest);
            }
        }
    }
}
