//! MARCXML in: a streaming quick-xml reader over the input's bytes, each
//! `<record>` transcoded to ISO 2709 (see [`super`]).
//!
//! What it reads: the slim schema namespaced (`xmlns="...slim"`), prefixed
//! (`<marc:record>`) or with no namespace at all; a byte-order mark; no XML
//! declaration; `<record>` at the root, in a `<collection>`, or deeper (OAI-PMH
//! wrappers); empty records (a record with no fields, which Phase 2 reports as
//! `NoFieldsFound`); a missing `<leader>` (pymarc's default leader). Elements
//! are matched by local name, as pymarc's `parse_xml_to_array` does, except that
//! an element whose prefix is bound to another namespace is not MARC (an
//! OAI-PMH `<record>` around a MARC one); an element under `xmlns=""` is in no
//! namespace, so a `<record xmlns="">` in a collection in the slim namespace
//! is a record, as pymarc reads it; with `strict_namespace` only the slim
//! namespace is MARC (pymarc's `strict=True`).
//!
//! A document is one element: content after the root element (text, a second
//! root) is not well-formed XML. The reader reads on, as after other damage:
//! the records in it are read, and the rest of it is skipped and reported
//! ([`SkipReason::ContentAfterRoot`]; strict framing stops there).
//!
//! Values are the element's text: character references and the predefined
//! entities decoded, CDATA kept, line ends normalised as XML says. A leader
//! that is not 24 characters (after trimming surrounding whitespace; a
//! character in it that is not ASCII is a blank), a tag
//! that is not three characters, an indicator or subfield code of more than
//! one character, a subfield with no code attribute, and a character that
//! XML 1.0 forbids (a C0 control; pymarc's writer leaves them in, and XML
//! parsers stop there) make the record fail, with its position. A missing
//! indicator is a blank; an empty subfield code is a blank; so is one that is
//! not ASCII (ISO 2709 holds it in one byte, which UTF-8 cannot).
//!
//! Memory is bounded: the input is read in place (a mapping), and the ISO 2709
//! buffer grows by one record at a time. A large document whose records are
//! children of the root element is read on N threads: the input is cut into
//! byte ranges, each range starts at its first `<record` and ends at the first
//! record that starts after the range; every range's first record is checked
//! against where the range before it ended, and a range whose cut fell inside
//! something else (a comment, CDATA) is read again from there, so the result is
//! the serial reading's. What follows the root element is read on one thread.
//!
//! [`SkipReason::ContentAfterRoot`]: crate::SkipReason::ContentAfterRoot

use super::{xml_record, Builder, InputPosition, Lines, Malformed, Transcoded};
use crate::format::Format;
use crate::index::Framing;
use crate::owned::FieldWriter;
use crate::parallel;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The MARC 21 slim namespace.
pub const NAMESPACE: &[u8] = b"http://www.loc.gov/MARC21/slim";

/// pymarc's leader for a record that has none.
pub const DEFAULT_LEADER: [u8; 24] = *b"          22        4500";

/// How MARCXML is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlOptions {
    /// Lenient: a malformed record fails in its place and reading goes on;
    /// strict: reading stops at the first.
    pub framing: Framing,
    /// Only elements in the slim namespace are MARC (pymarc's `strict=True`).
    pub strict_namespace: bool,
    /// Threads for a large collection.
    pub threads: usize,
    /// Documents smaller than this are read on one thread (8 MiB).
    pub parallel_above: usize,
    /// The size of a byte range of input read as one task (8 MiB).
    pub range_bytes: usize,
    /// Records in the plain shape that writers produce are read by a scanner
    /// made for it (`xml_record.rs`), which gives what the event path gives;
    /// `false` reads every record through quick-xml's events (to compare the
    /// two).
    pub fast_records: bool,
}

impl Default for XmlOptions {
    fn default() -> Self {
        XmlOptions {
            framing: Framing::Lenient,
            strict_namespace: false,
            threads: parallel::default_threads(),
            parallel_above: PARALLEL_ABOVE,
            range_bytes: RANGE_BYTES,
            fast_records: true,
        }
    }
}

/// Inputs smaller than this are read on one thread.
const PARALLEL_ABOVE: usize = 8 << 20;
/// The size of a range of input for one task.
const RANGE_BYTES: usize = 8 << 20;

/// Reads `data` (a whole MARCXML document).
pub fn read(data: &[u8], options: &XmlOptions) -> Transcoded {
    let body = bom_len(data);
    let Some(prologue) = prologue(data, body, options) else {
        return read_serially(data, options);
    };
    let rest = data.len() - prologue.first_record;
    let threads = options.threads.max(1);
    if threads == 1 || rest < options.parallel_above || prologue.depth != 1 {
        return read_serially(data, options);
    }
    read_ranges(data, options, &prologue)
}

