//! A record being edited: a list of pieces, each a field of the record as
//! read (by its index), a field a rule adds (borrowed from the program), or a
//! field a rule changed (owned). A rule that touches two fields of forty copies
//! two, and the other thirty-eight are written from the input's bytes, their
//! directory entries and data copied in runs.
//!
//! The lists live in the [`Editor`](super::Editor) and are reused from record
//! to record: an edit that only deletes, adds or retags fields allocates
//! nothing per record.

use crate::error::{Error, ErrorKind, Position, Result};
use crate::layout::{
    validated_digits4, validated_digits5, DIRECTORY_ENTRY_LEN, FIELD_TERMINATOR, LEADER_LEN,
    RECORD_TERMINATOR,
};
use crate::owned::{digits, FieldBody, FieldWriter, OwnedField, MAX_FIELD_LEN, MAX_RECORD_LEN};
use crate::record::{FieldRef, RecordRef};

/// The record: its leader and its fields in order.
#[derive(Debug)]
pub(crate) struct Draft<'e, 'p> {
    pub(crate) leader: [u8; LEADER_LEN],
    pub(crate) fields: &'e mut Vec<Piece<'p>>,
    /// Whether a rule gave a field as read another tag (renamed, moved or
    /// copied it): else every such field's tag is its entry's as read.
    pub(crate) retagged: bool,
    /// The content of the `Owned` pieces.
    owned: &'e mut Vec<FieldBody>,
    /// The record as read, whose fields the `Read` pieces are.
    record: &'e RecordRef<'e>,
}

/// The lists a [`Draft`] fills, kept from record to record.
#[derive(Debug, Default)]
pub(crate) struct Buffers<'p> {
    fields: Vec<Piece<'p>>,
    owned: Vec<FieldBody>,
}

/// One field: its tag (which a rename changes without copying the field) and
/// where its content is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Piece<'p> {
    pub(crate) tag: [u8; 3],
    pub(crate) body: Body<'p>,
}

impl<'p> Piece<'p> {
    /// A field a rule adds, borrowed until changed.
    pub(crate) fn added(field: &'p Built) -> Self {
        Piece {
            tag: field.field.tag,
            body: Body::Added(field),
        }
    }
}

/// Where a field's content is: field `i` of the input, a field a rule adds
/// (borrowed from the program until changed), or entry `k` of the draft's
/// owned fields once changed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Body<'p> {
    Read(usize),
    Added(&'p Built),
    Owned(usize),
}

/// A field a rule adds, serialised once when the rule is parsed (and checked
/// then: a field ISO 2709 cannot hold is a bad rule, not a bad record).
#[derive(Debug, Clone)]
pub(crate) struct Built {
    pub(crate) field: OwnedField,
    /// Its bytes, the terminator included.
    bytes: Vec<u8>,
}

impl Built {
    pub(crate) fn new(field: OwnedField) -> Result<Built> {
        let mut w = FieldWriter::default();
        w.body(field.tag, &field.body);
        w.check()?;
        let bytes = w.field(0).to_vec();
        Ok(Built { field, bytes })
    }
}

/// Whether `tag` is a control field's: a numeric tag below 010, as
/// [`FieldRef::is_control`] decides.
pub(crate) fn is_control_tag(tag: &[u8; 3]) -> bool {
    tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit()
}

