//! Target `differential`: structure-aware; a valid record from
//! `marcmap::arbitrary` and one mutation of it, against the reference parser.
//!
//! Needs the main crate's `arbitrary` feature (`marcmap::arbitrary`). The fuzz
//! crate turns it on through its own default feature of the same name; the
//! replay test replays `differential` inputs only under
//! `cargo test --features arbitrary` (scripts/test.sh runs both). The hub
//! (`mod.rs`) compiles this module only with that feature.

use super::common::{FT, SD};
use super::index::check_index;
use super::oracle;
use super::record::check_record;
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
        let at = u32::from_le_bytes([u8::arbitrary(u)?, u8::arbitrary(u)?, u8::arbitrary(u)?, 0]);
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
