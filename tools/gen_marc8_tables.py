#!/usr/bin/env python3
"""Generate src/marc8/tables.rs from the Library of Congress MARC-8 code tables XML.

Usage (from the crate root):

    python3 tools/gen_marc8_tables.py ../shared/marc-corpus/codetables/marc4j/codetables.xml src/marc8/tables.rs

Python 3 standard library only. The output is deterministic: running the command
again on the same XML gives the same file byte for byte.

What is generated, and why in this shape:

* One 128-entry `u32` array per single-byte graphic set, indexed by `byte & 0x7F`.
  A 94-character set is addressed at 0x21-0x7E when designated as G0 and at
  0xA1-0xFE when designated as G1; the LC tables give G0 sets in the low range and
  ANSEL / Extended Cyrillic / Extended Arabic in the high range, so masking
  folds both onto one table.  Entry layout: 0 = not in the set; bit 31 = combining
  mark; bit 30 = maps to nothing (the second halves of the ligature and double
  tilde); bits 0-20 = the Unicode scalar value.
* A copy of ANSEL with pymarc's ligature mapping (the XML's `<alt>` values
  U+FE20-FE23 for 0xEB/0xEC/0xFA/0xFB).
* The C1 controls that ANSEL defines (0x88, 0x89, 0x8D, 0x8E) as a 32-entry table:
  they are controls, valid whatever set is designated.
* EACC (3-byte CJK) as a rank/select table: the first byte picks a slot, the
  (slot, second byte) pair picks a row, each row holds a 128-bit bitmap of the
  third bytes present plus the index of its first value; the value index is the
  row base plus the popcount of the lower bits.  O(1) with three loads, and
  ~95 KB of data instead of ~380 KB for a fully dense row table.
* The reverse mapping, Unicode to MARC-8, for the encoder: every (scalar, set,
  code) of the XML in two parallel arrays sorted by scalar, and for one scalar
  in the order of preference `REVERSE_SET_ORDER` (then by code).  Each code
  keeps the byte range the LC tables give it (0xA1-0xFE for ANSEL, Extended
  Cyrillic and Extended Arabic, which MARC-8 designates as G1), so the encoder
  can tell the two halves apart.  The `<alt>` ligature halves U+FE20-FE23 map
  to ANSEL's 0xEB/0xEC/0xFA/0xFB after the primary entries; the C1 controls
  ANSEL defines get their own set number (they need no designation).
"""

import sys
import xml.etree.ElementTree as ET

COMBINING = 1 << 31
DROP = 1 << 30

# (Rust constant name, ISO final byte(s) that designate it, XML ISOcode)
SINGLE_SETS = [
    ("BASIC_LATIN", "42"),
    ("ANSEL", "45"),
    ("GREEK_SYMBOLS", "67"),
    ("SUBSCRIPTS", "62"),
    ("SUPERSCRIPTS", "70"),
    ("BASIC_HEBREW", "32"),
    ("BASIC_CYRILLIC", "4E"),
    ("EXTENDED_CYRILLIC", "51"),
    ("BASIC_ARABIC", "33"),
    ("EXTENDED_ARABIC", "34"),
    ("BASIC_GREEK", "53"),
]
EACC_ISO = "31"

# The encoder's set numbers: the SINGLE_SETS order, then EACC, then ANSEL's C1
# controls.  When a character is in several sets and none is designated, the
# encoder takes the first in this order of preference.
SET_NUMBER = {iso: i for i, (_name, iso) in enumerate(SINGLE_SETS)}
SET_NUMBER[EACC_ISO] = len(SINGLE_SETS)
SET_C1 = len(SINGLE_SETS) + 1
REVERSE_SET_ORDER = ["42", "45", "C1", "53", "67", "62", "70", "32", "4E", "51", "33", "34", "31"]
REVERSE_COMBINING = 1 << 31


def text(code, tag):
    t = code.findtext(tag)
    return (t or "").strip()


def load(path):
    root = ET.parse(path).getroot()
    sets = {}
    for cs in root.iter("characterSet"):
        iso = cs.get("ISOcode")
        rows = []
        for code in cs.iter("code"):
            marc = int(text(code, "marc"), 16)
            ucs = text(code, "ucs")
            alt = text(code, "alt")
            comb = text(code, "isCombining") == "true"
            rows.append((marc, int(ucs, 16) if ucs else None, int(alt, 16) if alt else None, comb))
        sets[iso] = rows
    return sets


