//! The spec language of `extract`, `filter` and the wide Arrow shape: which
//! values to pull out of a record, and pulling them out.
//!
//! - `"001"`: a control field's data, or a data field's whole value (its
//!   subfield values trimmed and joined by spaces, as pymarc's `value()`);
//! - `"245$a"`, `"650$ax"`: the named subfields' values, every repeat;
//! - `"LDR/06"`, `"008/35-37"`: character positions (inclusive, from 0) of the
//!   leader or of the first field with the tag: at most one value a record.
//!
//! Values go into a [`ValueBuf`]: one flat buffer and a span a value, so that
//! a chunk of records costs a handful of allocations, and the Arrow builders
//! can take the buffer as a column's values whole.

use crate::error::Result;
use crate::record::{FieldRef, RecordRef};
use crate::subfield_code;
use crate::text::{RecordText, TextDecoder};
use std::fmt;

/// What to pull out of each record. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// Fields with `tag`: their data or joined value (`codes` empty), or the
    /// values of the subfields with one of `codes`.
    Values {
        /// The tag.
        tag: [u8; 3],
        /// The subfield codes (ASCII); empty for the whole field.
        codes: Vec<u8>,
    },
    /// Positions `start..end` of the leader (`tag` `None`) or of the first
    /// field with `tag`.
    Position {
        /// The field's tag; `None` for the leader.
        tag: Option<[u8; 3]>,
        /// The first position.
        start: usize,
        /// One past the last position.
        end: usize,
    },
}

/// A spec that does not parse: says what is wrong and how to write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

impl Spec {
    /// Parses `"001"`, `"245$a"`, `"650$ax"`, `"LDR/06"` or `"008/35-37"`.
    pub fn parse(spec: &str) -> std::result::Result<Spec, SpecError> {
        let err = |why: &str| Err(SpecError(format!("{spec:?}: {why}")));
        if let Some((tag, positions)) = spec.split_once('/') {
            let tag = match tag {
                "LDR" | "ldr" => None,
                t => match <[u8; 3]>::try_from(t.as_bytes()) {
                    Ok(t) => Some(t),
                    Err(_) => {
                        return err("a tag is three characters, e.g. '008/35-37' or 'LDR/06'")
                    }
                },
            };
            let number = |s: &str| s.parse::<usize>().ok().filter(|_| !s.is_empty());
            let (start, last) = match positions.split_once('-') {
                Some((a, b)) => (number(a), number(b)),
                None => (number(positions), number(positions)),
            };
            return match (start, last) {
                (Some(start), Some(last)) if last >= start && last < 100_000 => {
                    Ok(Spec::Position {
                        tag,
                        start,
                        end: last + 1,
                    })
                }
                _ => err(
                    "give a position or an inclusive range after '/', e.g. 'LDR/06' or '008/35-37'",
                ),
            };
        }
        let (tag, codes) = match spec.split_once('$') {
            Some((t, c)) if !c.is_empty() && c.is_ascii() => (t, c.as_bytes().to_vec()),
            Some(_) => return err("give subfield codes after '$', e.g. '245$a'"),
            None => (spec, Vec::new()),
        };
        match <[u8; 3]>::try_from(tag.as_bytes()) {
            Ok(tag) => Ok(Spec::Values { tag, codes }),
            Err(_) => err("a tag is three characters, e.g. '245' or '245$a'"),
        }
    }

    /// Whether the spec gives at most one value a record (a position spec).
    pub fn is_single(&self) -> bool {
        matches!(self, Spec::Position { .. })
    }
}

/// A value borrowed from a [`ValueBuf`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// Decoded text.
    Text(&'a str),
    /// Raw bytes (no decoding).
    Bytes(&'a [u8]),
}

/// Extracted values, flat: decoded text in one `String` (raw bytes in one
/// `Vec` when `binary`), and a span a value, in order.
#[derive(Debug, Default, Clone)]
pub struct ValueBuf {
    /// The decoded text of every value, one after another.
    pub text: String,
    /// The raw bytes of every value, when `binary`.
    pub raw: Vec<u8>,
    /// Each value's span in `text` (or `raw`). Spans follow each other with no
    /// gap from 0: a value starts where the one before ends.
    pub spans: Vec<(usize, usize)>,
    /// Whether values are raw bytes rather than text.
    pub binary: bool,
}

/// Where a [`ValueBuf`] stood, to go back to it when a record fails halfway.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    text: usize,
    raw: usize,
    spans: usize,
}

