//! MARC-8 encoding against the two encoders in wide use: Perl's
//! MARC::Charset (`utf8_to_marc8`, Debian `libmarc-charset-perl`) and yaz
//! (`yaz-iconv -f utf8 -t marc8`, Debian `yaz`), on every distinct non-ASCII
//! value of the corpus (MARC-8 records decoded, UTF-8 records as they are).
//!
//! Where an oracle writes other bytes than we do, the disagreement is put in
//! one named [`Kind`], and which side is right is judged by LC's tables: the
//! bytes must decode (by the LC code tables, which our decoder implements and
//! `tests/marc8.rs` checks against LC's own gold pairs) to the text they were
//! made from. Our side always does (asserted here for every value).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use marcmap::marc8::{decode, encode, LigatureMapping, Marc8Options, Normalization};
use marcmap::{ErrorHandling, Framing, OpenOptions};
use unicode_normalization::UnicodeNormalization;

#[path = "common/corpus_dir.rs"]
mod corpus_dir;

fn strict() -> Marc8Options {
    Marc8Options {
        errors: ErrorHandling::Strict,
        normalization: Normalization::Nfc,
        ligatures: LigatureMapping::Lc,
    }
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Every distinct non-ASCII text value (control field or subfield) of the
/// corpus's ISO 2709 records, in NFC.
fn corpus_texts(dir: &Path) -> BTreeSet<String> {
    let mut files = Vec::new();
    corpus_dir::walk(dir, &mut files);
    let mut texts = BTreeSet::new();
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let digits = bytes.len() >= 5 && bytes[..5].iter().all(u8::is_ascii_digit);
        if !(digits && bytes.contains(&0x1D)) {
            continue;
        }
        let Ok(file) = OpenOptions::new().framing(Framing::Lenient).open(&path) else {
            continue;
        };
        for i in 0..file.len() {
            let Ok(record) = file.record(i) else { continue };
            let utf8 = record.as_bytes().get(9) == Some(&b'a') || record.is_mislabelled_utf8();
            for field in record.fields() {
                let mut parts = Vec::new();
                if field.is_control() {
                    parts.push(field.data().strip_suffix(&[0x1E]).unwrap_or(field.data()));
                }
                parts.extend(field.subfields().map(|s| s.value));
                for part in parts {
                    let text = if utf8 {
                        std::str::from_utf8(part).ok().map(str::to_owned)
                    } else {
                        decode(part, &strict()).ok()
                    };
                    if let Some(text) = text.filter(|t| !t.is_ascii()) {
                        texts.insert(nfc(&text));
                    }
                }
            }
        }
    }
    texts
}

