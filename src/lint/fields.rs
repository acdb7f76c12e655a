//! Checks of particular fields, after MARC::Lint's: 020 (ISBN), 041
//! (language codes), 043 (geographic area codes).

use super::checks::{split_subfields, SubfieldList};
use super::{quoted, Ctx, Rule};
use crate::record::FieldRef;
use smallvec::SmallVec;

/// 020 `$a`: a 10- or 13-digit ISBN (hyphens removed), nothing before it, a
/// qualifier after a space, a good check digit. 020 `$z` (a cancelled or
/// invalid ISBN) that is a well-formed ISBN-10 with a good check digit is
/// reported by its own rule, [`Rule::IsbnCancelledValid`].
pub(super) fn isbn<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>) {
    let on_a = ctx.on(Rule::Isbn);
    let on_z = ctx.on(Rule::IsbnCancelledValid);
    if !on_a && !on_z {
        return;
    }
    let mut subs = SubfieldList::new();
    split_subfields(ctx.record.as_bytes(), field, &mut subs);
    for &sub in &subs {
        if !matches!(sub.code, b'a' | b'z') {
            continue;
        }
        let data = sub.value;
        let whole;
        let plain = plain_isbn(data);
        let number: &[u8] = match plain {
            Some(n) => n,
            None => {
                whole = isbn_number(data);
                &whole
            }
        };
        let text = || quoted(data);
        match sub.code {
            b'a' if on_a => {
                let mut say = |why: String| {
                    ctx.field_finding(field, Some(b'a'), Some(data), Rule::Isbn, why);
                };
                // A plain number is the value's start, all digits.
                if plain.is_none() && !data.starts_with(number) {
                    say(format!(
                        "020 $a {} has characters other than the ISBN's digits before or in it",
                        text()
                    ));
                }
                if data.contains(&b'(')
                    && !data.windows(3).any(|w| {
                        (w[0].is_ascii_digit() || w[0] == b'X') && w[1] == b' ' && w[2] == b'('
                    })
                {
                    say(format!(
                        "020 $a {}: a qualifier must follow the ISBN after a space",
                        text()
                    ));
                }
                let shape_ok = matches!(number.len(), 10 | 13)
                    && (plain.is_some() || number.iter().all(u8::is_ascii_digit))
                    || number.len() == 10
                        && number[..9].iter().all(u8::is_ascii_digit)
                        && number[9] == b'X';
                if !shape_ok {
                    say(format!("020 $a {} is not a 10- or 13-digit ISBN", text()));
                } else if number.len() == 10 && !isbn10_ok(number) {
                    say(format!("020 $a {} has a bad check digit", text()));
                } else if number.len() == 13 && !isbn13_ok(number) {
                    say(format!("020 $a {} has a bad check digit (ISBN-13)", text()));
                }
            }
            b'z' if on_z => {
                let looks_like_isbn = data.starts_with(b"ISBN") || {
                    let digits = data.iter().take_while(|b| b.is_ascii_digit()).count();
                    data.get(digits) == Some(&b'-')
                        && data.get(digits + 1).is_some_and(u8::is_ascii_digit)
                };
                if looks_like_isbn
                    && number.len() == 10
                    && number[..9].iter().all(u8::is_ascii_digit)
                    && (number[9].is_ascii_digit() || number[9] == b'X')
                    && isbn10_ok(number)
                {
                    ctx.field_finding(
                        field,
                        Some(b'z'),
                        Some(data),
                        Rule::IsbnCancelledValid,
                        format!("020 $z {} is a valid ISBN (should it be in $a?)", text()),
                    );
                }
            }
            _ => {}
        }
    }
}

/// [`isbn_number`] of the usual value, without a copy: 10 to 13 digits from
/// the start, then the end or a byte that is neither a hyphen nor a word
/// character (`9780198526636 (pbk.)`). `None` for any other value.
fn plain_isbn(data: &[u8]) -> Option<&[u8]> {
    let run = data.iter().take_while(|b| b.is_ascii_digit()).count();
    let ends = match data.get(run) {
        None => true,
        Some(&b) => b != b'-' && !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80),
    };
    ((10..=13).contains(&run) && ends).then(|| &data[..run])
}

/// The ISBN in a 020 value as MARC::Lint finds it: hyphens removed, then the
/// run of 10 to 13 digits (or 9 to 12 and an `X`) after any leading
/// non-digits, ending at a word boundary; the whole value (hyphens removed)
/// when there is no such run.
fn isbn_number(data: &[u8]) -> SmallVec<[u8; 16]> {
    // The word-boundary test treats any non-ASCII byte as a word character:
    // a letter in UTF-8 text (it is rare after an ISBN).
    let word =
        |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80);
    if let Some(i) = data.iter().position(u8::is_ascii_digit) {
        // The digits from i on, hyphens skipped, and what follows them.
        let mut digits: SmallVec<[u8; 16]> = SmallVec::new();
        let mut rest = data[i..].iter().filter(|&&b| b != b'-').peekable();
        while let Some(&&b) = rest.peek() {
            if !b.is_ascii_digit() || digits.len() > 13 {
                break;
            }
            digits.push(b);
            rest.next();
        }
        let run = digits.len();
        let after = rest.next();
        if (10..=13).contains(&run) && !word(after) {
            return digits;
        }
        if (9..=12).contains(&run) && after == Some(&b'X') && !word(rest.next()) {
            digits.push(b'X');
            return digits;
        }
    }
    data.iter().copied().filter(|&b| b != b'-').collect()
}

