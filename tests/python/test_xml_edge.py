"""MARCXML as some real files have it, on the fixtures of ``tests/data/marcxml``
(no corpus needed), the damage derived in memory:

- a ``<record xmlns="">`` in a collection whose default namespace is the slim
  one (Perl's MARC::File::XML test files): a record, as pymarc reads it;
- content after the root element (not well-formed): read on, as lenient reading
  does, and reported in ``reader.skipped``.
"""

from __future__ import annotations

from typing import Any

import marcmap
from conftest import DATA
from helpers import field_tuple

XML = DATA / "marcxml"


def _records(reader: Any) -> list[tuple[str, tuple[Any, ...]]]:
    out = []
    for i in range(len(reader)):
        record = reader[i]
        assert record is not None
        out.append((str(record.leader), tuple(field_tuple(f) for f in record.fields)))
    return out


def _control_numbers(reader: Any) -> list[str]:
    out = []
    for i in range(len(reader)):
        record = reader[i]
        assert record is not None
        out.append(record["001"].data)
    return out


def _nth(xml: str, open_tag: str, close_tag: str, n: int) -> tuple[int, int]:
    """Where the ``n``th ``open_tag`` element starts and ends."""
    start = -1
    for _ in range(n + 1):
        start = xml.index(open_tag, start + 1)
    end = xml.index(close_tag, start) + len(close_tag)
    return start, end


def test_a_record_with_xmlns_empty_is_a_record() -> None:
    path = XML / "traject_tiny.xml"
    plain = marcmap.MARCReader(str(path))
    assert plain.format == "marcxml"
    assert len(plain) == 3
    xml = path.read_text(encoding="utf-8")
    start, _ = _nth(xml, "<record>", "</record>", 1)
    changed = xml[:start] + '<record xmlns="">' + xml[start + len("<record>") :]
    reader = marcmap.MARCReader(changed.encode("utf-8"))
    assert len(reader) == 3
    assert _records(reader) == _records(plain)
    assert reader.skipped == []


def test_a_record_with_xmlns_empty_in_pymarc_batch() -> None:
    path = XML / "pymarc_batch.xml"
    plain = marcmap.MARCReader(str(path))
    assert len(plain) == 2
    xml = path.read_text(encoding="utf-8")
    start, end = _nth(xml, "<marc:record>", "</marc:record>", 1)
    second = (
        xml[start:end]
        .replace("</marc:", "</")
        .replace("<marc:", "<")
        .replace("<record>", '<record xmlns="">', 1)
    )
    changed = (xml[:start] + second + xml[end:]).replace(
        "<marc:collection xmlns:marc=",
        '<marc:collection xmlns="http://www.loc.gov/MARC21/slim" xmlns:marc=',
        1,
    )
    reader = marcmap.MARCReader(changed.encode("utf-8"), format="marcxml")
    assert len(reader) == 2
    assert _control_numbers(reader) == _control_numbers(plain) == ["5637241", "12149120"]
    assert _records(reader) == _records(plain)
    assert reader.skipped == []


def test_content_after_the_root_element_is_reported() -> None:
    path = XML / "pymarc_batch.xml"
    data = path.read_bytes()
    plain = marcmap.MARCReader(data)
    assert plain.skipped == []
    reader = marcmap.MARCReader(data + b"junk\r\n")
    assert len(reader) == len(plain) == 2
    assert _records(reader) == _records(plain)
    assert len(reader.skipped) == 1
    offset, length, reason = reader.skipped[0]
    assert (offset, length) == (len(data), 4)
    assert "after the root element" in reason
    # Strict framing stops there; the records before it are read.
    strict = marcmap.MARCReader(data + b"junk\r\n", framing="strict")
    assert _records(strict) == _records(plain)
    assert strict.framing_error is not None
