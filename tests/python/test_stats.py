"""``reader.stats()``: the whole-file profile, checked against counts made
independently with pymarc (tags, indicators, subfield codes, leader values) and
with a plain Python reading of each record's directory (lengths), over every
ISO 2709 file of the corpus that both read cleanly."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import marcmap
import pyarrow as pa
import pymarc
import pytest
from conftest import corpus_path, iso2709_files, rel, require_corpus

# The leader positions a cataloguer reads a file by.
LEADER_POSITIONS = [5, 6, 7, 8, 9, 17, 18, 19]


def _pymarc_records(path: Path) -> tuple[list[pymarc.Record], int] | None:
    """Every record pymarc reads from `path`, and how many subfields had a code
    byte that is not ASCII (pymarc warns and gives another code); None if it
    refuses any record."""
    out = []
    with open(path, "rb") as fh, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = pymarc.MARCReader(fh, to_unicode=False, permissive=True)
        for record in reader:
            if record is None:
                return None
            out.append(record)
    dropped = sum(1 for w in caught if "non-ASCII subfield code" in str(w.message))
    return out, dropped


def _raw_records(path: Path) -> list[bytes]:
    """The records of a clean file, walked from leader length to leader length."""
    data = path.read_bytes()
    out = []
    at = 0
    while at + 5 <= len(data) and data[at : at + 5].isdigit():
        n = int(data[at : at + 5])
        out.append(data[at : at + n])
        at += n
    return out


def _directory_lengths(raw: bytes) -> list[int]:
    """The field lengths a record's directory declares, read in plain Python."""
    base = int(raw[12:17])
    directory = raw[24 : base - 1]
    return [int(directory[k + 3 : k + 7]) for k in range(0, len(directory), 12)]


def _oracle(records: list[pymarc.Record]) -> dict[str, Any]:
    tag_records: Counter[str] = Counter()
    tag_fields: Counter[str] = Counter()
    indicators: Counter[tuple[str, int, str]] = Counter()
    subfields: Counter[tuple[str, str]] = Counter()
    subfield_records: Counter[tuple[str, str]] = Counter()
    leader: Counter[tuple[int, str]] = Counter()
    for record in records:
        leader.update((pos, str(record.leader)[pos]) for pos in LEADER_POSITIONS)
        tags = [f.tag for f in record.fields]
        tag_fields.update(tags)
        tag_records.update(set(tags))
        codes_here: set[tuple[str, str]] = set()
        for field in record.fields:
            if field.is_control_field():
                continue
            indicators[(field.tag, 1, field.indicator1)] += 1
            indicators[(field.tag, 2, field.indicator2)] += 1
            for sf in field.subfields:
                subfields[(field.tag, sf.code)] += 1
                codes_here.add((field.tag, sf.code))
        subfield_records.update(codes_here)
    return {
        "tag_records": tag_records,
        "tag_fields": tag_fields,
        "indicators": indicators,
        "subfields": subfields,
        "subfield_records": subfield_records,
        "leader": leader,
    }


def _non_ascii_codes(profile: marcmap.Profile) -> int:
    return sum(
        s["occurrences"]
        for counts in profile.tags.values()
        for code, s in counts["subfields"].items()
        if code.startswith("\\x")
    )


def _ours(profile: marcmap.Profile) -> dict[str, Any]:
    tags = profile.tags
    return {
        "tag_records": Counter({t: c["records"] for t, c in tags.items()}),
        "tag_fields": Counter({t: c["occurrences"] for t, c in tags.items()}),
        "indicators": Counter(
            {
                (t, k, value): n
                for t, c in tags.items()
                for k, key in ((1, "indicator1"), (2, "indicator2"))
                for value, n in c[key].items()  # type: ignore[literal-required]
            }
        ),
        "subfields": Counter(
            {
                (t, code): s["occurrences"]
                for t, c in tags.items()
                for code, s in c["subfields"].items()
            }
        ),
        "subfield_records": Counter(
            {(t, code): s["records"] for t, c in tags.items() for code, s in c["subfields"].items()}
        ),
        "leader": Counter(
            {
                (pos, value): n
                for pos in LEADER_POSITIONS
                for value, n in profile.leader_values(pos).items()
            }
        ),
    }


