//! A record being edited: its fields borrowed from the record as read until
//! an edit changes one, so that a rule that touches two fields of forty copies
//! two, and the other thirty-eight are written from the input's bytes.

use crate::error::{Error, ErrorKind, Position, Result};
use crate::layout::{DIRECTORY_ENTRY_LEN, FIELD_TERMINATOR, LEADER_LEN, RECORD_TERMINATOR};
use crate::owned::{digits, FieldBody, FieldWriter, OwnedField, MAX_RECORD_LEN};
use crate::record::{FieldRef, RecordRef};

/// The record: its leader and its fields in order.
#[derive(Debug, Clone)]
pub(crate) struct Draft<'a> {
    pub(crate) leader: [u8; LEADER_LEN],
    pub(crate) fields: Vec<Piece<'a>>,
    /// The record as read, whose fields the `Read` pieces are.
    bytes: &'a [u8],
    /// Its base address and directory, when the directory locates its
    /// fields (not for a record that repair had to re-locate).
    base: usize,
    directory: Option<&'a [u8]>,
}

/// One field: its tag (which a rename changes without copying the field) and
/// its content.
#[derive(Debug, Clone)]
pub(crate) struct Piece<'a> {
    pub(crate) tag: [u8; 3],
    pub(crate) body: Body<'a>,
}

