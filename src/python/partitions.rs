//! `marcmap.partitions`: record-aligned byte ranges for engines that read a file
//! in parallel (one `MARCReader(path, byte_range=r)` per range).

use super::source::Source;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The partition size when neither `n` nor `target_size` is given: Dask's
/// default block size and Spark's `maxPartitionBytes`.
const DEFAULT_TARGET_SIZE: u64 = 128 * 1024 * 1024;

/// `marcmap.partitions(source, n=None, *, target_size=None)`: `(start, end)`
/// byte ranges that cover the file, each starting at a record (the first
/// starts at 0), found by reading only a window around each cut.
#[pyfunction]
#[pyo3(signature = (source, n = None, *, target_size = None))]
pub(crate) fn partitions(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    n: Option<usize>,
    target_size: Option<u64>,
) -> PyResult<Vec<(u64, u64)>> {
    let count = |size: u64| -> PyResult<usize> {
        match (n, target_size) {
            (Some(_), Some(_)) => Err(PyValueError::new_err("give n or target_size, not both")),
            (Some(0), None) => Err(PyValueError::new_err("n must be at least 1")),
            (Some(n), None) => Ok(n),
            (None, Some(0)) => Err(PyValueError::new_err("target_size must be at least 1")),
            (None, target) => {
                let target = target.unwrap_or(DEFAULT_TARGET_SIZE);
                Ok(usize::try_from(size.div_ceil(target).max(1)).unwrap_or(usize::MAX))
            }
        }
    };
    let ranges = Source::extract(py, source)?.partitions(py, count)?;
    Ok(ranges.into_iter().map(|r| (r.start, r.end)).collect())
}