fn isbn10_ok(n: &[u8]) -> bool {
    let sum: u32 = n
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let v = if b == b'X' { 10 } else { u32::from(b - b'0') };
            (10 - i as u32) * v
        })
        .sum();
    sum.is_multiple_of(11)
}

fn isbn13_ok(n: &[u8]) -> bool {
    let sum: u32 = n[..12]
        .iter()
        .enumerate()
        .map(|(i, &b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    (10 - sum % 10) % 10 == u32::from(n[12] - b'0')
}

/// The length of a value in characters: UTF-8 characters in a UTF-8 record,
/// bytes otherwise (as MARC::Lint counts).
pub(super) fn char_len(ctx: &Ctx<'_, '_, '_>, v: &[u8]) -> usize {
    if ctx.utf8 && !v.is_ascii() {
        String::from_utf8_lossy(v).chars().count()
    } else {
        v.len()
    }
}

/// 041: each language code subfield holds three-character codes (a multiple of
/// three characters), unless the second indicator is 7 (another code list,
/// named in `$2`).
pub(super) fn language<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>) {
    if !ctx.on(Rule::LanguageCode) || super::checks::indicators(field).1 == b'7' {
        return;
    }
    for sub in field.subfields() {
        // $2, $3, $6, $7 and $8 hold no language codes.
        if !sub.code.is_ascii_lowercase() {
            continue;
        }
        if !char_len(ctx, sub.value).is_multiple_of(3) {
            let message = format!(
                "041 ${} {} is not made of three-character language codes",
                sub.code as char,
                quoted(sub.value)
            );
            ctx.field_finding(
                field,
                Some(sub.code),
                Some(sub.value),
                Rule::LanguageCode,
                message,
            );
        }
    }
}

/// 043 `$a`: seven characters, a code of the MARC Code List for Geographic
/// Areas (padded with hyphens).
pub(super) fn geographic_area<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>) {
    if !ctx.on(Rule::GeographicArea) {
        return;
    }
    for sub in field.subfields().filter(|s| s.code == b'a') {
        let message = if char_len(ctx, sub.value) != 7 {
            format!("043 $a {} is not seven characters long", quoted(sub.value))
        } else if !super::definitions::is_geographic_area_code(trim_hyphens(sub.value)) {
            format!(
                "043 $a {} is not in the MARC Code List for Geographic Areas (obsolete or unknown)",
                quoted(sub.value)
            )
        } else {
            continue;
        };
        ctx.field_finding(
            field,
            Some(b'a'),
            Some(sub.value),
            Rule::GeographicArea,
            message,
        );
    }
}

/// `v` without its trailing hyphens (a code's padding).
fn trim_hyphens(v: &[u8]) -> &[u8] {
    let end = v.iter().rposition(|&b| b != b'-').map_or(0, |i| i + 1);
    &v[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_numbers_as_marc_lint_reads_them() {
        assert_eq!(&isbn_number(b"0-19-852663-6 (pbk.)")[..], b"0198526636");
        assert_eq!(&isbn_number(b"9780198526636")[..], b"9780198526636");
        assert_eq!(&isbn_number(b"019852663X : $20.00")[..], b"019852663X");
        assert_eq!(&isbn_number(b"01985266")[..], b"01985266");
        assert!(isbn10_ok(b"0198526636") && !isbn10_ok(b"0198526637"));
        // The copy-free reading gives what the general one gives, where it reads.
        for v in [
            &b"9780198526636"[..],
            b"9780198526636 (pbk.)",
            b"0198526636 : $20.00",
            b"0198526636-",
            b"0198526636x",
            b"019852663X",
            b"0-19-852663-6",
            b"01985266363636",
            b"0198526636\xc3\xa9",
            b"ISBN 0198526636",
            b"",
        ] {
            if let Some(n) = plain_isbn(v) {
                assert_eq!(n, &isbn_number(v)[..], "{v:?}");
            }
        }
        assert_eq!(
            plain_isbn(b"9780198526636 (pbk.)"),
            Some(&b"9780198526636"[..])
        );
        assert_eq!(plain_isbn(b"0-19-852663-6"), None);
        assert!(isbn10_ok(b"080442957X"));
        assert!(isbn13_ok(b"9780198526636") && !isbn13_ok(b"9780198526637"));
    }

    /// The packed lookup finds every code of the generated list, padded as
    /// 043 $a holds it, and nothing that differs from one by a byte.
    #[test]
    fn geographic_area_codes_packed_as_listed() {
        use super::super::definitions::is_geographic_area_code;
        use super::super::tables::GEOGRAPHIC_AREAS;
        assert!(GEOGRAPHIC_AREAS.len() > 500);
        for code in GEOGRAPHIC_AREAS {
            let padded = format!("{code:-<7}");
            assert!(
                is_geographic_area_code(trim_hyphens(padded.as_bytes())),
                "{code}"
            );
            for (i, wrong) in [(0, b'x'), (code.len() - 1, b'\0'), (code.len() - 1, 0xC3)] {
                let mut near = code.as_bytes().to_vec();
                near[i] = wrong;
                let listed = GEOGRAPHIC_AREAS.iter().any(|c| c.as_bytes() == near);
                assert_eq!(is_geographic_area_code(&near), listed, "{near:?}");
            }
            let mut longer = code.as_bytes().to_vec();
            longer.extend_from_slice(b"zz");
            let listed = GEOGRAPHIC_AREAS.iter().any(|c| c.as_bytes() == longer);
            assert_eq!(is_geographic_area_code(&longer), listed);
        }
        assert!(!is_geographic_area_code(b""));
        assert_eq!(trim_hyphens(b"n-us---"), b"n-us");
        assert_eq!(trim_hyphens(b"-------"), b"");
    }
}
