//! Records as Arrow record batches, for DuckDB, Polars, pandas and Parquet
//! (feature `arrow`; Parquet writing under feature `parquet`).
//!
//! Three shapes ([`Shape`]):
//!
//! - **records** (nested, lossless): one row a record: `record_index: int64`,
//!   `byte_offset: int64`, `leader: string`, `control_number: string` (the
//!   first 001), `fields: list<struct<tag: string, ind1: string, ind2: string,
//!   data: string, subfields: list<struct<code: string, value: string>>>>`,
//!   where `data` is set for control fields only and `ind1`, `ind2` and
//!   `subfields` for data fields only; with [`ArrowOptions::raw`], `raw:
//!   binary`, the record's bytes.
//! - **subfields** (long): one row a subfield, and one a control field:
//!   `record_index`, `control_number`, `field_index: int32`, `tag`, `ind1`,
//!   `ind2`, `subfield_index: int32`, `code` (null for a control field, as are
//!   the indicators and `subfield_index`) and `value`.
//! - **columns** (wide): one column a [`Spec`], named by the caller:
//!   `list<string>` of the spec's values, or `string` (the first value) with
//!   `first`; a position spec (`LDR/06`, `008/35-37`) always gives `string`.
//!
//! Text is decoded by the [`TextDecoder`] given (the reader's: MARC-8, legacy
//! encodings, `utf8_handling`), so a value is the string the record views
//! give. With [`ArrowOptions::binary`] value columns (`leader`,
//! `control_number`, `data`, `value`, the wide columns) are `binary`, the raw
//! bytes; tags, indicators and codes stay strings.
//!
//! **Bad records.** A record that does not parse, or (nested and long shapes)
//! whose text does not decode under strict handling, is handled as
//! [`BadRecords`] says, as the Python reader's bulk methods handle it:
//! [`BadRecords::Null`] (the default) keeps its row in the nested shape with
//! `leader`, `control_number` and `fields` null (its `record_index`,
//! `byte_offset` and `raw` set, to find it by), gives it no rows in the long
//! shape, and nulls in every wide column; [`BadRecords::Fail`] ends the stream
//! with its error, which names the record index and byte offset. The wide shape
//! decodes only the values it extracts, as `extract` does.
//!
//! **Batches.** [`batches`] builds batches of [`ArrowOptions::batch_size`]
//! records on [`ArrowOptions::threads`] threads and hands them over in record
//! order; a few batches a thread are in flight at most, so memory is bounded
//! by the batch size, never by the file's.

mod buffers;
mod long;
mod nested;
#[cfg(feature = "parquet")]
pub mod parquet;
mod schema;
mod stream;
mod wide;

pub use stream::BatchReader;

use crate::error::{Error, Result};
use crate::file::MarcFile;
use crate::record::{FieldRef, RecordRef, Subfield};
use crate::spec::Spec;
use crate::text::{RecordText, TextDecoder};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

/// How records become rows. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// One row a record, nested and lossless.
    Records,
    /// One row a subfield (and one a control field).
    Subfields,
    /// One column a named spec.
    Columns {
        /// The columns: a name and a spec each, in order.
        columns: Vec<(String, Spec)>,
        /// Each column the first value (`string`) rather than every value (`list<string>`).
        first: bool,
    },
}

impl Shape {
    /// `"records"`, `"subfields"` or `"columns"`.
    pub fn name(&self) -> &'static str {
        match self {
            Shape::Records => "records",
            Shape::Subfields => "subfields",
            Shape::Columns { .. } => "columns",
        }
    }
}

/// What a bad record does to a batch. See the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadRecords {
    /// Null values (nested, wide) or no rows (long).
    #[default]
    Null,
    /// The record's error ends the stream.
    Fail,
}

/// Records per batch when none is given.
pub const DEFAULT_BATCH_SIZE: usize = 8192;

/// Everything that decides the batches.
#[derive(Debug, Clone)]
pub struct ArrowOptions {
    /// The shape.
    pub shape: Shape,
    /// How text is decoded.
    pub decoder: TextDecoder,
    /// Value columns as raw bytes (`binary`) rather than decoded `string`s.
    pub binary: bool,
    /// Nested shape: a `raw: binary` column with each record's bytes.
    pub raw: bool,
    /// Records per batch (at least 1).
    pub batch_size: usize,
    /// Threads building batches (at least 1).
    pub threads: usize,
    /// What a bad record does.
    pub bad_records: BadRecords,
    /// The records to take (indices into the file, in this order): a
    /// selection such as [`crate::query::filter`] finds; `None` for all.
    pub records: Option<Arc<[usize]>>,
}

impl ArrowOptions {
    /// `shape` with the defaults: text by the default decoder, batches of
    /// [`DEFAULT_BATCH_SIZE`] records on every core, bad records null.
    pub fn new(shape: Shape) -> Self {
        ArrowOptions {
            shape,
            decoder: TextDecoder::new(),
            binary: false,
            raw: false,
            batch_size: DEFAULT_BATCH_SIZE,
            threads: crate::parallel::default_threads(),
            bad_records: BadRecords::Null,
            records: None,
        }
    }

    /// How many records the batches cover: the selection's, or the file's.
    pub fn record_count(&self, file: &MarcFile) -> usize {
        self.records.as_ref().map_or(file.len(), |r| r.len())
    }

