//! Lint findings as one Arrow record batch, for DuckDB, Polars and pyarrow to
//! group and count: one row a finding, the columns of [`Finding`].

use super::Finding;
use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use std::sync::Arc;

/// The schema of [`findings_batch`]: `record_index` (u64), `byte_offset`
/// (u64), `field_index` (u32, null for a record-level finding), `tag` and
/// `code` (utf8, null where none applies), `rule`, `severity`, `message` (utf8).
pub fn findings_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("record_index", DataType::UInt64, false),
        Field::new("byte_offset", DataType::UInt64, false),
        Field::new("field_index", DataType::UInt32, true),
        Field::new("tag", DataType::Utf8, true),
        Field::new("code", DataType::Utf8, true),
        Field::new("rule", DataType::Utf8, false),
        Field::new("severity", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
    ]))
}

/// `findings` as one record batch with [`findings_schema`].
///
/// ```
/// use marcmap::lint::{arrow::findings_batch, Linter};
/// use marcmap::RecordRef;
///
/// let raw = b"00056nam a2200037 a 4500245001800000\x1e14\x1faA title\x1fbpart\x1e\x1d";
/// let findings = Linter::new().lint_record(&RecordRef::parse(raw).unwrap());
/// let batch = findings_batch(&findings).unwrap();
/// assert_eq!(batch.num_rows(), findings.len());
/// assert_eq!(batch.schema().field(5).name(), "rule");
/// ```
pub fn findings_batch(findings: &[Finding]) -> Result<RecordBatch, ArrowError> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(
            findings.iter().map(|f| f.record_index),
        )),
        Arc::new(UInt64Array::from_iter_values(
            findings.iter().map(|f| f.byte_offset),
        )),
        Arc::new(UInt32Array::from_iter(findings.iter().map(|f| {
            f.field_index.map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        }))),
        Arc::new(StringArray::from_iter(findings.iter().map(|f| f.tag_str()))),
        Arc::new(StringArray::from_iter(
            findings.iter().map(|f| f.code_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            findings.iter().map(|f| f.rule.id()),
        )),
        Arc::new(StringArray::from_iter_values(
            findings.iter().map(|f| f.severity().name()),
        )),
        Arc::new(StringArray::from_iter_values(
            findings.iter().map(|f| f.message.as_str()),
        )),
    ];
    RecordBatch::try_new(findings_schema(), columns)
}
