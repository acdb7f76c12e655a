//! The serialisations marcmap reads and writes, and their names.

use std::fmt;
use std::str::FromStr;

/// A MARC serialisation.
///
/// ```
/// use marcmap::Format;
/// assert_eq!("marcxml".parse::<Format>().unwrap(), Format::MarcXml);
/// assert_eq!("jsonl".parse::<Format>().unwrap(), Format::JsonLines);
/// assert_eq!(Format::MarcMaker.name(), "mrk");
/// assert!("png".parse::<Format>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// ISO 2709 (MARC 21 transmission format): `marc`.
    Iso2709,
    /// MARCXML, the Library of Congress MARC 21 slim schema: `marcxml`.
    MarcXml,
    /// MARC-in-JSON as a JSON array of records (or one record object): `json`.
    Json,
    /// MARC-in-JSON, one record object a line: `jsonl`.
    JsonLines,
    /// MARCMaker / MarcEdit mnemonic text (`.mrk`): `mrk`.
    MarcMaker,
}

impl Format {
    /// Every format, in the order their names are listed.
    pub const ALL: [Format; 5] = [
        Format::Iso2709,
        Format::MarcXml,
        Format::Json,
        Format::JsonLines,
        Format::MarcMaker,
    ];

    /// The short name: `marc`, `marcxml`, `json`, `jsonl` or `mrk`.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Iso2709 => "marc",
            Format::MarcXml => "marcxml",
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::MarcMaker => "mrk",
        }
    }

    /// The name people use in messages: `ISO 2709`, `MARCXML`, `MARC-in-JSON`, ...
    pub fn title(&self) -> &'static str {
        match self {
            Format::Iso2709 => "ISO 2709",
            Format::MarcXml => "MARCXML",
            Format::Json => "MARC-in-JSON",
            Format::JsonLines => "MARC-in-JSON lines",
            Format::MarcMaker => "MARCMaker",
        }
    }

    /// Whether the format is text that holds Unicode (everything but ISO 2709).
    pub fn is_text(&self) -> bool {
        !matches!(self, Format::Iso2709)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that names no format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}: give marc, marcxml, json, jsonl or mrk")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    /// The short names, and the usual other spellings (`iso2709`, `mrc`, `xml`,
    /// `ndjson`, `marcmaker`, `text`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "marc" | "iso2709" | "mrc" | "marc21" | "iso" => Format::Iso2709,
            "marcxml" | "xml" => Format::MarcXml,
            "json" | "marc-in-json" | "mij" => Format::Json,
            "jsonl" | "ndjson" | "json-lines" | "jsonlines" => Format::JsonLines,
            "mrk" | "marcmaker" | "mrk8" | "text" | "marcedit" => Format::MarcMaker,
            _ => return Err(UnknownFormat(s.to_string())),
        })
    }
}
