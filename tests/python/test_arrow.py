"""to_arrow / to_parquet: the three shapes against the record views and extract,
on every ISO 2709 corpus file (the fixtures without the corpus), read by pyarrow,
Polars and DuckDB; Parquet read back; the schemas pinned; bad text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import marcmap
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import CORPUS, DATA, corpus_available, corpus_path, iso2709_files, looks_like_iso2709
from helpers import run_cli

WIDE = {"id": "001", "title": "245$a", "subjects": "650$ax", "imprint": "260"}
POSITIONS = {"type": "LDR/06", "lang": "008/35-37", "date1": "008/07-10"}


def _files() -> list[Path]:
    if corpus_available():
        return iso2709_files()
    return sorted(p for p in DATA.rglob("*") if p.is_file() and looks_like_iso2709(p))


FILES = _files()


def _id(path: Path) -> str:
    try:
        return path.relative_to(CORPUS).as_posix()
    except ValueError:
        return path.relative_to(DATA).as_posix()


def _field_row(field: Any) -> dict[str, Any]:
    if field.is_control_field():
        return {"tag": field.tag, "ind1": None, "ind2": None, "data": field.data, "subfields": None}
    return {
        "tag": field.tag,
        "ind1": field.indicator1,
        "ind2": field.indicator2,
        "data": None,
        "subfields": [{"code": s.code, "value": s.value} for s in field.subfields],
    }


def nested_from_views(reader: marcmap.MARCReader[Any]) -> list[dict[str, Any]]:
    """The nested shape's rows, built from the record views."""
    rows = []
    for i in range(len(reader)):
        record = reader[i]
        row: dict[str, Any] = {"record_index": i}
        if record is None:
            row |= {"leader": None, "control_number": None, "fields": None}
        else:
            first_001 = next(iter(record.get_fields("001")), None)
            row |= {
                "byte_offset": record.offset,
                "leader": str(record.leader),
                "control_number": None if first_001 is None else first_001.data,
                "fields": [_field_row(f) for f in record.fields],
            }
        rows.append(row)
    return rows


