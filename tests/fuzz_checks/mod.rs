//! The checks behind every fuzz target, in one place.
//!
//! Both the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and the stable replay
//! test (`tests/fuzz_replay.rs`) include this module with `#[path]`, so a crash
//! input committed under `tests/fuzz_regressions/<target>/` is replayed through
//! exactly the checks that found it. A check fails by panicking.
//!
//! The invariants are written against small, deliberately simple oracles (the
//! framing rule, subfield splitting, a linear control-number search), in the
//! style of memchr's reference implementations.

// Each fuzz target uses one check; the replay test uses them all.
#![allow(dead_code)]

use marcmap::decode::utf8;
use marcmap::{ErrorHandling, FieldRef, Framing, MarcFile, OpenOptions, RecordIndex, RecordRef};
use std::collections::BTreeSet;

const RT: u8 = 0x1D;
const FT: u8 = 0x1E;
const SD: u8 = 0x1F;
const MIN_RECORD_LEN: usize = 26;

/// The names of the targets, as used for `fuzz/seeds/<target>` and
/// `tests/fuzz_regressions/<target>`.
pub const TARGETS: &[&str] = &[
    "index",
    "record",
    "file",
    "differential",
    "marc8",
    "marcxml",
    "json",
    "mrk",
    "sidecar",
    "arrow",
];

/// Whether the `differential` check is compiled in: it needs the `arbitrary`
/// feature (on in the fuzz crate; `cargo test --features arbitrary` for the
/// replay test).
pub const DIFFERENTIAL: bool = cfg!(feature = "arbitrary");

/// Runs the check for `target` on `data`.
pub fn check(target: &str, data: &[u8]) {
    match target {
        "index" => check_index(data),
        "record" => check_record(data),
        "file" => check_file(data),
        "differential" => {
            #[cfg(feature = "arbitrary")]
            check_differential(data);
        }
        "marc8" => check_marc8(data),
        "marcxml" => check_reader(marcmap::Format::MarcXml, data),
        "json" => check_reader(marcmap::Format::Json, data),
        "mrk" => check_reader(marcmap::Format::MarcMaker, data),
        "sidecar" => {
            check_sidecar(data);
        }
        "arrow" => {
            #[cfg(feature = "arrow")]
            check_arrow(data);
        }
        _ => panic!("unknown fuzz target {target:?}"),
    }
}

// ---------------------------------------------------------------------------
// Oracles

/// Five ASCII digits at the start of `b`.
fn oracle_declared(b: &[u8]) -> Option<usize> {
    let d = b.get(..5)?;
    if d.iter().all(u8::is_ascii_digit) {
        Some(d.iter().fold(0, |n, &c| n * 10 + (c - b'0') as usize))
    } else {
        None
    }
}

/// Where the fields of `record` end by its own leader and directory (the base
/// address plus the furthest `start + length` of any entry), written out plainly;
/// `None` if the base address or an entry is not digits.
fn oracle_fields_end(record: &[u8]) -> Option<usize> {
    let base = oracle_declared(record.get(12..)?)?;
    let directory = record.get(24..base.checked_sub(1)?)?;
    let mut end = 0;
    for entry in directory.chunks(12) {
        let length = oracle_declared(&[b"0", entry.get(3..7)?].concat())?;
        let start = oracle_declared(entry.get(7..12)?)?;
        end = end.max(start + length);
    }
    Some(base + end)
}

/// The span of an indexed record, written out plainly: a record that lenient
/// framing recovered runs up to and including the next 0x1D; every other record
/// is exactly its declared length.
fn oracle_span(data: &[u8], start: usize, recovered: bool) -> Option<usize> {
    let rest = data.get(start..)?;
    if recovered {
        rest.iter().position(|&b| b == RT).map(|e| e + 1)
    } else {
        oracle_declared(rest).filter(|&l| l >= MIN_RECORD_LEN && l <= rest.len())
    }
}

// ---------------------------------------------------------------------------
// Target 1: Phase 1

