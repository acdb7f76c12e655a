//! Property tests: generated records against the zero-copy parser and the oracle,
//! damaged concatenations against lenient and strict Phase 1, and arbitrary bytes
//! against everything.

use crate::gen::{self, byte_except, GRecord};
use crate::oracle;
use crate::util::{assert_covers_exactly_once, exercise_everything};
use marcmap::{Framing, MarcFile, OpenOptions, RecordIndex, RecordRef};
use proptest::collection::vec;
use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// A generated record reads back exactly: leader, fields in directory order,
    /// tags, control data, indicators (pymarc's padding rule), subfields (empty
    /// chunks skipped), also when 0x1D occurs inside a field.
    #[test]
    fn generated_record_reads_back_exactly(rec in gen::record(false)) {
        let bytes = rec.serialise();
        let expected = rec.expected(&bytes);
        let parsed = RecordRef::parse(&bytes).expect("valid record");
        prop_assert_eq!(&oracle::from_ref(&parsed), &expected);
        prop_assert_eq!(&oracle::parse(&bytes).expect("oracle"), &expected);

        for framing in [Framing::Strict, Framing::Lenient] {
            let file = OpenOptions::new().framing(framing).open_bytes(bytes.clone());
            prop_assert_eq!(file.len(), 1);
            prop_assert!(file.framing_error().is_none());
            prop_assert!(file.skipped().is_empty());
            prop_assert_eq!(oracle::from_ref(&file.record(0).unwrap()), expected.clone());
        }
    }

    /// Back-to-back valid records: both framings find each at its offset.
    #[test]
    fn concatenated_records_are_all_found(recs in vec(gen::record(false), 1..6)) {
        let mut data = Vec::new();
        let mut expected = Vec::new();
        for r in &recs {
            let bytes = r.serialise();
            expected.push((data.len() as u64, r.expected(&bytes)));
            data.extend(bytes);
        }
        for framing in [Framing::Strict, Framing::Lenient] {
            let file = OpenOptions::new().framing(framing).open_bytes(data.clone());
            let starts: Vec<u64> = expected.iter().map(|e| e.0).collect();
            prop_assert_eq!(file.record_index().starts(), &starts[..]);
            prop_assert!(file.framing_error().is_none() && file.skipped().is_empty());
            for (i, (_, want)) in expected.iter().enumerate() {
                prop_assert_eq!(&oracle::from_ref(&file.record(i).unwrap()), want);
            }
        }
    }
}

/// What goes before a record (or at the end of the file) in a damaged file.
#[derive(Debug, Clone)]
pub(crate) enum Sep {
    None,
    /// Newlines, blanks, NULs, 0x1A.
    Filler(Vec<u8>),
    /// Junk ended by a stray 0x1D.
    JunkTerminated(Vec<u8>),
    /// Junk running straight into the next record (at the end: into EOF).
    Junk(Vec<u8>),
    /// The first `cut` bytes of another record (a file cut short, then more appended).
    Truncated(GRecord, usize),
}

/// Junk without digits or 0x1D: a digit run in junk can honestly declare a
/// record length that frames, which no reader can tell from a record.
pub(crate) fn junk(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(byte_except(b"0123456789\x1d"), 1..max)
}

pub(crate) fn sep() -> impl Strategy<Value = Sep> {
    prop_oneof![
        4 => Just(Sep::None),
        2 => vec(prop::sample::select(&b"\n\r\t \x00\x1a"[..]), 1..6).prop_map(Sep::Filler),
        1 => junk(40).prop_map(|mut j| { j.push(0x1D); Sep::JunkTerminated(j) }),
        // Up to 40 bytes: includes exactly 12, where the record's own length lands
        // where a leader's base address would be.
        1 => junk(40).prop_map(Sep::Junk),
        1 => (gen::record(true), any::<prop::sample::Index>())
            .prop_map(|(r, i)| Sep::Truncated(r, i.index(1_000_000))),
    ]
}

/// A record, possibly with a wrong declared length (a length counted in
/// characters, or a record over 99,999 bytes).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    sep: Sep,
    rec: GRecord,
    wrong_length: Option<[u8; 5]>,
}

