//! The MARCspec parser: recursive descent over the spec's bytes, one
//! function a rule of the grammar (marcspec.github.io, "Form of MARCspec"),
//! with abbreviations in subspecs resolved against the spec they belong to.
//! An error says what was expected and at which column.

use super::ast::{FieldSel, Op, Span, SubSpec, SubfieldSel, Tag, Target, Term, Test};
use super::SpecError;
use smallvec::SmallVec;

/// What a subspec's abbreviations are read against: the spec it belongs to.
#[derive(Clone, Copy)]
enum Outer<'t> {
    /// A field spec (or the leader), with its character spec if any.
    Field {
        field: &'t FieldSel,
        chars: Option<Span>,
    },
    /// A subfield spec.
    Subfield {
        field: &'t FieldSel,
        sel: &'t SubfieldSel,
    },
    /// An indicator spec.
    Indicator { field: &'t FieldSel },
}

pub(crate) struct Parser<'s> {
    src: &'s str,
    pos: usize,
}

/// Whether `b` may be a subfield code (MARCspec's `subfieldChar`).
fn is_subfield_char(b: u8) -> bool {
    matches!(b, 0x21..=0x3F | 0x5B..=0x7B | 0x7D..=0x7E)
}

impl<'s> Parser<'s> {
    pub(crate) fn new(src: &'s str, pos: usize) -> Self {
        Parser { src, pos }
    }

    /// Where the parser stands, in bytes.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + k).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// An error at byte `at`: `expected` there.
    pub(crate) fn error_at(&self, at: usize, expected: impl Into<String>) -> SpecError {
        SpecError::new(self.src, at, expected)
    }

    fn error(&self, expected: &str) -> SpecError {
        let found = match self.src[self.pos..].chars().next() {
            Some(c) => format!("{expected}, not '{c}',"),
            None => expected.to_string(),
        };
        self.error_at(self.pos, found)
    }

    /// A whole spec: everything up to the end must belong to it.
    pub(crate) fn spec(mut self) -> Result<Target, SpecError> {
        let target = self.target(true)?;
        if self.pos < self.src.len() {
            return Err(self.error("the end of the spec (or '$', '[', '/', '^', '{')"));
        }
        Ok(target)
    }

    /// A spec at the start of what is left, and no further: for specs
    /// inside filter expressions.
    pub(crate) fn spec_prefix(&mut self) -> Result<Target, SpecError> {
        self.target(true)
    }

    /// `fieldTag`: three of `0-9`, `.` and letters of one case. A tag of
    /// digits and `X` with at least one `X` (`9XX`, `6X0`, `XXX`) is the
    /// cataloguers' shorthand for the same tag with `.` (`9..`, `6.0`, `...`).
    fn tag(&mut self) -> Result<Tag, SpecError> {
        let bytes = self.src.as_bytes();
        let start = self.pos;
        let mut tag = [0u8; 3];
        let (mut upper, mut lower) = (false, false);
        for (k, t) in tag.iter_mut().enumerate() {
            let b = bytes.get(start + k).copied().unwrap_or(0);
            upper |= b.is_ascii_uppercase();
            lower |= b.is_ascii_lowercase();
            if !(b.is_ascii_alphanumeric() || b == b'.') || (upper && lower) {
                self.pos = start + k;
                return Err(self.error(
                    "a field tag (three characters of 0-9, '.' and letters of one case, e.g. '245', '6..', 'LDR')",
                ));
            }
            *t = b;
        }
        self.pos = start + 3;
        Ok(Tag(x_wildcards(tag)))
    }