/// Phase 1 in strict and lenient mode:
/// - strict records are framed by their declared length, back to back from 0,
///   and strict stops (with an error) exactly where it could not frame one;
/// - lenient accepts every record strict accepts, at the same offsets;
/// - lenient records and skipped ranges are in bounds, never overlap, and
///   (since lenient resynchronises rather than drops) tile the input exactly;
/// - byte ranges of the input, concatenated, are the lenient index
///   (`partition::check_partitions`).
pub fn check_index(data: &[u8]) {
    let strict = RecordIndex::build(data, Framing::Strict);
    let lenient = RecordIndex::build(data, Framing::Lenient);

    // Strict: contiguous, rule 1 only.
    assert!(strict.skipped().is_empty() && strict.recovered().is_empty());
    let mut pos = 0usize;
    for &s in strict.starts() {
        assert_eq!(s as usize, pos, "strict records are back to back");
        let len = oracle_declared(&data[pos..]).expect("strict record has a declared length");
        assert!(len >= MIN_RECORD_LEN && data.get(pos + len - 1) == Some(&RT));
        pos += len;
    }
    match strict.stopped_at() {
        Some(stop) => {
            assert_eq!(stop as usize, pos, "strict stops after its last record");
            assert!(pos < data.len());
            let err = strict.framing_error(data).expect("a stop has an error");
            assert_eq!(err.position().byte, Some(stop));
            assert_eq!(err.position().record, Some(strict.len() as u64));
            let _ = err.to_string();
        }
        None => {
            assert_eq!(pos, data.len(), "strict without a stop consumed everything");
            assert!(strict.framing_error(data).is_none());
        }
    }

    // Lenient accepts every record strict accepts, at the same offsets.
    assert!(
        lenient.starts().starts_with(strict.starts()),
        "strict starts {:?} are not a prefix of lenient starts {:?}",
        strict.starts(),
        lenient.starts()
    );
    assert!(lenient.stopped_at().is_none() && lenient.framing_error(data).is_none());

    // Lenient records and skipped ranges tile [0, len).
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    let starts = lenient.starts();
    for (i, &s) in starts.iter().enumerate() {
        let s = s as usize;
        let recovered = lenient.is_recovered(i);
        let len = oracle_span(data, s, recovered).expect("a lenient record has a span");
        if !recovered {
            // Framed by its declared length: it ends in 0x1D, or (a damaged
            // terminator, reported by Phase 2) the next record starts right after it.
            let next = starts.get(i + 1).map(|&n| n as usize);
            assert!(
                data[s + len - 1] == RT || next == Some(s + len),
                "record at {s} of declared length {len} neither ends in 0x1D nor abuts the next"
            );
        }
        // A record framed by its declared length although a 0x1D comes earlier
        // (rule 1 with an embedded 0x1D) must have fields that end right there: a
        // length reaching further is wrong, and would swallow what follows.
        // (A 0x1D inside the leader or directory is not checked.)
        let first = data[s..s + len - 1].iter().position(|&b| b == RT);
        let base = data.get(s + 12..).and_then(oracle_declared);
        if !recovered && first.is_some_and(|e| base.is_none_or(|b| b <= e)) {
            assert_eq!(
                oracle_fields_end(&data[s..s + len]),
                Some(len - 1),
                "record at {s} of declared length {len} runs past an earlier 0x1D beyond its fields"
            );
        }
        spans.push((s, s + len, "record"));
    }
    for sk in lenient.skipped() {
        assert!(sk.length > 0, "empty skipped range {sk:?}");
        let _ = sk.reason.to_string();
        let (a, b) = (sk.offset as usize, (sk.offset + sk.length) as usize);
        spans.push((a, b, "skipped"));
    }
    spans.sort_unstable();
    let mut pos = 0usize;
    for &(a, b, what) in &spans {
        assert!(
            b <= data.len(),
            "{what} {a}..{b} past the end ({})",
            data.len()
        );
        assert!(
            a >= pos,
            "{what} {a}..{b} overlaps the span ending at {pos}"
        );
        assert_eq!(a, pos, "bytes {pos}..{a} neither a record nor skipped");
        pos = b;
    }
    assert_eq!(
        pos,
        data.len(),
        "bytes {pos}.. neither a record nor skipped"
    );

    for r in lenient.recovered() {
        let i = r.record as usize;
        assert_eq!(lenient.start(i), Some(r.offset));
        let s = r.offset as usize;
        assert_eq!(oracle_span(data, s, true), Some(r.actual));
        assert_eq!(r.declared, oracle_declared(&data[s..]));
        assert_ne!(
            r.declared,
            Some(r.actual),
            "a recovered record was framed right"
        );
    }

    // Byte ranges cut on, next to and between the input's terminators read
    // exactly what the whole-file index reads.
    check_partitions(data, &cuts_for(data));
}

// ---------------------------------------------------------------------------
// Partitions (checked with the index target): see partition.rs

#[path = "partition.rs"]
mod partition;
use partition::{check_partitions, cuts_for};

// ---------------------------------------------------------------------------
// Target 6: the sidecar loader: see sidecar.rs

#[path = "sidecar.rs"]
mod sidecar;
pub use sidecar::check_sidecar;

// ---------------------------------------------------------------------------
// Target 2: Phase 2

/// Every decoding of `bytes`, checked against std.
fn check_decode(bytes: &[u8]) {
    let std = std::str::from_utf8(bytes);
    let strict = utf8(bytes, ErrorHandling::Strict);
    let replace = utf8(bytes, ErrorHandling::Replace).expect("replace never fails");
    let ignore = utf8(bytes, ErrorHandling::Ignore).expect("ignore never fails");
    match std {
        Ok(s) => {
            assert_eq!(strict.as_deref(), Ok(s));
            assert_eq!(replace, s);
            assert_eq!(ignore, s);
        }
        Err(e) => {
            assert_eq!(strict, Err(e.valid_up_to()));
            assert_eq!(replace, String::from_utf8_lossy(bytes));
            assert!(ignore.len() < bytes.len());
            let valid: String = bytes.utf8_chunks().map(|c| c.valid()).collect();
            assert_eq!(ignore, valid);
        }
    }
}

