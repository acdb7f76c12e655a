//! Writes a large synthetic MARC 21 file for the benchmark.
//!
//! ```text
//! cargo run --release --example gen_synthetic -- benchmarks/data/synthetic.mrc 768
//! ```
//!
//! The second argument is the target size in MB (default 768). Records imitate
//! Library of Congress book records: control fields 001/003/005/008, then the usual
//! data fields (010, 020, 040, 050, 082, 100, 245, 264, 300, 336-338, 490, 5xx,
//! 6xx, 7xx, 856) with realistic repeat counts, indicators and subfield mixes, some
//! long notes (505/520), and about one word in twelve with non-ASCII UTF-8. The
//! output is deterministic (fixed seed), so runs on different machines compare.

use std::fs::File;
use std::io::{BufWriter, Write};

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    /// True with probability `p` percent.
    fn pct(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() as usize % items.len()]
    }
}

const WORDS: &[&str] = &[
    "history",
    "of",
    "the",
    "and",
    "in",
    "a",
    "study",
    "American",
    "library",
    "science",
    "introduction",
    "to",
    "theory",
    "practice",
    "new",
    "world",
    "war",
    "politics",
    "economic",
    "development",
    "social",
    "culture",
    "art",
    "music",
    "language",
    "literature",
    "poems",
    "letters",
    "collected",
    "works",
    "essays",
    "report",
    "proceedings",
    "conference",
    "national",
    "international",
    "university",
    "press",
    "guide",
    "handbook",
    "modern",
    "early",
    "century",
    "twentieth",
    "nineteenth",
    "children",
    "education",
    "religion",
    "philosophy",
    "law",
    "government",
    "United",
    "States",
    "China",
    "Europe",
    "women",
    "family",
    "life",
    "biography",
    "analysis",
    "methods",
    "systems",
    "data",
    "computer",
    "programming",
    "engineering",
];

const UNICODE_WORDS: &[&str] = &[
    "Gesellschaft für",
    "Éditions",
    "München",
    "Kraków",
    "Łódź",
    "São Paulo",
    "Ñuñoa",
    "Zürich",
    "Ελληνική",
    "русский язык",
    "中国历史",
    "日本語",
    "한국어",
    "Dvořák",
    "Ålesund",
];

const NAMES: &[&str] = &[
    "Smith, John",
    "Müller, Hans",
    "García Márquez, Gabriel",
    "Nowak, Anna",
    "Tanaka, Hiroshi",
    "Johnson, Mary E.",
    "Dubois, Pierre",
    "Rossi, Giulia",
    "Ivanov, Sergeĭ",
    "Li, Wei",
    "Brown, Robert",
    "Okafor, Chinwe",
    "Kowalski, Piotr",
    "Andersson, Karin",
];

const PLACES: &[&str] = &[
    "New York",
    "London",
    "Chicago",
    "Berlin",
    "Paris",
    "Tokyo",
    "Washington, D.C.",
    "Oxford",
    "Cambridge, Mass.",
    "Boston",
    "Toronto",
    "München",
    "Kraków",
];

const PUBLISHERS: &[&str] = &[
    "Oxford University Press",
    "Routledge",
    "Springer",
    "Penguin Books",
    "Wiley",
    "Harper & Row",
    "Random House",
    "Cambridge University Press",
    "Éditions Gallimard",
    "Verlag C.H. Beck",
    "MIT Press",
    "Library of Congress",
];

/// Appends `n` words of text (with occasional UTF-8) to `out`.
fn words(rng: &mut Rng, out: &mut Vec<u8>, n: usize) {
    for i in 0..n {
        if i > 0 {
            out.push(b' ');
        }
        let w = if rng.pct(8) {
            rng.pick(UNICODE_WORDS)
        } else {
            rng.pick(WORDS)
        };
        out.extend_from_slice(w.as_bytes());
    }
}

struct RecordBuilder {
    fields: Vec<([u8; 3], Vec<u8>)>,
    cur: Vec<u8>,
}

impl RecordBuilder {
    fn control(&mut self, tag: &[u8; 3], value: &[u8]) {
        self.fields.push((*tag, value.to_vec()));
    }
    /// Starts a data field; add subfields with `sf`, finish with `end`.
    fn data(&mut self, ind: &[u8; 2]) {
        self.cur.clear();
        self.cur.extend_from_slice(ind);
    }
    fn sf(&mut self, code: u8) -> &mut Vec<u8> {
        self.cur.push(0x1F);
        self.cur.push(code);
        &mut self.cur
    }
    fn end(&mut self, tag: &[u8; 3]) {
        self.fields.push((*tag, std::mem::take(&mut self.cur)));
    }

