//! An owned record: built, edited, and serialised to ISO 2709.
//!
//! [`RecordRef`] borrows a record from its file and cannot change. An
//! [`OwnedRecord`] owns its leader, fields and subfields, the way csv's
//! `ByteRecord` sits beside its borrowed reader. It is what the MARCXML, JSON
//! and MARCMaker readers produce, what the writers take, and the one way
//! marcmap makes new ISO 2709 bytes.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::OwnedRecord;
//! let record = OwnedRecord::builder()
//!     .leader(*b"00000nam a2200000 a 4500")
//!     .control(*b"001", "ocm123")
//!     .data(*b"245", b'1', b'0')
//!     .subfield(b'a', "A title /")
//!     .subfield(b'c', "by someone.")
//!     .build();
//! let bytes = record.to_iso2709()?;
//! let parsed = marcmap::RecordRef::parse(&bytes)?;
//! assert_eq!(parsed.control_number(), Some(&b"ocm123"[..]));
//! assert_eq!(parsed.leader().record_length(), Some(bytes.len()));
//! assert_eq!(OwnedRecord::from_ref(&parsed), record.with_lengths_of(&bytes));
//! # Ok(()) }
//! ```

use crate::error::{Error, ErrorKind, Position, Result};
use crate::layout::{
    DIRECTORY_ENTRY_LEN, FIELD_TERMINATOR, LEADER_LEN, RECORD_TERMINATOR, SUBFIELD_DELIMITER,
};
use crate::record::{FieldRef, RecordRef};
use crate::text::TextDecoder;
use std::fmt;

mod ops;
mod spliced;
pub use ops::{BadTagPattern, FieldEditError, TagPattern};
pub use spliced::{write_spliced, FieldSource};

/// The largest record ISO 2709 can describe: five digits of length.
pub const MAX_RECORD_LEN: usize = 99_999;
/// The largest field: four digits of length, the terminator included.
pub const MAX_FIELD_LEN: usize = 9_999;

/// One subfield: its code byte and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedSubfield {
    /// The code byte.
    pub code: u8,
    /// The value bytes.
    pub value: Vec<u8>,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldBody {
    /// A control field's data (tags 001-009).
    Control(Vec<u8>),
    /// A data field's two indicators and its subfields.
    Data {
        /// The two indicator bytes.
        indicators: [u8; 2],
        /// The subfields, in order.
        subfields: Vec<OwnedSubfield>,
    },
}

/// One field of an [`OwnedRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedField {
    /// The three-byte tag.
    pub tag: [u8; 3],
    /// Its data.
    pub body: FieldBody,
}

impl OwnedField {
    /// A control field.
    pub fn control(tag: [u8; 3], data: impl Into<Vec<u8>>) -> Self {
        OwnedField {
            tag,
            body: FieldBody::Control(data.into()),
        }
    }

    /// A data field with no subfields yet.
    pub fn data(tag: [u8; 3], ind1: u8, ind2: u8) -> Self {
        OwnedField {
            tag,
            body: FieldBody::Data {
                indicators: [ind1, ind2],
                subfields: Vec::new(),
            },
        }
    }

    /// A copy of `field`. Indicators are read as pymarc reads them (a missing
    /// one is a blank, extra ones are dropped), and empty chunks between two
    /// delimiters are dropped, so a field with odd indicators does not come
    /// back byte for byte.
    pub fn from_ref(field: &FieldRef<'_>) -> Self {
        if field.is_control() {
            return OwnedField::control(*field.tag(), field.data());
        }
        let (i1, i2) = field.indicators();
        OwnedField {
            tag: *field.tag(),
            body: FieldBody::Data {
                indicators: [i1, i2],
                subfields: field
                    .subfields()
                    .map(|s| OwnedSubfield {
                        code: s.code,
                        value: s.value.to_vec(),
                    })
                    .collect(),
            },
        }
    }

    /// The tag as text.
    pub fn tag_str(&self) -> &str {
        std::str::from_utf8(&self.tag).unwrap_or("???")
    }

