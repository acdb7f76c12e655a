"""pymarc's reading behaviours, checked on pymarc's own test data (BSD-2-Clause)."""

from __future__ import annotations

import contextlib
import io

import marcmap
import pymarc
import pytest
from conftest import corpus_path


def _pymarc_records(path, **kwargs):  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh, contextlib.redirect_stdout(io.StringIO()):
        return list(pymarc.MARCReader(fh, **kwargs))


def test_bad_records_yield_none() -> None:
    # pymarc 5.4's iteration: a bad record is None, with current_exception and
    # current_chunk set, whatever `permissive` says.
    path = corpus_path("pymarc/bad_records.mrc")
    reader = marcmap.MARCReader(str(path))
    seen = []
    for record in reader:
        if record is None:
            err = reader.current_exception
            assert isinstance(err, marcmap.MarcError)
            assert err.record_index is not None and err.byte_offset is not None
            chunk = reader.current_chunk
            assert isinstance(chunk, bytes) and chunk
            seen.append(("bad", type(err).__name__, err.record_index))
        else:
            assert reader.current_exception is None
            assert reader.current_chunk == bytes(record.raw)
            seen.append(("good", record["245"]["a"]))
    good = [s for s in seen if s[0] == "good"]
    theirs = [r for r in _pymarc_records(path, permissive=True) if r is not None]
    # The good records read: pymarc's two, and record 1, whose base address
    # (99937) disagrees with its terminated directory (repaired; pymarc refuses it).
    assert len(theirs) == 2 and len(good) == 3
    assert [good[0][1], good[2][1]] == [r["245"]["a"] for r in theirs]
    repaired = marcmap.MARCReader(str(path))[1]
    assert repaired is not None
    assert [w.message for w in repaired.repairs] == [
        "record 1 (byte 127): base address 99937 disagrees with the directory: the data "
        "starts at 37"
    ]
    assert isinstance(repaired.repairs[0], marcmap.RepairWarning)
    bad = [s for s in seen if s[0] == "bad"]
    assert len(bad) >= 5
    # Each error names its own record.
    assert [b[2] for b in bad] == sorted({b[2] for b in bad})


def test_bad_records_raise_errors_raises_and_continues() -> None:
    path = corpus_path("pymarc/bad_records.mrc")
    reader = marcmap.MARCReader(str(path), raise_errors=True)
    good, errors = [], []
    it = iter(reader)
    while True:
        try:
            record = next(it)
        except StopIteration:
            break
        except marcmap.MarcError as e:
            errors.append(e)
            assert f"record {e.record_index}" in str(e)
            assert f"byte {e.byte_offset}" in str(e) or str(e.byte_offset) in str(e)
            continue
        good.append(record)
    assert len(good) == 3
    assert len(errors) >= 5


def test_utf8_handling_strict_replace_ignore() -> None:
    path = corpus_path("ruby-marc/utf8_with_bad_bytes.marc")
    # By default, as pymarc, a record with invalid UTF-8 is a bad record.
    reader = marcmap.MARCReader(str(path))
    assert list(reader) == [None]
    assert isinstance(reader.current_exception, marcmap.Utf8DecodeError)
    # With lazy decoding it reads, and the bad values raise when read.
    strict = marcmap.MARCReader(str(path), lazy_decoding=True)[0]
    bad_fields = []
    for field in strict.fields:
        try:
            str(field)
        except marcmap.Utf8DecodeError as e:
            assert isinstance(e, UnicodeDecodeError)
            assert e.record_index == 0
            bad_fields.append(field.tag)
    assert bad_fields, "utf8_with_bad_bytes.marc has invalid UTF-8"
    for handling in ("replace", "ignore"):
        ours = marcmap.MARCReader(str(path), utf8_handling=handling)[0]
        theirs = _pymarc_records(path, utf8_handling=handling)[0]
        assert str(ours) == str(theirs)
        text = str(ours)
        assert ("\ufffd" in text) == (handling == "replace")
    # pymarc in strict mode refuses the record.
    assert _pymarc_records(path, permissive=True) == [None]


def test_to_unicode_false_gives_bytes() -> None:
    path = corpus_path("pymarc/marc8.dat")
    ours = marcmap.MARCReader(str(path), to_unicode=False)[0]
    theirs = _pymarc_records(path, to_unicode=False)[0]
    for a, b in zip(ours.fields, theirs.fields, strict=True):
        if a.is_control_field():
            assert isinstance(a.data, bytes)
            continue
        for sa, sb in zip(a.subfields, b.subfields, strict=True):
            assert isinstance(sa.value, bytes)
            assert sa == (sb.code, sb.value)


def test_force_utf8() -> None:
    path = corpus_path("pymarc/utf8_without_leader_flag.dat")
    ours = marcmap.MARCReader(str(path), force_utf8=True)[0]
    theirs = _pymarc_records(path, force_utf8=True)[0]
    assert [str(f) for f in ours.fields] == [str(f) for f in theirs.fields]
    assert any(ord(c) > 127 for c in str(ours))
    # Without force_utf8 the mislabelled UTF-8 is detected and read as UTF-8.
    detected = marcmap.MARCReader(str(path))[0]
    assert [str(f) for f in detected.fields] == [str(f) for f in theirs.fields]
    assert detected.encoding == "utf-8-detected"
    # Read as MARC-8 (detection off) the UTF-8 bytes do not decode.
    plain = marcmap.MARCReader(
        str(path), detect_utf8=False, marc8_handling="strict", lazy_decoding=True
    )[0]
    with pytest.raises(marcmap.Marc8DecodeError):
        str(plain)