/// What a document with no MARC record is, if it is not MARCXML at all: its
/// root element is in another namespace (TurboMARC, OAI-PMH with no records
/// of the slim namespace, ...). `None` for MARCXML with no records (an empty
/// `<collection>`), which is a file of no records.
pub fn not_marcxml(data: &[u8]) -> Option<String> {
    let body = bom_len(data);
    let mut reader = Reader::from_reader(&data[body..]);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let mut ns = Namespaces::default();
                ns.open(1, &e);
                if ns.is_marc(&e, false) {
                    return None;
                }
                let name = e.name();
                let prefix = name.prefix().map_or(&b""[..], |p| p.into_inner());
                let uri = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .find(|a| match a.key.as_namespace_binding() {
                        Some(quick_xml::name::PrefixDeclaration::Default) => prefix.is_empty(),
                        Some(quick_xml::name::PrefixDeclaration::Named(p)) => p == prefix,
                        None => false,
                    })
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                    .unwrap_or_default();
                return Some(format!(
                    "XML in the namespace {uri} (no <record> of the MARC 21 slim namespace)"
                ));
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// What is known at the first record: where it starts, its name, its depth,
/// and the namespace bindings in scope around it.
struct Prologue {
    first_record: usize,
    qname: Vec<u8>,
    depth: u32,
    ns: Vec<Binding>,
}

/// Finds the first MARC record element, or `None` if there is none (or the
/// document is broken before it: the serial reading reports that).
fn prologue(data: &[u8], body: usize, options: &XmlOptions) -> Option<Prologue> {
    let mut reader = Reader::from_reader(&data[body..]);
    let mut ns = Namespaces::default();
    let mut depth = 0u32;
    loop {
        let before = body + reader.buffer_position() as usize;
        let (e, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(_)) => {
                ns.close(depth);
                depth = depth.saturating_sub(1);
                continue;
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => continue,
        };
        depth += 1;
        ns.open(depth, &e);
        if e.local_name().as_ref() == b"record" && ns.is_marc(&e, options.strict_namespace) {
            let scope = ns.bindings.iter().filter(|b| b.depth < depth).cloned();
            return Some(Prologue {
                first_record: before,
                qname: e.name().as_ref().to_vec(),
                depth: depth - 1,
                ns: scope.collect(),
            });
        }
        if empty {
            ns.close(depth);
            depth -= 1;
        }
    }
}

/// A namespace binding: a prefix (empty for the default namespace) at an
/// element depth, and whether it names the slim namespace, or (`xmlns=""`)
/// undoes the default namespace.
#[derive(Debug, Clone)]
struct Binding {
    depth: u32,
    prefix: Vec<u8>,
    slim: bool,
    unbound: bool,
}

#[derive(Debug, Clone, Default)]
struct Namespaces {
    bindings: Vec<Binding>,
}

impl Namespaces {
    /// Takes the `xmlns` attributes of `e`, an element at `depth`.
    fn open(&mut self, depth: u32, e: &BytesStart<'_>) {
        // Only elements that declare something pay for a second look at their
        // attributes.
        if !contains_xmlns(e.attributes_raw()) {
            return;
        }
        for attr in e.attributes().with_checks(false).flatten() {
            use quick_xml::name::PrefixDeclaration;
            let prefix = match attr.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => Vec::new(),
                Some(PrefixDeclaration::Named(p)) => p.to_vec(),
                None => continue,
            };
            self.bindings.push(Binding {
                depth,
                slim: attr.value.as_ref() == NAMESPACE,
                unbound: prefix.is_empty() && attr.value.is_empty(),
                prefix,
            });
        }
    }

    /// Leaves an element at `depth`.
    fn close(&mut self, depth: u32) {
        while self.bindings.last().is_some_and(|b| b.depth >= depth) {
            self.bindings.pop();
        }
    }

    /// Whether `e` is a MARC element: its prefix bound to the slim namespace,
    /// or (unless `strict`) bound to nothing. An unprefixed element under
    /// `xmlns=""` is in no namespace, as in a document that declares none
    /// (pymarc reads a `<record xmlns="">` in a slim collection as a record).
    fn is_marc(&self, e: &BytesStart<'_>, strict: bool) -> bool {
        let name = e.name();
        let prefix = name.prefix().map_or(&b""[..], |p| p.into_inner());
        // Lengths first: most names have no prefix, and an empty slice compared
        // through `==` still costs a call to memcmp.
        let same = |b: &&Binding| {
            b.prefix.len() == prefix.len() && (prefix.is_empty() || b.prefix == prefix)
        };
        match self.bindings.iter().rev().find(same) {
            Some(b) if !b.unbound => b.slim,
            _ => !strict,
        }
    }
}

