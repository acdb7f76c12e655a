//! The title (245), edition (250) and publication (260/264) checks. The 245
//! checks follow MARC::Lint's `check_245`: `$a` first, ISBD punctuation before
//! `$b`, `$c`, `$h`, `$n`, `$p` and at the end (LCRI 1.0C), and the
//! non-filing indicator against the first word of `$a`.
//!
//! Text is read as MARC::Lint reads it: characters in a UTF-8 record (word
//! characters are letters, digits, marks and `_`), bytes otherwise (word
//! characters are ASCII letters, digits and `_`).

use super::checks::{block_matches, in_record, split_subfields, Name, SubfieldList};
use super::{quoted, Ctx, Rule};
use crate::record::{FieldRef, Subfield};
use smallvec::SmallVec;

/// The characters a [`Text`] holds without allocating: the non-filing check
/// reads no more.
const INLINE_CHARS: usize = 24;

/// A value (or its start, or its end) as a sequence of characters, with
/// MARC::Lint's idea of a word character.
struct Text {
    chars: SmallVec<[char; INLINE_CHARS]>,
    unicode: bool,
}

impl Text {
    /// The first `limit` characters of `v`.
    fn new(v: &[u8], unicode: bool, limit: usize) -> Text {
        // At most four bytes a character: decode no more than the prefix needed
        // (a character cut at its end becomes U+FFFD past `limit`, and is dropped).
        let v = &v[..v.len().min(limit.saturating_mul(4))];
        let chars = if unicode && !v.is_ascii() {
            String::from_utf8_lossy(v).chars().take(limit).collect()
        } else if limit <= INLINE_CHARS {
            // A byte a character, straight into the inline slots (collecting
            // through the iterator checked the capacity a character).
            let n = v.len().min(limit);
            let mut slots = ['\0'; INLINE_CHARS];
            for (slot, &b) in slots.iter_mut().zip(&v[..n]) {
                *slot = b as char;
            }
            SmallVec::from_buf_and_len(slots, n)
        } else {
            v.iter().take(limit).map(|&b| b as char).collect()
        };
        Text { chars, unicode }
    }

    fn is_word(&self, c: char) -> bool {
        // An ASCII character is no combining mark: Unicode's tables only for the rest.
        if self.unicode && !c.is_ascii() {
            c.is_alphanumeric() || c == '_' || unicode_normalization::char::is_combining_mark(c)
        } else {
            c.is_ascii_alphanumeric() || c == '_'
        }
    }

    fn is_space(&self, c: char) -> bool {
        if self.unicode {
            c.is_whitespace()
        } else {
            matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
        }
    }
}

/// The last characters of a value (at most four: what the punctuation rules
/// look at), without copying the value.
struct Tail {
    chars: [char; 4],
    len: usize,
    unicode: bool,
}

impl Tail {
    fn new(v: &[u8], unicode: bool) -> Tail {
        // Four ASCII bytes at the end are four characters, whatever the encoding.
        let unicode = unicode && !v[v.len().saturating_sub(4)..].is_ascii();
        if !unicode {
            // A byte a character: the last four copied as they are.
            // Made as one array value (its four slots written one by one and
            // the array then read back whole stalls the store buffer).
            let last = &v[v.len().saturating_sub(4)..];
            let pad = 4 - last.len();
            let at = |j: usize| {
                if j >= pad {
                    char::from(last[j - pad])
                } else {
                    '\0'
                }
            };
            let chars = [at(0), at(1), at(2), at(3)];
            return Tail {
                chars,
                len: last.len(),
                unicode,
            };
        }
        let mut chars = ['\0'; 4];
        let mut len = 0;
        let mut end = v.len();
        while end > 0 && len < 4 {
            let mut start = end - 1;
            if unicode {
                while start > 0 && end - start < 4 && v[start] & 0xC0 == 0x80 {
                    start -= 1;
                }
            }
            let c = if unicode {
                std::str::from_utf8(&v[start..end])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .unwrap_or('\u{FFFD}')
            } else {
                v[start] as char
            };
            chars[3 - len] = c;
            len += 1;
            end = start;
        }
        Tail {
            chars,
            len,
            unicode,
        }
    }

    fn as_slice(&self) -> &[char] {
        &self.chars[4 - self.len..]
    }