/// Subfields by plain splitting: after the indicators, split on 0x1F, drop
/// empty chunks, the first byte is the code.
fn oracle_subfields(field: &FieldRef<'_>) -> Vec<(u8, Vec<u8>)> {
    if field.is_control() {
        return Vec::new();
    }
    let data = field.data();
    let Some(first) = data.iter().position(|&b| b == SD) else {
        return Vec::new();
    };
    data[first + 1..]
        .split(|&b| b == SD)
        .filter(|c| !c.is_empty())
        .map(|c| (c[0], c[1..].to_vec()))
        .collect()
}

fn check_field(record: &RecordRef<'_>, i: usize, field: &FieldRef<'_>) {
    let bytes = record.as_bytes();
    assert_eq!(field.index(), i);
    assert!(field.tag().is_ascii());
    assert_eq!(field.tag_str().as_bytes(), field.tag());
    let tag = field.tag();
    let control = tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit();
    assert_eq!(field.is_control(), control);

    // The data is in place, inside the record, followed by its terminator (a
    // repaired record's last field may end at the record terminator instead:
    // its own terminator was lost).
    let off = field.offset_in_record();
    let data = field.data();
    assert!(off >= record.base_address());
    assert_eq!(&bytes[off..off + data.len()], data);
    let end = off + data.len();
    if record.repairs().is_empty() {
        assert_eq!(bytes.get(end), Some(&FT));
        assert!(end < bytes.len() - 1);
    } else {
        assert!(bytes.get(end) == Some(&FT) || end == bytes.len() - 1);
    }
    assert_eq!(data.as_ptr(), bytes[off..].as_ptr(), "not zero-copy");

    let ind = field.indicator_bytes();
    assert!(data.starts_with(ind) && !ind.contains(&SD));
    assert!(ind.len() == data.len() || data[ind.len()] == SD);
    let (i1, i2) = field.indicators();
    assert_eq!(i1, ind.first().copied().unwrap_or(b' '));
    assert_eq!(i2, ind.get(1).copied().unwrap_or(b' '));

    let subfields: Vec<_> = field.subfields().collect();
    let oracle = oracle_subfields(field);
    assert_eq!(subfields.len(), oracle.len());
    let mut codes = BTreeSet::new();
    for (sf, (code, value)) in subfields.iter().zip(&oracle) {
        assert_eq!((sf.code, sf.value), (*code, &value[..]));
        assert!(!sf.value.contains(&SD));
        check_decode(sf.value);
        codes.insert(sf.code);
    }
    for code in codes {
        let first = subfields.iter().find(|s| s.code == code).map(|s| s.value);
        assert_eq!(field.subfield(code), first);
    }
    if subfields.is_empty() {
        assert_eq!(field.subfield(b'a'), None);
    }
    check_decode(data);
    check_decode(ind);

    let shown = field.to_string();
    assert!(shown.starts_with(&format!("={}  ", field.tag_str())));
    let _ = format!("{field:?}");
}

/// Phase 2 on `data` as one record: every accessor, `Debug`, `Display`, and
/// UTF-8 decoding of every value in all three modes.
pub fn check_record(data: &[u8]) {
    let record = match RecordRef::parse(data) {
        Ok(r) => r,
        Err(e) => {
            let pos = e.position();
            assert!(pos.record.is_none());
            if let Some(b) = pos.byte {
                assert!(
                    (b as usize) < data.len().max(1),
                    "error byte {b} out of bounds"
                );
            }
            let _ = (e.to_string(), format!("{e:?}"), e.kind());
            return;
        }
    };
    assert_eq!(record.as_bytes(), data);
    let leader = record.leader();
    assert_eq!(&leader.as_bytes()[..], &data[..24]);
    // A repaired record's base address is where its data starts, which the
    // leader may not say; every repair names a byte inside the record.
    if record.repairs().is_empty() {
        assert_eq!(leader.base_address(), Some(record.base_address()));
    }
    for r in record.repairs() {
        assert!(r.byte < data.len(), "repair {r} outside the record");
        assert!(r.field.is_none_or(|f| f < record.field_count()));
        let _ = r.to_string();
    }
    let _ = (leader.record_length(), leader.is_utf8());
    check_decode(leader.as_bytes());

    let n = record.field_count();
    assert!(n > 0);
    assert_eq!(record.fields().len(), n);
    assert!(record.field(n).is_none());
    let forward: Vec<_> = record.fields().collect();
    let mut backward: Vec<_> = record.fields().rev().collect();
    backward.reverse();
    assert_eq!(forward.len(), n);
    let mut tags = BTreeSet::new();
    for (i, (f, b)) in forward.iter().zip(&backward).enumerate() {
        let g = record.field(i).expect("field in range");
        assert_eq!((f.tag(), f.data(), f.index()), (g.tag(), g.data(), i));
        assert_eq!((b.tag(), b.data(), b.index()), (g.tag(), g.data(), i));
        check_field(&record, i, f);
        tags.insert(*f.tag());
    }
    for tag in &tags {
        let with: Vec<_> = record.fields_with_tag(tag).map(|f| f.index()).collect();
        let oracle: Vec<_> = forward
            .iter()
            .filter(|f| f.tag() == tag)
            .map(|f| f.index())
            .collect();
        assert_eq!(with, oracle);
        assert_eq!(
            record.first(tag).map(|f| f.index()),
            oracle.first().copied()
        );
    }
    let cn = forward.iter().find(|f| f.tag() == b"001").map(|f| f.data());
    assert_eq!(record.control_number(), cn);

    let shown = record.to_string();
    assert!(
        shown.matches('\n').count() > n,
        "one line per field and the leader"
    );
    assert!(shown.starts_with("=LDR  "));
    let _ = format!("{record:?}");
}

