"""The writers against pymarc 5.4.0, on every ISO 2709 file of the corpus.

For each file and each format, marcmap writes every record (``reader.write``) and
pymarc reads the output back; the records pymarc reads must equal the records
marcmap reads from the source (leader and fields: tags, control data, indicators,
subfield codes and values). Each way pymarc's reading of a format differs from
what marcmap wrote is named below with its reason, and undone on pymarc's side
before comparing, so that nothing else may differ:

- MARCXML (``parse_xml_to_array``): characters XML 1.0 forbids (C0 controls, which
  real records hold) are written as U+FFFD (see ``src/write/marcxml.rs``);
  marcmap's side is compared with them replaced too. A subfield whose code is
  ``""`` (a code byte with nothing ASCII in it, read as pymarc reads it) is
  written ``code=""``, and pymarc's parser drops it.
- MARCMaker (``MARCMakerReader``): pymarc does not undo MarcEdit's escapes, so its
  side keeps ``\\`` for blanks in control fields and indicators, ``{dollar}`` for
  ``$``, ``{bsol}``, ``{lcub}``, ``{amp}`` and ``&#x..;`` for C0 controls; it reads
  a data field without subfields as one with an empty subfield, and drops a field
  whose tag is below ``010`` but not numeric (its Field keeps no data). LDR/09 is
  ``a``, since the text is UTF-8 (as MarcEdit writes it), and a subfield whose
  code is ``""`` is written with a blank code, as in ISO 2709.
- ISO 2709 with ``to_utf8=True``: an indicator that is not ASCII (MARC-8 ``ø``,
  0xB2, in a real record) cannot be one byte of UTF-8 and is written as a blank;
  so is a subfield code byte with nothing ASCII in it (pymarc reads the code as
  ``""``, which ISO 2709 cannot hold).

Also: ``record_to_xml`` equals pymarc's ``record_to_xml`` after XML
canonicalisation for every record (pymarc's record made by ``to_pymarc()``, so
that both serialise the same text), except where pymarc's output is not XML
(forbidden characters) and where a value holds a carriage return (pymarc writes
it bare, which an XML parser reads as a newline; marcmap writes ``&#13;``).
"""

from __future__ import annotations

import io
import json
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import marcmap
import pymarc
import pytest
from conftest import iso2709_files, rel
from helpers import field_tuple

FILES = iso2709_files()
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _good(reader: marcmap.MARCReader) -> list[marcmap.Record]:
    return [r for r in reader if r is not None]


