"""``marcmap stats FILE``: a profile of a whole file, as a text table, JSON, or a
self-contained HTML report."""

from __future__ import annotations

import argparse
import json
import os
import sys

from marcmap._marcmap import Profile
from marcmap.cli._common import add_input, open_reader, plural
from marcmap.cli._labels import Labels, format_of

# The leader positions a profile shows, in order, with the reason a cataloguer
# looks at each.
LEADER_POSITIONS = [6, 7, 17, 9, 5, 18, 8, 19]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "stats",
        help="profile a file: record types, tags, subfields, indicators, lengths, problems",
        description="Profile FILE in one pass on all cores: records by type (LDR/06), "
        "level (LDR/07), encoding level (LDR/17) and character coding (LDR/09); bad, "
        "repaired and mislabelled-UTF-8 records; tag frequency (records having each "
        "tag, and occurrences); subfield codes and indicator values per tag; record "
        "and field lengths; with --lint, the lint findings per rule. Prints a table "
        "(or JSON); --html also writes a report a browser opens without a network. "
        "Exit 0 when the profile was made, whatever it found.",
    )
    add_input(parser)
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="what to print: a text table (default) or JSON (Profile.to_dict())",
    )
    parser.add_argument(
        "--html",
        metavar="REPORT.html",
        default=None,
        help="also write a self-contained HTML report (charts and sortable tables, "
        "no network needed) to this path",
    )
    parser.add_argument(
        "--lint",
        action="store_true",
        help="also lint every record and count the findings per rule",
    )
    parser.add_argument(
        "--rules",
        metavar="IDS",
        default=None,
        help="with --lint: the rules to run, comma-separated ids, 'default' or 'all' "
        "(default: the default rules; see 'marcmap lint --help')",
    )
    parser.add_argument(
        "--no-decode",
        action="store_true",
        help="check structure only: a record whose text does not decode is not bad",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.rules is not None and not args.lint:
        raise ValueError("--rules needs --lint")
    rules = [r for r in args.rules.split(",") if r.strip()] if args.rules else None
    with open_reader(args) as reader:
        profile = reader.stats(
            threads=args.threads, decode=not args.no_decode, lint=args.lint, rules=rules
        )
    name = "standard input" if args.file == "-" else os.path.basename(args.file)
    if args.html:
        from marcmap.cli._report import html_report

        with open(args.html, "w", encoding="utf-8") as out:
            out.write(html_report(profile, name))
    if args.format == "json":
        data = profile.to_dict()
        data["file"] = args.file
        # One write: json.dump writes each of its thousands of pieces apart.
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text_report(profile, name))
    if args.html:
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


def percent(n: int, total: int) -> str:
    """A share, never rounded to 0% or 100% when it is not."""
    if not total:
        return "     -"
    share = 100 * n / total
    if 0 < share < 0.1:
        return " <0.1%"
    if 99.9 < share < 100:
        return ">99.9%"
    return f"{share:5.1f}%"


def shown(value: str) -> str:
    """A leader, indicator or code value as printed: a blank is ``#``, as LoC writes it."""
    return "#" if value == " " else value


def text_report(profile: Profile, name: str) -> str:
    """The profile as text tables, for a terminal."""
    labels = Labels(format_of(profile.record_types))
    good = profile.good
    lines: list[str] = []
    add = lines.append
    add(f"{name}: {plural(profile.records, 'record')}")
    add(
        f"  good {good:,}, bad {profile.bad:,}, repaired {profile.repaired:,}, "
        f"mislabelled UTF-8 {profile.mislabelled_utf8:,}, recovered {profile.recovered:,}, "
        f"skipped {plural(profile.skipped_ranges, 'byte range')} "
        f"({plural(profile.skipped_bytes, 'byte')})"
    )
    add(f"  counts below are over the {good:,} good records ({labels.format} format)")
    for pos in LEADER_POSITIONS:
        values = profile.leader_values(pos)
        add("")
        add(f"LDR/{pos:02} {labels.leader(pos)}")
        for value, n in values.items():
            meaning = labels.leader_value(pos, value) or "(not defined)"
            add(f"  {shown(value):>4}  {n:>12,} {percent(n, good)}  {meaning}")
    if profile.problems:
        add("")
        add("Problems")
        for p in profile.problems:
            add(f"  {p['id']:<26} {p['records']:>10,}  {p['description']}")
            for e in p["examples"][:3]:
                add(f"      e.g. {e['message']}")
    if profile.lint is not None:
        add("")
        add("Lint findings by rule")
        quiet = [rc["rule"] for rc in profile.lint if not rc["findings"]]
        for rc in profile.lint:
            if rc["findings"]:
                add(
                    f"  {rc['rule']:<26} {rc['severity']:<8} {rc['findings']:>10,} findings "
                    f"in {rc['records']:>10,} records"
                )
        if quiet:
            add(f"  nothing found by {plural(len(quiet), 'other rule')}: {', '.join(quiet)}")
    tags = profile.tags
    add("")
    add(f"Tags ({len(tags)})")
    add(f"  {'tag':<4} {'records':>12} {'%':>6} {'fields':>12}  name")
    for tag, c in tags.items():
        add(
            f"  {tag:<4} {c['records']:>12,} {percent(c['records'], good)} "
            f"{c['occurrences']:>12,}  {labels.tag(tag)}"
        )
    add("")
    add("Indicators and subfields by tag (fields with each value; subfield occurrences)")
    for tag, c in tags.items():
        if not c["subfields"] and not c["indicator1"]:
            continue
        ind = [
            " ".join(f"{shown(v)}:{n:,}" for v, n in c[key].items())
            for key in ("indicator1", "indicator2")
        ]
        add(f"  {tag}  ind1 {ind[0]} | ind2 {ind[1]}")
        codes = "  ".join(f"${code} {s['occurrences']:,}" for code, s in c["subfields"].items())
        add(f"        {codes}")
    add("")
    add("Lengths")
    for title, dist in (
        ("record bytes", profile.record_lengths),
        ("field bytes", profile.field_lengths),
        ("fields a record", profile.fields_per_record),
    ):
        add(f"  {title:<16} min {dist['min']:,}  mean {dist['mean']:,.1f}  max {dist['max']:,}")
        for b in dist["buckets"]:
            span = f"{b['low']:,}-{b['high']:,}" if b["high"] is not None else f"{b['low']:,}+"
            add(f"    {span:>15} {b['count']:>12,} {percent(b['count'], dist['count'])}")
    return "\n".join(lines) + "\n"
