//! Parsing ISO 2022 escape sequences as MARC-8 uses them.
//!
//! The shapes MARC-8 defines are `ESC ( F` / `ESC , F` (G0), `ESC ) F` /
//! `ESC - F` (G1), the same with `$` before the intermediate for a multibyte
//! set (`ESC $ 1` alone also means G0), and the bare `ESC g`, `ESC b`,
//! `ESC p`, `ESC s` for the Greek-symbol, subscript, superscript and ASCII
//! sets in G0. ANSEL may be written with a `!` before its final byte
//! (`ESC ) ! E`). A sequence is read in the general ISO 2022 form (ESC,
//! intermediates 0x20-0x2F, one final 0x30-0x7E), so that an unknown one can
//! be skipped whole.

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
    let body = input.get(1..).unwrap_or_default();
    let n_inter = body
        .iter()
        .take_while(|b| (0x20..=0x2F).contains(*b))
        .count();
    let Some(&fin) = body.get(n_inter) else {
        return Escape::Truncated;
    };
    if !(0x30..=0x7E).contains(&fin) {
        // Not a complete sequence: skip the ESC and its intermediates only.
        return Escape::Unknown(1 + n_inter);
    }
    let len = 2 + n_inter;
    let inter = body.get(..n_inter).unwrap_or_default();
    // Strip the multibyte marker and ANSEL's `!`: the set's width is intrinsic.
    let inter = inter.strip_prefix(b"$").unwrap_or(inter);
    let inter = inter.strip_suffix(b"!").unwrap_or(inter);
    let target = match inter {
        b"" | b"(" | b"," => Target::G0,
        b")" | b"-" => Target::G1,
        _ => return Escape::Unknown(len),
    };
    match Charset::from_final(fin, ligatures) {
        Some(set) => Escape::Designate(target, set, len),
        None => Escape::Unknown(len),
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
        assert!(matches!(p(b"\x1b*B"), Escape::Unknown(3)));
        assert!(matches!(p(b"\x1b\x80"), Escape::Unknown(1)));
        assert!(matches!(p(b"\x1b("), Escape::Truncated));
        assert!(matches!(p(b"\x1b"), Escape::Truncated));
    }
}
