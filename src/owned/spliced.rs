//! Writing a record whose fields are partly as read and partly owned: what a
//! record edited in place becomes, where the fields no edit touched are still
//! the input's bytes. The serialiser is [`OwnedRecord::write_iso2709`]'s.

use super::{digits, FieldWriter, OwnedField, MAX_FIELD_LEN, MAX_RECORD_LEN};
use crate::error::Result;
use crate::layout::{DIRECTORY_ENTRY_LEN, FIELD_TERMINATOR, LEADER_LEN, RECORD_TERMINATOR};
use std::cell::RefCell;

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
    let fields: Vec<FieldSource<'a>> = fields.into_iter().collect();
    let written = SCRATCH.with(|w| match w.try_borrow_mut() {
        Ok(mut w) => write_direct(leader, &fields, &mut w, out),
        Err(_) => false,
    });
    if written {
        return Ok(());
    }
    // Something to refuse (or the scratch writer busy): the field-by-field
    // serialiser, whose error names the field.
    let mut w = FieldWriter::with_capacity(2048, fields.len());
    for field in fields {
        match field {
            // As the edit language's draft writes a field it did not change:
            // a control field's writer appends the bytes and the terminator.
            FieldSource::Read { tag, bytes } => w.control(tag, bytes),
            FieldSource::Owned(f) => w.body(f.tag, &f.body),
        }
    }
    w.finish(leader, out)
}

thread_local! {
    /// The owned fields' serialiser, reused from record to record.
    static SCRATCH: RefCell<FieldWriter> = RefCell::new(FieldWriter::default());
}

