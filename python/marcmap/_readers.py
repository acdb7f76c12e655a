"""pymarc's reader names over marcmap's readers: ``parse_xml_to_array``,
``map_xml``, ``JSONReader`` and ``MARCMakerReader``.

Each reads its input with ``MARCReader(..., format=...)`` (the MARCXML, MARC-in-JSON
and MARCMaker readers in Rust) and gives marcmap ``Record``s: read-only views with
pymarc's accessors and properties; ``record.to_owned()`` or ``to_pymarc()`` gives
an editable copy. As with ``MARCReader``, a malformed record is ``None`` in
iteration, with ``current_exception`` naming its record, line, column and byte.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterator
from typing import IO, Any, Literal

from marcmap._marcmap import MARCReader, Record

_Input = str | bytes | os.PathLike[str] | IO[str] | IO[bytes]


def _read(target: _Input, encoding: str = "utf-8", *, text_is_data: bool = False) -> bytes:
    """The bytes of a path, a file object, or (``text_is_data``) a ``str`` of data."""
    if isinstance(target, bytes):
        return target
    if isinstance(target, (str, os.PathLike)):
        path = os.fspath(target)
        if text_is_data and not os.path.exists(path):
            return str(target).encode(encoding)
        with open(path, "rb") as fh:
            return fh.read()
    data = target.read()
    if isinstance(data, str):
        return data.encode(encoding)
    return bytes(data)


class _Reader:
    """A MARCReader over data in one format, iterated as pymarc's readers are."""

    def __init__(self, data: bytes, fmt: Literal["marcxml", "json", "mrk"]) -> None:
        self.reader: MARCReader[str] = MARCReader(data, format=fmt)

    def __iter__(self) -> Iterator[Record[str] | None]:
        return iter(self.reader)

    def __len__(self) -> int:
        return len(self.reader)

    def __getitem__(self, i: int) -> Record[str] | None:
        return self.reader[i]

    @property
    def current_exception(self) -> Exception | None:
        return self.reader.current_exception

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class JSONReader(_Reader):
    """pymarc's ``JSONReader``: MARC-in-JSON (an array, one object, or JSON lines)
    from a path, a file object, or a ``str`` of JSON."""

    def __init__(self, marc_target: _Input, encoding: str = "utf-8", stream: bool = False) -> None:
        del stream  # records are read one at a time anyway
        super().__init__(_read(marc_target, encoding, text_is_data=True), "json")


class MARCMakerReader(_Reader):
    """pymarc's ``MARCMakerReader``: MARCMaker text (``.mrk``, as MarcEdit writes
    it) from a path, a file object, or a ``str`` of text."""

    def __init__(self, target: _Input, encoding: str = "utf-8") -> None:
        super().__init__(_read(target, encoding, text_is_data=True), "mrk")


_SLIM = b"http://www.loc.gov/MARC21/slim"


def _xml(xml_file: _Input, strict: bool, normalize_form: str | None) -> _Reader | None:
    data = _read(xml_file)
    if strict and _SLIM not in data:
        # pymarc's strict=True takes only elements of the slim namespace.
        return None
    if normalize_form is not None:
        # The markup is ASCII, which normalisation leaves alone: normalising the
        # document normalises every value, as pymarc does value by value.
        form: Any = normalize_form
        text = data.decode("utf-8")
        data = unicodedata.normalize(form, text).encode("utf-8")
    return _Reader(data, "marcxml")


def parse_xml_to_array(
    xml_file: _Input, strict: bool = False, normalize_form: str | None = None
) -> list[Record[str] | None]:
    """pymarc's ``parse_xml_to_array``: every record of a MARCXML file (a path,
    or a file object), as marcmap ``Record``s (``None`` for a malformed one).
    ``normalize_form`` ("NFC", "NFD", "NFKC", "NFKD") normalises the text."""
    reader = _xml(xml_file, strict, normalize_form)
    return [] if reader is None else list(reader)


def map_xml(function: Callable[[Record[str]], Any], *files: _Input) -> None:
    """pymarc's ``map_xml``: calls ``function`` with each record of each MARCXML
    file, in order (malformed records are left out)."""
    for xml_file in files:
        reader = _xml(xml_file, False, None)
        if reader is None:
            continue
        for record in reader:
            if record is not None:
                function(record)


__all__ = ["JSONReader", "MARCMakerReader", "map_xml", "parse_xml_to_array"]
