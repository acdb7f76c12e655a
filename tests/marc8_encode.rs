//! MARC-8 encoding against real data: every MARC-8 value of the corpus is
//! decoded, encoded and decoded again.

use std::path::{Path, PathBuf};

use marcmap::marc8::{decode, encode, LigatureMapping, Marc8Options, Normalization};
use marcmap::{ErrorHandling, Framing, OpenOptions};
use unicode_normalization::UnicodeNormalization;

#[path = "common/corpus_dir.rs"]
mod corpus_dir;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

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
    walk(&dir, &mut files);
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
        checked += usize::from(!v.bytes.is_ascii());
    }
    // The corpus has about 3,400 such values; a much smaller number means the
    // corpus walk lost files.
    assert!(checked > 3000, "only {checked} non-ASCII values checked");
    assert!(
        undecodable < 200,
        "{undecodable} values do not decode strictly"
    );
}
