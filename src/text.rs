//! Decoded text: the one place where marcmap decides how a record's bytes become
//! Unicode.
//!
//! A [`TextDecoder`] holds every decoding choice: whether LDR/09 is believed
//! (`force_utf8`), whether records labelled MARC-8 that hold UTF-8 are read as
//! UTF-8 (`detect_utf8`), a legacy file encoding (`file_encoding`, as pymarc
//! has), the MARC-8 options, and what to do with bytes that are not valid
//! ([`ErrorHandling`]). The Python accessors, the bulk work and the writers all
//! ask it, so that a value decodes the same everywhere.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::text::{Encoding, TextDecoder};
//! let raw = b"00056nam  2200037   4500245001800000\x1e10\x1faCaf\xe2e\x1fbpart\x1e\x1d".to_vec();
//! let file = marcmap::MarcFile::from_bytes(raw);
//! let record = file.record(0)?;
//! let text = record.text(&TextDecoder::new());
//! assert_eq!(text.encoding(), Encoding::Marc8);
//! let field = record.first(b"245").unwrap();
//! let title = field.subfields().next().unwrap();
//! assert_eq!(text.value(&field, title.value)?, "Caf\u{e9}");
//! # Ok(()) }
//! ```
//!
//! A value that does not decode is an [`Error`] of kind
//! [`ErrorKind::Decode`]: its position names the record, the field and the bad
//! byte, and its [`DecodeError`] carries the value's span in the record, so that
//! a caller can show the bytes without finding them again.

/// UTF-8 decoding with an error handling, and the handlings (from the private
/// `decode` module, a leaf that MARC-8 shares).
pub use crate::decode::{utf8, ErrorHandling};
pub use crate::encoding::{ByteTable, Encoding};
pub use crate::error::{DecodeError, DecodeReason};
use crate::error::{Error, ErrorKind, Position, Result};
use crate::marc8::{self, LigatureMapping, Marc8Options, Normalization};
use crate::record::{FieldRef, RecordRef};
use std::borrow::Cow;

/// Where a value sits, for the position of its decode error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValueAt {
    /// The record's index, where known.
    pub record: Option<u64>,
    /// The record's absolute byte offset, where known. Without it, error
    /// positions are relative to the record.
    pub record_offset: Option<u64>,
    /// The field's index in directory order.
    pub field: Option<u32>,
    /// Where the value starts, in bytes from the start of the record.
    pub start_in_record: usize,
}

/// Every choice about how record bytes become text.
///
/// The default is what pymarc 5.4 does by default: LDR/09 decides between
/// UTF-8 and MARC-8, invalid bytes are an error, and MARC-8 text comes out in
/// NFC. The MARC-8 ligature halves follow the Library of Congress mapping (see
/// [`LigatureMapping`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextDecoder {
    force_utf8: bool,
    detect_utf8: bool,
    file_encoding: Option<Encoding>,
    errors: ErrorHandling,
    /// MARC-8's own handling, where it differs from `errors`.
    marc8_errors: Option<ErrorHandling>,
    normalization: Normalization,
    ligatures: LigatureMapping,
}

/// A `file_encoding` name that no encoding answers to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown file encoding {0:?}: give MARC-8, UTF-8, Latin-1 or a WHATWG label such as 'windows-1251' or 'iso-8859-5'")]
pub struct UnknownEncoding(pub String);

impl TextDecoder {
    /// pymarc's defaults: see the type's documentation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Treat every record as UTF-8, whatever LDR/09 says.
    pub fn force_utf8(mut self, on: bool) -> Self {
        self.force_utf8 = on;
        self
    }

    /// Read records that say MARC-8 but hold UTF-8 as UTF-8 ([`Encoding::DetectedUtf8`]).
    pub fn detect_utf8(mut self, on: bool) -> Self {
        self.detect_utf8 = on;
        self
    }

    /// What to do with bytes that are not valid in the record's encoding.
    pub fn errors(mut self, errors: ErrorHandling) -> Self {
        self.errors = errors;
        self
    }

    /// What to do with bytes that are not valid MARC-8, where that should differ
    /// from [`TextDecoder::errors`] (pymarc decodes bad MARC-8 leniently but
    /// refuses bad UTF-8).
    pub fn marc8_errors(mut self, errors: ErrorHandling) -> Self {
        self.marc8_errors = Some(errors);
        self
    }

