//! Deferring CPython's cyclic garbage collector while `extract` builds a chunk of
//! its result.
//!
//! `extract` makes one list a record. Lists are tracked by the cyclic GC, so
//! building 250,000 of them runs a young-generation collection every 700 lists
//! and, as the result grows, full collections that traverse everything built so
//! far: a quarter of the single-threaded time on the LoC file, all of it on the
//! one thread that holds the GIL while the others wait. The lists hold only
//! strings, bytes and `None`, so no collection during the build can free anything.
//!
//! [`deferred`] turns the collector off for one chunk and back on after it. No
//! Python code runs in between (only lists, strings and tuples are made), so the
//! GIL is never released and no other thread can see the collector off. The
//! collections that would have run are deferred, not skipped: the next container
//! allocated with the collector on finds the count over its threshold and runs a
//! collection, one young-generation pass over everything built, instead of one
//! every 700 lists plus the full ones.

use pyo3::prelude::*;

/// Runs `build` with the cyclic GC off, if it was on, and turns it back on after.
/// `build` must not run Python code (see the module docs).
pub(crate) fn deferred<T, E>(
    py: Python<'_>,
    build: impl FnOnce() -> std::result::Result<T, E>,
) -> PyResult<std::result::Result<T, E>> {
    let gc = py.import("gc")?;
    let was_on = gc.call_method0("isenabled")?.is_truthy()?;
    if was_on {
        gc.call_method0("disable")?;
    }
    let out = build();
    if was_on {
        gc.call_method0("enable")?;
    }
    Ok(out)
}
