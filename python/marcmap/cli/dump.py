"""``marcmap dump FILE``: records in pymarc's text form."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from marcmap._marcmap import MARCReader, Record
from marcmap.cli._common import add_input, framing_note, open_reader, progress
from marcmap.errors import MarcError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "dump",
        help="print records in pymarc's text form",
        description="Print the records of FILE in pymarc's text form (=LDR, then one line "
        "a field). A bad record is reported on stderr and the dump goes on; the exit "
        "status is then 1.",
    )
    add_input(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--index",
        type=_index_arg,
        metavar="N",
        help="only record N (0-based; negative from the end), or the records N:M (M "
        "excluded, either end may be left out, as in Python: --index=-10: is the last ten)",
    )
    which.add_argument("--control-number", metavar="CN", help="only the records with this 001")
    parser.set_defaults(run=run)


def _index_arg(text: str) -> int | slice:
    """``N`` or ``N:M`` (either end may be left out)."""
    try:
        if ":" not in text:
            return int(text)
        start, _, stop = text.partition(":")
        return slice(int(start) if start else None, int(stop) if stop else None)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a record index (N) or range (N:M)"
        ) from None


def _selected(reader: MARCReader[str], which: int | slice) -> list[Record[str] | None]:
    """The records ``--index`` names; an index past the end is an IndexError that
    says how many records there are."""
    count = len(reader)
    if isinstance(which, slice):
        return [reader[i] for i in range(*which.indices(count))]
    if not -count <= which < count:
        raise IndexError(f"record index {which} is out of range for {count:,} records")
    return [reader[which]]


def _text(record: Record[str]) -> str:
    """The record's text; a value that does not decode raises MarcError."""
    return str(record)


def run(args: argparse.Namespace) -> int:
    with open_reader(args) as reader:
        records: Iterable[Record[str] | None]
        if args.index is not None:
            records = _selected(reader, args.index)
        elif args.control_number is not None:
            records = reader.get_all_by_control_number(args.control_number)
            if not records:
                print(f"marcmap: no record has 001 {args.control_number!r}", file=sys.stderr)
                return 1
        else:
            records = progress(reader, len(reader), "dump")
        status = 0
        # Printed as they are read, so that each error is the one behind its record.
        for record in records:
            if record is None:
                print(f"error: {reader.current_exception}", file=sys.stderr)
                status = 1
                continue
            try:
                text = _text(record)
            except MarcError as e:
                print(f"error: {e}", file=sys.stderr)
                status = 1
                continue
            sys.stdout.write(text)
            sys.stdout.write("\n")
        note = framing_note(reader)
        if note:
            print(note, file=sys.stderr)
            status = 1
    return status
