"""Record-aligned byte ranges: ``marcmap.partitions`` and
``MARCReader(source, byte_range=(start, end))``, from local paths, bytes and
fsspec URLs (``file://`` and ``memory://``).

THE invariant, checked here through the Python API: the readers of all ranges,
concatenated, read exactly what one reader of the whole file reads: the same
records (offsets, bytes, ``None`` for the same bad records with the same
errors), the same skipped ranges, the same recovered records.
"""

from __future__ import annotations

import os
import pickle
import random
from pathlib import Path
from typing import Any

import fsspec
import marcmap
import pymarc
import pytest
from conftest import DATA, corpus_available, iso2709_files, rel
from helpers import differences

# Fixtures in tests/data (they run without the corpus): clean, damaged between
# records, damaged inside records, and MARC-8.
FIXTURES = [
    "sample.mrc",
    "authority.mrc",
    "malformed/pymarc_bad_records.mrc",
    "malformed/mrrc-testbed_garbage.mrc",
    "malformed/mrrc-testbed_invalid_lengths.mrc",
    "malformed/mrrc-testbed_embedded_terminators.mrc",
    "malformed/mrrc-testbed_missing_terminators.mrc",
    "malformed/marc4js_collection-error.mrc",
    "utf8/marc4js_utf8_only.mrc",
    "marc8/marc4js_marc8_utf8_mixed.mrc",
]


def reading(reader: marcmap.MARCReader) -> list[tuple[Any, ...]]:
    """What iteration gives, comparably: per item the record's offset and bytes,
    or the error's type, record offset and message (record numbers aside)."""
    out: list[tuple[Any, ...]] = []
    for record in reader:
        if record is None:
            e = reader.current_exception
            assert isinstance(e, marcmap.MarcError)
            out.append(("error", type(e).__name__, e.byte_offset, reader.current_chunk))
        else:
            out.append(("record", record.offset, bytes(record.raw)))
    return out


def concatenated(source: Any, ranges: list[tuple[int, int]], **kwargs: Any) -> dict[str, Any]:
    """Everything the readers of `ranges` read, concatenated."""
    items: list[tuple[Any, ...]] = []
    skipped: list[tuple[int, int, str]] = []
    recovered: list[tuple[int, int, int | None, int]] = []
    count = 0
    for start, end in ranges:
        with marcmap.MARCReader(source, byte_range=(start, end), **kwargs) as part:
            if len(part):
                assert part.byte_range[0] == part.offset(0) or part.byte_range[0] == 0
            for i in range(len(part)):
                record = part[i]
                assert record is None or record.index == i, "indices count in the range"
            items.extend(reading(part))
            skipped.extend(part.skipped)
            recovered.extend((count + i, o, d, a) for i, o, d, a in part.recovered)
            count += len(part)
    return {"items": items, "skipped": skipped, "recovered": recovered, "count": count}


def whole(source: Any, **kwargs: Any) -> dict[str, Any]:
    with marcmap.MARCReader(source, **kwargs) as reader:
        return {
            "items": reading(reader),
            "skipped": reader.skipped,
            "recovered": reader.recovered,
            "count": len(reader),
        }


def random_cuts(size: int, seed: int, n: int = 6) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    cuts = sorted({0, size, *(rng.randrange(size + 1) for _ in range(n))})
    return list(zip(cuts, cuts[1:], strict=False))


@pytest.mark.parametrize("name", FIXTURES)
def test_partitions_read_what_the_whole_file_reads(name: str) -> None:
    path = DATA / name
    size = path.stat().st_size
    expected = whole(path)
    for n in (1, 2, 3, 7, 40):
        ranges = marcmap.partitions(path, n)
        assert ranges[0][0] == 0 and ranges[-1][1] == size
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
        assert len(ranges) <= n
        assert concatenated(path, ranges) == expected, n
    for seed in range(5):
        assert concatenated(path, random_cuts(size, seed)) == expected, seed


@pytest.mark.parametrize(
    "name", ["sample.mrc", "authority.mrc", "utf8/pymarc_regression45.dat", "marc8/pymarc_test.dat"]
)
def test_partitions_equal_pymarc(name: str) -> None:
    """pymarc 5.4.0 reads the whole file; the ranges together read the same. (For
    damaged files marcmap's whole-file reading differs from pymarc's in the ways
    test_pymarc_records.py names; the ranges read what the whole file reads, above.)"""
    path = DATA / name
    with open(path, "rb") as fh:
        theirs = list(pymarc.MARCReader(fh, to_unicode=True, permissive=True))
    ours: list[Any] = []
    for start, end in marcmap.partitions(path, 4):
        with marcmap.MARCReader(path, byte_range=(start, end)) as part:
            ours.extend(part)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert (a is None) == (b is None), i
        if a is not None:
            assert differences(a, b) == [], i


