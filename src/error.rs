//! One error type for the whole crate: a boxed kind plus a position.
//!
//! The kind is boxed so that `Result<T, Error>` stays two words wide in hot loops;
//! errors are rare, records are not. Every error says where it happened: the
//! record index, the absolute byte offset in the file, and the field where one
//! applies. The type is `Send + Sync + 'static`, so it can travel out of worker
//! threads and out of GIL-free sections unchanged.
//!
//! The errors an [`ErrorKind`] carries are defined here too ([`DecodeError`],
//! [`SidecarProblem`]) and re-exported where they arise ([`crate::text`],
//! [`crate::sidecar`]): this module names only what describes a failure (an
//! encoding, a format, a compression), never a module that can fail.

use crate::encoding::Encoding;
use crate::marc8::Marc8ErrorKind;
use std::fmt;
use std::path::Path;

/// Where an error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Position {
    /// The index of the record in the file (0-based), where known.
    pub record: Option<u64>,
    /// The absolute byte offset where that record starts, where known.
    pub record_offset: Option<u64>,
    /// The absolute byte offset of the failing byte, where known.
    pub byte: Option<u64>,
    /// The index of the field in directory order (0-based), where one applies.
    pub field: Option<u32>,
}

impl Position {
    /// A position at a byte offset, with no record known yet.
    pub fn at_byte(byte: u64) -> Self {
        Position {
            byte: Some(byte),
            ..Position::default()
        }
    }
}