/// Whether `raw` (an element's attributes) holds `xmlns`.
fn contains_xmlns(raw: &[u8]) -> bool {
    let mut from = 0;
    while let Some(p) = memchr::memchr(b'x', &raw[from..]) {
        let at = from + p;
        if raw[at..].starts_with(b"xmlns") {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Where a parser starts: the depth of the records' parent and the bindings
/// in scope there.
#[derive(Debug, Clone)]
struct Context {
    depth: u32,
    ns: Namespaces,
    /// Whether the parser starts inside the document (at a record), so the
    /// end tags of the elements around it are not errors, and it stops when
    /// the records' parent closes.
    inside: bool,
}

impl Context {
    fn document() -> Self {
        Context {
            depth: 0,
            ns: Namespaces::default(),
            inside: false,
        }
    }
}

/// Which value the text being read belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Leader,
    Control,
    Subfield,
}

/// The record being read.
struct Open {
    start: InputPosition,
    depth: u32,
    leader: Option<[u8; 24]>,
    /// The field being read: a control field's tag, or whether a data field
    /// is open (its start is in the field writer).
    field: Field,
    /// The subfield code being read.
    code: u8,
    /// The first problem found in the record: it fails when it closes.
    problem: Option<Malformed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    None,
    Control([u8; 3]),
    Data,
}

/// Reads records from one place in the input.
struct Parser<'a> {
    data: &'a [u8],
    strict_ns: bool,
    ns: Namespaces,
    depth: u32,
    base_depth: u32,
    inside: bool,
    lines: Lines<'a>,
    builder: Builder,
    open: Option<Open>,
    /// The open record's fields, serialised as they are read.
    fields: FieldWriter,
    text: String,
    target: Option<Target>,
    /// The record element's name as written, once seen: where to resynchronise.
    qname: Option<Vec<u8>>,
    /// The depth of the records' parent, once a record was seen.
    record_parent: Option<u32>,
    /// Whether the reader stops when the records' parent closes (a range of
    /// a collection read on its own).
    stop_at_parent: bool,
    /// Whether records are first offered to the scanner (`xml_record.rs`).
    fast_records: bool,
    /// A record's start tag was just read (not an empty element).
    record_opened: bool,
    /// How many record elements started.
    records_opened: u64,
    /// The document's root element ended (what follows is not well-formed,
    /// but is read on).
    root_closed: bool,
    /// The root element's qualified name, once it started (a whole document).
    root_name: Option<Vec<u8>>,
    /// Content after the root element not yet reported: where it starts and
    /// ends (reported when a record starts, or at the end of the input).
    after_root: Option<(usize, usize)>,
    /// Where the records' parent closed, if it did (a range read on its own).
    closed_at: Option<usize>,
}

/// How a run from one offset ended.
enum Ended {
    /// The input ended, or the records' parent closed.
    Done,
    /// A record started at or after the stop offset (here).
    Stopped(usize),
    /// The XML is not well-formed at `at`.
    Broken { at: usize, reason: String },
    /// The root element's end tag, met while damage had left elements in it
    /// open (an attribute with a stray quote swallows end tags): it closes the
    /// root all the same; reading goes on at `after`.
    RootClosed { after: usize },
}

impl<'a> Parser<'a> {
    fn new(data: &'a [u8], start: usize, options: &XmlOptions, ctx: Context, guess: usize) -> Self {
        let line_start = memchr::memrchr(b'\n', &data[..start]).map_or(0, |p| p + 1);
        Parser {
            data,
            strict_ns: options.strict_namespace,
            ns: ctx.ns,
            depth: ctx.depth,
            base_depth: ctx.depth,
            inside: ctx.inside,
            lines: Lines::new(data, start, 1, line_start),
            builder: Builder::new(Format::MarcXml, options.framing, guess),
            open: None,
            fields: FieldWriter::default(),
            text: String::new(),
            target: None,
            qname: None,
            record_parent: None,
            stop_at_parent: ctx.inside,
            fast_records: options.fast_records,
            record_opened: false,
            records_opened: 0,
            root_closed: false,
            root_name: None,
            after_root: None,
            closed_at: None,
        }
    }

    /// Reports the content after the root element read since the last
    /// record (leniently; strict framing stops there).
    fn report_after_root(&mut self) {
        if let Some((start, end)) = self.after_root.take() {
            let why = Malformed {
                at: self.lines.at(start),
                reason: "content after the root element".into(),
            };
            let reason = crate::index::SkipReason::ContentAfterRoot;
            self.builder.skip_as(start as u64, end as u64, why, reason);
        }
    }

    fn finish(mut self) -> Transcoded {
        self.end_of_input();
        self.builder.finish()
    }

    /// The input ended: a record still open is truncated.
    fn end_of_input(&mut self) {
        if let Some(open) = self.open.take() {
            let at = self.lines.at(self.data.len());
            let why = Malformed {
                at,
                reason: "the input ends inside this record".into(),
            };
            self.builder.fail(open.start, why);
        }
    }

    /// Reads from `from` to the end (or, with `stop_at`, to the first record
    /// that starts at or after it), resynchronising after damage. Returns
    /// where it stopped, if it stopped at a record.
    fn run(&mut self, from: usize, stop_at: Option<usize>) -> Option<usize> {
        let mut at = from;
        loop {
            match self.segment(at, stop_at) {
                Ended::Done => return None,
                Ended::Stopped(next) => return Some(next),
                Ended::RootClosed { after } => {
                    if let Some(open) = self.open.take() {
                        let why = Malformed {
                            at: self.lines.at(after),
                            reason: "the document ends inside this record".into(),
                        };
                        self.builder.fail(open.start, why);
                    }
                    self.target = None;
                    self.ns.close(1);
                    self.depth = 0;
                    self.root_closed = true;
                    if after >= self.data.len() {
                        return None;
                    }
                    at = after;
                }
                Ended::Broken { at: bad, reason } => {
                    self.report_after_root();
                    let pos = self.lines.at(bad);
                    let resume = self.resync(bad + 1);
                    let why = Malformed { at: pos, reason };
                    match self.open.take() {
                        Some(open) => self.builder.fail(open.start, why),
                        None => self.builder.skip(bad as u64, resume as u64, why),
                    }
                    self.target = None;
                    if self.builder.stopped() || resume >= self.data.len() {
                        return None;
                    }
                    if stop_at.is_some_and(|s| resume >= s) {
                        return Some(resume);
                    }
                    // The next record is a sibling of the last one (the
                    // elements around it are not known to this reader: their
                    // end tags are not errors).
                    let parent = self.record_parent.unwrap_or(self.base_depth);
                    self.depth = parent;
                    self.ns.close(parent + 1);
                    self.inside = true;
                    at = resume;
                }
            }
        }
    }

    /// Where the root element's end tag that `e` (an error at `at`) is about
    /// ends, when `e` is that tag mismatched: damage left elements inside the
    /// root open, and the document closes all the same.
    fn root_end_tag(&self, e: &quick_xml::Error, at: usize) -> Option<usize> {
        use quick_xml::errors::IllFormedError;
        let quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { found, .. }) = e else {
            return None;
        };
        let root = self.root_name.as_deref()?;
        if self.inside || found.as_bytes() != root {
            return None;
        }
        let rest = self.data.get(at..)?;
        memchr::memchr(b'>', rest).map(|gt| at + gt + 1)
    }

    /// The next place a record element may start at or after `from`.
    fn resync(&self, from: usize) -> usize {
        let rest = self.data.get(from..).unwrap_or_default();
        let found = match &self.qname {
            Some(q) => find_start_tag(rest, q),
            None => find_start_tag(rest, b"record").or_else(|| find_prefixed_record(rest)),
        };
        found.map_or(self.data.len(), |p| from + p)
    }

    /// One run of quick-xml from `from`, until the end, a stop, or an error.
    fn segment(&mut self, from: usize, stop_at: Option<usize>) -> Ended {
        let data = self.data;
        let mut reader = Reader::from_reader(&data[from..]);
        // Bytes that records read by the scanner took from under the reader:
        // its positions count from `from + skipped`.
        let mut skipped = 0;
        {
            let config = reader.config_mut();
            config.trim_text(false);
            config.check_end_names = true;
            config.allow_unmatched_ends = self.inside;
        }
        loop {
            let before = from + skipped + reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = from + skipped + reader.error_position() as usize;
                    if let Some(after) = self.root_end_tag(&e, at) {
                        return Ended::RootClosed { after };
                    }
                    return Ended::Broken {
                        at,
                        reason: e.to_string(),
                    };
                }
            };
            // Content after the root element, outside a record.
            let after_root = self.root_closed && self.open.is_none() && is_content(&event);
            let opened = self.records_opened;
            match event {
                Event::Start(e) => {
                    if let Some(end) = self.start(&e, before, stop_at) {
                        return end;
                    }
                    if std::mem::take(&mut self.record_opened) && self.fast_records {
                        let body = from + skipped + reader.buffer_position() as usize;
                        let name = e.name();
                        let prefix_len = name.as_ref().len() - name.local_name().as_ref().len();
                        if let Some(end) = self.scan_record(before, prefix_len, body) {
                            // The reader goes on at the record's end tag,
                            // which it checks against the start tag it read.
                            *reader.get_mut() = &data[end..];
                            skipped += end - body;
                        }
                    }
                }
                Event::Empty(e) => {
                    let start = self.start(&e, before, stop_at);
                    self.record_opened = false;
                    if let Some(end) = start {
                        return end;
                    }
                    let name = e.name();
                    if let Some(end) = self.end(name.local_name().as_ref(), before) {
                        return end;
                    }
                }
                Event::End(e) => {
                    if let Some(end) = self.end(e.local_name().as_ref(), before) {
                        if matches!(end, Ended::Done) {
                            self.closed_at =
                                Some(from + skipped + reader.buffer_position() as usize);
                        }
                        return end;
                    }
                }
                Event::Text(t) if self.target.is_some() => match t.xml10_content() {
                    Ok(s) => {
                        self.check_chars(&s, before);
                        self.text.push_str(&s);
                    }
                    Err(e) => self.problem(before, format!("text that is not UTF-8 ({e})")),
                },
                Event::CData(c) if self.target.is_some() => match c.decode() {
                    Ok(s) => {
                        self.check_chars(&s, before);
                        self.text.push_str(&s.replace("\r\n", "\n"));
                    }
                    Err(e) => self.problem(before, format!("text that is not UTF-8 ({e})")),
                },
                Event::GeneralRef(r) if self.target.is_some() => match r.resolve_char_ref() {
                    Ok(Some(c)) => {
                        self.check_chars(c.encode_utf8(&mut [0; 4]), before);
                        self.text.push(c);
                    }
                    Ok(None) => {
                        let name = String::from_utf8_lossy(&r).into_owned();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => self.text.push_str(s),
                            None => {
                                return Ended::Broken {
                                    at: before,
                                    reason: format!("unknown entity &{name};"),
                                }
                            }
                        }
                    }
                    Err(e) => {
                        return Ended::Broken {
                            at: before,
                            reason: e.to_string(),
                        }
                    }
                },
                Event::Eof => {
                    self.report_after_root();
                    return Ended::Done;
                }
                _ => {}
            }
            if after_root {
                if self.records_opened != opened {
                    // A record: what came before it is reported.
                    self.report_after_root();
                } else {
                    // The content, without the whitespace around text.
                    let after = from + skipped + reader.buffer_position() as usize;
                    let part = &data[before..after];
                    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
                    let lead = part.iter().take_while(|b| space(b)).count();
                    let trail = part.iter().rev().take_while(|b| space(b)).count();
                    let (start, end) = (before + lead, after - trail);
                    self.after_root.get_or_insert((start, end)).1 = end;
                }
            }
        }
    }

    /// Offers the body of the record whose start tag is at `tag` (its name's
    /// prefix `prefix_len` bytes, colon included) and ends before `body` to the
    /// scanner. Returns where the record's end tag starts if the scanner read
    /// the body; if not, nothing has changed and the events read it.
    fn scan_record(&mut self, tag: usize, prefix_len: usize, body: usize) -> Option<usize> {
        let data = self.data;
        let prefix = data.get(tag + 1..tag + 1 + prefix_len)?;
        let open = self.open.as_mut()?;
        if data.get(tag) != Some(&b'<') {
            return None;
        }
        match xml_record::scan_record(data, body, prefix, &mut self.fields, &mut self.text) {
            Some(scanned) => {
                if scanned.leader.is_some() {
                    open.leader = scanned.leader;
                }
                Some(scanned.end)
            }
            None => {
                self.fields.clear();
                None
            }
        }
    }

    /// A problem in the open record, found at `at`: the record fails when it
    /// closes (the first problem is the one reported).
    fn problem(&mut self, at: usize, reason: String) {
        let pos = self.lines.at(at);
        if let Some(open) = &mut self.open {
            if open.problem.is_none() {
                open.problem = Some(Malformed { at: pos, reason });
            }
        }
    }

    /// An element starts at `before`.
    fn start(
        &mut self,
        e: &BytesStart<'_>,
        before: usize,
        stop_at: Option<usize>,
    ) -> Option<Ended> {
        self.depth += 1;
        if self.depth == 1 && !self.inside && self.root_name.is_none() {
            self.root_name = Some(e.name().as_ref().to_vec());
        }
        self.ns.open(self.depth, e);
        if !self.ns.is_marc(e, self.strict_ns) {
            return None;
        }
        let name = e.name();
        match name.local_name().as_ref() {
            b"record" => {
                if stop_at.is_some_and(|s| before >= s) && self.open.is_none() {
                    return Some(Ended::Stopped(before));
                }
                if self.qname.is_none() {
                    self.qname = Some(name.as_ref().to_vec());
                }
                if self.open.is_none() {
                    self.record_parent.get_or_insert(self.depth - 1);
                }
                // A record inside a record (an OAI-PMH record with no
                // namespace around a MARC one): the inner one is the record.
                let start = self.lines.at(before);
                self.fields.clear();
                self.record_opened = true;
                self.records_opened += 1;
                self.open = Some(Open {
                    start,
                    depth: self.depth,
                    leader: None,
                    field: Field::None,
                    code: b' ',
                    problem: None,
                });
            }
            b"leader" if self.open.is_some() => self.collect(Target::Leader),
            b"controlfield" if self.open.is_some() => {
                let attrs = Attrs::of(e);
                let tag = self.tag(attrs.tag.as_deref(), before);
                if let Some(open) = &mut self.open {
                    open.field = Field::Control(tag);
                }
                self.collect(Target::Control);
            }
            b"datafield" if self.open.is_some() => {
                let attrs = Attrs::of(e);
                let tag = self.tag(attrs.tag.as_deref(), before);
                let ind1 = self.one_char(attrs.ind1.as_deref(), "ind1", before);
                let ind2 = self.one_char(attrs.ind2.as_deref(), "ind2", before);
                self.fields.start_data(tag, ind1, ind2);
                if let Some(open) = &mut self.open {
                    open.field = Field::Data;
                }
            }
            b"subfield" => {
                let in_data = self.open.as_ref().is_some_and(|o| o.field == Field::Data);
                if in_data {
                    let attrs = Attrs::of(e);
                    let code = self.one_char(attrs.code.as_deref(), "code", before);
                    if let Some(open) = &mut self.open {
                        open.code = code;
                    }
                    self.collect(Target::Subfield);
                }
            }
            _ => {}
        }
        None
    }

    fn collect(&mut self, target: Target) {
        self.text.clear();
        self.target = Some(target);
    }

    /// An element with local name `local` ends.
    fn end(&mut self, local: &[u8], before: usize) -> Option<Ended> {
        let depth = self.depth;
        self.ns.close(depth);
        self.depth = depth.saturating_sub(1);
        if self.stop_at_parent && depth <= self.base_depth {
            // The records' parent closed.
            return Some(Ended::Done);
        }
        // The root element closed: depths are known from the document's start
        // (or, after damage, from the records' parent).
        if depth == 1 && (!self.inside || self.record_parent.is_some()) {
            self.root_closed = true;
        }
        let Some(open) = &mut self.open else {
            return None;
        };
        match (local, self.target) {
            (b"leader", Some(Target::Leader)) => {
                let text = &self.text;
                match super::leader_of(text).or_else(|| super::leader_of(text.trim())) {
                    Some(l) => open.leader = Some(l),
                    None => {
                        let reason = format!(
                            "the leader is {} characters, not 24: {text:?}",
                            text.chars().count()
                        );
                        let at = self.lines.at(before);
                        if let Some(open) = &mut self.open {
                            open.problem.get_or_insert(Malformed { at, reason });
                        }
                    }
                }
                self.target = None;
            }
            (b"controlfield", Some(Target::Control)) => {
                if let Field::Control(tag) = open.field {
                    self.fields.control(tag, self.text.as_bytes());
                }
                open.field = Field::None;
                self.target = None;
            }
            (b"subfield", Some(Target::Subfield)) => {
                self.fields.subfield(open.code, self.text.as_bytes());
                self.target = None;
            }
            (b"datafield", _) => {
                if open.field == Field::Data {
                    self.fields.end_data();
                }
                open.field = Field::None;
            }
            (b"record", _) if depth == open.depth => {
                self.close_record();
            }
            _ => {}
        }
        None
    }

    /// The open record closed.
    fn close_record(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        let mut leader = open.leader.unwrap_or(DEFAULT_LEADER);
        // The text is UTF-8, and the leader says so.
        leader[9] = b'a';
        match open.problem {
            Some(why) => self.builder.fail(open.start, why),
            None => self
                .builder
                .record_from(&mut self.fields, &leader, open.start),
        }
    }

    /// A character XML 1.0 forbids in `s` (a C0 control other than tab, newline
    /// and carriage return; U+FFFE, U+FFFF) makes the record fail, as it makes
    /// an XML parser stop.
    fn check_chars(&mut self, s: &str, at: usize) {
        if let Some(c) = forbidden(s) {
            self.problem(
                at,
                format!("a character XML 1.0 forbids (U+{:04X})", c as u32),
            );
        }
    }

    /// The `tag` attribute: three ASCII characters.
    fn tag(&mut self, tag: Option<&str>, before: usize) -> [u8; 3] {
        match tag {
            Some(t) => match super::tag_of(t) {
                Some(tag) => tag,
                None => {
                    self.problem(
                        before,
                        format!("the tag {t:?} is not three ASCII characters"),
                    );
                    *b"???"
                }
            },
            None => {
                self.problem(before, "a field has no tag attribute".into());
                *b"???"
            }
        }
    }

    /// An indicator or code attribute: one ASCII character; missing (an
    /// indicator) or empty, a blank.
    fn one_char(&mut self, value: Option<&str>, name: &str, before: usize) -> u8 {
        let what = if name == "code" {
            "subfield code"
        } else {
            "indicator"
        };
        match value {
            // A missing indicator is a blank (pymarc's default); a subfield
            // with no code is not MARC.
            None if name == "code" => {
                self.problem(before, "a subfield has no code attribute".into());
                b' '
            }
            None => b' ',
            Some(v) if forbidden(v).is_some() => {
                self.check_chars(v, before);
                b' '
            }
            Some(v) => match v.trim_end().as_bytes() {
                [] => b' ',
                [b] if b.is_ascii() => *b,
                // One character, but no byte of UTF-8 (as ISO 2709 needs): a
                // blank, as OwnedRecord::from_ref_utf8 writes one.
                _ if v.chars().count() == 1 => b' ',
                _ => {
                    self.problem(
                        before,
                        format!("the {what} {v:?} is not one ASCII character"),
                    );
                    b' '
                }
            },
        }
    }
}

