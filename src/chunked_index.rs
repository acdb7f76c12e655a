//! Phase 1 on several threads, with exactly the serial scan's result.
//!
//! The data is cut into chunks. Each chunk after the first is scanned (a
//! *walk*, the serial scan's own [`Scanner`]) from a candidate record start: a
//! byte just after a 0x1D, preferably one whose leader frames a record. A walk
//! goes on past its chunk's end up to its first step at or after the next
//! chunk's candidate start, so together the walks step over the whole data.
//! Each walk runs on its own thread, and touches (and faults in) its own part of
//! a mapped file.
//!
//! A candidate start may be wrong (a 0x1D inside a field, a damaged record), so
//! a walk's result is used only from a position where the serial scan steps
//! too. Stitching is serial: it follows the serial scan from the start of the
//! data, and whenever the scan's next step is at a position where the walk of
//! the chunk it is in also stepped (its first position, or a record start it
//! found there), it takes over that walk's result from that position on and
//! goes on from where the walk ended. Otherwise it takes one step itself and
//! looks again. The scan from a position it steps at depends only on the bytes
//! from there on, never on how it got there (the only state carried from step
//! to step is the last skipped range, which [`Scanner::adopt`] merges as a step
//! would, and record numbers, which it renumbers), so the stitched index is
//! the serial one by construction: the same record starts, skipped ranges,
//! recovered records, and, with strict framing, the same first framing error
//! (a walk's stop is taken only when the scan has followed it there, and
//! nothing after a stop is).
//!
//! Where the candidate start was right (nearly always), the serial part is a
//! binary search a chunk.

use crate::frame;
use crate::index::{Framing, RecordIndex, Scanner, Step};
use crate::layout::RECORD_TERMINATOR;
use crate::parallel;

/// Below this, a chunk is not worth a thread.
const MIN_CHUNK: usize = 1 << 20;
/// Chunks a thread: a few, so that a slow chunk (page faults, damage) does
/// not leave the other threads idle.
const CHUNKS_PER_THREAD: usize = 4;
/// Terminators tried after a cut for one followed by a record framed by its
/// leader, before the first one is taken anyway.
const CANDIDATES: usize = 16;

impl RecordIndex {
    /// [`RecordIndex::build`] on `threads` threads: the same index, record for
    /// record, skipped range for skipped range, and with strict framing the same
    /// framing error. Data under about a megabyte, or one thread, is scanned
    /// serially.
    ///
    /// ```
    /// use marcmap::{Framing, RecordIndex};
    /// let data = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d".repeat(3);
    /// let index = RecordIndex::build_parallel(&data, Framing::Strict, 2);
    /// assert_eq!(index, RecordIndex::build(&data, Framing::Strict));
    /// assert_eq!(index.starts(), &[0, 42, 84]);
    /// ```
    pub fn build_parallel(data: &[u8], framing: Framing, threads: usize) -> RecordIndex {
        let threads = threads.clamp(1, parallel::MAX_THREADS);
        let chunk = (data.len() / (threads * CHUNKS_PER_THREAD)).max(MIN_CHUNK);
        RecordIndex::build_in_chunks(data, framing, threads, chunk)
    }

    // Hidden: the differential tests and the fuzz target cut small inputs into
    // many tiny chunks, which `build_parallel` never does.
    /// [`RecordIndex::build_parallel`] with chunks of about `chunk` bytes.
    #[doc(hidden)]
    pub fn build_in_chunks(
        data: &[u8],
        framing: Framing,
        threads: usize,
        chunk: usize,
    ) -> RecordIndex {
        let starts = chunk_starts(data, chunk.max(1));
        if threads <= 1 || starts.len() <= 1 {
            return RecordIndex::build(data, framing);
        }
        let walks = walk_all(data, framing, threads, &starts);
        stitch(data, framing, &walks).0
    }
}

/// Where each chunk's walk starts: 0, then for each cut every `chunk` bytes
/// the byte after a 0x1D at or after it (strictly increasing).
fn chunk_starts(data: &[u8], chunk: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let mut cut = chunk;
    while cut < data.len() {
        let Some(start) = candidate_start(data, cut) else {
            break;
        };
        if start >= data.len() {
            break;
        }
        if start > *starts.last().unwrap_or(&0) {
            starts.push(start);
        }
        cut = cut.saturating_add(chunk).max(start);
    }
    starts
}

/// The byte after the first 0x1D at or after `cut` that starts a record framed
/// by its leader, among the first few; else after the first 0x1D. Only speed
/// depends on this choice, never the result.
fn candidate_start(data: &[u8], cut: usize) -> Option<usize> {
    let mut first = None;
    let mut from = cut;
    for _ in 0..CANDIDATES {
        let Some(e) = data
            .get(from..)
            .and_then(|rest| memchr::memchr(RECORD_TERMINATOR, rest))
        else {
            break;
        };
        let start = from + e + 1;
        first.get_or_insert(start);
        if frame::exact_length(data, start).is_some() {
            return Some(start);
        }
        from = start;
    }
    first
}

/// One chunk's scan.
struct Walk {
    /// Where it started.
    from: usize,
    /// Its first step at or after the next chunk's start, which it did not take;
    /// or where it stopped (strict framing), or the end of the data.
    end: usize,
    /// What it found, record numbers counted from its first record.
    index: RecordIndex,
    /// The record starts it found where it did not step (a record found behind
    /// garbage, in the same step): the scan from there is not known to be its.
    not_stepped: Vec<u64>,
}

