//! Writing a record whose fields are partly as read and partly owned: what a
//! record edited in place becomes, where the fields no edit touched are still
//! the input's bytes. The serialiser is [`OwnedRecord::write_iso2709`]'s.

use super::{FieldBody, FieldWriter, OwnedField};
use crate::error::Result;
use crate::layout::LEADER_LEN;

/// One field of a record to write.
#[derive(Debug, Clone, Copy)]
pub enum FieldSource<'a> {
    /// A field as read: its tag and its bytes (indicators, delimiters and
    /// values; no terminator), written as they are.
    Read {
        /// The tag.
        tag: [u8; 3],
        /// The field's bytes, without the terminator.
        bytes: &'a [u8],
    },
    /// An owned field, serialised (and checked) as [`OwnedRecord::write_iso2709`] does.
    ///
    /// [`OwnedRecord::write_iso2709`]: super::OwnedRecord::write_iso2709
    Owned(&'a OwnedField),
}

/// Appends a record of `leader` and `fields` to `out` as ISO 2709, its
/// leader's lengths and its directory computed; on error (a record over
/// 99,999 bytes, a field ISO 2709 cannot hold) `out` is as it was.
///
/// ```
/// # fn main() -> marcmap::Result<()> {
/// use marcmap::{write_spliced, FieldSource, OwnedField, RecordRef};
/// let read = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";
/// let record = RecordRef::parse(read)?;
/// let f001 = record.field(0).unwrap();
/// let mut link = OwnedField::data(*b"856", b'4', b'0');
/// link.push_subfield(b'u', "https://example.org/");
/// let mut out = Vec::new();
/// write_spliced(
///     record.leader().as_bytes(),
///     [
///         FieldSource::Read { tag: *f001.tag(), bytes: f001.data() },
///         FieldSource::Owned(&link),
///     ],
///     &mut out,
/// )?;
/// let written = RecordRef::parse(&out)?;
/// assert_eq!(written.control_number(), Some(&b"123"[..]));
/// assert_eq!(written.field(1).unwrap().subfield(b'u'), Some(&b"https://example.org/"[..]));
/// # Ok(()) }
/// ```
pub fn write_spliced<'a>(
    leader: &[u8; LEADER_LEN],
    fields: impl IntoIterator<Item = FieldSource<'a>>,
    out: &mut Vec<u8>,
) -> Result<()> {
    let fields = fields.into_iter();
    let mut w = FieldWriter::with_capacity(2048, fields.size_hint().0);
    for field in fields {
        match field {
            // As the edit language's draft writes a field it did not change:
            // a control field's writer appends the bytes and the terminator.
            FieldSource::Read { tag, bytes } => w.control(tag, bytes),
            FieldSource::Owned(f) => match &f.body {
                FieldBody::Control(data) => w.control(f.tag, data),
                FieldBody::Data {
                    indicators,
                    subfields,
                } => {
                    w.start_data(f.tag, indicators[0], indicators[1]);
                    for s in subfields {
                        w.subfield(s.code, &s.value);
                    }
                    w.end_data();
                }
            },
        }
    }
    w.finish(leader, out)
}
