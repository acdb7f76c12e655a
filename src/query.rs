//! Work over every record of a file, on N threads: [`extract`] values by
//! [`Spec`], [`filter`] records by a [`Condition`], [`validate`] them, find
//! the [`mislabelled_utf8`] ones. The Python reader's bulk methods, its
//! iteration, the writers and the Arrow batches all read records through
//! [`check_record`], the one definition of a good record.
//!
//! ```
//! use marcmap::query::{self, Condition};
//! use marcmap::spec::Spec;
//! use marcmap::{MarcFile, TextDecoder};
//!
//! let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".repeat(3);
//! let file = MarcFile::from_bytes(raw);
//! let decoder = TextDecoder::new();
//! let titles = query::extract(&file, &[Spec::parse("245$a").unwrap()], &decoder, false, false, 2);
//! assert_eq!(titles.len(), 3);
//! let hits = query::filter(&file, &Condition::new(Spec::parse("245$b").unwrap(), Some("PART".into()), true), &decoder, false, 2);
//! assert_eq!(hits.records, [0, 1, 2]);
//! assert!(query::validate(&file, &decoder, true, 2).is_empty());
//! ```

use crate::error::{Error, Result};
use crate::file::MarcFile;
use crate::filter::Expr;
use crate::parallel;
use crate::record::RecordRef;
use crate::spec::{Extractor, Spec, ValueBuf, ValueRef};
use crate::text::{RecordText, TextDecoder};
use std::ops::Range;

/// A record that [`check_record`] found good: it parses (and validates, or is
/// repaired as the file's validation allows), and, when its text was checked,
/// every value decodes.
#[derive(Debug, Clone)]
pub struct GoodRecord<'a> {
    record: RecordRef<'a>,
    /// The record's text, when it was checked.
    text: Option<RecordText<'a>>,
    /// The data area as text, when the check found it all valid UTF-8.
    utf8: Option<&'a str>,
}

impl<'a> GoodRecord<'a> {
    /// The record.
    pub fn record(&self) -> &RecordRef<'a> {
        &self.record
    }

    /// The record, without its text.
    pub fn into_record(self) -> RecordRef<'a> {
        self.record
    }

    /// The record's text (its encoding decided once), when it was checked.
    pub fn text(&self) -> Option<&RecordText<'a>> {
        self.text.as_ref()
    }

    /// The record and its text, when it was checked.
    pub fn into_parts(self) -> (RecordRef<'a>, Option<RecordText<'a>>) {
        (self.record, self.text)
    }

    /// The record's data area (every field, without the record terminator)
    /// as text, when it was checked, is UTF-8 and is valid UTF-8 as a whole:
    /// every value is then a slice of it, the delimiters being ASCII. Found
    /// without a second pass when the check validated it (strict handling).
    pub fn utf8_data(&self) -> Option<&'a str> {
        if self.utf8.is_some() {
            return self.utf8;
        }
        let text = self.text.as_ref()?;
        if !text.encoding().is_utf8() {
            return None;
        }
        simdutf8::basic::from_utf8(text.data_area()).ok()
    }
}

/// Record `i` of `file` if it is good, else its error: the one definition of a
/// good record, shared by the Python reader (iteration, random access and bulk
/// work), the writers and the Arrow batches.
///
/// A record is good when it parses (its structure validated, or repaired as
/// the file's [`Validation`](crate::Validation) allows) and, with `text`
/// (`Some(decoder)`), every value decodes under that decoder's handling:
/// the error is then the first value that does not, positioned (record,
/// field, subfield, byte). With `None` only the structure is checked, and
/// values are decoded as they are read.
///
/// ```
/// use marcmap::{query, ErrorHandling, ErrorKind, MarcFile, TextDecoder};
///
/// // A UTF-8 record (LDR/09 `a`) with an invalid byte in 245$a.
/// let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA t\xffle\x1fbpart\x1e\x1d".to_vec();
/// let file = MarcFile::from_bytes(raw);
/// assert!(query::check_record(&file, 0, None).is_ok());
/// let strict = TextDecoder::new();
/// let e = query::check_record(&file, 0, Some(&strict)).unwrap_err();
/// assert!(matches!(e.kind(), ErrorKind::Decode(_)));
/// assert_eq!(e.position().record, Some(0));
/// let replace = TextDecoder::new().errors(ErrorHandling::Replace);
/// assert!(query::check_record(&file, 0, Some(&replace)).is_ok());
/// ```
pub fn check_record<'a>(
    file: &'a MarcFile,
    i: usize,
    text: Option<&TextDecoder>,
) -> Result<GoodRecord<'a>> {
    good(file.record(i), text)
}

