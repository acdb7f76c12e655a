"""``marcmap edit IN OUT -e RULE ...``: records changed by edit rules as they are
written (the core's edit language, on all cores)."""

from __future__ import annotations

import argparse
import sys

from marcmap._marcmap import Edits
from marcmap.cli._common import (
    FORMATS,
    add_input,
)
from marcmap.cli.convert import write_and_report

RULES_HELP = """\
rules (each -e is one; they run in order, each on the record as the rules
before it left it):
  delete 9XX                      fields by tag (X or . matches any character)
  delete 650$x                    subfields
  add 856 40 $u https://example.org/ $z Online
                                  a field, in tag order (pymarc's add_ordered_field)
  set 040$d DLC                   a subfield's value (added where missing)
  set 245$a s/regex/replacement/  a subfield rewritten (flags g, i; groups $1 or \\1)
  set 245 ind2 4                  an indicator (\\ _ or # for a blank)
  set LDR/05 c, set 008/35-37 eng positions of the leader or a control field
  move 100 700, copy 100 700, rename 090 050
  ... where 040$a = DLC | where 650$a ~ /jazz/i | where not 856
                                  a condition on any rule: a filter expression, as
                                  marcmap filter takes (and, or, not, parentheses)
Quote a value holding 'where' or blanks at its ends: "a value". See the docs'
Editing page."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "edit",
        help="change records by edit rules (delete 9XX, add 856 ...) while writing them",
        description="Write the records of FILE to OUT, each changed by the edit rules, on "
        "all cores. A record no rule changes is written as it was, byte for byte. The "
        "output format is --to, or OUT's extension, or ISO 2709 (as for convert); OUT is "
        "written beside itself and renamed into place when complete. A record that cannot "
        "be written (malformed, or over 99,999 bytes after the edits) is left out and "
        "reported on stderr with its record index and byte offset; a summary of what each "
        "rule changed follows. Exit 1 if any record was left out, 2 if a rule does not "
        "parse (the error shows where).",
        epilog=RULES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input(parser)
    parser.add_argument("out", metavar="OUT", help="the output file, or '-' for standard output")
    parser.add_argument(
        "-e",
        "--edit",
        dest="rules",
        action="append",
        default=[],
        metavar="RULE",
        help="an edit rule (repeat for more; see below)",
    )
    parser.add_argument(
        "-f",
        "--rules-file",
        metavar="RULES",
        default=None,
        help="a file of rules, one a line (blank lines and lines starting with # ignored), "
        "run before the -e rules",
    )
    parser.add_argument(
        "--to",
        choices=FORMATS,
        default=None,
        help="the output format (default: from OUT's extension, else marc)",
    )
    encoding = parser.add_mutually_exclusive_group()
    encoding.add_argument(
        "--to-utf8",
        action="store_true",
        help="ISO 2709 output: write MARC-8 records as UTF-8, LDR/09 'a'",
    )
    encoding.add_argument(
        "--to-marc8",
        action="store_true",
        help="ISO 2709 output: write records as MARC-8, LDR/09 blank; characters MARC-8 "
        "lacks are written as &#xHHHH;",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def rules_of(args: argparse.Namespace) -> list[str]:
    rules: list[str] = []
    if args.rules_file:
        with open(args.rules_file, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line and not line.startswith("#"):
                    rules.append(line)
    rules.extend(args.rules)
    return rules


def run(args: argparse.Namespace) -> int:
    rules = rules_of(args)
    if not rules:
        print("marcmap: edit needs at least one rule: -e RULE", file=sys.stderr)
        return 2
    edits = Edits(rules)  # a bad rule: EditRuleError, a ValueError (exit 2)
    return write_and_report(args, "edit", edits)
