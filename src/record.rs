//! Phase 2: one record, parsed in place from a borrowed slice.
//!
//! [`RecordRef::parse`] validates the record once: the leader, the base address,
//! a directory of whole 12-byte entries, every entry in bounds, and every field
//! terminator. After that no accessor can fail, and none allocates: fields and
//! subfields are slices of the input.

use crate::error::{Error, ErrorKind, Position, Result};
use crate::layout::{
    DirEntry, Leader, DIRECTORY_ENTRY_LEN, FIELD_TERMINATOR, LEADER_LEN, MIN_RECORD_LEN,
    RECORD_TERMINATOR, SUBFIELD_DELIMITER,
};
use std::fmt;
use zerocopy::FromBytes;

/// A validated record, borrowing its bytes.
#[derive(Clone, Copy)]
pub struct RecordRef<'a> {
    bytes: &'a [u8],
    leader: &'a Leader,
    directory: &'a [DirEntry],
    base: usize,
}

fn err_at(kind: ErrorKind, byte: usize, field: Option<usize>) -> Error {
    Error::new(
        kind,
        Position {
            record: None,
            byte: Some(byte as u64),
            field: field.map(|f| f as u32),
        },
    )
}

impl<'a> RecordRef<'a> {
    /// Parses and validates one record: `bytes` runs from the leader to the record
    /// terminator inclusive. Byte offsets in errors are relative to `bytes`.
    ///
    /// ```
    /// let raw = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";
    /// let record = marcmap::RecordRef::parse(raw).unwrap();
    /// assert_eq!(record.control_number(), Some(&b"123"[..]));
    /// ```
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        if bytes.len() < MIN_RECORD_LEN {
            return Err(err_at(
                ErrorKind::RecordTooShort {
                    length: bytes.len(),
                },
                0,
                None,
            ));
        }
        if bytes.last() != Some(&RECORD_TERMINATOR) {
            return Err(err_at(
                ErrorKind::EndOfRecordNotFound,
                bytes.len() - 1,
                None,
            ));
        }
        let (leader, _) = Leader::ref_from_prefix(bytes).map_err(|_| {
            err_at(
                ErrorKind::LeaderInvalid {
                    reason: "shorter than 24 bytes",
                },
                0,
                None,
            )
        })?;
        if !leader.as_bytes().is_ascii() {
            let reason = "contains non-ASCII bytes";
            return Err(err_at(ErrorKind::LeaderInvalid { reason }, 0, None));
        }
        let base = match leader.base_address() {
            Some(b) if b > 0 => b,
            _ => {
                let found = String::from_utf8_lossy(&leader.base_address).into_owned();
                return Err(err_at(ErrorKind::BaseAddressNotFound { found }, 12, None));
            }
        };
        let base_invalid = |reason| {
            err_at(
                ErrorKind::BaseAddressInvalid {
                    base,
                    length: bytes.len(),
                    reason,
                },
                12,
                None,
            )
        };
        if base >= bytes.len() {
            return Err(base_invalid("past the end of the record"));
        }
        if base <= LEADER_LEN {
            return Err(base_invalid("inside the leader"));
        }
        if bytes[base - 1] != FIELD_TERMINATOR {
            return Err(base_invalid("no directory terminator (0x1E) before it"));
        }
        let dir_bytes = &bytes[LEADER_LEN..base - 1];
        if dir_bytes.len() % DIRECTORY_ENTRY_LEN != 0 {
            let reason = format!(
                "{} bytes is not a whole number of 12-byte entries",
                dir_bytes.len()
            );
            return Err(err_at(
                ErrorKind::DirectoryInvalid { reason },
                LEADER_LEN,
                None,
            ));
        }
        let directory = <[DirEntry]>::ref_from_bytes(dir_bytes).map_err(|_| {
            let reason = "unreadable".to_string();
            err_at(ErrorKind::DirectoryInvalid { reason }, LEADER_LEN, None)
        })?;
        if directory.is_empty() {
            return Err(err_at(ErrorKind::NoFields, LEADER_LEN, None));
        }
        // Fields must end before the record terminator.
        let data_len = bytes.len() - 1 - base;
        for (i, entry) in directory.iter().enumerate() {
            let entry_at = LEADER_LEN + i * DIRECTORY_ENTRY_LEN;
            if !entry.tag.is_ascii() {
                let reason = format!("entry {i} has a non-ASCII tag");
                return Err(err_at(
                    ErrorKind::DirectoryInvalid { reason },
                    entry_at,
                    Some(i),
                ));
            }
            let (Some(length), Some(start)) = (entry.length(), entry.start()) else {
                let reason = format!("entry {i} has a length or start that is not digits");
                return Err(err_at(
                    ErrorKind::DirectoryInvalid { reason },
                    entry_at,
                    Some(i),
                ));
            };
            if length == 0 || start + length > data_len {
                let kind = ErrorKind::FieldOutOfBounds {
                    start,
                    length,
                    available: data_len,
                };
                return Err(err_at(kind, entry_at, Some(i)));
            }
            let end = base + start + length - 1;
            if bytes[end] != FIELD_TERMINATOR {
                return Err(err_at(ErrorKind::FieldTerminatorMissing, end, Some(i)));
            }
        }
        Ok(RecordRef {
            bytes,
            leader,
            directory,
            base,
        })
    }

    /// Re-reads a record that [`RecordRef::parse`] accepted before, in O(1): the
    /// leader, base address and directory are located again, but the directory
    /// entries are not checked one by one. On bytes that were never validated the
    /// accessors stay memory-safe (every slice is bounds-checked) but may give
    /// empty fields. `None` if even the leader and directory cannot be located.
    pub fn reparse(bytes: &'a [u8]) -> Option<Self> {
        let (leader, _) = Leader::ref_from_prefix(bytes).ok()?;
        let base = leader.base_address()?;
        let dir_bytes = bytes.get(LEADER_LEN..base.checked_sub(1)?)?;
        let whole = dir_bytes.len() - dir_bytes.len() % DIRECTORY_ENTRY_LEN;
        let directory = <[DirEntry]>::ref_from_bytes(&dir_bytes[..whole]).ok()?;
        Some(RecordRef {
            bytes,
            leader,
            directory,
            base,
        })
    }

    /// The whole record, leader to terminator.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The leader, in place.
    pub fn leader(&self) -> &'a Leader {
        self.leader
    }

    /// The base address of data.
    pub fn base_address(&self) -> usize {
        self.base
    }

    /// The number of fields (directory entries).
    pub fn field_count(&self) -> usize {
        self.directory.len()
    }

    /// Field `i` in directory order.
    pub fn field(&self, i: usize) -> Option<FieldRef<'a>> {
        let entry = self.directory.get(i)?;
        // Validated in `parse`: these cannot fail, and a failure would yield an empty field.
        let start = self.base + entry.start().unwrap_or(0);
        let len = entry.length().unwrap_or(1).saturating_sub(1);
        let data = self.bytes.get(start..start + len).unwrap_or_default();
        Some(FieldRef {
            tag: &entry.tag,
            data,
            offset: start,
            index: i,
        })
    }

    /// All fields in directory order (never regrouped by tag).
    pub fn fields(&self) -> Fields<'a> {
        Fields {
            record: *self,
            front: 0,
            back: self.directory.len(),
        }
    }

    /// The fields with tag `tag`, in directory order.
    pub fn fields_with_tag<'t>(&self, tag: &'t [u8]) -> impl Iterator<Item = FieldRef<'a>> + 't
    where
        'a: 't,
    {
        self.fields().filter(move |f| f.tag() == tag)
    }

    /// The first field with tag `tag`.
    pub fn first(&self, tag: &[u8]) -> Option<FieldRef<'a>> {
        let i = self.directory.iter().position(|e| e.tag == tag)?;
        self.field(i)
    }

    /// Whether the record says MARC-8 (LDR/09 not `a`) but its field data is
    /// valid UTF-8 with multibyte sequences and no escape sequences: a common
    /// mislabelling in real files. Reads the whole record, so it is not free.
    pub fn is_mislabelled_utf8(&self) -> bool {
        let data = self
            .bytes
            .get(self.base..self.bytes.len() - 1)
            .unwrap_or_default();
        !self.leader.is_utf8() && crate::marc8::looks_like_utf8(data)
    }

    /// The control number: the data of the first 001 field.
    pub fn control_number(&self) -> Option<&'a [u8]> {
        self.first(b"001").map(|f| f.data())
    }
}

