//! ISO 2709 out.
//!
//! A record read from a file is written as its bytes, byte for byte, unless
//! Phase 2 had to repair it (its directory did not match its data): then it is
//! re-serialised through [`OwnedRecord`], with a leader and directory computed
//! from its fields, so the output is always valid ISO 2709. With `to_utf8`, a
//! record that is not UTF-8 (MARC-8, a legacy encoding, or UTF-8 under a MARC-8
//! label) is decoded and written as UTF-8 with LDR/09 `a`
//! ([`OwnedRecord::from_ref_utf8`]); a record already labelled UTF-8 whose
//! bytes are valid UTF-8 is kept as it is.

use crate::error::Result;
use crate::owned::OwnedRecord;
use crate::record::RecordRef;
use crate::text::TextDecoder;

/// Appends `record` to `out` as ISO 2709 (see the module's rules).
pub fn write_ref(
    record: &RecordRef<'_>,
    to_utf8: bool,
    decoder: &TextDecoder,
    out: &mut Vec<u8>,
) -> Result<()> {
    let repaired = !record.repairs().is_empty();
    if !to_utf8 {
        if repaired {
            return OwnedRecord::from_ref(record).write_iso2709(out);
        }
        out.extend_from_slice(record.as_bytes());
        return Ok(());
    }
    if !repaired && record.leader().is_utf8() && std::str::from_utf8(data(record)).is_ok() {
        out.extend_from_slice(record.as_bytes());
        return Ok(());
    }
    OwnedRecord::from_ref_utf8(record, decoder)?.write_iso2709(out)
}

/// The record's fields: from the base address to before the terminator.
fn data<'a>(record: &RecordRef<'a>) -> &'a [u8] {
    let bytes = record.as_bytes();
    bytes
        .get(record.base_address()..bytes.len().saturating_sub(1))
        .unwrap_or_default()
}
