"""Batch edits (`reader.write(edits=...)`, `marcmap.Edits`, `marcmap edit`)
against pymarc 5.4.0 doing the same edits on the same records, on the corpus.

pymarc is the oracle for the bytes of a changed record: each record is read by
pymarc, edited with pymarc's own API (the loop a user would write), and written
with ``as_marc()``; marcmap's output for that record must be the same bytes.
That holds for records that pymarc writes back as they were when unedited (a
UTF-8 record with two indicators a field and no empty subfields): for the
others pymarc rewrites fields no rule touched, where marcmap keeps their bytes
(checked against the input instead).
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import marcmap
import pymarc
import pytest
from conftest import corpus_path, iso2709_files, require_corpus
from helpers import run_cli

CLEAN = "traject/test/test_support/test_data.utf8.mrc"
LINK = "add 856 40 $u https://example.org/"


def written(reader: marcmap.MARCReader, rules: list[str], **kw: Any) -> tuple[Any, list[bytes]]:
    """The result of writing `reader` with `rules`, and the records written."""
    buf = io.BytesIO()
    result = reader.write(buf, edits=rules, **kw)
    data = buf.getvalue()
    records = []
    at = 0
    while at < len(data):
        n = int(data[at : at + 5])
        records.append(data[at : at + n])
        at += n
    return result, records


def pymarc_record(raw: bytes) -> pymarc.Record | None:
    """pymarc's reading of `raw`, when pymarc writes it back byte for byte (so
    that pymarc's output after an edit differs from the input only by the edit)."""
    if raw[9:10] != b"a":
        return None
    try:
        record = pymarc.Record(data=raw)
    except Exception:
        return None
    return record if record.as_marc() == raw else None


def subfields(field: pymarc.Field, code: str) -> list[int]:
    return [i for i, s in enumerate(field.subfields) if s.code == code]


def delete_9xx_add_856(record: pymarc.Record) -> None:
    for field in [f for f in record.fields if f.tag.startswith("9")]:
        record.remove_field(field)
    record.add_ordered_field(
        pymarc.Field(
            "856",
            indicators=pymarc.Indicators("4", "0"),
            subfields=[pymarc.Subfield("u", "https://example.org/")],
        )
    )


MANY = [
    "delete 650$x",
    "set 245 ind2 4 where 245$a ~ /^the /i",
    r"set 245$a s/\s*[\/:;,=]$//",
    "set 040$d DLC where 040$a = DLC",
    "set LDR/05 c where not 856",
    "set 008/35-37 eng where 008/35-37 = und",
    "move 100 700",
    "copy 245 740",
    "rename 090 050",
    "add 500 __ $a Edited. $5 DLC where 650",
]


def many(record: pymarc.Record) -> None:
    """MANY, with pymarc's API."""
    for f in record.get_fields("650"):
        f.subfields = [s for s in f.subfields if s.code != "x"]
    for f in record.get_fields("245"):
        if any(re.search(r"^the ", s.value, re.I) for s in f.subfields if s.code == "a"):
            f.indicator2 = "4"
    for f in record.get_fields("245"):
        for i in subfields(f, "a"):
            value = re.sub(r"\s*[/:;,=]$", "", f.subfields[i].value, count=1)
            f.subfields[i] = pymarc.Subfield("a", value)
    if any(
        s.value == "DLC" for f in record.get_fields("040") for s in f.subfields if s.code == "a"
    ):
        for f in record.get_fields("040"):
            if subfields(f, "d"):
                for i in subfields(f, "d"):
                    f.subfields[i] = pymarc.Subfield("d", "DLC")
            else:
                f.add_subfield("d", "DLC")
    if not record.get_fields("856"):
        record.leader = record.leader[:5] + "c" + record.leader[6:]
    if any(f.data[35:38] == "und" for f in record.get_fields("008")):
        for f in record.get_fields("008"):
            f.data = f.data[:35] + "eng" + f.data[38:]
    for f in record.get_fields("100"):
        record.remove_field(f)
        f.tag = "700"
        record.add_ordered_field(f)
    for f in record.get_fields("245"):
        c = copy.deepcopy(f)
        c.tag = "740"
        record.add_ordered_field(c)
    for f in record.get_fields("090"):
        f.tag = "050"
    if record.get_fields("650"):
        record.add_ordered_field(
            pymarc.Field(
                "500",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield("a", "Edited."), pymarc.Subfield("5", "DLC")],
            )
        )


