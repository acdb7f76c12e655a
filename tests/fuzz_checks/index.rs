//! Target `index`: Phase 1 (`RecordIndex::build`), strict and lenient, and the
//! byte ranges of the input (`partition.rs`).

use super::common::{oracle_declared, oracle_fields_end, oracle_span, MIN_RECORD_LEN, RT};
use super::partition::{check_partitions, cuts_for};
use marcmap::{Framing, RecordIndex};

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
