//! UTF-8 with an error handling: the leaf of text decoding that `marc8` and
//! `text` share (public as [`crate::text::utf8`] and [`crate::ErrorHandling`]).

/// What to do with bytes that are not valid in the record's encoding.
///
/// The names and behaviour follow Python's codec error handlers, which pymarc
/// users already know as `utf8_handling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErrorHandling {
    /// Stop with an error that names the first bad byte.
    #[default]
    Strict,
    /// Put U+FFFD REPLACEMENT CHARACTER in place of each bad sequence.
    Replace,
    /// Drop the bad bytes.
    Ignore,
}

crate::named_values!(ErrorHandling, "error handling", {
    "strict" => ErrorHandling::Strict,
    "replace" => ErrorHandling::Replace,
    "ignore" => ErrorHandling::Ignore,
});

use std::borrow::Cow;

/// Decodes UTF-8 with the given handling. In strict mode the error is the offset
/// of the first invalid byte.
///
/// `Replace` puts one U+FFFD per maximal invalid subsequence, the Unicode
/// recommendation that Python's `errors="replace"` also follows, so results match
/// pymarc's `utf8_handling` byte for byte.
///
/// ```
/// use marcmap::{text::utf8, ErrorHandling};
/// assert_eq!(utf8(b"caf\xc3\xa9", ErrorHandling::Strict).unwrap(), "café");
/// assert_eq!(utf8(b"a\xffb", ErrorHandling::Strict), Err(1));
/// assert_eq!(utf8(b"a\xffb", ErrorHandling::Replace).unwrap(), "a\u{fffd}b");
/// assert_eq!(utf8(b"a\xffb", ErrorHandling::Ignore).unwrap(), "ab");
/// ```
pub fn utf8(bytes: &[u8], handling: ErrorHandling) -> Result<Cow<'_, str>, usize> {
    // simdutf8 validates valid text fast; std finds where invalid text fails.
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => match handling {
            ErrorHandling::Strict => Err(e.valid_up_to()),
            ErrorHandling::Replace => Ok(String::from_utf8_lossy(bytes)),
            ErrorHandling::Ignore => {
                let mut out = String::with_capacity(bytes.len());
                for chunk in bytes.utf8_chunks() {
                    out.push_str(chunk.valid());
                }
                Ok(Cow::Owned(out))
            }
        },
    }
}