/// The attributes of a MARC element, read in one pass over its raw bytes.
#[derive(Default)]
struct Attrs<'e> {
    tag: Option<std::borrow::Cow<'e, str>>,
    ind1: Option<std::borrow::Cow<'e, str>>,
    ind2: Option<std::borrow::Cow<'e, str>>,
    code: Option<std::borrow::Cow<'e, str>>,
}

impl<'e> Attrs<'e> {
    fn of(e: &'e BytesStart<'_>) -> Self {
        let mut out = Attrs::default();
        let raw = e.attributes_raw();
        let mut i = 0;
        while i < raw.len() {
            while raw.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let name_start = i;
            while raw
                .get(i)
                .is_some_and(|&b| b != b'=' && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            let name = &raw[name_start..i];
            while raw
                .get(i)
                .is_some_and(|&b| b == b'=' || b.is_ascii_whitespace())
            {
                i += 1;
            }
            let Some(&quote) = raw.get(i).filter(|&&q| q == b'"' || q == b'\'') else {
                break;
            };
            let value_start = i + 1;
            let Some(len) = memchr::memchr(quote, &raw[value_start..]) else {
                break;
            };
            let value = &raw[value_start..value_start + len];
            i = value_start + len + 1;
            let slot = match name {
                b"tag" => &mut out.tag,
                b"ind1" => &mut out.ind1,
                b"ind2" => &mut out.ind2,
                b"code" => &mut out.code,
                _ => continue,
            };
            *slot = Some(attribute_value(value));
        }
        out
    }
}

/// An attribute's value, its references decoded.
fn attribute_value(raw: &[u8]) -> std::borrow::Cow<'_, str> {
    let text = String::from_utf8_lossy(raw);
    if memchr::memchr(b'&', raw).is_none() {
        return text;
    }
    match quick_xml::escape::unescape(&text) {
        Ok(v) => std::borrow::Cow::Owned(v.into_owned()),
        Err(_) => text,
    }
}