// ---------------------------------------------------------------------------
// Target 3: MarcFile

/// A small number taken from the input without consuming it (the bytes stay a
/// MARC file): the last two bytes.
fn pick(data: &[u8]) -> usize {
    match data {
        [.., a, b] => usize::from(u16::from_le_bytes([*a, *b])),
        _ => data.len(),
    }
}

fn check_marc_file(data: &[u8], framing: Framing, threads: usize) {
    let file = OpenOptions::new()
        .framing(framing)
        .open_bytes(data.to_vec());
    let n = file.len();
    assert_eq!(file.bytes(), data);
    assert_eq!(file.record_index().len(), n);

    // Everything, in order, and the same through record(i), raw(i), offset(i).
    let mut seen = 0;
    let mut results = Vec::with_capacity(n);
    for (i, r) in file.iter().enumerate() {
        seen += 1;
        if i >= n {
            let e = r.expect_err("the extra item is the framing error");
            assert_eq!(framing, Framing::Strict);
            assert_eq!(e.position().byte, file.record_index().stopped_at());
            continue;
        }
        let start = file.offset(i).expect("offset in range") as usize;
        let raw = file.raw(i).expect("raw in range");
        assert_eq!(raw.as_ptr(), file.bytes()[start..].as_ptr());
        let recovered = file.record_index().is_recovered(i);
        assert_eq!(Some(raw.len()), oracle_span(data, start, recovered));
        match &r {
            Ok(rec) => assert_eq!(rec.as_bytes(), raw),
            Err(e) => {
                assert_eq!(e.position().record, Some(i as u64));
                let b = e.position().byte.expect("a parse error has a byte") as usize;
                assert!(
                    b >= start && b < start + raw.len(),
                    "error byte {b} outside record"
                );
            }
        }
        results.push(r.map(|r| r.as_bytes().len()).map_err(|e| e.to_string()));
    }
    assert_eq!(seen, n + usize::from(file.framing_error().is_some()));
    assert!(file.raw(n).is_none() && file.offset(n).is_none());
    for i in [n, n + 1, usize::MAX] {
        let e = file.record(i).expect_err("out of range");
        assert!(matches!(
            e.kind(),
            marcmap::ErrorKind::IndexOutOfRange { .. }
        ));
    }
    if n > 0 {
        let i = pick(data) % n;
        let again = file.record(i).map(|r| r.as_bytes().len());
        assert_eq!(again.map_err(|e| e.to_string()), results[i]);
    }

    // par_map gives the sequential results in order.
    let par = file.par_map(threads, |i, r| {
        (i, r.map(|r| r.as_bytes().len()).map_err(|e| e.to_string()))
    });
    assert_eq!(par.len(), n);
    for (i, (j, r)) in par.into_iter().enumerate() {
        assert_eq!(i, j);
        assert_eq!(r, results[i]);
    }

    // Control numbers against a linear search.
    let cns: Vec<Option<&[u8]>> = (0..n)
        .map(|i| file.record(i).ok().and_then(|r| r.control_number()))
        .collect();
    let index = file.control_number_index_with(threads);
    assert_eq!(index.len(), cns.iter().flatten().count());
    let mut wanted: Vec<&[u8]> = cns.iter().flatten().take(8).copied().collect();
    wanted.push(b"");
    wanted.push(b" ");
    wanted.push(&data[..data.len().min(pick(data) % 16)]);
    for cn in wanted {
        let linear: Vec<usize> = (0..n)
            .filter(|&i| cns[i].map(<[u8]>::trim_ascii) == Some(cn.trim_ascii()))
            .collect();
        assert_eq!(file.find_control_number(cn), linear, "cn {cn:?}");
    }

    // Lenient bookkeeping is the index's.
    assert_eq!(file.skipped(), file.record_index().skipped());
    assert_eq!(file.recovered(), file.record_index().recovered());
}

