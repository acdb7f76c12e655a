"""The ``marcmap`` command: count, dump and validate MARC files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from marcmap._marcmap import MARCReader, Record

T = TypeVar("T")


def _progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """Yields `items`, drawing a progress bar on stderr when stderr is a terminal."""
    if not sys.stderr.isatty() or total < 10_000:
        yield from items
        return
    step = max(total // 200, 1)
    for done, item in enumerate(items, 1):
        if done % step == 0 or done == total:
            width = 40
            filled = width * done // total
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r{label} [{bar}] {done}/{total}")
            sys.stderr.flush()
        yield item
    sys.stderr.write("\n")


def _open(args: argparse.Namespace) -> MARCReader:
    return MARCReader(
        args.file,
        framing="strict" if args.strict else "lenient",
        utf8_handling="replace" if getattr(args, "replace", False) else "strict",
        permissive=True,
    )


def _count(args: argparse.Namespace) -> int:
    with _open(args) as reader:
        errors = reader.validate(decode=False)
        skipped = reader.skipped
        print(f"{len(reader)} records, {len(errors)} errors, {len(skipped)} skipped byte ranges")
    return 0


def _dump(args: argparse.Namespace) -> int:
    with _open(args) as reader:
        records: Iterable[Record | None]
        if args.index is not None:
            records = [reader[args.index]]
        elif args.control_number is not None:
            records = reader.get_all_by_control_number(args.control_number)
            if not records:
                print(f"no record has 001 {args.control_number!r}", file=sys.stderr)
                return 1
        else:
            records = _progress(reader, len(reader), "dump")
        status = 0
        # Printed as they are read, so that each error is the one behind its record.
        for record in records:
            if record is None:
                print(f"error: {reader.current_exception}", file=sys.stderr)
                status = 1
                continue
            sys.stdout.write(str(record))
            sys.stdout.write("\n")
    return status


def _validate(args: argparse.Namespace) -> int:
    with _open(args) as reader:
        errors = reader.validate(decode=not args.no_decode)
        for offset, length, reason in reader.skipped:
            print(f"skipped {length} bytes at byte {offset}: {reason}")
        for index, offset, declared, actual in reader.recovered:
            print(
                f"record {index} at byte {offset}: leader length {declared} but the record "
                f"is {actual} bytes (recovered)"
            )
        for error in errors:
            print(f"{type(error).__name__}: {error}")
        bad = len(errors) + len(reader.skipped)
        print(f"{len(reader)} records, {len(errors)} errors, {len(reader.skipped)} skipped ranges")
    return 1 if bad else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="marcmap", description=__doc__)
    parser.add_argument("--strict", action="store_true", help="stop at the first framing error")
    sub = parser.add_subparsers(dest="command", required=True)

    count = sub.add_parser("count", help="count records and errors")
    count.add_argument("file")
    count.set_defaults(run=_count)

    dump = sub.add_parser("dump", help="print records in pymarc's text form")
    dump.add_argument("file")
    which = dump.add_mutually_exclusive_group()
    which.add_argument("--index", type=int, help="only record N (0-based; negative from the end)")
    which.add_argument("--control-number", help="only the records with this 001")
    dump.add_argument("--replace", action="store_true", help="replace invalid UTF-8 with U+FFFD")
    dump.set_defaults(run=_dump)

    validate = sub.add_parser("validate", help="report every malformed record; exit 1 if any")
    validate.add_argument("file")
    validate.add_argument("--no-decode", action="store_true", help="check structure only")
    validate.set_defaults(run=_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except BrokenPipeError:  # `marcmap dump | head`: not an error
        # Python would complain again while flushing stdout at exit.
        sys.stdout = None  # type: ignore[assignment]
        return 0
    except (OSError, IndexError, ValueError) as e:
        print(f"marcmap: {e}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    raise SystemExit(main())
