"""The ``marcmap`` command line: one module per command.

Each command module has ``register(subparsers)``, which adds its parser and sets
``run`` to a function of the parsed arguments that returns the exit status:
0 for success, 1 when the input has problems (bad records, nothing found), and
2 when the command cannot run (a missing file, a bad option).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from marcmap._marcmap import __version__
from marcmap.errors import MarcError

# Each command's name and its module in marcmap.cli, in the order --help lists
# them. A module is imported only to run its command (``marcmap stats FILE``
# imports only ``stats``) or for the whole parser (--help, a bad command).
COMMANDS = {
    "count": "count",
    "dump": "dump",
    "validate": "validate",
    "convert": "convert",
    "edit": "edit",
    "parquet": "parquet",
    "index": "index",
    "stats": "stats",
    "lint": "lint",
    "grep": "grep",
    "filter": "filtering",
    "select": "select",
    "frequency": "frequency",
}

DESCRIPTION = """\
Read, convert and query MARC 21 files (ISO 2709, MARCXML, MARC-in-JSON, MARCMaker;
gzip or zstd compressed or not) at memory speed. FILE may be '-' for
standard input.
Exit status: 0 on success, 1 when the input has problems, 2 when the
command cannot run."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or with ``only``, of that command alone."""
    parser = argparse.ArgumentParser(
        prog="marcmap",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"marcmap {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f"marcmap.cli.{module}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    # The command first (the usual case): only its module is needed. Anything
    # else (--help, --version, a bad name) gets the parser of every command.
    only = given[0] if given and given[0] in COMMANDS else None
    args = build_parser(only).parse_args(given)
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