    fn is_space(&self, c: char) -> bool {
        if self.unicode {
            c.is_whitespace()
        } else {
            matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
        }
    }

    fn last(&self) -> Option<char> {
        self.as_slice().last().copied()
    }

    fn ends_with(&self, s: &str) -> bool {
        let c = self.as_slice();
        let n = s.chars().count();
        c.len() >= n && c[c.len() - n..].iter().copied().eq(s.chars())
    }

    /// Ends with a non-space character followed by `mark`, or with `-- ` and `mark`.
    fn ends_with_mark_after_text(&self, mark: char) -> bool {
        let c = self.as_slice();
        let n = c.len();
        if n >= 2 && c[n - 1] == mark && !self.is_space(c[n - 2]) {
            return true;
        }
        n >= 4 && c[n - 4..] == ['-', '-', ' ', mark]
    }
}

/// Perl's truth of a subfield value: present, not empty, not "0".
fn truthy(v: Option<&[u8]>) -> bool {
    v.is_some_and(|v| !v.is_empty() && v != b"0")
}

pub(super) fn title<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>, name: &Name) {
    let utf8 = ctx.utf8;
    // One split of the field serves every check: the first $a, the first two
    // codes, whether there is a $6, and the punctuation's subfields.
    let mut subs = SubfieldList::new();
    split_subfields(ctx.record.as_bytes(), field, &mut subs);
    let a = subs.iter().find(|s| s.code == b'a').map(|s| s.value);
    let count = subs.len();
    let codes = [
        subs.first().map_or(0, |s| s.code),
        subs.get(1).map_or(0, |s| s.code),
    ];
    let has_6 = subs.iter().any(|s| s.code == b'6');
    if ctx.on(Rule::TitleSubfields) {
        let mut say = |why: String| ctx.field_finding(field, None, None, Rule::TitleSubfields, why);
        if !truthy(a) {
            say(format!("{name} has no $a (title)"));
        }
        let code = |i: usize| {
            if i < count {
                format!("${}", codes[i].escape_ascii())
            } else {
                "none".to_string()
            }
        };
        if has_6 {
            if count < 2 {
                say(format!("{name} may have too few subfields"));
            } else {
                if codes[0] != b'6' {
                    say(format!(
                        "{name}: the first subfield must be $6, not {}",
                        code(0)
                    ));
                }
                if codes[1] != b'a' {
                    say(format!(
                        "{name}: the subfield after $6 must be $a, not {}",
                        code(1)
                    ));
                }
            }
        } else if count == 0 || codes[0] != b'a' {
            say(format!(
                "{name}: the first subfield must be $a, not {}",
                code(0)
            ));
        }
    }
    if ctx.on(Rule::TitlePunctuation) {
        punctuation(ctx, field, name, &subs);
    }
    if ctx.on(Rule::NonfilingIndicator) {
        nonfiling(ctx, field, name, a.unwrap_or(b""), utf8);
    }
}

