//! `marcmap::lint` against MARC::Lint 1.53 (Perl, Debian `libmarc-lint-perl`), the
//! reference since 2003, on every bibliographic record of every ISO 2709 file of the
//! shared corpus: every warning MARC::Lint gives must be reproduced by marcmap (same
//! record, same tag, same kind of finding), except the differences named in
//! [`excused`], each with its reason.
//!
//! The records marcmap reads are written, byte for byte, to one temporary file, and
//! one Perl process (`tests/lint/marc_lint_oracle.pl`) lints them all, so the two
//! judge exactly the same bytes. Without the corpus the test is skipped; under
//! `CI=true` a missing corpus or a missing MARC::Lint fails it.

#[path = "common/corpus_dir.rs"]
mod corpus_dir;

use marcmap::lint::{Finding, Linter, RecordFormat, Rule, RuleSet};
use marcmap::{MarcFile, RecordRef};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// ISO 2709 by content: five digits first and a MARC terminator somewhere.
fn is_iso2709(bytes: &[u8]) -> bool {
    bytes.len() >= 5
        && bytes[..5].iter().all(u8::is_ascii_digit)
        && (bytes.contains(&0x1D) || bytes.contains(&0x1E))
}

fn marc_lint_available() -> bool {
    let ok = Command::new("perl")
        .args([
            "-MMARC::Lint",
            "-e",
            "exit($MARC::Lint::VERSION >= 1.53 ? 0 : 1)",
        ])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        ok || !ci,
        "CI=true but MARC::Lint 1.53 is missing (apt-get install libmarc-lint-perl)"
    );
    if !ok {
        eprintln!("lint differential skipped: MARC::Lint 1.53 not installed (apt-get install libmarc-lint-perl)");
    }
    ok
}

/// What a MARC::Lint warning is about: its tag (`1XX` for the main-entry count)
/// and the marcmap rule that finds the same thing.
fn classify(warning: &str) -> (String, Rule) {
    let (tag, text) = warning.split_once(": ").unwrap_or(("", warning));
    let text = text.trim();
    let rule = if text.contains("Field is not repeatable") {
        Rule::NonRepeatableField
    } else if text.starts_with("Indicator ") {
        Rule::UndefinedIndicator
    } else if text.contains("is not allowed.") && text.starts_with("Subfield _") {
        Rule::UndefinedSubfield
    } else if text.starts_with("Subfield _") && text.ends_with("is not repeatable.") {
        Rule::NonRepeatableSubfield
    } else if text.contains("invalid control character") {
        Rule::ControlCharacter
    } else if text.contains("Subfields are not allowed in fields lower than 010") {
        Rule::ControlFieldSubfields
    } else if tag == "880" && text.contains("No subfield 6") {
        Rule::Linkage880
    } else if tag == "1XX" {
        Rule::Multiple1xx
    } else if text.contains("No 245 tag") {
        Rule::Missing245
    } else if tag == "020" && text.contains("Subfield z") {
        Rule::IsbnCancelledValid
    } else if tag == "020" {
        Rule::Isbn
    } else if tag == "041" {
        Rule::LanguageCode
    } else if tag == "043" {
        Rule::GeographicArea
    } else if text.contains("Non-filing indicator") || text.starts_with("First word") {
        Rule::NonfilingIndicator
    } else if text.contains("Must have a subfield _a")
        || text.starts_with("First subfield")
        || text.contains("too few subfields")
    {
        Rule::TitleSubfields
    } else if tag == "245" {
        Rule::TitlePunctuation
    } else {
        panic!("a MARC::Lint warning this test does not know: {warning:?}")
    };
    (tag.to_string(), rule)
}

/// The rule of a finding as MARC::Lint would class it: MARC::Lint's table has
/// no obsolete values, so an obsolete one is to it what an undefined one is.
fn as_marc_lint(rule: Rule) -> Rule {
    match rule {
        Rule::ObsoleteTag => Rule::UndefinedTag,
        Rule::ObsoleteIndicator => Rule::UndefinedIndicator,
        Rule::ObsoleteSubfield => Rule::UndefinedSubfield,
        Rule::ObsoleteLeaderValue => Rule::LeaderValue,
        other => other,
    }
}