/// True when `program` runs (`args` is a harmless invocation). Without it
/// the test is skipped, except under CI, where the oracle must be installed
/// (scripts/test.sh installs the Debian packages).
fn oracle_present(what: &str, program: &str, args: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        ok || !ci,
        "CI=true but {what} is missing (scripts/test.sh installs it)"
    );
    if !ok {
        eprintln!("{what} differential skipped: {what} is not installed");
    }
    ok
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// MARC::Charset's `utf8_to_marc8` of each text: `None` where it gives up
/// (it returns undef for a character it cannot map).
fn marc_charset(texts: &[&String]) -> Vec<Option<Vec<u8>>> {
    let script = r#"
        use strict; use warnings; use Encode;
        use MARC::Charset qw(utf8_to_marc8);
        $SIG{__WARN__} = sub {};
        binmode STDOUT;
        while (my $line = <STDIN>) {
            chomp $line;
            my $text = Encode::decode('UTF-8', pack('H*', $line));
            my $out = eval { utf8_to_marc8($text) };
            if (defined $out) { print unpack('H*', Encode::encode('latin1', $out)), "\n" }
            else { print "-\n" }
        }
    "#;
    let mut child = Command::new("perl")
        .args(["-e", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("perl runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input: String = texts.iter().map(|t| hex(t.as_bytes()) + "\n").collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("perl finishes");
    writer.join().expect("writer").expect("write to perl");
    let lines: Vec<Option<Vec<u8>>> = String::from_utf8(out.stdout)
        .expect("hex output")
        .lines()
        .map(|l| (l != "-").then(|| unhex(l)))
        .collect();
    assert_eq!(
        lines.len(),
        texts.len(),
        "MARC::Charset answered every value"
    );
    lines
}

/// `yaz-iconv -f utf8 -t marc8` of each text, given in NFD: yaz does not
/// decompose, and drops a precomposed letter it has no code for (é, ĭ) where
/// it would write the letter and its mark; see `yaz_needs_decomposed_input`.
///
/// One process for all values: they are joined by 0x1E, which yaz passes
/// through after designating ASCII again (it designates no G1 set but
/// ANSEL), so each value starts from the defaults as it would alone.
fn yaz(texts: &[&String]) -> Vec<Vec<u8>> {
    let input: String = texts.iter().map(|t| t.to_string() + "\u{1E}").collect();
    let mut child = Command::new("yaz-iconv")
        .args(["-f", "utf8", "-t", "marc8"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("yaz-iconv runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("yaz-iconv finishes");
    writer.join().expect("writer").expect("write to yaz-iconv");
    assert!(out.status.success(), "yaz-iconv failed");
    let mut values: Vec<Vec<u8>> = out
        .stdout
        .split(|&b| b == 0x1E)
        .map(<[u8]>::to_vec)
        .collect();
    assert_eq!(
        values.pop().as_deref(),
        Some(&b""[..]),
        "yaz output ends with the separator"
    );
    assert_eq!(values.len(), texts.len(), "yaz-iconv answered every value");
    values
}

/// The graphic bytes, each with the final byte of the set it was written in
/// (`B` for ASCII however designated; none for space and controls).
fn tokens(bytes: &[u8]) -> Vec<(u8, u8)> {
    let (mut g0, mut g1) = (b'B', b'E');
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != 0x1B {
            let set = match b {
                0x21..=0x7E => g0,
                0xA1..=0xFE => g1,
                _ => 0,
            };
            out.push((set, b));
            i += 1;
            continue;
        }
        // ESC, then intermediates ($ ( ) , - !), then one final byte.
        let start = i;
        i += 1;
        while bytes.get(i).is_some_and(|b| b"$(),-!".contains(b)) {
            i += 1;
        }
        let f = bytes.get(i).copied().unwrap_or(0);
        let is_g1 = bytes[start..i].iter().any(|b| b")-".contains(b));
        match (is_g1, f) {
            (true, f) => g1 = f,
            (false, b's') => g0 = b'B',
            (false, f) => g0 = f,
        }
        i += 1;
    }
    out
}

/// How an oracle's bytes differ from ours, and so which is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    // The oracle is wrong by LC's tables (its bytes do not give the text back):
    /// MARC::Charset gives up (returns undef) at a character MARC-8 lacks,
    /// or at pymarc's ligature halves U+FE20-FE23 (the LC table's
    /// alternatives for 0xEB/0xEC); we write LC's lossless `&#xHHHH;` or the
    /// halves.
    GivesUp,
    /// Characters MARC-8 lacks are silently dropped (yaz `-t marc8`); we
    /// write them as `&#xHHHH;`, LC's lossless rule.
    DropsUnmapped,
    /// Characters MARC-8 does have are dropped: yaz does not decompose, so a
    /// precomposed letter with no code of its own (é, ĭ, ā) disappears where
    /// MARC-8 writes the letter after its mark.
    DropsMappable,
    /// The bytes decode to other text or not at all: MARC::Charset writes a
    /// combining mark before the last *byte* (inside an EACC character or an
    /// escape sequence), `?` for the C1 non-sort markers, and a wrong EACC
    /// code for U+2019.
    Garbled,
    // Both are right (both decode to the text); the bytes differ in form:
    /// The oracle ends with `ESC s` when ASCII is already designated
    /// (MARC::Charset always does once it has left ASCII).
    FinalEscapeForm,
    /// Only the escape sequences differ: where the script's set is left
    /// (before or after a space; digits and punctuation kept in the script's
    /// set, which has them, or written in ASCII), and `ESC ( B` or `ESC s`
    /// after the sub/superscript sets.
    EscapePlacement,
    /// The same character from another of the sets the LC tables give it:
    /// α β γ from the Greek symbol set, “ ” from Basic Arabic rather than
    /// Basic Greek, Extended Cyrillic designated as G0 (yaz) rather than G1.
    OtherSet,
    /// Combining marks in another order, or a ligature's second half
    /// written or left out where no letter follows.
    MarkPlacement,
}

impl Kind {
    fn oracle_is_wrong(self) -> bool {
        self <= Kind::Garbled
    }
}

/// pymarc's ligature halves U+FE20-FE23 as LC's mapping reads their bytes
/// back: the first halves as U+0361 / U+0360, the second halves as nothing.
fn lc_ligatures(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\u{FE20}' => Some('\u{361}'),
            '\u{FE22}' => Some('\u{360}'),
            '\u{FE21}' | '\u{FE23}' => None,
            c => Some(c),
        })
        .collect()
}

/// True when `short` is `long` with some characters left out.
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.by_ref().any(|d| d == c))
}

