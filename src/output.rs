//! Writing an output file safely: never onto the file being read, and never
//! half a file.
//!
//! A mapped input that is truncated while it is read kills the reader with
//! SIGBUS (see the crate's mmap contract), and `convert f.mrc f.mrc` would do
//! exactly that: opening the output for writing truncates the input. So every
//! output path is checked against the input's identity (device and inode, which
//! see through links and other spellings of the path) before it is opened, and
//! the bytes go to a temporary file in the target's directory that is renamed
//! over the target only when everything was written. A failed or interrupted
//! run leaves the target as it was.

use crate::error::{Error, ErrorKind, Position, Result};
use crate::sniff::Compression;
use std::fs::{File, Metadata};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A file's identity on its file system: the same for every path (hard link,
/// symbolic link, relative spelling) that reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    /// The identity of the file `meta` describes; `None` where the platform
    /// gives none.
    pub fn of(meta: &Metadata) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId {
                device: meta.dev(),
                inode: meta.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }

    /// The identity of the file at `path` (following links), if it exists.
    pub fn of_path(path: &Path) -> Option<FileId> {
        std::fs::metadata(path).ok().as_ref().and_then(FileId::of)
    }
}

/// Refuses `target` when it is the file `input` identifies: writing there would
/// destroy the data being read.
pub fn check_not_input(target: &Path, input: Option<FileId>) -> Result<()> {
    match input {
        Some(id) if FileId::of_path(target) == Some(id) => Err(Error::new(
            ErrorKind::OutputIsInput {
                path: target.to_path_buf(),
            },
            Position::default(),
        )),
        _ => Ok(()),
    }
}

/// An output file that appears at its path only when [`OutputFile::commit`]
/// succeeds. Until then the bytes go to a temporary file beside the target,
/// which is removed if the output is dropped without a commit.
///
/// A target that exists and is not a regular file (`/dev/null`, a FIFO, a
/// terminal) is written in place: there is nothing to keep whole, and renaming
/// over it would replace the device.
#[derive(Debug)]
pub struct OutputFile {
    file: File,
    /// The temporary file and the path it is renamed to; `None` when the target
    /// is written in place.
    rename: Option<(PathBuf, PathBuf)>,
}

impl OutputFile {
    /// Creates the output for `target`, after checking that it is not the file
    /// `input` identifies ([`check_not_input`]).
    pub fn create(target: &Path, input: Option<FileId>) -> Result<OutputFile> {
        check_not_input(target, input)?;
        OutputFile::open(target).map_err(|source| {
            Error::new(
                ErrorKind::Create {
                    path: target.to_path_buf(),
                    source,
                },
                Position::default(),
            )
        })
    }

    /// [`OutputFile::create`] without the check against an input: for outputs
    /// that are not made from a file being read (a sidecar).
    pub fn open(target: &Path) -> io::Result<OutputFile> {
        let existing = std::fs::metadata(target).ok();
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            let file = File::create(target)?;
            return Ok(OutputFile { file, rename: None });
        }
        // Through a symbolic link, the file replaced is the one it points to.
        let real = match std::fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(target)?,
            _ => target.to_path_buf(),
        };
        let temporary = temporary_beside(&real);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        if let Some(meta) = &existing {
            // The replacement keeps the permissions of the file it replaces.
            let _ = file.set_permissions(meta.permissions());
        }
        Ok(OutputFile {
            file,
            rename: Some((temporary, real)),
        })
    }

    /// Flushes the file to the disk (for an output that must survive a crash
    /// whole, such as a sidecar), before [`OutputFile::commit`].
    pub fn sync_all(&mut self) -> io::Result<()> {
        self.file.flush()?;
        self.file.sync_all()
    }

    /// Flushes the file and renames it over the target.
    pub fn commit(mut self) -> io::Result<()> {
        self.file.flush()?;
        if let Some((temporary, target)) = self.rename.take() {
            if let Err(e) = std::fs::rename(&temporary, &target) {
                let _ = std::fs::remove_file(&temporary);
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Some((temporary, _)) = &self.rename {
            let _ = std::fs::remove_file(temporary);
        }
    }
}

/// The compression an output path's name asks for: `.gz` is gzip, `.zst` and
/// `.zstd` are Zstandard.
pub fn compression_for(path: &Path) -> Option<Compression> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "gz" | "gzip" => Some(Compression::Gzip),
        "zst" | "zstd" => Some(Compression::Zstd),
        _ => None,
    }
}

/// An [`OutputFile`] behind a buffer, and a compressor where the output is
/// compressed: what the writers write to. [`CompressedOutput::commit`] ends
/// the compressed stream and renames the file into place.
pub struct CompressedOutput {
    kind: Compressor,
}

enum Compressor {
    Plain(BufWriter<OutputFile>),
    Gzip(flate2::write::GzEncoder<BufWriter<OutputFile>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<OutputFile>>),
}

impl std::fmt::Debug for CompressedOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.kind {
            Compressor::Plain(_) => "plain",
            Compressor::Gzip(_) => "gzip",
            Compressor::Zstd(_) => "zstd",
        };
        f.debug_struct("CompressedOutput")
            .field("compression", &name)
            .finish()
    }
}

/// The buffer between the writers and the file (or the compressor).
const BUFFER: usize = 1 << 20;