/// `MarcFile` over the bytes, strict and lenient: iterate everything, random
/// access, control-number lookup, `par_map` on 2 threads.
pub fn check_file(data: &[u8]) {
    // Threads are costly under a sanitizer: 2 for lenient (the default and the
    // superset), 1 for strict.
    check_marc_file(data, Framing::Strict, 1);
    check_marc_file(data, Framing::Lenient, 2);
    // The default constructor is lenient.
    let file = MarcFile::from_bytes(data.to_vec());
    assert_eq!(
        file.record_index().starts(),
        RecordIndex::build(data, Framing::Lenient).starts()
    );
}

// ---------------------------------------------------------------------------
// Target 5: structure-aware differential
//
// Needs the main crate's `arbitrary` feature (`marcmap::arbitrary`). The fuzz
// crate turns it on through its own default feature of the same name; the
// replay test replays `differential` inputs only under
// `cargo test --features arbitrary` (scripts/test.sh runs both).

/// The reference parser the mutated records are checked against.
#[cfg(feature = "arbitrary")]
#[path = "../core/oracle.rs"]
mod oracle;

#[cfg(feature = "arbitrary")]
pub use differential::*;

#[cfg(feature = "arbitrary")]
mod differential {
    use super::oracle;
    use super::{check_index, check_record, FT, SD};
    use marcmap::arbitrary::{Arbitrary, ArbitraryRecord, FieldBody, Result, Unstructured};
    use marcmap::{Framing, MarcFile, RecordIndex, RecordRef};
    use std::fmt::{self, Write as _};

