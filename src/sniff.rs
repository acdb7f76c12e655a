//! What an input is: which MARC serialisation, inside which compression, or, if
//! it is none, what it looks like ("a PNG image"), from its first bytes.
//!
//! ```
//! use marcmap::sniff::{sniff, Compression, Sniffed};
//! use marcmap::Format;
//! assert_eq!(sniff(b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d"), Sniffed::Marc(Format::Iso2709));
//! assert_eq!(sniff(b"<?xml version=\"1.0\"?>\n<collection xmlns=\"http://www.loc.gov/MARC21/slim\">"), Sniffed::Marc(Format::MarcXml));
//! assert_eq!(sniff(b"=LDR  00000nam a2200000 a 4500\n"), Sniffed::Marc(Format::MarcMaker));
//! assert_eq!(sniff(b"\x1f\x8b\x08\x00"), Sniffed::Compressed(Compression::Gzip));
//! assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), Sniffed::Other("a PNG image".into()));
//! assert_eq!(sniff(b"root:x:0:0:root:/root:/bin/bash\n"), Sniffed::Other("plain text (lines of colon-separated fields, like /etc/passwd)".into()));
//! ```

use crate::format::Format;
use crate::layout::{FIELD_TERMINATOR, RECORD_TERMINATOR};
use std::io::Read;

/// A compression marcmap decompresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// gzip, one member or several (LoC's MDSConnect `.mrc.gz` files).
    Gzip,
    /// Zstandard, one frame or several.
    Zstd,
}

impl Compression {
    /// `gzip` or `zstd`.
    pub fn name(&self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// What the first bytes of an input say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// A MARC serialisation.
    Marc(Format),
    /// Compressed data: decompress, then look again.
    Compressed(Compression),
    /// Nothing at all (or only whitespace): a file of no records.
    Empty,
    /// Something else, described: "a PNG image", "plain text", ...
    Other(String),
}

/// How far into the input the text formats are looked for.
const LOOK: usize = 64 * 1024;
/// How far into the input record or field terminators are looked for.
const LOOK_BINARY: usize = 1 << 20;

/// What `data` is (see the module).
pub fn sniff(data: &[u8]) -> Sniffed {
    if let Some(c) = compression(data) {
        return Sniffed::Compressed(c);
    }
    if let Some(what) = known_binary(data) {
        return Sniffed::Other(what.into());
    }
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let text = &body[start..];
    if text.is_empty() {
        return Sniffed::Empty;
    }
    let head = &text[..text.len().min(LOOK)];
    let has_terminators = {
        let near = &data[..data.len().min(LOOK_BINARY)];
        memchr::memchr2(RECORD_TERMINATOR, FIELD_TERMINATOR, near).is_some()
    };
    if head.len() >= 5
        && head[..5].iter().all(u8::is_ascii_digit)
        && (has_terminators || head.len() >= 24)
    {
        return Sniffed::Marc(Format::Iso2709);
    }
    match text[0] {
        b'<' => return xml(head),
        b'[' | b'{' => return json(head),
        b'=' if is_mrk_line(head) => return Sniffed::Marc(Format::MarcMaker),
        _ => {}
    }
    if has_terminators {
        // ISO 2709 with damage before the first record: lenient framing skips it.
        return Sniffed::Marc(Format::Iso2709);
    }
    Sniffed::Other(describe_text(head).into())
}

/// How much of an input [`sniff_prefix`] needs to answer as [`sniff`] would
/// for the whole input: the first 1 MiB (where record terminators are looked for).
pub(crate) const PREFIX: usize = LOOK_BINARY;

/// What the input that starts with `prefix` is, as [`sniff`] would say for all
/// of it, or `None` when `prefix` is too short to tell. `complete`: `prefix` is
/// the whole input. For compressed input, to refuse what is not MARC after
/// decompressing only [`PREFIX`] bytes of it.
pub(crate) fn sniff_prefix(prefix: &[u8], complete: bool) -> Option<Sniffed> {
    if complete {
        return Some(sniff(prefix));
    }
    // `sniff` looks at the first LOOK_BINARY bytes, and at the first LOOK bytes
    // from the first that is not whitespace (after a byte order mark): with
    // both in `prefix`, it answers for `prefix` as for the whole input.
    let body = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    (prefix.len() >= LOOK_BINARY && body.len() - start >= LOOK).then(|| sniff(prefix))
}

/// gzip or zstd, by magic number.
pub fn compression(data: &[u8]) -> Option<Compression> {
    if data.starts_with(b"\x1f\x8b") {
        Some(Compression::Gzip)
    } else if data.starts_with(b"\x28\xb5\x2f\xfd") {
        Some(Compression::Zstd)
    } else {
        None
    }
}

/// Decompresses `data`: every gzip member, or every zstd frame, whole into
/// memory and with no limit. [`crate::OpenOptions`] does better with compressed
/// input: it refuses what is not MARC after decompressing its first bytes, keeps
/// a large output in a temporary file rather than in memory, and stops a
/// runaway ([`crate::OpenOptions::decompressed_limit`]).
pub fn decompress(data: &[u8], kind: Compression) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(4));
    match kind {
        Compression::Gzip => {
            flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out)?;
        }
        Compression::Zstd => {
            zstd::stream::read::Decoder::new(data)?.read_to_end(&mut out)?;
        }
    }
    Ok(out)
}