def long_from_nested(nested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The long shape's rows, from the nested rows (themselves checked against the views)."""
    rows = []
    for r in nested:
        for fi, f in enumerate(r["fields"] or []):
            base = {
                "record_index": r["record_index"],
                "control_number": r["control_number"],
                "field_index": fi,
                "tag": f["tag"],
            }
            if f["subfields"] is None:
                rows.append(
                    base
                    | {
                        "ind1": None,
                        "ind2": None,
                        "subfield_index": None,
                        "code": None,
                        "value": f["data"],
                    }
                )
                continue
            for si, s in enumerate(f["subfields"]):
                rows.append(
                    base
                    | {
                        "ind1": f["ind1"],
                        "ind2": f["ind2"],
                        "subfield_index": si,
                        "code": s["code"],
                        "value": s["value"],
                    }
                )
    return rows


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_nested_and_long_shapes_equal_the_views(path: Path) -> None:
    reader = marcmap.MARCReader(str(path))
    want = nested_from_views(reader)
    got = pa.table(reader.to_arrow(batch_size=7, threads=2)).to_pylist()
    assert len(got) == len(want)
    offsets = [r.pop("byte_offset") for r in got]
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if "byte_offset" in w:
            assert offsets[i] == w.pop("byte_offset"), i
        assert g == w, f"record {i}"
    long = pa.table(reader.to_arrow("subfields", batch_size=5, threads=2)).to_pylist()
    assert long == long_from_nested(want)


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_wide_shape_equals_extract(path: Path) -> None:
    reader = marcmap.MARCReader(str(path))
    table = pa.table(reader.to_arrow("columns", WIDE, batch_size=3, threads=2))
    firsts = pa.table(reader.to_arrow("columns", WIDE | POSITIONS, first=True, threads=1))
    # A record is bad for every column when one of its values does not decode, as
    # in extract() with several specs; a bad record is null here, empty entries there.
    lists = reader.extract(*WIDE.values())
    singles = reader.extract(*(WIDE | POSITIONS).values(), first=True)
    for k, name in enumerate(WIDE):
        got = [v or [] for v in table.column(name).to_pylist()]
        assert got == [entry[k] for entry in lists], name
    for k, name in enumerate(WIDE | POSITIONS):
        assert firsts.column(name).to_pylist() == [entry[k] for entry in singles], name


def test_positions_are_the_views_positions() -> None:
    reader = marcmap.MARCReader(str(corpus_path("solrmarc/record_set_045.mrc")))
    t = pa.table(reader.to_arrow("columns", POSITIONS)).to_pylist()
    assert len(t) == len(reader) > 10
    for i, row in enumerate(t):
        record = reader[i]
        assert record is not None
        assert row["type"] == str(record.leader)[6]
        data = record["008"].data if "008" in record else None
        assert row["lang"] == (data[35:38] if data and len(data) > 35 else None)
        assert row["date1"] == (data[7:11] if data and len(data) > 7 else None)


def _sample() -> marcmap.MARCReader[str]:
    return marcmap.MARCReader(str(corpus_path("solrmarc/record_set_045.mrc")))


def test_pyarrow_polars_and_duckdb_read_the_stream() -> None:
    reader = _sample()
    want = reader.extract("650$a")
    subjects = reader.to_arrow("columns", {"s": "650$a"})
    df = pl.DataFrame(subjects)
    assert df["s"].to_list() == want
    lazy = pl.DataFrame(reader.to_arrow("columns", {"s": "650$a"})).lazy()
    assert lazy.explode("s").drop_nulls().collect().height == sum(len(v) for v in want)
    x = reader.to_arrow("columns", {"s": "650$a"})  # noqa: F841 (DuckDB finds it by name)
    got = duckdb.sql(
        "select s, count(*) as n from (select unnest(s) as s from x) group by s order by n desc, s"
    ).fetchall()
    counts: dict[str, int] = {}
    for values in want:
        for v in values:
            counts[v] = counts.get(v, 0) + 1
    assert got == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    nested = reader.to_arrow()  # noqa: F841 (DuckDB finds it by name)
    n = duckdb.sql("select count(*) from nested where fields is not null").fetchall()[0]
    assert n == (sum(1 for i in range(len(reader)) if reader[i] is not None),)
    stream = pa.RecordBatchReader.from_stream(reader.to_arrow(batch_size=4))
    batches = list(stream)
    assert [b.num_rows for b in batches][:-1] == [4] * (len(batches) - 1)
    assert sum(b.num_rows for b in batches) == len(reader)


@pytest.mark.parametrize("shape", ["records", "subfields", "columns"])
def test_parquet_reads_back_equal_to_the_stream(tmp_path: Path, shape: str) -> None:
    reader = _sample()
    columns = WIDE if shape == "columns" else None
    out = tmp_path / "out.parquet"
    seen: list[tuple[int, int]] = []
    rows = reader.to_parquet(
        out, shape, columns, batch_size=16, progress=lambda d, t: seen.append((d, t))
    )
    stream = pa.table(reader.to_arrow(shape, columns))
    back = pq.read_table(out)
    assert rows == stream.num_rows == back.num_rows
    assert back.schema.equals(stream.schema)
    assert back.equals(stream)
    assert seen[-1] == (len(reader), len(reader))
    assert pq.ParquetFile(out).metadata.row_group(0).column(0).compression == "ZSTD"
    reader.to_parquet(out, shape, columns, compression="snappy")
    assert pq.read_table(out).equals(stream)


def test_schemas_are_pinned() -> None:
    reader = _sample()
    text, nn = pa.string(), False
    subfield = pa.struct([pa.field("code", text, nn), pa.field("value", text, nn)])
    field = pa.struct(
        [
            pa.field("tag", text, nn),
            pa.field("ind1", text),
            pa.field("ind2", text),
            pa.field("data", text),
            pa.field("subfields", pa.list_(pa.field("item", subfield, nn))),
        ]
    )
    records = pa.schema(
        [
            pa.field("record_index", pa.int64(), nn),
            pa.field("byte_offset", pa.int64(), nn),
            pa.field("leader", text),
            pa.field("control_number", text),
            pa.field("fields", pa.list_(pa.field("item", field, nn))),
        ]
    )
    assert pa.schema(reader.to_arrow()) == records
    raw = pa.schema(reader.to_arrow(raw=True))
    assert raw == records.append(pa.field("raw", pa.binary(), nn))
    long = pa.schema(
        [
            pa.field("record_index", pa.int64(), nn),
            pa.field("control_number", text),
            pa.field("field_index", pa.int32(), nn),
            pa.field("tag", text, nn),
            pa.field("ind1", text),
            pa.field("ind2", text),
            pa.field("subfield_index", pa.int32()),
            pa.field("code", text),
            pa.field("value", text, nn),
        ]
    )
    assert pa.schema(reader.to_arrow("subfields")) == long
    wide = pa.schema(reader.to_arrow("columns", {"t": "245$a", "y": "008/07-10"}))
    assert wide == pa.schema([pa.field("t", pa.list_(pa.field("item", text, nn))), ("y", text)])
    first = pa.schema(reader.to_arrow("columns", ["245$a"], first=True, binary=True))
    assert first == pa.schema([("245$a", pa.binary())])
    binary = pa.schema(reader.to_arrow("subfields", binary=True))
    assert binary.field("value").type == pa.binary() and binary.field("code").type == text


def test_schema_needs_no_record_and_the_stream_is_consumed_once() -> None:
    reader = _sample()
    stream = reader.to_arrow("columns", {"t": "245$a"})
    assert pa.schema(stream).names == ["t"] and not stream.consumed
    assert pa.table(stream).num_rows == len(reader)
    assert stream.consumed
    with pytest.raises(ValueError, match="already consumed"):
        pa.table(stream)
    # A stream dropped unread releases its threads.
    for _ in range(20):
        capsule = reader.to_arrow(batch_size=1).__arrow_c_stream__()
        del capsule


def test_binary_columns_are_the_raw_bytes() -> None:
    path = str(corpus_path("solrmarc/record_set_045.mrc"))  # MARC-8
    raw_reader = marcmap.MARCReader(path, to_unicode=False)
    got = pa.table(marcmap.MARCReader(path).to_arrow("subfields", binary=True))
    want = long_from_nested(nested_from_views(raw_reader))
    assert got.column("value").to_pylist() == [r["value"] for r in want]
    text = pa.table(marcmap.MARCReader(path).to_arrow("subfields")).column("value")
    assert text.to_pylist() != got.column("value").to_pylist()


BAD_UTF8 = "encodings/traject_bad_utf_byte.utf8.marc"


def test_bad_text_under_strict() -> None:
    path = str(DATA / BAD_UTF8)
    lenient = marcmap.MARCReader(path)
    bad = [i for i in range(len(lenient)) if lenient[i] is None]
    assert bad, "the fixture has a record with invalid UTF-8"
    # By default a bad record is null, as bulk work gives empty entries.
    rows = pa.table(lenient.to_arrow()).to_pylist()
    assert [i for i, r in enumerate(rows) if r["fields"] is None] == bad
    assert all(r["leader"] is None for i, r in enumerate(rows) if i in bad)
    long = pa.table(lenient.to_arrow("subfields"))
    assert set(long.column("record_index").to_pylist()).isdisjoint(bad)
    # With raise_errors=True the stream ends with the positioned error.
    strict = marcmap.MARCReader(path, raise_errors=True)
    error = strict.validate()[0]
    with pytest.raises(pa.ArrowException) as raised:
        pa.table(strict.to_arrow())
    assert f"record {bad[0]}" in str(raised.value)
    assert f"byte {error.byte_offset}" in str(raised.value)
    with pytest.raises(marcmap.Utf8DecodeError) as decode:
        strict.to_parquet(Path(path).parent / "never.parquet", "subfields")
    assert decode.value.record_index == bad[0]
    assert decode.value.byte_offset == error.byte_offset
    assert not (Path(path).parent / "never.parquet").exists()
    # replace: U+FFFD, as the views give it.
    replaced = marcmap.MARCReader(path, utf8_handling="replace")
    got = pa.table(replaced.to_arrow()).to_pylist()
    for r in got:
        r.pop("byte_offset")
    assert got == [
        {k: v for k, v in r.items() if k != "byte_offset"} for r in nested_from_views(replaced)
    ]
    assert "\ufffd" in str(got[bad[0]])


def test_a_stream_names_each_record_it_made_null() -> None:
    """``ArrowStream.errors``: the records a stream made null (no rows in the
    long shape), each once, in record order, with their index and byte, as
    the consumer reads the batches; none for the records a ``records=`` list
    leaves out."""
    reader = marcmap.MARCReader(str(DATA / BAD_UTF8))
    bad = [i for i in range(len(reader)) if reader[i] is None]
    assert bad, "the fixture has a record with invalid UTF-8"
    # The errors iteration's None stands for, as validate() gives them.
    want = [(e.record_index, e.byte_offset) for e in reader.validate(strict_text=False)]
    assert [i for i, _ in want] == bad

    def found(stream: marcmap.ArrowStream) -> list[tuple[int | None, int | None]]:
        return [(e.record_index, e.byte_offset) for e in stream.errors]

    # The wide shape decodes only what it extracts: the bad byte is in 300.
    extent = {**WIDE, "extent": "300"}
    for shape, columns in (("records", None), ("subfields", None), ("columns", extent)):
        stream = reader.to_arrow(shape, columns, batch_size=2, threads=2)  # type: ignore[arg-type]
        assert stream.errors == []
        table = pa.table(stream)
        assert found(stream) == want, shape
        assert all(isinstance(e, marcmap.MarcDecodeError) for e in stream.errors)
        # Asked again: the same exceptions, not new ones.
        first = stream.errors
        assert all(a is b for a, b in zip(first, stream.errors, strict=True))
        if shape == "subfields":
            assert set(table.column("record_index").to_pylist()).isdisjoint(bad)
        else:
            key = "fields" if shape == "records" else "extent"
            assert [i for i, r in enumerate(table.to_pylist()) if r[key] is None] == bad
    # Without 300 no value fails to decode: no null row, no error.
    stream = reader.to_arrow("columns", WIDE)
    assert pa.table(stream).column("id").null_count == 0
    assert stream.errors == []
    # Batch by batch (a record a batch): an error arrives with its record's batch.
    stream = reader.to_arrow(batch_size=1)
    for k, batch in enumerate(pa.RecordBatchReader.from_stream(stream)):
        assert batch.num_rows == 1
        assert found(stream) == [w for w in want if w[0] <= k]  # type: ignore[operator]
    # Only the records asked for.
    good = [i for i in range(len(reader)) if i not in bad]
    stream = reader.to_arrow(records=good + bad[:1])
    pa.table(stream)
    assert found(stream) == want[:1]
    stream = reader.to_arrow(records=good)
    assert pa.table(stream).num_rows == len(good)
    assert stream.errors == []


def _first_marcxml() -> Path:
    """The first MARCXML file (of the corpus, else the fixtures) with records."""
    root = CORPUS if corpus_available() else DATA
    for path in sorted(root.rglob("*.xml")):
        try:
            reader = marcmap.MARCReader(str(path))
        except marcmap.MarcError:
            continue
        if reader.format == "marcxml" and len(reader) > 1:
            return path
    pytest.fail(f"no MARCXML file with records under {root}")


def test_byte_ranges_and_other_formats() -> None:
    path = str(corpus_path("solrmarc/record_set_045.mrc"))
    whole = pa.table(marcmap.MARCReader(path).to_arrow()).to_pylist()
    parts = []
    for start, end in marcmap.partitions(path, 3):
        part = pa.table(marcmap.MARCReader(path, byte_range=(start, end)).to_arrow()).to_pylist()
        # Indices count from the range's first record; offsets are the file's.
        assert [r["record_index"] for r in part] == list(range(len(part)))
        parts.extend(part)
    assert [r["byte_offset"] for r in parts] == [r["byte_offset"] for r in whole]
    assert [r["fields"] for r in parts] == [r["fields"] for r in whole]
    reader = marcmap.MARCReader(str(_first_marcxml()))
    assert reader.format == "marcxml"
    got = pa.table(reader.to_arrow()).to_pylist()
    want = nested_from_views(reader)
    assert [g["fields"] for g in got] == [w["fields"] for w in want]


def test_bad_arguments() -> None:
    reader = _sample()
    for kwargs, message in [
        ({"shape": "rows"}, "shape must be"),
        ({"shape": "columns"}, "needs columns"),
        ({"shape": "records", "columns": {"a": "245$a"}}, "goes with shape='columns'"),
        ({"shape": "columns", "columns": {"a": "24$a"}}, "three characters"),
        ({"shape": "columns", "columns": {"a": "008/9-3"}}, "inclusive range"),
        ({"shape": "columns", "columns": {}}, "empty"),
        ({"shape": "subfields", "raw": True}, "raw=True"),
        ({"first": True}, "first=True"),
        ({"batch_size": 0}, "batch_size"),
        ({"threads": 0}, "threads"),
    ]:
        with pytest.raises(ValueError, match=message):
            reader.to_arrow(**kwargs)
    with pytest.raises(ValueError, match="compression"):
        reader.to_parquet("x.parquet", compression="lz4")  # type: ignore[arg-type]


def test_cli_parquet(tmp_path: Path) -> None:
    path = str(corpus_path("solrmarc/record_set_045.mrc"))
    out = tmp_path / "wide.parquet"
    wide = ["--shape", "columns", "--columns", "id=001,title=245$a", "--first"]
    done = run_cli("parquet", path, str(out), *wide)
    assert done.returncode == 0, done.stderr
    reader = marcmap.MARCReader(path)
    back = pq.read_table(out)
    assert back.column("title").to_pylist() == reader.extract("245$a", first=True)
    assert "rows written" in done.stderr
    done = run_cli("parquet", path, str(tmp_path / "l.parquet"), "--shape", "subfields")
    assert done.returncode == 0, done.stderr
    assert (
        pq.read_table(tmp_path / "l.parquet").num_rows
        == pa.table(reader.to_arrow("subfields")).num_rows
    )


def test_a_partition_reports_its_null_rows_also_when_stopped_early() -> None:
    """What Dask and Spark run for each partition (``_pieces.read_batches``)
    warns one ``SkippedRecordsWarning`` with the errors of the null rows it
    handed out: all of them when read to the end, those read so far when the
    engine closes it early (a Spark ``LIMIT``)."""
    from marcmap import _pieces

    path = DATA / "malformed" / "pymarc_bad_records.mrc"
    size = path.stat().st_size
    piece = _pieces.Piece(_pieces.MarcFile(str(path), size), 0, size)
    request = _pieces.Request(arrow_options={"batch_size": 1})
    with marcmap.MARCReader(path) as reader:
        want = [(e.record_index, e.byte_offset) for e in reader.validate(strict_text=False)]
    assert len(want) == 5

    def reported(warned: Any) -> list[tuple[int | None, int | None]]:
        return [(e.record_index, e.byte_offset) for w in warned for e in w.message.errors]

    with pytest.warns(marcmap.SkippedRecordsWarning) as warned:
        batches = list(_pieces.read_batches(piece, request))
    assert sum(b.num_rows for b in batches) == 8
    assert reported(warned) == want
    # Stopped right after the batch of the first bad record.
    read = _pieces.read_batches(piece, request)
    first_bad = want[0][0]
    assert first_bad is not None
    for _ in range(first_bad + 1):
        next(read)
    with pytest.warns(marcmap.SkippedRecordsWarning) as warned:
        read.close()
    got = reported(warned)
    assert got[:1] == want[:1]
    assert got == want[: len(got)]
