"""``marcmap select SPEC... FILE``: a table of values, one row a record."""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any, TextIO

from marcmap._marcmap import Spec
from marcmap.cli._common import (
    add_input,
    left_out,
    open_reader,
    output_text,
    refuse_stdout_onto_input,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "select",
        help="a table of MARCspec values, one row a record (CSV, TSV, JSON lines, Parquet)",
        description="Print a table with one column a SPEC (a MARCspec such as '001', "
        "'245$a', '650$a{$2=\\\\lcsh}', 'LDR/6', '008/35-37') and one row a record of FILE: "
        "a cell holds the spec's values joined by --separator. With --explode, a record "
        "gives one row an occurrence instead (the k-th row holds each spec's k-th value; "
        "a record with no value for any spec gives no row). Values are extracted on all cores.",
    )
    parser.add_argument("specs", metavar="SPEC", nargs="+", help="a MARCspec, one a column")
    add_input(parser)
    parser.add_argument(
        "--format",
        choices=["csv", "tsv", "jsonl", "parquet"],
        default="csv",
        help="csv (default), tsv, jsonl (an object a row; lists of values without "
        "--explode), or parquet (list<string> columns; needs -o)",
    )
    parser.add_argument(
        "--header",
        metavar="NAME",
        nargs="+",
        default=None,
        help="the column names, one a SPEC (default: the specs)",
    )
    parser.add_argument("--no-header", action="store_true", help="csv, tsv: no header row")
    parser.add_argument(
        "--explode", action="store_true", help="one row an occurrence, not a record"
    )
    parser.add_argument(
        "--separator",
        default="|",
        metavar="TEXT",
        help="between the values of one cell (default: '|')",
    )
    parser.add_argument(
        "-o", "--output", metavar="PATH", default=None, help="write here (default: standard output)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    parser.set_defaults(run=run)


def rows(values: list[Any], explode: bool, separator: str) -> Iterator[list[Any]]:
    """Each record's values (one list a spec) as rows: one a record, cells
    joined, or with ``explode`` one an occurrence."""
    for record in values:
        if explode:
            yield from (
                [v if v is not None else "" for v in row]
                for row in itertools.zip_longest(*record, fillvalue=None)
            )
        else:
            yield [separator.join(cell) for cell in record]


def run(args: argparse.Namespace) -> int:
    specs = [Spec(s) for s in args.specs]
    names: list[str] = args.header or args.specs
    if len(names) != len(specs):
        raise ValueError(f"--header gives {len(names)} names for {len(specs)} specs")
    if args.format == "parquet" and (not args.output or args.explode):
        raise ValueError("--format parquet needs -o PATH, and does not --explode")
    if not args.output:
        refuse_stdout_onto_input(args.file)
    with open_reader(args) as reader:
        if args.format == "parquet":
            columns = dict(zip(names, specs, strict=True))
            _, nulled = left_out(
                lambda: reader.to_parquet(args.output, "columns", columns, threads=args.threads)
            )
            for error in nulled:
                print(f"error: {error} (its row is null)", file=sys.stderr)
            return 0 if len(reader) and not nulled else 1
        if args.format in ("csv", "tsv"):
            sys.stdout.flush()
            _, unreadable = left_out(
                lambda: reader.to_csv(
                    args.output or sys.stdout.buffer,
                    dict(zip(names, specs, strict=True)),
                    delimiter="\t" if args.format == "tsv" else ",",
                    separator=args.separator,
                    explode=args.explode,
                    header=not args.no_header,
                    threads=args.threads,
                )
            )
            sys.stdout.buffer.flush()
            for error in unreadable:
                print(f"error: {error} (its cells are empty)", file=sys.stderr)
            return 0 if len(reader) and not unreadable else 1
        got, unreadable = left_out(lambda: reader.extract(*specs, threads=args.threads))
        values: list[Any] = got if len(specs) > 1 else [(v,) for v in got]
        with ExitStack() as stack:
            out: TextIO = sys.stdout
            if args.output:
                out = stack.enter_context(output_text(args.output, args.file))
            if args.format == "jsonl":
                for record in values:
                    if args.explode:
                        for row in rows([record], True, ""):
                            out.write(json.dumps(dict(zip(names, row, strict=True))) + "\n")
                    else:
                        out.write(json.dumps(dict(zip(names, record, strict=True))) + "\n")
            else:
                dialect = "excel-tab" if args.format == "tsv" else "excel"
                writer = csv.writer(out, dialect=dialect, lineterminator="\n")
                if not args.no_header:
                    writer.writerow(names)
                writer.writerows(rows(values, args.explode, args.separator))
    for error in unreadable:
        print(f"error: {error} (its cells are empty)", file=sys.stderr)
    return 0 if len(reader) and not unreadable else 1
