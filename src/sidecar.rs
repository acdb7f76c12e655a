//! A persisted Phase 1 index: the sidecar `FILE.mmi` beside a data file `FILE`.
//!
//! Opening a large file with its sidecar reads the sidecar and a few pages of the
//! data, instead of scanning every byte of the data: the case of a service that
//! starts, answers one lookup by 001, and exits.
//!
//! A sidecar holds the record offsets, the skipped ranges, the recovered records
//! and, if it was built, the control-number index. It names the data file it
//! indexes by its size, its modification time and a fingerprint of its first
//! and last 64 KiB. It is checked when it is loaded, and never trusted past a
//! mismatch:
//!
//! - **stale**: it describes another file (size, modification time or
//!   fingerprint differ), was built with the other framing, by framing rules
//!   that have changed since, or in a format version this build does not read;
//! - **corrupt**: it is truncated, its checksum fails, or what it holds is
//!   inconsistent (offsets out of order or past the end of the data, record
//!   numbers out of range). Loading never panics, whatever the bytes
//!   (the `sidecar` fuzz target checks it).
//!
//! # Format, version 1
//!
//! All numbers little-endian. A 112-byte header:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `89 'M' 'M' 'I' 0D 0A 1A 0A` |
//! | 8 | 4 | format version (1) |
//! | 12 | 4 | framing rules version ([`FRAMING_RULES`]) |
//! | 16 | 4 | header length (112) |
//! | 20 | 4 | flags: bit 0 strict framing, bit 1 control-number index present |
//! | 24 | 8 | data size in bytes |
//! | 32 | 8 | data modification time, ns since the Unix epoch (`i64::MIN`: unknown) |
//! | 40 | 8 | data fingerprint ([`DataIdentity`]) |
//! | 48 | 8 | record count *n* |
//! | 56 | 8 | skipped range count *s* |
//! | 64 | 8 | recovered record count *r* |
//! | 72 | 8 | control-number key count *k* |
//! | 80 | 8 | strict framing's stop offset (`u64::MAX`: none) |
//! | 88 | 16 | the writer's marcmap version, ASCII, zero-padded (informational) |
//! | 104 | 8 | reserved, zero |
//!
//! then *n* record offsets (`u64`), *s* skipped ranges (offset, length, reason:
//! three `u64`), *r* recovered records (record, offset, declared length or
//! `u64::MAX`, actual length: four `u64`), *k* control-number keys (`u64`:
//! the FNV-1a hash of the trimmed 001, folded to 32 bits, above the record
//! number), and an 8-byte checksum of everything before it ([`checksum`]).
//! A sidecar is 16 bytes a record with the control-number index, 8 without.

use crate::control_number::ControlNumberIndex;
pub use crate::error::SidecarProblem;
use crate::index::{Framing, RecordIndex, RecoveredRecord, SkipReason, SkippedRange};
use crate::layout::MIN_RECORD_LEN;
use crate::words::Words;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use zerocopy::FromBytes;

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

/// The version of Phase 1's framing rules. It changes whenever the scan would
/// index some input differently, so that sidecars built before are stale.
pub const FRAMING_RULES: u32 = 1;

const MAGIC: [u8; 8] = *b"\x89MMI\r\n\x1a\n";
const HEADER_LEN: usize = 112;
const FLAG_STRICT: u32 = 1;
const FLAG_CONTROL_NUMBERS: u32 = 2;
const NONE: u64 = u64::MAX;
/// How much of each end of the data file the fingerprint reads.
const FINGERPRINT_SPAN: usize = 64 * 1024;

/// The sidecar path for a data file: its name with `.mmi` added (`books.mrc.mmi`).
pub fn path_for(data: &Path) -> PathBuf {
    let mut name = data.as_os_str().to_os_string();
    name.push(".mmi");
    PathBuf::from(name)
}

/// What identifies a data file's contents to a sidecar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataIdentity {
    /// The size in bytes.
    pub size: u64,
    /// The modification time, in ns since the Unix epoch (`i64::MIN` where the
    /// platform does not say).
    pub modified_ns: i64,
    /// [`checksum`] of the size and of the first and last 64 KiB (all of a
    /// smaller file).
    pub fingerprint: u64,
}

