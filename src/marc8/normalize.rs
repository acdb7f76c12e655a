//! Bringing decoded text to the requested normalisation form, cheaply when it
//! already is.
//!
//! The decoder does most of the work as it writes (see `decoder.rs`): a
//! character that normalisation can neither change nor combine with its
//! neighbours ("inert" here) needs nothing, and a letter with the combining
//! marks that MARC-8 wrote before it is composed (or, for NFD, ordered) on the
//! spot. Only when something else turns up does the tail of the text, from
//! the last inert character before it, go through the general normaliser.

use std::iter::once;

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};
use unicode_normalization::{is_nfc_quick, is_nfd_quick, IsNormalized, UnicodeNormalization};

use super::options::Normalization;

/// True if `c` is a starter (combining class 0) that the quick check for
/// `form` accepts outright.
///
/// Text may be split before such a character and each side normalised on its
/// own: canonical reordering never moves a mark across a starter, and a
/// character with quick check "yes" never composes with what precedes it.
#[inline]
pub(crate) fn inert(c: char, form: Normalization) -> bool {
    let u = u32::from(c);
    // Below U+0300 (NFC) or U+00C0 (NFD) every character is inert, and so is
    // the CJK Unified Ideographs block (checked in the tests below).
    let limit = match form {
        Normalization::Nfc => 0x300,
        Normalization::Nfd => 0xC0,
    };
    if u < limit || (0x4E00..=0x9FFF).contains(&u) {
        return true;
    }
    canonical_combining_class(c) == 0 && quick(c, form) == IsNormalized::Yes
}

fn quick(c: char, form: Normalization) -> IsNormalized {
    match form {
        Normalization::Nfc => is_nfc_quick(once(c)),
        Normalization::Nfd => is_nfd_quick(once(c)),
    }
}

/// The combining class of a mark that the fast path can handle: a non-starter
/// with no canonical decomposition (so it is its own NFD).
#[inline]
pub(crate) fn simple_mark(m: char) -> Option<u8> {
    let cc = canonical_combining_class(m);
    // The only non-starters with a canonical decomposition (checked in the
    // tests below against the normalisation tables).
    let decomposes = matches!(m, '\u{340}' | '\u{341}' | '\u{343}' | '\u{344}');
    (cc != 0 && !decomposes).then_some(cc)
}

/// The most marks on one letter that [`cluster`] handles (more go to the
/// general normaliser).
pub(crate) const MAX_MARKS: usize = 16;

/// Append the normalised form of `base` followed by `pending` (the combining
/// marks that MARC-8 wrote before it) to `out`, and return the starter
/// written; or write nothing and return `None` if the cluster is not one this
/// handles.
///
/// Handled: `base` inert for NFC (so nothing before it combines with it,
/// whatever the form), whose canonical decomposition is a starter and
/// non-starters, and at most [`MAX_MARKS`] marks that pass [`simple_mark`].
/// The result is then the normalisation of the cluster on its own: the
/// decomposition, canonical ordering (a stable sort by combining class), and
/// for NFC the canonical composition algorithm.
pub(crate) fn cluster(
    base: char,
    pending: &[char],
    form: Normalization,
    out: &mut String,
) -> Option<char> {
    if pending.len() > MAX_MARKS {
        return None;
    }
    let mut buf = [(0u8, '\0'); MAX_MARKS + 4];
    let mut n = 0;
    let mut starter = base;
    if !base.is_ascii() {
        if !inert(base, Normalization::Nfc) {
            return None;
        }
        let mut ok = true;
        let mut first = true;
        decompose_canonical(base, |d| {
            if first {
                first = false;
                starter = d;
                ok &= canonical_combining_class(d) == 0;
            } else if let (Some(cc), true) = (simple_mark(d), n < 4) {
                if let Some(slot) = buf.get_mut(n) {
                    *slot = (cc, d);
                }
                n += 1;
            } else {
                ok = false;
            }
        });
        if !ok {
            return None;
        }
    }
    for &m in pending {
        let slot = buf.get_mut(n)?;
        *slot = (simple_mark(m)?, m);
        n += 1;
    }
    let marks = buf.get_mut(..n)?;
    // Insertion sort: stable, so marks of equal class keep their order, as
    // canonical reordering requires; there are rarely more than two.
    for i in 1..marks.len() {
        let mut j = i;
        while j > 0 && marks.get(j - 1).map(|p| p.0) > marks.get(j).map(|p| p.0) {
            marks.swap(j - 1, j);
            j -= 1;
        }
    }
    match form {
        Normalization::Nfd => {
            out.push(starter);
            out.extend(marks.iter().map(|&(_, m)| m));
        }
        Normalization::Nfc => {
            // Marks that do not compose are moved down to `marks[..n]`;
            // `last_cc` is the class of the last of them.
            let mut n = 0;
            let mut last_cc = 0u8;
            for i in 0..marks.len() {
                let Some(&(cc, m)) = marks.get(i) else { break };
                // A mark is blocked from the starter by an uncomposed mark of
                // the same class before it (classes are sorted, so never higher).
                if n == 0 || last_cc < cc {
                    if let Some(s) = compose(starter, m) {
                        starter = s;
                        continue;
                    }
                }
                if let Some(slot) = marks.get_mut(n) {
                    *slot = (cc, m);
                }
                n += 1;
                last_cc = cc;
            }
            out.push(starter);
            out.extend(marks.iter().take(n).map(|&(_, m)| m));
        }
    }
    Some(starter)
}

/// Normalise `out[from..]` in place.
pub(crate) fn tail(out: &mut String, from: usize, form: Normalization) {
    let Some(seg) = out.get(from..) else {
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
    out.truncate(from);
    out.push_str(&normalized);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_marks_are_the_non_starters_that_do_not_decompose() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let slow = canonical_combining_class(c) != 0
                && quick(c, Normalization::Nfd) == IsNormalized::Yes;
            assert_eq!(simple_mark(c).is_some(), slow, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn inert_matches_its_definition() {
        for form in [Normalization::Nfc, Normalization::Nfd] {
            for c in (0..=0x10FFFF).filter_map(char::from_u32) {
                let slow = canonical_combining_class(c) == 0 && quick(c, form) == IsNormalized::Yes;
                assert_eq!(inert(c, form), slow, "{form:?} U+{:04X}", u32::from(c));
            }
        }
    }
}
