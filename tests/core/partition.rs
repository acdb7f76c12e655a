//! Record-aligned byte ranges (`marcmap::partition`, `OpenOptions::open_range`):
//! the records of all ranges, concatenated, are the lenient whole-file index, for
//! random cuts in damaged and generated files (property tests), in files built to
//! need a wider window than the usual one, and in every corpus file.
//!
//! The invariant itself is `fuzz_checks::check_partitions`, which the `index`
//! fuzz target runs too.

use crate::fuzz_checks::{check_partitions, cuts_for};
use crate::gen::{self, GField, GRecord};
use crate::props::{any_input, build, item, sep};
use marcmap::partition::{align_cut, partitions};
use marcmap::{MarcFile, OpenOptions};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Cuts at random places, and on and around the file's own terminators.
fn cuts(data: &[u8], picks: &[Index]) -> Vec<u64> {
    let mut cuts = cuts_for(data);
    cuts.extend(picks.iter().map(|i| i.index(data.len() + 1) as u64));
    cuts
}

/// A well-formed record whose control fields hold `data` (any bytes), 9,000
/// bytes a field (a field's length has four digits).
fn record_holding(data: &[u8]) -> Vec<u8> {
    let fields = data
        .chunks(9_000)
        .map(|chunk| GField::Control {
            tag: *b"009",
            data: chunk.to_vec(),
        })
        .collect();
    GRecord {
        leader_free: *b"nam a22 a 4500",
        fields,
        reverse_data: false,
    }
    .serialise()
}

/// What a piece of a file with jumps is: the steps that can leap over a 0x1D.
#[derive(Debug, Clone)]
enum Piece {
    /// A record.
    Record(GRecord),
    /// A well-formed record whose field holds whole records (0x1D and all): one
    /// record, whose inner records a cut inside it must not see.
    Holding(Vec<GRecord>),
    /// A record whose declared length is that of itself and the next `k` pieces:
    /// it lands on a later 0x1D (and does not frame, as its fields end earlier).
    Swallowing(GRecord, usize),
    /// Filler between records.
    Filler(Vec<u8>),
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => gen::record(true).prop_map(Piece::Record),
        2 => vec(gen::record(true), 1..4).prop_map(Piece::Holding),
        1 => (gen::record(true), 1usize..3).prop_map(|(r, k)| Piece::Swallowing(r, k)),
        1 => vec(prop::sample::select(&b"\n\r \x00\x1a"[..]), 1..5).prop_map(Piece::Filler),
    ]
}

fn assemble(pieces: &[Piece]) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> = pieces
        .iter()
        .map(|p| match p {
            Piece::Record(r) | Piece::Swallowing(r, _) => r.serialise(),
            Piece::Holding(inner) => {
                let inner: Vec<u8> = inner.iter().flat_map(GRecord::serialise).collect();
                record_holding(&inner)
            }
            Piece::Filler(f) => f.clone(),
        })
        .collect();
    let mut out = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        let mut b = bytes[i].clone();
        if let Piece::Swallowing(_, k) = p {
            let len: usize = bytes[i..(i + 1 + k).min(bytes.len())]
                .iter()
                .map(Vec::len)
                .sum();
            if len <= 99_999 {
                b[..5].copy_from_slice(format!("{len:05}").as_bytes());
            }
        }
        out.extend(b);
    }
    out
}

proptest! {
    #![proptest_config(config(256))]

    /// Damage between records: filler, junk, cut records, wrong lengths.
    #[test]
    fn partitions_of_damaged_files(
        items in vec(item(), 1..8),
        tail in sep(),
        picks in vec(any::<Index>(), 0..6),
    ) {
        let data = build(&items, &tail).data;
        check_partitions(&data, &cuts(&data, &picks));
    }

    /// Records that hold records, lengths that land on a later record's 0x1D,
    /// filler: the steps that jump over a terminator, which a cut must not
    /// mistake for record boundaries.
    #[test]
    fn partitions_of_files_with_jumps(
        pieces in vec(piece(), 1..10),
        picks in vec(any::<Index>(), 0..6),
    ) {
        let data = assemble(&pieces);
        check_partitions(&data, &cuts(&data, &picks));
    }

    /// Any bytes, and valid records with bytes overwritten, inserted or cut.
    #[test]
    fn partitions_of_any_bytes(data in any_input(), picks in vec(any::<Index>(), 0..6)) {
        check_partitions(&data, &cuts(&data, &picks));
    }
}

/// `n` records of about `size` bytes each, with a counter in their 001.
fn records(n: usize, size: usize, from: usize) -> Vec<u8> {
    (from..from + n)
        .flat_map(|i| record_holding(format!("{i:0size$}").as_bytes()))
        .collect()
}

/// Cuts every `step` bytes, and on and around each cut's neighbourhood of terminators.
fn every(data: &[u8], step: usize) -> Vec<u64> {
    let mut cuts: Vec<u64> = (0..data.len()).step_by(step).map(|c| c as u64).collect();
    cuts.extend(cuts_for(data));
    cuts
}