    /// A small change to a serialised record, at a position taken modulo its length.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Mutation {
        /// XOR one byte with `mask` (0: no change, the record stays valid).
        Flip { at: u32, mask: u8 },
        /// Insert `byte` before position `at` (`at` may be the length).
        Insert { at: u32, byte: u8 },
        /// Remove one byte.
        Delete { at: u32 },
    }

    impl<'a> Arbitrary<'a> for Mutation {
        fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
            let kind = u.int_in_range(0..=2u8)?;
            let at =
                u32::from_le_bytes([u8::arbitrary(u)?, u8::arbitrary(u)?, u8::arbitrary(u)?, 0]);
            let byte = u8::arbitrary(u)?;
            Ok(match kind {
                0 => Mutation::Flip { at, mask: byte },
                1 => Mutation::Insert { at, byte },
                _ => Mutation::Delete { at },
            })
        }
    }

    impl Mutation {
        /// The mutated copy of `raw`.
        pub fn apply(self, raw: &[u8]) -> Vec<u8> {
            let mut out = raw.to_vec();
            let len = raw.len().max(1);
            match self {
                Mutation::Flip { at, mask } => out[at as usize % len] ^= mask,
                Mutation::Insert { at, byte } => out.insert(at as usize % (raw.len() + 1), byte),
                Mutation::Delete { at } => {
                    out.remove(at as usize % len);
                }
            }
            out
        }
    }

    /// The fuzz target's input: a valid record and one mutation of it.
    /// `Debug` prints a ready-to-paste reproduction.
    #[derive(Clone, PartialEq, Eq)]
    pub struct DifferentialInput {
        pub record: ArbitraryRecord,
        pub mutation: Mutation,
    }

    impl<'a> Arbitrary<'a> for DifferentialInput {
        fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
            Ok(DifferentialInput {
                record: ArbitraryRecord::arbitrary(u)?,
                mutation: Mutation::arbitrary(u)?,
            })
        }
    }

    /// Each field as (tag, bytes between the directory's start and the field
    /// terminator): what `FieldRef::tag` and `FieldRef::data` must give back.
    pub fn expected_fields(record: &ArbitraryRecord) -> Vec<([u8; 3], Vec<u8>)> {
        record
            .fields()
            .iter()
            .map(|f| {
                let data = match f.body() {
                    FieldBody::Control(v) => v.clone(),
                    FieldBody::Data {
                        indicators,
                        subfields,
                    } => {
                        let mut d = indicators.to_vec();
                        for (code, value) in subfields {
                            d.push(SD);
                            d.push(*code);
                            d.extend_from_slice(value);
                        }
                        d
                    }
                };
                (*f.tag(), data)
            })
            .collect()
    }

    /// `bytes` as a Rust byte-string literal, `b"..."`.
    pub fn byte_literal(bytes: &[u8]) -> String {
        let mut s = String::with_capacity(bytes.len() + 3);
        s.push_str("b\"");
        for &b in bytes {
            match b {
                b'"' => s.push_str("\\\""),
                b'\\' => s.push_str("\\\\"),
                b'\n' => s.push_str("\\n"),
                b'\r' => s.push_str("\\r"),
                b'\t' => s.push_str("\\t"),
                0x20..=0x7E => s.push(b as char),
                _ => write!(s, "\\x{b:02x}").unwrap(),
            }
        }
        s.push('"');
        s
    }

    /// A test that reruns `check_differential_case` on these bytes, to paste
    /// into `tests/fuzz_replay.rs` (which has the `fuzz_checks` module).
    pub fn reproduction(
        record: &[u8],
        fields: &[([u8; 3], Vec<u8>)],
        mutated: &[u8],
        note: &str,
    ) -> String {
        let mut s = String::new();
        s.push_str("#[test]\n#[cfg(feature = \"arbitrary\")]\nfn differential_reproduction() {\n");
        writeln!(s, "    let record: &[u8] = {};", byte_literal(record)).unwrap();
        s.push_str("    let fields: &[(&[u8], &[u8])] = &[\n");
        for (tag, data) in fields {
            writeln!(
                s,
                "        (&{}[..], &{}[..]),",
                byte_literal(tag),
                byte_literal(data)
            )
            .unwrap();
        }
        s.push_str("    ];\n");
        if !note.is_empty() {
            writeln!(s, "    // {note}").unwrap();
        }
        writeln!(s, "    let mutated: &[u8] = {};", byte_literal(mutated)).unwrap();
        s.push_str("    fuzz_checks::check_differential_case(record, fields, mutated);\n}\n");
        s
    }

    impl fmt::Debug for DifferentialInput {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let raw = self.record.to_bytes();
            let mutated = self.mutation.apply(&raw);
            let note = format!("the record after {:?}", self.mutation);
            let fields = expected_fields(&self.record);
            f.write_str("DifferentialInput; a reproduction:\n\n")?;
            f.write_str(&reproduction(&raw, &fields, &mutated, &note))
        }
    }

    /// Decodes the input as the typed fuzz target does (`arbitrary_take_rest`)
    /// and runs [`check_differential_input`].
    pub fn check_differential(data: &[u8]) {
        if let Ok(input) = DifferentialInput::arbitrary_take_rest(Unstructured::new(data)) {
            check_differential_input(&input);
        }
    }

    /// The record serialised, its exact fields, and its mutation.
    pub fn check_differential_input(input: &DifferentialInput) {
        let raw = input.record.to_bytes();
        let fields = expected_fields(&input.record);
        let mutated = input.mutation.apply(&raw);
        // Subfields exactly as built (the case below splits the field bytes).
        if let Ok(record) = RecordRef::parse(&raw) {
            for (f, spec) in record.fields().zip(input.record.fields()) {
                if let FieldBody::Data { subfields, .. } = spec.body() {
                    let got: Vec<_> = f.subfields().map(|s| (s.code, s.value.to_vec())).collect();
                    if &got != subfields {
                        panic!(
                            "field {}: subfields {got:?}, built {subfields:?}\n\n{input:?}",
                            f.index()
                        );
                    }
                }
            }
        }
        let fields: Vec<(&[u8], &[u8])> = fields.iter().map(|(t, d)| (&t[..], &d[..])).collect();
        check_differential_case(&raw, &fields, &mutated);
    }

    /// The checks on one case, by bytes (what a reproduction calls):
    /// - `record`, a valid record, parses to exactly `fields` (tag, data) in
    ///   order, indicators and subfields split from the data, and Phase 1 and
    ///   `MarcFile` frame two copies of it;
    /// - `mutated` is either rejected with an error that has a position inside
    ///   it, as the reference parser (`tests/core/oracle.rs`) rejects it too,
    ///   or accepted with the fields the reference parser reads.
    pub fn check_differential_case(record: &[u8], fields: &[(&[u8], &[u8])], mutated: &[u8]) {
        let fields_owned: Vec<([u8; 3], Vec<u8>)> = fields
            .iter()
            .map(|(t, d)| ((*t).try_into().expect("3-byte tag"), d.to_vec()))
            .collect();
        let repro = || reproduction(record, &fields_owned, mutated, "");
        macro_rules! ensure {
            ($cond:expr, $($msg:tt)+) => {
                if !$cond {
                    panic!("{}\n\n{}", format!($($msg)+), repro());
                }
            };
        }

        let parsed = RecordRef::parse(record);
        let Ok(parsed) = parsed else {
            panic!(
                "valid record rejected: {}\n\n{}",
                parsed.unwrap_err(),
                repro()
            );
        };
        ensure!(
            parsed.field_count() == fields.len(),
            "{} fields, built {}",
            parsed.field_count(),
            fields.len()
        );
        for (f, &(tag, data)) in parsed.fields().zip(fields) {
            let i = f.index();
            ensure!(f.tag() == tag, "field {i}: tag {:?}", f.tag_str());
            ensure!(f.data() == data, "field {i}: data {:?}", f.data());
            let control = tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit();
            ensure!(f.is_control() == control, "field {i}: is_control wrong");
            ensure!(
                record[f.offset_in_record() + data.len()] == FT,
                "field {i}: no terminator after the data"
            );
            if !control {
                ensure!(f.indicator_bytes() == &data[..2], "field {i}: indicators");
                ensure!(
                    f.indicators() == (data[0], data[1]),
                    "field {i}: indicators()"
                );
                let want: Vec<(u8, &[u8])> = data[2..]
                    .split(|&b| b == SD)
                    .skip(1)
                    .map(|c| (c[0], &c[1..]))
                    .collect();
                let got: Vec<(u8, &[u8])> = f.subfields().map(|s| (s.code, s.value)).collect();
                ensure!(got == want, "field {i}: subfields {got:?}");
            } else {
                ensure!(f.subfields().count() == 0, "field {i}: control subfields");
            }
        }
        // The record is also what Phase 1 and MarcFile see, twice over.
        let mut two = record.to_vec();
        two.extend_from_slice(record);
        let idx = RecordIndex::build(&two, Framing::Strict);
        ensure!(
            idx.starts() == [0, record.len() as u64] && idx.stopped_at().is_none(),
            "strict framing of two copies: {:?}",
            idx.starts()
        );
        let file = MarcFile::from_bytes(two);
        ensure!(
            file.len() == 2 && file.record(1).map(|r| r.field_count()).ok() == Some(fields.len()),
            "MarcFile over two copies"
        );
        check_record(record);

        // The mutated bytes: marcmap and the reference parser agree, with repairs
        // (the default) and strictly.
        match (RecordRef::parse(mutated), oracle::parse_repair(mutated)) {
            (Ok(ours), Ok((theirs, repaired))) => {
                let ours_fields = oracle::from_ref(&ours);
                ensure!(
                    ours_fields == theirs && ours.repairs().is_empty() != repaired,
                    "the mutated record repairs differently:\n marcmap {ours_fields:?} {:?}\n  oracle {theirs:?} {repaired}",
                    ours.repairs()
                );
            }
            (Err(_), Err(_)) => {}
            (ours, theirs) => ensure!(
                false,
                "repair: marcmap {:?}, oracle {:?}",
                ours.map(|_| ()),
                theirs.map(|_| ())
            ),
        }
        match (
            RecordRef::parse_with(mutated, marcmap::Validation::Strict),
            oracle::parse(mutated),
        ) {
            (Ok(ours), Ok(theirs)) => {
                let ours = oracle::from_ref(&ours);
                ensure!(
                    ours == theirs,
                    "the mutated record parses differently:\n marcmap {ours:?}\n  oracle {theirs:?}"
                );
                check_record(mutated);
            }
            (Err(e), Err(_)) => {
                let pos = e.position();
                ensure!(
                    pos.byte.is_some_and(|b| (b as usize) < mutated.len()),
                    "error {e} has no position inside the {} bytes",
                    mutated.len()
                );
                ensure!(pos.record.is_none(), "error {e} names a record");
                let _ = (e.to_string(), format!("{e:?}"));
            }
            (Ok(_), Err(why)) => {
                ensure!(
                    false,
                    "marcmap accepts the mutated record; the oracle: {why}"
                )
            }
            (Err(e), Ok(_)) => {
                ensure!(
                    false,
                    "marcmap rejects the mutated record ({e}); the oracle accepts it"
                )
            }
        }
        check_index(mutated);
    }
}

