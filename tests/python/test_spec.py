"""MARCspec selectors and filter expressions from Python, on real records, with
pymarc as the oracle for the values: ``extract`` with MARCspecs, ``Spec``,
``SpecError``, ``filter(expr)``, ``where(expr)`` and its uses."""

from __future__ import annotations

import csv
import io
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import marcmap
import pyarrow as pa
import pymarc
import pytest
from conftest import corpus_path
from marcmap._selection import Selection

FILES = [
    "blacklight-marc/test_data.utf8.mrc",
    "folio-mod-data-import/src/test/resources/CornellFOLIOExemplars_Bibs.mrc",
    "solrmarc/record_set_045.mrc",
    "solrmarc/uva_001-200.mrc",
]


def _records(path: Path) -> list[pymarc.Record | None]:
    with open(path, "rb") as f:
        return list(pymarc.MARCReader(f, to_unicode=True, utf8_handling="replace"))


def _subfields(f: pymarc.Field, *codes: str) -> list[str]:
    return [s.value for s in f.subfields if s.code in codes]


def _chars(values: list[str], pick: Callable[[str], str]) -> list[str]:
    return [p for p in (pick(v) for v in values) if p]


def _lcsh_a(r: pymarc.Record) -> list[str]:
    return [
        v for f in r.get_fields("650") if "lcsh" in _subfields(f, "2") for v in _subfields(f, "a")
    ]


def _no_q_a(r: pymarc.Record) -> list[str]:
    return [v for f in r.get_fields("020") if not _subfields(f, "q") for v in _subfields(f, "a")]


# Each spec and what pymarc gives for it, record by record.
ORACLE: dict[str, Callable[[pymarc.Record], list[str]]] = {
    "001": lambda r: [f.data for f in r.get_fields("001")],
    "LDR/6": lambda r: [str(r.leader)[6]],
    "LDR/06": lambda r: [str(r.leader)[6]],
    "LDR/#-3": lambda r: [str(r.leader)[-4:]],
    "008/35-37": lambda r: _chars([f.data for f in r.get_fields("008")], lambda d: d[35:38]),
    "245": lambda r: [f.value() for f in r.get_fields("245")],
    "245$a": lambda r: [v for f in r.get_fields("245") for v in _subfields(f, "a")],
    "245$a-c": lambda r: [v for f in r.get_fields("245") for v in _subfields(f, "a", "b", "c")],
    "650$ax": lambda r: [v for f in r.get_fields("650") for v in _subfields(f, "a", "x")],
    "6..$a": lambda r: [
        v
        for f in r.fields
        if f.tag.startswith("6") and not f.is_control_field()
        for v in _subfields(f, "a")
    ],
    "245^2": lambda r: [f.indicator2 for f in r.get_fields("245")],
    "650^1": lambda r: [f.indicator1 for f in r.get_fields("650")],
    "650[0]$a": lambda r: [v for f in r.get_fields("650")[:1] for v in _subfields(f, "a")],
    "650[#]$a": lambda r: [v for f in r.get_fields("650")[-1:] for v in _subfields(f, "a")],
    "650[#-1]": lambda r: [f.value() for f in r.get_fields("650")[-2:]],
    "700[0-1]$a": lambda r: [v for f in r.get_fields("700")[:2] for v in _subfields(f, "a")],
    "650$a[0]": lambda r: [v for f in r.get_fields("650") for v in _subfields(f, "a")[:1]],
    "650$x[#]": lambda r: [v for f in r.get_fields("650") for v in _subfields(f, "x")[-1:]],
    "245$a/0-3": lambda r: _chars(
        [v for f in r.get_fields("245") for v in _subfields(f, "a")], lambda v: v[:4]
    ),
    "245$a/#-1": lambda r: _chars(
        [v for f in r.get_fields("245") for v in _subfields(f, "a")], lambda v: v[-2:]
    ),
    "650$a{$2=\\lcsh}": _lcsh_a,
    "020$a{!020$q}": _no_q_a,
    "245$a{^1=\\1}": lambda r: [
        v for f in r.get_fields("245") if f.indicator1 == "1" for v in _subfields(f, "a")
    ],
    "100$a{LDR/6=\\a|LDR/6=\\t}": lambda r: [
        v for f in r.get_fields("100") if str(r.leader)[6] in "at" for v in _subfields(f, "a")
    ],
}


