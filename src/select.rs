//! Specs' values as tables, on N threads: [`frequency`] counts every value of
//! a spec over a file, [`write_csv`] writes one row a record (or an
//! occurrence) of several specs as CSV or TSV. What `marcmap frequency` and
//! `marcmap select` run.
//!
//! ```
//! use marcmap::select::{self, CsvOptions};
//! use marcmap::spec::Spec;
//! use marcmap::{MarcFile, TextDecoder};
//!
//! let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".repeat(3);
//! let file = MarcFile::from_bytes(raw);
//! let decoder = TextDecoder::new();
//! let counts = select::frequency(&file, &Spec::parse("245$a").unwrap(), &decoder, 2);
//! assert_eq!(counts.values, [("A title".to_string(), 3)]);
//! let specs = [Spec::parse("245$a").unwrap(), Spec::parse("245$b").unwrap()];
//! let mut out = Vec::new();
//! select::write_csv(&file, &specs, &decoder, &CsvOptions::default(), 2, |work| work(), |b| {
//!     out.extend_from_slice(b);
//!     Ok::<_, ()>(())
//! })
//! .unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(), "A title,part\n".repeat(3));
//! ```

use crate::error::Error;
use crate::file::MarcFile;
use crate::parallel;
use crate::query::check_record;
use crate::spec::{Extractor, Spec, ValueBuf};
use crate::text::TextDecoder;
use std::cmp::{Ordering, Reverse};
use std::collections::HashMap;
use std::ops::Range;

/// What [`frequency`] found.
#[derive(Debug, Default)]
pub struct Frequency {
    /// Every value and how often it occurs (each occurrence counts), most
    /// frequent first, ties in value order.
    pub values: Vec<(String, u64)>,
    /// The records that are not good, or whose values do not decode, in
    /// record order; they are not counted.
    pub errors: Vec<Error>,
}

/// How often each value of `spec` occurs in `file`, on `threads` threads.
///
/// Each thread counts into one table of its own (a table a chunk of records
/// would make every value's key again in each chunk). When its records are
/// done, it deals its values into one part a thread by a hash of the value,
/// each part sorted by value. Then each thread takes one part of the values
/// (that part from every thread), merges the sorted runs (one comparison of
/// values a step, adding up the counts of a value two threads share), and
/// orders it by count with a stable sort, so that values of one count stay in
/// value order. The calling thread is left to merge one run a part, by count.
pub fn frequency(file: &MarcFile, spec: &Spec, decoder: &TextDecoder, threads: usize) -> Frequency {
    type Counts = (HashMap<String, u64>, Vec<(usize, Error)>);
    // One part a thread that counts: a small file counted on one thread is
    // not dealt at all.
    let parts = parallel::usable_threads(file.len(), threads);
    let count = |(counts, errors): &mut Counts, range: Range<usize>| {
        let mut buf = ValueBuf::new(false);
        for i in range {
            buf.clear();
            let found = check_record(file, i, None).and_then(|good| {
                Extractor::new(good.into_record(), decoder).extract_into(spec, false, &mut buf)
            });
            match found {
                Ok(_) => {
                    for &(a, b) in &buf.spans {
                        let value = &buf.text[a..b];
                        match counts.get_mut(value) {
                            Some(n) => *n += 1,
                            None => {
                                counts.insert(value.to_string(), 1);
                            }
                        }
                    }
                }
                Err(e) => errors.push((i, e)),
            }
        }
    };
    let dealt = |(counts, errors): Counts| {
        let mut dealt: Vec<Vec<(String, u64)>> = if parts == 1 {
            vec![counts.into_iter().collect()]
        } else {
            let mut dealt = vec![Vec::with_capacity(counts.len() / parts + 1); parts];
            for (value, n) in counts {
                dealt[part_of(&value, parts)].push((value, n));
            }
            dealt
        };
        for part in &mut dealt {
            part.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        }
        (dealt, errors)
    };
    let tables = parallel::fold_range_then(file.len(), threads, Counts::default, count, dealt);
    // Part k of every thread's values, for the thread that merges part k.
    let mut by_part: Vec<Vec<Vec<(String, u64)>>> = vec![Vec::new(); parts];
    let mut errors = Vec::new();
    for (dealt, more) in tables {
        for (k, run) in dealt.into_iter().enumerate() {
            by_part[k].push(run);
        }
        errors.extend(more);
    }
    // The threads took chunks in any order: the errors go back in record order.
    errors.sort_unstable_by_key(|&(i, _)| i);
    let by_count = parallel::map_each(by_part, parts, |runs| {
        let mut values = merge_runs(runs, by_value);
        // Stable: values of one count stay in value order.
        values.sort_by_key(|v| Reverse(v.1));
        values
    });
    Frequency {
        values: merge_runs(by_count, |a, b| b.1.cmp(&a.1).then_with(|| by_value(a, b))),
        errors: errors.into_iter().map(|(_, e)| e).collect(),
    }
}