/// Names each position once: `record 2 (byte 4435), field 12 at byte 5434`, or
/// `record 2 at byte 4435` when the failing byte is where the record starts.
impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::with_capacity(2);
        // The record's start, unless it is the failing byte itself.
        let start = self.record_offset.filter(|&o| Some(o) != self.byte);
        match (self.record, start) {
            (Some(r), Some(o)) => parts.push(format!("record {r} (byte {o})")),
            (Some(r), None) => parts.push(format!("record {r}")),
            (None, Some(o)) => parts.push(format!("record at byte {o}")),
            (None, None) => {}
        }
        let at = match (self.field, self.byte) {
            (Some(i), Some(b)) => Some(format!("field {i} at byte {b}")),
            (Some(i), None) => Some(format!("field {i}")),
            (None, Some(b)) => Some(format!("at byte {b}")),
            (None, None) => None,
        };
        match (parts.pop(), at) {
            (Some(r), Some(at)) if self.field.is_some() => write!(f, "{r}, {at}"),
            (Some(r), Some(at)) => write!(f, "{r} {at}"),
            (Some(r), None) => f.write_str(&r),
            (None, Some(at)) => f.write_str(&at),
            (None, None) => Ok(()),
        }
    }
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or mapping the file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A file could not be opened, mapped or read: names the path.
    #[error("cannot read {}: {source}", path.display())]
    Open {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The leader's record length (positions 00-04) is not five ASCII digits.
    #[error("record length {found:?} is not five ASCII digits")]
    RecordLengthInvalid {
        /// The five bytes found.
        found: String,
    },
    /// The record length is too small to hold a leader and a terminator.
    #[error("record length {length} is too short for a record")]
    RecordTooShort {
        /// The declared length.
        length: usize,
    },
    /// The data ends before the record does.
    #[error("record is truncated: {needed} bytes declared, {available} available")]
    Truncated {
        /// The bytes the record needs.
        needed: usize,
        /// The bytes there are.
        available: usize,
    },
    /// The byte at the declared end of the record is not 0x1D.
    #[error("no record terminator (0x1D) at the declared end of the record")]
    EndOfRecordNotFound,
    /// The declared length frames the record, but runs past an earlier 0x1D
    /// beyond where the record's own fields end: it would swallow what follows.
    #[error("record length {declared} runs past the record terminator at byte {terminator} of the record, beyond the record's fields")]
    LengthPastTerminator {
        /// The declared length.
        declared: usize,
        /// Where the earlier 0x1D is, from the record's start.
        terminator: usize,
    },
    /// The leader is shorter than 24 bytes or is not ASCII.
    #[error("invalid leader: {reason}")]
    LeaderInvalid {
        /// What is wrong.
        reason: &'static str,
    },
    /// The base address (leader 12-16) is not five digits, or zero.
    #[error("base address {found:?} is not a positive five-digit number")]
    BaseAddressNotFound {
        /// The five bytes found.
        found: String,
    },
    /// The base address points outside the record or not after a directory.
    #[error("base address {base} is invalid for a record of {length} bytes: {reason}")]
    BaseAddressInvalid {
        /// The base address.
        base: usize,
        /// The record's length.
        length: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The directory is not a whole number of 12-byte entries, or an entry is not digits.
    #[error("invalid directory: {reason}")]
    DirectoryInvalid {
        /// What is wrong.
        reason: String,
    },
    /// The directory has no entries.
    #[error("the record has no fields")]
    NoFields,
    /// A directory entry points past the end of the record's data.
    #[error("directory entry points past the end of the record (start {start}, length {length}, data {available} bytes)")]
    FieldOutOfBounds {
        /// The entry's start, from the base address.
        start: usize,
        /// The entry's length.
        length: usize,
        /// The bytes of data there are.
        available: usize,
    },
    /// A field does not end with the field terminator 0x1E.
    #[error("field does not end with the field terminator (0x1E)")]
    FieldTerminatorMissing,
    /// A value is not valid text in its record's encoding.
    #[error("{0}")]
    Decode(DecodeError),
    /// A record or field too long for ISO 2709's length digits.
    #[error("the {what} is {length} bytes, over ISO 2709's limit of {max}")]
    TooLong {
        /// `"record"` or `"field"`.
        what: &'static str,
        /// Its length in bytes.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// A field that ISO 2709 cannot hold.
    #[error(
        "field {} cannot be written as ISO 2709: {reason}",
        String::from_utf8_lossy(tag)
    )]
    Unwritable {
        /// The field's tag.
        tag: [u8; 3],
        /// Why.
        reason: &'static str,
    },
    /// An edit rule that cannot take effect on a record (see [`crate::edit`]).
    #[error("edit rule {} ({text:?}) cannot change this record: {reason}", .rule + 1)]
    Edit {
        /// The rule's index in its program (from 0).
        rule: usize,
        /// The rule.
        text: String,
        /// Why.
        reason: String,
    },
    /// A record of a MARCXML, MARC-in-JSON or MARCMaker input that is not
    /// well-formed, or cannot become an ISO 2709 record; the position's byte is
    /// where in the input the problem is.
    #[error("malformed {} at line {line}, column {column}: {reason}", format.title())]
    Malformed {
        /// The input's format.
        format: crate::format::Format,
        /// The problem's line in the input (1-based).
        line: u64,
        /// Its column (1-based, in bytes).
        column: u64,
        /// What is wrong.
        reason: String,
    },
    /// Input that is no MARC serialisation marcmap knows.
    #[error(
        "{}this looks like {looks_like}, not MARC (ISO 2709, MARCXML, MARC-in-JSON or MARCMaker)",
        path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default()
    )]
    NotMarc {
        /// What the input looks like: "a PNG image", "plain text", ...
        looks_like: String,
        /// The input's path, when it was opened from one.
        path: Option<std::path::PathBuf>,
    },
    /// Compressed input that decompressed to more than the limit on its
    /// decompressed size ([`crate::OpenOptions::decompressed_limit`]): a
    /// decompression bomb, or a genuine input past the limit, which can be raised.
    #[error("{}", limit_message(*compression, *limit, *compressed, path.as_deref()))]
    DecompressionLimit {
        /// The input's compression.
        compression: crate::sniff::Compression,
        /// The limit, in decompressed bytes.
        limit: u64,
        /// The input's compressed size, in bytes.
        compressed: u64,
        /// The input, where it is a file opened from a path.
        path: Option<std::path::PathBuf>,
    },
    /// A sidecar (a persisted index) could not be used or written.
    #[error("sidecar {}: {problem}", path.display())]
    Sidecar {
        /// The sidecar's path.
        path: std::path::PathBuf,
        /// Why.
        problem: SidecarProblem,
    },
    /// A byte range that ends before it starts.
    #[error("byte range {start}..{end} ends before it starts")]
    ByteRangeInvalid {
        /// Where it starts.
        start: u64,
        /// Where it ends.
        end: u64,
    },
    /// An Arrow batch or a Parquet file could not be built or written.
    #[error("{reason}")]
    Columnar {
        /// What went wrong.
        reason: String,
    },
    /// An output file could not be created: names the path.
    #[error("cannot write {}: {source}", path.display())]
    Create {
        /// The output's path.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An output path that is the input file (by device and inode, so also
    /// through a link): writing it would destroy the data being read.
    #[error("{} is the input file: write the output to another path (it would destroy the input)", path.display())]
    OutputIsInput {
        /// The output's path, as given.
        path: std::path::PathBuf,
    },
    /// Options that cannot go together (a sidecar required for a byte range).
    #[error("{reason}")]
    OptionConflict {
        /// What conflicts, and what to do.
        reason: String,
    },
    /// A record index past the end of the file.
    #[error("record index {index} is out of range for {len} records")]
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// The number of records.
        len: usize,
    },
}

