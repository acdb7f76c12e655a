"""``marcmap.dask.read_marc`` on a real ``distributed.LocalCluster`` of two worker
processes: what its partitions read, put together, is what one process's
``to_arrow`` reads from the whole file.

The corpus's UVA file (2,000 MARC-8 bibliographic records, 2.3 MB) is cut into
256 KiB blocks, so nine partitions, read on two processes; a damaged file
(skipped bytes, a record with a bad length) into 64 KiB blocks.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import marcmap
import pytest
from conftest import DATA, corpus_path, require_engine

dd = require_engine("dask.dataframe", "dask")
distributed = require_engine("distributed", "dask")
pa = require_engine("pyarrow", "dask")
pd = require_engine("pandas", "dask")

import marcmap.dask  # noqa: E402  (after the engine checks)

UVA = "solrmarc/uva_001_2000.mrc"
DAMAGED = "marc4j/test/resources/bad_hathi_records.mrc"
COLUMNS = {"id": "001", "title": "245$a", "subject": "650$a"}
SHAPES: list[tuple[str, Any]] = [("records", None), ("subfields", None), ("columns", COLUMNS)]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One cluster for the module: two worker processes of one thread each."""
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def reference(path: Path | str, shape: str, columns: Any = None, **kwargs: Any) -> Any:
    """The single-process reading: ``to_arrow`` over the whole file."""
    with marcmap.MARCReader(path) as reader:
        return pa.table(reader.to_arrow(shape, columns, **kwargs))


def as_arrow(frame: Any) -> Any:
    return pa.Table.from_pandas(frame, preserve_index=False)


def without_record_index(table: Any) -> Any:
    names = [n for n in table.column_names if n != "record_index"]
    return table.select(names)