/// [`check_record`] on a record already parsed (or its error).
fn good<'a>(record: Result<RecordRef<'a>>, text: Option<&TextDecoder>) -> Result<GoodRecord<'a>> {
    let record = record?;
    let Some(decoder) = text else {
        return Ok(GoodRecord {
            record,
            text: None,
            utf8: None,
        });
    };
    let text = record.text(decoder);
    let utf8 = text.check_data()?;
    Ok(GoodRecord {
        record,
        text: Some(text),
        utf8,
    })
}

/// Every error in `file`, in record order: the records that are not good
/// ([`check_record`], their text checked with `decoder` when `decode`), then
/// the error that stopped strict framing, if any. Framing damage skipped by
/// lenient framing is in [`MarcFile::skipped`], not here. Runs on `threads`
/// threads.
///
/// ```
/// use marcmap::{query, MarcFile, TextDecoder};
///
/// let good = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d";
/// let mut raw = good.to_vec();
/// // The second record's 245$a is not UTF-8.
/// raw.extend_from_slice(b"00056nam a2200037 a 4500245001800000\x1e10\x1faA t\xfftle\x1fbpart\x1e\x1d");
/// let file = MarcFile::from_bytes(raw);
/// let errors = query::validate(&file, &TextDecoder::new(), true, 2);
/// assert_eq!(errors.len(), 1);
/// assert_eq!(errors[0].position().record, Some(1));
/// assert!(query::validate(&file, &TextDecoder::new(), false, 2).is_empty());
/// ```
pub fn validate(
    file: &MarcFile,
    decoder: &TextDecoder,
    decode: bool,
    threads: usize,
) -> Vec<Error> {
    let text = decode.then_some(decoder);
    let mut found: Vec<Error> = file.par_filter_map(threads, |_, record| good(record, text).err());
    found.extend(file.framing_error());
    found
}

/// The good records (by structure) labelled MARC-8 whose bytes are UTF-8 (see
/// [`RecordRef::is_mislabelled_utf8`]), by index, on `threads` threads.
///
/// ```
/// use marcmap::{query, MarcFile};
///
/// // LDR/09 blank (MARC-8), but 245$a holds UTF-8 "é".
/// let raw = "00054nam  2200037 a 4500245001600000\x1e10\x1faCaf\u{e9}\x1fbpart\x1e\x1d";
/// let file = MarcFile::from_bytes(raw.as_bytes().to_vec());
/// assert_eq!(query::mislabelled_utf8(&file, 1), [0]);
/// ```
pub fn mislabelled_utf8(file: &MarcFile, threads: usize) -> Vec<usize> {
    file.par_filter_map(threads, |i, record| {
        good(record, None)
            .is_ok_and(|r| r.record().is_mislabelled_utf8())
            .then_some(i)
    })
}

/// The good records (by structure) that validation read by repair (see
/// [`RecordRef::repairs`]), by index, on `threads` threads: what a report on a
/// file lists without touching its clean records one by one.
///
/// ```
/// use marcmap::{query, MarcFile};
///
/// // The directory says 245 is 10 bytes long; its data runs to 16 (to the 0x1E).
/// let raw = "00054nam  2200037 a 4500245001000000\x1e10\x1faCafe\x1fbpart\x1e\x1d";
/// let file = MarcFile::from_bytes(raw.as_bytes().to_vec());
/// assert_eq!(query::repaired(&file, 1), [0]);
/// ```
pub fn repaired(file: &MarcFile, threads: usize) -> Vec<usize> {
    file.par_filter_map(threads, |i, record| {
        record.is_ok_and(|r| !r.repairs().is_empty()).then_some(i)
    })
}

