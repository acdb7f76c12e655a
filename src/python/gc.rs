//! Deferring CPython's cyclic garbage collector while `extract` builds a chunk of
//! its result.
//!
//! `extract` makes one list a record. Lists are tracked by the cyclic GC, so
//! building 250,000 of them runs young-generation collections all along (every
//! 700 new containers on CPython 3.11) and, as the result grows, full collections
//! that traverse everything built so far: a quarter of the single-threaded time
//! on the LoC file, all of it on the one thread that holds the GIL while the
//! others wait. The lists hold only strings, bytes and `None`, so no collection
//! during the build can free anything.
//!
//! [`deferred`] turns the collector off for one chunk and back on after it (also
//! when the build fails or panics). No Python code runs in between (only lists,
//! strings and tuples are made), so the GIL is never released and no other thread
//! can see the collector off. The collections that would have run are deferred,
//! not skipped: the allocation counts keep growing while the collector is off, and
//! the next container allocated with it on starts a collection (3.12 and later
//! schedule it for the interpreter's next check instead of running it at once).

use pyo3::prelude::*;
use pyo3::types::PyModule;

/// Runs `build` with the cyclic GC off, if it was on, and turns it back on after.
/// `build` must not run Python code (see the module docs).
pub(crate) fn deferred<T, E>(
    py: Python<'_>,
    build: impl FnOnce() -> std::result::Result<T, E>,
) -> PyResult<std::result::Result<T, E>> {
    let gc = py.import("gc")?;
    let _restore = if gc.call_method0("isenabled")?.is_truthy()? {
        gc.call_method0("disable")?;
        Some(Restore(gc))
    } else {
        None
    };
    Ok(build())
}

/// Turns the GC back on when dropped, so that a panic in the build (a failed
/// allocation) does not leave it off for the rest of the process.
struct Restore<'py>(Bound<'py, PyModule>);

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        // `gc.enable()` does not fail; there is nothing to do if it ever did.
        let _ = self.0.call_method0("enable");
    }
}
