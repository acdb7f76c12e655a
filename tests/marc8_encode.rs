//! MARC-8 encoding against real data: every MARC-8 value of the corpus is
//! decoded, encoded and decoded again.

use marcmap::marc8::{decode, encode, LigatureMapping, Marc8Options, Normalization};
use marcmap::write::{write_chunks, WriteOptions};
use marcmap::{ErrorHandling, Format, Framing, MarcFile, OpenOptions, RecordRef, TextDecoder};
use unicode_normalization::UnicodeNormalization;

#[path = "common/corpus_dir.rs"]
mod corpus_dir;

/// One MARC-8 value of the corpus: where it is, and its bytes.
struct Value {
    place: String,
    bytes: Vec<u8>,
}

/// Every control field and subfield value of every MARC-8 record (LDR/09
/// blank, not mislabelled UTF-8) in the corpus's ISO 2709 files.
fn marc8_values() -> Option<Vec<Value>> {
    let dir = corpus_dir::corpus_dir("MARC-8 encoding corpus test")?;
    let mut files = Vec::new();
    corpus_dir::walk(&dir, &mut files);
    let mut values = Vec::new();
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let digits = bytes.len() >= 5 && bytes[..5].iter().all(u8::is_ascii_digit);
        if !(digits && bytes.contains(&0x1D)) {
            continue;
        }
        let Ok(file) = OpenOptions::new().framing(Framing::Lenient).open(&path) else {
            continue;
        };
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        for i in 0..file.len() {
            let Ok(record) = file.record(i) else { continue };
            if record.as_bytes().get(9) == Some(&b'a') || record.is_mislabelled_utf8() {
                continue;
            }
            for field in record.fields() {
                let tag = field.tag_str();
                if field.is_control() {
                    values.push(Value {
                        place: format!("{rel} #{i} {tag}"),
                        bytes: field
                            .data()
                            .strip_suffix(&[0x1E])
                            .unwrap_or(field.data())
                            .to_vec(),
                    });
                }
                for sf in field.subfields() {
                    values.push(Value {
                        place: format!("{rel} #{i} {tag} ${}", char::from(sf.code)),
                        bytes: sf.value.to_vec(),
                    });
                }
            }
        }
    }
    Some(values)
}

fn strict() -> Marc8Options {
    Marc8Options {
        errors: ErrorHandling::Strict,
        normalization: Normalization::Nfc,
        ligatures: LigatureMapping::Lc,
    }
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// decode → encode → decode gives the same text (NFC) for every MARC-8
/// value of the corpus that decodes strictly.
#[test]
fn decode_encode_decode_keeps_the_text() {
    let Some(values) = marc8_values() else { return };
    let (mut checked, mut undecodable) = (0, 0);
    for v in &values {
        let Ok(text) = decode(&v.bytes, &strict()) else {
            undecodable += 1;
            continue;
        };
        let bytes = encode(&text);
        let back = decode(&bytes, &strict())
            .unwrap_or_else(|e| panic!("{}: our own MARC-8 does not decode: {e}", v.place));
        assert_eq!(nfc(&back), nfc(&text), "{}", v.place);
        checked += usize::from(!v.bytes.is_ascii() || v.bytes.contains(&0x1B));
    }
    // The corpus has about 3,400 such values; a much smaller number means the
    // corpus walk lost files.
    assert!(checked > 3000, "only {checked} non-ASCII values checked");
    assert!(
        undecodable < 200,
        "{undecodable} values do not decode strictly"
    );
}

/// Why a real MARC-8 value is not what the encoder writes for its text. Each
/// is a way the original is not canonical MARC-8; the encoder writes the
/// canonical form (by the LC tables and the MARC 21 rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Exception {
    /// `&#xHHHH;` for a character MARC-8 has (marc4j's
    /// greekmissingcharsetchange.mrc writes Greek that way); we write it in
    /// its set.
    ReferenceForMarc8Character,
    /// The Greek symbol set (`ESC g`) for α, β, γ: the LC tables also have
    /// them in Basic Greek, which we use (the MARC 21 specification
    /// discourages the Greek symbol set).
    GreekSymbolSet,
    /// A ligature or double-tilde half without its other half.
    UnpairedHalf,
    /// The value ends with a set other than the defaults designated (the
    /// designation was carried into the next subfield), which MARC 21 does not
    /// allow: we return to ASCII and ANSEL at the end of every value.
    NotReturnedAtEnd,
    /// An escape to the set already designated, or one with no character
    /// after it.
    RedundantEscape,
    /// `ESC ( B` to leave the subscript, superscript or Greek symbol sets
    /// (the MARC 21 pairing is `ESC s`), or `ESC s` to leave a registered set.
    OtherReturnToAscii,
    /// A space written in a script's set just before the return to ASCII;
    /// we return before the space (what most of the corpus does).
    SpaceBeforeReturn,
    /// ASCII designated for digits or punctuation that the designated set
    /// also has; we stay in the set (fewer escapes).
    PunctuationInAscii,
    /// Combining marks with no character after them.
    TrailingMarks,
    /// Combining marks not in canonical order (decoding reorders them).
    MarkOrder,
}