impl DataIdentity {
    /// The identity of `bytes`, the whole data file, last modified at `modified`.
    pub fn of_bytes(bytes: &[u8], modified: Option<SystemTime>) -> DataIdentity {
        DataIdentity {
            size: bytes.len() as u64,
            modified_ns: modified_ns(modified),
            fingerprint: fingerprint(bytes),
        }
    }

    /// The identity of an open data file: its metadata, and its first and last
    /// 64 KiB read (128 KiB at most, whatever its size).
    pub fn of_file(file: &File) -> io::Result<DataIdentity> {
        use crate::storage::ReadAt;
        let meta = file.metadata()?;
        // Exactly these bytes: no readahead into the rest of a large file.
        let file = crate::storage::RandomReads::new(file);
        let size = meta.len();
        let span = FINGERPRINT_SPAN as u64;
        let mut ends = vec![0; size.min(2 * span) as usize];
        if size <= 2 * span {
            file.read_exact_at(&mut ends, 0)?;
        } else {
            let (first, last) = ends.split_at_mut(FINGERPRINT_SPAN);
            file.read_exact_at(first, 0)?;
            file.read_exact_at(last, size - span)?;
        }
        Ok(DataIdentity {
            size,
            modified_ns: modified_ns(meta.modified().ok()),
            fingerprint: fingerprint_of_ends(size, &ends),
        })
    }
}

fn modified_ns(modified: Option<SystemTime>) -> i64 {
    let Some(t) = modified else {
        return i64::MIN;
    };
    let ns = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    ns.clamp(i64::MIN as i128 + 1, i64::MAX as i128) as i64
}

/// The fingerprint of a whole data file's bytes.
fn fingerprint(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if n <= 2 * FINGERPRINT_SPAN {
        return fingerprint_of_ends(n as u64, bytes);
    }
    let ends = [&bytes[..FINGERPRINT_SPAN], &bytes[n - FINGERPRINT_SPAN..]].concat();
    fingerprint_of_ends(n as u64, &ends)
}

/// The fingerprint from the size and the first and last 64 KiB, concatenated
/// (the whole file when it is no longer than 128 KiB).
fn fingerprint_of_ends(size: u64, ends: &[u8]) -> u64 {
    checksum(&[&size.to_le_bytes()[..], ends].concat())
}

/// The sidecar's checksum (and the fingerprint's): FNV-1a's offset basis and
/// prime over 64-bit little-endian words (the last zero-padded), each step
/// followed by an xor-shift, and the length mixed in last. Every step is a
/// bijection of the state, so any one changed word changes the result; eight
/// bytes a step keep it at memory speed. Written out here so that it never
/// changes with a dependency or a Rust release.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let mut h = mix_words(
        OFFSET_BASIS,
        (&mut words).map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default())),
    );
    let tail = words.remainder();
    if !tail.is_empty() {
        let mut w = [0u8; 8];
        w[..tail.len()].copy_from_slice(tail);
        h = mix_words(h, [u64::from_le_bytes(w)]);
    }
    finish(h, bytes.len())
}

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x100_0000_01b3;

fn mix_words(mut h: u64, words: impl IntoIterator<Item = u64>) -> u64 {
    for w in words {
        h = (h ^ w).wrapping_mul(PRIME);
        h ^= h >> 29;
    }
    h
}

fn finish(h: u64, len: usize) -> u64 {
    let h = (h ^ len as u64).wrapping_mul(PRIME);
    h ^ (h >> 32)
}

/// A Phase 1 index with what it indexes: the contents of a sidecar.
#[derive(Debug)]
pub struct Sidecar {
    /// The data file the index is of.
    pub identity: DataIdentity,
    /// The framing it was built with.
    pub framing: Framing,
    /// The index.
    pub index: RecordIndex,
    /// The control-number index, if it was built.
    pub control_numbers: Option<ControlNumberIndex>,
}

fn reason_code(r: SkipReason) -> u64 {
    match r {
        SkipReason::Filler => 0,
        SkipReason::TruncatedRecord => 1,
        SkipReason::NotARecord => 2,
        SkipReason::GarbageBeforeRecord => 3,
        // Only a transcoded input skips these, and it has no sidecar; the
        // codes keep the mapping total.
        SkipReason::MalformedInput => 4,
        SkipReason::ContentAfterRoot => 5,
    }
}