/// A test of one record, for [`filter`]: a [`Condition`], or a filter
/// expression ([`Expr`]).
pub trait Predicate: Sync {
    /// Whether the record `x` holds meets the test; values are decoded as
    /// text, or compared as raw bytes when `binary` (where the test allows).
    fn test(&self, x: &Extractor<'_>, binary: bool) -> Result<bool>;
}

impl Predicate for Condition {
    fn test(&self, x: &Extractor<'_>, binary: bool) -> Result<bool> {
        self.matches_in(x, binary)
    }
}

/// A filter expression always compares decoded text.
impl Predicate for Expr {
    fn test(&self, x: &Extractor<'_>, _binary: bool) -> Result<bool> {
        self.matches_in(x)
    }
}

/// What [`filter`] looks for: records with a value for a spec, or with one
/// that contains some text.
#[derive(Debug, Clone)]
pub struct Condition {
    spec: Spec,
    /// The text to find (lowercased when `ignore_case`); `None` for any value.
    needle: Option<String>,
    ignore_case: bool,
}

impl Condition {
    /// Records with a value for `spec` that contains `contains` (any value
    /// when `None`). `ignore_case` folds Unicode case on text, ASCII case on
    /// raw bytes.
    pub fn new(spec: Spec, contains: Option<String>, ignore_case: bool) -> Self {
        let needle = contains.map(|c| if ignore_case { c.to_lowercase() } else { c });
        Condition {
            spec,
            needle,
            ignore_case,
        }
    }

    /// Whether `value` contains the needle. Raw bytes are compared as bytes,
    /// ASCII letters without case when `ignore_case`.
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

    /// Whether `record` meets the condition. The values compared are those
    /// [`extract`] gives for the spec: decoded by `decoder`, or raw bytes when
    /// `binary`. An error is a value that does not decode.
    ///
    /// ```
    /// use marcmap::query::Condition;
    /// use marcmap::spec::Spec;
    /// use marcmap::{RecordRef, TextDecoder};
    ///
    /// let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d";
    /// let record = RecordRef::parse(raw).unwrap();
    /// let cond = Condition::new(Spec::parse("245$a").unwrap(), Some("TITLE".into()), true);
    /// assert!(cond.matches(&record, &TextDecoder::new(), false).unwrap());
    /// ```
    pub fn matches(
        &self,
        record: &RecordRef<'_>,
        decoder: &TextDecoder,
        binary: bool,
    ) -> Result<bool> {
        self.matches_in(&Extractor::new(record.clone(), decoder), binary)
    }

