//! The values MARC 21 once defined and has made obsolete: tags, indicator
//! values, subfield codes and leader values that LoC's field lists mark
//! `[OBSOLETE]` (generated into `obsolete_tables.rs` by
//! `tools/gen_marc21_obsolete.py`).
//!
//! The built-in definitions leave these values out ([`retire`]: the schemas
//! they are generated from still define some, such as 440), and lint asks
//! here about a value the definitions do not define, to say "obsolete"
//! instead of "undefined": legacy records are full of 440s and 100 first
//! indicators of 2, and a cataloguer converting them needs to know which
//! values were once right and are now to be recoded. Lookups are on that rare
//! path only (and when the definitions are built), so they are binary
//! searches over small sorted tables.

use super::definitions::{FieldDef, RecordFormat};
use super::obsolete_tables::{AUTHORITY, BIBLIOGRAPHIC, HOLDINGS};

/// What one format's field list marks obsolete. Sets of bytes are 128-bit
/// masks, bit `b` for byte `b`, as in the definitions tables.
pub(super) struct Obsolete {
    /// Obsolete tags, sorted.
    pub(super) tags: &'static [[u8; 3]],
    /// Obsolete indicator values by tag, sorted: the first's, the second's.
    pub(super) indicators: &'static [([u8; 3], u128, u128)],
    /// Obsolete subfield codes by tag, sorted.
    pub(super) subfields: &'static [([u8; 3], u128)],
    /// Obsolete values of the leader positions lint checks, by position.
    pub(super) leader: &'static [(u8, u128)],
}

fn of(format: RecordFormat) -> &'static Obsolete {
    match format {
        RecordFormat::Bibliographic => &BIBLIOGRAPHIC,
        RecordFormat::Authority => &AUTHORITY,
        RecordFormat::Holdings => &HOLDINGS,
    }
}

fn has(set: u128, b: u8) -> bool {
    b < 128 && set & (1u128 << b) != 0
}

/// `def` (the built-in definition of `tag`) with what `format`'s list marks
/// obsolete taken out: its obsolete indicator values and subfield codes are
/// no longer defined, and an obsolete tag is marked `obsolete`.
pub(super) fn retire(format: RecordFormat, tag: &[u8; 3], mut def: FieldDef) -> FieldDef {
    let table = of(format);
    def.obsolete |= table.tags.binary_search(tag).is_ok();
    if let Ok(i) = table.indicators.binary_search_by(|(t, _, _)| t.cmp(tag)) {
        let (_, first, second) = table.indicators[i];
        def.ind1 = def.ind1.without(first);
        def.ind2 = def.ind2.without(second);
    }
    if let Ok(i) = table.subfields.binary_search_by(|(t, _)| t.cmp(tag)) {
        let codes = table.subfields[i].1;
        def.subfields = def.subfields.without(codes);
        def.repeatable_subfields = def.repeatable_subfields.without(codes);
    }
    def
}

/// The obsolete values of leader position `pos`, as a mask.
pub(super) fn leader_mask(format: RecordFormat, pos: usize) -> u128 {
    of(format)
        .leader
        .iter()
        .filter(|&&(p, _)| usize::from(p) == pos)
        .fold(0, |m, &(_, set)| m | set)
}

/// Whether `tag` is an obsolete tag of `format`.
pub(super) fn tag(format: RecordFormat, tag: &[u8; 3]) -> bool {
    of(format).tags.binary_search(tag).is_ok()
}

/// Whether `value` is an obsolete value of indicator `n` (1 or 2) of `tag`.
pub(super) fn indicator(format: RecordFormat, tag: &[u8; 3], n: u8, value: u8) -> bool {
    let table = of(format).indicators;
    table
        .binary_search_by(|(t, _, _)| t.cmp(tag))
        .is_ok_and(|i| {
            let (_, first, second) = table[i];
            has(if n == 1 { first } else { second }, value)
        })
}

/// Whether `code` is an obsolete subfield code of `tag`.
pub(super) fn subfield(format: RecordFormat, tag: &[u8; 3], code: u8) -> bool {
    let table = of(format).subfields;
    table
        .binary_search_by(|(t, _)| t.cmp(tag))
        .is_ok_and(|i| has(table[i].1, code))
}

/// Whether `value` is an obsolete value of leader position `pos`.
pub(super) fn leader(format: RecordFormat, pos: usize, value: u8) -> bool {
    of(format)
        .leader
        .iter()
        .any(|&(p, set)| usize::from(p) == pos && has(set, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables are sorted (the lookups binary-search them) and hold what
    /// LoC's lists say, on values every cataloguer of legacy records meets.
    #[test]
    fn tables_are_sorted_and_hold_known_obsolete_values() {
        for format in [
            RecordFormat::Bibliographic,
            RecordFormat::Authority,
            RecordFormat::Holdings,
        ] {
            let t = of(format);
            assert!(t.tags.windows(2).all(|w| w[0] < w[1]));
            assert!(t.indicators.windows(2).all(|w| w[0].0 < w[1].0));
            assert!(t.subfields.windows(2).all(|w| w[0].0 < w[1].0));
        }
        let bib = RecordFormat::Bibliographic;
        // 440 (series statement/added entry--title).
        assert!(tag(bib, b"440"));
        assert!(!tag(bib, b"490"));
        // 100 first indicator 2 (multiple surname).
        assert!(indicator(bib, b"100", 1, b'2'));
        assert!(!indicator(bib, b"100", 1, b'1'));
        assert!(!indicator(bib, b"100", 2, b'2'));
        // 022 $l and $m (ISSN-L, canceled ISSN-L).
        assert!(subfield(bib, b"022", b'l'));
        assert!(!subfield(bib, b"022", b'a'));
        // LDR/06 b (archival and manuscripts control).
        assert!(leader(bib, 6, b'b'));
        assert!(!leader(bib, 6, b'a'));
        // Authority 111 $b (number).
        assert!(subfield(RecordFormat::Authority, b"111", b'b'));
        // Holdings 856 $g (uniform resource name).
        assert!(subfield(RecordFormat::Holdings, b"856", b'g'));
    }
}
