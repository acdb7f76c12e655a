//! Writing a whole file: records serialised on N threads, chunk by chunk, and
//! handed to the sink in record order.

use super::{Envelope, RecordWriter, WriteOptions};
use crate::edit::{add_counts, Program, RuleCount};
use crate::error::{Error, Result};
use crate::file::MarcFile;
use crate::filter::Expr;
use crate::parallel;
use crate::query::check_record;
use crate::record::RecordRef;
use std::ops::Range;

/// Records a chunk: big enough that the per-chunk work is nothing, small
/// enough that a few chunks a thread in memory (the most ever held) stay a few
/// megabytes.
const CHUNK_RECORDS: usize = 1024;

/// What a bulk write did.
#[derive(Debug, Default)]
pub struct WriteReport {
    /// Records written.
    pub written: usize,
    /// Records that were not written (malformed, or with text that does not
    /// decode under the decoder's handling), each error with its record's
    /// index and byte offset; with strict framing, the error that stopped
    /// Phase 1 comes last.
    pub errors: Vec<Error>,
    /// `(record index, characters)` for each record in which characters the
    /// format cannot hold were replaced by U+FFFD (see [`super::marcxml`]).
    pub replaced: Vec<(usize, usize)>,
    /// The records that were re-serialised because Phase 2 repaired them.
    pub reframed: Vec<usize>,
    /// With an edit program: what each rule changed, in rule order (empty
    /// without one).
    pub edits: Vec<RuleCount>,
    /// MARC-8 out: `(record index, characters)` for each record in which
    /// characters MARC-8 lacks were written as `&#xHHHH;`.
    pub references: Vec<(usize, usize)>,
    /// With an expression ([`write_chunks_matching`]): the records that met
    /// it (written, or in [`WriteReport::errors`] when they could not be).
    pub matched: usize,
}

/// One chunk's output.
struct Chunk {
    bytes: Vec<u8>,
    written: usize,
    matched: usize,
    /// Where the first record's separator ends in `bytes` (0 when none was
    /// written): the first record of the whole output has none.
    first_separator: usize,
    errors: Vec<Error>,
    replaced: Vec<(usize, usize)>,
    reframed: Vec<usize>,
    edits: Vec<RuleCount>,
    references: Vec<(usize, usize)>,
}

/// Serialises the records at positions `range` of `which`.
#[allow(clippy::too_many_arguments)]
fn chunk(
    file: &MarcFile,
    which: Option<&[usize]>,
    matching: Option<&Expr>,
    writer: &RecordWriter,
    framing: &Envelope,
    edits: Option<&Program>,
    range: Range<usize>,
    buffers: &parallel::Buffers,
) -> Chunk {
    let mut out = Chunk {
        bytes: buffers.lend(range.len() * 2048),
        written: 0,
        matched: 0,
        first_separator: 0,
        errors: Vec::new(),
        replaced: Vec::new(),
        reframed: Vec::new(),
        edits: Vec::new(),
        references: Vec::new(),
    };
    let mut editor = edits.map(|p| p.editor().decoder(writer.options().decoder));
    let options = writer.options();
    // ISO 2709 bytes as they are (no transcoding to UTF-8 or MARC-8).
    let raw = options.format == crate::Format::Iso2709 && !options.to_utf8 && !options.to_marc8;
    for position in range {
        let i = which.map_or(position, |w| w[position]);
        // A record good by its structure (the core's one rule); its text is
        // decoded, and checked, as it is written.
        let record = match check_record(file, i, None) {
            Ok(good) => good.into_record(),
            Err(e) => {
                out.errors.push(e);
                continue;
            }
        };
        // The expression is tested on the record already parsed for writing:
        // finding and writing are one pass.
        if let Some(expr) = matching {
            match expr.matches(&record, &options.decoder) {
                Ok(true) => out.matched += 1,
                Ok(false) => continue,
                Err(e) => {
                    out.errors.push(e);
                    continue;
                }
            }
        }
        let before = out.bytes.len();
        out.bytes.extend_from_slice(framing.separator);
        let written = match &mut editor {
            None => writer.write_ref(&record, &mut out.bytes),
            // ISO 2709 as it is: the edited bytes straight into the chunk.
            Some(editor) if raw => match editor.edit_into(&record, &mut out.bytes) {
                Ok(true) => Ok(super::Written::default()),
                Ok(false) => writer.write_ref(&record, &mut out.bytes),
                Err(e) => Err(e),
            },
            Some(editor) => match editor.edit(&record) {
                Ok(None) => writer.write_ref(&record, &mut out.bytes),
                Ok(Some(edited)) => write_edited(writer, &record, edited, &mut out.bytes),
                Err(e) => Err(e),
            },
        };
        match written {
            Ok(done) => {
                if out.written == 0 {
                    out.first_separator = framing.separator.len();
                }
                out.bytes.extend_from_slice(framing.after);
                out.written += 1;
                if done.replaced > 0 {
                    out.replaced.push((i, done.replaced));
                }
                if done.reframed {
                    out.reframed.push(i);
                }
                if done.references > 0 {
                    out.references.push((i, done.references));
                }
            }
            Err(e) => {
                out.bytes.truncate(before);
                out.errors.push(e);
            }
        }
    }
    if let Some(editor) = editor {
        out.edits = editor.counts().to_vec();
    }
    out
}

