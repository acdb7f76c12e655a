//! Order-preserving parallel map over record indices, on scoped std threads.
//!
//! Work is cut into many more chunks than threads and handed out through an
//! atomic counter, so a slow stretch of records does not leave a core idle.
//! Each chunk's results are kept whole and put back in order at the end.
//!
//! [`map_range_in_order`] also hands the chunks, in order, to a consumer on the
//! calling thread while the other threads go on working: the Python bindings build
//! Python objects there (which needs the GIL) in parallel with the GIL-free work.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

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
    chunks_joined(n, threads, |range| range.map(&f).collect())
}

/// `(0..n).filter_map(f)` on `threads` threads, results in order. Only what
/// `f` keeps is held and joined: a pass that finds few things (errors, matches)
/// in many records moves no result a record.
pub fn filter_map_range<T, F>(n: usize, threads: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> Option<T> + Sync,
{
    chunks_joined(n, threads, |range| range.filter_map(&f).collect())
}

/// `f` over the chunks of `0..n` on `threads` threads, the chunks' results
/// joined in order.
fn chunks_joined<T, F>(n: usize, threads: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(Range<usize>) -> Vec<T> + Sync,
{
    let threads = usable_threads(n, threads);
    if threads == 1 {
        return f(0..n);
    }
    let chunk = chunk_size(n, threads);
    let tasks = Tasks::new(n.div_ceil(chunk));
    let parts = on_threads(threads, || {
        let mut mine = Vec::new();
        while let Some(c) = tasks.next_task() {
            mine.push((c, f(c * chunk..((c + 1) * chunk).min(n))));
        }
        mine
    });
    let parts = in_task_order(parts);
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        out.extend(part);
    }
    out
}

/// Folds the chunks of `0..n` into one accumulator a thread, on `threads`
/// threads, and returns the accumulators (one for each thread that ran) for
/// the caller to merge. For whole-file tallies (the profile) whose partial
/// results add up in any order: no result a record is kept, and a thread's
/// tables are made once, not once a chunk.
pub fn fold_range<A, I, F>(n: usize, threads: usize, init: I, fold: F) -> Vec<A>
where
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, Range<usize>) + Sync,
{
    fold_range_then(n, threads, init, fold, |acc| acc)
}

/// [`fold_range`], each thread's accumulator then turned by `finish` on that
/// thread: what the caller would do to each (sort it, say) before merging them
/// is done in parallel too.
pub fn fold_range_then<A, B, I, F, G>(
    n: usize,
    threads: usize,
    init: I,
    fold: F,
    finish: G,
) -> Vec<B>
where
    B: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, Range<usize>) + Sync,
    G: Fn(A) -> B + Sync,
{
    let threads = usable_threads(n, threads);
    if threads == 1 {
        let mut acc = init();
        fold(&mut acc, 0..n);
        return vec![finish(acc)];
    }
    let chunk = chunk_size(n, threads);
    let tasks = Tasks::new(n.div_ceil(chunk));
    on_threads(threads, || {
        let mut acc = init();
        while let Some(c) = tasks.next_task() {
            fold(&mut acc, c * chunk..((c + 1) * chunk).min(n));
        }
        finish(acc)
    })
}

/// `items.into_iter().map(f)` on up to `threads` threads (the calling thread
/// included), results in order: for a few large tasks (one merge a thread,
/// say), each item moved to the thread that takes it.
pub fn map_each<T, U, F>(items: Vec<T>, threads: usize, f: F) -> Vec<U>
where
    T: Send,
    U: Send,
    F: Fn(T) -> U + Sync,
{
    let threads = threads.clamp(1, MAX_THREADS).min(items.len());
    if threads <= 1 {
        return items.into_iter().map(f).collect();
    }
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let tasks = Tasks::new(slots.len());
    let done = on_threads(threads, || {
        let mut mine = Vec::new();
        while let Some(k) = tasks.next_task() {
            // Each slot is taken once: `tasks` hands out each index once.
            let item = slots[k].lock().unwrap_or_else(|e| e.into_inner()).take();
            mine.extend(item.map(|item| (k, f(item))));
        }
        mine
    });
    in_task_order(done)
}

