//! Filter expressions: a small boolean language over [specs](crate::spec),
//! for choosing records.
//!
//! ```text
//! 245$a ~ /^the/i and not 856
//! LDR/06 = a and 008/35-37 in [eng, ger]
//! count(650) >= 3
//! 040$a = DLC or 040$d = DLC
//! (650$a ~ jazz or 650$a ~ blues) and 008/07-10 >= 1950
//! ```
//!
//! - `SPEC`: the record has a value for the spec;
//! - `SPEC = v`, `SPEC ~ v` (contains), `SPEC ~ /regex/flags`, `SPEC < v`
//!   (also `<=`, `>`, `>=`: as numbers when both sides are, else as text),
//!   `SPEC in [v, w]`: some value of the spec does;
//! - `SPEC != v`, `SPEC !~ v`, `SPEC not in [v, w]`: no value does (a record
//!   without a value matches);
//! - `count(SPEC) >= n` (also `=`, `!=`, `<`, `<=`, `>`): how many values the
//!   spec gives;
//! - `not`, `and`, `or` (in that order of binding, any case) and parentheses,
//!   nested at most [`MAX_NESTING`] deep.
//!
//! A value is a bare word (`DLC`, up to a space or `)`), a quoted string
//! (`"two words"`, `'it\'s'`), or for `~` a regex between slashes (the `regex`
//! crate's syntax; flags `i`, `m`, `s`, `x`, `U`). Values are compared as
//! decoded text. A word like `and` or `not` is a keyword, not a tag.
//!
//! ```
//! use marcmap::filter::Expr;
//! use marcmap::{RecordRef, TextDecoder};
//!
//! let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d";
//! let record = RecordRef::parse(raw).unwrap();
//! let decoder = TextDecoder::new();
//! let expr = Expr::parse("245$a ~ /^a t/i and not 856 and LDR/06 in [a, t]").unwrap();
//! assert!(expr.matches(&record, &decoder).unwrap());
//! assert!(!Expr::parse("count(245) > 1").unwrap().matches(&record, &decoder).unwrap());
//! let err = Expr::parse("245$a = ").unwrap_err();
//! assert_eq!(err.to_string(), "`245$a = `: a value at column 9");
//! ```

use crate::error::Result;
use crate::record::RecordRef;
use crate::spec::{Extractor, Spec, SpecError, ValueBuf, ValueRef};
use crate::text::TextDecoder;
use regex::{Regex, RegexBuilder};
use std::cmp::Ordering;
use std::fmt;

/// A parsed filter expression. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Expr {
    text: Box<str>,
    node: Node,
}

#[derive(Debug, Clone)]
enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    /// The spec has a value.
    Exists(Spec),
    /// Some value of the spec meets the test.
    Some(Spec, Test),
    /// How many values the spec gives, against a number.
    Count(Spec, Ordering, bool, usize),
}

#[derive(Debug, Clone)]
enum Test {
    Equal(String),
    Contains(String),
    Matches(Regex),
    In(Vec<String>),
    /// The value's order against this one is one of the two given.
    Order(String, Ordering, Ordering),
}

impl Test {
    fn hit(&self, value: &str) -> bool {
        match self {
            Test::Equal(v) => value == v,
            Test::Contains(v) => value.contains(v.as_str()),
            Test::Matches(re) => re.is_match(value),
            Test::In(vs) => vs.iter().any(|v| v == value),
            Test::Order(v, a, b) => {
                let o = compare(value, v);
                o == *a || o == *b
            }
        }
    }
}

