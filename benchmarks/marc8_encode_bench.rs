//! MARC-8 encoding throughput on the LoC file's text, against Perl's
//! MARC::Charset (`utf8_to_marc8`) on the same values, side by side in one run.
//!
//! Run: `cargo run --release --example marc8_encode_bench -- benchmarks/data/BooksAll.2016.part01.utf8`
//!
//! 1. Every control field and subfield value of the file is decoded (UTF-8)
//!    into memory once.
//! 2. `marc8::encode_into` encodes all of them on one thread, into one reused
//!    buffer; best of three. Throughput is UTF-8 input bytes a second.
//! 3. The values with a character outside ASCII (the ones that need the
//!    encoder's real work) are timed on their own the same way.
//! 4. MARC::Charset encodes two samples (every value of the first records,
//!    about 2 MB, and the first 1 MB of the non-ASCII values; it runs at well
//!    under 1 MB/s) in one Perl process that times its own loop (reading the
//!    values is not timed); marcmap encodes the same samples, and the ratio is
//!    of the two rates. Values MARC::Charset gives up on (a character MARC-8
//!    lacks: it returns undef) are counted and timed like the rest.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use marcmap::marc8::encode_into;
use marcmap::{MarcFile, TextDecoder};

/// The text of every value of every record of `file`.
fn values(file: &MarcFile) -> Vec<String> {
    let decoder = TextDecoder::new();
    let mut out = Vec::new();
    for i in 0..file.len() {
        let Ok(record) = file.record(i) else { continue };
        let text = record.text(&decoder);
        for field in record.fields() {
            if field.is_control() {
                if let Ok(t) = text.data(&field) {
                    out.push(t.into_owned());
                }
                continue;
            }
            for sf in field.subfields() {
                if let Ok(t) = text.value(&field, sf.value) {
                    out.push(t.into_owned());
                }
            }
        }
    }
    out
}

/// Encodes every value once; returns (elapsed, input bytes, output bytes, references).
fn encode_all(values: &[&str]) -> (Duration, usize, usize, usize) {
    let mut buf = Vec::with_capacity(1 << 16);
    let (mut input, mut output, mut references) = (0, 0, 0);
    let start = Instant::now();
    for v in values {
        buf.clear();
        references += encode_into(v, &mut buf);
        input += v.len();
        output += buf.len();
    }
    (start.elapsed(), input, output, references)
}

fn best_of_three(values: &[&str]) -> (f64, usize, usize, usize) {
    let mut best = f64::MAX;
    let mut last = (0, 0, 0);
    for _ in 0..3 {
        let (t, i, o, r) = encode_all(values);
        best = best.min(t.as_secs_f64());
        last = (i, o, r);
    }
    (best, last.0, last.1, last.2)
}

fn mbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

/// MARC::Charset's `utf8_to_marc8` over `values` in one Perl process that
/// times its own loop; returns (seconds, values it gave up on).
fn marc_charset(values: &[&str]) -> Option<(f64, usize)> {
    let script = r#"
        use strict; use warnings; use Encode; use Time::HiRes qw(time);
        use MARC::Charset qw(utf8_to_marc8);
        $SIG{__WARN__} = sub {};
        my @values = map { chomp; Encode::decode('UTF-8', pack('H*', $_)) } <STDIN>;
        my $undef = 0;
        my $start = time;
        for my $v (@values) {
            my $out = eval { utf8_to_marc8($v) };
            $undef++ unless defined $out;
        }
        printf "%.6f %d\n", time - $start, $undef;
    "#;
    let mut child = Command::new("perl")
        .args(["-e", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let input: String = values
        .iter()
        .map(|v| v.bytes().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect();
    let mut stdin = child.stdin.take()?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let mut parts = text.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "benchmarks/data/BooksAll.2016.part01.utf8".into());
    let file = MarcFile::open(&path).expect("the LoC file (benchmarks/fetch_data.sh)");
    let owned = values(&file);
    let all: Vec<&str> = owned.iter().map(String::as_str).collect();
    let hard: Vec<&str> = all.iter().copied().filter(|v| !v.is_ascii()).collect();
    println!(
        "{}: {} records, {} values ({:.1} MB of text), {} with a non-ASCII character ({:.1} MB)",
        path,
        file.len(),
        all.len(),
        all.iter().map(|v| v.len()).sum::<usize>() as f64 / 1e6,
        hard.len(),
        hard.iter().map(|v| v.len()).sum::<usize>() as f64 / 1e6,
    );

    let (t, input, output, refs) = best_of_three(&all);
    println!(
        "marcmap encode, every value, 1 thread: {:.1} MB/s ({input} bytes in, {output} out, {refs} references, best of 3)",
        mbps(input, t)
    );
    let (t, input, _, _) = best_of_three(&hard);
    println!(
        "marcmap encode, non-ASCII values only, 1 thread: {:.1} MB/s",
        mbps(input, t)
    );

    // Samples for MARC::Charset (it runs at well under 1 MB/s): the values of
    // the first records (~2 MB, mostly ASCII, as the file is), and the first
    // ~1 MB of the non-ASCII values (the encoder's real work).
    for (what, from, limit) in [
        ("every value", &all, 2_000_000),
        ("non-ASCII values", &hard, 1_000_000),
    ] {
        let mut sample = Vec::new();
        let mut size = 0;
        for v in from.iter() {
            if size > limit {
                break;
            }
            sample.push(*v);
            size += v.len();
        }
        let (ours, input, _, _) = best_of_three(&sample);
        match marc_charset(&sample) {
            Some((theirs, gave_up)) => println!(
                "{what}, the same {} values ({:.1} MB): marcmap {:.1} MB/s, MARC::Charset {:.3} MB/s ({gave_up} undef): {:.0}x",
                sample.len(),
                input as f64 / 1e6,
                mbps(input, ours),
                mbps(input, theirs),
                theirs / ours
            ),
            None => println!("MARC::Charset not run (perl -MMARC::Charset failed)"),
        }
    }
}
