//! Reading rules: a cursor over one rule's text, and the grammar of actions.
//! Every error names the column where the rule goes wrong.

use super::action::{same_kind, Action, NewValue};
use super::condition::Condition;
use super::draft::{is_control_tag, Built};
use crate::owned::{OwnedField, TagPattern};
use regex::bytes::{Regex, RegexBuilder};

/// A rule's error: where (a byte offset in the rule) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub(crate) at: usize,
    pub(crate) message: String,
}

pub(crate) type Parsed<T> = std::result::Result<T, Located>;

/// A cursor over a rule's text.
#[derive(Debug)]
pub(crate) struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Cursor { text, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn fail<T>(&self, at: usize, message: impl Into<String>) -> Parsed<T> {
        Err(Located {
            at,
            message: message.into(),
        })
    }

    pub(crate) fn skip_ws(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.text.len()
    }

    pub(crate) fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    /// The next word (up to white space), after white space, not consumed.
    pub(crate) fn peek_word(&mut self) -> (usize, &'t str) {
        self.skip_ws();
        let rest = self.rest();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        (self.pos, &rest[..end])
    }

    /// The next word, consumed.
    pub(crate) fn word(&mut self) -> (usize, &'t str) {
        let (at, w) = self.peek_word();
        self.pos += w.len();
        (at, w)
    }

    /// Consumes `n` bytes.
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.text.len());
    }

    /// Consumes the next word if it is `keyword` (any case).
    pub(crate) fn keyword(&mut self, keyword: &str) -> bool {
        let (_, w) = self.peek_word();
        if w.eq_ignore_ascii_case(keyword) {
            self.pos += w.len();
            true
        } else {
            false
        }
    }

    /// Whether the next word is `where`, the start of a condition.
    fn at_where(&mut self) -> bool {
        self.peek_word().1.eq_ignore_ascii_case("where")
    }

    /// A value: a double-quoted string (`\"` and `\\` escaped), or bare text up
    /// to the first of `stops` that follows white space (or the start), to a
    /// `where` word, or to the end, trimmed.
    pub(crate) fn value(&mut self, stops: &[&str]) -> Parsed<(usize, String)> {
        self.skip_ws();
        let start = self.pos;
        if self.rest().starts_with('"') {
            let mut out = String::new();
            let mut chars = self.rest()[1..].char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.pos += i + 2;
                        return Ok((start, out));
                    }
                    '\\' => match chars.next() {
                        Some((_, e @ ('"' | '\\'))) => out.push(e),
                        Some((_, e)) => {
                            out.push('\\');
                            out.push(e);
                        }
                        None => break,
                    },
                    c => out.push(c),
                }
            }
            return self.fail(start, "this quoted value has no closing \"");
        }
        let rest = self.rest();
        let mut end = rest.len();
        // Bare text ends at a `where` word, or a stop after white space.
        let mut prev_ws = true;
        for (i, c) in rest.char_indices() {
            if prev_ws {
                let tail = &rest[i..];
                if (is_where(tail) && i > 0) || stops.iter().any(|s| tail.starts_with(s)) {
                    end = i;
                    break;
                }
            }
            prev_ws = c.is_whitespace();
        }
        let value = rest[..end].trim_end();
        self.pos += end;
        Ok((start, value.to_owned()))
    }

    /// Flags after a regex, consumed, and the regex built.
    fn regex_flags(&mut self, at: usize, pattern: &str, allow_g: bool) -> Parsed<(Regex, bool)> {
        let flags_at = self.pos;
        let rest = self.rest();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let flags = &rest[..end];
        self.pos += end;
        let mut builder = RegexBuilder::new(pattern);
        let mut all = false;
        for (i, f) in flags.char_indices() {
            match f {
                'i' => builder.case_insensitive(true),
                'm' => builder.multi_line(true),
                's' => builder.dot_matches_new_line(true),
                'x' => builder.ignore_whitespace(true),
                'g' if allow_g => {
                    all = true;
                    &mut builder
                }
                _ => {
                    let known = if allow_g {
                        "g, i, m, s and x"
                    } else {
                        "i, m, s and x"
                    };
                    return self.fail(
                        flags_at + i,
                        format!("{f:?} is not a regular expression flag: the flags are {known}"),
                    );
                }
            };
        }
        // Bounded: a pattern's program stays small, whatever the text.
        builder.size_limit(1 << 20);
        match builder.build() {
            Ok(regex) => Ok((regex, all)),
            Err(e) => self.fail(at, format!("bad regular expression: {e}")),
        }
    }
}

