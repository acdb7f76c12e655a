//! Phase 1 on several threads (`RecordIndex::build_in_chunks`, which opening
//! uses) against the serial scan (`RecordIndex::build`), on every file of
//! `tests/data` and of the corpus, damaged ones included, each cut into chunks
//! small enough that it is split many times: the same record starts, skipped
//! ranges, recovered records and strict framing error. The check is
//! `fuzz_checks::check_chunked_index_with`, which the `chunked_index` fuzz
//! target runs too.

use crate::fuzz_chunked_index::check_chunked_index_with;
use marcmap::{Framing, OpenOptions, RecordIndex};
use std::path::{Path, PathBuf};

/// Chunk sizes: one a 0x1D (a walk from nearly every record), a few records,
/// and a few hundred records.
const SIZES: [usize; 3] = [1, 3_000, 300_000];

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    crate::corpus_dir::walk(dir, &mut files);
    files
}

fn check_files(files: &[PathBuf]) {
    for path in files {
        let data = std::fs::read(path).unwrap();
        let sizes: Vec<usize> = SIZES.into_iter().chain([data.len() / 3]).collect();
        let checked = std::panic::catch_unwind(|| check_chunked_index_with(&data, &sizes));
        assert!(checked.is_ok(), "{}", path.display());
    }
}

#[test]
fn fixtures_index_in_chunks_as_serially() {
    let files = files_under(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"));
    assert!(files.len() > 50, "only {} files in tests/data", files.len());
    check_files(&files);
}

#[test]
fn corpus_indexes_in_chunks_as_serially() {
    let Some(dir) = crate::corpus_dir::corpus_dir("chunked index") else {
        return;
    };
    let files = files_under(&dir);
    assert!(files.len() > 100, "only {} corpus files", files.len());
    check_files(&files);
}

/// Opening uses the threads it is given: a file of a few megabytes (so that
/// `build_parallel` cuts it) with damage in several places opens on 1, 2 and 3
/// threads to the serial index.
#[test]
fn opening_on_threads_indexes_as_serially() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let sample = std::fs::read(root.join("sample.mrc")).unwrap();
    let damaged = std::fs::read(root.join("malformed/mrrc-testbed_garbage.mrc")).unwrap();
    let mut data = Vec::new();
    while data.len() < 5 << 20 {
        data.extend(&sample);
        data.extend(b"\r\n");
        data.extend(&damaged);
    }
    for framing in [Framing::Strict, Framing::Lenient] {
        let serial = RecordIndex::build(&data, framing);
        assert!(serial.len() > 1000 || framing == Framing::Strict);
        for threads in [1, 2, 3] {
            let file = OpenOptions::new()
                .framing(framing)
                .threads(threads)
                .open_bytes(data.clone());
            assert_eq!(
                file.record_index(),
                &serial,
                "{framing:?}, {threads} threads"
            );
        }
    }
}
