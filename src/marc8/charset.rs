//! The graphic character sets MARC-8 can designate, and lookups into the generated tables.

use super::options::LigatureMapping;
use super::tables;

/// A character set designated into G0 or G1.
///
/// Single-byte sets carry their 128-entry table directly, so a lookup in the
/// hot loop is one masked index with no match on the set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Charset {
    /// A 94-character single-byte set; the table is indexed by `byte & 0x7F`.
    Single(&'static [u32; 128]),
    /// East Asian Character Code (ANSI Z39.64): three bytes per character.
    Eacc,
}

impl Charset {
    /// The default G0 set: ASCII.
    pub(crate) const BASIC_LATIN: Charset = Charset::Single(&tables::BASIC_LATIN);

    /// The default G1 set: ANSEL, with the ligature halves mapped as asked.
    pub(crate) fn ansel(ligatures: LigatureMapping) -> Charset {
        match ligatures {
            LigatureMapping::Lc => Charset::Single(&tables::ANSEL),
            LigatureMapping::Pymarc => Charset::Single(&tables::ANSEL_PYMARC),
        }
    }

    /// True when this is ASCII, where `&#x...;` references are recognised.
    pub(crate) fn is_basic_latin(self) -> bool {
        matches!(self, Charset::Single(t) if std::ptr::eq(t, &tables::BASIC_LATIN))
    }

    /// The set named by an escape sequence's final byte (its ISO 2375 registration).
    ///
    /// `s` is MARC-8's "return to ASCII" and `g`/`b`/`p` the Greek symbol,
    /// subscript and superscript sets, which MARC-8 designates with a bare
    /// `ESC F`.
    pub(crate) fn from_final(f: u8, ligatures: LigatureMapping) -> Option<Charset> {
        Some(match f {
            b'B' | b's' => Charset::BASIC_LATIN,
            b'E' => Charset::ansel(ligatures),
            b'g' => Charset::Single(&tables::GREEK_SYMBOLS),
            b'b' => Charset::Single(&tables::SUBSCRIPTS),
            b'p' => Charset::Single(&tables::SUPERSCRIPTS),
            b'2' => Charset::Single(&tables::BASIC_HEBREW),
            b'N' => Charset::Single(&tables::BASIC_CYRILLIC),
            b'Q' => Charset::Single(&tables::EXTENDED_CYRILLIC),
            b'3' => Charset::Single(&tables::BASIC_ARABIC),
            b'4' => Charset::Single(&tables::EXTENDED_ARABIC),
            b'S' => Charset::Single(&tables::BASIC_GREEK),
            b'1' => Charset::Eacc,
            _ => return None,
        })
    }
}

/// Look up an EACC code given as three 7-bit bytes; returns the scalar value.
///
/// The table is rank/select shaped (see `tools/gen_marc8_tables.py`): the first
/// byte picks a slot, the first two bytes a row, and the row's bitmap of third
/// bytes gives both membership and, by popcount, the index of the value.
pub(crate) fn eacc_lookup(b1: u8, b2: u8, b3: u8) -> Option<char> {
    let slot = tables::EACC_FIRST_SLOT[usize::from(b1 & 0x7F)];
    if slot == 0xFF {
        return None;
    }
    let row = *tables::EACC_PAIR_ROW.get(usize::from(slot) * 128 + usize::from(b2 & 0x7F))?;
    let row = usize::from(row).checked_sub(1)?;
    let bits = *tables::EACC_ROW_BITS.get(row)?;
    let b3 = u32::from(b3 & 0x7F);
    if (bits >> b3) & 1 == 0 {
        return None;
    }
    let rank = (bits & ((1u128 << b3) - 1)).count_ones() as usize;
    let base = usize::from(*tables::EACC_ROW_BASE.get(row)?);
    let value = *tables::EACC_VALUES.get(base + rank)?;
    char::from_u32(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eacc_first_and_last_codes() {
        // First and last entries of the LC EACC table.
        assert_eq!(eacc_lookup(0x21, 0x2F, 0x30), Some('\u{3007}'));
        assert_eq!(eacc_lookup(0x21, 0x30, 0x21), Some('\u{4E00}'));
        assert_eq!(eacc_lookup(0x21, 0x30, 0x20), None);
        assert_eq!(eacc_lookup(0x7E, 0x7E, 0x7E), None);
    }
}
