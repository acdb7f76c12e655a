//! The MARC-8 state machine: escape sequences, set lookups, and moving
//! combining marks from before their base character (MARC-8) to after it
//! (Unicode), normalising each letter-and-marks cluster as it is written.

use smallvec::SmallVec;

use super::charset::{eacc_lookup, Charset};
use super::error::{Marc8Error, Marc8ErrorKind};
use super::escape::{self, Escape, Target};
use super::ncr;
use super::normalize;
use super::options::{Marc8Options, Normalization};
use super::scan;
use super::tables::{C1, COMBINING, DROP, SCALAR_MASK};
use crate::decode::ErrorHandling;

/// Decode `input` and append the text to `out`: each run of combining marks
/// is emitted right after the base character that follows it.
///
/// The text is in the requested normalisation form except from the returned
/// byte offset on (if any): that tail still needs [`normalize::tail`].
/// Letters with marks are normalised on the spot when the letter is ASCII and
/// the marks are plain non-starters; anything else that normalisation could
/// change sets the offset, to the start of the last inert character before it.
pub(crate) fn decode_raw(
    input: &[u8],
    opts: &Marc8Options,
    out: &mut String,
) -> Result<Option<usize>, Marc8Error> {
    decode_with(input, opts, out, true)
}

/// [`decode_raw`], or with `fast` false the plain reference: no cluster is
/// normalised on the spot, and the offset is always set when the text holds
/// anything normalisation might change (the tests compare the two).
pub(crate) fn decode_with(
    input: &[u8],
    opts: &Marc8Options,
    out: &mut String,
    fast: bool,
) -> Result<Option<usize>, Marc8Error> {
    let last_inert = out.len();
    let mut d = Decoder {
        // Every call starts from the MARC-8 defaults, as the rules require of
        // each field or subfield.
        g0: Charset::BASIC_LATIN,
        g1: Charset::ansel(opts.ligatures),
        g0_ascii: true,
        pending: SmallVec::new(),
        errors: opts.errors,
        form: opts.normalization,
        last_inert,
        norm_from: None,
        fast,
        out,
    };
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let rest = input.get(i..).unwrap_or_default();
        match b {
            0x1B => match escape::parse(rest, opts.ligatures) {
                Escape::Designate(target, set, len) => {
                    match target {
                        Target::G0 => {
                            d.g0 = set;
                            d.g0_ascii = set.is_basic_latin();
                        }
                        Target::G1 => d.g1 = set,
                    }
                    i += len;
                }
                Escape::Unknown(len) => {
                    d.bad(i, Marc8ErrorKind::UnknownEscape)?;
                    i += len;
                }
                Escape::Truncated => {
                    d.bad(i, Marc8ErrorKind::TruncatedEscape)?;
                    break;
                }
            },
            // The record structure characters are in the LC ASCII table: keep
            // them, so that a whole field can be decoded in one call.
            0x1D..=0x1F => {
                d.base(char::from(b));
                i += 1;
            }
            // Other C0 controls are not MARC-8 characters (yaz and pymarc drop
            // them silently, as `Ignore` does).
            0x00..=0x1F => {
                d.bad(i, Marc8ErrorKind::InvalidByte(b))?;
                i += 1;
            }
            // Space is a single byte whatever G0 holds, even a multibyte set.
            b' ' => {
                d.base(' ');
                i += 1;
            }
            // C1 controls (non-sort markers, joiners) are transparent: they do
            // not take the pending marks, which belong to the next letter.
            0x80..=0x9F => {
                match char::from_u32(C1[usize::from(b & 0x1F)] & SCALAR_MASK) {
                    Some(c) if c != '\0' => d.plain(c),
                    _ => d.bad(i, Marc8ErrorKind::InvalidByte(b))?,
                }
                i += 1;
            }
            _ if b < 0x80 && d.g0_ascii => {
                if b == b'&' {
                    if let Some((c, len)) = ncr::parse(rest) {
                        d.base(c);
                        i += len;
                        continue;
                    }
                }
                // Copy a run of plain ASCII in one go.
                let run = scan::plain_prefix(rest).max(1);
                match rest.get(..run).map(std::str::from_utf8) {
                    Some(Ok(text)) if b != 0x7F => {
                        d.ascii_run(text);
                        i += run;
                    }
                    _ => {
                        d.bad(i, Marc8ErrorKind::InvalidByte(b))?;
                        i += 1;
                    }
                }
            }
            _ => {
                let high = b >= 0x80;
                match if high { d.g1 } else { d.g0 } {
                    Charset::Single(table) => {
                        d.entry(table[usize::from(b & 0x7F)], i, b)?;
                        i += 1;
                    }
                    Charset::Eacc => i += d.eacc(rest, i, high)?,
                }
            }
        }
    }
    d.flush();
    Ok(d.norm_from)
}