    /// `position`: digits or `#`. Leading zeros are allowed (`LDR/06`).
    fn position(&mut self) -> Result<Option<usize>, SpecError> {
        if self.eat(b'#') {
            return Ok(None);
        }
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("a position (digits or '#')"));
        }
        self.src[start..self.pos]
            .parse()
            .map(Some)
            .map_err(|_| self.error_at(start, "a smaller position"))
    }

    /// `positionOrRange`.
    fn span(&mut self) -> Result<Span, SpecError> {
        let start_at = self.pos;
        let start = self.position()?;
        if !self.eat(b'-') {
            return Ok(match start {
                Some(n) => Span::Forward {
                    start: n,
                    end: Some(n),
                },
                None => Span::Last(0),
            });
        }
        let end = self.position()?;
        match (start, end) {
            (Some(a), Some(b)) if a > b => Err(self.error_at(
                start_at,
                format!("an inclusive range whose start is not after its end ({a}-{b})"),
            )),
            (Some(a), end) => Ok(Span::Forward { start: a, end }),
            (None, Some(n)) => Ok(Span::Last(n)),
            (None, None) => Ok(Span::Last(0)),
        }
    }

    /// `[index]`, if there.
    fn index(&mut self) -> Result<Option<Span>, SpecError> {
        if !self.eat(b'[') {
            return Ok(None);
        }
        let span = self.span()?;
        if !self.eat(b']') {
            return Err(self.error("']' to close the index"));
        }
        Ok(Some(span))
    }

    /// `/characterSpec`, if there.
    fn chars(&mut self) -> Result<Option<Span>, SpecError> {
        if !self.eat(b'/') {
            return Ok(None);
        }
        self.span().map(Some)
    }

    /// `^1` or `^2`, after the caret.
    fn indicator(&mut self) -> Result<usize, SpecError> {
        match self.peek() {
            Some(b'1') => {
                self.pos += 1;
                Ok(0)
            }
            Some(b'2') => {
                self.pos += 1;
                Ok(1)
            }
            _ => Err(self.error("an indicator, '1' or '2', after '^'")),
        }
    }

    /// A subfield spec without its tag: `$a`, `$a-c`, marcmap's `$ax`
    /// (shorthand for `$a$x`), then an index and a character spec.
    fn subfield_sel(&mut self) -> Result<SubfieldSel, SpecError> {
        debug_assert_eq!(self.peek(), Some(b'$'));
        self.pos += 1;
        let code = match self.peek() {
            Some(b) if is_subfield_char(b) => b,
            _ => return Err(self.error("a subfield code after '$'")),
        };
        self.pos += 1;
        let mut codes: SmallVec<[u8; 4]> = SmallVec::new();
        codes.push(code);
        let same_class = |a: u8, b: u8| {
            (a.is_ascii_lowercase() && b.is_ascii_lowercase())
                || (a.is_ascii_digit() && b.is_ascii_digit())
        };
        match (self.peek(), self.peek_at(1)) {
            (Some(b'-'), Some(last)) if same_class(code, last) => {
                if last < code {
                    return Err(self.error_at(
                        self.pos - 1,
                        format!(
                            "a subfield range whose start is not after its end ({}-{})",
                            code as char, last as char
                        ),
                    ));
                }
                self.pos += 2;
                codes.extend(code + 1..=last);
            }
            _ if code.is_ascii_lowercase() => {
                // marcmap's shorthand `650$ax`: more codes after the first.
                while let Some(b) = self
                    .peek()
                    .filter(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                {
                    codes.push(b);
                    self.pos += 1;
                }
            }
            _ => {}
        }
        let index = self.index()?;
        let chars = self.chars()?;
        Ok(SubfieldSel {
            codes,
            index,
            chars,
            subspecs: Vec::new(),
        })
    }

    /// A spec from its tag on; with `subspecs`, the subspecs that follow
    /// each part (inside a subspec there are none).
    fn target(&mut self, subspecs: bool) -> Result<Target, SpecError> {
        let tag = self.tag()?;
        let index = self.index()?;
        let field = FieldSel { tag, index };
        self.target_rest(field, subspecs)
    }

    /// The rest of a spec after its field selector.
    fn target_rest(&mut self, field: FieldSel, subspecs: bool) -> Result<Target, SpecError> {
        match self.peek() {
            Some(b'^') => {
                self.pos += 1;
                let which = self.indicator()?;
                let subs = if subspecs {
                    self.subspecs(Outer::Indicator { field: &field })?
                } else {
                    Vec::new()
                };
                Ok(Target::Indicator {
                    field,
                    which,
                    subspecs: subs,
                })
            }
            Some(b'$') => {
                let mut sels = Vec::new();
                while self.peek() == Some(b'$') {
                    let mut sel = self.subfield_sel()?;
                    if subspecs {
                        sel.subspecs = self.subspecs(Outer::Subfield {
                            field: &field,
                            sel: &sel,
                        })?;
                    }
                    sels.push(sel);
                }
                Ok(Target::Subfields {
                    field,
                    subfields: sels,
                })
            }
            _ => {
                let chars = self.chars()?;
                let subs = if subspecs {
                    self.subspecs(Outer::Field {
                        field: &field,
                        chars,
                    })?
                } else {
                    Vec::new()
                };
                Ok(Target::Field {
                    field,
                    chars,
                    subspecs: subs,
                })
            }
        }
    }

    /// `*subSpec`.
    fn subspecs(&mut self, outer: Outer<'_>) -> Result<Vec<SubSpec>, SpecError> {
        let mut out = Vec::new();
        while self.eat(b'{') {
            let mut any = vec![self.test(outer)?];
            while self.eat(b'|') {
                any.push(self.test(outer)?);
            }
            if !self.eat(b'}') {
                return Err(self.error("'|' or '}' to close the subspec"));
            }
            out.push(SubSpec { any });
        }
        Ok(out)
    }

    /// An operator, if one starts here.
    fn operator(&mut self) -> Option<Op> {
        let (op, len) = match (self.peek()?, self.peek_at(1)) {
            (b'!', Some(b'=')) => (Op::NotEqual, 2),
            (b'!', Some(b'~')) => (Op::NotIncludes, 2),
            (b'!', _) => (Op::NotExists, 1),
            (b'=', _) => (Op::Equal, 1),
            (b'~', _) => (Op::Includes, 1),
            (b'?', _) => (Op::Exists, 1),
            _ => return None,
        };
        self.pos += len;
        Some(op)
    }

    /// `subTermSet`: `[[left] op] right`; a missing left is the spec the
    /// subspec belongs to, a missing operator `?`.
    fn test(&mut self, outer: Outer<'_>) -> Result<Test, SpecError> {
        let current = Term::Current {
            chars: match outer {
                Outer::Field { chars, .. } => chars,
                Outer::Subfield { sel, .. } => sel.chars,
                Outer::Indicator { .. } => None,
            },
        };
        if let Some(op) = self.operator() {
            let right = self.term(outer)?;
            return Ok(Test {
                left: current,
                op,
                right,
            });
        }
        let first = self.term(outer)?;
        match self.operator() {
            Some(op) => {
                let right = self.term(outer)?;
                Ok(Test {
                    left: first,
                    op,
                    right,
                })
            }
            None => Ok(Test {
                left: current,
                op: Op::Exists,
                right: first,
            }),
        }
    }

    /// `subTerm`: a comparison string, a spec, or an abbreviation read
    /// against `outer`.
    fn term(&mut self, outer: Outer<'_>) -> Result<Term, SpecError> {
        let (outer_field, outer_chars) = match outer {
            Outer::Field { field, chars } => (field, chars),
            Outer::Subfield { field, .. } | Outer::Indicator { field } => (field, None),
        };
        match self.peek() {
            Some(b'\\') => self.comparison_string(),
            Some(b'$') => {
                let mut sels = Vec::new();
                while self.peek() == Some(b'$') {
                    sels.push(self.subfield_sel()?);
                }
                Ok(Term::FieldSubfields(sels))
            }
            Some(b'^') => {
                if outer_chars.is_some() {
                    return Err(self.error(
                        "no indicator here: a spec with a character position is a fixed field",
                    ));
                }
                self.pos += 1;
                Ok(Term::FieldIndicator(self.indicator()?))
            }
            Some(b'/') => {
                if matches!(outer, Outer::Indicator { .. }) {
                    return Err(self.error("no character position here: an indicator has none"));
                }
                Ok(Term::Current {
                    chars: self.chars()?,
                })
            }
            Some(b'[') => {
                let index = self.index()?;
                match outer {
                    // `245$a{[1]}`: another occurrence of the same subfield.
                    Outer::Subfield { sel, .. } if self.peek() != Some(b'$') => {
                        let chars = self.chars()?;
                        Ok(Term::FieldSubfields(vec![SubfieldSel {
                            codes: sel.codes.clone(),
                            index,
                            chars,
                            subspecs: Vec::new(),
                        }]))
                    }
                    // `300[0]{[1]}`: another occurrence of the same field.
                    _ => {
                        let field = FieldSel {
                            tag: outer_field.tag,
                            index,
                        };
                        Ok(Term::Record(Box::new(self.target_rest(field, false)?)))
                    }
                }
            }
            Some(b) if b.is_ascii_alphanumeric() || b == b'.' => {
                Ok(Term::Record(Box::new(self.target(false)?)))
            }
            _ => Err(self.error(
                "a comparison string ('\\text'), a spec or an abbreviation ('$a', '/0', '^1', '[0]')",
            )),
        }
    }

    /// `comparisonString`: `\` then characters, up to an unescaped `$ { } !
    /// = ~ ? |` or a space; `\s` is a space, `\x` the character `x`. The
    /// first character is taken as it is.
    fn comparison_string(&mut self) -> Result<Term, SpecError> {
        debug_assert_eq!(self.peek(), Some(b'\\'));
        self.pos += 1;
        let mut text = String::new();
        let mut first = true;
        let rest = &self.src[self.pos..];
        let mut chars = rest.char_indices().peekable();
        let mut end = rest.len();
        while let Some((at, c)) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some((_, 's')) => text.push(' '),
                    Some((_, e)) => text.push(e),
                    None => {
                        self.pos += at + 1;
                        return Err(self.error("a character after '\\' in the comparison string"));
                    }
                }
            } else if c.is_whitespace() || c.is_control() || (!first && "${}!=~?|".contains(c)) {
                end = at;
                break;
            } else {
                text.push(c);
            }
            first = false;
        }
        self.pos += end;
        Ok(Term::Text(text.into_boxed_str()))
    }
}

/// `9XX` as `9..`: a tag of ASCII digits and uppercase `X`, with at least one
/// `X` (`9XX`, `6X0`, `XXX`), is the cataloguers' way of writing MARCspec's
/// wildcard `.`, and the edit language's tag patterns read it so too. Other
/// letter tags (`LDR`, `CAT`) are kept as written.
fn x_wildcards(tag: [u8; 3]) -> [u8; 3] {
    if tag.contains(&b'X') && tag.iter().all(|&b| b.is_ascii_digit() || b == b'X') {
        tag.map(|b| if b == b'X' { b'.' } else { b })
    } else {
        tag
    }
}