/// Whether `text` starts with the word `where` (any case).
fn is_where(text: &str) -> bool {
    text.as_bytes()
        .get(..5)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"where"))
        && text
            .get(5..)
            .is_some_and(|rest| rest.chars().next().is_none_or(char::is_whitespace))
}

/// The text between the `/` at `start` and the next `/` not escaped by `\`
/// (the escape removed for `\/` only), and the offset after the closing `/`.
pub(crate) fn delimited(text: &str, start: usize) -> Option<(String, usize)> {
    let body = text.get(start..)?.strip_prefix('/')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '/' => return Some((out, start + 1 + i + 1)),
            '\\' => match chars.next() {
                Some((_, '/')) => out.push('/'),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// A tag pattern (`245`, `9XX`, `6..`).
fn tag_pattern(c: &Cursor<'_>, at: usize, text: &str) -> Parsed<TagPattern> {
    if text.eq_ignore_ascii_case("LDR") {
        return c.fail(
            at,
            "the leader has no fields or subfields: change its positions with LDR/NN",
        );
    }
    TagPattern::parse(text).or_else(|e| c.fail(at, e.to_string()))
}

/// A tag (no wildcards).
fn exact_tag(c: &Cursor<'_>, at: usize, text: &str) -> Parsed<[u8; 3]> {
    let p = tag_pattern(c, at, text)?;
    match p.as_exact() {
        Some(tag) => Ok(tag),
        None => c.fail(at, format!("{text:?}: a tag here, without wildcards")),
    }
}

/// `TAG$codes`: the pattern and the codes (none without a `$`).
fn target<'t>(c: &Cursor<'t>, at: usize, word: &'t str) -> Parsed<(TagPattern, Vec<u8>)> {
    let (tag, codes) = match word.split_once('$') {
        Some((t, codes)) => (t, Some(codes)),
        None => (word, None),
    };
    let tags = tag_pattern(c, at, tag)?;
    let Some(codes) = codes else {
        return Ok((tags, Vec::new()));
    };
    let codes_at = at + tag.len() + 1;
    if codes.is_empty() {
        return c.fail(codes_at, "a $ with no subfield code after it");
    }
    if let Some((i, ch)) = codes.char_indices().find(|(_, ch)| !subfield_code(*ch)) {
        return c.fail(
            codes_at + i,
            format!("{ch:?} is not a subfield code (a lowercase letter or a digit)"),
        );
    }
    if let Some(exact) = tags.as_exact() {
        if is_control_tag(&exact) {
            return c.fail(
                at,
                format!(
                    "{} is a control field: it has no subfields (its positions are {tag}/NN)",
                    tag
                ),
            );
        }
    }
    Ok((tags, codes.bytes().collect()))
}

/// A subfield code: what MARC 21 allows (a lowercase letter or a digit), and
/// any other visible ASCII but `$`, which local practice uses.
fn subfield_code(c: char) -> bool {
    c.is_ascii_graphic() && c != '$'
}

/// An indicator value: one character, `\`, `_` or `#` for a blank.
fn indicator(c: char) -> Option<u8> {
    match c {
        '\\' | '_' | '#' | ' ' => Some(b' '),
        c if c.is_ascii_digit() || c.is_ascii_lowercase() || c.is_ascii_uppercase() => {
            Some(c as u8)
        }
        _ => None,
    }
}

/// A value as bytes, checked for the bytes that would break a record.
fn checked(c: &Cursor<'_>, at: usize, value: String) -> Parsed<Vec<u8>> {
    if let Some(i) = value.find(['\x1d', '\x1e', '\x1f']) {
        return c.fail(
            at + i,
            "a value cannot hold the record, field or subfield delimiter (0x1D-0x1F)",
        );
    }
    Ok(value.into_bytes())
}

/// `NN` or `NN-MM`: the first position and the length.
fn positions(c: &Cursor<'_>, at: usize, text: &str) -> Parsed<(usize, usize)> {
    let num = |s: &str| {
        s.parse::<usize>()
            .ok()
            .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
    };
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (num(a), num(b)),
        None => (num(text), num(text)),
    };
    match (a, b) {
        (Some(a), Some(b)) if a <= b && b < 100_000 => Ok((a, b - a + 1)),
        (Some(_), Some(_)) => c.fail(at, "the positions run backwards (or past 99,999)"),
        _ => c.fail(
            at,
            format!("{text:?}: positions are NN or NN-MM, counted from 0"),
        ),
    }
}

