//! Lint against `validate()` in Rust, per record, by CPU time: what
//! `lint_bench.py` measures without Python (no finding objects), for
//! profiling the lint walk (`perf record` on this binary, built with
//! `--profile profiling`).
//!
//! Run: `cargo run --release --example lint_core -- FILE [RECORDS] [ROUNDS] [RULES]`
//! (defaults: 20,000 records, 10 rounds, `all`; RULES is a comma-separated
//! list of rule ids, `all` or `default`). It prints, for lint and for
//! `validate()` on one thread, the best round's CPU time a record, and their
//! ratio: CPU time (the thread's), not wall time, the figure a shared machine
//! distorts least. Then lint on two threads against one, by wall time (the
//! only measure of what a second thread gives; trust it on an idle machine).

use std::io::Read;
use std::time::Duration;

use marcmap::lint::{lint_file, Linter, RuleSet};
use marcmap::text::TextDecoder;
use marcmap::{query, MarcFile};

/// The calling thread's CPU time.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec for the call's duration, and
    // CLOCK_THREAD_CPUTIME_ID is a clock every Linux and macOS has.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Elsewhere, wall time since the first call.
#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// The best of `rounds` runs of `work`, in CPU time, and its last result.
fn best<T>(rounds: usize, mut work: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..rounds {
        let start = thread_cpu();
        last = Some(work());
        best = best.min(thread_cpu() - start);
    }
    (best, last.expect("at least one round"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: lint_core FILE [RECORDS] [ROUNDS] [RULES]");
        std::process::exit(2);
    };
    let n: usize = args.get(2).map_or(20_000, |s| s.parse().expect("RECORDS"));
    let rounds: usize = args.get(3).map_or(10, |s| s.parse().expect("ROUNDS"));
    let rules = args.get(4).map_or("all", String::as_str);
    let rules = RuleSet::parse(rules.split(',')).unwrap_or_else(|e| panic!("{e}"));

    // The first `n` records (by their leaders' lengths), read into memory.
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(400 << 20).read_to_end(&mut data))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut end = 0;
    for _ in 0..n {
        let len = data
            .get(end..end + 5)
            .and_then(|l| std::str::from_utf8(l).ok()?.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no record {n} in the first 400 MB of {path}"));
        end += len;
    }
    data.truncate(end);
    let file = MarcFile::from_bytes(data);

    let linter = Linter::new().rules(rules);
    let decoder = TextDecoder::new();
    let (lint, findings) = best(rounds, || lint_file(&file, &linter, 1).len());
    let (validate, errors) = best(rounds, || query::validate(&file, &decoder, true, 1).len());
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!("{n} records, best of {rounds} rounds, one thread, CPU time:");
    println!(
        "lint:       {:.3} us a record ({findings} findings)",
        per(lint)
    );
    println!(
        "validate(): {:.3} us a record ({errors} errors)",
        per(validate)
    );
    println!(
        "lint / validate(): {:.2}x",
        lint.as_secs_f64() / validate.as_secs_f64()
    );
    // Two threads against one, by wall time (CPU time would hide what the
    // second thread gives), the rounds interleaved so that a change in the
    // machine's load hits both alike.
    let (mut one, mut two) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        let start = std::time::Instant::now();
        std::hint::black_box(lint_file(&file, &linter, 1));
        one = one.min(start.elapsed());
        let start = std::time::Instant::now();
        std::hint::black_box(lint_file(&file, &linter, 2));
        two = two.min(start.elapsed());
    }
    println!(
        "lint, 2 threads against 1 (wall time, best round): {:.2}x ({:.3} -> {:.3} us a record)",
        one.as_secs_f64() / two.as_secs_f64(),
        per(one),
        per(two)
    );
}
