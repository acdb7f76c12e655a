//! The partition invariant: the records of byte ranges, concatenated, are the
//! whole file's. Shared by the `index` fuzz check (`index.rs`) and the property
//! and corpus tests (`tests/core/partition.rs`), which include this file alone.

use marcmap::partition::{align_cut, partitions};
use marcmap::Format;
use marcmap::{Framing, MarcFile, OpenOptions, RecordIndex, RecoveredRecord};

const RT: u8 = 0x1D;

/// Cuts for `data` taken from its own bytes: positions on and around every
/// 0x1D of a sample, and a few spread evenly, so that fuzzed inputs get cuts on
/// terminators, inside leaders and inside damage.
pub fn cuts_for(data: &[u8]) -> Vec<u64> {
    let n = data.len() as u64;
    let mut cuts = vec![n / 3, n / 2, 2 * n / 3];
    for (i, _) in data.iter().enumerate().filter(|(_, &b)| b == RT).take(8) {
        let i = i as u64;
        cuts.extend([i, i + 1, i + 2, i.saturating_sub(7), i + 13]);
    }
    cuts
}

/// The first record start at or after `cut` in `whole`, as a range boundary:
/// 0 stays 0 (a range from 0 owns the damage before the first record), and the
/// end of the data is the end.
fn oracle_boundary(whole: &RecordIndex, size: u64, cut: u64) -> u64 {
    if cut == 0 || cut >= size {
        return cut.min(size);
    }
    let i = whole.starts().partition_point(|&s| s < cut);
    whole.start(i).unwrap_or(size)
}

/// THE partition invariant, for the ranges between `cuts` (any offsets, in any
/// order; 0 and the end are added):
/// - every cut moves to the first record at or after it of the lenient
///   whole-file index (`align_cut`), found from a window around it;
/// - each range holds exactly its own bytes, from its first record to the next
///   range's, and each of its records has the whole file's bytes;
/// - the records (offsets), skipped ranges and recovered records of all ranges,
///   concatenated, are the whole-file index's;
/// - with strict framing, the ranges up to the first that stopped give the whole
///   file's strict reading, and stop where it stops.
pub fn check_partitions(data: &[u8], cuts: &[u64]) {
    let size = data.len() as u64;
    let mut cuts: Vec<u64> = cuts.iter().map(|&c| c.min(size)).collect();
    cuts.extend([0, size]);
    cuts.sort_unstable();
    cuts.dedup();
    let whole = MarcFile::from_bytes(data.to_vec());
    let index = whole.record_index();
    for &cut in &cuts {
        let found = align_cut(data, size, cut).expect("reading bytes in memory");
        assert_eq!(found, oracle_boundary(index, size, cut), "cut at {cut}");
    }

    let (mut starts, mut skipped, mut recovered) = (Vec::new(), Vec::new(), Vec::new());
    for w in cuts.windows(2) {
        let part = iso2709()
            .open_range_with(data, size, w[0]..w[1])
            .expect("a range in bounds");
        let (a, b) = (
            oracle_boundary(index, size, w[0]),
            oracle_boundary(index, size, w[1]),
        );
        assert_eq!(part.data_offset(), a, "range {:?}", w);
        assert_eq!(part.bytes(), &data[a as usize..b as usize], "range {:?}", w);
        assert_eq!(part.first_record_index(), (a == 0).then_some(0));
        let first = starts.len();
        for i in 0..part.len() {
            assert_eq!(
                part.raw(i),
                whole.raw(first + i),
                "record {i} of range {:?}",
                w
            );
            assert_eq!(
                part.record(i).map(|r| r.as_bytes().to_vec()).ok(),
                whole.record(first + i).map(|r| r.as_bytes().to_vec()).ok()
            );
        }
        starts.extend_from_slice(part.record_index().starts());
        skipped.extend_from_slice(part.skipped());
        recovered.extend(part.recovered().iter().map(|r| RecoveredRecord {
            record: r.record + first as u64,
            ..*r
        }));
        assert!(part.framing_error().is_none());
    }
    assert_eq!(starts, index.starts(), "record starts");
    assert_eq!(skipped, index.skipped(), "skipped ranges");
    assert_eq!(recovered, index.recovered(), "recovered records");

    // Strict framing: the ranges up to the first that stopped.
    let strict = RecordIndex::build(data, Framing::Strict);
    let options = iso2709().framing(Framing::Strict);
    let mut starts = Vec::new();
    let mut stop = None;
    for w in cuts.windows(2) {
        let part = options
            .open_range_with(data, size, w[0]..w[1])
            .expect("in bounds");
        let first = starts.len() as u64;
        starts.extend_from_slice(part.record_index().starts());
        if let Some(at) = part.record_index().stopped_at() {
            let err = part.framing_error().expect("a stop has an error");
            assert_eq!(err.position().byte, Some(at));
            // Record numbers count from the range's first record.
            assert_eq!(err.position().record, Some(part.len() as u64));
            assert_eq!(first + part.len() as u64, strict.len() as u64);
            let whole_err = strict
                .framing_error(data)
                .expect("the whole file stops too");
            assert_eq!(err.kind().to_string(), whole_err.kind().to_string());
            stop = Some(at);
            break;
        }
    }
    assert_eq!(starts, strict.starts(), "strict record starts");
    assert_eq!(stop, strict.stopped_at(), "strict stop");

    check_sniffed_ranges(data, &cuts);
}

/// Ranges read as ISO 2709 whatever the bytes look like: the invariant is
/// about its framing.
fn iso2709() -> OpenOptions {
    OpenOptions::new().format(Some(Format::Iso2709))
}

/// Ranges of an input whose format is found from its bytes: plain ISO 2709 is
/// cut as above; a compressed or transcoded input (whose records have no offsets
/// in it to cut at) gives all its records, as reading it whole does, in the
/// range that holds byte 0, and none in the others.
fn check_sniffed_ranges(data: &[u8], cuts: &[u64]) {
    let size = data.len() as u64;
    let head = &data[..data.len().min(4 << 10)];
    if marcmap::sniff::converted(head, None).is_none() {
        return;
    }
    let whole = OpenOptions::new().read_bytes(data.to_vec());
    for w in cuts.windows(2) {
        let part = OpenOptions::new().open_range_with(data, size, w[0]..w[1]);
        match (&whole, part) {
            (Ok(whole), Ok(part)) if w[0] == 0 => {
                assert_eq!(part.len(), whole.len(), "range {w:?}");
                assert_eq!(part.bytes(), whole.bytes(), "range {w:?}");
                assert_eq!(part.format(), whole.format());
            }
            (Err(whole), Err(part)) if w[0] == 0 => {
                assert_eq!(part.to_string(), whole.to_string());
            }
            (_, Ok(part)) if w[0] > 0 => assert_eq!(part.len(), 0, "range {w:?}"),
            (whole, part) => panic!(
                "range {w:?}: {:?} but the whole input gives {:?}",
                part.map(|p| p.len()),
                whole.as_ref().map(|f| f.len())
            ),
        }
    }
    let parts = partitions(data, size, 4).expect("reading bytes in memory");
    assert_eq!(
        parts,
        vec![0..size],
        "one range for an input that cannot be cut"
    );
}
