//! Random access, control numbers, threads and open modes, on the files in `tests/data`.

use crate::oracle;
use crate::util::{assert_covers_exactly_once, exercise_everything};
use marcmap::text::utf8;
use marcmap::{
    Access, ErrorHandling, ErrorKind, Framing, MarcFile, OpenOptions, SkipReason, Validation,
};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(data(name)).unwrap()
}

/// A file in the temp directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, bytes: &[u8]) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("marcmap-test-{}-{tag}.mrc", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One record with the given control number and a 245.
fn record_with_001(cn: &str, title: &str) -> Vec<u8> {
    let f001 = format!("{cn}\x1e");
    let f245 = format!("10\x1fa{title}\x1e");
    let base = 24 + 2 * 12 + 1;
    let total = base + f001.len() + f245.len() + 1;
    let mut out = format!("{total:05}nam a22{base:05} a 4500").into_bytes();
    out.extend(format!("001{:04}{:05}", f001.len(), 0).bytes());
    out.extend(format!("245{:04}{:05}\x1e", f245.len(), f001.len()).bytes());
    out.extend(f001.bytes());
    out.extend(f245.bytes());
    out.push(0x1D);
    assert_eq!(out.len(), total);
    out
}

#[test]
fn sample_is_thirty_clean_utf8_records() {
    let file = MarcFile::open(data("sample.mrc")).unwrap();
    assert_eq!(file.len(), 30);
    assert!(file.skipped().is_empty() && file.recovered().is_empty());
    for r in &file {
        let r = r.unwrap();
        assert!(r.leader().is_utf8());
        assert_eq!(r.leader().record_length(), Some(r.as_bytes().len()));
        assert!(r.first(b"245").is_some());
        for f in r.fields() {
            assert!(utf8(f.data(), ErrorHandling::Strict).is_ok(), "{f}");
        }
    }
    let strict = OpenOptions::new()
        .framing(Framing::Strict)
        .open(data("sample.mrc"))
        .unwrap();
    assert_eq!(strict.record_index().starts(), file.record_index().starts());
    assert!(strict.framing_error().is_none());
}

#[test]
fn every_clean_fixture_agrees_with_the_oracle() {
    let mut n = 0;
    for name in [
        "sample.mrc",
        "authority.mrc",
        "utf8/rust-marc_3records.mrc",
        "utf8/ruby-marc_utf8_multirecord.marc",
        "utf8/pymarc_regression45.dat",
        "utf8/mrrc_multi_records.mrc",
        "marc8/pymarc_marc8.dat",
        "marc8/pymarc_test.dat",
        "marc8/marc4js_marc8_utf8_mixed.mrc",
    ] {
        let file = MarcFile::open(data(name)).unwrap();
        assert!(file.skipped().is_empty(), "{name}: {:?}", file.skipped());
        assert!(!file.is_empty(), "{name}");
        for i in 0..file.len() {
            let ours = file.record(i).unwrap_or_else(|e| panic!("{name}: {e}"));
            let theirs = oracle::parse(file.raw(i).unwrap()).unwrap();
            assert_eq!(oracle::from_ref(&ours), theirs, "{name} record {i}");
            n += 1;
        }
    }
    assert_eq!(n, 30 + 150 + 3 + 2 + 12 + 3 + 1 + 10 + 6);
}

#[test]
fn authority_and_holdings_fixtures() {
    let auth = MarcFile::open(data("authority.mrc")).unwrap();
    assert_eq!(auth.len(), 150);
    for r in &auth {
        assert_eq!(r.unwrap().leader().record_type, b'z');
    }
    // The holdings record's directory says its 008 is two bytes shorter than it
    // is: strict validation refuses it, repair reads the 008 up to its terminator.
    let strict = OpenOptions::new()
        .validation(Validation::Strict)
        .open(data("holdings.mrc"))
        .unwrap();
    assert_eq!(strict.len(), 1);
    let err = strict.record(0).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::FieldTerminatorMissing),
        "{err}"
    );
    assert_eq!(err.position().record, Some(0));
    assert_eq!(err.position().field, Some(2));
    assert!(
        err.to_string()
            .starts_with("record 0 (byte 0), field 2 at byte "),
        "{err}"
    );
    assert_eq!(strict.raw(0).unwrap()[6], b'x');
    let hold = MarcFile::open(data("holdings.mrc")).unwrap();
    let record = hold.record(0).unwrap();
    let f008 = record.first(b"008").unwrap();
    assert_eq!(f008.data().len(), 42);
    assert_eq!(
        record.repairs(),
        &[marcmap::Repair {
            kind: marcmap::RepairKind::FieldEnd {
                declared_length: 41,
                length: 43
            },
            byte: 24 + 2 * 12,
            field: Some(2)
        }]
    );
    // The 100 after it is where the directory says.
    assert_eq!(
        record.first(b"100").unwrap().subfield(b'a'),
        Some(&b"Smith, John"[..])
    );
}

