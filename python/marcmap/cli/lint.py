"""``marcmap lint FILE``: MARC 21 rule validation, one line a finding, a summary per rule."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter

from marcmap._marcmap import LintFinding, lint_rules
from marcmap.cli._common import add_input, open_reader, plural

FIELDS = [
    "record_index",
    "byte_offset",
    "field_index",
    "tag",
    "code",
    "rule",
    "severity",
    "message",
]


def _rules_epilog() -> str:
    lines = ["rules (* = on by default):"]
    for rule in lint_rules():
        mark = "*" if rule["default"] else " "
        lines.append(f"  {mark} {rule['id']:<26} {rule['severity']:<8} {rule['description']}")
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "lint",
        help="check records against MARC 21 rules; exit 1 on error findings",
        description="Check every record of FILE against the MARC 21 formats (bibliographic, "
        "authority, holdings, by LDR/06): tags, repeatability, indicators, subfield codes, "
        "the leader and fixed fields, 880 linkage, and MARC::Lint's field checks. One line a "
        "finding, then the count per rule. Exit 1 if any finding has error severity.",
        epilog=_rules_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input(parser)
    parser.add_argument(
        "--format",
        choices=["text", "jsonl", "csv"],
        default="text",
        help="how to write the findings (default: text); the summary goes to standard error "
        "for jsonl and csv",
    )
    parser.add_argument(
        "--rules",
        metavar="RULES",
        help="comma-separated rule ids to run, 'default' or 'all' (default: the default rules)",
    )
    parser.add_argument(
        "--definitions",
        metavar="FILE",
        help="a JSON file of MARC 21 definitions (the built-in ones' shape) adding or "
        "overriding tags",
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="threads to use (default: all cores)"
    )
    parser.set_defaults(run=run)


def _write(findings: list[LintFinding], fmt: str) -> None:
    out = sys.stdout
    if fmt == "jsonl":
        for f in findings:
            out.write(json.dumps(f.as_dict(), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for f in findings:
            writer.writerow(f.as_dict())
    else:
        for f in findings:
            out.write(
                f"record {f.record_index} at byte {f.byte_offset}: "
                f"{f.severity} [{f.rule}] {f.message}\n"
            )


def run(args: argparse.Namespace) -> int:
    rules = args.rules.split(",") if args.rules else None
    with open_reader(args) as reader:
        findings = reader.lint(rules=rules, threads=args.threads, definitions=args.definitions)
        records = len(reader)
    _write(findings, args.format)
    summary = sys.stdout if args.format == "text" else sys.stderr
    by_rule = Counter((f.rule, f.severity) for f in findings)
    if by_rule:
        print("findings by rule:", file=summary)
        for (rule, severity), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {rule:<26} {severity:<8} {n:>10,}", file=summary)
    errors = sum(n for (_, severity), n in by_rule.items() if severity == "error")
    print(
        f"{plural(records, 'record')}, {plural(len(findings), 'finding')}, "
        f"{plural(errors, 'error')}",
        file=summary,
    )
    return 1 if errors else 0
