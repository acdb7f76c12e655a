//! Turning field bytes into text: an explicit step, never done by the parser itself.

/// What to do with bytes that are not valid in the record's encoding.
///
/// The names and behaviour follow Python's codec error handlers, which pymarc
/// users already know as `utf8_handling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErrorHandling {
    /// Stop with an error that names the first bad byte.
    #[default]
    Strict,
    /// Put U+FFFD REPLACEMENT CHARACTER in place of each bad sequence.
    Replace,
    /// Drop the bad bytes.
    Ignore,
}
