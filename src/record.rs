//! Phase 2: one record, parsed in place from a borrowed slice.
//!
//! [`RecordRef::parse`] validates the record once: the leader, the base address,
//! a directory of whole 12-byte entries, every entry in bounds, and every field
//! terminator. After that no accessor can fail, and none allocates: fields and
//! subfields are slices of the input. A record that fails the check but whose
//! fields can still be located is read under [`Validation::Repair`] (the
//! default), with each repair reported (see [`crate::repair`]).

use crate::error::{Error, ErrorKind, Position, Result};
use crate::layout::{
    checked_digits4, checked_digits5, validated_digits4, validated_digits5, DirEntry, Leader,
    DIRECTORY_ENTRY_LEN, FIELD_TERMINATOR, LEADER_LEN, MIN_RECORD_LEN, RECORD_TERMINATOR,
    SUBFIELD_DELIMITER,
};
use crate::repair::{self, Layout, Repair, Validation};
use std::fmt;
use std::sync::Arc;
use zerocopy::FromBytes;

/// A validated record, borrowing its bytes.
///
/// Cloning is cheap: a handful of words, and for a repaired record an `Arc`.
#[derive(Clone)]
pub struct RecordRef<'a> {
    bytes: &'a [u8],
    leader: &'a Leader,
    directory: &'a [DirEntry],
    base: usize,
    /// Where a repaired record's fields are; `None` for a clean record, whose
    /// directory says.
    layout: Option<Arc<Layout>>,
    /// Whether its fields lie one after another in directory order, from the
    /// base address to the record terminator (as every writer lays them
    /// out): what validation found on the way (`false` when not known), so
    /// that an edit can copy runs of fields and entries without reading
    /// their numbers again.
    sequential: bool,
    /// The record's index and absolute offset in its file, when it came from
    /// one (`NOT_LOCATED` otherwise): two words, not an `Option` of a pair,
    /// so that a `RecordRef` stays small in the hot loop.
    index: u64,
    file_offset: u64,
}

/// A handle to a validated record of a [`crate::MarcFile`]: where it is (its
/// index, absolute byte offset and length) and, for a record that validation
/// repaired, where its fields are. It borrows nothing (`'static`, a few words
/// and an `Arc`), so it can be kept where a [`RecordRef`] cannot, and
/// [`crate::MarcFile::record_at`] turns it back into the record in O(1), without
/// validating it again.
///
/// ```
/// let raw = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d".repeat(3);
/// let file = marcmap::MarcFile::from_bytes(raw);
/// let handle = file.handle(2)?;
/// assert_eq!((handle.index(), handle.offset(), handle.byte_len()), (2, 84, 42));
/// let record = file.record_at(&handle);
/// assert_eq!(record.control_number(), Some(&b"123"[..]));
/// assert_eq!(record.index(), Some(2));
/// # Ok::<(), marcmap::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHandle {
    index: u64,
    offset: u64,
    len: usize,
    /// Where a repaired record's fields are; `None` for a clean record.
    layout: Option<Arc<Layout>>,
}

impl RecordHandle {
    /// The handle of a clean record at `offset`, `len` bytes long.
    pub(crate) fn clean(index: u64, offset: u64, len: usize) -> Self {
        RecordHandle {
            index,
            offset,
            len,
            layout: None,
        }
    }

    /// The record's index in its file.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The record's absolute byte offset in its file (where
    /// [`crate::MarcFile::bytes_at`] finds it).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The record's length in bytes, leader to terminator.
    pub fn byte_len(&self) -> usize {
        self.len
    }

    /// Whether validation repaired the record (its fields are read where
    /// repair located them, not where its directory says).
    pub fn is_repaired(&self) -> bool {
        self.layout.is_some()
    }

    /// What validation repaired (empty for a clean record), as
    /// [`RecordRef::repairs`].
    pub fn repairs(&self) -> &[Repair] {
        self.layout.as_deref().map_or(&[], |l| &l.repairs)
    }

    /// The record read from `bytes` (its bytes, leader to terminator) in O(1);
    /// `None` when they have no readable leader and directory.
    pub(crate) fn read<'a>(&self, bytes: &'a [u8]) -> Option<RecordRef<'a>> {
        RecordRef::revalidated(bytes, self.layout.clone())
    }
}

/// The index and offset of a record that did not come from a file.
const NOT_LOCATED: u64 = u64::MAX;

fn err_at(kind: ErrorKind, byte: usize, field: Option<usize>) -> Error {
    Error::new(
        kind,
        Position {
            byte: Some(byte as u64),
            field: field.map(|f| f as u32),
            ..Position::default()
        },
    )
}