def entry(ucs, comb):
    if ucs is None:
        return DROP | (COMBINING if comb else 0)
    assert 0 < ucs <= 0x10FFFF and not (0xD800 <= ucs <= 0xDFFF), ucs
    return ucs | (COMBINING if comb else 0)


def fmt_array(name, typ, values, per_line=8, doc=None):
    out = []
    if doc:
        out.append(f"/// {doc}")
    out.append(f"pub(crate) static {name}: [{typ}; {len(values)}] = [")
    for i in range(0, len(values), per_line):
        chunk = values[i : i + per_line]
        out.append("    " + " ".join(f"0x{v:08X}," for v in chunk))
    out.append("];")
    return "\n".join(out)


def fmt_u128_array(name, values, doc):
    out = [f"/// {doc}", f"pub(crate) static {name}: [u128; {len(values)}] = ["]
    for v in values:
        out.append(f"    0x{v:032X},")
    out.append("];")
    return "\n".join(out)


def single_table(rows, name, ligature_alt=False):
    table = [0] * 128
    c1 = {}
    for marc, ucs, alt, comb in rows:
        if marc < 0x20:
            continue  # C0 controls: handled by the decoder directly
        if 0x80 <= marc < 0xA0:
            c1[marc] = entry(ucs, comb)
            continue
        if ligature_alt and alt is not None and 0xFE20 <= alt <= 0xFE23:
            ucs = alt
        idx = marc & 0x7F
        assert table[idx] == 0, (name, hex(marc))
        table[idx] = entry(ucs, comb)
    return table, c1