/// Parses one rule: its action, then its condition if it has one.
pub(crate) fn rule(c: &mut Cursor<'_>) -> Parsed<(Action, Option<Condition>)> {
    let action = action(c)?;
    if c.at_end() {
        return Ok((action, None));
    }
    let (at, word) = c.peek_word();
    if !c.keyword("where") {
        return c.fail(
            at,
            format!("unexpected {word:?}: the rule ends here, or goes on with where CONDITION"),
        );
    }
    Ok((action, Some(super::condition::parse(c)?)))
}

/// Parses one rule's action; the cursor is left where a `where` may follow.
pub(crate) fn action(c: &mut Cursor<'_>) -> Parsed<Action> {
    let (at, verb) = c.word();
    match verb.to_ascii_lowercase().as_str() {
        "delete" => delete(c),
        "add" => add(c),
        "set" => set(c),
        "move" | "copy" | "rename" => {
            let (from_at, from) = c.word();
            if from.is_empty() {
                return c.fail(from_at, format!("{verb} needs two tags: {verb} 100 700"));
            }
            let from = exact_tag(c, from_at, from)?;
            let (to_at, to_text) = c.word();
            if to_text.is_empty() {
                return c.fail(to_at, format!("{verb} needs a second tag: {verb} 100 700"));
            }
            let to = exact_tag(c, to_at, to_text)?;
            let from = TagPattern::exact(from);
            if !same_kind(&from, &to) {
                return c.fail(
                    to_at,
                    format!(
                        "{from} and {to_text} are not both control fields (00X) or both data \
                         fields: a field cannot change its kind"
                    ),
                );
            }
            Ok(match verb.to_ascii_lowercase().as_str() {
                "move" => Action::Move { from, to },
                "copy" => Action::Copy { from, to },
                _ => Action::Rename { from, to },
            })
        }
        "" => c.fail(
            at,
            "an empty rule: write an action (delete, add, set, move, copy, rename)",
        ),
        _ => c.fail(
            at,
            format!(
                "{verb:?} is not an action: the actions are delete, add, set, move, copy and rename"
            ),
        ),
    }
}

fn delete(c: &mut Cursor<'_>) -> Parsed<Action> {
    let (at, word) = c.word();
    if word.is_empty() {
        return c.fail(at, "delete what? delete 9XX, delete 650$x");
    }
    let (tags, codes) = target(c, at, word)?;
    Ok(if codes.is_empty() {
        Action::DeleteFields(tags)
    } else {
        Action::DeleteSubfields(tags, codes)
    })
}

