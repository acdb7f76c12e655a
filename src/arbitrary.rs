//! Structure-aware fuzzing: valid MARC records from fuzzer bytes.
//!
//! Enabled by the `arbitrary` feature. [`ArbitraryRecord`] and [`ArbitraryFile`]
//! implement [`Arbitrary`], so a fuzz target (cargo-fuzz, `libfuzzer-sys`,
//! `afl`) can turn its input bytes into records that are always structurally
//! valid ISO 2709 and push them through a pipeline that reads MARC, instead of
//! spending its time on inputs a reader rejects at the leader.
//!
//! Every record built here, serialised with [`ArbitraryRecord::to_bytes`], has:
//!
//! - a 24-byte ASCII leader with the right record length and base address,
//!   indicator and subfield-code counts of `2` and the entry map `4500`;
//! - at least one field, at most [`MAX_FIELDS`];
//! - tags of ASCII digits and letters: control fields are `001`..`009` (and
//!   `000`), data fields are anything else (`245`, `880`, `A1z`, ...);
//! - data fields with exactly two indicators and up to [`MAX_SUBFIELDS`]
//!   subfields of at most [`MAX_VALUE_LEN`] bytes;
//! - no 0x1D, 0x1E or 0x1F inside any indicator, subfield code or value (every
//!   other byte can appear, so values need not be UTF-8);
//! - lengths within the 4-digit field and 5-digit record limits.
//!
//! [`ArbitraryRecord::to_fuzz_input`] goes the other way: it gives the bytes
//! that decode back to a record, so real records ([`ArbitraryRecord::from_record`])
//! become a seed corpus.
//!
//! # Example
//!
//! A `fuzz_target!`-style closure (the body of
//! `libfuzzer_sys::fuzz_target!(|data: &[u8]| { ... })`):
//!
//! ```
//! use marcmap::arbitrary::{Arbitrary, ArbitraryRecord, Unstructured};
//!
//! let fuzz_target = |data: &[u8]| {
//!     let mut u = Unstructured::new(data);
//!     let Ok(record) = ArbitraryRecord::arbitrary(&mut u) else {
//!         return;
//!     };
//!     let raw = record.to_bytes();
//!     // Your pipeline here; a valid record must never be rejected.
//!     let parsed = marcmap::RecordRef::parse(&raw).expect("a valid record");
//!     assert_eq!(parsed.field_count(), record.fields().len());
//! };
//!
//! fuzz_target(b"");
//! fuzz_target(b"\x01\x07245\xff some bytes a fuzzer made \x00\x1d\x1e");
//! ```
//!
//! With `libfuzzer-sys` the record can also be the target's argument,
//! `fuzz_target!(|record: ArbitraryRecord| ...)`; cargo-fuzz then prints it
//! with `Debug` when the target fails.

use crate::layout::{FIELD_TERMINATOR, RECORD_TERMINATOR, SUBFIELD_DELIMITER};
use crate::owned::{OwnedField, OwnedRecord};
use crate::record::RecordRef;
// The `arbitrary` crate's trait, input, error and result, so an implementation
// needs no direct dependency on it.
pub use ::arbitrary::{Arbitrary, Error, Result, Unstructured};

/// The most fields in one record.
pub const MAX_FIELDS: usize = 64;
/// The most subfields in one data field.
pub const MAX_SUBFIELDS: usize = 16;
/// The longest subfield value or control field, in bytes.
pub const MAX_VALUE_LEN: usize = 255;
/// The most records in an [`ArbitraryFile`].
pub const MAX_RECORDS: usize = 16;

/// The longest field: two indicators, every subfield at its longest, the terminator.
const MAX_FIELD_LEN: usize = 2 + MAX_SUBFIELDS * (2 + MAX_VALUE_LEN) + 1;
/// The longest record the 5-digit record length can state.
const MAX_RECORD_LEN: usize = 99_999;
const _: () = assert!(MAX_FIELD_LEN <= 9_999, "a field must fit a 4-digit length");
const _: () = assert!(MAX_VALUE_LEN <= 255, "lengths are read from one byte");

/// The leader positions that are free (the others are computed or fixed):
/// 05 status, 06 type, 07 bibliographic level, 08 type of control, 09 character
/// coding scheme, 17 encoding level, 18 cataloguing form, 19 multipart level.
const LEADER_CODES: [usize; 8] = [5, 6, 7, 8, 9, 17, 18, 19];

const ALNUM: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A field's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldBody {
    /// A control field's data.
    Control(Vec<u8>),
    /// A data field: two indicators and the subfields, as (code, value).
    Data {
        /// The two indicator bytes.
        indicators: [u8; 2],
        /// The subfields in order.
        subfields: Vec<(u8, Vec<u8>)>,
    },
}

