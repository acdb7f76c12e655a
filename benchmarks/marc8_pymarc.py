#!/usr/bin/env python3
"""Time pymarc's marc8_to_unicode on the MARC-8 subfields of the corpus.

Usage: python3 benchmarks/marc8_pymarc.py [corpus dir]
"""

import os
import sys
import time

from pymarc.marc8 import marc8_to_unicode

corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/marc-corpus"
values = []
for dirpath, _d, files in sorted(os.walk(corpus)):
    for name in sorted(files):
        if not name.endswith((".mrc", ".marc", ".dat")):
            continue
        data = open(os.path.join(dirpath, name), "rb").read()
        for rec in data.split(b"\x1d"):
            rec = rec.lstrip(b"\r\n \x1a")
            if len(rec) < 24 or not rec[:5].isdigit() or rec[9:10] == b"a":
                continue
            try:
                base = int(rec[12:17])
                d = rec[24 : base - 1]
                for i in range(0, len(d) - 11, 12):
                    ln, st = int(d[i + 3 : i + 7]), int(d[i + 7 : i + 12])
                    for sf in rec[base + st : base + st + ln].split(b"\x1f")[1:]:
                        values.append(sf[1:].rstrip(b"\x1e"))
            except ValueError:
                continue
total = sum(map(len, values))
t = time.perf_counter()
for v in values:
    try:
        marc8_to_unicode(v, hide_utf8_warnings=True)
    except Exception:
        pass
secs = time.perf_counter() - t
print(
    f"pymarc marc8_to_unicode: {len(values)} subfields, {total} bytes in {secs:.3f} s = {total / secs / 1e6:.2f} MB/s"
)