/// Runs `work` on `threads` threads at once, the calling thread one of them,
/// and returns what each run returned, in no particular order. `work` takes
/// its tasks from a shared [`Tasks`], so the threads share the work however
/// it is cut. A thread the OS refuses (its limit reached, the process
/// exiting) is not started: the threads that run take all the tasks, so only
/// speed changes, and nothing panics (callers include destructors).
pub(crate) fn on_threads<R, W>(threads: usize, work: W) -> Vec<R>
where
    R: Send,
    W: Fn() -> R + Sync,
{
    let results = Mutex::new(Vec::with_capacity(threads));
    let run = || {
        let result = work();
        // A poisoned lock means another thread panicked; the scope re-raises that panic.
        if let Ok(mut results) = results.lock() {
            results.push(result);
        }
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads.clamp(1, MAX_THREADS))
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, run).ok())
            .collect();
        run();
        join_all(workers);
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The numbers `0..n`, each handed out once, to whichever thread asks first.
pub(crate) struct Tasks {
    next: AtomicUsize,
    n: usize,
}

impl Tasks {
    pub(crate) fn new(n: usize) -> Tasks {
        Tasks {
            next: AtomicUsize::new(0),
            n,
        }
    }

    /// The next task, or `None` when every one has been handed out.
    pub(crate) fn next_task(&self) -> Option<usize> {
        let t = self.next.fetch_add(1, Ordering::Relaxed);
        (t < self.n).then_some(t)
    }
}

/// The results of [`on_threads`]' runs, each a list of `(task, result)`, as
/// one list of results in task order.
pub(crate) fn in_task_order<T>(runs: Vec<Vec<(usize, T)>>) -> Vec<T> {
    let mut done: Vec<(usize, T)> = runs.into_iter().flatten().collect();
    done.sort_unstable_by_key(|(t, _)| *t);
    done.into_iter().map(|(_, result)| result).collect()
}

