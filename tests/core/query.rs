//! The core's bulk work (`marcmap::query`) on the files in `tests/data`:
//! against what the Python reader's `validate()` (and `marcmap validate`)
//! report on them, and against reading the records one by one.

use marcmap::query::{self, Condition};
use marcmap::spec::{Spec, ValueRef};
use marcmap::{ErrorHandling, ErrorKind, MarcFile, TextDecoder};
use std::path::Path;

const FIXTURES: [&str; 5] = [
    "sample.mrc",
    "malformed/pymarc_bad_records.mrc",
    "encodings/pymarc_bad_marc8_escape.dat",
    "encodings/pymarc_utf8_without_leader_flag.dat",
    "encodings/ruby-marc_utf8_with_bad_bytes.marc",
];

fn open(name: &str) -> MarcFile {
    MarcFile::open(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

/// The Python reader's default decoder: pymarc's, with MARC-8 replaced and
/// mislabelled UTF-8 detected.
fn reader_decoder() -> TextDecoder {
    TextDecoder::new()
        .detect_utf8(true)
        .marc8_errors(ErrorHandling::Replace)
}

/// The record indices and kinds of `errors`.
fn found(errors: &[marcmap::Error]) -> Vec<(Option<u64>, &'static str)> {
    let kind = |e: &marcmap::Error| match e.kind() {
        ErrorKind::Decode(_) => "decode",
        _ => "structure",
    };
    errors
        .iter()
        .map(|e| (e.position().record, kind(e)))
        .collect()
}

/// The old rule, written out: a record is good when it parses and, with
/// `text`, every value decodes.
fn one_by_one(file: &MarcFile, text: Option<&TextDecoder>) -> Vec<String> {
    (0..file.len())
        .filter_map(|i| {
            let record = match file.record(i) {
                Ok(r) => r,
                Err(e) => return Some(e.to_string()),
            };
            text.and_then(|d| record.text(d).check().err())
                .map(|e| e.to_string())
        })
        .collect()
}

#[test]
fn validate_finds_what_the_python_reader_reports() {
    // `reader.validate()` (strict text, as `marcmap validate` checks it).
    let strict = reader_decoder().strict();
    let bad = open("malformed/pymarc_bad_records.mrc");
    let errors = query::validate(&bad, &strict, true, 2);
    let structure = |i| (Some(i), "structure");
    assert_eq!(found(&errors), [2, 3, 4, 5, 6].map(structure), "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        "record 2 (byte 254) at byte 266: base address \"00000\" is not a positive five-digit number"
    );
    assert_eq!(
        errors[4].to_string(),
        "record 6 (byte 764) at byte 788: the record has no fields"
    );
    let escape = open("encodings/pymarc_bad_marc8_escape.dat");
    let errors = query::validate(&escape, &strict, true, 2);
    assert_eq!(found(&errors), [(Some(0), "decode")]);
    assert_eq!(
        errors[0].to_string(),
        "record 0 (byte 0), field 12 at byte 647: invalid MARC-8 (unknown escape sequence)"
    );
    // `validate(strict_text=False)`: as the reader decodes, MARC-8 replaced.
    assert!(query::validate(&escape, &reader_decoder(), true, 2).is_empty());
    // `validate(decode=False)`.
    assert!(query::validate(&escape, &strict, false, 2).is_empty());
    assert!(query::validate(&open("sample.mrc"), &strict, true, 2).is_empty());
}

#[test]
fn validate_is_reading_the_records_one_by_one() {
    for name in FIXTURES {
        let file = open(name);
        for decoder in [reader_decoder(), reader_decoder().strict()] {
            for threads in [1, 3] {
                let errors: Vec<String> = query::validate(&file, &decoder, true, threads)
                    .iter()
                    .map(|e| e.to_string())
                    .collect();
                assert_eq!(errors, one_by_one(&file, Some(&decoder)), "{name}");
                let errors: Vec<String> = query::validate(&file, &decoder, false, threads)
                    .iter()
                    .map(|e| e.to_string())
                    .collect();
                assert_eq!(errors, one_by_one(&file, None), "{name}");
            }
        }
    }
}

#[test]
fn check_record_is_the_rule_and_keeps_the_text() {
    for name in FIXTURES {
        let file = open(name);
        let decoder = reader_decoder().strict();
        for i in 0..file.len() {
            let parsed = file.record(i);
            let structure = query::check_record(&file, i, None);
            assert_eq!(structure.is_ok(), parsed.is_ok(), "{name} {i}");
            let Ok(record) = parsed else { continue };
            assert!(structure.unwrap().text().is_none());
            let text = record.text(&decoder);
            match (query::check_record(&file, i, Some(&decoder)), text.check()) {
                (Ok(good), Ok(())) => {
                    let checked = good.text().unwrap();
                    assert_eq!(checked.encoding(), text.encoding());
                    assert_eq!(good.record().as_bytes(), record.as_bytes());
                    // The data area as text, when it is all valid UTF-8.
                    if let Some(data) = good.utf8_data() {
                        assert!(text.encoding().is_utf8());
                        let bytes = record.as_bytes();
                        assert_eq!(
                            data.as_bytes(),
                            &bytes[record.base_address()..bytes.len() - 1]
                        );
                    }
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{name} {i}: {a:?} / {b:?}"),
            }
        }
    }
}

#[test]
fn extract_is_iterating_the_records() {
    for name in FIXTURES {
        let file = open(name);
        let decoder = reader_decoder();
        let specs = [Spec::parse("245$a").unwrap(), Spec::parse("001").unwrap()];
        // What iteration gives: for a good record its 245$a values and 001.
        let want: Vec<Option<(Vec<String>, Vec<String>)>> = (0..file.len())
            .map(|i| {
                let record = file.record(i).ok()?;
                let text = record.text(&decoder);
                let mut titles = Vec::new();
                for f in record.fields_with_tag(b"245") {
                    for sf in f.subfields().filter(|sf| sf.code == b'a') {
                        titles.push(text.value(&f, sf.value).ok()?.into_owned());
                    }
                }
                let ids = record
                    .fields_with_tag(b"001")
                    .map(|f| text.data(&f).map(|d| d.into_owned()))
                    .collect::<Result<Vec<_>, _>>()
                    .ok()?;
                Some((titles, ids))
            })
            .collect();
        if name == "sample.mrc" {
            assert!(want
                .iter()
                .flatten()
                .all(|(titles, ids)| !titles.is_empty() && ids.len() == 1));
        }
        for threads in [1, 3] {
            let values = query::extract(&file, &specs, &decoder, false, false, threads);
            assert_eq!(values.len(), file.len());
            let mut got = Vec::new();
            values
                .for_each_record(|r| {
                    got.push(r.ok().map(|r| {
                        let text = |k| {
                            r.spec(k)
                                .map(|v| match v {
                                    ValueRef::Text(t) => t.to_owned(),
                                    ValueRef::Bytes(_) => unreachable!(),
                                })
                                .collect::<Vec<_>>()
                        };
                        (text(0), text(1))
                    }));
                    Ok::<_, ()>(())
                })
                .unwrap();
            assert_eq!(got, want, "{name}");
        }
        // A run of records is the same records' part of the whole.
        let n = file.len();
        let part = query::extract_range(&file, &specs, &decoder, true, true, n / 2..n);
        let whole = query::extract(&file, &specs, &decoder, true, true, 2);
        let (tail, all) = (raw_values(part), raw_values(whole));
        assert_eq!(tail, all[n / 2..], "{name}");
    }
}

/// Each record's values, every spec's after another, as bytes (or `None`).
fn raw_values(values: query::Extracted) -> Vec<Option<Vec<Vec<u8>>>> {
    let mut out = Vec::new();
    values
        .for_each_record(|r| {
            out.push(r.ok().map(|r| {
                (0..2)
                    .flat_map(|k| r.spec(k).collect::<Vec<_>>())
                    .map(|v| match v {
                        ValueRef::Bytes(b) => b.to_vec(),
                        ValueRef::Text(_) => unreachable!(),
                    })
                    .collect()
            }));
            Ok::<_, ()>(())
        })
        .unwrap();
    out
}

#[test]
fn filter_is_matching_the_records_one_by_one() {
    for name in FIXTURES {
        let file = open(name);
        let decoder = reader_decoder();
        for (spec, contains, ignore_case) in [
            ("245$a", Some("the"), true),
            ("245", None, false),
            ("650$a", Some("History"), false),
            ("LDR/09", Some("a"), false),
        ] {
            let cond = Condition::new(
                Spec::parse(spec).unwrap(),
                contains.map(String::from),
                ignore_case,
            );
            for binary in [false, true] {
                let (mut records, mut errors) = (Vec::new(), Vec::new());
                for i in 0..file.len() {
                    match file
                        .record(i)
                        .and_then(|r| cond.matches(&r, &decoder, binary))
                    {
                        Ok(true) => records.push(i),
                        Ok(false) => {}
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                let got = query::filter(&file, &cond, &decoder, binary, 3);
                assert_eq!(got.records, records, "{name} {spec}");
                let got_errors: Vec<String> = got.errors.iter().map(|e| e.to_string()).collect();
                assert_eq!(got_errors, errors, "{name} {spec}");
            }
        }
    }
    // What `reader.filter("245", None)` gives on the bad records: the good ones.
    let bad = open("malformed/pymarc_bad_records.mrc");
    let any_245 = Condition::new(Spec::parse("245").unwrap(), None, false);
    let got = query::filter(&bad, &any_245, &reader_decoder(), false, 2);
    assert_eq!(got.records, [0, 1, 7]);
    assert_eq!(
        found(&got.errors),
        [2, 3, 4, 5, 6].map(|i| (Some(i), "structure"))
    );
}

#[test]
fn mislabelled_utf8_is_the_records_that_say_so() {
    let labelled = open("encodings/pymarc_utf8_with_leader_flag.dat");
    assert!(query::mislabelled_utf8(&labelled, 2).is_empty());
    for name in FIXTURES {
        let file = open(name);
        let want: Vec<usize> = (0..file.len())
            .filter(|&i| file.record(i).is_ok_and(|r| r.is_mislabelled_utf8()))
            .collect();
        assert_eq!(query::mislabelled_utf8(&file, 3), want, "{name}");
    }
    let mislabelled = open("encodings/pymarc_utf8_without_leader_flag.dat");
    assert!(!query::mislabelled_utf8(&mislabelled, 1).is_empty());
}

/// `select::frequency` on several threads counts what one thread counts, and
/// gives the records left out in record order (the first is the one Python's
/// `raise_errors` raises): on a file of a few hundred records, good and bad,
/// so that the threads take chunks in any order.
#[test]
fn frequency_on_threads_counts_and_orders_errors_as_one_thread() {
    let bad = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/malformed/pymarc_bad_records.mrc"),
    )
    .unwrap();
    let sample =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.mrc")).unwrap();
    let file = MarcFile::from_bytes([sample, bad].concat().repeat(40));
    let spec = Spec::parse("6..$a").unwrap();
    let decoder = reader_decoder();
    let one = marcmap::select::frequency(&file, &spec, &decoder, 1);
    let records = |f: &marcmap::select::Frequency| -> Vec<Option<u64>> {
        f.errors.iter().map(|e| e.position().record).collect()
    };
    assert!(one.values.len() > 10 && one.errors.len() >= 80);
    assert!(records(&one).is_sorted());
    for threads in [2, 3, 8] {
        let many = marcmap::select::frequency(&file, &spec, &decoder, threads);
        assert_eq!(many.values, one.values, "{threads} threads");
        assert_eq!(records(&many), records(&one), "{threads} threads");
    }
}
