"""The one parser of a wide shape's columns as text (``marcmap parquet
--columns`` and the Spark source's ``columns`` option), so that both take the
same syntax as ``to_arrow(columns=...)``'s dict or list."""

from __future__ import annotations

import json


def parse_columns(text: str, what: str = "columns") -> dict[str, str]:
    """``"id=001,title=245$a"`` as ``{"id": "001", "title": "245$a"}``.

    A bare spec is named by itself (``"245$a"``, as in a list given to
    ``to_arrow``); text starting with ``{`` is a JSON object of names to
    specs. A name given twice, an empty name or spec, or no column at all is a
    ``ValueError`` naming ``what`` (the option or flag)."""
    if text.lstrip().startswith("{"):
        parsed = json.loads(text)
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise ValueError(f"{what}={text!r}: a JSON object must map names to specs")
        columns = {str(k): v for k, v in parsed.items()}
    else:
        columns = {}
        for item in _split_outside_braces(text):
            if not item.strip():
                continue
            # `name=spec`, unless the first `=` is inside a subspec (`650$a{$2=\lcsh}`).
            eq_at, brace_at = item.find("="), item.find("{")
            if eq_at >= 0 and (brace_at < 0 or eq_at < brace_at):
                name, spec = item[:eq_at].strip(), item[eq_at + 1 :].strip()
            else:
                name = spec = item.strip()
            if not name or not spec:
                raise ValueError(f"{what}={text!r}: expected name=spec pairs, got {item!r}")
            if name in columns:
                raise ValueError(f"{what}={text!r}: {name!r} is named twice")
            columns[name] = spec
    if not columns:
        raise ValueError(f"{what}={text!r}: give at least one column, e.g. 'title=245$a'")
    return columns


def _split_outside_braces(text: str) -> list[str]:
    """``text`` split at the commas outside a MARCspec subspec's braces."""
    items, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif c == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items