def test_multi_isbn() -> None:
    path = corpus_path("pymarc/multi_isbn.dat")
    ours = list(marcmap.MARCReader(str(path)))
    theirs = _pymarc_records(path)
    assert len(ours) == len(theirs) > 0
    for a, b in zip(ours, theirs, strict=True):
        assert a.isbn == b.isbn
        assert [f["a"] for f in a.get_fields("020") if "a" in f] == [
            f["a"] for f in b.get_fields("020") if "a" in f
        ]
    assert any(len(r.get_fields("020")) > 1 for r in ours)


@pytest.mark.parametrize(
    "name",
    ["alphatag.dat", "regression45.dat", "bad_indicator.dat", "test.dat", "one.dat", "marc.dat"],
)
def test_fields_equal_pymarc(name: str) -> None:
    path = corpus_path(f"pymarc/{name}")
    ours = [r for r in marcmap.MARCReader(str(path), permissive=True) if r is not None]
    theirs = [r for r in _pymarc_records(path, permissive=True) if r is not None]
    assert len(ours) == len(theirs) > 0
    for a, b in zip(ours, theirs, strict=True):
        assert str(a) == str(b)
        assert a.as_dict() == b.as_dict()


def test_alphatag() -> None:
    record = marcmap.MARCReader(str(corpus_path("pymarc/alphatag.dat")))[0]
    tags = [f.tag for f in record.fields]
    alpha = [t for t in tags if not t.isdigit()]
    assert alpha, "alphatag.dat has an alphabetic tag"
    for t in alpha:
        assert t in record
        assert not record[t].is_control_field()


def test_bad_indicator() -> None:
    path = corpus_path("pymarc/bad_indicator.dat")
    ours = marcmap.MARCReader(str(path))[0]
    theirs = _pymarc_records(path, permissive=True)[0]
    assert [tuple(f.indicators or ()) for f in ours.fields] == [
        tuple(f.indicators or ()) if not f.is_control_field() else () for f in theirs.fields
    ]


def test_bad_subfield_code_is_repaired() -> None:
    # The 245's directory length stops one byte short of its terminator, and every
    # field after it starts one byte early: pymarc reads on, with the terminator in
    # each later field's indicators and each value's last byte cut off. marcmap
    # locates the fields by their terminators and reports each repair.
    path = corpus_path("pymarc/bad_subfield_code.dat")
    record = marcmap.MARCReader(str(path))[0]
    assert record is not None
    assert [w.field_index for w in record.repairs] == list(range(11, 18))
    theirs = _pymarc_records(path)[0]
    for ours, pm in zip(record.fields[12:], theirs.fields[12:], strict=True):
        # pymarc's indicators are shifted by the terminator.
        assert pm.indicator1 == "\x1e"
        assert ours.indicator1 == pm.indicator2
        # pymarc's last value lost its last character.
        assert ours.subfields[-1].value[:-1] == pm.subfields[-1].value
    assert record["245"]["c"] == "Tobias Martinsson."
    # Strict validation refuses it, as before.
    strict = marcmap.MARCReader(str(path), validation="strict")
    assert strict[0] is None
    assert isinstance(strict.current_exception, marcmap.FieldTerminatorMissing)
    assert strict.current_exception.field_index == 11


def test_unimarc() -> None:
    path = corpus_path("pymarc/testunimarc.dat")
    reader = marcmap.MARCReader(str(path), to_unicode=False)
    assert len(reader) == 1
    record = reader[0]
    theirs = _pymarc_records(path, to_unicode=False, permissive=True)[0]
    assert "200" in record and "245" not in record
    assert record["200"]["f"] == theirs["200"]["f"]
    assert [f.tag for f in record.fields] == [f.tag for f in theirs.fields]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("pymarc/1251.dat", "cp1251"),
        ("yaz/marc1.marc", "iso8859-1"),  # pymarc's spelling of its MARC-8 default
        ("yaz/marc1.marc", "latin-1"),
        ("yaz/marc2.marc", "latin-1"),
    ],
)
def test_file_encoding_decodes_legacy_encodings_as_pymarc(name: str, encoding: str) -> None:
    path = corpus_path(name)
    theirs = _pymarc_records(path, file_encoding=encoding)
    reader = marcmap.MARCReader(str(path), file_encoding=encoding)
    ours = list(reader)
    assert len(ours) == len(theirs) > 0
    for a, b in zip(ours, theirs, strict=True):
        assert a is not None and b is not None
        assert [str(f) for f in a.fields] == [str(f) for f in b.fields]
    if encoding != "iso8859-1":
        assert ours[0].encoding != "marc-8"
        # In bulk too: extract decodes with the same encoding.
        assert reader.extract("245$a") == [
            [s for f in r.get_fields("245") for s in f.get_subfields("a")] for r in theirs
        ]
