"""``marcmap count FILE``: records, bad records and skipped byte ranges."""

from __future__ import annotations

import argparse
import sys

from marcmap.cli._common import add_input, find_problems, open_reader, plural


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "count",
        help="count records, bad records and skipped byte ranges; exit 1 on any problem",
        description="Count the records of FILE, the bad ones among them (malformed, or "
        "with text that does not decode in its encoding, whatever --errors says), the "
        "repaired ones and the byte ranges skipped as damage: the same problems "
        "'validate' lists one by one. Exit 1 if there is any problem, or no record.",
    )
    add_input(parser)
    parser.add_argument(
        "--no-decode",
        action="store_true",
        help="check structure only: do not decode the text of every record",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_reader(args) as reader:
        found = find_problems(reader, decode=not args.no_decode, threads=args.threads)
        text = sum(1 for e in found.bad if isinstance(e, UnicodeDecodeError))
        bad = plural(len(found.bad), "bad record")
        if text:
            bad += f" ({text:,} with text that does not decode)"
        elif args.no_decode:
            bad += " (text not checked)"
        summary = [plural(found.records, "record"), bad]
        if found.repairs:
            summary.append(plural(len(found.repairs), "repaired record"))
        if found.recovered:
            summary.append(plural(len(found.recovered), "recovered record"))
        summary.append(plural(len(found.skipped), "skipped byte range"))
        print(", ".join(summary))
        if found.note:
            print(found.note)
        if found.records == 0:
            print(f"marcmap: no MARC records found in {args.file}", file=sys.stderr)
    return found.status()