fn reason_of(code: u64) -> Option<SkipReason> {
    Some(match code {
        0 => SkipReason::Filler,
        1 => SkipReason::TruncatedRecord,
        2 => SkipReason::NotARecord,
        3 => SkipReason::GarbageBeforeRecord,
        4 => SkipReason::MalformedInput,
        5 => SkipReason::ContentAfterRoot,
        _ => return None,
    })
}

/// The bytes of a sidecar for `index`, built with `framing` from the data file
/// `identity` names, with the control-number index `control_numbers` if given.
pub fn encode(
    identity: &DataIdentity,
    framing: Framing,
    index: &RecordIndex,
    control_numbers: Option<&ControlNumberIndex>,
) -> Vec<u8> {
    let keys = control_numbers.map(ControlNumberIndex::keys);
    let words = index.len()
        + 3 * index.skipped().len()
        + 4 * index.recovered().len()
        + keys.map_or(0, <[u64]>::len);
    let mut out = Vec::with_capacity(HEADER_LEN + 8 * words + 8);
    out.extend(MAGIC);
    out.extend(VERSION.to_le_bytes());
    out.extend(FRAMING_RULES.to_le_bytes());
    out.extend((HEADER_LEN as u32).to_le_bytes());
    let mut flags = 0;
    if framing == Framing::Strict {
        flags |= FLAG_STRICT;
    }
    if keys.is_some() {
        flags |= FLAG_CONTROL_NUMBERS;
    }
    out.extend(flags.to_le_bytes());
    let id = identity;
    for n in [id.size, id.modified_ns as u64, id.fingerprint] {
        out.extend(n.to_le_bytes());
    }
    for n in [
        index.len(),
        index.skipped().len(),
        index.recovered().len(),
        keys.map_or(0, <[u64]>::len),
    ] {
        out.extend((n as u64).to_le_bytes());
    }
    out.extend(index.stopped_at().unwrap_or(NONE).to_le_bytes());
    let mut version = [0u8; 16];
    let v = env!("CARGO_PKG_VERSION").as_bytes();
    version[..v.len().min(16)].copy_from_slice(&v[..v.len().min(16)]);
    out.extend(version);
    out.extend([0u8; 8]);
    debug_assert_eq!(out.len(), HEADER_LEN);
    let mut put = |n: u64| out.extend(n.to_le_bytes());
    index.starts().iter().for_each(|&s| put(s));
    for s in index.skipped() {
        [s.offset, s.length, reason_code(s.reason)]
            .into_iter()
            .for_each(&mut put);
    }
    for r in index.recovered() {
        let declared = r.declared.map_or(NONE, |d| d as u64);
        [r.record, r.offset, declared, r.actual as u64]
            .into_iter()
            .for_each(&mut put);
    }
    keys.unwrap_or_default().iter().for_each(|&k| put(k));
    let sum = checksum(&out);
    out.extend(sum.to_le_bytes());
    out
}

/// Writes `bytes` to `path` atomically: to a temporary file beside it, then
/// renamed over it, so that a reader never sees half a sidecar.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut out = crate::output::OutputFile::open(path)?;
    out.write_all(bytes)?;
    out.sync_all()?;
    out.commit()
}

impl Sidecar {
    /// The sidecar's bytes.
    pub fn encode(&self) -> Vec<u8> {
        encode(
            &self.identity,
            self.framing,
            &self.index,
            self.control_numbers.as_ref(),
        )
    }

