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

    // The same text as UTF-8: every MARC-8 value decoded once, so that both
    // sides handle the same values (count, lengths, content) and allocate one
    // `String` per value.
    let m8_utf8: Vec<Vec<u8>> = m8
        .iter()
        .map(|v| decode(v, &opts).unwrap_or_default().into_bytes())
        .collect();
    let hard: Vec<Vec<u8>> = m8.iter().filter(|v| !v.is_ascii()).cloned().collect();
    let hard_utf8: Vec<Vec<u8>> = hard
        .iter()
        .map(|v| decode(v, &opts).unwrap_or_default().into_bytes())
        .collect();

    let (m8_in, m8_bytes) = repeat_to(&m8, TARGET);
    let (u8_in, u8_bytes) = repeat_to(&u8s, TARGET);
    let (same_in, same_bytes) = repeat_to(&m8_utf8, TARGET);
    let easy: Vec<Vec<u8>> = m8.iter().filter(|v| v.is_ascii()).cloned().collect();
    let (easy_in, easy_bytes) = repeat_to(&easy, TARGET);
    let (hard_in, hard_bytes) = repeat_to(&hard, TARGET / 5);
    let (hard_u8_in, hard_u8_bytes) = repeat_to(&hard_utf8, TARGET / 5);
    let mb = |bytes: usize, secs: f64| bytes as f64 / secs / 1e6;
    println!(
        "mean value length: MARC-8 {:.1} bytes, UTF-8 corpus {:.1} bytes",
        m8_bytes as f64 / m8_in.len() as f64,
        u8_bytes as f64 / u8_in.len() as f64
    );

    let mut check = 0usize;
    let mut time_m8 = |vals: &[&[u8]]| {
        let t = Instant::now();
        for v in vals {
            // `black_box`: the optimiser must not drop the `String`.
            check += decode(v, &opts)
                .map(|s| std::hint::black_box(s).len())
                .unwrap_or(0);
        }
        t.elapsed().as_secs_f64()
    };
    let mut check2 = 0usize;
    let mut time_u8 = |vals: &[&[u8]]| {
        let t = Instant::now();
        for v in vals {
            check2 += std::str::from_utf8(v)
                .map(|s| std::hint::black_box(s.to_owned()).len())
                .unwrap_or(0);
        }
        t.elapsed().as_secs_f64()
    };
    // Best of several rounds, the two sides interleaved, to damp noise.
    let rounds = std::env::var("MARC8_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let (mut m8_s, mut hard_s, mut u8_s, mut same_s, mut hard_u8_s) =
        (f64::MAX, f64::MAX, f64::MAX, f64::MAX, f64::MAX);
    let (mut easy_s, mut easy_u8_s) = (f64::MAX, f64::MAX);
    for _ in 0..rounds {
        m8_s = m8_s.min(time_m8(&m8_in));
        same_s = same_s.min(time_u8(&same_in));
        u8_s = u8_s.min(time_u8(&u8_in));
        hard_s = hard_s.min(time_m8(&hard_in));
        hard_u8_s = hard_u8_s.min(time_u8(&hard_u8_in));
        easy_s = easy_s.min(time_m8(&easy_in));
        easy_u8_s = easy_u8_s.min(time_u8(&easy_in));
    }

    let (a, b, c) = (
        mb(m8_bytes, m8_s),
        mb(u8_bytes, u8_s),
        mb(same_bytes, same_s),
    );
    let (h, hu) = (mb(hard_bytes, hard_s), mb(hard_u8_bytes, hard_u8_s));
    println!("best of {rounds} rounds:");
    println!("MARC-8 decode (NFC, Lc):        {m8_bytes} bytes in {m8_s:.3} s = {a:.0} MB/s");
    println!("MARC-8 decode, non-ASCII only:  {hard_bytes} bytes in {hard_s:.3} s = {h:.0} MB/s");
    println!("UTF-8 from_utf8 + to_owned, UTF-8 corpus:        {u8_bytes} bytes in {u8_s:.3} s = {b:.0} MB/s");
    println!("UTF-8 from_utf8 + to_owned, same text as MARC-8: {same_bytes} bytes in {same_s:.3} s = {c:.0} MB/s");
    println!("UTF-8 from_utf8 + to_owned, same non-ASCII text: {hard_u8_bytes} bytes in {hard_u8_s:.3} s = {hu:.0} MB/s");
    let (e, eu) = (mb(easy_bytes, easy_s), mb(easy_bytes, easy_u8_s));
    println!("MARC-8 decode, ASCII-only values: {easy_bytes} bytes in {easy_s:.3} s = {e:.0} MB/s");
    println!("UTF-8 from_utf8 + to_owned, same ASCII values: {easy_bytes} bytes in {easy_u8_s:.3} s = {eu:.0} MB/s");
    println!("ratio MARC-8 / UTF-8 corpus:           {:.2}", a / b);
    println!("ratio MARC-8 / UTF-8 same text:        {:.2}", a / c);
    println!("ratio non-ASCII MARC-8 / same UTF-8:   {:.2}", h / hu);
    println!("ratio ASCII-only MARC-8 / same UTF-8:  {:.2}", e / eu);
    println!("(checksum {})", check + check2);
}
