"""``marcmap parquet IN OUT``: records to a Parquet file, through the Rust
``parquet`` crate (no pyarrow needed)."""

from __future__ import annotations

import argparse
import sys
from typing import Literal, cast

from marcmap._columns import parse_columns
from marcmap.cli._common import add_input, framing_note, open_reader, plural
from marcmap.cli.convert import _Progress

Shape = Literal["records", "subfields", "columns"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "parquet",
        help="write records to a Parquet file (nested, long or wide)",
        description="Write the records of FILE to the Parquet file OUT, on all cores, "
        "zstd-compressed. --shape records (default) gives one row a record with its "
        "fields nested; subfields one row a subfield (and a control field); columns one "
        "column a spec of --columns. A bad record is null (no rows with --shape "
        "subfields); --raise-errors stops at it instead.",
    )
    add_input(parser)
    parser.add_argument("out", metavar="OUT", help="the Parquet file to write")
    parser.add_argument(
        "--shape",
        choices=["records", "subfields", "columns"],
        default=None,
        help="the table's shape (default: records, or columns with --columns)",
    )
    parser.add_argument(
        "--columns",
        metavar="NAME=SPEC,...",
        default=None,
        help="the wide shape's columns: names and extract specs, e.g. "
        "'id=001,title=245$a,subjects=650$a,type=LDR/06,lang=008/35-37'",
    )
    parser.add_argument(
        "--first",
        action="store_true",
        help="with --columns: each column the first value (a string) instead of a list",
    )
    parser.add_argument(
        "--raw", action="store_true", help="with --shape records: a column of each record's bytes"
    )
    parser.add_argument(
        "--compression",
        choices=["zstd", "snappy", "none"],
        default="zstd",
        help="the compression (default: zstd)",
    )
    parser.add_argument(
        "--raise-errors",
        action="store_true",
        help="stop at the first bad record, with its error, instead of writing it as null",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    columns = parse_columns(args.columns, "--columns") if args.columns is not None else None
    shape = cast(Shape, args.shape or ("columns" if columns else "records"))
    if columns is not None and shape != "columns":
        raise ValueError("--columns goes with --shape columns")
    if args.first and columns is None:
        raise ValueError("--first goes with --columns")
    with open_reader(args, raise_errors=args.raise_errors) as reader:
        bar = _Progress(f"parquet ({shape})")
        try:
            rows = reader.to_parquet(
                args.out,
                shape,
                columns,
                first=args.first,
                raw=args.raw,
                compression=args.compression,
                threads=args.threads,
                progress=bar,
            )
        finally:
            bar.end()
        skipped = reader.skipped
        for offset, length, reason in skipped:
            print(f"skipped {plural(length, 'byte')} at byte {offset}: {reason}", file=sys.stderr)
        note = framing_note(reader)
        if note:
            print(note, file=sys.stderr)
        bad = 0 if args.raise_errors else len(reader.validate(strict_text=False))
        records = plural(len(reader), "record")
        summary = [f"{plural(rows, 'row')} written to {args.out} ({shape}, {records})"]
        if bad:
            summary.append(f"{plural(bad, 'bad record')} written as null")
        if skipped:
            summary.append(plural(len(skipped), "skipped byte range"))
        print(", ".join(summary), file=sys.stderr)
        if len(reader) == 0:
            print(f"marcmap: no MARC records found in {args.file}", file=sys.stderr)
            return 1
    return 1 if bad or note else 0
