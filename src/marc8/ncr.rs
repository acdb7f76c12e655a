//! Numeric character references (`&#xHHHH;`) embedded in MARC-8 text.
//!
//! MARC-8 cannot encode most of Unicode, so LC's conversion rules (and real
//! records) write such characters as hexadecimal references.

/// If `input` starts with a well-formed `&#xHHHH;` reference to a Unicode
/// scalar value, return the character and the reference's length in bytes.
///
/// One to six hex digits are accepted (upper or lower case, `x` or `X`).
/// Anything else, including references to surrogates or values above
/// U+10FFFF, is not a reference and stays literal text.
pub(crate) fn parse(input: &[u8]) -> Option<(char, usize)> {
    let rest = input.strip_prefix(b"&#")?;
    let rest = rest
        .strip_prefix(b"x")
        .or_else(|| rest.strip_prefix(b"X"))?;
    let digits = rest
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    if digits == 0 || digits > 6 || rest.get(digits) != Some(&b';') {
        return None;
    }
    let mut value = 0u32;
    for &b in rest.get(..digits)? {
        // `is_ascii_hexdigit` was checked above, so `to_digit` cannot fail.
        value = value * 16 + char::from(b).to_digit(16)?;
    }
    Some((char::from_u32(value)?, 3 + digits + 1))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn well_formed() {
        assert_eq!(parse(b"&#x03B1;rest"), Some(('\u{3B1}', 8)));
        assert_eq!(parse(b"&#X1f600;"), Some(('\u{1F600}', 9)));
        assert_eq!(parse(b"&#x41;"), Some(('A', 6)));
    }

    #[test]
    fn malformed_stays_literal() {
        for bad in [
            &b"&#x;"[..],
            b"&#x0E25%x;",
            b"&#xD800;",
            b"&#x110000;",
            b"&#x1234567;",
            b"&#65;",
            b"&#x41",
            b"&amp;",
        ] {
            assert_eq!(parse(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