/// The tag a finding is about, as MARC::Lint names it: an 880's linked tag.
fn finding_tag(record: &RecordRef<'_>, f: &Finding) -> String {
    if f.rule == Rule::Multiple1xx {
        return "1XX".into();
    }
    if f.rule == Rule::Missing245 {
        return "245".into();
    }
    let tag = f.tag_str().unwrap_or("").to_string();
    if tag == "880" && f.rule != Rule::Linkage880 {
        if let Some(link) = f
            .field_index
            .and_then(|i| record.field(i))
            .and_then(|field| field.subfield(b'6'))
        {
            return String::from_utf8_lossy(&link[..3.min(link.len())]).into_owned();
        }
    }
    tag
}

/// Why marcmap rightly does not give a warning MARC::Lint gives, or `None`.
fn excused(record: &RecordRef<'_>, tag: &str, rule: Rule, warning: &str) -> Option<&'static str> {
    let text = warning.split_once(": ").map_or(warning, |(_, t)| t);
    // $9 is local in every field (MARC 21 leaves it to local use); MARC::Lint's
    // own TODO says it should be allowed.
    if rule == Rule::UndefinedSubfield && text.starts_with("Subfield _9 ") {
        return Some("$9 is a local subfield, allowed by default");
    }
    // marcmap has no MARC language code list (none with a licence it can ship):
    // it checks 041's code lengths, not the codes.
    if rule == Rule::LanguageCode
        && (text.contains("is not valid") || text.contains("may be obsolete"))
    {
        return Some("041 codes are checked for length only (no language code list)");
    }
    // MARC::Lint checks every 041 subfield's length, $3, $6 and $8 too, which hold no codes.
    if rule == Rule::LanguageCode && !text.starts_with("Subfield _") {
        return None;
    }
    if rule == Rule::LanguageCode
        && text
            .strip_prefix("Subfield _")
            .and_then(|t| t.bytes().next())
            .is_some_and(|c| !c.is_ascii_lowercase())
    {
        return Some("041 $2/$3/$6/$7/$8 hold no language codes");
    }
    // LoC defines 886's $a-$z and $0-$9 (foreign MARC subfields) as repeatable;
    // MARC::Lint's table has them non-repeatable.
    if rule == Rule::NonRepeatableSubfield && tag == "886" {
        return Some("886's foreign MARC subfields repeat (LoC: R)");
    }
    // marcmap takes the articles of the record's language (008/35-37) from LoC's
    // list (Appendix F); MARC::Lint has one list for all languages, with exceptions
    // ("Los Angeles"), and ignores 008. Records whose language has no articles there
    // get only the check that the skipped characters end a word.
    if rule == Rule::NonfilingIndicator
        && (text.contains("may be an article") || text.contains("does not appear to be an article"))
    {
        return Some(if has_article_language(record) {
            "articles by the record's language (008/35-37, LoC's list), not one list for all"
        } else {
            "no articles for the record's language: only where the skip ends is checked"
        });
    }
    None
}

/// Whether the record's 008/35-37 is a language LoC's list of initial articles
/// covers (the codes marcmap's generated table has).
fn has_article_language(record: &RecordRef<'_>) -> bool {
    const COVERED: &[&[u8]] = &[
        b"afr", b"alb", b"ara", b"bal", b"baq", b"cat", b"dan", b"dut", b"eng", b"epo", b"fre",
        b"fry", b"ger", b"gla", b"gle", b"glg", b"grc", b"gre", b"haw", b"heb", b"hun", b"ice",
        b"ita", b"mlg", b"mlt", b"nap", b"nno", b"nob", b"nor", b"oci", b"pan", b"per", b"por",
        b"pro", b"rum", b"sco", b"spa", b"swe", b"tgl", b"tur", b"urd", b"wel", b"wln", b"yid",
    ];
    record
        .first(b"008")
        .and_then(|f| f.data().get(35..38))
        .is_some_and(|code| COVERED.contains(&code))
}

#[test]
fn every_marc_lint_warning_is_reproduced() {
    let Some(corpus) = corpus_dir::corpus_dir("lint differential against MARC::Lint") else {
        return;
    };
    if !marc_lint_available() {
        return;
    }
    let mut files = Vec::new();
    corpus_dir::walk(&corpus, &mut files);
    files.retain(|p| std::fs::read(p).is_ok_and(|b| is_iso2709(&b)));
    let linter = Linter::new().rules(RuleSet::all());

    // The records, and the batch file MARC::Lint reads them from.
    let tmp = std::env::temp_dir().join(format!("marcmap-lint-oracle-{}.mrc", std::process::id()));
    let mut batch: Vec<u8> = Vec::new();
    let mut requests = String::new();
    let mut records: Vec<(PathBuf, usize, Vec<u8>)> = Vec::new();
    for path in &files {
        let Ok(file) = MarcFile::open(path) else {
            continue;
        };
        if file.format() != marcmap::Format::Iso2709 {
            continue;
        }
        for i in 0..file.len() {
            let Ok(record) = file.record(i) else { continue };
            if RecordFormat::of_type(record.leader().as_bytes()[6]) != RecordFormat::Bibliographic {
                continue;
            }
            let raw = record.as_bytes();
            let id = records.len();
            requests.push_str(&format!(
                "{id}\t{}\t{}\t{}\n",
                tmp.display(),
                batch.len(),
                raw.len()
            ));
            batch.extend_from_slice(raw);
            records.push((path.clone(), i, raw.to_vec()));
        }
    }
    std::fs::write(&tmp, &batch).expect("writing the batch file");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint/marc_lint_oracle.pl");
    let mut child = Command::new("perl")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("running perl");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let output = child.wait_with_output().expect("the oracle's output");
    writer
        .join()
        .expect("writer thread")
        .expect("writing requests");
    let _ = std::fs::remove_file(&tmp);
    assert!(output.status.success(), "the MARC::Lint oracle failed");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut warnings: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut answered = 0usize;
    let mut damaged = std::collections::BTreeSet::new();
    for line in stdout.lines() {
        let (id, w) = line.split_once('\t').expect("ID<TAB>warning");
        let id: usize = id.parse().expect("record id");
        if w == "!damaged" {
            damaged.insert(id);
            continue;
        }
        if w.starts_with('!') {
            answered += 1;
            continue;
        }
        warnings.entry(id).or_default().push(w.to_string());
    }
    assert_eq!(
        answered,
        records.len(),
        "MARC::Lint answered for every record"
    );

    let mut total = 0usize;
    let mut reproduced = 0usize;
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    let mut missed: Vec<String> = Vec::new();
    for (id, ws) in &warnings {
        let (path, index, raw) = &records[*id];
        let record = RecordRef::parse(raw).expect("parsed before");
        let ours = linter.lint_record(&record);
        for w in ws {
            total += 1;
            let (tag, rule) = classify(w);
            if ours
                .iter()
                .any(|f| as_marc_lint(f.rule) == rule && finding_tag(&record, f) == tag)
            {
                reproduced += 1;
            } else if damaged.contains(id) {
                // MARC::File::USMARC found the record's structure damaged and
                // read it its own way (indicators forced to blanks, fields cut
                // where its directory said): not the record marcmap validated.
                *reasons
                    .entry("MARC::Record read a damaged record its own way")
                    .or_default() += 1;
            } else if let Some(reason) = excused(&record, &tag, rule, w) {
                *reasons.entry(reason).or_default() += 1;
            } else {
                let found: Vec<String> = ours
                    .iter()
                    .filter(|f| finding_tag(&record, f) == tag)
                    .map(|f| format!("{} {}", f.rule, f.message))
                    .collect();
                missed.push(format!(
                    "{} record {index}: MARC::Lint {w:?} ({rule}); marcmap on {tag}: {found:?}",
                    path.strip_prefix(&corpus).unwrap_or(path).display()
                ));
            }
        }
    }
    eprintln!(
        "MARC::Lint: {} bibliographic records, {total} warnings, {reproduced} reproduced, excused: {reasons:?}",
        records.len()
    );
    assert!(
        records.len() > 4000,
        "the corpus has its bibliographic records"
    );
    assert!(
        missed.is_empty(),
        "{} MARC::Lint warnings not reproduced:\n{}",
        missed.len(),
        missed
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------
// Each rule on records built to break it (and the same records without the
// fault), and the fixtures of each format.

use marcmap::OwnedRecord;

fn lint_built(record: &OwnedRecord, rules: &str) -> Vec<Finding> {
    let bytes = record.to_iso2709().expect("serialises");
    let parsed = RecordRef::parse(&bytes).expect("parses");
    let linter = Linter::new().rules(RuleSet::parse(rules.split(',')).expect("rule ids"));
    linter.lint_record(&parsed)
}

fn book() -> marcmap::RecordBuilder {
    OwnedRecord::builder()
        .leader(*b"00000nam a2200000 a 4500")
        .control(*b"001", "ocm00001")
        .control(*b"005", "20160721134507.0")
        .control(*b"008", "160721s2016    nyu           000 0 eng d")
}

fn rules_of(found: &[Finding]) -> Vec<&'static str> {
    found.iter().map(|f| f.rule.id()).collect()
}

#[test]
fn a_clean_record_has_no_findings_under_every_rule() {
    let r = book()
        .data(*b"020", b' ', b' ')
        .subfield(b'a', "0198526636 (pbk.)")
        .data(*b"100", b'1', b' ')
        .subfield(b'a', "Smith, John.")
        .data(*b"245", b'1', b'4')
        .subfield(b'a', "The title :")
        .subfield(b'b', "a subtitle /")
        .subfield(b'c', "John Smith.")
        .data(*b"250", b' ', b' ')
        .subfield(b'a', "2nd ed.")
        .data(*b"264", b' ', b'1')
        .subfield(b'a', "New York :")
        .subfield(b'b', "Publisher,")
        .subfield(b'c', "2016.")
        .data(*b"590", b' ', b' ')
        .subfield(b'a', "A local note.")
        .subfield(b'9', "local")
        .build();
    assert_eq!(lint_built(&r, "all"), vec![]);
}

#[test]
fn structure_rules_find_what_the_definitions_forbid() {
    let r = book()
        .data(*b"245", b'1', b'0')
        .subfield(b'a', "One.")
        .subfield(b'a', "Again.")
        .subfield(b'z', "Undefined.")
        .data(*b"245", b'1', b'0')
        .subfield(b'a', "Two.")
        .data(*b"650", b' ', b'x')
        .subfield(b'a', "Topic.")
        .data(*b"100", b'1', b' ')
        .subfield(b'a', "A.")
        .data(*b"110", b'2', b' ')
        .subfield(b'a', "B.")
        .data(*b"123", b' ', b' ')
        .subfield(b'a', "No such tag.")
        .build();
    let found = lint_built(&r, "default");
    let by = |rule: Rule| found.iter().filter(|f| f.rule == rule).collect::<Vec<_>>();
    assert_eq!(by(Rule::NonRepeatableSubfield).len(), 1);
    assert_eq!(by(Rule::NonRepeatableSubfield)[0].code, Some(b'a'));
    assert_eq!(by(Rule::UndefinedSubfield)[0].code, Some(b'z'));
    assert_eq!(by(Rule::NonRepeatableField)[0].field_index, Some(4));
    assert_eq!(by(Rule::UndefinedIndicator)[0].tag_str(), Some("650"));
    assert_eq!(by(Rule::UndefinedIndicator)[0].code, Some(b'2'));
    assert_eq!(by(Rule::Multiple1xx).len(), 1);
    assert_eq!(by(Rule::UndefinedTag)[0].tag_str(), Some("123"));
    assert!(by(Rule::Missing245).is_empty());
    // Without 245 (and with the local 590 and 999 allowed).
    let r = book()
        .data(*b"999", b' ', b' ')
        .subfield(b'a', "local")
        .build();
    assert_eq!(rules_of(&lint_built(&r, "default")), ["missing-245"]);
}

#[test]
fn obsolete_values_are_named_obsolete_not_undefined() {
    // Values LoC's field list marks [OBSOLETE]: LDR/06 b, the 440 series
    // field, 100 first indicator 2 (multiple surname), 022 $l (ISSN-L); beside
    // them a tag and an indicator value that were never defined.
    let r = OwnedRecord::builder()
        .leader(*b"00000nbm a2200000 a 4500")
        .control(*b"001", "ocm00001")
        .control(*b"008", "160721s2016    nyu           000 0 eng d")
        .data(*b"022", b' ', b' ')
        .subfield(b'a', "0378-5955")
        .subfield(b'l', "0378-5955")
        .data(*b"100", b'2', b' ')
        .subfield(b'a', "Garcia Lorca, Federico.")
        .data(*b"245", b'1', b'0')
        .subfield(b'a', "Poemas.")
        .data(*b"440", b' ', b'0')
        .subfield(b'a', "Coleccion.")
        .data(*b"650", b' ', b'x')
        .subfield(b'a', "Poetry.")
        .data(*b"123", b' ', b' ')
        .subfield(b'a', "No such tag.")
        .build();
    let found = lint_built(&r, "default");
    let on = |rule: Rule| {
        found
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| (f.tag_str().unwrap_or("LDR").to_string(), f.code))
            .collect::<Vec<_>>()
    };
    assert_eq!(on(Rule::ObsoleteLeaderValue), [("LDR".to_string(), None)]);
    assert_eq!(on(Rule::ObsoleteTag), [("440".to_string(), None)]);
    assert_eq!(
        on(Rule::ObsoleteIndicator),
        [("100".to_string(), Some(b'1'))]
    );
    assert_eq!(
        on(Rule::ObsoleteSubfield),
        [("022".to_string(), Some(b'l'))]
    );
    assert_eq!(on(Rule::UndefinedTag), [("123".to_string(), None)]);
    assert_eq!(
        on(Rule::UndefinedIndicator),
        [("650".to_string(), Some(b'2'))]
    );
    assert!(on(Rule::UndefinedSubfield).is_empty() && on(Rule::LeaderValue).is_empty());
    // With the obsolete rules off, an obsolete value is not reported as undefined.
    let undefined = lint_built(
        &r,
        "undefined-tag,undefined-indicator,undefined-subfield,leader-value",
    );
    assert_eq!(
        rules_of(&undefined),
        ["undefined-indicator", "undefined-tag"]
    );
}

#[test]
fn fixed_fields_leader_and_005() {
    let r = OwnedRecord::builder()
        .leader(*b"00000nqm a2200000 q 4500")
        .control(*b"005", "2016072113450")
        .control(*b"008", "160721s2016")
        .data(*b"245", b'0', b'0')
        .subfield(b'a', "T.")
        .build();
    let found = lint_built(&r, "default");
    let mut ids = rules_of(&found);
    ids.sort();
    assert_eq!(
        ids,
        [
            "control-field-length",
            "invalid-005",
            "leader-value",
            "leader-value"
        ]
    );
    assert!(found.iter().any(|f| f.message.contains("LDR/06")));
    assert!(found.iter().any(|f| f.message.contains("LDR/18")));
}

#[test]
fn an_880_is_checked_as_the_field_it_links_to() {
    let r = book()
        .data(*b"245", b'1', b'0')
        .subfield(b'6', "880-01")
        .subfield(b'a', "Title.")
        .data(*b"880", b'1', b'0')
        .subfield(b'6', "245-01/(N")
        .subfield(b'a', "Title.")
        .subfield(b'z', "not in 245.")
        .data(*b"880", b'1', b'0')
        .subfield(b'6', "245-02/(N")
        .subfield(b'a', "Second.")
        .data(*b"880", b' ', b' ')
        .subfield(b'a', "no linkage")
        .build();
    let found = lint_built(&r, "default");
    let undefined = found
        .iter()
        .find(|f| f.rule == Rule::UndefinedSubfield)
        .expect("$z");
    assert_eq!(
        (undefined.tag_str(), undefined.code),
        (Some("880"), Some(b'z'))
    );
    assert!(undefined.message.starts_with("880 (245)"));
    // The second 880 for 245 repeats a non-repeatable field, and links to no 245 with 880-02.
    assert!(found
        .iter()
        .any(|f| f.rule == Rule::NonRepeatableField && f.field_index == Some(5)));
    let linkage: Vec<_> = found
        .iter()
        .filter(|f| f.rule == Rule::Linkage880)
        .collect();
    assert_eq!(linkage.len(), 2, "{found:?}");
    assert!(linkage[0].message.contains("245-02"));
    assert!(linkage[1].message.contains("no $6"));
}

#[test]
fn field_checks_isbn_languages_areas_and_title() {
    let r = book()
        .data(*b"020", b' ', b' ')
        .subfield(b'a', "0198526637")
        .subfield(b'z', "0-19-852663-6")
        .data(*b"041", b'0', b' ')
        .subfield(b'a', "engfr")
        .data(*b"043", b' ', b' ')
        .subfield(b'a', "n-us---")
        .subfield(b'a', "x-xx---")
        .subfield(b'a', "n-us")
        // LoC: 245 ind2 counts the article and its space ("The " is 4); 3 stops inside it.
        .data(*b"245", b'1', b'3')
        .subfield(b'a', "The title")
        .build();
    let found = lint_built(&r, "all");
    let messages = |rule: Rule| {
        found
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        messages(Rule::Isbn),
        ["020 $a \"0198526637\" has a bad check digit"]
    );
    assert_eq!(messages(Rule::IsbnCancelledValid).len(), 1);
    assert_eq!(messages(Rule::LanguageCode).len(), 1);
    assert_eq!(messages(Rule::GeographicArea).len(), 2);
    assert_eq!(messages(Rule::NonfilingIndicator).len(), 1);
    assert_eq!(
        messages(Rule::TitlePunctuation),
        ["245 must end with a period"]
    );
    // Off by default: the cancelled-ISBN and punctuation rules.
    let default = lint_built(&r, "default");
    assert!(!default
        .iter()
        .any(|f| f.rule == Rule::IsbnCancelledValid || f.rule == Rule::TitlePunctuation));
}

#[test]
fn definitions_from_json_add_and_override() {
    let r = book()
        .data(*b"245", b'1', b'0')
        .subfield(b'a', "T.")
        .data(*b"500", b' ', b' ')
        .subfield(b'a', "Note.")
        .subfield(b'x', "1234-5678")
        .build();
    let bytes = r.to_iso2709().unwrap();
    let record = RecordRef::parse(&bytes).unwrap();
    // 500 $x is obsolete (LoC's list); a definitions file can define it again.
    assert!(Linter::new()
        .lint_record(&record)
        .iter()
        .any(|f| f.rule == Rule::ObsoleteSubfield && f.code == Some(b'x')));
    let json = r#"{"fields": {"500": {"repeatable": true, "subfields": {"a": {"repeatable": false}, "x": {"repeatable": false}}}}}"#;
    let defs = marcmap::lint::Definitions::builtin()
        .with_json(json)
        .unwrap();
    assert_eq!(Linter::new().definitions(defs).lint_record(&record), vec![]);
    // Local fields can be switched off.
    let strict = marcmap::lint::Definitions::builtin().local(false);
    let r = book()
        .data(*b"245", b'1', b'0')
        .subfield(b'a', "T.")
        .data(*b"590", b' ', b' ')
        .subfield(b'a', "x")
        .build();
    let bytes = r.to_iso2709().unwrap();
    let found = Linter::new()
        .definitions(strict)
        .lint_record(&RecordRef::parse(&bytes).unwrap());
    assert_eq!(rules_of(&found), ["undefined-tag"]);
}

fn fixture(name: &str) -> MarcFile {
    MarcFile::open(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .expect("fixture")
}

#[test]
fn authority_and_holdings_records_are_judged_by_their_own_format() {
    let linter = Linter::new();
    let file = fixture("authority.mrc");
    let found = marcmap::lint::lint_file(&file, &linter, 2);
    assert!(!found.iter().any(|f| f.rule == Rule::Missing245));
    // LC name authority records use 1XX, 4XX, 670: all defined in the authority format.
    let undefined: Vec<_> = found
        .iter()
        .filter(|f| f.rule == Rule::UndefinedTag)
        .collect();
    assert!(undefined.is_empty(), "{undefined:?}");
    // The same records judged as bibliographic: 4XX, 670 and others are wrong there.
    let bib_view = file.record(0).unwrap();
    assert_eq!(
        RecordFormat::of_type(bib_view.leader().as_bytes()[6]),
        RecordFormat::Authority
    );
    let holdings = fixture("holdings.mrc");
    let found = marcmap::lint::lint_file(&holdings, &linter, 1);
    // The one holdings fixture (LDR/06 `x`) is a bibliographic record in
    // disguise: a 100 and a 42-character 008 (read to its terminator by repair),
    // which the holdings format does not have; but a holdings record needs no 245.
    assert!(
        !found.iter().any(|f| f.rule == Rule::Missing245),
        "{found:?}"
    );
    assert!(found
        .iter()
        .any(|f| f.rule == Rule::ControlFieldLength && f.message.contains("defines 32")));
    assert!(found
        .iter()
        .any(|f| f.rule == Rule::UndefinedTag && f.tag_str() == Some("100")));
}

#[test]
fn whole_file_lint_is_the_same_on_one_thread_and_many() {
    let file = fixture("sample.mrc");
    let linter = Linter::new().rules(RuleSet::all());
    let one = marcmap::lint::lint_file(&file, &linter, 1);
    let four = marcmap::lint::lint_file(&file, &linter, 4);
    assert_eq!(one, four);
    assert!(!one.is_empty());
    // Each finding's offset is inside its record.
    for f in &one {
        let start = file.offset(f.record_index as usize).unwrap();
        let len = file.raw(f.record_index as usize).unwrap().len() as u64;
        assert!((start..start + len).contains(&f.byte_offset), "{f}");
    }
}

/// Any bytes in a record's data area (the structure kept) give findings, never a
/// panic: every rule on sample records with random bytes written over their
/// fields, delimiters and terminators included.
#[test]
fn damaged_values_never_panic() {
    let file = fixture("sample.mrc");
    let linter = Linter::new().rules(RuleSet::all());
    let interesting = [
        0x1f, 0x1e, b'-', b'X', b'0', b'9', b'(', b' ', b'\t', 0xc3, 0xff, b'$', b'a',
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut linted = 0;
    for round in 0..3000 {
        let i = round % file.len();
        let mut raw = file.raw(i).expect("a record").to_vec();
        let base = RecordRef::parse(&raw)
            .expect("sample records are valid")
            .base_address();
        for _ in 0..(1 + next() % 8) {
            let at = base + (next() as usize) % (raw.len() - base - 1);
            let r = next() as usize;
            raw[at] = if r.is_multiple_of(3) {
                (r >> 8) as u8
            } else {
                interesting[(r >> 8) % interesting.len()]
            };
        }
        if let Ok(record) = RecordRef::parse(&raw) {
            let found = linter.lint_record(&record);
            for f in &found {
                assert!(!f.message.contains('\n'), "{f}");
                assert!(f.byte_offset < raw.len() as u64, "{f}");
            }
            linted += 1;
        }
    }
    assert!(linted > 1000, "{linted}");
}

/// 245 ind2 against LoC's Appendix F articles for the record's language
/// (008/35-37): "L'" is French (2 characters, no space), "Die" is German (4 with
/// its space; MARC::Lint's list leaves it out), and "Die" in English is no article.
#[test]
fn nonfiling_indicator_follows_the_records_language() {
    let with = |lang: &str, ind2: u8, title: &str| {
        let f008 = format!("160721s2016    nyu           000 0 {lang} d");
        let r = OwnedRecord::builder()
            .leader(*b"00000nam a2200000 a 4500")
            .control(*b"001", "ocm00001")
            .control(*b"008", &f008)
            .data(*b"245", b'1', ind2)
            .subfield(b'a', title)
            .build();
        lint_built(&r, "nonfiling-indicator")
            .into_iter()
            .map(|f| f.message)
            .collect::<Vec<_>>()
    };
    assert_eq!(with("fre", b'2', "L'amour."), Vec::<String>::new());
    assert_eq!(
        with("fre", b'0', "L'amour."),
        ["245 $a \"L'amour.\" begins with \"l'\", an article in fre (008/35-37): the non-filing indicator should be 2, not 0"]
    );
    assert_eq!(with("ger", b'4', "Die Welt."), Vec::<String>::new());
    assert_eq!(with("eng", b'0', "Die hard."), Vec::<String>::new());
    assert_eq!(
        with("eng", b'4', "Die hard."),
        ["245 $a \"Die hard.\" does not begin with an article of eng (008/35-37), but the non-filing indicator is 4"]
    );
    // No articles listed for Latin: only that the skip ends a word.
    assert_eq!(with("lat", b'0', "De rerum natura."), Vec::<String>::new());
    assert_eq!(with("lat", b'2', "De rerum natura.").len(), 1);
    assert_eq!(with("lat", b'3', "De rerum natura."), Vec::<String>::new());
}
