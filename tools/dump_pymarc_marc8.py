#!/usr/bin/env python3
"""Write pymarc's decoding of MARC-8 subfields from the corpus as JSON lines.

Usage (from the crate root):

    python3 tools/dump_pymarc_marc8.py ../shared/marc-corpus tests/data/marc8_pymarc_oracle.jsonl

Only permissively licensed sources are read (see the corpus PROVENANCE.md):
marc4j (LGPL) and the other copyleft folders are skipped. Only ISO 2709 records
with LDR/09 blank (MARC-8) are used, and only subfields that are not plain
ASCII (a byte >= 0x80, an escape or a `&#`), each distinct value once.
Each line: {"src": path, "hex": MARC-8 bytes in hex, "pymarc": text or null
when pymarc raised}. Needs pymarc (tested with 5.4.0).
"""

import json
import os
import sys

from pymarc.marc8 import marc8_to_unicode

PERMISSIVE = [
    "pymarc", "yaz", "marc4js", "marcjs", "ruby-marc", "marcli", "solrmarc",
    "folio-mod-data-import", "folio-srm", "folio-srs", "mrrc", "mrrc-testbed",
    "rust-marc", "traject", "blacklight-marc",
]
EXTS = (".mrc", ".marc", ".dat", ".iso", ".mrc8", ".bin", ".out")
MAX_PER_FILE = 400


def subfields(rec):
    try:
        base = int(rec[12:17])
        directory = rec[24 : base - 1]
        for i in range(0, len(directory) - 11, 12):
            tag = directory[i : i + 3]
            length = int(directory[i + 3 : i + 7])
            start = int(directory[i + 7 : i + 12])
            data = rec[base + start : base + start + length].rstrip(b"\x1e")
            if tag < b"010":
                yield data
            else:
                for sf in data.split(b"\x1f")[1:]:
                    yield sf[1:]
    except ValueError:
        return


def interesting(value):
    return any(b >= 0x80 for b in value) or b"\x1b" in value or b"&#" in value


def main():
    corpus, out_path = sys.argv[1], sys.argv[2]
    seen = set()
    lines = []
    for src in PERMISSIVE:
        root = os.path.join(corpus, src)
        for dirpath, _dirs, files in sorted(os.walk(root)):
            for name in sorted(files):
                if not name.lower().endswith(EXTS):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, corpus)
                with open(path, "rb") as f:
                    data = f.read()
                count = 0
                for rec in data.split(b"\x1d"):
                    rec = rec.lstrip(b"\r\n \x1a")
                    if len(rec) < 24 or not rec[:5].isdigit() or rec[9:10] != b" ":
                        continue
                    for value in subfields(rec):
                        if count >= MAX_PER_FILE or not interesting(value) or value in seen:
                            continue
                        seen.add(value)
                        count += 1
                        try:
                            text = marc8_to_unicode(value, hide_utf8_warnings=True)
                        except Exception:  # pymarc raises several types on bad input
                            text = None
                        lines.append({"src": rel, "hex": value.hex(), "pymarc": text})
    with open(out_path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(lines)} values", file=sys.stderr)


if __name__ == "__main__":
    main()
