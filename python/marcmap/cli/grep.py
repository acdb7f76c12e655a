"""``marcmap grep PATTERN FILE...``: the records with a value matching a regex."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import Any

from marcmap._marcmap import Expr
from marcmap.cli._common import (
    add_input,
    left_out,
    open_reader,
    progress,
    refuse_stdout_onto_input,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "grep",
        help="print the records with a value that matches a regex",
        description="Print the records of each FILE with a value that matches the regular "
        "expression PATTERN (Rust regex syntax): a field's value (a control field's data, "
        "or a data field's subfields joined by spaces) or, with --spec, a value of that "
        "MARCspec. Found on all cores. Exit 1 if no record matched; exit 2 if a record "
        "could not be read, so not searched (each is named on standard error).",
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


def bad_record(reader: Any, i: int) -> str:
    """What is wrong with record ``i``, which read as ``None``: the reader's error
    (it names the record and its byte offset)."""
    error = reader.current_exception
    if error is not None:
        return str(error)
    return f"record {i} (byte {reader.offset(i)}) could not be read"


def run(args: argparse.Namespace) -> int:
    expr = expression(args)
    matched = 0
    bad = 0
    files: list[str] = args.files
    for name in files:
        refuse_stdout_onto_input(name)
        one = argparse.Namespace(**{**vars(args), "file": name})
        with open_reader(one) as reader:
            selection = reader.where(expr)
            # The records that do not read are not tested: each is said (by the
            # validation below, which also checks the text of every record),
            # and counted in the exit status, never left out silently.
            found, untested = left_out(partial(selection.indices, threads=args.threads))
            unread: list[Exception] = list(
                reader.validate(decode=True, strict_text=False, threads=args.threads)
            )
            reported = {getattr(e, "record_index", None) for e in unread}
            # A record validation passes but the expression could not read (its
            # compared text does not decode) is said too.
            unread += [e for e in untested if getattr(e, "record_index", None) not in reported]
            reported |= {getattr(e, "record_index", None) for e in untested}
            for error in unread:
                print(f"error: {error}", file=sys.stderr)
            bad += len(unread)
            matched += len(found)
            if args.count:
                print(f"{name}:{len(found)}" if len(files) > 1 else len(found))
            elif args.format == "text":
                out = sys.stdout
                records = zip(found, selection, strict=True)
                for i, record in progress(records, len(found), "grep"):
                    if record is None:
                        # A matched record that does not read: said, and counted
                        # in the exit status, never skipped silently.
                        if i not in reported:
                            print(f"error: {bad_record(reader, i)}", file=sys.stderr)
                            bad += 1
                        continue
                    out.write(f"{record}\n\n")
            else:
                sys.stdout.flush()
                written: Any = selection.write(sys.stdout.buffer, args.format, threads=args.threads)
                sys.stdout.buffer.flush()
                for error in written.errors:
                    print(f"error: {error}", file=sys.stderr)
                bad += len(written.errors)
    if bad:
        return 2
    return 0 if matched else 1
