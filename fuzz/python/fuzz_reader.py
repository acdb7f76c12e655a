"""Fuzz marcmap's Python API: ``MARCReader(bytes)`` and everything it hands out.

Runs under atheris (libFuzzer for Python)::

    python fuzz/python/fuzz_reader.py CORPUS_DIR fuzz/seeds/file -max_total_time=600

or, where atheris is missing, as a plain loop that mutates the seed files::

    python fuzz/python/fuzz_reader.py --no-atheris fuzz/seeds/file --seconds 600

Each input is read four ways (permissive or strict reader x lenient or strict
framing), with the other reader options taken from the input's last byte, and
every part of the API is touched: iteration, ``reader[i]`` (negative, out of
range, slices), control-number lookup, ``extract``, ``filter``, ``validate``,
every ``Record`` and ``Field`` accessor, ``as_dict``, ``as_json``, ``str``,
the ``raw`` memoryviews.

What may be raised: ``marcmap.MarcError`` and its subclasses (a
``MarcDecodeError`` only with ``utf8_handling="strict"``), ``KeyError`` from a
lookup of a tag or code the record or field does not have, and ``IndexError``
from an index out of range, ``TypeError`` from pickling a view (refused by
design). Anything else, a ``SystemError``, or a crash of the
interpreter, is a finding: atheris stops and writes the input as ``crash-*``;
the plain loop writes it as ``fuzz/python/crash-<sha1>`` and exits 1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import random
import sys
import time
from pathlib import Path

try:
    import atheris
except ImportError:  # pragma: no cover - the --no-atheris loop needs none
    atheris = None

if atheris is not None and "--no-atheris" not in sys.argv:
    with atheris.instrument_imports():
        import marcmap
        import marcmap._compat  # imported lazily by the extension otherwise
    # The Rust extension is not instrumented; the harness's own branches (which
    # exceptions, None or a record, which lookups hit) stand in for its coverage.
    instrument = atheris.instrument_func
else:
    import marcmap

    def instrument(f):  # type: ignore[no-untyped-def]
        return f


UTF8_HANDLING = ("strict", "replace", "ignore")
PROPERTIES = (
    "title",
    "issn_title",
    "isbn",
    "issn",
    "issnl",
    "sudoc",
    "author",
    "uniformtitle",
    "series",
    "subjects",
    "addedentries",
    "location",
    "notes",
    "physicaldescription",
    "publisher",
    "pubyear",
)
SPECS = ("245$a", "001", "650$a$x", "020$a", "880$6", "LDR", "00X")
MAX_RECORDS = 64


class Finding(AssertionError):
    """An invariant of the API broke (not an exception the API may raise)."""


class Ctx:
    """The reader options of one run and the exceptions they allow."""

    def __init__(self, options: dict[str, object]) -> None:
        self.options = options
        self.decode_errors = options.get("utf8_handling", "strict") == "strict"

    @instrument
    def call(self, fn, *allowed: type[BaseException]):  # type: ignore[no-untyped-def]
        """``fn()``, or None if it raised an exception the API may raise."""
        try:
            return fn()
        except marcmap.MarcDecodeError:
            if not self.decode_errors:
                raise
            return None
        except (marcmap.MarcError, *allowed):
            return None


@instrument
def touch_field(ctx: Ctx, field: marcmap.Field) -> None:
    c = ctx.call
    c(lambda: (field.tag, field.control_field, field.is_control_field()))
    c(field.is_subject_field)
    c(lambda: field.data)
    c(lambda: (field.indicators, field.indicator1, field.indicator2))
    subfields = c(lambda: field.subfields) or []
    c(field.value)
    c(field.format_field)
    c(lambda: str(field))
    c(lambda: repr(field))
    raw = field.raw
    bytes(raw)
    len(raw)
    c(lambda: list(field))
    c(lambda: field.get_subfields("a", "b", "6"))
    c(field.subfields_as_dict)
    for sub in subfields[:8]:
        code = sub.code
        if c(lambda code=code: code in field) is False:
            raise Finding(f"subfield code {code!r} of {field!r} not `in` it")
        c(lambda code=code: field[code])  # present: KeyError is a finding
        c(lambda code=code: field.get(code))
    c(lambda: field["\x00"], KeyError)
    c(lambda: field.get("zz", 1))
    # Views cannot be pickled, by design: a TypeError that says so.
    c(lambda: pickle.dumps(field), TypeError)


@instrument
def touch_record(ctx: Ctx, record: marcmap.Record) -> None:
    c = ctx.call
    c(lambda: (record.leader, record.encoding, record.index, record.offset))
    raw = record.raw
    if bytes(raw) != bytes(record.raw):
        raise Finding("record.raw changed between two reads")
    c(record.as_marc)
    c(record.as_marc21)
    c(record.as_dict)
    c(record.as_json)
    c(lambda: record.as_json(indent=1, sort_keys=True))
    c(lambda: str(record))
    c(lambda: repr(record))
    for name in PROPERTIES:
        c(lambda name=name: getattr(record, name))
    fields = c(lambda: record.fields) or []
    c(lambda: list(record))
    c(record.get_fields)
    c(lambda: record.get_fields("245", "650", "001"))
    tags = []
    for field in fields[:16]:
        touch_field(ctx, field)
        tags.append(field.tag)
    for tag in tags:
        if c(lambda tag=tag: tag in record) is False:
            raise Finding(f"tag {tag!r} of {record!r} not `in` it")
        c(lambda tag=tag: record[tag])  # present: KeyError is a finding
        c(lambda tag=tag: record.get(tag))
    c(lambda: record["999"], KeyError)
    c(lambda: record.get("zzz"))
    c(lambda: pickle.dumps(record), TypeError)


@instrument
def touch_reader(data: bytes, options: dict[str, object], pick: int) -> None:
    ctx = Ctx(options)
    c = ctx.call
    reader = c(lambda: marcmap.MARCReader(data, **options))
    if reader is None:
        return
    with reader:
        n = len(reader)
        # Iteration, the pymarc way; strict readers raise and go on.
        it = iter(reader)
        control_numbers: list[str] = []
        for _ in range(min(n, MAX_RECORDS) + 2):
            try:
                record = next(it)
            except StopIteration:
                break
            except marcmap.MarcDecodeError:
                if not ctx.decode_errors:
                    raise
                continue
            except marcmap.MarcError:
                continue
            c(lambda: (reader.current_exception, reader.current_chunk))
            if record is not None:
                touch_record(ctx, record)
                cn = c(lambda record=record: record["001"].data, KeyError)
                if isinstance(cn, str):
                    control_numbers.append(cn)
        # Random access: in range must not raise IndexError.
        if n:
            for i in {0, n - 1, -1, -n, pick % n}:
                record = c(lambda i=i: reader[i])
                if record is not None and pick & 1:
                    touch_record(ctx, record)
                c(lambda i=i: reader.offset(i))
        for i in (n, -n - 1, 2**63, -(2**63)):
            c(lambda i=i: reader[i], IndexError)
        c(lambda: reader[::2])
        c(lambda: reader[1:-1])
        c(lambda: reader[::-1][:4])
        c(lambda: reader[pick % 7 : n : 3])
        # Control numbers.
        threads = 1 + (pick & 1)
        c(lambda: reader.build_control_number_index(threads=threads))
        for cn in [*control_numbers[:4], "", " ", "\x00"]:
            c(lambda cn=cn: reader.get_by_control_number(cn))
            c(lambda cn=cn: reader.get_all_by_control_number(cn.encode("utf-8", "replace")))
        # Bulk work.
        c(lambda: reader.extract(*SPECS[:5], threads=threads, first=bool(pick & 2)))
        c(lambda: reader.extract("245", threads=threads))
        c(lambda: reader.filter("245$a", contains="a", ignore_case=True, threads=threads))
        c(lambda: reader.filter("001", threads=threads))
        c(lambda: reader.validate(decode=True, threads=threads))
        c(lambda: reader.validate(decode=False))
        c(lambda: reader.mislabelled_utf8(threads=threads))
        c(lambda: (reader.skipped, reader.recovered, reader.framing_error, reader.is_mapped))


def options_from(data: bytes) -> tuple[dict[str, object], int]:
    """Reader options from the last byte, without taking it from the MARC data."""
    b = data[-1] if data else 0
    options: dict[str, object] = {
        "utf8_handling": UTF8_HANDLING[b % 3],
        "to_unicode": not (b & 0x04),
        "force_utf8": bool(b & 0x08),
        "detect_utf8": bool(b & 0x10),
        "marc8_normalization": "NFD" if b & 0x20 else "NFC",
        "marc8_ligatures": "pymarc" if b & 0x40 else "lc",
        "hide_utf8_warnings": True,
    }
    pick = int.from_bytes(data[-3:-1], "little") if len(data) > 2 else len(data)
    return options, pick


def test_one_input(data: bytes) -> None:
    options, pick = options_from(data)
    for permissive in (True, False):
        for framing in ("lenient", "strict"):
            touch_reader(data, {**options, "permissive": permissive, "framing": framing}, pick)


# ---------------------------------------------------------------------------
# The plain loop, without atheris.


def mutate(rng: random.Random, data: bytes, seeds: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(7)
        at = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(at, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[at:at] = bytes([rng.choice(b"\x1d\x1e\x1f0123456789 a")])
        elif op == 2 and buf:
            del buf[at : at + rng.randint(1, 16)]
        elif op == 3 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif op == 4:
            other = rng.choice(seeds)
            i = rng.randrange(len(other) + 1)
            buf[at:at] = other[i : i + rng.randint(1, 64)]
        elif op == 5 and buf:
            j = rng.randrange(len(buf))
            buf[at:at] = buf[j : j + rng.randint(1, 32)]
        elif op == 6:
            buf[at:at] = os.urandom(rng.randint(1, 8))
    return bytes(buf[: 1 << 16])


def plain_loop(seed_dirs: list[str], seconds: float, out: Path) -> int:
    seeds = [p.read_bytes() for d in seed_dirs for p in sorted(Path(d).iterdir()) if p.is_file()]
    if not seeds:
        seeds = [b""]
    rng = random.Random(int.from_bytes(os.urandom(8), "little"))
    start = time.monotonic()
    runs = 0
    for s in seeds:
        test_one_input(s)
    while time.monotonic() - start < seconds:
        data = mutate(rng, rng.choice(seeds), seeds)
        try:
            test_one_input(data)
        except BaseException:
            path = out / f"crash-{hashlib.sha1(data).hexdigest()}"
            path.write_bytes(data)
            print(f"finding after {runs} runs; input written to {path}", file=sys.stderr)
            raise
        runs += 1
        if runs % 500 == 0:
            rate = runs / (time.monotonic() - start)
            print(f"#{runs} {rate:.0f} exec/s", file=sys.stderr)
    elapsed = time.monotonic() - start
    print(f"done: {runs} runs in {elapsed:.0f}s, {runs / elapsed:.0f} exec/s", file=sys.stderr)
    return 0


def main() -> int:
    if "--no-atheris" in sys.argv or atheris is None:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--no-atheris", action="store_true")
        parser.add_argument("seeds", nargs="*", default=["fuzz/seeds/file"])
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--out", type=Path, default=Path(__file__).parent)
        args = parser.parse_args()
        return plain_loop(args.seeds, args.seconds, args.out)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
