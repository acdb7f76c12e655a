//! Evaluating a parsed spec on a record, in place: fields are walked in
//! directory order, values are slices of the record until they are pushed
//! to a [`ValueBuf`] or compared in a subspec.

use super::ast::{FieldSel, Op, Span, SubSpec, SubfieldSel, Target, Term, Test};
use super::{Extractor, ValueBuf};
use crate::error::Result;
use crate::record::FieldRef;
use crate::subfield_code;
use smallvec::{smallvec, SmallVec};
use std::borrow::Cow;

/// One value a spec picks, before decoding.
#[derive(Clone, Copy)]
pub(crate) enum Piece<'a> {
    /// The leader, or part of it.
    Leader(&'a [u8]),
    /// Bytes of a field: a control field's data, a subfield's value, an indicator.
    Part(FieldRef<'a>, &'a [u8]),
    /// A data field's subfield values, trimmed and joined by spaces.
    Joined(FieldRef<'a>),
}

/// What a subspec is about: the value it belongs to, and that value's field.
#[derive(Clone, Copy)]
struct Current<'a> {
    field: Option<FieldRef<'a>>,
    piece: Piece<'a>,
}

/// Receives each value picked, with the characters to keep; returns whether
/// to go on.
type Sink<'s, 'a> = dyn FnMut(Piece<'a>, Option<Span>) -> Result<bool> + 's;

/// A blank, for an indicator a field lacks (pymarc reads it as one).
const BLANK: &[u8] = b" ";

/// Whether the characters `span` picks out of `bytes` are where the bytes
/// are: true when the bytes up to the span's end are ASCII.
fn ascii_through(bytes: &[u8], span: Span) -> bool {
    match span.forward_end() {
        Some(end) => bytes[..end.min(bytes.len())].is_ascii(),
        None => bytes.is_ascii(),
    }
}

/// The characters `span` picks out of `text`, if any.
fn cut_chars<'t>(text: Cow<'t, str>, span: Span) -> Option<Cow<'t, str>> {
    let len = if span.forward_end().is_some() {
        usize::MAX
    } else {
        text.chars().count()
    };
    let range = span.resolve(len);
    let mut bounds = text
        .char_indices()
        .map(|(at, _)| at)
        .chain(std::iter::once(text.len()));
    let start = bounds.nth(range.start)?;
    let end = if range.is_empty() {
        start
    } else {
        bounds.nth(range.len() - 1).unwrap_or(text.len()).max(start)
    };
    if end <= start {
        return None;
    }
    Some(match text {
        Cow::Borrowed(s) => Cow::Borrowed(&s[start..end]),
        Cow::Owned(s) => Cow::Owned(s[start..end].to_string()),
    })
}

impl<'a> Extractor<'a> {
    /// Calls `sink` with every value `target` picks from the record, in
    /// order, until it says stop; returns false if it did.
    pub(crate) fn walk(&self, target: &Target, sink: &mut Sink<'_, 'a>) -> Result<bool> {
        match target {
            Target::Field {
                field,
                chars,
                subspecs,
            } => {
                if field.tag.is_leader() {
                    if field.index.is_some_and(|s| s.resolve(1).is_empty()) {
                        return Ok(true);
                    }
                    let piece = Piece::Leader(self.record.leader().as_bytes());
                    let cur = Current { field: None, piece };
                    if subspecs.is_empty() || self.holds(subspecs, cur)? {
                        return sink(piece, *chars);
                    }
                    return Ok(true);
                }
                self.walk_fields(field, &mut |f| {
                    let piece = if f.is_control() {
                        Piece::Part(f, f.data())
                    } else {
                        Piece::Joined(f)
                    };
                    let cur = Current {
                        field: Some(f),
                        piece,
                    };
                    if subspecs.is_empty() || self.holds(subspecs, cur)? {
                        return sink(piece, *chars);
                    }
                    Ok(true)
                })
            }
            Target::Subfields { field, subfields } => {
                if field.tag.is_leader() {
                    return Ok(true);
                }
                self.walk_fields(field, &mut |f| self.walk_subfields(f, subfields, sink))
            }
            Target::Indicator {
                field,
                which,
                subspecs,
            } => {
                if field.tag.is_leader() {
                    return Ok(true);
                }
                self.walk_fields(field, &mut |f| {
                    let Some(piece) = Self::indicator(f, *which) else {
                        return Ok(true);
                    };
                    let cur = Current {
                        field: Some(f),
                        piece,
                    };
                    if subspecs.is_empty() || self.holds(subspecs, cur)? {
                        return sink(piece, None);
                    }
                    Ok(true)
                })
            }
        }
    }

