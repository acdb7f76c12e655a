//! The knobs a caller can turn: error handling, normalisation form and ligature mapping.

use crate::decode::ErrorHandling;

/// How to decode MARC-8. The default is what pymarc users get (NFC), with the
/// Library of Congress ligature mapping and strict errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Marc8Options {
    /// What to do with bytes that are not valid MARC-8.
    pub errors: ErrorHandling,
    /// The Unicode normalisation form of the output.
    pub normalization: Normalization,
    /// How the two-character ligature and double tilde are mapped.
    pub ligatures: LigatureMapping,
}

/// The Unicode normalisation form of decoded text.
///
/// MARC-8 stores diacritics as separate combining characters, so the raw
/// conversion is decomposed. Reference converters (LC's, marc4j, yaz) leave it
/// that way; pymarc composes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Normalization {
    /// Canonical composition (NFC): what pymarc returns, and what most text tools expect.
    #[default]
    Nfc,
    /// Canonical decomposition (NFD): closest to what LC's converters and marc4j produce.
    Nfd,
}

crate::named_values!(Normalization, "marc8_normalization", {
    "NFC" => Normalization::Nfc,
    "NFD" => Normalization::Nfd,
});

/// How the halves of the ligature (ANSEL 0xEB/0xEC) and double tilde
/// (0xFA/0xFB) are mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LigatureMapping {
    /// The LC code tables' preferred mapping: the first half becomes U+0361
    /// COMBINING DOUBLE INVERTED BREVE (0xEB) or U+0360 COMBINING DOUBLE TILDE
    /// (0xFA), and the second half is dropped.
    #[default]
    Lc,
    /// pymarc's mapping (the tables' alternative): the halves become U+FE20,
    /// U+FE21, U+FE22 and U+FE23 (combining half marks), and none is dropped.
    Pymarc,
}

crate::named_values!(LigatureMapping, "marc8_ligatures", {
    "lc" => LigatureMapping::Lc,
    "pymarc" => LigatureMapping::Pymarc,
});
