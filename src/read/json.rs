//! MARC-in-JSON in: a JSON array of record objects, one record object, or JSON
//! lines (objects one after the other), each record transcoded to ISO 2709
//! (see [`super`]).
//!
//! A record is read as pymarc's `JSONReader` reads it: `leader` (a missing one
//! is pymarc's default), and `fields`, each an object of one tag whose value is
//! a string (a control field's data) or an object with `ind1`, `ind2` (a
//! missing one is a blank) and `subfields`, a list of `{code: value}` objects.
//! Anything else in a record (a number for a value, a tag that is not three
//! characters, a code of more than one character) makes the record fail with
//! its position; an empty or non-ASCII code or indicator is a blank. Records are parsed one at a time (serde_json), so memory
//! holds one record's values, never the document's.
//!
//! JSON that is not well-formed fails the record it is in, with the line and
//! column serde_json gives; reading resumes at the next record (the next line
//! for JSON lines, the next object with a `"leader"` in an array).

use super::{Builder, InputPosition, Lines, Malformed, Transcoded};
use crate::format::Format;
use crate::index::Framing;
use crate::owned::{OwnedField, OwnedRecord, OwnedSubfield};
use serde_json::Value;

/// pymarc's leader for a record that has none.
const DEFAULT_LEADER: [u8; 24] = super::marcxml::DEFAULT_LEADER;

/// Reads `data`: an array, an object, or JSON lines.
///
/// Control characters written raw inside strings (which JSON forbids, but
/// Python's `json.load(strict=False)`, as pymarc uses it, accepts) are read as
/// if they were escaped; byte offsets are still the input's (lines after a raw
/// newline inside a string are counted without it).
pub fn read(data: &[u8], framing: Framing) -> Transcoded {
    match escape_raw_controls(data) {
        None => read_strict(data, framing),
        Some((escaped, shifts)) => {
            let mut t = read_strict(&escaped, framing);
            t.input.map_offsets(|o| unshift(&shifts, o));
            t
        }
    }
}

/// `(where an escape starts in the copy, bytes added by the escapes before it)`.
type Shifts = Vec<(usize, usize)>;

/// `data` with every control character inside a string escaped (`\u00XX`),
/// and where each escape moved the bytes after it (offset in the copy, bytes
/// added so far); `None` if there is no such character.
fn escape_raw_controls(data: &[u8]) -> Option<(Vec<u8>, Shifts)> {
    let mut in_string = false;
    let mut escaped = false;
    let mut first = None;
    for (i, &b) in data.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b < 0x20 {
                first = Some(i);
                break;
            }
        } else if b == b'"' {
            in_string = true;
        }
    }
    let first = first?;
    let mut out = Vec::with_capacity(data.len() + 64);
    out.extend_from_slice(&data[..first]);
    let mut shifts = Vec::new();
    let (mut in_string, mut escaped) = (true, false);
    for &b in &data[first..] {
        if in_string && !escaped && b < 0x20 {
            // Where the escape starts, and the bytes the escapes before it added.
            let before = shifts.last().map_or(0, |s: &(usize, usize)| s.1 + 5);
            shifts.push((out.len(), before));
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
    }
    Some((out, shifts))
}

/// The input offset of `offset` in the escaped copy: inside an escape, the
/// character it stands for.
fn unshift(shifts: &Shifts, offset: u64) -> u64 {
    let k = shifts.partition_point(|&(at, _)| at as u64 <= offset);
    let Some(&(at, added)) = k.checked_sub(1).and_then(|k| shifts.get(k)) else {
        return offset;
    };
    let (at, added) = (at as u64, added as u64);
    if offset < at + 6 {
        at - added
    } else {
        offset - added - 5
    }
}

fn read_strict(data: &[u8], framing: Framing) -> Transcoded {
    let mut reader = JsonReader {
        data,
        lines: Lines::new(data, 0, 1, 0),
        builder: Builder::new(Format::Json, framing, data.len() / 2),
    };
    let mut pos = skip_ws(data, bom(data));
    let array = data.get(pos) == Some(&b'[');
    if array {
        pos += 1;
    }
    loop {
        pos = skip_ws(data, pos);
        if array {
            match data.get(pos) {
                Some(b',') => {
                    pos = skip_ws(data, pos + 1);
                }
                Some(b']') => {
                    let end = skip_ws(data, pos + 1);
                    if end < data.len() {
                        reader.trailing(end);
                    }
                    break;
                }
                _ => {}
            }
        }
        if pos >= data.len() || reader.builder.stopped() {
            if array && pos >= data.len() && !reader.builder.stopped() {
                let at = reader.lines.at(data.len());
                reader.builder.skip(
                    data.len() as u64,
                    data.len() as u64 + 1,
                    Malformed {
                        at,
                        reason: "the array is not closed".into(),
                    },
                );
            }
            break;
        }
        pos = reader.one(pos, array);
    }
    reader.builder.finish()
}

