"""``reader.lint()``, ``lint_arrow()``, ``Record.lint()``, ``OwnedRecord.lint()`` and
``marcmap lint``: on the fixtures, on edited records, and against pymarc's view of
the records on the corpus (MARC::Lint itself is the oracle of tests/lint.rs)."""

from __future__ import annotations

import io
import json
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb
import marcmap
import polars
import pyarrow
import pymarc
import pytest
from conftest import DATA, iso2709_files, rel, require_corpus
from marcmap.cli import main

SAMPLE = DATA / "sample.mrc"


def keyed(findings: list[marcmap.LintFinding]) -> list[tuple[object, ...]]:
    return [tuple(f.as_dict().values()) for f in findings]


def test_lint_runs_the_same_on_one_thread_and_two_and_matches_record_lint() -> None:
    reader = marcmap.MARCReader(str(SAMPLE))
    one = reader.lint(rules=["all"], threads=1)
    two = reader.lint(rules=["all"], threads=2)
    assert keyed(one) == keyed(two)
    assert one, "the sample has findings under every rule"
    by_record: dict[int, list[marcmap.LintFinding]] = {}
    for f in one:
        by_record.setdefault(f.record_index, []).append(f)
    for index in range(len(reader)):
        assert keyed(reader[index].lint(rules=["all"])) == keyed(by_record.get(index, []))


def test_findings_point_at_their_field_and_subfield() -> None:
    reader = marcmap.MARCReader(str(SAMPLE))
    raw = SAMPLE.read_bytes()
    for f in reader.lint(rules=["all"]):
        record = reader[f.record_index]
        if f.field_index is None:
            continue
        field = record.fields[f.field_index]
        # 880s are named by the field they link to in messages, by 880 in `tag`.
        assert f.tag == field.tag
        if f.code and f.rule in (
            "undefined-subfield",
            "obsolete-subfield",
            "non-repeatable-subfield",
        ):
            # The offset is the subfield's value: the byte before is its code.
            assert raw[f.byte_offset - 1 : f.byte_offset] == f.code.encode()
        assert f.severity in ("error", "warning", "info")


def test_rules_select_and_unknown_rules_are_refused() -> None:
    reader = marcmap.MARCReader(str(SAMPLE))
    every = reader.lint(rules=["all"])
    only = reader.lint(rules=["title-punctuation"])
    assert only and {f.rule for f in only} == {"title-punctuation"}
    assert keyed(only) == keyed([f for f in every if f.rule == "title-punctuation"])
    default = {r["id"] for r in marcmap.lint_rules() if r["default"]}
    assert {f.rule for f in reader.lint()} <= default
    with pytest.raises(ValueError, match="unknown lint rule"):
        reader.lint(rules=["no-such-rule"])


def test_lint_arrow_groups_in_duckdb_and_polars() -> None:
    reader = marcmap.MARCReader(str(SAMPLE))
    findings = reader.lint(rules=["all"])
    table = reader.lint_arrow(rules=["all"])
    assert len(table) == len(findings)
    arrow = pyarrow.table(table)
    assert arrow.column_names == [
        "record_index",
        "byte_offset",
        "field_index",
        "tag",
        "code",
        "rule",
        "severity",
        "message",
    ]
    counts = dict(
        duckdb.sql("select rule, count(*) from arrow group by rule").fetchall()  # noqa: S608
    )
    assert counts == Counter(f.rule for f in findings)
    frame = polars.DataFrame(table)
    assert frame["message"].to_list() == [f.message for f in findings]
    # Readable again.
    assert pyarrow.table(table).num_rows == len(findings)


def test_an_edited_record_is_linted_as_it_is_now() -> None:
    reader = marcmap.MARCReader(str(SAMPLE))
    owned = reader[0].to_owned()
    # pymarc's reading of the same record: one 245, and no non-repeatable field
    # (of those the edit below touches) more than once.
    theirs = pymarc.Record(data=bytes(reader[0].raw), to_unicode=False)
    assert len(theirs.get_fields("245")) == 1
    assert [f.tag for f in owned.lint() if f.rule == "non-repeatable-field"] == []
    owned.add_data_field("245", "1", "0", [("a", "A second title.")])
    found = [f for f in owned.lint() if f.rule == "non-repeatable-field"]
    assert [f.tag for f in found] == ["245"]
    assert found[0].field_index == len(owned) - 1
    owned.remove_fields("245")
    assert [f.rule for f in owned.lint() if f.rule == "missing-245"] == ["missing-245"]