impl fmt::Debug for RecordRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordRef")
            .field("leader", &String::from_utf8_lossy(self.leader.as_bytes()))
            .field("fields", &self.fields().collect::<Vec<_>>())
            .finish()
    }
}

/// pymarc's text form, with invalid UTF-8 replaced by U+FFFD.
impl fmt::Display for RecordRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "=LDR  {}",
            String::from_utf8_lossy(self.leader.as_bytes())
        )?;
        for field in self.fields() {
            writeln!(f, "{field}")?;
        }
        Ok(())
    }
}

/// Fields of a record in directory order.
#[derive(Clone)]
pub struct Fields<'a> {
    record: RecordRef<'a>,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = FieldRef<'a>;

    fn next(&mut self) -> Option<FieldRef<'a>> {
        if self.front >= self.back {
            return None;
        }
        self.front += 1;
        self.record.field(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Fields<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.record.field(self.back)
    }
}

impl ExactSizeIterator for Fields<'_> {}

/// One field, borrowing its bytes.
#[derive(Clone, Copy)]
pub struct FieldRef<'a> {
    tag: &'a [u8; 3],
    data: &'a [u8],
    offset: usize,
    index: usize,
}

impl<'a> FieldRef<'a> {
    /// The three-byte tag (ASCII, checked by [`RecordRef::parse`]).
    pub fn tag(&self) -> &'a [u8; 3] {
        self.tag
    }

    /// The tag as text.
    pub fn tag_str(&self) -> &'a str {
        std::str::from_utf8(self.tag).unwrap_or("???")
    }

    /// Whether this is a control field: a numeric tag below 010, as pymarc and ruby-marc decide.
    pub fn is_control(&self) -> bool {
        self.tag[0] == b'0' && self.tag[1] == b'0' && self.tag[2].is_ascii_digit()
    }

    /// The field's bytes without its terminator: the whole value of a control
    /// field, or indicators and subfields of a data field.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The offset of the field's first byte from the start of the record.
    pub fn offset_in_record(&self) -> usize {
        self.offset
    }

    /// The field's index in directory order.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The indicator bytes: everything before the first subfield delimiter.
    /// Normally two bytes; real records sometimes have fewer or more.
    pub fn indicator_bytes(&self) -> &'a [u8] {
        let end = memchr::memchr(SUBFIELD_DELIMITER, self.data).unwrap_or(self.data.len());
        &self.data[..end]
    }

    /// The two indicators, with a missing one read as a blank (as pymarc does).
    pub fn indicators(&self) -> (u8, u8) {
        let ind = self.indicator_bytes();
        (
            ind.first().copied().unwrap_or(b' '),
            ind.get(1).copied().unwrap_or(b' '),
        )
    }

    /// The subfields in order. Empty chunks between two delimiters are skipped,
    /// as pymarc does. A control field has none.
    pub fn subfields(&self) -> Subfields<'a> {
        let rest = if self.is_control() {
            &[][..]
        } else {
            let ind = self.indicator_bytes().len();
            &self.data[ind..]
        };
        Subfields { rest }
    }

    /// The value of the first subfield with code `code`.
    pub fn subfield(&self, code: u8) -> Option<&'a [u8]> {
        self.subfields().find(|s| s.code == code).map(|s| s.value)
    }
}

