//! The sidecar (`FILE.mmi`, `marcmap::sidecar`): written and read back for
//! every corpus file, with the control-number index; stale after any change to
//! the data file; corrupt when truncated or altered; never a panic on any bytes.

use marcmap::sidecar::{self, DataIdentity, Sidecar, SidecarProblem};
use marcmap::{ErrorKind, Framing, MarcFile, OpenOptions, SidecarMode, SidecarStatus};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// A directory of its own under the system's temporary directory, removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("marcmap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn record(cn: &str) -> Vec<u8> {
    let base = 24 + 12 + 1;
    let field_len = cn.len() + 1;
    let total = base + field_len + 1;
    let mut out = format!("{total:05}nam a22{base:05} a 4500").into_bytes();
    out.extend(format!("001{field_len:04}00000\x1e").bytes());
    out.extend(cn.as_bytes());
    out.extend(b"\x1e\x1d");
    out
}

/// A small file with damage: filler, junk, a recovered record.
fn damaged_file() -> Vec<u8> {
    let mut data = record("a1");
    data.extend(b"\r\n");
    data.extend(record("b2"));
    data.extend(b"junk\x1d");
    let mut wrong = record("c3");
    wrong[..5].copy_from_slice(b"00999");
    data.extend(wrong);
    data.extend(record("d4"));
    data.extend(record("b2"));
    data
}

fn open(path: &Path, mode: SidecarMode) -> marcmap::Result<MarcFile> {
    OpenOptions::new().sidecar(mode).open(path)
}

fn ignored(file: &MarcFile) -> &SidecarProblem {
    match file.sidecar_status() {
        SidecarStatus::Ignored(p) => p,
        other => panic!("expected an ignored sidecar, got {other:?}"),
    }
}

fn required_error(path: &Path) -> SidecarProblem {
    match open(path, SidecarMode::Require)
        .err()
        .map(marcmap::Error::into_kind)
    {
        Some(ErrorKind::Sidecar { problem, .. }) => problem,
        other => panic!("expected a sidecar error, got {other:?}"),
    }
}

#[test]
fn a_saved_index_reads_back_and_is_used() {
    let dir = TempDir::new("sidecar-roundtrip");
    let path = dir.path("data.mrc");
    std::fs::write(&path, damaged_file()).unwrap();

    assert!(matches!(
        open(&path, SidecarMode::Auto).unwrap().sidecar_status(),
        SidecarStatus::Missing
    ));
    assert!(matches!(required_error(&path), SidecarProblem::Missing));

    let scanned = open(&path, SidecarMode::Off).unwrap();
    assert!(!scanned.skipped().is_empty() && !scanned.recovered().is_empty());
    assert_eq!(scanned.find_control_number(b"b2"), vec![1, 4]);
    let written = scanned.save_index(None).unwrap();
    assert_eq!(written, sidecar::path_for(&path));
    assert_eq!(written.file_name().unwrap(), "data.mrc.mmi");
    // Mapped (read) and decoded from bytes, the same sidecar.
    let mapped = Sidecar::read(&written).unwrap();
    let decoded = Sidecar::decode(&std::fs::read(&written).unwrap()).unwrap();
    assert_eq!(mapped.index, decoded.index);
    assert_eq!(mapped.index, *scanned.record_index());
    assert_eq!(mapped.identity, decoded.identity);

    for mode in [SidecarMode::Auto, SidecarMode::Require] {
        let loaded = open(&path, mode).unwrap();
        assert!(matches!(loaded.sidecar_status(), SidecarStatus::Used));
        assert_eq!(loaded.record_index(), scanned.record_index());
        assert_eq!(loaded.find_control_number(b" b2 "), vec![1, 4]);
        assert_eq!(loaded.find_control_number(b"zz"), Vec::<usize>::new());
        for i in 0..loaded.len() {
            assert_eq!(loaded.raw(i), scanned.raw(i));
        }
    }
    // Strict framing is another index: the lenient sidecar is stale for it.
    let strict = OpenOptions::new()
        .framing(Framing::Strict)
        .sidecar(SidecarMode::Auto)
        .open(&path)
        .unwrap();
    assert!(matches!(ignored(&strict), SidecarProblem::Stale(w) if w.contains("framing")));
    assert_eq!(strict.len(), 1);

    // `Rebuild` writes one for strict framing, which strict then uses.
    let rebuilt = OpenOptions::new()
        .framing(Framing::Strict)
        .sidecar(SidecarMode::Rebuild)
        .open(&path)
        .unwrap();
    assert!(matches!(rebuilt.sidecar_status(), SidecarStatus::Written));
    let strict = OpenOptions::new()
        .framing(Framing::Strict)
        .sidecar(SidecarMode::Require)
        .open(&path)
        .unwrap();
    assert_eq!(strict.record_index(), rebuilt.record_index());
    assert_eq!(
        strict.framing_error().map(|e| e.to_string()),
        rebuilt.framing_error().map(|e| e.to_string())
    );
}

