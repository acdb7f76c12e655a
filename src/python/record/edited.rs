//! A record's edits: the state a `Record` read from a file turns into at its
//! first change (copy on write), and that a `Record()` built in Python starts
//! as.
//!
//! A field no edit touched stays the input's bytes ([`Slot::Read`]): a record
//! that loses its 9XX and gains an 856 copies one field, and is written from
//! the input's bytes and that one field ([`crate::write_spliced`]). A field
//! that changes, or that another record shares, becomes a shared cell
//! (`Arc<Mutex<OwnedField>>`, [`Slot::Cell`]), as pymarc's fields are shared
//! objects: a `Field` holds its cell, so it sees later edits of the record and
//! its own edits are the record's; a field added to two records is one field
//! in both; a field removed from a record keeps its values.

use super::super::shared::lock;
use crate::{FieldRef, FieldSource, OwnedField, OwnedRecord, RecordRef};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// One field of an edited record (or of none).
pub(crate) type FieldCell = Mutex<OwnedField>;

pub(crate) fn cell(field: OwnedField) -> Arc<FieldCell> {
    Arc::new(Mutex::new(field))
}

/// A field of an edited record.
#[derive(Clone)]
pub(crate) enum Slot {
    /// Field `i` of the record as read, unchanged: its bytes are the input's.
    Read(u32),
    /// An owned field.
    Cell(Arc<FieldCell>),
}

/// An edited record: its leader and its fields.
pub(crate) struct Edited {
    pub leader: [u8; 24],
    pub fields: Vec<Slot>,
    /// The fields as read that have been made owned, by their index as read:
    /// what a `Field` taken from the record before stands for after.
    pub cells: Vec<Option<Arc<FieldCell>>>,
    /// Whether values are text (stored as UTF-8, written with LDR/09 `a`, as
    /// pymarc's `to_unicode=True`) or bytes as read (`to_unicode=False`).
    pub text: bool,
}

/// Whether a field as read is written byte for byte as the core's owned copy
/// of it would be: two ASCII indicators, no text before the first subfield,
/// no empty subfield, ASCII codes (pymarc normalises all of these).
pub(crate) fn is_canonical(field: &FieldRef<'_>) -> bool {
    if field.is_control() {
        return true;
    }
    const DELIMITER: u8 = crate::layout::SUBFIELD_DELIMITER;
    let d = field.data();
    if d.len() < 2 || !d[..2].is_ascii() || d[..2].contains(&DELIMITER) {
        return false;
    }
    let body = &d[2..];
    if body.is_empty() {
        return true;
    }
    if body[0] != DELIMITER || body.last() == Some(&DELIMITER) {
        return false;
    }
    // Each delimiter is followed by an ASCII code that is not a delimiter.
    memchr::memchr_iter(DELIMITER, body).all(|i| {
        body.get(i + 1)
            .is_some_and(|&c| c.is_ascii() && c != DELIMITER)
    })
}

