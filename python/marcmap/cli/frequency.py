"""``marcmap frequency SPEC FILE``: how often each value of a MARCspec occurs."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from marcmap._marcmap import Spec
from marcmap.cli._common import add_input, left_out, open_reader, refuse_stdout_onto_input


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "frequency",
        help="count the values of a MARCspec, most frequent first",
        description="Count each value of SPEC (a MARCspec such as '650$a', '040$a', "
        "'LDR/6', '008/35-37' or '6..$a') over the records of FILE: every occurrence "
        "counts. Most frequent first, ties in value order. Values are extracted on all "
        "cores. Exit 1 if the spec has no value at all, or a record could not be read "
        "(each is named on standard error and left out of the counts).",
    )
    parser.add_argument("spec", metavar="SPEC", help="a MARCspec")
    add_input(parser)
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="only the N most frequent values"
    )
    parser.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="table (default: count, then value), csv (value,count with a header), or json "
        "(a list of {value, count})",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    spec = Spec(args.spec)
    if args.limit is not None and args.limit < 0:
        raise ValueError("--limit must be at least 0")
    refuse_stdout_onto_input(args.file)
    with open_reader(args) as reader:
        counts, unreadable = left_out(lambda: reader.frequency(spec, threads=args.threads))
    for error in unreadable:
        print(f"error: {error} (left out: it could not be read)", file=sys.stderr)
    ranked = counts[: args.limit]
    out = sys.stdout
    if args.format == "json":
        json.dump([{"value": v, "count": n} for v, n in ranked], out, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["value", "count"])
        writer.writerows(ranked)
    else:
        width = len(f"{ranked[0][1]:,}") if ranked else 1
        # One write: a write a line costs more than counting the file.
        out.write("".join([f"{n:>{width},}  {value}\n" for value, n in ranked]))
    return 0 if counts and not unreadable else 1