    /// The normalisation form of MARC-8 text.
    pub fn marc8_normalization(mut self, form: Normalization) -> Self {
        self.normalization = form;
        self
    }

    /// How the MARC-8 ligature and double-tilde halves are mapped.
    pub fn marc8_ligatures(mut self, ligatures: LigatureMapping) -> Self {
        self.ligatures = ligatures;
        self
    }

    /// The encoding of records that LDR/09 says are not UTF-8, as pymarc's
    /// `file_encoding`. `None` (the default) means MARC-8.
    pub fn file_encoding(mut self, encoding: Option<Encoding>) -> Self {
        self.file_encoding = encoding.filter(|e| *e != Encoding::Marc8);
        self
    }

    /// The encoding a `file_encoding` name means, pymarc's way: `iso8859-1`
    /// (pymarc's default spelling) and `marc-8` mean MARC-8; `utf-8` means
    /// UTF-8; `latin-1`, `latin1`, `iso-8859-1`, `l1` mean true Latin-1; any
    /// other name is looked up as a WHATWG label (`cp1251`, `windows-1251`,
    /// `iso8859-5`, `koi8-r`, ...).
    ///
    /// ```
    /// use marcmap::text::{Encoding, TextDecoder};
    /// assert_eq!(TextDecoder::encoding_for_name("iso8859-1").unwrap(), Encoding::Marc8);
    /// assert_eq!(TextDecoder::encoding_for_name("latin-1").unwrap(), Encoding::Latin1);
    /// assert_eq!(
    ///     TextDecoder::encoding_for_name("cp1251").unwrap(),
    ///     Encoding::Legacy(encoding_rs::WINDOWS_1251)
    /// );
    /// assert!(TextDecoder::encoding_for_name("klingon").is_err());
    /// ```
    pub fn encoding_for_name(name: &str) -> std::result::Result<Encoding, UnknownEncoding> {
        let folded: String = name
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match folded.as_str() {
            // pymarc's own default, which it takes to mean MARC-8.
            "iso88591" if name.trim() == "iso8859-1" => return Ok(Encoding::Marc8),
            "marc8" | "marc" | "ansel" => return Ok(Encoding::Marc8),
            "utf8" | "utf" => return Ok(Encoding::Utf8),
            "latin1" | "l1" | "iso88591" | "8859" | "cp819" | "iso8859" => {
                return Ok(Encoding::Latin1)
            }
            _ => {}
        }
        let label = name.trim();
        let found = encoding_rs::Encoding::for_label(label.as_bytes())
            // Python spells some encodings without the hyphen WHATWG wants.
            .or_else(|| encoding_rs::Encoding::for_label(python_alias(&folded)?.as_bytes()));
        match found {
            Some(e) if e == encoding_rs::UTF_8 => Ok(Encoding::Utf8),
            Some(e)
                if e != encoding_rs::REPLACEMENT
                    && e != encoding_rs::UTF_16BE
                    && e != encoding_rs::UTF_16LE =>
            {
                Ok(Encoding::Legacy(e))
            }
            _ => Err(UnknownEncoding(name.to_string())),
        }
    }

    /// The error handling in force.
    pub fn error_handling(&self) -> ErrorHandling {
        self.errors
    }

    /// The MARC-8 options in force.
    pub fn marc8_options(&self) -> Marc8Options {
        Marc8Options {
            errors: self.marc8_errors.unwrap_or(self.errors),
            normalization: self.normalization,
            ligatures: self.ligatures,
        }
    }

    /// Whether `force_utf8` is on.
    pub fn forces_utf8(&self) -> bool {
        self.force_utf8
    }

    /// Whether `detect_utf8` is on.
    pub fn detects_utf8(&self) -> bool {
        self.detect_utf8
    }

    /// The legacy file encoding, if one is set (`None` means MARC-8).
    pub fn legacy_encoding(&self) -> Option<Encoding> {
        self.file_encoding
    }

    /// The same decoder with strict error handling for every encoding: for validation.
    pub fn strict(mut self) -> Self {
        self.errors = ErrorHandling::Strict;
        self.marc8_errors = None;
        self
    }