/// The message of [`ErrorKind::DecompressionLimit`].
fn limit_message(
    compression: crate::sniff::Compression,
    limit: u64,
    compressed: u64,
    path: Option<&std::path::Path>,
) -> String {
    let input = path
        .map(|p| format!("{}: ", p.display()))
        .unwrap_or_default();
    let ratio = match limit.checked_div(compressed) {
        Some(r) if r > 0 => format!(", {r} times its compressed size of {}", bytes(compressed)),
        _ => String::new(),
    };
    format!(
        "{input}{} data decompresses to more than {}{ratio}: stopped there, as a runaway \
         decompression; if the input is genuine, raise the limit \
         (OpenOptions::decompressed_limit; max_decompressed= in Python)",
        compression.name(),
        bytes(limit),
    )
}

/// `1073741824 bytes (1.0 GiB)`: a size, exact and readable.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut size = n as f64;
    let mut unit = None;
    for u in UNITS {
        if size < 1024.0 {
            break;
        }
        size /= 1024.0;
        unit = Some(u);
    }
    match unit {
        Some(u) => format!("{n} bytes ({size:.1} {u})"),
        None => format!("{n} bytes"),
    }
}

/// An error with the place it happened. One pointer wide: kind and position live
/// in a single box.
#[derive(Debug)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    pos: Position,
}

