//! MARC-8 decoding throughput against Rust's own UTF-8 decoding.
//!
//! Run: `cargo run --release --example marc8_bench [corpus dir]`
//! (default corpus: `../shared/marc-corpus`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use marcmap::marc8::{decode, Marc8Options};

const TARGET: usize = 50 << 20;

/// Every subfield value of every record in `file` whose LDR/09 matches `utf8`.
fn subfields(file: &[u8], utf8: bool, out: &mut Vec<Vec<u8>>) {
    for rec in file.split(|&b| b == 0x1D) {
        let Some(start) = rec.iter().position(|b| b.is_ascii_digit()) else {
            continue;
        };
        let rec = &rec[start..];
        let num = |r: std::ops::Range<usize>| -> Option<usize> {
            std::str::from_utf8(rec.get(r)?).ok()?.trim().parse().ok()
        };
        if rec.len() < 24 || (rec[9] == b'a') != utf8 {
            continue;
        }
        let Some(base) = num(12..17) else { continue };
        let Some(dir) = rec.get(24..base.saturating_sub(1)) else {
            continue;
        };
        for e in dir.chunks_exact(12) {
            let (Some(len), Some(pos)) = (
                std::str::from_utf8(&e[3..7])
                    .ok()
                    .and_then(|s| s.parse::<usize>().ok()),
                std::str::from_utf8(&e[7..12])
                    .ok()
                    .and_then(|s| s.parse::<usize>().ok()),
            ) else {
                continue;
            };
            let Some(data) = rec.get(base + pos..base + pos + len) else {
                continue;
            };
            for sf in data.split(|&b| b == 0x1F).skip(1) {
                let v = sf.get(1..).unwrap_or_default();
                let v = v.strip_suffix(&[0x1E]).unwrap_or(v);
                out.push(v.to_vec());
            }
        }
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, files);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("mrc" | "marc" | "dat")
        ) {
            files.push(p);
        }
    }
}

fn repeat_to(values: &[Vec<u8>], target: usize) -> (Vec<&[u8]>, usize) {
    let (mut out, mut total) = (Vec::new(), 0);
    while total < target {
        for v in values {
            out.push(v.as_slice());
            total += v.len();
        }
    }
    (out, total)
}

fn main() {
    let corpus = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/marc-corpus".into());
    let mut files = Vec::new();
    walk(Path::new(&corpus), &mut files);
    let (mut m8, mut u8s) = (Vec::new(), Vec::new());
    for f in &files {
        let Ok(data) = std::fs::read(f) else { continue };
        subfields(&data, false, &mut m8);
        subfields(&data, true, &mut u8s);
    }
    let opts = Marc8Options {
        errors: marcmap::ErrorHandling::Replace,
        ..Marc8Options::default()
    };
    let nonascii = m8.iter().filter(|v| !v.is_ascii()).count();
    println!(
        "corpus: {} MARC-8 subfields ({nonascii} non-ASCII), {} UTF-8 subfields",
        m8.len(),
        u8s.len()
    );
    let u8s: Vec<Vec<u8>> = u8s
        .into_iter()
        .filter(|v| std::str::from_utf8(v).is_ok())
        .collect();

    let (m8_in, m8_bytes) = repeat_to(&m8, TARGET);
    let (u8_in, u8_bytes) = repeat_to(&u8s, TARGET);
    let mb = |bytes: usize, secs: f64| bytes as f64 / secs / 1e6;

    let t = Instant::now();
    let mut chars = 0usize;
    for v in &m8_in {
        chars += decode(v, &opts).map(|s| s.len()).unwrap_or(0);
    }
    let m8_secs = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut chars2 = 0usize;
    for v in &u8_in {
        chars2 += std::str::from_utf8(v)
            .map(|s| s.to_owned().len())
            .unwrap_or(0);
    }
    let u8_secs = t.elapsed().as_secs_f64();

    // Non-ASCII MARC-8 values only: the work the fast path does not skip.
    let hard: Vec<Vec<u8>> = m8.iter().filter(|v| !v.is_ascii()).cloned().collect();
    let (hard_in, hard_bytes) = repeat_to(&hard, TARGET / 5);
    let t = Instant::now();
    for v in &hard_in {
        chars += decode(v, &opts).map(|s| s.len()).unwrap_or(0);
    }
    let hard_secs = t.elapsed().as_secs_f64();

    let (a, b) = (mb(m8_bytes, m8_secs), mb(u8_bytes, u8_secs));
    println!("MARC-8 decode (NFC, Lc):        {m8_bytes} bytes in {m8_secs:.3} s = {a:.0} MB/s");
    println!(
        "MARC-8 decode, non-ASCII only:  {hard_bytes} bytes in {hard_secs:.3} s = {:.0} MB/s",
        mb(hard_bytes, hard_secs)
    );
    println!("UTF-8 from_utf8 + to_owned:     {u8_bytes} bytes in {u8_secs:.3} s = {b:.0} MB/s");
    println!(
        "ratio MARC-8 / UTF-8: {:.2}  (checksum {})",
        a / b,
        chars + chars2
    );
}