/// One field of an [`ArbitraryRecord`]. Built only by [`Arbitrary`] and
/// [`ArbitraryRecord::from_record`], so it always keeps the invariants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArbitraryField {
    tag: [u8; 3],
    body: FieldBody,
}

impl ArbitraryField {
    /// The tag: `00` and a digit for a control field, else digits and letters.
    pub fn tag(&self) -> &[u8; 3] {
        &self.tag
    }

    /// The control data, or the indicators and subfields.
    pub fn body(&self) -> &FieldBody {
        &self.body
    }

    /// The field's bytes in the data area, terminator included.
    fn encoded_len(&self) -> usize {
        1 + match &self.body {
            FieldBody::Control(data) => data.len(),
            FieldBody::Data { subfields, .. } => {
                2 + subfields.iter().map(|(_, v)| 2 + v.len()).sum::<usize>()
            }
        }
    }
}

/// A structurally valid MARC 21 record, built from fuzzer bytes. See the
/// [module documentation](self) for what "valid" guarantees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArbitraryRecord {
    /// Leader bytes 05-09 and 17-19, printable ASCII.
    codes: [u8; 8],
    fields: Vec<ArbitraryField>,
}

/// Several records, back to back, as in a `.mrc` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArbitraryFile {
    records: Vec<ArbitraryRecord>,
}

// ---------------------------------------------------------------------------
// Decoding. Every choice reads one byte (or none, when the input has run out,
// which picks the lowest choice), so `to_fuzz_input` can write the inverse.

/// A byte other than the three separators: 253 choices.
fn content_byte(u: &mut Unstructured<'_>) -> Result<u8> {
    let b = u.int_in_range(0..=252u8)?;
    Ok(if b < RECORD_TERMINATOR { b } else { b + 3 })
}

fn content_index(b: u8) -> u8 {
    debug_assert!(!is_separator(b));
    if b < RECORD_TERMINATOR {
        b
    } else {
        b - 3
    }
}

fn is_separator(b: u8) -> bool {
    matches!(b, RECORD_TERMINATOR | FIELD_TERMINATOR | SUBFIELD_DELIMITER)
}

fn content(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let len = u.int_in_range(0..=MAX_VALUE_LEN as u8)?;
    (0..len).map(|_| content_byte(u)).collect()
}

fn is_control_tag(tag: &[u8; 3]) -> bool {
    tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit()
}

impl<'a> Arbitrary<'a> for ArbitraryField {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if bool::arbitrary(u)? {
            let tag = [b'0', b'0', b'0' + u.int_in_range(0..=9u8)?];
            let body = FieldBody::Control(content(u)?);
            return Ok(ArbitraryField { tag, body });
        }
        let mut tag = [0; 3];
        if bool::arbitrary(u)? {
            for t in &mut tag {
                *t = ALNUM[usize::from(u.int_in_range(0..=61u8)?)];
            }
        } else {
            for t in &mut tag {
                *t = b'0' + u.int_in_range(0..=9u8)?;
            }
        }
        if is_control_tag(&tag) {
            // A data field cannot have a control tag: 00X becomes 01X.
            tag[1] = b'1';
        }
        let indicators = [content_byte(u)?, content_byte(u)?];
        let mut subfields = Vec::new();
        while subfields.len() < MAX_SUBFIELDS && bool::arbitrary(u)? {
            subfields.push((content_byte(u)?, content(u)?));
        }
        Ok(ArbitraryField {
            tag,
            body: FieldBody::Data {
                indicators,
                subfields,
            },
        })
    }
}

/// The record's length with `fields` and one more field at its longest: the
/// decoder stops adding fields once that could pass the 5-digit limit.
fn room_for_another(fields: &[ArbitraryField]) -> bool {
    let used: usize = fields.iter().map(|f| 12 + f.encoded_len()).sum();
    // Leader, directory terminator, the fields, one more, the record terminator.
    let with_another = 24 + 1 + used + (12 + MAX_FIELD_LEN) + 1;
    with_another <= MAX_RECORD_LEN
}

impl<'a> Arbitrary<'a> for ArbitraryRecord {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut codes = [0; 8];
        for c in &mut codes {
            *c = u.int_in_range(0x20..=0x7Eu8)?;
        }
        let mut fields = vec![ArbitraryField::arbitrary(u)?];
        while fields.len() < MAX_FIELDS && room_for_another(&fields) && bool::arbitrary(u)? {
            fields.push(ArbitraryField::arbitrary(u)?);
        }
        Ok(ArbitraryRecord { codes, fields })
    }
}

