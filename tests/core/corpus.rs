//! A sweep of every ISO 2709 file in the shared MARC corpus
//! (`$MARCMAP_CORPUS`, or `../shared/marc-corpus` beside the crate). Without the
//! corpus the sweep is skipped with one line, except under `CI=true`.

use crate::oracle;
use crate::owned;
use crate::util::{assert_covers_exactly_once, exercise_everything};
use marcmap::{
    Format, Framing, MarcFile, OpenOptions, OwnedRecord, RecordRef, SkipReason, Validation,
};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    crate::corpus_dir::corpus_dir("corpus sweep")
}

/// Every ISO 2709 file under `dir` (see [`is_iso2709`]), in path order.
pub(crate) fn iso2709_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    crate::corpus_dir::walk(dir, &mut files);
    files.retain(|p| std::fs::read(p).is_ok_and(|b| is_iso2709(p, &b)));
    files
}

/// ISO 2709 by content: five digits and a MARC terminator somewhere (that rules
/// out XML, JSON, MARCBreaker and yaz's line format), or a binary-MARC file
/// extension, so that empty and wholly damaged files are swept too.
fn is_iso2709(path: &Path, bytes: &[u8]) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let digits = bytes.len() >= 5 && bytes[..5].iter().all(u8::is_ascii_digit);
    let terminators = bytes.contains(&0x1D) || bytes.contains(&0x1E);
    (digits && terminators) || matches!(ext, "mrc" | "marc" | "dat" | "bin" | "iso")
}

/// PROVENANCE.md's per-file table: path -> (format, records column).
fn provenance(dir: &Path) -> HashMap<String, (String, String)> {
    let text = std::fs::read_to_string(dir.join("PROVENANCE.md")).unwrap_or_default();
    let mut rows = HashMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() >= 12 && cells[0].contains('/') && cells[0].contains('.') {
            rows.insert(
                cells[0].to_string(),
                (cells[6].to_string(), cells[7].to_string()),
            );
        }
    }
    rows
}

/// The first number of PROVENANCE's records column: its own scan's count.
fn scan_count(cell: &str) -> Option<usize> {
    cell.split_whitespace().next()?.parse().ok()
}

#[derive(Default, Debug, Clone)]
struct Stats {
    files: usize,
    bytes: u64,
    records: usize,
    errors: usize,
    strict_records: usize,
    strict_stops: usize,
    skipped_bytes: u64,
    skipped_ranges: usize,
    recovered: usize,
    /// Records that validate strictly and are laid out canonically (see
    /// `owned::canonical`): each is written back byte for byte.
    canonical: usize,
    /// Records that validate strictly but are not canonical.
    not_canonical: usize,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.files += o.files;
        self.bytes += o.bytes;
        self.records += o.records;
        self.errors += o.errors;
        self.strict_records += o.strict_records;
        self.strict_stops += o.strict_stops;
        self.skipped_bytes += o.skipped_bytes;
        self.skipped_ranges += o.skipped_ranges;
        self.recovered += o.recovered;
        self.canonical += o.canonical;
        self.not_canonical += o.not_canonical;
    }
}

