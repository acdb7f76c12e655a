//! What a parsed MARCspec is made of. The parser ([`super::parse`]) builds
//! it with every abbreviation resolved, so the evaluator ([`super::eval`])
//! never looks at the text again.

use smallvec::SmallVec;
use std::ops::Range;

/// A position or a range of positions: of characters (`/0-3`) or of
/// occurrences (`[0]`), counted from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    /// From `start` to `end`, both included; `end` `None` is `#`, the last.
    Forward { start: usize, end: Option<usize> },
    /// The last `n + 1`: `#` is `Last(0)`, `#-1` the last two.
    Last(usize),
}

impl Span {
    /// The positions this span picks out of `len`; empty when it picks none.
    pub(crate) fn resolve(self, len: usize) -> Range<usize> {
        match self {
            Span::Forward { start, end } => {
                let end = end.map_or(len, |e| e.saturating_add(1).min(len));
                start.min(end)..end
            }
            Span::Last(n) => len.saturating_sub(n.saturating_add(1))..len,
        }
    }

    /// Whether resolving needs the length first (counting from the end).
    pub(crate) fn counts_from_end(self) -> bool {
        matches!(self, Span::Last(_))
    }

    /// Whether it picks one position at most.
    pub(crate) fn is_single(self) -> bool {
        match self {
            Span::Forward { start, end } => end == Some(start),
            Span::Last(n) => n == 0,
        }
    }

    /// One past the last position it can reach when counted from the start
    /// (`None` when it counts from the end or runs to it).
    pub(crate) fn forward_end(self) -> Option<usize> {
        match self {
            Span::Forward { end: Some(e), .. } => Some(e.saturating_add(1)),
            _ => None,
        }
    }
}

/// A field tag with `.` as a wildcard for one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag(pub(crate) [u8; 3]);

impl Tag {
    /// Whether this is the leader (`LDR`).
    pub(crate) fn is_leader(&self) -> bool {
        &self.0 == b"LDR" || &self.0 == b"ldr"
    }

    /// Whether the pattern has no wildcard: it picks one tag.
    #[inline]
    pub(crate) fn is_literal(&self) -> bool {
        !self.0.contains(&b'.')
    }

    /// Whether a field with `tag` is one of this pattern's.
    #[inline]
    pub(crate) fn matches(&self, tag: &[u8; 3]) -> bool {
        let p = &self.0;
        (p[0] == b'.' || p[0] == tag[0])
            && (p[1] == b'.' || p[1] == tag[1])
            && (p[2] == b'.' || p[2] == tag[2])
    }
}

/// Which fields: a tag pattern and which of their occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldSel {
    pub(crate) tag: Tag,
    pub(crate) index: Option<Span>,
}

/// Which subfields of a field: codes, which of their occurrences, which
/// characters, and the conditions on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubfieldSel {
    /// The codes (ASCII); a range `$a-c` is spelt out.
    pub(crate) codes: SmallVec<[u8; 4]>,
    pub(crate) index: Option<Span>,
    pub(crate) chars: Option<Span>,
    pub(crate) subspecs: Vec<SubSpec>,
}

/// What a spec refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// The leader or fields: their data (or joined subfield values), or
    /// characters of it.
    Field {
        field: FieldSel,
        chars: Option<Span>,
        subspecs: Vec<SubSpec>,
    },
    /// Subfields of fields, in field order.
    Subfields {
        field: FieldSel,
        subfields: Vec<SubfieldSel>,
    },
    /// Indicator 1 (`which` 0) or 2 (`which` 1) of fields.
    Indicator {
        field: FieldSel,
        which: usize,
        subspecs: Vec<SubSpec>,
    },
}

/// A condition in braces: true when one of its tests is (`|` is or).
/// Subspecs one after another must all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubSpec {
    pub(crate) any: Vec<Test>,
}

/// One test of a subspec: `left op right`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Test {
    pub(crate) left: Term,
    pub(crate) op: Op,
    pub(crate) right: Term,
}

/// A subspec's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `=`: a left value equals a right value.
    Equal,
    /// `!=`: no left value equals a right value.
    NotEqual,
    /// `~`: a left value contains a right value.
    Includes,
    /// `!~`: no left value contains a right value.
    NotIncludes,
    /// `?`: the right side has a value.
    Exists,
    /// `!`: the right side has no value.
    NotExists,
}

/// One side of a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Term {
    /// A comparison string (`\text`), its escapes resolved.
    Text(Box<str>),
    /// The value being tested (the field, subfield or indicator the subspec
    /// belongs to), or some of its characters.
    Current { chars: Option<Span> },
    /// Subfields of the field being tested (an abbreviation such as `$a`).
    FieldSubfields(Vec<SubfieldSel>),
    /// An indicator of the field being tested (`^1`).
    FieldIndicator(usize),
    /// A whole spec, anywhere in the record.
    Record(Box<Target>),
}
