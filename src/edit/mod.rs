//! Batch edits: a small rule language, parsed once into a [`Program`] and
//! applied to every record as it is written, on all cores.
//!
//! The common MarcEdit jobs, one rule each:
//!
//! | rule | what it does |
//! |---|---|
//! | `delete 9XX` | removes the fields whose tag matches (`X` and `.` match any character) |
//! | `delete 650$x`, `delete 650$xv` | removes those subfields |
//! | `add 856 40 $u https://example.org/ $z Online` | adds a field in tag order, as pymarc's `add_ordered_field` |
//! | `add 003 DLC` | adds a control field |
//! | `set 040$d DLC` | every `$d` of every 040 becomes `DLC`; a 040 without one gets one at its end |
//! | `set 245$a s/^(.*) \/$/$1/` | rewrites every `$a` of every 245 by a regular expression (the first match; every one with `g`) |
//! | `set 245 ind2 4` | sets an indicator (`\`, `_` or `#` for a blank) |
//! | `set LDR/05 c`, `set 008/35-37 eng` | sets positions of the leader or of a control field (a short field is padded with blanks) |
//! | `move 100 700` | retags the fields and puts them in tag order |
//! | `copy 100 700` | adds retagged copies in tag order |
//! | `rename 090 050` | retags the fields where they are |
//!
//! Any rule takes a condition: `... where 040$a = DLC`, `where 650$a ~
//! /jazz/i`, `where not 856`, `where LDR/06 = a and (650 or 651)`: a
//! [filter expression](crate::filter), the language `filter` and `select`
//! use, over [MARCspec](crate::spec) selectors. A value with a `where` word, leading or trailing blanks, or (in
//! `add`) a `$` is written in double quotes (`"a \"quoted\" value"`); in `add`,
//! `$$` is also a `$`. Regular expressions are the `regex` crate's, on the
//! record's bytes; a replacement names groups as `$1`, `${name}` or sed's
//! `\1`, and `$$` is a `$`.
//!
//! **Rules run in order, each on the record as the rules before it left it**,
//! conditions too: `rename 090 050` followed by `delete 050 where ...` sees the
//! renamed field, as a cataloguer reading the list top to bottom expects. A
//! condition is judged on the record (a view of the input while no rule has
//! changed the record, the one copy there is; after a change, the edited
//! record serialised once for it), its values decoded as text.
//!
//! **An unchanged record keeps its bytes.** Fields no rule touched keep theirs
//! too; a changed field is written as pymarc would write it (two indicators,
//! empty subfields dropped). A changed record gets its leader's lengths and its
//! directory computed; one over 99,999 bytes is an error, never a broken record.
//! A rule whose values are not ASCII cannot change a record that is not UTF-8
//! (LDR/09 not `a`): that is an error for the record, not mixed encodings.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use marcmap::edit::Program;
//! use marcmap::{OwnedRecord, RecordRef};
//!
//! let program = Program::parse(["delete 9XX", "add 856 40 $u https://example.org/"])?;
//! let bytes = OwnedRecord::builder()
//!     .control(*b"001", "1")
//!     .data(*b"245", b'1', b'0').subfield(b'a', "Title")
//!     .data(*b"949", b' ', b' ').subfield(b'a', "local")
//!     .build()
//!     .to_iso2709()?;
//! let mut editor = program.editor();
//! let edited = editor.edit(&RecordRef::parse(&bytes)?)?.expect("changed").to_vec();
//! let record = RecordRef::parse(&edited)?;
//! let tags: Vec<&str> = record.fields().map(|f| f.tag_str()).collect();
//! assert_eq!(tags, ["001", "245", "856"]);
//! assert_eq!(editor.counts()[0].records, 1);
//!
//! // A bad rule: the error says which rule, and where in it.
//! let err = Program::parse(["delete 9XX", "set 245 ind3 4"]).unwrap_err();
//! assert_eq!((err.rule(), err.column()), (1, 9));
//! # Ok(()) }
//! ```

mod action;
mod condition;
mod draft;
mod parse;

use crate::decode::ErrorHandling;
use crate::error::{Error, ErrorKind, Position, Result};
use crate::owned::FieldWriter;
use crate::record::RecordRef;
use crate::text::TextDecoder;
use action::Action;
use condition::Condition;
use draft::{Buffers, Draft};
use parse::Cursor;
use std::fmt;