/// Every check on one file. Returns its numbers.
fn sweep_file(path: &Path, bytes: Vec<u8>) -> Stats {
    let name = path.display();
    // Every file through ISO 2709 framing, whatever it is (no sniffing).
    let lenient = OpenOptions::new()
        .format(Some(Format::Iso2709))
        .open(path)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let strict = OpenOptions::new()
        .framing(Framing::Strict)
        .open_bytes(bytes.clone());
    assert_eq!(lenient.bytes(), &bytes[..], "{name}: mapped bytes differ");

    // Strict is a prefix of lenient, and names where it stopped.
    let (l, s) = (lenient.record_index(), strict.record_index());
    assert!(l.len() >= s.len(), "{name}: lenient found fewer records");
    assert!(
        l.starts().starts_with(s.starts()),
        "{name}: lenient disagrees with strict before the damage"
    );
    let (spans, stop) = oracle::strict_walk(&bytes);
    assert_eq!(
        s.starts().len(),
        spans.len(),
        "{name}: strict vs oracle walk"
    );
    assert_eq!(
        s.stopped_at(),
        stop.map(|p| p as u64),
        "{name}: strict stop"
    );
    if let Some(err) = strict.framing_error() {
        assert_eq!(err.position().record, Some(s.len() as u64), "{name}: {err}");
        assert_eq!(err.position().byte, s.stopped_at(), "{name}: {err}");
    }
    // Lenient accounts for every byte.
    assert_covers_exactly_once(&lenient);

    // Every record parses or says where it failed; valid ones match the oracles
    // (strict, and with repairs). Well-formed ones are written back byte for byte
    // by the owned record.
    let (mut canonical, mut not_canonical) = (0, 0);
    for i in 0..lenient.len() {
        if let Err(e) = oracle::agree(&lenient, i) {
            panic!("{name}: {e}");
        }
        let raw = lenient.raw(i).expect("indexed");
        if let Ok(r) = RecordRef::parse_with(raw, Validation::Strict) {
            if owned::canonical(raw) {
                let written = OwnedRecord::from_ref(&r).to_iso2709();
                assert!(
                    written.as_deref().ok() == Some(raw),
                    "{name}: record {i} is not written back byte for byte"
                );
                canonical += 1;
            } else {
                not_canonical += 1;
            }
        }
    }
    let (ok, bad) = exercise_everything(&lenient);
    assert_eq!(ok + bad, lenient.len(), "{name}: lenient iteration");
    let (sok, sbad) = exercise_everything(&strict);
    assert_eq!(
        sok + sbad,
        strict.len() + usize::from(s.stopped_at().is_some())
    );

    Stats {
        files: 1,
        bytes: bytes.len() as u64,
        records: lenient.len(),
        errors: bad,
        strict_records: strict.len(),
        strict_stops: usize::from(s.stopped_at().is_some()),
        skipped_bytes: lenient.skipped().iter().map(|s| s.length).sum(),
        skipped_ranges: lenient.skipped().len(),
        recovered: lenient.recovered().len(),
        canonical,
        not_canonical,
    }
}

#[test]
fn corpus_sweep() {
    let Some(dir) = corpus_dir() else { return };
    let prov = provenance(&dir);
    let mut files = Vec::new();
    crate::corpus_dir::walk(&dir, &mut files);
    let mut per_dir: BTreeMap<String, Stats> = BTreeMap::new();
    let mut per_file: HashMap<String, Stats> = HashMap::new();
    let mut swept = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("read corpus file");
        if !is_iso2709(path, &bytes) {
            continue;
        }
        let rel = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let stats = sweep_file(path, bytes);
        let top = rel.split('/').next().unwrap_or("").to_string();
        per_dir.entry(top).or_default().add(&stats);
        per_file.insert(rel.clone(), stats);
        swept.push(rel);
    }

    // Everything PROVENANCE calls ISO 2709 was swept.
    let missed: Vec<_> = prov
        .iter()
        .filter(|(p, (format, _))| format == "ISO 2709" && !per_file.contains_key(*p))
        .map(|(p, _)| p.clone())
        .collect();
    assert!(missed.is_empty(), "ISO 2709 files not detected: {missed:?}");

    // Record counts against PROVENANCE's independent scan.
    let mut differ = Vec::new();
    for rel in &swept {
        if let Some(n) = prov.get(rel).and_then(|(_, c)| scan_count(c)) {
            if n != per_file[rel].records {
                differ.push(format!(
                    "{rel}: ours {}, PROVENANCE {n}",
                    per_file[rel].records
                ));
            }
        }
    }

    let mut total = Stats::default();
    eprintln!(
        "\n{:<24} {:>5} {:>9} {:>7} {:>6} {:>7} {:>6} {:>8} {:>6} {:>5}",
        "corpus dir",
        "files",
        "bytes",
        "records",
        "errors",
        "strict",
        "stops",
        "skipped",
        "ranges",
        "recov"
    );
    for (d, s) in &per_dir {
        total.add(s);
        eprintln!(
            "{:<24} {:>5} {:>9} {:>7} {:>6} {:>7} {:>6} {:>8} {:>6} {:>5}",
            d,
            s.files,
            s.bytes,
            s.records,
            s.errors,
            s.strict_records,
            s.strict_stops,
            s.skipped_bytes,
            s.skipped_ranges,
            s.recovered
        );
    }
    // Most real records are laid out as a serialiser lays them out, and each of
    // those was written back byte for byte above.
    eprintln!(
        "owned round trip: {} canonical records written back byte for byte, {} valid but not canonical",
        total.canonical, total.not_canonical
    );
    assert!(
        total.canonical > 10_000 && total.canonical > 100 * total.not_canonical,
        "{} canonical, {} not",
        total.canonical,
        total.not_canonical
    );
    let t = &total;
    eprintln!(
        "{:<24} {:>5} {:>9} {:>7} {:>6} {:>7} {:>6} {:>8} {:>6} {:>5}",
        "TOTAL",
        t.files,
        t.bytes,
        t.records,
        t.errors,
        t.strict_records,
        t.strict_stops,
        t.skipped_bytes,
        t.skipped_ranges,
        t.recovered
    );
    eprintln!(
        "record counts differing from PROVENANCE's scan ({}):",
        differ.len()
    );
    for d in &differ {
        eprintln!("  {d}");
    }
    assert!(
        total.files >= 300,
        "only {} ISO 2709 files found",
        total.files
    );
    assert!(
        total.records >= 12_000,
        "only {} records found",
        total.records
    );

    known_faults(&dir, &per_file);
}