pub(crate) fn item() -> impl Strategy<Value = Item> {
    let wrong = prop_oneof![
        6 => Just(None),
        1 => proptest::array::uniform5(b'0'..=b'9').prop_map(Some),
        1 => Just(Some(*b"1234x")),
    ];
    (sep(), gen::record(true), wrong).prop_map(|(sep, rec, wrong_length)| {
        // A record with a wrong length can only be told from junk by its own
        // leader, so junk must not run into it.
        let sep = match (&sep, wrong_length) {
            (Sep::Junk(_) | Sep::Truncated(..), Some(_)) => Sep::None,
            _ => sep,
        };
        Item {
            sep,
            rec,
            wrong_length,
        }
    })
}

/// The bytes of a separator.
fn sep_bytes(sep: &Sep) -> Vec<u8> {
    match sep {
        Sep::None => Vec::new(),
        Sep::Filler(b) | Sep::JunkTerminated(b) | Sep::Junk(b) => b.clone(),
        Sep::Truncated(r, cut) => {
            let full = r.serialise();
            // At least the five length digits, never the terminator.
            let cut = 5 + cut % (full.len() - 6);
            full[..cut].to_vec()
        }
    }
}

pub(crate) struct Built {
    pub(crate) data: Vec<u8>,
    /// (offset, expected record, declared length wrong?)
    records: Vec<(usize, oracle::ORecord, bool)>,
    /// Byte ranges that are damage (not records, not filler).
    damage: Vec<(usize, usize)>,
    /// Where the first framing damage is (strict stops there), if anywhere.
    first_damage: Option<usize>,
}

pub(crate) fn build(items: &[Item], tail: &Sep) -> Built {
    let mut b = Built {
        data: Vec::new(),
        records: Vec::new(),
        damage: Vec::new(),
        first_damage: None,
    };
    let push_sep = |b: &mut Built, sep: &Sep| {
        let bytes = sep_bytes(sep);
        if !bytes.is_empty() {
            b.first_damage.get_or_insert(b.data.len());
            if !matches!(sep, Sep::Filler(_)) {
                b.damage.push((b.data.len(), b.data.len() + bytes.len()));
            }
        }
        b.data.extend(bytes);
    };
    for it in items {
        push_sep(&mut b, &it.sep);
        let mut bytes = it.rec.serialise();
        if let Some(w) = it.wrong_length {
            if w != bytes[..5] {
                bytes[..5].copy_from_slice(&w);
            }
        }
        let wrong = it
            .wrong_length
            .is_some_and(|w| w != it.rec.serialise()[..5]);
        if wrong {
            b.first_damage.get_or_insert(b.data.len());
            b.damage.push((b.data.len(), b.data.len() + bytes.len()));
        }
        b.records
            .push((b.data.len(), it.rec.expected(&bytes), wrong));
        b.data.extend(bytes);
    }
    push_sep(&mut b, tail);
    b
}

/// Whether five digits at `p` declare a length that rule 1 would frame.
fn frames_at(data: &[u8], p: usize) -> bool {
    match data.get(p..p + 5).and_then(oracle::number) {
        Some(len) => len >= 26 && p + len <= data.len() && data[p + len - 1] == 0x1D,
        None => false,
    }
}

