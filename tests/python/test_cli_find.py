"""``marcmap grep|filter|select|frequency``, run as a subprocess on real corpus
files, against what pymarc reads there."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import marcmap
import pymarc
from conftest import corpus_path
from helpers import run_cli

UTF8 = "traject/test/test_support/test_data.utf8.mrc"
MARC8 = "solrmarc/uva_001-200.mrc"


def _pymarc(path: Path) -> list[pymarc.Record]:
    with open(path, "rb") as fh:
        return [r for r in pymarc.MARCReader(fh) if r is not None]


def _values(record: pymarc.Record, tag: str, code: str) -> list[str]:
    return [s.value for f in record.get_fields(tag) for s in f.subfields if s.code == code]


def _text(field: pymarc.Field) -> str:
    return field.data if field.is_control_field() else field.value()


def test_grep_counts_and_prints_what_pymarc_finds() -> None:
    path = corpus_path(UTF8)
    theirs = _pymarc(path)
    sixes = [
        [s.value for f in r.fields if f.tag.startswith("6") for s in f.subfields if s.code in "az"]
        for r in theirs
    ]
    hits = [v for v in sixes if any(re.search("japan", x, re.I) for x in v)]
    out = run_cli("grep", "japan", str(path), "--spec", "6..$a$z", "-i", "--count")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"{len(hits)}\n"
    assert hits
    # Every field, no spec: a field's value as pymarc's value() gives it.
    everywhere = [r for r in theirs if any(re.search(r"\bJapan", _text(f)) for f in r.fields)]
    out = run_cli("grep", r"\bJapan", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "".join(f"{r}\n\n" for r in everywhere)
    out = run_cli("grep", r"\bJapan", str(path), "-v", "-c")
    assert out.stdout == f"{len(theirs) - len(everywhere)}\n"
    out = run_cli("grep", "^DLC$", str(path), "--spec", "040$a", "--format", "jsonl")
    got = [json.loads(line) for line in out.stdout.splitlines()]
    want = [r for r in theirs if "DLC" in _values(r, "040", "a")]
    assert [g["fields"][0] for g in got] == [r.as_dict()["fields"][0] for r in want]
    none = run_cli("grep", "no such text anywhere", str(path))
    assert (none.returncode, none.stdout) == (1, "")


def test_grep_several_files() -> None:
    a, b = corpus_path(UTF8), corpus_path(MARC8)
    out = run_cli("grep", "History", str(a), str(b), "--spec", "650$x", "-c")
    assert out.returncode == 0, out.stderr
    want = [
        sum(1 for r in _pymarc(p) if any("History" in v for v in _values(r, "650", "x")))
        for p in (a, b)
    ]
    assert out.stdout == f"{a}:{want[0]}\n{b}:{want[1]}\n"


def test_filter_writes_the_matching_records(tmp_path: Path) -> None:
    path = corpus_path(MARC8)
    theirs = _pymarc(path)
    out_path = tmp_path / "out.mrc"
    expr = "count(650) >= 2 and not 700"
    out = run_cli("filter", expr, str(path), str(out_path))
    assert out.returncode == 0, out.stderr
    want = [r for r in theirs if len(r.get_fields("650")) >= 2 and not r.get_fields("700")]
    assert want
    assert [r.as_marc() for r in _pymarc(out_path)] == [r.as_marc() for r in want]
    assert f"{len(want)} records of {len(theirs)} matched" in out.stderr
    jsonl = run_cli("filter", expr, str(path), "-", "--to", "jsonl")
    assert len(jsonl.stdout.splitlines()) == len(want)
    nothing = run_cli("filter", "245 and not 245", str(path), str(tmp_path / "none.mrc"))
    assert nothing.returncode == 1
    bad = run_cli("filter", "245$ = x", str(path), str(tmp_path / "bad.mrc"))
    assert bad.returncode == 2
    assert "a subfield code after '$'" in bad.stderr and "column 5" in bad.stderr


def test_select_against_pymarc(tmp_path: Path) -> None:
    path = corpus_path(UTF8)
    theirs = _pymarc(path)
    out = run_cli("select", "001", "245$a", "650$a", str(path))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["001", "245$a", "650$a"]
    assert rows[1:] == [
        [r["001"].data, "|".join(_values(r, "245", "a")), "|".join(_values(r, "650", "a"))]
        for r in theirs
    ]
    out = run_cli(
        "select",
        "001",
        "650$a",
        str(path),
        "--explode",
        "--format",
        "tsv",
        "--header",
        "id",
        "subject",
    )
    rows = list(csv.reader(io.StringIO(out.stdout), dialect="excel-tab"))
    want = []
    for r in theirs:
        subjects = _values(r, "650", "a")
        want += [[r["001"].data if k == 0 else "", s] for k, s in enumerate(subjects)] or [
            [r["001"].data, ""]
        ]
    assert rows == [["id", "subject"], *want]
    out = run_cli("select", "245^2", "008/35-37", str(path), "--format", "jsonl")
    got = [json.loads(line) for line in out.stdout.splitlines()]
    assert got == [
        {"245^2": [f.indicator2 for f in r.get_fields("245")], "008/35-37": [r["008"].data[35:38]]}
        for r in theirs
    ]
    parquet = tmp_path / "t.parquet"
    out = run_cli("select", "001", "650$a", str(path), "--format", "parquet", "-o", str(parquet))
    assert out.returncode == 0, out.stderr
    import pyarrow.parquet as pq

    table = pq.read_table(parquet)
    assert table.column("650$a").to_pylist() == [_values(r, "650", "a") for r in theirs]
    bad = run_cli("select", "001", "245$a", str(path), "--header", "one")
    assert bad.returncode == 2


def test_frequency_against_pymarc() -> None:
    for name, spec, tag, code in [(UTF8, "650$a", "650", "a"), (MARC8, "040$a", "040", "a")]:
        path = corpus_path(name)
        counts = Counter(v for r in _pymarc(path) for v in _values(r, tag, code))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out = run_cli("frequency", spec, str(path), "--format", "csv", "--ligatures", "pymarc")
        assert out.returncode == 0, out.stderr
        rows = list(csv.reader(io.StringIO(out.stdout)))
        assert rows == [["value", "count"], *[[v, str(n)] for v, n in ranked]]
        out = run_cli(
            "frequency",
            spec,
            str(path),
            "--format",
            "json",
            "--limit",
            "3",
            "--ligatures",
            "pymarc",
        )
        assert json.loads(out.stdout) == [{"value": v, "count": n} for v, n in ranked[:3]]
        out = run_cli("frequency", spec, str(path), "--limit", "2", "--ligatures", "pymarc")
        width = len(str(ranked[0][1]))
        assert out.stdout == "".join(f"{n:>{width},}  {v}\n" for v, n in ranked[:2])
    leader = run_cli("frequency", "LDR/6", str(corpus_path(UTF8)), "--format", "csv")
    want = Counter(str(r.leader)[6] for r in _pymarc(corpus_path(UTF8)))
    assert dict((v, int(n)) for v, n in list(csv.reader(io.StringIO(leader.stdout)))[1:]) == want
    none = run_cli("frequency", "999$a", str(corpus_path(UTF8)))
    assert none.returncode == 1


def test_commands_read_stdin() -> None:
    path = corpus_path(UTF8)
    out = subprocess.run(
        [sys.executable, "-m", "marcmap", "select", "001", "-", "--no-header"],
        input=path.read_bytes(),
        capture_output=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().splitlines() == [r["001"].data for r in _pymarc(path)]


def test_select_refuses_its_input_as_output_and_writes_whole(tmp_path: Path) -> None:
    """``select -o`` (CSV through to_csv, JSON lines in Python) writes as every
    writer does: never onto the input (by device and inode), and the target
    only replaced when the table is whole."""
    path = tmp_path / "in.mrc"
    path.write_bytes(corpus_path(UTF8).read_bytes())
    before = path.read_bytes()
    for fmt in ("csv", "jsonl"):
        out = run_cli("select", "001", str(path), "--format", fmt, "-o", str(path))
        assert out.returncode != 0 and "input" in out.stderr, out.stderr
        assert path.read_bytes() == before
        with open(path, "ab") as same:
            ran = subprocess.run(
                [sys.executable, "-m", "marcmap", "select", "001", str(path), "--format", fmt],
                stdout=same,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
            )
        assert ran.returncode != 0 and "input" in ran.stderr, ran.stderr
        assert path.read_bytes() == before
    for command in (["frequency", "001"], ["grep", "."]):
        with open(path, "ab") as same:
            ran = subprocess.run(
                [sys.executable, "-m", "marcmap", *command, str(path)],
                stdout=same,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
            )
        assert ran.returncode != 0 and "input" in ran.stderr, (command, ran.stderr)
        assert path.read_bytes() == before
    ids = [r["001"].data for r in _pymarc(path)]
    target = tmp_path / "ids.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    out = run_cli("select", "001", str(path), "--format", "jsonl", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["001"] for line in target.read_text().splitlines()] == [
        [i] for i in ids
    ]
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ids.jsonl", "in.mrc"]


def test_grep_says_the_records_it_cannot_read() -> None:
    """A record that does not read is not searched, and not lost silently: grep
    names each on standard error (index and byte offset, as pymarc finds them
    unreadable) and exits 2, after printing the records that matched."""
    path = (
        Path(__file__).resolve().parents[1]
        / "data"
        / "malformed"
        / "mrrc-testbed_bad_directory.mrc"
    )
    with open(path, "rb") as f:
        theirs = list(pymarc.MARCReader(f, to_unicode=True))
    out = run_cli("grep", "-v", "-c", "no such text", str(path))
    errors = [line for line in out.stderr.splitlines() if line.startswith("error: ")]
    assert out.returncode == 2, out.stderr
    assert len(errors) == 3 and all(re.match(r"error: record \d+ \(byte \d+\)", e) for e in errors)
    assert sum(r is None for r in theirs) == len(errors)
    assert int(out.stdout) == len(theirs) - len(errors)
    text = run_cli("grep", ".", str(path))
    assert text.returncode == 2 and text.stderr.count("error: ") == 3
    assert text.stdout.count("=LDR") == len(theirs) - len(errors)


BAD_RECORDS = Path(__file__).parent.parent / "data" / "malformed" / "pymarc_bad_records.mrc"


def test_unreadable_records_are_reported_not_dropped(tmp_path: Path) -> None:
    """pymarc's bad_records.mrc (9 records, most broken): filter and frequency
    leave out those they cannot read, and say so, in Python and on the command
    line; validation names the same records."""
    reader = marcmap.MARCReader(str(BAD_RECORDS))
    bad = sorted(e.record_index for e in reader.validate(decode=False))
    assert bad
    every = "count(001) >= 0"  # true of every record that can be read
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = reader.filter(every)
        counts = reader.frequency("245$a")
    left_out = [w.message for w in caught if isinstance(w.message, marcmap.SkippedRecordsWarning)]
    assert len(left_out) == 2
    for warning in left_out:
        assert sorted(e.record_index for e in warning.errors) == bad
        assert all(isinstance(e, marcmap.MarcError) for e in warning.errors)
        assert f"{len(bad)} records could not be read and were left out" in str(warning)
    assert sorted(found + bad) == list(range(len(reader)))
    assert sum(n for _, n in counts) == sum(
        len(f.get_subfields("a")) for i in found for f in reader[i].get_fields("245")
    )
    strict = marcmap.MARCReader(str(BAD_RECORDS), raise_errors=True)
    try:
        strict.filter(every)
    except marcmap.MarcError as e:
        assert e.record_index == bad[0]
    else:
        raise AssertionError("raise_errors=True raises the first unreadable record")

    out = run_cli("filter", every, str(BAD_RECORDS), str(tmp_path / "good.mrc"))
    assert out.returncode == 1
    named = re.findall(r"^error: record (\d+) ", out.stderr, re.MULTILINE)
    assert sorted(map(int, named)) == bad, out.stderr
    assert f"{len(found)} records of {len(reader)} matched" in out.stderr
    freq = run_cli("frequency", "245$a", str(BAD_RECORDS))
    assert freq.returncode == 1
    assert len(re.findall(r"^error: record \d+ ", freq.stderr, re.MULTILINE)) == len(bad)


def test_values_of_unreadable_records_are_empty_and_reported(tmp_path: Path) -> None:
    """extract, to_csv and marcmap select give a record they cannot read empty
    entries (one row a record stays one row a record) and report it: one
    SkippedRecordsWarning a call, naming the records validate() names; the
    command names each on standard error and exits 1."""
    reader = marcmap.MARCReader(str(BAD_RECORDS))
    bad = sorted(e.record_index for e in reader.validate(decode=False))
    assert bad
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = reader.extract("245$a")
        reader.to_csv(str(tmp_path / "table.csv"), ["001", "245$a"], header=False)
    left_out = [w.message for w in caught if isinstance(w.message, marcmap.SkippedRecordsWarning)]
    assert [str(w).split(":")[0] for w in left_out] == ["extract", "to_csv"]
    for warning in left_out:
        assert sorted(e.record_index for e in warning.errors) == bad
    assert all(values[i] == [] for i in bad)
    with open(tmp_path / "table.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == len(reader) and all(rows[i] == ["", ""] for i in bad)
    for fmt in ("csv", "jsonl", "parquet"):
        to = ["-o", str(tmp_path / "table.parquet")] if fmt == "parquet" else []
        out = run_cli("select", "--format", fmt, *to, "001", "245$a", str(BAD_RECORDS))
        assert out.returncode == 1, out.stderr
        named = re.findall(r"^error: record (\d+) ", out.stderr, re.MULTILINE)
        assert sorted(map(int, named)) == bad, out.stderr
    strict = marcmap.MARCReader(str(BAD_RECORDS), raise_errors=True)
    try:
        strict.extract("245$a")
    except marcmap.MarcError as e:
        assert e.record_index == bad[0]
    else:
        raise AssertionError("raise_errors=True raises the first unreadable record")
    # raise_errors=True: to_csv raises the first, and leaves the path as it was.
    table = tmp_path / "strict.csv"
    table.write_text("before")
    try:
        strict.to_csv(str(table), ["001"])
    except marcmap.MarcError as e:
        assert e.record_index == bad[0]
    else:
        raise AssertionError("raise_errors=True raises the first unreadable record")
    assert table.read_text() == "before"
    # to_parquet names the records it makes null: in the wide shape those
    # extract leaves empty; in the nested and long shapes those whose text,
    # decoded as the reader decodes it, does not check.
    text_bad = sorted(e.record_index for e in reader.validate(strict_text=False))
    assert set(bad) <= set(text_bad)
    for shape, want in (("columns", bad), ("records", text_bad), ("subfields", text_bad)):
        columns = ["001", "245$a"] if shape == "columns" else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reader.to_parquet(str(tmp_path / f"{shape}.parquet"), shape, columns)
        named = [w.message for w in caught if isinstance(w.message, marcmap.SkippedRecordsWarning)]
        assert len(named) == 1 and str(named[0]).startswith("to_parquet: ")
        assert sorted(e.record_index for e in named[0].errors) == want, shape
    # write(where=...) in Python: the records it cannot read are its errors.
    result = reader.write(str(tmp_path / "good.mrc"), where="count(001) >= 0")
    assert sorted(e.record_index for e in result.errors) == bad
    assert result.matched == result.written == len(reader) - len(bad)