def _ascii_indicators(field: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(field) == 3:
        tag, ind, subs = field
        subs = tuple((c or " ", v) for c, v in subs)
        return (tag, tuple(i if i.isascii() else " " for i in ind), subs)
    return field


def _view(record: Any, xml: bool = False, ascii_indicators: bool = False) -> tuple[str, list[Any]]:
    """A record's leader and fields; with ``xml``, forbidden characters as U+FFFD."""
    fields = [field_tuple(f) for f in record.fields]
    if ascii_indicators:
        fields = [_ascii_indicators(f) for f in fields]
    if xml:
        fields = [
            (f[0], f[1], tuple(s for s in f[2] if s[0])) if len(f) == 3 else f for f in fields
        ]
        return FORBIDDEN.sub("\ufffd", str(record.leader)), _replace_forbidden(fields)
    return str(record.leader), fields


def _replace_forbidden(x: Any) -> Any:
    if isinstance(x, str):
        return FORBIDDEN.sub("\ufffd", x)
    if isinstance(x, (list, tuple)):
        return type(x)(_replace_forbidden(i) for i in x)
    return x


def _tuples(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_tuples(i) for i in x)
    return x


def _views(records: list[Any], xml: bool = False, **kw: bool) -> list[tuple[str, Any]]:
    return [(leader, _tuples(f)) for leader, f in (_view(r, xml, **kw) for r in records)]


def _text(record: Any) -> str:
    """Every value of a record, one string."""
    parts = []
    for f in record.fields:
        parts.append(f.tag)
        if f.is_control_field():
            parts.append(f.data)
        else:
            parts.extend(f.indicators)
            for code, value in f.subfields:
                parts += [code, value]
    return "".join(parts)


def _write(reader: marcmap.MARCReader, fmt: str, **kwargs: Any) -> tuple[bytes, Any]:
    out = io.BytesIO()
    result = reader.write(out, fmt, **kwargs)
    return out.getvalue(), result


def _written_indices(reader: marcmap.MARCReader, result: Any) -> list[int]:
    bad = {e.record_index for e in result.errors}
    return [i for i in range(len(reader)) if i not in bad]


def _pymarc_one(data: bytes) -> Any:
    """pymarc's reading of one ISO 2709 record, or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return next(iter(pymarc.MARCReader(io.BytesIO(data), to_unicode=True)), None)


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_iso2709_to_utf8_reads_back_in_pymarc(path: Path) -> None:
    with marcmap.MARCReader(path) as reader:
        expected = _good(reader)
        data, result = _write(reader, "marc", to_utf8=True)
        assert result.written == len(expected)
        assert {e.record_index for e in result.errors} == {
            i for i in range(len(reader)) if reader[i] is None
        }
        written = marcmap.MARCReader(data, validation="strict")
        assert len(written) == len(expected)
        for k, record in enumerate(expected):
            out = bytes(written[k].raw)  # type: ignore[union-attr]
            back = _pymarc_one(out)
            if back is None:
                # Only where pymarc cannot read the source record either (its
                # bytes are kept: a UTF-8 record is written as it is).
                assert out == bytes(record.raw)
                assert _pymarc_one(bytes(record.raw)) is None
                continue
            ((lead, fields),) = _views([record], ascii_indicators=True)
            ((back_lead, back_fields),) = _views([back])
            # to_utf8 sets LDR/09 (and the lengths are computed).
            assert back_lead[9] == "a"
            assert (lead[5:9] + lead[10:12] + lead[17:], fields) == (
                back_lead[5:9] + back_lead[10:12] + back_lead[17:],
                back_fields,
            ), f"record {record.index}"


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_iso2709_copies_bytes(path: Path) -> None:
    with marcmap.MARCReader(path, lazy_decoding=True) as reader:
        data, result = _write(reader, "marc")
        written = _written_indices(reader, result)
        expected = b"".join(
            bytes(reader[i].raw) if i not in result.reframed else reader[i].as_marc()  # type: ignore[union-attr]
            for i in written
        )
        if not result.reframed:
            assert data == expected
        assert result.written == len(written)
        # Every record written reads back, repaired ones included.
        again = marcmap.MARCReader(data, validation="strict", lazy_decoding=True)
        assert len(again) == len(written)
        assert again.validate(decode=False) == []


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_marcxml_reads_back_in_pymarc(path: Path) -> None:
    with marcmap.MARCReader(path) as reader:
        expected = _good(reader)
        data, result = _write(reader, "marcxml")
        assert result.written == len(expected)
        replaced = sum(n for _, n in result.replaced)
    back = pymarc.parse_xml_to_array(io.BytesIO(data))
    assert _views(back) == _views(expected, xml=True)
    forbidden = sum(len(FORBIDDEN.findall(str(r.leader) + _text(r))) for r in expected)
    assert replaced == forbidden


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_json_reads_back_in_pymarc(path: Path) -> None:
    with marcmap.MARCReader(path) as reader:
        expected = _good(reader)
        data, _ = _write(reader, "json")
        lines, _ = _write(reader, "jsonl")
    back = list(pymarc.JSONReader(data.decode("utf-8")))
    assert _views(back) == _views(expected)
    # JSON lines: one record object a line, each what as_dict() gives (the
    # differential test checks it against pymarc's).
    objects = [json.loads(line) for line in lines.decode("utf-8").splitlines()]
    assert objects == [r.as_dict() for r in expected]
    assert json.loads(data) == objects


def _undo_marcedit(text: str, control: bool) -> str:
    """MarcEdit's escapes, undone (pymarc's MARCMakerReader keeps them)."""
    if control:
        text = text.replace("\\", " ").replace("{bsol}", "\\")
    text = re.sub(r"&#x([0-9A-F]{2});", lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("{dollar}", "$").replace("{lcub}", "{").replace("{amp}", "&")


def _pymarc_drops(tag: str) -> bool:
    """pymarc's MARCMakerReader makes a field whose tag is below "010" but not
    numeric a control field, which its Field then holds no data for."""
    return tag < "010" and not tag.isdigit()


def _pymarc_mrk_view(record: Any) -> tuple[str, tuple[Any, ...]]:
    fields = []
    for f in record.fields:
        if _pymarc_drops(f.tag):
            continue
        if f.is_control_field():
            fields.append((f.tag, _undo_marcedit(f.data, True)))
        else:
            ind = tuple(" " if i == "\\" else i for i in f.indicators)
            subs = tuple((s.code, _undo_marcedit(s.value, False)) for s in f.subfields)
            if subs == (("", ""),):
                subs = ()  # pymarc reads a field without subfields as one empty one
            fields.append((f.tag, ind, subs))
    return str(record.leader), tuple(fields)


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_marcmaker_reads_back_in_pymarc(path: Path) -> None:
    with marcmap.MARCReader(path) as reader:
        expected = _good(reader)
        data, _ = _write(reader, "mrk")
    if not expected:
        # pymarc reads an empty text as one empty record.
        assert data == b""
        return
    back = list(pymarc.MARCMakerReader(data.decode("utf-8")))
    # A subfield whose code is "" (nothing ASCII in its code byte) is written
    # with a blank code, as in ISO 2709.
    ours = [
        (
            lead[:9] + "a" + lead[10:],
            tuple(
                (f[0], f[1], tuple((c or " ", v) for c, v in f[2])) if len(f) == 3 else f
                for f in fields
                if not _pymarc_drops(f[0])
            ),
        )
        for lead, fields in _views(expected)
    ]
    assert [_pymarc_mrk_view(r) for r in back] == ours


def _canonical(xml: bytes) -> str:
    return ET.canonicalize(xml.decode("utf-8") if xml.startswith(b"<") else xml)


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_record_to_xml_equals_pymarcs(path: Path) -> None:
    with marcmap.MARCReader(path) as reader:
        for record in _good(reader):
            ours = marcmap.record_to_xml(record)
            theirs_record = record.to_pymarc()
            # pymarc's Record() rewrites LDR/09-11 and 20-23; the XML has the leader as read.
            theirs_record.leader = pymarc.Leader(str(record.leader))
            theirs = pymarc.record_to_xml(theirs_record)
            text = str(record.leader) + _text(record)
            if FORBIDDEN.search(text):
                # pymarc writes them as they are: not XML.
                with pytest.raises(ET.ParseError):
                    ET.canonicalize(theirs.decode("ascii"))
                continue
            if "\r" in text:
                continue
            assert ET.canonicalize(ours.decode("utf-8")) == ET.canonicalize(
                theirs.decode("ascii")
            ), f"record {record.index}"
            with_ns = marcmap.record_to_xml(record, namespace=True)
            assert ET.canonicalize(with_ns.decode("utf-8")) == ET.canonicalize(
                pymarc.record_to_xml(theirs_record, namespace=True).decode("ascii")
            )