    /// Whether this is a control field.
    pub fn is_control(&self) -> bool {
        matches!(self.body, FieldBody::Control(_))
    }

    /// The subfields (none for a control field).
    pub fn subfields(&self) -> &[OwnedSubfield] {
        match &self.body {
            FieldBody::Control(_) => &[],
            FieldBody::Data { subfields, .. } => subfields,
        }
    }

    /// The value of the first subfield with code `code`.
    pub fn subfield(&self, code: u8) -> Option<&[u8]> {
        self.subfields()
            .iter()
            .find(|s| s.code == code)
            .map(|s| &s.value[..])
    }

    /// Adds a subfield to a data field (a control field is left as it is).
    pub fn push_subfield(&mut self, code: u8, value: impl Into<Vec<u8>>) {
        if let FieldBody::Data { subfields, .. } = &mut self.body {
            subfields.push(OwnedSubfield {
                code,
                value: value.into(),
            });
        }
    }
}

/// A record that owns its leader, fields and subfields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedRecord {
    /// The 24-byte leader. Its record length (00-04) and base address (12-16)
    /// are rewritten by [`OwnedRecord::to_iso2709`].
    pub leader: [u8; LEADER_LEN],
    /// The fields, in order.
    pub fields: Vec<OwnedField>,
}

/// A leader for a new record: lengths to be filled in, LDR/09 `a` (UTF-8),
/// indicator and subfield code counts `2`, entry map `4500`.
pub const DEFAULT_LEADER: [u8; LEADER_LEN] = *b"00000nam a2200000 a 4500";

impl Default for OwnedRecord {
    fn default() -> Self {
        OwnedRecord::new(DEFAULT_LEADER)
    }
}

impl OwnedRecord {
    /// An empty record with `leader`.
    pub fn new(leader: [u8; LEADER_LEN]) -> Self {
        OwnedRecord {
            leader,
            fields: Vec::new(),
        }
    }

    /// A builder, starting from [`DEFAULT_LEADER`].
    pub fn builder() -> RecordBuilder {
        RecordBuilder {
            record: OwnedRecord::default(),
        }
    }

    /// A copy of `record`, bytes as they are (see [`OwnedField::from_ref`] for
    /// what is normalised).
    pub fn from_ref(record: &RecordRef<'_>) -> Self {
        OwnedRecord {
            leader: *record.leader().as_bytes(),
            fields: record.fields().map(|f| OwnedField::from_ref(&f)).collect(),
        }
    }

