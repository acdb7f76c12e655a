//! The bytes behind a [`crate::MarcFile`]: a read-only mapping, or bytes in memory,
//! and reads of a file's bytes at offsets ([`ReadAt`]), which cut and index byte ranges.
//!
//! # The mmap contract
//!
//! Mapping a file is `unsafe` in Rust for a reason: if another process truncates
//! or rewrites the file while it is mapped, reads see the changed bytes, or the
//! process dies with SIGBUS. marcmap follows ripgrep here. It maps by default,
//! installs no SIGBUS handler, and bounds-checks every length and offset taken
//! from the data, so changed bytes give errors rather than unsoundness in the
//! parser. **Do not modify a file while marcmap reads it.** Where that cannot be
//! promised, open with [`Access::Read`], which reads the file into memory.

use std::fs::File;
use std::io::{self, Read};

/// Random-access reads of a file's bytes: a local file, bytes in memory, or
/// (in the Python bindings) an fsspec file system.
pub trait ReadAt {
    /// Fills `buf` with the bytes from absolute `offset`, all of them, or fails.
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
}

impl ReadAt for [u8] {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| eof())?;
        let end = start.checked_add(buf.len()).ok_or_else(eof)?;
        buf.copy_from_slice(self.get(start..end).ok_or_else(eof)?);
        Ok(())
    }
}

impl ReadAt for std::fs::File {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(self, buf, offset)
        }
        #[cfg(windows)]
        {
            let (mut buf, mut offset) = (buf, offset);
            while !buf.is_empty() {
                match std::os::windows::fs::FileExt::seek_read(self, buf, offset) {
                    Ok(0) => return Err(eof()),
                    Ok(n) => {
                        buf = &mut buf[n..];
                        offset += n as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        }
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        (**self).read_exact_at(buf, offset)
    }
}

fn eof() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "read past the end of the data",
    )
}

/// The bytes of a range of a file, from its start, that an index of the range
/// asks for as it goes: a mapping it can widen, or bytes read into memory.
pub(crate) trait RangeBytes {
    /// The bytes held so far.
    fn bytes(&self) -> &[u8];
    /// Holds at least the first `len` bytes (never asked past the end of the file).
    fn extend_to(&mut self, len: u64) -> io::Result<()>;
}

/// A range's bytes read into memory from any [`ReadAt`].
pub(crate) struct ReadBytes<'s, S: ReadAt + ?Sized> {
    source: &'s S,
    start: u64,
    bytes: Vec<u8>,
}

impl<'s, S: ReadAt + ?Sized> ReadBytes<'s, S> {
    pub(crate) fn new(source: &'s S, start: u64) -> Self {
        ReadBytes {
            source,
            start,
            bytes: Vec::new(),
        }
    }

    /// The first `len` bytes read, the rest dropped.
    pub(crate) fn into_vec(mut self, len: usize) -> Vec<u8> {
        self.bytes.truncate(len);
        self.bytes.shrink_to_fit();
        self.bytes
    }
}

impl<S: ReadAt + ?Sized> RangeBytes for ReadBytes<'_, S> {
    fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn extend_to(&mut self, len: u64) -> io::Result<()> {
        let old = self.bytes.len();
        let len = usize::try_from(len).map_err(|_| io::Error::other("range too large"))?;
        if len > old {
            self.bytes.resize(len, 0);
            let at = self.start + old as u64;
            self.source.read_exact_at(&mut self.bytes[old..], at)?;
        }
        Ok(())
    }
}

/// How to get at a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Access {
    /// Map the file read-only, falling back to reading it when mapping fails
    /// (pipes, special files, empty files).
    #[default]
    Map,
    /// Read the whole file into memory.
    Read,
}

/// What the pages will be used for; passed to the kernel as `madvise` where it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessPattern {
    /// Front to back: read ahead aggressively.
    Sequential,
    /// Lookups at random: don't read ahead.
    Random,
    /// The default kernel behaviour.
    Normal,
}

/// Owned bytes, shared behind an `Arc` by a file and all its views.
pub(crate) enum Storage {
    Mapped(memmap2::Mmap),
    /// The first `len` bytes of a mapping: a byte range's own bytes, in the
    /// mapping its scan read (which may reach a little further).
    MappedPart(memmap2::Mmap, usize),
    Owned(Box<dyn AsRef<[u8]> + Send + Sync>),
}

/// A file read at offsets with no readahead for as long as this lives: each
/// read fetches what it asks for and no more (partition windows, fingerprints).
/// Readahead is put back to normal afterwards. For [`crate::partition::partitions`]
/// of a local file, whose windows are small reads far apart:
///
/// ```no_run
/// # fn main() -> std::io::Result<()> {
/// use marcmap::partition::{partitions, RandomReads};
/// let file = std::fs::File::open("catalogue.mrc")?;
/// let size = file.metadata()?.len();
/// let ranges = partitions(&RandomReads::new(&file), size, 8)?;
/// # Ok(()) }
/// ```
pub struct RandomReads<'f>(&'f File);

