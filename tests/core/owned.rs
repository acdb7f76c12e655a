//! The owned record: generated records survive owned -> ISO 2709 -> `RecordRef`
//! -> owned, and the serialiser writes the bytes the file had for every
//! well-formed record (checked in the corpus sweep through [`canonical`]).

use marcmap::{FieldBody, OwnedField, OwnedRecord, OwnedSubfield, RecordRef, Validation};
use proptest::collection::vec;
use proptest::prelude::*;

/// Whether `raw`, a record that validates strictly, is laid out the way a
/// serialiser lays a record out, so that reading it into an [`OwnedRecord`]
/// and writing it back must give the same bytes: the leader's length and base
/// address are right, the fields sit in directory order with no gaps, and every
/// data field has two indicators and no empty subfield. Written independently
/// of `src/owned.rs`.
pub fn canonical(raw: &[u8]) -> bool {
    let Ok(r) = RecordRef::parse_with(raw, Validation::Strict) else {
        return false;
    };
    if r.leader().record_length() != Some(raw.len())
        || r.base_address() != 24 + 12 * r.field_count() + 1
    {
        return false;
    }
    let mut next = r.base_address();
    for f in r.fields() {
        if f.offset_in_record() != next {
            return false;
        }
        next += f.data().len() + 1;
        if !f.is_control() {
            let d = f.data();
            let two_indicators = d.len() >= 2 && !d[..2].contains(&0x1F);
            let rest = &d[2.min(d.len())..];
            let chunks_sound = rest.is_empty()
                || (rest[0] == 0x1F && rest[1..].split(|&b| b == 0x1F).all(|c| !c.is_empty()));
            if !two_indicators || !chunks_sound {
                return false;
            }
        }
    }
    next + 1 == raw.len()
}

/// Bytes of a value: anything but the delimiters and terminators.
fn value(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(
        any::<u8>().prop_filter("not a structure byte", |b| !(0x1D..=0x1F).contains(b)),
        0..max,
    )
}

fn field() -> impl Strategy<Value = OwnedField> {
    let control = (0u8..10, value(60)).prop_map(|(d, data)| OwnedField {
        tag: [b'0', b'0', b'0' + d],
        body: FieldBody::Control(data),
    });
    let printable = 0x20u8..0x7F;
    let data = (
        (printable.clone(), printable.clone(), printable.clone())
            .prop_filter("not a control tag", |t| {
                !(t.0 == b'0' && t.1 == b'0' && t.2.is_ascii_digit())
            }),
        (printable.clone(), printable.clone()),
        vec((printable, value(40)), 0..6),
    )
        .prop_map(|((a, b, c), (i1, i2), subfields)| OwnedField {
            tag: [a, b, c],
            body: FieldBody::Data {
                indicators: [i1, i2],
                subfields: subfields
                    .into_iter()
                    .map(|(code, value)| OwnedSubfield { code, value })
                    .collect(),
            },
        });
    prop_oneof![control, data]
}

fn record() -> impl Strategy<Value = OwnedRecord> {
    (vec(0x20u8..0x7F, 24), vec(field(), 1..20)).prop_map(|(leader, fields)| OwnedRecord {
        leader: leader.try_into().expect("24 bytes"),
        fields,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// owned -> bytes -> RecordRef -> owned is the identity (up to the leader's
    /// computed length and base address), and the bytes are canonical.
    #[test]
    fn owned_records_round_trip(r in record()) {
        let bytes = r.to_iso2709().expect("a generated record fits ISO 2709");
        prop_assert_eq!(Some(bytes.len()), std::str::from_utf8(&bytes[..5]).ok().and_then(|s| s.parse().ok()));
        let parsed = RecordRef::parse_with(&bytes, Validation::Strict).expect("the serialiser writes valid records");
        prop_assert!(parsed.repairs().is_empty());
        prop_assert_eq!(OwnedRecord::from_ref(&parsed), r.clone().with_lengths_of(&bytes));
        prop_assert!(canonical(&bytes));
        // Written again, the same bytes.
        prop_assert_eq!(OwnedRecord::from_ref(&parsed).to_iso2709().unwrap(), bytes);
    }
}

#[test]
fn canonical_spots_what_a_serialiser_would_change() {
    let good = OwnedRecord::builder()
        .control(*b"001", "1")
        .data(*b"245", b'1', b'0')
        .subfield(b'a', "T")
        .build()
        .to_iso2709()
        .unwrap();
    assert!(canonical(&good));
    // One indicator: still valid, but a serialiser writes two.
    let odd = b"00043nam a2200037 a 4500245000500000\x1e1\x1faT\x1e\x1d";
    assert!(RecordRef::parse_with(odd, Validation::Strict).is_ok());
    assert!(!canonical(odd));
    let from_odd = OwnedRecord::from_ref(&RecordRef::parse(odd).unwrap());
    assert_ne!(from_odd.to_iso2709().unwrap(), odd);
}