@pytest.mark.parametrize("name", FILES)
def test_extract_with_marcspecs_matches_pymarc(name: str) -> None:
    path = corpus_path(name)
    theirs = _records(path)
    reader = marcmap.MARCReader(str(path), utf8_handling="replace", marc8_ligatures="pymarc")
    specs = list(ORACLE)
    ours = reader.extract(*specs)
    assert len(ours) == len(theirs)
    checked = 0
    for i, (mine, record) in enumerate(zip(ours, theirs, strict=True)):
        if record is None:
            continue
        for spec, values in zip(specs, mine, strict=True):
            assert values == ORACLE[spec](record), (name, i, spec)
            checked += len(values)
    assert checked > 100
    # A parsed Spec gives the same as its text.
    assert reader.extract(marcmap.Spec("650$a{$2=\\lcsh}")) == [
        row[specs.index("650$a{$2=\\lcsh}")] for row in ours
    ]


EXPRESSIONS: dict[str, Callable[[pymarc.Record], bool]] = {
    "245$a ~ /^the/i and not 856": lambda r: (
        any(re.search("^the", v, re.I) for v in ORACLE["245$a"](r)) and not r.get_fields("856")
    ),
    "LDR/06 = a and 008/35-37 in [eng, ger]": lambda r: (
        str(r.leader)[6] == "a" and any(v in ("eng", "ger") for v in ORACLE["008/35-37"](r))
    ),
    "count(650) >= 3": lambda r: len(r.get_fields("650")) >= 3,
    "040$a = DLC or 040$d = DLC": lambda r: any(
        v == "DLC" for f in r.get_fields("040") for v in _subfields(f, "a") + _subfields(f, "d")
    ),
    "650$a ~ History and not (020 or 022)": lambda r: (
        any("History" in v for f in r.get_fields("650") for v in _subfields(f, "a"))
        and not r.get_fields("020", "022")
    ),
    "008/07-10 >= 1990 and 008/07-10 < 2000": lambda r: any(
        v.isdigit() and 1990 <= int(v) < 2000 for f in r.get_fields("008") for v in [f.data[7:11]]
    ),
    "650$a !~ /^[A-M]/": lambda r: (
        not any(re.search("^[A-M]", v) for f in r.get_fields("650") for v in _subfields(f, "a"))
    ),
}


@pytest.mark.parametrize("name", FILES)
def test_filter_expressions_match_pymarc(name: str) -> None:
    path = corpus_path(name)
    theirs = _records(path)
    reader = marcmap.MARCReader(str(path), utf8_handling="replace", marc8_ligatures="pymarc")
    hits = 0
    for expr, oracle in EXPRESSIONS.items():
        want = [i for i, r in enumerate(theirs) if r is not None and oracle(r)]
        assert reader.filter(expr) == want, expr
        assert reader.filter(marcmap.Expr(expr), threads=1) == want, expr
        hits += len(want)
    assert hits > 0


def test_old_filter_keeps_working() -> None:
    path = corpus_path(FILES[0])
    theirs = [r for r in _records(path)]
    reader = marcmap.MARCReader(str(path))
    want = [
        i
        for i, r in enumerate(theirs)
        if r and any("history" in v.lower() for v in ORACLE["650$ax"](r))
    ]
    assert want
    assert reader.filter("650$ax", contains="HISTORY", ignore_case=True) == want
    assert reader.filter(marcmap.Spec("650$ax"), contains="HISTORY", ignore_case=True) == want
    assert reader.filter("650") == [i for i, r in enumerate(theirs) if r and r.get_fields("650")]


