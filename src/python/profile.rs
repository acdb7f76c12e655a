//! `marcmap.Profile`, what `MARCReader.stats()` returns: the core's whole-file
//! profile ([`crate::profile`]) as plain Python data (ints, dicts, lists), and
//! each part as an Arrow table (`ProfileTable`, through the Arrow PyCapsule
//! interface, so pyarrow, Polars and DuckDB read it and marcmap needs no pyarrow).

use super::arrow::OneBatch;
use crate::profile::arrow::{byte_text, distributions, table, PARTS};
use crate::profile::{Distribution, Profile, LEADER_POSITIONS};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList};

/// A profile of a whole file, made by ``MARCReader.stats()``.
///
/// Counts over the good records (read, perhaps repaired, text decoding):
/// records by leader value (``record_types`` for LDR/06, ``bibliographic_levels``
/// for LDR/07, ``encoding_levels`` for LDR/17, ``character_coding`` for LDR/09,
/// any position with ``leader_values(pos)``), ``tags`` (records having each tag,
/// occurrences, subfield codes, indicator values), and the ``record_lengths``,
/// ``field_lengths`` and ``fields_per_record`` distributions. ``problems``
/// lists what marcmap found wrong, by kind. ``to_dict()`` gives it all as
/// JSON-ready data, ``table(part)`` one part as an Arrow table.
#[pyclass(frozen, name = "Profile", module = "marcmap._marcmap")]
pub(crate) struct PyProfile {
    profile: Profile,
}

impl PyProfile {
    pub(crate) fn new(profile: Profile) -> Self {
        PyProfile { profile }
    }
}

fn leader_dict<'py>(py: Python<'py>, p: &Profile, pos: usize) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (b, n) in p.leader_values(pos) {
        d.set_item(byte_text(b), n)?;
    }
    Ok(d)
}

fn distribution_dict<'py>(py: Python<'py>, d: &Distribution) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("count", d.count)?;
    out.set_item("total", d.total)?;
    out.set_item("min", d.min)?;
    out.set_item("max", d.max)?;
    out.set_item("mean", d.mean())?;
    let buckets = PyList::empty(py);
    for b in d.buckets() {
        let bucket = PyDict::new(py);
        bucket.set_item("low", b.low)?;
        bucket.set_item("high", b.high)?;
        bucket.set_item("count", b.count)?;
        buckets.append(bucket)?;
    }
    out.set_item("buckets", buckets)?;
    Ok(out)
}

#[pymethods]
impl PyProfile {
    /// Records in the file's index, good and bad.
    #[getter]
    fn records(&self) -> usize {
        self.profile.records
    }

    /// Records read (some by repair) whose text decodes.
    #[getter]
    fn good(&self) -> u64 {
        self.profile.good
    }

    /// Records that cannot be read, or whose text does not decode (checked
    /// strictly, as ``validate()`` does).
    #[getter]
    fn bad(&self) -> u64 {
        self.profile.bad
    }

    /// Good records read by repairing their directory or lengths.
    #[getter]
    fn repaired(&self) -> u64 {
        self.profile.repaired
    }

    /// Good records labelled MARC-8 (LDR/09 blank) whose bytes are UTF-8.
    #[getter]
    fn mislabelled_utf8(&self) -> u64 {
        self.profile.mislabelled_utf8
    }

    /// Byte ranges between records skipped as damage.
    #[getter]
    fn skipped_ranges(&self) -> usize {
        self.profile.skipped_ranges
    }

    /// Bytes in the skipped ranges.
    #[getter]
    fn skipped_bytes(&self) -> u64 {
        self.profile.skipped_bytes
    }

    /// Records found despite a wrong record length in their leader.
    #[getter]
    fn recovered(&self) -> usize {
        self.profile.recovered
    }

    /// Fields in the good records.
    #[getter]
    fn fields(&self) -> u64 {
        self.profile.fields()
    }

