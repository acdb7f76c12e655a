//! Writers: records out as ISO 2709, MARCXML, MARC-in-JSON or MARCMaker.
//!
//! Each format has its module and writes one record into a `Vec<u8>`:
//! [`iso2709`] (bytes as they are, or transcoded to UTF-8; [`marc8`] for
//! MARC-8), [`marcxml`] (LoC's
//! MARC 21 slim schema), [`json`] (what pymarc's `as_json` and `JSONWriter`
//! write) and [`mrk`] (MARCMaker text as MarcEdit writes it). A record is a
//! borrowed [`RecordRef`] (its text decoded by a [`TextDecoder`]) or an
//! [`OwnedRecord`].
//!
//! [`RecordWriter`] writes one record in any format; [`write_file`] writes a
//! whole [`MarcFile`](crate::MarcFile) (or a list of its records) on N threads, in record order,
//! each chunk of records serialised into one buffer that is handed to the sink
//! in order, so memory is bounded by the chunk, never by the file.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::write::{RecordWriter, WriteOptions};
//! use marcmap::{Format, MarcFile};
//! let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".to_vec();
//! let file = MarcFile::from_bytes(raw);
//! let record = file.record(0)?;
//! let mut out = Vec::new();
//! RecordWriter::new(WriteOptions::new(Format::Json)).write_ref(&record, &mut out)?;
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     r#"{"leader":"00056nam a2200037 a 4500","fields":[{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"A title"},{"b":"part"}]}}]}"#
//! );
//! # Ok(()) }
//! ```

pub mod iso2709;
pub mod json;
pub mod marc8;
pub mod marcxml;
pub mod mrk;

mod bulk;

pub use bulk::{write_chunks, write_chunks_edited, write_chunks_matching, write_file, WriteReport};

use crate::error::Result;
use crate::format::Format;
use crate::owned::OwnedRecord;
use crate::record::RecordRef;
use crate::text::TextDecoder;
use std::borrow::Cow;

/// How records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// The output format.
    pub format: Format,
    /// ISO 2709 only: transcode records that are not UTF-8 (MARC-8, legacy
    /// encodings) to UTF-8 and set LDR/09 to `a`. Text formats are always
    /// Unicode.
    pub to_utf8: bool,
    /// ISO 2709 only: write records as MARC-8 with LDR/09 blank (see
    /// [`marc8`]); records that are MARC-8 already are kept as they are.
    /// Takes precedence over `to_utf8`.
    pub to_marc8: bool,
    /// How record bytes become text (for the text formats, and for `to_utf8`).
    pub decoder: TextDecoder,
}

impl WriteOptions {
    /// `format`, bytes as they are, pymarc's decoding defaults.
    pub fn new(format: Format) -> Self {
        WriteOptions {
            format,
            to_utf8: false,
            to_marc8: false,
            decoder: TextDecoder::new(),
        }
    }

    /// With `to_utf8` set.
    pub fn to_utf8(mut self, on: bool) -> Self {
        self.to_utf8 = on;
        self
    }

    /// With `to_marc8` set.
    pub fn to_marc8(mut self, on: bool) -> Self {
        self.to_marc8 = on;
        self
    }

    /// With `decoder`.
    pub fn decoder(mut self, decoder: TextDecoder) -> Self {
        self.decoder = decoder;
        self
    }
}

/// What writing one record did besides writing it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Characters that the format cannot hold and that were replaced by U+FFFD
    /// (MARCXML: the C0 controls and U+FFFE/U+FFFF that XML 1.0 forbids).
    pub replaced: usize,
    /// Whether the record was re-serialised because Phase 2 repaired it (its
    /// own directory was wrong): the output is valid, not the input's bytes.
    pub reframed: bool,
    /// MARC-8 out: characters MARC-8 lacks, written as `&#xHHHH;`.
    pub references: usize,
}

/// Writes single records in one format.
#[derive(Debug, Clone, Copy)]
pub struct RecordWriter {
    options: WriteOptions,
}

impl RecordWriter {
    /// A writer with `options`.
    pub fn new(options: WriteOptions) -> Self {
        RecordWriter { options }
    }

    /// The options.
    pub fn options(&self) -> &WriteOptions {
        &self.options
    }