    /// The encoding of `record`'s values. Reads the whole record only when
    /// `detect_utf8` is on and the record is labelled MARC-8.
    pub fn encoding_of(&self, record: &RecordRef<'_>) -> Encoding {
        if record.leader().is_utf8() || self.force_utf8 {
            return Encoding::Utf8;
        }
        if let Some(e) = self.file_encoding {
            return e;
        }
        if self.detect_utf8 && record.is_mislabelled_utf8() {
            return Encoding::DetectedUtf8;
        }
        Encoding::Marc8
    }

    /// Decodes `value` from `encoding`. Pure Rust, safe without the GIL.
    ///
    /// The error's position is `at`; its [`DecodeError`] says what was wrong
    /// and where the value is.
    pub fn decode<'v>(
        &self,
        value: &'v [u8],
        encoding: Encoding,
        at: ValueAt,
    ) -> Result<Cow<'v, str>> {
        self.decode_value(value, encoding)
            .map_err(|(offset, reason)| self.error(value, encoding, reason, offset, at, false))
    }

    /// [`TextDecoder::decode`], appending to `out` (whose earlier contents stay).
    pub fn decode_into(
        &self,
        value: &[u8],
        encoding: Encoding,
        at: ValueAt,
        out: &mut String,
    ) -> Result<()> {
        if encoding == Encoding::Marc8 {
            let before = out.len();
            return marc8::decode_into(value, &self.marc8_options(), out).map_err(|e| {
                out.truncate(before);
                self.error(
                    value,
                    encoding,
                    DecodeReason::Marc8(e.kind),
                    e.offset,
                    at,
                    false,
                )
            });
        }
        out.push_str(&self.decode(value, encoding, at)?);
        Ok(())
    }

    /// The decoded text, or the bad byte's offset in `value` and what was wrong.
    fn decode_value<'v>(
        &self,
        value: &'v [u8],
        encoding: Encoding,
    ) -> std::result::Result<Cow<'v, str>, (usize, DecodeReason)> {
        match encoding {
            Encoding::Utf8 | Encoding::DetectedUtf8 => crate::decode::utf8(value, self.errors)
                .map_err(|offset| (offset, DecodeReason::InvalidUtf8)),
            Encoding::Marc8 => marc8::decode_cow(value, &self.marc8_options())
                .map_err(|e| (e.offset, DecodeReason::Marc8(e.kind))),
            Encoding::Latin1 => Ok(latin1(value)),
            Encoding::Legacy(e) => {
                legacy(value, e, self.errors).map_err(|offset| (offset, DecodeReason::Unmappable))
            }
            Encoding::Table(t) => t
                .decode(value, self.errors)
                .map_err(|offset| (offset, DecodeReason::Unmappable)),
        }
    }

    fn error(
        &self,
        value: &[u8],
        encoding: Encoding,
        reason: DecodeReason,
        offset: usize,
        at: ValueAt,
        utf8_under_marc8: bool,
    ) -> Error {
        let kind = ErrorKind::Decode(DecodeError {
            encoding,
            reason,
            value_start: at.start_in_record,
            value_len: value.len(),
            offset_in_value: offset,
            utf8_under_marc8,
        });
        let byte = (at.start_in_record + offset) as u64;
        let pos = Position {
            record: at.record,
            record_offset: at.record_offset,
            byte: Some(at.record_offset.map_or(byte, |o| o + byte)),
            field: at.field,
        };
        Error::new(kind, pos)
    }

    /// The text of a record, decoded with this decoder: see [`RecordText`].
    pub fn record<'a>(&self, record: &RecordRef<'a>) -> RecordText<'a> {
        RecordText {
            decoder: *self,
            encoding: self.encoding_of(record),
            record: record.clone(),
        }
    }
}

// `RecordRef::text` is defined here, with the decoder it calls: the record module
// holds bytes and knows nothing of decoding.
impl<'a> RecordRef<'a> {
    /// The record's text, decoded by `decoder`: see [`crate::text`].
    pub fn text(&self, decoder: &TextDecoder) -> RecordText<'a> {
        decoder.record(self)
    }
}

/// Python codec names that WHATWG spells otherwise.
fn python_alias(folded: &str) -> Option<String> {
    if let Some(n) = folded.strip_prefix("cp").filter(|n| n.len() == 4) {
        return Some(format!("windows-{n}"));
    }
    if let Some(n) = folded.strip_prefix("iso8859") {
        return Some(format!("iso-8859-{n}"));
    }
    if let Some(n) = folded.strip_prefix("koi8") {
        return Some(format!("koi8-{n}"));
    }
    None
}

