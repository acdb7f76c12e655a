//! The text readers on real files: the MARCXML fixtures of `tests/data/marcxml`
//! with the damage some real files have, derived in memory (a `<record
//! xmlns="">` inside a collection in the slim namespace, content after the root
//! element), and a MARCMaker round trip on the corpus's `marc4js/collection.mrk`
//! (`$MARCMAP_CORPUS`, or `../shared/marc-corpus`; skipped without it, except
//! under `CI=true`).

#[path = "common/corpus_dir.rs"]
mod corpus_dir;

use marcmap::write::{RecordWriter, WriteOptions};
use marcmap::{Format, MarcFile, OpenOptions, OwnedRecord, SkipReason, TextDecoder};
use std::path::Path;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/marcxml")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(format: Format, bytes: impl Into<Vec<u8>>) -> MarcFile {
    OpenOptions::new()
        .format(Some(format))
        .read_bytes(bytes.into())
        .unwrap()
}

fn records(file: &MarcFile) -> Vec<OwnedRecord> {
    (0..file.len())
        .map(|i| OwnedRecord::from_ref(&file.record(i).unwrap()))
        .collect()
}

/// Where the `n`th (from 0) `open` start tag starts and where its element's
/// end tag `close` ends in `xml`.
fn nth_element(xml: &str, open: &str, close: &str, n: usize) -> (usize, usize) {
    let start = xml.match_indices(open).nth(n).unwrap().0;
    let end = start + xml[start..].find(close).unwrap() + close.len();
    (start, end)
}

#[test]
fn a_record_with_xmlns_empty_in_a_slim_collection_is_read() {
    // traject's tiny.xml: unprefixed records in the default slim namespace.
    let xml = fixture("traject_tiny.xml");
    let plain = read(Format::MarcXml, xml.clone());
    assert_eq!(plain.len(), 3);
    let (start, _) = nth_element(&xml, "<record>", "</record>", 1);
    let mut changed = xml.clone();
    changed.replace_range(start..start + 8, "<record xmlns=\"\">");
    let file = read(Format::MarcXml, changed);
    assert_eq!(records(&file), records(&plain));
    assert!(file.skipped().is_empty(), "{:?}", file.skipped());

    // pymarc's batch.xml: `marc:`-prefixed; the second record written
    // unprefixed under `xmlns=""` in a collection whose default namespace is
    // the slim one.
    let xml = fixture("pymarc_batch.xml");
    let plain = read(Format::MarcXml, xml.clone());
    assert_eq!(plain.len(), 2);
    let (start, end) = nth_element(&xml, "<marc:record>", "</marc:record>", 1);
    let second = xml[start..end]
        .replace("</marc:", "</")
        .replace("<marc:", "<")
        .replacen("<record>", "<record xmlns=\"\">", 1);
    let changed = format!("{}{second}{}", &xml[..start], &xml[end..]).replacen(
        "<marc:collection xmlns:marc=",
        "<marc:collection xmlns=\"http://www.loc.gov/MARC21/slim\" xmlns:marc=",
        1,
    );
    assert!(changed.contains("<record xmlns=\"\">"));
    let file = read(Format::MarcXml, changed);
    assert_eq!(records(&file), records(&plain));
    assert_eq!(
        file.record(1).unwrap().control_number(),
        plain.record(1).unwrap().control_number()
    );
    assert!(file.skipped().is_empty(), "{:?}", file.skipped());
}

#[test]
fn content_after_the_root_element_is_reported() {
    let xml = fixture("pymarc_batch.xml");
    let plain = read(Format::MarcXml, xml.clone());
    assert!(plain.skipped().is_empty());
    let changed = format!("{xml}junk\r\n");
    let file = read(Format::MarcXml, changed.clone());
    assert_eq!(records(&file), records(&plain));
    let skipped = file.skipped();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].reason, SkipReason::ContentAfterRoot);
    assert_eq!(skipped[0].offset as usize, xml.len());
    assert_eq!(skipped[0].length, 4);

    // A record after the junk is read, as lenient reading reads on.
    let (start, end) = nth_element(&xml, "<marc:record>", "</marc:record>", 0);
    let first = &xml[start..end].replacen(
        "<marc:record>",
        "<marc:record xmlns:marc=\"http://www.loc.gov/MARC21/slim\">",
        1,
    );
    let file = read(Format::MarcXml, format!("{xml}junk\n{first}\n"));
    let mut expected = records(&plain);
    expected.push(expected[0].clone());
    assert_eq!(records(&file), expected);
    assert_eq!(file.skipped().len(), 1);

    // Strict framing stops at it (the records before it are read).
    let strict = OpenOptions::new()
        .format(Some(Format::MarcXml))
        .framing(marcmap::Framing::Strict)
        .read_bytes(changed.into_bytes())
        .unwrap();
    assert_eq!(records(&strict), records(&plain));
    assert!(strict.framing_error().is_some());
}

/// marc4js's collection.mrk (MARC-8 mnemonics) read, written as MARCMaker
/// (UTF-8) and read again: the same records, as text.
#[test]
fn marcmaker_round_trip_on_the_corpus() {
    let Some(dir) = corpus_dir::corpus_dir("the MARCMaker round trip") else {
        return;
    };
    let path = dir.join("marc4js/collection.mrk");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let first = read(Format::MarcMaker, bytes);
    assert!(first.len() >= 2);
    let write = |file: &MarcFile| {
        let writer = RecordWriter::new(WriteOptions::new(Format::MarcMaker));
        let mut out = Vec::new();
        for i in 0..file.len() {
            if i > 0 {
                out.push(b'\n');
            }
            writer
                .write_ref(&file.record(i).unwrap(), &mut out)
                .unwrap();
        }
        out
    };
    let mrk = write(&first);
    let second = read(Format::MarcMaker, mrk.clone());
    let decoder = TextDecoder::new();
    let as_text: Vec<OwnedRecord> = (0..first.len())
        .map(|i| OwnedRecord::from_ref_utf8(&first.record(i).unwrap(), &decoder).unwrap())
        .collect();
    assert_eq!(records(&second), as_text);
    // And once UTF-8, the text round trips to the byte.
    assert_eq!(write(&second), mrk);
}
