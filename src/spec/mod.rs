//! Specs: which values to pull out of a record, in MARCspec
//! (<https://marcspec.github.io/>), the language Catmandu, pymarcspec,
//! File_MARC_Reference, qa-catalogue and duckdb-marc21 speak; and pulling
//! them out, in place.
//!
//! - `LDR`, `001`, `245`: the leader, a control field's data, or a data
//!   field's whole value (its subfield values trimmed and joined by spaces, as
//!   pymarc's `value()`); one value a matching field;
//! - `6..`, `.5.`: `.` is a wildcard in a tag;
//! - `245$a`, `245$a$c`, `245$a-c`, `650$ax` (marcmap's shorthand for
//!   `650$a$x`): one value a matching subfield, in field order;
//! - `245^2`: an indicator;
//! - `650[0]`, `650[#]`, `700[0-2]`, `300[#-1]`, `650$a[0]`: occurrences
//!   (from 0; `#` is the last, `#-1` the last two);
//! - `LDR/06`, `008/35-37`, `245$a/0-3`, `245$a/#-1`: characters (leading zeros
//!   allowed, `LDR/06` is `LDR/6`);
//! - subspecs, conditions on the value they follow: `650$a{$2=\lcsh}`,
//!   `245$a{!501$a}`, `020$c{$q~\paperback}`, `008/18{LDR/6=\a}{LDR/7=\m|LDR/7=\s}`,
//!   with `=` `!=` `~` (includes) `!~` `?` (exists) `!` (does not exist), `|`
//!   for or, subspecs in a row for and, and comparison strings after `\`
//!   (`\s` a space; escape `$ { } ! = ~ ? |` with `\`).
//!
//! A spec without an index gives every occurrence (MARCspec), so `007/0`
//! gives the first character of every 007; a spec that names one occurrence,
//! the leader, or characters of a field ([`Spec::is_single`]) is a
//! single-value column in Arrow (its first value). Characters are counted in
//! decoded text (bytes for raw values). Not implemented from MARCspec: a
//! wildcard tag does not match the leader.
//!
//! ```
//! use marcmap::spec::Spec;
//! use marcmap::{RecordRef, TextDecoder};
//!
//! let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d";
//! let record = RecordRef::parse(raw).unwrap();
//! let decoder = TextDecoder::new();
//! let values = |s: &str| Spec::parse(s).unwrap().values(&record, &decoder).unwrap();
//! assert_eq!(values("245$a"), ["A title"]);
//! assert_eq!(values("245$a-b"), ["A title", "part"]);
//! assert_eq!(values("245^1"), ["1"]);
//! assert_eq!(values("245$a/#-1{^2=\\0}"), ["le"]);
//! assert_eq!(values("LDR/6"), ["a"]);
//! assert!(values("245$b{$a~\\x}").is_empty());
//! let err = Spec::parse("245$").unwrap_err();
//! assert_eq!(err.to_string(), "`245$`: a subfield code after '$' at column 5");
//! ```
//!
//! Values go into a [`ValueBuf`]: one flat buffer and a span a value, so that
//! a chunk of records costs a handful of allocations, and the Arrow builders
//! can take the buffer as a column's values whole.

mod ast;
mod eval;
mod parse;

use crate::error::Result;
use crate::record::{FieldRef, RecordRef};
use crate::subfield_code;
use crate::text::{RecordText, TextDecoder};
use ast::{Span, Target};
use std::fmt;

/// A parsed spec: what to pull out of each record. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    text: Box<str>,
    target: Target,
}

/// A spec (or a filter expression) that does not parse: where, and what was
/// expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    text: String,
    column: usize,
    expected: String,
}

impl SpecError {
    /// An error in `text` at byte `at`: `expected` there.
    pub(crate) fn new(text: &str, at: usize, expected: impl Into<String>) -> Self {
        let at = at.min(text.len());
        let column = text.char_indices().take_while(|&(i, _)| i < at).count() + 1;
        SpecError {
            text: text.to_string(),
            column,
            expected: expected.into(),
        }
    }