def test_a_selection_is_found_and_written_in_one_pass(tmp_path: Path) -> None:
    # where(...).write(...) tests each record as it writes it: filter() is not
    # called first, and the bytes are those of write(records=filter(...)).
    reader = marcmap.MARCReader(str(corpus_path(FILES[3])))
    asked: list[int | None] = []

    class Counting:
        def filter(self, expr: Any, *, threads: int | None = None) -> list[int]:
            asked.append(threads)
            return reader.filter(expr, threads=threads)

        def write(self, target: Any, format: Any, **options: Any) -> Any:
            return reader.write(target, format, **options)

    selection = Selection(Counting(), marcmap.Expr("650"))  # type: ignore[arg-type]
    one = selection.write(str(tmp_path / "one.mrc"), threads=1)
    assert asked == []
    want = reader.filter("650")
    assert 0 < len(want) < len(reader)
    reader.write(str(tmp_path / "want.mrc"), records=want)
    assert one.matched == one.written == len(want)
    assert (tmp_path / "one.mrc").read_bytes() == (tmp_path / "want.mrc").read_bytes()
    # Once found (here by len()), a use reads only those records.
    assert len(selection) == len(want) and asked == [None]
    again = selection.write(str(tmp_path / "again.mrc"), threads=1)
    assert asked == [None] and again.matched == again.written == len(want)
    assert (tmp_path / "again.mrc").read_bytes() == (tmp_path / "want.mrc").read_bytes()
    # Without an expression, the result has no count of matches.
    assert reader.write(str(tmp_path / "all.mrc")).matched is None


def test_write_where_with_records_edits_and_progress(tmp_path: Path) -> None:
    reader = marcmap.MARCReader(str(corpus_path(FILES[3])))
    want = reader.filter("650")
    assert 2 < len(want) < len(reader)
    # With records= too: the listed records (in that order) that meet it.
    listed = list(range(len(reader) - 1, -1, -2))
    kept = [i for i in listed if i in set(want)]
    assert 0 < len(kept) < len(listed)
    got = reader.write(str(tmp_path / "some.mrc"), records=listed, where="650")
    reader.write(str(tmp_path / "kept.mrc"), records=kept)
    assert got.matched == got.written == len(kept)
    assert (tmp_path / "some.mrc").read_bytes() == (tmp_path / "kept.mrc").read_bytes()
    # The expression is tested before the edits: "not 856" picks the records
    # as read, each of which then gets an 856.
    plain = reader.filter("not 856")
    assert plain
    edited = reader.write(
        str(tmp_path / "edited.mrc"),
        where="not 856",
        edits=["add 856 40 $u https://example.org/"],
    )
    assert edited.matched == edited.written == len(plain)
    out = marcmap.MARCReader(str(tmp_path / "edited.mrc"))
    assert len(out) == len(plain) and all(r is not None and r.get_fields("856") for r in out)
    # Progress moves on with every chunk of records, written or not, to the total.
    steps: list[tuple[int, int]] = []
    reader.write(
        str(tmp_path / "rare.mrc"),
        where="001 = no-such-id",
        progress=lambda d, t: steps.append((d, t)),
    )
    assert steps and steps[-1] == (len(reader), len(reader))
    assert [d for d, _ in steps] == sorted({d for d, _ in steps})
    # A selection chooses its records itself.
    for taken in ({"records": [0]}, {"where": "650"}):
        with pytest.raises(TypeError, match="chooses the records itself"):
            reader.where("650").write(str(tmp_path / "x.mrc"), **taken)


def test_where_is_lazy_and_feeds_write_extract_arrow(tmp_path: Path) -> None:
    path = corpus_path(FILES[3])
    theirs = _records(path)
    reader = marcmap.MARCReader(str(path), utf8_handling="replace", marc8_ligatures="pymarc")
    expr = "count(650) >= 2 and 245$a ~ /a/i"
    want = [
        i
        for i, r in enumerate(theirs)
        if r
        and len(r.get_fields("650")) >= 2
        and any(re.search("a", v, re.I) for v in ORACLE["245$a"](r))
    ]
    assert 10 < len(want) < len(theirs)
    selection = reader.where(expr)
    assert selection._found is None  # nothing read yet
    assert len(selection) == len(want)
    assert selection.indices() == want
    out = tmp_path / "out.mrc"
    result = selection.write(str(out))
    assert result.written == len(want)
    written = _records(out)
    assert [r.as_marc() for r in written if r] == [theirs[i].as_marc() for i in want if theirs[i]]
    assert selection.extract("001") == [ORACLE["001"](theirs[i]) for i in want if theirs[i]]
    table = pa.table(
        selection.to_arrow("columns", {"id": "001", "subjects": marcmap.Spec("650$a")})
    )
    assert table.num_rows == len(want)
    subjects = [[v for f in theirs[i].get_fields("650") for v in _subfields(f, "a")] for i in want]
    assert table.column("subjects").to_pylist() == subjects
    nested = pa.table(selection.to_arrow())
    assert nested.column("record_index").to_pylist() == want
    assert [r["001"].data for r in selection if r] == [theirs[i]["001"].data for i in want]
    parquet = tmp_path / "out.parquet"
    assert selection.to_parquet(str(parquet), "columns", ["001"]) == len(want)


