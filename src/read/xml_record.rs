//! A scanner for the body of one MARCXML `<record>` in the plain shape that
//! writers produce: `<leader>`, `<controlfield tag>` and `<datafield tag ind1
//! ind2>` with `<subfield code>` children, whitespace between them, and values
//! of UTF-8 text with the predefined entities and character references.
//!
//! The MARCXML reader (`marcxml.rs`) runs quick-xml over the document; when a
//! record starts, it first asks this scanner to read the record's body. The
//! scanner either reads all of it, up to the record's end tag, writing the
//! fields as quick-xml's events would have written them, or gives up at the
//! first thing it does not handle (a comment, CDATA, a nested or unknown
//! element, another prefix, a namespace declaration, an attribute it does not
//! know, a carriage return, text that is not UTF-8, a character XML 1.0
//! forbids, a value the event path would report as a problem, ...), and the
//! event path reads the record from its start as before. So what is read is
//! the event path's reading, whatever the input (the fuzz checks and the
//! corpus tests compare the two), and the scanner only has to be right about
//! what it accepts. It does one pass over the bytes with `memchr`, and copies
//! a value only when it holds a reference.

use crate::owned::FieldWriter;

/// What a record's body gave: where its end tag starts, and its leader.
pub(super) struct Scanned {
    /// The offset of the `</` of the record's end tag.
    pub end: usize,
    /// The last `<leader>`'s value (as the event path keeps the last).
    pub leader: Option<[u8; 24]>,
}

/// Reads the body of a record whose start tag ended just before `from`;
/// `prefix` is the record element's prefix with its colon (`b"marc:"`), or
/// empty. The fields go into `fields`; on `None` they are partial, and the
/// caller clears them.
pub(super) fn scan_record(
    data: &[u8],
    from: usize,
    prefix: &[u8],
    fields: &mut FieldWriter,
    text: &mut String,
) -> Option<Scanned> {
    let mut s = Scanner {
        data,
        at: from,
        prefix,
    };
    let mut leader = None;
    loop {
        s.skip_whitespace();
        if s.byte(0)? != b'<' {
            return None;
        }
        if s.byte(1)? == b'/' {
            let end = s.at;
            s.end_tag(b"record")?;
            if !plain_text(&data[from..end]) {
                return None;
            }
            return Some(Scanned { end, leader });
        }
        let mut attrs = Attrs::default();
        let local = s.start_tag(&mut attrs)?;
        match local {
            Local::Leader if attrs.is_empty() => {
                let value = std::str::from_utf8(s.value(text)?).ok()?;
                s.end_tag(b"leader")?;
                let l = super::leader_of(value).or_else(|| super::leader_of(value.trim()))?;
                leader = Some(l);
            }
            Local::ControlField => {
                let tag = tag(attrs.tag?)?;
                if attrs.ind1.is_some() || attrs.ind2.is_some() || attrs.code.is_some() {
                    return None;
                }
                let value = s.value(text)?;
                s.end_tag(b"controlfield")?;
                fields.control(tag, value);
            }
            Local::DataField => {
                let tag = tag(attrs.tag?)?;
                if attrs.code.is_some() {
                    return None;
                }
                let ind1 = attrs.ind1.map_or(Some(b' '), one_char)?;
                let ind2 = attrs.ind2.map_or(Some(b' '), one_char)?;
                fields.start_data(tag, ind1, ind2);
                s.subfields(fields, text)?;
                fields.end_data();
            }
            _ => return None,
        }
    }
}

/// An indicator or subfield code's value (printable ASCII, tab or newline),
/// as the event path reads it when it reports no problem: empty after
/// trailing whitespace is a blank, one character is itself.
fn one_char(v: &[u8]) -> Option<u8> {
    match v.trim_ascii_end() {
        [] => Some(b' '),
        [b] if !b.is_ascii_control() => Some(*b),
        _ => None,
    }
}

/// A tag attribute's value (printable ASCII, tab or newline), as
/// [`super::tag_of`] reads it: three characters after trimming whitespace, or
/// a number of one or two digits padded with zeros.
fn tag(v: &[u8]) -> Option<[u8; 3]> {
    match v.trim_ascii() {
        [a, b, c] => Some([*a, *b, *c]),
        [b] if b.is_ascii_digit() => Some([b'0', b'0', *b]),
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => Some([b'0', *a, *b]),
        _ => None,
    }
}

/// The MARC elements a record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Local {
    Leader,
    ControlField,
    DataField,
    Subfield,
}

