//! MARCMaker in: the `.mrk` text of MarcEdit and LC's MARCMaker, each record
//! transcoded to ISO 2709 (see [`super`]).
//!
//! One line a field (`=TAG  data`, the tag then two spaces), `=LDR  ` for the
//! leader, records separated by blank lines; LF or CRLF. In the leader,
//! control fields and indicators `\` is a blank. A data field is two
//! indicators and `$`-delimited subfields.
//!
//! Mnemonics (`{dollar}`, `{acute}`, ... see `mnemonic.rs`) are decoded as the
//! record's text is: in a UTF-8 record (LDR/09 `a`, as MarcEdit writes `.mrk8`,
//! or any record with characters that are not ASCII: the file is UTF-8 text,
//! and LDR/09 is set to `a`) a
//! run of mnemonics and ASCII is decoded from MARC-8 to Unicode, with the
//! character references (`&#x1B;`) in it, but for a `&` written `{amp}`,
//! which is the character `&` (so `{amp}#x41;` is the text `&#x41;`, as
//! the writer writes it); in a MARC-8 record (LC's `.mrk`: a
//! MARC-8 leader and ASCII only) each mnemonic becomes its MARC-8 byte and the
//! bytes stay MARC-8, decoded when they are read. A `{name}` that is no mnemonic stays as it is.
//!
//! A line that is not `=TAG  ...`, a tag that is not three characters or a
//! subfield code that is not one ASCII character fails its record, with its
//! line; the records after it are read.

use super::{Builder, InputPosition, Lines, Malformed, Transcoded};
use crate::format::Format;
use crate::index::Framing;
use crate::marc8::{self, Marc8Options};
use crate::mnemonic;
use crate::owned::{OwnedField, OwnedRecord, OwnedSubfield};

/// pymarc's leader for a record that has none.
const DEFAULT_LEADER: [u8; 24] = super::marcxml::DEFAULT_LEADER;

/// Reads `data`.
pub fn read(data: &[u8], framing: Framing) -> Transcoded {
    let mut builder = Builder::new(Format::MarcMaker, framing, data.len());
    let mut lines = Lines::new(data, 0, 1, 0);
    let start = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut record: Option<Pending> = None;
    let mut pos = start;
    while pos < data.len() && !builder.stopped() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |n| pos + n);
        let mut line = &data[pos..end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let at = lines.at(pos);
        if line.iter().all(u8::is_ascii_whitespace) {
            if let Some(r) = record.take() {
                r.finish(&mut builder);
            }
        } else {
            let r = record.get_or_insert_with(|| Pending::new(at));
            if r.problem.is_none() {
                if let Err(reason) = r.line(line) {
                    r.problem = Some(Malformed { at, reason });
                }
            }
        }
        pos = end + 1;
    }
    if let Some(r) = record.take() {
        r.finish(&mut builder);
    }
    builder.finish()
}

/// A record being read: its lines so far.
struct Pending {
    start: InputPosition,
    leader: Option<[u8; 24]>,
    /// Fields, their values still with mnemonics (decoded when the leader is
    /// known: it may come after them).
    fields: Vec<OwnedField>,
    problem: Option<Malformed>,
}

impl Pending {
    fn new(start: InputPosition) -> Self {
        Pending {
            start,
            leader: None,
            fields: Vec::new(),
            problem: None,
        }
    }

    /// One line of the record.
    fn line(&mut self, line: &[u8]) -> Result<(), String> {
        let text = || String::from_utf8_lossy(line).into_owned();
        if line.first() != Some(&b'=') {
            return Err(format!("a line of a record starts with '=': {:?}", text()));
        }
        let tag = line
            .get(1..4)
            .and_then(|t| <[u8; 3]>::try_from(t).ok())
            .filter(|t| t.is_ascii())
            .ok_or_else(|| format!("no three-character tag: {:?}", text()))?;
        if line.get(4..6) != Some(b"  ") {
            return Err(format!("the tag is followed by two spaces: {:?}", text()));
        }
        let data = &line[6..];
        if &tag == b"LDR" {
            let leader = String::from_utf8_lossy(data).replace('\\', " ");
            self.leader = Some(super::leader_of(&leader).ok_or_else(|| {
                format!(
                    "the leader is {} characters, not 24: {:?}",
                    leader.chars().count(),
                    text()
                )
            })?);
            return Ok(());
        }
        if tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit() {
            let value: Vec<u8> = data
                .iter()
                .map(|&b| if b == b'\\' { b' ' } else { b })
                .collect();
            self.fields.push(OwnedField::control(tag, value));
            return Ok(());
        }
        // Two indicators, each one character: a blank for `\`, and for one that
        // is not ASCII (ISO 2709 holds an indicator in one byte).
        let (ind1, after1) = one_char(data, 0);
        let (ind2, after2) = one_char(data, after1);
        let mut field = OwnedField::data(tag, ind1, ind2);
        let rest = data.get(after2..).unwrap_or_default();
        if !rest.is_empty() && rest[0] != b'$' {
            return Err(format!(
                "subfields start with '$' after the two indicators: {:?}",
                text()
            ));
        }
        for part in rest.split(|&b| b == b'$').skip(1) {
            if part.is_empty() {
                return Err(format!("a '$' with no subfield code: {:?}", text()));
            }
            let (code, after) = one_char(part, 0);
            let code = if code == b'\\' { b' ' } else { code };
            let value = &part[after..];
            if let crate::owned::FieldBody::Data { subfields, .. } = &mut field.body {
                subfields.push(OwnedSubfield {
                    code,
                    value: value.to_vec(),
                });
            }
        }
        self.fields.push(field);
        Ok(())
    }

