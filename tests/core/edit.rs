//! The edit language (`marcmap::edit`) on real records: `tests/data` and the
//! corpus. What the rules do is checked against the records as read (every
//! other field's bytes kept, in order); pymarc as the oracle for the bytes of
//! changed records is in `tests/python/test_edit.py`.

use marcmap::edit::Program;
use marcmap::write::{write_chunks_edited, write_file, WriteOptions};
use marcmap::{ErrorKind, Format, MarcFile, OwnedField, OwnedRecord, RecordRef};
use proptest::prelude::*;
use std::path::Path;

fn fixture(name: &str) -> MarcFile {
    MarcFile::open(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

/// Writes `file` through `rules` as ISO 2709 on `threads` threads.
fn edited(
    file: &MarcFile,
    rules: &[&str],
    threads: usize,
) -> (Vec<u8>, marcmap::write::WriteReport) {
    let program = Program::parse(rules).unwrap();
    let mut out = Vec::new();
    let report = write_chunks_edited(
        file,
        None,
        &WriteOptions::new(Format::Iso2709),
        Some(&program),
        threads,
        false,
        |work| work(),
        |bytes| {
            out.extend_from_slice(bytes);
            Ok(())
        },
    )
    .unwrap();
    (out, report)
}

/// Each field as (tag, bytes) in order.
fn fields(r: &RecordRef<'_>) -> Vec<(String, Vec<u8>)> {
    r.fields()
        .map(|f| (f.tag_str().to_owned(), f.data().to_vec()))
        .collect()
}

/// The files of tests/data and the corpus's ISO 2709 files that open.
fn real_files() -> Vec<MarcFile> {
    let mut files = vec![
        fixture("sample.mrc"),
        fixture("authority.mrc"),
        fixture("holdings.mrc"),
    ];
    if let Some(dir) = crate::corpus_dir::corpus_dir("edit corpus check") {
        for path in crate::corpus::iso2709_files(&dir) {
            if let Ok(f) = MarcFile::open(&path) {
                files.push(f);
            }
        }
    }
    files
}

#[test]
fn delete_keeps_unchanged_records_and_fields_byte_for_byte() {
    let mut records = 0;
    let mut changed = 0;
    for file in real_files() {
        let (out, report) = edited(&file, &["delete 9XX", "delete 650$x"], 2);
        let written = MarcFile::from_bytes(out);
        assert_eq!(written.len(), report.written);
        let mut w = 0;
        for i in 0..file.len() {
            let Ok(before) = file.record(i) else { continue };
            let after = written.record(w).unwrap();
            w += 1;
            records += 1;
            let expect: Vec<(String, Vec<u8>)> = fields(&before)
                .into_iter()
                .filter(|(t, _)| !t.starts_with('9'))
                .collect();
            let touched = expect.len() != before.field_count()
                || before
                    .fields_with_tag(b"650")
                    .any(|f| f.subfields().any(|s| s.code == b'x'));
            if !touched && before.repairs().is_empty() {
                assert_eq!(after.as_bytes(), before.as_bytes(), "record {i} changed");
                continue;
            }
            changed += usize::from(touched);
            let got = fields(&after);
            assert_eq!(got.len(), expect.len());
            for ((gt, gd), (et, ed)) in got.iter().zip(&expect) {
                assert_eq!(gt, et);
                if gt == "650" {
                    let f = after.fields().find(|f| f.data() == &gd[..]).unwrap();
                    assert!(f.subfields().all(|s| s.code != b'x'));
                } else if before.repairs().is_empty() {
                    assert_eq!(gd, ed, "record {i}: field {gt} changed");
                }
            }
            assert_eq!(after.leader().record_length(), Some(after.as_bytes().len()));
            assert_eq!(
                &after.leader().as_bytes()[5..12],
                &before.leader().as_bytes()[5..12]
            );
        }
    }
    assert!(
        records > 100 && changed > 0,
        "{records} records, {changed} changed"
    );
}

#[test]
fn an_empty_program_writes_what_write_file_writes() {
    let file = fixture("sample.mrc");
    let (out, report) = edited(&file, &[], 1);
    let mut plain = Vec::new();
    write_file(
        &file,
        None,
        &WriteOptions::new(Format::Iso2709),
        1,
        &mut plain,
    )
    .unwrap();
    assert_eq!(out, plain);
    assert!(report.edits.is_empty());
}

#[test]
fn rules_in_order_with_conditions_on_the_current_record() {
    let file = fixture("sample.mrc");
    let first = file.record(0).unwrap();
    // The rename is seen by the next rule's condition.
    let rules = [
        "rename 245 246",
        "set 246 ind2 9 where 246",
        "add 500 __ $a Added. where not 245",
        "set LDR/05 d",
        "copy 246 740",
    ];
    let program = Program::parse(rules).unwrap();
    let mut editor = program.editor();
    let bytes = editor.edit(&first).unwrap().unwrap().to_vec();
    let after = RecordRef::parse(&bytes).unwrap();
    assert!(after.first(b"245").is_none());
    assert_eq!(after.first(b"246").unwrap().indicators().1, b'9');
    assert_eq!(
        after.first(b"500").map(|f| f.subfield(b'a')),
        Some(Some(&b"Added."[..]))
    );
    assert_ne!(first.leader().as_bytes()[5], b'd');
    assert_eq!(after.leader().as_bytes()[5], b'd');
    let f740 = after.first(b"740").unwrap();
    assert_eq!(f740.data(), after.first(b"246").unwrap().data());
    // add_ordered_field's place: before the first field with a greater tag.
    let tags: Vec<&str> = after.fields().map(|f| f.tag_str()).collect();
    let at = tags.iter().position(|t| *t == "500").unwrap();
    let after_500 = tags
        .iter()
        .position(|t| *t > "500" && t.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(Some(at + 1), after_500, "{tags:?}");
    let counts = editor.counts();
    assert!(counts.iter().all(|c| c.records == 1), "{counts:?}");
}

#[test]
fn subfield_rules() {
    let file = fixture("sample.mrc");
    let record = file.record(0).unwrap();
    let title = record
        .first(b"245")
        .unwrap()
        .subfield(b'a')
        .unwrap()
        .to_vec();
    let program = Program::parse([
        r"set 245$a s/^(\w+)/<\1>/",
        "set 040$d DLC",
        "set 245$z new",
        "delete 245$c",
    ])
    .unwrap();
    let mut editor = program.editor();
    let bytes = editor.edit(&record).unwrap().unwrap().to_vec();
    let after = RecordRef::parse(&bytes).unwrap();
    let f245 = after.first(b"245").unwrap();
    let word: Vec<u8> = title
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .copied()
        .collect();
    let mut expect = format!("<{}>", String::from_utf8_lossy(&word)).into_bytes();
    expect.extend_from_slice(&title[word.len()..]);
    assert_eq!(f245.subfield(b'a'), Some(&expect[..]));
    assert_eq!(
        f245.subfields().last().map(|s| (s.code, s.value)),
        Some((b'z', &b"new"[..]))
    );
    assert!(f245.subfield(b'c').is_none());
    if let Some(f040) = after.first(b"040") {
        assert!(f040
            .subfields()
            .filter(|s| s.code == b'd')
            .all(|s| s.value == b"DLC"));
    }
}

#[test]
fn a_record_over_99999_bytes_after_the_edits_is_reported_not_written() {
    // A real record, made big with notes (still under the limit), between two
    // real ones.
    let file = fixture("sample.mrc");
    let mut big = file.record(1).unwrap().to_owned();
    for _ in 0..10 {
        let mut note = OwnedField::data(*b"500", b' ', b' ');
        note.push_subfield(b'a', vec![b'n'; 9_000]);
        big.insert_ordered(note);
    }
    let mut bytes = file.raw(0).unwrap().to_vec();
    bytes.extend(big.to_iso2709().unwrap());
    bytes.extend(file.raw(2).unwrap());
    let input = MarcFile::from_bytes(bytes);
    let (out, report) = edited(&input, &["copy 500 590"], 2);
    assert_eq!(report.written, 2);
    assert_eq!(report.errors.len(), 1);
    let e = &report.errors[0];
    assert!(
        matches!(e.kind(), ErrorKind::TooLong { what: "record", .. }),
        "{e}"
    );
    assert_eq!(e.position().record, Some(1));
    assert_eq!(e.position().record_offset, input.offset(1));
    let written = MarcFile::from_bytes(out);
    assert_eq!(written.len(), 2);
    // The two small records changed only if they had a 500.
    assert_eq!(
        report.edits[0].records,
        2 - written.record(0).unwrap().first(b"590").is_none() as usize
            - written.record(1).unwrap().first(b"590").is_none() as usize
    );
}

#[test]
fn non_ascii_values_into_a_marc8_record_are_an_error() {
    let file = fixture("marc8/pymarc_marc8.dat");
    let record = file.record(0).unwrap();
    assert_ne!(record.leader().as_bytes()[9], b'a');
    let program = Program::parse(["add 500 __ $a Caf\u{e9}"]).unwrap();
    let e = program.editor().edit(&record).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Edit { rule: 0, .. }), "{e}");
    assert_eq!(e.position().record, Some(0));
    // ASCII goes in.
    let ascii = Program::parse(["add 500 __ $a Cafe"]).unwrap();
    assert!(ascii.editor().edit(&record).unwrap().is_some());
}

#[test]
fn bad_rules_say_where() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "empty rule"),
        ("remove 9XX", 1, "not an action"),
        ("delete", 7, "delete what"),
        ("delete 9X", 8, "tag pattern"),
        ("delete 650$", 12, "no subfield code"),
        ("delete 001$a", 8, "control field"),
        ("add 856 4 $u x", 9, "two indicators"),
        ("add 856 40", 11, "needs subfields"),
        ("add 856 40 u x", 12, "expected a subfield"),
        ("add 003", 8, "needs its data"),
        ("set 245 ind3 4", 9, "ind1"),
        ("set 245 ind2 44", 14, "indicator"),
        ("set LDR/03 1", 9, "computed"),
        ("set LDR/05 cc", 12, "exactly one"),
        ("set 245/05 c", 5, "data field"),
        ("set 008/9-5 x", 9, "backwards"),
        ("set 245$a s/(/x/", 12, "bad regular expression"),
        ("set 245$a s/a/b", 15, "no closing"),
        ("set 245$a s/a/b/q", 17, "not a regular expression flag"),
        ("set 245$ab x", 5, "one subfield code"),
        ("move 100", 9, "second tag"),
        ("move 1XX 700", 6, "without wildcards"),
        ("rename 001 100", 12, "kind"),
        ("delete 9XX where", 17, "where what"),
        ("delete 9XX when 040", 12, "goes on with where"),
        ("delete 9XX where 650$a ~ /(/", 26, "regex"),
        ("delete 9XX where 650$a ~ /jazz/q", 32, "flag"),
        ("delete 9XX where (650", 22, "')'"),
        ("delete 9XX where 650 650", 22, "'and', 'or'"),
        ("delete 9XX where 650 and", 25, "a spec"),
        ("set 500$a \"open", 11, "closing"),
        ("add 500 __ $a a\u{1f}b", 16, "delimiter"),
        ("set 245 ind2 \u{e9}", 14, "indicator"),
    ];
    for &(rule, column, says) in cases {
        let e = Program::parse(["delete 9XX", rule]).unwrap_err();
        assert_eq!(e.rule(), 1, "{rule:?}");
        assert!(
            e.message().contains(says),
            "{rule:?}: {:?} does not say {says:?}",
            e.message()
        );
        assert_eq!(e.column(), column, "{rule:?}: {e}");
        let shown = e.to_string();
        assert!(shown.starts_with("edit rule 2, column "), "{shown}");
        assert!(shown.ends_with('^'), "{shown}");
    }
}