/// The part of the values `value` is dealt to, of `parts`: FNV-1a, the same
/// on every thread (a `HashMap`'s hasher is seeded for each table).
fn part_of(value: &str, parts: usize) -> usize {
    let hash = value.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // The high bits: FNV's low bits mix least.
    ((hash >> 32) as usize) % parts
}

fn by_value(a: &(String, u64), b: &(String, u64)) -> Ordering {
    a.0.cmp(&b.0)
}

/// Merges runs of `(value, count)`, each sorted by `order` with each value
/// once, into one run sorted by `order`: two entries `order` finds equal are
/// one value, its counts added up. Runs are merged in pairs, round after
/// round, so each entry moves about log2(runs) times, not once a run.
fn merge_runs<F>(mut runs: Vec<Vec<(String, u64)>>, order: F) -> Vec<(String, u64)>
where
    F: Fn(&(String, u64), &(String, u64)) -> Ordering,
{
    while runs.len() > 1 {
        let mut paired = Vec::with_capacity(runs.len().div_ceil(2));
        let mut rest = runs.into_iter();
        while let Some(left) = rest.next() {
            paired.push(match rest.next() {
                Some(right) => merge_two(left, right, &order),
                None => left,
            });
        }
        runs = paired;
    }
    runs.pop().unwrap_or_default()
}

/// [`merge_runs`] of two runs.
fn merge_two<F>(
    left: Vec<(String, u64)>,
    right: Vec<(String, u64)>,
    order: &F,
) -> Vec<(String, u64)>
where
    F: Fn(&(String, u64), &(String, u64)) -> Ordering,
{
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let next = match (left.peek(), right.peek()) {
            (Some(a), Some(b)) => order(a, b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => break,
        };
        match next {
            Ordering::Less => out.extend(left.next()),
            Ordering::Greater => out.extend(right.next()),
            Ordering::Equal => {
                if let (Some((value, a)), Some((_, b))) = (left.next(), right.next()) {
                    out.push((value, a + b));
                }
            }
        }
    }
    out
}

/// How [`write_csv`] writes a table.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// Between cells: `,` (CSV) or `\t` (TSV).
    pub delimiter: u8,
    /// Between the values of one cell.
    pub separator: String,
    /// One row an occurrence (the k-th row holds each spec's k-th value; a
    /// record with no value gives no row) rather than one a record.
    pub explode: bool,
    /// The header row, if any.
    pub header: Option<Vec<String>>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            separator: "|".to_string(),
            explode: false,
            header: None,
        }
    }
}

