//! The sidecar loader on any bytes: the `sidecar` fuzz target's check, also run
//! by the property tests (`tests/core/sidecar.rs`), which include this file alone.
//!
//! Two things are checked:
//! - `Sidecar::decode` never panics, and what it accepts encodes back to itself;
//! - a sidecar that passes every check but lies (its sections forged from the
//!   input, its header and checksum made right for a real data file) gives
//!   errors at worst, never a panic, when a file is opened with it and every
//!   record, range and lookup is read.

use marcmap::sidecar::{self, checksum, DataIdentity, Sidecar};
use marcmap::{MarcFile, OpenOptions, SidecarMode, SidecarStatus};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

/// A new directory for one check's data file and sidecar, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("marcmap-fuzz-sidecar-{}-{n}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A sidecar for `data` (modified at `modified_ns`) whose sections are `words`,
/// split as the first byte of `layout` says, with a right header and checksum.
fn forged(data: &[u8], modified_ns: i64, layout: u8, words: &[u64]) -> Vec<u8> {
    let identity = DataIdentity::of_bytes(
        data,
        Some(UNIX_EPOCH + Duration::from_nanos(modified_ns as u64)),
    );
    // Split the words into starts, skipped (3 words each), recovered (4 each), keys.
    let w = words.len();
    let skipped = (layout as usize % 4).min(w / 3);
    let recovered = ((layout as usize / 4) % 4).min((w - 3 * skipped) / 4);
    let rest = w - 3 * skipped - 4 * recovered;
    let keys = if layout & 0x40 != 0 { rest / 2 } else { 0 };
    let n = rest - keys;
    let mut out = Vec::new();
    out.extend(*b"\x89MMI\r\n\x1a\n");
    out.extend(sidecar::VERSION.to_le_bytes());
    out.extend(sidecar::FRAMING_RULES.to_le_bytes());
    out.extend(112u32.to_le_bytes());
    let flags: u32 = if keys > 0 || layout & 0x80 != 0 { 2 } else { 0 };
    out.extend(flags.to_le_bytes());
    for v in [
        identity.size,
        identity.modified_ns as u64,
        identity.fingerprint,
    ] {
        out.extend(v.to_le_bytes());
    }
    for v in [n, skipped, recovered, keys] {
        out.extend((v as u64).to_le_bytes());
    }
    out.extend(u64::MAX.to_le_bytes());
    out.extend([0u8; 24]);
    // Offsets as the input gives them, within the data (the checks would refuse
    // others, which the first check covers).
    let size = (data.len() as u64).max(1);
    let mut words: Vec<u64> = words.to_vec();
    for (i, v) in words.iter_mut().enumerate() {
        if i < n + 3 * skipped + 4 * recovered {
            *v %= size + 2;
        }
    }
    let (starts, rest) = words.split_at_mut(n);
    starts.sort_unstable();
    let (_, keys_part) = rest.split_at_mut(3 * skipped + 4 * recovered);
    keys_part.sort_unstable();
    for v in &words {
        out.extend(v.to_le_bytes());
    }
    let sum = checksum(&out);
    out.extend(sum.to_le_bytes());
    out
}

/// See the module: decoding any bytes, and opening a file with a forged sidecar.
/// Says whether the forged sidecar was used (rather than refused).
pub fn check_sidecar(input: &[u8]) -> bool {
    // 1. Any bytes.
    if let Ok(sc) = Sidecar::decode(input) {
        let again = Sidecar::decode(&sc.encode()).expect("an accepted sidecar re-encodes");
        assert_eq!(again.index, sc.index);
        assert_eq!(again.identity, sc.identity);
        assert_eq!(again.framing, sc.framing);
        assert_eq!(
            again.control_numbers.as_ref().map(|c| c.len()),
            sc.control_numbers.as_ref().map(|c| c.len())
        );
    }

    // 2. A forged sidecar for a real data file: the input's first bytes say how
    // much of it is MARC data, the rest are the sidecar's words.
    let [layout, eighths, rest @ ..] = input else {
        return false;
    };
    let (layout, split) = (*layout, (*eighths as usize * 8).min(rest.len()));
    let (data, words) = rest.split_at(split);
    let words: Vec<u64> = words
        .chunks(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .take(64)
        .collect();
    let scratch = Scratch::new();
    let path = scratch.0.join("data.mrc");
    std::fs::write(&path, data).expect("write the data file");
    let modified = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let f = std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("reopen");
    f.set_modified(modified).expect("set the modification time");
    drop(f);
    let bytes = forged(data, 1_000_000_000 * 1_000_000_000, layout, &words);
    std::fs::write(sidecar::path_for(&path), &bytes).expect("write the sidecar");
    let used = match OpenOptions::new().sidecar(SidecarMode::Auto).open(&path) {
        Ok(file) if matches!(file.sidecar_status(), SidecarStatus::Used) => {
            exercise(&file);
            true
        }
        _ => false,
    };
    used
}

/// Reads everything a file offers; errors are fine, panics are not.
fn exercise(file: &MarcFile) {
    for i in 0..file.len() {
        let _ = file.raw(i);
        if let Ok(record) = file.record(i) {
            for field in record.fields() {
                let _ = field.subfields().count();
            }
            if let Some(cn) = record.control_number() {
                let _ = file.find_control_number(cn);
            }
        }
    }
    let _ = file.iter().count();
    let _ = file.find_control_number(b"x");
    let _ = file.framing_error();
    let _ = file.skipped().len() + file.recovered().len();
}
