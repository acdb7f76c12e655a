"""Conversions that belong to pymarc's world, kept in Python: ``Record.to_pymarc()``
and the ``default`` that ``Record.as_json()`` gives ``json.dumps``.

pymarc's derived properties (``title``, ``isbn``, ...) are in Rust
(``src/python/record/properties.rs``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marcmap._marcmap import Record


def _bytes_as_text(value: object) -> str:
    """``json.dumps``'s ``default``: the ``bytes`` values of ``to_unicode=False``."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_default(record: Record[Any]) -> Any:
    """The ``default`` that ``Record.as_json()`` passes to ``json.dumps``."""
    return _bytes_as_text


def _has_bytes_values(record: Record[Any]) -> bool:
    """Whether the reader gives ``bytes`` values (``to_unicode=False``)."""
    for field in record.fields:
        if field.control_field:
            return isinstance(field.data, bytes)
        for sub in field.subfields:
            return isinstance(sub.value, bytes)
    return False


def to_pymarc(record: Record[Any]) -> Any:
    """An equal, editable ``pymarc.Record``."""
    try:
        import pymarc
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("to_pymarc() needs pymarc: pip install 'marcmap[pymarc]'") from e
    if _has_bytes_values(record):
        raise TypeError("to_pymarc() needs text values: open the reader with to_unicode=True")
    out = pymarc.Record(leader=str(record.leader), to_unicode=True, force_utf8=True)
    for field in record.fields:
        if field.control_field:
            out.add_field(pymarc.Field(tag=field.tag, data=field.data))  # type: ignore[no-untyped-call]
        else:
            out.add_field(
                pymarc.Field(  # type: ignore[no-untyped-call]
                    tag=field.tag,
                    indicators=pymarc.Indicators(field.indicator1, field.indicator2),
                    subfields=[pymarc.Subfield(s.code, str(s.value)) for s in field.subfields],
                )
            )
    return out