    /// Indicator `which` (0 or 1) of a data field; a missing one is a blank.
    fn indicator(f: FieldRef<'a>, which: usize) -> Option<Piece<'a>> {
        if f.is_control() {
            return None;
        }
        let ind = f.indicator_bytes();
        Some(Piece::Part(f, ind.get(which..which + 1).unwrap_or(BLANK)))
    }

    /// Calls `each` with the fields `sel` picks, in directory order.
    fn walk_fields(
        &self,
        sel: &FieldSel,
        each: &mut dyn FnMut(FieldRef<'a>) -> Result<bool>,
    ) -> Result<bool> {
        // The tags are compared in the directory first: a field's place in
        // the record is worked out only for the fields the pattern picks. A
        // tag with no wildcard (the common case) is one 3-byte comparison.
        let tag = sel.tag;
        if tag.is_literal() {
            self.walk_picked(sel, |t| *t == tag.0, each)
        } else {
            self.walk_picked(sel, |t| tag.matches(t), each)
        }
    }

    /// Calls `each` with the fields whose tags `picks`, in directory order,
    /// that `sel`'s occurrence index picks.
    #[inline]
    fn walk_picked(
        &self,
        sel: &FieldSel,
        picks: impl Fn(&[u8; 3]) -> bool,
        each: &mut dyn FnMut(FieldRef<'a>) -> Result<bool>,
    ) -> Result<bool> {
        let range = match sel.index {
            None => 0..usize::MAX,
            Some(s) if s.counts_from_end() => {
                s.resolve(self.record.tags().filter(|t| picks(t)).count())
            }
            Some(s) => s.resolve(usize::MAX),
        };
        let mut seen = 0usize;
        for (i, t) in self.record.tags().enumerate() {
            if !picks(t) {
                continue;
            }
            seen += 1;
            if seen <= range.start {
                continue;
            }
            if seen > range.end {
                break;
            }
            let Some(f) = self.record.field(i) else {
                continue;
            };
            if !each(f)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Calls `sink` with the subfields of `f` that `sels` pick, in field
    /// order (a subfield two selectors pick, once for each).
    fn walk_subfields(
        &self,
        f: FieldRef<'a>,
        sels: &[SubfieldSel],
        sink: &mut Sink<'_, 'a>,
    ) -> Result<bool> {
        if f.is_control() {
            return Ok(true);
        }
        // How many subfields each selector matches, when an index counts from the end.
        let totals: SmallVec<[usize; 4]> = if sels
            .iter()
            .any(|s| s.index.is_some_and(Span::counts_from_end))
        {
            sels.iter()
                .map(|s| {
                    f.subfields()
                        .filter(|sf| subfield_code::matching(&s.codes, sf.code, sf.value).is_some())
                        .count()
                })
                .collect()
        } else {
            SmallVec::new()
        };
        let mut seen: SmallVec<[usize; 4]> = smallvec![0; sels.len()];
        for sf in f.subfields() {
            for (k, sel) in sels.iter().enumerate() {
                let Some(value) = subfield_code::matching(&sel.codes, sf.code, sf.value) else {
                    continue;
                };
                let n = seen[k];
                seen[k] += 1;
                if let Some(index) = sel.index {
                    let len = totals.get(k).copied().unwrap_or(usize::MAX);
                    if !index.resolve(len).contains(&n) {
                        continue;
                    }
                }
                let piece = Piece::Part(f, value);
                if !sel.subspecs.is_empty()
                    && !self.holds(
                        &sel.subspecs,
                        Current {
                            field: Some(f),
                            piece,
                        },
                    )?
                {
                    continue;
                }
                if !sink(piece, sel.chars)? {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Whether every subspec holds for `cur`.
    fn holds(&self, subspecs: &[SubSpec], cur: Current<'a>) -> Result<bool> {
        for sub in subspecs {
            let mut any = false;
            for test in &sub.any {
                if self.test(test, cur)? {
                    any = true;
                    break;
                }
            }
            if !any {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// One test of a subspec (MARCspec's "SubSpec validation"): false when
    /// the left side has no value.
    fn test(&self, t: &Test, cur: Current<'a>) -> Result<bool> {
        if matches!(t.op, Op::Exists | Op::NotExists) {
            if !self.exists(&t.left, cur)? {
                return Ok(false);
            }
            return Ok(self.exists(&t.right, cur)? == (t.op == Op::Exists));
        }
        let left = self.texts(&t.left, cur)?;
        if left.is_empty() {
            return Ok(false);
        }
        let right = self.texts(&t.right, cur)?;
        let includes = matches!(t.op, Op::Includes | Op::NotIncludes);
        let any = left.iter().any(|l| {
            right
                .iter()
                .any(|r| if includes { l.contains(&**r) } else { l == r })
        });
        Ok(if matches!(t.op, Op::Equal | Op::Includes) {
            any
        } else {
            !any
        })
    }

    /// Calls `sink` with every value `term` refers to for `cur`.
    fn walk_term(&self, term: &Term, cur: Current<'a>, sink: &mut Sink<'_, 'a>) -> Result<bool> {
        match term {
            // Handled by the callers: not a part of the record.
            Term::Text(_) => Ok(true),
            Term::Current { chars } => sink(cur.piece, *chars),
            Term::FieldSubfields(sels) => match cur.field {
                Some(f) => self.walk_subfields(f, sels, sink),
                None => Ok(true),
            },
            Term::FieldIndicator(which) => match cur.field.and_then(|f| Self::indicator(f, *which))
            {
                Some(piece) => sink(piece, None),
                None => Ok(true),
            },
            Term::Record(target) => self.walk(target, sink),
        }
    }

    /// Whether `term` has a value for `cur`.
    fn exists(&self, term: &Term, cur: Current<'a>) -> Result<bool> {
        if let Term::Text(_) = term {
            return Ok(true);
        }
        let mut found = false;
        self.walk_term(term, cur, &mut |piece, chars| {
            found = chars.is_none() || self.cut_text(piece, chars)?.is_some();
            Ok(!found)
        })?;
        Ok(found)
    }

    /// The values of `term` for `cur`, as text.
    fn texts<'t>(&'t self, term: &'t Term, cur: Current<'a>) -> Result<SmallVec<[Cow<'t, str>; 2]>>
    where
        'a: 't,
    {
        if let Term::Text(s) = term {
            return Ok(smallvec![Cow::Borrowed(&**s)]);
        }
        let mut out: SmallVec<[Cow<'t, str>; 2]> = SmallVec::new();
        self.walk_term(term, cur, &mut |piece, chars| {
            out.extend(self.cut_text(piece, chars)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// A piece's whole text.
    fn piece_text(&self, piece: Piece<'a>) -> Result<Cow<'a, str>> {
        match piece {
            Piece::Leader(b) => Ok(String::from_utf8_lossy(b)),
            Piece::Part(f, b) => self.decoded.value(&f, b),
            Piece::Joined(f) => {
                let mut out = ValueBuf::new(false);
                self.push_joined(&f, &mut out)?;
                Ok(Cow::Owned(out.text))
            }
        }
    }

    /// A piece's text, or the characters `chars` picks of it (`None` when
    /// it picks none).
    pub(crate) fn cut_text(
        &self,
        piece: Piece<'a>,
        chars: Option<Span>,
    ) -> Result<Option<Cow<'a, str>>> {
        let Some(span) = chars else {
            return self.piece_text(piece).map(Some);
        };
        match piece {
            Piece::Leader(b) | Piece::Part(_, b) if ascii_through(b, span) => {
                let range = span.resolve(b.len());
                if range.is_empty() {
                    return Ok(None);
                }
                let part = &b[range];
                let piece = match piece {
                    Piece::Part(f, _) => Piece::Part(f, part),
                    _ => Piece::Leader(part),
                };
                self.piece_text(piece).map(Some)
            }
            _ => Ok(cut_chars(self.piece_text(piece)?, span)),
        }
    }

    /// Appends `piece` (the characters `chars` picks of it) to `out`:
    /// decoded text, or raw bytes when `out` is binary (then positions are
    /// bytes).
    pub(crate) fn push_piece(
        &self,
        piece: Piece<'a>,
        chars: Option<Span>,
        out: &mut ValueBuf,
    ) -> Result<()> {
        let whole = match (piece, chars) {
            (piece, None) => Some(piece),
            (Piece::Leader(b), Some(span)) if out.binary || ascii_through(b, span) => {
                let range = span.resolve(b.len());
                (!range.is_empty()).then(|| Piece::Leader(&b[range]))
            }
            (Piece::Part(f, b), Some(span)) if out.binary || ascii_through(b, span) => {
                let range = span.resolve(b.len());
                (!range.is_empty()).then(|| Piece::Part(f, &b[range]))
            }
            (Piece::Joined(f), Some(span)) if out.binary => {
                let mut joined = ValueBuf::new(true);
                self.push_joined(&f, &mut joined)?;
                let range = span.resolve(joined.raw.len());
                if !range.is_empty() {
                    let at = out.raw.len();
                    out.raw.extend_from_slice(&joined.raw[range]);
                    out.spans.push((at, out.raw.len()));
                }
                return Ok(());
            }
            (piece, Some(span)) => {
                if let Some(text) = cut_chars(self.piece_text(piece)?, span) {
                    let at = out.text.len();
                    out.text.push_str(&text);
                    out.spans.push((at, out.text.len()));
                }
                return Ok(());
            }
        };
        match whole {
            None => Ok(()),
            Some(Piece::Leader(b)) => {
                let at = out.end();
                if out.binary {
                    out.raw.extend_from_slice(b);
                } else {
                    // The leader is ASCII when it is valid; other bytes are shown, not refused.
                    out.text.push_str(&String::from_utf8_lossy(b));
                }
                out.spans.push((at, out.end()));
                Ok(())
            }
            Some(Piece::Part(f, b)) => self.push_value(&f, b, out),
            Some(Piece::Joined(f)) => self.push_joined(&f, out),
        }
    }
}