    /// Serialises as ISO 2709 into `out`.
    fn write(&mut self, out: &mut Vec<u8>) {
        let base = 24 + 12 * self.fields.len() + 1;
        let data_len: usize = self.fields.iter().map(|(_, d)| d.len() + 1).sum();
        let total = base + data_len + 1;
        assert!(total <= 99_999, "synthetic record too long");
        out.extend_from_slice(format!("{total:05}cam a22{base:05} i 4500").as_bytes());
        let mut start = 0;
        for (tag, d) in &self.fields {
            out.extend_from_slice(tag);
            out.extend_from_slice(format!("{:04}{start:05}", d.len() + 1).as_bytes());
            start += d.len() + 1;
        }
        out.push(0x1E);
        for (_, d) in &self.fields {
            out.extend_from_slice(d);
            out.push(0x1E);
        }
        out.push(0x1D);
        self.fields.clear();
    }
}

fn record(rng: &mut Rng, n: u64, b: &mut RecordBuilder, out: &mut Vec<u8>) {
    let year = 1900 + rng.range(0, 116);
    b.control(b"001", format!("  {:08} ", 2_016_000_000 + n).as_bytes());
    b.control(b"003", b"DLC");
    b.control(
        b"005",
        format!("2016{:02}{:02}101010.0", rng.range(1, 12), rng.range(1, 28)).as_bytes(),
    );
    b.control(
        b"008",
        format!("160101s{year}    nyua   e b    001 0 eng  ").as_bytes(),
    );

    b.data(b"  ");
    b.sf(b'a')
        .extend_from_slice(format!("  {:08}", 2_016_000_000 + n).as_bytes());
    b.end(b"010");

    for _ in 0..rng.range(0, 3) {
        b.data(b"  ");
        b.sf(b'a')
            .extend_from_slice(format!("978{:010}", rng.next() % 10_000_000_000).as_bytes());
        if rng.pct(60) {
            b.sf(b'q').extend_from_slice(
                rng.pick(&["(hardcover)", "(paperback)", "(ebook)"])
                    .as_bytes(),
            );
        }
        b.end(b"020");
    }
    if rng.pct(40) {
        b.data(b"  ");
        b.sf(b'a')
            .extend_from_slice(format!("(OCoLC){}", rng.next() % 1_000_000_000).as_bytes());
        b.end(b"035");
    }

    b.data(b"  ");
    b.sf(b'a').extend_from_slice(b"DLC");
    b.sf(b'b').extend_from_slice(b"eng");
    b.sf(b'c').extend_from_slice(b"DLC");
    if rng.pct(50) {
        b.sf(b'e').extend_from_slice(b"rda");
    }
    b.sf(b'd').extend_from_slice(b"DLC");
    b.end(b"040");

    if rng.pct(50) {
        b.data(b"  ");
        b.sf(b'a').extend_from_slice(b"pcc");
        b.end(b"042");
    }
    if rng.pct(90) {
        b.data(b"00");
        b.sf(b'a')
            .extend_from_slice(format!("QA{}.{}", rng.range(1, 999), rng.range(1, 99)).as_bytes());
        b.sf(b'b')
            .extend_from_slice(format!(".R{} {year}", rng.range(10, 99)).as_bytes());
        b.end(b"050");
    }
    if rng.pct(60) {
        b.data(b"00");
        b.sf(b'a')
            .extend_from_slice(format!("{}.{}", rng.range(1, 999), rng.range(1, 9999)).as_bytes());
        b.sf(b'2').extend_from_slice(b"23");
        b.end(b"082");
    }
    let author = rng.pick(NAMES);
    if rng.pct(80) {
        b.data(b"1 ");
        b.sf(b'a')
            .extend_from_slice(format!("{author},").as_bytes());
        if rng.pct(50) {
            b.sf(b'd')
                .extend_from_slice(format!("{}-", rng.range(1850, 1990)).as_bytes());
        }
        if rng.pct(40) {
            b.sf(b'e').extend_from_slice(b"author.");
        }
        b.end(b"100");
    }

    b.data(b"10");
    let n_words = rng.range(2, 12);
    words(rng, b.sf(b'a'), n_words);
    b.cur.extend_from_slice(b" :");
    if rng.pct(60) {
        let n_words = rng.range(2, 10);
        words(rng, b.sf(b'b'), n_words);
        b.cur.extend_from_slice(b" /");
    }
    b.sf(b'c')
        .extend_from_slice(format!("{author}.").as_bytes());
    b.end(b"245");

    if rng.pct(20) {
        b.data(b"3 ");
        let n_words = rng.range(2, 8);
        words(rng, b.sf(b'a'), n_words);
        b.end(b"246");
    }
    if rng.pct(30) {
        b.data(b"  ");
        b.sf(b'a')
            .extend_from_slice(format!("{}th edition.", rng.range(2, 12)).as_bytes());
        b.end(b"250");
    }

    b.data(b" 1");
    b.sf(b'a')
        .extend_from_slice(format!("{} :", rng.pick(PLACES)).as_bytes());
    b.sf(b'b')
        .extend_from_slice(format!("{},", rng.pick(PUBLISHERS)).as_bytes());
    b.sf(b'c').extend_from_slice(format!("[{year}]").as_bytes());
    b.end(b"264");

    b.data(b"  ");
    b.sf(b'a')
        .extend_from_slice(format!("xii, {} pages :", rng.range(20, 900)).as_bytes());
    if rng.pct(50) {
        b.sf(b'b').extend_from_slice(b"illustrations, maps ;");
    }
    b.sf(b'c')
        .extend_from_slice(format!("{} cm", rng.range(18, 31)).as_bytes());
    b.end(b"300");

    if rng.pct(70) {
        for (tag, a, code) in [
            (b"336", "text", "txt"),
            (b"337", "unmediated", "n"),
            (b"338", "volume", "nc"),
        ] {
            b.data(b"  ");
            b.sf(b'a').extend_from_slice(a.as_bytes());
            b.sf(b'b').extend_from_slice(code.as_bytes());
            b.sf(b'2').extend_from_slice(b"rdacontent");
            b.end(tag);
        }
    }
    if rng.pct(30) {
        b.data(b"1 ");
        let n_words = rng.range(2, 6);
        words(rng, b.sf(b'a'), n_words);
        b.sf(b'v')
            .extend_from_slice(format!("v. {}", rng.range(1, 60)).as_bytes());
        b.end(b"490");
    }
    for _ in 0..rng.range(0, 3) {
        b.data(b"  ");
        let n_words = rng.range(3, 25);
        words(rng, b.sf(b'a'), n_words);
        b.end(b"500");
    }
    if rng.pct(50) {
        b.data(b"  ");
        b.sf(b'a').extend_from_slice(
            format!(
                "Includes bibliographical references (pages {}-{}) and index.",
                rng.range(100, 300),
                rng.range(301, 500)
            )
            .as_bytes(),
        );
        b.end(b"504");
    }
    if rng.pct(15) {
        b.data(b"0 ");
        let n_words = rng.range(60, 300);
        words(rng, b.sf(b'a'), n_words);
        b.end(b"505");
    }
    if rng.pct(30) {
        b.data(b"  ");
        let n_words = rng.range(30, 120);
        words(rng, b.sf(b'a'), n_words);
        b.end(b"520");
    }
    for _ in 0..rng.range(0, 6) {
        let tag: &[u8; 3] = match rng.range(0, 9) {
            0 => b"600",
            1 => b"651",
            _ => b"650",
        };
        b.data(b" 0");
        let n_words = rng.range(1, 4);
        words(rng, b.sf(b'a'), n_words);
        for code in [b'x', b'z', b'v'] {
            if rng.pct(40) {
                let n_words = rng.range(1, 3);
                words(rng, b.sf(code), n_words);
            }
        }
        b.end(tag);
    }
    for _ in 0..rng.range(0, 4) {
        b.data(b"1 ");
        b.sf(b'a')
            .extend_from_slice(format!("{},", rng.pick(NAMES)).as_bytes());
        if rng.pct(50) {
            b.sf(b'e').extend_from_slice(b"editor.");
        }
        b.end(b"700");
    }
    if rng.pct(20) {
        b.data(b"41");
        b.sf(b'3').extend_from_slice(b"Table of contents only");
        b.sf(b'u').extend_from_slice(
            format!("http://www.loc.gov/catdir/toc/{:x}.html", rng.next()).as_bytes(),
        );
        b.end(b"856");
    }
    b.write(out);
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "benchmarks/data/synthetic.mrc".to_string());
    let mb: u64 = args.next().map_or(768, |s| s.parse().expect("size in MB"));
    let target = mb * 1_000_000;
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut b = RecordBuilder {
        fields: Vec::new(),
        cur: Vec::new(),
    };
    let mut buf = Vec::with_capacity(1 << 16);
    let (mut written, mut n) = (0u64, 0u64);
    while written < target {
        buf.clear();
        record(&mut rng, n, &mut b, &mut buf);
        w.write_all(&buf)?;
        written += buf.len() as u64;
        n += 1;
    }
    w.flush()?;
    eprintln!(
        "wrote {path}: {n} records, {written} bytes ({:.0} bytes/record)",
        written as f64 / n as f64
    );
    Ok(())
}