/// The attributes the scanner knows, as written (no references).
#[derive(Default)]
struct Attrs<'a> {
    tag: Option<&'a [u8]>,
    ind1: Option<&'a [u8]>,
    ind2: Option<&'a [u8]>,
    code: Option<&'a [u8]>,
}

impl Attrs<'_> {
    fn is_empty(&self) -> bool {
        self.tag.is_none() && self.ind1.is_none() && self.ind2.is_none() && self.code.is_none()
    }
}

struct Scanner<'a> {
    data: &'a [u8],
    at: usize,
    prefix: &'a [u8],
}

/// XML's whitespace, less the carriage return (whose line-end normalisation is
/// left to the event path).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

impl<'a> Scanner<'a> {
    fn byte(&self, k: usize) -> Option<u8> {
        self.data.get(self.at + k).copied()
    }

    fn skip_whitespace(&mut self) {
        while self.byte(0).is_some_and(is_space) {
            self.at += 1;
        }
    }

    /// `prefix` + `local` at the scanner's position, followed by `next`.
    fn name_is(&self, local: &[u8]) -> Option<usize> {
        let rest = self.data.get(self.at..)?;
        let p = self.prefix.len();
        let prefixed = p == 0 || rest.starts_with(self.prefix);
        (prefixed && rest[p..].starts_with(local)).then_some(p + local.len())
    }

    /// A start tag (not an empty element) of a MARC element, its attributes
    /// put in `attrs` (filled in place: returning them with the name cost a
    /// copy through the stack per element); the scanner is left after its
    /// `>`.
    fn start_tag(&mut self, attrs: &mut Attrs<'a>) -> Option<Local> {
        self.at += 1;
        let p = self.prefix.len();
        // The local name, told by its first letter.
        let (name, local): (&[u8], Local) = match self.byte(p)? {
            b's' => (b"subfield", Local::Subfield),
            b'd' => (b"datafield", Local::DataField),
            b'c' => (b"controlfield", Local::ControlField),
            b'l' => (b"leader", Local::Leader),
            _ => return None,
        };
        let n = self.name_is(name)?;
        if !matches!(
            self.data.get(self.at + n),
            Some(b' ' | b'\t' | b'\n' | b'>')
        ) {
            return None;
        }
        self.at += n;
        loop {
            let spaced = self.byte(0).is_some_and(is_space);
            self.skip_whitespace();
            match self.byte(0)? {
                b'>' => {
                    self.at += 1;
                    return Some(local);
                }
                _ if !spaced => return None,
                _ => {}
            }
            let name_start = self.at;
            while self.byte(0).is_some_and(|b| b.is_ascii_alphanumeric()) {
                self.at += 1;
            }
            let name = &self.data[name_start..self.at];
            self.skip_whitespace();
            if self.byte(0)? != b'=' {
                return None;
            }
            self.at += 1;
            self.skip_whitespace();
            let quote = self.byte(0)?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            // The value, up to its closing quote, in one pass: printable ASCII
            // with no markup or reference, tab and newline (which the values'
            // trimming handles) allowed; anything else is the event path's.
            let value_start = self.at + 1;
            let mut end = value_start;
            loop {
                match *self.data.get(end)? {
                    b if b == quote => break,
                    b'<' | b'&' => return None,
                    0x20..=0x7E | b'\t' | b'\n' => end += 1,
                    _ => return None,
                }
            }
            let value = &self.data[value_start..end];
            self.at = end + 1;
            let slot = match name {
                b"tag" => &mut attrs.tag,
                b"ind1" => &mut attrs.ind1,
                b"ind2" => &mut attrs.ind2,
                b"code" => &mut attrs.code,
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
        }
    }

    /// The end tag `</prefix:local>`; the scanner is left after it.
    fn end_tag(&mut self, local: &[u8]) -> Option<()> {
        if self.byte(0)? != b'<' || self.byte(1)? != b'/' {
            return None;
        }
        self.at += 2;
        let n = self.name_is(local)?;
        if self.data.get(self.at + n) != Some(&b'>') {
            return None;
        }
        self.at += n + 1;
        Some(())
    }

    /// A data field's subfields, up to and past its end tag.
    fn subfields(&mut self, fields: &mut FieldWriter, text: &mut String) -> Option<()> {
        loop {
            self.skip_whitespace();
            if self.byte(0)? != b'<' {
                return None;
            }
            if self.byte(1)? == b'/' {
                return self.end_tag(b"datafield");
            }
            let mut attrs = Attrs::default();
            let local = self.start_tag(&mut attrs)?;
            if local != Local::Subfield
                || attrs.tag.is_some()
                || attrs.ind1.is_some()
                || attrs.ind2.is_some()
            {
                return None;
            }
            // A subfield with no code attribute is a problem for the event path.
            let code = one_char(attrs.code?)?;
            let value = self.value(text)?;
            self.end_tag(b"subfield")?;
            fields.subfield(code, value);
        }
    }

    /// An element's text, up to the next `<`: its references decoded (into
    /// `text`, only when there are any). `None` for a reference the event path
    /// would treat otherwise or report. The bytes are checked once for the
    /// whole record ([`plain_text`]).
    fn value<'t>(&mut self, text: &'t mut String) -> Option<&'t [u8]>
    where
        'a: 't,
    {
        let start = self.at;
        let len = memchr::memchr(b'<', &self.data[start..])?;
        let raw = &self.data[start..start + len];
        self.at = start + len;
        if memchr::memchr(b'&', raw).is_none() {
            return Some(raw);
        }
        let mut rest = std::str::from_utf8(raw).ok()?;
        text.clear();
        while let Some(amp) = rest.find('&') {
            text.push_str(&rest[..amp]);
            let after = &rest[amp + 1..];
            let semi = after.find(';')?;
            text.push(reference(&after[..semi])?);
            rest = &after[semi + 1..];
        }
        text.push_str(rest);
        Some(text.as_bytes())
    }
}

