//! MARCMaker out: the `.mrk` text that MarcEdit's MarcBreaker writes for UTF-8
//! records, and that pymarc's `MARCMakerReader` reads.
//!
//! ```text
//! =LDR  01201nam a2200253 a 4500
//! =001  tes96000001\
//! =008  960221s1955\\\\dcuabcdjdbkoqu001\0deng\d
//! =245  10$aNew test record$h[large print] /$cby Jane Deer-Doe.
//! ```
//!
//! One line a field, `=TAG  ` then the data. Text is UTF-8 and LDR/09 is set to
//! `a`, as MarcEdit does when it breaks records to UTF-8. In control fields
//! and indicators a blank is `\`; subfields are `$` and their code (codes and
//! indicators are written as they are, but a line break as a blank). In values
//! `$` is written `{dollar}` and, in control fields, `\` is `{bsol}`, so that
//! neither is read as structure; a `{` that would start a mnemonic is
//! `{lcub}`; `&` before `#` is `{amp}` (a character reference would otherwise
//! be read); and a C0 control character, which would break the line, is a
//! character reference such as `&#x1B;`. Everything else is written as it is.
//! Lines end with LF; records are separated by a blank line (see
//! [`super::Envelope`]).

use super::Sink;
use crate::mnemonic;
use std::io::Write as _;

/// Writes one record's lines.
pub(crate) struct RecordMrk<'o> {
    out: &'o mut Vec<u8>,
}

impl<'o> RecordMrk<'o> {
    pub(crate) fn new(out: &'o mut Vec<u8>) -> Self {
        RecordMrk { out }
    }
}

/// Appends `s`, escaped as described above; `control` also writes blanks as `\`.
pub fn escape(out: &mut Vec<u8>, s: &str, control: bool) {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let with: &[u8] = match b {
            b'$' => b"{dollar}",
            b' ' if control => b"\\",
            b'\\' if control => b"{bsol}",
            b'{' if mnemonic::at(&bytes[i..]).is_some() => b"{lcub}",
            b'&' if bytes.get(i + 1) == Some(&b'#') => b"{amp}",
            0..=0x1F => {
                out.extend_from_slice(&bytes[run..i]);
                let _ = write!(out, "&#x{b:02X};");
                run = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(with);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
}

/// An indicator or subfield code: one character, written as it is (a blank
/// indicator as `\\`), except a line break, which would end the line: a blank.
fn one(c: char, blank: char) -> char {
    match c {
        ' ' => blank,
        '\n' | '\r' => ' ',
        c => c,
    }
}

impl Sink for RecordMrk<'_> {
    fn leader(&mut self, leader: &str) {
        // Written as it is: a leader is 24 characters, whatever they are (but a
        // line break, which would end the line).
        self.out.extend_from_slice(b"=LDR  ");
        for (i, c) in leader.chars().enumerate() {
            let c = if i == 9 { 'a' } else { one(c, ' ') };
            let _ = write!(self.out, "{c}");
        }
        self.out.push(b'\n');
    }

    fn control(&mut self, tag: &str, data: &str) {
        let _ = write!(self.out, "={tag}  ");
        escape(self.out, data, true);
        self.out.push(b'\n');
    }

    fn data_start(&mut self, tag: &str, ind1: char, ind2: char) {
        let _ = write!(self.out, "={tag}  {}{}", one(ind1, '\\'), one(ind2, '\\'));
    }

    fn subfield(&mut self, code: &str, value: &str) {
        self.out.push(b'$');
        // A code with nothing ASCII in it (read as "") is a blank, as in ISO 2709.
        if code.is_empty() {
            self.out.push(b' ');
        }
        for c in code.chars() {
            let _ = write!(self.out, "{}", one(c, ' '));
        }
        escape(self.out, value, false);
    }

    fn data_end(&mut self) {
        self.out.push(b'\n');
    }

    fn end(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str, control: bool) -> String {
        let mut out = Vec::new();
        escape(&mut out, s, control);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_structure_and_mnemonics() {
        assert_eq!(esc("$35.99", false), "{dollar}35.99");
        assert_eq!(esc("a b\\c", true), "a\\b{bsol}c");
        assert_eq!(esc("a b\\c", false), "a b\\c");
        assert_eq!(esc("{text} {dollar}", false), "{text} {lcub}dollar}");
        assert_eq!(esc("a\u{1b}b&#x41;&c", false), "a&#x1B;b{amp}#x41;&c");
    }
}