fn bom(data: &[u8]) -> usize {
    if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    }
}

fn skip_ws(data: &[u8], mut pos: usize) -> usize {
    while data
        .get(pos)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        pos += 1;
    }
    pos
}

struct JsonReader<'a> {
    data: &'a [u8],
    lines: Lines<'a>,
    builder: Builder,
}

impl JsonReader<'_> {
    /// Reads the record at `pos`; returns where the next one may start.
    fn one(&mut self, pos: usize, array: bool) -> usize {
        let start = self.lines.at(pos);
        let mut stream =
            serde_json::Deserializer::from_slice(&self.data[pos..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                let end = pos + stream.byte_offset();
                match record(&value) {
                    Ok(r) => self.builder.record(&r, start),
                    Err(reason) => {
                        let why = Malformed { at: start, reason };
                        self.builder.fail(start, why);
                    }
                }
                end
            }
            Some(Err(e)) => {
                let at = self.error_position(pos, &e);
                let why = Malformed {
                    at,
                    reason: e.to_string(),
                };
                let next = self.resync(at.offset as usize + 1, array);
                if self.data.get(pos) == Some(&b'{') {
                    self.builder.fail(start, why);
                } else {
                    self.builder.skip(pos as u64, next as u64, why);
                }
                next
            }
            None => self.data.len(),
        }
    }

    /// Text after the closing `]`.
    fn trailing(&mut self, at: usize) {
        let pos = self.lines.at(at);
        self.builder.skip(
            at as u64,
            self.data.len() as u64,
            Malformed {
                at: pos,
                reason: "text after the end of the array".into(),
            },
        );
    }

    /// serde_json's line and column (counted from `pos`) as a position in the input.
    fn error_position(&mut self, pos: usize, e: &serde_json::Error) -> InputPosition {
        let part = &self.data[pos..];
        let mut offset = 0;
        for _ in 1..e.line() {
            match memchr::memchr(b'\n', &part[offset..]) {
                Some(n) => offset += n + 1,
                None => break,
            }
        }
        let offset = (pos + offset + e.column().saturating_sub(1)).min(self.data.len());
        self.lines.at(offset)
    }

    /// Where reading may resume after damage at `from`: the next line (JSON
    /// lines), or the next object that holds a `"leader"` (an array).
    fn resync(&self, from: usize, array: bool) -> usize {
        let rest = self.data.get(from..).unwrap_or_default();
        if !array {
            return match memchr::memchr(b'\n', rest) {
                Some(n) => from + n + 1,
                None => self.data.len(),
            };
        }
        let Some(key) = memchr::memmem::find(rest, b"\"leader\"") else {
            return self.data.len();
        };
        match memchr::memrchr(b'{', &rest[..key]) {
            Some(open) => from + open,
            None => from + key,
        }
    }
}

/// One record object as an [`OwnedRecord`], or why it is not one.
fn record(value: &Value) -> Result<OwnedRecord, String> {
    let Value::Object(obj) = value else {
        return Err(format!("a record is a JSON object, not {}", kind(value)));
    };
    let mut leader = DEFAULT_LEADER;
    match obj.get("leader") {
        None => {}
        Some(Value::String(s)) => {
            leader = super::leader_of(s).ok_or_else(|| {
                format!(
                    "the leader is {} characters, not 24: {s:?}",
                    s.chars().count()
                )
            })?;
        }
        Some(other) => return Err(format!("the leader is {}, not a string", kind(other))),
    }
    leader[9] = b'a';
    let mut out = OwnedRecord::new(leader);
    let fields = match obj.get("fields") {
        None => return Ok(out),
        Some(Value::Array(f)) => f,
        Some(other) => return Err(format!("\"fields\" is {}, not a list", kind(other))),
    };
    for (i, f) in fields.iter().enumerate() {
        out.push(field(f).map_err(|e| format!("field {i}: {e}"))?);
    }
    Ok(out)
}