/// Specific faults PROVENANCE.md lists, checked one by one.
fn known_faults(dir: &Path, per_file: &HashMap<String, Stats>) {
    let open = |rel: &str| MarcFile::open(dir.join(rel)).unwrap();
    let stats = |rel: &str| {
        per_file
            .get(rel)
            .unwrap_or_else(|| panic!("{rel} not swept"))
    };

    // A record over 99,999 bytes: its length field can't say so; lenient recovers it.
    let rel = "marc4j/test/resources/bad_too_long_plus_2.mrc";
    let f = open(rel);
    assert_eq!(f.len(), 3, "{rel}");
    assert!(
        f.recovered().iter().any(|r| r.actual > 99_999),
        "{rel}: the oversized record was not recovered: {:?}",
        f.recovered()
    );
    assert!(f.skipped().is_empty(), "{rel}: {:?}", f.skipped());

    // Cut at 65,536 bytes: 18 whole records, then a truncated tail, skipped as such.
    let rel = "marc4j/test/resources/008008027.mrc";
    let f = open(rel);
    assert_eq!(f.bytes().len(), 65_536);
    assert_eq!(f.len(), 18, "{rel}");
    let tail = f.skipped().last().expect("tail skipped");
    assert_eq!(tail.reason, SkipReason::TruncatedRecord, "{rel}");
    assert_eq!(tail.offset + tail.length, 65_536, "{rel}");
    assert_eq!(stats(rel).errors, 0, "{rel}");
    let strict = OpenOptions::new()
        .framing(Framing::Strict)
        .open(dir.join(rel))
        .unwrap();
    assert_eq!(strict.len(), 18);
    assert_eq!(
        strict.framing_error().unwrap().position().byte,
        Some(tail.offset)
    );

    // 16 records with broken directories among 383; the repaired twin is clean.
    let bad = stats("marc4j/test/resources/pride-and-prejudice-with-many-errors.mrc");
    assert_eq!((bad.records, bad.errors), (383, 16));
    let fixed = stats("marc4j/test/resources/pride-and-prejudice-fixed.mrc");
    assert_eq!(
        (fixed.records, fixed.errors, fixed.skipped_bytes),
        (383, 0, 0)
    );

    // pymarc's bad_records.mrc: 8 whole records, 2 good as pymarc reads them and
    // a third whose base address (99937) disagrees with its terminated directory
    // (repaired), and a cut 100-byte tail that PROVENANCE's scan and pymarc count
    // as a ninth record.
    let rel = "pymarc/bad_records.mrc";
    let b = stats(rel);
    assert_eq!((b.records, b.records - b.errors), (8, 3));
    let f = open(rel);
    let repaired = f.record(1).unwrap();
    assert!(matches!(
        repaired.repairs(),
        [marcmap::Repair {
            kind: marcmap::RepairKind::BaseAddress {
                declared: 99_937,
                actual: 37
            },
            ..
        }]
    ));
    let tail = f.skipped();
    assert_eq!(tail.len(), 1);
    assert_eq!((tail[0].offset, tail[0].length), (917, 100));
    assert_eq!(tail[0].reason, SkipReason::TruncatedRecord);

    // bad_hathi_records.mrc: three records, a 1 MB record whose length and base
    // address both overflowed (skipped: no usable leader), then one more record
    // that strict framing never reaches and lenient framing recovers intact.
    let rel = "marc4j/test/resources/bad_hathi_records.mrc";
    let f = open(rel);
    let strict = OpenOptions::new()
        .framing(Framing::Strict)
        .open(dir.join(rel))
        .unwrap();
    assert_eq!((strict.len(), f.len()), (3, 4), "{rel}");
    assert_eq!(strict.framing_error().unwrap().position().byte, Some(6343));
    assert_eq!(f.offset(3), Some(1_103_230));
    assert!(f.record(3).is_ok());
    assert_eq!(f.skipped()[0].offset, 6343);

    // Large clean files: every record found and parsed.
    for (rel, n) in [
        ("folio-mod-data-import/src/test/resources/5000.mrc", 5000),
        ("folio-mod-data-import/src/test/resources/2500.mrc", 2500),
        ("blacklight-marc/test_data.utf8.mrc", 30),
    ] {
        let s = stats(rel);
        assert_eq!((s.records, s.errors, s.skipped_bytes), (n, 0, 0), "{rel}");
    }

    // Empty and non-MARC files: no records, all bytes skipped.
    let empty = stats("folio-mod-data-import/src/test/resources/0.mrc");
    assert_eq!((empty.records, empty.skipped_bytes), (0, 0));
    let text = stats("folio-mod-data-import/src/test/resources/invalidMarcFile.mrc");
    assert_eq!(text.records, 0);
    assert_eq!(text.skipped_bytes, text.bytes);
}