/// A field's content, wherever it is.
enum View<'v> {
    Read(FieldRef<'v>),
    Built(&'v FieldBody),
}

impl<'e, 'p> Draft<'e, 'p> {
    /// The draft of `record`, unchanged, in `buffers` (emptied first).
    pub(crate) fn new(record: &'e RecordRef<'e>, buffers: &'e mut Buffers<'p>) -> Self {
        let fields = &mut buffers.fields;
        fields.clear();
        buffers.owned.clear();
        fields.extend(record.tags().enumerate().map(|(i, tag)| Piece {
            tag: *tag,
            body: Body::Read(i),
        }));
        Draft {
            leader: *record.leader().as_bytes(),
            fields,
            retagged: false,
            owned: &mut buffers.owned,
            record,
        }
    }

    /// Field `i` of the record as read.
    fn read(&self, i: usize) -> FieldRef<'e> {
        // A `Read` piece's index is one of the record's own fields.
        self.record
            .field(i)
            .expect("a piece as read is a field of the record")
    }

    fn view(&self, k: usize) -> View<'_> {
        match self.fields[k].body {
            Body::Read(i) => View::Read(self.read(i)),
            Body::Added(b) => View::Built(&b.field.body),
            Body::Owned(j) => View::Built(&self.owned[j]),
        }
    }

    /// The content of piece `k`, owned from now on (pymarc's reading of odd
    /// indicators and empty subfields: see [`OwnedField::from_ref`]).
    pub(crate) fn owned(&mut self, k: usize) -> &mut FieldBody {
        let j = match self.fields[k].body {
            Body::Owned(j) => j,
            Body::Read(i) => {
                let body = OwnedField::from_ref(&self.read(i)).body;
                self.push_owned(k, body)
            }
            Body::Added(b) => self.push_owned(k, b.field.body.clone()),
        };
        &mut self.owned[j]
    }

    fn push_owned(&mut self, k: usize, body: FieldBody) -> usize {
        self.owned.push(body);
        let j = self.owned.len() - 1;
        self.fields[k].body = Body::Owned(j);
        j
    }

    /// A copy of piece `k` (an owned one's content copied too, so that the
    /// two change apart).
    pub(crate) fn copy_of(&mut self, k: usize) -> Piece<'p> {
        let piece = self.fields[k];
        match piece.body {
            Body::Owned(j) => {
                self.owned.push(self.owned[j].clone());
                Piece {
                    tag: piece.tag,
                    body: Body::Owned(self.owned.len() - 1),
                }
            }
            _ => piece,
        }
    }

    /// Whether piece `k` is a control field (by its content, as read or built).
    pub(crate) fn is_control(&self, k: usize) -> bool {
        match self.view(k) {
            View::Read(f) => f.is_control(),
            View::Built(b) => matches!(b, FieldBody::Control(_)),
        }
    }

    /// Piece `k`'s subfield codes and values, in order (none for a control field).
    pub(crate) fn for_each_subfield(&self, k: usize, mut visit: impl FnMut(usize, u8, &[u8])) {
        match self.view(k) {
            View::Read(f) => {
                for (i, s) in f.subfields().enumerate() {
                    visit(i, s.code, s.value);
                }
            }
            View::Built(FieldBody::Data { subfields, .. }) => {
                for (i, s) in subfields.iter().enumerate() {
                    visit(i, s.code, &s.value);
                }
            }
            View::Built(FieldBody::Control(_)) => {}
        }
    }

    /// Piece `k`'s indicators (a data field's; blanks for what is missing).
    pub(crate) fn indicators(&self, k: usize) -> Option<[u8; 2]> {
        match self.view(k) {
            View::Read(f) if f.is_control() => None,
            View::Read(f) => {
                let (a, b) = f.indicators();
                Some([a, b])
            }
            View::Built(FieldBody::Data { indicators, .. }) => Some(*indicators),
            View::Built(FieldBody::Control(_)) => None,
        }
    }

    /// Piece `k`'s data, if it is a control field.
    pub(crate) fn control_data(&self, k: usize) -> Option<&[u8]> {
        match self.view(k) {
            View::Read(f) if f.is_control() => Some(f.data()),
            View::Built(FieldBody::Control(d)) => Some(d),
            _ => None,
        }
    }

    /// The tags, in order.
    pub(crate) fn tags(&self) -> impl Iterator<Item = [u8; 3]> + '_ {
        self.fields.iter().map(|p| p.tag)
    }

    /// Appends the record as ISO 2709 to `out`, with its leader's lengths and
    /// its directory computed; on error (a record over 99,999 bytes, a field
    /// ISO 2709 cannot hold) `out` is as it was. `w` is scratch, reused from
    /// record to record.
    ///
    /// A splice, in one pass: the fields a rule built or changed go through
    /// the one serialiser ([`FieldWriter`], which checks them); the fields as
    /// read are valid already and are copied from the input, a run of
    /// consecutive ones in one copy, and a field that stays at its offset from
    /// the base address keeps its directory entry as read (a rename changes the
    /// tag only).
    pub(crate) fn write(&self, w: &mut FieldWriter, out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        let result = self.write_unchecked(w, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn write_unchecked(&self, w: &mut FieldWriter, out: &mut Vec<u8>) -> Result<()> {
        w.clear();
        let mut built = 0;
        for piece in self.fields.iter() {
            if let Body::Owned(j) = piece.body {
                w.body(piece.tag, &self.owned[j]);
                built += 1;
            }
        }
        w.check()?;
        let input = Input::of(self.record);
        // The record's length first, so that one too long is refused before
        // anything is written. Fields as read are valid (a repaired record's
        // too, bar its length), built ones were checked when made.
        let mut data_len: usize = (0..built).map(|k| w.field(k).len()).sum();
        let mut k = 0;
        while k < self.fields.len() {
            match self.fields[k].body {
                Body::Read(i) => match input.run(&self.fields[k..], i) {
                    Some((m, from, to)) => {
                        data_len += to - from;
                        k += m;
                        continue;
                    }
                    None => data_len += input.span(self, i).1,
                },
                Body::Added(b) => data_len += b.bytes.len(),
                Body::Owned(_) => {}
            }
            k += 1;
        }
        let n = self.fields.len();
        let base = LEADER_LEN + n * DIRECTORY_ENTRY_LEN + 1;
        let total = base + data_len + 1;
        if total > MAX_RECORD_LEN {
            let kind = ErrorKind::TooLong {
                what: "record",
                length: total,
                max: MAX_RECORD_LEN,
            };
            return Err(Error::new(kind, Position::default()));
        }
        let bytes = input.bytes;
        out.reserve(total);
        out.extend_from_slice(&digits::<5>(total));
        out.extend_from_slice(&self.leader[5..12]);
        out.extend_from_slice(&digits::<5>(base));
        out.extend_from_slice(&self.leader[17..]);
        let entries_at = out.len();
        out.resize(entries_at + n * DIRECTORY_ENTRY_LEN, 0);
        out.push(FIELD_TERMINATOR);
        // The input's bytes still to copy: consecutive fields, contiguous
        // in the input with their terminators, go in one copy.
        let mut run = 0..0;
        let mut offset = 0;
        let mut built = 0;
        let mut k = 0;
        while k < n {
            let piece = self.fields[k];
            let at = entries_at + k * DIRECTORY_ENTRY_LEN;
            let len = match piece.body {
                Body::Read(i) => {
                    if let Some((m, from, to)) = input.run(&self.fields[k..], i) {
                        // Fields as read, one after another in the input
                        // and here: their entries in one copy, their offsets
                        // shifted if fields before them went or came, and
                        // their tags (a rename changes the tag only); their
                        // data in one copy.
                        let entries = &mut out[at..at + m * DIRECTORY_ENTRY_LEN];
                        let old = i * DIRECTORY_ENTRY_LEN..(i + m) * DIRECTORY_ENTRY_LEN;
                        entries.copy_from_slice(&input.directory[old]);
                        let pieces = &self.fields[k..k + m];
                        if self.retagged {
                            let each = entries.chunks_exact_mut(DIRECTORY_ENTRY_LEN);
                            for (entry, p) in each.zip(pieces) {
                                entry[..3].copy_from_slice(&p.tag);
                            }
                        }
                        debug_assert!(entries
                            .chunks_exact(DIRECTORY_ENTRY_LEN)
                            .zip(pieces)
                            .all(|(e, p)| e[..3] == p.tag));
                        if from != offset {
                            for entry in entries.chunks_exact_mut(DIRECTORY_ENTRY_LEN) {
                                let (_, start) = entry_numbers(entry);
                                entry[7..].copy_from_slice(&digits::<5>(start - from + offset));
                            }
                        }
                        out.extend_from_slice(&bytes[run]);
                        run = input.base + from..input.base + to;
                        offset += to - from;
                        k += m;
                        continue;
                    }
                    let (start, len, old) = input.span(self, i);
                    let entry = &mut out[at..at + DIRECTORY_ENTRY_LEN];
                    entry[..3].copy_from_slice(&piece.tag);
                    let Some(old) = old else {
                        // A repaired record (or one never validated): its
                        // field may be too long for the digits, or lack its
                        // terminator.
                        if len > MAX_FIELD_LEN {
                            let kind = ErrorKind::TooLong {
                                what: "field",
                                length: len,
                                max: MAX_FIELD_LEN,
                            };
                            return Err(Error::new(kind, Position::default()));
                        }
                        write_entry(entry, len, offset);
                        out.extend_from_slice(&bytes[run]);
                        run = 0..0;
                        out.extend_from_slice(self.read(i).data());
                        out.push(FIELD_TERMINATOR);
                        offset += len;
                        k += 1;
                        continue;
                    };
                    if start == offset {
                        // At its offset as read: its entry as read.
                        entry[3..].copy_from_slice(&old[3..]);
                    } else {
                        write_entry(entry, len, offset);
                    }
                    let from = input.base + start;
                    if run.end == from && !run.is_empty() {
                        run.end = from + len;
                    } else {
                        out.extend_from_slice(&bytes[run]);
                        run = from..from + len;
                    }
                    len
                }
                Body::Added(b) => {
                    let len = b.bytes.len();
                    let entry = &mut out[at..at + DIRECTORY_ENTRY_LEN];
                    entry[..3].copy_from_slice(&piece.tag);
                    write_entry(entry, len, offset);
                    out.extend_from_slice(&bytes[run]);
                    run = 0..0;
                    out.extend_from_slice(&b.bytes);
                    len
                }
                Body::Owned(_) => {
                    let field = w.field(built);
                    built += 1;
                    let entry = &mut out[at..at + DIRECTORY_ENTRY_LEN];
                    entry[..3].copy_from_slice(&piece.tag);
                    write_entry(entry, field.len(), offset);
                    out.extend_from_slice(&bytes[run]);
                    run = 0..0;
                    out.extend_from_slice(field);
                    field.len()
                }
            };
            offset += len;
            k += 1;
        }
        out.extend_from_slice(&bytes[run]);
        out.push(RECORD_TERMINATOR);
        Ok(())
    }
}

/// The record as read, as the splice reads it.
struct Input<'e> {
    bytes: &'e [u8],
    base: usize,
    directory: &'e [u8],
    /// Its fields are where its directory says, each with its terminator
    /// (validation checked both).
    clean: bool,
    /// And they lie one after another in directory order, from the base
    /// address to the record terminator.
    sequential: bool,
}