@pytest.mark.parametrize(("shape", "columns"), SHAPES, ids=[s for s, _ in SHAPES])
def test_partitions_on_two_processes_equal_to_arrow(client: Any, shape: str, columns: Any) -> None:
    path = corpus_path(UVA)
    df = marcmap.dask.read_marc(path, shape, columns, blocksize="256 KiB")
    assert df.npartitions == -(-path.stat().st_size // (256 << 10))
    expected = reference(path, shape, columns)
    # meta is to_arrow's schema, read without reading records.
    assert all(isinstance(t, pd.ArrowDtype) for t in df.dtypes)
    assert list(df.columns) == expected.column_names
    assert len(df) == expected.num_rows
    with distributed.get_task_stream(client) as stream:
        got = as_arrow(df.compute())
    assert len({task["worker"] for task in stream.data}) == 2, "both workers read partitions"
    # pandas keeps to_arrow's types (not its non-null flags).
    assert got.schema.types == expected.schema.types
    assert without_record_index(got).to_pylist() == without_record_index(expected).to_pylist()


def test_record_index_counts_from_each_partitions_first_record(client: Any) -> None:
    path = corpus_path(UVA)
    df = marcmap.dask.read_marc(path, blocksize="256 KiB")
    parts = [as_arrow(p) for p in client.compute(df.to_delayed(), sync=True)]
    assert len(parts) == 9 and all(p.num_rows > 0 for p in parts)
    offsets = []
    for part in parts:
        assert part.column("record_index").to_pylist() == list(range(part.num_rows))
        offsets.extend(part.column("byte_offset").to_pylist())
    with marcmap.MARCReader(path) as reader:
        assert offsets == [reader.offset(i) for i in range(len(reader))]


def test_groupby_subject_equals_the_single_process_count(client: Any) -> None:
    path = corpus_path(UVA)
    with marcmap.MARCReader(path) as reader:
        expected = collections.Counter(s for values in reader.extract("650$a") for s in values)
    assert sum(expected.values()) > 2000

    rows = marcmap.dask.read_marc(path, "subfields", blocksize="256 KiB")
    subjects = rows[(rows.tag == "650") & (rows.code == "a")]
    counted = subjects.groupby("value").size().compute()
    assert dict(counted.items()) == dict(expected)

    cols = marcmap.dask.read_marc(path, "columns", {"subject": "650$a"}, blocksize="256 KiB")
    exploded = cols.explode("subject")["subject"].dropna().value_counts().compute()
    assert dict(exploded.items()) == dict(expected)


def test_damaged_file_in_small_blocks_equals_to_arrow(client: Any) -> None:
    path = corpus_path(DAMAGED)
    with marcmap.MARCReader(path) as reader:
        assert reader.skipped, "the file is meant to have damage between records"
    df = marcmap.dask.read_marc(path, blocksize="64 KiB")
    assert df.npartitions > 10
    expected = reference(path, "records")
    got = as_arrow(df.compute())
    assert without_record_index(got).to_pylist() == without_record_index(expected).to_pylist()


def test_bad_records_are_null_rows_in_their_partitions(client: Any) -> None:
    """Five bad records of eight, in 100-byte blocks: null rows where
    ``to_arrow`` has them, at the same offsets."""
    path = DATA / "malformed" / "pymarc_bad_records.mrc"
    df = marcmap.dask.read_marc(path, blocksize=100)
    assert df.npartitions == 11
    expected = reference(path, "records")
    assert expected.column("leader").null_count == 5
    got = as_arrow(df.compute())
    assert without_record_index(got).to_pylist() == without_record_index(expected).to_pylist()


def test_each_partition_warns_of_the_records_it_made_null() -> None:
    """Each bad record is reported once, by the partition that holds it: a
    ``SkippedRecordsWarning`` with its error, the offset the file's."""
    path = DATA / "malformed" / "pymarc_bad_records.mrc"
    with marcmap.MARCReader(path) as reader:
        want = sorted(e.byte_offset for e in reader.validate(strict_text=False))
    assert len(want) == 5
    df = marcmap.dask.read_marc(path, blocksize=100)
    with pytest.warns(marcmap.SkippedRecordsWarning) as warned:
        df.compute(scheduler="sync")
    errors = [e for w in warned for e in w.message.errors]  # type: ignore[union-attr]
    assert sorted(e.byte_offset for e in errors) == want
    assert all("made null" in str(w.message) for w in warned)


def test_raise_errors_names_the_record_and_its_byte_offset() -> None:
    """With ``raise_errors=True`` a partition with a bad record fails with its
    error: the record counted in the partition, its offset the file's."""
    path = DATA / "malformed" / "pymarc_bad_records.mrc"
    bad_offsets = "|".join(str(o) for o in (254, 381, 509, 637, 764))
    df = marcmap.dask.read_marc(path, raise_errors=True, blocksize=300)
    with pytest.raises(Exception, match=rf"record \d+ \(byte ({bad_offsets})\)"):
        df.compute(scheduler="sync")


def test_globs_lists_and_file_urls(client: Any, tmp_path: Path) -> None:
    path = corpus_path(UVA)
    for name in ("a.mrc", "b.mrc"):
        shutil.copyfile(path, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not matched by the glob")
    one = reference(path, "columns", {"id": "001"})
    ids = one.column("id").to_pylist()

    by_glob = marcmap.dask.read_marc(
        str(tmp_path / "*.mrc"), "columns", {"id": "001"}, blocksize="1 MiB", include_path=True
    )
    assert by_glob.npartitions == 6
    got = by_glob.compute()
    assert got["id"].tolist() == ids + ids
    assert (
        got["path"].tolist() == [str(tmp_path / "a.mrc")] * 2000 + [str(tmp_path / "b.mrc")] * 2000
    )

    by_url = marcmap.dask.read_marc(
        [f"file://{tmp_path}/b.mrc", f"file://{tmp_path}/a*.mrc"],
        "columns",
        {"id": "001"},
        blocksize="1 MiB",
    )
    assert by_url.compute()["id"].tolist() == ids + ids


def test_memory_urls(tmp_path: Path) -> None:
    """fsspec's memory:// lives in one process, so it is read on the local
    threaded scheduler, through ``cat_file`` ranges as any object store is."""
    import fsspec  # a test dependency: missing, it fails (no skip)

    path = corpus_path(UVA)
    fs = fsspec.filesystem("memory")
    fs.pipe("/marcmap-dask-test/uva.mrc", path.read_bytes())
    try:
        df = marcmap.dask.read_marc(
            "memory://marcmap-dask-test/*.mrc", "columns", COLUMNS, blocksize="256 KiB"
        )
        assert df.npartitions == 9
        got = as_arrow(df.compute(scheduler="threads"))
        assert got.to_pylist() == reference(path, "columns", COLUMNS).to_pylist()
    finally:
        fs.rm("/marcmap-dask-test", recursive=True)


def test_storage_options_reach_the_file_system_that_reads_each_partition() -> None:
    """``storage_options`` open every file system that reads, on the driver
    (sizes) and in each partition (``MARCReader(url)``'s ranges)."""
    import fsspec  # a test dependency: missing, it fails (no skip)
    from fsspec.implementations.memory import MemoryFileSystem

    seen: list[dict[str, Any]] = []

    class Recording(MemoryFileSystem):  # type: ignore[misc]
        protocol = "marcmaptest"

        @classmethod
        def _strip_protocol(cls, path: str) -> str:
            return str(MemoryFileSystem._strip_protocol(path.removeprefix("marcmaptest://")))

        def __init__(self, *args: Any, **options: Any) -> None:
            seen.append(options)
            super().__init__(*args, **options)

    fsspec.register_implementation("marcmaptest", Recording, clobber=True)
    path = corpus_path(UVA)
    fs = fsspec.filesystem("memory")
    fs.pipe("/marcmap-options-test/uva.mrc", path.read_bytes())
    try:
        Recording.clear_instance_cache()
        df = marcmap.dask.read_marc(
            "marcmaptest://marcmap-options-test/uva.mrc",
            "columns",
            {"id": "001"},
            blocksize="1 MiB",
            storage_options={"secret": "s3cr3t"},
        )
        got = df.compute(scheduler="sync")["id"].tolist()
        assert got == reference(path, "columns", {"id": "001"}).column("id").to_pylist()
        assert seen and all(options == {"secret": "s3cr3t"} for options in seen), seen
    finally:
        fs.rm("/marcmap-options-test", recursive=True)


def test_bad_arguments(tmp_path: Path) -> None:
    path = corpus_path(UVA)
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        marcmap.dask.read_marc(str(tmp_path / "nothing-here.mrc"))
    with pytest.raises(FileNotFoundError, match=r"\*\.mrc"):
        marcmap.dask.read_marc(str(tmp_path / "*.mrc"))
    with pytest.raises(ValueError, match="shape must be one of"):
        marcmap.dask.read_marc(path, "rows")
    with pytest.raises(ValueError, match="needs columns"):
        marcmap.dask.read_marc(path, "columns")
    with pytest.raises(ValueError, match="blocksize"):
        marcmap.dask.read_marc(path, blocksize="lots")


def test_import_marcmap_imports_no_engine() -> None:
    code = (
        "import sys, marcmap; "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'pyspark')], "
        "sorted(m for m in sys.modules if m.startswith(('dask', 'pyspark')))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_missing_dask_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['dask.dataframe'] = None; import marcmap.dask\n"
        "try:\n    marcmap.dask.read_marc('x.mrc')\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert "pip install 'marcmap[dask]'" in out.stdout
