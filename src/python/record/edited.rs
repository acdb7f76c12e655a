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
    followed_by_codes(body)
}

/// Whether each subfield delimiter in `bytes` is followed by an ASCII byte
/// that is neither a delimiter nor a terminator: one branch-free pass over
/// byte pairs, which vectorises (every record read is checked so at its
/// first change), not a search per delimiter.
fn followed_by_codes(bytes: &[u8]) -> bool {
    const DELIMITER: u8 = crate::layout::SUBFIELD_DELIMITER;
    if bytes.last() == Some(&DELIMITER) {
        return false;
    }
    let next = bytes.get(1..).unwrap_or_default();
    let bad = bytes.iter().zip(next).fold(0u8, |bad, (&b, &next)| {
        let not_code = u8::from(next >= 0x80) | u8::from((0x1D..=0x1F).contains(&next));
        bad | (u8::from(b == DELIMITER) & not_code)
    });
    bad == 0
}

/// Whether every field of `view` is canonical ([`is_canonical`]): the
/// delimiters of the whole data area in one pass, then O(1) a field. A
/// stricter test than the field-by-field one (a delimiter outside any data
/// field counts too), so it never calls a record canonical that is not.
pub(crate) fn all_canonical(view: &RecordRef<'_>) -> bool {
    const DELIMITER: u8 = crate::layout::SUBFIELD_DELIMITER;
    let bytes = view.as_bytes();
    let base = view.base_address();
    let area = match bytes.get(base..) {
        Some(area) if view.repairs().is_empty() => area,
        // A repaired record's fields may lie outside the data area.
        _ => return view.fields().all(|f| is_canonical(&f)),
    };
    if !followed_by_codes(area) {
        return false;
    }
    view.fields().all(|f| {
        if f.is_control() {
            return true;
        }
        let (start, d) = (f.offset_in_record(), f.data());
        if start < base || start + d.len() >= bytes.len() {
            return is_canonical(&f);
        }
        // The delimiters are checked: the indicators, and a body that starts
        // with a delimiter and does not end with one, are left.
        d.len() >= 2
            && d[..2].is_ascii()
            && !d[..2].contains(&DELIMITER)
            && (d.len() == 2 || (d[2] == DELIMITER && d[d.len() - 1] != DELIMITER))
    })
}

/// An owned field of an edited record held for reading: locked, or copied
/// (a cell that is in the record twice).
enum Held<'a> {
    Locked(MutexGuard<'a, OwnedField>),
    Copied(OwnedField),
}

impl Held<'_> {
    fn field(&self) -> &OwnedField {
        match self {
            Held::Locked(g) => g,
            Held::Copied(f) => f,
        }
    }
}