impl<'a> RecordRef<'a> {
    /// Parses and validates one record, repairing what can be repaired: `bytes`
    /// runs from the leader to the record terminator inclusive. Byte offsets in
    /// errors are relative to `bytes`.
    ///
    /// ```
    /// let raw = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";
    /// let record = marcmap::RecordRef::parse(raw).unwrap();
    /// assert_eq!(record.control_number(), Some(&b"123"[..]));
    /// assert!(record.repairs().is_empty());
    /// ```
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        Self::parse_with(bytes, Validation::default())
    }

    /// Parses and validates one record under `validation`.
    ///
    /// ```
    /// use marcmap::{RecordRef, Validation};
    /// // The 001's directory length says 3, but the field is "1234" and its terminator.
    /// let raw = b"00043nam a2200037 a 4500001000300000\x1e1234\x1e\x1d";
    /// assert!(RecordRef::parse_with(raw, Validation::Strict).is_err());
    /// let record = RecordRef::parse_with(raw, Validation::Repair).unwrap();
    /// assert_eq!(record.control_number(), Some(&b"1234"[..]));
    /// assert_eq!(record.repairs().len(), 1);
    /// ```
    #[inline]
    pub fn parse_with(bytes: &'a [u8], validation: Validation) -> Result<Self> {
        match Self::parse_strict(bytes) {
            Ok(r) => Ok(r),
            Err(e) if validation == Validation::Repair && repairable(e.kind()) => {
                Self::repaired(bytes).ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    /// A record whose fields [`repair::locate`] found.
    #[cold]
    fn repaired(bytes: &'a [u8]) -> Option<Self> {
        let layout = repair::locate(bytes)?;
        let (leader, _) = Leader::ref_from_prefix(bytes).ok()?;
        let directory =
            <[DirEntry]>::ref_from_bytes(bytes.get(LEADER_LEN..layout.directory_end)?).ok()?;
        Some(RecordRef {
            bytes,
            leader,
            directory,
            base: layout.base,
            layout: Some(Arc::new(layout)),
            sequential: false,
            index: NOT_LOCATED,
            file_offset: NOT_LOCATED,
        })
    }

    /// Today's check, with no repair.
    #[inline]
    fn parse_strict(bytes: &'a [u8]) -> Result<Self> {
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
        if !dir_bytes.len().is_multiple_of(DIRECTORY_ENTRY_LEN) {
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
        let mut next = 0;
        let mut sequential = true;
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
            // What `parse_digits` gives (`DirEntry::length`/`start` call it behind
            // a non-inlined method), each number checked and read at once (SWAR).
            let (Some(length), Some(start)) =
                (checked_digits4(entry.length), checked_digits5(entry.start))
            else {
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
            sequential &= start == next;
            next = start + length;
        }
        Ok(RecordRef {
            bytes,
            leader,
            directory,
            base,
            layout: None,
            sequential: sequential && next == data_len,
            index: NOT_LOCATED,
            file_offset: NOT_LOCATED,
        })
    }

    /// Re-reads a record that was validated before, in O(1), given the layout
    /// its validation found (`None` for a clean record): for views that keep only
    /// a record's position and re-slice it later ([`RecordHandle`], the
    /// control-number index). On bytes that were never validated the accessors
    /// stay memory-safe (every slice is bounds-checked) but may give empty fields.
    pub(crate) fn revalidated(bytes: &'a [u8], layout: Option<Arc<Layout>>) -> Option<Self> {
        let (leader, _) = Leader::ref_from_prefix(bytes).ok()?;
        let (base, dir_end) = match &layout {
            Some(l) => (l.base, l.directory_end),
            None => {
                let base = leader.base_address()?;
                let dir = base.checked_sub(1)?.checked_sub(LEADER_LEN)?;
                (base, LEADER_LEN + dir - dir % DIRECTORY_ENTRY_LEN)
            }
        };
        let directory = <[DirEntry]>::ref_from_bytes(bytes.get(LEADER_LEN..dir_end)?).ok()?;
        Some(RecordRef {
            bytes,
            leader,
            directory,
            base,
            layout,
            sequential: false,
            index: NOT_LOCATED,
            file_offset: NOT_LOCATED,
        })
    }

    /// The same record, known to be record `index` at absolute byte `offset` of
    /// its file: what [`RecordRef::index`] and [`RecordRef::offset`] then give
    /// (for a record whose bytes were copied out of its file, or whose file is a
    /// transcoding of the input it was read from).
    pub fn located(mut self, index: u64, offset: u64) -> Self {
        self.index = index;
        self.file_offset = offset;
        self
    }

    /// A handle to this record, to keep and read it again later in O(1)
    /// without validating it again ([`crate::MarcFile::record_at`]): `None` for
    /// a record that did not come from a file (see [`RecordRef::located`]).
    pub fn handle(&self) -> Option<RecordHandle> {
        Some(self.handle_at(self.index()?, self.offset()?))
    }

    /// A handle to this record as record `index` at absolute byte `offset`.
    pub(crate) fn handle_at(&self, index: u64, offset: u64) -> RecordHandle {
        RecordHandle {
            index,
            offset,
            len: self.bytes.len(),
            layout: self.layout.clone(),
        }
    }

    /// The record's index in its file, when it came from a [`crate::MarcFile`].
    pub fn index(&self) -> Option<u64> {
        (self.index != NOT_LOCATED).then_some(self.index)
    }

    /// The record's absolute byte offset in its file, when it came from a [`crate::MarcFile`].
    pub fn offset(&self) -> Option<u64> {
        (self.file_offset != NOT_LOCATED).then_some(self.file_offset)
    }

    /// What validation repaired to read this record (empty for a clean one).
    /// Byte offsets are relative to the record.
    pub fn repairs(&self) -> &[Repair] {
        self.layout.as_deref().map_or(&[], |l| &l.repairs)
    }

    /// Where `part` (a slice of this record's bytes, such as a subfield value)
    /// starts, in bytes from the start of the record; `None` if it is not a
    /// part of this record.
    pub fn offset_of(&self, part: &[u8]) -> Option<usize> {
        let start = self.bytes.as_ptr() as usize;
        let at = (part.as_ptr() as usize).checked_sub(start)?;
        (at + part.len() <= self.bytes.len()).then_some(at)
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

    /// Whether its fields lie one after another in directory order, from the
    /// base address to the record terminator (`false` when not known: a
    /// record read again from a handle, or repaired).
    pub(crate) fn is_sequential(&self) -> bool {
        self.sequential
    }

    /// The tags, in directory order (without reading the fields).
    pub(crate) fn tags(&self) -> impl ExactSizeIterator<Item = &'a [u8; 3]> + 'a {
        self.directory.iter().map(|e| &e.tag)
    }

    /// The number of fields (directory entries).
    pub fn field_count(&self) -> usize {
        self.directory.len()
    }

    /// Field `i` in directory order.
    #[inline]
    pub fn field(&self, i: usize) -> Option<FieldRef<'a>> {
        let entry = self.directory.get(i)?;
        Some(field_of(
            self.bytes,
            self.base,
            self.layout.as_deref(),
            i,
            entry,
        ))
    }

    /// All fields in directory order (never regrouped by tag).
    pub fn fields(&self) -> Fields<'a> {
        Fields {
            bytes: self.bytes,
            base: self.base,
            entries: self.directory.iter().enumerate(),
            layout: self.layout.clone(),
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
    // The parts of the record the fields need, not the whole `RecordRef`: the
    // iterator stays small, and a clean record's (`layout` is `None`) fields
    // are read straight from its directory entries.
    bytes: &'a [u8],
    base: usize,
    entries: std::iter::Enumerate<std::slice::Iter<'a, DirEntry>>,
    layout: Option<Arc<Layout>>,
}

impl<'a> Fields<'a> {
    #[inline(always)]
    fn make(&self, (i, entry): (usize, &'a DirEntry)) -> FieldRef<'a> {
        field_of(self.bytes, self.base, self.layout.as_deref(), i, entry)
    }
}

/// Field `i`, whose directory entry is `entry`, of the record of `bytes`, whose
/// directory and `base` address were validated (or whose `layout` a repair found).
#[inline(always)]
fn field_of<'a>(
    bytes: &'a [u8],
    base: usize,
    layout: Option<&Layout>,
    i: usize,
    entry: &'a DirEntry,
) -> FieldRef<'a> {
    let (start, len) = match layout {
        // `parse` checked that both numbers are digits, so the unchecked reads
        // below give the same values as `DirEntry::start`/`length`, without the
        // `Option`s. Should the bytes change after validation (a mapped file
        // rewritten, against the mmap contract), the range check still yields
        // an empty field, never a bad read.
        None => (
            base + validated_digits5(entry.start),
            validated_digits4(entry.length).saturating_sub(1),
        ),
        Some(layout) => layout.spans.get(i).copied().unwrap_or_default(),
    };
    let data = bytes.get(start..start + len).unwrap_or_default();
    FieldRef {
        tag: &entry.tag,
        data,
        offset: start,
        index: i,
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = FieldRef<'a>;

    #[inline]
    fn next(&mut self) -> Option<FieldRef<'a>> {
        let next = self.entries.next()?;
        Some(self.make(next))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl DoubleEndedIterator for Fields<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let next = self.entries.next_back()?;
        Some(self.make(next))
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

    /// Where `part` (a slice of this field's bytes, such as a subfield value)
    /// starts, in bytes from the start of the record; `None` if it is not a
    /// part of this field.
    pub fn offset_of(&self, part: &[u8]) -> Option<usize> {
        let at = (part.as_ptr() as usize).checked_sub(self.data.as_ptr() as usize)?;
        (at + part.len() <= self.data.len()).then_some(self.offset + at)
    }

    /// The indicator bytes: everything before the first subfield delimiter.
    /// Normally two bytes; real records sometimes have fewer or more.
    #[inline]
    pub fn indicator_bytes(&self) -> &'a [u8] {
        let d = self.data;
        // The usual shape, two indicators then a delimiter, without a search.
        if d.len() > 2
            && d[2] == SUBFIELD_DELIMITER
            && d[0] != SUBFIELD_DELIMITER
            && d[1] != SUBFIELD_DELIMITER
        {
            return &d[..2];
        }
        let end = find_delimiter(d).unwrap_or(d.len());
        &d[..end]
    }

    /// The two indicators, with a missing one read as a blank (as pymarc does).
    #[inline]
    pub fn indicators(&self) -> (u8, u8) {
        let ind = self.indicator_bytes();
        (
            ind.first().copied().unwrap_or(b' '),
            ind.get(1).copied().unwrap_or(b' '),
        )
    }

    /// The subfields in order. Empty chunks between two delimiters are skipped,
    /// as pymarc does. A control field has none.
    #[inline]
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

/// Whether a strict-validation error is one that [`repair::locate`] may get
/// around: the directory, the base address or a field's bytes disagree. Errors
/// that pymarc refuses too (a leader that is not ASCII or not digits where it
/// must be, no fields, no record terminator) are final.
fn repairable(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::BaseAddressInvalid { .. }
            | ErrorKind::DirectoryInvalid { .. }
            | ErrorKind::FieldOutOfBounds { .. }
            | ErrorKind::FieldTerminatorMissing
    )
}

/// How many bytes [`find_delimiter`] scans a word at a time before handing a
/// longer haystack to `memchr`.
const SHORT_SCAN: usize = 32;

/// The first subfield delimiter (0x1F) in `hay`.
///
/// Subfields are short (typically 5-40 bytes), and on such haystacks the call and
/// setup of `memchr`'s vector search cost more than the search. The first
/// [`SHORT_SCAN`] bytes are scanned eight at a time in a `u64` (SWAR); the rest, if
/// any, goes to `memchr`. Same result as `memchr::memchr(0x1F, hay)`.
#[inline(always)]
fn find_delimiter(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const PATTERN: u64 = LO * SUBFIELD_DELIMITER as u64;
    let short = hay.len().min(SHORT_SCAN);
    let mut i = 0;
    while i + 8 <= short {
        let mut word = [0u8; 8];
        word.copy_from_slice(&hay[i..i + 8]);
        let x = u64::from_le_bytes(word) ^ PATTERN;
        // The lowest set bit marks the first zero byte of `x` exactly; a borrow can
        // only set bits above a real zero byte.
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if hay.len() > SHORT_SCAN {
        return memchr::memchr(SUBFIELD_DELIMITER, &hay[i..]).map(|p| p + i);
    }
    hay[i..]
        .iter()
        .position(|&b| b == SUBFIELD_DELIMITER)
        .map(|p| p + i)
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

impl<'a> Iterator for Subfields<'a> {
    type Item = Subfield<'a>;

    #[inline]
    fn next(&mut self) -> Option<Subfield<'a>> {
        loop {
            // `rest` starts at a delimiter, or is empty.
            let body = self.rest.get(1..)?;
            let end = find_delimiter(body).unwrap_or(body.len());
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

    #[test]
    fn find_delimiter_agrees_with_memchr() {
        // Every length around the word and SHORT_SCAN boundaries, every position,
        // with and without a second delimiter and near-miss bytes (0x1E, 0x9F).
        for len in 0..100 {
            for at in 0..=len {
                for filler in [b'a', 0x1E, 0x9F, 0x00] {
                    let mut hay = vec![filler; len];
                    if at < len {
                        hay[at] = SUBFIELD_DELIMITER;
                        if at + 3 < len {
                            hay[at + 3] = SUBFIELD_DELIMITER;
                        }
                    }
                    assert_eq!(
                        find_delimiter(&hay),
                        memchr::memchr(SUBFIELD_DELIMITER, &hay),
                        "len={len} at={at} filler={filler:#x}"
                    );
                }
            }
        }
    }

    #[test]
    fn indicators_with_odd_shapes() {
        let raw = b"00059nam a2200049 a 4500245000500000500000400005\x1e1\x1faT\x1e\x1fab\x1e\x1d";
        let r = RecordRef::parse(raw).unwrap();
        let f = r.field(0).unwrap();
        assert_eq!(f.indicator_bytes(), b"1");
        assert_eq!(f.indicators(), (b'1', b' '));
        assert_eq!(f.subfield(b'a'), Some(&b"T"[..]));
        let g = r.field(1).unwrap();
        assert_eq!(g.indicator_bytes(), b"");
        assert_eq!(g.subfield(b'a'), Some(&b"b"[..]));
    }
}
