//! The bytes behind a [`crate::MarcFile`]: a read-only mapping, or bytes in memory.
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
use std::io::Read;
use std::path::Path;

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
    Owned(Box<dyn AsRef<[u8]> + Send + Sync>),
}

impl Storage {
    pub(crate) fn open(path: &Path, access: Access) -> std::io::Result<Storage> {
        Storage::from_file(File::open(path)?, access)
    }

    /// The bytes of an open file (from its start), mapped or read.
    pub(crate) fn from_file(mut file: File, access: Access) -> std::io::Result<Storage> {
        if access == Access::Map {
            let meta = file.metadata()?;
            if meta.is_file() && meta.len() > 0 {
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
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(Storage::Owned(Box::new(bytes)))
    }

    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Storage::Mapped(m) => m,
            Storage::Owned(b) => (**b).as_ref(),
        }
    }

    pub(crate) fn is_mapped(&self) -> bool {
        matches!(self, Storage::Mapped(_))
    }

    /// Advises the kernel; a no-op for bytes in memory and on platforms without `madvise`.
    pub(crate) fn advise(&self, pattern: AccessPattern) {
        #[cfg(unix)]
        if let Storage::Mapped(m) = self {
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