    /// A copy of `record` with every value decoded by `decoder` and stored as
    /// UTF-8, and LDR/09 set to `a`: how a MARC-8 (or legacy) record becomes a
    /// UTF-8 one. Values that do not decode are an error under strict handling.
    /// A subfield whose code byte is not ASCII is read as the rest of marcmap
    /// (and pymarc) reads it: its code is the ASCII letter left after NFKD, and
    /// its value starts after the code's whole character (a code with nothing
    /// ASCII left becomes a blank). An indicator that is not ASCII (one byte,
    /// so no UTF-8 character) becomes a blank.
    pub fn from_ref_utf8(record: &RecordRef<'_>, decoder: &TextDecoder) -> Result<Self> {
        let text = record.text(decoder);
        let mut out = OwnedRecord::from_ref(record);
        out.leader[9] = b'a';
        for (owned, field) in out.fields.iter_mut().zip(record.fields()) {
            match &mut owned.body {
                FieldBody::Control(data) => *data = text.data(&field)?.into_owned().into_bytes(),
                FieldBody::Data {
                    indicators,
                    subfields,
                } => {
                    // An indicator is one byte, and a byte over 0x7F is no UTF-8
                    // character: such an indicator becomes a blank.
                    for i in indicators.iter_mut().filter(|i| !i.is_ascii()) {
                        *i = b' ';
                    }
                    for (s, sf) in subfields.iter_mut().zip(field.subfields()) {
                        let value = crate::subfield_code::value(sf.code, sf.value);
                        s.value = text.value(&field, value)?.into_owned().into_bytes();
                        if !sf.code.is_ascii() {
                            let (code, _) = crate::subfield_code::normalize(sf.code, sf.value);
                            // Nothing ASCII left (pymarc reads an empty code): a
                            // byte over 0x7F is no UTF-8 character, so a blank.
                            s.code = code.as_bytes().first().copied().unwrap_or(b' ');
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// The first field with tag `tag`.
    pub fn first(&self, tag: &[u8; 3]) -> Option<&OwnedField> {
        self.fields.iter().find(|f| &f.tag == tag)
    }

    /// The data of the first 001.
    pub fn control_number(&self) -> Option<&[u8]> {
        match &self.first(b"001")?.body {
            FieldBody::Control(d) => Some(d),
            FieldBody::Data { .. } => None,
        }
    }

    /// Adds a field at the end.
    pub fn push(&mut self, field: OwnedField) {
        self.fields.push(field);
    }

    /// The same record with the leader's length and base address taken from
    /// `bytes` (its serialisation): what [`OwnedRecord::from_ref`] gives back
    /// after a round trip.
    pub fn with_lengths_of(mut self, bytes: &[u8]) -> Self {
        if let (Some(len), Some(base)) = (bytes.get(..5), bytes.get(12..17)) {
            self.leader[..5].copy_from_slice(len);
            self.leader[12..17].copy_from_slice(base);
        }
        self
    }

    /// Serialises to ISO 2709: the leader with its record length and base
    /// address computed, a directory of the fields in order, the fields, and the
    /// record terminator.
    ///
    /// # Errors
    ///
    /// A record over 99,999 bytes or a field over 9,999 ([`ErrorKind::TooLong`]),
    /// and a field that ISO 2709 cannot hold ([`ErrorKind::Unwritable`]): a
    /// subfield delimiter inside an indicator, code or subfield value, or a tag
    /// that is not ASCII or holds a structure byte (0x1D-0x1F).
    pub fn to_iso2709(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.estimated_len());
        self.write_iso2709(&mut out)?;
        Ok(out)
    }

    /// [`OwnedRecord::to_iso2709`], appending to `out`. On error `out` is as it was.
    pub fn write_iso2709(&self, out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        let result = self.write_unchecked(out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn estimated_len(&self) -> usize {
        let data: usize = self
            .fields
            .iter()
            .map(|f| match &f.body {
                FieldBody::Control(d) => d.len() + 1,
                FieldBody::Data { subfields, .. } => {
                    3 + subfields.iter().map(|s| s.value.len() + 2).sum::<usize>()
                }
            })
            .sum();
        LEADER_LEN + self.fields.len() * DIRECTORY_ENTRY_LEN + 2 + data
    }

    fn write_unchecked(&self, out: &mut Vec<u8>) -> Result<()> {
        let mut w = FieldWriter::with_capacity(self.estimated_len(), self.fields.len());
        for field in &self.fields {
            w.body(field.tag, &field.body);
        }
        w.finish(&self.leader, out)
    }
}

/// Serialises one record to ISO 2709 field by field, with no allocation per
/// value: the one serialiser, behind [`OwnedRecord::write_iso2709`] and the
/// readers (which feed it values as they parse them). Reuse it with
/// [`FieldWriter::clear`].
///
/// The checks are [`OwnedRecord::to_iso2709`]'s: a tag that is not ASCII (or
/// holds a structure byte), a subfield delimiter in an indicator, code or value, a field over
/// 9,999 bytes or a record over 99,999 are errors, naming the field.
#[derive(Debug, Default)]
pub(crate) struct FieldWriter {
    /// The fields' bytes, each with its terminator.
    data: Vec<u8>,
    /// Each field's tag, length and offset in `data`.
    entries: Vec<([u8; 3], usize, usize)>,
    /// Where the open data field starts in `data`, and its tag.
    open: Option<(usize, [u8; 3])>,
    error: Option<Error>,
}

impl FieldWriter {
    pub(crate) fn with_capacity(bytes: usize, fields: usize) -> Self {
        FieldWriter {
            data: Vec::with_capacity(bytes),
            entries: Vec::with_capacity(fields),
            open: None,
            error: None,
        }
    }

    /// Empties it for the next record, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.data.clear();
        self.entries.clear();
        self.open = None;
        self.error = None;
    }

    fn fail(&mut self, tag: [u8; 3], why: &'static str) {
        if self.error.is_none() {
            let kind = ErrorKind::Unwritable { tag, reason: why };
            self.error = Some(field_error(kind, self.entries.len()));
        }
    }

    fn check_tag(&mut self, tag: [u8; 3]) {
        // What strict validation reads as a tag: ASCII, and not a structure byte.
        if !tag.is_ascii() || tag.iter().any(|b| (0x1D..=0x1F).contains(b)) {
            self.fail(
                tag,
                "the tag is not three ASCII characters (other than 0x1D-0x1F)",
            );
        }
    }

    /// Ends the field that starts at `from`.
    fn end_field(&mut self, tag: [u8; 3], from: usize) {
        self.data.push(FIELD_TERMINATOR);
        let length = self.data.len() - from;
        if length > MAX_FIELD_LEN && self.error.is_none() {
            let kind = ErrorKind::TooLong {
                what: "field",
                length,
                max: MAX_FIELD_LEN,
            };
            self.error = Some(field_error(kind, self.entries.len()));
        }
        self.entries.push((tag, length, from));
    }

    /// A control field.
    pub(crate) fn control(&mut self, tag: [u8; 3], data: &[u8]) {
        self.check_tag(tag);
        let from = self.data.len();
        self.data.extend_from_slice(data);
        self.end_field(tag, from);
    }

    /// Starts a data field; [`FieldWriter::subfield`] adds to it.
    pub(crate) fn start_data(&mut self, tag: [u8; 3], ind1: u8, ind2: u8) {
        self.check_tag(tag);
        if ind1 == SUBFIELD_DELIMITER || ind2 == SUBFIELD_DELIMITER {
            self.fail(tag, "an indicator is the subfield delimiter (0x1F)");
        }
        self.open = Some((self.data.len(), tag));
        self.data.push(ind1);
        self.data.push(ind2);
    }

    /// A subfield of the open data field.
    pub(crate) fn subfield(&mut self, code: u8, value: &[u8]) {
        if code == SUBFIELD_DELIMITER || memchr::memchr(SUBFIELD_DELIMITER, value).is_some() {
            let tag = self.open.map_or(*b"???", |(_, t)| t);
            self.fail(
                tag,
                "a subfield code or value holds the subfield delimiter (0x1F)",
            );
        }
        self.data.push(SUBFIELD_DELIMITER);
        self.data.push(code);
        self.data.extend_from_slice(value);
    }

    /// Ends the open data field.
    pub(crate) fn end_data(&mut self) {
        if let Some((from, tag)) = self.open.take() {
            self.end_field(tag, from);
        }
    }

    /// A whole field.
    pub(crate) fn body(&mut self, tag: [u8; 3], body: &FieldBody) {
        match body {
            FieldBody::Control(data) => self.control(tag, data),
            FieldBody::Data {
                indicators,
                subfields,
            } => {
                self.start_data(tag, indicators[0], indicators[1]);
                for s in subfields {
                    self.subfield(s.code, &s.value);
                }
                self.end_data();
            }
        }
    }

    /// Ends the open field; the first error found in the fields written, if any.
    pub(crate) fn check(&mut self) -> Result<()> {
        self.end_data();
        self.error.take().map_or(Ok(()), Err)
    }

    /// Field `k`'s bytes, its terminator included.
    pub(crate) fn field(&self, k: usize) -> &[u8] {
        let (_, length, from) = self.entries[k];
        &self.data[from..from + length]
    }

    /// Appends the record, with `leader` (its lengths computed), to `out`; on
    /// error `out` is as it was.
    pub(crate) fn finish(&mut self, leader: &[u8; LEADER_LEN], out: &mut Vec<u8>) -> Result<()> {
        self.end_data();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let base = LEADER_LEN + self.entries.len() * DIRECTORY_ENTRY_LEN + 1;
        let total = base + self.data.len() + 1;
        if total > MAX_RECORD_LEN {
            let kind = ErrorKind::TooLong {
                what: "record",
                length: total,
                max: MAX_RECORD_LEN,
            };
            return Err(Error::new(kind, Position::default()));
        }
        out.reserve(total);
        out.extend_from_slice(&digits::<5>(total));
        out.extend_from_slice(&leader[5..12]);
        out.extend_from_slice(&digits::<5>(base));
        out.extend_from_slice(&leader[17..]);
        // The directory in place, an entry at a time (no capacity check per
        // piece): the hot loop of every re-serialised record.
        let at = out.len();
        out.resize(at + self.entries.len() * DIRECTORY_ENTRY_LEN, 0);
        let directory = out[at..].chunks_exact_mut(DIRECTORY_ENTRY_LEN);
        for (entry, &(tag, length, offset)) in directory.zip(&self.entries) {
            entry[..3].copy_from_slice(&tag);
            entry[3..7].copy_from_slice(&digits::<4>(length));
            entry[7..].copy_from_slice(&digits::<5>(offset));
        }
        out.push(FIELD_TERMINATOR);
        out.extend_from_slice(&self.data);
        out.push(RECORD_TERMINATOR);
        Ok(())
    }
}

/// The two ASCII digits of each number below 100.
const PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

/// `n` as `W` ASCII digits (`W` is 4 or 5; `n` below 10^W: the lengths are
/// checked first). Two digits a table lookup: a directory entry's nine digits
/// are the hot loop of every re-serialised record.
#[inline]
pub(crate) fn digits<const W: usize>(n: usize) -> [u8; W] {
    let mut d = [b'0'; W];
    let n = n % 100_000;
    let low = PAIRS[n % 100];
    let mid = PAIRS[(n / 100) % 100];
    d[W - 2..].copy_from_slice(&low);
    d[W - 4..W - 2].copy_from_slice(&mid);
    if W == 5 {
        d[0] = b'0' + (n / 10_000) as u8;
    }
    d
}
fn field_error(kind: ErrorKind, field: usize) -> Error {
    Error::new(
        kind,
        Position {
            field: Some(field as u32),
            ..Position::default()
        },
    )
}

impl From<&RecordRef<'_>> for OwnedRecord {
    fn from(r: &RecordRef<'_>) -> Self {
        OwnedRecord::from_ref(r)
    }
}

/// pymarc's text form, with invalid UTF-8 replaced by U+FFFD.
impl fmt::Display for OwnedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "=LDR  {}", String::from_utf8_lossy(&self.leader))?;
        for field in &self.fields {
            write!(f, "={}  ", field.tag_str())?;
            match &field.body {
                FieldBody::Control(d) => writeln!(f, "{}", String::from_utf8_lossy(d))?,
                FieldBody::Data {
                    indicators,
                    subfields,
                } => {
                    for &i in indicators {
                        let c = if i == b' ' { '\\' } else { i as char };
                        write!(f, "{c}")?;
                    }
                    for s in subfields {
                        write!(
                            f,
                            "${}{}",
                            s.code as char,
                            String::from_utf8_lossy(&s.value)
                        )?;
                    }
                    writeln!(f)?;
                }
            }
        }
        Ok(())
    }
}

/// Builds an [`OwnedRecord`] field by field: see [`OwnedRecord::builder`].
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    record: OwnedRecord,
}

impl RecordBuilder {
    /// The leader (its lengths are computed when the record is serialised).
    pub fn leader(mut self, leader: [u8; LEADER_LEN]) -> Self {
        self.record.leader = leader;
        self
    }