/// A record of 60 KB holding 40 records, between ordinary ones: every cut inside
/// it sees 0x1Ds whose records are not the file's, and must find the outer
/// record's leader 60 KB back.
#[test]
fn a_cut_inside_a_large_record_holding_records() {
    let mut data = records(50, 1_000, 0);
    data.extend(record_holding(&records(40, 1_500, 100)));
    data.extend(records(150, 1_000, 200));
    check_partitions(&data, &every(&data, 3_001));
}

/// Records holding records, back to back, each 70 KB: the candidate that jumps
/// over the last 0x1D before a cut is itself inside a jumping record, so the
/// window widens back record by record.
#[test]
fn a_chain_of_records_holding_records() {
    let mut data = records(5, 500, 0);
    for k in 0..4 {
        data.extend(record_holding(&records(45, 1_500, 1_000 * k)));
    }
    data.extend(records(5, 500, 9_000));
    check_partitions(&data, &every(&data, 7_919));
}

/// 300 KB without a 0x1D between records: the window widens back until it finds
/// one, and the damage belongs to the range whose last record comes before it.
#[test]
fn a_long_stretch_without_terminators() {
    let mut data = records(20, 1_000, 0);
    data.extend(std::iter::repeat_n(b'x', 300_000));
    data.extend(records(20, 1_000, 100));
    check_partitions(&data, &every(&data, 10_007));
}

/// 120 KB of filler after a record, then a record holding records: the end of
/// the filler run, a candidate the look-back reaches only through the run, jumps.
#[test]
fn a_long_filler_run_before_a_jump() {
    let mut data = records(10, 1_000, 0);
    data.extend(std::iter::repeat_n(b' ', 120_000));
    data.extend(record_holding(&records(30, 1_000, 100)));
    data.extend(records(10, 1_000, 200));
    check_partitions(&data, &every(&data, 4_999));
}

/// A length that lands 90 KB later on another record's 0x1D and frames a
/// "record" whose fields end there, although its first field holds 0x1Ds: the
/// whole-file scan takes it whole, and so must a cut inside it.
#[test]
fn a_length_framing_records_far_ahead() {
    let mut data = records(10, 1_000, 0);
    let held = records(60, 1_450, 100);
    data.extend(record_holding(&held));
    data.extend(records(10, 1_000, 300));
    // A file that is only the records held, with a different first record: the
    // same bytes seen from a cut, with no outer record around them.
    check_partitions(&data, &every(&data, 2_003));
    check_partitions(&held, &every(&held, 2_003));
}

#[test]
fn partitions_cover_the_file_and_start_at_records() {
    let data = records(1_000, 200, 0);
    let size = data.len() as u64;
    let whole = MarcFile::from_bytes(data.clone());
    for n in [1, 2, 3, 7, 64, 5_000] {
        let ranges = partitions(&data[..], size, n).unwrap();
        assert!(
            !ranges.is_empty() && ranges.len() <= n,
            "{n}: {}",
            ranges.len()
        );
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges.last().unwrap().end, size);
        for w in ranges.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert!(w[0].start < w[0].end, "empty ranges are dropped");
            assert!(whole
                .record_index()
                .starts()
                .binary_search(&w[1].start)
                .is_ok());
        }
        let ranges: Vec<u64> = ranges.iter().map(|r| r.start).collect();
        check_partitions(&data, &ranges);
    }
    let empty = partitions(&[][..], 0, 4).unwrap();
    assert_eq!((empty.len(), empty[0].start, empty[0].end), (1, 0, 0));
}

#[test]
fn a_range_that_runs_backwards_is_an_error() {
    let data = records(3, 10, 0);
    let (start, end) = (20, 10);
    let err = OpenOptions::new()
        .open_range_with(&data[..], data.len() as u64, start..end)
        .err()
        .expect("an error");
    assert!(err.to_string().contains("20..10"), "{err}");
    // Past the end is cut at the end.
    let part = OpenOptions::new()
        .open_range_with(&data[..], data.len() as u64, 10..1_000_000)
        .unwrap();
    assert_eq!(part.len(), 2);
}

// ---------------------------------------------------------------------------
// The corpus

/// Every ISO 2709 file of the corpus, cut into 2, 3, 7 and 64 partitions and at
/// pseudo-random places: the invariant holds, read from memory and, for the
/// partitions, from the mapped file (`open_range`), which maps only each range.
#[test]
fn corpus_partitions() {
    let Some(dir) = crate::corpus_dir::corpus_dir("corpus partitions") else {
        return;
    };
    let mut files = 0;
    let mut ranges_read = 0;
    for path in crate::corpus::iso2709_files(&dir) {
        let data = std::fs::read(&path).unwrap();
        let size = data.len() as u64;
        let mut cuts = cuts_for(&data);
        // A fixed pseudo-random sequence (an LCG), seeded by the file's size.
        let mut x = size.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        for _ in 0..24 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            cuts.push((x >> 33) % (size + 1));
        }
        for n in [2, 3, 7, 64] {
            let file = std::fs::File::open(&path).unwrap();
            let ranges = partitions(&file, size, n).unwrap();
            for r in &ranges {
                cuts.push(r.start);
                let mapped = OpenOptions::new().open_range(&path, r.clone()).unwrap();
                let read = OpenOptions::new()
                    .open_range_with(&data[..], size, r.clone())
                    .unwrap();
                assert_eq!(
                    mapped.record_index(),
                    read.record_index(),
                    "{}",
                    path.display()
                );
                assert_eq!(mapped.bytes(), read.bytes());
                ranges_read += 1;
            }
        }
        check_partitions(&data, &cuts);
        files += 1;
    }
    assert!(files > 100, "only {files} corpus files");
    eprintln!("corpus partitions: {files} files, {ranges_read} mapped ranges");
}