/// Writes the bytes an edit made of `record` in the writer's format.
fn write_edited(
    writer: &RecordWriter,
    record: &RecordRef<'_>,
    edited: &[u8],
    out: &mut Vec<u8>,
) -> Result<super::Written> {
    let locate = |e: Error| match (record.index(), record.offset()) {
        (Some(i), Some(o)) => e.located(i, o),
        _ => e,
    };
    let mut parsed = RecordRef::parse(edited).map_err(locate)?;
    if let (Some(i), Some(o)) = (record.index(), record.offset()) {
        parsed = parsed.located(i, o);
    }
    writer.write_ref(&parsed, out)
}

/// Writes the records of `file` (all of them, or those at the indices in
/// `records`, in that order) in `options.format`, with the format's framing
/// (see [`Envelope::of`]), on `threads` threads, to `emit`, in order.
///
/// Each chunk of records is serialised into one buffer on a worker thread;
/// `emit` gets the buffers in order on the calling thread. `unattached` runs
/// the calling thread's own share of the work and its waiting (the Python
/// bindings release the GIL there), so that it can hand that time to other work.
///
/// A record that cannot be written is left out and reported in
/// [`WriteReport::errors`], unless `stop_at_error` is set: then the first one
/// is returned as the error, after what came before it was written. An error
/// from `emit` (a full disk) stops the work and is returned.
///
/// # Panics
///
/// If an index in `records` is out of range: check them first.
pub fn write_chunks<U, S>(
    file: &MarcFile,
    records: Option<&[usize]>,
    options: &WriteOptions,
    threads: usize,
    stop_at_error: bool,
    unattached: U,
    emit: S,
) -> Result<WriteReport>
where
    U: FnMut(&mut (dyn FnMut() + Send)),
    S: FnMut(&[u8]) -> Result<()>,
{
    write_chunks_edited(
        file,
        records,
        options,
        None,
        threads,
        stop_at_error,
        unattached,
        emit,
    )
}

/// [`write_chunks`], each record changed by the edit program `edits` (if
/// any) as it is written: a record the rules leave as it was is written as
/// without them; a changed one from its new bytes. A record the program cannot
/// edit (over 99,999 bytes after the edits, say) is an error like any record
/// that cannot be written. [`WriteReport::edits`] counts what each rule
/// changed.
#[allow(clippy::too_many_arguments)]
pub fn write_chunks_edited<U, S>(
    file: &MarcFile,
    records: Option<&[usize]>,
    options: &WriteOptions,
    edits: Option<&Program>,
    threads: usize,
    stop_at_error: bool,
    unattached: U,
    emit: S,
) -> Result<WriteReport>
where
    U: FnMut(&mut (dyn FnMut() + Send)),
    S: FnMut(&[u8]) -> Result<()>,
{
    write_chunks_matching(
        file,
        records,
        None,
        options,
        edits,
        threads,
        stop_at_error,
        unattached,
        emit,
    )
}

