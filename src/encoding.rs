//! The encodings a record's values are decoded from: [`Encoding`], re-exported
//! by [`crate::text`], whose [`TextDecoder`](crate::text::TextDecoder) decides
//! each record's and decodes its values.

use crate::decode::ErrorHandling;
use std::borrow::Cow;

/// The encoding a record's values are decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8, as LDR/09 `a` says (or as `force_utf8` or a UTF-8 file encoding says).
    Utf8,
    /// UTF-8 in a record whose LDR/09 says MARC-8, read as UTF-8 because
    /// `detect_utf8` is on and the bytes are UTF-8 (see
    /// [`RecordRef::is_mislabelled_utf8`](crate::record::RecordRef::is_mislabelled_utf8)).
    DetectedUtf8,
    /// MARC-8, the MARC 21 default (LDR/09 blank).
    Marc8,
    /// ISO 8859-1 (Latin-1), every byte its own code point, as Python's `latin-1`.
    Latin1,
    /// Another legacy encoding, such as Windows-1251 or ISO 8859-5, named by a
    /// WHATWG label (`file_encoding`).
    Legacy(&'static encoding_rs::Encoding),
    /// A single-byte encoding given as a table of its 256 characters (how the
    /// Python bindings give Python's own codecs, exactly as pymarc decodes).
    Table(&'static ByteTable),
}

/// A single-byte encoding as a table: each byte's character, or `None` for a
/// byte the encoding leaves unmapped.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ByteTable {
    name: String,
    chars: [Option<char>; 256],
    /// Whether bytes 0x00-0x7F are themselves: ASCII values are then borrowed.
    ascii_identity: bool,
}

impl ByteTable {
    /// The table named `name` with `chars`, made once per process: tables are
    /// interned by name (and leaked, a kilobyte each), so that an [`Encoding`]
    /// stays a `Copy` value.
    pub fn interned(name: &str, chars: [Option<char>; 256]) -> &'static ByteTable {
        static TABLES: std::sync::Mutex<Vec<&'static ByteTable>> =
            std::sync::Mutex::new(Vec::new());
        let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = tables.iter().find(|t| t.name == name && t.chars == chars) {
            return t;
        }
        let ascii_identity = (0..128u8).all(|b| chars[b as usize] == Some(b as char));
        let table = Box::leak(Box::new(ByteTable {
            name: name.to_string(),
            chars,
            ascii_identity,
        }));
        tables.push(table);
        table
    }

    /// The encoding's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Decodes `value`: the first unmapped byte's offset is the error under
    /// strict handling.
    pub(crate) fn decode<'v>(
        &self,
        value: &'v [u8],
        errors: ErrorHandling,
    ) -> std::result::Result<Cow<'v, str>, usize> {
        if self.ascii_identity && value.is_ascii() {
            return Ok(Cow::Borrowed(
                std::str::from_utf8(value).unwrap_or_default(),
            ));
        }
        let mut out = String::with_capacity(value.len() * 2);
        for (i, &b) in value.iter().enumerate() {
            match (self.chars[b as usize], errors) {
                (Some(c), _) => out.push(c),
                (None, ErrorHandling::Strict) => return Err(i),
                (None, ErrorHandling::Replace) => out.push('\u{fffd}'),
                (None, ErrorHandling::Ignore) => {}
            }
        }
        Ok(Cow::Owned(out))
    }
}

impl Encoding {
    /// Its name, as [`crate::text`] reports it: `utf-8`, `utf-8-detected`,
    /// `marc-8`, `iso-8859-1`, or the legacy encoding's WHATWG name in lower case.
    pub fn name(&self) -> Cow<'static, str> {
        match self {
            Encoding::Utf8 => "utf-8".into(),
            Encoding::DetectedUtf8 => "utf-8-detected".into(),
            Encoding::Marc8 => "marc-8".into(),
            Encoding::Latin1 => "iso-8859-1".into(),
            Encoding::Legacy(e) => e.name().to_ascii_lowercase().into(),
            Encoding::Table(t) => t.name.clone().into(),
        }
    }

    /// Whether values are UTF-8 (labelled or detected).
    pub fn is_utf8(&self) -> bool {
        matches!(self, Encoding::Utf8 | Encoding::DetectedUtf8)
    }
}