def _clean_files() -> list[Path]:
    return [p for p in iso2709_files() if p.stat().st_size < 4_000_000]


def test_profile_matches_pymarc_on_every_clean_corpus_file() -> None:
    """For every corpus file that pymarc reads whole and marcmap reads with no
    bad, repaired or skipped record, the profile's counts are pymarc's."""
    require_corpus()
    compared = 0
    for path in _clean_files():
        profile = marcmap.MARCReader(str(path)).stats(threads=2)
        if profile.bad or profile.repaired or profile.skipped_ranges or profile.recovered:
            continue
        read = _pymarc_records(path)
        if read is None:
            continue
        records, dropped = read
        assert _non_ascii_codes(profile) == dropped, rel(path)
        assert profile.records == profile.good == len(records), rel(path)
        ours, oracle = _ours(profile), _oracle(records)
        for part, expected in oracle.items():
            if dropped and part.startswith("subfield"):
                # pymarc turns a code byte that is not ASCII into another code
                # (normalize_subfield_code: "\xb9" becomes "1", or the next
                # byte is taken): the codes differ by design, the count of
                # such subfields is checked above.
                continue
            assert ours[part] == expected, f"{rel(path)}: {part}"
        # Lengths, from the leaders and directories read in plain Python.
        raws = _raw_records(path)
        assert len(raws) == len(records), rel(path)
        lengths = [int(r[:5]) for r in raws]
        got = profile.record_lengths
        assert (got["count"], got["total"]) == (len(lengths), sum(lengths)), rel(path)
        assert (got["min"], got["max"]) == (min(lengths), max(lengths)), rel(path)
        fields = [n for r in raws for n in _directory_lengths(r)]
        got = profile.field_lengths
        assert (got["count"], got["total"], got["max"]) == (len(fields), sum(fields), max(fields))
        assert profile.fields == len(fields)
        per_record = profile.fields_per_record
        assert per_record["total"] == len(fields)
        assert per_record["max"] == max(len(r.fields) for r in records)
        compared += 1
    # The corpus has dozens of clean files; a change that made them all look
    # damaged (or skipped them all) must not pass quietly.
    assert compared >= 200, compared


def test_the_same_whatever_the_threads() -> None:
    path = corpus_path("traject/test/test_support/manufacturing_consent.marc")
    reader = marcmap.MARCReader(str(path))
    one = reader.stats(threads=1).to_dict()
    for threads in (2, 3, 8):
        assert reader.stats(threads=threads).to_dict() == one


def test_problems_are_what_validate_finds() -> None:
    """The bad records and their kinds are the ones ``validate()`` reports."""
    for name in ("pymarc/bad_records.mrc", "ruby-marc/utf8_with_bad_bytes.marc"):
        reader = marcmap.MARCReader(str(corpus_path(name)))
        profile = reader.stats(threads=2)
        errors = reader.validate()
        assert profile.bad == len(errors) > 0, name
        assert profile.good == len(reader) - len(errors)
        bad = [p for p in profile.problems if p["id"].startswith("bad:")]
        assert sum(p["records"] for p in bad) == len(errors)
        seen = sorted(e["record"] for p in bad for e in p["examples"])
        assert seen == sorted(e.record_index for e in errors)[: len(seen)] or len(errors) > 5
        for p in bad:
            for example in p["examples"]:
                assert example["message"], p


def test_repaired_records_are_counted() -> None:
    """Each repaired record (``record.repairs``) is counted, under its kinds."""
    require_corpus()  # the repaired records are in the corpus's damaged files
    found = 0
    for path in iso2709_files():
        reader = marcmap.MARCReader(str(path))
        bad = {e.record_index for e in reader.validate()}
        repaired = [
            i
            for i in range(len(reader))
            if i not in bad and (r := reader[i]) is not None and r.repairs
        ]
        profile = reader.stats()
        assert profile.repaired == len(repaired), rel(path)
        if repaired:
            found += 1
            ids = {p["id"] for p in profile.problems}
            assert any(i.startswith("repaired:") for i in ids), rel(path)
    assert found > 0