/// What an input whose first bytes are `head` is, when its records are not
/// its own bytes (it is compressed, or a format transcoded to ISO 2709): its
/// format (`format`, where one is given, else found from `head`, decompressed
/// as far as it goes) and its compression. `None` for plain ISO 2709 (or bytes
/// that are no format, which lenient framing reads as damage).
///
/// Such an input has no record offsets in the file for a byte range to start
/// at: [`crate::partition::partitions`] gives it one range.
pub fn converted(head: &[u8], format: Option<Format>) -> Option<(Format, Option<Compression>)> {
    if format == Some(Format::Iso2709) {
        return None;
    }
    let (found, compression) = match sniff(head) {
        Sniffed::Compressed(kind) => match sniff(&decompressed_prefix(head, kind)) {
            Sniffed::Marc(f) => (f, Some(kind)),
            _ => (Format::Iso2709, Some(kind)),
        },
        Sniffed::Marc(f) => (f, None),
        Sniffed::Empty | Sniffed::Other(_) => (Format::Iso2709, None),
    };
    let format = format.unwrap_or(found);
    (format != Format::Iso2709 || compression.is_some()).then_some((format, compression))
}

/// What the first bytes of `head`, a compressed input's first bytes,
/// decompress to (as much as they hold, 4 KiB at most), to tell its format.
fn decompressed_prefix(head: &[u8], kind: Compression) -> Vec<u8> {
    let mut out = vec![0; 4096];
    let mut filled = 0;
    let mut reader: Box<dyn Read + '_> = match kind {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(head)),
        Compression::Zstd => match zstd::stream::read::Decoder::new(head) {
            Ok(d) => Box::new(d),
            Err(_) => return Vec::new(),
        },
    };
    // A truncated stream ends in an error after what it could give.
    while filled < out.len() {
        match reader.read(&mut out[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    out.truncate(filled);
    out
}

fn known_binary(data: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
        (
            b"BZh",
            "bzip2-compressed data (marcmap decompresses gzip and zstd)",
        ),
        (
            b"\xfd7zXZ\x00",
            "xz-compressed data (marcmap decompresses gzip and zstd)",
        ),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"\x7fELF", "an executable (ELF)"),
        (b"MZ", "a Windows executable"),
        (b"SQLite format 3\x00", "an SQLite database"),
        (b"\xff\xfe", "UTF-16 text (marcmap reads UTF-8)"),
        (b"\xfe\xff", "UTF-16 text (marcmap reads UTF-8)"),
        (b"OggS", "an Ogg media file"),
        (b"ID3", "an MP3 audio file"),
        (b"RIFF", "a RIFF media file (WAV, AVI, WebP)"),
        (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| data.starts_with(m)) {
        return Some(what);
    }
    if data.get(257..262) == Some(b"ustar") {
        return Some("a tar archive");
    }
    None
}

fn xml(head: &[u8]) -> Sniffed {
    let lower: Vec<u8> = head.iter().take(512).map(u8::to_ascii_lowercase).collect();
    if memchr::memmem::find(&lower, b"<!doctype html").is_some()
        || memchr::memmem::find(&lower, b"<html").is_some()
    {
        return Sniffed::Other("an HTML page".into());
    }
    let marc = memchr::memmem::find(head, b"MARC21/slim").is_some()
        || memchr::memmem::find(head, b"<record").is_some()
        || memchr::memmem::find(head, b":record").is_some()
        || memchr::memmem::find(head, b"<collection").is_some();
    if marc {
        Sniffed::Marc(Format::MarcXml)
    } else {
        Sniffed::Other("XML with no <record> in its first 64 KB".into())
    }
}

fn json(head: &[u8]) -> Sniffed {
    // An empty array: a file of no records.
    if head[0] == b'[' && head[1..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b']') {
        return Sniffed::Marc(Format::Json);
    }
    if memchr::memmem::find(head, b"\"leader\"").is_none() {
        return Sniffed::Other("JSON with no \"leader\" in its first 64 KB".into());
    }
    if head[0] == b'[' {
        return Sniffed::Marc(Format::Json);
    }
    // An object a line, and another line that starts an object: JSON lines.
    let first_line_end = memchr::memchr(b'\n', head);
    let lines = first_line_end.is_some_and(|n| {
        let line = &head[..n];
        let next = head[n + 1..].iter().find(|b| !b.is_ascii_whitespace());
        line.trim_ascii_end().ends_with(b"}") && next == Some(&b'{')
    });
    Sniffed::Marc(if lines {
        Format::JsonLines
    } else {
        Format::Json
    })
}

/// `=LDR  ` or `=` and a three-character tag and two spaces.
fn is_mrk_line(text: &[u8]) -> bool {
    text.len() >= 6
        && text[0] == b'='
        && text[1..4].iter().all(u8::is_ascii_graphic)
        && &text[4..6] == b"  "
}

fn describe_text(head: &[u8]) -> &'static str {
    let sample = &head[..head.len().min(4096)];
    let text = match std::str::from_utf8(sample) {
        Ok(t) => t,
        Err(e) if e.valid_up_to() + 4 > sample.len() => {
            std::str::from_utf8(&sample[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return "binary data",
    };
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    if control * 20 > text.chars().count().max(1) {
        return "binary data";
    }
    let first = text.lines().next().unwrap_or_default();
    let lines: Vec<&str> = text.lines().take(8).collect();
    if !lines.is_empty() && lines.iter().all(|l| l.matches(':').count() >= 3) {
        return "plain text (lines of colon-separated fields, like /etc/passwd)";
    }
    if first.starts_with("#!") {
        return "a script";
    }
    if lines.len() >= 2 && lines.iter().all(|l| l.matches(',').count() >= 2) {
        return "comma-separated values (CSV)";
    }
    if lines.len() >= 2 && lines.iter().all(|l| l.contains('\t')) {
        return "tab-separated values";
    }
    "plain text"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_it_is() {
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert_eq!(sniff(b" \n"), Sniffed::Empty);
        assert_eq!(
            sniff(b"\x28\xb5\x2f\xfd..."),
            Sniffed::Compressed(Compression::Zstd)
        );
        assert_eq!(sniff(b"[{\"leader\":\"x\"}]"), Sniffed::Marc(Format::Json));
        assert_eq!(
            sniff(b"{\"leader\":\"x\"}\n{\"leader\":\"y\"}\n"),
            Sniffed::Marc(Format::JsonLines)
        );
        assert_eq!(
            sniff(b"{\"id\": 1}"),
            Sniffed::Other("JSON with no \"leader\" in its first 64 KB".into())
        );
        assert_eq!(
            sniff(b"<html><body>"),
            Sniffed::Other("an HTML page".into())
        );
        assert_eq!(sniff(b"hello world\n"), Sniffed::Other("plain text".into()));
        // Damage before the first record is still ISO 2709.
        assert_eq!(
            sniff(b"xx00026     2200025   4500\x1e\x1d"),
            Sniffed::Marc(Format::Iso2709)
        );
    }

    #[test]
    fn a_prefix_answers_as_the_whole_input_or_not_at_all() {
        let zeros = vec![0; PREFIX];
        assert_eq!(
            sniff_prefix(&zeros, false),
            Some(Sniffed::Other("binary data".into()))
        );
        // Too short to tell, unless it is all there is.
        assert_eq!(sniff_prefix(&zeros[..PREFIX - 1], false), None);
        assert_eq!(sniff_prefix(b"hello\n", false), None);
        assert_eq!(
            sniff_prefix(b"hello\n", true),
            Some(Sniffed::Other("plain text".into()))
        );
        // Whitespace that leaves less than 64 KB of text in the prefix: the
        // text that decides may come later.
        let mut spaced = vec![b' '; PREFIX - LOOK + 1];
        spaced.resize(PREFIX, b'x');
        assert_eq!(sniff_prefix(&spaced, false), None);
        spaced.insert(0, b'x');
        assert!(sniff_prefix(&spaced, false).is_some());
    }

    #[test]
    fn decompresses_gzip_members() {
        use std::io::Write;
        let mut one = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        one.write_all(b"abc").unwrap();
        let mut data = one.finish().unwrap();
        let mut two = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        two.write_all(b"def").unwrap();
        data.extend(two.finish().unwrap());
        assert_eq!(decompress(&data, Compression::Gzip).unwrap(), b"abcdef");
        let z = zstd::stream::encode_all(&b"xyz"[..], 1).unwrap();
        assert_eq!(decompress(&z, Compression::Zstd).unwrap(), b"xyz");
    }
}
