//! MARCMaker's character mnemonics (`{dollar}`, `{acute}`, ...): the Library of
//! Congress list for the characters of ASCII and ANSEL (MARC-8's default G0
//! and G1 sets), as MARCMaker and MarcEdit write them in `.mrk` files.
//!
//! Each mnemonic names one MARC-8 byte. In a MARC-8 record the byte is the
//! value; in a UTF-8 record (LDR/09 `a`) a run of mnemonics and ASCII is
//! decoded from MARC-8 to Unicode, so that a combining mark written before its
//! letter (MARC-8's order) ends up after it (Unicode's).

/// `(name, MARC-8 byte)`, sorted by name for binary search.
static MNEMONICS: &[(&str, u8)] = &[
    ("AElig", 0xA5),
    ("Dstrok", 0xA3),
    ("ETH", 0xA3),
    ("Lstrok", 0xA1),
    ("OElig", 0xA6),
    ("Ohorn", 0xAC),
    ("Ostrok", 0xA2),
    ("THORN", 0xA4),
    ("Uhorn", 0xAD),
    ("acute", 0xE2),
    ("aelig", 0xB5),
    ("amp", b'&'),
    ("ayn", 0xB0),
    ("breve", 0xE6),
    ("breveb", 0xF9),
    ("bsol", b'\\'),
    ("candra", 0xEF),
    ("caron", 0xE9),
    ("cedil", 0xF0),
    ("circ", 0xE3),
    ("circb", 0xF4),
    ("commaa", 0xFE),
    ("commab", 0xF7),
    ("copy", 0xC3),
    ("dblac", 0xEE),
    ("dbldotb", 0xF3),
    ("dblunder", 0xF5),
    ("deg", 0xC0),
    ("diaer", 0xE8),
    ("dollar", b'$'),
    ("dot", 0xE7),
    ("dotb", 0xF2),
    ("dstrok", 0xB3),
    ("esc", 0x1B),
    ("eszett", 0xC7),
    ("eth", 0xBA),
    ("euro", 0xC8),
    ("flat", 0xA9),
    ("grave", 0xE1),
    ("hardsign", 0xB7),
    ("hooka", 0xE0),
    ("iexcl", 0xC6),
    ("inodot", 0xB8),
    ("iquest", 0xC5),
    ("lcub", b'{'),
    ("ldbltil", 0xFA),
    ("llig", 0xEB),
    ("lstrok", 0xB1),
    ("macr", 0xE5),
    ("middot", 0xA8),
    ("mllhring", 0xB0),
    ("mlrhring", 0xAE),
    ("oelig", 0xB6),
    ("ogon", 0xF1),
    ("ohorn", 0xBC),
    ("ostrok", 0xB2),
    ("phono", 0xC2),
    ("plusmn", 0xAB),
    ("pound", 0xB9),
    ("rcedil", 0xF8),
    ("rcommaa", 0xED),
    ("rcub", b'}'),
    ("rdbltil", 0xFB),
    ("reg", 0xAA),
    ("ring", 0xEA),
    ("ringb", 0xF4),
    ("rlig", 0xEC),
    ("scriptl", 0xC1),
    ("sharp", 0xC4),
    ("softsign", 0xA7),
    ("thorn", 0xB4),
    ("tilde", 0xE4),
    ("uhorn", 0xBD),
    ("uml", 0xE8),
    ("under", 0xF6),
];

/// The MARC-8 byte a mnemonic name stands for.
pub(crate) fn lookup(name: &[u8]) -> Option<u8> {
    MNEMONICS
        .binary_search_by(|(n, _)| n.as_bytes().cmp(name))
        .ok()
        .map(|i| MNEMONICS[i].1)
}

/// The mnemonic at the start of `s` (which starts with `{`): its MARC-8 byte and
/// its length, braces included.
pub(crate) fn at(s: &[u8]) -> Option<(u8, usize)> {
    let close = s.iter().take(12).position(|&b| b == b'}')?;
    let byte = lookup(s.get(1..close)?)?;
    Some((byte, close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_found() {
        assert!(MNEMONICS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(lookup(b"dollar"), Some(b'$'));
        assert_eq!(lookup(b"acute"), Some(0xE2));
        assert_eq!(lookup(b"text"), None);
        assert_eq!(at(b"{lcub}text{rcub}"), Some((b'{', 6)));
        assert_eq!(at(b"{text}"), None);
        assert_eq!(at(b"{dollar"), None);
    }
}
