//! A rule's `where` condition, judged on a [`RecordRef`].
//!
//! - `TAG`, `TAG$c`: the record has such a field (a subfield with code `c`);
//! - `SPEC = VALUE`, `SPEC != VALUE`: some value (none, for `!=`) is `VALUE`,
//!   byte for byte;
//! - `SPEC ~ /REGEX/FLAGS`: some value matches (flags `i`, `m`, `s`, `x`);
//! - `not C`, `C and C`, `C or C`, parentheses.
//!
//! `SPEC` is a tag pattern (`650`, `6XX`) with subfield codes (`650$a`,
//! `650$ax`; a field's whole value without them), or positions (`LDR/06`,
//! `008/35-37`).

use super::parse::{Cursor, Parsed};
use crate::owned::TagPattern;
use crate::record::{FieldRef, RecordRef};
use regex::bytes::Regex;

/// A parsed condition.
#[derive(Debug, Clone)]
pub(crate) enum Condition {
    Not(Box<Condition>),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Test { spec: Target, test: Test },
}

/// What a test looks at.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// Fields (their whole data with no codes), or their subfields with codes.
    Fields { tags: TagPattern, codes: Vec<u8> },
    /// Positions of the leader (`tag` `None`) or of control fields.
    Positions {
        tag: Option<TagPattern>,
        start: usize,
        len: usize,
    },
}

/// What is asked of the target's values.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    Exists,
    Equals(Vec<u8>),
    NotEquals(Vec<u8>),
    Matches(Regex),
}

/// Parses a condition that runs to the end of the rule.
pub(crate) fn parse(c: &mut Cursor<'_>) -> Parsed<Condition> {
    if c.at_end() {
        return c.fail(c.pos(), "where what? where 040$a = DLC, where not 856");
    }
    let cond = or(c)?;
    if !c.at_end() {
        let (at, w) = c.peek_word();
        return c.fail(
            at,
            format!("unexpected {w:?}: join conditions with and, or"),
        );
    }
    Ok(cond)
}

fn or(c: &mut Cursor<'_>) -> Parsed<Condition> {
    let mut left = and(c)?;
    while c.keyword("or") {
        left = Condition::Or(Box::new(left), Box::new(and(c)?));
    }
    Ok(left)
}

fn and(c: &mut Cursor<'_>) -> Parsed<Condition> {
    let mut left = unary(c)?;
    while c.keyword("and") {
        left = Condition::And(Box::new(left), Box::new(unary(c)?));
    }
    Ok(left)
}

fn unary(c: &mut Cursor<'_>) -> Parsed<Condition> {
    if c.keyword("not") {
        return Ok(Condition::Not(Box::new(unary(c)?)));
    }
    if c.peek_char() == Some('(') {
        c.advance(1);
        let inner = or(c)?;
        if c.peek_char() != Some(')') {
            return c.fail(c.pos(), "expected ) to close the (");
        }
        c.advance(1);
        return Ok(inner);
    }
    test(c)
}

/// The end of a spec in a condition: white space, a comparison or a `)`.
fn spec_end(s: &str) -> usize {
    s.find(|ch: char| ch.is_whitespace() || matches!(ch, '=' | '!' | '~' | ')'))
        .unwrap_or(s.len())
}

fn test(c: &mut Cursor<'_>) -> Parsed<Condition> {
    c.skip_ws();
    let at = c.pos();
    let text = &c.rest()[..spec_end(c.rest())];
    if text.is_empty() {
        return c.fail(at, "expected a field (245, 6XX, 040$a or LDR/06)");
    }
    c.advance(text.len());
    let spec = target(c, at, text)?;
    c.skip_ws();
    let rest = c.rest();
    let test = if rest.starts_with("!=") || rest.starts_with('=') {
        let negate = rest.starts_with('!');
        c.advance(if negate { 2 } else { 1 });
        let (vat, value) = c.value(&[")", " and ", " or "])?;
        if value.is_empty() && !c.rest().is_empty() && !c.rest().starts_with(')') {
            return c.fail(vat, "expected a value to compare with");
        }
        let value = value.into_bytes();
        if negate {
            Test::NotEquals(value)
        } else {
            Test::Equals(value)
        }
    } else if rest.starts_with('~') {
        c.advance(1);
        c.skip_ws();
        let re_at = c.pos();
        if !c.rest().starts_with('/') {
            return c.fail(
                re_at,
                "~ takes a regular expression between slashes: ~ /jazz/i",
            );
        }
        let (regex, _) = c.regex(false)?;
        Test::Matches(regex)
    } else {
        Test::Exists
    };
    Ok(Condition::Test { spec, test })
}