impl<'f> RandomReads<'f> {
    /// Reads `file` at offsets, with readahead off until this is dropped.
    pub fn new(file: &'f File) -> Self {
        fadvise(file, Advice::Random);
        RandomReads(file)
    }
}

impl Drop for RandomReads<'_> {
    fn drop(&mut self) {
        fadvise(self.0, Advice::Normal);
    }
}

impl ReadAt for RandomReads<'_> {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.0.read_exact_at(buf, offset)
    }
}

enum Advice {
    Random,
    Normal,
}

/// `posix_fadvise` for the whole file: a hint, whose failure changes speed only.
fn fadvise(file: &File, advice: Advice) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let advice = match advice {
            Advice::Random => libc::POSIX_FADV_RANDOM,
            Advice::Normal => libc::POSIX_FADV_NORMAL,
        };
        // SAFETY: an FFI call on a descriptor that `file` owns and keeps open for
        // the call; it passes no memory, and the kernel only records the hint.
        let _ = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, advice) };
    }
    #[cfg(not(unix))]
    let _ = (file, advice);
}

impl Storage {
    /// The bytes of an open file (from its start), mapped or read.
    pub(crate) fn from_file(file: File, access: Access) -> io::Result<Storage> {
        let meta = file.metadata()?;
        Storage::from_file_with(file, &meta, access)
    }

    pub(crate) fn from_file_with(
        mut file: File,
        meta: &std::fs::Metadata,
        access: Access,
    ) -> io::Result<Storage> {
        if access == Access::Map && meta.is_file() && meta.len() > 0 {
            // SAFETY: the mapping is read-only (PROT_READ) and shared with the
            // file: if another process writes the file while it is mapped, the
            // bytes change underneath, which Rust formally treats as undefined
            // behaviour for a `&[u8]`. That is the contract documented above
            // (don't modify a file while it is read), as for every mmap-based
            // reader; within it the bytes never change. Outside it, every offset
            // taken from the data is still bounds-checked, so changed bytes give
            // errors rather than out-of-bounds reads, and a truncation may raise
            // SIGBUS. `Access::Read` avoids all of it.
            if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(Storage::Mapped(map));
            }
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(Storage::Owned(Box::new(bytes)))
    }

    /// The first `len` bytes of a temporary file that holds decompressed data
    /// (see `crate::decompress`), mapped: its pages are the page cache's, not
    /// the process's memory. Always mapped, whatever the [`Access`]: reading it
    /// back into memory would undo what writing it out was for.
    pub(crate) fn from_temp_file(file: &File, len: usize) -> io::Result<Storage> {
        Ok(Storage::Mapped(Storage::map_range(file, 0, len)?))
    }

    /// A mapping of `len` bytes of `file` from `offset` (any offset: memmap2
    /// aligns the mapping to a page and hides the difference).
    fn map_range(file: &File, offset: u64, len: usize) -> io::Result<memmap2::Mmap> {
        // SAFETY: as in `open`: a read-only mapping under the documented contract
        // that the file is not modified while it is read; every offset taken from
        // the data is bounds-checked against the mapping's length. A temporary
        // file of decompressed data (`from_temp_file`) is written in full before
        // it is mapped, and has no name once created (on Unix) or is deleted when
        // closed (on Windows): nothing else writes it.
        unsafe {
            memmap2::MmapOptions::new()
                .offset(offset)
                .len(len)
                .map(file)
        }
    }

    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Storage::Mapped(m) => m,
            Storage::MappedPart(m, len) => &m[..*len],
            Storage::Owned(b) => (**b).as_ref(),
        }
    }

    pub(crate) fn is_mapped(&self) -> bool {
        matches!(self, Storage::Mapped(_) | Storage::MappedPart(..))
    }

    /// Drops the page-table entries of a large mapping on `threads` threads, so
    /// that unmapping it finds none left: unmapping a fully touched mapping
    /// tears its entries down one page at a time on the thread that drops it
    /// (about 14 ms of kernel time for the 241 MB LoC file), while
    /// `MADV_DONTNEED` on pieces of it runs on several threads at once (it
    /// takes the address space's lock for reading). The mapping stays valid: it
    /// is shared and read-only, so a page touched again is read back from the
    /// page cache. A no-op for bytes in memory, small mappings, one thread, and
    /// off Linux.
    pub(crate) fn release(&self, threads: usize) {
        #[cfg(target_os = "linux")]
        if let Storage::Mapped(m) | Storage::MappedPart(m, _) = self {
            /// The least a thread's piece is worth.
            const PIECE_MIN: usize = 32 << 20;
            let threads = threads
                .min(m.len() / PIECE_MIN)
                .min(crate::parallel::MAX_THREADS);
            if threads < 2 {
                return;
            }
            let piece = m.len().div_ceil(threads).next_multiple_of(4096);
            let drop_pages = |k: usize| {
                let offset = k * piece;
                let len = piece.min(m.len().saturating_sub(offset));
                if len > 0 {
                    // SAFETY: `m` is a shared, read-only mapping of a file
                    // (`MmapOptions::map`): MADV_DONTNEED only drops its page-table
                    // entries, and a later read faults the same bytes back in from
                    // the page cache. (Only a private or anonymous mapping would
                    // lose data.) The range is inside the mapping.
                    // Advice is a hint: failure changes speed, never results.
                    let _ = unsafe {
                        m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, len)
                    };
                }
            };
            // Called from a destructor: a thread that cannot be started (at
            // exit, say) leaves its pieces to the others, never a panic.
            let pieces = crate::parallel::Tasks::new(threads);
            crate::parallel::on_threads(threads, || {
                while let Some(k) = pieces.next_task() {
                    drop_pages(k);
                }
            });
        }
        #[cfg(not(target_os = "linux"))]
        let _ = threads;
    }

    /// Advises the kernel; a no-op for bytes in memory and on platforms without `madvise`.
    pub(crate) fn advise(&self, pattern: AccessPattern) {
        #[cfg(unix)]
        if let Storage::Mapped(m) | Storage::MappedPart(m, _) = self {
            let advice = match pattern {
                AccessPattern::Sequential => memmap2::Advice::Sequential,
                AccessPattern::Random => memmap2::Advice::Random,
                AccessPattern::Normal => memmap2::Advice::Normal,
            };
            // Advice is a hint: failure changes speed, never results.
            let _ = m.advise(advice);
        }
        #[cfg(not(unix))]
        let _ = pattern;
    }
}