#[test]
fn an_added_field_too_long_for_iso2709_is_a_bad_rule() {
    let rule = format!("add 500 __ $a {}", "x".repeat(10_000));
    let e = Program::parse(["delete 9XX", &rule]).unwrap_err();
    assert_eq!((e.rule(), e.column()), (1, 5));
    assert!(e.message().contains("9999"), "{e}");
}

#[test]
fn good_rules_parse() {
    let rules = [
        "delete 9XX",
        "delete 6..",
        "delete 650$xv",
        "add 856 40 $u https://example.org/ $z Online",
        "add 500 \\\\ $a A $$5 note. $5 DLC",
        "add 500 #_ $a \"where $ and quotes\"",
        "add 003 DLC",
        "set 245$a s/^(.*) \\/$/$1/",
        "set 245$a s/a/b/gi",
        "set 040$d DLC",
        "set 245 ind2 4",
        "set LDR/05 c",
        "set 008/35-37 eng",
        "set 008/15-17 \"   \"",
        "move 100 700",
        "copy 100 700",
        "rename 090 050",
        "delete 9XX where 040$a = DLC",
        "delete 9XX where 650$a ~ /jazz/i",
        "delete 9XX where not 856",
        "delete 9XX where 650$a ~ jazz and count(650) > 2",
        "delete 9XX WHERE LDR/06 = a and (650 or not 651$x) and 008/35-37 != fre",
        "set 500$a Somewhere where 500",
    ];
    let p = Program::parse(rules).unwrap();
    assert_eq!(p.len(), rules.len());
    assert!(p.rules().eq(rules));
}

