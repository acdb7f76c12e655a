//! The wide shape (`columns`): one column a named spec, one row a record.

use super::buffers::{columnar, too_large, Offsets};
use super::{schema, ArrowOptions, BadRecords};
use crate::error::{Error, Result};
use crate::file::MarcFile;
use crate::query::check_record;
use crate::spec::{Extractor, Spec, ValueBuf};
use arrow_array::{ArrayRef, BinaryArray, ListArray, RecordBatch, StringArray};
use arrow_buffer::{Buffer, NullBufferBuilder, OffsetBuffer};
use std::ops::Range;
use std::sync::Arc;

/// One column being built: the spec's values, flat, and per row where they end.
struct Column<'s> {
    spec: &'s Spec,
    /// One value a row at most (`first`, or a position spec): a `string` column.
    single: bool,
    values: ValueBuf,
    /// Per row: a single column's value end, a list column's value count so far.
    rows: Offsets,
    nulls: NullBufferBuilder,
}

pub(crate) fn build(
    file: &MarcFile,
    opts: &ArrowOptions,
    specs: &[(String, Spec)],
    first: bool,
    range: Range<usize>,
    nulled: &mut Vec<Error>,
) -> Result<RecordBatch> {
    let n = range.len();
    let mut columns: Vec<Column<'_>> = specs
        .iter()
        .map(|(_, spec)| Column {
            spec,
            single: first || spec.is_single(),
            values: ValueBuf::new(opts.binary),
            rows: Offsets::with_capacity(n),
            nulls: NullBufferBuilder::new(n),
        })
        .collect();
    let mut marks = Vec::with_capacity(columns.len());
    for (row, i) in opts.record_indices(range).enumerate() {
        marks.clear();
        marks.extend(columns.iter().map(|c| c.values.mark()));
        // A record good by its structure ([`check_record`]); the values it
        // extracts are decoded, and checked, as they are read.
        let found = check_record(file, i, None).and_then(|good| {
            let x = Extractor::new(good.into_record(), &opts.decoder);
            for c in &mut columns {
                let got = x.extract_into(c.spec, c.single, &mut c.values)?;
                if c.single {
                    c.rows.push(value_end(&c.values));
                    c.nulls.append(got > 0);
                } else {
                    c.rows.push(c.values.spans.len());
                    c.nulls.append_non_null();
                }
            }
            Ok(())
        });
        if let Err(e) = found {
            if opts.bad_records == BadRecords::Fail {
                return Err(e);
            }
            nulled.push(e);
            // What the record added to the columns it reached is taken back,
            // and its row is null in every column.
            for (c, mark) in columns.iter_mut().zip(&marks) {
                c.values.reset(*mark);
                c.rows.truncate(row);
                c.nulls.truncate(row);
                c.rows.push(if c.single {
                    value_end(&c.values)
                } else {
                    c.values.spans.len()
                });
                c.nulls.append_null();
            }
        }
    }
    let arrays = columns
        .into_iter()
        .map(|c| c.finish(opts.binary))
        .collect::<Result<Vec<ArrayRef>>>()?;
    RecordBatch::try_new(opts.schema(), arrays).map_err(|e| columnar(e, "batch"))
}

/// Where the values of a [`ValueBuf`] end.
fn value_end(values: &ValueBuf) -> usize {
    values.spans.last().map_or(0, |s| s.1)
}

impl Column<'_> {
    fn finish(mut self, binary: bool) -> Result<ArrayRef> {
        let nulls = self.nulls.finish();
        let ValueBuf {
            text, raw, spans, ..
        } = self.values;
        if self.single {
            let offsets = self.rows.finish("values")?;
            return values_array(binary, offsets, text, raw, nulls);
        }
        let mut ends = Offsets::with_capacity(spans.len());
        for (_, end) in &spans {
            ends.push(*end);
        }
        let items = values_array(binary, ends.finish("values")?, text, raw, None)?;
        ListArray::try_new(
            schema::values_item(binary),
            self.rows.finish("value lists")?,
            items,
            nulls,
        )
        .map(|a| Arc::new(a) as ArrayRef)
        .map_err(|e| columnar(e, "value lists"))
    }
}

/// A `string` (or `binary`) array over the values of a [`ValueBuf`].
fn values_array(
    binary: bool,
    offsets: OffsetBuffer<i32>,
    text: String,
    raw: Vec<u8>,
    nulls: Option<arrow_buffer::NullBuffer>,
) -> Result<ArrayRef> {
    if binary {
        return BinaryArray::try_new(offsets, Buffer::from_vec(raw), nulls)
            .map(|a| Arc::new(a) as ArrayRef)
            .map_err(|e| columnar(e, "values"));
    }
    if text.len() > i32::MAX as usize {
        return Err(too_large("values"));
    }
    let values = Buffer::from_vec(text.into_bytes());
    // SAFETY: `values` are a `String`'s bytes (valid UTF-8) and every offset is
    // the end of a span `Extractor` recorded after appending a whole `str`, so
    // a character boundary; spans follow each other from 0 without gaps (a
    // record that fails is cut back to its mark), so the offsets never
    // decrease and stay within `values`; `nulls` has one bit a row, appended
    // with each row's offset.
    let array = unsafe { StringArray::new_unchecked(offsets, values, nulls) };
    Ok(Arc::new(array))
}