fn field(value: &Value) -> Result<OwnedField, String> {
    let Value::Object(obj) = value else {
        return Err(format!("a field is an object, not {}", kind(value)));
    };
    let mut entries = obj.iter();
    let (Some((tag, body)), None) = (entries.next(), entries.next()) else {
        return Err(format!(
            "a field is an object of one tag, not of {} keys",
            obj.len()
        ));
    };
    let tag = super::tag_of(tag)
        .ok_or_else(|| format!("the tag {tag:?} is not three ASCII characters"))?;
    match body {
        Value::String(data) => Ok(OwnedField::control(tag, data.as_bytes())),
        Value::Object(data) => {
            let ind = |name: &str| -> Result<u8, String> {
                match data.get(name) {
                    None => Ok(b' '),
                    Some(Value::String(s)) => one_ascii(s, name),
                    Some(other) => Err(format!("{name} is {}, not a string", kind(other))),
                }
            };
            let mut out = OwnedField::data(tag, ind("ind1")?, ind("ind2")?);
            let subfields = match data.get("subfields") {
                None => return Ok(out),
                Some(Value::Array(s)) => s,
                Some(other) => return Err(format!("\"subfields\" is {}, not a list", kind(other))),
            };
            for s in subfields {
                let Value::Object(pairs) = s else {
                    return Err(format!("a subfield is an object, not {}", kind(s)));
                };
                // Several codes in one object are several subfields, as pymarc reads them.
                for (code, value) in pairs {
                    let Value::String(value) = value else {
                        return Err(format!(
                            "the value of subfield {code:?} is {}, not a string",
                            kind(value)
                        ));
                    };
                    let code = if code.is_empty() {
                        b' '
                    } else {
                        one_ascii(code, "a subfield code")?
                    };
                    if let crate::owned::FieldBody::Data { subfields, .. } = &mut out.body {
                        subfields.push(OwnedSubfield {
                            code,
                            value: value.as_bytes().to_vec(),
                        });
                    }
                }
            }
            Ok(out)
        }
        other => Err(format!(
            "field {} is {}, not a string or an object",
            String::from_utf8_lossy(&tag),
            kind(other)
        )),
    }
}

/// One ASCII character; empty, or one character that is not ASCII (which
/// ISO 2709 cannot hold in one byte of UTF-8), a blank.
fn one_ascii(s: &str, what: &str) -> Result<u8, String> {
    match s.as_bytes() {
        [] => Ok(b' '),
        [b] if b.is_ascii() => Ok(*b),
        _ if s.chars().count() == 1 => Ok(b' '),
        _ => Err(format!("{what} {s:?} is not one ASCII character")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_objects_and_lines() {
        let one = r#"{"leader":"00000nam a2200000 a 4500","fields":[{"001":"1"},{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"T"},{"b":"s"}]}}]}"#;
        for text in [
            format!("[{one},\n{one}]"),
            format!("{one}\n{one}\n"),
            format!("\u{FEFF}  {one} {one}"),
        ] {
            let t = read(text.as_bytes(), Framing::Lenient);
            assert_eq!(t.input.failed_count(), 0, "{text}");
            let file = crate::MarcFile::from_bytes(t.bytes);
            assert_eq!(file.len(), 2);
            let r = file.record(1).unwrap();
            assert_eq!(r.first(b"245").unwrap().subfield(b'b'), Some(&b"s"[..]));
        }
    }

    #[test]
    fn raw_control_characters_in_strings_are_read_as_pymarc_reads_them() {
        let text = "[{\"leader\":\"00000nam a2200000 a 4500\",\"fields\":[{\"001\":\"a\tb\"}]},\n{\"leader\":\"00000nam a2200000 a 4500\",\"fields\":[{\"001\":\"x\"}]}]";
        let t = read(text.as_bytes(), Framing::Lenient);
        assert_eq!(t.input.failed_count(), 0);
        assert_eq!(
            t.input.origin(1).unwrap().offset,
            text.find("},\n{").unwrap() as u64 + 3
        );
        let file = crate::MarcFile::from_bytes(t.bytes);
        assert_eq!(file.record(0).unwrap().control_number(), Some(&b"a\tb"[..]));
    }

    #[test]
    fn broken_json_fails_its_record_and_the_next_is_read() {
        let text = "{\"leader\":\"00000nam a2200000 a 4500\",\"fields\":[{\"001\":\"1\"}]}\n{\"leader\":\"00000nam a2200000 a 4500\",\"fields\":[{\"001\" \"2\"}]}\n{\"fields\":[{\"001\":\"3\"}]}\n";
        let t = read(text.as_bytes(), Framing::Lenient);
        let m = t.input.failure(1).unwrap();
        assert_eq!((m.at.line, m.at.column), (2, 55), "{m:?}");
        let file = crate::MarcFile::from_bytes(t.bytes);
        assert_eq!(file.len(), 3);
        assert_eq!(file.record(2).unwrap().control_number(), Some(&b"3"[..]));
        let strict = read(text.as_bytes(), Framing::Strict);
        assert_eq!(crate::MarcFile::from_bytes(strict.bytes).len(), 1);
        assert!(strict.input.stop_error().is_some());
    }
}
