//! MARCspec conformance: the MARCspec project's test suite (vendored in
//! `tests/data/marcspec-test-suite`, MIT) parsed as upstream says, and the
//! specification's own examples evaluated on the records it gives.

use marcmap::spec::Spec;
use marcmap::{OwnedRecord, RecordRef, TextDecoder};
use std::path::Path;

/// Every test of one suite file: (data, valid, description).
fn suite(file: &str) -> Vec<(String, bool, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/marcspec-test-suite")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let root: serde_json::Value = serde_json::from_str(&text).unwrap();
    root["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["data"].as_str().unwrap().to_string(),
                t["valid"].as_bool().unwrap(),
                t["description"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// How a fragment file's data becomes a whole spec (upstream: "contain either
/// valid or invalid fragments"); whole specs are taken as they are.
fn whole(file: &str, data: &str) -> Vec<String> {
    let name = file.rsplit('/').next().unwrap();
    if name.starts_with("wildCombination_") || name.ends_with("FieldTag.json") {
        return vec![data.to_string()];
    }
    if name.ends_with("ComparisonString.json") {
        return vec![
            format!("245$a{{$a=\\{data}}}"),
            format!("245$a{{\\{data}=$a}}"),
        ];
    }
    if name.ends_with("Indicators.json") {
        return vec![format!("245^{data}"), format!("245[0]^{data}")];
    }
    if name.ends_with("PositionOrRange.json") {
        return vec![
            format!("245$a/{data}"),
            format!("008/{data}"),
            format!("300[{data}]"),
            format!("300$a[{data}]"),
        ];
    }
    if name.ends_with("SubfieldRange.json") || name.ends_with("SubfieldTag.json") {
        return vec![format!("245${data}"), format!("245${data}{{$b}}")];
    }
    if name.ends_with("SubSpec.json") {
        return vec![format!("245$a{data}"), format!("245{data}")];
    }
    panic!("no rule for {file}")
}

#[test]
fn passes_the_marcspec_test_suite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/marcspec-test-suite");
    let mut files = Vec::new();
    for sub in ["valid", "invalid"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            files.push(format!("{sub}/{name}"));
        }
    }
    files.sort();
    assert_eq!(files.len(), 34, "{files:?}");
    let (mut checked, mut wrong) = (0, Vec::new());
    for file in &files {
        for (data, valid, description) in suite(file) {
            for spec in whole(file, &data) {
                checked += 1;
                let got = Spec::parse(&spec);
                if got.is_ok() != valid {
                    wrong.push(format!("{file}: {spec:?} ({description}): {got:?}"));
                } else if let Ok(parsed) = got {
                    assert_eq!(parsed.as_str(), spec);
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked > 3000, "{checked}");
}

/// A data field: tag, indicators, subfields.
type DataField<'s> = (&'s str, &'s str, &'s [(char, &'s str)]);

/// A record of `(tag, indicators, subfields)` data fields and `(tag, data)`
/// control fields, as the specification's examples show them.
fn record(leader: &[u8; 24], control: &[(&str, &str)], data: &[DataField<'_>]) -> Vec<u8> {
    let tag = |t: &str| <[u8; 3]>::try_from(t.as_bytes()).unwrap();
    let mut b = OwnedRecord::builder().leader(*leader);
    for (t, d) in control {
        b = b.control(tag(t), d);
    }
    for (t, ind, subs) in data {
        let ind = ind.as_bytes();
        b = b.data(tag(t), ind[0], ind[1]);
        for (code, value) in subs.iter() {
            b = b.subfield(*code as u8, value);
        }
    }
    b.build().to_iso2709().unwrap()
}

fn values(raw: &[u8], spec: &str) -> Vec<String> {
    let r = RecordRef::parse(raw).unwrap();
    Spec::parse(spec)
        .unwrap_or_else(|e| panic!("{e}"))
        .values(&r, &TextDecoder::new())
        .unwrap()
}

#[test]
fn evaluates_the_specification_examples() {
    // "020 ##$a0394170660$qRandom House$qpaperback$c$4.95 / 020 ##$a0394502884$qRandom House$qhardcover$c$12.50"
    let raw = record(
        b"00000cam a2200000 a 4500",
        &[
            ("007", "vf cbahos"),
            ("007", "ta"),
            ("008", "850101s1985    nyu           000 0 eng d"),
        ],
        &[
            (
                "020",
                "  ",
                &[
                    ('a', "0394170660"),
                    ('q', "Random House"),
                    ('q', "paperback"),
                    ('c', "$4.95"),
                ],
            ),
            (
                "020",
                "  ",
                &[
                    ('a', "0394502884"),
                    ('q', "Random House"),
                    ('q', "hardcover"),
                    ('c', "$12.50"),
                ],
            ),
            (
                "100",
                "1 ",
                &[
                    ('6', "880-01"),
                    ('a', "Zilbershtain, Yitshak ben David Yosef."),
                ],
            ),
            (
                "245",
                "10",
                &[
                    ('a', "Sefer Ḥeḳer halakhah /"),
                    ('b', "part"),
                    ('c', "me-et Yitsḥaḳ."),
                ],
            ),
            ("300", "  ", &[('a', "1"), ('a', "2")]),
            ("300", "  ", &[('a', "3")]),
            ("300", "  ", &[('a', "4"), ('a', "5")]),
            ("800", "01", &[('a', "Poe, Edgar Allan.")]),
            (
                "880",
                "1 ",
                &[('6', "100-01/(2/r"), ('a', "יצחק יוסף בן דוד.")],
            ),
        ],
    );
    let v = |s: &str| values(&raw, s);
    // Reference to substring / occurrence / indicator values.
    assert_eq!(v("LDR/0-4"), [std::str::from_utf8(&raw[..5]).unwrap()]);
    assert_eq!(v("LDR/6"), ["a"]);
    assert_eq!(v("007/0"), ["v", "t"]);
    assert_eq!(v("007/1-#"), ["f cbahos", "a"]);
    assert_eq!(v("007/#"), ["s", "a"]);
    assert_eq!(v("245$a/#-1"), [" /"]);
    assert_eq!(
        v("245$a-c"),
        ["Sefer Ḥeḳer halakhah /", "part", "me-et Yitsḥaḳ."]
    );
    assert_eq!(v("245$a$b$c"), v("245$a-c"));
    assert_eq!(v("300[0]").len(), 1);
    assert_eq!(v("300[1]$a"), ["3"]);
    assert_eq!(v("300[0-1]$a"), ["1", "2", "3"]);
    assert_eq!(v("300[1-#]$a"), ["3", "4", "5"]);
    assert_eq!(v("300[#]$a"), ["4", "5"]);
    assert_eq!(v("300[#-1]$a"), ["3", "4", "5"]);
    assert_eq!(v("300[0]$a"), ["1", "2"]);
    assert_eq!(v("300$a[0]"), ["1", "3", "4"]);
    assert_eq!(v("300$a[#]"), ["2", "3", "5"]);
    assert_eq!(v("300$a[#-1]"), ["1", "2", "3", "4", "5"]);
    assert_eq!(v("880^1"), ["1"]);
    assert_eq!(v("800[0]^2"), ["1"]);
    assert_eq!(v("3..$a").len(), 5);
    // Subspecs.
    assert_eq!(v("020$c{?020$a}"), ["$4.95", "$12.50"]);
    assert_eq!(v("020$z{!020$a}"), Vec::<String>::new());
    assert_eq!(v("020$c{$q=\\paperback}"), ["$4.95"]);
    assert_eq!(
        v("020$q{$c}"),
        ["Random House", "paperback", "Random House", "hardcover"]
    );
    assert_eq!(v("008/18{LDR/6=\\a}"), [" "]);
    assert_eq!(v("245$b{007/0=\\a|007/0=\\t}"), ["part"]);
    assert_eq!(v("245$b{007/0=\\a|007/0=\\x}"), Vec::<String>::new());
    assert_eq!(
        v("008/35-37{LDR/6=\\a}{LDR/7=\\a|LDR/7=\\c|LDR/7=\\d|LDR/7=\\m}"),
        ["eng"]
    );
    assert_eq!(v("880$a{100$6~$6/3-5}{100$6~\\880}"), ["יצחק יוסף בן דוד."]);
    assert_eq!(v("880$a{100$6~$6/3-5}{100$6~\\990}"), Vec::<String>::new());
    assert_eq!(v("007[1]/1{/0=\\t}"), ["a"]);
    assert_eq!(v("007[0]/1{/0=\\t}"), Vec::<String>::new());
    assert_eq!(v("245$a{/#=\\/}"), ["Sefer Ḥeḳer halakhah /"]);
    assert_eq!(v("245$a{/0-4=\\Sefer}"), ["Sefer Ḥeḳer halakhah /"]);
    assert_eq!(v("800[0]{$a~\\Poe}{^2=\\1}"), ["Poe, Edgar Allan."]);
    assert_eq!(v("800[0]{$a~\\Poe}{^2=\\0}"), Vec::<String>::new());
    assert_eq!(v("245$a{$c~\\me-et\\sYits}"), ["Sefer Ḥeḳer halakhah /"]);
    assert_eq!(v("020$a{$q!=\\paperback}"), ["0394502884"]);
    assert_eq!(v("020$a{$q!~\\back}"), ["0394502884"]);
    // Characters are counted in text, not bytes.
    assert_eq!(v("245$a/6-10"), ["Ḥeḳer"]);
    assert_eq!(v("880$a/0-3"), ["יצחק"]);
}

#[test]
fn old_forms_mean_what_they_meant() {
    let raw = record(
        b"00000nam a2200000 a 4500",
        &[
            ("001", "ocm123"),
            ("008", "850101s1985    nyu           000 0 eng d"),
        ],
        &[
            ("245", "14", &[('a', " The title / "), ('c', "someone.")]),
            (
                "650",
                " 0",
                &[('a', "Jazz"), ('x', "History"), ('a', "Blues")],
            ),
        ],
    );
    let v = |s: &str| values(&raw, s);
    assert_eq!(v("001"), ["ocm123"]);
    assert_eq!(v("245"), ["The title / someone."]);
    assert_eq!(v("650$ax"), ["Jazz", "History", "Blues"]);
    assert_eq!(v("LDR/06"), ["a"]);
    assert_eq!(v("008/35-37"), ["eng"]);
    assert_eq!(v("008/38-45"), [" d"]);
    assert_eq!(v("008/39-#"), ["d"]);
    assert!(v("008/40-45").is_empty());
}

/// `6XX`, `6X0` (digits and `X`) are the cataloguers' shorthand for MARCspec's
/// `6..`, `6.0`: the same values on every record of `tests/data/sample.mrc`,
/// where a literal reading would match nothing. `LDR` and other letter tags
/// keep their meaning.
#[test]
fn x_in_a_digit_tag_is_the_wildcard() {
    let file = marcmap::MarcFile::open(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.mrc"),
    )
    .unwrap();
    let decoder = TextDecoder::new();
    let pairs = [
        ("6XX$a", "6..$a"),
        ("6X0$a", "6.0$a"),
        ("X00", ".00"),
        ("1XX", "1.."),
    ];
    for (shorthand, dots) in pairs {
        let (x, d) = (Spec::parse(shorthand).unwrap(), Spec::parse(dots).unwrap());
        let mut total = 0;
        for i in 0..file.len() {
            let r = file.record(i).unwrap();
            let got = x.values(&r, &decoder).unwrap();
            assert_eq!(
                got,
                d.values(&r, &decoder).unwrap(),
                "{shorthand} record {i}"
            );
            total += got.len();
        }
        assert!(total > 0, "{shorthand} matched nothing in sample.mrc");
    }
    let r = file.record(0).unwrap();
    assert_eq!(
        Spec::parse("LDR").unwrap().values(&r, &decoder).unwrap(),
        vec![String::from_utf8_lossy(r.leader().as_bytes()).into_owned()]
    );
    // `XXX` is `...` (every field), as in the edit language; other letter
    // tags are literal.
    let all = Spec::parse("...").unwrap().values(&r, &decoder).unwrap();
    assert!(!all.is_empty());
    assert_eq!(
        Spec::parse("XXX").unwrap().values(&r, &decoder).unwrap(),
        all
    );
    assert!(Spec::parse("XYZ")
        .unwrap()
        .values(&r, &decoder)
        .unwrap()
        .is_empty());
}
