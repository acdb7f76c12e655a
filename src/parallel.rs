//! Order-preserving parallel map over record indices, on scoped std threads.
//!
//! Work is cut into many more chunks than threads and handed out through an
//! atomic counter, so a slow stretch of records does not leave a core idle.
//! Each chunk's results are kept whole and put back in order at the end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The number of threads to use when none is given: all cores.
///
/// Cached: `available_parallelism` reads cgroup files on Linux, which costs tens of
/// microseconds, too much for a per-lookup call.
pub fn default_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// `(0..n).map(f)` on `threads` threads, results in order.
pub fn map_range<T, F>(n: usize, threads: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let chunk = (n / (threads * 16)).clamp(64, 1 << 16);
    let chunks = n.div_ceil(chunk);
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Vec<T>)>> = Mutex::new(Vec::with_capacity(chunks));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        if c >= chunks {
                            break;
                        }
                        let range = c * chunk..((c + 1) * chunk).min(n);
                        mine.push((c, range.map(&f).collect::<Vec<T>>()));
                    }
                    // A poisoned lock means another worker panicked; the scope re-raises that panic.
                    if let Ok(mut done) = done.lock() {
                        done.append(&mut mine);
                    }
                })
            })
            .collect();
        // Join explicitly. The scope alone waits only until each closure has
        // returned; the OS thread may still be running its thread-local
        // destructors, detached, after `map_range` returns. Joining means no
        // worker outlives the call (found by the `file` fuzz target: LeakSanitizer
        // saw glibc's TLS-destructor list of a still-exiting worker as a leak).
        for worker in workers {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_unstable_by_key(|(c, _)| *c);
    let mut out = Vec::with_capacity(n);
    for (_, part) in done {
        out.extend(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_for_any_thread_count() {
        for threads in [1, 2, 3, 8] {
            for n in [0, 1, 63, 64, 65, 10_000] {
                let out = map_range(n, threads, |i| i * 2);
                assert_eq!(
                    out,
                    (0..n).map(|i| i * 2).collect::<Vec<_>>(),
                    "n={n} t={threads}"
                );
            }
        }
    }
}
