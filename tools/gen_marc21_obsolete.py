#!/usr/bin/env python3
"""Generate src/lint/obsolete_tables.rs: the MARC 21 values LoC marks obsolete.

Usage (from the crate root), with LoC's three field lists saved as text files:

    python3 tools/gen_marc21_obsolete.py BIB_LIST AUTH_LIST HOLD_LIST src/lint/obsolete_tables.rs

Sources (see NOTICE): the Library of Congress's MARC 21 field lists, which list
"all valid and obsolete data elements" of a format and mark each obsolete one
`[OBSOLETE]` (a US Government work, public domain):

* bibliographic (https://www.loc.gov/marc/bibliographic/ecbdlist.html) and
  authority (https://www.loc.gov/marc/authority/ecadlist.html), as copied in
  github folio-org/mod-record-specifications (Apache-2.0) at commit 3d8c005,
  mod-record-specifications-server/src/main/resources/spec/marc/
  bibliographic.html and authority.html (LoC's update of 2025);
* holdings (https://www.loc.gov/marc/holdings/echdlist.html), as copied in
  github gsiems/go-marc21 (MIT) at commit 18c0437, codegen/input/echdlist.html
  (LoC's update no. 25, December 2017: the newest copy found).

Python 3 standard library only. The output is deterministic.

What is read, and why so:

* The list is one `<pre>` block whose indentation gives the level: a tag at
  column 0 (`440 - SERIES STATEMENT/ADDED ENTRY--TITLE (R) [OBSOLETE]`), its
  `Indicators` and `Subfield Codes` sections, an indicator (`First - ...`,
  `Second - ...`) and its values (`2 - Multiple surname [OBSOLETE]`), and
  subfield codes (`$l - ISSN-L (NR) [OBSOLETE]`); the leader's character
  positions and their values.
* Taken: obsolete tags, obsolete indicator values, obsolete subfield codes
  and obsolete values of the leader positions lint checks (05, 06, 07, 08, 17,
  18, 19). The values under an obsolete tag are obsolete with it, and are not
  listed again; nor are the values of an indicator obsolete as a whole (when
  it lists them: most list none, and give none). The positions of
  006/007/008 are not taken: lint does not check their values.
* Tags in the local ranges (X9X, 9XX) are left out: the list gives their old
  definitions (090, 590) as obsolete, but they are local now, not obsolete.
* A value the list gives as obsolete in one place and current in another (a
  code reused later, a tag defined anew) is left out: it is not obsolete.
* Lint takes these values out of the definitions it checks against (the
  schemas it is generated from still define some, such as 440), and names
  them obsolete when a record uses them.
"""

import html
import re
import sys

FORMATS = ["BIBLIOGRAPHIC", "AUTHORITY", "HOLDINGS"]
LEADER_POSITIONS = {5, 6, 7, 8, 17, 18, 19}
OBSOLETE = "[OBSOLETE]"

TAG = re.compile(r"^ {0,2}(\d{3}) - ")
BLOCK = re.compile(r"^ {0,2}(LEADER|DIRECTORY|\d{3}--)")
SUBFIELD = re.compile(r"^\$(.) - ")
POSITION = re.compile(r"^(\d{2})(-\d{2})? - ")
VALUE = re.compile(r"^(\S) - ")


def pre_text(page):
    """The lines of the page's `<pre>` block, entities unescaped."""
    start = page.index("<pre>") + len("<pre>")
    end = page.index("</pre>", start)
    return html.unescape(page[start:end]).splitlines()