/// Whether `event` is content that a document may not have after its root
/// element (XML allows whitespace, comments and processing instructions).
fn is_content(event: &Event<'_>) -> bool {
    match event {
        Event::Text(t) => !t
            .as_ref()
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')),
        Event::Comment(_) | Event::PI(_) | Event::Eof => false,
        _ => true,
    }
}

/// The first character of `s` that XML 1.0 forbids.
fn forbidden(s: &str) -> Option<char> {
    let bytes = s.as_bytes();
    // One pass over the bytes: a C0 control, or the 0xEF that starts U+FFFE
    // and U+FFFF (EF BF BE, EF BF BF).
    let suspect = bytes
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF);
    if !suspect {
        return None;
    }
    s.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    })
}

/// Where `<qname` followed by a space, `>` or `/` first occurs in `data`.
fn find_start_tag(data: &[u8], qname: &[u8]) -> Option<usize> {
    let mut needle = Vec::with_capacity(qname.len() + 1);
    needle.push(b'<');
    needle.extend_from_slice(qname);
    let finder = memchr::memmem::Finder::new(&needle);
    let mut from = 0;
    while let Some(p) = finder.find(&data[from..]) {
        let at = from + p;
        match data.get(at + needle.len()) {
            Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') => return Some(at),
            _ => from = at + 1,
        }
    }
    None
}