@pytest.mark.parametrize(
    ("bad", "column", "expected"),
    [
        ("245$", 5, "a subfield code after '$'"),
        ("24", 3, "a field tag"),
        ("008/9-3", 5, "inclusive range"),
        ("245$a{$b", 9, "'|' or '}'"),
        ("245[x]", 5, "a position"),
    ],
)
def test_bad_specs_raise_spec_error_with_the_column(bad: str, column: int, expected: str) -> None:
    with pytest.raises(marcmap.SpecError) as info:
        marcmap.Spec(bad)
    e = info.value
    assert isinstance(e, ValueError)
    assert (e.text, e.column) == (bad, column)
    assert expected in e.expected
    assert str(e) == f"`{bad}`: {e.expected} at column {column}"
    reader = marcmap.MARCReader(str(corpus_path(FILES[0])))
    for call in (
        lambda: reader.extract(bad),
        lambda: reader.filter(bad, contains="x"),
        lambda: reader.to_arrow("columns", {"x": bad}),
    ):
        with pytest.raises(marcmap.SpecError) as again:
            call()
        assert again.value.column == column
    copy = pickle.loads(pickle.dumps(e))
    assert (type(copy), copy.column, str(copy)) == (marcmap.SpecError, column, str(e))


def test_bad_expressions_raise_spec_error() -> None:
    reader = marcmap.MARCReader(str(corpus_path(FILES[0])))
    for bad, column in [("245$a =", 8), ("245$a ~ /(/", 9), ("not", 4), ("650 and or", 9)]:
        with pytest.raises(marcmap.SpecError) as info:
            reader.filter(bad)
        assert info.value.column == column, bad
        with pytest.raises(marcmap.SpecError):
            reader.where(bad)
    with pytest.raises(TypeError):
        reader.filter(245)  # type: ignore[arg-type]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    # A run of "(" or "not" once overflowed the parser's stack, which aborts
    # the interpreter; past the documented depth it is a SpecError.
    depth = 100
    reader = marcmap.MARCReader(str(Path(__file__).parent.parent / "data" / "sample.mrc"))
    # depth - 1 parentheses and a "not": as deep as allowed.
    deepest = marcmap.Expr("(" * (depth - 1) + "not 650" + ")" * (depth - 1))
    assert reader.filter(deepest) == reader.filter("not 650")
    assert 0 < len(reader.filter("not 650")) < len(reader)
    for bad, column in [
        ("(" * (depth + 1) + "245" + ")" * (depth + 1), depth + 1),
        ("not " * (depth + 1) + "245", 4 * depth + 1),
        ("(" * 100_000, depth + 1),
        ("not " * 100_000 + "245", 4 * depth + 1),
    ]:
        with pytest.raises(marcmap.SpecError) as info:
            marcmap.Expr(bad)
        assert info.value.column == column
        assert "nested" in str(info.value)
    # The edit language's conditions are filter expressions too.
    with pytest.raises(ValueError, match="nested"):
        marcmap.Edits(["delete 949 where " + "(" * 100_000 + "856"])


def test_spec_and_expr_objects() -> None:
    spec = marcmap.Spec("650[0]$a")
    assert (str(spec), spec.text, repr(spec), spec.is_single) == (
        "650[0]$a",
        "650[0]$a",
        "Spec('650[0]$a')",
        False,
    )
    assert marcmap.Spec("245[0]$a[0]").is_single and marcmap.Spec("008/35-37").is_single
    assert pickle.loads(pickle.dumps(spec)) == spec and hash(spec) == hash(marcmap.Spec("650[0]$a"))
    expr: Any = marcmap.Expr("count(650) >= 3")
    assert pickle.loads(pickle.dumps(expr)) == expr and str(expr) == "count(650) >= 3"


