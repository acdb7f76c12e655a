//! Compressed input (gzip, zstd) decompressed with bounded memory.
//!
//! 1. The first [`sniff::PREFIX`] bytes (1 MiB) are decompressed and looked at
//!    first: what is not MARC is refused before the rest is decompressed (a
//!    gzip of gigabytes of zeros costs 1 MiB, not gigabytes).
//! 2. The output is kept in memory up to [`IN_MEMORY`] bytes (64 MiB). Past
//!    that it is written, as it comes, to a temporary file (in
//!    [`std::env::temp_dir`]: `TMPDIR` on Unix), which is then mapped: the
//!    memory held stays bounded whatever the size, and the decompressed bytes
//!    are the page cache's, as a mapped uncompressed file's are. The file has
//!    no name once it is created (on Unix), or is deleted when closed (on
//!    Windows), so nothing is left behind. (Where the temporary directory is a
//!    RAM-backed `tmpfs`, its files are in memory: point `TMPDIR` at a disk.)
//! 3. Output past a limit stops with [`ErrorKind::DecompressionLimit`]: see
//!    [`crate::OpenOptions::decompressed_limit`].

use crate::error::{open_error, Error, ErrorKind, Position, Result};
use crate::sniff::{self, Compression};
use crate::storage::Storage;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// Decompressed output kept in memory; more goes to a temporary file.
pub(crate) const IN_MEMORY: usize = 64 << 20;

/// The default limit never stops output smaller than this ...
pub(crate) const DEFAULT_LIMIT_FLOOR: u64 = 1 << 30;
/// ... nor output at most this many times the compressed size.
pub(crate) const DEFAULT_LIMIT_RATIO: u64 = 100;

/// The most decompressed bytes a file may have; see
/// [`crate::OpenOptions::decompressed_limit`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) enum Limit {
    /// [`DEFAULT_LIMIT_RATIO`] times the compressed size, and at least
    /// [`DEFAULT_LIMIT_FLOOR`].
    #[default]
    Default,
    /// At most this many bytes.
    Bytes(u64),
    /// No limit.
    Unlimited,
}

impl Limit {
    /// The limit in bytes for an input of `compressed` bytes.
    pub(crate) fn bytes(self, compressed: u64) -> u64 {
        match self {
            Limit::Default => compressed
                .saturating_mul(DEFAULT_LIMIT_RATIO)
                .max(DEFAULT_LIMIT_FLOOR),
            Limit::Bytes(n) => n,
            Limit::Unlimited => u64::MAX,
        }
    }
}

/// How to decompress one input.
pub(crate) struct Plan<'a> {
    pub kind: Compression,
    pub limit: Limit,
    /// Output kept in memory at most ([`IN_MEMORY`] but in tests).
    pub in_memory: usize,
    /// The input's path, where it has one, for errors.
    pub path: Option<&'a Path>,
}

/// Decompresses `data` (every gzip member, every zstd frame) into storage,
/// after `check_prefix` has accepted its first [`sniff::PREFIX`] bytes (it is
/// also told whether they are all there is).
pub(crate) fn decompress(
    data: &[u8],
    plan: &Plan<'_>,
    check_prefix: impl FnOnce(&[u8], bool) -> Result<()>,
) -> Result<Storage> {
    let reader: Box<dyn Read + '_> = match plan.kind {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(data)),
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::with_buffer(data).map_err(|e| read_error(plan, e))?,
        ),
    };
    stream(reader, data.len() as u64, plan, check_prefix)
}

/// [`decompress`] from a stream of decompressed bytes, of an input of
/// `compressed` bytes.
fn stream(
    mut reader: impl Read,
    compressed: u64,
    plan: &Plan<'_>,
    check_prefix: impl FnOnce(&[u8], bool) -> Result<()>,
) -> Result<Storage> {
    let limit = plan.limit.bytes(compressed);
    let over = || {
        let kind = ErrorKind::DecompressionLimit {
            compression: plan.kind,
            limit,
            compressed,
            path: plan.path.map(Path::to_path_buf),
        };
        Error::new(kind, Position::default())
    };
    // One byte past the limit, to tell output of exactly `limit` bytes from more.
    let cap = |n: usize| usize::try_from(limit.saturating_add(1)).map_or(n, |l| l.min(n));
    let mut out = Vec::new();
    let mut ended =
        fill(&mut reader, &mut out, cap(sniff::PREFIX)).map_err(|e| read_error(plan, e))?;
    check_prefix(&out, ended)?;
    if !ended && out.len() < plan.in_memory {
        ended =
            fill(&mut reader, &mut out, cap(plan.in_memory)).map_err(|e| read_error(plan, e))?;
    }
    if out.len() as u64 > limit {
        return Err(over());
    }
    if !ended {
        return spill(reader, out, limit).map_err(|e| match e {
            Spill::Read(e) => read_error(plan, e),
            Spill::Write(e) => temp_error(plan, e),
            Spill::Over => over(),
        });
    }
    out.shrink_to_fit();
    Ok(Storage::Owned(Box::new(out)))
}