/// Where `<prefix:record` first occurs (for damage before the first record).
fn find_prefixed_record(data: &[u8]) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(b":record");
    let mut from = 0;
    while let Some(p) = finder.find(&data[from..]) {
        let at = from + p;
        let before = &data[..at];
        if let Some(lt) = memchr::memrchr(b'<', before) {
            let prefix = &before[lt + 1..];
            let delim = matches!(
                data.get(at + 7),
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
            );
            if delim
                && !prefix.is_empty()
                && prefix
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(b))
            {
                return Some(lt);
            }
        }
        from = at + 1;
    }
    None
}

/// One range's reading.
struct Range {
    /// Where it started reading (its first record), or `None` if it found no
    /// record start in its range.
    start: Option<usize>,
    /// Where it stopped: the first record at or after the next range.
    next: Option<usize>,
    builder: Builder,
    /// Newlines between `start` and where it stopped.
    newlines: u64,
    /// Where the records' parent (the root element) closed, if it did.
    closed_at: Option<usize>,
}

fn read_range(
    data: &[u8],
    options: &XmlOptions,
    prologue: &Prologue,
    start: usize,
    stop_at: usize,
) -> Range {
    let ctx = Context {
        depth: prologue.depth,
        ns: Namespaces {
            bindings: prologue.ns.clone(),
        },
        inside: true,
    };
    let mut parser = Parser::new(data, start, options, ctx, (stop_at - start) / 3);
    parser.qname = Some(prologue.qname.clone());
    let next = parser.run(start, Some(stop_at));
    let closed_at = parser.closed_at.filter(|_| next.is_none());
    let end = next.or(closed_at).unwrap_or(data.len());
    if next.is_none() {
        parser.end_of_input();
    }
    parser.lines.at(end);
    let (_, line, _) = parser.lines.state();
    Range {
        start: Some(start),
        next,
        builder: parser.builder,
        newlines: line - 1,
        closed_at,
    }
}