/// Two values in order: as numbers when both are, else as text.
fn compare(a: &str, b: &str) -> Ordering {
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

impl Expr {
    /// Parses a filter expression; an error says where and what was expected.
    pub fn parse(text: &str) -> std::result::Result<Expr, SpecError> {
        let mut p = Parser {
            text,
            pos: 0,
            depth: 0,
        };
        let node = p.or()?;
        p.ws();
        if p.pos < text.len() {
            return Err(p.error("'and', 'or' or the end of the expression"));
        }
        Ok(Expr {
            text: text.into(),
            node,
        })
    }

    /// The expression as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `record` meets the expression, its values decoded by
    /// `decoder`. An error is a compared value that does not decode.
    pub fn matches(&self, record: &RecordRef<'_>, decoder: &TextDecoder) -> Result<bool> {
        self.matches_in(&Extractor::new(record.clone(), decoder))
    }

    /// [`Expr::matches`] on a record whose text is already decided.
    pub fn matches_in(&self, x: &Extractor<'_>) -> Result<bool> {
        let mut scratch = ValueBuf::new(false);
        eval(&self.node, x, &mut scratch)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Expr {
    type Err = SpecError;

    fn from_str(s: &str) -> std::result::Result<Expr, SpecError> {
        Expr::parse(s)
    }
}

fn eval(node: &Node, x: &Extractor<'_>, scratch: &mut ValueBuf) -> Result<bool> {
    Ok(match node {
        Node::Or(all) => {
            for n in all {
                if eval(n, x, scratch)? {
                    return Ok(true);
                }
            }
            false
        }
        Node::And(all) => {
            for n in all {
                if !eval(n, x, scratch)? {
                    return Ok(false);
                }
            }
            true
        }
        Node::Not(n) => !eval(n, x, scratch)?,
        Node::Exists(spec) => x.has_any(spec)?,
        Node::Some(spec, test) => {
            scratch.clear();
            x.extract_into(spec, false, scratch)?;
            scratch.spans.iter().any(|&span| match scratch.get(span) {
                ValueRef::Text(t) => test.hit(t),
                ValueRef::Bytes(_) => false,
            })
        }
        Node::Count(spec, order, or_equal, n) => {
            let got = x.count(spec)?;
            let o = got.cmp(n);
            if *order == Ordering::Equal {
                (o == Ordering::Equal) == *or_equal
            } else {
                o == *order || (*or_equal && o == Ordering::Equal)
            }
        }
    })
}

/// How deep parentheses and `not`s may nest. The parser, the evaluation and
/// the drop of an expression recurse once a level: without a bound, a long run
/// of `(` overflowed the stack, and a stack overflow aborts the process (the
/// Python interpreter with it) where an error is wanted.
pub const MAX_NESTING: usize = 100;

struct Parser<'s> {
    text: &'s str,
    pos: usize,
    /// The parentheses and `not`s open at `pos`.
    depth: usize,
}

impl<'s> Parser<'s> {
    fn rest(&self) -> &'s str {
        &self.text[self.pos..]
    }

    fn ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn error(&self, expected: &str) -> SpecError {
        SpecError::new(self.text, self.pos, expected)
    }

    /// Takes `word` (any case) if it is the next word.
    fn keyword(&mut self, word: &str) -> bool {
        self.ws();
        let rest = self.rest().as_bytes();
        let n = word.len();
        let fits = rest.len() >= n
            && rest[..n].eq_ignore_ascii_case(word.as_bytes())
            && rest
                .get(n)
                .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'(' | b'['));
        if fits {
            self.pos += n;
        }
        fits
    }

    fn eat(&mut self, s: &str) -> bool {
        self.ws();
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> std::result::Result<Node, SpecError> {
        let mut all = vec![self.and()?];
        while self.keyword("or") {
            all.push(self.and()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Node::Or(all)
        })
    }

    fn and(&mut self) -> std::result::Result<Node, SpecError> {
        let mut all = vec![self.unary()?];
        while self.keyword("and") {
            all.push(self.unary()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Node::And(all)
        })
    }

    fn unary(&mut self) -> std::result::Result<Node, SpecError> {
        let start = self.pos;
        if self.keyword("not") {
            let inner = self.nested(start, Self::unary)?;
            return Ok(Node::Not(Box::new(inner)));
        }
        self.atom()
    }

    /// `parse` one level deeper, or an error at `start` (the `(` or `not`
    /// that opens the level) past [`MAX_NESTING`].
    fn nested(
        &mut self,
        start: usize,
        parse: fn(&mut Self) -> std::result::Result<Node, SpecError>,
    ) -> std::result::Result<Node, SpecError> {
        if self.depth >= MAX_NESTING {
            self.ws_at(start);
            return Err(self.error(&format!(
                "at most {MAX_NESTING} parentheses and 'not's nested"
            )));
        }
        self.depth += 1;
        let node = parse(self);
        self.depth -= 1;
        node
    }

    /// Moves to `at`, past white space.
    fn ws_at(&mut self, at: usize) {
        self.pos = at;
        self.ws();
    }

    fn spec(&mut self) -> std::result::Result<Spec, SpecError> {
        self.ws();
        let (spec, end) = Spec::parse_prefix(self.text, self.pos)?;
        self.pos = end;
        Ok(spec)
    }

    fn atom(&mut self) -> std::result::Result<Node, SpecError> {
        self.ws();
        let start = self.pos;
        if self.rest().is_empty() || self.keyword("and") || self.keyword("or") {
            self.pos = start;
            return Err(self.error("a spec, 'not', 'count(' or '('"));
        }
        if self.eat("(") {
            let node = self.nested(start, Self::or)?;
            if !self.eat(")") {
                return Err(self.error("')'"));
            }
            return Ok(node);
        }
        if self.keyword("count") {
            if !self.eat("(") {
                return Err(self.error("'(' after count"));
            }
            let spec = self.spec()?;
            if !self.eat(")") {
                return Err(self.error("')' after count's spec"));
            }
            self.ws();
            let (order, or_equal) = match self.operator() {
                Some(Op::Order(o, e)) => (o, e),
                Some(Op::Equal) => (Ordering::Equal, true),
                Some(Op::NotEqual) => (Ordering::Equal, false),
                _ => return Err(self.error("a comparison ('=', '!=', '<', '<=', '>', '>=')")),
            };
            self.ws();
            let start = self.pos;
            let digits = self.rest().bytes().take_while(u8::is_ascii_digit).count();
            self.pos += digits;
            let n = self.text[start..self.pos]
                .parse()
                .map_err(|_| SpecError::new(self.text, start, "a number"))?;
            return Ok(Node::Count(spec, order, or_equal, n));
        }
        let spec = self.spec()?;
        self.ws();
        let negate_in = {
            let save = self.pos;
            if self.keyword("not") {
                if self.keyword("in") {
                    true
                } else {
                    self.pos = save;
                    return Err(self.error("'in' after 'not'"));
                }
            } else {
                false
            }
        };
        if negate_in || self.keyword("in") {
            let items = self.list()?;
            let node = Node::Some(spec, Test::In(items));
            return Ok(if negate_in {
                Node::Not(Box::new(node))
            } else {
                node
            });
        }
        let Some(op) = self.operator() else {
            return Ok(Node::Exists(spec));
        };
        self.ws();
        let test = if self.rest().starts_with('/') {
            let re = self.regex()?;
            match op {
                Op::Contains | Op::NotContains => Test::Matches(re),
                _ => return Err(self.error("'~' or '!~' before a regex")),
            }
        } else {
            let v = self.value(false)?;
            match op {
                Op::Equal | Op::NotEqual => Test::Equal(v),
                Op::Contains | Op::NotContains => Test::Contains(v),
                Op::Order(o, true) => Test::Order(v, o, Ordering::Equal),
                Op::Order(o, false) => Test::Order(v, o, o),
            }
        };
        let node = Node::Some(spec, test);
        Ok(if matches!(op, Op::NotEqual | Op::NotContains) {
            Node::Not(Box::new(node))
        } else {
            node
        })
    }

    fn operator(&mut self) -> Option<Op> {
        self.ws();
        let ops: [(&str, Op); 9] = [
            ("!=", Op::NotEqual),
            ("!~", Op::NotContains),
            ("==", Op::Equal),
            ("<=", Op::Order(Ordering::Less, true)),
            (">=", Op::Order(Ordering::Greater, true)),
            ("=", Op::Equal),
            ("~", Op::Contains),
            ("<", Op::Order(Ordering::Less, false)),
            (">", Op::Order(Ordering::Greater, false)),
        ];
        let (s, op) = ops.into_iter().find(|(s, _)| self.rest().starts_with(s))?;
        self.pos += s.len();
        Some(op)
    }

    /// `[v, w, ...]`.
    fn list(&mut self) -> std::result::Result<Vec<String>, SpecError> {
        if !self.eat("[") {
            return Err(self.error("'[' to start the list"));
        }
        let mut items = Vec::new();
        loop {
            self.ws();
            items.push(self.value(true)?);
            if self.eat(",") {
                continue;
            }
            if self.eat("]") {
                return Ok(items);
            }
            return Err(self.error("',' or ']'"));
        }
    }

    /// A quoted string or a bare word (in a list, also up to `,` or `]`).
    fn value(&mut self, in_list: bool) -> std::result::Result<String, SpecError> {
        let rest = self.rest();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let mut out = String::new();
            let mut chars = rest.char_indices().skip(1);
            while let Some((at, c)) = chars.next() {
                if c == quote {
                    self.pos += at + 1;
                    return Ok(out);
                }
                if c == '\\' {
                    match chars.next() {
                        Some((_, e)) => out.push(e),
                        None => break,
                    }
                } else {
                    out.push(c);
                }
            }
            self.pos = self.text.len();
            return Err(self.error(&format!("a closing {quote}")));
        }
        let end = rest
            .find(|c: char| {
                c.is_whitespace() || c == ')' || c == '(' || (in_list && (c == ',' || c == ']'))
            })
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(self.error("a value"));
        }
        self.pos += end;
        Ok(rest[..end].to_string())
    }

    /// `/regex/flags`.
    fn regex(&mut self) -> std::result::Result<Regex, SpecError> {
        let start = self.pos;
        let body = &self.rest()[1..];
        let mut end = None;
        let mut escaped = false;
        for (at, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '/' => {
                    end = Some(at);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            self.pos = self.text.len();
            return Err(self.error("a closing '/' after the regex"));
        };
        // `\/` stands for `/` in the pattern.
        let pattern = body[..end].replace("\\/", "/");
        self.pos = start + 1 + end + 1;
        let mut builder = RegexBuilder::new(&pattern);
        while let Some(flag) = self.rest().chars().next().filter(char::is_ascii_alphabetic) {
            match flag {
                'i' => builder.case_insensitive(true),
                'm' => builder.multi_line(true),
                's' => builder.dot_matches_new_line(true),
                'x' => builder.ignore_whitespace(true),
                'U' => builder.swap_greed(true),
                _ => return Err(self.error("a regex flag (i, m, s, x, U)")),
            };
            self.pos += 1;
        }
        builder.build().map_err(|e| {
            SpecError::new(
                self.text,
                start,
                format!("a valid regex ({})", e.to_string().replace('\n', " ")),
            )
        })
    }
}

