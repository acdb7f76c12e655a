//! The core benchmark: Phase 1, Phase 2, the `marc` crate, 2-thread scaling, memory.
//!
//! ```text
//! cargo run --release --example bench_core -- benchmarks/data/BooksAll.2016.part01.utf8
//! cargo run --release --example bench_core -- --rounds 9 FILE [FILE...]
//! ```
//!
//! Every row runs on the same mapping. The rows are interleaved: each round runs
//! every row once, in a fixed order, so load from other processes on a shared
//! machine lands on all rows alike, and the ratios compare like with like. One
//! warm-up round (which also faults every page of the mapping in) is discarded;
//! the table reports the best and the median of the remaining rounds. Ratios are
//! computed from the medians (and, in brackets, from the bests).
//!
//! See benchmarks/README.md for what each row means.

use marcmap::{Framing, MarcFile, RecordIndex, RecordRef};
use std::hint::black_box;
use std::time::Instant;

/// Sums what a full visit of a marcmap record touches: every tag, every control
/// field's length, both indicators, every subfield's code and length.
#[inline]
fn visit_marcmap(record: &RecordRef<'_>) -> u64 {
    let mut sum = 0u64;
    for field in record.fields() {
        let tag = field.tag();
        sum += (tag[0] as u64) + (tag[1] as u64) + (tag[2] as u64);
        if field.is_control() {
            sum += field.data().len() as u64;
        } else {
            let (i1, i2) = field.indicators();
            sum += i1 as u64 + i2 as u64;
            for sf in field.subfields() {
                sum += sf.code as u64 + sf.value.len() as u64;
            }
        }
    }
    sum
}

/// The same visit through the `marc` crate's API.
#[inline]
fn visit_marc(record: &marc::Record<'_>) -> u64 {
    let mut sum = 0u64;
    for field in record.fields() {
        let tag = field.get_tag().0;
        sum += (tag[0] as u64) + (tag[1] as u64) + (tag[2] as u64);
        let data = field.get_data::<[u8]>();
        if tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit() {
            sum += data.len() as u64;
        } else {
            // marc's `get_indicator` panics on short fields; read the bytes the same way.
            sum += *data.first().unwrap_or(&b' ') as u64 + *data.get(1).unwrap_or(&b' ') as u64;
            for sf in field.subfields() {
                sum += sf.get_identifier().0 as u64 + sf.get_data::<[u8]>().len() as u64;
            }
        }
    }
    sum
}

/// Full marcmap parse of records `range`, one thread. Returns (checksum, errors).
fn parse_range(file: &MarcFile, range: std::ops::Range<usize>) -> (u64, u64) {
    let (mut sum, mut errors) = (0u64, 0u64);
    for i in range {
        match file.record(i) {
            Ok(r) => sum = sum.wrapping_add(visit_marcmap(&r)),
            Err(_) => errors += 1,
        }
    }
    (sum, errors)
}

/// A pure walk from leader to leader: read 5 digits, jump, check the terminator.
fn leader_walk(bytes: &[u8]) -> u64 {
    let mut pos = 0usize;
    let mut n = 0u64;
    while let Some(head) = bytes.get(pos..pos + 5) {
        let mut len = 0usize;
        for &b in head {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return n;
            }
            len = len * 10 + d as usize;
        }
        if len < 26 || bytes.get(pos + len - 1) != Some(&0x1D) {
            return n;
        }
        n += 1;
        pos += len;
    }
    n
}

/// A trivially parallel CPU loop: `iters` rounds of a 64-bit mix, no memory traffic.
fn cpu_loop(seed: u64, iters: u64) -> u64 {
    let mut x = seed | 1;
    let mut acc = 0u64;
    for _ in 0..iters {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        acc = acc.wrapping_add(x.wrapping_mul(0x2545_F491_4F6C_DD1D));
    }
    acc
}

/// Runs `f(half)` for both halves of `0..n` on two scoped threads.
fn on_two_threads<T: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> (T, T) {
    let mid = n / 2;
    std::thread::scope(|s| {
        let a = s.spawn(|| f(0..mid));
        let b = f(mid..n);
        (a.join().expect("worker panicked"), b)
    })
}

