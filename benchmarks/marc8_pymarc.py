"""MARC-8 decoding throughput, side by side in one run.

Usage: python benchmarks/marc8_pymarc.py [corpus dir]

1. Every MARC-8 record (LDR/09 blank) of the corpus that decodes cleanly is
   repeated into a buffer of at least 50 MB; marcmap decodes every value of it
   (``reader.validate(decode=True, threads=1)`` decodes each value strictly).
2. The corpus's UTF-8 records, repeated to the same size, are decoded the same way:
   marcmap's own UTF-8 throughput on text of the same size.
3. pymarc's ``marc8_to_unicode`` decodes the same MARC-8 values (one copy; its rate
   does not depend on the repetition).
Throughput is value bytes decoded per second.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

import marcmap
from pymarc.marc8 import marc8_to_unicode

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "marc-corpus"
TARGET_BYTES = 50_000_000


def corpus_records(corpus: str, utf8: bool) -> list[bytes]:
    """Whole records of one encoding that marcmap reads and decodes without error."""
    out = []
    for dirpath, _dirs, files in sorted(os.walk(corpus)):
        for name in sorted(files):
            if not name.endswith((".mrc", ".marc", ".dat")):
                continue
            reader = marcmap.MARCReader(Path(dirpath, name).read_bytes(), permissive=True)
            bad = {e.record_index for e in reader.validate(threads=1)}
            for i in range(len(reader)):
                rec = reader[i]
                if rec is None or i in bad or (rec.leader[9] == "a") != utf8:
                    continue
                out.append(rec.as_marc())
    return out


def value_bytes(records: list[bytes]) -> list[bytes]:
    values = []
    for rec in marcmap.MARCReader(b"".join(records), to_unicode=False):
        assert rec is not None
        for field in rec.fields:
            if field.control_field:
                values.append(field.data)
            else:
                values.extend(s.value for s in field.subfields)
    return values


def repeated(records: list[bytes]) -> tuple[bytes, int]:
    one = b"".join(records)
    copies = -(-TARGET_BYTES // len(one))
    return one * copies, copies


def bulk_rate(buf: bytes, per_copy: int, copies: int) -> float:
    reader = marcmap.MARCReader(buf)
    best = min(_timed(lambda: reader.validate(threads=1)) for _ in range(3))
    return per_copy * copies / best


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    errors = fn()
    assert not errors, errors[:3]
    return time.perf_counter() - start


def main() -> None:
    corpus = sys.argv[1] if len(sys.argv) > 1 else str(DEFAULT_CORPUS)
    marc8_records = corpus_records(corpus, utf8=False)
    utf8_records = corpus_records(corpus, utf8=True)
    marc8_values = value_bytes(marc8_records)
    utf8_values = value_bytes(utf8_records)
    m8_per_copy = sum(map(len, marc8_values))
    u8_per_copy = sum(map(len, utf8_values))

    m8_buf, m8_copies = repeated(marc8_records)
    u8_buf, u8_copies = repeated(utf8_records)
    m8_rate = bulk_rate(m8_buf, m8_per_copy, m8_copies)
    u8_rate = bulk_rate(u8_buf, u8_per_copy, u8_copies)

    start = time.perf_counter()
    # pymarc prints to stderr on some input even with hide_utf8_warnings: silence it.
    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
        for v in marc8_values:
            marc8_to_unicode(v, hide_utf8_warnings=True)
    pymarc_rate = m8_per_copy / (time.perf_counter() - start)

    print(f"MARC-8: {len(marc8_records)} records, {m8_per_copy / 1e6:.2f} MB of values a copy,")
    print(f"        {m8_copies} copies = {len(m8_buf) / 1e6:.0f} MB file")
    print(f"UTF-8:  {len(utf8_records)} records, {u8_copies} copies = {len(u8_buf) / 1e6:.0f} MB")
    print()
    print("| decoder | MB/s | ratio |")
    print("|---|---|---|")
    print(f"| marcmap MARC-8 (1 thread) | {m8_rate / 1e6:.1f} | 1.00x |")
    vs_pymarc = f"marcmap is {m8_rate / pymarc_rate:.0f}x"
    vs_utf8 = f"MARC-8 is {m8_rate / u8_rate:.2f}x of it"
    print(f"| pymarc marc8_to_unicode | {pymarc_rate / 1e6:.2f} | {vs_pymarc} |")
    print(f"| marcmap UTF-8 (1 thread) | {u8_rate / 1e6:.1f} | {vs_utf8} |")


if __name__ == "__main__":
    main()
