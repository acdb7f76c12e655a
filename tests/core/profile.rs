//! The whole-file profile (`marcmap::profile`) over every ISO 2709 file of the
//! corpus: the same on any number of threads, its bad records those
//! `query::validate` finds, its lint counts those of `lint::lint_file`.

use crate::corpus::iso2709_files;
use marcmap::lint::{lint_file, Linter, RuleSet};
use marcmap::profile::{profile, ProfileOptions};
use marcmap::{query, MarcFile, TextDecoder};
use std::collections::BTreeMap;

#[test]
fn profile_agrees_with_validate_and_lint_on_the_corpus() {
    let Some(dir) = crate::corpus_dir::corpus_dir("profile sweep") else {
        return;
    };
    let files = iso2709_files(&dir);
    assert!(!files.is_empty());
    let linter = Linter::new().rules(RuleSet::all());
    let (mut bad_files, mut linted) = (0, 0);
    for path in files {
        // A few corpus files look like ISO 2709 by their first bytes but are not MARC.
        let Ok(file) = MarcFile::open(&path) else {
            continue;
        };
        let options = ProfileOptions {
            lint: Some(linter.clone()),
            ..ProfileOptions::default()
        };
        let one = profile(&file, &options, 1);
        assert_eq!(one, profile(&file, &options, 3), "{}", path.display());
        let errors = query::validate(&file, &TextDecoder::new(), true, 2);
        let framing = usize::from(file.framing_error().is_some());
        assert_eq!(
            one.bad as usize,
            errors.len() - framing,
            "{}",
            path.display()
        );
        assert_eq!(one.good + one.bad, file.len() as u64, "{}", path.display());
        bad_files += usize::from(one.bad > 0);
        let mut expected: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        let findings = lint_file(&file, &linter, 2);
        let mut seen = std::collections::BTreeSet::new();
        for f in &findings {
            let e = expected.entry(f.rule.id()).or_default();
            e.0 += 1;
            if seen.insert((f.rule, f.record_index)) {
                e.1 += 1;
            }
        }
        let got: BTreeMap<&str, (u64, u64)> = one
            .lint
            .as_ref()
            .expect("lint counts were asked for")
            .iter()
            .filter(|c| c.findings > 0)
            .map(|c| (c.rule.id(), (c.findings, c.records)))
            .collect();
        assert_eq!(got, expected, "{}", path.display());
        linted += usize::from(!findings.is_empty());
    }
    assert!(bad_files > 5 && linted > 50, "{bad_files} {linted}");
}
