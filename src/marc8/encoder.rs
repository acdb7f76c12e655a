//! The Unicode to MARC-8 state machine: decomposition, combining marks moved
//! before the character they sit on, escape sequences, and LC's `&#xHHHH;`
//! for what MARC-8 lacks.
//!
//! The text is cut into clusters: a *carrier* (a character the decoder
//! attaches pending marks to: a letter, a space, a character reference) and
//! the MARC-8 combining marks after it. A cluster is written as MARC-8 orders
//! it: the designation the carrier needs, its marks (each designating its own
//! set where that does not disturb the carrier's), then the carrier. A mark
//! that cannot be written that way (no carrier before it, on an EACC
//! character, or only in a set that would displace the carrier's) becomes a
//! character reference, which is a carrier itself, so the marks after it keep
//! their order.

use smallvec::SmallVec;
use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};

use super::ncr;
use super::reverse::{self, Code, Set};

/// COMBINING DOUBLE INVERTED BREVE and COMBINING DOUBLE TILDE: marks that span
/// two letters, written in MARC-8 as a first half before the first letter and
/// a second half before the second.
const LIGATURE: char = '\u{361}';
const DOUBLE_TILDE: char = '\u{360}';

/// Encode `text` (not all plain ASCII) and append it to `out`; returns how
/// many characters were written as `&#xHHHH;` because MARC-8 lacks them.
pub(crate) fn encode_general(text: &str, out: &mut Vec<u8>) -> usize {
    let seq = decompose(text);
    let mut e = Encoder {
        g0: Set::BasicLatin,
        g1: Set::Ansel,
        second_half: None,
        references: 0,
        out,
    };
    let mut i = 0;
    while let Some(&c) = seq.get(i) {
        i += 1;
        let rest = seq.get(i..).unwrap_or_default();
        let marks = rest.iter().take_while(|&&m| is_mark(m)).count();
        if c == ' ' && marks == 0 {
            e.before_spaces(rest);
        }
        i += e.cluster(c, rest.get(..marks).unwrap_or_default(), rest);
    }
    e.finish();
    e.references
}

/// Canonical decomposition, except of characters MARC-8 has as they are
/// (EACC's Hangul syllables), and of characters whose decomposition would
/// not start with a character MARC-8 has (one reference is better than
/// several); then canonical ordering of the combining marks, as NFD has it.
fn decompose(text: &str) -> SmallVec<[char; 64]> {
    let mut seq: SmallVec<[char; 64]> = SmallVec::new();
    for c in text.chars() {
        if c.is_ascii() || reverse::has(c) {
            seq.push(c);
            continue;
        }
        let mut parts: SmallVec<[char; 4]> = SmallVec::new();
        decompose_canonical(c, |d| parts.push(d));
        match parts.first() {
            Some(&first) if parts.len() > 1 && (first.is_ascii() || reverse::has(first)) => {
                seq.extend(parts);
            }
            _ => seq.push(c),
        }
    }
    reorder_marks(&mut seq);
    recompose(&mut seq);
    seq
}

/// Where a letter is followed by a mark MARC-8 lacks but the two compose to
/// a character MARC-8 has (o and the horn, U+031B, to ơ, ANSEL 0xBC), use
/// that character: canonically the same text, with no reference.
fn recompose(seq: &mut SmallVec<[char; 64]>) {
    let mut i = 0;
    while i + 1 < seq.len() {
        let (a, m) = (seq[i], seq[i + 1]);
        if canonical_combining_class(m) != 0 && !is_mark(m) {
            if let Some(x) = compose(a, m).filter(|&x| reverse::has(x)) {
                seq[i] = x;
                seq.remove(i + 1);
                continue;
            }
        }
        i += 1;
    }
}