/// A field's content: the input's bytes, a field a rule adds (borrowed from
/// the program until changed), or owned once changed.
#[derive(Debug, Clone)]
pub(crate) enum Body<'a> {
    Read(FieldRef<'a>),
    Added(&'a Built),
    Owned(FieldBody),
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

impl<'a> Draft<'a> {
    pub(crate) fn new(record: &RecordRef<'a>) -> Self {
        let bytes = record.as_bytes();
        let base = record.base_address();
        let directory = if record.repairs().is_empty() {
            bytes.get(LEADER_LEN..base.saturating_sub(1))
        } else {
            None
        };
        Draft {
            bytes,
            base,
            directory,
            leader: *record.leader().as_bytes(),
            fields: record
                .fields()
                .map(|f| Piece {
                    tag: *f.tag(),
                    body: Body::Read(f),
                })
                .collect(),
        }
    }

    /// Appends the record as ISO 2709 to `out`, with its leader's lengths and
    /// its directory computed; on error (a record over 99,999 bytes, a field
    /// ISO 2709 cannot hold) `out` is as it was. `w` is scratch, reused from
    /// record to record.
    ///
    /// The fields a rule built or changed go through the one serialiser
    /// ([`FieldWriter`], which checks them); the fields as read are copied
    /// from the input once, a run of consecutive ones in one copy.
    pub(crate) fn write(&self, w: &mut FieldWriter, out: &mut Vec<u8>) -> Result<()> {
        w.clear();
        for piece in &self.fields {
            if let Body::Owned(body) = &piece.body {
                w.body(piece.tag, body);
            }
        }
        w.check()?;
        // Each field's length, its terminator included.
        let mut built = 0;
        let mut data_len = 0;
        for piece in &self.fields {
            data_len += match &piece.body {
                Body::Read(f) => f.data().len() + 1,
                Body::Added(b) => b.bytes.len(),
                Body::Owned(_) => {
                    built += 1;
                    w.field(built - 1).len()
                }
            };
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
        out.reserve(total);
        out.extend_from_slice(&digits::<5>(total));
        out.extend_from_slice(&self.leader[5..12]);
        out.extend_from_slice(&digits::<5>(base));
        out.extend_from_slice(&self.leader[17..]);
        let at = out.len();
        out.resize(at + n * DIRECTORY_ENTRY_LEN, 0);
        let directory = out[at..].chunks_exact_mut(DIRECTORY_ENTRY_LEN);
        let mut offset = 0;
        let mut built = 0;
        for (entry, piece) in directory.zip(&self.fields) {
            let len = match &piece.body {
                Body::Read(f) => {
                    let len = f.data().len() + 1;
                    // A field as read at the same offset from the base
                    // address: its entry as read, digits and all (a rename
                    // changes the tag only).
                    let at = f.index() * DIRECTORY_ENTRY_LEN;
                    let same = self
                        .directory
                        .and_then(|d| d.get(at..at + DIRECTORY_ENTRY_LEN));
                    if let Some(old) = same.filter(|_| f.offset_in_record() == self.base + offset) {
                        entry[..3].copy_from_slice(&piece.tag);
                        entry[3..].copy_from_slice(&old[3..]);
                        offset += len;
                        continue;
                    }
                    len
                }
                Body::Added(b) => b.bytes.len(),
                Body::Owned(_) => {
                    built += 1;
                    w.field(built - 1).len()
                }
            };
            entry[..3].copy_from_slice(&piece.tag);
            entry[3..7].copy_from_slice(&digits::<4>(len));
            entry[7..].copy_from_slice(&digits::<5>(offset));
            offset += len;
        }
        out.push(FIELD_TERMINATOR);
        // The data: runs of fields as read, contiguous in the input with their
        // terminators, copied whole.
        let mut run = 0..0;
        let mut built = 0;
        for piece in &self.fields {
            if let Body::Read(f) = &piece.body {
                let start = f.offset_in_record();
                let end = start + f.data().len();
                if self.bytes.get(end) == Some(&FIELD_TERMINATOR) {
                    if run.end == start && !run.is_empty() {
                        run.end = end + 1;
                    } else {
                        out.extend_from_slice(&self.bytes[run.clone()]);
                        run = start..end + 1;
                    }
                    continue;
                }
                // A repaired record's field may lack its terminator.
                out.extend_from_slice(&self.bytes[run.clone()]);
                run = 0..0;
                out.extend_from_slice(f.data());
                out.push(FIELD_TERMINATOR);
                continue;
            }
            out.extend_from_slice(&self.bytes[run.clone()]);
            run = 0..0;
            if let Body::Added(b) = &piece.body {
                out.extend_from_slice(&b.bytes);
                continue;
            }
            out.extend_from_slice(w.field(built));
            built += 1;
        }
        out.extend_from_slice(&self.bytes[run]);
        out.push(RECORD_TERMINATOR);
        Ok(())
    }

    /// The tags, in order.
    pub(crate) fn tags(&self) -> impl Iterator<Item = [u8; 3]> + '_ {
        self.fields.iter().map(|p| p.tag)
    }
}

impl<'a> Piece<'a> {
    /// A field a rule adds, borrowed until changed.
    pub(crate) fn added(field: &'a Built) -> Self {
        Piece {
            tag: field.field.tag,
            body: Body::Added(field),
        }
    }

    /// The content, owned from now on (pymarc's reading of odd indicators and
    /// empty subfields: see [`OwnedField::from_ref`]).
    pub(crate) fn owned(&mut self) -> &mut FieldBody {
        match &self.body {
            Body::Read(f) => self.body = Body::Owned(OwnedField::from_ref(f).body),
            Body::Added(b) => self.body = Body::Owned(b.field.body.clone()),
            Body::Owned(_) => {}
        }
        match &mut self.body {
            Body::Owned(body) => body,
            _ => unreachable!("made owned above"),
        }
    }

    /// Whether it is a control field (by its content, as read or built).
    pub(crate) fn is_control(&self) -> bool {
        match &self.body {
            Body::Read(f) => f.is_control(),
            Body::Owned(b) => matches!(b, FieldBody::Control(_)),
            Body::Added(b) => b.field.is_control(),
        }
    }

    /// The content of a field built or changed by a rule (`None` as read).
    fn built(&self) -> Option<&FieldBody> {
        match &self.body {
            Body::Read(_) => None,
            Body::Added(b) => Some(&b.field.body),
            Body::Owned(body) => Some(body),
        }
    }

    /// The subfield codes and values, in order (none for a control field).
    pub(crate) fn for_each_subfield(&self, mut visit: impl FnMut(usize, u8, &[u8])) {
        match (&self.body, self.built()) {
            (Body::Read(f), _) => {
                for (i, s) in f.subfields().enumerate() {
                    visit(i, s.code, s.value);
                }
            }
            (_, Some(FieldBody::Data { subfields, .. })) => {
                for (i, s) in subfields.iter().enumerate() {
                    visit(i, s.code, &s.value);
                }
            }
            _ => {}
        }
    }

    /// The indicators (a data field's; blanks for what is missing).
    pub(crate) fn indicators(&self) -> Option<[u8; 2]> {
        match (&self.body, self.built()) {
            (Body::Read(f), _) if f.is_control() => None,
            (Body::Read(f), _) => {
                let (a, b) = f.indicators();
                Some([a, b])
            }
            (_, Some(FieldBody::Data { indicators, .. })) => Some(*indicators),
            _ => None,
        }
    }

    /// A control field's data.
    pub(crate) fn control_data(&self) -> Option<&[u8]> {
        match (&self.body, self.built()) {
            (Body::Read(f), _) if f.is_control() => Some(f.data()),
            (_, Some(FieldBody::Control(d))) => Some(d),
            _ => None,
        }
    }
}