/// Reads a large collection on N threads, range by range (see the module).
fn read_ranges(data: &[u8], options: &XmlOptions, prologue: &Prologue) -> Transcoded {
    let first = prologue.first_record;
    let range_bytes = options.range_bytes.max(1);
    let ranges = (data.len() - first).div_ceil(range_bytes);
    let cut = |k: usize| (first + k * range_bytes).min(data.len());
    let work = |k: usize| -> Range {
        let start = if k == 0 {
            Some(first)
        } else {
            find_start_tag(&data[cut(k)..cut(k + 1)], &prologue.qname).map(|p| cut(k) + p)
        };
        match start {
            Some(s) => read_range(data, options, prologue, s, cut(k + 1)),
            None => Range {
                start: None,
                next: None,
                builder: Builder::new(Format::MarcXml, options.framing, 0),
                newlines: 0,
                closed_at: None,
            },
        }
    };
    let line_of_first = super::position_of(data, first).line;
    let mut out = Builder::new(Format::MarcXml, options.framing, data.len() / 3);
    // Where the next range must start reading, and its line.
    let mut expected: Option<usize> = Some(first);
    let mut line = line_of_first;
    // Where the root element closed.
    let mut closed_at = None;
    let _ = parallel::map_chunks_in_order(
        ranges,
        options.threads,
        1,
        |r| work(r.start),
        |work| work(),
        |r, mut part: Range| -> Result<(), ()> {
            let k = r.start;
            let Some(want) = expected else {
                // The records' parent closed, or the input ended: nothing follows.
                return Ok(());
            };
            if want >= cut(k + 1) {
                // The range before read past this one (damage resynchronised
                // beyond it): this range has nothing of its own.
                return Ok(());
            }
            if part.start != Some(want) {
                // The cut fell inside something else: read this range again
                // from where the one before stopped.
                part = read_range(data, options, prologue, want, cut(k + 1));
            }
            shift_lines(&mut part.builder, line - 1);
            line += part.newlines;
            expected = part.next;
            closed_at = part.closed_at;
            out.append(part.builder);
            Ok(())
        },
    );
    // A last range that stopped before the end (its stop was the end of the
    // ranges, which is the input's end) leaves nothing; the input is read.
    //
    // Ranges know the document only from its prologue. Where it is damaged (a
    // malformed or failed record, skipped bytes, a stop) or goes on after the
    // records' parent closed (content after the root element, or a parent that
    // a range saw close only because damage hid its depth), what a range saw
    // may differ from what the document means: such a document, rare in real
    // data, is read again by the serial reading, which is the reference.
    let after_root = closed_at
        .filter(|&at| at < data.len())
        .is_some_and(|at| !data[at..].iter().all(u8::is_ascii_whitespace));
    let read = out.finish();
    if after_root || !read.input.is_clean() {
        return read_serially(data, options);
    }
    let _ = line;
    read
}

/// The whole document read by one parser, from its start.
/// The length of a UTF-8 byte order mark at the start of `data` (0 or 3).
fn bom_len(data: &[u8]) -> usize {
    if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    }
}

fn read_serially(data: &[u8], options: &XmlOptions) -> Transcoded {
    let body = bom_len(data);
    let mut parser = Parser::new(data, body, options, Context::document(), data.len() / 3);
    parser.run(body, None);
    parser.finish()
}

