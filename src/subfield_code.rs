//! pymarc's reading of a subfield whose code byte is not ASCII, in plain Rust, so
//! that every reader of a subfield (the text decoder, [`crate::OwnedRecord`],
//! the writers, [`crate::spec`], the Python bindings' accessors and their
//! GIL-free bulk work) sees the same code and value.
//!
//! pymarc decodes the code byte together with the value (UTF-8 if the bytes are,
//! else Latin-1); the code is the first ASCII character left after NFKD
//! decomposition with the non-ASCII characters dropped (so `é` reads as `e`), and
//! the value starts after the first character's bytes.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// The code pymarc gives a subfield with the non-ASCII code byte `code` and value
/// `value`, and the value it gives. The code is empty when nothing ASCII is left.
pub fn normalize(code: u8, value: &[u8]) -> (String, &[u8]) {
    let raw = [&[code], value].concat();
    let (text, skip) = read(&raw);
    let code: String = text.nfkd().filter(char::is_ascii).take(1).collect();
    (code, value.get(skip - 1..).unwrap_or_default())
}

/// The code byte and value as pymarc decodes them, and how many bytes the code
/// takes: one character of UTF-8 if the whole is UTF-8, else one Latin-1 byte.
fn read(raw: &[u8]) -> (Cow<'_, str>, usize) {
    match std::str::from_utf8(raw) {
        Ok(text) => (
            Cow::Borrowed(text),
            text.chars().next().map_or(1, char::len_utf8),
        ),
        Err(_) => (Cow::Owned(raw.iter().map(|&b| b as char).collect()), 1),
    }
}

/// The value pymarc gives a subfield with code byte `code`: `value` itself unless
/// the code byte is not ASCII. Allocates nothing for an ASCII code.
pub fn value(code: u8, value: &[u8]) -> &[u8] {
    if code.is_ascii() {
        return value;
    }
    let skip = read(&[&[code], value].concat()).1;
    value.get(skip - 1..).unwrap_or_default()
}

/// The value, as pymarc gives it, of a subfield with code byte `code` if pymarc
/// reads that code as one of `codes` (ASCII bytes).
pub fn matching<'v>(codes: &[u8], code: u8, value: &'v [u8]) -> Option<&'v [u8]> {
    if code.is_ascii() {
        return codes.contains(&code).then_some(value);
    }
    let (read, value) = normalize(code, value);
    match read.as_bytes() {
        [c] if codes.contains(c) => Some(value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_as_pymarc_does() {
        // UTF-8 "é" as the code: `e`, and the value after both bytes.
        assert_eq!(normalize(0xC3, b"\xa9abc"), ("e".into(), &b"abc"[..]));
        // Not UTF-8: Latin-1 "é" (0xE9) is one byte.
        assert_eq!(normalize(0xE9, b"abc\xff"), ("e".into(), &b"abc\xff"[..]));
        // Nothing ASCII in the code: the first ASCII character after it.
        assert_eq!(normalize(0xE4, b"\xb8\xadxyz"), ("x".into(), &b"xyz"[..]));
        assert_eq!(value(b'a', b"v"), b"v");
        assert_eq!(value(0xC3, b"\xa9abc"), b"abc");
        assert_eq!(matching(b"e", 0xC3, b"\xa9abc"), Some(&b"abc"[..]));
        assert_eq!(matching(b"a", 0xC3, b"\xa9abc"), None);
        assert_eq!(matching(b"a", b'a', b"v"), Some(&b"v"[..]));
    }
}