/// A field of an edited record held for reading: as read, locked, or copied
/// (a cell that is in the record twice).
enum Held<'a> {
    Read([u8; 3], &'a [u8]),
    Locked(MutexGuard<'a, OwnedField>),
    Copied(OwnedField),
}

impl Edited {
    /// A record as read, every field still its bytes.
    pub fn read(leader: [u8; 24], count: usize, text: bool) -> Self {
        Edited {
            leader,
            fields: (0..count as u32).map(Slot::Read).collect(),
            cells: vec![None; count],
            text,
        }
    }

    /// A record whose every field is owned: one built in Python, or one read
    /// whose values had to be decoded (field `i` of it as read is `record`'s
    /// field `i`).
    pub fn owned(record: OwnedRecord, text: bool) -> Self {
        let cells: Vec<_> = record.fields.into_iter().map(cell).collect();
        Edited {
            leader: record.leader,
            fields: cells.iter().cloned().map(Slot::Cell).collect(),
            cells: cells.into_iter().map(Some).collect(),
            text,
        }
    }

    /// The leader as it is written: a text record's LDR/09 is `a` (its values
    /// are UTF-8), as pymarc's `as_marc()` sets it.
    pub fn written_leader(&self) -> [u8; 24] {
        let mut leader = self.leader;
        if self.text {
            leader[9] = b'a';
        }
        leader
    }

    /// The owned field that field `i` as read (of `view`) became, made now if
    /// it is still its bytes: every slot that reads it then holds the cell.
    pub fn cell_of_read(&mut self, i: u32, view: &RecordRef<'_>) -> Option<Arc<FieldCell>> {
        if let Some(c) = self.cells.get(i as usize)? {
            return Some(c.clone());
        }
        let c = cell(OwnedField::from_ref(&view.field(i as usize)?));
        self.cells[i as usize] = Some(c.clone());
        for slot in &mut self.fields {
            if matches!(slot, Slot::Read(j) if *j == i) {
                *slot = Slot::Cell(c.clone());
            }
        }
        Some(c)
    }

    /// The tag of `slot`.
    pub fn tag(slot: &Slot, view: &RecordRef<'_>) -> [u8; 3] {
        match slot {
            Slot::Read(i) => view.field(*i as usize).map_or(*b"???", |f| *f.tag()),
            Slot::Cell(c) => lock(c).tag,
        }
    }

    /// Where the core puts a field with `tag` in tag order (`grouped`: after
    /// the last of its hundred), as pymarc's `add_ordered_field` and
    /// `add_grouped_field`: asked of a record of the fields' tags alone.
    pub fn ordered_position(&self, tag: &[u8; 3], grouped: bool, view: &RecordRef<'_>) -> usize {
        let mut tags = OwnedRecord::new(self.leader);
        tags.fields = self
            .fields
            .iter()
            .map(|s| OwnedField::control(Self::tag(s, view), Vec::new()))
            .collect();
        tags.ordered_position(tag, grouped)
    }

    /// Every field, held for reading (a cell twice in the record is copied
    /// the second time: its lock is held already).
    fn hold<'a>(&'a self, view: &RecordRef<'a>) -> Vec<Held<'a>> {
        let mut held: Vec<Held<'a>> = Vec::with_capacity(self.fields.len());
        for (k, slot) in self.fields.iter().enumerate() {
            let c = match slot {
                Slot::Read(i) => {
                    let f = view.field(*i as usize);
                    held.push(match f {
                        Some(f) => Held::Read(*f.tag(), f.data()),
                        None => Held::Read(*b"???", &[]),
                    });
                    continue;
                }
                Slot::Cell(c) => c,
            };
            let guard = match c.try_lock() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    let earlier = self.fields[..k]
                        .iter()
                        .position(|s| matches!(s, Slot::Cell(d) if Arc::ptr_eq(c, d)));
                    match earlier.map(|j| &held[j]) {
                        Some(Held::Locked(g)) => {
                            let copy = (**g).clone();
                            held.push(Held::Copied(copy));
                            continue;
                        }
                        // Another thread has it: wait.
                        _ => lock(c),
                    }
                }
            };
            held.push(Held::Locked(guard));
        }
        held
    }

    /// Appends the record as ISO 2709: the fields no edit touched as the
    /// input's bytes, the others serialised.
    pub fn write_iso2709(&self, view: &RecordRef<'_>, out: &mut Vec<u8>) -> crate::Result<()> {
        let held = self.hold(view);
        let sources = held.iter().map(|h| match h {
            Held::Read(tag, bytes) => FieldSource::Read { tag: *tag, bytes },
            Held::Locked(g) => FieldSource::Owned(g),
            Held::Copied(f) => FieldSource::Owned(f),
        });
        crate::write_spliced(&self.written_leader(), sources, out)
    }

    /// Runs `f` on the record as the core's `OwnedRecord`: the fields as read
    /// copied, the owned ones moved out of their cells for the call and back.
    pub fn with_record<R>(&self, view: &RecordRef<'_>, f: impl FnOnce(&OwnedRecord) -> R) -> R {
        let mut held = self.hold(view);
        let mut record = OwnedRecord::new(self.written_leader());
        record.fields = self
            .fields
            .iter()
            .zip(held.iter_mut())
            .map(|(slot, h)| match (slot, h) {
                (Slot::Read(i), _) => view
                    .field(*i as usize)
                    .map_or_else(placeholder, |f| OwnedField::from_ref(&f)),
                (_, Held::Locked(g)) => std::mem::replace(&mut **g, placeholder()),
                (_, Held::Copied(c)) => std::mem::replace(c, placeholder()),
                (_, Held::Read(..)) => placeholder(),
            })
            .collect();
        let out = f(&record);
        for (field, h) in record.fields.into_iter().zip(held.iter_mut()) {
            if let Held::Locked(g) = h {
                **g = field;
            }
        }
        out
    }
}

/// What a cell holds while its field is lent out (no allocation).
fn placeholder() -> OwnedField {
    OwnedField::control(*b"000", Vec::new())
}