/// Every corpus file through the entry point that sniffs: each is read as the
/// format it is (or refused as not MARC, saying what it looks like), without a
/// panic; every record of a transcoded file parses or reports a positioned
/// error; the MARCXML, JSON and MARCMaker files the corpus has are found as such.
#[test]
fn corpus_sweep_any_format() {
    let Some(dir) = corpus_dir() else { return };
    let mut files = Vec::new();
    crate::corpus_dir::walk(&dir, &mut files);
    let mut formats: BTreeMap<&'static str, usize> = BTreeMap::new();
    for path in &files {
        let name = path.display();
        match OpenOptions::new().threads(2).open(path) {
            Ok(file) => {
                *formats.entry(file.format().name()).or_default() += 1;
                for (i, record) in file.iter().enumerate() {
                    if let Err(e) = record {
                        let pos = e.position();
                        if i < file.len() {
                            assert_eq!(pos.record, Some(i as u64), "{name}: {e}");
                        }
                        assert!(
                            pos.byte.is_some() || pos.record_offset.is_some(),
                            "{name}: {e}"
                        );
                    }
                }
            }
            Err(e) => {
                assert!(
                    matches!(e.kind(), marcmap::ErrorKind::NotMarc { .. }),
                    "{name}: {e}"
                );
                *formats.entry("not MARC").or_default() += 1;
            }
        }
    }
    eprintln!("corpus by format: {formats:?}");
    // PROVENANCE lists about a hundred MARCXML files, a few dozen JSON and a few
    // MARCMaker ones: finding few would mean the sniffing broke.
    assert!(
        formats.get("marcxml").copied().unwrap_or(0) > 100,
        "{formats:?}"
    );
    assert!(
        formats.get("json").copied().unwrap_or(0) > 20,
        "{formats:?}"
    );
    assert!(formats.get("mrk").copied().unwrap_or(0) >= 4, "{formats:?}");
    assert!(
        formats.get("marc").copied().unwrap_or(0) > 250,
        "{formats:?}"
    );
}

/// Every MARCXML file of the corpus (uncompressed, as the sniffing finds
/// them) reads the same with the record scanner as through quick-xml's events
/// alone: the same ISO 2709 bytes, origins and failures, leniently and
/// strictly.
#[test]
fn corpus_marcxml_scanner_equals_events() {
    use marcmap::read::marcxml::{self, XmlOptions};
    let Some(dir) = corpus_dir() else { return };
    let mut files = Vec::new();
    crate::corpus_dir::walk(&dir, &mut files);
    let mut read = 0;
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        if marcmap::sniff::sniff(&bytes) != marcmap::sniff::Sniffed::Marc(Format::MarcXml) {
            continue;
        }
        for framing in [Framing::Lenient, Framing::Strict] {
            let options = XmlOptions {
                framing,
                threads: 1,
                ..XmlOptions::default()
            };
            let scanned = marcxml::read(&bytes, &options);
            let events = marcxml::read(
                &bytes,
                &XmlOptions {
                    fast_records: false,
                    ..options
                },
            );
            let name = path.display();
            assert!(scanned.bytes == events.bytes, "{name}: other records");
            assert_eq!(scanned.input, events.input, "{name}");
        }
        read += 1;
    }
    eprintln!("{read} MARCXML files read both ways");
    assert!(read > 100, "only {read} MARCXML files");
}