/// The graphic set a one-byte set designation names, as (G1?, final byte).
fn designation(bytes: &[u8]) -> Option<(bool, u8, usize)> {
    let mut j = 1;
    if bytes.get(j) == Some(&b'$') {
        j += 1;
    }
    match bytes.get(j)? {
        b'g' | b'b' | b'p' | b's' if j == 1 => Some((false, bytes[j], 2)),
        b'(' | b',' | b')' | b'-' => {
            let g1 = matches!(bytes[j], b')' | b'-');
            j += 1;
            if bytes.get(j) == Some(&b'!') {
                j += 1;
            }
            Some((g1, *bytes.get(j)?, j + 1))
        }
        &f if j == 2 => Some((false, f, 3)),
        _ => None,
    }
}

fn g0_name(f: u8) -> u8 {
    if f == b's' {
        b'B'
    } else {
        f
    }
}

/// True when the set with final `f` has ASCII byte `b` as the same character.
fn set_has_ascii(f: u8, b: u8) -> bool {
    let bytes = [0x1B, b'(', f, b];
    decode(&bytes, &strict()).is_ok_and(|t| t == char::from(b).to_string())
}

/// The canonical combining class of the mark ANSEL byte `b` stands for.
fn ansel_class(b: u8) -> u8 {
    let text = decode(&[b, b'a'], &strict()).unwrap_or_default();
    let nfd: String = text.nfd().collect();
    nfd.chars()
        .nth(1)
        .map_or(0, unicode_normalization::char::canonical_combining_class)
}

/// True when every ligature or double-tilde first half (0xEB, 0xFA) has its
/// second half (0xEC, 0xFB) a letter or so later, and no second half is alone.
fn halves_paired(orig: &[u8]) -> bool {
    let mut open: Option<(u8, usize)> = None;
    for (i, &b) in orig.iter().enumerate() {
        match b {
            0xEB | 0xFA => {
                if open.is_some() {
                    return false;
                }
                open = Some((b + 1, i));
            }
            0xEC | 0xFB => match open.take() {
                Some((want, at)) if want == b && i - at <= 4 => {}
                _ => return false,
            },
            _ => {}
        }
    }
    open.is_none()
}

/// Every way `orig` is not canonical MARC-8.
fn exceptions(orig: &[u8]) -> Vec<Exception> {
    use Exception::*;
    let mut found = Vec::new();
    let mut add = |e| {
        if !found.contains(&e) {
            found.push(e);
        }
    };
    if orig.windows(3).any(|w| w.eq_ignore_ascii_case(b"&#x")) {
        add(ReferenceForMarc8Character);
    }
    if !halves_paired(orig) {
        add(UnpairedHalf);
    }
    let (mut g0, mut g1) = (b'B', b'E');
    let mut i = 0;
    while i < orig.len() {
        let b = orig[i];
        if b == 0x1B {
            let Some((is_g1, f, len)) = designation(&orig[i..]) else {
                i += 1;
                continue;
            };
            let rest = &orig[i + len..];
            let run_end = rest.iter().position(|&x| x == 0x1B).unwrap_or(rest.len());
            let run = &rest[..run_end];
            // Nothing designated is used before the next escape, or before the
            // end when what is designated is not a default set.
            let default = if is_g1 { f == b'E' } else { g0_name(f) == b'B' };
            if run.iter().all(|&x| x == b' ') && (run_end < rest.len() || !default) {
                add(RedundantEscape);
            }
            if is_g1 {
                if f == g1 {
                    add(RedundantEscape);
                }
                g1 = f;
            } else {
                let f0 = g0_name(f);
                if f == b'g' {
                    add(GreekSymbolSet);
                }
                if f0 == g0 {
                    add(RedundantEscape);
                }
                if f0 == b'B' && g0 != b'B' {
                    let custom = matches!(g0, b'g' | b'b' | b'p');
                    if custom != (f == b's') {
                        add(OtherReturnToAscii);
                    }
                    if i > 0 && orig[i - 1] == b' ' {
                        add(SpaceBeforeReturn);
                    }
                    // Back to ASCII only for what the set also has, then
                    // back to the set (or the end).
                    let next_same = rest[run_end..].len() < 3
                        || designation(&rest[run_end..]).is_some_and(|(_, f, _)| f == g0);
                    let all_in_set = !run.is_empty()
                        && !custom
                        && run.iter().all(|&x| x == b' ' || set_has_ascii(g0, x));
                    if all_in_set && next_same {
                        add(PunctuationInAscii);
                    }
                }
                g0 = f0;
            }
            i += len;
            continue;
        }
        if (0xE0..=0xFE).contains(&b) && g1 == b'E' {
            let run = orig[i..]
                .iter()
                .take_while(|x| (0xE0..=0xFE).contains(*x))
                .count();
            let classes: Vec<u8> = orig[i..i + run].iter().map(|&m| ansel_class(m)).collect();
            if classes.windows(2).any(|w| w[0] > w[1] && w[1] != 0) {
                add(MarkOrder);
            }
            if i + run == orig.len() {
                add(TrailingMarks);
            }
            i += run;
            continue;
        }
        i += 1;
    }
    if g0 != b'B' || g1 != b'E' {
        add(NotReturnedAtEnd);
    }
    found.sort();
    found
}