    /// The text that did not parse.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The column (in characters, from 1) where something else was expected.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What was expected there.
    pub fn expected(&self) -> &str {
        &self.expected
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`: {} at column {}",
            self.text, self.expected, self.column
        )
    }
}

impl std::error::Error for SpecError {}

impl Spec {
    /// Parses a MARCspec, or marcmap's shorthand `650$ax`.
    ///
    /// ```
    /// use marcmap::spec::Spec;
    /// assert!(Spec::parse("650[0]$a{$2=\\lcsh}").is_ok());
    /// let e = Spec::parse("245$a/3-1").unwrap_err();
    /// assert_eq!(e.column(), 7);
    /// ```
    pub fn parse(spec: &str) -> std::result::Result<Spec, SpecError> {
        let target = parse::Parser::new(spec, 0).spec()?;
        Ok(Spec {
            text: spec.into(),
            target,
        })
    }

    /// Parses the spec that starts at byte `at` of `text` and no further;
    /// returns it and where it ends (for specs inside filter expressions).
    pub(crate) fn parse_prefix(
        text: &str,
        at: usize,
    ) -> std::result::Result<(Spec, usize), SpecError> {
        let mut p = parse::Parser::new(text, at);
        let target = p.spec_prefix()?;
        let end = p.pos();
        Ok((
            Spec {
                text: text[at..end].into(),
                target,
            },
            end,
        ))
    }

    /// The spec as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the spec gives at most one value a record, or is read as if
    /// it did (its first value) in single-value places such as an Arrow
    /// `string` column: the leader, characters of a field (`008/35-37`), or
    /// one occurrence (`245[0]`, `650[#]$a[0]`).
    pub fn is_single(&self) -> bool {
        let one = |s: Option<Span>| s.is_some_and(Span::is_single);
        match &self.target {
            Target::Field { field, chars, .. } => {
                field.tag.is_leader() || chars.is_some() || one(field.index)
            }
            Target::Subfields { field, subfields } => {
                one(field.index) && matches!(&subfields[..], [s] if one(s.index))
            }
            Target::Indicator { field, .. } => one(field.index),
        }
    }

    /// The values of this spec in `record`, decoded by `decoder`, in order.
    /// An error is a value that does not decode.
    pub fn values(&self, record: &RecordRef<'_>, decoder: &TextDecoder) -> Result<Vec<String>> {
        let x = Extractor::new(record.clone(), decoder);
        let mut out = ValueBuf::new(false);
        x.extract_into(self, false, &mut out)?;
        Ok(out
            .spans
            .iter()
            .map(|&(a, b)| out.text[a..b].to_string())
            .collect())
    }
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Spec {
    type Err = SpecError;

    fn from_str(s: &str) -> std::result::Result<Spec, SpecError> {
        Spec::parse(s)
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

    /// Appends the values of `spec` in this record to `out` (with `first`,
    /// only the first); returns how many.
    pub fn extract_into(&self, spec: &Spec, first: bool, out: &mut ValueBuf) -> Result<usize> {
        let before = out.spans.len();
        self.walk(&spec.target, &mut |piece, chars| {
            self.push_piece(piece, chars, out)?;
            Ok(!(first && out.spans.len() > before))
        })?;
        Ok(out.spans.len() - before)
    }

    /// How many values `spec` gives in this record, decoding nothing but
    /// what [`Extractor::has_any`] would.
    pub fn count(&self, spec: &Spec) -> Result<usize> {
        let mut n = 0;
        self.walk(&spec.target, &mut |piece, chars| {
            if chars.is_none() || self.cut_text(piece, chars)?.is_some() {
                n += 1;
            }
            Ok(true)
        })?;
        Ok(n)
    }

    /// Whether the record has any value for `spec`. Nothing is decoded
    /// unless a subspec compares values or characters are counted in text
    /// that is not ASCII; an error is such a value that does not decode.
    pub fn has_any(&self, spec: &Spec) -> Result<bool> {
        let mut found = false;
        self.walk(&spec.target, &mut |piece, chars| {
            found = chars.is_none() || self.cut_text(piece, chars)?.is_some();
            Ok(!found)
        })?;
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_old_forms_and_refuses_bad_ones() {
        for good in ["245$ab", "001", "LDR/06", "008/35-37", "ldr/0-4", "650$ax"] {
            assert_eq!(
                Spec::parse(good).map(|s| s.to_string()),
                Ok(good.to_string())
            );
        }
        for (bad, column) in [
            ("24", 3),
            ("245$", 5),
            ("008/", 5),
            ("008/9-3", 5),
            ("008/a", 5),
            ("LEADER/06", 4),
            ("008/-3", 5),
            ("245$a{$b", 9),
            ("245$a{$b=\\x y}", 12),
        ] {
            let e = Spec::parse(bad).unwrap_err();
            assert_eq!(e.column(), column, "{bad}: {e}");
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
