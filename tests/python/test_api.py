"""Random access, sources, and the Record / Field API, against pymarc where it has one."""

from __future__ import annotations

import io
import pathlib
import sys

import marcmap
import pymarc
import pytest
from conftest import corpus_path
from records import simple

UTF8_FILE = "traject/test/test_support/test_data.utf8.mrc"  # 30 UTF-8 records


@pytest.fixture
def path() -> pathlib.Path:
    return corpus_path(UTF8_FILE)


@pytest.fixture
def theirs(path: pathlib.Path) -> list[pymarc.Record]:
    with open(path, "rb") as fh:
        return list(pymarc.MARCReader(fh))


def test_len_index_negative_slices(path, theirs) -> None:  # type: ignore[no-untyped-def]
    reader = marcmap.MARCReader(str(path))
    n = len(theirs)
    assert len(reader) == n
    assert reader[0].as_marc() == theirs[0].as_marc()
    assert reader[-1].as_marc() == reader[n - 1].as_marc() == theirs[-1].as_marc()
    assert reader[-n].as_marc() == theirs[0].as_marc()
    for bad in (n, -n - 1, 10**6):
        with pytest.raises(IndexError):
            reader[bad]
    with pytest.raises(TypeError):
        reader["1"]
    for sl in (slice(2, 7), slice(None, None, 3), slice(-4, None), slice(8, 2, -2), slice(5, 5)):
        got = [r.as_marc() for r in reader[sl]]
        assert got == [r.as_marc() for r in theirs[sl]]


def test_offsets(path) -> None:  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    reader = marcmap.MARCReader(str(path))
    pos = 0
    for i in range(len(reader)):
        assert reader.offset(i) == pos == reader[i].offset
        pos += int(data[pos : pos + 5])
    assert reader.offset(-1) == reader.offset(len(reader) - 1)
    with pytest.raises(IndexError):
        reader.offset(len(reader))


def test_control_number_lookup(path, theirs) -> None:  # type: ignore[no-untyped-def]
    reader = marcmap.MARCReader(str(path))
    for want in (theirs[0], theirs[17], theirs[-1]):
        cn = want["001"].data
        got = reader.get_by_control_number(cn)
        assert got is not None and got.as_marc() == want.as_marc()
        assert reader.get_by_control_number(cn.encode()).as_marc() == want.as_marc()
    assert reader.get_by_control_number("no-such-number") is None
    assert reader.get_all_by_control_number("no-such-number") == []
    with pytest.raises(TypeError):
        reader.get_by_control_number(12)


def test_duplicate_control_numbers() -> None:
    data = simple("dup", "First") + simple("other", "Other") + simple("dup", "Second")
    reader = marcmap.MARCReader(data)
    assert reader.get_by_control_number("dup")["245"]["a"] == "First"
    assert [r["245"]["a"] for r in reader.get_all_by_control_number("dup")] == [
        "First",
        "Second",
    ]


def test_context_manager(path) -> None:  # type: ignore[no-untyped-def]
    with marcmap.MARCReader(str(path)) as reader:
        record = reader[0]
    with pytest.raises(ValueError):
        reader[0]
    with pytest.raises(ValueError):
        next(iter(reader))
    # Records made before closing stay valid.
    assert record["245"] is not None


def test_raw_is_readonly_zero_copy(path) -> None:  # type: ignore[no-untyped-def]
    reader = marcmap.MARCReader(str(path))
    record = reader[3]
    raw = record.raw
    assert isinstance(raw, memoryview)
    assert raw.readonly
    assert bytes(raw) == record.as_marc()
    with pytest.raises(TypeError):
        raw[0] = 0
    # The view exports the file's own bytes (a RawBytes window), not a copy.
    assert isinstance(raw.obj, marcmap.RawBytes)
    field_raw = record["245"].raw
    assert bytes(field_raw) in bytes(raw)