impl CompressedOutput {
    /// `out`, compressed with `compression` (gzip at level 6, as `gzip` does;
    /// Zstandard at its default level 3), or plain.
    pub fn new(out: OutputFile, compression: Option<Compression>) -> io::Result<Self> {
        let buffered = BufWriter::with_capacity(BUFFER, out);
        let kind = match compression {
            None => Compressor::Plain(buffered),
            Some(Compression::Gzip) => Compressor::Gzip(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::default(),
            )),
            Some(Compression::Zstd) => {
                Compressor::Zstd(zstd::stream::write::Encoder::new(buffered, 0)?)
            }
        };
        Ok(CompressedOutput { kind })
    }

    /// Creates the output for `target` ([`OutputFile::create`]), compressed as
    /// its name says ([`compression_for`]).
    pub fn create(target: &Path, input: Option<FileId>) -> Result<Self> {
        let out = OutputFile::create(target, input)?;
        Ok(CompressedOutput::new(out, compression_for(target))?)
    }

    /// The compression written, if any.
    pub fn compression(&self) -> Option<Compression> {
        match self.kind {
            Compressor::Plain(_) => None,
            Compressor::Gzip(_) => Some(Compression::Gzip),
            Compressor::Zstd(_) => Some(Compression::Zstd),
        }
    }

    /// Ends the compressed stream, flushes, and renames the file into place.
    pub fn commit(self) -> io::Result<()> {
        let buffered = match self.kind {
            Compressor::Plain(b) => b,
            Compressor::Gzip(gz) => gz.finish()?,
            Compressor::Zstd(z) => z.finish()?,
        };
        buffered.into_inner().map_err(|e| e.into_error())?.commit()
    }
}

impl Write for CompressedOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.kind {
            Compressor::Plain(w) => w.write(buf),
            Compressor::Gzip(w) => w.write(buf),
            Compressor::Zstd(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.kind {
            Compressor::Plain(w) => w.write_all(buf),
            Compressor::Gzip(w) => w.write_all(buf),
            Compressor::Zstd(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.kind {
            Compressor::Plain(w) => w.flush(),
            Compressor::Gzip(w) => w.flush(),
            Compressor::Zstd(w) => w.flush(),
        }
    }
}

/// `.NAME.PID-N.tmp` in `target`'s directory: the same file system, so the
/// rename is atomic, and hidden, so a directory listing during a long write
/// does not show it as a result.
fn temporary_beside(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let temporary = format!(".{name}.{}-{n}.tmp", std::process::id());
    target.with_file_name(temporary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("marcmap-output-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn refuses_the_input_by_any_path() {
        let dir = scratch("same");
        let input = dir.join("in.mrc");
        std::fs::write(&input, b"data").unwrap();
        let id = FileId::of_path(&input);
        let linked = dir.join("hard.mrc");
        std::fs::hard_link(&input, &linked).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&input, dir.join("soft.mrc")).unwrap();
        for target in [
            input.clone(),
            linked,
            dir.join("soft.mrc"),
            dir.join(".").join("in.mrc"),
        ] {
            let e = OutputFile::create(&target, id).unwrap_err();
            assert!(matches!(e.kind(), ErrorKind::OutputIsInput { .. }), "{e}");
            assert!(e.to_string().contains("is the input"), "{e}");
        }
        assert_eq!(std::fs::read(&input).unwrap(), b"data");
        // Another file is written.
        let mut out = OutputFile::create(&dir.join("out.mrc"), id).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read(dir.join("out.mrc")).unwrap(), b"new");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_uncommitted_output_leaves_the_target_as_it_was() {
        let dir = scratch("atomic");
        let target = dir.join("out.mrc");
        std::fs::write(&target, b"old").unwrap();
        {
            let mut out = OutputFile::create(&target, None).unwrap();
            out.write_all(b"half").unwrap();
            assert_eq!(std::fs::read(&target).unwrap(), b"old");
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.mrc")]);
        let mut out = OutputFile::create(&target, None).unwrap();
        out.write_all(b"whole").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_and_a_link_keeps_its_target() {
        let mut out = OutputFile::create(Path::new("/dev/null"), None).unwrap();
        out.write_all(b"gone").unwrap();
        out.commit().unwrap();
        use std::os::unix::fs::FileTypeExt;
        let null = std::fs::metadata("/dev/null").unwrap();
        assert!(null.file_type().is_char_device());

        let dir = scratch("link");
        let real = dir.join("real.mrc");
        std::fs::write(&real, b"old").unwrap();
        let link = dir.join("link.mrc");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut out = OutputFile::create(&link, None).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_compressed_name_is_written_compressed() {
        let dir = scratch("compressed");
        for (name, kind) in [
            ("out.mrc.gz", Some(Compression::Gzip)),
            ("out.xml.zst", Some(Compression::Zstd)),
            ("out.mrc", None),
        ] {
            let target = dir.join(name);
            let mut out = CompressedOutput::create(&target, None).unwrap();
            assert_eq!(out.compression(), kind);
            out.write_all(b"records").unwrap();
            out.commit().unwrap();
            let bytes = std::fs::read(&target).unwrap();
            assert_eq!(crate::sniff::compression(&bytes), kind, "{name}");
            let plain = match kind {
                Some(kind) => crate::sniff::decompress(&bytes, kind).unwrap(),
                None => bytes,
            };
            assert_eq!(plain, b"records");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