    /// Appends `record` to `out`. On error `out` is as it was.
    ///
    /// Text formats write one record without a wrapper: MARCXML a `<record>`
    /// element (no namespace), JSON one object; a collection's framing
    /// (`<collection>`, `[`, separators) is [`Envelope`]'s.
    pub fn write_ref(&self, record: &RecordRef<'_>, out: &mut Vec<u8>) -> Result<Written> {
        let start = out.len();
        let result = self.write_ref_unchecked(record, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn write_ref_unchecked(&self, record: &RecordRef<'_>, out: &mut Vec<u8>) -> Result<Written> {
        let decoder = &self.options.decoder;
        let reframed = !record.repairs().is_empty();
        let mut references = 0;
        let replaced = match self.options.format {
            Format::Iso2709 if self.options.to_marc8 => {
                references = marc8::write_ref(record, decoder, out)?;
                0
            }
            Format::Iso2709 => {
                iso2709::write_ref(record, self.options.to_utf8, decoder, out)?;
                0
            }
            Format::MarcXml => {
                let mut sink = marcxml::RecordXml::new(out, false);
                visit(record, decoder, &mut sink)?;
                sink.replaced()
            }
            Format::Json | Format::JsonLines => {
                visit(record, decoder, &mut json::RecordJson::new(out))?;
                0
            }
            Format::MarcMaker => {
                visit(record, decoder, &mut mrk::RecordMrk::new(out))?;
                0
            }
        };
        Ok(Written {
            replaced,
            reframed,
            references,
        })
    }

    /// Appends `record` to `out`. On error `out` is as it was.
    ///
    /// An owned record is serialised to ISO 2709 first (the one serialiser),
    /// then written from those bytes, so its text is decoded exactly as a read
    /// record's would be.
    pub fn write_owned(&self, record: &OwnedRecord, out: &mut Vec<u8>) -> Result<Written> {
        let bytes = record.to_iso2709()?;
        if record.fields.is_empty() && self.options.format.is_text() {
            // No fields: nothing to decode, and no Phase 2 view to make (a
            // record with no fields is not one): the leader alone.
            let leader = String::from_utf8_lossy(&record.leader);
            match self.options.format {
                Format::MarcXml => {
                    let mut sink = marcxml::RecordXml::new(out, false);
                    sink.leader(&leader);
                    sink.end();
                    return Ok(Written {
                        replaced: sink.replaced(),
                        ..Written::default()
                    });
                }
                Format::MarcMaker => {
                    let mut sink = mrk::RecordMrk::new(out);
                    sink.leader(&leader);
                    sink.end();
                }
                _ => {
                    let mut sink = json::RecordJson::new(out);
                    sink.leader(&leader);
                    sink.end();
                }
            }
            return Ok(Written::default());
        }
        let parsed = RecordRef::parse(&bytes)?;
        let converts = self.options.to_utf8 || self.options.to_marc8;
        if self.options.format == Format::Iso2709 && !converts {
            out.extend_from_slice(&bytes);
            return Ok(Written::default());
        }
        self.write_ref(&parsed, out)
    }
}

/// The text of a collection around its records: what comes before the first,
/// between two, and after the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    /// Before the first record.
    pub head: &'static [u8],
    /// Between two records.
    pub separator: &'static [u8],
    /// After each record.
    pub after: &'static [u8],
    /// After the last record.
    pub tail: &'static [u8],
}

impl Envelope {
    /// The framing of a file of records in `format`:
    /// - ISO 2709: none;
    /// - MARCXML: the XML declaration and a `<collection>` in the slim namespace,
    ///   one record a line (as pymarc's `XMLWriter`, with newlines);
    /// - JSON: an array, one record a line;
    /// - JSON lines: one record a line;
    /// - MARCMaker: a blank line between records (as pymarc's `TextWriter`;
    ///   none after the last, which pymarc's `MARCMakerReader` would read as an
    ///   empty record).
    pub fn of(format: Format) -> Envelope {
        match format {
            Format::Iso2709 => Envelope {
                head: b"",
                separator: b"",
                after: b"",
                tail: b"",
            },
            Format::MarcXml => Envelope {
                head: marcxml::COLLECTION_HEAD,
                separator: b"",
                after: b"\n",
                tail: marcxml::COLLECTION_TAIL,
            },
            Format::Json => Envelope {
                head: b"[\n",
                separator: b",\n",
                after: b"",
                tail: b"\n]\n",
            },
            Format::JsonLines => Envelope {
                head: b"",
                separator: b"",
                after: b"\n",
                tail: b"",
            },
            Format::MarcMaker => Envelope {
                head: b"",
                separator: b"\n",
                after: b"",
                tail: b"",
            },
        }
    }
}

/// What a text writer is told about one record, in order: the leader, then
/// each field (a control field, or a data field's start, its subfields and
/// its end), then the end.
pub(crate) trait Sink {
    fn leader(&mut self, leader: &str);
    fn control(&mut self, tag: &str, data: &str);
    fn data_start(&mut self, tag: &str, ind1: char, ind2: char);
    fn subfield(&mut self, code: &str, value: &str);
    fn data_end(&mut self);
    fn end(&mut self);
}

/// Tells `sink` about `record`, its values decoded by `decoder`. Subfield codes
/// and indicators are read as the Python accessors read them: a non-ASCII code
/// byte as pymarc normalises it, an indicator byte as a Latin-1 character.
pub(crate) fn visit<'a>(
    record: &RecordRef<'a>,
    decoder: &TextDecoder,
    sink: &mut impl Sink,
) -> Result<()> {
    let text = record.text(decoder);
    let bytes = record.as_bytes();
    // A UTF-8 record that is valid UTF-8 as a whole: every value is too (the
    // delimiters are ASCII), so values are sliced from one checked `str`
    // instead of being checked one by one.
    let whole = if text.encoding().is_utf8() {
        simdutf8::basic::from_utf8(bytes).ok()
    } else {
        None
    };
    let value = |field: &crate::record::FieldRef<'a>, v: &'a [u8]| -> Result<Cow<'a, str>> {
        if let Some(s) = whole {
            let start = v.as_ptr() as usize - bytes.as_ptr() as usize;
            if let Some(t) = s.get(start..start + v.len()) {
                return Ok(Cow::Borrowed(t));
            }
        }
        text.value(field, v)
    };
    let leader = record.leader().as_bytes();
    sink.leader(&String::from_utf8_lossy(leader));
    for field in record.fields() {
        let tag = field.tag_str();
        if field.is_control() {
            sink.control(tag, &value(&field, field.data())?);
            continue;
        }
        let (i1, i2) = field.indicators();
        sink.data_start(tag, i1 as char, i2 as char);
        for sf in field.subfields() {
            if sf.code.is_ascii() {
                let code = char::from(sf.code);
                sink.subfield(code.encode_utf8(&mut [0; 4]), &value(&field, sf.value)?);
            } else {
                let (code, v) = crate::subfield_code::normalize(sf.code, sf.value);
                sink.subfield(&code, &value(&field, v)?);
            }
        }
        sink.data_end();
    }
    sink.end();
    Ok(())
}
