//! MARC-8 to Unicode decoding.
//!
//! # MARC-8 in brief
//!
//! MARC-8 is the pre-Unicode character encoding of MARC 21 records (leader
//! position 09 blank). It is an ISO 2022 style encoding with two graphic sets
//! in force at any time:
//!
//! - **G0**, addressed by bytes 0x21-0x7E, is ASCII by default;
//! - **G1**, addressed by bytes 0xA1-0xFE, is ANSEL (Extended Latin) by default.
//!
//! Escape sequences designate other sets into G0 or G1: Greek symbols,
//! subscripts and superscripts (`ESC g`, `ESC b`, `ESC p`, back with `ESC s`),
//! Basic and Extended Hebrew, Cyrillic, Arabic, Greek (`ESC ( F`, `ESC ) F`),
//! and the three-byte East Asian Character Code, EACC (`ESC $ 1`). Space
//! (0x20) is always a single-byte space. The designations are reset to the
//! defaults at the start of every field, so each call to [`decode`] starts
//! from G0 = ASCII, G1 = ANSEL.
//!
//! Diacritics are separate combining characters that come **before** the
//! letter they modify; Unicode puts them **after**. The decoder moves them.
//! Marks left at the end of the input, with no letter after them, are kept.
//!
//! C0 control bytes other than ESC and the record structure characters
//! (0x1D-0x1F) are not MARC-8 characters: strict mode reports them.
//!
//! Characters outside the MARC-8 repertoire are written as numeric character
//! references, `&#xHHHH;`; these decode to the character. Malformed references
//! (such as `&#x0E25%x;`, or one that names a surrogate) stay literal text.
//!
//! The mapping tables are generated from the Library of Congress code tables
//! by `tools/gen_marc8_tables.py`. Where the LC tables give a private-use code
//! point for an EACC character and a substitute as an alternative, the
//! primary (private-use) mapping is used, as LC and marc4j do.
//!
//! # Options
//!
//! - [`Marc8Options::errors`]: in [`Strict`](crate::decode::ErrorHandling::Strict)
//!   mode, an unknown or truncated escape sequence, a byte not in the set
//!   designated for it, or a truncated or unknown EACC character is an error
//!   giving the byte offset in the input.
//!   [`Replace`](crate::decode::ErrorHandling::Replace) writes U+FFFD instead
//!   and [`Ignore`](crate::decode::ErrorHandling::Ignore) drops the bytes.
//! - [`Marc8Options::normalization`]: [`Normalization::Nfc`] (the default, what
//!   pymarc returns) or [`Normalization::Nfd`] (closest to what LC's converter
//!   and marc4j emit: letters followed by combining marks).
//! - [`Marc8Options::ligatures`]: the ligature (0xEB/0xEC) and double tilde
//!   (0xFA/0xFB) are each written in MARC-8 as two halves, around the two
//!   letters they span. With [`LigatureMapping::Lc`] (the default, LC's
//!   recommendation and what marc4j and yaz do) the first half becomes
//!   U+0361 COMBINING DOUBLE INVERTED BREVE or U+0360 COMBINING DOUBLE TILDE
//!   and the second half is dropped: `EB t s EC` gives `t\u{361}s`. With
//!   [`LigatureMapping::Pymarc`] the halves become U+FE20 / U+FE21 and
//!   U+FE22 / U+FE23 (combining half marks), which is what pymarc returns:
//!   `t\u{FE20}s\u{FE21}`.
//!
//! # Mislabelled records
//!
//! Some records say MARC-8 in the leader but hold UTF-8. [`looks_like_utf8`]
//! spots them so that a reader can decode them as UTF-8 and say so.
//!
//! # Example
//!
//! ```
//! use marcmap::marc8::{decode, Marc8Options};
//!
//! // ANSEL 0xE2 is the combining acute accent, written before its letter.
//! let text = decode(b"Caf\xE2e", &Marc8Options::default()).unwrap();
//! assert_eq!(text, "Caf\u{e9}");
//! ```

mod charset;
mod decoder;
mod encoder;
mod error;
mod escape;
mod ncr;
mod normalize;
mod options;
mod reverse;
mod scan;
mod tables;

pub use error::{Marc8Error, Marc8ErrorKind};
pub use options::{LigatureMapping, Marc8Options, Normalization};

