//! MARCXML out: the Library of Congress MARC 21 slim schema
//! (`http://www.loc.gov/MARC21/slim`).
//!
//! A record is written as pymarc's `record_to_xml` writes it, element for
//! element: `<record>`, `<leader>`, `<controlfield tag>`, `<datafield tag ind1
//! ind2>` and `<subfield code>`, every value as text. A file is a
//! `<collection>` in the slim namespace, one record a line (see
//! [`super::Envelope`]).
//!
//! # Escaping
//!
//! `&`, `<` and `>` are written as entities everywhere; in attributes also `"`,
//! and tab, newline and carriage return as character references (a parser
//! would turn them into spaces). A carriage return in text is written `&#13;`
//! too, since a parser turns a bare one into a newline.
//!
//! # Characters XML 1.0 forbids
//!
//! XML 1.0 cannot hold the C0 controls other than tab, newline and carriage
//! return (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F), nor U+FFFE and U+FFFF,
//! not even as character references. Real records have them (an escape left
//! over from MARC-8, a stray 0x1F). marcmap writes each as **U+FFFD**, so the
//! output is always well-formed and the place of the lost character stays
//! visible, and counts them ([`super::Written::replaced`]); bulk writing reports
//! them per record. (pymarc writes them as they are, which no XML parser reads.)

use super::Sink;
use std::io::Write as _;

/// The namespace of MARCXML.
pub const NAMESPACE: &str = "http://www.loc.gov/MARC21/slim";
/// The schema location pymarc's `record_to_xml(namespace=True)` writes.
pub const SCHEMA_LOCATION: &str =
    "http://www.loc.gov/MARC21/slim http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd";

pub(super) const COLLECTION_HEAD: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<collection xmlns=\"http://www.loc.gov/MARC21/slim\">\n";
pub(super) const COLLECTION_TAIL: &[u8] = b"</collection>\n";

/// What a byte needs, in text (bit 0) and in an attribute (bit 1); bytes of
/// 0xEF start the sequences of U+FFFE and U+FFFF and are looked at (bit 2).
const TEXT: u8 = 1;
const ATTR: u8 = 2;
const LEAD_EF: u8 = 4;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = TEXT | ATTR;
        b += 1;
    }
    // Tab and newline are fine in text; carriage return is not (see above).
    t[b'\t' as usize] = ATTR;
    t[b'\n' as usize] = ATTR;
    t[b'&' as usize] = TEXT | ATTR;
    t[b'<' as usize] = TEXT | ATTR;
    t[b'>' as usize] = TEXT | ATTR;
    t[b'"' as usize] = ATTR;
    t[0xEF] = TEXT | ATTR | LEAD_EF;
    t
};

/// Appends `s` escaped for text (`attr == false`) or an attribute value, and
/// returns how many forbidden characters were replaced by U+FFFD.
pub fn escape(out: &mut Vec<u8>, s: &str, attr: bool) -> usize {
    let mask = if attr { ATTR } else { TEXT };
    let bytes = s.as_bytes();
    // Most values need nothing: a branch-free pass (which the compiler
    // vectorises) says so, and they are copied whole.
    let plain = !bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == 0xEF) | (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"')
    });
    if plain {
        out.extend_from_slice(bytes);
        return 0;
    }
    let mut replaced = 0;
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if CLASS[b as usize] & mask == 0 {
            i += 1;
            continue;
        }
        let with: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\t' => b"&#9;",
            b'\n' => b"&#10;",
            b'\r' => b"&#13;",
            0xEF => {
                // U+FFFE is EF BF BE, U+FFFF is EF BF BF.
                if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
                {
                    out.extend_from_slice(&bytes[run..i]);
                    out.extend_from_slice("\u{FFFD}".as_bytes());
                    replaced += 1;
                    i += 3;
                    run = i;
                } else {
                    i += 1;
                }
                continue;
            }
            _ => {
                replaced += 1;
                "\u{FFFD}".as_bytes()
            }
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(with);
        i += 1;
        run = i;
    }
    out.extend_from_slice(&bytes[run..]);
    replaced
}

/// Whether `c` is written in an attribute as it is (one ASCII byte).
fn plain_attr(c: char) -> bool {
    c.is_ascii() && CLASS[c as usize] & ATTR == 0
}

/// Writes one `<record>` element.
pub(crate) struct RecordXml<'o> {
    out: &'o mut Vec<u8>,
    namespace: bool,
    replaced: usize,
}

impl<'o> RecordXml<'o> {
    /// A record element, with the slim namespace and schema location on it
    /// when `namespace` is set (as pymarc's `record_to_xml(namespace=True)`).
    pub(crate) fn new(out: &'o mut Vec<u8>, namespace: bool) -> Self {
        RecordXml {
            out,
            namespace,
            replaced: 0,
        }
    }