impl ValueBuf {
    /// An empty buffer of text values, or of raw bytes when `binary`.
    pub fn new(binary: bool) -> Self {
        ValueBuf {
            binary,
            ..ValueBuf::default()
        }
    }

    /// Empties the buffer, keeping its memory.
    pub fn clear(&mut self) {
        self.text.clear();
        self.raw.clear();
        self.spans.clear();
    }

    /// The value at `span`.
    pub fn get(&self, (a, b): (usize, usize)) -> ValueRef<'_> {
        if self.binary {
            ValueRef::Bytes(self.raw.get(a..b).unwrap_or_default())
        } else {
            ValueRef::Text(self.text.get(a..b).unwrap_or_default())
        }
    }

    /// Where the buffer stands now.
    pub fn mark(&self) -> Mark {
        Mark {
            text: self.text.len(),
            raw: self.raw.len(),
            spans: self.spans.len(),
        }
    }

    /// Drops everything added since `mark`.
    pub fn reset(&mut self, mark: Mark) {
        self.text.truncate(mark.text);
        self.raw.truncate(mark.raw);
        self.spans.truncate(mark.spans);
    }

    /// The length of the text (or bytes) held.
    fn end(&self) -> usize {
        if self.binary {
            self.raw.len()
        } else {
            self.text.len()
        }
    }
}

/// One record, ready to have values pulled out: its text's encoding is
/// decided once.
pub struct Extractor<'a> {
    record: RecordRef<'a>,
    decoded: RecordText<'a>,
}

impl<'a> Extractor<'a> {
    /// `record`, whose values `decoder` decodes.
    pub fn new(record: RecordRef<'a>, decoder: &TextDecoder) -> Self {
        let decoded = record.text(decoder);
        Extractor { record, decoded }
    }

