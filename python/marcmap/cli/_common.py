"""What the commands share: the input options, opening a reader, progress, plurals."""

from __future__ import annotations

import argparse
import io
import os
import stat
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, Literal, NamedTuple, TextIO, TypeVar, cast

from marcmap._marcmap import MARCReader
from marcmap.errors import SkippedRecordsWarning

T = TypeVar("T")

# The formats marcmap reads and writes, by their short names.
FORMATS = ["marc", "marcxml", "json", "jsonl", "mrk"]
Format = Literal["marc", "marcxml", "json", "jsonl", "mrk"]


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 record``, ``2 records``."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def add_input(parser: argparse.ArgumentParser, *, many: bool = False) -> None:
    """The input file (``files``, one or more, with ``many``) and the options
    that say how to read it."""
    parser.add_argument(
        "files" if many else "file",
        metavar="FILE",
        nargs="+" if many else None,
        help="a MARC file (ISO 2709, MARCXML, MARC-in-JSON or MARCMaker, gzip or zstd "
        "compressed or not), or '-' for standard input",
    )
    group = parser.add_argument_group("reading")
    group.add_argument(
        "--from",
        dest="input_format",
        choices=["auto", *FORMATS],
        default="auto",
        help="the input's format (default: found from its first bytes)",
    )
    group.add_argument(
        "--strict",
        action="store_true",
        help="both --strict-framing and --strict-records",
    )
    group.add_argument(
        "--strict-framing",
        action="store_true",
        help="stop at the first framing error, instead of skipping damage between records",
    )
    group.add_argument(
        "--strict-records",
        action="store_true",
        help="refuse records whose directory disagrees with their data, instead of repairing them",
    )
    group.add_argument(
        "--errors",
        choices=["strict", "replace", "ignore"],
        default=None,
        help="invalid UTF-8 and MARC-8: an error, U+FFFD, or dropped (default: invalid "
        "UTF-8 is an error, invalid MARC-8 is replaced, as pymarc reads them)",
    )
    group.add_argument(
        "--replace",
        action="store_true",
        help="the same as --errors replace",
    )
    group.add_argument(
        "--encoding",
        metavar="NAME",
        default=None,
        help="the encoding of records that LDR/09 does not mark UTF-8: MARC-8 (the "
        "default), or a legacy one such as cp1251, iso8859-5 or latin-1",
    )
    group.add_argument(
        "--force-utf8", action="store_true", help="read every record as UTF-8, whatever LDR/09 says"
    )
    group.add_argument(
        "--no-detect-utf8",
        action="store_true",
        help="read records labelled MARC-8 as MARC-8 even when their bytes are UTF-8",
    )
    group.add_argument(
        "--ligatures",
        choices=["lc", "pymarc"],
        default="lc",
        help="how the MARC-8 ligature and double-tilde halves map: LC's U+0361/U+0360 "
        "(default) or pymarc's U+FE20-U+FE23",
    )
    group.add_argument(
        "--nfd",
        action="store_true",
        help="MARC-8 text in NFD (as LC's converters give it) instead of NFC",
    )


def read_source(name: str) -> str | bytes:
    """A path, or the bytes of standard input for '-'."""
    if name == "-":
        return sys.stdin.buffer.read()
    return name


def refuse_stdout_onto_input(file: str) -> None:
    """Refuses standard output that is the input file (``marcmap convert f.mrc -
    >> f.mrc``): writing there would destroy the records being read. A path
    given as OUT is checked by the writer itself."""
    if file == "-":
        return
    try:
        out = os.fstat(sys.stdout.fileno())
        given = os.stat(file)
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    if stat.S_ISREG(out.st_mode) and (out.st_dev, out.st_ino) == (given.st_dev, given.st_ino):
        raise ValueError(
            f"standard output is the input file {file}: write the output to another "
            "path (it would destroy the input)"
        )