// ---------------------------------------------------------------------------
// Target 4: the MARC-8 decoder

/// The MARC-8 decoder on arbitrary bytes, in every error mode, normalisation and
/// ligature mapping:
/// - it never panics, and a strict error points inside the input;
/// - where strict succeeds, replace and ignore give the same text (nothing to fix);
/// - ignore never invents U+FFFD that replace would not also give;
/// - the output is in the normalisation form asked for;
/// - plain printable ASCII (no escape, no `&`) comes out unchanged;
/// - `looks_like_utf8` agrees with its definition.
pub fn check_marc8(data: &[u8]) {
    use marcmap::marc8::{self, LigatureMapping, Marc8Options, Normalization};
    use unicode_normalization::{is_nfc, is_nfd};

    for normalization in [Normalization::Nfc, Normalization::Nfd] {
        for ligatures in [LigatureMapping::Lc, LigatureMapping::Pymarc] {
            let opts = |errors| Marc8Options {
                errors,
                normalization,
                ligatures,
            };
            let strict = marc8::decode(data, &opts(ErrorHandling::Strict));
            let replace = marc8::decode(data, &opts(ErrorHandling::Replace))
                .expect("replace mode never fails");
            let ignore =
                marc8::decode(data, &opts(ErrorHandling::Ignore)).expect("ignore mode never fails");
            match &strict {
                Ok(text) => {
                    assert_eq!(
                        text, &replace,
                        "strict succeeded, so replace has nothing to replace"
                    );
                    assert_eq!(
                        text, &ignore,
                        "strict succeeded, so ignore has nothing to drop"
                    );
                }
                Err(e) => assert!(
                    e.offset < data.len().max(1),
                    "error offset {} outside the input",
                    e.offset
                ),
            }
            for out in [&replace, &ignore] {
                match normalization {
                    Normalization::Nfc => assert!(is_nfc(out), "output is not NFC: {out:?}"),
                    Normalization::Nfd => assert!(is_nfd(out), "output is not NFD: {out:?}"),
                }
            }
            let fffd = |s: &str| s.matches('\u{fffd}').count();
            assert!(
                fffd(&ignore) <= fffd(&replace),
                "ignore added replacement characters"
            );
        }
    }
    let plain = data.iter().all(|&b| (0x20..0x7F).contains(&b) && b != b'&');
    if plain {
        let out = marc8::decode(data, &Marc8Options::default()).expect("printable ASCII is MARC-8");
        assert_eq!(
            out.as_bytes(),
            data,
            "printable ASCII must come out unchanged"
        );
    }
    let expected = !data.contains(&0x1B) && !data.is_ascii() && std::str::from_utf8(data).is_ok();
    assert_eq!(marc8::looks_like_utf8(data), expected);
}

