//! MARC-in-JSON out: what pymarc's `Record.as_json()` and `JSONWriter` write.
//!
//! A record is `{"leader": ..., "fields": [...]}`; a control field is
//! `{"001": "data"}`, a data field `{"245": {"ind1": "1", "ind2": "0",
//! "subfields": [{"a": "..."}, ...]}}`, keys in that order, with pymarc's
//! `JSONWriter` separators (`,` and `:`, no spaces). A file is a JSON array, one
//! record a line, or JSON lines (see [`super::Envelope`]).
//!
//! Text is written as UTF-8, not as `\u` escapes (pymarc's `json.dump` has
//! `ensure_ascii` on): both parse to the same strings, UTF-8 is a third of the
//! size for non-Latin scripts, and RFC 8259 asks for it. Only what JSON
//! requires is escaped: `"`, `\` and the C0 controls (`\n`, `\t`, ... or
//! `\u00XX`, as Python writes them).

use super::Sink;

/// The escape of each byte below 0x20, as Python's `json` writes it.
fn control_escape(b: u8, out: &mut Vec<u8>) {
    match b {
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0C => out.extend_from_slice(b"\\f"),
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xF) as usize]);
        }
    }
}

/// Appends `s` as a JSON string, quotes included.
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Most strings need no escape: a branch-free pass says so.
    if !bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            _ => control_escape(b, out),
        }
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Writes one record object.
pub(crate) struct RecordJson<'o> {
    out: &'o mut Vec<u8>,
    /// Whether a field (or, inside a data field, a subfield) was written: the
    /// next one needs a comma.
    field_written: bool,
    subfield_written: bool,
}

impl<'o> RecordJson<'o> {
    pub(crate) fn new(out: &'o mut Vec<u8>) -> Self {
        RecordJson {
            out,
            field_written: false,
            subfield_written: false,
        }
    }

    fn next_field(&mut self) {
        if self.field_written {
            self.out.push(b',');
        }
        self.field_written = true;
    }
}

impl Sink for RecordJson<'_> {
    fn leader(&mut self, leader: &str) {
        self.out.extend_from_slice(b"{\"leader\":");
        string(self.out, leader);
        self.out.extend_from_slice(b",\"fields\":[");
    }

    fn control(&mut self, tag: &str, data: &str) {
        self.next_field();
        self.out.push(b'{');
        string(self.out, tag);
        self.out.push(b':');
        string(self.out, data);
        self.out.push(b'}');
    }

    fn data_start(&mut self, tag: &str, ind1: char, ind2: char) {
        self.next_field();
        self.out.push(b'{');
        string(self.out, tag);
        self.out.extend_from_slice(b":{\"ind1\":");
        string(self.out, ind1.encode_utf8(&mut [0; 4]));
        self.out.extend_from_slice(b",\"ind2\":");
        string(self.out, ind2.encode_utf8(&mut [0; 4]));
        self.out.extend_from_slice(b",\"subfields\":[");
        self.subfield_written = false;
    }

    fn subfield(&mut self, code: &str, value: &str) {
        if self.subfield_written {
            self.out.push(b',');
        }
        self.subfield_written = true;
        self.out.push(b'{');
        string(self.out, code);
        self.out.push(b':');
        string(self.out, value);
        self.out.push(b'}');
    }

    fn data_end(&mut self) {
        self.out.extend_from_slice(b"]}}");
    }

    fn end(&mut self) {
        self.out.extend_from_slice(b"]}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_what_json_requires() {
        let mut out = Vec::new();
        string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\nd\\u0001é\""
        );
    }
}