/// Why writing the output to a temporary file stopped.
enum Spill {
    Read(io::Error),
    Write(io::Error),
    Over,
}

/// The output so far, `head`, and the rest of `reader`, written to a
/// temporary file and mapped; [`Spill::Over`] past `limit` bytes.
fn spill(mut reader: impl Read, head: Vec<u8>, limit: u64) -> std::result::Result<Storage, Spill> {
    const CHUNK: usize = 1 << 20;
    let mut chunk = vec![0; CHUNK];
    // Output that ends exactly where the memory is full stays in memory.
    let mut n = read_some(&mut reader, &mut chunk).map_err(Spill::Read)?;
    if n == 0 {
        return Ok(Storage::Owned(Box::new(head)));
    }
    let mut file = temp_file().map_err(Spill::Write)?;
    file.write_all(&head).map_err(Spill::Write)?;
    let mut total = head.len() as u64;
    drop(head);
    while n > 0 {
        total += n as u64;
        if total > limit {
            return Err(Spill::Over);
        }
        file.write_all(&chunk[..n]).map_err(Spill::Write)?;
        n = read_some(&mut reader, &mut chunk).map_err(Spill::Read)?;
    }
    let len = usize::try_from(total)
        .map_err(|_| Spill::Write(io::Error::other("too large to map on this platform")))?;
    Storage::from_temp_file(&file, len).map_err(Spill::Write)
}