// ---------------------------------------------------------------------------
// Targets 6-8: the MARCXML, MARC-in-JSON and MARCMaker readers
//
// Invariants: the reader never panics; what it gives is valid ISO 2709 (strict
// framing indexes it whole, and every record that did not fail parses under
// strict validation, or has no fields: an empty record of the input); every
// record has an origin in the input, and every failure a position in it (line
// and column from 1); strict reading gives a prefix of lenient reading; and for
// MARCXML, reading in byte ranges on two threads gives exactly what one thread
// gives, whatever the ranges, and the record scanner reads what quick-xml's
// events read.

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

// ---------------------------------------------------------------------------
// Target: Arrow batches (needs the main crate's `arrow` feature: on in the fuzz
// crate; `cargo test --features arrow --test fuzz_replay` for the replay test)

/// Whether the `arrow` check is compiled in.
pub const ARROW: bool = cfg!(feature = "arrow");

/// Batches of every shape over arbitrary bytes: no panic; with bad records
/// null, every batch builds with the announced schema and the nested and wide
/// shapes have a row a record; failing, the stream fails exactly when some
/// record does, with that record's position; two threads give what one gives.
#[cfg(feature = "arrow")]
pub fn check_arrow(data: &[u8]) {
    use marcmap::arrow::{batches, build_batch, ArrowOptions, BadRecords, Shape};
    use marcmap::spec::Spec;
    use marcmap::TextDecoder;
    let file = MarcFile::from_bytes(data.to_vec());
    let n = file.len();
    let columns: Vec<(String, Spec)> = ["001", "245$a", "650$ax", "260", "LDR/06", "008/35-37"]
        .iter()
        .map(|s| (s.to_string(), Spec::parse(s).unwrap()))
        .collect();
    let shapes = [
        Shape::Records,
        Shape::Subfields,
        Shape::Columns {
            columns: columns.clone(),
            first: false,
        },
        Shape::Columns {
            columns,
            first: true,
        },
    ];
    for shape in shapes {
        for binary in [false, true] {
            let mut opts = ArrowOptions::new(shape.clone());
            opts.binary = binary;
            opts.raw = shape == Shape::Records;
            opts.threads = 1;
            opts.batch_size = 3;
            let mut rows = 0;
            let mut reader = batches(file.clone(), opts.clone());
            while let Some(batch) = reader.next_batch() {
                let batch = batch.expect("with bad records null, every batch builds");
                assert_eq!(batch.schema(), opts.schema());
                rows += batch.num_rows();
            }
            if shape != Shape::Subfields {
                assert_eq!(rows, n);
            }
            opts.bad_records = BadRecords::Fail;
            let failed = build_batch(&file, &opts, 0..n);
            if shape == Shape::Records {
                let first_bad = (0..n).find(|&i| {
                    file.record(i)
                        .and_then(|r| {
                            if binary {
                                Ok(())
                            } else {
                                r.text(&TextDecoder::new()).check()
                            }
                        })
                        .is_err()
                });
                match (failed, first_bad) {
                    (Ok(_), None) => {}
                    (Err(e), Some(i)) => assert_eq!(e.position().record, Some(i as u64)),
                    (got, want) => {
                        panic!("failing batch {:?}, first bad record {want:?}", got.err())
                    }
                }
            }
        }
    }
    // Two threads, batches of one: the same rows in the same order.
    let mut one = ArrowOptions::new(Shape::Records);
    one.threads = 1;
    one.batch_size = 1;
    let mut two = one.clone();
    two.threads = 2;
    let collect = |opts: ArrowOptions| {
        let mut reader = batches(file.clone(), opts);
        let mut out = Vec::new();
        while let Some(b) = reader.next_batch() {
            out.push(b.unwrap());
        }
        out
    };
    assert_eq!(collect(one), collect(two));
}