/// Latin-1: every byte is the code point of the same number. ASCII is borrowed.
fn latin1(value: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(value) {
        Ok(s) if value.is_ascii() => Cow::Borrowed(s),
        _ => Cow::Owned(value.iter().map(|&b| b as char).collect()),
    }
}

/// A legacy encoding through encoding_rs, with pymarc's error handling.
fn legacy<'v>(
    value: &'v [u8],
    encoding: &'static encoding_rs::Encoding,
    errors: ErrorHandling,
) -> std::result::Result<Cow<'v, str>, usize> {
    if value.is_ascii() && encoding.is_ascii_compatible() {
        return Ok(Cow::Borrowed(
            std::str::from_utf8(value).unwrap_or_default(),
        ));
    }
    if errors == ErrorHandling::Replace {
        return Ok(Cow::Owned(
            encoding.decode_without_bom_handling(value).0.into_owned(),
        ));
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(value.len())
            .unwrap_or(value.len() * 3),
    );
    let mut read = 0;
    loop {
        let (result, n) =
            decoder.decode_to_string_without_replacement(&value[read..], &mut out, true);
        read += n;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return Ok(Cow::Owned(out)),
            encoding_rs::DecoderResult::OutputFull => {
                out.reserve(value.len().max(16));
            }
            encoding_rs::DecoderResult::Malformed(bad, extra) => {
                if errors == ErrorHandling::Strict {
                    return Err(read - bad as usize - extra as usize);
                }
                // Ignore: the bad bytes are dropped and decoding goes on.
            }
        }
    }
}

/// A record's text: the record, its [`Encoding`] (decided once), and a decoder.
///
/// Made by [`RecordRef::text`] or [`TextDecoder::record`].
#[derive(Debug, Clone)]
pub struct RecordText<'a> {
    decoder: TextDecoder,
    encoding: Encoding,
    record: RecordRef<'a>,
}

impl<'a> RecordText<'a> {
    /// The encoding the record's values are decoded from.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The decoder.
    pub fn decoder(&self) -> &TextDecoder {
        &self.decoder
    }

    /// Where `value`, a part of `field`, sits in the record.
    fn at(&self, field: &FieldRef<'a>, value: &[u8]) -> ValueAt {
        ValueAt {
            record: self.record.index(),
            record_offset: self.record.offset(),
            field: Some(field.index() as u32),
            start_in_record: field
                .offset_of(value)
                .or_else(|| self.record.offset_of(value))
                .unwrap_or(field.offset_in_record()),
        }
    }