impl Edited {
    /// A record as read, every field still its bytes.
    pub fn read(leader: [u8; 24], count: usize, text: bool) -> Self {
        // Room for a field or two more: the common edit adds one (an 856, say).
        let mut fields = Vec::with_capacity(count + 2);
        fields.extend((0..count as u32).map(Slot::Read));
        Edited {
            leader,
            fields,
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

    /// Where a field with `tag` goes in tag order (`grouped`: after the last
    /// of its hundred), as pymarc's `add_ordered_field` and
    /// `add_grouped_field`, and as the core's
    /// [`OwnedRecord::ordered_position`]: at the end for a tag that is not three
    /// digits, else before the first field whose tag is not all digits or is
    /// greater (by its first digit when `grouped`). Read from the slots' tags,
    /// with no copy of the record.
    pub fn ordered_position(&self, tag: &[u8; 3], grouped: bool, view: &RecordRef<'_>) -> usize {
        let tags = self.fields.iter().map(|s| Self::tag(s, view));
        OwnedRecord::ordered_position_among(tags, tag, grouped).unwrap_or(self.fields.len())
    }

    /// The owned fields (the cells), in order, held for reading (a cell twice
    /// in the record is copied the second time: its lock is held already).
    /// The fields as read need no holding: their bytes are the input's.
    fn hold(&self) -> Vec<Held<'_>> {
        let mut held: Vec<Held<'_>> = Vec::new();
        let cells = self.fields.iter().filter_map(|s| match s {
            Slot::Cell(c) => Some(c),
            Slot::Read(_) => None,
        });
        for (k, c) in cells.clone().enumerate() {
            let guard = match c.try_lock() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    let earlier = cells.clone().take(k).position(|d| Arc::ptr_eq(c, d));
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
        let held = self.hold();
        let mut owned = held.iter();
        let sources = self.fields.iter().map(|slot| match slot {
            Slot::Read(i) => match view.field(*i as usize) {
                Some(f) => FieldSource::Read {
                    tag: *f.tag(),
                    bytes: f.data(),
                },
                None => FieldSource::Read {
                    tag: *b"???",
                    bytes: &[],
                },
            },
            Slot::Cell(_) => FieldSource::Owned(
                owned
                    .next()
                    .expect("hold() holds each cell slot's field")
                    .field(),
            ),
        });
        crate::write_spliced(&self.written_leader(), sources, out)
    }

    /// Runs `f` on the record as the core's `OwnedRecord`: the fields as read
    /// copied, the owned ones moved out of their cells for the call and back.
    pub fn with_record<R>(&self, view: &RecordRef<'_>, f: impl FnOnce(&OwnedRecord) -> R) -> R {
        let mut held = self.hold();
        let mut owned = held.iter_mut();
        let mut record = OwnedRecord::new(self.written_leader());
        record.fields = self
            .fields
            .iter()
            .map(|slot| match slot {
                Slot::Read(i) => view
                    .field(*i as usize)
                    .map_or_else(placeholder, |f| OwnedField::from_ref(&f)),
                Slot::Cell(_) => match owned.next() {
                    Some(Held::Locked(g)) => std::mem::replace(&mut **g, placeholder()),
                    Some(Held::Copied(c)) => std::mem::replace(c, placeholder()),
                    None => placeholder(),
                },
            })
            .collect();
        let out = f(&record);
        let mut owned = held.iter_mut();
        for (slot, field) in self.fields.iter().zip(record.fields) {
            if let Slot::Cell(_) = slot {
                if let Some(Held::Locked(g)) = owned.next() {
                    **g = field;
                }
            }
        }
        out
    }
}

/// What a cell holds while its field is lent out (no allocation).
fn placeholder() -> OwnedField {
    OwnedField::control(*b"000", Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MarcFile;
    use std::path::Path;

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

    /// Every ISO 2709 fixture under `dir`.
    fn fixtures(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                fixtures(&path, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("mrc" | "bin" | "marc")
            ) {
                out.push(path);
            }
        }
    }

    /// `(whole-record test, field-by-field test)` for each record of `bytes`
    /// that validates.
    fn verdicts(bytes: Vec<u8>) -> Vec<(bool, bool)> {
        let file = MarcFile::from_bytes(bytes);
        (0..file.len())
            .filter_map(|i| file.handle(i).ok())
            .map(|h| {
                let view = file.record_at(&h);
                (
                    all_canonical(&view),
                    view.fields().all(|f| is_canonical(&f)),
                )
            })
            .collect()
    }

    #[test]
    fn the_whole_record_test_never_passes_a_record_the_field_test_fails() {
        let mut paths = Vec::new();
        fixtures(Path::new(DATA), &mut paths);
        let (mut records, mut agreed) = (0, 0);
        for path in &paths {
            for (whole, by_field) in verdicts(std::fs::read(path).unwrap()) {
                assert!(
                    !whole || by_field,
                    "{}: passed a non-canonical record",
                    path.display()
                );
                records += 1;
                agreed += usize::from(whole == by_field);
            }
        }
        // Stricter only in rare corners (a delimiter outside any data field).
        assert!(records > 100, "{records} records");
        assert!(agreed * 100 >= records * 99, "{agreed} of {records} agree");
    }

    #[test]
    fn a_bad_byte_after_a_delimiter_makes_a_record_non_canonical() {
        let sample = std::fs::read(format!("{DATA}/sample.mrc")).unwrap();
        let file = MarcFile::from_bytes(sample.clone());
        let h = (0..file.len())
            .filter_map(|i| file.handle(i).ok())
            .find(|h| all_canonical(&file.record_at(h)))
            .expect("sample.mrc has a canonical record");
        let (start, len) = (h.offset() as usize, h.byte_len());
        let record = &sample[start..start + len];
        let base = file.record_at(&h).base_address();
        let at = base + memchr::memchr(0x1F, &record[base..]).unwrap();
        for bad in [0x80u8, 0x1F, 0x1E] {
            let mut changed = record.to_vec();
            changed[at + 1] = bad;
            assert_eq!(
                verdicts(changed),
                vec![(false, false)],
                "code byte {bad:#x}"
            );
        }
        assert_eq!(verdicts(record.to_vec()), vec![(true, true)]);
    }
}