impl fmt::Debug for FieldRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?}",
            self.tag_str(),
            String::from_utf8_lossy(self.data)
        )
    }
}

/// pymarc's text form: `=245  10$aTitle`, blanks in indicators shown as `\`.
impl fmt::Display for FieldRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "={}  ", self.tag_str())?;
        if self.is_control() {
            return write!(f, "{}", String::from_utf8_lossy(self.data));
        }
        let (i1, i2) = self.indicators();
        for i in [i1, i2] {
            let c = if i == b' ' { '\\' } else { i as char };
            write!(f, "{c}")?;
        }
        for sf in self.subfields() {
            write!(
                f,
                "${}{}",
                sf.code as char,
                String::from_utf8_lossy(sf.value)
            )?;
        }
        Ok(())
    }
}

/// One subfield: its code byte and its value bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subfield<'a> {
    /// The code byte after the delimiter.
    pub code: u8,
    /// The value, up to the next delimiter.
    pub value: &'a [u8],
}

/// The subfields of a data field.
#[derive(Clone)]
pub struct Subfields<'a> {
    rest: &'a [u8],
}

impl<'a> Subfields<'a> {
    /// The subfields of `bytes`, which start at a subfield delimiter (or are empty):
    /// a data field's bytes after its indicators.
    pub fn from_delimited(bytes: &'a [u8]) -> Self {
        Subfields { rest: bytes }
    }
}

impl<'a> Iterator for Subfields<'a> {
    type Item = Subfield<'a>;

    fn next(&mut self) -> Option<Subfield<'a>> {
        loop {
            // `rest` starts at a delimiter, or is empty.
            let body = self.rest.get(1..)?;
            let end = memchr::memchr(SUBFIELD_DELIMITER, body).unwrap_or(body.len());
            self.rest = &body[end..];
            if let Some((&code, value)) = body[..end].split_first() {
                return Some(Subfield { code, value });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(leader_09: u8, value: &[u8]) -> Vec<u8> {
        let field_len = value.len() + 1;
        let total = 37 + field_len + 1;
        let mut out = format!("{total:05}nam {}2200037 a 4500", leader_09 as char).into_bytes();
        out.extend(format!("001{field_len:04}00000\x1e").bytes());
        out.extend(value);
        out.extend(b"\x1e\x1d");
        out
    }

    #[test]
    fn mislabelled_utf8_needs_marc8_label_utf8_bytes_and_no_escape() {
        let cafe = "caf\u{e9}".as_bytes();
        assert!(RecordRef::parse(&record(b' ', cafe))
            .unwrap()
            .is_mislabelled_utf8());
        assert!(!RecordRef::parse(&record(b'a', cafe))
            .unwrap()
            .is_mislabelled_utf8());
        assert!(!RecordRef::parse(&record(b' ', b"cafe"))
            .unwrap()
            .is_mislabelled_utf8());
        // 0xE2 'e' is ANSEL acute + e: MARC-8, not UTF-8.
        assert!(!RecordRef::parse(&record(b' ', b"caf\xe2e"))
            .unwrap()
            .is_mislabelled_utf8());
        let escaped = "\x1b(Sa\u{e9}".as_bytes();
        assert!(!RecordRef::parse(&record(b' ', escaped))
            .unwrap()
            .is_mislabelled_utf8());
    }
}
