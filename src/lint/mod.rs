//! `lint`: MARC 21 rule validation. Where [`query::validate`](crate::query::validate)
//! checks structure (lengths, directory, terminators, text), `lint` checks what
//! the MARC 21 formats say: tags, repeatability, indicator values, subfield
//! codes, the leader and the fixed fields, 880 linkage, and the field checks of
//! MARC::Lint (ISBN check digits, language and geographic area codes, the
//! title's non-filing indicator and punctuation).
//!
//! Each [`Rule`] has a stable id (`undefined-tag`, `non-repeatable-field`, ...),
//! a [`Severity`] and a one-line message a finding. The definitions come from
//! [`Definitions`]: built-in MARC 21 tables for the bibliographic, authority
//! and holdings formats, which a JSON file can add to or override. A record's
//! format is read from LDR/06.
//!
//! Linting reads records in place ([`RecordRef`]), copies nothing but the
//! findings, and runs over a whole file on N threads ([`lint_file`]).
//!
//! ```
//! use marcmap::lint::{Linter, Rule};
//! use marcmap::{MarcFile, RecordRef};
//!
//! // A 245 whose second indicator says 4 non-filing characters before "A title".
//! let raw = b"00056nam a2200037 a 4500245001800000\x1e14\x1faA title\x1fbpart\x1e\x1d";
//! let record = RecordRef::parse(raw).unwrap();
//! let findings = Linter::new().lint_record(&record);
//! assert!(findings.iter().any(|f| f.rule == Rule::NonfilingIndicator));
//! assert!(findings.iter().all(|f| f.rule != Rule::UndefinedSubfield));
//!
//! let file = MarcFile::from_bytes(raw.repeat(3));
//! let all = marcmap::lint::lint_file(&file, &Linter::new(), 2);
//! assert_eq!(all.iter().filter(|f| f.rule == Rule::NonfilingIndicator).count(), 3);
//! ```

#[cfg(feature = "arrow")]
pub mod arrow;
mod articles;
mod checks;
mod definitions;
mod fields;
mod fixed;
mod obsolete;
// Generated (tools/gen_marc21_obsolete.py): kept as the script writes it.
#[rustfmt::skip]
mod obsolete_tables;
mod tables;
mod title;

pub use definitions::{CodeSet, Definitions, DefinitionsError, FieldDef, RecordFormat};

use crate::error::Error;
use crate::file::MarcFile;
use crate::record::{FieldRef, RecordRef};
use std::fmt;

/// How much a finding matters. `marcmap lint` exits 1 when there is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A style or cataloguing-policy matter (punctuation, for example).
    Info,
    /// The record uses something the format does not define.
    Warning,
    /// The record breaks a rule the format states (a non-repeatable field
    /// repeated, no title, a fixed field of the wrong length), or does not parse.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! rules {
    ($($(#[doc = $doc:literal])* $name:ident = $id:literal, $severity:ident, $default:literal;)*) => {
        /// A lint rule. Its [`id`](Rule::id) is stable: scripts select rules by it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Rule {
            $($(#[doc = $doc])* $name,)*
        }

        impl Rule {
            /// Every rule, in the order of the documentation.
            pub const ALL: &'static [Rule] = &[$(Rule::$name,)*];

            /// The rule's stable id, such as `non-repeatable-field`.
            pub fn id(self) -> &'static str {
                match self { $(Rule::$name => $id,)* }
            }

            /// How much a finding of this rule matters.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$name => Severity::$severity,)* }
            }

            /// Whether the rule runs when none are named.
            pub fn is_default(self) -> bool {
                match self { $(Rule::$name => $default,)* }
            }

            /// What the rule checks, in one line.
            pub fn description(self) -> &'static str {
                match self { $(Rule::$name => concat!($($doc),*).trim_start(),)* }
            }
        }
    };
}

