//! What the checks share: the MARC terminators and the framing oracles, written
//! out plainly (the framing rule by hand, in the style of memchr's reference
//! implementations). Used by the `index` and `file` checks (`index.rs`,
//! `file.rs`); the `record` and `differential` checks use the terminators.

pub const RT: u8 = 0x1D;
pub const FT: u8 = 0x1E;
pub const SD: u8 = 0x1F;
pub const MIN_RECORD_LEN: usize = 26;

/// Five ASCII digits at the start of `b`.
pub fn oracle_declared(b: &[u8]) -> Option<usize> {
    let d = b.get(..5)?;
    if d.iter().all(u8::is_ascii_digit) {
        Some(d.iter().fold(0, |n, &c| n * 10 + (c - b'0') as usize))
    } else {
        None
    }
}

/// Where the fields of `record` end by its own leader and directory (the base
/// address plus the furthest `start + length` of any entry), written out plainly;
/// `None` if the base address or an entry is not digits.
pub fn oracle_fields_end(record: &[u8]) -> Option<usize> {
    let base = oracle_declared(record.get(12..)?)?;
    let directory = record.get(24..base.checked_sub(1)?)?;
    let mut end = 0;
    for entry in directory.chunks(12) {
        let length = oracle_declared(&[b"0", entry.get(3..7)?].concat())?;
        let start = oracle_declared(entry.get(7..12)?)?;
        end = end.max(start + length);
    }
    Some(base + end)
}

/// The span of an indexed record, written out plainly: a record that lenient
/// framing recovered runs up to and including the next 0x1D; every other record
/// is exactly its declared length.
pub fn oracle_span(data: &[u8], start: usize, recovered: bool) -> Option<usize> {
    let rest = data.get(start..)?;
    if recovered {
        rest.iter().position(|&b| b == RT).map(|e| e + 1)
    } else {
        oracle_declared(rest).filter(|&l| l >= MIN_RECORD_LEN && l <= rest.len())
    }
}
