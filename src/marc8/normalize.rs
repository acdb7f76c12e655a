//! Bringing decoded text to the requested normalisation form, cheaply when it
//! already is.

use unicode_normalization::{is_nfc_quick, is_nfd_quick, IsNormalized, UnicodeNormalization};

use super::options::Normalization;

/// Normalise `out[start..]` in place.
///
/// Most MARC-8 text needs nothing: ASCII is skipped outright, and the quick
/// check avoids building a new string unless a combining mark (or another
/// character that normalisation changes) is present.
pub(crate) fn in_place(out: &mut String, start: usize, form: Normalization) {
    let Some(seg) = out.get(start..) else {
        return;
    };
    if seg.is_ascii() {
        return;
    }
    let quick = match form {
        Normalization::Nfc => is_nfc_quick(seg.chars()),
        Normalization::Nfd => is_nfd_quick(seg.chars()),
    };
    if quick == IsNormalized::Yes {
        return;
    }
    let normalized: String = match form {
        Normalization::Nfc => seg.nfc().collect(),
        Normalization::Nfd => seg.nfd().collect(),
    };
    out.truncate(start);
    out.push_str(&normalized);
}