/// Canonical ordering: each run of non-starters sorted by combining class,
/// stably (an insertion sort: runs are short).
fn reorder_marks(seq: &mut [char]) {
    for i in 1..seq.len() {
        let mut j = i;
        while j > 0 {
            let (a, b) = (seq[j - 1], seq[j]);
            let (ca, cb) = (canonical_combining_class(a), canonical_combining_class(b));
            if cb == 0 || ca <= cb {
                break;
            }
            seq.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// True for a character MARC-8 writes as a combining mark, before its base.
#[inline]
fn is_mark(c: char) -> bool {
    !c.is_ascii() && reverse::codes(c).next().is_some_and(|code| code.combining)
}

/// How a carrier is written.
#[derive(Debug, Clone, Copy)]
enum Carrier {
    /// A byte that is itself whatever is designated: space, and the record
    /// structure characters 0x1D-0x1F (which the decoder keeps).
    Raw(u8),
    /// A C1 control (non-sort markers, joiners): the decoder does not attach
    /// marks to it, so it carries none.
    Control(u8),
    /// A graphic character in a set.
    Coded(Code),
    /// `&#xHHHH;` (in ASCII): a character MARC-8 lacks, a mark with nothing
    /// to sit on, or an `&` that would otherwise read as a reference.
    Reference(char, bool),
}

struct Encoder<'o> {
    g0: Set,
    g1: Set,
    /// The second half of a ligature or double tilde, written before the
    /// next carrier.
    second_half: Option<u8>,
    references: usize,
    out: &'o mut Vec<u8>,
}

impl Encoder<'_> {
    /// Write carrier `c` with as many of `marks` as it can carry; returns
    /// how many it took. `rest` is the text after `c`.
    fn cluster(&mut self, c: char, marks: &[char], rest: &[char]) -> usize {
        let carrier = self.carrier(c, rest);
        // The set the carrier needs designated, which the marks must leave alone.
        let need = match carrier {
            Carrier::Coded(code) if code.set != Set::C1 => Some(code.set),
            Carrier::Reference(..) => Some(Set::BasicLatin),
            // (A space is one byte whatever is designated, but is not written
            // inside EACC either: see above; LC's CJK records do the same.)
            _ => None,
        };
        // Leave EACC for anything not in it, even what needs no G0 (a G1
        // character, a control): readers that take EACC three bytes at a time
        // (pymarc) would read a G1 byte as part of an EACC character.
        let in_eacc = matches!(carrier, Carrier::Coded(code) if code.set == Set::Eacc);
        if self.g0 == Set::Eacc && !in_eacc {
            self.designate(Set::BasicLatin);
        }
        if let Carrier::Control(b) = carrier {
            self.out.push(b);
            return 0;
        }
        if let Some(set) = need {
            self.designate(set);
        }
        // Marks go before a letter, not before a reference or an EACC
        // character: pymarc would put them on the reference's `&`, and read a
        // G1 mark byte between EACC characters as part of one. Such marks
        // become references themselves, after the carrier.
        let carries = !matches!(carrier, Carrier::Reference(..)) && need != Some(Set::Eacc);
        if let Some(half) = self.second_half.take() {
            // Before the second letter the mark spans; if no letter follows
            // (punctuation, the end), the decoder needs no second half.
            let ansel_free = need.is_none_or(|n| !n.is_g1() || n == Set::Ansel);
            if carries && c.is_alphabetic() && ansel_free {
                self.designate(Set::Ansel);
                self.out.push(half);
            }
        }
        let mut taken = 0;
        for &m in marks.iter().take_while(|_| carries) {
            let Some(code) = self.pick_mark(m, need) else {
                break;
            };
            self.designate(code.set);
            self.put(code);
            if code.set == Set::Ansel
                && ((m == LIGATURE && code.code == 0xEB)
                    || (m == DOUBLE_TILDE && code.code == 0xFA))
            {
                self.second_half = Some(code.code as u8 + 1);
            }
            taken += 1;
        }
        match carrier {
            Carrier::Raw(b) => self.out.push(b),
            Carrier::Coded(code) => self.put(code),
            Carrier::Reference(c, counted) => {
                self.references += usize::from(counted);
                self.reference(c);
            }
            Carrier::Control(_) => {}
        }
        taken
    }

    /// Before a run of spaces (which every set has): if the character after
    /// them is not in the designated G0 set, designate its set (ASCII, for
    /// anything in G1, a reference or the end of the value) before the
    /// spaces rather than after them, as LC's records mostly do.
    fn before_spaces(&mut self, rest: &[char]) {
        if self.g0 == Set::BasicLatin {
            return;
        }
        let at = rest.iter().position(|&c| c != ' ');
        let next = at.and_then(|j| {
            let c = *rest.get(j)?;
            Some(self.carrier(c, rest.get(j + 1..).unwrap_or_default()))
        });
        let target = match next {
            Some(Carrier::Coded(code)) if code.set == self.g0 => return,
            Some(Carrier::Coded(code)) if !code.set.is_g1() && code.set != Set::C1 => code.set,
            _ => Set::BasicLatin,
        };
        // Spaces are not written inside EACC (see `cluster`).
        let target = if target == Set::Eacc {
            Set::BasicLatin
        } else {
            target
        };
        self.designate(target);
    }

    /// How to write `c` as a carrier.
    fn carrier(&self, c: char, rest: &[char]) -> Carrier {
        if let ' ' | '\u{1D}' | '\u{1E}' | '\u{1F}' = c {
            return Carrier::Raw(c as u8);
        }
        let mut best: Option<Code> = None;
        for code in reverse::codes(c) {
            if code.combining {
                // A mark with no carrier before it.
                return Carrier::Reference(c, true);
            }
            if code.set == Set::C1 {
                return Carrier::Control(code.code as u8);
            }
            // Digits and punctuation stay in a designated set that has them
            // (fewer escapes); `&` is always ASCII (see below).
            if self.designated(code.set) && c != '&' {
                return Carrier::Coded(code);
            }
            best.get_or_insert(code);
        }
        match best {
            // `&` in ASCII, where the decoder reads references, followed by
            // what would read as one. The `&`'s own marks are not between it
            // and what follows in the output (marks go before their carrier,
            // or after a reference as references), so they are skipped: the
            // text `&` U+0301 `#x41;` written `\xE2&#x41;` read back as `Á`.
            Some(code)
                if code.set == Set::BasicLatin
                    && c == '&'
                    && reads_as_reference(
                        &rest[rest.iter().take_while(|&&m| is_mark(m)).count()..],
                    ) =>
            {
                Carrier::Reference(c, false)
            }
            Some(code) => Carrier::Coded(code),
            None => Carrier::Reference(c, true),
        }
    }

    /// The code for mark `m` that leaves the carrier's set `need` designated:
    /// one already designated if any, else the most preferred.
    fn pick_mark(&self, m: char, need: Option<Set>) -> Option<Code> {
        let mut best = None;
        for code in reverse::codes(m) {
            let conflicts = need.is_some_and(|n| n.is_g1() == code.set.is_g1() && n != code.set);
            if conflicts || !code.combining {
                continue;
            }
            if self.designated(code.set) {
                return Some(code);
            }
            best.get_or_insert(code);
        }
        best
    }

    fn designated(&self, set: Set) -> bool {
        set == Set::C1 || set == if set.is_g1() { self.g1 } else { self.g0 }
    }

    /// Designate `set` (into G0 or G1, as MARC-8 places it) unless it is.
    fn designate(&mut self, set: Set) {
        if self.designated(set) {
            return;
        }
        if set.is_g1() {
            self.out.extend_from_slice(set.escape());
            self.g1 = set;
        } else {
            let escape = if set == Set::BasicLatin {
                self.g0.return_to_ascii()
            } else {
                set.escape()
            };
            self.out.extend_from_slice(escape);
            self.g0 = set;
        }
    }

    /// The bytes of `code` in the designated set.
    fn put(&mut self, code: Code) {
        match code.set {
            Set::Eacc => {
                let [_, b1, b2, b3] = code.code.to_be_bytes();
                self.out.extend_from_slice(&[b1, b2, b3]);
            }
            Set::C1 => self.out.push(code.code as u8),
            set if set.is_g1() => self.out.push((code.code as u8) | 0x80),
            _ => self.out.push((code.code as u8) & 0x7F),
        }
    }

    /// `&#xHHHH;`, LC's lossless rule: at least four upper-case hex digits.
    fn reference(&mut self, c: char) {
        use std::io::Write;
        // Writing to a Vec cannot fail.
        let _ = write!(self.out, "&#x{:04X};", u32::from(c));
    }

    /// Back to the default sets at the end of the value.
    fn finish(&mut self) {
        self.designate(Set::BasicLatin);
        self.designate(Set::Ansel);
    }
}

/// True when an `&` followed by `rest` would be read back as a character
/// reference: it is then written as one itself, `&#x0026;`.
fn reads_as_reference(rest: &[char]) -> bool {
    let mut buf = [0u8; 12];
    buf[0] = b'&';
    let mut n = 1;
    for &c in rest.iter().take(buf.len() - 1) {
        if !c.is_ascii() {
            break;
        }
        buf[n] = c as u8;
        n += 1;
    }
    ncr::parse(&buf[..n]).is_some()
}

#[cfg(test)]
mod tests {
    use crate::decode::ErrorHandling;
    use crate::marc8::{decode, encode, encode_into, LigatureMapping, Marc8Options, Normalization};

    fn lc() -> Marc8Options {
        Marc8Options {
            errors: ErrorHandling::Strict,
            normalization: Normalization::Nfc,
            ligatures: LigatureMapping::Lc,
        }
    }

    fn counted(text: &str) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let n = encode_into(text, &mut out);
        (out, n)
    }

    #[test]
    fn marks_before_their_letter_in_canonical_order() {
        // ệ = e, dot below (class 220), circumflex (230): MARC-8 writes both first.
        assert_eq!(encode("\u{1EC7}"), b"\xF2\xE3e");
        // The same text given with its marks in the other order.
        assert_eq!(encode("e\u{302}\u{323}"), b"\xF2\xE3e");
        // ở: o with horn is ANSEL 0xBC, the hook above (0xE0) goes before it.
        assert_eq!(encode("S\u{1EDF}"), b"S\xE0\xBC");
    }

    #[test]
    fn ligature_and_double_tilde_halves() {
        assert_eq!(encode("t\u{361}s"), b"\xEBt\xECs");
        assert_eq!(encode("n\u{360}g"), b"\xFAn\xFBg");
        // pymarc's half marks map to the same bytes.
        assert_eq!(encode("t\u{FE20}s\u{FE21}"), b"\xEBt\xECs");
        // No second letter: no second half.
        assert_eq!(encode("o\u{361})"), b"\xEBo)");
    }

    #[test]
    fn scripts_and_return_to_defaults() {
        // No space inside EACC (pymarc reads EACC three bytes at a time).
        assert_eq!(
            encode("\u{4E00} \u{4E01}"),
            b"\x1b$1!0!\x1b(B \x1b$1!0\"\x1b(B"
        );
        assert_eq!(encode("x\u{B2}"), b"x\x1bp2\x1bs");
        assert_eq!(encode("H\u{2082}O"), b"H\x1bb2\x1bsO");
        // Extended Cyrillic is a G1 set: ANSEL comes back at the end.
        assert_eq!(encode("\u{402}"), b"\x1b)Q\xE1\x1b)E");
        for text in [
            "\u{5D0}\u{5B8}",
            "\u{627}\u{644}",
            "\u{3B1}\u{3AC}",
            "\u{402}\u{E1}",
        ] {
            assert_eq!(decode(&encode(text), &lc()).unwrap(), text, "{text}");
        }
    }

    #[test]
    fn references_for_what_marc8_lacks() {
        assert_eq!(counted("\u{263A}"), (b"&#x263A;".to_vec(), 1));
        assert_eq!(counted("\u{1F600}x"), (b"&#x1F600;x".to_vec(), 1));
        // A mark with nothing before it, and a control character.
        assert_eq!(counted("\u{301}a\t"), (b"&#x0301;a&#x0009;".to_vec(), 2));
        // A reference in the text is escaped, not counted, and reads back.
        assert_eq!(counted("&#x41;"), (b"&#x0026;#x41;".to_vec(), 0));
        assert_eq!(decode(b"&#x0026;#x41;", &lc()).unwrap(), "&#x41;");
        // Also when the `&` carries a mark: the mark is not between it and
        // what follows in the output (it was written before the `&`, and the
        // `&#x41;` after it read back as `A` with the mark, `Á`).
        let (out, n) = counted("&\u{301}#x41;");
        assert_eq!((&out[..], n), (&b"&#x0026;&#x0301;#x41;"[..], 1));
        assert_eq!(decode(&out, &lc()).unwrap(), "&\u{301}#x41;");
        assert_eq!(counted("R&D"), (b"R&D".to_vec(), 0));
        // A Cyrillic letter with a mark MARC-8 lacks: the mark is a reference
        // (in ASCII), after its letter.
        let (bytes, n) = counted("\u{439}\u{31B}");
        assert_eq!(n, 1);
        assert_eq!(decode(&bytes, &lc()).unwrap(), "\u{439}\u{31B}");
    }

    #[test]
    fn controls() {
        // Non-sort markers carry no marks.
        assert_eq!(encode("\u{98}The\u{9C} \u{E9}"), b"\x88The\x89 \xE2e");
    }
}