    /// Reads a sidecar from its bytes, checking its format, its checksum and the
    /// consistency of what it holds (not yet that it describes a given data file:
    /// see [`Sidecar::check_matches`]). Never panics.
    pub fn decode(bytes: &[u8]) -> Result<Sidecar, SidecarProblem> {
        check_start(bytes)?;
        if !bytes.len().is_multiple_of(8) {
            return Err(corrupt(&format!(
                "{} bytes, not a whole number of 8-byte words (truncated or extended)",
                bytes.len()
            )));
        }
        // Little-endian words, read in place where the bytes allow it.
        let words: std::borrow::Cow<'_, [u64]> = match <[u64]>::ref_from_bytes(bytes) {
            Ok(words) if cfg!(target_endian = "little") => words.into(),
            _ => bytes
                .chunks_exact(8)
                .map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()))
                .collect::<Vec<u64>>()
                .into(),
        };
        let header = words.get(..HEADER_WORDS).unwrap_or_default();
        let counts = section_counts(header, words.len() as u64)?;
        let (starts, rest) = words[HEADER_WORDS..].split_at(counts.records as usize);
        let (skipped, rest) = rest.split_at(3 * counts.skipped as usize);
        let (recovered, rest) = rest.split_at(4 * counts.recovered as usize);
        let (keys, sum) = rest.split_at(counts.keys as usize);
        let sum = sum.first().copied().unwrap_or_default();
        decode_sections(
            header,
            starts.to_vec().into(),
            skipped,
            recovered,
            keys.to_vec().into(),
            sum,
        )
    }

    /// Whether this sidecar indexes `data` with `framing`: a stale problem if not.
    pub fn check_matches(
        &self,
        data: &DataIdentity,
        framing: Framing,
    ) -> Result<(), SidecarProblem> {
        let id = &self.identity;
        let why = if id.size != data.size {
            format!(
                "the data file is {} bytes, the sidecar is of {} bytes",
                data.size, id.size
            )
        } else if id.modified_ns != data.modified_ns {
            "the data file's modification time differs".to_string()
        } else if id.fingerprint != data.fingerprint {
            "the data file's contents differ".to_string()
        } else if self.framing != framing {
            format!("built with {:?} framing, not {:?}", self.framing, framing).to_lowercase()
        } else {
            return Ok(());
        };
        Err(SidecarProblem::Stale(why))
    }

    /// Reads and decodes the sidecar at `path`. It is mapped, and its record
    /// offsets and control-number keys are read in place (see `src/words.rs`):
    /// loading checks every word once, and copies none of the large sections.
    /// The mapping is under the same contract as the data's (the crate's "mmap
    /// contract"): [`write_atomically`] replaces a sidecar by renaming, which a
    /// mapping survives; do not rewrite or truncate one in place while it is read.
    pub fn read(path: &Path) -> Result<Sidecar, SidecarProblem> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(SidecarProblem::Missing),
            Err(e) => return Err(SidecarProblem::Io(e)),
        };
        let len = file.metadata()?.len();
        let mapped = if len % 8 == 0 && len >= (HEADER_LEN + 8) as u64 {
            // SAFETY: a read-only mapping, under the contract documented above and
            // in `crate::storage`; every word is checked once here, and every
            // offset taken from it later is bounds-checked against the data.
            unsafe { memmap2::Mmap::map(&file) }.ok()
        } else {
            None
        };
        let Some(map) = mapped.map(std::sync::Arc::new) else {
            // Not a sidecar (or not mappable): read it, and say why from its bytes.
            return Sidecar::decode(&std::fs::read(path)?);
        };
        let Ok(words) = <[u64]>::ref_from_bytes(&map[..]) else {
            return Sidecar::decode(&map);
        };
        if cfg!(target_endian = "big") {
            return Sidecar::decode(&map);
        }
        let header = words.get(..HEADER_WORDS).unwrap_or_default();
        let counts = section_counts(header, words.len() as u64)?;
        let at = |word: usize| HEADER_LEN + 8 * word;
        let n = counts.records as usize;
        let (s, r, k) = (
            3 * counts.skipped as usize,
            4 * counts.recovered as usize,
            counts.keys as usize,
        );
        let section =
            |from: usize, len: usize| &words[HEADER_WORDS + from..HEADER_WORDS + from + len];
        let (Some(starts), Some(keys)) = (
            Words::mapped(&map, at(0), n),
            Words::mapped(&map, at(n + s + r), k),
        ) else {
            return Sidecar::decode(&map);
        };
        let sum = words[HEADER_WORDS + n + s + r + k];
        decode_sections(header, starts, section(n, s), section(n + s, r), keys, sum)
    }
}