fn classify(text: &str, ours: &[u8], theirs: Option<&[u8]>) -> Kind {
    let Some(theirs) = theirs else {
        return Kind::GivesUp;
    };
    // Compared decomposed (a dropped mark shows as a dropped character), and
    // with pymarc's ligature halves as LC's decoding reads them back.
    let nfd = |s: &str| lc_ligatures(&s.nfd().collect::<String>());
    match decode(theirs, &strict()).map(|t| nfd(&t)) {
        Ok(t) if t == nfd(text) => {}
        Ok(t) if is_subsequence(&t, &nfd(text)) => {
            // Dropped: only what we write as references, or more?
            let lacking: String = nfd(text)
                .chars()
                // (After a letter, so that a mark counts as the mark it is.)
                .filter(|&c| encode(&format!("a{c}")).windows(3).any(|w| w == b"&#x"))
                .collect();
            let without: String = nfd(text)
                .chars()
                .filter(|c| !lacking.contains(*c))
                .collect();
            return if t == without {
                Kind::DropsUnmapped
            } else {
                Kind::DropsMappable
            };
        }
        _ => return Kind::Garbled,
    }
    let trimmed = |b: &[u8]| {
        let mut b = b.to_vec();
        for tail in [&b"\x1bs"[..], b"\x1b)E", b"\x1b)!E", b"\x1b(B"] {
            if b.ends_with(tail) {
                b.truncate(b.len() - tail.len());
            }
        }
        b
    };
    if trimmed(ours) == trimmed(theirs) {
        return Kind::FinalEscapeForm;
    }
    let (a, b) = (tokens(ours), tokens(theirs));
    if a.len() == b.len() {
        // The same characters. Where they differ only in the set of an ASCII
        // digit or punctuation mark (which the script's set also has), the
        // escapes were placed differently; otherwise a character came from
        // another set.
        let placement = a.iter().zip(&b).all(|(x, y)| {
            x == y || (x.1 == y.1 && (x.1.is_ascii_punctuation() || x.1.is_ascii_digit()))
        });
        if placement {
            return Kind::EscapePlacement;
        }
    }
    let marks = |v: &[(u8, u8)]| {
        let mut v: Vec<(u8, u8)> = v
            .iter()
            .copied()
            .filter(|&(_, x)| x != 0xEC && x != 0xFB)
            .collect();
        v.sort_unstable();
        v
    };
    if marks(&a) == marks(&b) {
        return Kind::MarkPlacement;
    }
    Kind::OtherSet
}

/// Compare our bytes with one oracle's on every text; returns the number of
/// identical answers and the disagreements by kind.
fn compare(
    name: &str,
    texts: &[&String],
    theirs: &[Option<&[u8]>],
) -> (usize, BTreeMap<Kind, usize>) {
    let mut same = 0;
    let mut kinds = BTreeMap::<Kind, usize>::new();
    let mut examples = String::new();
    for (text, theirs) in texts.iter().zip(theirs) {
        let ours = encode(text);
        // Ours is right for every value: it decodes (by the LC tables) to the text.
        let back = decode(&ours, &strict()).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(
            nfc(&lc_ligatures(&back)),
            nfc(&lc_ligatures(text)),
            "{text:?}"
        );
        if *theirs == Some(&ours[..]) {
            same += 1;
            continue;
        }
        let kind = classify(text, &ours, *theirs);
        let n = kinds.entry(kind).or_default();
        *n += 1;
        if *n == 1 {
            examples += &format!(
                "  {kind:?}: {text:?}\n    ours   {:?}\n    {name} {:?}\n",
                String::from_utf8_lossy(&ours),
                theirs.map(String::from_utf8_lossy)
            );
        }
    }
    eprintln!(
        "{name}: {same} of {} values identical; disagreements {kinds:?}; the first of each:\n{examples}",
        texts.len()
    );
    (same, kinds)
}

