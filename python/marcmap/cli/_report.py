"""The HTML report of ``marcmap stats --html``: one self-contained page (no
network: styles, charts as inline SVG and a little script to sort tables are
all in the file) that a librarian can open and read without knowing marcmap."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from marcmap._marcmap import Profile, __version__
from marcmap.cli._common import plural
from marcmap.cli._labels import Labels, format_of
from marcmap.cli.stats import LEADER_POSITIONS

# Why a cataloguer looks at each leader position, shown under its chart.
LEADER_NOTES = {
    5: "New, corrected or deleted records: deleted ones may need removing, not loading.",
    6: "What the records describe: books, music, maps, films...",
    7: "Monographs, serials, collections or parts of them.",
    9: "How the text is encoded: MARC-8 or Unicode (UTF-8).",
    17: "How complete the cataloguing is: full, minimal, prepublication (CIP)...",
    18: "The descriptive rules followed: AACR2, ISBD, RDA (i) or none.",
    8: "Archival control or none.",
    19: "Whether the record is part of a multipart set.",
}

STYLE = """
:root { --ink: #1d2733; --muted: #5b6775; --line: #d8dee6; --bar: #3b6ea8; --bad: #b3261e;
  --warn: #9a6700; --ok: #1a7f37; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  margin: 0; background: #fff; }
header { background: var(--ink); color: #fff; padding: 24px 32px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: #c9d3de; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line);
  padding: 8px 32px; z-index: 1; }
nav a { margin-right: 18px; color: var(--bar); text-decoration: none; font-weight: 600; }
main { padding: 8px 32px 48px; max-width: 1200px; }
section { margin-top: 32px; }
h2 { font-size: 20px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p.help { color: var(--muted); margin: 4px 0 12px; max-width: 860px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 150px;
  background: var(--bg); }
.card .n { font-size: 24px; font-weight: 700; }
.card .what { color: var(--muted); font-size: 13px; }
.card.bad .n { color: var(--bad); } .card.warn .n { color: var(--warn); }
.card.ok .n { color: var(--ok); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr));
  gap: 8px 32px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: var(--ink); }
svg .bar { fill: var(--bar); } svg .axis { stroke: var(--line); } svg .muted { fill: var(--muted); }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left;
  vertical-align: top; }
th { background: var(--bg); }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: var(--muted); font-size: 11px; }
table.sortable th[aria-sort=ascending]::after { content: " \\25B2"; }
table.sortable th[aria-sort=descending]::after { content: " \\25BC"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.code { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; }
.meter { display: inline-block; height: 10px; background: var(--bar); vertical-align: middle;
  margin-right: 6px; border-radius: 2px; }
.sev-error { color: var(--bad); font-weight: 600; } .sev-warning { color: var(--warn); }
.sev-info { color: var(--muted); }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 12px; }
details summary { cursor: pointer; font-weight: 600; }
details .tables { display: flex; flex-wrap: wrap; gap: 24px; }
input.filter { padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; width: 280px; }
.examples { color: var(--muted); font-size: 13px; }
footer { color: var(--muted); padding: 24px 32px; border-top: 1px solid var(--line); }
"""

SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0];
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var key = function (row) {
      var cell = row.cells[col];
      var v = cell.getAttribute('data-v');
      return v !== null ? parseFloat(v) : cell.textContent.trim().toLowerCase();
    };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
document.querySelectorAll('input.filter').forEach(function (input) {
  input.addEventListener('input', function () {
    var q = input.value.trim().toLowerCase();
    var table = document.getElementById(input.getAttribute('data-table'));
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      row.style.display = row.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
});
"""


def _n(n: float) -> str:
    return f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"


def _pct(n: int, total: int) -> str:
    """A share, never rounded to 0% or 100% when it is not."""
    if not total:
        return "-"
    share = 100 * n / total
    if 0 < share < 0.1:
        return "<0.1%"
    if 99.9 < share < 100:
        return ">99.9%"
    return f"{share:.1f}%"


def _compact(n: int) -> str:
    """A count short enough to sit above a narrow bar: 1.6M, 152k, 3,162."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 10_000:
        return f"{n / 1_000:.0f}k"
    return f"{n:,}"


def _value(value: str) -> str:
    """A leader, indicator or code value as shown: a blank is ``#``, as LoC writes it."""
    return "# (blank)" if value == " " else value


def _num(n: float, text: str | None = None) -> str:
    """A numeric cell that sorts by its number."""
    return f'<td class="num" data-v="{n}">{escape(text if text is not None else _n(n))}</td>'