    /// Adds a control field.
    pub fn control(mut self, tag: [u8; 3], data: impl AsRef<[u8]>) -> Self {
        self.record
            .fields
            .push(OwnedField::control(tag, data.as_ref()));
        self
    }

    /// Adds a data field; [`RecordBuilder::subfield`] adds to it.
    pub fn data(mut self, tag: [u8; 3], ind1: u8, ind2: u8) -> Self {
        self.record.fields.push(OwnedField::data(tag, ind1, ind2));
        self
    }

    /// Adds a subfield to the last data field (ignored if there is none).
    pub fn subfield(mut self, code: u8, value: impl AsRef<[u8]>) -> Self {
        if let Some(field) = self.record.fields.last_mut() {
            field.push_subfield(code, value.as_ref());
        }
        self
    }

    /// The record.
    pub fn build(self) -> OwnedRecord {
        self.record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_the_number() {
        for n in [0, 7, 10, 99, 100, 1234, 9_999, 10_000, 54_321, 99_999] {
            assert_eq!(digits::<5>(n), format!("{n:05}").as_bytes(), "{n}");
            if n < 10_000 {
                assert_eq!(digits::<4>(n), format!("{n:04}").as_bytes(), "{n}");
            }
        }
    }

    #[test]
    fn serialises_with_computed_leader_and_directory() {
        let r = OwnedRecord::builder()
            .control(*b"001", "123")
            .data(*b"245", b'1', b'0')
            .subfield(b'a', "Title")
            .build();
        let bytes = r.to_iso2709().unwrap();
        assert_eq!(
            bytes,
            b"00064nam a2200049 a 4500001000400000245001000004\x1e123\x1e10\x1faTitle\x1e\x1d"
        );
        let parsed = RecordRef::parse_with(&bytes, crate::Validation::Strict).unwrap();
        assert_eq!(parsed.field_count(), 2);
    }

    #[test]
    fn too_long_and_unwritable_are_errors() {
        let big = OwnedRecord::builder()
            .data(*b"500", b' ', b' ')
            .subfield(b'a', vec![b'x'; 9_995])
            .build();
        let Err(e) = big.to_iso2709() else {
            panic!("a field over 9,999 bytes was written");
        };
        assert!(
            matches!(e.kind(), ErrorKind::TooLong { what: "field", .. }),
            "{e}"
        );
        assert_eq!(e.position().field, Some(0));
        let mut many = OwnedRecord::default();
        for _ in 0..12 {
            many.push(OwnedField::control(*b"009", vec![b'y'; 9_000]));
        }
        let Err(e) = many.to_iso2709() else {
            panic!("a record over 99,999 bytes was written");
        };
        assert!(
            matches!(e.kind(), ErrorKind::TooLong { what: "record", .. }),
            "{e}"
        );
        assert!(e.to_string().contains("99999"), "{e}");
        let bad = OwnedRecord::builder()
            .data(*b"245", b'1', b'0')
            .subfield(b'a', "a\x1fb")
            .build();
        let mut out = b"keep".to_vec();
        let e = bad.write_iso2709(&mut out).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Unwritable { .. }), "{e}");
        assert_eq!(out, b"keep");
    }

    #[test]
    fn utf8_transcoding_sets_ldr09() {
        let marc8 = OwnedRecord::builder()
            .leader(*b"00000nam  2200000 a 4500")
            .data(*b"245", b'1', b'0')
            .subfield(b'a', b"Caf\xe2e")
            .build()
            .to_iso2709()
            .unwrap();
        let parsed = RecordRef::parse(&marc8).unwrap();
        let utf8 = OwnedRecord::from_ref_utf8(&parsed, &TextDecoder::new()).unwrap();
        assert_eq!(utf8.leader[9], b'a');
        assert_eq!(utf8.fields[0].subfield(b'a'), Some("Café".as_bytes()));
    }
}