/// Adds `by` to every line a range's builder counted from its own start.
fn shift_lines(builder: &mut Builder, by: u64) {
    if by > 0 {
        builder.shift_lines(by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::SkippedRange;

    fn read_str(xml: &str) -> Transcoded {
        read(xml.as_bytes(), &XmlOptions::default())
    }

    #[test]
    fn reads_namespaced_prefixed_and_plain() {
        for xml in [
            r#"<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">1</controlfield><datafield tag="245" ind1="1" ind2="0"><subfield code="a">T&amp;x &#233;</subfield></datafield></record></collection>"#,
            r#"<?xml version="1.0"?><marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:record><marc:leader>00000nam a2200000 a 4500</marc:leader><marc:controlfield tag="001">1</marc:controlfield><marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">T&amp;x &#233;</marc:subfield></marc:datafield></marc:record></marc:collection>"#,
            "\u{FEFF}<record><leader>00000nam a2200000 a 4500</leader><controlfield tag=\"001\">1</controlfield><datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><subfield code=\"a\"><![CDATA[T&x ]]>é</subfield></datafield></record>",
        ] {
            let t = read_str(xml);
            assert_eq!(t.input.failed_count(), 0, "{xml}");
            let file = crate::MarcFile::from_bytes(t.bytes);
            let r = file.record(0).unwrap();
            assert_eq!(r.control_number(), Some(&b"1"[..]));
            assert_eq!(r.first(b"245").unwrap().subfield(b'a'), Some("T&x é".as_bytes()));
            assert!(r.leader().is_utf8());
        }
    }

    /// The parallel reading, in ranges of each of `sizes` bytes, gives what
    /// the serial reading `serial` gave.
    fn assert_ranges_read_as_serial(xml: &[u8], serial: &Transcoded, sizes: &[usize]) {
        for &range_bytes in sizes {
            let ranges = XmlOptions {
                threads: 2,
                parallel_above: 0,
                range_bytes,
                ..XmlOptions::default()
            };
            let parallel = read(xml, &ranges);
            assert_eq!(parallel.bytes, serial.bytes, "range {range_bytes}");
            assert_eq!(parallel.input, serial.input, "range {range_bytes}");
        }
    }

    #[test]
    fn ranges_read_what_one_thread_reads() {
        let record = "<record><leader>00000nam a2200000 a 4500</leader><controlfield tag=\"001\">N</controlfield><datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><subfield code=\"a\">Title &amp; more</subfield></datafield></record>\n";
        let mut xml = String::from("<collection xmlns=\"http://www.loc.gov/MARC21/slim\">\n");
        for i in 0..200 {
            xml.push_str(&record.replace('N', &i.to_string()));
            if i == 50 {
                xml.push_str("<!-- <record> in a comment -->\n");
            }
            if i == 120 {
                xml.push_str("<record><leader>broken</datafield></record>\n");
            }
        }
        xml.push_str("</collection>\n");
        let serial = read(
            xml.as_bytes(),
            &XmlOptions {
                threads: 1,
                ..XmlOptions::default()
            },
        );
        assert_ranges_read_as_serial(xml.as_bytes(), &serial, &[1, 7, 64, 300, 4096]);
        assert_eq!(serial.input.failed_count(), 1);
        assert_eq!(crate::MarcFile::from_bytes(serial.bytes).len(), 201);
    }

    #[test]
    fn oai_wrappers_are_not_records() {
        let xml = r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header><identifier>x</identifier></header><metadata><marc:record xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:leader>00000nam a2200000 a 4500</marc:leader><marc:controlfield tag="001">7</marc:controlfield></marc:record></metadata></record></ListRecords></OAI-PMH>"#;
        let t = read_str(xml);
        let file = crate::MarcFile::from_bytes(t.bytes);
        assert_eq!(file.len(), 1);
        assert_eq!(file.record(0).unwrap().control_number(), Some(&b"7"[..]));
    }

    fn control_numbers(t: Transcoded) -> Vec<String> {
        let file = crate::MarcFile::from_bytes(t.bytes);
        (0..file.len())
            .map(|i| {
                let r = file.record(i).unwrap();
                String::from_utf8_lossy(r.control_number().unwrap()).into_owned()
            })
            .collect()
    }

    const R1: &str = "<record><leader>00000nam a2200000 a 4500</leader><controlfield tag=\"001\">1</controlfield></record>";
    const R2: &str = "<record><leader>00000nam a2200000 a 4500</leader><controlfield tag=\"001\">2</controlfield></record>";

    #[test]
    fn a_record_in_no_namespace_inside_a_slim_collection_is_a_record() {
        let xml = format!(
            "<collection xmlns=\"{}\">{R1}{}<marc:record xmlns:marc=\"urn:x\"/></collection>",
            std::str::from_utf8(NAMESPACE).unwrap(),
            R2.replace("<record>", "<record xmlns=\"\">")
        );
        for fast_records in [true, false] {
            let options = XmlOptions {
                fast_records,
                ..XmlOptions::default()
            };
            let t = read(xml.as_bytes(), &options);
            assert!(t.input.skipped().is_empty());
            assert_eq!(control_numbers(t), ["1", "2"]);
        }
        // pymarc's strict=True reads only the slim namespace.
        let strict = XmlOptions {
            strict_namespace: true,
            ..XmlOptions::default()
        };
        assert_eq!(control_numbers(read(xml.as_bytes(), &strict)), ["1"]);
        // `xmlns=""` undoes the default namespace only: a prefix bound
        // elsewhere is still not MARC.
        let other =
            format!("<x:collection xmlns:x=\"urn:x\" xmlns=\"\"><x:record/>{R1}</x:collection>");
        assert_eq!(control_numbers(read_str(&other)), ["1"]);
    }

    #[test]
    fn content_after_the_root_element_is_read_and_reported() {
        let junk = "</collection>\n<!-- a comment --> junk ";
        let xml = format!("<collection>{R1}{junk}{R2}\n<collection>{R1}</collection>\n");
        let t = read_str(&xml);
        let skipped = t.input.skipped().to_vec();
        assert_eq!(control_numbers(t), ["1", "2", "1"]);
        let text = |s: &SkippedRange| &xml[s.offset as usize..(s.offset + s.length) as usize];
        let texts: Vec<&str> = skipped.iter().map(text).collect();
        assert_eq!(texts, ["junk", "<collection>", "</collection>"]);
        assert!(skipped
            .iter()
            .all(|s| s.reason == crate::index::SkipReason::ContentAfterRoot));
        // Whitespace, comments and processing instructions may follow the root.
        let fine = format!("<collection>{R1}</collection>\n<!-- c --><?pi x?>\r\n");
        let t = read_str(&fine);
        assert!(t.input.skipped().is_empty());
        // A record as the root, and one after it.
        let t = read_str(&format!("{R1}\n{R2}"));
        assert_eq!(t.input.skipped().len(), 0);
        assert_eq!(control_numbers(t), ["1", "2"]);
        let t = read_str(&format!("{R1}x{R2}"));
        assert_eq!(t.input.skipped()[0].offset as usize, R1.len());
        assert_eq!(control_numbers(t), ["1", "2"]);
        // Strict framing stops there.
        let strict = XmlOptions {
            framing: Framing::Strict,
            ..XmlOptions::default()
        };
        let t = read(xml.as_bytes(), &strict);
        let stop = t.input.stop_error().unwrap();
        assert!(
            stop.to_string().contains("content after the root element"),
            "{stop}"
        );
        assert_eq!(control_numbers(t), ["1"]);
    }

    #[test]
    fn ranges_read_content_after_the_root_as_one_thread_does() {
        let record = "<record><leader>00000nam a2200000 a 4500</leader><controlfield tag=\"001\">N</controlfield></record>\n";
        let mut xml = String::from("<collection xmlns=\"http://www.loc.gov/MARC21/slim\">\n");
        for i in 0..100 {
            xml.push_str(&record.replace('N', &i.to_string()));
        }
        xml.push_str("</collection>\njunk\n");
        xml.push_str(&record.replace('N', "after"));
        xml.push_str("<collection>\n");
        xml.push_str(&record.replace('N', "second"));
        xml.push_str("</collection>\n");
        let serial = read(
            xml.as_bytes(),
            &XmlOptions {
                threads: 1,
                ..XmlOptions::default()
            },
        );
        assert_eq!(serial.input.skipped().len(), 3);
        assert_ranges_read_as_serial(xml.as_bytes(), &serial, &[1, 64, 300, 4096]);
        let numbers = control_numbers(serial);
        assert_eq!(numbers.len(), 102);
        assert_eq!(numbers[100..], ["after", "second"]);
    }

    #[test]
    fn a_broken_record_keeps_its_place_and_the_next_is_read() {
        let xml = "<collection>\n<record><leader>00000nam a2200000 a 4500</leader><controlfield tag=\"001\">1</controlfield></record>\n<record><leader>x</leader><datafield tag=\"245\"><subfield code=\"a\">t</datafield></record>\n<record><controlfield tag=\"001\">3</controlfield></record>\n</collection>";
        let t = read_str(xml);
        assert_eq!(t.input.failed_count(), 1);
        let m = t.input.failure(1).unwrap();
        assert_eq!(m.at.line, 3, "{m:?}");
        assert!(m.reason.contains("subfield"), "{m:?}");
        let file = crate::MarcFile::from_bytes(t.bytes);
        assert_eq!(file.len(), 3);
        let third = file.record(2).unwrap();
        assert_eq!(third.control_number(), Some(&b"3"[..]));
        // No leader: pymarc's default, LDR/09 a.
        assert_eq!(third.leader().as_bytes()[10..12], *b"22");
    }
}