#[test]
fn the_control_number_index_is_kept_only_when_built() {
    let dir = TempDir::new("sidecar-cn");
    let path = dir.path("data.mrc");
    std::fs::write(&path, damaged_file()).unwrap();
    let file = open(&path, SidecarMode::Off).unwrap();
    file.save_index(None).unwrap();
    let without = Sidecar::read(&sidecar::path_for(&path)).unwrap();
    assert!(without.control_numbers.is_none());
    file.control_number_index_with(1);
    file.save_index(None).unwrap();
    let with = Sidecar::read(&sidecar::path_for(&path)).unwrap();
    assert_eq!(with.control_numbers.map(|c| c.len()), Some(5));
    // 8 bytes a record, and 8 more a record with a 001.
    let size = std::fs::metadata(sidecar::path_for(&path)).unwrap().len();
    let counts = 5 * 8 + 5 * 8 + 2 * 24 + 32;
    assert_eq!(size, 112 + counts + 8);
}

#[test]
fn a_changed_data_file_makes_the_sidecar_stale() {
    let dir = TempDir::new("sidecar-stale");
    let path = dir.path("data.mrc");
    let data = damaged_file();
    std::fs::write(&path, &data).unwrap();
    let when = std::fs::metadata(&path).unwrap().modified().unwrap();
    open(&path, SidecarMode::Off)
        .unwrap()
        .save_index(None)
        .unwrap();

    // Another size.
    std::fs::write(&path, [&data[..], &record("e5")[..]].concat()).unwrap();
    let file = open(&path, SidecarMode::Auto).unwrap();
    assert!(matches!(ignored(&file), SidecarProblem::Stale(w) if w.contains("bytes")));
    assert_eq!(
        file.len(),
        6,
        "indexed from the data, not the stale sidecar"
    );
    assert!(matches!(required_error(&path), SidecarProblem::Stale(_)));

    // The same size and modification time, other contents: the fingerprint.
    let mut same_size = data.clone();
    same_size[30] ^= 1;
    std::fs::write(&path, &same_size).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let file = open(&path, SidecarMode::Auto).unwrap();
    assert!(matches!(ignored(&file), SidecarProblem::Stale(w) if w.contains("contents")));

    // The same contents, touched.
    std::fs::write(&path, &data).unwrap();
    let later = when + std::time::Duration::from_secs(5);
    let f = std::fs::File::options().write(true).open(&path).unwrap();
    f.set_modified(later).unwrap();
    let file = open(&path, SidecarMode::Auto).unwrap();
    assert!(matches!(ignored(&file), SidecarProblem::Stale(w) if w.contains("modification")));
    // And back as it was: valid again.
    f.set_modified(when).unwrap();
    let file = open(&path, SidecarMode::Require).unwrap();
    assert!(matches!(file.sidecar_status(), SidecarStatus::Used));
}

#[test]
fn a_file_changed_after_opening_is_not_saved() {
    let dir = TempDir::new("sidecar-changed");
    let path = dir.path("data.mrc");
    std::fs::write(&path, damaged_file()).unwrap();
    let file = OpenOptions::new()
        .access(marcmap::Access::Read)
        .open(&path)
        .unwrap();
    std::fs::write(&path, record("x")).unwrap();
    let err = file.save_index(None).unwrap_err();
    assert!(
        err.to_string().contains("changed after it was opened"),
        "{err}"
    );
    assert!(!sidecar::path_for(&path).exists());
}

#[test]
fn bytes_and_ranges_have_no_sidecar() {
    let data = damaged_file();
    let err = MarcFile::from_bytes(data.clone())
        .save_index(None)
        .unwrap_err();
    assert!(err.to_string().contains("bytes in memory"), "{err}");
    let part = OpenOptions::new()
        .open_range_with(&data[..], data.len() as u64, 10..100)
        .unwrap();
    assert!(part.save_index(None).is_err());
}

#[test]
fn a_truncated_or_altered_sidecar_is_corrupt() {
    let dir = TempDir::new("sidecar-corrupt");
    let path = dir.path("data.mrc");
    std::fs::write(&path, damaged_file()).unwrap();
    let scanned = open(&path, SidecarMode::Off).unwrap();
    scanned.control_number_index_with(1);
    let sc_path = scanned.save_index(None).unwrap();
    let good = std::fs::read(&sc_path).unwrap();

    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for cut in [
        0,
        7,
        8,
        20,
        111,
        112,
        113,
        good.len() / 2,
        good.len() - 8,
        good.len() - 1,
    ] {
        cases.push((format!("truncated at {cut}"), good[..cut].to_vec()));
    }
    for at in [9, 20, 30, 50, 112, 130, good.len() - 20, good.len() - 3] {
        let mut bad = good.clone();
        bad[at] ^= 0x10;
        cases.push((format!("byte {at} altered"), bad));
    }
    cases.push(("extended".into(), [&good[..], b"x"].concat()));
    for (what, bytes) in cases {
        std::fs::write(&sc_path, &bytes).unwrap();
        let file = open(&path, SidecarMode::Auto).unwrap();
        let problem = ignored(&file);
        // The version field altered reads as another format version: stale.
        assert!(
            matches!(problem, SidecarProblem::Corrupt(_))
                || (what == "byte 9 altered" && matches!(problem, SidecarProblem::Stale(_))),
            "{what}: {problem:?}"
        );
        assert_eq!(
            file.record_index(),
            scanned.record_index(),
            "{what}: rebuilt"
        );
        assert!(!matches!(required_error(&path), SidecarProblem::Missing));
    }
}