fn target(c: &Cursor<'_>, at: usize, text: &str) -> Parsed<Target> {
    if let Some((tag, pos)) = text.split_once('/') {
        let num = |s: &str| -> Option<usize> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (start, end) = match pos.split_once('-') {
            Some((a, b)) => (num(a), num(b)),
            None => (num(pos), num(pos)),
        };
        let (Some(start), Some(end)) = (start, end) else {
            return c.fail(
                at + tag.len() + 1,
                format!("{pos:?}: positions are NN or NN-MM"),
            );
        };
        if end < start {
            return c.fail(at + tag.len() + 1, "the positions run backwards");
        }
        let tag = if tag.eq_ignore_ascii_case("LDR") {
            None
        } else {
            Some(TagPattern::parse(tag).or_else(|e| c.fail(at, e.to_string()))?)
        };
        return Ok(Target::Positions {
            tag,
            start,
            len: end - start + 1,
        });
    }
    let (tag, codes) = text.split_once('$').unwrap_or((text, ""));
    let tags = TagPattern::parse(tag).or_else(|e| c.fail(at, e.to_string()))?;
    if text.contains('$') && codes.is_empty() {
        return c.fail(at + tag.len() + 1, "a $ with no subfield code after it");
    }
    Ok(Target::Fields {
        tags,
        codes: codes.bytes().collect(),
    })
}

impl Condition {
    /// Whether `record` satisfies the condition.
    pub(crate) fn holds(&self, record: &RecordRef<'_>) -> bool {
        match self {
            Condition::Not(c) => !c.holds(record),
            Condition::And(a, b) => a.holds(record) && b.holds(record),
            Condition::Or(a, b) => a.holds(record) || b.holds(record),
            Condition::Test { spec, test } => {
                let mut any = false;
                let mut seen = false;
                each_value(record, spec, &mut |v| {
                    seen = true;
                    any = any
                        || match test {
                            Test::Exists => true,
                            Test::Equals(x) | Test::NotEquals(x) => v == &x[..],
                            Test::Matches(re) => re.is_match(v),
                        };
                    any
                });
                match test {
                    Test::Exists => seen,
                    Test::NotEquals(_) => !any,
                    _ => any,
                }
            }
        }
    }
}

/// Calls `visit` with each value of `spec` in `record` until it returns true.
fn each_value(record: &RecordRef<'_>, spec: &Target, visit: &mut dyn FnMut(&[u8]) -> bool) {
    match spec {
        Target::Positions {
            tag: None,
            start,
            len,
        } => {
            if let Some(v) = record.leader().as_bytes().get(*start..start + len) {
                visit(v);
            }
        }
        Target::Positions {
            tag: Some(tags),
            start,
            len,
        } => {
            for f in record.fields().filter(|f| tags.matches(f.tag())) {
                if let Some(v) = f.data().get(*start..start + len) {
                    if visit(v) {
                        return;
                    }
                }
            }
        }
        Target::Fields { tags, codes } => {
            for f in record.fields().filter(|f| tags.matches(f.tag())) {
                if field_values(&f, codes, visit) {
                    return;
                }
            }
        }
    }
}

/// A field's values: its data (control), or its subfields with `codes` (all
/// of them when `codes` is empty, each one a value).
fn field_values(f: &FieldRef<'_>, codes: &[u8], visit: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    if f.is_control() {
        return codes.is_empty() && visit(f.data());
    }
    if codes.is_empty() {
        // The field is there: a value for `Exists`, and each subfield for
        // the comparisons.
        let mut any = false;
        for s in f.subfields() {
            any = true;
            if visit(s.value) {
                return true;
            }
        }
        return !any && visit(b"");
    }
    f.subfields()
        .filter(|s| codes.contains(&s.code))
        .any(|s| visit(s.value))
}