/// Whether a record's bytes are text the event path reads as it is: UTF-8,
/// with no carriage return (line ends are normalised), no control XML 1.0
/// forbids, and no U+FFFE or U+FFFF. Values and the whitespace between
/// elements are slices of these bytes cut at ASCII markup, so each is checked
/// by this one pass.
fn plain_text(bytes: &[u8]) -> bool {
    // Counting (no early exit) lets the compiler vectorise the loop.
    let controls = bytes
        .chunks(255)
        .map(|c| {
            c.iter().fold(0u8, |n, &b| {
                n | u8::from(b < 0x20 && b != b'\t' && b != b'\n')
            })
        })
        .fold(0u8, |a, b| a | b);
    if controls != 0 || simdutf8::basic::from_utf8(bytes).is_err() {
        return false;
    }
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
    memchr::memmem::find_iter(bytes, b"\xEF\xBF")
        .all(|at| !matches!(bytes.get(at + 2), Some(0xBE | 0xBF)))
}

/// A predefined entity or a character reference (`#38`, `#x26`) that XML 1.0
/// allows in text; `None` for anything else.
fn reference(name: &str) -> Option<char> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name.strip_prefix('#')?;
            let (digits, radix) = match num.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (num, 10),
            };
            if digits.is_empty()
                || digits.len() > 6
                || !digits.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return None;
            }
            char::from_u32(u32::from_str_radix(digits, radix).ok()?)?
        }
    };
    let allowed = (c >= ' ' || matches!(c, '\t' | '\n')) && c != '\u{FFFE}' && c != '\u{FFFF}';
    allowed.then_some(c)
}

#[cfg(test)]
mod tests {
    use super::super::marcxml::{read, XmlOptions};
    use super::*;

    const LEADER: &str = "<leader>00000nam a2200000 a 4500</leader>";

    /// The body of `<record>BODY</record>` as the scanner reads it, if it does.
    fn scan(body: &str, prefix: &str) -> Option<Vec<u8>> {
        let xml = format!("{body}</{prefix}record>");
        let mut fields = FieldWriter::default();
        let mut text = String::new();
        let scanned = scan_record(xml.as_bytes(), 0, prefix.as_bytes(), &mut fields, &mut text)?;
        assert_eq!(scanned.end, body.len());
        let mut out = Vec::new();
        fields
            .finish(&scanned.leader.unwrap_or([b' '; 24]), &mut out)
            .ok()?;
        Some(out)
    }

    /// A collection of one record with `body`, read with and without the
    /// scanner: the same, always.
    fn both_ways(body: impl AsRef<[u8]>) -> super::super::Transcoded {
        let body = body.as_ref();
        let mut xml = b"<collection xmlns=\"http://www.loc.gov/MARC21/slim\">\n<record>".to_vec();
        xml.extend_from_slice(body);
        xml.extend_from_slice(
            format!(
                "</record>\n<record>{LEADER}<controlfield tag=\"001\">next</controlfield>\
                 </record>\n</collection>"
            )
            .as_bytes(),
        );
        let body = String::from_utf8_lossy(body);
        let options = XmlOptions {
            threads: 1,
            ..XmlOptions::default()
        };
        let fast = read(&xml, &options);
        let events = read(
            &xml,
            &XmlOptions {
                fast_records: false,
                ..options
            },
        );
        assert!(fast.bytes == events.bytes, "{body:?}");
        assert_eq!(fast.input, events.input, "{body:?}");
        fast
    }

