"""Edge cases found by review: buffer sharing, thread counts, slicing, filter, errors."""

from __future__ import annotations

import subprocess
import sys

import marcmap
import pytest
from conftest import corpus_path
from records import simple


def test_only_bytes_are_shared_other_buffers_are_copied() -> None:
    data = simple("a") + simple("b")
    mutable = bytearray(data)
    # A read-only view of a bytearray can still change through the bytearray.
    reader = marcmap.MARCReader(memoryview(mutable).toreadonly())
    mutable[:] = b"x" * len(mutable)
    record = reader[1]
    assert record is not None and record["001"].data == "b"
    # bytes (and memoryviews of bytes) are shared: the raw view is the same memory.
    shared = marcmap.MARCReader(memoryview(data))
    first = shared[0]
    assert first is not None and bytes(first.raw) == simple("a")


def test_absurd_thread_counts_are_bounded() -> None:
    reader = marcmap.MARCReader(simple("a") * 200)
    assert reader.extract("001", threads=10**6, first=True) == ["a"] * 200
    assert reader.filter("001", "a", threads=10**6) == list(range(200))


def test_slices_with_huge_steps() -> None:
    reader = marcmap.MARCReader(simple("a") * 10)
    assert [r.index for r in reader[5 :: sys.maxsize] if r is not None] == [5]
    assert [r.index for r in reader[:: -sys.maxsize] if r is not None] == [9]


def test_filter_compares_what_extract_gives() -> None:
    reader = marcmap.MARCReader(simple("a"))
    # A data field without codes is its joined value(), as extract("245") gives it.
    assert reader.extract("245", first=True) == ["A title By someone."]
    assert reader.filter("245", "title By") == [0]
    assert reader.filter("245$a", "title By") == []
    raw = marcmap.MARCReader(simple("a"), to_unicode=False)
    assert raw.filter("245$a", "A TITLE", ignore_case=True) == [0]
    assert raw.filter("245$a", "A TITLE") == []


def test_to_pymarc_needs_text_values() -> None:
    record = marcmap.MARCReader(simple("a"), to_unicode=False)[0]
    assert record is not None
    with pytest.raises(TypeError, match="to_unicode=True"):
        record.to_pymarc()


def test_standalone_marc8_errors_name_no_record() -> None:
    with pytest.raises(marcmap.Marc8DecodeError) as info:
        marcmap.marc8_to_unicode(b"ab\x1b(Zc")
    assert info.value.record_index is None and info.value.byte_offset is None
    assert "record" not in str(info.value)


def test_dump_reports_each_bad_record_with_its_own_error() -> None:
    path = corpus_path("pymarc/bad_records.mrc")
    out = subprocess.run(
        [sys.executable, "-m", "marcmap", "dump", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert out.returncode == 1 and len(errors) > 1
    assert len(set(errors)) == len(errors), "each None shows the error behind it"


def test_file_objects_of_regular_files_are_mapped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # pymarc's idiom, MARCReader(open(path, "rb")), maps the file like a path does.
    import io

    from conftest import DATA

    path = DATA / "sample.mrc"
    with open(path, "rb") as fh:
        reader = marcmap.MARCReader(fh)
        assert reader.is_mapped and len(reader) == 30
    # The reader keeps its own descriptor: it outlives the file object.
    assert reader[29] is not None and reader[29]["245"]["a"]
    # Streams without a descriptor, and files read part-way, are read from where
    # they stand, as pymarc reads them.
    data = path.read_bytes()
    assert not marcmap.MARCReader(io.BytesIO(data)).is_mapped
    with open(path, "rb") as fh:
        first = int(fh.read(5))
        fh.seek(first)
        rest = marcmap.MARCReader(fh)
        assert not rest.is_mapped and len(rest) == 29
    with open(path, "rb") as fh:
        assert marcmap.MARCReader(fh, mmap=False).is_mapped is False


def test_compressed_input_stops_past_max_decompressed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import gzip

    from conftest import DATA

    data = (DATA / "sample.mrc").read_bytes()
    path = tmp_path / "sample.mrc.gz"
    path.write_bytes(gzip.compress(data))
    assert len(marcmap.MARCReader(path, max_decompressed=len(data))) == 30
    with pytest.raises(marcmap.MarcError, match="max_decompressed=") as e:
        marcmap.MARCReader(path, max_decompressed=1000)
    assert str(e.value).startswith(f"{path}: gzip data decompresses to more than 1000 bytes")
    # Not MARC: refused from the first decompressed bytes.
    with pytest.raises(marcmap.NotMarcError, match="binary data"):
        marcmap.MARCReader(gzip.compress(bytes(2 << 20)))


def test_compressed_file_objects_are_read_not_mapped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # gzip, bz2 and lzma file objects answer fileno() with the compressed file's
    # descriptor: mapping it would read the compressed bytes (0 records).
    import bz2
    import gzip
    import lzma

    from conftest import DATA

    data = (DATA / "sample.mrc").read_bytes()
    for name, module in (("t.gz", gzip), ("t.bz2", bz2), ("t.xz", lzma)):
        path = tmp_path / name
        with module.open(path, "wb") as out:
            out.write(data)
        with module.open(path, "rb") as fh:
            reader = marcmap.MARCReader(fh)
            assert not reader.is_mapped and len(reader) == 30, name
