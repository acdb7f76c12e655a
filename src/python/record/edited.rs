//! A record's edits: the owned state a `Record` read from a file turns into at
//! its first change (copy on write), and that a `Record()` built in Python
//! starts as.
//!
//! Fields are shared cells (`Arc<Mutex<OwnedField>>`), as pymarc's fields are
//! shared objects: a `Field` holds its cell, so it sees later edits of the
//! record and its own edits are the record's; a field added to two records is
//! one field in both; a field removed from a record keeps its values.

use super::super::shared::lock;
use crate::{OwnedField, OwnedRecord};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// One field of an edited record (or of none).
pub(crate) type FieldCell = Mutex<OwnedField>;

pub(crate) fn cell(field: OwnedField) -> Arc<FieldCell> {
    Arc::new(Mutex::new(field))
}

/// An edited record: its leader and its fields.
pub(crate) struct Edited {
    pub leader: [u8; 24],
    pub fields: Vec<Arc<FieldCell>>,
    /// The fields as the record was read, by their index there: what a `Field`
    /// taken from the record before its first change stands for after it.
    pub original: Vec<Arc<FieldCell>>,
    /// Whether values are text (stored as UTF-8, written with LDR/09 `a`, as
    /// pymarc's `to_unicode=True`) or bytes as read (`to_unicode=False`).
    pub text: bool,
}

impl Edited {
    pub fn new(record: OwnedRecord, text: bool) -> Self {
        let fields: Vec<_> = record.fields.into_iter().map(cell).collect();
        Edited {
            leader: record.leader,
            original: fields.clone(),
            fields,
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

    /// Runs `f` on the record as the core's `OwnedRecord`, without copying a
    /// value: each field is moved out of its cell for the call and back after.
    pub fn with_record<R>(&self, f: impl FnOnce(&OwnedRecord) -> R) -> R {
        let mut record = OwnedRecord::new(self.written_leader());
        record.fields.reserve(self.fields.len());
        let mut guards: Vec<Option<MutexGuard<'_, OwnedField>>> =
            Vec::with_capacity(self.fields.len());
        for (i, c) in self.fields.iter().enumerate() {
            let mut guard = match c.try_lock() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    // Already held here: the same field twice in the record
                    // (pymarc allows it). Otherwise another thread has it: wait.
                    if let Some(j) = self.fields[..i].iter().position(|d| Arc::ptr_eq(c, d)) {
                        let copy = record.fields[j].clone();
                        record.fields.push(copy);
                        guards.push(None);
                        continue;
                    }
                    lock(c)
                }
            };
            record
                .fields
                .push(std::mem::replace(&mut *guard, placeholder()));
            guards.push(Some(guard));
        }
        let out = f(&record);
        for (field, guard) in record.fields.into_iter().zip(guards) {
            if let Some(mut g) = guard {
                *g = field;
            }
        }
        out
    }

    /// The tags of the fields, in order.
    pub fn tags(&self) -> Vec<[u8; 3]> {
        self.fields.iter().map(|c| lock(c).tag).collect()
    }
}

/// What a cell holds while its field is lent out (no allocation).
fn placeholder() -> OwnedField {
    OwnedField::control(*b"000", Vec::new())
}

/// Where pymarc's `add_ordered_field` (or, `grouped`, `add_grouped_field`)
/// puts a field with `tag` among fields with `tags`: before the first field
/// whose tag is not numeric or is greater (by its first digit, grouped); at
/// the end when there is none, or when `tag` itself is not numeric.
pub(crate) fn ordered_position(tags: &[[u8; 3]], tag: &[u8; 3], grouped: bool) -> usize {
    let numeric = |t: &[u8; 3]| t.iter().all(u8::is_ascii_digit);
    if !numeric(tag) {
        return tags.len();
    }
    let key = |t: &[u8; 3]| -> u32 {
        if grouped {
            u32::from(t[0] - b'0')
        } else {
            t.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
        }
    };
    let new = key(tag);
    tags.iter()
        .position(|t| !numeric(t) || key(t) > new)
        .unwrap_or(tags.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_and_grouped_positions_are_pymarcs() {
        let tags = [*b"001", *b"245", *b"650", *b"700", *b"9XX", *b"999"];
        assert_eq!(ordered_position(&tags, b"856", false), 4);
        assert_eq!(ordered_position(&tags, b"600", false), 2);
        assert_eq!(ordered_position(&tags, b"650", false), 3);
        // Grouped: after the last 6XX, before the 7XX.
        assert_eq!(ordered_position(&tags, b"600", true), 3);
        assert_eq!(ordered_position(&tags, b"ABC", false), 6);
        assert_eq!(ordered_position(&[], b"245", false), 0);
    }
}
