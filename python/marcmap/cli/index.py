"""``marcmap index FILE``: write the sidecar ``FILE.mmi``, a persisted index."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Literal

from marcmap._marcmap import MARCReader
from marcmap.cli._common import plural
from marcmap.errors import SidecarError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "index",
        help="write FILE.mmi, a persisted index, so that FILE reopens without a scan",
        description="Index FILE and write the sidecar FILE.mmi beside it: the record "
        "offsets, skipped byte ranges, recovered records and (unless "
        "--no-control-numbers) the index of 001 control numbers. Readers then open FILE "
        "from it (MARCReader's index='auto', the default) as long as FILE is unchanged "
        "(size, modification time and a fingerprint of its first and last 64 KiB).",
    )
    parser.add_argument("file", metavar="FILE", help="a MARC file (a path: not standard input)")
    parser.add_argument(
        "-o", "--output", metavar="PATH", help="where to write the sidecar (default FILE.mmi)"
    )
    parser.add_argument(
        "--no-control-numbers",
        action="store_true",
        help="leave out the 001 index (8 bytes a record; lookups by 001 then build it)",
    )
    parser.add_argument(
        "--strict-framing",
        action="store_true",
        help="index as strict framing reads FILE (for readers with framing='strict')",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing: exit 0 if FILE.mmi is valid for FILE, 1 if it is missing, "
        "stale or corrupt",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.file == "-":
        print("marcmap: a sidecar indexes a file: give its path, not '-'", file=sys.stderr)
        return 2
    framing: Literal["lenient", "strict"] = "strict" if args.strict_framing else "lenient"
    if args.check:
        if args.output:
            print("marcmap: --check reads FILE.mmi: leave out --output", file=sys.stderr)
            return 2
        try:
            with MARCReader(args.file, framing=framing, index="require") as reader:
                print(f"{args.file}.mmi is valid: {plural(len(reader), 'record')}")
        except SidecarError as e:
            print(f"marcmap: {e}", file=sys.stderr)
            return 1
        return 0
    with MARCReader(args.file, framing=framing, index="off") as reader:
        written = reader.save_index(args.output, control_numbers=not args.no_control_numbers)
        parts = [plural(len(reader), "record"), plural(len(reader.skipped), "skipped byte range")]
        if not args.no_control_numbers:
            parts.append("with the 001 index")
        print(f"wrote {written} ({os.path.getsize(written):,} bytes): {', '.join(parts)}")
    return 0