def parse(lines):
    """Obsolete tags, indicator values {(tag, n): set}, subfield codes {tag: set}
    and leader values {position: set} of one format's list. The pages indent
    alike within a page but not across pages, so a line is known by its text:
    a tag line and a block heading start within two spaces of the margin; the
    rest by what they say."""
    tags, indicators, subfields, leader = set(), {}, {}, {}
    # What the list gives as current: a value listed obsolete in one place and
    # current in another (a code reused, a tag redefined) is not obsolete.
    current_tags, current_ind, current_sub, current_ldr = set(), set(), set(), set()
    tag = None  # the current tag, "LDR" in the leader, None elsewhere
    tag_obsolete = False
    section = None  # "indicators", "subfields" or "positions"
    indicator = None  # 1 or 2 among an indicator's values
    indicator_obsolete = False
    position = None  # the leader position whose values follow
    for line in lines:
        obsolete = OBSOLETE in line
        text = line.strip()
        if line.startswith("--"):
            # A heading such as "--Number and Code Fields (01X-04X)--".
            tag = None
            continue
        m = BLOCK.match(line)
        if m:
            # The leader, the directory, or a block of 006/007/008 by material.
            tag = "LDR" if m.group(1) == "LEADER" else None
            tag_obsolete, section, position = False, "positions", None
            continue
        m = TAG.match(line)
        if m:
            tag, tag_obsolete, section, indicator = m.group(1), obsolete, None, None
            (tags if obsolete else current_tags).add(tag)
            continue
        if tag is None or tag_obsolete:
            continue
        if text == "Indicators":
            section, indicator = "indicators", None
        elif text == "Subfield Codes":
            section = "subfields"
        elif text == "Character Positions":
            section, position = "positions", None
        elif section == "indicators":
            if text.startswith(("First - ", "Second - ")):
                indicator = 1 if text.startswith("First") else 2
                # The values of an indicator obsolete as a whole are obsolete with it.
                indicator_obsolete = obsolete
            elif (m := VALUE.match(text)) and indicator:
                value = " " if m.group(1) == "#" else m.group(1)
                if obsolete or indicator_obsolete:
                    indicators.setdefault((tag, indicator), set()).add(value)
                else:
                    current_ind.add((tag, indicator, value))
        elif section == "subfields":
            if m := SUBFIELD.match(text):
                if obsolete:
                    subfields.setdefault(tag, set()).add(m.group(1))
                else:
                    current_sub.add((tag, m.group(1)))
        elif section == "positions" and tag == "LDR":
            if m := POSITION.match(text):
                position = int(m.group(1)) if m.group(2) is None else None
            elif (m := VALUE.match(text)) and position in LEADER_POSITIONS:
                value = " " if m.group(1) == "#" else m.group(1)
                if obsolete:
                    leader.setdefault(position, set()).add(value)
                else:
                    current_ldr.add((position, value))
    # The list gives the old definitions of 090, 590 and the like as obsolete,
    # but MARC 21 leaves X9X and 9XX to local use: they are local, not obsolete.
    tags = {t for t in tags - current_tags if t[0] != "9" and t[1] != "9"}
    indicators = {k: {v for v in vs if (*k, v) not in current_ind} for k, vs in indicators.items()}
    subfields = {t: {c for c in cs if (t, c) not in current_sub} for t, cs in subfields.items()}
    leader = {p: {v for v in vs if (p, v) not in current_ldr} for p, vs in leader.items()}
    return (
        tags,
        {k: v for k, v in indicators.items() if v},
        {k: v for k, v in subfields.items() if v},
        {k: v for k, v in leader.items() if v},
    )


def mask(chars):
    m = 0
    for c in chars:
        if len(c) == 1 and ord(c) < 128:
            m |= 1 << ord(c)
    return m


def rust(name, parsed):
    tags, indicators, subfields, leader = parsed
    out = [
        f"/// The {name.lower()} format's obsolete values.",
        f"pub(super) static {name}: Obsolete = Obsolete {{",
    ]
    out.append("    tags: &[")
    for t in sorted(tags):
        out.append(f'        *b"{t}",')
    out.append("    ],")
    out.append("    indicators: &[")
    for t in sorted({t for t, _ in indicators}):
        first = mask(indicators.get((t, 1), ()))
        second = mask(indicators.get((t, 2), ()))
        out.append(f'        (*b"{t}", 0x{first:032x}, 0x{second:032x}),')
    out.append("    ],")
    out.append("    subfields: &[")
    for t in sorted(subfields):
        out.append(f'        (*b"{t}", 0x{mask(subfields[t]):032x}),')
    out.append("    ],")
    out.append("    leader: &[")
    for p in sorted(leader):
        out.append(f"        ({p}, 0x{mask(leader[p]):032x}),")
    out.append("    ],")
    out.append("};")
    counts = (
        f"{len(tags)} tags, {sum(len(v) for v in indicators.values())} indicator values, "
        f"{sum(len(v) for v in subfields.values())} subfield codes, "
        f"{sum(len(v) for v in leader.values())} leader values"
    )
    return "\n".join(out), counts


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.split("\n\n")[1])
    *inputs, target = sys.argv[1:]
    parts = [
        "// @generated by tools/gen_marc21_obsolete.py from the Library of Congress's MARC 21",
        "// field lists (public domain). Do not edit; see NOTICE.",
        "",
        "use super::obsolete::Obsolete;",
    ]
    for name, path in zip(FORMATS, inputs, strict=True):
        with open(path, encoding="utf-8") as fh:
            code, counts = rust(name, parse(pre_text(fh.read())))
        print(f"{name.lower()}: {counts}", file=sys.stderr)
        parts += ["", code]
    with open(target, "w", encoding="utf-8") as out:
        out.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