def _text(text: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<td{c}>{escape(text)}</td>"


def _table(head: list[tuple[str, bool]], rows: Iterable[str], table_id: str = "") -> str:
    """A sortable table; `head` is each column's title and whether it is numeric."""
    ths = "".join(
        f'<th class="num">{escape(t)}</th>' if num else f"<th>{escape(t)}</th>" for t, num in head
    )
    ident = f' id="{table_id}"' if table_id else ""
    body = "\n".join(f"<tr>{r}</tr>" for r in rows)
    return (
        f'<table class="sortable"{ident}><thead><tr>{ths}</tr></thead>'
        f"<tbody>\n{body}\n</tbody></table>"
    )


def bar_chart(items: list[tuple[str, int]], total: int, title: str) -> str:
    """Horizontal bars, one a value, with its count and share of `total`."""
    row, label_w, bar_w, right = 24, 250, 170, 120
    width = label_w + bar_w + right
    height = row * max(len(items), 1) + 8
    most = max((n for _, n in items), default=0) or 1
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    for k, (label, n) in enumerate(items):
        y = 4 + k * row
        shown = label if len(label) <= 38 else label[:36] + "\u2026"
        w = max(bar_w * n / most, 1 if n else 0)
        parts.append(
            f"<g><title>{escape(label)}: {n:,} ({_pct(n, total)})</title>"
            f'<text x="0" y="{y + 16}">{escape(shown)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" '
            f'height="{row - 8}" rx="2"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{n:,}</text>'
            f'<text class="muted" x="{width - 4}" y="{y + 16}" text-anchor="end">'
            f"{_pct(n, total)}</text></g>"
        )
    if not items:
        parts.append('<text class="muted" x="0" y="20">none</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(dist: Mapping[str, Any], title: str, unit: str) -> str:
    """Vertical bars, one a length bucket."""
    buckets = dist["buckets"]
    width, height, left, bottom, top = 540, 250, 60, 76, 22
    if not buckets:
        return '<p class="help">No values.</p>'
    most = max(b["count"] for b in buckets) or 1
    slot = (width - left - 10) / len(buckets)
    plot_h = height - bottom - top
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 10}" '
        f'y2="{top + plot_h}"/>',
        f'<text class="muted" x="4" y="{top + 10}">{most:,}</text>',
        f'<text class="muted" x="4" y="{top + plot_h}">0</text>',
    ]
    for k, b in enumerate(buckets):
        h = plot_h * b["count"] / most
        x = left + k * slot
        span = f"{b['low']:,}\u2013{b['high']:,}" if b["high"] is not None else f"{b['low']:,}+"
        share = _pct(b["count"], dist["count"])
        parts.append(
            f"<g><title>{span} {unit}: {b['count']:,} ({share})</title>"
            f'<rect class="bar" x="{x + 3:.1f}" y="{top + plot_h - h:.1f}" width="{slot - 6:.1f}" '
            f'height="{h:.1f}" rx="2"/>'
            f'<text class="muted" x="{x + slot / 2:.1f}" y="{top + plot_h - h - 4:.1f}" '
            f'text-anchor="middle" font-size="10">{_compact(b["count"])}</text>'
            f'<text x="{x + slot / 2:.1f}" y="{top + plot_h + 14}" text-anchor="end" '
            f'transform="rotate(-35 {x + slot / 2:.1f} {top + plot_h + 14})">{span}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _summary(profile: Profile) -> str:
    good = profile.good
    cards = [
        ("", profile.records, "records in the file"),
        ("ok", good, "good records (read, text decodes)"),
        ("bad" if profile.bad else "ok", profile.bad, "bad records (cannot be read)"),
        ("warn" if profile.repaired else "ok", profile.repaired, "repaired records"),
        (
            "warn" if profile.mislabelled_utf8 else "ok",
            profile.mislabelled_utf8,
            "labelled MARC-8 but in UTF-8",
        ),
        (
            "warn" if profile.skipped_bytes else "ok",
            profile.skipped_bytes,
            "bytes skipped as damage",
        ),
        ("", profile.fields, "fields in good records"),
        ("", len(profile.tags), "different tags"),
    ]
    html = "".join(
        f'<div class="card {cls}"><div class="n">{n:,}</div>'
        f'<div class="what">{escape(what)}</div></div>'
        for cls, n, what in cards
    )
    return f'<div class="cards">{html}</div>'


def _records(profile: Profile, labels: Labels) -> str:
    charts = []
    for pos in LEADER_POSITIONS:
        values = profile.leader_values(pos)
        items = [
            (f"{_value(v)}  {labels.leader_value(pos, v) or '(not defined in MARC 21)'}", n)
            for v, n in values.items()
        ]
        title = f"LDR/{pos:02} {labels.leader(pos)}"
        charts.append(
            f'<div><h3>{escape(title)}</h3><p class="help">{escape(LEADER_NOTES.get(pos, ""))}</p>'
            f"{bar_chart(items, profile.good, title)}</div>"
        )
    return f'<div class="charts">{"".join(charts)}</div>'


def _damage(profile: Profile) -> str:
    """What lies between the records: skipped damage and recovered records."""
    notes = []
    if profile.skipped_ranges:
        notes.append(
            f"{plural(profile.skipped_ranges, 'stretch', 'stretches')} of bytes between "
            f"records ({plural(profile.skipped_bytes, 'byte')} in all) could not be read as "
            "records and were skipped."
        )
    if profile.recovered:
        notes.append(
            f"{plural(profile.recovered, 'record')} had a wrong length in the leader "
            "(LDR/00-04) and were read to their end mark instead."
        )
    if not notes:
        return ""
    notes.append("'marcmap validate FILE' lists each one with its byte offset.")
    return f'<p class="help">{escape(" ".join(notes))}</p>'


def _problems(profile: Profile) -> str:
    return _damage(profile) + _record_problems(profile)


def _record_problems(profile: Profile) -> str:
    if not profile.problems:
        return (
            '<p class="help">marcmap found nothing wrong in the structure or the encoding '
            "of any record.</p>"
        )
    rows = []
    for p in profile.problems:
        examples = "; ".join(
            f"record {e['record']:,}"
            + (f" at byte {e['offset']:,}" if e["offset"] is not None else "")
            for e in p["examples"]
        )
        first = p["examples"][0]["message"] if p["examples"] else ""
        kind = "sev-error" if p["id"].startswith("bad:") else "sev-warning"
        rows.append(
            _text(p["id"], f"code {kind}")
            + _text(p["description"])
            + _num(p["records"])
            + f'<td class="examples">{escape(examples)}<br>{escape(first)}</td>'
        )
    return _table(
        [("kind", False), ("what it means", False), ("records", True), ("first records", False)],
        rows,
    )


def _lint(profile: Profile) -> str:
    assert profile.lint is not None
    rows = [
        _text(c["rule"], "code")
        + _text(c["severity"], f"sev-{c['severity']}")
        + _text(c["description"])
        + _num(c["findings"])
        + _num(c["records"])
        + _num(
            100 * c["records"] / profile.records if profile.records else 0,
            _pct(c["records"], profile.records),
        )
        for c in profile.lint
    ]
    return _table(
        [
            ("rule", False),
            ("severity", False),
            ("what it checks", False),
            ("findings", True),
            ("records", True),
            ("% of records", True),
        ],
        rows,
    )


def _tags(profile: Profile, labels: Labels) -> str:
    good = profile.good
    rows = []
    for tag, c in profile.tags.items():
        share = c["records"] / good if good else 0
        meter = f'<span class="meter" style="width:{80 * share:.0f}px"></span>'
        rows.append(
            _text(tag, "code")
            + _text(labels.tag(tag) or "(not defined in MARC 21)")
            + _num(c["records"])
            + f'<td class="num" data-v="{share}">{meter}{_pct(c["records"], good)}</td>'
            + _num(c["occurrences"])
            + _num(
                round(c["occurrences"] / c["records"], 2) if c["records"] else 0,
                f"{c['occurrences'] / c['records']:.2f}" if c["records"] else "-",
            )
            + _num(
                round(c["bytes"] / c["occurrences"], 1) if c["occurrences"] else 0,
                f"{c['bytes'] / c['occurrences']:.0f}" if c["occurrences"] else "-",
            )
        )
    table = _table(
        [
            ("tag", False),
            ("name", False),
            ("records", True),
            ("% of records", True),
            ("occurrences", True),
            ("per record having it", True),
            ("mean bytes", True),
        ],
        rows,
        "tags-table",
    )
    search = (
        '<p><input class="filter" data-table="tags-table" type="search" '
        'placeholder="Filter tags (e.g. 650 or subject)"></p>'
    )
    return search + table


def _details(profile: Profile, labels: Labels) -> str:
    out = []
    for tag, c in profile.tags.items():
        if not c["subfields"] and not c["indicator1"]:
            continue
        tables = []
        for which, key in ((1, "indicator1"), (2, "indicator2")):
            values: dict[str, int] = c[key]  # type: ignore[literal-required]
            rows = [
                _text(_value(v), "code")
                + _text(labels.indicator_value(tag, which, v) or "(not defined)")
                + _num(n)
                + _num(100 * n / c["occurrences"], _pct(n, c["occurrences"]))
                for v, n in values.items()
            ]
            name = labels.indicator(tag, which)
            heading = f"Indicator {which}" + (f": {name}" if name else "")
            tables.append(
                f"<div><h3>{escape(heading)}</h3>"
                + _table(
                    [("value", False), ("meaning", False), ("fields", True), ("%", True)], rows
                )
                + "</div>"
            )
        rows = [
            _text(f"${code}", "code")
            + _text(labels.subfield(tag, code) or "(not defined)")
            + _num(s["occurrences"])
            + _num(s["records"])
            + _num(100 * s["records"] / c["records"], _pct(s["records"], c["records"]))
            for code, s in c["subfields"].items()
        ]
        tables.append(
            "<div><h3>Subfields</h3>"
            + _table(
                [
                    ("code", False),
                    ("name", False),
                    ("occurrences", True),
                    ("records", True),
                    (f"% of records with {tag}", True),
                ],
                rows,
            )
            + "</div>"
        )
        summary = (
            f"{tag} {labels.tag(tag)} \u2014 {plural(c['records'], 'record')}, "
            f"{plural(c['occurrences'], 'field')}"
        )
        out.append(
            f"<details><summary>{escape(summary)}</summary>"
            f'<div class="tables">{"".join(tables)}</div></details>'
        )
    return "\n".join(out)


def _lengths(profile: Profile) -> str:
    parts = []
    for title, dist, unit in (
        ("Record length", profile.record_lengths, "bytes"),
        ("Field length", profile.field_lengths, "bytes"),
        ("Fields in a record", profile.fields_per_record, "fields"),
    ):
        parts.append(
            f"<div><h3>{title} ({unit})</h3>"
            f'<p class="help">smallest {dist["min"]:,}, mean {dist["mean"]:,.1f}, '
            f"largest {dist['max']:,}</p>"
            f"{histogram(dist, title, unit)}</div>"
        )
    return f'<div class="charts">{"".join(parts)}</div>'


def html_report(profile: Profile, name: str) -> str:
    """The whole report, as one HTML document."""
    labels = Labels(format_of(profile.record_types))
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        (
            "summary",
            "Summary",
            "What the file holds, and what marcmap found wrong with it.",
            _summary(profile),
        ),
        (
            "records",
            "Kinds of record",
            "Each chart counts the good records by one position of the leader (the first 24 "
            "characters of every record, LDR), with the meaning MARC 21 gives each value. "
            "A '#' is a blank. Hover over a bar for its exact share.",
            _records(profile, labels),
        ),
        (
            "problems",
            "Problems",
            "Records marcmap could not read (bad) or read only by repairing their structure "
            "(repaired), by kind, with the first records of each: their number counts from 0, "
            "and the byte is where the record starts in the file.",
            _problems(profile),
        ),
    ]
    if profile.lint is not None:
        sections.append(
            (
                "lint",
                "Rule checks (lint)",
                "Each rule checks the records against the MARC 21 format: undefined tags, "
                "repeated non-repeatable fields, undefined indicators or subfields, and more. "
                "Errors break a rule the format states; warnings use something it does not define.",
                _lint(profile),
            )
        )
    sections += [
        (
            "tags",
            "Fields (tags)",
            "Every tag in the file: how many records have it at least once, how many fields "
            "there are in all, how many a record that has it has on average, and their mean "
            "length. Click a column title to sort; type in the box to filter.",
            _tags(profile, labels),
        ),
        (
            "details",
            "Indicators and subfields, tag by tag",
            "Open a tag to see the values of its two indicators (how many fields have each) "
            "and its subfield codes (how often each occurs, and in how many records).",
            _details(profile, labels),
        ),
        (
            "lengths",
            "Lengths",
            "How long records and fields are, in bytes, and how many fields records have. "
            "MARC records can be at most 99,999 bytes, fields 9,999.",
            _lengths(profile),
        ),
    ]
    nav = "".join(f'<a href="#{sid}">{escape(title)}</a>' for sid, title, _, _ in sections)
    body = "\n".join(
        f'<section id="{sid}"><h2>{escape(title)}</h2>'
        f'<p class="help">{escape(help_)}</p>{html}</section>'
        for sid, title, help_, html in sections
    )
    counted = (
        f"{profile.records:,} records; the counts below the summary are over the "
        f"{profile.good:,} good ones, read as MARC 21 {labels.format} records."
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Profile of {escape(name)}</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>Profile of {escape(name)}</h1><p>{escape(counted)}</p></header>
<nav>{nav}</nav>
<main>
{body}
</main>
<footer>Made by marcmap {escape(__version__)} on {when}. Names of tags, indicators,
subfields and leader values are from the MARC 21 formats of the Library of Congress.
This page needs no network: everything is in this one file.</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""
