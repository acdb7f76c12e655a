"""pymarc's API and reading behaviours on marcmap, each against pymarc.

- The API surface: Leader, equality, pickling, as_marc, linkage, map_records, on
  real files.
- pymarc's reading behaviours (bad records, utf8_handling, to_unicode,
  force_utf8, ISBNs, alphabetic tags, bad indicators and subfield codes,
  UNIMARC, file_encoding), checked on pymarc's own test data (BSD-2-Clause).

The file-by-file comparison (every record of every corpus file, and a pymarc
loop run unchanged on marcmap) is in ``test_pymarc_records.py``.
"""

from __future__ import annotations

import contextlib
import io
import pickle

import marcmap
import pymarc
import pytest
from conftest import corpus_path

MARC8 = "solrmarc/record_set_045.mrc"  # MARC-8 with diacritics
LINKED = "yaz/marc9.marc"  # 880s linked by $6 (Arabic)


def _pymarc(path):  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh, contextlib.redirect_stdout(io.StringIO()):
        return list(pymarc.MARCReader(fh))


def test_leader_has_pymarcs_names_and_compares_as_a_str() -> None:
    path = corpus_path(MARC8)
    ours = marcmap.MARCReader(str(path))[0]
    theirs = _pymarc(path)[0].leader
    leader = ours.leader
    # Mutable, as pymarc's (so not a str), but equal to its characters.
    assert isinstance(leader, marcmap.Leader) and not isinstance(leader, str)
    assert leader == str(theirs) and leader[5:9] == theirs[5:9] and str(leader) == str(theirs)
    for name in [
        "record_length",
        "record_status",
        "type_of_record",
        "bibliographic_level",
        "type_of_control",
        "coding_scheme",
        "indicator_count",
        "subfield_code_count",
        "base_address",
        "encoding_level",
        "cataloging_form",
        "multipart_ressource",
        "length_of_field_length",
        "starting_character_position_length",
        "implementation_defined_length",
    ]:
        assert getattr(leader, name) == getattr(theirs, name), name
    assert leader.leader == theirs.leader
    assert leader["coding_scheme"] == theirs["coding_scheme"] == leader[9]
    assert leader[0:5] == theirs[0:5]
    # Changed as pymarc's: by position, slice or name.
    for lead in (leader, theirs):
        lead[5] = "c"
        lead.type_of_record = "a"
        lead[17:19] = "7i"
    assert str(leader) == str(theirs) and ours.leader == str(theirs)


def test_field_views_compare_equal_and_hash_alike() -> None:
    reader = marcmap.MARCReader(str(corpus_path(MARC8)))
    record = reader[0]
    f = record["245"]
    assert f == record["245"] and hash(f) == hash(record["245"])
    assert f in record.fields
    assert record.fields.index(f) == [g.tag for g in record.fields].index("245")
    assert f != record["650"] and f != "245"
    # The same bytes from another reader, read the same way, are equal too.
    again = marcmap.MARCReader(str(corpus_path(MARC8)))[0]
    assert again == record and again["245"] == f and hash(again) == hash(record)
    # Read another way, they are not.
    raw = marcmap.MARCReader(str(corpus_path(MARC8)), to_unicode=False)[0]
    assert raw["245"] != f and raw != record
    assert record != reader[1]


def test_repeated_fields_are_distinct_views() -> None:
    # Two identical fields of a record are two fields: fields.index() finds each.
    from records import build

    data = build([("001", b"1"), ("999", b"  \x1faX"), ("999", b"  \x1faX")])
    record = marcmap.MARCReader(data)[0]
    assert record is not None
    fields = record.fields
    assert str(fields[1]) == str(fields[2]) and fields[1] != fields[2]
    assert [fields.index(f) for f in fields] == [0, 1, 2]
    assert len({fields[1], fields[2], record.get_fields("999")[0]}) == 2


def test_records_and_fields_pickle_by_value() -> None:
    path = corpus_path(MARC8)
    reader = marcmap.MARCReader(str(path), marc8_normalization="NFD")
    for i in range(len(reader)):
        record = reader[i]
        assert record is not None
        back = pickle.loads(pickle.dumps(record))
        assert back == record
        assert (back.index, back.offset, back.encoding) == (i, reader.offset(i), record.encoding)
        assert str(back) == str(record) and back.title == record.title
        assert bytes(back.raw) == bytes(record.raw)
        field = record.fields[-1]
        assert pickle.loads(pickle.dumps(field)) == field
    # The unpickled record needs neither the reader nor the file.
    record = reader[3]
    assert record is not None
    want, blob = record["245"]["a"], pickle.dumps(record)
    del reader, record
    assert pickle.loads(blob)["245"]["a"] == want


