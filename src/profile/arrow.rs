//! A profile's parts as Arrow record batches, one table a part, for DuckDB,
//! Polars and pyarrow to sort, join and chart.

use super::{Distribution, Profile, LEADER_POSITIONS};
use arrow_array::builder::{StringBuilder, UInt64Builder, UInt8Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::ArrowError;
use std::sync::Arc;

/// The names of the parts [`table`] makes, in the order a report shows them.
pub const PARTS: [&str; 6] = [
    "leader",
    "tags",
    "subfields",
    "indicators",
    "lengths",
    "problems",
];

/// A byte as text: an ASCII byte as itself, any other as `\xNN`.
pub fn byte_text(b: u8) -> String {
    if b.is_ascii() {
        char::from(b).to_string()
    } else {
        format!("\\x{b:02X}")
    }
}

/// Part `name` of `profile` (one of [`PARTS`]) as one record batch, or `None`
/// for an unknown name.
///
/// - `leader`: `position`, `value`, `records` (good records with that byte at
///   that leader position);
/// - `tags`: `tag`, `records` (having it), `occurrences`, `bytes`;
/// - `subfields`: `tag`, `code`, `records` (having it in that tag), `occurrences`;
/// - `indicators`: `tag`, `indicator` (1 or 2), `value`, `fields`;
/// - `lengths`: `measure` (`record_bytes`, `field_bytes`, `fields_per_record`),
///   `low`, `high` (null for the open last bucket), `count`;
/// - `problems`: `id`, `description`, `records`;
/// - `lint` (only when the profile counted lint findings): `rule`,
///   `severity`, `description`, `findings`, `records`.
pub fn table(profile: &Profile, name: &str) -> Option<Result<RecordBatch, ArrowError>> {
    Some(match name {
        "leader" => leader(profile),
        "tags" => tags(profile),
        "subfields" => subfields(profile),
        "indicators" => indicators(profile),
        "lengths" => lengths(profile),
        "problems" => problems(profile),
        "lint" => lint(profile.lint.as_deref()?),
        _ => return None,
    })
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch, ArrowError> {
    RecordBatch::try_from_iter(columns)
}

fn leader(p: &Profile) -> Result<RecordBatch, ArrowError> {
    let (mut pos, mut value, mut n) = (
        UInt8Builder::new(),
        StringBuilder::new(),
        UInt64Builder::new(),
    );
    for k in LEADER_POSITIONS {
        for (b, count) in p.leader_values(k) {
            pos.append_value(k as u8);
            value.append_value(byte_text(b));
            n.append_value(count);
        }
    }
    batch(vec![
        ("position", Arc::new(pos.finish())),
        ("value", Arc::new(value.finish())),
        ("records", Arc::new(n.finish())),
    ])
}

fn tags(p: &Profile) -> Result<RecordBatch, ArrowError> {
    let mut tag = StringBuilder::new();
    let (mut records, mut occ, mut bytes) = (
        UInt64Builder::new(),
        UInt64Builder::new(),
        UInt64Builder::new(),
    );
    for t in &p.tags {
        tag.append_value(t.tag_str());
        records.append_value(t.records);
        occ.append_value(t.occurrences);
        bytes.append_value(t.bytes);
    }
    batch(vec![
        ("tag", Arc::new(tag.finish())),
        ("records", Arc::new(records.finish())),
        ("occurrences", Arc::new(occ.finish())),
        ("bytes", Arc::new(bytes.finish())),
    ])
}

fn subfields(p: &Profile) -> Result<RecordBatch, ArrowError> {
    let (mut tag, mut code) = (StringBuilder::new(), StringBuilder::new());
    let (mut records, mut occ) = (UInt64Builder::new(), UInt64Builder::new());
    for t in &p.tags {
        for s in &t.subfields {
            tag.append_value(t.tag_str());
            code.append_value(byte_text(s.code));
            records.append_value(s.records);
            occ.append_value(s.occurrences);
        }
    }
    batch(vec![
        ("tag", Arc::new(tag.finish())),
        ("code", Arc::new(code.finish())),
        ("records", Arc::new(records.finish())),
        ("occurrences", Arc::new(occ.finish())),
    ])
}

fn indicators(p: &Profile) -> Result<RecordBatch, ArrowError> {
    let (mut tag, mut which, mut value, mut n) = (
        StringBuilder::new(),
        UInt8Builder::new(),
        StringBuilder::new(),
        UInt64Builder::new(),
    );
    for t in &p.tags {
        for (k, values) in t.indicators.iter().enumerate() {
            for &(b, count) in values {
                tag.append_value(t.tag_str());
                which.append_value(k as u8 + 1);
                value.append_value(byte_text(b));
                n.append_value(count);
            }
        }
    }
    batch(vec![
        ("tag", Arc::new(tag.finish())),
        ("indicator", Arc::new(which.finish())),
        ("value", Arc::new(value.finish())),
        ("fields", Arc::new(n.finish())),
    ])
}

/// The length distributions with their names, in report order.
pub fn distributions(p: &Profile) -> [(&'static str, &Distribution); 3] {
    [
        ("record_bytes", &p.record_lengths),
        ("field_bytes", &p.field_lengths),
        ("fields_per_record", &p.fields_per_record),
    ]
}

fn lengths(p: &Profile) -> Result<RecordBatch, ArrowError> {
    let (mut measure, mut low, mut high, mut n) = (
        StringBuilder::new(),
        UInt64Builder::new(),
        UInt64Builder::new(),
        UInt64Builder::new(),
    );
    for (name, d) in distributions(p) {
        for b in d.buckets() {
            measure.append_value(name);
            low.append_value(b.low);
            high.append_option(b.high);
            n.append_value(b.count);
        }
    }
    batch(vec![
        ("measure", Arc::new(measure.finish())),
        ("low", Arc::new(low.finish())),
        ("high", Arc::new(high.finish())),
        ("count", Arc::new(n.finish())),
    ])
}

fn problems(p: &Profile) -> Result<RecordBatch, ArrowError> {
    let (mut id, mut description, mut n) = (
        StringBuilder::new(),
        StringBuilder::new(),
        UInt64Builder::new(),
    );
    for problem in &p.problems {
        id.append_value(problem.id);
        description.append_value(problem.description);
        n.append_value(problem.records);
    }
    batch(vec![
        ("id", Arc::new(id.finish())),
        ("description", Arc::new(description.finish())),
        ("records", Arc::new(n.finish())),
    ])
}

fn lint(counts: &[super::RuleCount]) -> Result<RecordBatch, ArrowError> {
    let (mut rule, mut severity, mut description) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut findings, mut records) = (UInt64Builder::new(), UInt64Builder::new());
    for c in counts {
        rule.append_value(c.rule.id());
        severity.append_value(c.rule.severity().name());
        description.append_value(c.rule.description());
        findings.append_value(c.findings);
        records.append_value(c.records);
    }
    batch(vec![
        ("rule", Arc::new(rule.finish())),
        ("severity", Arc::new(severity.finish())),
        ("description", Arc::new(description.finish())),
        ("findings", Arc::new(findings.finish())),
        ("records", Arc::new(records.finish())),
    ])
}