impl<'a> Arbitrary<'a> for ArbitraryFile {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut records = vec![ArbitraryRecord::arbitrary(u)?];
        while records.len() < MAX_RECORDS && bool::arbitrary(u)? {
            records.push(ArbitraryRecord::arbitrary(u)?);
        }
        Ok(ArbitraryFile { records })
    }
}

// ---------------------------------------------------------------------------
// Serialising, and the inverse of decoding.

impl ArbitraryRecord {
    /// The fields, in directory order.
    pub fn fields(&self) -> &[ArbitraryField] {
        &self.fields
    }

    /// The leader [`to_bytes`](Self::to_bytes) writes.
    pub fn leader(&self) -> [u8; 24] {
        let dir_len = 12 * self.fields.len() + 1;
        let data_len: usize = self.fields.iter().map(ArbitraryField::encoded_len).sum();
        let base = 24 + dir_len;
        let total = base + data_len + 1;
        debug_assert!(total <= MAX_RECORD_LEN);
        let mut leader = *b"00000     22     uuu4500";
        leader[..5].copy_from_slice(format!("{total:05}").as_bytes());
        leader[12..17].copy_from_slice(format!("{base:05}").as_bytes());
        for (&at, &c) in LEADER_CODES.iter().zip(&self.codes) {
            leader[at] = c;
        }
        leader
    }

    /// The same record as an [`OwnedRecord`], with the leader
    /// [`leader`](Self::leader) gives.
    pub fn to_owned_record(&self) -> OwnedRecord {
        OwnedRecord {
            leader: self.leader(),
            fields: self
                .fields
                .iter()
                .map(|f| match &f.body {
                    FieldBody::Control(v) => OwnedField::control(f.tag, v.as_slice()),
                    FieldBody::Data {
                        indicators,
                        subfields,
                    } => {
                        let mut field = OwnedField::data(f.tag, indicators[0], indicators[1]);
                        for (code, value) in subfields {
                            field.push_subfield(*code, value.as_slice());
                        }
                        field
                    }
                })
                .collect(),
        }
    }

    /// The record as ISO 2709 bytes, leader to record terminator, written by
    /// the owned record's serialiser (the one way marcmap makes new bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        // The invariants of the module documentation keep every record within
        // ISO 2709's limits and free of delimiters inside values.
        self.to_owned_record()
            .to_iso2709()
            .expect("an ArbitraryRecord is always writable")
    }

    /// The same record as one that [`Arbitrary`] can build, or `None` when the
    /// record breaks a rule of the module documentation (an odd tag, a field
    /// without two indicators, a separator byte inside a value, a size limit)
    /// or has a non-printable byte in a free leader position.
    pub fn from_record(record: &RecordRef<'_>) -> Option<Self> {
        let leader = record.leader().as_bytes();
        let mut codes = [0; 8];
        for (c, &at) in codes.iter_mut().zip(&LEADER_CODES) {
            *c = leader[at];
            if !(0x20..=0x7E).contains(c) {
                return None;
            }
        }
        let mut fields: Vec<ArbitraryField> = Vec::new();
        for f in record.fields() {
            if fields.len() == MAX_FIELDS || (!fields.is_empty() && !room_for_another(&fields)) {
                return None;
            }
            let tag = *f.tag();
            if !tag.iter().all(u8::is_ascii_alphanumeric) {
                return None;
            }
            let data = f.data();
            let ok = |v: &[u8]| v.len() <= MAX_VALUE_LEN && !v.iter().any(|&b| is_separator(b));
            let body = if f.is_control() {
                if !ok(data) {
                    return None;
                }
                FieldBody::Control(data.to_vec())
            } else {
                let ind = f.indicator_bytes();
                let rest = &data[ind.len()..];
                let subfields: Vec<(u8, Vec<u8>)> = rest
                    .split(|&b| b == SUBFIELD_DELIMITER)
                    .skip(1)
                    .map(|c| c.split_first().map(|(&code, v)| (code, v.to_vec())))
                    .collect::<Option<_>>()?;
                if ind.len() != 2 || subfields.len() > MAX_SUBFIELDS {
                    return None;
                }
                if subfields.iter().any(|(c, v)| is_separator(*c) || !ok(v)) {
                    return None;
                }
                FieldBody::Data {
                    indicators: [ind[0], ind[1]],
                    subfields,
                }
            };
            fields.push(ArbitraryField { tag, body });
        }
        Some(ArbitraryRecord { codes, fields })
    }

    /// The bytes that [`Arbitrary`] decodes back to this record: seeds for a
    /// fuzz corpus. `ArbitraryRecord::arbitrary(&mut Unstructured::new(&r.to_fuzz_input()))`
    /// is `r` again.
    pub fn to_fuzz_input(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend(self.codes.iter().map(|c| c - 0x20));
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(1);
            }
            match &f.body {
                FieldBody::Control(v) => {
                    out.extend([1, f.tag[2] - b'0']);
                    encode_content(v, out);
                }
                FieldBody::Data {
                    indicators,
                    subfields,
                } => {
                    out.push(0);
                    if f.tag.iter().all(u8::is_ascii_digit) {
                        out.push(0);
                        out.extend(f.tag.iter().map(|t| t - b'0'));
                    } else {
                        out.push(1);
                        let at = |t: &u8| ALNUM.iter().position(|a| a == t).unwrap() as u8;
                        out.extend(f.tag.iter().map(at));
                    }
                    out.extend(indicators.iter().map(|&b| content_index(b)));
                    for (code, value) in subfields {
                        out.extend([1, content_index(*code)]);
                        encode_content(value, out);
                    }
                    if subfields.len() < MAX_SUBFIELDS {
                        out.push(0);
                    }
                }
            }
        }
        if self.fields.len() < MAX_FIELDS && room_for_another(&self.fields) {
            out.push(0);
        }
    }
}