def test_field_api(path, theirs) -> None:  # type: ignore[no-untyped-def]
    reader = marcmap.MARCReader(str(path))
    ours = reader[0]
    want = theirs[0]
    f, g = ours["245"], want["245"]
    assert f.tag == "245"
    assert f.data is None
    assert tuple(f.indicators) == tuple(g.indicators)
    assert (f.indicator1, f.indicator2) == (g.indicator1, g.indicator2)
    assert [tuple(s) for s in f.subfields] == [tuple(s) for s in g.subfields]
    s = f.subfields[0]
    assert (s.code, s.value) == (s[0], s[1])
    assert type(s).__name__ == "Subfield" and s._fields == ("code", "value")
    assert f["a"] == g["a"]
    with pytest.raises(KeyError):
        f["9"]
    assert f.get("9") is None and f.get("9", "x") == "x"
    assert ("a" in f) and ("9" not in f)
    assert f.get_subfields("a", "c") == g.get_subfields("a", "c")
    assert f.value() == g.value()
    assert f.format_field() == g.format_field()
    assert str(f) == str(g)
    assert not f.is_control_field()
    c = ours["001"]
    assert c.is_control_field() and c.data == want["001"].data
    assert c.indicators is None
    assert str(c) == str(want["001"])
    # Subject fields: format_field uses ' -- ' for subdivisions.
    for a, b in zip(ours.subjects, want.subjects, strict=True):
        assert a.format_field() == b.format_field()


def test_record_api(path, theirs) -> None:  # type: ignore[no-untyped-def]
    reader = marcmap.MARCReader(str(path))
    for ours, want in zip(reader, theirs, strict=True):
        assert str(ours.leader) == str(want.leader)
        assert [f.tag for f in ours.fields] == [f.tag for f in want.fields]
        assert [f.tag for f in ours.get_fields("650", "245", "001")] == [
            f.tag for f in want.get_fields("650", "245", "001")
        ]
        assert len(ours.get_fields()) == len(want.get_fields())
        assert ("245" in ours) == ("245" in want)
        assert ("999" in ours) == ("999" in want)
        assert ours.get("999") is None
        with pytest.raises(KeyError):
            ours["998"]
        assert str(ours["245"]) == str(want["245"])
        mine = ours.to_pymarc()
        assert isinstance(mine, pymarc.Record)
        assert mine.as_marc() == want.as_marc()
        assert str(mine) == str(want)


@pytest.mark.parametrize(
    "kind", ["str", "path", "bytes", "bytearray", "memoryview", "file", "bytesio"]
)
def test_sources(kind: str, path: pathlib.Path) -> None:
    data = path.read_bytes()
    made = {
        "str": lambda: str(path),
        "path": lambda: path,
        "bytes": lambda: data,
        "bytearray": lambda: bytearray(data),
        "memoryview": lambda: memoryview(data),
        "file": lambda: open(path, "rb"),  # noqa: SIM115
        "bytesio": lambda: io.BytesIO(data),
    }[kind]()
    reader = marcmap.MARCReader(made)
    assert len(reader) == 30
    assert reader[29].as_marc() == data[reader.offset(29) :]
    if kind == "file":
        made.close()


def test_bytearray_is_copied(path) -> None:  # type: ignore[no-untyped-def]
    buf = bytearray(path.read_bytes())
    reader = marcmap.MARCReader(buf)
    before = reader[0].as_marc()
    buf[30:40] = b"XXXXXXXXXX"
    assert reader[0].as_marc() == before


def test_bad_sources_and_options(path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with open(path, encoding="latin-1") as text, pytest.raises(TypeError):
        marcmap.MARCReader(text)
    with pytest.raises(FileNotFoundError):
        marcmap.MARCReader(str(tmp_path / "nope.mrc"))
    for bad in (12, 3.5, None, ["a"]):
        with pytest.raises(TypeError):
            marcmap.MARCReader(bad)
    for option in (
        {"utf8_handling": "loose"},
        {"framing": "maybe"},
        {"marc8_ligatures": "x"},
        {"marc8_normalization": "NFKC"},
        {"file_encoding": "klingon"},
        {"validation": "lax"},
        {"marc8_handling": "loose"},
    ):
        with pytest.raises(ValueError):
            marcmap.MARCReader(str(path), **option)


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


def test_slices_with_huge_steps() -> None:
    reader = marcmap.MARCReader(simple("a") * 10)
    assert [r.index for r in reader[5 :: sys.maxsize] if r is not None] == [5]
    assert [r.index for r in reader[:: -sys.maxsize] if r is not None] == [9]


def test_to_pymarc_needs_text_values() -> None:
    record = marcmap.MARCReader(simple("a"), to_unicode=False)[0]
    assert record is not None
    with pytest.raises(TypeError, match="to_unicode=True"):
        record.to_pymarc()


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