#[test]
fn align_cut_reads_a_window_not_the_file() {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    // A reader that counts the reads and the bytes it gives.
    struct Counting<'a>(&'a [u8], AtomicU64, AtomicU64);
    impl marcmap::partition::ReadAt for Counting<'_> {
        fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
            self.1.fetch_add(buf.len() as u64, Relaxed);
            self.2.fetch_add(1, Relaxed);
            self.0.read_exact_at(buf, offset)
        }
    }
    let data = records(20_000, 1_000, 0);
    let size = data.len() as u64;
    let source = Counting(&data, AtomicU64::new(0), AtomicU64::new(0));
    let ranges = partitions(&source, size, 8).unwrap();
    assert_eq!(ranges.len(), 8);
    // The first 4 KiB (to tell the input's format), then 7 cuts, one read each
    // of the look-back and the first records after the cut.
    assert_eq!(source.2.load(Relaxed), 8, "reads");
    let bytes = source.1.load(Relaxed);
    assert!(bytes <= 4_096 + 7 * 113_000, "{bytes} bytes read");
    let whole = MarcFile::from_bytes(data.clone());
    assert_eq!(
        align_cut(&data[..], size, 1).unwrap(),
        whole.offset(1).unwrap()
    );
}

// ---------------------------------------------------------------------------
// Inputs that cannot be cut: compressed, or transcoded to ISO 2709

fn sample() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sample.mrc"
    ))
    .unwrap()
}

/// `sample.mrc` as MARCXML, written by marcmap's own writer.
fn sample_as_marcxml() -> Vec<u8> {
    use marcmap::write::{Envelope, RecordWriter, WriteOptions};
    use marcmap::Format;
    let file = MarcFile::from_bytes(sample());
    let writer = RecordWriter::new(WriteOptions::new(Format::MarcXml));
    let framing = Envelope::of(Format::MarcXml);
    let mut out = framing.head.to_vec();
    for record in &file {
        writer.write_ref(&record.unwrap(), &mut out).unwrap();
        out.extend_from_slice(framing.after);
    }
    out.extend_from_slice(framing.tail);
    out
}

/// A real file gzip-compressed, zstd-compressed, or as MARCXML (and that
/// gzipped): `partitions` gives one range, the range that holds byte 0 reads
/// every record (the same as opening the whole input), and any other range
/// none, so equal blocks (Dask's and Spark's pieces) still read every record
/// once. Before, each of these read 0 records.
#[test]
fn a_compressed_or_transcoded_input_is_read_whole_by_the_range_at_its_start() {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let gzip = |data: &[u8]| {
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    };
    let plain = MarcFile::from_bytes(sample());
    let xml = sample_as_marcxml();
    let inputs = [
        ("gzip", gzip(&sample())),
        ("zstd", zstd::encode_all(&sample()[..], 3).unwrap()),
        ("marcxml", xml.clone()),
        ("marcxml.gz", gzip(&xml)),
    ];
    for (name, data) in inputs {
        let size = data.len() as u64;
        assert_eq!(
            partitions(&data[..], size, 4).unwrap(),
            vec![0..size],
            "{name}"
        );
        let whole = OpenOptions::new().read_bytes(data.clone()).unwrap();
        assert_eq!(whole.len(), plain.len(), "{name}");
        for cuts in [vec![0, size], vec![0, 1, size / 2, size]] {
            let mut records = Vec::new();
            for w in cuts.windows(2) {
                let part = OpenOptions::new()
                    .open_range_with(&data[..], size, w[0]..w[1])
                    .unwrap();
                assert_eq!(part.format(), whole.format(), "{name} {w:?}");
                assert_eq!(part.compression(), whole.compression(), "{name} {w:?}");
                records.extend((0..part.len()).map(|i| part.raw(i).unwrap().to_vec()));
            }
            let expected: Vec<Vec<u8>> = (0..whole.len())
                .map(|i| whole.raw(i).unwrap().to_vec())
                .collect();
            assert_eq!(records, expected, "{name} cut at {cuts:?}");
        }
        // The same from a file, mapped.
        let path =
            std::env::temp_dir().join(format!("marcmap-whole-{}-{name}", std::process::id()));
        std::fs::write(&path, &data).unwrap();
        let first = OpenOptions::new().open_range(&path, 0..size / 3).unwrap();
        let rest = OpenOptions::new()
            .open_range(&path, size / 3..size)
            .unwrap();
        assert_eq!((first.len(), rest.len()), (plain.len(), 0), "{name}");
        std::fs::remove_file(&path).unwrap();
    }
}