#[test]
fn add_values_and_escapes() {
    let file = fixture("sample.mrc");
    let record = file.record(0).unwrap();
    let program = Program::parse([
        r#"add 500 \# $a Costs $$5 each $5 "DLC " where 245"#,
        "add 003 DLC",
    ])
    .unwrap();
    let mut editor = program.editor();
    let bytes = editor.edit(&record).unwrap().unwrap().to_vec();
    let after = RecordRef::parse(&bytes).unwrap();
    let added = after.fields_with_tag(b"500").last().unwrap();
    assert_eq!(added.data(), b"  \x1faCosts $5 each\x1f5DLC ");
    assert_eq!(after.first(b"003").unwrap().data(), b"DLC");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any text is a program or an error with a column inside the rule: never a panic.
    #[test]
    fn any_text_parses_or_says_where(rule in "\\PC{0,40}") {
        check_rule(&rule);
    }

    /// Text made of the language's own pieces reaches deeper into the parser.
    #[test]
    fn rule_like_text_parses_or_says_where(parts in proptest::collection::vec(prop_oneof![
        Just("delete"), Just("add"), Just("set"), Just("move"), Just("copy"), Just("rename"),
        Just("9XX"), Just("245"), Just("650$a"), Just("$a"), Just("$"), Just("LDR/05"),
        Just("008/35-37"), Just("ind1"), Just("40"), Just("where"), Just("not"), Just("and"),
        Just("or"), Just("("), Just(")"), Just("="), Just("~"), Just("/jazz/i"), Just("s/a/b/g"),
        Just("\""), Just("x"), Just("\\"), Just("é"), Just("/"), Just("-"),
    ], 0..10)) {
        check_rule(&parts.join(" "));
        check_rule(&parts.concat());
    }
}