/// Joins every worker, re-raising the first panic.
///
/// Join explicitly: the scope alone waits only until each closure has
/// returned; the OS thread may still be running its thread-local destructors,
/// detached, after the call returns. Joining means no worker outlives the call
/// (found by the `file` fuzz target: LeakSanitizer saw glibc's TLS-destructor
/// list of a still-exiting worker as a leak).
pub(crate) fn join_all(workers: Vec<std::thread::ScopedJoinHandle<'_, ()>>) {
    for worker in workers {
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

/// The most threads a call will start, whatever it is asked for: more than the
/// cores only adds switching, and asking the OS for a million threads fails.
pub(crate) const MAX_THREADS: usize = 64;

/// `threads` bounded by the work (one thread per minimal chunk at most) and by
/// [`MAX_THREADS`].
pub(crate) fn usable_threads(n: usize, threads: usize) -> usize {
    threads.clamp(1, MAX_THREADS).min(n.div_ceil(64).max(1))
}

/// Records a chunk: many more chunks than threads, so the work balances.
fn chunk_size(n: usize, threads: usize) -> usize {
    (n / (threads * 16)).clamp(64, 1 << 16)
}

/// `f` over the chunks of `0..n` on `threads` threads in total, *the calling
/// thread included*, handing each chunk's result to `consume` on the calling
/// thread, in order. `f` gets a whole chunk, so it can keep its results flat (one
/// buffer a chunk rather than one allocation a value).
///
/// The calling thread consumes the next chunk as soon as it is ready and
/// otherwise works on a chunk itself, so the consumer's time overlaps with the
/// other threads' work. It does its own work, and all its waiting, inside
/// `unattached`, which the Python bindings make `py.detach`: the consumer runs
/// with the GIL, everything else without. With one thread it all happens on the
/// calling thread, chunk after chunk.
///
/// The first error from `consume` stops the work and is returned.
pub fn map_range_in_order<T, F, U, C, E>(
    n: usize,
    threads: usize,
    f: F,
    unattached: U,
    consume: C,
) -> Result<(), E>
where
    T: Send,
    F: Fn(Range<usize>) -> T + Sync,
    U: FnMut(&mut (dyn FnMut() + Send)),
    C: FnMut(Range<usize>, T) -> Result<(), E>,
{
    let threads = usable_threads(n, threads);
    map_chunks_in_order(n, threads, chunk_size(n, threads), f, unattached, consume)
}

/// [`map_range_in_order`] with chunks of `chunk` items (at least 1), for work
/// whose results must stay small (a writer's buffers): no chunk more than two
/// a thread past the first one not yet consumed is started, so however slow
/// the consumer, memory is bounded by the chunk size whatever `n` is.
pub fn map_chunks_in_order<T, F, U, C, E>(
    n: usize,
    threads: usize,
    chunk: usize,
    f: F,
    mut unattached: U,
    mut consume: C,
) -> Result<(), E>
where
    T: Send,
    F: Fn(Range<usize>) -> T + Sync,
    U: FnMut(&mut (dyn FnMut() + Send)),
    C: FnMut(Range<usize>, T) -> Result<(), E>,
{
    let chunk = chunk.max(1);
    let chunks = n.div_ceil(chunk);
    let threads = threads.clamp(1, MAX_THREADS).min(chunks.max(1));
    let range = |c: usize| c * chunk..((c + 1) * chunk).min(n);
    let compute = |c: usize| f(range(c));
    let next = AtomicUsize::new(0);
    // The first chunk not yet consumed. No chunk `WINDOW` a thread or more past
    // it is started: a consumer slower than the workers holds them back, so
    // finished chunks never pile up (the channel alone does not bound them: the
    // calling thread drains it into `pending` while it looks for the next one).
    let consumed = AtomicUsize::new(0);
    let window = WINDOW * threads;
    let claim = || loop {
        let c = next.load(Ordering::Relaxed);
        if c >= chunks {
            return Claim::Done;
        }
        if c >= consumed.load(Ordering::Acquire) + window {
            return Claim::Wait;
        }
        if next
            .compare_exchange_weak(c, c + 1, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            return Claim::Chunk(c);
        }
    };
    let (tx, mut rx) = mpsc::sync_channel::<(usize, T)>(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads)
            .map(|_| {
                let tx = tx.clone();
                let (claim, compute) = (&claim, &compute);
                scope.spawn(move || loop {
                    match claim() {
                        Claim::Done => break,
                        // The consumer is behind: it frees a place within a chunk's time.
                        Claim::Wait => std::thread::sleep(std::time::Duration::from_micros(200)),
                        Claim::Chunk(c) => {
                            // A closed channel means the caller stopped early.
                            if tx.send((c, compute(c))).is_err() {
                                break;
                            }
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        let mut pending: BTreeMap<usize, T> = BTreeMap::new();
        let mut result = Ok(());
        let mut wanted = 0;
        while wanted < chunks {
            while let Ok((c, part)) = rx.try_recv() {
                pending.insert(c, part);
            }
            if let Some(part) = pending.remove(&wanted) {
                result = consume(range(wanted), part);
                if result.is_err() {
                    next.store(chunks, Ordering::Relaxed);
                    break;
                }
                wanted += 1;
                consumed.store(wanted, Ordering::Release);
                continue;
            }
            // `wanted` is never held back by the window, so when this thread
            // may not start a chunk, a worker is computing `wanted`: wait for it.
            if let Claim::Chunk(c) = claim() {
                let mut part = None;
                unattached(&mut || part = Some(compute(c)));
                pending.extend(part.map(|p| (c, p)));
            } else {
                // Everything is claimed (or held back): wait for the workers.
                let mut got = None;
                // `&mut` captures: a `Receiver` is `Send` but not `Sync`.
                let (rx, slot) = (&mut rx, &mut got);
                unattached(&mut move || *slot = rx.recv().ok());
                match got {
                    Some((c, part)) => {
                        pending.insert(c, part);
                    }
                    // Every worker is gone and nothing is pending: a worker
                    // panicked; joining below re-raises it.
                    None => break,
                }
            }
        }
        drop(rx);
        join_all(workers);
        result
    })
}

/// Byte buffers handed back from the thread that consumes chunks' output to the
/// threads that fill them ([`map_chunks_in_order`]'s users). A buffer filled on
/// one thread and freed on another goes back to its allocator arena, which
/// glibc trims and returns to the kernel: each chunk's megabytes were faulted in
/// afresh (about 20,000 page faults a pass over a 250,000-record file), and two
/// threads ran slower than one. Reused, the pages stay mapped.
#[derive(Default)]
pub(crate) struct Buffers(Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// An empty buffer of at least `capacity` bytes: one handed back, if any.
    pub(crate) fn lend(&self, capacity: usize) -> Vec<u8> {
        let mut buf = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        buf.clear();
        buf.reserve(capacity);
        buf
    }

    /// Hands `buf` back for a later [`Buffers::lend`].
    pub(crate) fn hand_back(&self, buf: Vec<u8>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(buf);
    }
}

/// Chunks a thread that may be started past the first one not consumed.
const WINDOW: usize = 2;

/// What a thread may do next in [`map_chunks_in_order`].
enum Claim {
    /// Compute this chunk.
    Chunk(usize),
    /// Wait: the consumer is `WINDOW` chunks a thread behind.
    Wait,
    /// Every chunk is claimed.
    Done,
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
                let kept = filter_map_range(n, threads, |i| (i % 7 == 3).then_some(i * 2));
                assert_eq!(
                    kept,
                    (0..n)
                        .filter(|i| i % 7 == 3)
                        .map(|i| i * 2)
                        .collect::<Vec<_>>(),
                    "n={n} t={threads}"
                );
            }
        }
    }

    #[test]
    fn in_order_consumer_sees_every_chunk_once_in_order() {
        for threads in [1, 2, 3, 8] {
            for n in [0, 1, 63, 64, 65, 10_000] {
                let mut seen = Vec::new();
                let mut calls = 0;
                let r: Result<(), ()> = map_range_in_order(
                    n,
                    threads,
                    |range| range.map(|i| i * 3).collect::<Vec<_>>(),
                    |work| {
                        calls += 1;
                        work()
                    },
                    |range, part| {
                        assert_eq!(range.len(), part.len());
                        assert_eq!(range.start, seen.len());
                        seen.extend(part);
                        Ok(())
                    },
                );
                assert!(r.is_ok());
                assert_eq!(
                    seen,
                    (0..n).map(|i| i * 3).collect::<Vec<_>>(),
                    "n={n} t={threads}"
                );
                if threads == 1 {
                    assert_eq!(
                        calls,
                        n.div_ceil(chunk_size(n, 1)),
                        "one thread works chunk by chunk"
                    );
                }
            }
        }
    }

    #[test]
    fn fold_visits_every_index_once() {
        for threads in [1, 2, 3, 8] {
            for n in [0, 1, 63, 64, 65, 10_000] {
                let parts = fold_range(n, threads, Vec::new, |seen: &mut Vec<usize>, r| {
                    seen.extend(r)
                });
                assert!(parts.len() <= threads.max(1));
                let mut all: Vec<usize> = parts.into_iter().flatten().collect();
                all.sort_unstable();
                assert_eq!(all, (0..n).collect::<Vec<_>>(), "n={n} t={threads}");
            }
        }
    }

    #[test]
    fn map_each_moves_each_item_once_and_keeps_order() {
        for threads in [1, 2, 3, 8] {
            for n in [0, 1, 2, 5, 100] {
                // Owned items (a String each), moved to the thread that takes them.
                let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
                let seen = std::sync::Mutex::new(std::collections::HashSet::new());
                let out = map_each(items, threads, |s| {
                    assert!(seen.lock().unwrap().insert(s.clone()), "{s} twice");
                    s.parse::<usize>().unwrap() * 2
                });
                assert_eq!(out, (0..n).map(|i| i * 2).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn absurd_thread_counts_are_bounded() {
        assert_eq!(usable_threads(10, 1_000_000), 1);
        assert_eq!(usable_threads(1 << 20, 1_000_000), MAX_THREADS);
        assert_eq!(usable_threads(1 << 20, 0), 1);
        let out = map_range(100_000, usize::MAX, |i| i);
        assert_eq!(out.len(), 100_000);
    }

    #[test]
    fn in_order_consumer_error_stops_the_work() {
        let mut consumed = 0;
        let r = map_range_in_order(
            100_000,
            2,
            |range| range.len(),
            |work| work(),
            |range, _| {
                consumed += 1;
                if range.start > 0 {
                    Err(range.start)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(r, Err(chunk_size(100_000, 2)));
        assert_eq!(consumed, 2);
    }

    #[test]
    fn a_slow_consumer_holds_the_workers_back() {
        use std::sync::atomic::AtomicUsize;
        let live = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let r: Result<(), ()> = map_chunks_in_order(
            200,
            3,
            1,
            |range| {
                let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                range.start
            },
            |work| work(),
            |range, part| {
                assert_eq!(range.start, part);
                live.fetch_sub(1, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_micros(300));
                Ok(())
            },
        );
        assert!(r.is_ok());
        // Started but not consumed: at most the window (2 a thread) plus the
        // one being consumed.
        assert!(most.load(Ordering::SeqCst) <= 2 * 3 + 1, "{most:?}");
    }
}