/// A parsed list of rules: see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Program {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    text: String,
    action: Action,
    condition: Option<Condition>,
    /// Whether it may write bytes that are not ASCII.
    non_ascii: bool,
}

/// A rule that does not parse: which rule, where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramError {
    rule: usize,
    column: usize,
    text: String,
    message: String,
}

impl ProgramError {
    /// The rule's index in the program (from 0).
    pub fn rule(&self) -> usize {
        self.rule
    }

    /// The column in the rule where it goes wrong (in characters, from 1).
    pub fn column(&self) -> usize {
        self.column
    }

    /// The rule's text.
    pub fn rule_text(&self) -> &str {
        &self.text
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// `edit rule 2, column 9: ...`, then the rule with a caret under the column.
impl fmt::Display for ProgramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The rule on one line: control characters would break the caret.
        let shown: String = self
            .text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        write!(
            f,
            "edit rule {}, column {}: {}\n  {}\n  {}^",
            self.rule + 1,
            self.column,
            self.message,
            shown,
            " ".repeat(self.column.saturating_sub(1))
        )
    }
}

impl std::error::Error for ProgramError {}

/// What one rule changed over the records written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCount {
    /// Records it changed.
    pub records: usize,
    /// Things it changed in them: fields deleted, added, moved, copied or
    /// renamed, subfields deleted or set, indicators or positions set.
    pub changes: usize,
}

impl Program {
    /// Parses `rules`, each one rule.
    ///
    /// # Errors
    ///
    /// The first rule that does not parse, with its column.
    pub fn parse<I, S>(rules: I) -> std::result::Result<Program, ProgramError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let rules = rules
            .into_iter()
            .enumerate()
            .map(|(i, text)| parse_rule(i, text.as_ref()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Program { rules })
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules' texts, in order.
    pub fn rules(&self) -> impl ExactSizeIterator<Item = &str> {
        self.rules.iter().map(|r| r.text.as_str())
    }

    /// An editor: applies the program to records one by one, reusing its
    /// buffers, and counts what each rule changed. One a thread. Conditions
    /// read text with pymarc's decoding defaults (see [`Editor::decoder`]).
    pub fn editor(&self) -> Editor<'_> {
        Editor {
            program: self,
            decoder: lenient(TextDecoder::new()),
            writer: FieldWriter::default(),
            buffers: Buffers::default(),
            out: Vec::new(),
            scratch: Vec::new(),
            counts: vec![RuleCount::default(); self.rules.len()],
            this: vec![0; self.rules.len()],
        }
    }
}

fn parse_rule(index: usize, text: &str) -> std::result::Result<Rule, ProgramError> {
    let mut c = Cursor::new(text);
    let parsed = parse::rule(&mut c);
    match parsed {
        Ok((action, condition)) => Ok(Rule {
            text: text.to_owned(),
            non_ascii: action.writes_non_ascii(),
            action,
            condition,
        }),
        Err(e) => {
            let at = e.at.min(text.len());
            // The column in characters (a byte offset may fall inside one).
            let column = text.char_indices().take_while(|(i, _)| *i < at).count() + 1;
            Err(ProgramError {
                rule: index,
                column,
                text: text.to_owned(),
                message: e.message,
            })
        }
    }
}

/// Applies a [`Program`] to records one by one: see [`Program::editor`].
#[derive(Debug)]
pub struct Editor<'p> {
    program: &'p Program,
    /// How conditions read text.
    decoder: TextDecoder,
    writer: FieldWriter,
    /// The draft's lists, reused from record to record.
    buffers: Buffers<'p>,
    /// The last changed record's bytes.
    out: Vec<u8>,
    /// The edited state serialised for a condition.
    scratch: Vec<u8>,
    counts: Vec<RuleCount>,
    /// This record's changes, rule by rule.
    this: Vec<usize>,
}

/// `decoder`, with bytes that do not decode read as U+FFFD.
fn lenient(decoder: TextDecoder) -> TextDecoder {
    decoder
        .errors(ErrorHandling::Replace)
        .marc8_errors(ErrorHandling::Replace)
}