    /// The record is complete: decode its mnemonics and add it.
    fn finish(self, builder: &mut Builder) {
        if let Some(why) = self.problem {
            builder.fail(self.start, why);
            return;
        }
        let mut leader = self.leader.unwrap_or(DEFAULT_LEADER);
        // Text that is not ASCII is UTF-8 (a MARC-8 .mrk writes every other
        // character as a mnemonic): such a record is UTF-8, whatever its
        // leader said (pymarc's TextWriter keeps a MARC-8 leader on the text
        // it decoded).
        let raw_non_ascii = self.fields.iter().any(|f| match &f.body {
            crate::owned::FieldBody::Control(d) => !d.is_ascii(),
            crate::owned::FieldBody::Data { subfields, .. } => {
                subfields.iter().any(|s| !s.value.is_ascii())
            }
        });
        let utf8 = leader[9] == b'a' || raw_non_ascii;
        if utf8 {
            leader[9] = b'a';
        }
        let mut record = OwnedRecord::new(leader);
        for mut field in self.fields {
            match &mut field.body {
                crate::owned::FieldBody::Control(data) => *data = decode(data, utf8),
                crate::owned::FieldBody::Data { subfields, .. } => {
                    for s in subfields {
                        s.value = decode(&s.value, utf8);
                    }
                }
            }
            record.push(field);
        }
        builder.record(&record, self.start);
    }
}

/// The character at `at` as an indicator or code byte (a blank if it is `\`,
/// missing, or not ASCII), and where the next one starts.
fn one_char(data: &[u8], at: usize) -> (u8, usize) {
    match data.get(at) {
        None => (b' ', at),
        Some(b'\\') => (b' ', at + 1),
        Some(&b) if b.is_ascii() => (b, at + 1),
        Some(_) => (b' ', at + utf8_len(&data[at..])),
    }
}

/// A value with its mnemonics decoded (see the module).
fn decode(value: &[u8], utf8: bool) -> Vec<u8> {
    let needs = memchr::memchr(b'{', value).is_some()
        || (utf8 && memchr::memmem::find(value, b"&#").is_some());
    if !needs {
        return value.to_vec();
    }
    // The value with each mnemonic as its MARC-8 byte, and where `{amp}`
    // put a `&` (a literal one, which starts no character reference).
    let mut marc8 = Vec::with_capacity(value.len());
    let mut amps = Vec::new();
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'{' {
            if let Some((byte, len)) = mnemonic::at(&value[i..]) {
                if byte == b'&' {
                    amps.push(marc8.len());
                }
                marc8.push(byte);
                i += len;
                continue;
            }
        }
        marc8.push(value[i]);
        i += 1;
    }
    if !utf8 {
        return marc8;
    }
    // UTF-8: runs of MARC-8 (ASCII and mnemonic bytes) decoded, other
    // characters (UTF-8 written as it is) kept.
    let mut out = String::with_capacity(marc8.len());
    let options = Marc8Options::default();
    let mut run_start = 0;
    let mut k = 0;
    let flush = |out: &mut String, run: &[u8]| {
        if !run.is_empty() {
            match marc8::decode_cow(run, &options) {
                Ok(s) => out.push_str(&s),
                Err(_) => out.push_str(&String::from_utf8_lossy(run)),
            }
        }
    };
    let mut amps = amps.into_iter().peekable();
    while k < marc8.len() {
        let b = marc8[k];
        if amps.next_if_eq(&k).is_some() && marc8.get(k + 1) == Some(&b'#') {
            // `{amp}#...;` is the text `&#...;`, not a character reference:
            // the run ends before the `&`, which is written as it is.
            flush(&mut out, &marc8[run_start..k]);
            out.push('&');
            k += 1;
            run_start = k;
            continue;
        }
        if b < 0x80 || !starts_utf8(&marc8[k..]) {
            k += 1;
            continue;
        }
        flush(&mut out, &marc8[run_start..k]);
        let len = utf8_len(&marc8[k..]);
        out.push_str(std::str::from_utf8(&marc8[k..k + len]).unwrap_or("\u{FFFD}"));
        k += len;
        run_start = k;
    }
    flush(&mut out, &marc8[run_start..]);
    out.into_bytes()
}