/// Appends `cell` to `out`, quoted as CSV needs (a delimiter, a quote or a
/// line break in it), quotes doubled.
fn push_cell(out: &mut Vec<u8>, cell: &[u8], delimiter: u8) {
    let quote = cell
        .iter()
        .any(|&b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if !quote {
        out.extend_from_slice(cell);
        return;
    }
    out.push(b'"');
    for &b in cell {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// The rows of the records `range`, as bytes, and the errors of the records
/// that gave empty cells because they could not be read.
fn rows(
    file: &MarcFile,
    specs: &[Spec],
    decoder: &TextDecoder,
    opts: &CsvOptions,
    range: Range<usize>,
    buffers: &parallel::Buffers,
) -> (Vec<u8>, Vec<Error>) {
    let mut out = buffers.lend(range.len() * 64);
    let mut unreadable = Vec::new();
    let mut buf = ValueBuf::new(false);
    let mut counts = Vec::with_capacity(specs.len());
    let mut starts = Vec::with_capacity(specs.len());
    let mut cell = Vec::new();
    for i in range {
        buf.clear();
        counts.clear();
        let found = check_record(file, i, None).and_then(|good| {
            let x = Extractor::new(good.into_record(), decoder);
            for spec in specs {
                counts.push(x.extract_into(spec, false, &mut buf)?);
            }
            Ok(())
        });
        if let Err(e) = found {
            // A bad record: empty cells (no row when exploding), as `extract`
            // gives it, and its error reported.
            unreadable.push(e);
            buf.clear();
            counts.clear();
            counts.resize(specs.len(), 0);
        }
        starts.clear();
        starts.extend(counts.iter().scan(0, |at, &n| {
            let s = *at;
            *at += n;
            Some(s)
        }));
        let value = |k: usize, j: usize| -> &[u8] {
            let (a, b) = buf.spans[starts[k] + j];
            &buf.text.as_bytes()[a..b]
        };
        if opts.explode {
            let most = counts.iter().copied().max().unwrap_or(0);
            for j in 0..most {
                for (k, &n) in counts.iter().enumerate() {
                    if k > 0 {
                        out.push(opts.delimiter);
                    }
                    if j < n {
                        push_cell(&mut out, value(k, j), opts.delimiter);
                    }
                }
                out.push(b'\n');
            }
        } else {
            for (k, &n) in counts.iter().enumerate() {
                if k > 0 {
                    out.push(opts.delimiter);
                }
                cell.clear();
                for j in 0..n {
                    if j > 0 {
                        cell.extend_from_slice(opts.separator.as_bytes());
                    }
                    cell.extend_from_slice(value(k, j));
                }
                push_cell(&mut out, &cell, opts.delimiter);
            }
            out.push(b'\n');
        }
    }
    (out, unreadable)
}

/// Writes the values of `specs` in every record of `file` as a table (see
/// [`CsvOptions`]) to `emit`, in record order, the rows made on `threads`
/// threads. `unattached` runs the calling thread's share of the work (the
/// Python bindings release the GIL there). A record that is not good, or whose
/// values do not decode, has empty cells; their errors are returned, in record
/// order, so that none is left out unsaid.
pub fn write_csv<U, S, E>(
    file: &MarcFile,
    specs: &[Spec],
    decoder: &TextDecoder,
    opts: &CsvOptions,
    threads: usize,
    unattached: U,
    mut emit: S,
) -> Result<Vec<Error>, E>
where
    U: FnMut(&mut (dyn FnMut() + Send)),
    S: FnMut(&[u8]) -> Result<(), E>,
{
    if let Some(names) = &opts.header {
        let mut head = Vec::new();
        for (k, name) in names.iter().enumerate() {
            if k > 0 {
                head.push(opts.delimiter);
            }
            push_cell(&mut head, name.as_bytes(), opts.delimiter);
        }
        head.push(b'\n');
        emit(&head)?;
    }
    // The rows' buffers go back to the threads that fill them.
    let buffers = parallel::Buffers::default();
    let mut unreadable = Vec::new();
    parallel::map_chunks_in_order(
        file.len(),
        threads,
        4096,
        |range| rows(file, specs, decoder, opts, range, &buffers),
        unattached,
        |_, (bytes, mut errors)| {
            let emitted = emit(&bytes);
            buffers.hand_back(bytes);
            unreadable.append(&mut errors);
            emitted
        },
    )?;
    Ok(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[(&str, u64)]) -> Vec<(String, u64)> {
        values.iter().map(|&(v, n)| (v.to_string(), n)).collect()
    }

    #[test]
    fn merging_adds_the_counts_of_shared_values_and_keeps_value_order() {
        let merged = merge_runs(
            vec![
                run(&[("a", 1), ("c", 2), ("e", 1)]),
                run(&[("b", 4), ("c", 3)]),
                run(&[]),
                run(&[("e", 5), ("f", 1)]),
                // An odd run out, merged in the next round.
                run(&[("a", 2), ("g", 1)]),
            ],
            by_value,
        );
        assert_eq!(
            merged,
            run(&[("a", 3), ("b", 4), ("c", 5), ("e", 6), ("f", 1), ("g", 1)])
        );
        assert!(merge_runs(Vec::new(), by_value).is_empty());
    }

    #[test]
    fn any_number_of_threads_counts_alike() {
        // 3,000 records, 245$a one of 700 titles: shared across chunks and
        // threads, with ties of count.
        let mut raw = Vec::new();
        for i in 0..3000u32 {
            let title = format!("T{}", (i * 7919) % 700);
            let field = format!("10\x1fa{title}\x1e");
            let base = 24 + 12 + 1;
            let len = base + field.len() + 1;
            raw.extend_from_slice(
                format!(
                    "{len:05}nam a22{base:05} a 4500245{:04}00000\x1e{field}\x1d",
                    field.len()
                )
                .as_bytes(),
            );
        }
        let file = MarcFile::from_bytes(raw);
        let spec = Spec::parse("245$a").unwrap();
        let decoder = TextDecoder::new();
        let one = frequency(&file, &spec, &decoder, 1);
        assert!(one.errors.is_empty());
        assert_eq!(one.values.len(), 700);
        assert_eq!(one.values.iter().map(|v| v.1).sum::<u64>(), 3000);
        // Most frequent first, ties in value order.
        assert!(one
            .values
            .windows(2)
            .all(|w| w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0)));
        for threads in [2, 3, 8] {
            assert_eq!(
                frequency(&file, &spec, &decoder, threads).values,
                one.values
            );
        }
    }
}