    /// The file's indices of the records at positions `range` of the batches.
    pub(crate) fn record_indices(&self, range: Range<usize>) -> impl Iterator<Item = usize> + '_ {
        let selected = self.records.as_deref();
        range.map(move |k| selected.map_or(k, |r| r[k]))
    }

    /// The schema of the batches, known before any record is read.
    pub fn schema(&self) -> SchemaRef {
        schema::schema(&self.shape, self.binary, self.raw)
    }
}

/// The batch of records `range` of `file` (positions in [`ArrowOptions::records`]
/// when that is set), on the calling thread.
pub fn build_batch(
    file: &MarcFile,
    opts: &ArrowOptions,
    range: Range<usize>,
) -> Result<RecordBatch> {
    build_batch_noting(file, opts, range).map(|(batch, _)| batch)
}

/// [`build_batch`], with the errors of the records it made null (or gave no
/// rows), [`BadRecords::Null`], in record order: what a caller reports.
pub fn build_batch_noting(
    file: &MarcFile,
    opts: &ArrowOptions,
    range: Range<usize>,
) -> Result<(RecordBatch, Vec<Error>)> {
    let mut nulled = Vec::new();
    let batch = match &opts.shape {
        Shape::Records => nested::build(file, opts, range, &mut nulled),
        Shape::Subfields => long::build(file, opts, range, &mut nulled),
        Shape::Columns { columns, first } => {
            wide::build(file, opts, columns, *first, range, &mut nulled)
        }
    }?;
    Ok((batch, nulled))
}

/// Every record of `file` as batches, built on `opts.threads` threads, in
/// record order. Work starts on the first [`BatchReader::next_batch`].
pub fn batches(file: MarcFile, opts: ArrowOptions) -> BatchReader {
    BatchReader::new(file, opts)
}

/// A record's text for the rows of the nested and long shapes.
///
/// The fast path: a UTF-8 record whose whole data area is valid UTF-8 (the
/// common case, found with one SIMD pass) has every value as a slice of that
/// text, since the delimiters are ASCII. Its values are then copied straight
/// into the column, with no value-by-value decoding. Anything else (MARC-8,
/// legacy encodings, invalid UTF-8 under replace or ignore) goes through the
/// decoder value by value.
pub(crate) struct RowText<'a> {
    text: RecordText<'a>,
    /// The data area, when it is all valid UTF-8, as text.
    utf8: Option<&'a str>,
}

impl<'a> RowText<'a> {
    /// Appends a value, a part of `field`, to `col`: decoded, or raw.
    #[inline]
    fn push(
        &self,
        col: &mut buffers::TextColumn,
        field: &FieldRef<'a>,
        bytes: &[u8],
        binary: bool,
    ) -> Result<()> {
        if binary {
            col.raw.extend_from_slice(bytes);
            col.end_value();
            return Ok(());
        }
        self.value_into(field, bytes, &mut col.text)?;
        col.end_value();
        Ok(())
    }

    /// Appends the text of `bytes`, a part of `field`, to `out`.
    #[inline]
    fn value_into(&self, field: &FieldRef<'a>, bytes: &[u8], out: &mut String) -> Result<()> {
        if let Some(text) = self.utf8 {
            let data = text.as_bytes();
            // Where the value sits in the data area: a slice of the same bytes.
            let at = (bytes.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize);
            if let Some(value) = at
                .checked_add(bytes.len())
                .and_then(|end| text.get(at..end))
            {
                out.push_str(value);
                return Ok(());
            }
        }
        self.text.value_into(field, bytes, out)
    }
}

/// Record `i` for a row of the nested or long shape: good by the core's one
/// rule ([`crate::query::check_record`]), its text checked unless values are
/// bytes, so that no value fails halfway through a row.
fn checked_record<'f>(
    file: &'f MarcFile,
    opts: &ArrowOptions,
    i: usize,
) -> Result<(RecordRef<'f>, RowText<'f>)> {
    let good = crate::query::check_record(file, i, (!opts.binary).then_some(&opts.decoder))?;
    let utf8 = good.utf8_data();
    let (record, text) = good.into_parts();
    let text = text.unwrap_or_else(|| record.text(&opts.decoder));
    Ok((record, RowText { text, utf8 }))
}

/// Appends a field's tag to `col` as the views give it (a tag that is not
/// UTF-8 reads `???`).
#[inline]
fn push_tag(col: &mut buffers::TextColumn, tag: &[u8; 3]) {
    if tag.is_ascii() {
        col.push_ascii(tag);
    } else {
        col.push_str(std::str::from_utf8(tag).unwrap_or("???"));
    }
}

/// Appends a subfield's code to `col` as pymarc reads it (a non-ASCII code
/// byte is read together with the value), and gives the value that goes with it.
#[inline]
fn push_code<'a>(col: &mut buffers::TextColumn, sf: &Subfield<'a>) -> &'a [u8] {
    if sf.code.is_ascii() {
        col.push_char(char::from(sf.code));
        return sf.value;
    }
    let (code, value) = crate::subfield_code::normalize(sf.code, sf.value);
    col.push_str(&code);
    value
}

/// The record's first 001, decoded (or raw), for the `control_number` column.
fn push_control_number<'a>(
    col: &mut buffers::TextColumn,
    record: &RecordRef<'a>,
    text: &RowText<'a>,
    binary: bool,
) -> Result<()> {
    match record.first(b"001") {
        Some(f) => text.push(col, &f, f.data(), binary),
        None => {
            col.push_null();
            Ok(())
        }
    }
}

/// A record's leader as text: ASCII when valid; other bytes are shown, not refused.
fn leader_str<'a>(record: &RecordRef<'a>) -> Cow<'a, str> {
    String::from_utf8_lossy(record.leader().as_bytes())
}
