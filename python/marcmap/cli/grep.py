"""``marcmap grep PATTERN FILE...``: the records with a value matching a regex."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from marcmap._marcmap import Expr
from marcmap.cli._common import add_input, open_reader, progress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "grep",
        help="print the records with a value that matches a regex",
        description="Print the records of each FILE with a value that matches the regular "
        "expression PATTERN (Rust regex syntax): a field's value (a control field's data, "
        "or a data field's subfields joined by spaces) or, with --spec, a value of that "
        "MARCspec. Found on all cores. Exit 1 if no record matched.",
    )
    parser.add_argument("pattern", metavar="PATTERN", help="a regular expression")
    add_input(parser, many=True)
    parser.add_argument(
        "--spec",
        metavar="SPEC",
        default="...",
        help="search only this MARCspec's values, e.g. '245$a' or '6..$a' (default: '...', "
        "every field)",
    )
    parser.add_argument("-i", "--ignore-case", action="store_true", help="ignore case")
    parser.add_argument(
        "-v", "--invert-match", action="store_true", help="the records with no matching value"
    )
    parser.add_argument(
        "-c", "--count", action="store_true", help="print how many records matched, not them"
    )
    parser.add_argument(
        "--format",
        choices=["text", "mrk", "jsonl"],
        default="text",
        help="how records are printed: pymarc's text form (default), MARCMaker, or JSON lines",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def expression(args: argparse.Namespace) -> Expr:
    """``SPEC ~ /PATTERN/flags``, negated for -v."""
    pattern = args.pattern.replace("/", "\\/")
    flags = "i" if args.ignore_case else ""
    text = f"{args.spec} ~ /{pattern}/{flags}"
    if args.invert_match:
        text = f"not ({text})"
    return Expr(text)


def run(args: argparse.Namespace) -> int:
    expr = expression(args)
    matched = 0
    files: list[str] = args.files
    for name in files:
        one = argparse.Namespace(**{**vars(args), "file": name})
        with open_reader(one) as reader:
            selection = reader.where(expr)
            found = selection.indices(threads=args.threads)
            matched += len(found)
            if args.count:
                print(f"{name}:{len(found)}" if len(files) > 1 else len(found))
            elif args.format == "text":
                out = sys.stdout
                for record in progress(selection, len(found), "grep"):
                    if record is not None:
                        out.write(f"{record}\n\n")
            else:
                sys.stdout.flush()
                written: Any = selection.write(sys.stdout.buffer, args.format, threads=args.threads)
                sys.stdout.buffer.flush()
                for error in written.errors:
                    print(f"error: {error}", file=sys.stderr)
    return 0 if matched else 1
