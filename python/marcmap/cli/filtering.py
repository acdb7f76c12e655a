"""``marcmap filter EXPR FILE OUT``: the records that meet a filter expression."""

from __future__ import annotations

import argparse
import sys
from typing import IO

from marcmap.cli._common import (
    FORMATS,
    add_input,
    open_reader,
    plural,
    refuse_stdout_onto_input,
)
from marcmap.cli.convert import compression, output_format

EXPRESSIONS = """\
EXPR is a filter expression over MARCspecs, e.g.
  '245$a ~ /^the/i and not 856'      '040$a = DLC or 040$d = DLC'
  'LDR/06 = a and 008/35-37 in [eng, ger]'      'count(650) >= 3'
SPEC alone: the record has a value; = != ~ (contains, or a /regex/flags) !~
< <= > >= (numbers when both sides are); in [a, b]; not, and, or, ( ).
See docs/finding.md."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "filter",
        help="write the records that meet a filter expression",
        description="Write the records of FILE that meet EXPR to OUT, in file order, on "
        "all cores: found in one parallel pass, written in another that reads only "
        "them. The output format is --to, or OUT's extension, as for 'convert'. "
        "Exit 1 if no record matched, or a record could not be read (each is named on "
        "standard error: it is left out, never dropped unsaid).",
        epilog=EXPRESSIONS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expr", metavar="EXPR", help="the filter expression")
    add_input(parser)
    parser.add_argument("out", metavar="OUT", help="the output file, or '-' for standard output")
    parser.add_argument(
        "--to",
        choices=FORMATS,
        default=None,
        help="the output format (default: from OUT's extension, else marc)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args)
    if args.out == "-":
        refuse_stdout_onto_input(args.file)
    with open_reader(args) as reader:
        target: str | IO[bytes] = sys.stdout.buffer if args.out == "-" else args.out
        # One pass: each record is tested as it is written.
        result = reader.write(target, fmt, threads=args.threads, where=args.expr)
        if args.out == "-":
            sys.stdout.buffer.flush()
        for error in result.errors:
            print(f"error: {error} (left out)", file=sys.stderr)
        where = "standard output" if args.out == "-" else args.out
        how = ", ".join(filter(None, [fmt, compression(args.out)]))
        print(
            f"{plural(result.matched or 0, 'record')} of {len(reader):,} matched; "
            f"{plural(result.written, 'record')} written to {where} ({how})",
            file=sys.stderr,
        )
    return 0 if result.matched and not result.errors else 1
