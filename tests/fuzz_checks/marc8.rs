//! Target `marc8`: the MARC-8 decoder.

use marcmap::ErrorHandling;

/// The MARC-8 decoder on arbitrary bytes, in every error mode, normalisation and
/// ligature mapping:
/// - it never panics, and a strict error points inside the input;
/// - where strict succeeds, replace and ignore give the same text (nothing to fix);
/// - ignore never invents U+FFFD that replace would not also give;
/// - the output is in the normalisation form asked for;
/// - plain printable ASCII (no escape, no `&`) comes out unchanged;
/// - `looks_like_utf8` agrees with its definition.
pub fn check_marc8(data: &[u8]) {
    use marcmap::marc8::{self, LigatureMapping, Marc8Options, Normalization};
    use unicode_normalization::{is_nfc, is_nfd};

    for normalization in [Normalization::Nfc, Normalization::Nfd] {
        for ligatures in [LigatureMapping::Lc, LigatureMapping::Pymarc] {
            let opts = |errors| Marc8Options {
                errors,
                normalization,
                ligatures,
            };
            let strict = marc8::decode(data, &opts(ErrorHandling::Strict));
            let replace = marc8::decode(data, &opts(ErrorHandling::Replace))
                .expect("replace mode never fails");
            let ignore =
                marc8::decode(data, &opts(ErrorHandling::Ignore)).expect("ignore mode never fails");
            match &strict {
                Ok(text) => {
                    assert_eq!(
                        text, &replace,
                        "strict succeeded, so replace has nothing to replace"
                    );
                    assert_eq!(
                        text, &ignore,
                        "strict succeeded, so ignore has nothing to drop"
                    );
                }
                Err(e) => assert!(
                    e.offset < data.len().max(1),
                    "error offset {} outside the input",
                    e.offset
                ),
            }
            for out in [&replace, &ignore] {
                match normalization {
                    Normalization::Nfc => assert!(is_nfc(out), "output is not NFC: {out:?}"),
                    Normalization::Nfd => assert!(is_nfd(out), "output is not NFD: {out:?}"),
                }
            }
            let fffd = |s: &str| s.matches('\u{fffd}').count();
            assert!(
                fffd(&ignore) <= fffd(&replace),
                "ignore added replacement characters"
            );
        }
    }
    let plain = data.iter().all(|&b| (0x20..0x7F).contains(&b) && b != b'&');
    if plain {
        let out = marc8::decode(data, &Marc8Options::default()).expect("printable ASCII is MARC-8");
        assert_eq!(
            out.as_bytes(),
            data,
            "printable ASCII must come out unchanged"
        );
    }
    let expected = !data.contains(&0x1B) && !data.is_ascii() && std::str::from_utf8(data).is_ok();
    assert_eq!(marc8::looks_like_utf8(data), expected);
}