#[test]
fn against_marc_charset() {
    let Some(dir) = corpus_dir::corpus_dir("MARC::Charset differential") else {
        return;
    };
    if !oracle_present("MARC::Charset", "perl", &["-MMARC::Charset", "-e", "1"]) {
        return;
    }
    let texts = corpus_texts(&dir);
    let texts: Vec<&String> = texts.iter().collect();
    assert!(texts.len() > 5000, "only {} non-ASCII values", texts.len());
    let theirs = marc_charset(&texts);
    let theirs: Vec<Option<&[u8]>> = theirs.iter().map(Option::as_deref).collect();
    let (same, kinds) = compare("MARC::Charset", &texts, &theirs);
    // Wrong by LC's tables only where it gives up or garbles (a handful).
    for (kind, n) in &kinds {
        let allowed = matches!(kind, Kind::GivesUp)
            || (*kind == Kind::Garbled && *n <= 10)
            || !kind.oracle_is_wrong();
        assert!(allowed, "MARC::Charset: {n} × {kind:?}");
    }
    assert!(same * 4 >= texts.len() * 3, "only {same} identical");
}

#[test]
fn against_yaz() {
    let Some(dir) = corpus_dir::corpus_dir("yaz-iconv differential") else {
        return;
    };
    if !oracle_present(
        "yaz-iconv",
        "yaz-iconv",
        &["-f", "utf8", "-t", "marc8", "/dev/null"],
    ) {
        return;
    }
    let texts = corpus_texts(&dir);
    let texts: Vec<&String> = texts.iter().collect();
    assert!(texts.len() > 5000, "only {} non-ASCII values", texts.len());
    let theirs = yaz(&texts);
    let theirs: Vec<Option<&[u8]>> = theirs.iter().map(|v| Some(&v[..])).collect();
    let (same, kinds) = compare("yaz-iconv", &texts, &theirs);
    for (kind, n) in &kinds {
        let allowed = matches!(kind, Kind::DropsUnmapped | Kind::DropsMappable)
            || (*kind == Kind::Garbled && *n <= 10)
            || !kind.oracle_is_wrong();
        assert!(allowed, "yaz: {n} × {kind:?}");
    }
    assert!(same * 3 >= texts.len() * 2, "only {same} identical");
}

/// The classification can tell each kind apart (on hand-made answers).
#[test]
fn kinds_are_told_apart() {
    let t = "Caf\u{E9} \u{263A}".to_string();
    let ours = encode(&t);
    assert_eq!(classify(&t, &ours, None), Kind::GivesUp);
    assert_eq!(classify(&t, &ours, Some(b"Caf\xE2e ")), Kind::DropsUnmapped);
    assert_eq!(classify(&t, &ours, Some(b"Caf ")), Kind::DropsMappable);
    assert_eq!(classify(&t, &ours, Some(b"Caf? ")), Kind::Garbled);
    let t = "\u{41C}\u{438}\u{440}, \u{3B1}".to_string();
    let ours = encode(&t);
    assert_eq!(ours, b"\x1b(NmIR,\x1b(S a\x1b(B");
    assert_eq!(
        classify(&t, &ours, Some(b"\x1b(NmIR,\x1b(S a\x1b(B\x1bs")),
        Kind::FinalEscapeForm
    );
    assert_eq!(
        classify(&t, &ours, Some(b"\x1b(NmIR\x1b(B,\x1b(S a\x1b(B")),
        Kind::EscapePlacement
    );
    assert_eq!(
        classify(&t, &ours, Some(b"\x1b(NmIR,\x1bg a\x1bs")),
        Kind::OtherSet
    );
    let t = "e\u{323}\u{302}".to_string();
    assert_eq!(
        classify(&t, &encode(&t), Some(b"\xE3\xF2e")),
        Kind::MarkPlacement
    );
}
