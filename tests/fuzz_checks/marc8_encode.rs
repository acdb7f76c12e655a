//! Target `marc8_encode`: the MARC-8 encoder.

use marcmap::ErrorHandling;

/// Text as LC's decoding gives it back: pymarc's ligature halves U+FE20-FE23
/// (which the encoder writes as ANSEL's halves) as U+0361 / U+0360 or nothing,
/// then NFC.
fn lc_form(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.chars()
        .filter_map(|c| match c {
            '\u{FE20}' => Some('\u{361}'),
            '\u{FE22}' => Some('\u{360}'),
            '\u{FE21}' | '\u{FE23}' => None,
            c => Some(c),
        })
        .nfc()
        .collect()
}

/// The MARC-8 encoder on any text (the input read as UTF-8, invalid bytes as
/// U+FFFD):
/// - it never panics, and its output decodes strictly (LC ligature mapping)
///   to the text itself (in NFC): characters MARC-8 lacks come back from their
///   `&#xHHHH;`, and an `&` that would read as a reference was escaped;
/// - the output holds no C0 control but ESC and the record structure bytes
///   the text itself held;
/// - each value ends in the default sets: two values encoded and joined by
///   `|` decode as the two texts joined by `|`;
/// - `encode_into` appends exactly what `encode` returns, and counts at most
///   one reference per character.
pub fn check_marc8_encode(data: &[u8]) {
    use marcmap::marc8::{self, LigatureMapping, Marc8Options, Normalization};

    let text = String::from_utf8_lossy(data);
    let opts = Marc8Options {
        errors: ErrorHandling::Strict,
        normalization: Normalization::Nfc,
        ligatures: LigatureMapping::Lc,
    };
    let bytes = marc8::encode(&text);
    let back = marc8::decode(&bytes, &opts)
        .unwrap_or_else(|e| panic!("our own MARC-8 does not decode: {e}: {bytes:?}"));
    assert_eq!(
        lc_form(&back),
        lc_form(&text),
        "round trip of {text:?} via {bytes:?}"
    );

    let structure = |b: &u8| matches!(b, 0x1B | 0x1D..=0x1F);
    for b in bytes.iter().filter(|&&b| b < 0x20) {
        assert!(structure(b), "control byte {b:#04x} in {bytes:?}");
    }

    let mut appended = b"prefix".to_vec();
    let references = marc8::encode_into(&text, &mut appended);
    assert_eq!(&appended[6..], &bytes[..]);
    // The count is of the references written: every `&#xHHHH;` that LC's
    // decoding reads in the output (a text's own `&` that would read as one
    // is escaped, and an `&#x` that would not stays as it is) but the escaped
    // `&`s (`&#x0026;`). Only while G0 is ASCII: the same bytes in EACC, or in
    // another set designated into G0, are other characters. The count is
    // bounded by the characters of the decomposed text, not of the text: `ȱ`
    // before a mark MARC-8 lacks is written `o&#x0331;&#x0307;&#x0304;`, three
    // references for two characters (a mark after a reference has nothing to
    // sit on).
    let reference_at = |i: usize| {
        let at = &bytes[i..];
        let Some(rest) = at.strip_prefix(b"&#x").or(at.strip_prefix(b"&#X")) else {
            return false;
        };
        let hex = rest
            .iter()
            .take(7)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        (1..=6).contains(&hex)
            && rest.get(hex) == Some(&b';')
            && std::str::from_utf8(&rest[..hex])
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
                .is_some()
    };
    let mut written = 0;
    let mut g0_ascii = true;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1B {
            // ESC [$] ( or , F: G0; ESC [$] ) or - [!] F: G1; ESC [$] F: G0
            // (`ESC s` and `ESC ( B` are ASCII).
            let mut j = i + 1;
            if bytes.get(j) == Some(&b'$') {
                j += 1;
            }
            let g0 = match bytes.get(j) {
                Some(b'(' | b',') => true,
                Some(b')' | b'-') => false,
                _ => {
                    g0_ascii = bytes.get(j) == Some(&b's');
                    i = j + 1;
                    continue;
                }
            };
            j += 1;
            if bytes.get(j) == Some(&b'!') {
                j += 1;
            }
            if g0 {
                g0_ascii = bytes.get(j) == Some(&b'B');
            }
            i = j + 1;
            continue;
        }
        if g0_ascii && reference_at(i) && !bytes[i..].starts_with(b"&#x0026;") {
            written += 1;
        }
        i += 1;
    }
    assert_eq!(references, written, "{text:?} via {bytes:?}");
    {
        use unicode_normalization::UnicodeNormalization;
        assert!(references <= text.nfd().count(), "{text:?} via {bytes:?}");
    }

    // Split at a character boundary chosen by the input; the two values are
    // joined by `|`, which would read as another character if the first
    // value left a set other than ASCII designated, and which keeps an `&`
    // at the end of the first from reading as a reference with the second
    // (values in a record are apart: the subfield delimiter does the same).
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let pick = data.first().map_or(0, |&b| usize::from(b)) % chars.len().max(1);
    if let Some(&(at, _)) = chars.get(pick) {
        let (a, b) = text.split_at(at);
        let mut both = marc8::encode(a);
        both.push(b'|');
        both.extend_from_slice(&marc8::encode(b));
        let joined = marc8::decode(&both, &opts).expect("decodes");
        let parts = format!(
            "{}|{}",
            marc8::decode(&marc8::encode(a), &opts).expect("decodes"),
            marc8::decode(&marc8::encode(b), &opts).expect("decodes")
        );
        assert_eq!(lc_form(&joined), lc_form(&parts), "{a:?} then {b:?}");
    }
}