def test_repaired_records_lists_each_repaired_record() -> None:
    """``repaired_records()`` names exactly the records whose ``record.repairs``
    is not empty (text replaced, so that no record is left out for its text),
    and none under ``validation="strict"``."""
    require_corpus()  # the repaired records are in the corpus's damaged files
    found = 0
    for path in iso2709_files():
        reader = marcmap.MARCReader(str(path), utf8_handling="replace")
        expected = [i for i in range(len(reader)) if (r := reader[i]) is not None and r.repairs]
        assert reader.repaired_records(threads=2) == expected, rel(path)
        assert reader.repaired_records(threads=1) == expected, rel(path)
        if expected:
            found += 1
            strict = marcmap.MARCReader(str(path), validation="strict")
            assert strict.repaired_records() == [], rel(path)
    assert found > 0


def test_mislabelled_utf8_matches_the_reader() -> None:
    path = corpus_path("pymarc/utf8_without_leader_flag.dat")
    reader = marcmap.MARCReader(str(path))
    assert reader.stats().mislabelled_utf8 == len(reader.mislabelled_utf8()) > 0


def test_named_leader_views() -> None:
    path = corpus_path("traject/test/test_support/manufacturing_consent.marc")
    profile = marcmap.MARCReader(str(path)).stats()
    assert profile.record_types == profile.leader_values(6)
    assert profile.bibliographic_levels == profile.leader_values(7)
    assert profile.character_coding == profile.leader_values(9)
    assert profile.encoding_levels == profile.leader_values(17)
    with pytest.raises(ValueError, match="past the leader"):
        profile.leader_values(24)


def test_arrow_tables_hold_the_same_counts() -> None:
    path = corpus_path("traject/test/test_support/manufacturing_consent.marc")
    profile = marcmap.MARCReader(str(path)).stats()
    assert marcmap.Profile.parts == [
        "leader",
        "tags",
        "subfields",
        "indicators",
        "lengths",
        "problems",
    ]
    tags = pa.table(profile.table("tags")).to_pylist()
    assert {r["tag"]: r["records"] for r in tags} == {
        t: c["records"] for t, c in profile.tags.items()
    }
    sub = pa.table(profile.table("subfields"))
    assert sub.column_names == ["tag", "code", "records", "occurrences"]
    assert sum(sub.column("occurrences").to_pylist()) == sum(
        s["occurrences"] for c in profile.tags.values() for s in c["subfields"].values()
    )
    table = profile.table("indicators")
    assert len(table) == pa.table(table).num_rows  # readable again, and again
    lengths = pa.table(profile.table("lengths")).to_pylist()
    records = [r for r in lengths if r["measure"] == "record_bytes"]
    assert sum(r["count"] for r in records) == profile.good
    with pytest.raises(ValueError, match="lint=True"):
        profile.table("lint")
    linted = marcmap.MARCReader(str(path)).stats(lint=True)
    assert linted.lint is not None
    rows = pa.table(linted.table("lint")).to_pylist()
    assert [(r["rule"], r["findings"], r["records"]) for r in rows] == [
        (c["rule"], c["findings"], c["records"]) for c in linted.lint
    ]
    with pytest.raises(ValueError, match="no profile part"):
        profile.table("nope")  # type: ignore[arg-type]


def test_bad_threads() -> None:
    reader = marcmap.MARCReader(str(corpus_path("pymarc/test.dat")))
    with pytest.raises(ValueError, match="threads"):
        reader.stats(threads=0)
    with pytest.raises(ValueError, match="lint=True"):
        reader.stats(rules=["all"])
    with pytest.raises(ValueError, match="no-such-rule"):
        reader.stats(lint=True, rules=["no-such-rule"])