/// Writes the record straight into `out`, in one pass over the fields: the
/// owned fields serialised (and checked) by `w` first, then each field's
/// directory entry written in place and its bytes appended (the fields as read
/// copied once from the input), the leader's lengths last. `false`, with `out`
/// as it was, when anything is to be refused: the caller then writes it field
/// by field for the error.
fn write_direct(
    leader: &[u8; LEADER_LEN],
    fields: &[FieldSource<'_>],
    w: &mut FieldWriter,
    out: &mut Vec<u8>,
) -> bool {
    w.clear();
    for field in fields {
        if let FieldSource::Owned(f) = field {
            w.body(f.tag, &f.body);
        }
    }
    if w.check().is_err() {
        return false;
    }
    let start = out.len();
    let n = fields.len();
    let base = LEADER_LEN + n * DIRECTORY_ENTRY_LEN + 1;
    // The leader and the directory are written in place once the lengths are known.
    out.resize(start + base, 0);
    out[start + base - 1] = FIELD_TERMINATOR;
    let (mut offset, mut owned) = (0, 0);
    for (k, field) in fields.iter().enumerate() {
        let tag = match field {
            FieldSource::Read { tag, bytes } => {
                // The checks FieldWriter::control gives a field.
                if !tag.is_ascii()
                    || tag.iter().any(|b| (0x1D..=0x1F).contains(b))
                    || bytes.len() + 1 > MAX_FIELD_LEN
                {
                    out.truncate(start);
                    return false;
                }
                out.extend_from_slice(bytes);
                out.push(FIELD_TERMINATOR);
                *tag
            }
            FieldSource::Owned(f) => {
                out.extend_from_slice(w.field(owned));
                owned += 1;
                f.tag
            }
        };
        let length = out.len() - start - base - offset;
        let at = start + LEADER_LEN + k * DIRECTORY_ENTRY_LEN;
        let entry = &mut out[at..at + DIRECTORY_ENTRY_LEN];
        entry[..3].copy_from_slice(&tag);
        entry[3..7].copy_from_slice(&digits::<4>(length));
        entry[7..].copy_from_slice(&digits::<5>(offset));
        offset += length;
    }
    out.push(RECORD_TERMINATOR);
    let total = out.len() - start;
    if total > MAX_RECORD_LEN {
        out.truncate(start);
        return false;
    }
    let head = &mut out[start..start + LEADER_LEN];
    head[..5].copy_from_slice(&digits::<5>(total));
    head[5..12].copy_from_slice(&leader[5..12]);
    head[12..17].copy_from_slice(&digits::<5>(base));
    head[17..].copy_from_slice(&leader[17..]);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarcFile, RecordRef};
    use std::path::{Path, PathBuf};

    /// The field-by-field serialiser's output (or error) for `fields`.
    fn by_field(leader: &[u8; LEADER_LEN], fields: &[FieldSource<'_>]) -> Result<Vec<u8>> {
        let mut w = FieldWriter::default();
        for field in fields {
            match field {
                FieldSource::Read { tag, bytes } => w.control(*tag, bytes),
                FieldSource::Owned(f) => w.body(f.tag, &f.body),
            }
        }
        let mut out = Vec::new();
        w.finish(leader, &mut out).map(|()| out)
    }

    fn spliced(leader: &[u8; LEADER_LEN], fields: &[FieldSource<'_>]) -> Result<Vec<u8>> {
        let mut out = b"before".to_vec();
        let result = write_spliced(leader, fields.iter().copied(), &mut out);
        match result {
            Ok(()) => Ok(out.split_off(6)),
            Err(e) => {
                assert_eq!(out, b"before", "out changed on error");
                Err(e)
            }
        }
    }

    fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                fixtures(&path, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("mrc" | "bin")
            ) {
                out.push(path);
            }
        }
    }

    /// Every record of every fixture, written with every other field owned
    /// (and an 856 added): the direct path gives the field-by-field
    /// serialiser's bytes, or its error.
    #[test]
    fn direct_writing_is_the_field_by_field_serialiser() {
        let mut paths = Vec::new();
        fixtures(
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")),
            &mut paths,
        );
        let mut link = OwnedField::data(*b"856", b'4', b'0');
        link.push_subfield(b'u', "https://example.org/");
        let (mut written, mut refused) = (0, 0);
        for path in &paths {
            let file = MarcFile::from_bytes(std::fs::read(path).unwrap());
            for i in 0..file.len() {
                let Ok(h) = file.handle(i) else { continue };
                let view: RecordRef<'_> = file.record_at(&h);
                let owned: Vec<OwnedField> =
                    view.fields().map(|f| OwnedField::from_ref(&f)).collect();
                let mut fields: Vec<FieldSource<'_>> = view
                    .fields()
                    .zip(&owned)
                    .enumerate()
                    .map(|(k, (f, o))| match k % 2 {
                        0 => FieldSource::Read {
                            tag: *f.tag(),
                            bytes: f.data(),
                        },
                        _ => FieldSource::Owned(o),
                    })
                    .collect();
                fields.push(FieldSource::Owned(&link));
                let leader = view.leader().as_bytes();
                let (expected, got) = (by_field(leader, &fields), spliced(leader, &fields));
                match (&expected, &got) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a, b, "{} record {i}", path.display());
                        written += 1;
                    }
                    (Err(a), Err(b)) => {
                        assert_eq!(a.to_string(), b.to_string());
                        refused += 1;
                    }
                    _ => panic!("{} record {i}: {expected:?} vs {got:?}", path.display()),
                }
            }
        }
        assert!(written > 100, "{written} written");
        let _ = refused;
    }

    #[test]
    fn a_field_the_serialiser_refuses_is_named_as_before() {
        let mut bad = OwnedField::data(*b"245", b'0', b'0');
        bad.push_subfield(b'a', "a \x1f delimiter");
        let ok = OwnedField::control(*b"001", b"1".to_vec());
        let fields = [
            FieldSource::Read {
                tag: *b"001",
                bytes: b"x",
            },
            FieldSource::Owned(&ok),
            FieldSource::Owned(&bad),
        ];
        let leader = b"00000nam a2200000 a 4500";
        let expected = by_field(leader, &fields).unwrap_err();
        let got = spliced(leader, &fields).unwrap_err();
        assert_eq!(expected.to_string(), got.to_string());
        assert!(got.to_string().contains("245"), "{got}");
        let long = vec![b'x'; MAX_FIELD_LEN];
        let fields = [FieldSource::Read {
            tag: *b"500",
            bytes: &long,
        }];
        assert_eq!(
            by_field(leader, &fields).unwrap_err().to_string(),
            spliced(leader, &fields).unwrap_err().to_string()
        );
        // Fields that fit, a record that does not.
        let fields = [FieldSource::Read {
            tag: *b"500",
            bytes: &long[1..],
        }; 11];
        let expected = by_field(leader, &fields).unwrap_err();
        assert_eq!(
            expected.to_string(),
            spliced(leader, &fields).unwrap_err().to_string()
        );
        assert!(spliced(leader, &fields[..9]).is_ok());
    }
}
