"""pymarc's derived properties and conversions, written against marcmap's views.

The Rust ``Record`` getters (``title``, ``isbn``, ...) call these functions, so
the rules live in one readable place and give the same results as pymarc 5.4.0.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marcmap._marcmap import Field, Record

# pymarc's: digits, hyphens and X, the first run of them.
_ISBN = re.compile(r"([0-9\-xX]+)")

_SERIES = ("440", "490", "800", "810", "811", "830")
_SUBJECTS = (
    "600", "610", "611", "630", "648", "650", "651", "653", "654", "655",
    "656", "657", "658", "662", "690", "691", "696", "697", "698", "699",
)  # fmt: skip
_ADDED_ENTRIES = (
    "700", "710", "711", "720", "730", "740", "752", "753", "754", "790",
    "791", "792", "793", "796", "797", "798", "799",
)  # fmt: skip
_NOTES = (
    "500", "501", "502", "504", "505", "506", "507", "508", "510", "511",
    "513", "514", "515", "516", "518", "520", "521", "522", "524", "525",
    "526", "530", "533", "534", "535", "536", "538", "540", "541", "544",
    "545", "546", "547", "550", "552", "555", "556", "561", "562", "563",
    "565", "567", "580", "581", "583", "584", "585", "586", "590", "591",
    "592", "593", "594", "595", "596", "597", "598", "599",
)  # fmt: skip


def _title_of(record: Record, tag: str) -> str | None:
    field = record.get(tag)
    if not field:
        return None
    title = field.get("a")
    if title:
        subtitle = field.get("b")
        if subtitle:
            # Both are bytes with to_unicode=False.
            title += (b" " if isinstance(title, bytes) else " ") + subtitle
    return title


def title(record: Record) -> str | None:
    """245 $a and $b."""
    return _title_of(record, "245")


def issn_title(record: Record) -> str | None:
    """222 $a and $b, the key title."""
    return _title_of(record, "222")


def isbn(record: Record) -> str | None:
    """The first 020 $a, reduced to digits and X."""
    field = record.get("020")
    if not field:
        return None
    number = field.get("a")
    if not number:
        return None
    if isinstance(number, bytes):
        # to_unicode=False: only ASCII digits, X and hyphens are kept anyway.
        number = number.decode("latin-1")
    match = _ISBN.search(number)
    return match.group(1).replace("-", "") if match else None


def issn(record: Record) -> str | None:
    """022 $a."""
    field = record.get("022")
    return field.get("a") if (field and "a" in field) else None


def issnl(record: Record) -> str | None:
    """022 $l."""
    field = record.get("022")
    return field["l"] if (field and "l" in field) else None


def sudoc(record: Record) -> str | None:
    """086, formatted."""
    field = record.get("086")
    return field.format_field() if field else None


def author(record: Record) -> str | None:
    """100, 110 or 111, formatted."""
    field = record.get("100") or record.get("110") or record.get("111")
    return field.format_field() if field else None


def uniformtitle(record: Record) -> str | None:
    """130 or 240, formatted."""
    field = record.get("130") or record.get("240")
    return field.format_field() if field else None


def series(record: Record) -> list[Field]:
    return record.get_fields(*_SERIES)


def subjects(record: Record) -> list[Field]:
    return record.get_fields(*_SUBJECTS)


def addedentries(record: Record) -> list[Field]:
    return record.get_fields(*_ADDED_ENTRIES)


def location(record: Record) -> list[Field]:
    return record.get_fields("852")


def notes(record: Record) -> list[Field]:
    return record.get_fields(*_NOTES)


def physicaldescription(record: Record) -> list[Field]:
    return record.get_fields("300")


def _publication(record: Record, code: str) -> str | None:
    for field in record.get_fields("260", "264"):
        if field.tag == "260":
            return field.get(code)
        if field.tag == "264" and field.indicator2 == "1":
            return field.get(code)
    return None


def publisher(record: Record) -> str | None:
    """260 $b, or $b of a 264 with second indicator 1."""
    return _publication(record, "b")


def pubyear(record: Record) -> str | None:
    """260 $c, or $c of a 264 with second indicator 1."""
    return _publication(record, "c")


def as_dict(record: Record) -> dict[str, Any]:
    """MARC-in-JSON, as pymarc's ``as_dict()``."""
    fields: list[dict[str, Any]] = []
    for field in record.fields:
        if field.control_field:
            fields.append({field.tag: field.data})
        else:
            fields.append(
                {
                    field.tag: {
                        "ind1": field.indicator1,
                        "ind2": field.indicator2,
                        "subfields": [{s.code: s.value} for s in field.subfields],
                    }
                }
            )
    return {"leader": record.leader, "fields": fields}


def _bytes_as_text(value: object) -> str:
    """``json.dumps``'s ``default``: the ``bytes`` values of ``to_unicode=False``."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_default(record: Record) -> Any:
    """The ``default`` that ``Record.as_json()`` passes to ``json.dumps``."""
    return _bytes_as_text


def _has_bytes_values(record: Record) -> bool:
    """Whether the reader gives ``bytes`` values (``to_unicode=False``)."""
    for field in record.fields:
        if field.control_field:
            return isinstance(field.data, bytes)
        for sub in field.subfields:
            return isinstance(sub.value, bytes)
    return False


def to_pymarc(record: Record) -> Any:
    """An equal, editable ``pymarc.Record``."""
    try:
        import pymarc
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("to_pymarc() needs pymarc: pip install 'marcmap[pymarc]'") from e
    if _has_bytes_values(record):
        raise TypeError("to_pymarc() needs text values: open the reader with to_unicode=True")
    out = pymarc.Record(leader=record.leader, to_unicode=True, force_utf8=True)
    for field in record.fields:
        if field.control_field:
            out.add_field(pymarc.Field(tag=field.tag, data=field.data))
        else:
            out.add_field(
                pymarc.Field(
                    tag=field.tag,
                    indicators=pymarc.Indicators(field.indicator1, field.indicator2),
                    subfields=[pymarc.Subfield(s.code, s.value) for s in field.subfields],
                )
            )
    return out