fn check_rule(rule: &str) {
    match Program::parse([rule]) {
        Ok(p) => assert_eq!(p.len(), 1),
        Err(e) => {
            assert!(
                e.column() >= 1 && e.column() <= rule.chars().count() + 1,
                "{e}"
            );
            assert!(!e.message().is_empty());
        }
    }
}

#[test]
fn owned_records_edit_like_the_program() {
    // The core operations and the program agree on where a field goes.
    let file = fixture("sample.mrc");
    for i in 0..file.len() {
        let record = file.record(i).unwrap();
        let program = Program::parse(["delete 9XX", "add 856 40 $u https://example.org/"]).unwrap();
        let mut editor = program.editor();
        let by_program = editor.edit(&record).unwrap().unwrap().to_vec();
        let mut owned: OwnedRecord = record.to_owned();
        owned.remove_matching("9XX".parse().unwrap());
        let mut link = OwnedField::data(*b"856", b'4', b'0');
        link.push_subfield(b'u', "https://example.org/");
        owned.insert_ordered(link);
        assert_eq!(owned.to_iso2709().unwrap(), by_program, "record {i}");
    }
}

/// The leader positions that describe the record's structure or coding are
/// refused where the rule says them: LDR/09 (relabelling MARC-8 bytes as UTF-8
/// would not convert them), LDR/10-11 (indicator count, subfield code length)
/// and LDR/20-23 (the entry map), alone or in a range. Their neighbours stay
/// settable, on the records of sample.mrc.
#[test]
fn structural_leader_positions_are_refused() {
    let cases: &[(&str, usize, &str)] = &[
        ("set LDR/09 a", 9, "convert"),
        ("set LDR/10 3", 9, "indicator count"),
        ("set LDR/11 1", 9, "subfield code length"),
        ("set LDR/08-09 \" a\"", 9, "LDR/09"),
        ("set LDR/20 5", 9, "entry map"),
        ("set LDR/19-23 \"a4500\"", 9, "entry map"),
        ("set LDR/23 0", 9, "entry map"),
    ];
    for &(rule, column, says) in cases {
        let e = Program::parse([rule]).unwrap_err();
        assert_eq!((e.rule(), e.column()), (0, column), "{rule:?}: {e}");
        assert!(e.message().contains(says), "{rule:?}: {e}");
    }
    let file = fixture("sample.mrc");
    let (out, report) = edited(&file, &["set LDR/08 a", "set LDR/17-19 \"7i \""], 1);
    let mut records = 0;
    let mut at = 0;
    while at < out.len() {
        let r = RecordRef::parse(&out[at..]).unwrap();
        let leader = r.leader().as_bytes();
        assert_eq!((leader[8], &leader[17..20]), (b'a', &b"7i "[..]));
        assert_eq!(&leader[10..12], b"22");
        assert_eq!(&leader[20..24], b"4500");
        at += std::str::from_utf8(&leader[..5])
            .unwrap()
            .parse::<usize>()
            .unwrap();
        records += 1;
    }
    // Every record written (those that are not UTF-8 are the editor's errors).
    assert!(records > 0);
    assert_eq!(records, report.written);
    assert_eq!(records + report.errors.len(), file.len());
}

