//! A record being edited: its fields borrowed from the record as read until
//! an edit changes one, so that a rule that touches two fields of forty copies
//! two, and the other thirty-eight are written from the input's bytes.

use crate::error::Result;
use crate::layout::LEADER_LEN;
use crate::owned::{FieldBody, FieldWriter, OwnedField};
use crate::record::{FieldRef, RecordRef};

/// The record: its leader and its fields in order.
#[derive(Debug, Clone)]
pub(crate) struct Draft<'a> {
    pub(crate) leader: [u8; LEADER_LEN],
    pub(crate) fields: Vec<Piece<'a>>,
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
    Added(&'a FieldBody),
    Owned(FieldBody),
}

/// Whether `tag` is a control field's: a numeric tag below 010, as
/// [`FieldRef::is_control`] decides.
pub(crate) fn is_control_tag(tag: &[u8; 3]) -> bool {
    tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit()
}

impl<'a> Draft<'a> {
    pub(crate) fn new(record: &RecordRef<'a>) -> Self {
        Draft {
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
    /// its directory computed; on error (a record over 99,999 bytes) `out` is
    /// as it was. `w` is scratch, reused from record to record.
    pub(crate) fn write(&self, w: &mut FieldWriter, out: &mut Vec<u8>) -> Result<()> {
        w.clear();
        for piece in &self.fields {
            match &piece.body {
                // A field as read: its bytes as they are (a control field's
                // writer appends bytes and the terminator, whatever they hold).
                Body::Read(f) => w.control(piece.tag, f.data()),
                Body::Owned(FieldBody::Control(data)) | Body::Added(FieldBody::Control(data)) => {
                    w.control(piece.tag, data)
                }
                Body::Owned(FieldBody::Data {
                    indicators,
                    subfields,
                })
                | Body::Added(FieldBody::Data {
                    indicators,
                    subfields,
                }) => {
                    w.start_data(piece.tag, indicators[0], indicators[1]);
                    for s in subfields {
                        w.subfield(s.code, &s.value);
                    }
                    w.end_data();
                }
            }
        }
        w.finish(&self.leader, out)
    }

    /// The tags, in order.
    pub(crate) fn tags(&self) -> impl Iterator<Item = [u8; 3]> + '_ {
        self.fields.iter().map(|p| p.tag)
    }
}

impl<'a> Piece<'a> {
    /// A field a rule adds, borrowed until changed.
    pub(crate) fn added(field: &'a OwnedField) -> Self {
        Piece {
            tag: field.tag,
            body: Body::Added(&field.body),
        }
    }

    /// The content, owned from now on (pymarc's reading of odd indicators and
    /// empty subfields: see [`OwnedField::from_ref`]).
    pub(crate) fn owned(&mut self) -> &mut FieldBody {
        match &self.body {
            Body::Read(f) => self.body = Body::Owned(OwnedField::from_ref(f).body),
            Body::Added(b) => self.body = Body::Owned((*b).clone()),
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
            Body::Added(b) => matches!(b, FieldBody::Control(_)),
        }
    }

    /// The subfield codes and values, in order (none for a control field).
    pub(crate) fn for_each_subfield(&self, mut visit: impl FnMut(usize, u8, &[u8])) {
        match &self.body {
            Body::Read(f) => {
                for (i, s) in f.subfields().enumerate() {
                    visit(i, s.code, s.value);
                }
            }
            Body::Owned(FieldBody::Data { subfields, .. })
            | Body::Added(FieldBody::Data { subfields, .. }) => {
                for (i, s) in subfields.iter().enumerate() {
                    visit(i, s.code, &s.value);
                }
            }
            Body::Owned(FieldBody::Control(_)) | Body::Added(FieldBody::Control(_)) => {}
        }
    }

    /// The indicators (a data field's; blanks for what is missing).
    pub(crate) fn indicators(&self) -> Option<[u8; 2]> {
        match &self.body {
            Body::Read(f) if f.is_control() => None,
            Body::Read(f) => {
                let (a, b) = f.indicators();
                Some([a, b])
            }
            Body::Owned(FieldBody::Data { indicators, .. })
            | Body::Added(FieldBody::Data { indicators, .. }) => Some(*indicators),
            Body::Owned(FieldBody::Control(_)) | Body::Added(FieldBody::Control(_)) => None,
        }
    }

    /// A control field's data.
    pub(crate) fn control_data(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Read(f) if f.is_control() => Some(f.data()),
            Body::Read(_) => None,
            Body::Owned(FieldBody::Control(d)) | Body::Added(FieldBody::Control(d)) => Some(d),
            Body::Owned(FieldBody::Data { .. }) | Body::Added(FieldBody::Data { .. }) => None,
        }
    }
}
