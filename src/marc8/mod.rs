//! MARC-8 to Unicode decoding (see the MARC-8 issue).
//!
//! Interim: until the table-driven decoder lands, only ASCII decodes; anything
//! else is an error that names the first non-ASCII byte, never mojibake.

use crate::decode::ErrorHandling;

/// Output normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Normalization {
    /// Composed, as pymarc gives.
    #[default]
    Nfc,
    /// Decomposed, as LC's converters and marc4j give.
    Nfd,
}

/// How the ligature and double-tilde halves map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LigatureMapping {
    /// As the LC tables say.
    #[default]
    Lc,
    /// As pymarc does.
    Pymarc,
}

/// MARC-8 decoding options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marc8Options {
    /// What to do with bad bytes.
    pub errors: ErrorHandling,
    /// Output normalisation.
    pub normalization: Normalization,
    /// Ligature halves.
    pub ligatures: LigatureMapping,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Marc8ErrorKind {
    /// Not decodable by this build.
    #[error("MARC-8 text beyond ASCII is not supported yet")]
    Unsupported,
}

/// A decoding error at a byte offset in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (byte {offset})")]
pub struct Marc8Error {
    /// Offset of the first bad byte.
    pub offset: usize,
    /// What went wrong.
    pub kind: Marc8ErrorKind,
}

/// Decodes MARC-8 `input`.
pub fn decode(input: &[u8], opts: &Marc8Options) -> Result<String, Marc8Error> {
    let mut out = String::new();
    decode_into(input, opts, &mut out).map(|()| out)
}

/// Decodes MARC-8 `input`, appending to `out`.
pub fn decode_into(input: &[u8], opts: &Marc8Options, out: &mut String) -> Result<(), Marc8Error> {
    match input.iter().position(|b| !b.is_ascii() || *b == 0x1B) {
        None => {
            out.push_str(std::str::from_utf8(input).unwrap_or_default());
            Ok(())
        }
        Some(offset) => match opts.errors {
            ErrorHandling::Strict => Err(Marc8Error {
                offset,
                kind: Marc8ErrorKind::Unsupported,
            }),
            ErrorHandling::Replace | ErrorHandling::Ignore => {
                for &b in input {
                    if b.is_ascii() && b != 0x1B {
                        out.push(b as char);
                    } else if opts.errors == ErrorHandling::Replace {
                        out.push('\u{fffd}');
                    }
                }
                Ok(())
            }
        },
    }
}

/// Whether MARC-8-labelled bytes look like UTF-8 instead.
pub fn looks_like_utf8(bytes: &[u8]) -> bool {
    !bytes.contains(&0x1B) && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok()
}