fn add(c: &mut Cursor<'_>) -> Parsed<Action> {
    let (at, word) = c.word();
    if word.is_empty() {
        return c.fail(at, "add what? add 856 40 $u https://example.org/");
    }
    let tag = exact_tag(c, at, word)?;
    if is_control_tag(&tag) {
        let (vat, value) = c.value(&[])?;
        if value.is_empty() {
            return c.fail(vat, format!("add {word} needs its data: add {word} DATA"));
        }
        let data = checked(c, vat, value)?;
        return built(c, at, OwnedField::control(tag, data));
    }
    let (iat, ind) = c.word();
    let mut chars = ind.chars();
    let (Some(i1), Some(i2), None) = (chars.next(), chars.next(), chars.next()) else {
        return c.fail(
            iat,
            format!(
                "{ind:?}: write the two indicators next, each a digit, a letter, or \\ _ # for \
                 a blank (add {word} 40 $a ...)"
            ),
        );
    };
    let (Some(i1), Some(i2)) = (indicator(i1), indicator(i2)) else {
        return c.fail(
            iat,
            format!("{ind:?}: an indicator is a digit, a letter, or \\ _ # for a blank"),
        );
    };
    let mut field = OwnedField::data(tag, i1, i2);
    loop {
        c.skip_ws();
        if c.at_end() || c.at_where() {
            break;
        }
        let sat = c.pos();
        if !c.rest().starts_with('$') {
            return c.fail(sat, "expected a subfield: $ and its code, then its value");
        }
        let Some(code) = c.rest()[1..].chars().next().filter(|ch| subfield_code(*ch)) else {
            return c.fail(sat + 1, "a $ must be followed by a subfield code");
        };
        c.advance(1 + code.len_utf8());
        let (vat, value) = subfield_value(c)?;
        field.push_subfield(code as u8, checked(c, vat, value)?);
    }
    if field.subfields().is_empty() {
        return c.fail(c.pos(), format!("add {word} needs subfields: $a value ..."));
    }
    built(c, at, field)
}

/// `add`'s field, serialised once now: one ISO 2709 cannot hold (over 9,999
/// bytes) is a bad rule.
fn built(c: &Cursor<'_>, at: usize, field: OwnedField) -> Parsed<Action> {
    match Built::new(field) {
        Ok(b) => Ok(Action::Add(b)),
        Err(e) => c.fail(at, e.kind().to_string()),
    }
}

/// A subfield's value in `add`: quoted, or bare up to the next `$` (`$$` is a
/// `$` in it), a `where` word or the end, trimmed.
fn subfield_value(c: &mut Cursor<'_>) -> Parsed<(usize, String)> {
    c.skip_ws();
    if c.rest().starts_with('"') {
        return c.value(&[]);
    }
    let start = c.pos();
    let rest = c.rest();
    let mut out = String::new();
    let mut i = 0;
    let mut prev_ws = true;
    while i < rest.len() {
        let tail = &rest[i..];
        if tail.starts_with("$$") {
            out.push('$');
            i += 2;
            prev_ws = false;
            continue;
        }
        if tail.starts_with('$') {
            break;
        }
        if prev_ws && i > 0 && is_where(tail) {
            break;
        }
        let ch = tail.chars().next().expect("not at the end");
        out.push(ch);
        prev_ws = ch.is_whitespace();
        i += ch.len_utf8();
    }
    c.advance(i);
    Ok((start, out.trim().to_owned()))
}

/// Why `set LDR/start..start+len` may not be written, if it may not: the
/// positions that describe the record's structure (computed when the record
/// is written, or fixed by MARC 21) and LDR/09, which labels the bytes' coding.
fn fixed_leader_position(start: usize, len: usize) -> Option<&'static str> {
    let touches = |from: usize, to: usize| start <= to && start + len > from;
    if touches(0, 4) || touches(12, 16) {
        Some(
            "LDR/00-04 and LDR/12-16 (the record length and base address) are \
             computed when the record is written",
        )
    } else if touches(9, 9) {
        Some(
            "LDR/09 says how the record's text is coded: setting it would relabel the \
             bytes without converting them; convert the records instead (marcmap convert \
             --to-utf8 or --to-marc8, MARCWriter(to_marc8=True))",
        )
    } else if touches(10, 11) {
        Some(
            "LDR/10-11 (the indicator count and subfield code length) are 2 in every \
             MARC 21 record: the fields are written that way",
        )
    } else if touches(20, 23) {
        Some(
            "LDR/20-23 (the entry map) describe the directory and are written as \
             4500 with the record",
        )
    } else {
        None
    }
}