    #[test]
    fn reads_the_shape_writers_write() {
        let body = format!(
            "\n  {LEADER}\n  <controlfield tag=\"001\">  42 </controlfield>\n  \
             <datafield tag=\"245\" ind1=\"1\" ind2=\" \">\n    <subfield code=\"a\">Caf\u{e9} &amp; \
             &lt;b&gt; &#233;&#x263A;</subfield>\n    <subfield code='c'></subfield>\n  </datafield>\n\
             <datafield ind2=\"0\" tag=\"42\"></datafield>\n"
        );
        assert!(scan(&body, "").is_some());
        let t = both_ways(&body);
        assert_eq!(t.input.failed_count(), 0);
        let prefixed = body.replace('<', "<marc:").replace("<marc:/", "</marc:");
        assert!(scan(&prefixed, "marc:").is_some());
        assert!(scan(&prefixed, "").is_none());
    }

    #[test]
    fn leaves_everything_else_to_the_events() {
        for body in [
            // Markup it does not read.
            format!("{LEADER}<!-- a comment --><controlfield tag=\"001\">1</controlfield>"),
            format!("{LEADER}<controlfield tag=\"001\"><![CDATA[1]]></controlfield>"),
            format!("{LEADER}<controlfield tag=\"001\">1<b>2</b></controlfield>"),
            format!("{LEADER}<datafield tag=\"245\"><subfield code=\"a\"/></datafield>"),
            format!("{LEADER}<other>x</other>"),
            format!("{LEADER}<x:datafield tag=\"245\" xmlns:x=\"urn:x\"></x:datafield>"),
            format!("{LEADER}<datafield tag=\"245\" extra=\"1\"></datafield>"),
            format!("{LEADER}<datafield tag=\"245\" tag=\"246\"></datafield>"),
            format!("{LEADER}<datafield tag=\"245\"ind1=\"1\"></datafield>"),
            format!("{LEADER}text between fields"),
            // Values the events report or change.
            format!("{LEADER}<controlfield tag=\"001\">a\r\nb</controlfield>"),
            format!("{LEADER}<controlfield tag=\"001\">a\u{1}b</controlfield>"),
            format!("{LEADER}<controlfield tag=\"001\">a\u{FFFE}b</controlfield>"),
            format!("{LEADER}<controlfield tag=\"001\">&#1;</controlfield>"),
            format!("{LEADER}<controlfield tag=\"001\">&#x110000;</controlfield>"),
            format!("{LEADER}<controlfield tag=\"001\">&nbsp;</controlfield>"),
            format!("{LEADER}<controlfield tag=\"001\">a & b</controlfield>"),
            format!("{LEADER}<controlfield>no tag</controlfield>"),
            format!("{LEADER}<controlfield tag=\"0001\">1</controlfield>"),
            format!("{LEADER}<datafield tag=\"245\" ind1=\"12\"></datafield>"),
            format!("{LEADER}<datafield tag=\"245\" ind1=\"&#233;\"></datafield>"),
            format!("{LEADER}<datafield tag=\"245\"><subfield>no code</subfield></datafield>"),
            format!(
                "{LEADER}<datafield tag=\"245\"><subfield code=\"ab\">x</subfield></datafield>"
            ),
            "<leader>short</leader>".to_string(),
            // Ill-formed: the events say where.
            format!("{LEADER}<controlfield tag=\"001\">1</datafield>"),
            format!("{LEADER}<datafield tag=\"245\"><subfield code=\"a\">x</datafield>"),
            format!("{LEADER}<controlfield tag=\"001\">1</controlfield "),
        ] {
            assert!(scan(&body, "").is_none(), "{body:?}");
            both_ways(&body);
        }
    }

    #[test]
    fn the_last_leader_counts_and_bytes_are_checked_once() {
        let body = format!("{LEADER}<leader>00000cam a2200000 a 4500</leader>");
        assert!(scan(&body, "").is_some());
        both_ways(&body);
        let bad_utf8 = both_ways(b"<controlfield tag=\"001\">\xC3(</controlfield>");
        assert_eq!(bad_utf8.input.failed_count(), 1);
        assert!(!plain_text(b"a\xC3(b"));
        assert!(!plain_text("a\u{FFFF}".as_bytes()));
        assert!(plain_text("a\u{FFFD}\t\n".as_bytes()));
    }
}