/// Decoding state for one call.
struct Decoder<'o> {
    g0: Charset,
    g1: Charset,
    /// G0 is ASCII: the common case, where runs are copied and NCRs recognised.
    g0_ascii: bool,
    /// Combining marks read but not yet written: they wait for their base.
    pending: SmallVec<[char; 4]>,
    errors: ErrorHandling,
    form: Normalization,
    /// Byte offset in `out` of the last inert character written (or where
    /// this call's text starts): a safe place to start normalising from.
    last_inert: usize,
    /// Where the text still needs normalising from, once something that the
    /// on-the-spot normalisation does not handle has been written.
    norm_from: Option<usize>,
    /// Normalise letter-and-marks clusters on the spot.
    fast: bool,
    out: &'o mut String,
}

impl Decoder<'_> {
    /// Write a base (non-combining) character, then the marks that preceded it.
    #[inline]
    fn base(&mut self, c: char) {
        if self.pending.is_empty() {
            self.plain(c);
        } else {
            self.cluster(c);
        }
    }

    /// Write a character with no marks to attach.
    #[inline]
    fn plain(&mut self, c: char) {
        let at = self.out.len();
        self.out.push(c);
        if self.norm_from.is_some() {
            return;
        }
        if normalize::inert(c, self.form) {
            self.last_inert = at;
        } else {
            self.needs_normalizing();
        }
    }

    /// Write a run of printable ASCII (non-empty).
    #[inline]
    fn ascii_run(&mut self, text: &str) {
        let mut text = text;
        if !self.pending.is_empty() {
            let mut chars = text.chars();
            if let Some(c) = chars.next() {
                self.cluster(c);
            }
            text = chars.as_str();
        }
        if !text.is_empty() {
            self.out.push_str(text);
            self.last_inert = self.out.len() - 1;
        }
    }

    /// Write base character `c` and the pending marks after it.
    #[cold]
    fn cluster(&mut self, c: char) {
        let at = self.out.len();
        if self.fast && self.norm_from.is_none() {
            if let Some(starter) = normalize::cluster(c, &self.pending, self.form, self.out) {
                if normalize::inert(starter, self.form) {
                    self.last_inert = at;
                }
                self.pending.clear();
                return;
            }
        }
        // Anything else is written as it is, for the general normaliser.
        if self.norm_from.is_none() {
            if normalize::inert(c, self.form) {
                self.last_inert = at;
            }
            self.needs_normalizing();
        }
        self.out.push(c);
        self.out.extend(self.pending.drain(..));
    }

    /// Something that may need normalising has been written: the text from
    /// the last inert character on goes to the general normaliser.
    #[inline]
    fn needs_normalizing(&mut self) {
        if self.norm_from.is_none() {
            self.norm_from = Some(self.last_inert);
        }
    }

    /// Write the marks left at the end of the input. They have no base, but
    /// dropping them would lose data, so they are kept.
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.needs_normalizing();
            self.out.extend(self.pending.drain(..));
        }
    }

    /// Act on a table entry for `byte` at `offset`.
    #[inline]
    fn entry(&mut self, entry: u32, offset: usize, byte: u8) -> Result<(), Marc8Error> {
        if entry == 0 {
            return self.bad(offset, Marc8ErrorKind::InvalidByte(byte));
        }
        if entry & DROP != 0 {
            return Ok(());
        }
        match char::from_u32(entry & SCALAR_MASK) {
            Some(c) if entry & COMBINING != 0 => self.pending.push(c),
            Some(c) => self.base(c),
            None => return self.bad(offset, Marc8ErrorKind::InvalidByte(byte)),
        }
        Ok(())
    }

    /// Decode one EACC character at the start of `rest` (absolute `offset`);
    /// returns how many bytes to advance.
    fn eacc(&mut self, rest: &[u8], offset: usize, high: bool) -> Result<usize, Marc8Error> {
        let Some(&[b1, b2, b3]) = rest.get(..3) else {
            self.bad(offset, Marc8ErrorKind::TruncatedMultibyte)?;
            return Ok(rest.len());
        };
        // The second and third bytes must be graphic bytes of the same half as
        // the first. If one is not, the character was cut short: report it and
        // resume at the stray byte, which is often an escape back to ASCII.
        let fits = |b: u8| (b >= 0x80) == high && (b & 0x7F) >= 0x20 && (b & 0x7F) != 0x7F;
        if !fits(b2) {
            self.bad(offset, Marc8ErrorKind::TruncatedMultibyte)?;
            return Ok(1);
        }
        if !fits(b3) {
            self.bad(offset, Marc8ErrorKind::TruncatedMultibyte)?;
            return Ok(2);
        }
        match eacc_lookup(b1, b2, b3) {
            Some(c) => self.base(c),
            None => self.bad(offset, Marc8ErrorKind::UnmappedMultibyte([b1, b2, b3]))?,
        }
        Ok(3)
    }

    /// Apply the error policy to a bad sequence at `offset`.
    fn bad(&mut self, offset: usize, kind: Marc8ErrorKind) -> Result<(), Marc8Error> {
        match self.errors {
            ErrorHandling::Strict => Err(Marc8Error { offset, kind }),
            ErrorHandling::Replace => {
                self.base('\u{FFFD}');
                Ok(())
            }
            ErrorHandling::Ignore => Ok(()),
        }
    }
}