    fn matches_in(&self, x: &Extractor<'_>, binary: bool) -> Result<bool> {
        if self.needle.is_none() {
            return x.has_any(&self.spec);
        }
        // The values compared are the ones `extract` gives for the same spec.
        let mut scratch = ValueBuf::new(binary);
        x.extract_into(&self.spec, false, &mut scratch)?;
        Ok(scratch
            .spans
            .iter()
            .any(|&span| self.hit(scratch.get(span))))
    }
}

/// What [`filter`] found.
#[derive(Debug, Default)]
pub struct Filtered {
    /// The records that meet the condition, by index, in order.
    pub records: Vec<usize>,
    /// The records that are not good ([`check_record`], structure only), or
    /// whose compared values do not decode, in record order.
    pub errors: Vec<Error>,
}

/// The records of `file` that meet `cond` (a [`Condition`] or an [`Expr`]), and
/// the errors of those that could not be read, on `threads` threads.
///
/// ```
/// use marcmap::query::{self, Condition};
/// use marcmap::spec::Spec;
/// use marcmap::{MarcFile, TextDecoder};
///
/// let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".repeat(2);
/// let file = MarcFile::from_bytes(raw);
/// let found = query::filter(&file, &Condition::new(Spec::parse("245").unwrap(), None, false), &TextDecoder::new(), false, 2);
/// assert_eq!(found.records, [0, 1]);
/// assert!(found.errors.is_empty());
/// let expr = marcmap::filter::Expr::parse("245$a ~ /title$/ and not 856").unwrap();
/// assert_eq!(query::filter(&file, &expr, &TextDecoder::new(), false, 2).records, [0, 1]);
/// ```
pub fn filter<P: Predicate + ?Sized>(
    file: &MarcFile,
    cond: &P,
    decoder: &TextDecoder,
    binary: bool,
    threads: usize,
) -> Filtered {
    // Only the matches and the errors are kept: no result a record.
    let results = file.par_filter_map(threads, |i, record| {
        let tested = good(record, None)
            .and_then(|good| cond.test(&Extractor::new(good.into_record(), decoder), binary));
        match tested {
            Ok(true) => Some(Ok(i)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    });
    let mut out = Filtered::default();
    for r in results {
        match r {
            Ok(i) => out.records.push(i),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// The values [`extract`] pulled out of a run of records, kept flat: decoded
/// text in one `String` (raw bytes in one `Vec` when `binary`) and a span a
/// value. A run costs a handful of allocations, not one a value.
#[derive(Debug)]
pub struct Extracted {
    values: ValueBuf,
    /// How many specs each record has values for.
    specs: usize,
    /// How many records.
    records: usize,
    /// For each good record and spec, in order: how many values.
    counts: Vec<usize>,
    /// The records that are not good, by position in the run, with their errors.
    errors: Vec<(usize, Error)>,
}

impl Extracted {
    fn new(specs: usize, binary: bool) -> Self {
        Extracted {
            values: ValueBuf::new(binary),
            specs,
            records: 0,
            counts: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// How many records (good or not).
    pub fn len(&self) -> usize {
        self.records
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// The errors of the records that are not good, with their positions in
    /// the run.
    pub fn errors(&self) -> &[(usize, Error)] {
        &self.errors
    }

    /// Appends `other`, the run of records after this one's.
    fn append(&mut self, other: Extracted) {
        if self.records == 0 {
            *self = other;
            return;
        }
        let (shift, base) = (self.values_end(), self.records);
        let Extracted {
            values,
            records,
            counts,
            errors,
            ..
        } = other;
        self.values.text.push_str(&values.text);
        self.values.raw.extend_from_slice(&values.raw);
        self.values
            .spans
            .extend(values.spans.iter().map(|&(a, b)| (a + shift, b + shift)));
        self.counts.extend(counts);
        self.errors
            .extend(errors.into_iter().map(|(at, e)| (at + base, e)));
        self.records += records;
    }

    fn values_end(&self) -> usize {
        self.values.spans.last().map_or(0, |s| s.1)
    }

    /// Walks the records in order: for each, its values (a run of them for
    /// each spec) or its error. Nothing is allocated per record.
    ///
    /// ```
    /// use marcmap::{query, spec::Spec, MarcFile, TextDecoder};
    ///
    /// let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".to_vec();
    /// let file = MarcFile::from_bytes(raw);
    /// let specs = [Spec::parse("245$a").unwrap(), Spec::parse("245$b").unwrap()];
    /// let values = query::extract(&file, &specs, &TextDecoder::new(), false, false, 1);
    /// let mut seen = Vec::new();
    /// values
    ///     .for_each_record(|r| {
    ///         let r = r.unwrap();
    ///         seen.push(format!("{:?} {:?}", r.spec(0).collect::<Vec<_>>(), r.spec(1).collect::<Vec<_>>()));
    ///         Ok::<_, ()>(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(seen, [r#"[Text("A title")] [Text("part")]"#]);
    /// ```
    pub fn for_each_record<E>(
        mut self,
        mut each: impl FnMut(std::result::Result<RecordValues<'_>, Error>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let errors = std::mem::take(&mut self.errors);
        let mut errors = errors.into_iter().peekable();
        let (mut counts_at, mut spans_at) = (0, 0);
        let specs = self.specs;
        for r in 0..self.records {
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
                values: &self.values,
                counts,
                spans,
            }))?;
        }
        Ok(())
    }
}

/// One record's values in an [`Extracted`]: for each spec, a run of them.
pub struct RecordValues<'v> {
    values: &'v ValueBuf,
    /// How many values each spec has.
    counts: &'v [usize],
    /// The spans of every value of the record, spec after spec.
    spans: &'v [(usize, usize)],
}

impl<'v> RecordValues<'v> {
    /// The values of spec `k` (in the order the specs were given), in order.
    pub fn spec(&self, k: usize) -> impl ExactSizeIterator<Item = ValueRef<'v>> + 'v {
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

/// The values of `specs` in the records `range` of `file`, on the calling
/// thread: decoded by `decoder`, or raw bytes when `binary`; with `first`,
/// the first value of each spec at most. A record that is not good
/// ([`check_record`], structure only) or whose extracted values do not decode
/// has its error instead of values.
///
/// ```
/// use marcmap::{query, spec::Spec, MarcFile, TextDecoder};
///
/// let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".repeat(4);
/// let file = MarcFile::from_bytes(raw);
/// let values = query::extract_range(&file, &[Spec::parse("245$b").unwrap()], &TextDecoder::new(), true, false, 1..3);
/// assert_eq!(values.len(), 2);
/// ```
pub fn extract_range(
    file: &MarcFile,
    specs: &[Spec],
    decoder: &TextDecoder,
    binary: bool,
    first: bool,
    range: Range<usize>,
) -> Extracted {
    extract_each(file, specs, decoder, binary, first, range)
}

/// [`extract_range`] on the records at `records` (indices into `file`, in
/// the order given), on the calling thread.
///
/// # Panics
///
/// If an index is out of range: check them first.
///
/// ```
/// use marcmap::{query, spec::Spec, MarcFile, TextDecoder};
///
/// let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".repeat(4);
/// let file = MarcFile::from_bytes(raw);
/// let values = query::extract_records(&file, &[Spec::parse("245$b").unwrap()], &TextDecoder::new(), false, false, &[3, 0]);
/// assert_eq!(values.len(), 2);
/// ```
pub fn extract_records(
    file: &MarcFile,
    specs: &[Spec],
    decoder: &TextDecoder,
    binary: bool,
    first: bool,
    records: &[usize],
) -> Extracted {
    extract_each(file, specs, decoder, binary, first, records.iter().copied())
}

fn extract_each(
    file: &MarcFile,
    specs: &[Spec],
    decoder: &TextDecoder,
    binary: bool,
    first: bool,
    records: impl Iterator<Item = usize>,
) -> Extracted {
    let mut out = Extracted::new(specs.len(), binary);
    for (k, i) in records.enumerate() {
        out.records += 1;
        let marks = (out.values.mark(), out.counts.len());
        let found = check_record(file, i, None).and_then(|good| {
            let x = Extractor::new(good.into_record(), decoder);
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

/// [`extract_range`] over every record of `file`, on `threads` threads: the
/// runs are extracted in parallel and joined in record order.
///
/// ```
/// use marcmap::{query, spec::Spec, MarcFile, TextDecoder};
///
/// let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".repeat(500);
/// let file = MarcFile::from_bytes(raw);
/// let values = query::extract(&file, &[Spec::parse("245").unwrap()], &TextDecoder::new(), false, true, 4);
/// assert_eq!(values.len(), 500);
/// assert!(values.errors().is_empty());
/// ```
pub fn extract(
    file: &MarcFile,
    specs: &[Spec],
    decoder: &TextDecoder,
    binary: bool,
    first: bool,
    threads: usize,
) -> Extracted {
    file.expect_scan();
    let mut out = Extracted::new(specs.len(), binary);
    let done: std::result::Result<(), std::convert::Infallible> = parallel::map_range_in_order(
        file.len(),
        threads,
        |range| extract_range(file, specs, decoder, binary, first, range),
        |work| work(),
        |_, chunk| {
            out.append(chunk);
            Ok(())
        },
    );
    match done {
        Ok(()) => out,
        Err(never) => match never {},
    }
}