/// A condition's `9XX`-style tag is MARCspec's wildcard, as the rules' own
/// tag patterns read it: `where 6XX` and `where 6..` edit the same records
/// of sample.mrc, and some but not all of them.
#[test]
fn x_tags_in_conditions_are_wildcards() {
    let file = fixture("sample.mrc");
    let (x, x_report) = edited(&file, &["add 599 __ $a x where 6XX"], 1);
    let (dots, _) = edited(&file, &["add 599 __ $a x where 6.."], 1);
    assert_eq!(x, dots);
    let changed: usize = x_report.edits.iter().map(|e| e.records).sum();
    assert!(changed > 0 && changed < file.len(), "{changed}");
}

/// `record` with its fields' data laid out in reverse order behind the same
/// directory (entries in the same order, starts pointing to the moved data):
/// the same record to every reader, but not one whose fields lie one after
/// another.
fn reversed_layout(record: &RecordRef<'_>) -> Vec<u8> {
    let fields: Vec<_> = record.fields().collect();
    let mut starts = vec![0; fields.len()];
    let mut data = Vec::new();
    for (k, f) in fields.iter().enumerate().rev() {
        starts[k] = data.len();
        data.extend_from_slice(f.data());
        data.push(0x1e);
    }
    let base = 24 + 12 * fields.len() + 1;
    let total = base + data.len() + 1;
    let mut out = format!("{total:05}").into_bytes();
    out.extend_from_slice(&record.leader().as_bytes()[5..12]);
    out.extend_from_slice(format!("{base:05}").as_bytes());
    out.extend_from_slice(&record.leader().as_bytes()[17..]);
    for (f, start) in fields.iter().zip(&starts) {
        out.extend_from_slice(f.tag());
        out.extend_from_slice(format!("{:04}{start:05}", f.data().len() + 1).as_bytes());
    }
    out.push(0x1e);
    out.extend_from_slice(&data);
    out.push(0x1d);
    out
}

