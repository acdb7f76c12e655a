//! Unicode to MARC-8 lookups: which set holds a character, at which code.
//!
//! The tables (`REVERSE_KEYS`, `REVERSE_CODES`) are generated from the same LC
//! code tables as the decoder's, by `tools/gen_marc8_tables.py`. A character
//! that several sets hold (ASCII punctuation is also in the Hebrew, Cyrillic
//! and Arabic sets; three Greek letters are in both Greek sets; some EACC
//! ideographs have two codes) has one entry per set, most preferred first.

use super::tables::{REVERSE_CODES, REVERSE_KEYS};

/// A graphic set the encoder can designate. The numbers are the generator's
/// set numbers (`tools/gen_marc8_tables.py`, `SET_NUMBER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Set {
    BasicLatin = 0,
    Ansel = 1,
    GreekSymbols = 2,
    Subscripts = 3,
    Superscripts = 4,
    BasicHebrew = 5,
    BasicCyrillic = 6,
    ExtendedCyrillic = 7,
    BasicArabic = 8,
    ExtendedArabic = 9,
    BasicGreek = 10,
    Eacc = 11,
    /// ANSEL's C1 controls (0x88, 0x89, 0x8D, 0x8E): valid whatever is designated.
    C1 = 12,
}

impl Set {
    fn from_number(n: u32) -> Option<Set> {
        Some(match n {
            0 => Set::BasicLatin,
            1 => Set::Ansel,
            2 => Set::GreekSymbols,
            3 => Set::Subscripts,
            4 => Set::Superscripts,
            5 => Set::BasicHebrew,
            6 => Set::BasicCyrillic,
            7 => Set::ExtendedCyrillic,
            8 => Set::BasicArabic,
            9 => Set::ExtendedArabic,
            10 => Set::BasicGreek,
            11 => Set::Eacc,
            12 => Set::C1,
            _ => return None,
        })
    }

    /// True for the sets LC's tables place at 0xA1-0xFE, which MARC-8
    /// designates as G1; every other set is designated as G0.
    pub(crate) fn is_g1(self) -> bool {
        matches!(
            self,
            Set::Ansel | Set::ExtendedCyrillic | Set::ExtendedArabic
        )
    }

    /// The escape sequence that designates this set (none for C1).
    ///
    /// Greek symbols, subscripts and superscripts have MARC-8's own two-byte
    /// escapes; ASCII is designated with `ESC ( B` (see [`Set::return_to_ascii`]
    /// for `ESC s`). ANSEL is designated with `ESC ) E`: LC's registration
    /// gives its final as `! E` (`ESC ) ! E`), which marcmap's and yaz's
    /// decoders read, but pymarc and MARC::Charset read only `ESC ) E` (and
    /// MARC::Charset writes it), so that is what every reader reads.
    pub(crate) fn escape(self) -> &'static [u8] {
        match self {
            Set::BasicLatin => b"\x1b(B",
            Set::Ansel => b"\x1b)E",
            Set::GreekSymbols => b"\x1bg",
            Set::Subscripts => b"\x1bb",
            Set::Superscripts => b"\x1bp",
            Set::BasicHebrew => b"\x1b(2",
            Set::BasicCyrillic => b"\x1b(N",
            Set::ExtendedCyrillic => b"\x1b)Q",
            Set::BasicArabic => b"\x1b(3",
            Set::ExtendedArabic => b"\x1b)4",
            Set::BasicGreek => b"\x1b(S",
            Set::Eacc => b"\x1b$1",
            Set::C1 => b"",
        }
    }

    /// The escape back to ASCII from this G0 set: `ESC s` after MARC-8's own
    /// custom sets (as the MARC 21 specification pairs them), `ESC ( B` after
    /// the registered ones.
    pub(crate) fn return_to_ascii(self) -> &'static [u8] {
        match self {
            Set::GreekSymbols | Set::Subscripts | Set::Superscripts => b"\x1bs",
            _ => b"\x1b(B",
        }
    }
}

/// One way to write a character: its set, its code as the LC tables give it
/// (one byte, or EACC's three), and whether MARC-8 treats it as combining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code {
    pub(crate) set: Set,
    pub(crate) code: u32,
    pub(crate) combining: bool,
}