    /// ``{value: records}`` for leader position ``position`` (0-23), most
    /// frequent first. The coded positions are counted (05-11, 17-23); the
    /// others (record length, base address) give ``{}``.
    fn leader_values<'py>(&self, py: Python<'py>, position: usize) -> PyResult<Bound<'py, PyDict>> {
        if position >= crate::layout::LEADER_LEN {
            return Err(PyValueError::new_err(format!(
                "leader position {position} is past the leader (0-23)"
            )));
        }
        leader_dict(py, &self.profile, position)
    }

    /// Records by type of record (LDR/06), ``{"a": 245000, ...}``.
    #[getter]
    fn record_types<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        leader_dict(py, &self.profile, 6)
    }

    /// Records by bibliographic level (LDR/07).
    #[getter]
    fn bibliographic_levels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        leader_dict(py, &self.profile, 7)
    }

    /// Records by character coding scheme (LDR/09: ``"a"`` UTF-8, ``" "`` MARC-8).
    #[getter]
    fn character_coding<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        leader_dict(py, &self.profile, 9)
    }

    /// Records by encoding level (LDR/17).
    #[getter]
    fn encoding_levels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        leader_dict(py, &self.profile, 17)
    }

    /// ``{tag: {"records", "occurrences", "bytes", "indicator1", "indicator2",
    /// "subfields"}}`` in tag order: records having the tag, its fields, their
    /// bytes; for data fields ``{value: fields}`` for each indicator and
    /// ``{code: {"records", "occurrences"}}`` for each subfield code.
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for t in &self.profile.tags {
            let d = PyDict::new(py);
            d.set_item("records", t.records)?;
            d.set_item("occurrences", t.occurrences)?;
            d.set_item("bytes", t.bytes)?;
            for (k, name) in ["indicator1", "indicator2"].into_iter().enumerate() {
                let values = PyDict::new(py);
                for &(b, n) in &t.indicators[k] {
                    values.set_item(byte_text(b), n)?;
                }
                d.set_item(name, values)?;
            }
            let subfields = PyDict::new(py);
            for s in &t.subfields {
                let sd = PyDict::new(py);
                sd.set_item("records", s.records)?;
                sd.set_item("occurrences", s.occurrences)?;
                subfields.set_item(byte_text(s.code), sd)?;
            }
            d.set_item("subfields", subfields)?;
            out.set_item(t.tag_str(), d)?;
        }
        Ok(out)
    }

    /// Good records' lengths in bytes: ``{"count", "total", "min", "max",
    /// "mean", "buckets": [{"low", "high", "count"}]}`` (``high`` is ``None``
    /// for an open last bucket).
    #[getter]
    fn record_lengths<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        distribution_dict(py, &self.profile.record_lengths)
    }

    /// Fields' lengths in bytes (terminator included, as in the directory),
    /// in the shape of ``record_lengths``.
    #[getter]
    fn field_lengths<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        distribution_dict(py, &self.profile.field_lengths)
    }

    /// Fields a good record, in the shape of ``record_lengths``.
    #[getter]
    fn fields_per_record<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        distribution_dict(py, &self.profile.fields_per_record)
    }

    /// What was wrong, by kind, most frequent first: ``[{"id", "description",
    /// "records", "examples": [{"record", "offset", "message"}]}]``. Ids start
    /// ``bad:`` (records that cannot be read) or ``repaired:``.
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for p in &self.profile.problems {
            let d = PyDict::new(py);
            d.set_item("id", p.id)?;
            d.set_item("description", p.description)?;
            d.set_item("records", p.records)?;
            let examples = PyList::empty(py);
            for e in &p.examples {
                let ed = PyDict::new(py);
                ed.set_item("record", e.record)?;
                ed.set_item("offset", e.offset)?;
                ed.set_item("message", &e.message)?;
                examples.append(ed)?;
            }
            d.set_item("examples", examples)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// With ``stats(lint=True)``: every rule that ran, most findings first:
    /// ``[{"rule", "severity", "description", "findings", "records"}]``
    /// (``records``: records with at least one finding). ``None`` otherwise.
    #[getter]
    fn lint<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let Some(counts) = &self.profile.lint else {
            return Ok(None);
        };
        let out = PyList::empty(py);
        for c in counts {
            let d = PyDict::new(py);
            d.set_item("rule", c.rule.id())?;
            d.set_item("severity", c.rule.severity().name())?;
            d.set_item("description", c.rule.description())?;
            d.set_item("findings", c.findings)?;
            d.set_item("records", c.records)?;
            out.append(d)?;
        }
        Ok(Some(out))
    }

    /// Everything, as JSON-ready data (what ``marcmap stats --format json`` prints).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let p = &self.profile;
        let d = PyDict::new(py);
        d.set_item("records", p.records)?;
        d.set_item("good", p.good)?;
        d.set_item("bad", p.bad)?;
        d.set_item("repaired", p.repaired)?;
        d.set_item("mislabelled_utf8", p.mislabelled_utf8)?;
        d.set_item("skipped_ranges", p.skipped_ranges)?;
        d.set_item("skipped_bytes", p.skipped_bytes)?;
        d.set_item("recovered", p.recovered)?;
        d.set_item("fields", p.fields())?;
        let leader = PyDict::new(py);
        for pos in LEADER_POSITIONS {
            let values = leader_dict(py, p, pos)?;
            leader.set_item(format!("{pos:02}"), values)?;
        }
        d.set_item("leader", leader)?;
        d.set_item("tags", self.tags(py)?)?;
        let lengths = PyDict::new(py);
        for (name, dist) in distributions(p) {
            lengths.set_item(name, distribution_dict(py, dist)?)?;
        }
        d.set_item("lengths", lengths)?;
        d.set_item("problems", self.problems(py)?)?;
        d.set_item("lint", self.lint(py)?)?;
        Ok(d)
    }

    /// The names of the parts ``table()`` makes.
    #[classattr]
    fn parts() -> Vec<&'static str> {
        PARTS.to_vec()
    }

    /// Part ``name`` as an Arrow table (``pyarrow.table(t)``,
    /// ``polars.DataFrame(t)``, DuckDB): ``"leader"`` (position, value,
    /// records), ``"tags"`` (tag, records, occurrences, bytes), ``"subfields"``
    /// (tag, code, records, occurrences), ``"indicators"`` (tag, indicator,
    /// value, fields), ``"lengths"`` (measure, low, high, count) or
    /// ``"problems"`` (id, description, records), and with ``stats(lint=True)``
    /// ``"lint"`` (rule, severity, description, findings, records).
    fn table(&self, name: &str) -> PyResult<ProfileTable> {
        if name == "lint" && self.profile.lint.is_none() {
            return Err(PyValueError::new_err(
                "this profile has no lint counts: make it with stats(lint=True)",
            ));
        }
        let Some(batch) = table(&self.profile, name) else {
            return Err(PyValueError::new_err(format!(
                "no profile part {name:?}; the parts are {}",
                PARTS.join(", ")
            )));
        };
        let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
        let name = PARTS
            .into_iter()
            .chain(["lint"])
            .find(|p| *p == name)
            .unwrap_or("");
        Ok(ProfileTable {
            name,
            batch: OneBatch(batch),
        })
    }

    fn __repr__(&self) -> String {
        let p = &self.profile;
        format!(
            "<marcmap.Profile records={} good={} bad={} repaired={} tags={}>",
            p.records,
            p.good,
            p.bad,
            p.repaired,
            p.tags.len()
        )
    }
}

/// One part of a ``Profile`` as an Arrow table, made by ``Profile.table()``.
///
/// It implements the Arrow PyCapsule interface: ``pyarrow.table(t)``,
/// ``polars.DataFrame(t)`` and DuckDB read it. Unlike a reader's
/// ``ArrowStream`` it can be read any number of times.
#[pyclass(frozen, name = "ProfileTable", module = "marcmap._marcmap")]
pub(crate) struct ProfileTable {
    name: &'static str,
    batch: OneBatch,
}

#[pymethods]
impl ProfileTable {
    /// The schema, as an ``arrow_schema`` PyCapsule.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        self.batch.schema_capsule(py)
    }

    /// The table, as an ``arrow_array_stream`` PyCapsule of one batch.
    /// ``requested_schema`` is ignored (the interface allows it).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        self.batch.stream_capsule(py)
    }

    /// The part's name.
    #[getter]
    fn name(&self) -> &'static str {
        self.name
    }

    /// How many rows.
    fn __len__(&self) -> usize {
        self.batch.rows()
    }

    fn __repr__(&self) -> String {
        let schema = self.batch.0.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        format!(
            "<marcmap.ProfileTable {} rows={} columns={:?}>",
            self.name,
            self.batch.rows(),
            names
        )
    }
}