    /// How many forbidden characters were replaced.
    pub(crate) fn replaced(&self) -> usize {
        self.replaced
    }

    fn text(&mut self, s: &str) {
        self.replaced += escape(self.out, s, false);
    }

    fn attr(&mut self, name: &str, value: &str) {
        self.out.push(b' ');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"=\"");
        self.replaced += escape(self.out, value, true);
        self.out.push(b'"');
    }
}

impl Sink for RecordXml<'_> {
    fn leader(&mut self, leader: &str) {
        if self.namespace {
            let _ = write!(
                self.out,
                "<record xmlns=\"{NAMESPACE}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{SCHEMA_LOCATION}\">"
            );
        } else {
            self.out.extend_from_slice(b"<record>");
        }
        self.out.extend_from_slice(b"<leader>");
        self.text(leader);
        self.out.extend_from_slice(b"</leader>");
    }

    fn control(&mut self, tag: &str, data: &str) {
        self.out.extend_from_slice(b"<controlfield");
        self.attr("tag", tag);
        self.out.push(b'>');
        self.text(data);
        self.out.extend_from_slice(b"</controlfield>");
    }

    fn data_start(&mut self, tag: &str, ind1: char, ind2: char) {
        // The common case, three plain tag bytes and plain ASCII indicators,
        // in one copy.
        if let (Ok(t), true, true) = (
            <[u8; 3]>::try_from(tag.as_bytes()),
            plain_attr(ind1),
            plain_attr(ind2),
        ) {
            if t.iter()
                .all(|&b| b.is_ascii() && CLASS[b as usize] & ATTR == 0)
            {
                let mut head = *b"<datafield tag=\"XXX\" ind1=\"A\" ind2=\"B\">";
                head[16..19].copy_from_slice(&t);
                head[27] = ind1 as u8;
                head[36] = ind2 as u8;
                self.out.extend_from_slice(&head);
                return;
            }
        }
        self.out.extend_from_slice(b"<datafield");
        self.attr("tag", tag);
        self.attr("ind1", ind1.encode_utf8(&mut [0; 4]));
        self.attr("ind2", ind2.encode_utf8(&mut [0; 4]));
        self.out.push(b'>');
    }

    fn subfield(&mut self, code: &str, value: &str) {
        if let [c] = code.as_bytes() {
            if c.is_ascii() && CLASS[*c as usize] & ATTR == 0 {
                let mut head = *b"<subfield code=\"c\">";
                head[16] = *c;
                self.out.extend_from_slice(&head);
                self.text(value);
                self.out.extend_from_slice(b"</subfield>");
                return;
            }
        }
        self.out.extend_from_slice(b"<subfield");
        self.attr("code", code);
        self.out.push(b'>');
        self.text(value);
        self.out.extend_from_slice(b"</subfield>");
    }

    fn data_end(&mut self) {
        self.out.extend_from_slice(b"</datafield>");
    }

    fn end(&mut self) {
        self.out.extend_from_slice(b"</record>");
    }
}

/// One record as a standalone `<record>` element (pymarc's `record_to_xml`),
/// UTF-8, with the namespace on it when `namespace` is set. Returns the
/// number of forbidden characters replaced.
pub fn write_record(
    record: &crate::RecordRef<'_>,
    decoder: &crate::TextDecoder,
    namespace: bool,
    out: &mut Vec<u8>,
) -> crate::Result<usize> {
    let start = out.len();
    let mut sink = RecordXml::new(out, namespace);
    match super::visit(record, decoder, &mut sink) {
        Ok(()) => Ok(sink.replaced()),
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str, attr: bool) -> (String, usize) {
        let mut out = Vec::new();
        let n = escape(&mut out, s, attr);
        (String::from_utf8(out).unwrap(), n)
    }

    #[test]
    fn escapes_markup_and_replaces_forbidden_characters() {
        assert_eq!(esc("a<b>&c\"", false), ("a&lt;b&gt;&amp;c\"".into(), 0));
        assert_eq!(
            esc("a<b>&c\"\t\n", true),
            ("a&lt;b&gt;&amp;c&quot;&#9;&#10;".into(), 0)
        );
        assert_eq!(esc("x\ty\nz\r", false), ("x\ty\nz&#13;".into(), 0));
        assert_eq!(
            esc("\u{1b}(B\u{1f}", false),
            ("\u{FFFD}(B\u{FFFD}".into(), 2)
        );
        assert_eq!(
            esc("a\u{FFFE}b\u{FFFF}", false),
            ("a\u{FFFD}b\u{FFFD}".into(), 2)
        );
        // Other characters that start with 0xEF are kept.
        assert_eq!(
            esc("\u{FFFD}\u{FB01}", false),
            ("\u{FFFD}\u{FB01}".into(), 0)
        );
        assert_eq!(esc("café", true), ("café".into(), 0));
    }
}