/// Whether a whole UTF-8 character starts `b` (a byte from a mnemonic is one
/// MARC-8 byte and is not followed by continuation bytes).
fn starts_utf8(b: &[u8]) -> bool {
    let len = utf8_len(b);
    len > 1 && std::str::from_utf8(&b[..len.min(b.len())]).is_ok()
}

fn utf8_len(b: &[u8]) -> usize {
    match b[0] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    }
    .min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_marcedit_text() {
        let text = "=LDR  00000nam a2200000 a 4500\r\n=001  tes\\1\r\n=245  10$aA {dollar}5 book$bpart {acute}e \u{e9} {text}\r\n\r\n\r\n=LDR  00000nam  2200000 a 4500\n=245  \\0$a{acute}e\n";
        let t = read(text.as_bytes(), Framing::Lenient);
        assert_eq!(t.input.failed_count(), 0);
        let file = crate::MarcFile::from_bytes(t.bytes);
        assert_eq!(file.len(), 2);
        let r = file.record(0).unwrap();
        assert_eq!(r.control_number(), Some(&b"tes 1"[..]));
        let f = r.first(b"245").unwrap();
        assert_eq!(f.subfield(b'a'), Some(&b"A $5 book"[..]));
        assert_eq!(
            f.subfield(b'b'),
            Some("part \u{e9} \u{e9} {text}".as_bytes())
        );
        // MARC-8: the mnemonic is the ANSEL byte.
        let r = file.record(1).unwrap();
        assert_eq!(r.first(b"245").unwrap().indicators(), (b' ', b'0'));
        assert_eq!(r.first(b"245").unwrap().subfield(b'a'), Some(&b"\xe2e"[..]));
    }

    #[test]
    fn amp_is_a_literal_ampersand() {
        use crate::write::{RecordWriter, WriteOptions};
        // The text `&#x04AE;` in a value: written `{amp}#x04AE;`, read back
        // as it was, not as the character U+04AE.
        let values = [
            "&#x04AE;",
            "A &#x04AE; b &#1198; & {amp} $5 &amp;",
            "\u{4ae}&&#x41;{dollar}",
        ];
        for value in values {
            let record = OwnedRecord::builder()
                .leader(*b"00000nam a2200000 a 4500")
                .control(*b"001", format!("cn{value}"))
                .data(*b"245", b'1', b'0')
                .subfield(b'a', value)
                .build();
            let mut mrk = Vec::new();
            RecordWriter::new(WriteOptions::new(Format::MarcMaker))
                .write_owned(&record, &mut mrk)
                .unwrap();
            let text = String::from_utf8(mrk.clone()).unwrap();
            assert!(text.contains("{amp}#"), "{text}");
            let t = read(&mrk, Framing::Lenient);
            assert_eq!(t.input.failed_count(), 0, "{text}");
            let file = crate::MarcFile::from_bytes(t.bytes);
            let r = file.record(0).unwrap();
            let cn = format!("cn{value}");
            assert_eq!(r.control_number(), Some(cn.as_bytes()), "{text}");
            let a = r.first(b"245").unwrap().subfield(b'a');
            assert_eq!(a, Some(value.as_bytes()), "{text}");
        }
        // A reference written as it is (not through `{amp}`) is still the
        // character, as MarcEdit reads it; `{amp}` not before `#` is `&`.
        let text = "=LDR  00000nam a2200000 a 4500\n=245  10$a&#x04AE; {amp}x {amp}{amp}#x41;\n";
        let file = crate::MarcFile::from_bytes(read(text.as_bytes(), Framing::Lenient).bytes);
        let r = file.record(0).unwrap();
        let a = r.first(b"245").unwrap().subfield(b'a');
        assert_eq!(a, Some("\u{4ae} &x &&#x41;".as_bytes()));
    }

    #[test]
    fn a_bad_line_fails_its_record() {
        let text = "=LDR  00000nam a2200000 a 4500\n=001  1\n\n=LDR  00000nam a2200000 a 4500\nnot a field\n\n=001  3\n";
        let t = read(text.as_bytes(), Framing::Lenient);
        assert_eq!(t.input.failure(1).unwrap().at.line, 5);
        let file = crate::MarcFile::from_bytes(t.bytes);
        assert_eq!(file.len(), 3);
        assert_eq!(file.record(2).unwrap().control_number(), Some(&b"3"[..]));
    }
}