def compare_with_pymarc(
    paths: list[Path], rules: list[str], edit: Callable[[pymarc.Record], None]
) -> tuple[int, int]:
    """Writes each file with `rules` and each record with pymarc's `edit`;
    gives (records compared with pymarc, records compared with the input)."""
    by_pymarc = by_input = 0
    for path in paths:
        reader = marcmap.MARCReader(str(path))
        result, out = written(reader, rules, threads=2)
        bad = {e.record_index for e in result.errors}
        good = [i for i in range(len(reader)) if i not in bad]
        assert len(out) == len(good) == result.written, path
        data = path.read_bytes()
        for i, ours in zip(good, out, strict=True):
            at = reader.offset(i)
            raw = data[at : at + int(data[at : at + 5])]
            record = pymarc_record(raw)
            if record is None:
                # pymarc would rewrite it whole: the structure is checked
                # against the input's instead (in tests/core/edit.rs too).
                again = marcmap.MARCReader(ours)
                assert len(again) == 1 and again.validate(decode=False) == [], (path, i)
                by_input += 1
                continue
            edit(record)
            assert ours == record.as_marc(), f"{path} record {i}"
            by_pymarc += 1
    return by_pymarc, by_input


def test_delete_9xx_add_856_is_pymarcs_loop_on_the_corpus() -> None:
    require_corpus()
    paths = iso2709_files()
    by_pymarc, by_input = compare_with_pymarc(paths, ["delete 9XX", LINK], delete_9xx_add_856)
    assert by_pymarc > 5_000, (by_pymarc, by_input)


def test_every_kind_of_rule_is_pymarcs_edit_on_the_corpus() -> None:
    require_corpus()
    by_pymarc, _ = compare_with_pymarc(iso2709_files(), MANY, many)
    assert by_pymarc > 5_000


def test_counts_per_rule_and_unchanged_records_keep_their_bytes() -> None:
    path = corpus_path("marc4j/test/resources/pride-and-prejudice-fixed.mrc")
    reader = marcmap.MARCReader(str(path))
    rules = ["delete 9XX", "set 245 ind2 4 where 245$a ~ /^the /i"]
    result, out = written(reader, rules)
    assert [c.rule for c in result.edits] == rules
    records = list(reader)
    assert all(r is not None for r in records)
    raws = [bytes(r.raw) for r in records]
    has_9xx = [any(f.tag.startswith("9") for f in r.fields) for r in records]
    the = [
        any(re.match(r"(?i)the ", v) for f in r.get_fields("245") for v in f.get_subfields("a"))
        and any(f.indicator2 != "4" for f in r.get_fields("245"))
        for r in records
    ]
    assert result.edits[0].records == sum(has_9xx) > 0
    assert result.edits[1].records == sum(the) > 0
    changed = 0
    for raw, ours, a, b in zip(raws, out, has_9xx, the, strict=True):
        if not (a or b):
            assert ours == raw
        else:
            changed += 1
            assert ours != raw
    assert changed > 0
    # The same on one thread and on four.
    assert written(reader, rules, threads=1)[1] == written(reader, rules, threads=4)[1] == out


def test_edits_are_parsed_once_and_bad_rules_say_where() -> None:
    edits = marcmap.Edits(["delete 9XX", LINK])
    assert edits.rules == ["delete 9XX", LINK] and len(edits) == 2
    assert "delete 9XX" in repr(edits)
    with pytest.raises(marcmap.EditRuleError) as info:
        marcmap.Edits(["delete 9XX", "set 245 ind3 4"])
    e = info.value
    assert isinstance(e, ValueError)
    assert (e.rule_index, e.column, e.rule) == (1, 9, "set 245 ind3 4")
    assert str(e).splitlines()[-1] == "          ^"
    with pytest.raises(TypeError, match="list of rules"):
        marcmap.Edits("delete 9XX")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is a str"):
        marcmap.Edits([b"delete 9XX"])  # type: ignore[list-item]
    reader = marcmap.MARCReader(str(corpus_path(CLEAN)))
    with pytest.raises(marcmap.EditRuleError):
        reader.write(io.BytesIO(), edits=["delete"])
    # An Edits and its rules write the same.
    assert written(reader, edits)[1] == written(reader, edits.rules)[1]  # type: ignore[arg-type]