@contextmanager
def output_text(path: str, input_file: str) -> Iterator[TextIO]:
    """A text output at ``path`` written as the core's writers write theirs
    (``marcmap::output::OutputFile``): to a temporary file beside it, renamed
    over it only when the block ends without an error, and refused when it is
    the input file (same device and inode)."""
    try:
        same = input_file != "-" and os.path.samefile(path, input_file)
    except OSError:
        same = False
    if same:
        raise ValueError(
            f"the output {path} is the input file: write to another path "
            "(it would destroy the input)"
        )
    if os.path.exists(path) and not os.path.isfile(path):
        # A device or FIFO (/dev/null) is written in place, as OutputFile does.
        with open(path, "w", newline="") as out:
            yield out
        return
    import tempfile  # here, not at start-up: a command that writes no table does not pay for it

    target = os.path.realpath(path)
    fd, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=os.path.dirname(target)
    )
    try:
        with os.fdopen(fd, "w", newline="") as out:
            yield out
        if os.path.exists(target):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def open_reader(args: argparse.Namespace, *, raise_errors: bool = False) -> MARCReader[Any]:
    """A reader over ``args.file`` with the reading options."""
    Handling = Literal["strict", "replace", "ignore"]
    errors = cast("Handling | None", "replace" if args.replace else args.errors)
    return MARCReader(
        read_source(args.file),
        framing="strict" if args.strict or args.strict_framing else "lenient",
        validation="strict" if args.strict or args.strict_records else "repair",
        utf8_handling=errors or "strict",
        marc8_handling=errors or "replace",
        file_encoding=args.encoding,
        force_utf8=args.force_utf8,
        detect_utf8=not args.no_detect_utf8,
        marc8_ligatures=args.ligatures,
        marc8_normalization="NFD" if args.nfd else "NFC",
        format=args.input_format,
        raise_errors=raise_errors,
        # A command's --threads also bounds the scan that indexes the input
        # (and the reading of a large MARCXML input): --threads 1 is one core.
        threads=getattr(args, "threads", None),
    )


def left_out(call: Callable[[], T]) -> tuple[T, list[Exception]]:
    """``call()``'s result, and the records it left out because it could not
    read them (its ``SkippedRecordsWarning``): a command prints each and exits
    1, so that no record is dropped unsaid. Other warnings are shown as usual."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkippedRecordsWarning)
        result = call()
    errors: list[Exception] = []
    for w in caught:
        if isinstance(w.message, SkippedRecordsWarning):
            errors.extend(w.message.errors)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return result, errors


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
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


class Problems(NamedTuple):
    """What ``count`` and ``validate`` find wrong in an input: one definition for
    both, and one exit rule (:meth:`status`).

    A *bad record* is one that is malformed (its structure cannot be read, even
    with repair) or whose text does not decode in its encoding (invalid UTF-8 or
    MARC-8, checked strictly whatever ``--errors`` says: reading with
    replacement hides the damage, it does not mend it).
    """

    records: int
    bad: list[Exception]
    # What repair did to read each repaired record, one list a record.
    repairs: list[list[str]]
    skipped: list[tuple[int, int, str]]
    recovered: list[tuple[int, int, int | None, int]]
    note: str | None

    def status(self) -> int:
        """1 when the input has problems (a bad, repaired or recovered record, a
        skipped byte range, a strict stop, or no records at all), else 0."""
        problems = self.bad or self.repairs or self.skipped or self.recovered
        return 1 if problems or self.note or self.records == 0 else 0


def find_problems(reader: MARCReader[Any], *, decode: bool, threads: int | None = None) -> Problems:
    """Every problem of ``reader``'s input (see :class:`Problems`), found on
    ``threads`` threads (all cores by default)."""
    bad: list[Exception] = list(reader.validate(decode=decode, threads=threads))
    repairs = []
    # The repaired records are found in Rust: a Record for each of the clean
    # ones, only to find its repairs empty, would cost more than the check.
    for i in reader.repaired_records(threads=threads):
        record = reader[i]
        if record is not None:
            repairs.append([str(warning) for warning in record.repairs])
    return Problems(
        records=len(reader),
        bad=bad,
        repairs=repairs,
        skipped=reader.skipped,
        recovered=reader.recovered,
        note=framing_note(reader),
    )


def framing_note(reader: MARCReader[Any]) -> str | None:
    """What a strict-framing run that stopped early says, if it did."""
    error = reader.framing_error
    if error is None:
        return None
    return f"stopped early (strict framing): {error}"