fn corrupt(why: &str) -> SidecarProblem {
    SidecarProblem::Corrupt(why.to_string())
}

/// The magic number and the format version, from the first 16 bytes.
fn check_start(bytes: &[u8]) -> Result<(), SidecarProblem> {
    if bytes.len() < 16 || bytes[..8] != MAGIC {
        return Err(corrupt("not a marcmap sidecar (no magic number)"));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != VERSION {
        return Err(SidecarProblem::Stale(format!(
            "format version {version}, this marcmap reads version {VERSION}"
        )));
    }
    Ok(())
}

const HEADER_WORDS: usize = HEADER_LEN / 8;

/// How many words each section has, as the header says.
struct Counts {
    records: u64,
    skipped: u64,
    recovered: u64,
    keys: u64,
}

/// The header's counts, checked against the sidecar's length in words.
fn section_counts(header: &[u64], words: u64) -> Result<Counts, SidecarProblem> {
    let mut start = Vec::with_capacity(16);
    header
        .iter()
        .take(2)
        .for_each(|w| start.extend(w.to_le_bytes()));
    check_start(&start)?;
    if header.len() < HEADER_WORDS || words < HEADER_WORDS as u64 + 1 {
        return Err(corrupt("truncated header"));
    }
    if header[2] as u32 as usize != HEADER_LEN {
        return Err(corrupt("wrong header length"));
    }
    let (n, s, r, k) = (header[6], header[7], header[8], header[9]);
    let total = n
        .checked_add(s.checked_mul(3).ok_or_else(|| corrupt("counts overflow"))?)
        .and_then(|t| t.checked_add(r.checked_mul(4)?))
        .and_then(|t| t.checked_add(k))
        .and_then(|t| t.checked_add(HEADER_WORDS as u64 + 1))
        .ok_or_else(|| corrupt("counts overflow"))?;
    if total != words {
        return Err(corrupt(&format!(
            "{} bytes where its counts need {} (truncated or extended)",
            words.saturating_mul(8),
            total.saturating_mul(8)
        )));
    }
    Ok(Counts {
        records: n,
        skipped: s,
        recovered: r,
        keys: k,
    })
}

/// The sidecar from its header and sections (counts already checked): the
/// checksum, then the consistency of what it holds.
fn decode_sections(
    header: &[u64],
    starts: Words,
    skipped_words: &[u64],
    recovered_words: &[u64],
    keys: Words,
    sum: u64,
) -> Result<Sidecar, SidecarProblem> {
    let sections = [header, &starts, skipped_words, recovered_words, &keys];
    let words: usize = sections.iter().map(|w| w.len()).sum();
    let mixed = sections
        .iter()
        .fold(OFFSET_BASIS, |h, w| mix_words(h, w.iter().copied()));
    if finish(mixed, words * 8) != sum {
        return Err(corrupt("checksum mismatch"));
    }
    let high = |w: u64| (w >> 32) as u32;
    let rules = high(header[1]);
    if rules != FRAMING_RULES {
        return Err(SidecarProblem::Stale(format!(
            "built under framing rules {rules}, this marcmap frames by rules {FRAMING_RULES}"
        )));
    }
    let flags = high(header[2]);
    if flags & !(FLAG_STRICT | FLAG_CONTROL_NUMBERS) != 0 {
        return Err(corrupt("unknown flags"));
    }
    let framing = if flags & FLAG_STRICT != 0 {
        Framing::Strict
    } else {
        Framing::Lenient
    };
    let identity = DataIdentity {
        size: header[3],
        modified_ns: header[4] as i64,
        fingerprint: header[5],
    };
    let stopped_at = Some(header[10]).filter(|&w| w != NONE);
    let size = identity.size;
    let n = starts.len();
    let (s, r) = (skipped_words.len() / 3, recovered_words.len() / 4);

    let starts_ok = starts.windows(2).all(|w| w[0] < w[1])
        && starts.last().is_none_or(|&last| {
            last.checked_add(MIN_RECORD_LEN as u64)
                .is_some_and(|e| e <= size)
        });
    if !starts_ok {
        return Err(corrupt(
            "record offsets out of order or past the end of the data",
        ));
    }
    let mut skipped = Vec::with_capacity(s);
    let mut after = 0u64;
    for w in skipped_words.chunks_exact(3) {
        let end = w[0]
            .checked_add(w[1])
            .filter(|&e| e <= size && w[1] > 0 && w[0] >= after);
        let (Some(end), Some(reason)) = (end, reason_of(w[2])) else {
            return Err(corrupt(
                "a skipped range out of order, empty or past the end of the data",
            ));
        };
        after = end;
        skipped.push(SkippedRange {
            offset: w[0],
            length: w[1],
            reason,
        });
    }
    let mut recovered: Vec<RecoveredRecord> = Vec::with_capacity(r);
    for w in recovered_words.chunks_exact(4) {
        let record = w[0];
        let in_order = recovered.last().is_none_or(|p| p.record < record);
        let at_start = usize::try_from(record).ok().and_then(|i| starts.get(i)) == Some(&w[1]);
        let declared = (w[2] != NONE).then_some(w[2]);
        let fits =
            w[3] >= MIN_RECORD_LEN as u64 && w[1].checked_add(w[3]).is_some_and(|e| e <= size);
        if !(in_order && at_start && fits && declared.is_none_or(|d| d <= 99_999)) {
            return Err(corrupt("a recovered record that is not one of the records"));
        }
        recovered.push(RecoveredRecord {
            record,
            offset: w[1],
            declared: declared.map(|d| d as usize),
            actual: w[3] as usize,
        });
    }
    let keys_ok = keys.windows(2).all(|w| w[0] <= w[1])
        && keys.iter().all(|&key| (key & 0xFFFF_FFFF) < n as u64);
    if !keys_ok {
        return Err(corrupt(
            "control-number keys out of order or naming no record",
        ));
    }
    let consistent = match framing {
        Framing::Strict => skipped.is_empty() && recovered.is_empty(),
        Framing::Lenient => stopped_at.is_none(),
    } && stopped_at.is_none_or(|st| st <= size);
    if !consistent {
        return Err(corrupt("framing and contents disagree"));
    }
    let control_numbers =
        (flags & FLAG_CONTROL_NUMBERS != 0).then(|| ControlNumberIndex::from_keys(keys));
    Ok(Sidecar {
        identity,
        framing,
        index: RecordIndex::from_parts(starts, skipped, recovered, stopped_at),
        control_numbers,
    })
}

/// Whether [`crate::OpenOptions::open`] uses the file's sidecar (`FILE.mmi`, see
/// [`crate::sidecar`]) instead of scanning the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SidecarMode {
    /// Never look for one (the default).
    #[default]
    Off,
    /// Use a valid sidecar; without one, or with one that is stale or corrupt,
    /// index the file as usual, and say so in [`crate::MarcFile::sidecar_status`].
    /// Nothing is written.
    Auto,
    /// Use the sidecar; a missing, stale or corrupt one is an error.
    Require,
    /// Index the file, whatever sidecar there is, and write a new sidecar.
    Rebuild,
}

crate::named_values!(SidecarMode, "index", {
    "auto" => SidecarMode::Auto,
    "require" => SidecarMode::Require,
    "rebuild" => SidecarMode::Rebuild,
    "off" => SidecarMode::Off,
});

/// What became of the sidecar when a file was opened.
#[derive(Debug)]
#[non_exhaustive]
pub enum SidecarStatus {
    /// None was looked for: [`SidecarMode::Off`], or not a whole regular file
    /// opened from a path.
    Off,
    /// The index (and the control-number index, if it holds one) came from the
    /// sidecar: the file was not scanned.
    Used,
    /// [`SidecarMode::Auto`] found none, and indexed the file.
    Missing,
    /// [`SidecarMode::Auto`] did not use the sidecar (why is said), and indexed the file.
    Ignored(SidecarProblem),
    /// [`SidecarMode::Rebuild`] indexed the file and wrote the sidecar.
    Written,
}

/// The error for a sidecar that cannot be used or written, naming it.
pub(crate) fn sidecar_error(path: PathBuf, problem: SidecarProblem) -> crate::error::Error {
    use crate::error::{Error, ErrorKind, Position};
    Error::new(ErrorKind::Sidecar { path, problem }, Position::default())
}