/// A changed record is written with its fields in directory order, one
/// after another, however the input laid them out: a record whose fields lie
/// in order (copied in runs of entries and data) and its twin whose data is
/// reversed (copied field by field) give the same bytes, under rules that
/// delete fields before others (every offset after them shifts), add and
/// copy fields, rename fields (a run keeps its entries but takes new tags) and
/// set only the leader (every field kept where it was). The first program's
/// bytes are also those of the same edit made on an `OwnedRecord`.
#[test]
fn fields_out_of_order_in_the_input_are_written_in_order() {
    let programs: &[&[&str]] = &[
        &["delete 9XX", "add 856 40 $u https://example.org/"],
        &["delete 00X", "rename 245 246", "rename 650 651"],
        &["copy 100 700", "delete 6XX", "set 245 ind2 4"],
        &["set LDR/05 c"],
    ];
    let file = fixture("sample.mrc");
    let mut compared = 0;
    for i in 0..file.len() {
        let record = file.record(i).unwrap();
        let twin_bytes = reversed_layout(&record);
        let twin = RecordRef::parse(&twin_bytes).unwrap();
        assert_eq!(fields(&twin), fields(&record), "record {i}");
        assert_ne!(twin_bytes, record.as_bytes(), "record {i}");
        for rules in programs {
            let program = Program::parse(*rules).unwrap();
            let mut editor = program.editor();
            let Some(in_order) = editor.edit(&record).unwrap().map(<[u8]>::to_vec) else {
                continue;
            };
            let reversed = editor.edit(&twin).unwrap().expect("the twin changes too");
            assert_eq!(reversed, &in_order[..], "record {i}, {rules:?}");
            RecordRef::parse(&in_order).unwrap();
            compared += 1;
        }
        let mut owned: OwnedRecord = twin.to_owned();
        owned.remove_matching("9XX".parse().unwrap());
        let mut link = OwnedField::data(*b"856", b'4', b'0');
        link.push_subfield(b'u', "https://example.org/");
        owned.insert_ordered(link);
        let program = Program::parse(programs[0]).unwrap();
        let by_program = program.editor().edit(&twin).unwrap().unwrap().to_vec();
        assert_eq!(owned.to_iso2709().unwrap(), by_program, "record {i}");
    }
    assert!(compared > 3 * file.len(), "{compared} records compared");
}

/// A record read through a handle that never validated it
/// (`MarcFile::handle_unvalidated`) may hold any digits in its directory: an
/// edit of it gives bytes or an error, never a panic, whatever the digits say.
#[test]
fn an_unvalidated_record_with_wild_directory_digits_edits_without_panicking() {
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sample.mrc"
    ))
    .unwrap();
    let first = MarcFile::from_bytes(sample.clone());
    let len = first.raw(0).unwrap().len();
    let program = Program::parse(["delete 9XX", "add 856 40 $u https://example.org/"]).unwrap();
    // Each directory entry's length, then its start, set to 9s: past the data.
    for entry in 0..4 {
        for digits in [3..7, 7..12] {
            let mut bytes = sample[..len].to_vec();
            let at = 24 + entry * 12;
            bytes[at + digits.start..at + digits.end].fill(b'9');
            let file = MarcFile::from_bytes(bytes);
            let handle = file.handle_unvalidated(0).expect("a record 0");
            let record = file.record_at(&handle);
            let mut editor = program.editor();
            let _ = editor.edit(&record);
        }
    }
}