impl Walk {
    /// Scans `data` from `from` until its first step at or after `until`.
    fn run(data: &[u8], framing: Framing, from: usize, until: usize) -> Walk {
        let mut scanner = Scanner::new(data, 0, true, framing);
        let mut not_stepped = Vec::new();
        let mut pos = from;
        while pos < until && pos < data.len() {
            let before = scanner.starts_found().len();
            match scanner.step(pos) {
                Step::Next(next) => {
                    let found = &scanner.starts_found()[before..];
                    not_stepped.extend(found.iter().filter(|&&s| s != pos as u64));
                    pos = next;
                }
                // `NeedMore` cannot happen: the data is complete.
                Step::Stop | Step::NeedMore => break,
            }
        }
        Walk {
            from,
            end: pos,
            index: scanner.into_index(),
            not_stepped,
        }
    }

    /// If this walk stepped at `pos`: the number of its records before `pos`.
    fn stepped_at(&self, pos: usize) -> Option<usize> {
        if pos == self.from {
            return Some(0);
        }
        let at = pos as u64;
        let record = self.index.starts().binary_search(&at).ok()?;
        self.not_stepped
            .binary_search(&at)
            .is_err()
            .then_some(record)
    }
}

/// Every chunk's walk, in order, on `threads` threads (the calling one included).
fn walk_all(data: &[u8], framing: Framing, threads: usize, starts: &[usize]) -> Vec<Walk> {
    let until = |c: usize| starts.get(c + 1).copied().unwrap_or(data.len());
    let tasks = parallel::Tasks::new(starts.len());
    let walks = parallel::on_threads(threads.min(starts.len()), || {
        let mut mine = Vec::new();
        while let Some(c) = tasks.next_task() {
            mine.push((c, Walk::run(data, framing, starts[c], until(c))));
        }
        mine
    });
    parallel::in_task_order(walks)
}

/// The serial scan of `data`, taking over each walk's result where it can;
/// and the number of steps it took itself.
fn stitch(data: &[u8], framing: Framing, walks: &[Walk]) -> (RecordIndex, usize) {
    let mut scanner = Scanner::new(data, 0, true, framing);
    let mut pos = 0;
    let mut w = 0;
    let mut steps = 0;
    while pos < data.len() {
        // The walk of the chunk `pos` is in, if one stepped over it.
        while walks.get(w).is_some_and(|walk| walk.end <= pos) {
            w += 1;
        }
        if let Some(walk) = walks.get(w).filter(|walk| walk.from <= pos) {
            if let Some(first) = walk.stepped_at(pos) {
                scanner.adopt(&walk.index, first, pos as u64);
                if walk.index.stopped_at().is_some() {
                    break;
                }
                pos = walk.end;
                w += 1;
                continue;
            }
        }
        steps += 1;
        match scanner.step(pos) {
            Step::Next(next) => pos = next,
            Step::Stop | Step::NeedMore => break,
        }
    }
    (scanner.into_index(), steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::tests::rec_with;

    /// `data` cut every `chunk` bytes, scanned on 2 threads and stitched.
    fn stitched(data: &[u8], framing: Framing, chunk: usize) -> (RecordIndex, usize) {
        let starts = chunk_starts(data, chunk);
        stitch(data, framing, &walk_all(data, framing, 2, &starts))
    }

    fn sample() -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample.mrc");
        std::fs::read(path).unwrap()
    }

    #[test]
    fn clean_data_is_stitched_without_a_step() {
        let data = sample().repeat(3);
        for chunk in [1, 500, 5000] {
            let (index, steps) = stitched(&data, Framing::Strict, chunk);
            assert_eq!(index, RecordIndex::build(&data, Framing::Strict));
            assert_eq!(steps, 0, "chunks of {chunk}");
        }
    }

    #[test]
    fn a_candidate_start_inside_a_record_is_stepped_over() {
        // A field holding two whole records, 0x1D and all: the cut inside the
        // first makes the second walk start at the second, inside the outer
        // record. Strict framing stops that walk where the outer record's
        // field ends, so the stitch, which steps over the outer record with
        // the first walk, scans the rest itself; lenient framing skips the end
        // of the field and finds the records after it, where the stitch takes
        // that walk over.
        let holding = rec_with(&[rec_with(b"x"), rec_with(b"y")].concat());
        let mut data = rec_with(b"a");
        let cut = data.len() + 40;
        data.extend(&holding);
        for _ in 0..10 {
            data.extend(rec_with(b"b"));
        }
        for (framing, steps) in [(Framing::Strict, 10), (Framing::Lenient, 0)] {
            // Two chunks: cut there, and not again.
            let starts = [0, chunk_starts(&data, cut)[1]];
            let walks = walk_all(&data, framing, 2, &starts);
            assert_eq!(walks[1].from, data.len() - 10 * 40 - 2 - 40);
            let (index, stepped) = stitch(&data, framing, &walks);
            assert_eq!(index, RecordIndex::build(&data, framing));
            assert_eq!(index.len(), 12);
            assert_eq!(stepped, steps, "{framing:?}");
        }
    }
}