/// Reads into `buf` until it holds `upto` bytes (false) or the stream ends
/// (true). The buffer grows by doubling, never past `upto`.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, upto: usize) -> io::Result<bool> {
    const FIRST: usize = 64 << 10;
    while buf.len() < upto {
        let target = (buf.len() * 2).max(FIRST).min(upto);
        buf.reserve_exact(target - buf.len());
        let want = (target - buf.len()) as u64;
        let got = reader.by_ref().take(want).read_to_end(buf)?;
        if (got as u64) < want {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One read, retried when interrupted: 0 at the end.
fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// A new file in the temporary directory that only this process can reach:
/// unlinked as soon as it is created (Unix), or deleted when closed (Windows).
fn temp_file() -> io::Result<File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut attempts = 0;
    loop {
        attempts += 1;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!(".marcmap-{}-{n}-{nanos}.tmp", std::process::id());
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(windows)]
        {
            use std::os::windows::fs::OpenOptionsExt;
            const FILE_SHARE_ALL: u32 = 0x1 | 0x2 | 0x4; // read, write, delete
            const FILE_ATTRIBUTE_TEMPORARY: u32 = 0x100;
            const FILE_FLAG_DELETE_ON_CLOSE: u32 = 0x0400_0000;
            options
                .share_mode(FILE_SHARE_ALL)
                .attributes(FILE_ATTRIBUTE_TEMPORARY)
                .custom_flags(FILE_FLAG_DELETE_ON_CLOSE);
        }
        match options.open(&path) {
            Ok(file) => {
                #[cfg(unix)]
                std::fs::remove_file(&path)?;
                return Ok(file);
            }
            // A name in use (another process's): the next one.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A decompression error: the data is corrupt, or could not be read.
fn read_error(plan: &Plan<'_>, e: io::Error) -> Error {
    let e = io::Error::new(e.kind(), format!("{} data: {e}", plan.kind.name()));
    match plan.path {
        Some(path) => open_error(path, e),
        None => Error::from(e),
    }
}

/// The temporary file could not be created, written or mapped.
fn temp_error(plan: &Plan<'_>, e: io::Error) -> Error {
    let input = plan
        .path
        .map(|p| format!(" of {}", p.display()))
        .unwrap_or_default();
    let e = io::Error::new(
        e.kind(),
        format!(
            "cannot keep the decompressed {} data{input} in a temporary file in {} \
             (the TMPDIR environment variable chooses the directory): {e}",
            plan.kind.name(),
            std::env::temp_dir().display(),
        ),
    );
    Error::from(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpenOptions;
    use std::io::Write;

    const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample.mrc");

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    /// gzip of `mib` MiB of zeros, about 1 KiB a MiB: one gzip member of a MiB,
    /// repeated (a debug build compresses slowly; members decompress as one).
    fn gzip_zeros(mib: usize) -> Vec<u8> {
        gzip(&vec![0; 1 << 20]).repeat(mib)
    }

    /// A reader that counts the bytes read from it.
    struct Counted<R>(R, std::rc::Rc<std::cell::Cell<u64>>);

    impl<R: Read> Read for Counted<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.set(self.1.get() + n as u64);
            Ok(n)
        }
    }

    #[test]
    fn zeros_are_refused_after_their_first_mib() {
        let bomb = gzip_zeros(100);
        assert!(bomb.len() < 200_000, "{}", bomb.len());
        // Through the public path: refused as binary data.
        let e = OpenOptions::new().read_bytes(bomb.clone()).err().unwrap();
        assert!(
            matches!(e.kind(), ErrorKind::NotMarc { looks_like, .. } if looks_like == "binary data"),
            "{e}"
        );
        // And only the first MiB of the 100 was decompressed to say so.
        let count = std::rc::Rc::new(std::cell::Cell::new(0));
        let reader = Counted(flate2::read::MultiGzDecoder::new(&bomb[..]), count.clone());
        let plan = Plan {
            kind: Compression::Gzip,
            limit: Limit::Default,
            in_memory: IN_MEMORY,
            path: None,
        };
        let check = |prefix: &[u8], complete| match sniff::sniff_prefix(prefix, complete) {
            Some(sniff::Sniffed::Other(what)) => Err(crate::error::not_marc(what)),
            _ => Ok(()),
        };
        let e = stream(reader, bomb.len() as u64, &plan, check)
            .err()
            .unwrap();
        assert!(matches!(e.kind(), ErrorKind::NotMarc { .. }), "{e}");
        assert_eq!(count.get(), sniff::PREFIX as u64);
        // zstd too.
        let frame = zstd::stream::encode_all(&vec![0; 1 << 20][..], 3).unwrap();
        let e = OpenOptions::new()
            .read_bytes(frame.repeat(100))
            .err()
            .unwrap();
        assert!(matches!(e.kind(), ErrorKind::NotMarc { .. }), "{e}");
    }

    #[test]
    fn a_runaway_stops_at_the_limit() {
        let sample = std::fs::read(SAMPLE).unwrap();
        let gz = gzip(&sample);
        // In memory.
        let e = OpenOptions::new()
            .decompressed_limit(Some(1000))
            .read_bytes(gz.clone())
            .err()
            .unwrap();
        assert!(matches!(
            e.kind(),
            ErrorKind::DecompressionLimit {
                compression: Compression::Gzip,
                limit: 1000,
                path: None,
                ..
            }
        ));
        // Exactly the limit passes.
        let limit = Some(sample.len() as u64);
        let file = OpenOptions::new()
            .decompressed_limit(limit)
            .read_bytes(gz.clone());
        let records = crate::MarcFile::from_bytes(sample).len();
        assert_eq!(file.unwrap().len(), records);
        // MARC, then a bomb of zeros: past the prefix, into the temporary file,
        // stopped at the limit; the message names the file and says what to do.
        let dir = std::env::temp_dir().join(format!("marcmap-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bomb.mrc.gz");
        std::fs::write(&path, [gz, gzip_zeros(64)].concat()).unwrap();
        let options = OpenOptions::new().decompress_in_memory(1 << 20);
        let e = options
            .decompressed_limit(Some(8 << 20))
            .open(&path)
            .err()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            matches!(e.kind(), ErrorKind::DecompressionLimit { limit, .. } if *limit == 8 << 20)
        );
        let message = e.to_string();
        assert!(
            message.starts_with(&format!(
                "{}: gzip data decompresses to more than 8388608 bytes (8.0 MiB), ",
                path.display()
            )),
            "{message}"
        );
        assert!(
            message.ends_with(
                "raise the limit (OpenOptions::decompressed_limit; max_decompressed= in Python)"
            ),
            "{message}"
        );
    }

    #[test]
    fn the_default_limit() {
        assert_eq!(Limit::Default.bytes(0), 1 << 30);
        assert_eq!(Limit::Default.bytes(100 << 20), 10_000 << 20);
        assert_eq!(Limit::Default.bytes(u64::MAX), u64::MAX);
        assert_eq!(Limit::Unlimited.bytes(5), u64::MAX);
        assert_eq!(Limit::Bytes(7).bytes(5), 7);
    }

    #[test]
    fn large_output_goes_to_a_mapped_temporary_file() {
        let sample = std::fs::read(SAMPLE).unwrap();
        let plain = crate::MarcFile::from_bytes(sample.clone());
        assert!(plain.len() > 1);
        // Over a MiB, in three gzip members, and in zstd frames.
        let copies = (2 << 20) / sample.len() + 1;
        let big = sample.repeat(copies);
        let third = big.len() / 3;
        let gz = [
            gzip(&big[..third]),
            gzip(&big[third..2 * third]),
            gzip(&big[2 * third..]),
        ]
        .concat();
        let zst = zstd::stream::encode_all(&big[..], 3).unwrap();
        let spilling = OpenOptions::new().decompress_in_memory(64 << 10);
        for (data, compression) in [(gz, Compression::Gzip), (zst, Compression::Zstd)] {
            let spilled = spilling.read_bytes(data.clone()).unwrap();
            assert!(spilled.is_mapped(), "{compression:?}");
            assert_eq!(spilled.compression(), Some(compression));
            let kept = OpenOptions::new().read_bytes(data).unwrap();
            assert!(!kept.is_mapped(), "{compression:?}");
            for file in [spilled, kept] {
                assert_eq!(file.len(), plain.len() * copies);
                for i in 0..file.len() {
                    assert_eq!(
                        file.raw(i),
                        plain.raw(i % plain.len()),
                        "{compression:?} {i}"
                    );
                }
            }
        }
        // The temporary files have no names.
        let prefix = format!(".marcmap-{}-", std::process::id());
        let left = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .count();
        assert_eq!(left, 0);
    }
}