/// encode(decode(bytes)) is the original bytes wherever those are canonical:
/// every value that differs must show at least one named [`Exception`].
#[test]
fn encode_gives_back_canonical_originals() {
    let Some(values) = marc8_values() else { return };
    let (mut exact, mut differ) = (0, 0);
    let mut by_exception = std::collections::BTreeMap::<Exception, usize>::new();
    let mut unexplained = Vec::new();
    for v in values
        .iter()
        .filter(|v| !v.bytes.is_ascii() || v.bytes.contains(&0x1B))
    {
        let Ok(text) = decode(&v.bytes, &strict()) else {
            continue;
        };
        let ours = encode(&text);
        if ours == v.bytes {
            exact += 1;
            continue;
        }
        differ += 1;
        let found = exceptions(&v.bytes);
        if found.is_empty() {
            unexplained.push(format!(
                "{}\n  original {:?}\n  ours     {:?}",
                v.place,
                String::from_utf8_lossy(&v.bytes),
                String::from_utf8_lossy(&ours)
            ));
        }
        for e in found {
            *by_exception.entry(e).or_default() += 1;
        }
    }
    eprintln!("{exact} exact, {differ} not canonical: {by_exception:?}");
    assert!(
        unexplained.is_empty(),
        "{} values differ for no named reason:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    assert!(
        exact > 3200 && differ * 20 < exact,
        "{exact} exact, {differ} differ"
    );
}

/// The exception detector finds what it should (it must be able to fail).
#[test]
fn exceptions_are_detected() {
    use Exception::*;
    assert_eq!(exceptions(b"\x1b(NmIR\x1b(B"), vec![]);
    assert_eq!(exceptions(b"\x1b(NmIR"), vec![NotReturnedAtEnd]);
    assert_eq!(exceptions(b"\x1b(B,"), vec![RedundantEscape]);
    assert_eq!(exceptions(b"x\x1bp2\x1b(B"), vec![OtherReturnToAscii]);
    assert_eq!(exceptions(b"\x1b(NmIR \x1b(B["), vec![SpaceBeforeReturn]);
    assert_eq!(exceptions(b"\xEBt\xECs \xFAn\xFBg"), vec![]);
    assert_eq!(exceptions(b"(\xFAo) (\xFBo)"), vec![UnpairedHalf]);
    assert_eq!(
        exceptions(b"\x1b(NmIR\x1b(B, \x1b(NmIR\x1b(B"),
        vec![PunctuationInAscii]
    );
    assert_eq!(exceptions(b"\xE2\xF2a"), vec![MarkOrder]);
    assert_eq!(exceptions(b"\xF2\xE2a"), vec![]);
    assert_eq!(exceptions(b"ab\xE2"), vec![TrailingMarks]);
    assert_eq!(exceptions(b"\xEBo)"), vec![UnpairedHalf]);
    assert_eq!(exceptions(b"\x1bga\x1bs"), vec![GreekSymbolSet]);
    assert_eq!(exceptions(b"&#x03B1;"), vec![ReferenceForMarc8Character]);
}

/// pymarc's ligature halves U+FE20-FE23 as LC's mapping reads their bytes
/// back (the first halves as U+0361 / U+0360, the second as nothing), in NFC.
fn comparable(s: &str) -> String {
    let lc: String = s
        .chars()
        .filter_map(|c| match c {
            '\u{FE20}' => Some('\u{361}'),
            '\u{FE22}' => Some('\u{360}'),
            '\u{FE21}' | '\u{FE23}' => None,
            c => Some(c),
        })
        .collect();
    nfc(&lc)
}