#[test]
fn the_fingerprint_is_the_same_from_the_file_and_from_its_bytes() {
    let dir = TempDir::new("sidecar-fingerprint");
    for size in [0usize, 10, 64 * 1024, 128 * 1024, 128 * 1024 + 1, 300_000] {
        let path = dir.path(&format!("f{size}"));
        let bytes: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let modified = file.metadata().unwrap().modified().ok();
        assert_eq!(
            DataIdentity::of_file(&file).unwrap(),
            DataIdentity::of_bytes(&bytes, modified),
            "{size}"
        );
    }
}

#[test]
fn every_corpus_file_round_trips_through_its_sidecar() {
    let Some(dir) = crate::corpus_dir::corpus_dir("corpus sidecars") else {
        return;
    };
    let tmp = TempDir::new("sidecar-corpus");
    let mut files = 0;
    for (n, src) in crate::corpus::iso2709_files(&dir).iter().enumerate() {
        let path = tmp.path(&format!("{n}.mrc"));
        std::fs::copy(src, &path).unwrap();
        for framing in [Framing::Lenient, Framing::Strict] {
            // Every file as ISO 2709, as the sweep reads it (no sniffing).
            let options = OpenOptions::new()
                .framing(framing)
                .format(Some(marcmap::Format::Iso2709));
            let scanned = options.open(&path).unwrap();
            scanned.control_number_index_with(1);
            scanned.save_index(None).unwrap();
            let loaded = options.sidecar(SidecarMode::Require).open(&path).unwrap();
            assert_eq!(
                loaded.record_index(),
                scanned.record_index(),
                "{}",
                src.display()
            );
            for i in (0..scanned.len()).step_by(7) {
                if let Some(cn) = scanned.record(i).ok().and_then(|r| r.control_number()) {
                    assert_eq!(
                        loaded.find_control_number(cn),
                        scanned.find_control_number(cn)
                    );
                }
            }
        }
        files += 1;
    }
    assert!(files > 100, "only {files} corpus files");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any bytes, and valid sidecars with bytes changed: decoding never panics,
    /// and whatever it accepts is consistent enough to read records with.
    #[test]
    fn decoding_never_panics(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4), cut in any::<prop::sample::Index>(), raw in proptest::collection::vec(any::<u8>(), 0..300)) {
        let data = damaged_file();
        let file = MarcFile::from_bytes(data.clone());
        file.control_number_index_with(1);
        let identity = DataIdentity::of_bytes(&data, None);
        let mut bytes = sidecar::encode(&identity, Framing::Lenient, file.record_index(), None);
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let _ = Sidecar::decode(&bytes);
        let _ = Sidecar::decode(&raw);
        crate::fuzz_sidecar::check_sidecar(&bytes);
    }

    /// Sidecars that pass every check but lie: offsets anywhere in the data, any
    /// control-number keys. Reading a file through them gives errors, never a panic.
    #[test]
    fn lying_sidecars_give_errors_not_panics(
        layout in any::<u8>(),
        words in proptest::collection::vec(any::<u64>(), 0..40),
    ) {
        let data = damaged_file();
        let mut input = vec![layout, (data.len() / 8) as u8];
        input.extend(&data[..data.len() / 8 * 8]);
        for w in words {
            input.extend(w.to_le_bytes());
        }
        crate::fuzz_sidecar::check_sidecar(&input);
    }
}

#[test]
fn forged_sidecars_are_used() {
    // Starts that are real record offsets, and starts that are not: both pass the
    // loader's checks (it cannot know), and are read without a panic.
    let data = damaged_file();
    let whole = MarcFile::from_bytes(data.clone());
    for starts in [
        whole.record_index().starts().to_vec(),
        vec![1, 5, 40, 41, 100],
    ] {
        let mut input = vec![0u8, (data.len() / 8) as u8];
        input.extend(&data[..data.len() / 8 * 8]);
        for s in starts {
            input.extend(s.to_le_bytes());
        }
        assert!(
            crate::fuzz_sidecar::check_sidecar(&input),
            "a forged sidecar was refused"
        );
    }
}