def reverse_tables(sets):
    """The Unicode-to-MARC-8 arrays (see the module docstring)."""
    rank = {iso: i for i, iso in enumerate(REVERSE_SET_ORDER)}
    entries = set()
    for iso in [iso for _name, iso in SINGLE_SETS] + [EACC_ISO]:
        for marc, ucs, alt, comb in sets[iso]:
            if marc < 0x20:
                continue  # C0 controls: never written from text
            key = "C1" if iso == "45" and 0x80 <= marc < 0xA0 else iso
            number = SET_C1 if key == "C1" else SET_NUMBER[iso]
            flag = REVERSE_COMBINING if comb else 0
            if ucs is not None:
                entries.add((ucs, rank[key], 0, marc, number, flag))
            if iso == "45" and alt is not None and 0xFE20 <= alt <= 0xFE23:
                entries.add((alt, rank[key], 1, marc, number, flag))
    entries = sorted(entries)
    keys = [e[0] for e in entries]
    codes = []
    for ucs, _rank, _alt, marc, number, flag in entries:
        assert marc < 1 << 24 and number < 16
        codes.append(flag | number << 24 | marc)
    order = ", ".join(REVERSE_SET_ORDER)
    return [
        "/// Unicode to MARC-8: the scalar values, sorted, one per entry of `REVERSE_CODES`.",
        f"/// A scalar in several sets has one entry per set, in the order {order}.",
        fmt_array("REVERSE_KEYS", "u32", keys),
        "",
        "/// Unicode to MARC-8: bit 31 combining; bits 24-27 the set number (the order of the",
        f"/// single-byte tables above, then EACC = {SET_NUMBER[EACC_ISO]}, ANSEL's C1 controls = {SET_C1});",
        "/// bits 0-23 the code as the LC tables give it (one byte, or EACC's three).",
        fmt_array("REVERSE_CODES", "u32", codes),
        "",
    ]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    xml_path, out_path = sys.argv[1], sys.argv[2]
    sets = load(xml_path)
    parts = [
        "// @generated by tools/gen_marc8_tables.py from the LC MARC-8 code tables XML.",
        "// Do not edit by hand. Regenerate with (from the crate root):",
        "//   python3 tools/gen_marc8_tables.py ../shared/marc-corpus/codetables/marc4j/codetables.xml src/marc8/tables.rs",
        "//",
        "// Single-byte entries: 0 = not in the set; bit 31 = combining; bit 30 = maps to",
        "// nothing; bits 0-20 = Unicode scalar value. Indexed by `byte & 0x7F`.",
        "",
        f"pub(crate) const COMBINING: u32 = 0x{COMBINING:08X};",
        f"pub(crate) const DROP: u32 = 0x{DROP:08X};",
        "pub(crate) const SCALAR_MASK: u32 = 0x001F_FFFF;",
        "",
    ]
    c1_all = {}
    for name, iso in SINGLE_SETS:
        table, c1 = single_table(sets[iso], name)
        c1_all.update(c1)
        parts.append(fmt_array(name, "u32", table, doc=f"MARC-8 set ISO final 0x{iso}, {len(sets[iso])} codes in the XML."))
        parts.append("")
    table, _ = single_table(sets["45"], "ANSEL_PYMARC", ligature_alt=True)
    parts.append(
        fmt_array(
            "ANSEL_PYMARC",
            "u32",
            table,
            doc="ANSEL with the ligature/double-tilde halves mapped to the XML's <alt> U+FE20-FE23 (pymarc's choice).",
        )
    )
    parts.append("")
    c1 = [c1_all.get(0x80 + i, 0) for i in range(32)]
    parts.append(fmt_array("C1", "u32", c1, doc="C1 controls defined by ANSEL (0x80-0x9F), indexed by `byte - 0x80`."))
    parts.append("")

    # EACC rank/select table.
    eacc = sorted((marc, ucs) for marc, ucs, _alt, _comb in sets[EACC_ISO])
    firsts = sorted({m >> 16 for m, _ in eacc})
    first_slot = [0xFF] * 128
    for i, b in enumerate(firsts):
        assert b < 0x80
        first_slot[b] = i
    rows = {}  # (b1, b2) -> list of (b3, ucs)
    for m, u in eacc:
        assert u is not None
        rows.setdefault(m >> 8, []).append((m & 0xFF, u))
    pair_row = [0] * (len(firsts) * 128)
    bitmaps, bases, values = [], [], []
    for r, pair in enumerate(sorted(rows)):
        b1, b2 = pair >> 8, pair & 0xFF
        assert b2 < 0x80
        pair_row[first_slot[b1] * 128 + b2] = r + 1
        bits = 0
        bases.append(len(values))
        for b3, u in rows[pair]:
            assert b3 < 0x80
            bits |= 1 << b3
            values.append(u)
        bitmaps.append(bits)
    assert len(values) < 0x10000 and len(rows) < 0xFFFF
    parts.append(
        "/// EACC: for a first byte (0x00-0x7F), its slot in `EACC_PAIR_ROW`, or 0xFF if no code starts with it.\n"
        f"pub(crate) static EACC_FIRST_SLOT: [u8; 128] = [\n"
        + "\n".join("    " + " ".join(f"0x{v:02X}," for v in first_slot[i : i + 16]) for i in range(0, 128, 16))
        + "\n];"
    )
    parts.append("")
    parts.append(
        f"/// EACC: `slot * 128 + second byte` -> row number + 1 (0: no such pair). {len(rows)} rows.\n"
        f"pub(crate) static EACC_PAIR_ROW: [u16; {len(pair_row)}] = [\n"
        + "\n".join("    " + " ".join(f"{v}," for v in pair_row[i : i + 16]) for i in range(0, len(pair_row), 16))
        + "\n];"
    )
    parts.append("")
    parts.append(fmt_u128_array("EACC_ROW_BITS", bitmaps, "EACC: per row, bit n set when third byte n is a code."))
    parts.append("")
    parts.append(
        "/// EACC: per row, index into `EACC_VALUES` of its first code.\n"
        f"pub(crate) static EACC_ROW_BASE: [u16; {len(bases)}] = [\n"
        + "\n".join("    " + " ".join(f"{v}," for v in bases[i : i + 16]) for i in range(0, len(bases), 16))
        + "\n];"
    )
    parts.append("")
    parts.append(
        fmt_array("EACC_VALUES", "u32", values, doc=f"EACC: Unicode scalar values, {len(values)} codes in EACC order.")
    )
    parts.append("")
    parts.extend(reverse_tables(sets))
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    main()
