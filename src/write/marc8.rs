//! ISO 2709 out in MARC-8.
//!
//! A record whose values the decoder reads as MARC-8 is written as it is
//! (byte for byte, unless Phase 2 repaired it: then re-serialised, as
//! [`super::iso2709`] does). Any other record (UTF-8, UTF-8 under a MARC-8
//! label, a legacy encoding) has every value decoded by the decoder and
//! encoded by [`crate::marc8::encode_into`], and LDR/09 becomes blank.
//! Characters MARC-8 lacks are written as `&#xHHHH;` and counted.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::write::marc8::to_marc8;
//! use marcmap::{OwnedRecord, RecordRef, TextDecoder};
//! let utf8 = OwnedRecord::builder()
//!     .data(*b"245", b'1', b'0')
//!     .subfield(b'a', "Caf\u{e9} \u{263A}")
//!     .build()
//!     .to_iso2709()?;
//! let (marc8, references) = to_marc8(&RecordRef::parse(&utf8)?, &TextDecoder::new())?;
//! assert_eq!(marc8.leader[9], b' ');
//! assert_eq!(marc8.fields[0].subfield(b'a'), Some(&b"Caf\xE2e &#x263A;"[..]));
//! assert_eq!(references, 1);
//! # Ok(()) }
//! ```

use crate::error::Result;
use crate::marc8::encode_into;
use crate::owned::{FieldBody, OwnedRecord};
use crate::record::RecordRef;
use crate::text::{Encoding, TextDecoder};

/// `record` with its values in MARC-8 and LDR/09 blank, and the number of
/// characters written as `&#xHHHH;` because MARC-8 lacks them. A record that
/// is MARC-8 already is copied as it is.
///
/// # Errors
///
/// A value that does not decode under the decoder's strict handling (see
/// [`OwnedRecord::from_ref_utf8`]).
pub fn to_marc8(record: &RecordRef<'_>, decoder: &TextDecoder) -> Result<(OwnedRecord, usize)> {
    if is_marc8(record, decoder) {
        return Ok((OwnedRecord::from_ref(record), 0));
    }
    let mut owned = OwnedRecord::from_ref_utf8(record, decoder)?;
    owned.leader[9] = b' ';
    let mut references = 0;
    let mut encoded = Vec::new();
    let mut encode = |value: &mut Vec<u8>| {
        // `from_ref_utf8` stored every value as a `String`'s bytes.
        let text = String::from_utf8_lossy(value);
        encoded.clear();
        references += encode_into(&text, &mut encoded);
        value.clear();
        value.extend_from_slice(&encoded);
    };
    for field in &mut owned.fields {
        match &mut field.body {
            FieldBody::Control(data) => encode(data),
            FieldBody::Data { subfields, .. } => {
                for subfield in subfields {
                    encode(&mut subfield.value);
                }
            }
        }
    }
    Ok((owned, references))
}

/// Appends `record` to `out` as MARC-8 ISO 2709 (see the module's rules);
/// returns the number of characters written as `&#xHHHH;`.
///
/// # Errors
///
/// As [`to_marc8`], and a record ISO 2709 cannot hold once encoded (MARC-8
/// can be longer than UTF-8: a field over 9,999 bytes).
pub fn write_ref(
    record: &RecordRef<'_>,
    decoder: &TextDecoder,
    out: &mut Vec<u8>,
) -> Result<usize> {
    if !record.repairs().is_empty() {
        let (owned, references) = to_marc8(record, decoder)?;
        owned.write_iso2709(out)?;
        return Ok(references);
    }
    if is_marc8(record, decoder) {
        out.extend_from_slice(record.as_bytes());
        return Ok(0);
    }
    // Most records are plain ASCII (no `&`): their MARC-8 is their bytes,
    // with LDR/09 blank.
    let bytes = record.as_bytes();
    if crate::marc8::is_plain(bytes.get(record.base_address()..).unwrap_or_default()) {
        let start = out.len();
        out.extend_from_slice(bytes);
        if let Some(b) = out.get_mut(start + 9) {
            *b = b' ';
        }
        return Ok(0);
    }
    let (owned, references) = to_marc8(record, decoder)?;
    owned.write_iso2709(out)?;
    Ok(references)
}

/// True when the decoder reads `record`'s values as MARC-8.
fn is_marc8(record: &RecordRef<'_>, decoder: &TextDecoder) -> bool {
    decoder.encoding_of(record) == Encoding::Marc8
}