def test_frequency_and_to_csv_match_pymarc(tmp_path: Path) -> None:
    path = corpus_path(FILES[1])
    theirs = [r for r in _records(path) if r is not None]
    reader = marcmap.MARCReader(str(path), utf8_handling="replace")
    counts: dict[str, int] = {}
    for r in theirs:
        for v in ORACLE["6..$a"](r):
            counts[v] = counts.get(v, 0) + 1
    want = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    assert reader.frequency("6..$a", threads=2) == want
    assert reader.frequency(marcmap.Spec("6..$a"), threads=1) == want
    out = io.BytesIO()
    reader.to_csv(out, {"id": "001", "title": "245$a", "subjects": "650$a"}, threads=2)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert rows[0] == ["id", "title", "subjects"]
    assert rows[1:] == [
        [
            "|".join(ORACLE["001"](r)),
            "|".join(ORACLE["245$a"](r)),
            "|".join(v for f in r.get_fields("650") for v in _subfields(f, "a")),
        ]
        for r in theirs
    ]
    tsv = tmp_path / "t.tsv"
    reader.to_csv(str(tsv), ["650$a"], delimiter="\t", explode=True, header=False)
    lines = tsv.read_text().splitlines()
    assert lines == [v for r in theirs for f in r.get_fields("650") for v in _subfields(f, "a")]
    with pytest.raises(ValueError, match="delimiter"):
        reader.to_csv(out, ["001"], delimiter=";;")


def test_column_options_keep_subspecs_whole() -> None:
    from marcmap._columns import parse_columns

    assert parse_columns("id=001,lcsh=650$a{$2=\\lcsh|$2=\\fast},650$a{$2=\\mesh}") == {
        "id": "001",
        "lcsh": "650$a{$2=\\lcsh|$2=\\fast}",
        "650$a{$2=\\mesh}": "650$a{$2=\\mesh}",
    }
    for text in ("title=245$a,245$a", "a=001"):
        assert parse_columns(text)  # the old forms still parse


def test_to_csv_refuses_its_input_and_writes_whole(tmp_path: Path) -> None:
    """to_csv goes through the core's OutputFile, as every writer: the input
    file (by device and inode, here through a hard link) is refused and left
    as it was, and an output that fails part way leaves the old file whole."""
    source = corpus_path(FILES[1])
    path = tmp_path / "in.mrc"
    path.write_bytes(source.read_bytes())
    link = tmp_path / "link.mrc"
    link.hardlink_to(path)
    before = path.read_bytes()
    reader = marcmap.MARCReader(str(path), utf8_handling="replace")
    for target in (str(path), link):
        with pytest.raises(ValueError, match="input"):
            reader.to_csv(target, ["001"])
    assert path.read_bytes() == before and len(reader) == len(_records(source))
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    with pytest.raises(ValueError):
        reader.to_csv(out, ["001"], delimiter=";;")
    assert out.read_text() == "old\n"
    reader.to_csv(out, ["001"], header=False)
    want = ["|".join(ORACLE["001"](r)) for r in _records(source) if r is not None]
    assert out.read_text().splitlines() == want
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mrc", "link.mrc", "out.csv"]


def test_x_in_a_digit_tag_is_the_wildcard() -> None:
    """``6XX$a`` means ``6..$a`` (pymarc's values of every 6xx field), as the
    edit language's tag patterns read it; ``XXX`` is ``...``."""
    path = corpus_path(FILES[1])
    theirs = [r for r in _records(path) if r is not None]
    reader = marcmap.MARCReader(str(path), utf8_handling="replace")
    counts: dict[str, int] = {}
    for r in theirs:
        for v in ORACLE["6..$a"](r):
            counts[v] = counts.get(v, 0) + 1
    want = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    assert want and reader.frequency("6XX$a") == want
    with_6xx = [i for i, r in enumerate(theirs) if any(f.tag[0] == "6" for f in r.get_fields())]
    assert with_6xx and reader.filter("6XX") == with_6xx
    assert reader.filter("XXX") == reader.filter("...") != []
    assert reader.filter("XYZ") == []