rules! {
    /// The record does not parse (its structure is broken): nothing else is checked.
    InvalidRecord = "invalid-record", Error, true;
    /// A tag the record's format does not define (local 9XX and X9X tags are allowed).
    UndefinedTag = "undefined-tag", Warning, true;
    /// A tag the format once defined and LoC now lists as obsolete (440, 503, ...).
    ObsoleteTag = "obsolete-tag", Warning, true;
    /// A non-repeatable field occurs more than once (880s count per linked tag).
    NonRepeatableField = "non-repeatable-field", Error, true;
    /// An indicator value the field does not define.
    UndefinedIndicator = "undefined-indicator", Warning, true;
    /// An indicator value the field once defined and LoC now lists as obsolete.
    ObsoleteIndicator = "obsolete-indicator", Warning, true;
    /// A subfield code the field does not define (`$9` is allowed as local).
    UndefinedSubfield = "undefined-subfield", Warning, true;
    /// A subfield code the field once defined and LoC now lists as obsolete.
    ObsoleteSubfield = "obsolete-subfield", Warning, true;
    /// A non-repeatable subfield occurs more than once in a field.
    NonRepeatableSubfield = "non-repeatable-subfield", Error, true;
    /// A bibliographic record without a 245 (title statement).
    Missing245 = "missing-245", Error, true;
    /// More than one main entry (1XX) in a record.
    Multiple1xx = "multiple-1xx", Error, true;
    /// A fixed-length control field (006, 008) of the wrong length for the format.
    ControlFieldLength = "control-field-length", Error, true;
    /// A 005 that is not a timestamp yyyymmddhhmmss.f.
    Invalid005 = "invalid-005", Warning, true;
    /// A leader position (05, 06, 07, 08, 17, 18, 19) with a value the format does not define.
    LeaderValue = "leader-value", Warning, true;
    /// A leader value the format once defined and LoC now lists as obsolete (LDR/06 `b`).
    ObsoleteLeaderValue = "obsolete-leader-value", Warning, true;
    /// An 880 without $6, or whose $6 names a field that is not in the record.
    Linkage880 = "880-linkage", Warning, true;
    /// A tab, carriage return or line feed in a subfield.
    ControlCharacter = "control-character", Warning, true;
    /// A subfield delimiter in a control field (001-009).
    ControlFieldSubfields = "control-field-subfields", Warning, true;
    /// 020 $a that is not a 10- or 13-digit ISBN with a good check digit.
    Isbn = "isbn", Warning, true;
    /// 020 $z (cancelled/invalid ISBN) that is a well-formed ISBN with a good check digit.
    IsbnCancelledValid = "isbn-cancelled-valid", Info, false;
    /// 041 language codes that are not three characters each (unless ind2 is 7).
    LanguageCode = "language-code", Warning, true;
    /// 043 $a that is not a seven-character MARC geographic area code.
    GeographicArea = "geographic-area", Warning, true;
    /// 245 without $a, or whose first subfield (after $6) is not $a.
    TitleSubfields = "title-subfields", Warning, true;
    /// 245's non-filing indicator against its leading article (LoC's list, by 008 language).
    NonfilingIndicator = "nonfiling-indicator", Warning, true;
    /// 245 punctuation (ISBD, LCRI 1.0C): final period and the marks before $b, $c, $h, $n, $p.
    TitlePunctuation = "title-punctuation", Info, false;
    /// 250 without $a, or whose first subfield (after $3, $6, $8) is not $a.
    EditionStatement = "edition-statement", Info, false;
    /// 260/264 ISBD punctuation in ISBD records: $b after " :", $c after ",".
    PublicationStatement = "publication-statement", Info, false;
}

impl Rule {
    /// The rule with `id`, if there is one.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A set of rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSet(u64);

impl RuleSet {
    /// The rules that run by default ([`Rule::is_default`]).
    pub fn default_rules() -> RuleSet {
        Rule::ALL
            .iter()
            .filter(|r| r.is_default())
            .copied()
            .collect()
    }

    /// Every rule.
    pub fn all() -> RuleSet {
        Rule::ALL.iter().copied().collect()
    }

    /// Whether `rule` is in the set.
    #[inline]
    pub fn contains(self, rule: Rule) -> bool {
        self.0 & (1 << rule as u32) != 0
    }

    /// Parses rule ids, `all` or `default`; an unknown id is an error naming it.
    pub fn parse<'s>(ids: impl IntoIterator<Item = &'s str>) -> Result<RuleSet, String> {
        let mut set = RuleSet(0);
        for id in ids {
            let id = id.trim();
            match id {
                "all" => set.0 |= RuleSet::all().0,
                "default" => set.0 |= RuleSet::default_rules().0,
                _ => match Rule::from_id(id) {
                    Some(rule) => set.0 |= 1 << rule as u32,
                    None => {
                        let known: Vec<_> = Rule::ALL.iter().map(|r| r.id()).collect();
                        return Err(format!(
                            "unknown lint rule {id:?}; the rules are: {}",
                            known.join(", ")
                        ));
                    }
                },
            }
        }
        Ok(set)
    }
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::default_rules()
    }
}

impl FromIterator<Rule> for RuleSet {
    fn from_iter<I: IntoIterator<Item = Rule>>(iter: I) -> Self {
        RuleSet(iter.into_iter().fold(0, |m, r| m | (1 << r as u32)))
    }
}