/// A byte range of a file mapped from `start`, widened (mapped again) as an index
/// of the range asks for more. Where mapping fails, the bytes are read instead.
pub(crate) struct MappedRange<'f> {
    file: &'f File,
    start: u64,
    bytes: RangeHeld,
}

enum RangeHeld {
    Nothing,
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl<'f> MappedRange<'f> {
    pub(crate) fn new(file: &'f File, start: u64) -> Self {
        MappedRange {
            file,
            start,
            bytes: RangeHeld::Nothing,
        }
    }

    /// The first `len` bytes of the range, as storage: the mapping the scan read
    /// (its pages are already faulted in), limited to `len`.
    pub(crate) fn into_storage(self, len: usize) -> io::Result<Storage> {
        Ok(match self.bytes {
            RangeHeld::Mapped(m) if m.len() == len => Storage::Mapped(m),
            RangeHeld::Mapped(m) if len > 0 && len < m.len() => Storage::MappedPart(m, len),
            RangeHeld::Mapped(_) if len > 0 => {
                Storage::Mapped(Storage::map_range(self.file, self.start, len)?)
            }
            RangeHeld::Read(mut v) => {
                v.truncate(len);
                v.shrink_to_fit();
                Storage::Owned(Box::new(v))
            }
            _ => Storage::Owned(Box::new(Vec::<u8>::new())),
        })
    }
}

impl RangeBytes for MappedRange<'_> {
    fn bytes(&self) -> &[u8] {
        match &self.bytes {
            RangeHeld::Nothing => &[],
            RangeHeld::Mapped(m) => m,
            RangeHeld::Read(v) => v,
        }
    }

    fn extend_to(&mut self, len: u64) -> io::Result<()> {
        if len <= self.bytes().len() as u64 {
            return Ok(());
        }
        let len = usize::try_from(len).map_err(|_| io::Error::other("range too large to map"))?;
        self.bytes = match Storage::map_range(self.file, self.start, len) {
            Ok(map) => {
                #[cfg(unix)]
                let _ = map.advise(memmap2::Advice::Sequential);
                RangeHeld::Mapped(map)
            }
            Err(_) => {
                let mut v = vec![0; len];
                self.file.read_exact_at(&mut v, self.start)?;
                RangeHeld::Read(v)
            }
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Releasing a mapping's pages (on several threads) leaves it readable,
    /// byte for byte: a shared file mapping reads them back from the page cache.
    #[test]
    fn a_released_mapping_still_reads_the_file() {
        let path = std::env::temp_dir().join(format!("marcmap-release-{}", std::process::id()));
        let bytes: Vec<u8> = (0..80u32 << 20).map(|i| (i % 251) as u8).collect();
        File::create(&path).unwrap().write_all(&bytes).unwrap();
        let file = File::open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let meta = file.metadata().unwrap();
        let storage = Storage::from_file_with(file, &meta, Access::Map).unwrap();
        assert!(storage.is_mapped());
        assert!(storage.bytes() == bytes.as_slice());
        storage.release(2);
        assert!(storage.bytes() == bytes.as_slice());
        storage.release(64);
        assert!(storage.bytes() == bytes.as_slice());
    }
}