    /// The record.
    pub fn record(&self) -> &RecordRef<'a> {
        &self.record
    }

    /// The record's text.
    pub fn text(&self) -> &RecordText<'a> {
        &self.decoded
    }

    /// Appends one value, a part of `field`, to `out`: decoded, or raw.
    pub fn push_value(
        &self,
        field: &FieldRef<'a>,
        bytes: &'a [u8],
        out: &mut ValueBuf,
    ) -> Result<()> {
        let start = out.end();
        if out.binary {
            out.raw.extend_from_slice(bytes);
        } else {
            self.decoded.value_into(field, bytes, &mut out.text)?;
        }
        out.spans.push((start, out.end()));
        Ok(())
    }

    /// A data field's subfield values, trimmed and joined by spaces (pymarc's
    /// `value()`), appended to `out` as one value.
    pub fn push_joined(&self, field: &FieldRef<'a>, out: &mut ValueBuf) -> Result<()> {
        let start = out.end();
        for (k, sf) in field.subfields().enumerate() {
            let value = subfield_code::value(sf.code, sf.value);
            if out.binary {
                if k > 0 {
                    out.raw.push(b' ');
                }
                out.raw.extend_from_slice(value.trim_ascii());
            } else {
                let text = self.decoded.value(field, value)?;
                if k > 0 {
                    out.text.push(' ');
                }
                out.text.push_str(text.trim());
            }
        }
        out.spans.push((start, out.end()));
        Ok(())
    }

    /// Positions `start..end` of `bytes` (cut short at its end), if it reaches `start`.
    fn positions(bytes: &[u8], start: usize, end: usize) -> Option<&[u8]> {
        bytes
            .get(start..end.min(bytes.len()))
            .filter(|_| start < bytes.len())
    }

    /// Appends the values of `spec` in this record to `out` (with `first`,
    /// only the first); returns how many.
    pub fn extract_into(&self, spec: &Spec, first: bool, out: &mut ValueBuf) -> Result<usize> {
        let before = out.spans.len();
        match spec {
            Spec::Position {
                tag: None,
                start,
                end,
            } => {
                let leader = self.record.leader().as_bytes();
                if let Some(part) = Self::positions(leader, *start, *end) {
                    let at = out.end();
                    if out.binary {
                        out.raw.extend_from_slice(part);
                    } else {
                        // The leader is ASCII when it is valid; other bytes are shown, not refused.
                        out.text.push_str(&String::from_utf8_lossy(part));
                    }
                    out.spans.push((at, out.end()));
                }
            }
            Spec::Position {
                tag: Some(tag),
                start,
                end,
            } => {
                if let Some(field) = self.record.first(tag) {
                    if let Some(part) = Self::positions(field.data(), *start, *end) {
                        self.push_value(&field, part, out)?;
                    }
                }
            }
            Spec::Values { tag, codes } => {
                for field in self.record.fields_with_tag(tag) {
                    if codes.is_empty() {
                        if field.is_control() {
                            self.push_value(&field, field.data(), out)?;
                        } else {
                            self.push_joined(&field, out)?;
                        }
                    } else {
                        let values = field
                            .subfields()
                            .filter_map(|sf| subfield_code::matching(codes, sf.code, sf.value));
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
            }
        }
        Ok(out.spans.len() - before)
    }

    /// Whether the record has any value for `spec`, without decoding one.
    pub fn has_any(&self, spec: &Spec) -> bool {
        match spec {
            Spec::Position {
                tag: None, start, ..
            } => *start < self.record.leader().as_bytes().len(),
            Spec::Position {
                tag: Some(tag),
                start,
                ..
            } => self
                .record
                .first(tag)
                .is_some_and(|f| *start < f.data().len()),
            Spec::Values { tag, codes } => self.record.fields_with_tag(tag).any(|field| {
                codes.is_empty()
                    || field
                        .subfields()
                        .any(|sf| subfield_code::matching(codes, sf.code, sf.value).is_some())
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            Spec::parse("245$ab"),
            Ok(Spec::Values {
                tag: *b"245",
                codes: b"ab".to_vec()
            })
        );
        assert_eq!(
            Spec::parse("001"),
            Ok(Spec::Values {
                tag: *b"001",
                codes: vec![]
            })
        );
        assert_eq!(
            Spec::parse("LDR/06"),
            Ok(Spec::Position {
                tag: None,
                start: 6,
                end: 7
            })
        );
        assert_eq!(
            Spec::parse("008/35-37"),
            Ok(Spec::Position {
                tag: Some(*b"008"),
                start: 35,
                end: 38
            })
        );
        for bad in [
            "24",
            "245$",
            "008/",
            "008/9-3",
            "008/a",
            "LEADER/06",
            "008/-3",
        ] {
            assert!(Spec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn extracts_positions_and_values() {
        let raw = b"00080nam a2200049 a 4500008001200000245001800012\x1e850101s1985\x1e10\x1faA title\x1fbpart\x1e\x1d";
        let record = RecordRef::parse(raw).unwrap();
        let x = Extractor::new(record, &TextDecoder::new());
        let mut out = ValueBuf::new(false);
        let mut got = |spec: &str| {
            out.clear();
            x.extract_into(&Spec::parse(spec).unwrap(), false, &mut out)
                .unwrap();
            out.spans
                .iter()
                .map(|&s| format!("{:?}", out.get(s)))
                .collect::<Vec<_>>()
        };
        assert_eq!(got("LDR/06"), [r#"Text("a")"#]);
        assert_eq!(got("008/07-10"), [r#"Text("1985")"#]);
        assert_eq!(got("008/11-14"), Vec::<String>::new());
        assert_eq!(got("245$ab"), [r#"Text("A title")"#, r#"Text("part")"#]);
        assert_eq!(got("245"), [r#"Text("A title part")"#]);
    }
}