/// `RssAnon` / `RssFile` from /proc/self/status, in bytes (0 where unavailable).
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (get("RssAnon:"), get("RssFile:"))
}

struct Row {
    name: &'static str,
    /// Whether MB/s and records/s make sense for this row.
    throughput: bool,
    times: Vec<f64>,
    /// CPU time: of the calling thread for 1-thread rows, of both threads for 2-thread rows.
    cpu: Vec<f64>,
    check: u64,
}

impl Row {
    fn best(&self) -> f64 {
        self.times.iter().copied().fold(f64::INFINITY, f64::min)
    }
    fn median(&self) -> f64 {
        median(&self.times)
    }
    fn cpu_median(&self) -> f64 {
        median(&self.cpu)
    }
}

fn median(v: &[f64]) -> f64 {
    let mut t = v.to_vec();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

type Job<'a> = Box<dyn FnMut() -> u64 + 'a>;

/// A CPU-time clock in seconds (0 where unavailable). Unlike wall time it
/// excludes time spent descheduled, which on a shared, loaded machine is most of
/// the noise. `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` is exact to the nanosecond;
/// /proc/thread-self/schedstat would only advance at scheduler ticks (~4 ms).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn cpu_clock(clock: i32) -> f64 {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: libc's clock_gettime (std links libc on Linux) writes one timespec,
    // which on 64-bit Linux is two i64s, to a valid pointer.
    let rc = unsafe { clock_gettime(clock, &mut ts) };
    if rc == 0 {
        ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
    } else {
        0.0
    }
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn cpu_clock(_clock: i32) -> f64 {
    0.0
}

/// CPU time of the calling thread.
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
/// CPU time of the whole process (all threads).
const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;

/// Runs `f` once: (wall seconds, CPU seconds, result). The CPU time is the calling
/// thread's, or with `all_threads` the whole process's (for the 2-thread rows).
fn time(f: &mut Job<'_>, all_threads: bool) -> (f64, f64, u64) {
    let clock = if all_threads {
        CLOCK_PROCESS_CPUTIME_ID
    } else {
        CLOCK_THREAD_CPUTIME_ID
    };
    let c = cpu_clock(clock);
    let t = Instant::now();
    let check = black_box(f());
    let wall = t.elapsed().as_secs_f64();
    (wall, cpu_clock(clock) - c, check)
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn bench_file(path: &str, rounds: usize, only: Option<&str>) {
    println!("## {path}\n");
    let (anon0, _) = rss();
    let t = Instant::now();
    let file = MarcFile::open(path).expect("open");
    let open_secs = t.elapsed().as_secs_f64();
    let (anon1, file1) = rss();
    let bytes = file.bytes();
    let size = bytes.len() as u64;
    let n = file.len();
    let mb = size as f64 / 1e6;
    println!(
        "{} bytes ({:.1} MB), {} records ({:.0} bytes/record), mapped: {}, skipped ranges: {}, recovered: {}",
        size,
        mb,
        n,
        size as f64 / n.max(1) as f64,
        file.is_mapped(),
        file.skipped().len(),
        file.recovered().len()
    );
    println!(
        "first MarcFile::open (map + Phase 1, pages possibly cold): {:.1} ms\n",
        open_secs * 1e3
    );

    // The CPU loop is sized in the warm-up to take about as long as the 1-thread full parse.
    let cpu_iters = std::cell::Cell::new(1_000_000u64);

    let mut jobs: Vec<(&'static str, bool, Job<'_>)> = vec![
        (
            "memchr count 0x1D (physical reference)",
            true,
            Box::new(|| memchr::memchr_iter(0x1D, bytes).count() as u64),
        ),
        (
            "Phase 1: RecordIndex::build (lenient)",
            true,
            Box::new(|| RecordIndex::build(bytes, Framing::Lenient).len() as u64),
        ),
        (
            "Phase 1: RecordIndex::build (strict)",
            true,
            Box::new(|| RecordIndex::build(bytes, Framing::Strict).len() as u64),
        ),
        (
            "leader-to-leader walk (comparison)",
            true,
            Box::new(|| leader_walk(bytes)),
        ),
        (
            "Phase 2: validate only (RecordRef::parse), 1 thread",
            true,
            Box::new(|| {
                (0..n)
                    .map(|i| file.record(i).map_or(0, |r| r.field_count() as u64))
                    .sum()
            }),
        ),
        (
            "Phase 2: full parse, marcmap, 1 thread",
            true,
            Box::new(|| parse_range(&file, 0..n).0),
        ),
        (
            "Phase 2: full parse, marc crate 3.1.1, 1 thread",
            true,
            Box::new(|| {
                let starts = file.record_index().starts();
                let mut sum = 0u64;
                for &s in starts {
                    if let Ok(r) = marc::Record::parse(&bytes[s as usize..]) {
                        sum = sum.wrapping_add(visit_marc(&r));
                    }
                }
                sum
            }),
        ),
        (
            "Phase 2: full parse, marcmap, 2 threads (par_map)",
            true,
            Box::new(|| {
                file.par_map(2, |_, r| r.map_or(0, |r| visit_marcmap(&r)))
                    .into_iter()
                    .fold(0u64, u64::wrapping_add)
            }),
        ),
        (
            "Phase 2: full parse, marcmap, 2 threads (scope, halves)",
            true,
            Box::new(|| {
                let (a, b) = on_two_threads(n, |r| parse_range(&file, r).0);
                a.wrapping_add(b)
            }),
        ),
        (
            "memchr count 0x1D, 2 threads (halves)",
            true,
            Box::new(|| {
                let (a, b) = on_two_threads(bytes.len(), |r| {
                    memchr::memchr_iter(0x1D, &bytes[r]).count() as u64
                });
                a + b
            }),
        ),
        (
            "CPU loop (trivially parallel), 1 thread",
            false,
            Box::new(|| cpu_loop(1, cpu_iters.get())),
        ),
        (
            "CPU loop (trivially parallel), 2 threads",
            false,
            Box::new(|| {
                let half = cpu_iters.get() / 2;
                let (a, b) = std::thread::scope(|s| {
                    let a = s.spawn(|| cpu_loop(1, half));
                    let b = cpu_loop(2, half);
                    (a.join().expect("worker panicked"), b)
                });
                a.wrapping_add(b)
            }),
        ),
    ];

    // `--only SUBSTR` (for profiling) keeps the matching rows and the 1-thread full parse
    // (which sizes the CPU loop), and skips the ratios.
    if let Some(only) = only {
        jobs.retain(|(name, _, _)| {
            name.contains(only)
                || *name == "Phase 2: full parse, marcmap, 1 thread"
                || name.starts_with("memchr count 0x1D (physical")
        });
    }
    let mut rows: Vec<Row> = jobs
        .iter()
        .map(|(name, throughput, _)| Row {
            name,
            throughput: *throughput,
            times: Vec::new(),
            cpu: Vec::new(),
            check: 0,
        })
        .collect();

    // Warm-up round: faults the mapping in, warms caches, and sizes the CPU loop so that
    // on one thread it takes as much CPU time as the 1-thread full parse.
    let mut parse_cpu = 0.0;
    for (i, (name, _, job)) in jobs.iter_mut().enumerate() {
        if name.starts_with("CPU loop (trivially parallel), 1") {
            let (_, c, _) = time(job, false);
            let scale = parse_cpu / c.max(1e-9);
            cpu_iters.set(((cpu_iters.get() as f64) * scale) as u64 & !1);
        }
        let (_, c, check) = time(job, name.contains("2 threads"));
        if *name == "Phase 2: full parse, marcmap, 1 thread" {
            parse_cpu = c;
        }
        rows[i].check = check;
    }
    for _ in 0..rounds {
        for (i, (name, _, job)) in jobs.iter_mut().enumerate() {
            let (t, cpu, check) = time(job, name.contains("2 threads"));
            assert_eq!(check, rows[i].check, "{}: result changed", rows[i].name);
            rows[i].times.push(t);
            rows[i].cpu.push(cpu);
        }
    }
    drop(jobs);

    println!(
        "{} rounds after 1 warm-up, interleaved; best and median wall time.\n",
        rounds
    );
    println!("| row | best ms | median ms | MB/s (median) | records/s (median) | CPU ms (median; 2-thread rows: both threads) | result |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let (tp, rps) = if r.throughput {
            (
                format!("{:.0}", mb / r.median()),
                format!("{:.2} M", n as f64 / r.median() / 1e6),
            )
        } else {
            ("".into(), "".into())
        };
        let cpu = format!("{:.1}", r.cpu_median() * 1e3);
        println!(
            "| {} | {:.1} | {:.1} | {} | {} | {} | {} |",
            r.name,
            r.best() * 1e3,
            r.median() * 1e3,
            tp,
            rps,
            cpu,
            r.check
        );
    }

    if only.is_some() {
        return;
    }
    let by = |name: &str| {
        rows.iter()
            .find(|r| r.name.starts_with(name))
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    // Throughput of `fast` relative to `slow` = time(slow) / time(fast):
    // (wall median, wall best, CPU median). The CPU ratio is meaningful for 1-thread rows.
    let ratio = |fast: &str, slow: &str| {
        let (f, s) = (by(fast), by(slow));
        (
            s.median() / f.median(),
            s.best() / f.best(),
            s.cpu_median() / f.cpu_median(),
        )
    };
    let memchr = "memchr count 0x1D (physical";
    let p1 = ratio("Phase 1: RecordIndex::build (lenient)", memchr);
    let p1s = ratio("Phase 1: RecordIndex::build (strict)", memchr);
    let walk = ratio("leader-to-leader walk", memchr);
    let vs_marc = ratio(
        "Phase 2: full parse, marcmap, 1 thread",
        "Phase 2: full parse, marc crate",
    );
    let par = ratio(
        "Phase 2: full parse, marcmap, 2 threads (par_map)",
        "Phase 2: full parse, marcmap, 1 thread",
    );
    let halves = ratio(
        "Phase 2: full parse, marcmap, 2 threads (scope",
        "Phase 2: full parse, marcmap, 1 thread",
    );
    let cpu = ratio(
        "CPU loop (trivially parallel), 2",
        "CPU loop (trivially parallel), 1",
    );
    let mem2 = ratio("memchr count 0x1D, 2 threads", memchr);
    // Scaling by CPU time: 2 × (1-thread CPU) / (total CPU of the 2-thread run). It
    // leaves out time spent descheduled (other jobs on a shared machine) and load
    // imbalance, and keeps what parallelism itself costs: coordination, cache and
    // memory-bandwidth contention. 2.00× is perfect.
    let cpu_scaling = |two: &str, one: &str| 2.0 * by(one).cpu_median() / by(two).cpu_median();
    let par_cpu = cpu_scaling(
        "Phase 2: full parse, marcmap, 2 threads (par_map)",
        "Phase 2: full parse, marcmap, 1 thread",
    );
    let halves_cpu = cpu_scaling(
        "Phase 2: full parse, marcmap, 2 threads (scope",
        "Phase 2: full parse, marcmap, 1 thread",
    );
    let loop_cpu = cpu_scaling(
        "CPU loop (trivially parallel), 2",
        "CPU loop (trivially parallel), 1",
    );
    let mem2_cpu = cpu_scaling("memchr count 0x1D, 2 threads", memchr);

    // Memory: a fresh index, measured alone.
    let (a0, _) = rss();
    let index = RecordIndex::build(bytes, Framing::Lenient);
    let (a1, _) = rss();
    let per_record = index.heap_bytes() as f64 / index.len().max(1) as f64;
    drop(index);

    let yes = |ok: bool| if ok { "met" } else { "MISSED" };
    let pct = |r: (f64, f64, f64)| {
        format!(
            "{:.0}% | {:.0}% | {:.0}%",
            r.0 * 100.0,
            r.1 * 100.0,
            r.2 * 100.0
        )
    };
    let times = |r: (f64, f64, f64)| format!("{:.2}× | {:.2}× | {:.2}×", r.0, r.1, r.2);
    let wall = |r: (f64, f64, f64), c: f64| format!("{:.2}× | {:.2}× | {:.2}×", r.0, r.1, c);
    println!("\nRatios of throughput. Verdicts for 1-thread pairs use CPU time (robust to");
    println!("descheduling on a shared machine); scaling verdicts use the wall-time medians,");
    println!("against the CPU loop's in the same rounds. The CPU column of a scaling row is");
    println!("2 × (1-thread CPU) / (both threads' CPU): the scaling with descheduling and");
    println!("load imbalance left out (2.00× is perfect).\n");
    println!("| ratio | wall median | wall best | CPU median | target | verdict |");
    println!("|---|---:|---:|---:|---|---|");
    println!(
        "| Phase 1 lenient / memchr | {} | ≥ 85% | {} |",
        pct(p1),
        yes(p1.2 >= 0.85)
    );
    println!(
        "| Phase 1 strict / memchr | {} | ≥ 85% | {} |",
        pct(p1s),
        yes(p1s.2 >= 0.85)
    );
    println!("| leader walk / memchr | {} | (comparison) | |", pct(walk));
    println!(
        "| full parse, marcmap / marc crate, 1 thread | {} | ≥ 1.5× | {} |",
        times(vs_marc),
        yes(vs_marc.2 >= 1.5)
    );
    println!(
        "| 2-thread scaling, full parse (par_map) | {} | ≈ CPU loop ({:.2}×) | {} |",
        wall(par, par_cpu),
        cpu.0,
        yes(par.0 >= 0.9 * cpu.0)
    );
    println!(
        "| 2-thread scaling, full parse (scope, halves) | {} | ≈ CPU loop ({:.2}×) | {} |",
        wall(halves, halves_cpu),
        cpu.0,
        yes(halves.0 >= 0.9 * cpu.0)
    );
    println!(
        "| 2-thread scaling, CPU loop | {} | (reference) | |",
        wall(cpu, loop_cpu)
    );
    println!(
        "| 2-thread scaling, memchr | {} | (reference) | |",
        wall(mem2, mem2_cpu)
    );
    println!(
        "| index heap bytes / record | {:.2} | | | ≤ 8 | {} |",
        per_record,
        yes(per_record <= 8.0)
    );
    println!(
        "\nRSS anon: {:.1} MiB before MarcFile::open, {:.1} MiB after ({:+.1} MiB; mapping itself is RssFile: {:.1} MiB at open); \
         a second RecordIndex::build: {:+.1} MiB anon for {} records ({:.2} bytes/record by RSS).",
        mib(anon0),
        mib(anon1),
        mib(anon1) - mib(anon0),
        mib(file1),
        mib(a1) - mib(a0),
        n,
        (a1 as f64 - a0 as f64) / n.max(1) as f64
    );
    let (c1, c2) = (
        by("Phase 2: full parse, marcmap, 1").check,
        by("Phase 2: full parse, marc crate").check,
    );
    println!(
        "Checksums: marcmap {c1}, marc crate {c2} ({}); records: index {}, memchr {}, leader walk {}.\n",
        if c1 == c2 { "equal" } else { "DIFFER" },
        n,
        by(memchr).check,
        by("leader-to-leader walk").check
    );
}

fn main() {
    let mut rounds = 7;
    let mut files = Vec::new();
    let mut only = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--rounds" {
            rounds = args
                .next()
                .and_then(|v| v.parse().ok())
                .expect("--rounds N");
        } else if a == "--only" {
            only = Some(args.next().expect("--only SUBSTRING"));
        } else {
            files.push(a);
        }
    }
    if files.is_empty() {
        eprintln!("usage: bench_core [--rounds N] [--only ROW-SUBSTRING] FILE [FILE...]");
        eprintln!("  e.g. benchmarks/fetch_data.sh && cargo run --release --example bench_core -- benchmarks/data/BooksAll.2016.part01.utf8");
        std::process::exit(2);
    }
    println!(
        "marcmap core benchmark: {} cores available, {} rounds\n",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        rounds
    );
    for f in &files {
        bench_file(f, rounds, only.as_deref());
    }
}