/// Decode MARC-8 bytes (one field or subfield) to a `String`.
///
/// # Errors
///
/// Only in strict mode: the first bad sequence, with its byte offset.
#[inline]
pub fn decode(input: &[u8], opts: &Marc8Options) -> Result<String, Marc8Error> {
    if let Some(text) = plain(input) {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(input.len() + input.len() / 4);
    decode_general(input, opts, &mut out)?;
    Ok(out)
}

/// Decode MARC-8 bytes, borrowing them when they decode to themselves (plain
/// printable ASCII without `&`, the one fast path every caller shares).
///
/// # Errors
///
/// Only in strict mode: the first bad sequence, with its byte offset.
#[inline]
pub fn decode_cow<'a>(
    input: &'a [u8],
    opts: &Marc8Options,
) -> Result<std::borrow::Cow<'a, str>, Marc8Error> {
    if let Some(text) = plain(input) {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(input.len() + input.len() / 4);
    decode_general(input, opts, &mut out)?;
    Ok(std::borrow::Cow::Owned(out))
}

/// Decode MARC-8 bytes and append the text to `out`, so that a caller can
/// reuse one buffer. On error, `out` may hold part of the text.
///
/// # Errors
///
/// Only in strict mode: the first bad sequence, with its byte offset.
#[inline]
pub fn decode_into(input: &[u8], opts: &Marc8Options, out: &mut String) -> Result<(), Marc8Error> {
    if let Some(text) = plain(input) {
        out.push_str(text);
        return Ok(());
    }
    decode_general(input, opts, out)
}

/// True when `bytes` encode and decode as themselves: printable ASCII with
/// no `&`, or the record structure bytes (a whole record's data can be
/// checked at once).
#[inline]
pub(crate) fn is_plain(bytes: &[u8]) -> bool {
    scan::plain_prefix(bytes) == bytes.len()
}

/// The fast path: printable ASCII with no `&` (which may start a character
/// reference) is itself. Checked eight bytes at a time.
#[inline]
fn plain(input: &[u8]) -> Option<&str> {
    if scan::plain_prefix(input) == input.len() {
        std::str::from_utf8(input).ok()
    } else {
        None
    }
}

/// Everything but plain ASCII: kept out of line so that the fast path stays small.
#[inline(never)]
fn decode_general(input: &[u8], opts: &Marc8Options, out: &mut String) -> Result<(), Marc8Error> {
    if let Some(from) = decoder::decode_raw(input, opts, out)? {
        normalize::tail(out, from, opts.normalization);
    }
    Ok(())
}

/// Encode Unicode text (one field or subfield) as MARC-8.
///
/// The text is decomposed (NFD) and each combining mark is written before the
/// character it sits on, as MARC-8 orders them. Other scripts are reached by
/// escape sequences, and the default sets (G0 = ASCII, G1 = ANSEL) are
/// designated again at the end, so every value stands on its own. The
/// ligature and double tilde (U+0361, U+0360) are written as their two
/// halves around the two letters they span, as [`decode`] reads them.
/// Characters MARC-8 lacks are written as LC's lossless `&#xHHHH;`; so is an
/// `&` that would otherwise read back as such a reference.
///
/// # Example
///
/// ```
/// use marcmap::marc8::{decode, encode, Marc8Options};
///
/// let bytes = encode("Café Мир ☺");
/// // The acute accent comes before its letter; ASCII is designated again
/// // before the space, since what follows the space is not Cyrillic.
/// assert_eq!(bytes, b"Caf\xE2e \x1b(NmIR\x1b(B &#x263A;".to_vec());
/// assert_eq!(decode(&bytes, &Marc8Options::default()).unwrap(), "Café Мир ☺");
/// ```
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    encode_into(text, &mut out);
    out
}

/// [`encode`], appending to `out`; returns how many characters were written
/// as `&#xHHHH;`: those MARC-8 lacks, and the rare combining mark it cannot
/// place (one with nothing before it, or on an EACC character, where pymarc
/// would misread a mark byte). An escaped `&` is not counted. Characters are
/// those of the decomposed text, so the count can pass the text's: `ȱ` before
/// a mark MARC-8 lacks gives three (`o&#x0331;&#x0307;&#x0304;`).
pub fn encode_into(text: &str, out: &mut Vec<u8>) -> usize {
    let bytes = text.as_bytes();
    let plain = scan::plain_prefix(bytes);
    if plain == bytes.len() {
        out.extend_from_slice(bytes);
        return 0;
    }
    // The last plain character may carry the combining marks after it.
    let split = plain.saturating_sub(1);
    out.extend_from_slice(bytes.get(..split).unwrap_or_default());
    encoder::encode_general(text.get(split..).unwrap_or_default(), out)
}