    /// Decodes `value`, which is a part of `field` (its data, or a subfield value).
    pub fn value(&self, field: &FieldRef<'a>, value: &'a [u8]) -> Result<Cow<'a, str>> {
        let at = self.at(field, value);
        self.decoder
            .decode(value, self.encoding, at)
            .map_err(|e| self.with_hint(e, value))
    }

    /// [`RecordText::value`], appending to `out`.
    pub fn value_into(&self, field: &FieldRef<'a>, value: &[u8], out: &mut String) -> Result<()> {
        let at = self.at(field, value);
        self.decoder
            .decode_into(value, self.encoding, at, out)
            .map_err(|e| self.with_hint(e, value))
    }

    /// A control field's data (or a data field's whole bytes), decoded.
    pub fn data(&self, field: &FieldRef<'a>) -> Result<Cow<'a, str>> {
        self.value(field, field.data())
    }

    /// Decodes every value of the record; the first that fails is the error.
    ///
    /// A UTF-8 record whose whole data area is valid UTF-8 passes without a
    /// value-by-value walk: the delimiters are ASCII, so no value can then be
    /// invalid. So does a MARC-8 record whose handling cannot fail.
    pub fn check(&self) -> Result<()> {
        self.check_data().map(|_| ())
    }

    /// [`RecordText::check`], giving the data area as text when the check
    /// found it all valid UTF-8 on the way (a UTF-8 record checked strictly):
    /// a caller that wants that text need not validate it again.
    pub(crate) fn check_data(&self) -> Result<Option<&'a str>> {
        let data = self.data_area();
        let cannot_fail = match self.encoding {
            // simdutf8's validator: several times std's on real catalogue text,
            // which is mostly but not all ASCII.
            Encoding::Utf8 | Encoding::DetectedUtf8 => {
                if self.decoder.errors != ErrorHandling::Strict {
                    true
                } else if let Ok(text) = simdutf8::basic::from_utf8(data) {
                    return Ok(Some(text));
                } else {
                    false
                }
            }
            Encoding::Marc8 => self.decoder.marc8_options().errors != ErrorHandling::Strict,
            Encoding::Latin1 => true,
            Encoding::Legacy(_) | Encoding::Table(_) => {
                self.decoder.errors != ErrorHandling::Strict
            }
        };
        if cannot_fail {
            return Ok(None);
        }
        let mut scratch = String::new();
        for field in self.record.fields() {
            if field.is_control() {
                scratch.clear();
                self.value_into(&field, field.data(), &mut scratch)?;
                continue;
            }
            for sf in field.subfields() {
                scratch.clear();
                self.value_into(
                    &field,
                    crate::subfield_code::value(sf.code, sf.value),
                    &mut scratch,
                )?;
            }
        }
        Ok(None)
    }

    /// The record's data area (its fields, without the record terminator):
    /// every value lies in it, between ASCII delimiters.
    pub(crate) fn data_area(&self) -> &'a [u8] {
        let bytes = self.record.as_bytes();
        bytes
            .get(self.record.base_address()..bytes.len().saturating_sub(1))
            .unwrap_or_default()
    }

    /// A MARC-8 error in a record whose bytes are UTF-8 says so.
    fn with_hint(&self, e: Error, value: &[u8]) -> Error {
        let hint = self.encoding == Encoding::Marc8
            && matches!(e.kind(), ErrorKind::Decode(d) if matches!(d.reason, DecodeReason::Marc8(_)))
            && marc8::looks_like_utf8(value)
            && self.record.is_mislabelled_utf8();
        if !hint {
            return e;
        }
        let pos = e.position();
        match e.into_kind() {
            ErrorKind::Decode(mut d) => {
                d.utf8_under_marc8 = true;
                Error::new(ErrorKind::Decode(d), pos)
            }
            kind => Error::new(kind, pos),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(leader_09: u8, value: &[u8]) -> Vec<u8> {
        let field_len = value.len() + 4;
        let total = 37 + field_len + 1;
        let mut out = format!("{total:05}nam {}2200037 a 4500", leader_09 as char).into_bytes();
        out.extend(format!("245{field_len:04}00000\x1e").bytes());
        out.extend(b"10\x1fa");
        out.extend(value);
        out.extend(b"\x1e\x1d");
        out
    }

    fn first_value(raw: &[u8], decoder: TextDecoder) -> Result<String> {
        let file = crate::MarcFile::from_bytes(raw.to_vec());
        let r = file.record(0)?;
        let text = r.text(&decoder);
        let f = r.field(0).unwrap();
        let v = f.subfields().next().unwrap().value;
        text.value(&f, v).map(|c| c.into_owned())
    }

    #[test]
    fn ldr09_decides_and_force_utf8_overrides() {
        let cafe = "caf\u{e9}".as_bytes();
        assert_eq!(
            first_value(&record(b'a', cafe), TextDecoder::new()).unwrap(),
            "café"
        );
        assert_eq!(
            first_value(&record(b' ', b"caf\xe2e"), TextDecoder::new()).unwrap(),
            "café"
        );
        assert_eq!(
            first_value(&record(b' ', cafe), TextDecoder::new().force_utf8(true)).unwrap(),
            "café"
        );
        assert_eq!(
            first_value(&record(b' ', cafe), TextDecoder::new().detect_utf8(true)).unwrap(),
            "café"
        );
    }

    #[test]
    fn errors_name_each_position_once_and_carry_the_span() {
        // UTF-8 Cyrillic under a MARC-8 leader: 0xD0 is not an ANSEL character.
        let raw = record(b' ', "Мир".as_bytes());
        let e = first_value(&raw, TextDecoder::new()).unwrap_err();
        let d = e.decode_error().unwrap();
        assert_eq!(d.encoding, Encoding::Marc8);
        assert_eq!(d.value_start, 37 + 4);
        assert_eq!(d.value_len, 6);
        let value = &raw[d.value_start..d.value_start + d.value_len];
        assert_eq!(value, "Мир".as_bytes());
        assert!(d.utf8_under_marc8);
        let pos = e.position();
        assert_eq!(
            (pos.record, pos.record_offset, pos.field),
            (Some(0), Some(0), Some(0))
        );
        assert_eq!(pos.byte, Some((d.value_start + d.offset_in_value) as u64));
        let msg = e.to_string();
        assert!(
            msg.starts_with(
                "record 0 (byte 0), field 0 at byte 41: invalid MARC-8 (byte 0xD0 is not"
            ),
            "{msg}"
        );
        assert!(msg.contains("detect_utf8=True"), "{msg}");
    }

    #[test]
    fn invalid_utf8_follows_error_handling() {
        let raw = record(b'a', b"a\xffb");
        let e = first_value(&raw, TextDecoder::new()).unwrap_err();
        assert_eq!(e.decode_error().unwrap().reason, DecodeReason::InvalidUtf8);
        assert_eq!(e.decode_error().unwrap().offset_in_value, 1);
        let replaced = TextDecoder::new().errors(ErrorHandling::Replace);
        assert_eq!(first_value(&raw, replaced).unwrap(), "a\u{fffd}b");
        let ignored = TextDecoder::new().errors(ErrorHandling::Ignore);
        assert_eq!(first_value(&raw, ignored).unwrap(), "ab");
    }

    #[test]
    fn legacy_file_encodings() {
        let cp1251 = TextDecoder::encoding_for_name("cp1251").unwrap();
        let d = TextDecoder::new().file_encoding(Some(cp1251));
        // "Мир" in Windows-1251.
        assert_eq!(
            first_value(&record(b' ', b"\xcc\xe8\xf0"), d).unwrap(),
            "Мир"
        );
        // LDR/09 'a' still wins.
        assert_eq!(
            first_value(&record(b'a', "Мир".as_bytes()), d).unwrap(),
            "Мир"
        );
        let l1 = TextDecoder::new().file_encoding(Some(Encoding::Latin1));
        assert_eq!(
            first_value(&record(b' ', b"caf\xe9\x80"), l1).unwrap(),
            "café\u{80}"
        );
        let iso5 = TextDecoder::encoding_for_name("iso8859-5").unwrap();
        assert_eq!(iso5, Encoding::Legacy(encoding_rs::ISO_8859_5));
        // ISO 8859-3 leaves 0xA5 unmapped.
        let iso3 = TextDecoder::encoding_for_name("iso-8859-3").unwrap();
        let d = TextDecoder::new().file_encoding(Some(iso3));
        let e = first_value(&record(b' ', b"ab\xa5"), d).unwrap_err();
        assert_eq!(e.decode_error().unwrap().reason, DecodeReason::Unmappable);
        assert_eq!(e.decode_error().unwrap().offset_in_value, 2);
        let ignore = d.errors(ErrorHandling::Ignore);
        let replace = d.errors(ErrorHandling::Replace);
        let bad = record(b' ', b"ab\xa5c");
        assert_eq!(first_value(&bad, ignore).unwrap(), "abc");
        assert_eq!(first_value(&bad, replace).unwrap(), "ab\u{fffd}c");
    }

    #[test]
    fn byte_tables_decode_and_are_interned() {
        let mut chars = [None; 256];
        for b in 0..128u8 {
            chars[b as usize] = Some(b as char);
        }
        chars[0xE9] = Some('é');
        let t = ByteTable::interned("test-table", chars);
        assert!(std::ptr::eq(t, ByteTable::interned("test-table", chars)));
        let d = TextDecoder::new().file_encoding(Some(Encoding::Table(t)));
        assert_eq!(first_value(&record(b' ', b"caf\xe9"), d).unwrap(), "café");
        let e = first_value(&record(b' ', b"ab\xff"), d).unwrap_err();
        assert_eq!(e.decode_error().unwrap().offset_in_value, 2);
        assert_eq!(Encoding::Table(t).name(), "test-table");
    }

    #[test]
    fn standalone_values_have_relative_positions() {
        let e = TextDecoder::new()
            .decode(b"ab\x1b(Zc", Encoding::Marc8, ValueAt::default())
            .unwrap_err();
        assert_eq!(e.position().byte, Some(2));
        assert_eq!(e.position().record, None);
        assert_eq!(
            e.to_string(),
            "at byte 2: invalid MARC-8 (unknown escape sequence)"
        );
    }
}
