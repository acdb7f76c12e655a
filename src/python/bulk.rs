//! Bulk work over every record, on N threads, with the GIL released:
//! `extract`, `filter` and `validate`. Everything here is plain Rust; the callers
//! build Python objects (and exceptions) only after the GIL is back.

use super::text::TextOptions;
use crate::error::{Error, Result};
use crate::file::MarcFile;
use crate::spec::{Extractor, ValueBuf};
pub(crate) use crate::spec::{Spec, ValueRef};

/// The values `extract` pulled out of a chunk of records, kept flat: decoded text
/// in one `String` (raw bytes in one `Vec` when `to_unicode` is off) and a span a
/// value. A chunk costs a handful of allocations, not one a value, and nothing is
/// freed on another thread than the one that allocated it, one value at a time.
pub(crate) struct Values {
    values: ValueBuf,
    /// For each record and spec, in order: how many values.
    counts: Vec<usize>,
    /// The records that failed, by position in the chunk, with their errors.
    errors: Vec<(usize, Error)>,
}

impl Values {
    /// Walks the records of the chunk in order: for each, its values (`specs`
    /// runs of them) or its error. Nothing is allocated per record: the calling
    /// thread runs this with the GIL held, while the other threads wait for it.
    pub(crate) fn for_each_record<E>(
        mut self,
        records: usize,
        specs: usize,
        mut each: impl FnMut(std::result::Result<RecordValues<'_>, Error>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let errors = std::mem::take(&mut self.errors);
        let mut errors = errors.into_iter().peekable();
        let (mut counts_at, mut spans_at) = (0, 0);
        for r in 0..records {
            if let Some((_, e)) = errors.next_if(|(at, _)| *at == r) {
                each(Err(e))?;
                continue;
            }
            let counts = self
                .counts
                .get(counts_at..counts_at + specs)
                .unwrap_or_default();
            let total: usize = counts.iter().sum();
            let spans = self
                .values
                .spans
                .get(spans_at..spans_at + total)
                .unwrap_or_default();
            counts_at += specs;
            spans_at += total;
            each(Ok(RecordValues {
                values: &self,
                counts,
                spans,
            }))?;
        }
        Ok(())
    }
}

/// One record's values in a chunk's [`Values`]: for each spec, a run of them.
pub(crate) struct RecordValues<'v> {
    values: &'v Values,
    /// How many values each spec has.
    counts: &'v [usize],
    /// The spans of every value of the record, spec after spec.
    spans: &'v [(usize, usize)],
}

impl<'v> RecordValues<'v> {
    /// The values of spec `k`, in order.
    pub(crate) fn spec(&self, k: usize) -> impl ExactSizeIterator<Item = ValueRef<'v>> + 'v {
        let skip: usize = self.counts.iter().take(k).sum();
        let n = self.counts.get(k).copied().unwrap_or(0);
        let values = self.values;
        self.spans
            .get(skip..skip + n)
            .unwrap_or_default()
            .iter()
            .map(move |&span| values.values.get(span))
    }
}

/// Whether `record` meets `cond`.
fn matches(x: &Extractor<'_>, cond: &Condition, binary: bool) -> Result<bool> {
    if cond.needle.is_none() {
        return Ok(x.has_any(&cond.spec));
    }
    // The values compared are the ones `extract` gives for the same spec.
    let mut scratch = ValueBuf::new(binary);
    x.extract_into(&cond.spec, false, &mut scratch)?;
    Ok(scratch
        .spans
        .iter()
        .any(|&span| cond.hit(scratch.get(span))))
}

/// The values of `specs` in the records `range`, flat.
pub(crate) fn extract_chunk(
    file: &MarcFile,
    text: &TextOptions,
    specs: &[Spec],
    first: bool,
    range: std::ops::Range<usize>,
) -> Values {
    let mut out = Values {
        values: ValueBuf::new(!text.to_unicode),
        counts: Vec::new(),
        errors: Vec::new(),
    };
    for (k, i) in range.enumerate() {
        let marks = (out.values.mark(), out.counts.len());
        let found = file.record(i).and_then(|record| {
            let x = Extractor::new(record, &text.decoder);
            for spec in specs {
                let n = x.extract_into(spec, first, &mut out.values)?;
                out.counts.push(n);
            }
            Ok(())
        });
        if let Err(e) = found {
            // Drop what the record had added before it failed.
            out.values.reset(marks.0);
            out.counts.truncate(marks.1);
            out.errors.push((k, e));
        }
    }
    out
}

/// What `filter` looks for.
pub(crate) struct Condition {
    spec: Spec,
    /// The text to find (lowercased when `ignore_case`); `None` for any value.
    needle: Option<String>,
    ignore_case: bool,
}

impl Condition {
    pub(crate) fn new(spec: Spec, contains: Option<String>, ignore_case: bool) -> Self {
        let needle = contains.map(|c| if ignore_case { c.to_lowercase() } else { c });
        Condition {
            spec,
            needle,
            ignore_case,
        }
    }

    /// Whether `value` contains the needle. Raw bytes (`to_unicode` off) are
    /// compared as bytes, ASCII letters without case when `ignore_case`.
    fn hit(&self, value: ValueRef<'_>) -> bool {
        let Some(needle) = &self.needle else {
            return true;
        };
        match value {
            ValueRef::Text(t) if self.ignore_case => t.to_lowercase().contains(needle.as_str()),
            ValueRef::Text(t) => t.contains(needle.as_str()),
            ValueRef::Bytes(b) if self.ignore_case => {
                let folded = b.to_ascii_lowercase();
                memchr::memmem::find(&folded, needle.as_bytes()).is_some()
            }
            ValueRef::Bytes(b) => memchr::memmem::find(b, needle.as_bytes()).is_some(),
        }
    }
}

/// For every record: whether it matches, or its error.
pub(crate) fn filter(
    file: &MarcFile,
    text: &TextOptions,
    cond: &Condition,
    threads: usize,
) -> Vec<Result<bool>> {
    file.par_map(threads, |_, record| {
        matches(
            &Extractor::new(record?, &text.decoder),
            cond,
            !text.to_unicode,
        )
    })
}

/// Every error in the file, in order: malformed records and, with `decode`, the
/// first value of each record that does not decode.
pub(crate) fn validate(
    file: &MarcFile,
    decoder: &crate::text::TextDecoder,
    decode: bool,
    threads: usize,
) -> Vec<Error> {
    let mut found: Vec<Error> = file
        .par_map(threads, |_, record| {
            let record = record?;
            if decode {
                record.text(decoder).check()?;
            }
            Ok(())
        })
        .into_iter()
        .filter_map(|r| r.err())
        .collect();
    found.extend(file.framing_error());
    found
}

/// The records that say MARC-8 but hold UTF-8 (see `RecordRef::is_mislabelled_utf8`).
pub(crate) fn mislabelled_utf8(file: &MarcFile, threads: usize) -> Vec<usize> {
    let flags = file.par_map(threads, |_, r| r.is_ok_and(|r| r.is_mislabelled_utf8()));
    flags
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| f.then_some(i))
        .collect()
}