/// True if bytes labelled MARC-8 are more likely UTF-8: they hold no escape
/// (0x1B), at least one byte of 0x80 or above, and are valid UTF-8.
///
/// Real MARC-8 text with ANSEL diacritics is almost never valid UTF-8, since
/// a combining mark byte (0xE0-0xFE) would have to be followed by exactly the
/// right continuation bytes.
pub fn looks_like_utf8(bytes: &[u8]) -> bool {
    !bytes.is_ascii()
        && memchr::memchr(0x1B, bytes).is_none()
        && simdutf8::basic::from_utf8(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::ErrorHandling;

    fn opts(errors: ErrorHandling) -> Marc8Options {
        Marc8Options {
            errors,
            ..Marc8Options::default()
        }
    }

    #[test]
    fn reorders_combining_marks() {
        let nfd = Marc8Options {
            normalization: Normalization::Nfd,
            ..Marc8Options::default()
        };
        assert_eq!(
            decode(b"\xE2e\xE3\xF2a", &nfd).unwrap(),
            "e\u{301}a\u{323}\u{302}"
        );
        assert_eq!(
            decode(b"\xE2e", &Marc8Options::default()).unwrap(),
            "\u{e9}"
        );
    }

    #[test]
    fn ligatures() {
        let lc = Marc8Options {
            normalization: Normalization::Nfd,
            ..Marc8Options::default()
        };
        let py = Marc8Options {
            ligatures: LigatureMapping::Pymarc,
            ..lc
        };
        assert_eq!(decode(b"\xEBt\xECs", &lc).unwrap(), "t\u{361}s");
        assert_eq!(decode(b"\xEBt\xECs", &py).unwrap(), "t\u{FE20}s\u{FE21}");
        assert_eq!(decode(b"\xFAn\xFBg", &lc).unwrap(), "n\u{360}g");
        assert_eq!(decode(b"\xFAn\xFBg", &py).unwrap(), "n\u{FE22}g\u{FE23}");
    }

    #[test]
    fn escapes_and_sets() {
        let o = Marc8Options::default();
        // Cyrillic in G0, then back to ASCII.
        assert_eq!(
            decode(b"\x1b(NMIR\x1b(B!", &o).unwrap(),
            "\u{43c}\u{438}\u{440}!"
        );
        // Superscript two, then ASCII via ESC s.
        assert_eq!(decode(b"x\x1bp2\x1bs", &o).unwrap(), "x\u{b2}");
        // EACC, with a single-byte space in between.
        assert_eq!(
            decode(b"\x1b$1!0! !0\"\x1b(B", &o).unwrap(),
            "\u{4e00} \u{4e01}"
        );
        // A new call starts from the defaults again.
        assert_eq!(decode(b"MIR", &o).unwrap(), "MIR");
    }

    #[test]
    fn ncrs() {
        let o = Marc8Options::default();
        assert_eq!(
            decode(b"&#x03B1;&amp;&#x0E25%x;", &o).unwrap(),
            "\u{3b1}&amp;&#x0E25%x;"
        );
    }

    #[test]
    fn error_modes() {
        let input = b"ab\x1b(Zc\xFFd";
        let err = decode(input, &opts(ErrorHandling::Strict)).unwrap_err();
        assert_eq!(
            err,
            Marc8Error {
                offset: 2,
                kind: Marc8ErrorKind::UnknownEscape
            }
        );
        assert_eq!(
            decode(input, &opts(ErrorHandling::Replace)).unwrap(),
            "ab\u{fffd}c\u{fffd}d"
        );
        assert_eq!(decode(input, &opts(ErrorHandling::Ignore)).unwrap(), "abcd");
        let err = decode(b"x\x1b$1!0", &opts(ErrorHandling::Strict)).unwrap_err();
        assert_eq!(
            err,
            Marc8Error {
                offset: 4,
                kind: Marc8ErrorKind::TruncatedMultibyte
            }
        );
        assert_eq!(
            err.to_string(),
            "invalid MARC-8 at byte 4: truncated multibyte (EACC) character"
        );
    }

    /// The old way: decode without normalising anything on the spot, then
    /// normalise the whole text.
    fn reference(input: &[u8], o: &Marc8Options) -> Result<String, Marc8Error> {
        let mut out = String::new();
        decoder::decode_with(input, o, &mut out, false)?;
        normalize::tail(&mut out, 0, o.normalization);
        Ok(out)
    }

    fn all_options() -> Vec<Marc8Options> {
        let mut v = Vec::new();
        for errors in [
            ErrorHandling::Strict,
            ErrorHandling::Replace,
            ErrorHandling::Ignore,
        ] {
            for normalization in [Normalization::Nfc, Normalization::Nfd] {
                for ligatures in [LigatureMapping::Lc, LigatureMapping::Pymarc] {
                    v.push(Marc8Options {
                        errors,
                        normalization,
                        ligatures,
                    });
                }
            }
        }
        v
    }

    /// Byte strings that are mostly letters and ANSEL marks, with the odd
    /// escape, C1 control, special character or reference to a mark.
    fn marcish() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            4 => (b'A'..=b'z').prop_map(|b| vec![b]),
            4 => (0xE0u8..=0xFE).prop_map(|b| vec![b]),
            1 => (0xA1u8..=0xC8).prop_map(|b| vec![b]),
            1 => (0x80u8..=0x9F).prop_map(|b| vec![b]),
            1 => Just(b" ".to_vec()),
            1 => prop::sample::select(vec![
                &b"\x1b(N"[..], b"\x1b(B", b"\x1bs", b"\x1bp", b"\x1b)2", b"\x1b)E",
                b"\x1b(S", b"\x1b$1", b"!0!", b"&#x301;", b"&#x323;", b"&#x212B;",
                b"&#x1100;", b"&#x1161;", b"&#xAC00;", b"&#x11A8;", b"&#x0B3E;",
                b"&#x0B47;", b"&#xF900;", b"&#x344;", b"&#xE9;", b"&#x1E63;",
            ])
            .prop_map(|s| s.to_vec()),
            1 => any::<u8>().prop_map(|b| vec![b]),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2000,
            ..proptest::prelude::ProptestConfig::default()
        })]

        #[test]
        fn same_as_normalising_everything(bytes in marcish()) {
            for o in all_options() {
                proptest::prop_assert_eq!(decode(&bytes, &o), reference(&bytes, &o));
            }
        }
    }

    #[test]
    fn clusters() {
        for o in all_options() {
            for input in [
                &b"\xE2e\xE3\xF2a\xE8\xE8u\xF0\xE2c"[..],
                b"\xE2\xE2a\xF2\xE2\xE3o\xE5\xE8\xE2u",
                b"q\xE2\xF2q&#x323;",
                b"\xE2\xB2&#x301;a\xE2",
                b"\xE1\xE2\xE3\xE4\xE5\xE6\xE7\xE8\xE9\xEAa",
                b"\xE1\xE2\xE3\xE4\xE5\xE6\xE7\xE8\xE9\xEA\xEEa",
                b"\xE2e\x88\xE3\x89a",
                b"\xE2\x1b(Na\x1b(Be",
                b"\xE2\xB2o\xE2\xE8\xB8\xE2\xFF\xF2\xE3\xA5",
                b"Vi\xE3\xF2e\xE2\xACt \xE0\xBC \xF2\xE1\xBD \xE3\xAD",
                b"\xE3&#xE9;\xF2&#x1EA1;\xE8&#xAC00;\xE2&#x212B;",
                b"\xE1\xE2\xE3\xE4\xE5\xE6\xE7\xE8\xE9\xEA\xE1\xE2\xE3\xE4\xE5\xE6\xE7a",
                b"\xE1\xE2\xE3\xE4\xE5\xE6\xE7\xE8\xE9\xEA\xE1\xE2\xE3\xE4\xE5\xE6a",
            ] {
                assert_eq!(decode(input, &o), reference(input, &o), "{input:?} {o:?}");
            }
        }
    }

    #[test]
    fn utf8_sniffing() {
        assert!(looks_like_utf8("Café".as_bytes()));
        assert!(!looks_like_utf8(b"Cafe"));
        assert!(!looks_like_utf8(b"Caf\xE2e"));
        assert!(!looks_like_utf8("\x1b(BCafé".as_bytes()));
    }
}
