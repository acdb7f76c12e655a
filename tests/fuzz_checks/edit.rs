//! The edit language's parser and editor over arbitrary text: each line of the
//! input is a rule. Any text is a program or an error that names a rule and a
//! column inside it, never a panic; a program that parses edits a real-shaped
//! record without panicking, and a changed record reads back.

use marcmap::edit::Program;
use marcmap::{OwnedRecord, RecordRef};

/// A small record with control and data fields, repeated tags and a 9XX, for
/// the rules to work on.
fn record() -> Vec<u8> {
    OwnedRecord::builder()
        .control(*b"001", "ocm00012345")
        .control(*b"008", "850502s1985    nyu           000 0 eng  ")
        .data(*b"040", b' ', b' ')
        .subfield(b'a', "DLC")
        .subfield(b'd', "OCoLC")
        .data(*b"100", b'1', b' ')
        .subfield(b'a', "Name, A.")
        .data(*b"245", b'1', b'4')
        .subfield(b'a', "The title /")
        .subfield(b'c', "by A. Name.")
        .data(*b"650", b' ', b'0')
        .subfield(b'a', "Jazz")
        .subfield(b'x', "History")
        .data(*b"650", b' ', b'0')
        .subfield(b'a', "Blues")
        .data(*b"949", b' ', b' ')
        .subfield(b'a', "local")
        .build()
        .to_iso2709()
        .expect("a small record")
}

pub fn check_edit(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let rules: Vec<&str> = text.lines().collect();
    match Program::parse(&rules) {
        Err(e) => {
            let rule = rules.get(e.rule()).expect("the error names a rule");
            assert!(
                e.column() >= 1 && e.column() <= rule.chars().count() + 1,
                "column {} outside rule {rule:?}",
                e.column()
            );
            assert!(!e.message().is_empty());
            let _ = e.to_string();
        }
        Ok(program) => {
            assert_eq!(program.len(), rules.len());
            let bytes = record();
            let input = RecordRef::parse(&bytes).unwrap();
            let mut editor = program.editor();
            // An error (a record grown past 99,999 bytes) is fine; a panic is not.
            if let Ok(Some(out)) = editor.edit(&input) {
                let out = out.to_vec();
                let again = RecordRef::parse(&out).expect("an edited record reads back");
                assert_eq!(again.leader().record_length(), Some(out.len()));
            }
        }
    }
}