fn encode_content(v: &[u8], out: &mut Vec<u8>) {
    out.push(v.len() as u8);
    out.extend(v.iter().map(|&b| content_index(b)));
}

impl ArbitraryFile {
    /// A file of these records, or `None` unless there are 1 to [`MAX_RECORDS`].
    pub fn new(records: Vec<ArbitraryRecord>) -> Option<Self> {
        (1..=MAX_RECORDS)
            .contains(&records.len())
            .then_some(ArbitraryFile { records })
    }

    /// The records.
    pub fn records(&self) -> &[ArbitraryRecord] {
        &self.records
    }

    /// The records back to back, as a file.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.records.iter().flat_map(|r| r.to_bytes()).collect()
    }

    /// The bytes that [`Arbitrary`] decodes back to this file.
    pub fn to_fuzz_input(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, r) in self.records.iter().enumerate() {
            if i > 0 {
                out.push(1);
            }
            r.encode(&mut out);
        }
        if self.records.len() < MAX_RECORDS {
            out.push(0);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> ArbitraryRecord {
        ArbitraryRecord::arbitrary(&mut Unstructured::new(bytes)).unwrap()
    }

    #[test]
    fn every_input_serialises_to_a_valid_record() {
        // Some fixed pseudo-random inputs of many sizes.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for n in 0..400 {
            let bytes: Vec<u8> = (0..n * 7)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            let rec = decode(&bytes);
            let raw = rec.to_bytes();
            let parsed = RecordRef::parse(&raw).expect("valid");
            assert_eq!(parsed.leader().as_bytes(), &rec.leader());
            assert_eq!(parsed.field_count(), rec.fields().len());
            assert_eq!(ArbitraryRecord::from_record(&parsed).as_ref(), Some(&rec));
            // owned -> bytes -> RecordRef -> owned round-trips.
            let owned = rec.to_owned_record();
            assert_eq!(crate::OwnedRecord::from_ref(&parsed), owned);
            assert_eq!(owned.to_iso2709().unwrap(), raw);
            assert_eq!(decode(&rec.to_fuzz_input()), rec);
            let file =
                ArbitraryFile::arbitrary(&mut Unstructured::new(&bytes)).expect("file decodes");
            let back = ArbitraryFile::arbitrary(&mut Unstructured::new(&file.to_fuzz_input()));
            assert_eq!(back.unwrap(), file);
        }
    }

    #[test]
    fn the_largest_record_fits() {
        // Leader codes, then data fields with every subfield at its longest.
        let mut input = vec![b'a' - 0x20; 8];
        for i in 0..MAX_FIELDS {
            if i > 0 {
                input.push(1);
            }
            input.extend([0, 0, 2, 4, 5, b'1', b'0']);
            for _ in 0..MAX_SUBFIELDS {
                input.extend([1, b'a', MAX_VALUE_LEN as u8]);
                input.extend([b'x'; MAX_VALUE_LEN]);
            }
        }
        let rec = decode(&input);
        assert!(rec.fields().len() > 20);
        assert!(!room_for_another(rec.fields()));
        let raw = rec.to_bytes();
        assert!(raw.len() <= MAX_RECORD_LEN && raw.len() > 90_000);
        RecordRef::parse(&raw).expect("valid");
        assert_eq!(decode(&rec.to_fuzz_input()), rec);
    }
}
