//! Checks shared by the property tests and the corpus sweep.

use marcmap::text::utf8;
use marcmap::{ErrorHandling, MarcFile};

/// The byte extent of every record and every skipped range, sorted.
pub fn extents(file: &MarcFile) -> Vec<(u64, u64, String)> {
    let mut parts = Vec::new();
    for i in 0..file.len() {
        let start = file.offset(i).expect("offset of an indexed record");
        let len = file.raw(i).expect("bytes of an indexed record").len() as u64;
        parts.push((start, start + len, format!("record {i}")));
    }
    for s in file.skipped() {
        parts.push((
            s.offset,
            s.offset + s.length,
            format!("skipped {:?}", s.reason),
        ));
    }
    parts.sort();
    parts
}

/// Records and skipped ranges of a lenient index tile the input: every byte
/// belongs to exactly one of them, none is empty, none is dropped silently.
pub fn assert_covers_exactly_once(file: &MarcFile) {
    let mut at = 0u64;
    for (start, end, what) in extents(file) {
        assert_eq!(
            start, at,
            "{what} starts at {start}, expected {at}: a gap or an overlap"
        );
        assert!(end > start, "{what} is empty");
        at = end;
    }
    assert_eq!(
        at,
        file.bytes().len() as u64,
        "bytes after {at} are neither a record nor skipped"
    );
}

/// Calls every accessor, Display and Debug on everything the file holds.
/// Returns (records parsed, records in error). Panics are the failure.
pub fn exercise_everything(file: &MarcFile) -> (usize, usize) {
    let (mut ok, mut bad) = (0, 0);
    let mut sink = 0usize;
    for item in file.iter() {
        match item {
            Ok(r) => {
                ok += 1;
                sink += r.to_string().len() + format!("{r:?}").len();
                sink += r.leader().record_length().unwrap_or(0) + r.base_address();
                sink += r.leader().base_address().unwrap_or(0);
                sink += usize::from(r.leader().is_utf8()) + r.as_bytes().len();
                sink += r.fields().rev().count() + r.fields_with_tag(b"245").count();
                if let Some(cn) = r.control_number() {
                    sink += file.find_control_number(cn).len();
                }
                sink += r.first(b"001").map_or(0, |f| f.data().len());
                for i in 0..=r.field_count() {
                    let Some(f) = r.field(i) else {
                        assert_eq!(i, r.field_count());
                        continue;
                    };
                    sink += f.to_string().len() + format!("{f:?}").len();
                    sink += f.tag_str().len() + f.offset_in_record() + f.index();
                    sink += usize::from(f.is_control()) + f.indicator_bytes().len();
                    let (a, b) = f.indicators();
                    sink += usize::from(a) + usize::from(b);
                    sink += f.subfield(b'a').map_or(0, <[u8]>::len);
                    for sf in f.subfields() {
                        sink += format!("{sf:?}").len();
                        sink += utf8(sf.value, ErrorHandling::Replace).map_or(0, |s| s.len());
                        sink += utf8(sf.value, ErrorHandling::Ignore).map_or(0, |s| s.len());
                        sink += utf8(sf.value, ErrorHandling::Strict).map_or(1, |s| s.len());
                    }
                }
            }
            Err(e) => {
                bad += 1;
                let pos = e.position();
                assert!(pos.record.is_some(), "error without a record index: {e}");
                assert!(pos.byte.is_some(), "error without a byte offset: {e}");
                sink += e.to_string().len() + format!("{e:?}").len();
            }
        }
    }
    for s in file.skipped() {
        sink += s.reason.to_string().len();
    }
    sink += file
        .par_map(2, |i, r| i + r.map_or(0, |r| r.field_count()))
        .len();
    std::hint::black_box(sink);
    (ok, bad)
}