/// One thing a rule found in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The record's index in its file (0 for a record linted on its own).
    pub record_index: u64,
    /// Where the finding is: the byte offset, in the file, of the field (or
    /// subfield) it concerns, or of the record for a record-level finding.
    pub byte_offset: u64,
    /// The field's index in directory order, for a field-level finding.
    pub field_index: Option<usize>,
    /// The field's tag (`LDR` for the leader), for a field-level finding.
    pub tag: Option<[u8; 3]>,
    /// The subfield code (or, for an indicator, `1` or `2`), where one applies.
    pub code: Option<u8>,
    /// The rule.
    pub rule: Rule,
    /// What is wrong, in one line.
    pub message: String,
}

impl Finding {
    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }

    /// The tag as text, if there is one.
    pub fn tag_str(&self) -> Option<&str> {
        self.tag.as_ref().and_then(|t| std::str::from_utf8(t).ok())
    }

    /// The subfield code (or indicator number) as text: the character, or
    /// `\xNN` for a byte that is not ASCII.
    pub fn code_str(&self) -> Option<String> {
        self.code.map(|c| c.escape_ascii().to_string())
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "record {} at byte {}: {} [{}]: {}",
            self.record_index,
            self.byte_offset,
            self.rule.severity(),
            self.rule.id(),
            self.message
        )
    }
}

/// Lints records: the definitions and the rules to run.
///
/// Cheap to clone; `Send + Sync`, so one linter serves every thread.
#[derive(Debug, Clone)]
pub struct Linter {
    definitions: Definitions,
    rules: RuleSet,
}

impl Default for Linter {
    fn default() -> Self {
        Linter::new()
    }
}

impl Linter {
    /// The built-in definitions and the default rules.
    pub fn new() -> Linter {
        Linter {
            definitions: Definitions::builtin(),
            rules: RuleSet::default_rules(),
        }
    }

    /// This linter with other definitions.
    pub fn definitions(mut self, definitions: Definitions) -> Linter {
        self.definitions = definitions;
        self
    }

    /// This linter running `rules`.
    pub fn rules(mut self, rules: RuleSet) -> Linter {
        self.rules = rules;
        self
    }

    /// The rules this linter runs.
    pub fn rule_set(&self) -> RuleSet {
        self.rules
    }

    /// The definitions this linter checks against.
    pub fn defs(&self) -> &Definitions {
        &self.definitions
    }

    /// The findings in one record, in field order (record-level findings
    /// first). Offsets are the record's own when it was not read from a file
    /// ([`RecordRef::located`] gives it a place).
    pub fn lint_record(&self, record: &RecordRef<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        self.lint_into(record, &mut out);
        out
    }

    /// Appends the findings in `record` to `out`.
    pub fn lint_into(&self, record: &RecordRef<'_>, out: &mut Vec<Finding>) {
        let format = RecordFormat::of_type(record.leader().as_bytes()[6]);
        let mut ctx = Ctx {
            linter: self,
            record,
            index: record.index().unwrap_or(0),
            base: record.offset().unwrap_or(0),
            format,
            utf8: record.leader().is_utf8(),
            rules: self.rules,
            numeric: self.definitions.numeric_table(format),
            control_chars: false,
            first_008: None,
            out,
        };
        checks::record(&mut ctx);
    }

    /// A finding for a record that does not parse.
    pub fn invalid_record(&self, index: u64, offset: u64, error: &Error) -> Option<Finding> {
        self.rules.contains(Rule::InvalidRecord).then(|| Finding {
            record_index: index,
            byte_offset: error.position().byte.unwrap_or(offset),
            field_index: error.position().field.map(|f| f as usize),
            tag: None,
            code: None,
            rule: Rule::InvalidRecord,
            message: error.kind().to_string(),
        })
    }
}

/// What every check sees: the record, where it is, its format, and where
/// findings go.
pub(crate) struct Ctx<'l, 'r, 'a> {
    linter: &'l Linter,
    record: &'r RecordRef<'a>,
    index: u64,
    base: u64,
    format: RecordFormat,
    /// LDR/09 is `a`: values are UTF-8 (text checks count characters).
    utf8: bool,
    /// The linter's rules and its numeric tags' definitions for the record's
    /// format, at hand: every field asks for both.
    rules: RuleSet,
    numeric: &'l definitions::NumericTable,
    /// The data area holds a tab, carriage return or line feed somewhere (one
    /// scan of the record, so that fields are searched only when it does).
    control_chars: bool,
    /// The data of the record's first 008, once the walk has passed it (the
    /// 245 check reads the language from it, and 008 comes before 245).
    first_008: Option<&'a [u8]>,
    out: &'r mut Vec<Finding>,
}

