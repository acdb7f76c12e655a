//! Where the shared MARC corpus is, for every test binary that reads it.
//!
//! `$MARCMAP_CORPUS`, or `../shared/marc-corpus` beside the crate. Without it a
//! test that needs it says so in one line and is skipped, except under CI
//! (`CI=true`), which has the corpus and must run it: there a missing corpus is
//! a failure.

use std::path::{Path, PathBuf};

/// The corpus directory, or `None` (after one line on stderr) when it is absent.
pub fn corpus_dir(what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("MARCMAP_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/marc-corpus"));
    if dir.is_dir() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "CI=true but the MARC corpus is missing at {} (set MARCMAP_CORPUS)",
        dir.display()
    );
    eprintln!(
        "{what} skipped: no MARC corpus at {} (set MARCMAP_CORPUS to point at one)",
        dir.display()
    );
    None
}

/// Every file below `dir`, depth first, in path order (so a sweep's order, and
/// its failures, are the same on every machine).
// Not every test binary that finds the corpus walks it.
#[allow(dead_code)]
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
