//! The nested shape (`records`): one row a record, every field and subfield.

use super::buffers::{columnar, Offsets, TextColumn};
use super::{
    checked_record, leader_str, push_code, push_control_number, push_tag, schema, ArrowOptions,
    BadRecords,
};
use crate::error::{Error, Result};
use crate::file::MarcFile;
use arrow_array::{ArrayRef, BinaryArray, Int64Array, ListArray, RecordBatch, StructArray};
use arrow_buffer::{Buffer, NullBufferBuilder};
use std::ops::Range;
use std::sync::Arc;

/// The columns of a batch, filled record by record.
struct Columns {
    record_index: Vec<i64>,
    byte_offset: Vec<i64>,
    leader: TextColumn,
    control_number: TextColumn,
    /// Per record: where its fields end; null for a bad record.
    fields: Offsets,
    fields_nulls: NullBufferBuilder,
    tag: TextColumn,
    ind1: TextColumn,
    ind2: TextColumn,
    data: TextColumn,
    /// Per field: where its subfields end; null for a control field.
    subfields: Offsets,
    subfields_nulls: NullBufferBuilder,
    code: TextColumn,
    value: TextColumn,
    raw: Option<(Offsets, Vec<u8>)>,
}

pub(crate) fn build(
    file: &MarcFile,
    opts: &ArrowOptions,
    range: Range<usize>,
    nulled: &mut Vec<Error>,
) -> Result<RecordBatch> {
    let n = range.len();
    let binary = opts.binary;
    // Sizes from the batch's bytes: about 20 fields a record, 10 bytes a value.
    let bytes = batch_bytes(file, opts, &range);
    let fields_guess = n * 24;
    let mut c = Columns {
        record_index: Vec::with_capacity(n),
        byte_offset: Vec::with_capacity(n),
        leader: TextColumn::new(binary, n, n * 24),
        control_number: TextColumn::new(binary, n, n * 16),
        fields: Offsets::with_capacity(n),
        fields_nulls: NullBufferBuilder::new(n),
        tag: TextColumn::new(false, fields_guess, fields_guess * 3),
        ind1: TextColumn::new(false, fields_guess, fields_guess),
        ind2: TextColumn::new(false, fields_guess, fields_guess),
        data: TextColumn::new(binary, fields_guess, bytes / 8),
        subfields: Offsets::with_capacity(fields_guess),
        subfields_nulls: NullBufferBuilder::new(fields_guess),
        code: TextColumn::new(false, fields_guess * 2, fields_guess * 2),
        value: TextColumn::new(binary, fields_guess * 2, bytes),
        raw: opts
            .raw
            .then(|| (Offsets::with_capacity(n), Vec::with_capacity(bytes))),
    };
    for i in opts.record_indices(range) {
        c.record_index.push(i as i64);
        c.byte_offset.push(
            file.offset(i)
                .map_or(0, |o| i64::try_from(o).unwrap_or(i64::MAX)),
        );
        if let Some((offsets, bytes)) = &mut c.raw {
            bytes.extend_from_slice(file.raw(i).unwrap_or_default());
            offsets.push(bytes.len());
        }
        let (record, text) = match checked_record(file, opts, i) {
            Ok(r) => r,
            Err(e) if opts.bad_records == BadRecords::Fail => return Err(e),
            Err(e) => {
                nulled.push(e);
                c.leader.push_null();
                c.control_number.push_null();
                c.fields.push(c.tag_len());
                c.fields_nulls.append_null();
                continue;
            }
        };
        c.leader
            .push(&leader_str(&record), record.leader().as_bytes());
        push_control_number(&mut c.control_number, &record, &text, binary)?;
        for field in record.fields() {
            push_tag(&mut c.tag, field.tag());
            if field.is_control() {
                c.ind1.push_null();
                c.ind2.push_null();
                text.push(&mut c.data, &field, field.data(), binary)?;
                c.subfields.push(c.code_len());
                c.subfields_nulls.append_null();
                continue;
            }
            let (a, b) = field.indicators();
            c.ind1.push_char(char::from(a));
            c.ind2.push_char(char::from(b));
            c.data.push_null();
            for sf in field.subfields() {
                let value = push_code(&mut c.code, &sf);
                text.push(&mut c.value, &field, value, binary)?;
            }
            c.subfields.push(c.code_len());
            c.subfields_nulls.append_non_null();
        }
        c.fields.push(c.tag_len());
        c.fields_nulls.append_non_null();
    }
    c.finish(opts)
}

/// The bytes of the records in `range` (their span in the file; for a
/// selection, a guess from the whole file's average).
pub(crate) fn batch_bytes(file: &MarcFile, opts: &ArrowOptions, range: &Range<usize>) -> usize {
    if opts.records.is_some() {
        return file.bytes().len() / file.len().max(1) * range.len();
    }
    let start = file.offset(range.start).unwrap_or(0);
    let end = file
        .offset(range.end)
        .unwrap_or(file.data_offset() + file.bytes().len() as u64);
    usize::try_from(end.saturating_sub(start)).unwrap_or(0)
}

impl Columns {
    /// Fields so far.
    fn tag_len(&self) -> usize {
        self.tag.len()
    }

    /// Subfields so far.
    fn code_len(&self) -> usize {
        self.code.len()
    }

    fn finish(self, opts: &ArrowOptions) -> Result<RecordBatch> {
        let Columns {
            record_index,
            byte_offset,
            leader,
            control_number,
            fields,
            mut fields_nulls,
            tag,
            ind1,
            ind2,
            data,
            subfields,
            mut subfields_nulls,
            code,
            value,
            raw,
        } = self;
        let binary = opts.binary;
        let subfield_struct = StructArray::try_new(
            schema::subfield_fields(binary),
            vec![
                code.finish("subfield codes")?,
                value.finish("subfield values")?,
            ],
            None,
        )
        .map_err(|e| columnar(e, "subfields"))?;
        let subfield_lists = ListArray::try_new(
            schema::subfields_item(binary),
            subfields.finish("subfields")?,
            Arc::new(subfield_struct),
            subfields_nulls.finish(),
        )
        .map_err(|e| columnar(e, "subfield lists"))?;
        let field_struct = StructArray::try_new(
            schema::field_fields(binary),
            vec![
                tag.finish("tags")?,
                ind1.finish("indicators")?,
                ind2.finish("indicators")?,
                data.finish("control field data")?,
                Arc::new(subfield_lists),
            ],
            None,
        )
        .map_err(|e| columnar(e, "fields"))?;
        let field_lists = ListArray::try_new(
            schema::fields_item(binary),
            fields.finish("fields")?,
            Arc::new(field_struct),
            fields_nulls.finish(),
        )
        .map_err(|e| columnar(e, "field lists"))?;
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(record_index)),
            Arc::new(Int64Array::from(byte_offset)),
            leader.finish("leaders")?,
            control_number.finish("control numbers")?,
            Arc::new(field_lists),
        ];
        if let Some((offsets, bytes)) = raw {
            let raw = BinaryArray::try_new(
                offsets.finish("raw records")?,
                Buffer::from_vec(bytes),
                None,
            )
            .map_err(|e| columnar(e, "raw records"))?;
            columns.push(Arc::new(raw));
        }
        RecordBatch::try_new(opts.schema(), columns).map_err(|e| columnar(e, "batch"))
    }
}