impl<'a> Ctx<'_, '_, 'a> {
    #[inline]
    fn on(&self, rule: Rule) -> bool {
        self.rules.contains(rule)
    }

    fn defs(&self) -> &Definitions {
        &self.linter.definitions
    }

    /// A record-level finding.
    fn record_finding(&mut self, rule: Rule, message: String) {
        self.out.push(Finding {
            record_index: self.index,
            byte_offset: self.base,
            field_index: None,
            tag: None,
            code: None,
            rule,
            message,
        });
    }

    /// A finding about the leader.
    fn leader_finding(&mut self, rule: Rule, message: String) {
        self.out.push(Finding {
            record_index: self.index,
            byte_offset: self.base,
            field_index: None,
            tag: Some(*b"LDR"),
            code: None,
            rule,
            message,
        });
    }

    /// A finding about `field` (and subfield `code`, whose value is `part`).
    fn field_finding(
        &mut self,
        field: &FieldRef<'a>,
        code: Option<u8>,
        part: Option<&[u8]>,
        rule: Rule,
        message: String,
    ) {
        let at = part
            .and_then(|p| field.offset_of(p))
            .unwrap_or_else(|| field.offset_in_record());
        self.out.push(Finding {
            record_index: self.index,
            byte_offset: self.base + at as u64,
            field_index: Some(field.index()),
            tag: Some(*field.tag()),
            code,
            rule,
            message,
        });
    }
}

/// A value in a message: in double quotes, as text (invalid UTF-8 replaced),
/// control characters written `\t`, `\n`, `\r` or `\xNN` so that a message
/// stays one line.
pub(crate) struct Quoted<'v>(&'v [u8]);

pub(crate) fn quoted(v: &[u8]) -> Quoted<'_> {
    Quoted(v)
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in String::from_utf8_lossy(self.0).chars() {
            match c {
                '\t' => f.write_str("\\t")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                c if c.is_control() => write!(f, "\\x{:02X}", c as u32)?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("\"")
    }
}

/// The findings in every record of `file`, in record order, on `threads`
/// threads. A record that does not parse gives one [`Rule::InvalidRecord`]
/// finding (when that rule is on); so does the error that stopped strict
/// framing.
///
/// ```
/// use marcmap::lint::{lint_file, Linter, Rule, RuleSet};
/// use marcmap::MarcFile;
///
/// // Two 245s: the second is a repeat of a non-repeatable field.
/// let raw = b"00077nam a2200049 a 4500245000900000245000900009\x1e10\x1faA t.\x1e10\x1faB t.\x1e\x1d";
/// let file = MarcFile::from_bytes(raw.to_vec());
/// let only = Linter::new().rules(RuleSet::parse(["non-repeatable-field"]).unwrap());
/// let found = lint_file(&file, &only, 1);
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].rule, found[0].field_index, found[0].byte_offset), (Rule::NonRepeatableField, Some(1), 58));
/// ```
pub fn lint_file(file: &MarcFile, linter: &Linter, threads: usize) -> Vec<Finding> {
    // A transcoded input (MARCXML, JSON, ...) has no ISO 2709 offsets a reader
    // could use: its findings point at where the record starts in the input.
    let transcoded = file.input().is_some();
    file.expect_scan();
    // One buffer a chunk of records (not one a record), each thread's chunks
    // kept apart and put in record order at the end.
    let per_thread = crate::parallel::fold_range(
        file.len(),
        threads,
        Vec::new,
        |chunks: &mut Vec<(usize, Vec<Finding>)>, range: std::ops::Range<usize>| {
            let mut out = Vec::new();
            let first = range.start;
            for i in range {
                let before = out.len();
                match file.record(i) {
                    Ok(record) => linter.lint_into(&record, &mut out),
                    Err(e) => {
                        out.extend(linter.invalid_record(i as u64, file.offset(i).unwrap_or(0), &e))
                    }
                }
                if transcoded {
                    let at = file.input_position(i).map_or(0, |p| p.offset);
                    out[before..].iter_mut().for_each(|f| f.byte_offset = at);
                }
            }
            chunks.push((first, out));
        },
    );
    let mut chunks: Vec<(usize, Vec<Finding>)> = per_thread.into_iter().flatten().collect();
    chunks.sort_unstable_by_key(|(first, _)| *first);
    let mut found = Vec::with_capacity(chunks.iter().map(|(_, c)| c.len()).sum());
    for (_, chunk) in chunks {
        found.extend(chunk);
    }
    if let Some(e) = file.framing_error() {
        let index = e.position().record.unwrap_or(file.len() as u64);
        found.extend(linter.invalid_record(index, 0, &e));
    }
    found
}
