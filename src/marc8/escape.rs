//! Parsing the escape sequences MARC-8 uses.
//!
//! The shapes MARC-8 defines are `ESC ( F` / `ESC , F` (G0), `ESC ) F` /
//! `ESC - F` (G1), the same with `$` before the intermediate for a multibyte
//! set (`ESC $ F` alone also means G0), and the bare `ESC g`, `ESC b`,
//! `ESC p`, `ESC s` for the Greek-symbol, subscript, superscript and ASCII
//! sets in G0. ANSEL may be written with a `!` before its final byte
//! (`ESC ) ! E`).
//!
//! An ESC that does not start one of these shapes is reported on its own and
//! the bytes after it are decoded as text: in real records a stray ESC is
//! usually a damaged letter (`Soci<ESC>t<E2>e`), and swallowing the next byte
//! would lose a good one. A well-shaped designation of an unknown set is
//! skipped whole.

use super::charset::Charset;
use super::options::LigatureMapping;

/// Which graphic set an escape sequence designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    G0,
    G1,
}

/// The result of reading an escape sequence at the start of the input.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Escape {
    /// A designation, and the sequence's length in bytes.
    Designate(Target, Charset, usize),
    /// Not a designation MARC-8 knows; the number of bytes to skip.
    Unknown(usize),
    /// The input ends before the sequence does.
    Truncated,
}

/// Read the escape sequence that starts `input` (whose first byte is ESC).
pub(crate) fn parse(input: &[u8], ligatures: LigatureMapping) -> Escape {
    let mut j = 1;
    let multibyte = input.get(j) == Some(&b'$');
    if multibyte {
        j += 1;
    }
    let target = match input.get(j) {
        None => return Escape::Truncated,
        Some(b'(' | b',') => Target::G0,
        Some(b')' | b'-') => Target::G1,
        // `ESC $ F` (multibyte G0) and the bare `ESC F` forms.
        Some(_) => {
            let len = j + 1;
            return match input
                .get(j)
                .and_then(|&f| Charset::from_final(f, ligatures))
            {
                Some(set) => Escape::Designate(Target::G0, set, len),
                None if multibyte => Escape::Unknown(len),
                None => Escape::Unknown(1),
            };
        }
    };
    j += 1;
    if input.get(j) == Some(&b'!') {
        j += 1;
    }
    match input.get(j) {
        None => Escape::Truncated,
        Some(&f) => match Charset::from_final(f, ligatures) {
            // The set's width is intrinsic: `$` is not needed to find it.
            Some(set) => Escape::Designate(target, set, j + 1),
            None if (0x30..=0x7E).contains(&f) => Escape::Unknown(j + 1),
            None => Escape::Unknown(j),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(bytes: &[u8]) -> Escape {
        parse(bytes, LigatureMapping::Lc)
    }

    #[test]
    fn designations() {
        assert!(matches!(
            p(b"\x1b(Nabc"),
            Escape::Designate(Target::G0, Charset::Single(_), 3)
        ));
        assert!(matches!(
            p(b"\x1b$1"),
            Escape::Designate(Target::G0, Charset::Eacc, 3)
        ));
        assert!(matches!(
            p(b"\x1b$)1"),
            Escape::Designate(Target::G1, Charset::Eacc, 4)
        ));
        assert!(matches!(
            p(b"\x1b)!E"),
            Escape::Designate(Target::G1, Charset::Single(_), 4)
        ));
        assert!(matches!(
            p(b"\x1bs"),
            Escape::Designate(Target::G0, Charset::Single(_), 2)
        ));
    }

    #[test]
    fn bad_sequences() {
        assert!(matches!(p(b"\x1b(Z"), Escape::Unknown(3)));
        assert!(matches!(p(b"\x1b*B"), Escape::Unknown(1)));
        assert!(matches!(p(b"\x1b\x80"), Escape::Unknown(1)));
        assert!(matches!(p(b"\x1bt\xe2e"), Escape::Unknown(1)));
        assert!(matches!(p(b"\x1b linn"), Escape::Unknown(1)));
        assert!(matches!(p(b"\x1b(\x1f"), Escape::Unknown(2)));
        assert!(matches!(p(b"\x1b,"), Escape::Truncated));
        assert!(matches!(p(b"\x1b("), Escape::Truncated));
        assert!(matches!(p(b"\x1b"), Escape::Truncated));
    }
}