/// Every value of `record` as text: (tag, indicators, code, text).
fn texts(record: &RecordRef<'_>) -> Vec<(String, String, u8, String)> {
    let text = record.text(&TextDecoder::new());
    let mut out = Vec::new();
    for field in record.fields() {
        let tag = field.tag_str().to_owned();
        if field.is_control() {
            let data = text.data(&field).expect("decodes");
            out.push((tag, String::new(), 0, comparable(&data)));
            continue;
        }
        let (i1, i2) = field.indicators();
        let ind: String = [i1, i2]
            .iter()
            .map(|&b| if b.is_ascii() { char::from(b) } else { ' ' })
            .collect();
        for sf in field.subfields() {
            // A UTF-8 code character's other bytes are not part of the value.
            let mut v = sf.value;
            if !sf.code.is_ascii() {
                while let Some((&(0x80..=0xBF), rest)) = v.split_first() {
                    v = rest;
                }
            }
            let value = text.value(&field, v).expect("decodes");
            out.push((tag.clone(), ind.clone(), sf.code, comparable(&value)));
        }
    }
    out
}

/// Every ISO 2709 file of the corpus written with `to_marc8`: each record
/// written reads back with LDR/09 blank and the same text in every value;
/// records that were MARC-8 come out byte for byte; the references counted
/// are the `&#x` written.
#[test]
fn corpus_written_as_marc8_reads_back() {
    let Some(dir) = corpus_dir::corpus_dir("MARC-8 writer corpus test") else {
        return;
    };
    let mut files = Vec::new();
    corpus_dir::walk(&dir, &mut files);
    let (mut converted, mut kept, mut references) = (0, 0, 0);
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let digits = bytes.len() >= 5 && bytes[..5].iter().all(u8::is_ascii_digit);
        if !(digits && bytes.contains(&0x1D)) {
            continue;
        }
        let Ok(file) = OpenOptions::new().framing(Framing::Lenient).open(&path) else {
            continue;
        };
        let mut out = Vec::new();
        let options = WriteOptions::new(Format::Iso2709).to_marc8(true);
        let report = write_chunks(
            &file,
            None,
            &options,
            2,
            false,
            |w| w(),
            |b| {
                out.extend_from_slice(b);
                Ok(())
            },
        )
        .expect("writes");
        let skipped: Vec<usize> = report
            .errors
            .iter()
            .filter_map(|e| e.position().record)
            .map(|i| i as usize)
            .collect();
        let written = MarcFile::from_bytes(out);
        assert_eq!(written.len(), report.written, "{}", path.display());
        let refs_by_record: std::collections::HashMap<usize, usize> =
            report.references.iter().copied().collect();
        let mut j = 0;
        for i in 0..file.len() {
            let Ok(original) = file.record(i) else {
                continue;
            };
            if skipped.contains(&i) {
                continue;
            }
            let copy = written.record(j).expect("written record parses");
            j += 1;
            let place = format!("{} #{i}", path.display());
            let was_marc8 = original.leader().as_bytes()[9] != b'a';
            if was_marc8 {
                // Kept: as it is, or re-serialised if Phase 2 repaired it.
                let want = if original.repairs().is_empty() {
                    original.as_bytes().to_vec()
                } else {
                    original.to_owned().to_iso2709().expect("serialises")
                };
                assert_eq!(copy.as_bytes(), &want[..], "{place}");
                kept += 1;
                continue;
            }
            assert_eq!(copy.leader().as_bytes()[9], b' ', "{place}");
            // A subfield code that is not ASCII is written as the ASCII
            // letter pymarc reads it as.
            let (a, b) = (texts(&copy), texts(&original));
            assert_eq!(a.len(), b.len(), "{place}");
            for (x, y) in a.iter().zip(&b) {
                let code_ok = x.2 == y.2 || !y.2.is_ascii();
                assert!(
                    x.0 == y.0 && x.1 == y.1 && code_ok && x.3 == y.3,
                    "{place}: {x:?} {y:?}"
                );
            }
            // The report's count is what encoding each value counted.
            let refs: usize = texts(&original)
                .iter()
                .map(|(.., t)| marcmap::marc8::encode_into(t, &mut Vec::new()))
                .sum();
            assert_eq!(
                refs_by_record.get(&i).copied().unwrap_or(0),
                refs,
                "{place}"
            );
            references += refs;
            converted += 1;
        }
        assert_eq!(j, written.len());
    }
    eprintln!("{converted} records converted ({references} references), {kept} kept");
    assert!(
        converted > 9_000 && kept > 2_500,
        "{converted} converted, {kept} kept"
    );
}