impl<'p> Editor<'p> {
    /// Conditions read text as `decoder` decides each record's encoding
    /// (LDR/09, `force_utf8`, MARC-8 options), with bytes that do not decode
    /// read as U+FFFD: a condition is a test, and a bad byte in a value it
    /// looks at should not keep the record from being written.
    pub fn decoder(mut self, decoder: TextDecoder) -> Self {
        self.decoder = lenient(decoder);
        self
    }

    /// Applies the rules to `record`: `None` when none changed it (its bytes
    /// stand as they are), else its new ISO 2709 bytes.
    ///
    /// # Errors
    ///
    /// A record over 99,999 bytes after the edits ([`ErrorKind::TooLong`]), a
    /// rule that would write text that is not ASCII into a record that is not
    /// UTF-8 ([`ErrorKind::Edit`]), or a field that ISO 2709 cannot hold; each
    /// with the record's position. Nothing is counted for such a record.
    pub fn edit<'s>(&'s mut self, record: &RecordRef<'_>) -> Result<Option<&'s [u8]>> {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        let changed = self.edit_into(record, &mut out);
        self.out = out;
        Ok(changed?.then_some(&self.out[..]))
    }

    /// [`Editor::edit`], appending the changed record's bytes to `out`: gives
    /// whether it changed (when not, `out` is as it was, as on error).
    pub fn edit_into(&mut self, record: &RecordRef<'_>, out: &mut Vec<u8>) -> Result<bool> {
        self.this.iter_mut().for_each(|n| *n = 0);
        let locate = |e: Error| match (record.index(), record.offset()) {
            (Some(i), Some(o)) => e.located(i, o),
            _ => e,
        };
        let program: &'p Program = self.program;
        let mut spare = Some(&mut self.buffers);
        let mut draft: Option<Draft<'_, 'p>> = None;
        let mut changed = false;
        for (k, rule) in program.rules.iter().enumerate() {
            if let Some(condition) = &rule.condition {
                let holds = match &draft {
                    Some(d) if changed => {
                        self.scratch.clear();
                        d.write(&mut self.writer, &mut self.scratch)
                            .map_err(|e| locate(rule_error(k, rule, &e.to_string())))?;
                        let current = RecordRef::parse(&self.scratch).map_err(locate)?;
                        condition.holds(&current, &self.decoder).map_err(locate)?
                    }
                    _ => condition.holds(record, &self.decoder).map_err(locate)?,
                };
                if !holds {
                    continue;
                }
            }
            if draft.is_none() && rule.action.leaves_alone(record) {
                continue;
            }
            let d = match draft.as_mut() {
                Some(d) => d,
                None => {
                    // Made once a record (the first rule to act on it).
                    let buffers = spare.take().expect("the draft is made once");
                    draft.insert(Draft::new(record, buffers))
                }
            };
            let n = rule.action.apply(d);
            if n == 0 {
                continue;
            }
            if rule.non_ascii && d.leader[9] != b'a' {
                let reason = "its values are not ASCII, and the record is not UTF-8 \
                              (LDR/09 is not 'a'): convert it to UTF-8 first";
                return Err(locate(rule_error(k, rule, reason)));
            }
            self.this[k] += n;
            changed = true;
        }
        let Some(draft) = draft.filter(|_| changed) else {
            return Ok(false);
        };
        draft.write(&mut self.writer, out).map_err(locate)?;
        for (count, &n) in self.counts.iter_mut().zip(&self.this) {
            if n > 0 {
                count.records += 1;
                count.changes += n;
            }
        }
        Ok(true)
    }

    /// What each rule changed so far, in rule order.
    pub fn counts(&self) -> &[RuleCount] {
        &self.counts
    }
}

fn rule_error(k: usize, rule: &Rule, reason: &str) -> Error {
    Error::new(
        ErrorKind::Edit {
            rule: k,
            text: rule.text.clone(),
            reason: reason.to_owned(),
        },
        Position::default(),
    )
}

/// Adds `more` to `total`, rule by rule (`total` grows to fit).
pub fn add_counts(total: &mut Vec<RuleCount>, more: &[RuleCount]) {
    if total.len() < more.len() {
        total.resize(more.len(), RuleCount::default());
    }
    for (t, m) in total.iter_mut().zip(more) {
        t.records += m.records;
        t.changes += m.changes;
    }
}