#[test]
fn malformed_fixtures_never_panic_and_account_for_every_byte() {
    let dir = data("malformed");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() >= 40);
    let (mut ok, mut bad, mut skipped) = (0, 0, 0);
    for path in names {
        let file = MarcFile::open(&path).unwrap();
        assert_covers_exactly_once(&file);
        let (o, b) = exercise_everything(&file);
        ok += o;
        bad += b;
        skipped += file.skipped().len();
        let strict = OpenOptions::new()
            .framing(Framing::Strict)
            .open(&path)
            .unwrap();
        exercise_everything(&strict);
        assert!(file
            .record_index()
            .starts()
            .starts_with(strict.record_index().starts()));
    }
    // Both kinds of damage are present, so both paths ran.
    assert!(ok > 40 && bad > 10 && skipped > 5, "{ok} {bad} {skipped}");

    let bad_records = MarcFile::open(data("malformed/pymarc_bad_records.mrc")).unwrap();
    let good: Vec<usize> = (0..bad_records.len())
        .filter(|&i| bad_records.record(i).is_ok())
        .collect();
    assert_eq!((bad_records.len(), good), (8, vec![0, 1, 7]));
}

#[test]
fn random_access_matches_iteration() {
    let file = MarcFile::open(data("authority.mrc")).unwrap();
    let seq: Vec<&[u8]> = file.iter().map(|r| r.unwrap().as_bytes()).collect();
    let mut expected_offset = 0u64;
    for (i, bytes) in seq.iter().enumerate() {
        assert_eq!(file.offset(i), Some(expected_offset));
        expected_offset += bytes.len() as u64;
    }
    assert_eq!(expected_offset, file.bytes().len() as u64);
    for i in (0..file.len()).rev().step_by(7) {
        assert_eq!(file.record(i).unwrap().as_bytes(), seq[i]);
        assert_eq!(file.raw(i).unwrap(), seq[i]);
    }
    let n = file.len();
    assert_eq!(file.offset(n), None);
    assert_eq!(file.raw(n), None);
    let err = file.record(n).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::IndexOutOfRange { index, len } if *index == n && *len == n)
    );
    assert_eq!(err.position().record, Some(n as u64));
}

#[test]
fn control_numbers_trimmed_and_duplicates_kept() {
    let file = MarcFile::open(data("authority.mrc")).unwrap();
    let index = file.control_number_index_with(1);
    assert_eq!(index.len(), 150);
    for i in 0..file.len() {
        let cn = file.record(i).unwrap().control_number().unwrap().to_vec();
        let found = file.find_control_number(&cn);
        assert!(found.contains(&i), "record {i}: {found:?}");
        let mut padded = b"  ".to_vec();
        padded.extend(&cn);
        padded.extend(b" \t");
        assert_eq!(file.find_control_number(&padded), found);
    }
    assert!(file.find_control_number(b"no such number").is_empty());

    // The sample twice over: every control number is found at both copies.
    let mut twice = read("sample.mrc");
    twice.extend(read("sample.mrc"));
    let file = MarcFile::from_bytes(twice);
    assert_eq!(file.len(), 60);
    for i in 0..30 {
        let cn = file.record(i).unwrap().control_number().unwrap().to_vec();
        assert_eq!(file.find_control_number(&cn), vec![i, i + 30]);
    }

    // Whitespace around the stored 001 is ignored too; a record without a 001 is not indexed.
    let mut raw = record_with_001("  abc ", "one");
    raw.extend(record_with_001("abc", "two"));
    raw.extend(record_with_001("abcd", "three"));
    let file = MarcFile::from_bytes(raw);
    assert_eq!(file.find_control_number(b"abc"), vec![0, 1]);
    assert_eq!(file.find_control_number(b" abcd"), vec![2]);
    assert!(file.find_control_number(b"ab").is_empty());
}

type Summary = (usize, Vec<u8>, usize, Option<Vec<u8>>);

fn summary(i: usize, r: marcmap::Result<marcmap::RecordRef<'_>>) -> Summary {
    match r {
        Ok(r) => (
            i,
            r.leader().as_bytes().to_vec(),
            r.field_count(),
            r.control_number().map(<[u8]>::to_vec),
        ),
        Err(e) => (i, e.to_string().into_bytes(), usize::MAX, None),
    }
}

