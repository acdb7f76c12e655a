#!/usr/bin/env python3
"""Generate src/lint/tables.rs: the MARC 21 definitions `marcmap lint` checks against.

Usage (from the crate root), with a checkout of timathom/marc-schema and LoC's
MARC Code List for Geographic Areas (gacs.xml):

    python3 tools/gen_marc21_definitions.py MARC_SCHEMA_DIR GACS_XML src/lint/tables.rs

Sources (see NOTICE):

* timathom/marc-schema (Apache-2.0), commit 8f87821, files
  marc21_bibliographic_schema.json, marc21_authority_schema.json and
  marc21_holdings_schema.json: the MARC 21 formats scraped from the Library of
  Congress's format pages into the Avram schema shape (tags, repeatability,
  indicator values, subfield codes and their repeatability, leader positions).
* The Library of Congress's MARC Code List for Geographic Areas (gacs.xml,
  codelist-v1, updated 2013; a US Government work, public domain), as copied in
  github rrasch/libpublishing at commit 189e744.

Python 3 standard library only. The output is deterministic: running the command
again on the same input gives the same file byte for byte.

What is generated, and why in this shape:

* One `FieldRow` per defined tag and format. Indicator values and subfield codes
  are 128-bit sets, one bit per ASCII byte: a lookup is a shift and a mask, and a
  whole format is about 20 KB. An indicator the format leaves open (880's
  "same as associated field") is the full set.
* 006/007/008 come as variants by material in the source (`007a`, `008b`, ...);
  they collapse to one tag. The authority and holdings schemas do not list their
  007/008 (LoC defines them: authority 008 NR; holdings 007 R, 008 NR), so those
  are added here, with their repeatability from LoC's pages.
* 880 (alternate graphic representation) is checked against the field its $6
  names, so its own subfields are all repeatable here (the source says
  non-repeatable, which is the placeholder for "as in the associated field").
* Leader positions 05, 06, 07, 08, 17, 18 and 19, as a set of values each.
* The geographic area codes, sorted, for a binary search.

The source marks no value as obsolete; the `obsolete` flag exists for user
definitions (Avram's `deprecated`), which `Definitions::with_json` reads.
"""

import json
import os
import sys
import xml.etree.ElementTree as ET

FORMATS = [
    ("BIBLIOGRAPHIC", "marc21_bibliographic_schema.json"),
    ("AUTHORITY", "marc21_authority_schema.json"),
    ("HOLDINGS", "marc21_holdings_schema.json"),
]
# Control fields LoC defines that a format's schema file leaves out: tag -> repeatable.
SUPPLEMENT = {
    "AUTHORITY": {"008": False},
    "HOLDINGS": {"007": True, "008": False},
}
LEADER_POSITIONS = [5, 6, 7, 8, 17, 18, 19]
ANY = (1 << 128) - 1


def expand(key):
    """The single-byte codes a source key names: `a`, `#` (blank), `1-9`, `a-$z`."""
    key = key.replace("$", "")
    if key == "#":
        return [" "]
    if len(key) == 3 and key[1] == "-":
        return [chr(c) for c in range(ord(key[0]), ord(key[2]) + 1)]
    if len(key) == 1:
        return [key]
    return []  # a placeholder such as "[number]"


def mask(chars):
    m = 0
    for c in chars:
        if ord(c) < 128:
            m |= 1 << ord(c)
    return m


def indicator_mask(ind):
    if not ind:
        return mask(" ")
    codes = ind.get("codes") or {}
    if not codes:
        return ANY
    return mask(c for k in codes for c in expand(k))


def rows(path, fmt):
    fields = json.load(open(path, encoding="utf-8"))["fields"]
    out = {}
    leader = {}
    for key, spec in fields.items():
        if key == "LDR":
            for pos in spec.get("positions", {}).values():
                if pos["start"] == pos["end"] and pos["start"] in LEADER_POSITIONS:
                    leader[pos["start"]] = mask(c for k in pos["codes"] for c in expand(k))
            continue
        tag = key[:3]
        repeatable = bool(spec.get("repeatable"))
        if tag < "010":
            prev = out.get(tag)
            out[tag] = (repeatable or (prev is not None and prev[0]), 0, 0, 0, 0)
            continue
        subs = spec.get("subfields") or {}
        defined = 0
        rep = 0
        for code, sub in subs.items():
            m = mask(expand(code))
            defined |= m
            if sub.get("repeatable") or tag == "880":
                rep |= m
        out[tag] = (
            repeatable,
            indicator_mask(spec.get("indicator1")),
            indicator_mask(spec.get("indicator2")),
            defined,
            rep,
        )
    for tag, repeatable in SUPPLEMENT.get(fmt, {}).items():
        out.setdefault(tag, (repeatable, 0, 0, 0, 0))
    return out, leader


def geographic_areas(path):
    root = ET.parse(path).getroot()
    codes = set()
    for el in root.iter():
        if el.tag.endswith("}code") or el.tag == "code":
            code = (el.text or "").strip()
            if code:
                codes.add(code)
    return sorted(codes)


def hex128(m):
    return f"0x{m:032x}"


def main():
    schema_dir, gacs, out_path = sys.argv[1:4]
    lines = [
        "// @generated by tools/gen_marc21_definitions.py from timathom/marc-schema (Apache-2.0)",
        "// and LoC's MARC Code List for Geographic Areas (public domain). Do not edit; see NOTICE.",
        "",
        "use super::definitions::FieldRow;",
        "",
    ]
    for name, file in FORMATS:
        table, leader = rows(os.path.join(schema_dir, file), name)
        lines.append(f"/// The {name.lower()} format's fields, by tag.")
        lines.append(f"pub(super) static {name}: &[FieldRow] = &[")
        for tag in sorted(table):
            rep, i1, i2, defined, repsub = table[tag]
            lines.append(
                f'    FieldRow::new(*b"{tag}", {str(rep).lower()}, {hex128(i1)}, '
                f"{hex128(i2)}, {hex128(defined)}, {hex128(repsub)}),"
            )
        lines.append("];")
        lines.append("")
        lines.append(
            f"/// The {name.lower()} format's leader values at positions 05, 06, 07, 08, 17, 18 and 19."
        )
        lines.append(f"pub(super) static {name}_LEADER: &[(usize, u128)] = &[")
        for pos in sorted(leader):
            lines.append(f"    ({pos}, {hex128(leader[pos])}),")
        lines.append("];")
        lines.append("")
    codes = geographic_areas(gacs)
    lines.append("/// The MARC geographic area codes (043 $a), sorted, without their trailing hyphens.")
    lines.append("pub(super) static GEOGRAPHIC_AREAS: &[&str] = &[")
    for code in codes:
        lines.append(f'    "{code}",')
    lines.append("];")
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