/// [`write_chunks_edited`] of the records that meet the filter expression
/// `matching` (all of them when `None`): each record is tested as it is
/// written, in the same pass, with the decoder of `options`, before `edits`
/// change it.
/// [`WriteReport::matched`] counts the records that met it. A record whose
/// compared values do not decode is an error, as one that cannot be read.
///
/// ```
/// # fn main() -> marcmap::Result<()> {
/// use marcmap::filter::Expr;
/// use marcmap::write::{write_chunks_matching, WriteOptions};
/// use marcmap::{Format, MarcFile};
/// let mut raw = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d".to_vec();
/// raw.extend_from_slice(b"00042nam a2200037 a 4500001000400000\x1e456\x1e\x1d");
/// let file = MarcFile::from_bytes(raw);
/// let expr = Expr::parse("001 = 456").unwrap();
/// let mut out = Vec::new();
/// let options = WriteOptions::new(Format::Iso2709);
/// let report = write_chunks_matching(&file, None, Some(&expr), &options, None, 2, false, |work| work(), |bytes| {
///     out.extend_from_slice(bytes);
///     Ok(())
/// })?;
/// assert_eq!((report.matched, report.written), (1, 1));
/// assert_eq!(out, &file.raw(1).unwrap()[..]);
/// # Ok(())
/// # }
/// ```
#[allow(clippy::too_many_arguments)]
pub fn write_chunks_matching<U, S>(
    file: &MarcFile,
    records: Option<&[usize]>,
    matching: Option<&Expr>,
    options: &WriteOptions,
    edits: Option<&Program>,
    threads: usize,
    stop_at_error: bool,
    unattached: U,
    mut emit: S,
) -> Result<WriteReport>
where
    U: FnMut(&mut (dyn FnMut() + Send)),
    S: FnMut(&[u8]) -> Result<()>,
{
    let writer = RecordWriter::new(*options);
    let framing = Envelope::of(options.format);
    let n = records.map_or(file.len(), <[usize]>::len);
    let mut report = WriteReport {
        edits: vec![RuleCount::default(); edits.map_or(0, Program::len)],
        ..WriteReport::default()
    };
    emit(framing.head)?;
    enum Stop {
        Record(Error),
        Emit(Error),
    }
    // The chunks' byte buffers go back to the threads that fill them.
    let buffers = parallel::Buffers::default();
    let result = parallel::map_chunks_in_order(
        n,
        threads,
        CHUNK_RECORDS,
        |range| {
            chunk(
                file, records, matching, &writer, &framing, edits, range, &buffers,
            )
        },
        unattached,
        |_, mut part: Chunk| {
            let skip = if report.written == 0 {
                part.first_separator
            } else {
                0
            };
            let emitted = emit(&part.bytes[skip..]);
            buffers.hand_back(std::mem::take(&mut part.bytes));
            emitted.map_err(Stop::Emit)?;
            report.written += part.written;
            report.matched += part.matched;
            report.replaced.append(&mut part.replaced);
            report.reframed.append(&mut part.reframed);
            add_counts(&mut report.edits, &part.edits);
            report.references.append(&mut part.references);
            if stop_at_error && !part.errors.is_empty() {
                return Err(Stop::Record(part.errors.swap_remove(0)));
            }
            report.errors.append(&mut part.errors);
            Ok(())
        },
    );
    match result {
        Ok(()) => {}
        Err(Stop::Record(e)) | Err(Stop::Emit(e)) => return Err(e),
    }
    emit(framing.tail)?;
    if records.is_none() {
        if let Some(e) = file.framing_error() {
            if stop_at_error {
                return Err(e);
            }
            report.errors.push(e);
        }
    }
    Ok(report)
}

/// [`write_chunks`] to an [`std::io::Write`], the calling thread working too.
///
/// ```
/// # fn main() -> marcmap::Result<()> {
/// use marcmap::write::{write_file, WriteOptions};
/// use marcmap::{Format, MarcFile};
/// let raw = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d".repeat(3);
/// let file = MarcFile::from_bytes(raw);
/// let mut out = Vec::new();
/// let report = write_file(&file, None, &WriteOptions::new(Format::JsonLines), 2, &mut out)?;
/// assert_eq!(report.written, 3);
/// assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
/// # Ok(()) }
/// ```
pub fn write_file(
    file: &MarcFile,
    records: Option<&[usize]>,
    options: &WriteOptions,
    threads: usize,
    sink: &mut impl std::io::Write,
) -> Result<WriteReport> {
    write_chunks(
        file,
        records,
        options,
        threads,
        false,
        |work| work(),
        |bytes| sink.write_all(bytes).map_err(Error::from),
    )
}
