//! The error returned in strict mode: what went wrong and where.

/// A MARC-8 decoding error: the byte offset within the input given to
/// [`decode`](super::decode) and what was wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid MARC-8 at byte {offset}: {kind}")]
pub struct Marc8Error {
    /// Offset of the first byte of the bad sequence, counted from the start of the input.
    pub offset: usize,
    /// What was wrong.
    pub kind: Marc8ErrorKind,
}

/// The kinds of bad MARC-8 input.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Marc8ErrorKind {
    /// An escape sequence that designates no known character set.
    #[error("unknown escape sequence")]
    UnknownEscape,
    /// The input ends inside an escape sequence.
    #[error("truncated escape sequence")]
    TruncatedEscape,
    /// A byte that is not a character of the set designated for it.
    #[error("byte 0x{0:02X} is not in the designated character set")]
    InvalidByte(u8),
    /// The input ends inside a three-byte EACC character.
    #[error("truncated multibyte (EACC) character")]
    TruncatedMultibyte,
    /// Three bytes that are not an EACC character in the LC tables.
    #[error("EACC code {:02X}{:02X}{:02X} is not in the code table", .0[0], .0[1], .0[2])]
    UnmappedMultibyte([u8; 3]),
}