def test_a_range_numbers_its_records_and_keeps_the_files_offsets() -> None:
    path = DATA / "sample.mrc"
    with marcmap.MARCReader(path) as reader:
        offsets = [reader.offset(i) for i in range(len(reader))]
        size = reader.byte_range[1]
    # A range cut inside record 10: its first record is record 11.
    start = offsets[10] + 5
    with marcmap.MARCReader(path, byte_range=(start, offsets[20])) as part:
        assert len(part) == 9
        assert part.first_record_index is None
        assert part.byte_range == (offsets[11], offsets[20])
        assert [part.offset(i) for i in range(len(part))] == offsets[11:20]
        record = part[0]
        assert record is not None and record.index == 0 and record.offset == offsets[11]
        assert part[-1] is not None and part[-1].offset == offsets[19]
        cn = record["001"].data
        found = part.get_by_control_number(cn)
        assert found is not None and found.offset == offsets[11]
    # A range from 0 knows its first record's index; the last range runs to the end.
    with marcmap.MARCReader(path, byte_range=(0, offsets[3])) as part:
        assert part.first_record_index == 0 and len(part) == 3
    with marcmap.MARCReader(path, byte_range=(offsets[29] + 1, size * 2)) as part:
        assert len(part) == 0 and part.byte_range == (size, size)
    # A range inside one record has no record: it starts in the range before.
    with marcmap.MARCReader(path, byte_range=(offsets[5] + 1, offsets[6] - 1)) as part:
        assert len(part) == 0


def test_errors_in_a_range_name_the_files_byte_offsets() -> None:
    path = DATA / "malformed/pymarc_bad_records.mrc"
    with marcmap.MARCReader(path) as reader:
        errors = {
            reader.offset(i): e
            for i, e in ((i, _error(reader, i)) for i in range(len(reader)))
            if e is not None
        }
    assert errors, "the fixture has bad records"
    for start, end in marcmap.partitions(path, 3):
        with marcmap.MARCReader(path, byte_range=(start, end), raise_errors=True) as part:
            for i in range(len(part)):
                e = _error(part, i)
                theirs = errors.get(part.offset(i))
                assert (e is None) == (theirs is None)
                if e is not None and theirs is not None:
                    assert type(e) is type(theirs)
                    assert e.byte_offset == theirs.byte_offset
                    assert e.record_index == i
                    assert str(e).split(": ", 1)[-1] == str(theirs).split(": ", 1)[-1]


def _error(reader: marcmap.MARCReader, i: int) -> marcmap.MarcError | None:
    """Record `i`'s error, raised (`raise_errors=True`) or set as `current_exception`."""
    try:
        record = reader[i]
    except marcmap.MarcError as e:
        return e
    if record is not None:
        return None
    error = reader.current_exception
    assert isinstance(error, marcmap.MarcError)
    return error


def test_strict_framing_ranges_stop_where_the_whole_file_stops() -> None:
    path = DATA / "malformed/mrrc-testbed_garbage.mrc"
    with marcmap.MARCReader(path, framing="strict") as reader:
        stop = reader.framing_error
        count = len(reader)
    assert stop is not None
    seen = 0
    for start, end in marcmap.partitions(path, 5):
        with marcmap.MARCReader(path, byte_range=(start, end), framing="strict") as part:
            seen += len(part)
            if part.framing_error is not None:
                assert part.framing_error.byte_offset == stop.byte_offset
                break
    assert seen == count


def test_ranges_of_bytes_and_of_open_files_equal_ranges_of_the_path() -> None:
    path = DATA / "malformed/mrrc-testbed_invalid_lengths.mrc"
    data = path.read_bytes()
    ranges = marcmap.partitions(data, 4)
    assert ranges == marcmap.partitions(path, 4)
    assert concatenated(data, ranges) == whole(path)
    with open(path, "rb") as fh:
        assert marcmap.partitions(fh, 4) == ranges
    for start, end in ranges:
        with (
            open(path, "rb") as fh,
            marcmap.MARCReader(fh, byte_range=(start, end)) as part,
            marcmap.MARCReader(path, byte_range=(start, end)) as by_path,
        ):
            assert reading(part) == reading(by_path)


def test_records_of_a_range_pickle_with_the_files_offsets() -> None:
    path = DATA / "sample.mrc"
    start, end = marcmap.partitions(path, 3)[1]
    with marcmap.MARCReader(path, byte_range=(start, end)) as part:
        record = part[1]
        assert record is not None
        again = pickle.loads(pickle.dumps(record))
        assert again == record and again.offset == record.offset == part.offset(1)
        assert bytes(again.raw) == bytes(record.raw)
        field = record["245"]
        assert pickle.loads(pickle.dumps(field)) == field