#[derive(Clone, Copy)]
enum Op {
    Equal,
    NotEqual,
    Contains,
    NotContains,
    /// Less or greater; with `true`, or equal.
    Order(Ordering, bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Vec<u8> {
        let mut b = crate::OwnedRecord::builder()
            .leader(*b"00000nam a2200000 a 4500")
            .control(*b"008", "850101s1985    nyu           000 0 eng d")
            .data(*b"040", b' ', b' ')
            .subfield(b'a', "DLC")
            .subfield(b'c', "DLC")
            .data(*b"245", b'1', b'4')
            .subfield(b'a', "The title /")
            .subfield(b'c', "someone.");
        for s in ["Jazz", "Blues", "Jazz"] {
            b = b
                .data(*b"650", b' ', b'0')
                .subfield(b'a', s)
                .subfield(b'2', "lcsh");
        }
        b.build().to_iso2709().unwrap()
    }

    #[test]
    fn evaluates_the_issue_examples() {
        let raw = record();
        let r = RecordRef::parse(&raw).unwrap();
        let d = TextDecoder::new();
        let yes = |e: &str| Expr::parse(e).unwrap().matches(&r, &d).unwrap();
        assert!(yes("245$a ~ /^the/i and not 856"));
        assert!(!yes("245$a ~ /^the/ and not 856"));
        assert!(yes("LDR/06 = a and 008/35-37 in [eng, ger]"));
        assert!(!yes("LDR/06 = a and 008/35-37 not in [eng, ger]"));
        assert!(yes("count(650) >= 3"));
        assert!(!yes("count(650) > 3"));
        assert!(yes("count(650$a{$a=\\Jazz}) = 2"));
        assert!(yes("040$a = DLC or 040$d = DLC"));
        assert!(yes("040$d = DLC or 040$a = DLC"));
        assert!(!yes("040$a != DLC"));
        assert!(yes("040$d != DLC"));
        assert!(yes("(650$a ~ azz or 650$a ~ lue) and 008/07-10 >= 1950"));
        assert!(!yes("008/07-10 < 1900"));
        assert!(yes("NOT 856 AND 245^2 = 4"));
        assert!(yes("245$a = 'The title /'"));
    }

    #[test]
    fn nesting_is_bounded_with_an_error_not_a_stack_overflow() {
        let record = record();
        let record = RecordRef::parse(&record).unwrap();
        let decoder = TextDecoder::new();
        // As deep as allowed: parses and evaluates as the flat form does.
        let deepest = format!("{}245{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        let nots = format!("{}245", "not ".repeat(MAX_NESTING));
        for (text, want) in [(&deepest, true), (&nots, MAX_NESTING.is_multiple_of(2))] {
            let expr = Expr::parse(text).unwrap();
            assert_eq!(expr.matches(&record, &decoder).unwrap(), want, "{text}");
        }
        // One level more: an error at the `(` or `not` that opens it.
        let parens = format!(
            "{}245{}",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        let e = Expr::parse(&parens).unwrap_err();
        assert_eq!(e.column(), MAX_NESTING + 1, "{e}");
        assert!(e.expected().contains("nested"), "{e}");
        let e = Expr::parse(&format!("245 and {}245", "not ".repeat(MAX_NESTING + 1))).unwrap_err();
        assert_eq!(e.column(), 9 + 4 * MAX_NESTING, "{e}");
        // Far deeper (a stack overflow before the bound, and in the evaluation
        // and the drop had it parsed): still an error.
        for text in [
            "(".repeat(200_000),
            "not ".repeat(200_000),
            "(not ".repeat(100_000),
        ] {
            assert!(Expr::parse(&text).is_err());
        }
    }

    #[test]
    fn positions_errors() {
        for (bad, column) in [
            ("245$a =", 8),
            ("245$a ~ /(/", 9),
            ("(245", 5),
            ("245 and", 8),
            ("245 nor 1", 5),
            ("245$", 5),
            ("count(650) >= x", 15),
            ("650 in [a, b", 13),
            ("650 and or 1", 9),
        ] {
            let e = Expr::parse(bad).unwrap_err();
            assert_eq!(e.column(), column, "{bad}: {e}");
        }
    }
}
