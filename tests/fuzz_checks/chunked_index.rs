//! Target `chunked_index`: Phase 1 on several threads
//! (`RecordIndex::build_in_chunks`) gives exactly the serial scan's index.

// The corpus tests (`tests/core.rs`) include this file alone and use only the
// `_with` form.
#![allow(dead_code)]

use marcmap::{Framing, RecordIndex};

/// Chunk sizes for `data`: tiny ones (so that short inputs are cut at nearly
/// every 0x1D, inside leaders and inside damage) and a few fractions of it.
pub fn chunk_sizes(data: &[u8]) -> Vec<usize> {
    let n = data.len();
    let mut sizes = vec![1, 2, 7, 61];
    sizes.extend([n / 3, n / 2].into_iter().filter(|&s| s > 0));
    sizes
}

/// `build_in_chunks` on 2 and 3 threads, with every size of [`chunk_sizes`],
/// equals `build`, in strict and lenient framing: the same record starts,
/// skipped ranges (and reasons), recovered records, where strict framing
/// stopped, and its framing error.
pub fn check_chunked_index(data: &[u8]) {
    check_chunked_index_with(data, &chunk_sizes(data));
}

/// [`check_chunked_index`] with the chunk sizes given.
pub fn check_chunked_index_with(data: &[u8], sizes: &[usize]) {
    for framing in [Framing::Strict, Framing::Lenient] {
        let serial = RecordIndex::build(data, framing);
        let error = serial.framing_error(data).map(|e| e.to_string());
        for &chunk in sizes {
            for threads in [2, 3] {
                let chunked = RecordIndex::build_in_chunks(data, framing, threads, chunk);
                assert_eq!(
                    chunked, serial,
                    "{framing:?} framing, chunks of {chunk} bytes on {threads} threads"
                );
                assert_eq!(chunked.framing_error(data).map(|e| e.to_string()), error);
            }
        }
    }
}