fn punctuation<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    name: &Name,
    subs: &[Subfield<'a>],
) {
    let utf8 = ctx.utf8;
    let mut found: Vec<String> = Vec::new();
    match subs.last().map(|s| Tail::new(s.value, utf8)).and_then(|t| t.last()) {
        Some('.') => {}
        Some('?' | '!') => found.push(format!(
            "{name} ends with ? or !, which MARC 21 allows, but LCRI 1.0C (LCPS 1.7.1) asks for a period"
        )),
        _ => found.push(format!("{name} must end with a period")),
    }
    // One pass: the codes whose first subfield is true (present, not empty, not "0").
    let (mut first, mut true_first) = (0u128, 0u128);
    for sub in subs.iter().filter(|s| s.code < 128) {
        let bit = 1u128 << sub.code;
        if first & bit == 0 && truthy(Some(sub.value)) {
            true_first |= bit;
        }
        first |= bit;
    }
    let truthy_code = |code: u8| true_first & (1u128 << code) != 0;
    // Each rule looks at a subfield and the value just before it (from the second on).
    let before = |i: usize| Tail::new(subs[i - 1].value, utf8);
    if truthy_code(b'c') {
        if let Some(i) = (1..subs.len()).find(|&i| subs[i].code == b'c') {
            let prev = before(i);
            let c = prev.as_slice();
            let n = c.len();
            if !(n >= 2 && c[n - 1] == '/' && prev.is_space(c[n - 2])) {
                found.push(format!("{name} $c must follow \" /\""));
            }
            // Two initials need ". " in the value: most have none.
            let value = subs[i].value;
            // Bytes are characters when the record is not UTF-8 or the
            // value is ASCII; word characters then are ASCII ones.
            if if !utf8 || value.is_ascii() {
                spaced_initial_bytes(ctx.record.as_bytes(), value)
                    && spaced_initials(value, |c| c.is_ascii_alphanumeric() || c == '_')
            } else {
                memchr::memmem::find(value, b". ").is_some() && {
                    let t = Text::new(value, utf8, usize::MAX);
                    spaced_initials(&t.chars, |c| t.is_word(c))
                }
            } {
                found.push(format!("{name} $c: initials should not be spaced"));
            }
        }
    }
    if truthy_code(b'b') {
        for i in (1..subs.len()).filter(|&i| subs[i].code == b'b') {
            let prev = before(i);
            if !(prev.ends_with(" :") || prev.ends_with(" ;") || prev.ends_with(" =")) {
                found.push(format!("{name} $b should follow \" :\", \" ;\" or \" =\""));
            }
        }
    }
    if truthy_code(b'h') {
        for i in (1..subs.len()).filter(|&i| subs[i].code == b'h') {
            let prev = before(i);
            let ok = prev.last().is_some_and(|c| !prev.is_space(c)) || prev.ends_with("-- ");
            if !ok {
                found.push(format!("{name} $h should not follow a space"));
            }
            if !bracketed_medium(&Text::new(subs[i].value, utf8, 256)) {
                found.push(format!("{name} $h must be in square brackets"));
            }
        }
    }
    if truthy_code(b'n') {
        for i in (1..subs.len()).filter(|&i| subs[i].code == b'n') {
            if !before(i).ends_with_mark_after_text('.') {
                found.push(format!("{name} $n must follow a period"));
            }
        }
    }
    if truthy_code(b'p') {
        for i in (1..subs.len()).filter(|&i| subs[i].code == b'p') {
            let prev = before(i);
            let prev_is_n = subs[i - 1].code == b'n';
            if prev_is_n && !prev.ends_with_mark_after_text(',') {
                found.push(format!("{name} $p must follow a comma when it follows $n"));
            } else if !prev_is_n && !prev.ends_with_mark_after_text('.') {
                found.push(format!(
                    "{name} $p must follow a period when it does not follow $n"
                ));
            }
        }
    }
    for message in found {
        ctx.field_finding(field, None, None, Rule::TitlePunctuation, message);
    }
}