impl Code {
    fn unpack(packed: u32) -> Option<Code> {
        Some(Code {
            set: Set::from_number((packed >> 24) & 0x0F)?,
            code: packed & 0x00FF_FFFF,
            combining: packed & (1 << 31) != 0,
        })
    }
}

/// Every code for `c`, most preferred first (empty when MARC-8 lacks it).
#[inline]
pub(crate) fn codes(c: char) -> impl Iterator<Item = Code> {
    let key = u32::from(c);
    let start = REVERSE_KEYS.partition_point(|&k| k < key);
    let len = REVERSE_KEYS
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&k| k == key)
        .count();
    REVERSE_CODES
        .get(start..start + len)
        .unwrap_or_default()
        .iter()
        .filter_map(|&p| Code::unpack(p))
}

/// True when MARC-8 has `c` in some set.
#[inline]
pub(crate) fn has(c: char) -> bool {
    codes(c).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marc8::charset::eacc_lookup;
    use crate::marc8::tables;

    /// The forward table of a single-byte set, by the generator's number.
    fn forward(set: Set) -> &'static [u32; 128] {
        match set {
            Set::BasicLatin => &tables::BASIC_LATIN,
            Set::Ansel | Set::C1 => &tables::ANSEL,
            Set::GreekSymbols => &tables::GREEK_SYMBOLS,
            Set::Subscripts => &tables::SUBSCRIPTS,
            Set::Superscripts => &tables::SUPERSCRIPTS,
            Set::BasicHebrew => &tables::BASIC_HEBREW,
            Set::BasicCyrillic => &tables::BASIC_CYRILLIC,
            Set::ExtendedCyrillic => &tables::EXTENDED_CYRILLIC,
            Set::BasicArabic => &tables::BASIC_ARABIC,
            Set::ExtendedArabic => &tables::EXTENDED_ARABIC,
            Set::BasicGreek => &tables::BASIC_GREEK,
            Set::Eacc => unreachable!("EACC is looked up by eacc_lookup"),
        }
    }

    /// Every reverse entry is a forward entry read backwards: the decoder's
    /// tables give the same character (or, for the ligature halves' `<alt>`
    /// values, pymarc's ANSEL does), and the set numbers agree.
    #[test]
    fn reverse_is_the_forward_tables_reversed() {
        assert_eq!(REVERSE_KEYS.len(), REVERSE_CODES.len());
        assert!(REVERSE_KEYS.windows(2).all(|w| w[0] <= w[1]));
        for (&key, &packed) in REVERSE_KEYS.iter().zip(&REVERSE_CODES) {
            let code = Code::unpack(packed).expect("known set number");
            let got = match code.set {
                Set::Eacc => {
                    let [_, b1, b2, b3] = code.code.to_be_bytes();
                    eacc_lookup(b1, b2, b3).map(u32::from)
                }
                Set::C1 => {
                    let e = tables::C1[(code.code & 0x1F) as usize];
                    Some(e & tables::SCALAR_MASK)
                }
                set => {
                    let i = (code.code & 0x7F) as usize;
                    let e = forward(set)[i];
                    let e = if key & 0xFFFC == 0xFE20 {
                        tables::ANSEL_PYMARC[i]
                    } else {
                        e
                    };
                    assert_eq!(e & tables::COMBINING != 0, code.combining, "{key:X}");
                    assert_eq!(code.code >= 0x80, set.is_g1(), "{key:X}");
                    Some(e & tables::SCALAR_MASK)
                }
            };
            assert_eq!(got, Some(key), "{key:X} -> {code:?}");
        }
    }

    #[test]
    fn preferences() {
        let first = |c| codes(c).next().map(|c| (c.set, c.code));
        assert_eq!(first('!'), Some((Set::BasicLatin, 0x21)));
        assert_eq!(first('\u{301}'), Some((Set::Ansel, 0xE2)));
        assert_eq!(first('\u{3B1}'), Some((Set::BasicGreek, 0x61)));
        assert_eq!(first('\u{FE20}'), Some((Set::Ansel, 0xEB)));
        assert_eq!(first('\u{4E99}'), Some((Set::Eacc, 0x213057)));
        assert_eq!(first('\u{9C}'), Some((Set::C1, 0x89)));
        assert_eq!(first('\u{E9}'), None);
        assert_eq!(codes('!').count(), 4);
    }
}