#[test]
fn par_map_equals_sequential_on_1_2_and_8_threads() {
    // 20 copies of the authority file (3,000 records) and the malformed pymarc
    // file in between, so that chunks cross errors.
    let mut bytes = Vec::new();
    for _ in 0..20 {
        bytes.extend(read("authority.mrc"));
        bytes.extend(read("malformed/pymarc_bad_records.mrc"));
    }
    let file = MarcFile::from_bytes(bytes);
    assert_eq!(file.len(), 20 * 158);
    let sequential: Vec<Summary> = (0..file.len())
        .map(|i| summary(i, file.record(i)))
        .collect();
    let iterated: Vec<Summary> = file
        .iter()
        .enumerate()
        .map(|(i, r)| summary(i, r))
        .collect();
    assert_eq!(iterated, sequential);
    for threads in [1, 2, 8] {
        assert_eq!(
            file.par_map(threads, summary),
            sequential,
            "{threads} threads"
        );
    }
    // Shared across threads: the lazily built control-number index is the same.
    let cn = file.record(0).unwrap().control_number().unwrap().to_vec();
    let found: Vec<Vec<usize>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| file.find_control_number(&cn)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(found[0], (0..20).map(|k| k * 158).collect::<Vec<_>>());
    assert!(found.iter().all(|f| f == &found[0]));
}

#[test]
fn open_read_and_from_bytes_give_identical_indexes() {
    for name in [
        "sample.mrc",
        "malformed/pymarc_bad_indicator.dat",
        "malformed/pymarc_bad_records.mrc",
    ] {
        let mapped = MarcFile::open(data(name)).unwrap();
        let read_in = OpenOptions::new()
            .access(Access::Read)
            .open(data(name))
            .unwrap();
        let owned = MarcFile::from_bytes(read(name));
        assert!(mapped.is_mapped() && !read_in.is_mapped() && !owned.is_mapped());
        for other in [&read_in, &owned] {
            assert_eq!(other.bytes(), mapped.bytes(), "{name}");
            let (a, b) = (other.record_index(), mapped.record_index());
            assert_eq!(a.starts(), b.starts(), "{name}");
            assert_eq!(a.skipped(), b.skipped(), "{name}");
            assert_eq!(a.recovered(), b.recovered(), "{name}");
        }
    }
}

#[test]
fn empty_file_has_no_records_and_missing_file_is_io_error() {
    let empty = TempFile::new("empty", b"");
    for framing in [Framing::Strict, Framing::Lenient] {
        for access in [Access::Map, Access::Read] {
            let file = OpenOptions::new()
                .framing(framing)
                .access(access)
                .open(&empty.0)
                .unwrap();
            assert_eq!(file.len(), 0);
            assert!(file.is_empty() && file.skipped().is_empty());
            assert!(file.framing_error().is_none());
            assert_eq!(file.iter().count(), 0);
            assert!(file.par_map(8, summary).is_empty());
        }
    }
    let missing = std::env::temp_dir().join("marcmap-test-does-not-exist.mrc");
    let err = MarcFile::open(&missing)
        .err()
        .expect("open of a missing file fails");
    match err.kind() {
        ErrorKind::Open { path, source } => {
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            assert_eq!(path, &missing);
        }
        other => panic!("expected an open error, got {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    // The message names the file.
    assert!(
        err.to_string().contains("marcmap-test-does-not-exist.mrc"),
        "{err}"
    );
}

#[test]
fn twelve_junk_bytes_before_a_record_do_not_hide_it() {
    // With exactly 12 bytes before it, a record's own length digits sit where a
    // leader's base address would be; when the record ends in a 10-byte field, that
    // "base address" lands on a 0x1E, and the junk looked like a leader whose
    // record swallowed the real one. Fixed with the cut-record case (src/index.rs).
    let f245 = "10\x1fax\x1e";
    let f001 = "1234567890\x1e";
    let base = 24 + 2 * 12 + 1;
    let total = base + f001.len() + f245.len() + 1;
    let mut rec = format!("{total:05}nam a22{base:05} a 4500").into_bytes();
    rec.extend(format!("001{:04}{:05}", f001.len(), f245.len()).bytes());
    rec.extend(format!("245{:04}{:05}\x1e", f245.len(), 0).bytes());
    rec.extend(f245.bytes());
    rec.extend(f001.bytes());
    rec.push(0x1D);
    assert_eq!(rec[total - 13], 0x1E);
    let mut data = b"junk-junk-ju".to_vec();
    data.extend(&rec);
    let file = MarcFile::from_bytes(data);
    assert_eq!(file.record_index().starts(), &[12]);
    assert_eq!(
        file.record(0).unwrap().control_number(),
        Some(&b"1234567890"[..])
    );
    assert_eq!(file.skipped()[0].reason, SkipReason::GarbageBeforeRecord);
    assert!(file.recovered().is_empty());
}