/// Whether `v`, read as bytes with ASCII word characters, has two spaced
/// initials (`\b\w\. \b\w\.`): [`spaced_initials`]'s first test, on bytes
/// (a value's few bytes: a plain loop, where `memchr`'s set-up costs more).
///
/// A value of at most 64 bytes (most) is searched in one block: the masks of
/// its periods and spaces give the places where a period, a space and a
/// period two bytes on line up, and only those are tested further. `v` is a
/// value of the record whose bytes are `record`.
fn spaced_initial_bytes(record: &[u8], v: &[u8]) -> bool {
    let word = |i: usize| {
        v.get(i)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let n = v.len();
    // The first period is at 1 or later, the second 3 bytes on, inside `v`.
    if n < 5 {
        return false;
    }
    if n <= 64 {
        let (hay, start, end) = in_record(record, v);
        let periods = block_matches(hay, start, end, b'.');
        let spaces = block_matches(hay, start, end, b' ');
        let mut lined_up = periods & (spaces >> 1) & (periods >> 3) & !1 & ((1u64 << (n - 3)) - 1);
        while lined_up != 0 {
            let j = lined_up.trailing_zeros() as usize;
            lined_up &= lined_up - 1;
            if word(j - 1) && (j == 1 || !word(j - 2)) && word(j + 2) {
                return true;
            }
        }
        return false;
    }
    (1..n).any(|j| {
        v[j] == b'.'
            && v.get(j + 1) == Some(&b' ')
            && v.get(j + 3) == Some(&b'.')
            && word(j - 1)
            && (j == 1 || !word(j - 2))
            && word(j + 2)
    })
}

/// `\b\w\. \b\w\.` (two initials with a space between), unless the value has
/// `[i.e. X.` ... `]`.
/// The characters are `c` (bytes read as Latin-1 characters, or chars).
fn spaced_initials<C: Copy + Into<char>>(c: &[C], is_word: impl Fn(char) -> bool) -> bool {
    let at = |i: usize| c.get(i).map(|&ch| ch.into());
    let word = |i: usize| at(i).is_some_and(&is_word);
    // The period and space first: the cheap test that rules out almost
    // every position.
    let spaced = (0..c.len()).any(|i| {
        at(i + 1) == Some('.')
            && at(i + 2) == Some(' ')
            && at(i + 4) == Some('.')
            && word(i)
            && (i == 0 || !word(i - 1))
            && word(i + 3)
    });
    if !spaced {
        return false;
    }
    const IE: [char; 6] = ['[', 'i', '.', 'e', '.', ' '];
    let corrected = (0..c.len()).any(|i| {
        IE.iter()
            .enumerate()
            .all(|(k, &want)| at(i + k) == Some(want))
            && word(i + 6)
            && at(i + 7) == Some('.')
            && (i + 8..c.len()).any(|j| at(j) == Some(']'))
    });
    !corrected
}

/// `^\[\w*\s*\w*\]`: a medium in square brackets.
fn bracketed_medium(t: &Text) -> bool {
    let mut it = t.chars.iter().copied().peekable();
    if it.next() != Some('[') {
        return false;
    }
    while it.peek().is_some_and(|&c| t.is_word(c)) {
        it.next();
    }
    while it.peek().is_some_and(|&c| t.is_space(c)) {
        it.next();
    }
    while it.peek().is_some_and(|&c| t.is_word(c)) {
        it.next();
    }
    it.next() == Some(']')
}

/// The non-filing indicator (245 ind2). LoC's 245 definition: the number of
/// characters of an initial definite or indefinite article, with the marks
/// before it and the space after it, that sorting and filing skip; 0 when
/// there is none. The articles are those LoC lists for the record's language
/// (008/35-37; `super::articles`, generated from LoC's Appendix F). A record
/// whose language has no articles there (or no 008) gets what follows from
/// the definition alone: when not 0, the skipped characters lie inside `$a`
/// and end where an article ends (a space, an apostrophe or a hyphen).
fn nonfiling<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    name: &Name,
    a: &[u8],
    utf8: bool,
) {
    let ind = super::checks::indicators(field).1 as char;
    // The walk has usually passed the 008; if not, it comes later (or never).
    let language = ctx
        .first_008
        .or_else(|| {
            ctx.record
                .fields()
                .find(|f| f.tag() == b"008")
                .map(|f| f.data())
        })
        .and_then(|f| f.get(35..38))
        .and_then(articles_of);
    let mut say =
        |why: String| ctx.field_finding(field, Some(b'2'), None, Rule::NonfilingIndicator, why);
    let Some(skip) = ind.to_digit(10) else {
        say(format!(
            "{name} non-filing indicator {} is not a digit",
            quoted(&[ind as u8])
        ));
        return;
    };
    let skip = skip as usize;
    // The longest article is 7 characters; marks before it are few. The
    // first 24 bytes, when they are characters (ASCII, or a record not in
    // UTF-8), read in place; the characters decoded otherwise.
    let head = &a[..a.len().min(INLINE_CHARS)];
    let bytes = !utf8 || head.is_ascii();
    let t = if bytes {
        None
    } else {
        Some(Text::new(a, utf8, INLINE_CHARS))
    };
    let Some((code, articles)) = language else {
        if skip > 0 {
            match &t {
                None => words_only(head, skip, a, name, &mut say),
                Some(t) => words_only(&t.chars, skip, a, name, &mut say),
            }
        }
        return;
    };
    let found = match &t {
        None => initial_article(head, articles),
        Some(t) => initial_article(&t.chars, articles),
    };
    match found {
        Some((article, count)) if count != skip => say(format!(
            "{name} $a {} begins with \"{article}\", an article in {code} (008/35-37): the non-filing indicator should be {count}, not {skip}",
            quoted(a)
        )),
        None if skip != 0 => say(format!(
            "{name} $a {} does not begin with an article of {code} (008/35-37), but the non-filing indicator is {skip}",
            quoted(a)
        )),
        _ => {}
    }
}