fn set(c: &mut Cursor<'_>) -> Parsed<Action> {
    let (at, word) = c.word();
    if word.is_empty() {
        return c.fail(
            at,
            "set what? set 245$a VALUE, set 245 ind2 4, set LDR/05 c",
        );
    }
    if let Some((tag, pos)) = word.split_once('/') {
        let pos_at = at + tag.len() + 1;
        let (start, len) = positions(c, pos_at, pos)?;
        let tag = if tag.eq_ignore_ascii_case("LDR") {
            if start + len > 24 {
                return c.fail(pos_at, "the leader has positions 00 to 23");
            }
            if let Some(why) = fixed_leader_position(start, len) {
                return c.fail(pos_at, why);
            }
            None
        } else {
            let exact = exact_tag(c, at, tag)?;
            if !is_control_tag(&exact) {
                return c.fail(
                    at,
                    format!(
                        "{tag} is a data field: positions are for the leader and control \
                         fields (001-009); its subfields are {tag}$a"
                    ),
                );
            }
            Some(TagPattern::exact(exact))
        };
        let (vat, value) = c.value(&[])?;
        let value = checked(c, vat, value)?;
        if value.len() != len {
            return c.fail(
                vat,
                format!(
                    "{} byte(s) for {len} position(s): write exactly one a position \
                     (quote blanks: \"  \")",
                    value.len()
                ),
            );
        }
        return Ok(Action::SetPositions { tag, start, value });
    }
    let (tags, codes) = target(c, at, word)?;
    if codes.is_empty() {
        let (wat, which) = c.word();
        let which = match which.to_ascii_lowercase().as_str() {
            "ind1" => 0,
            "ind2" => 1,
            _ => {
                return c.fail(
                    wat,
                    format!(
                        "set {word} what? set {word}$a VALUE, or set {word} ind1 (or ind2) VALUE"
                    ),
                )
            }
        };
        let (vat, value) = c.value(&[])?;
        let mut chars = value.chars();
        let (Some(v), None) = (chars.next().and_then(indicator), chars.next()) else {
            return c.fail(
                vat,
                format!("{value:?}: an indicator is one digit, letter, or \\ _ # for a blank"),
            );
        };
        return Ok(Action::SetIndicator {
            tags,
            which,
            value: v,
        });
    }
    if codes.len() != 1 {
        return c.fail(
            at,
            format!("set one subfield code at a time, not {}", codes.len()),
        );
    }
    c.skip_ws();
    if c.rest().starts_with("s/") {
        c.advance(1);
        let re_at = c.pos();
        let (pattern, after) = delimited(c.text, re_at).ok_or_else(|| Located {
            at: re_at,
            message: "s/regex/replacement/: this regex has no closing /".into(),
        })?;
        // The replacement runs to the next unescaped `/`, which the pattern's
        // closing one opens.
        let (replacement, end) = delimited(c.text, after - 1).ok_or_else(|| Located {
            at: after,
            message: "s/regex/replacement/: the replacement has no closing /".into(),
        })?;
        c.pos = end;
        let (regex, all) = c.regex_flags(re_at, &pattern, true)?;
        let replacement = checked(c, after, sed_groups(&replacement))?;
        return Ok(Action::SetSubfield {
            tags,
            code: codes[0],
            value: NewValue::Substitute {
                regex,
                replacement,
                all,
            },
        });
    }
    let (vat, value) = c.value(&[])?;
    Ok(Action::SetSubfield {
        tags,
        code: codes[0],
        value: NewValue::Literal(checked(c, vat, value)?),
    })
}

/// sed's `\1` group references as the regex crate's `${1}` (its own `$1` and
/// `${name}` work as they are).
fn sed_groups(replacement: &str) -> String {
    let mut out = String::with_capacity(replacement.len());
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                chars.next();
                out.push_str(&format!("${{{d}}}"));
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stop_at_where_and_quotes_keep_it() {
        let mut c = Cursor::new(" DLC where 040");
        assert_eq!(c.value(&[]).unwrap().1, "DLC");
        assert!(c.keyword("where"));
        let mut c = Cursor::new(r#" "a where \"b\"" where"#);
        assert_eq!(c.value(&[]).unwrap().1, r#"a where "b""#);
        let mut c = Cursor::new(" Somewhere else");
        assert_eq!(c.value(&[]).unwrap().1, "Somewhere else");
    }

    #[test]
    fn sed_groups_become_regex_groups() {
        assert_eq!(sed_groups(r"\2, \1 $3"), "${2}, ${1} $3");
    }
}