def test_definitions_file_adds_and_overrides(tmp_path: Path) -> None:
    reader = marcmap.MARCReader(str(SAMPLE))
    # LoC's 100 defines first indicator 0 (forename), 1 (surname) and 3 (family
    # name); 2 (multiple surname) is obsolete. pymarc's reading says which 100s
    # have another, and they are the sample's only undefined indicators.
    with SAMPLE.open("rb") as fh:
        theirs = list(pymarc.MARCReader(fh, to_unicode=False))
    want = [
        (i, "100", "1")
        for i, r in enumerate(theirs)
        if r is not None
        for field in r.get_fields("100")
        if field.indicator1 not in ("0", "1", "3")
    ]
    assert want, "the sample has a 100 with an obsolete first indicator"
    # LoC's field list marks it obsolete, and lint says so.
    before = [f for f in reader.lint() if f.rule == "obsolete-indicator"]
    assert not [f for f in reader.lint() if f.rule == "undefined-indicator"]
    assert [(f.record_index, f.tag, f.code) for f in before] == want
    hundred = {
        "repeatable": False,
        "indicator1": {"codes": {"0": "Forename", "1": "Surname", "2": "Multiple surname"}},
        "indicator2": {"codes": {"#": "Undefined"}},
        "subfields": {c: {"repeatable": c in "cejq4"} for c in "abcdefgjklnpqtu012468"},
    }
    path = tmp_path / "local.json"
    path.write_text(json.dumps({"fields": {"100": hundred}}))
    after = reader.lint(definitions=path)
    assert not [f for f in after if f.rule in ("undefined-indicator", "obsolete-indicator")]
    path.write_text("{not json")
    with pytest.raises(ValueError, match="local.json"):
        reader.lint(definitions=path)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["lint", *args])
    return status, out.getvalue(), err.getvalue()


def test_cli_formats_summary_and_exit_status() -> None:
    status, out, _ = run_cli(str(SAMPLE))
    assert status == 0
    assert "findings by rule:" in out and out.rstrip().endswith("0 errors")
    status, out, err = run_cli(str(SAMPLE), "--format", "jsonl", "--rules", "all")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(marcmap.MARCReader(str(SAMPLE)).lint(rules=["all"]))
    assert "findings by rule:" in err
    status, out, _ = run_cli(str(SAMPLE), "--format", "csv", "--rules", "title-punctuation")
    assert (
        out.splitlines()[0] == "record_index,byte_offset,field_index,tag,code,rule,severity,message"
    )
    # The holdings fixture's 008 has the wrong length: an error, exit 1.
    status, out, _ = run_cli(str(DATA / "holdings.mrc"))
    assert status == 1
    assert "control-field-length" in out
    status, _, err = run_cli(str(SAMPLE), "--rules", "nonsense")
    assert status == 2 and "unknown lint rule" in err


def test_every_corpus_file_lints_and_agrees_with_pymarc_on_repeats() -> None:
    """On every ISO 2709 file of the corpus: lint never fails, and its record-level
    counts agree with pymarc's reading of the same records (a non-repeatable
    field reported is one pymarc sees more than once; a missing 245 is one
    pymarc does not see)."""
    require_corpus()
    checked = 0
    for path in iso2709_files():
        reader = marcmap.MARCReader(str(path), to_unicode=False)
        findings = reader.lint(rules=["all"])
        wanted = [f for f in findings if f.rule in ("non-repeatable-field", "missing-245")]
        for f in wanted:
            record = reader[f.record_index]
            assert record is not None, (rel(path), f)
            # pymarc reads the record's own bytes; a record marcmap repaired may
            # not parse there (pymarc trusts the directory), and is left out.
            try:
                parsed = pymarc.Record(data=bytes(record.raw), to_unicode=False)
            except Exception:  # noqa: BLE001
                continue
            if f.rule == "missing-245":
                assert not parsed.get_fields("245"), (rel(path), f)
            elif f.tag != "880":
                assert f.tag is not None
                assert len(parsed.get_fields(f.tag)) > 1, (rel(path), f)
            checked += 1
    assert checked > 50