proptest! {
    #![proptest_config(config(384))]

    /// Lenient Phase 1 finds every whole record at its offset, flags exactly the
    /// wrong-length ones as recovered, and its skipped ranges plus the records
    /// cover every input byte exactly once. Strict Phase 1 returns the records
    /// before the first damage and names that record index and byte offset.
    #[test]
    fn damage_between_records(items in vec(item(), 1..6), tail in sep()) {
        let built = build(&items, &tail);
        let data = &built.data;
        // Rule out honest ambiguity: damage whose own digits frame a "record"
        // (for example a cut record whose declared length happens to end exactly
        // on a later terminator). No reader can tell those from records.
        for &(a, b) in &built.damage {
            prop_assume!(!(a..b).any(|p| frames_at(data, p)));
        }

        let file = OpenOptions::new().framing(Framing::Lenient).open_bytes(data.clone());
        let starts: Vec<u64> = built.records.iter().map(|r| r.0 as u64).collect();
        prop_assert_eq!(file.record_index().starts(), &starts[..], "skipped: {:?}", file.skipped());
        let recovered: Vec<u64> = file.recovered().iter().map(|r| r.offset).collect();
        let wrong: Vec<u64> = built.records.iter().filter(|r| r.2).map(|r| r.0 as u64).collect();
        prop_assert_eq!(recovered, wrong);
        for (i, (_, want, _)) in built.records.iter().enumerate() {
            prop_assert_eq!(&oracle::from_ref(&file.record(i).unwrap()), want);
        }
        assert_covers_exactly_once(&file);

        let strict = OpenOptions::new().framing(Framing::Strict).open_bytes(data.clone());
        let before = built.first_damage.map_or(starts.len(), |d| {
            built.records.iter().take_while(|r| r.0 < d).count()
        });
        prop_assert_eq!(strict.record_index().starts(), &starts[..before]);
        match built.first_damage {
            None => prop_assert!(strict.framing_error().is_none()),
            Some(d) => {
                let err = strict.framing_error().expect("strict stops at the damage");
                prop_assert_eq!(err.position().record, Some(before as u64));
                prop_assert_eq!(err.position().byte, Some(d as u64));
                let last = strict.iter().last().expect("items");
                prop_assert_eq!(last.unwrap_err().position(), err.position());
                prop_assert_eq!(strict.iter().count(), before + 1);
            }
        }
    }
}

/// Valid records with a few bytes overwritten, inserted or cut: damage near structure.
pub(crate) fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        vec(gen::record(false), 1..4),
        vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..5),
        proptest::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(recs, edits, cut)| {
            let mut data: Vec<u8> = recs.iter().flat_map(GRecord::serialise).collect();
            for (at, byte, kind) in edits {
                let i = at.index(data.len());
                match kind {
                    0 => data[i] = byte,
                    1 => data.insert(i, byte),
                    _ => {
                        data.remove(i);
                    }
                }
                if data.is_empty() {
                    break;
                }
            }
            if let Some(c) = cut {
                let keep = c.index(data.len() + 1);
                data.truncate(keep);
            }
            data
        })
}

pub(crate) fn any_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..600),
        // Bytes drawn from the structural alphabet, to reach deeper paths.
        1 => vec(prop::sample::select(&b"0123456789 \x1d\x1e\x1fa\n"[..]), 0..600),
        3 => mutated(),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    /// Any bytes: no panic anywhere; strict indexing equals the oracle's leader
    /// walk; lenient starts with strict's records; lenient covers every byte
    /// once; each indexed record parses exactly when the oracle accepts it, and
    /// then to the same fields; every error carries the record index and a byte offset.
    #[test]
    fn any_bytes(data in any_input()) {
        let strict = RecordIndex::build(&data, Framing::Strict);
        let (spans, stop) = oracle::strict_walk(&data);
        let oracle_starts: Vec<u64> = spans.iter().map(|s| s.0 as u64).collect();
        prop_assert_eq!(strict.starts(), &oracle_starts[..]);
        prop_assert_eq!(strict.stopped_at(), stop.map(|s| s as u64));
        if let Some(err) = strict.framing_error(&data) {
            prop_assert_eq!(err.position().record, Some(spans.len() as u64));
            prop_assert_eq!(err.position().byte, stop.map(|s| s as u64));
            let _ = err.to_string();
        }

        let file = MarcFile::from_bytes(data.clone());
        let lenient = file.record_index();
        prop_assert!(lenient.starts().starts_with(strict.starts()));
        assert_covers_exactly_once(&file);
        for i in 0..file.len() {
            if let Err(e) = oracle::agree(&file, i) {
                prop_assert!(false, "{}", e);
            }
        }
        exercise_everything(&file);
        let strict_file = OpenOptions::new().framing(Framing::Strict).open_bytes(data);
        exercise_everything(&strict_file);
    }
}