/// The language code `code` (008/35-37) and its initial articles, if LoC
/// lists any for it: a binary search over the codes packed into integers
/// (three bytes, big-endian, so that their order is the table's), made once,
/// where the table's strings cost a comparison and a pointer to follow a step.
fn articles_of(code: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    static KEYS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    let key = |c: &[u8]| match c {
        [a, b, c] => u32::from_be_bytes([0, *a, *b, *c]),
        _ => u32::MAX,
    };
    let keys = KEYS.get_or_init(|| {
        super::articles::INITIAL_ARTICLES
            .iter()
            .map(|(c, _)| key(c.as_bytes()))
            .collect()
    });
    // The table is sorted by code; a code that is not three bytes (none is)
    // packs to MAX and is never found.
    let want = key(code);
    if want == u32::MAX {
        return None;
    }
    keys.binary_search(&want)
        .ok()
        .map(|i| super::articles::INITIAL_ARTICLES[i])
}

/// The article `t` begins with, from `articles` (longest first), and the
/// characters filing skips for it: marks before it, the article, and the spaces
/// after it unless it ends with an apostrophe or hyphen (`L'`, `al-`).
/// The characters are `c` (bytes read as Latin-1 characters, or chars).
fn initial_article<C: Copy + Into<char>>(
    c: &[C],
    articles: &[&'static str],
) -> Option<(&'static str, usize)> {
    let at = |i: usize| c.get(i).map(|&ch| ch.into());
    let leading = c
        .iter()
        .take_while(|&&ch| {
            matches!(
                ch.into(),
                '"' | '\'' | '[' | '(' | '*' | '\u{bf}' | '\u{a1}'
            )
        })
        .count();
    // An article may itself begin with an apostrophe ('n, 't): try it unstripped too.
    // (With nothing to strip, the one try.)
    let starts = if leading == 0 {
        &[0][..]
    } else {
        &[0, leading][..]
    };
    starts.iter().find_map(|&start| {
        articles.iter().find_map(|&article| {
            let mut n = 0;
            for want in article.chars() {
                let got = at(start + n)?;
                if !same_letter(got, want) {
                    return None;
                }
                n += 1;
            }
            if article.ends_with(['\'', '-']) {
                Some((article, start + n))
            } else if at(start + n) == Some(' ') {
                // Filing skips every space after it ("The  end" is 5).
                let spaces = c[start + n..]
                    .iter()
                    .take_while(|&&ch| ch.into() == ' ')
                    .count();
                Some((article, start + n + spaces))
            } else {
                None
            }
        })
    })
}

/// Whether `got` and `want` are the same letter, case aside (their lower
/// cases are equal). ASCII against ASCII without Unicode's tables: most
/// titles' first letters, compared against every article of the language.
#[inline]
fn same_letter(got: char, want: char) -> bool {
    if got.is_ascii() && want.is_ascii() {
        got.eq_ignore_ascii_case(&want)
    } else {
        got.to_lowercase().eq(want.to_lowercase())
    }
}

/// Without articles for the record's language: the `skip` characters the
/// indicator gives lie inside `$a` and end where an article ends.
/// The characters are `c`, as for [`initial_article`].
fn words_only<C: Copy + Into<char>>(
    c: &[C],
    skip: usize,
    a: &[u8],
    name: &Name,
    say: &mut impl FnMut(String),
) {
    let ends_article = |c: char| matches!(c, ' ' | '\'' | '\u{2019}' | '-');
    if c.len() <= skip {
        say(format!(
            "{name} $a {} is not longer than the {skip} non-filing characters its indicator skips",
            quoted(a)
        ));
    } else if !ends_article(c[skip - 1].into()) {
        say(format!(
            "{name} $a {}: the {skip} non-filing characters its indicator skips do not end an article (with a space, apostrophe or hyphen)",
            quoted(a)
        ));
    }
}

/// 250: `$a` present and first (after `$3`, `$6`, `$8`).
pub(super) fn edition<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>, name: &Name) {
    if !ctx.on(Rule::EditionStatement) {
        return;
    }
    let first = field
        .subfields()
        .find(|s| !matches!(s.code, b'3' | b'6' | b'8'));
    match first {
        None => ctx.field_finding(
            field,
            None,
            None,
            Rule::EditionStatement,
            format!("{name} has no $a (edition statement)"),
        ),
        Some(s) if s.code != b'a' => ctx.field_finding(
            field,
            Some(s.code),
            Some(s.value),
            Rule::EditionStatement,
            format!(
                "{name}: the first subfield must be $a, not ${}",
                s.code.escape_ascii()
            ),
        ),
        Some(_) => {}
    }
}

