//! Replays every committed fuzz input on stable, through the same checks the
//! fuzz targets run (`tests/fuzz_checks`):
//!
//! - `tests/fuzz_regressions/<target>/*`: inputs that once crashed a target;
//!   `tests/fuzz_regressions/README.md` says what each one found;
//! - `fuzz/seeds/<target>/*`: the seed corpus.
//!
//! A panic in any check fails the test, naming every input that failed.
//!
//! The `differential` inputs need the `arbitrary` feature; without it they are
//! skipped (with a note): `cargo test --features arbitrary --test fuzz_replay`
//! replays them, and `scripts/test.sh` runs both.

#[path = "fuzz_checks/mod.rs"]
mod fuzz_checks;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
}

/// Runs every input under `root/<target>/` through its target's check.
fn replay(root: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let mut failed = Vec::new();
    let mut count = 0;
    for target in fuzz_checks::TARGETS {
        if *target == "differential" && !fuzz_checks::DIFFERENTIAL {
            // Its inputs decode through `marcmap::arbitrary`, behind the
            // `arbitrary` feature: `cargo test --features arbitrary --test fuzz_replay`.
            eprintln!(
                "skipping {}/differential: needs --features arbitrary",
                root.display()
            );
            continue;
        }
        if *target == "arrow" && !fuzz_checks::ARROW {
            eprintln!("skipping {}/arrow: needs --features arrow", root.display());
            continue;
        }
        for path in inputs(&root.join(target)) {
            let data = std::fs::read(&path).unwrap();
            count += 1;
            if catch_unwind(AssertUnwindSafe(|| fuzz_checks::check(target, &data))).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "inputs that fail their check:\n{}",
        failed.join("\n")
    );
    count
}

#[test]
fn fuzz_regressions_replay() {
    replay("tests/fuzz_regressions");
}

#[test]
fn fuzz_seeds_replay() {
    let n = replay("fuzz/seeds");
    // The seeds are committed with the fuzz crate; an empty run means they went missing.
    if Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .exists()
    {
        assert!(n > 0, "no seeds found under fuzz/seeds");
    }
}

/// A failing differential check prints a ready-to-paste reproduction.
#[test]
#[cfg(feature = "arbitrary")]
#[should_panic(expected = "fn differential_reproduction()")]
fn differential_failure_prints_a_reproduction() {
    let record: &[u8] = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";
    // The wrong data for the field.
    let fields: &[(&[u8], &[u8])] = &[(&b"001"[..], &b"124"[..])];
    fuzz_checks::check_differential_case(record, fields, record);
}
