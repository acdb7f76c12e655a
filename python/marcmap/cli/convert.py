"""``marcmap convert IN OUT``: records from one format to another."""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, cast

from marcmap._marcmap import Edits
from marcmap.cli._common import (
    FORMATS,
    Format,
    add_input,
    framing_note,
    open_reader,
    plural,
    refuse_stdout_onto_input,
)

# The output format an OUT name implies, by its extension.
EXTENSIONS: dict[str, Format] = {
    ".mrc": "marc",
    ".marc": "marc",
    ".dat": "marc",
    ".iso": "marc",
    ".xml": "marcxml",
    ".marcxml": "marcxml",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".mrk": "mrk",
    ".mrk8": "mrk",
    ".txt": "mrk",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "convert",
        help="convert records between ISO 2709, MARCXML, MARC-in-JSON and MARCMaker",
        description="Write the records of FILE to OUT in another format, on all cores. "
        "The output format is --to, or OUT's extension (.mrc, .xml, .json, .jsonl, .mrk), "
        "or ISO 2709; a name ending in .gz or .zst (such as out.xml.gz) is written in that "
        "format, compressed with gzip or zstd. OUT is written beside itself and renamed "
        "into place when complete, and must not be FILE. A bad record is left out and "
        "reported on stderr with its record index and byte offset; a summary follows. "
        "Exit 1 if any record was left out, or there is no record.",
    )
    add_input(parser)
    parser.add_argument("out", metavar="OUT", help="the output file, or '-' for standard output")
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
        help="ISO 2709 output: write MARC-8 records as UTF-8, LDR/09 'a' (text formats "
        "are always UTF-8)",
    )
    encoding.add_argument(
        "--to-marc8",
        action="store_true",
        help="ISO 2709 output: write records as MARC-8, LDR/09 blank (records already "
        "MARC-8 as they are); characters MARC-8 lacks are written as &#xHHHH; and "
        "counted per record on stderr",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def output_format(args: argparse.Namespace) -> Format:
    if args.to:
        return cast(Format, args.to)
    if args.out != "-":
        # os.path, not pathlib: importing pathlib costs a command's start-up
        # more than the rest of this module.
        name = args.out
        if compression(args.out):
            name = os.path.splitext(name)[0]
        return EXTENSIONS.get(os.path.splitext(name)[1].lower(), "marc")
    return "marc"


def compression(out: str) -> str | None:
    """The compression OUT's name asks for (the writer compresses by the name):
    ``.gz`` is gzip, ``.zst`` Zstandard."""
    if out == "-":
        return None
    suffix = os.path.splitext(out)[1].lower()
    return {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}.get(suffix)


class _Progress:
    """A progress bar on stderr, drawn when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if total < 10_000 or not sys.stderr.isatty():
            return
        width = 40
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {done}/{total}")
        sys.stderr.flush()
        self.drawn = True

    def end(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")


def run(args: argparse.Namespace) -> int:
    return write_and_report(args, "convert")


def write_and_report(args: argparse.Namespace, verb: str, edits: Edits | None = None) -> int:
    """Writes the input's records to OUT (changed by ``edits`` when given) and says on
    stderr everything that was not written as read: bad records, characters replaced
    or written as references, skipped bytes, repairs, and what each edit rule changed.
    ``convert`` and ``edit`` both write through it, so neither reports less."""
    fmt = output_format(args)
    if args.to_marc8 and fmt != "marc":
        print(f"marcmap: --to-marc8 writes ISO 2709 (marc), not {fmt}", file=sys.stderr)
        return 2
    if args.out == "-":
        refuse_stdout_onto_input(args.file)
    with open_reader(args) as reader:
        target: str | IO[bytes] = sys.stdout.buffer if args.out == "-" else args.out
        bar = _Progress(f"{verb} to {fmt}")
        try:
            result = reader.write(
                target,
                fmt,
                to_utf8=args.to_utf8,
                to_marc8=args.to_marc8,
                threads=args.threads,
                progress=bar,
                edits=edits,
            )
        finally:
            bar.end()
        if args.out == "-":
            sys.stdout.buffer.flush()
        for error in result.errors:
            print(f"error: {error}", file=sys.stderr)
        for index, count in result.replaced:
            print(
                f"record {index}: {plural(count, 'character')} that {fmt} cannot hold "
                "written as U+FFFD",
                file=sys.stderr,
            )
        for index, count in result.references:
            print(
                f"record {index}: {plural(count, 'character')} MARC-8 lacks written as &#xHHHH;",
                file=sys.stderr,
            )
        skipped = reader.skipped
        for offset, length, reason in skipped:
            print(f"skipped {plural(length, 'byte')} at byte {offset}: {reason}", file=sys.stderr)
        note = framing_note(reader)
        if note:
            print(note, file=sys.stderr)
        for i, rule in enumerate(result.edits, 1):
            print(
                f"rule {i} ({rule.rule}): {plural(rule.records, 'record')} changed, "
                f"{plural(rule.changes, 'change')}",
                file=sys.stderr,
            )
        where = "standard output" if args.out == "-" else args.out
        how = ", ".join(filter(None, [fmt, compression(args.out)]))
        summary = [
            f"{plural(result.written, 'record')} written to {where} ({how})",
            # Edits can also leave out a good record (one they made too long).
            plural(len(result.errors), "bad record")
            if edits is None
            else plural(len(result.errors), "record") + " left out",
        ]
        if skipped:
            summary.append(plural(len(skipped), "skipped byte range"))
        if result.reframed:
            summary.append(plural(len(result.reframed), "repaired record"))
        if result.references:
            total = sum(count for _, count in result.references)
            summary.append(f"{plural(total, 'character')} written as &#xHHHH;")
        print(", ".join(summary), file=sys.stderr)
        if len(reader) == 0:
            print(f"marcmap: no MARC records found in {args.file}", file=sys.stderr)
            return 1
    return 1 if result.errors or note else 0