@pytest.mark.parametrize("name", ["sample.mrc", "malformed/pymarc_bad_records.mrc"])
def test_fsspec_file_and_memory_urls(name: str) -> None:
    path = DATA / name
    expected = whole(path)
    local = marcmap.partitions(path, 3)
    file_url = "file://" + str(path.resolve())
    memory_url = f"memory:///marcmap-tests/{os.getpid()}/{path.name}"
    fsspec.filesystem("memory").pipe(memory_url, path.read_bytes())
    try:
        for url in (file_url, memory_url):
            assert marcmap.partitions(url, 3) == local
            assert concatenated(url, local) == expected
            with marcmap.MARCReader(url) as reader:
                assert not reader.is_mapped
                assert reading(reader) == expected["items"]
            with marcmap.MARCReader(url, byte_range=local[1]) as part:
                assert part.byte_range[0] == local[1][0]
    finally:
        fsspec.filesystem("memory").rm(memory_url)


def test_fsspec_reads_only_windows_and_the_range() -> None:
    """A range of a URL reads a window around its start and the range with the
    tail of its last record, with a handful of cat_file calls, not the object."""
    path = DATA / "authority.mrc"
    data = path.read_bytes()
    url = f"memory:///marcmap-tests/{os.getpid()}/counted.mrc"
    fs = fsspec.filesystem("memory")
    fs.pipe(url, data)
    calls: list[tuple[int, int]] = []
    original = type(fs).cat_file

    def counting(
        self: Any, path: str, start: int | None = None, end: int | None = None, **kw: Any
    ) -> bytes:
        calls.append((start or 0, end or len(data)))
        return original(self, path, start=start, end=end, **kw)  # type: ignore[no-any-return]

    type(fs).cat_file = counting  # type: ignore[method-assign]
    try:
        with marcmap.MARCReader(url, byte_range=(60_000, 70_000)) as part:
            assert len(part) > 0
    finally:
        type(fs).cat_file = original  # type: ignore[method-assign]
        fs.rm(url)
    assert len(calls) <= 3, calls
    # The window (about 104 KB back from the cut, clamped at 0 here) and the range.
    assert sum(e - s for s, e in calls) < len(data) + 140_000


def test_an_fsspec_error_is_raised_as_it_was() -> None:
    """A read that fails inside fsspec raises its own exception, not a wrapper."""
    url = f"memory:///marcmap-tests/{os.getpid()}/failing.mrc"
    fs = fsspec.filesystem("memory")
    fs.pipe(url, (DATA / "sample.mrc").read_bytes())
    original = type(fs).cat_file

    class Unreachable(ConnectionError):
        pass

    def failing(self: Any, path: str, start: int | None = None, end: int | None = None) -> bytes:
        raise Unreachable(f"cannot reach {path}")

    type(fs).cat_file = failing  # type: ignore[method-assign,assignment]
    try:
        with pytest.raises(Unreachable, match="cannot reach"):
            marcmap.MARCReader(url, byte_range=(1000, 20_000))
        with pytest.raises(Unreachable):
            marcmap.partitions(url, 4)
    finally:
        type(fs).cat_file = original  # type: ignore[method-assign]
        fs.rm(url)


def test_bad_arguments() -> None:
    path = DATA / "sample.mrc"
    with pytest.raises(ValueError, match="ends before it starts"):
        marcmap.MARCReader(path, byte_range=(100, 10))
    with pytest.raises(ValueError, match="without a sidecar"):
        marcmap.MARCReader(path, byte_range=(0, 10), index="require")
    with pytest.raises(ValueError, match="not both"):
        marcmap.partitions(path, 2, target_size=100)
    with pytest.raises(ValueError, match="at least 1"):
        marcmap.partitions(path, 0)
    with pytest.raises(FileNotFoundError):
        marcmap.partitions(path.with_name("missing.mrc"), 2)
    with pytest.raises(FileNotFoundError):
        marcmap.MARCReader(path.with_name("missing.mrc"), byte_range=(0, 10))
    # target_size: ceil(size / target) cuts; the default is one range up to 128 MiB.
    size = path.stat().st_size
    assert len(marcmap.partitions(path, target_size=size // 4 + 1)) == 4
    assert marcmap.partitions(path) == [(0, size)]
    assert marcmap.partitions(b"") == [(0, 0)]


def test_a_range_reader_pickles_nothing_it_should_not() -> None:
    """Ranges are plain tuples: what an engine ships to its workers."""
    ranges = marcmap.partitions(DATA / "sample.mrc", 3)
    assert pickle.loads(pickle.dumps(ranges)) == ranges
    assert all(isinstance(a, int) and isinstance(b, int) for a, b in ranges)


@pytest.mark.skipif(not corpus_available(), reason="needs the MARC corpus")
@pytest.mark.parametrize("path", iso2709_files(), ids=lambda p: rel(p))
def test_corpus_partitions(path: Path) -> None:
    expected = whole(path)
    size = path.stat().st_size
    for ranges in (marcmap.partitions(path, 5), random_cuts(size, size, 4)):
        assert concatenated(path, ranges) == expected
