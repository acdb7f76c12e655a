//! Bulk work over every record, on N threads, with the GIL released:
//! `extract`, `filter` and `validate`. Everything here is plain Rust; the callers
//! build Python objects (and exceptions) only after the GIL is back.

use super::text::{DecodeFailure, TextOptions};
use crate::error::{Error, ErrorKind, Position, Result};
use crate::file::MarcFile;
use crate::record::{FieldRef, RecordRef};

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

/// A value pulled out of a record: decoded text, or raw bytes when `to_unicode` is off.
pub(crate) enum Value {
    Text(String),
    Bytes(Vec<u8>),
}

fn decode_failure_error(f: DecodeFailure, record: usize, byte: usize, field: usize) -> Error {
    let kind = if f.marc8 {
        ErrorKind::Marc8 {
            offset_in_value: f.offset,
            reason: f.reason,
        }
    } else {
        ErrorKind::Utf8 {
            offset_in_value: f.offset,
        }
    };
    let pos = Position {
        record: Some(record as u64),
        byte: Some((byte + f.offset) as u64),
        field: Some(field as u32),
    };
    Error::new(kind, pos)
}

/// One record being worked on: how to decode its values, and where it is.
struct RecordCtx<'a> {
    text: &'a TextOptions,
    file: &'a MarcFile,
    index: usize,
    record: RecordRef<'a>,
    /// Decided once per record: LDR/09, `force_utf8`, or detected mislabelling.
    utf8: bool,
}

impl<'a> RecordCtx<'a> {
    fn new(text: &'a TextOptions, file: &'a MarcFile, index: usize, record: RecordRef<'a>) -> Self {
        let utf8 = text.record_is_utf8(&record);
        RecordCtx {
            text,
            file,
            index,
            record,
            utf8,
        }
    }

    /// Decodes one value, with its absolute position for errors.
    fn value(&self, field: &FieldRef<'_>, bytes: &[u8]) -> Result<Value> {
        if !self.text.to_unicode {
            return Ok(Value::Bytes(bytes.to_vec()));
        }
        let base = self.file.bytes().as_ptr() as usize;
        let byte = (bytes.as_ptr() as usize).saturating_sub(base);
        self.text
            .decode(bytes, self.utf8)
            .map(|t| Value::Text(t.into_owned()))
            .map_err(|f| decode_failure_error(f, self.index, byte, field.index()))
    }

    /// The values of `spec` in this record.
    fn extract(&self, spec: &Spec, first: bool) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        for field in self.record.fields_with_tag(&spec.tag) {
            if spec.codes.is_empty() {
                if field.is_control() {
                    out.push(self.value(&field, field.data())?);
                } else {
                    // A whole data field: its subfield values joined by spaces, as pymarc's value().
                    let mut joined = String::new();
                    for sf in field.subfields() {
                        let v = match self.value(&field, sf.value)? {
                            Value::Text(t) => t,
                            Value::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
                        };
                        if !joined.is_empty() {
                            joined.push(' ');
                        }
                        joined.push_str(v.trim());
                    }
                    out.push(Value::Text(joined));
                }
            } else {
                for sf in field.subfields().filter(|s| spec.codes.contains(&s.code)) {
                    out.push(self.value(&field, sf.value)?);
                    if first {
                        return Ok(out);
                    }
                }
            }
            if first && !out.is_empty() {
                return Ok(out);
            }
        }
        Ok(out)
    }

    /// Whether this record meets `cond`.
    fn matches(&self, cond: &Condition) -> Result<bool> {
        for field in self.record.fields_with_tag(&cond.spec.tag) {
            if cond.spec.codes.is_empty() {
                if cond.contains.is_none() {
                    return Ok(true);
                }
                let values: Vec<&[u8]> = if field.is_control() {
                    vec![field.data()]
                } else {
                    field.subfields().map(|s| s.value).collect()
                };
                for v in values {
                    if text_matches(cond, self.value(&field, v)?) {
                        return Ok(true);
                    }
                }
            } else {
                for sf in field
                    .subfields()
                    .filter(|s| cond.spec.codes.contains(&s.code))
                {
                    if text_matches(cond, self.value(&field, sf.value)?) {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// Decodes every value; the first that fails is the error.
    fn decode_all(&self) -> Result<()> {
        for field in self.record.fields() {
            if field.is_control() {
                self.value(&field, field.data())?;
            }
            for sf in field.subfields() {
                self.value(&field, sf.value)?;
            }
        }
        Ok(())
    }
}

/// For every record: one list of values per spec, or the record's error.
pub(crate) fn extract(
    file: &MarcFile,
    text: &TextOptions,
    specs: &[Spec],
    first: bool,
    threads: usize,
) -> Vec<Result<Vec<Vec<Value>>>> {
    file.par_map(threads, |i, record| {
        let ctx = RecordCtx::new(text, file, i, record?);
        specs.iter().map(|s| ctx.extract(s, first)).collect()
    })
}

/// What `filter` looks for.
pub(crate) struct Condition {
    pub spec: Spec,
    pub contains: Option<String>,
    pub ignore_case: bool,
}

fn text_matches(cond: &Condition, value: Value) -> bool {
    let Some(needle) = &cond.contains else {
        return true;
    };
    match value {
        Value::Text(t) if cond.ignore_case => t.to_lowercase().contains(&needle.to_lowercase()),
        Value::Text(t) => t.contains(needle.as_str()),
        Value::Bytes(b) => memchr::memmem::find(&b, needle.as_bytes()).is_some(),
    }
}

/// For every record: whether it matches, or its error.
pub(crate) fn filter(
    file: &MarcFile,
    text: &TextOptions,
    cond: &Condition,
    threads: usize,
) -> Vec<Result<bool>> {
    file.par_map(threads, |i, record| {
        RecordCtx::new(text, file, i, record?).matches(cond)
    })
}

/// Every error in the file, in order: malformed records and, with `decode`, the
/// first value of each record that does not decode.
pub(crate) fn validate(
    file: &MarcFile,
    text: &TextOptions,
    decode: bool,
    threads: usize,
) -> Vec<Error> {
    let text = TextOptions {
        to_unicode: true,
        ..*text
    };
    let mut found: Vec<Error> = file
        .par_map(threads, |i, record| {
            let record = record?;
            if decode {
                RecordCtx::new(&text, file, i, record).decode_all()?;
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
