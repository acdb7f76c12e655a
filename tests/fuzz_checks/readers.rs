//! Targets `marcxml`, `json` and `mrk`: the MARCXML, MARC-in-JSON and MARCMaker
//! readers, one check for the three (`check_reader`, by format).
//!
//! Invariants: the reader never panics; what it gives is valid ISO 2709 (strict
//! framing indexes it whole, and every record that did not fail parses under
//! strict validation, or has no fields: an empty record of the input); every
//! record has an origin in the input, and every failure a position in it (line
//! and column from 1); strict reading gives a prefix of lenient reading; and for
//! MARCXML, reading in byte ranges on two threads gives exactly what one thread
//! gives, whatever the ranges, and the record scanner reads what quick-xml's
//! events read.

use marcmap::{Framing, OpenOptions, RecordRef};

fn read_as(format: marcmap::Format, data: &[u8], framing: Framing) -> marcmap::read::Transcoded {
    use marcmap::read::{json, marcxml, mrk};
    match format {
        marcmap::Format::MarcXml => marcxml::read(
            data,
            &marcxml::XmlOptions {
                framing,
                threads: 1,
                ..marcxml::XmlOptions::default()
            },
        ),
        marcmap::Format::MarcMaker => mrk::read(data, framing),
        _ => json::read(data, framing),
    }
}

pub fn check_reader(format: marcmap::Format, data: &[u8]) {
    let lenient = read_as(format, data, Framing::Lenient);
    let strict = read_as(format, data, Framing::Strict);
    for t in [&lenient, &strict] {
        let file = OpenOptions::new()
            .framing(Framing::Strict)
            .format(Some(marcmap::Format::Iso2709))
            .open_bytes(t.bytes.clone());
        assert!(
            file.framing_error().is_none(),
            "the buffer is not framed ISO 2709"
        );
        assert!(file.skipped().is_empty());
        for i in 0..file.len() {
            let origin = t.input.origin(i).expect("a record with no origin");
            assert!(origin.offset as usize <= data.len());
            if let Some(m) = t.input.failure(i) {
                assert!(m.at.offset as usize <= data.len() + 1, "{m:?}");
                assert!(m.at.line >= 1 && m.at.column >= 1, "{m:?}");
                continue;
            }
            let raw = file.raw(i).unwrap();
            match RecordRef::parse_with(raw, marcmap::Validation::Strict) {
                Ok(_) => {}
                Err(e) => assert!(
                    matches!(e.kind(), marcmap::ErrorKind::NoFields),
                    "record {i} does not parse: {e}"
                ),
            }
        }
        assert!(t.input.origin(file.len()).is_none());
    }
    // Strict reading is lenient reading up to the first failure.
    let n = strict.input.failed_count();
    assert_eq!(n, 0);
    assert!(lenient.bytes.starts_with(&strict.bytes));
    if format == marcmap::Format::MarcXml {
        // The record scanner reads what quick-xml's events read.
        for framing in [Framing::Lenient, Framing::Strict] {
            let events = marcmap::read::marcxml::read(
                data,
                &marcmap::read::marcxml::XmlOptions {
                    framing,
                    threads: 1,
                    fast_records: false,
                    ..marcmap::read::marcxml::XmlOptions::default()
                },
            );
            let scanned = if framing == Framing::Lenient {
                &lenient
            } else {
                &strict
            };
            assert_eq!(scanned.bytes, events.bytes, "the scanner read otherwise");
            assert_eq!(scanned.input, events.input, "the scanner read otherwise");
        }
        for range_bytes in [1, 13, 200] {
            let ranges = marcmap::read::marcxml::XmlOptions {
                threads: 2,
                parallel_above: 0,
                range_bytes,
                ..marcmap::read::marcxml::XmlOptions::default()
            };
            let parallel = marcmap::read::marcxml::read(data, &ranges);
            assert_eq!(
                parallel.bytes, lenient.bytes,
                "ranges of {range_bytes} bytes"
            );
            assert_eq!(
                parallel.input, lenient.input,
                "ranges of {range_bytes} bytes"
            );
        }
    }
    // The entry point that sniffs: never a panic.
    let _ = OpenOptions::new().read_bytes(data.to_vec());
}
