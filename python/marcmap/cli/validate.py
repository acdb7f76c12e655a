"""``marcmap validate FILE``: every problem, with its record, byte offset and reason."""

from __future__ import annotations

import argparse

from marcmap.cli._common import add_input, find_problems, open_reader, plural


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "validate",
        help="report every problem; exit 1 if there is any",
        description="Report every problem in FILE: skipped byte ranges, records recovered "
        "despite a wrong leader length, repaired records, malformed records and text that "
        "does not decode, each with its record index and byte offset: the problems "
        "'count' counts. Exit 1 if there is any, or no record.",
    )
    add_input(parser)
    parser.add_argument(
        "--no-decode", action="store_true", help="check structure only: do not decode text"
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_reader(args) as reader:
        found = find_problems(reader, decode=not args.no_decode, threads=args.threads)
        for offset, length, reason in found.skipped:
            print(f"skipped {plural(length, 'byte')} at byte {offset}: {reason}")
        for index, offset, declared, actual in found.recovered:
            print(
                f"record {index} at byte {offset}: leader length {declared} but the record "
                f"is {actual} bytes (recovered)"
            )
        for warnings in found.repairs:
            for warning in warnings:
                print(f"repaired: {warning}")
        for error in found.bad:
            print(f"{type(error).__name__}: {error}")
        if found.note:
            print(found.note)
        summary = [
            plural(found.records, "record"),
            plural(len(found.bad), "bad record"),
            plural(len(found.repairs), "repaired record"),
            plural(len(found.skipped), "skipped byte range"),
        ]
        print(", ".join(summary))
    return found.status()