def test_structural_leader_positions_are_refused() -> None:
    """LDR/09 (relabelling MARC-8 bytes as UTF-8 converts nothing), LDR/10-11
    and LDR/20-23 (the record's structure) are bad rules, said where; the
    positions next to them still set, as pymarc sets them."""
    for rule, says in [
        ("set LDR/09 a", "convert"),
        ("set LDR/10 3", "indicator count"),
        ("set LDR/11 1", "subfield code length"),
        ("set LDR/20-23 5500", "entry map"),
    ]:
        with pytest.raises(marcmap.EditRuleError, match=says) as info:
            marcmap.Edits(["delete 9XX", rule])
        assert (info.value.rule_index, info.value.column) == (1, 9)
    data = Path(__file__).resolve().parents[1] / "data" / "marc8" / "pymarc_marc8.dat"
    reader = marcmap.MARCReader(str(data))
    with pytest.raises(marcmap.EditRuleError, match="LDR/09"):
        reader.write(io.BytesIO(), edits=["set LDR/09 a"])
    result, out = written(reader, ["set LDR/08 a"])
    assert result.written == len(reader)
    with open(data, "rb") as f:
        theirs = [r for r in pymarc.MARCReader(f) if r is not None]
    for r in theirs:
        r.leader = r.leader[:8] + "a" + r.leader[9:]
    got = list(pymarc.MARCReader(io.BytesIO(b"".join(out))))
    # The positions the rule may touch (the lengths are the writer's).
    assert [str(r.leader)[5:12] + str(r.leader)[17:] for r in got] == [
        str(r.leader)[5:12] + str(r.leader)[17:] for r in theirs
    ]


def test_a_record_over_99999_bytes_after_the_edits_is_reported_not_written(
    tmp_path: Path,
) -> None:
    path = corpus_path(CLEAN)
    with open(path, "rb") as fh:
        records = list(pymarc.MARCReader(fh))[:3]
    for _ in range(10):
        records[1].add_ordered_field(
            pymarc.Field(
                "500",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield("a", "n" * 9_000)],
            )
        )
    data = b"".join(r.as_marc() for r in records)
    assert len(records[1].as_marc()) < 99_999
    reader = marcmap.MARCReader(data)
    result, out = written(reader, ["copy 500 590"])
    assert result.written == 2 == len(out)
    (error,) = result.errors
    assert isinstance(error, marcmap.MarcError)
    assert error.record_index == 1
    assert error.byte_offset == len(records[0].as_marc())
    assert "99999" in str(error)
    for ours in out:
        assert int(ours[:5]) == len(ours) < 99_999


def test_text_formats_and_utf8(tmp_path: Path) -> None:
    path = corpus_path(CLEAN)
    reader = marcmap.MARCReader(str(path))
    target = tmp_path / "out.xml"
    result = reader.write(str(target), "marcxml", edits=["delete 9XX", LINK])
    assert result.edits[1].records == len(reader)
    parsed = pymarc.parse_xml_to_array(str(target))
    assert all(r.get_fields("856")[-1]["u"] == "https://example.org/" for r in parsed)
    assert not any(f.tag.startswith("9") for r in parsed for f in r.fields)


def test_marc8_records_take_ascii_and_refuse_other_text() -> None:
    data = Path(__file__).resolve().parents[1] / "data" / "marc8" / "pymarc_marc8.dat"
    reader = marcmap.MARCReader(str(data))
    assert all(r.leader[9] == " " for r in reader)
    result, out = written(reader, ["add 500 __ $a Caf\u00e9"])
    assert result.written == 0 and len(result.errors) == len(reader)
    assert "not UTF-8" in str(result.errors[0])
    # ASCII goes in as it is.
    result, out = written(reader, ["add 500 __ $a Cafe"])
    assert result.written == len(reader) and not result.errors


def test_cli_edit(tmp_path: Path) -> None:
    path = corpus_path(CLEAN)
    out = tmp_path / "out.mrc"
    done = run_cli("edit", str(path), str(out), "-e", "delete 9XX", "-e", LINK)
    assert done.returncode == 0, done.stderr
    assert "rule 1 (delete 9XX):" in done.stderr
    assert f"rule 2 ({LINK}): " in done.stderr
    reader = marcmap.MARCReader(str(path))
    assert out.read_bytes() == b"".join(written(reader, ["delete 9XX", LINK])[1])
    bad = run_cli("edit", str(path), str(tmp_path / "x.mrc"), "-e", "set 245 ind3 4")
    assert bad.returncode == 2
    assert "edit rule 1, column 9" in bad.stderr and "^" in bad.stderr
    assert not (tmp_path / "x.mrc").exists()
    rules = tmp_path / "rules.txt"
    rules.write_text("# local fields\ndelete 9XX\n\n" + LINK + "\n")
    same = run_cli("edit", str(path), str(tmp_path / "y.mrc"), "-f", str(rules))
    assert same.returncode == 0, same.stderr
    assert (tmp_path / "y.mrc").read_bytes() == out.read_bytes()
    helptext = run_cli("edit", "--help")
    assert "delete 9XX" in helptext.stdout and "where" in helptext.stdout
