//! The long shape (`subfields`): one row a subfield, and one a control field.

use super::buffers::{columnar, TextColumn};
use super::nested::batch_bytes;
use super::{checked_record, push_code, push_tag, ArrowOptions, BadRecords};
use crate::error::{Error, Result};
use crate::file::MarcFile;
use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch};
use arrow_buffer::{NullBufferBuilder, ScalarBuffer};
use std::ops::Range;
use std::sync::Arc;

/// The columns of a batch, filled row by row.
struct Rows {
    record_index: Vec<i64>,
    control_number: TextColumn,
    field_index: Vec<i32>,
    tag: TextColumn,
    ind1: TextColumn,
    ind2: TextColumn,
    subfield_index: Vec<i32>,
    subfield_nulls: NullBufferBuilder,
    code: TextColumn,
    value: TextColumn,
}

/// The record a row belongs to: its index and control number (text, bytes).
struct RowRecord<'n> {
    index: i64,
    number: Option<(&'n str, &'n [u8])>,
}

impl Rows {
    /// Starts a row: the columns every row has.
    #[inline]
    fn start(&mut self, record: &RowRecord<'_>, field_index: usize, tag: &[u8; 3]) {
        self.record_index.push(record.index);
        match record.number {
            Some((text, bytes)) => self.control_number.push(text, bytes),
            None => self.control_number.push_null(),
        }
        self.field_index
            .push(i32::try_from(field_index).unwrap_or(i32::MAX));
        push_tag(&mut self.tag, tag);
    }
}

pub(crate) fn build(
    file: &MarcFile,
    opts: &ArrowOptions,
    range: Range<usize>,
    nulled: &mut Vec<Error>,
) -> Result<RecordBatch> {
    let binary = opts.binary;
    let bytes = batch_bytes(file, opts, &range);
    // About one row for every 12 bytes of catalogue records.
    let rows = bytes / 12 + 16;
    let mut r = Rows {
        record_index: Vec::with_capacity(rows),
        control_number: TextColumn::new(binary, rows, rows * 10),
        field_index: Vec::with_capacity(rows),
        tag: TextColumn::new(false, rows, rows * 3),
        ind1: TextColumn::new(false, rows, rows),
        ind2: TextColumn::new(false, rows, rows),
        subfield_index: Vec::with_capacity(rows),
        subfield_nulls: NullBufferBuilder::new(rows),
        code: TextColumn::new(false, rows, rows),
        value: TextColumn::new(binary, rows, bytes),
    };
    // The record's control number, decoded once and copied into each of its rows.
    let (mut number_text, mut number_raw) = (String::new(), Vec::new());
    for i in opts.record_indices(range) {
        let (record, text) = match checked_record(file, opts, i) {
            Ok(r) => r,
            Err(e) if opts.bad_records == BadRecords::Fail => return Err(e),
            // A bad record has no rows (its error is noted).
            Err(e) => {
                nulled.push(e);
                continue;
            }
        };
        number_text.clear();
        number_raw.clear();
        let number = record.first(b"001");
        if let Some(f) = &number {
            if binary {
                number_raw.extend_from_slice(f.data());
            } else {
                text.value_into(f, f.data(), &mut number_text)?;
            }
        }
        let at = RowRecord {
            index: i as i64,
            number: number.map(|_| (number_text.as_str(), number_raw.as_slice())),
        };
        for (fi, field) in record.fields().enumerate() {
            let tag = field.tag();
            if field.is_control() {
                r.start(&at, fi, tag);
                r.ind1.push_null();
                r.ind2.push_null();
                r.subfield_index.push(0);
                r.subfield_nulls.append_null();
                r.code.push_null();
                text.push(&mut r.value, &field, field.data(), binary)?;
                continue;
            }
            let (a, b) = field.indicators();
            for (si, sf) in field.subfields().enumerate() {
                r.start(&at, fi, tag);
                r.ind1.push_char(char::from(a));
                r.ind2.push_char(char::from(b));
                r.subfield_index.push(i32::try_from(si).unwrap_or(i32::MAX));
                r.subfield_nulls.append_non_null();
                let value = push_code(&mut r.code, &sf);
                text.push(&mut r.value, &field, value, binary)?;
            }
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(r.record_index)),
        r.control_number.finish("control numbers")?,
        Arc::new(Int32Array::from(r.field_index)),
        r.tag.finish("tags")?,
        r.ind1.finish("indicators")?,
        r.ind2.finish("indicators")?,
        Arc::new(Int32Array::new(
            ScalarBuffer::from(r.subfield_index),
            r.subfield_nulls.finish(),
        )),
        r.code.finish("subfield codes")?,
        r.value.finish("values")?,
    ];
    RecordBatch::try_new(opts.schema(), columns).map_err(|e| columnar(e, "batch"))
}