/// The crate's `Result`.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error of `kind` at `pos`.
    pub fn new(kind: ErrorKind, pos: Position) -> Self {
        Error {
            inner: Box::new(Inner { kind, pos }),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Consumes the error, giving its kind.
    pub fn into_kind(self) -> ErrorKind {
        self.inner.kind
    }

    /// Where it went wrong.
    pub fn position(&self) -> Position {
        self.inner.pos
    }

    /// The same error about record `record`, which starts at absolute byte
    /// `offset`: byte offsets relative to the record are made absolute (for an
    /// error about a record that did not come from a file, such as one from
    /// [`crate::OwnedRecord::to_iso2709`]).
    pub fn located(mut self, record: u64, offset: u64) -> Self {
        let pos = &mut self.inner.pos;
        pos.record = Some(record);
        pos.record_offset = Some(offset);
        pos.byte = pos.byte.map(|b| b + offset);
        self
    }

    /// The decoding failure behind this error, if it is one.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match &self.inner.kind {
            ErrorKind::Decode(d) => Some(d),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Inner { kind, pos } = &*self.inner;
        if *pos == Position::default() {
            write!(f, "{kind}")
        } else {
            write!(f, "{pos}: {kind}")
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.kind {
            ErrorKind::Io(e) | ErrorKind::Open { source: e, .. } => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::new(ErrorKind::Io(e), Position::default())
    }
}

/// The error for a file that cannot be opened or read, naming it.
pub(crate) fn open_error(path: &Path, source: std::io::Error) -> Error {
    let path = path.to_path_buf();
    Error::new(ErrorKind::Open { path, source }, Position::default())
}

/// What is wrong with a value's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeReason {
    /// Not valid UTF-8.
    InvalidUtf8,
    /// Not valid MARC-8.
    Marc8(Marc8ErrorKind),
    /// A byte or sequence that the legacy encoding does not map.
    Unmappable,
}

/// A value that did not decode: which encoding, what was wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The encoding the value was decoded from.
    pub encoding: Encoding,
    /// What was wrong.
    pub reason: DecodeReason,
    /// Where the value starts, in bytes from the start of its record (or of the
    /// input, for a value decoded on its own), and its length.
    pub value_start: usize,
    /// The value's length in bytes.
    pub value_len: usize,
    /// The first bad byte, counted from the start of the value.
    pub offset_in_value: usize,
    /// Whether the record is labelled MARC-8 but its bytes are valid UTF-8:
    /// `detect_utf8` would read it.
    pub utf8_under_marc8: bool,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            DecodeReason::InvalidUtf8 => f.write_str("invalid UTF-8")?,
            DecodeReason::Marc8(kind) => write!(f, "invalid MARC-8 ({kind})")?,
            DecodeReason::Unmappable => write!(
                f,
                "a byte that {} does not map",
                self.encoding.name().to_ascii_uppercase()
            )?,
        }
        if self.utf8_under_marc8 {
            f.write_str(
                "; the record is labelled MARC-8 (LDR/09) but its bytes are valid UTF-8: \
                 detect_utf8=True reads them",
            )?;
        }
        Ok(())
    }
}

/// Why a sidecar was not used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SidecarProblem {
    /// There is no sidecar.
    #[error("there is no sidecar")]
    Missing,
    /// The sidecar describes another file, framing or format.
    #[error("the sidecar is stale: {0}")]
    Stale(String),
    /// The sidecar is truncated, fails its checksum, or is inconsistent.
    #[error("the sidecar is corrupt: {0}")]
    Corrupt(String),
    /// There can be no sidecar for what was opened (why is said).
    #[error("{0}")]
    Unsupported(String),
    /// Reading or writing the sidecar failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Input that is no MARC serialisation marcmap knows: what it looks like.
pub(crate) fn not_marc(looks_like: String) -> Error {
    Error::new(
        ErrorKind::NotMarc {
            looks_like,
            path: None,
        },
        Position::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_record_byte_and_field() {
        let e = Error::new(
            ErrorKind::FieldTerminatorMissing,
            Position {
                record: Some(12),
                record_offset: Some(4435),
                byte: Some(4711),
                field: Some(3),
            },
        );
        assert_eq!(
            e.to_string(),
            "record 12 (byte 4435), field 3 at byte 4711: field does not end with the field terminator (0x1E)"
        );
        let framing = Position {
            record: Some(2),
            record_offset: Some(80),
            byte: Some(80),
            field: None,
        };
        assert_eq!(framing.to_string(), "record 2 at byte 80");
        let inside = Position {
            byte: Some(92),
            ..framing
        };
        assert_eq!(inside.to_string(), "record 2 (byte 80) at byte 92");
        assert_eq!(Position::at_byte(7).to_string(), "at byte 7");
    }

    #[test]
    fn error_is_small_send_sync_static() {
        fn assert_traits<T: Send + Sync + 'static>() {}
        assert_traits::<Error>();
        assert_eq!(std::mem::size_of::<Result<usize>>(), 16);
    }
}