impl<'e> Input<'e> {
    fn of(record: &RecordRef<'e>) -> Self {
        let bytes = record.as_bytes();
        let base = record.base_address();
        let clean = record.repairs().is_empty();
        let directory = bytes
            .get(LEADER_LEN..base.saturating_sub(1))
            .unwrap_or_default();
        Input {
            bytes,
            base,
            directory,
            clean,
            sequential: clean && record.is_sequential(),
        }
    }

    /// Where field `i` starts from the base address (its entry's start).
    fn start(&self, i: usize) -> usize {
        match self
            .directory
            .get(i * DIRECTORY_ENTRY_LEN..(i + 1) * DIRECTORY_ENTRY_LEN)
        {
            Some(entry) => entry_numbers(entry).1,
            // After the last field: the record terminator.
            None => self.bytes.len() - 1 - self.base,
        }
    }

    /// In a sequential record, the run of fields as read that starts with
    /// `pieces[0]`, field `i`: consecutive fields of the input, one after
    /// another in the input too. Gives how many, and the bytes they span
    /// (from the base address).
    fn run(&self, pieces: &[Piece<'_>], i: usize) -> Option<(usize, usize, usize)> {
        if !self.sequential {
            return None;
        }
        let m = pieces
            .iter()
            .zip(i..)
            .take_while(|(p, j)| matches!(p.body, Body::Read(x) if x == *j))
            .count();
        Some((m, self.start(i), self.start(i + m)))
    }

    /// Field `i`'s start (from the base address), its length (its terminator
    /// included), and its directory entry when that can be copied as it is.
    /// A clean record's entries are trusted as validation left them; but a
    /// record read through a handle that never validated it
    /// ([`crate::MarcFile::handle_unvalidated`]) may hold any digits, so an
    /// entry pointing past the data is not: the field is then taken as its
    /// accessors read it (bounds-checked), and nothing panics.
    fn span(&self, draft: &Draft<'_, '_>, i: usize) -> (usize, usize, Option<&'e [u8]>) {
        let entry = self
            .directory
            .get(i * DIRECTORY_ENTRY_LEN..(i + 1) * DIRECTORY_ENTRY_LEN);
        if let Some(entry) = entry.filter(|_| self.clean) {
            let (len, start) = entry_numbers(entry);
            if self.base + start + len < self.bytes.len() {
                return (start, len, Some(entry));
            }
        }
        let f = draft.read(i);
        (
            f.offset_in_record().saturating_sub(self.base),
            f.data().len() + 1,
            None,
        )
    }
}

/// A validated directory entry's length and start (digits, which validation
/// checked; other bytes give some number, never a bad read).
#[inline(always)]
fn entry_numbers(entry: &[u8]) -> (usize, usize) {
    let (mut length, mut start) = ([0; 4], [0; 5]);
    length.copy_from_slice(&entry[3..7]);
    start.copy_from_slice(&entry[7..12]);
    (validated_digits4(length), validated_digits5(start))
}

/// A directory entry's length and offset (its tag is written). Both fit
/// their digits: the lengths were checked first.
fn write_entry(entry: &mut [u8], len: usize, offset: usize) {
    entry[3..7].copy_from_slice(&digits::<4>(len));
    entry[7..].copy_from_slice(&digits::<5>(offset));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_numbers_read_every_length_and_start() {
        for n in 0..=9_999 {
            let entry = [b"245".as_slice(), &digits::<4>(n), &digits::<5>(99_999 - n)].concat();
            assert_eq!(entry_numbers(&entry), (n, 99_999 - n));
            let entry = [b"245".as_slice(), &digits::<4>(n), &digits::<5>(n * 10)].concat();
            assert_eq!(entry_numbers(&entry), (n, n * 10));
        }
    }
}
