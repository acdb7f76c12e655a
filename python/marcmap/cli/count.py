"""``marcmap count FILE``: records, bad records and skipped byte ranges."""

from __future__ import annotations

import argparse
import sys

from marcmap.cli._common import add_input, framing_note, open_reader, plural


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "count",
        help="count records, bad records and skipped byte ranges",
        description="Count the records of FILE, the bad ones among them (malformed, or "
        "with text that does not decode), and the byte ranges skipped as damage. "
        "Exit 1 if there are no records.",
    )
    add_input(parser)
    parser.add_argument(
        "--no-decode",
        action="store_true",
        help="check structure only: do not decode the text of every record",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_reader(args) as reader:
        # Bad as the reader reads them (--errors replace makes invalid text no
        # problem): the records iteration gives as None.
        errors = reader.validate(decode=not args.no_decode, strict_text=False)
        skipped = reader.skipped
        text = sum(1 for e in errors if isinstance(e, UnicodeDecodeError))
        bad = plural(len(errors), "bad record")
        if text:
            bad += f" ({text:,} with text that does not decode)"
        elif args.no_decode:
            bad += " (text not checked)"
        print(
            f"{plural(len(reader), 'record')}, {bad}, {plural(len(skipped), 'skipped byte range')}"
        )
        note = framing_note(reader)
        if note:
            print(note)
        if len(reader) == 0:
            print(f"marcmap: no MARC records found in {args.file}", file=sys.stderr)
            return 1
    return 0