def test_an_unpickled_record_reports_its_errors_where_they_were() -> None:
    # A record with invalid UTF-8, read lazily: after a round trip its bad value
    # still raises, naming the record's index and its bytes in the original file.
    path = corpus_path("ruby-marc/utf8_with_bad_bytes.marc")
    record = marcmap.MARCReader(str(path), lazy_decoding=True)[0]
    with pytest.raises(marcmap.Utf8DecodeError) as before:
        str(record)
    back = pickle.loads(pickle.dumps(record))
    with pytest.raises(marcmap.Utf8DecodeError) as after:
        str(back)
    assert (after.value.record_index, after.value.byte_offset, after.value.object) == (
        before.value.record_index,
        before.value.byte_offset,
        before.value.object,
    )
    assert str(after.value) == str(before.value)


@pytest.mark.parametrize(
    "name",
    ["marc4js/marc8_utf8_mixed.mrc", "pymarc/marc8.dat", "yaz/marc9.marc", "pymarc/test.dat"],
)
def test_as_marc_equals_pymarcs(name: str) -> None:
    # (The pymarc loop of test_pymarc_records.py compares as_marc() on every
    # corpus file without documented differences; these are MARC-8 ones.)
    # pymarc re-encodes: MARC-8 records come out UTF-8 with LDR/09 'a'.
    path = corpus_path(name)
    ours = list(marcmap.MARCReader(str(path), marc8_ligatures="pymarc"))
    theirs = _pymarc(path)
    assert len(ours) == len(theirs) > 0
    for a, b in zip(ours, theirs, strict=True):
        assert a is not None and b is not None
        assert a.as_marc() == b.as_marc()
        assert bytes(a.raw) != a.as_marc() or a.leader[9] == "a"
        for fa, fb in zip(a.fields, b.fields, strict=True):
            assert fa.as_marc("utf-8") == fb.as_marc("utf-8")
    # With to_unicode=False the bytes stay as they are, as pymarc's RawField writes them.
    raw = list(marcmap.MARCReader(str(path), to_unicode=False))
    raw_theirs = _pymarc_raw(path)
    assert [r.as_marc() for r in raw] == [r.as_marc() for r in raw_theirs]


def _pymarc_raw(path):  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh, contextlib.redirect_stdout(io.StringIO()):
        return list(pymarc.MARCReader(fh, to_unicode=False))


def test_linkage_and_linked_fields_as_pymarc() -> None:
    path = corpus_path(LINKED)
    ours = marcmap.MARCReader(str(path))[0]
    theirs = _pymarc(path)[0]
    nums = [f.linkage_occurrence_num() for f in ours.fields if not f.is_control_field()]
    assert nums == [f.linkage_occurrence_num() for f in theirs.fields if not f.control_field]
    assert any(n is not None for n in nums)
    for fa, fb in zip(ours.fields, theirs.fields, strict=True):
        if fa.tag == "880" or fa.is_control_field():
            continue
        want = theirs.get_linked_fields(fb)
        got = ours.get_linked_fields(fa)
        assert [str(f) for f in got] == [str(f) for f in want]
    # A $6 that no 880 answers raises pymarc's exception.
    lonely = next(f for f in ours.fields if f.linkage_occurrence_num() and f.tag != "880")
    only = marcmap.MARCReader(str(path))[0]
    assert only.get_linked_fields(lonely)  # it has its 880
    with pytest.raises(marcmap.MissingLinkedFields):
        marcmap.MARCReader(str(corpus_path(MARC8)))[0].get_linked_fields(lonely)


def test_map_records_applies_to_every_record() -> None:
    path = corpus_path(MARC8)
    seen: list[str | None] = []
    with open(path, "rb") as fh:
        marcmap.map_records(lambda r: seen.append(r.title if r else None), fh, str(path))
    assert seen == [r.title for r in _pymarc(path)] * 2


def test_dir_holds_no_stray_names() -> None:
    # Submodules (errors, and cli, dask and spark once some test imports them)
    # are attributes of the package too; anything else must be in __all__.
    public = {
        n
        for n in dir(marcmap)
        if not n.startswith("_")
        and getattr(getattr(marcmap, n), "__name__", None) != f"marcmap.{n}"
    }
    assert "annotations" not in public
    assert public == {n for n in marcmap.__all__ if not n.startswith("_")}


def test_as_marc_that_outgrows_iso2709_names_the_record() -> None:
    # A MARC-8 value that doubles in size as UTF-8 (0xA5 is Æ, two bytes) makes a
    # field over 9,999 bytes: an error naming the record, where pymarc writes a
    # field length that does not fit its four digits.
    from records import build

    data = build([("001", b"1")]) + build(
        [("001", b"2"), ("245", b"10\x1fa" + b"\xa5" * 6000)], b" "
    )
    reader = marcmap.MARCReader(data)
    record = reader[1]
    assert record is not None
    with pytest.raises(marcmap.MarcError) as info:
        record.as_marc()
    assert info.value.record_index == 1 and info.value.byte_offset == reader.offset(1)
    assert "9999" in str(info.value) and "record 1" in str(info.value)


# pymarc's reading behaviours, on pymarc's own test data (BSD-2-Clause).


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
