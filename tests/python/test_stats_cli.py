"""``marcmap stats``, run as a subprocess: its JSON is the profile, its table
and HTML report show pymarc's counts, and the report is one well-formed,
self-contained page (no external URL, nothing to fetch)."""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import marcmap
import pymarc
from conftest import corpus_path
from helpers import run_cli

CLEAN = "traject/test/test_support/test_data.utf8.mrc"
DAMAGED = "pymarc/bad_records.mrc"

# Elements that have no end tag in HTML.
VOID = {"meta", "br", "input", "img", "hr", "link", "rect", "line", "col", "wbr"}


class _Structure(HTMLParser):
    """Checks that every element is closed, in order, and collects what a page
    could load from elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.fetches: list[str] = []
        self.ids: Counter[str] = Counter()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            linked = name in ("src", "href", "xlink:href", "action", "srcset")
            if linked and value and not value.startswith("#"):
                self.fetches.append(f"{tag} {name}={value}")
            if name == "id" and value:
                self.ids[value] += 1
        if tag == "link":
            self.fetches.append("link element")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # `<rect .../>` in inline SVG: an element closed at once.
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") and value and not value.startswith("#"):
                self.fetches.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _pymarc(path: Path) -> list[pymarc.Record]:
    with open(path, "rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [r for r in pymarc.MARCReader(fh, to_unicode=False) if r is not None]


def test_json_is_the_profile() -> None:
    path = corpus_path(CLEAN)
    out = run_cli("stats", str(path), "--format", "json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got.pop("file") == str(path)
    assert got == json.loads(json.dumps(marcmap.MARCReader(str(path)).stats().to_dict()))
    records = _pymarc(path)
    assert got["records"] == got["good"] == len(records)
    tags = Counter(t for r in records for t in {f.tag for f in r.fields})
    assert {t: c["records"] for t, c in got["tags"].items()} == dict(tags)
    assert got["lint"] is None


def test_table_shows_pymarcs_counts() -> None:
    path = corpus_path(CLEAN)
    out = run_cli("stats", str(path))
    assert out.returncode == 0, out.stderr
    records = _pymarc(path)
    assert out.stdout.startswith(f"{path.name}: {len(records):,} records")
    types = Counter(str(r.leader)[6] for r in records)
    for value, n in types.items():
        assert re.search(rf"^\s+{re.escape(value)}\s+{n:,} ", out.stdout, re.M), value
    fields = Counter(f.tag for r in records for f in r.fields)
    having = Counter(t for r in records for t in {f.tag for f in r.fields})
    for tag, n in fields.items():
        assert re.search(rf"^  {tag}\s+{having[tag]:,}\s+[\d.]+%\s+{n:,}\s", out.stdout, re.M), tag
    # The names come from MARC 21.
    assert "245" in out.stdout and "Title Statement" in out.stdout


def test_damaged_file_lists_its_problems() -> None:
    path = corpus_path(DAMAGED)
    out = run_cli("stats", str(path), "--format", "json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    errors = marcmap.MARCReader(str(path)).validate()
    assert got["bad"] == len(errors) > 0
    assert {p["id"] for p in got["problems"]} >= {"bad:directory"} or got["problems"]
    table = run_cli("stats", str(path))
    for problem in got["problems"]:
        assert problem["id"] in table.stdout


def test_lint_counts_and_option_errors() -> None:
    path = corpus_path(CLEAN)
    out = run_cli("stats", str(path), "--format", "json", "--lint", "--rules", "all")
    assert out.returncode == 0, out.stderr
    lint = json.loads(out.stdout)["lint"]
    profile = marcmap.MARCReader(str(path)).stats(lint=True, rules=["all"])
    assert lint == profile.lint
    assert {c["rule"] for c in lint} >= {"undefined-tag", "missing-245", "isbn"}
    only = run_cli("stats", str(path), "--format", "json", "--lint", "--rules", "missing-245")
    assert [c["rule"] for c in json.loads(only.stdout)["lint"]] == ["missing-245"]
    assert run_cli("stats", str(path), "--rules", "all").returncode == 2
    unknown = run_cli("stats", str(path), "--lint", "--rules", "no-such-rule")
    assert unknown.returncode == 2 and "no-such-rule" in unknown.stderr
    assert run_cli("stats", "/nonexistent/file.mrc").returncode == 2


def test_html_report_is_well_formed_self_contained_and_right(tmp_path: Path) -> None:
    path = corpus_path(CLEAN)
    report = tmp_path / "report.html"
    out = run_cli("stats", str(path), "--lint", "--html", str(report))
    assert out.returncode == 0, out.stderr
    page = report.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    parser = _Structure()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.open == [], (parser.errors, parser.open)
    assert parser.fetches == []
    # Nothing the browser could fetch: no URL of any scheme, no CSS import.
    assert not re.search(r"(?i)(https?:|ftp:|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\()", page)
    assert [i for i, n in parser.ids.items() if n > 1] == []
    text = " ".join(parser.text)
    records = _pymarc(path)
    having = Counter(t for r in records for t in {f.tag for f in r.fields})
    for tag, n in having.items():
        assert re.search(rf'<td class="code">{tag}</td>.*?<td class="num" data-v="{n}">', page), tag
    assert f"{len(records):,}" in text
    assert "Title Statement" in text and "Language material" in text
    assert "<svg" in page and "<script>" in page
    assert "Rule checks (lint)" in text


def test_report_names_what_the_file_is(tmp_path: Path) -> None:
    """Names are the format's most records are in: authority names for an
    authority file (LDR/06 z), with the authority format's leader values; the
    damage between records is described."""
    path = corpus_path("mrrc-testbed/fixtures/authority/sample.mrc")
    report = tmp_path / "authority.html"
    out = run_cli("stats", str(path), "--html", str(report))
    assert out.returncode == 0, out.stderr
    page = report.read_text("utf-8")
    assert "read as MARC 21 authority records" in page
    assert "Authority data" in page  # LDR/06 z in the authority format
    assert "Heading-Personal Name" in out.stdout or "Heading-Topical Term" in out.stdout
    damaged = corpus_path("pymarc/bad_records.mrc")
    profile = marcmap.MARCReader(str(damaged)).stats()
    assert profile.skipped_ranges > 0
    report = tmp_path / "damaged.html"
    assert run_cli("stats", str(damaged), "--html", str(report)).returncode == 0
    assert f"({profile.skipped_bytes:,} bytes in all)" in report.read_text("utf-8")
