//! Bulk work over every record, on N threads, with the GIL released:
//! `extract`, `filter` and `validate`. Everything here is plain Rust; the callers
//! build Python objects (and exceptions) only after the GIL is back.

use super::text::TextOptions;
use crate::error::{Error, Result};
use crate::file::MarcFile;
use crate::record::{FieldRef, RecordRef};
use crate::subfield_code;
use crate::text::RecordText;

/// What to pull out of each record: `"001"` (a control field, or a whole data
/// field's value), or `"245$a"` / `"650$ax"` (the named subfields, every repeat).
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    tag: [u8; 3],
    codes: Vec<u8>,
}

impl Spec {
    pub(crate) fn parse(spec: &str) -> std::result::Result<Spec, String> {
        let (tag, codes) = match spec.split_once('$') {
            Some((t, c)) if !c.is_empty() && c.is_ascii() => (t, c.as_bytes().to_vec()),
            Some(_) => {
                return Err(format!(
                    "{spec:?}: give subfield codes after '$', e.g. '245$a'"
                ))
            }
            None => (spec, Vec::new()),
        };
        let tag: [u8; 3] = tag
            .as_bytes()
            .try_into()
            .map_err(|_| format!("{spec:?}: a tag is three characters, e.g. '245' or '245$a'"))?;
        Ok(Spec { tag, codes })
    }
}

/// The values `extract` pulled out of a chunk of records, kept flat: decoded text
/// in one `String` (raw bytes in one `Vec` when `to_unicode` is off) and a span a
/// value. A chunk costs a handful of allocations, not one a value, and nothing is
/// freed on another thread than the one that allocated it, one value at a time.
#[derive(Default)]
pub(crate) struct Values {
    text: String,
    raw: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// For each record and spec, in order: how many values.
    counts: Vec<usize>,
    /// The records that failed, by position in the chunk, with their errors.
    errors: Vec<(usize, Error)>,
    /// Whether the values are raw bytes (`to_unicode` off) rather than text.
    bytes: bool,
}

/// A value borrowed from a [`Values`].
pub(crate) enum ValueRef<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

impl Values {
    fn clear(&mut self) {
        self.text.clear();
        self.raw.clear();
        self.spans.clear();
    }

    /// The value at `span`.
    fn get(&self, (a, b): (usize, usize)) -> ValueRef<'_> {
        if self.bytes {
            ValueRef::Bytes(self.raw.get(a..b).unwrap_or_default())
        } else {
            ValueRef::Text(self.text.get(a..b).unwrap_or_default())
        }
    }

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
            .map(move |&span| values.get(span))
    }
}

/// One record being worked on: how to decode its values.
struct RecordCtx<'a> {
    text: &'a TextOptions,
    record: RecordRef<'a>,
    /// The record's text; its encoding is decided once per record.
    decoded: RecordText<'a>,
}

impl<'a> RecordCtx<'a> {
    fn new(text: &'a TextOptions, record: RecordRef<'a>) -> Self {
        let decoded = record.text(&text.decoder);
        RecordCtx {
            text,
            record,
            decoded,
        }
    }

    /// Appends one value to `out`: decoded text, or the raw bytes.
    fn push_value(&self, field: &FieldRef<'a>, bytes: &'a [u8], out: &mut Values) -> Result<()> {
        let (start, end) = if self.text.to_unicode {
            let start = out.text.len();
            self.decoded.value_into(field, bytes, &mut out.text)?;
            (start, out.text.len())
        } else {
            let start = out.raw.len();
            out.raw.extend_from_slice(bytes);
            (start, out.raw.len())
        };
        out.spans.push((start, end));
        Ok(())
    }

    /// A data field's subfield values, trimmed and joined by spaces (pymarc's
    /// `value()`), appended to `out` as one value.
    fn push_joined(&self, field: &FieldRef<'a>, out: &mut Values) -> Result<()> {
        let start = if self.text.to_unicode {
            out.text.len()
        } else {
            out.raw.len()
        };
        for (k, sf) in field.subfields().enumerate() {
            let value = subfield_code::value(sf.code, sf.value);
            if self.text.to_unicode {
                let text = self.decoded.value(field, value)?;
                if k > 0 {
                    out.text.push(' ');
                }
                out.text.push_str(text.trim());
            } else {
                if k > 0 {
                    out.raw.push(b' ');
                }
                out.raw.extend_from_slice(value.trim_ascii());
            }
        }
        let end = if self.text.to_unicode {
            out.text.len()
        } else {
            out.raw.len()
        };
        out.spans.push((start, end));
        Ok(())
    }

    /// Appends the values of `spec` in this record to `out`; returns how many.
    fn extract_into(&self, spec: &Spec, first: bool, out: &mut Values) -> Result<usize> {
        let before = out.spans.len();
        for field in self.record.fields_with_tag(&spec.tag) {
            if spec.codes.is_empty() {
                if field.is_control() {
                    self.push_value(&field, field.data(), out)?;
                } else {
                    self.push_joined(&field, out)?;
                }
            } else {
                let values = field
                    .subfields()
                    .filter_map(|sf| subfield_code::matching(&spec.codes, sf.code, sf.value));
                for value in values {
                    self.push_value(&field, value, out)?;
                    if first {
                        break;
                    }
                }
            }
            if first && out.spans.len() > before {
                break;
            }
        }
        Ok(out.spans.len() - before)
    }

    /// Whether this record meets `cond`.
    fn matches(&self, cond: &Condition) -> Result<bool> {
        let mut scratch = Values {
            bytes: !self.text.to_unicode,
            ..Values::default()
        };
        for field in self.record.fields_with_tag(&cond.spec.tag) {
            scratch.clear();
            // The values compared are the ones `extract` gives for the same spec.
            if cond.spec.codes.is_empty() {
                if cond.needle.is_none() {
                    return Ok(true);
                }
                if field.is_control() {
                    self.push_value(&field, field.data(), &mut scratch)?;
                } else {
                    self.push_joined(&field, &mut scratch)?;
                }
            } else {
                let values = field
                    .subfields()
                    .filter_map(|sf| subfield_code::matching(&cond.spec.codes, sf.code, sf.value));
                for value in values {
                    self.push_value(&field, value, &mut scratch)?;
                }
            }
            if scratch
                .spans
                .iter()
                .any(|&span| cond.hit(scratch.get(span)))
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
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
        bytes: !text.to_unicode,
        ..Values::default()
    };
    for (k, i) in range.enumerate() {
        let marks = (
            out.text.len(),
            out.raw.len(),
            out.spans.len(),
            out.counts.len(),
        );
        let found = file.record(i).and_then(|record| {
            let ctx = RecordCtx::new(text, record);
            for spec in specs {
                let n = ctx.extract_into(spec, first, &mut out)?;
                out.counts.push(n);
            }
            Ok(())
        });
        if let Err(e) = found {
            // Drop what the record had added before it failed.
            out.text.truncate(marks.0);
            out.raw.truncate(marks.1);
            out.spans.truncate(marks.2);
            out.counts.truncate(marks.3);
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
        RecordCtx::new(text, record?).matches(cond)
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
