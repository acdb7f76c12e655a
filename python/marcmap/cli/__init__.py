"""The ``marcmap`` command line: one module per command.

Each command module has ``register(subparsers)``, which adds its parser and sets
``run`` to a function of the parsed arguments that returns the exit status:
0 for success, 1 when the input has problems (bad records, nothing found), and
2 when the command cannot run (a missing file, a bad option).
"""

from __future__ import annotations

import argparse
import sys

from marcmap._marcmap import __version__
from marcmap.cli import (
    convert,
    count,
    dump,
    edit,
    filtering,
    frequency,
    grep,
    index,
    lint,
    parquet,
    select,
    stats,
    validate,
)
from marcmap.errors import MarcError

COMMANDS = [
    count,
    dump,
    validate,
    convert,
    edit,
    parquet,
    index,
    stats,
    lint,
    grep,
    filtering,
    select,
    frequency,
]

DESCRIPTION = """\
Read, convert and query MARC 21 files (ISO 2709, MARCXML, MARC-in-JSON, MARCMaker;
gzip or zstd compressed or not) at memory speed. FILE may be '-' for
standard input.
Exit status: 0 on success, 1 when the input has problems, 2 when the
command cannot run."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marcmap",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"marcmap {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except BrokenPipeError:  # `marcmap dump | head`: not an error
        # Python would complain again while flushing stdout at exit.
        sys.stdout = None
        return 0
    except KeyboardInterrupt:
        return 130
    except MarcError as e:
        # The input is no MARC (a PNG, a text file), or strict reading stopped.
        file = getattr(args, "file", "")
        # An error about a path names it already.
        named = not file or str(e).startswith(f"{file}: ")
        print(f"marcmap: {e}" if named else f"marcmap: {file}: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        where = f": {e.filename}" if e.filename else ""
        print(f"marcmap: {e.strerror or e}{where}", file=sys.stderr)
        return 2
    except (IndexError, ValueError) as e:  # a bad --index, option, encoding name or spec
        print(f"marcmap: {e}", file=sys.stderr)
        return 2
    return status