/// 260/264 in a record with ISBD punctuation (LDR/18 `a` or `i`): `$b` after
/// " :" and `$c` after "," (after `$b`) — the punctuation ISBD puts between
/// place, name and date.
pub(super) fn publication<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>, name: &Name) {
    if !ctx.on(Rule::PublicationStatement)
        || !matches!(ctx.record.leader().as_bytes()[18], b'a' | b'i')
    {
        return;
    }
    let mut prev: Option<Subfield<'a>> = None;
    let mut subs = SubfieldList::new();
    split_subfields(ctx.record.as_bytes(), field, &mut subs);
    for &sub in &subs {
        let Some(before) = prev.replace(sub) else {
            continue;
        };
        let trimmed = before.value.trim_ascii_end();
        let message = match (before.code, sub.code) {
            (b'a', b'b') if !trimmed.ends_with(b":") => format!("{name} $b should follow \" :\""),
            (b'b', b'c') if !trimmed.ends_with(b",") => format!("{name} $c should follow \",\""),
            _ => continue,
        };
        ctx.field_finding(
            field,
            Some(sub.code),
            Some(sub.value),
            Rule::PublicationStatement,
            message,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{articles_of, spaced_initial_bytes};

    /// The search by masks finds what a plain loop over the value finds, on
    /// values of every length up to past a block, with the marks anywhere
    /// (and read apart from any record, where the block is padded).
    #[test]
    fn spaced_initials_by_masks_agree_with_a_loop() {
        let pieces: [&[u8]; 8] = [b"J. ", b"R.", b" ", b"by ", b"x", b".", b"_", b"ab. c."];
        let by_loop = |v: &[u8]| {
            let word = |i: usize| {
                v.get(i)
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
            };
            (1..v.len()).any(|j| {
                v[j] == b'.'
                    && v.get(j + 1) == Some(&b' ')
                    && v.get(j + 3) == Some(&b'.')
                    && word(j - 1)
                    && (j == 1 || !word(j - 2))
                    && word(j + 2)
            })
        };
        let mut state = 11u32;
        let (mut found, mut checked) = (0, 0);
        for _ in 0..20_000 {
            let mut v = Vec::new();
            let pieces_count = state % 24;
            for _ in 0..pieces_count {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                v.extend_from_slice(pieces[(state >> 16) as usize % pieces.len()]);
            }
            // In a longer buffer (the block reads on past the value), and alone.
            let mut record = v.clone();
            record.extend_from_slice(b". J. R.\x1e\x1d");
            let want = by_loop(&v);
            assert_eq!(
                spaced_initial_bytes(&record, &record[..v.len()]),
                want,
                "{v:?}"
            );
            assert_eq!(spaced_initial_bytes(&[], &v), want, "{v:?}");
            found += usize::from(want);
            checked += 1;
            state = state.wrapping_add(1);
        }
        assert!(found > 100 && found < checked - 100, "{found} of {checked}");
    }
    use crate::lint::articles::INITIAL_ARTICLES;

    /// Every language of LoC's table is found, with its own articles, and a
    /// code not in it is not (the search relies on the table's order).
    #[test]
    fn every_language_with_articles_is_found() {
        for &(code, articles) in INITIAL_ARTICLES {
            assert_eq!(
                articles_of(code.as_bytes()),
                Some((code, articles)),
                "{code}"
            );
        }
        for code in [&b"zzz"[..], b"aaa", b"   ", b"en", b"\xff\xff\xff"] {
            assert_eq!(articles_of(code), None, "{code:?}");
        }
    }
}
