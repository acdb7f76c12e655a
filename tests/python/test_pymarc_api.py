"""pymarc's API on marcmap's records: Leader, equality, pickling, as_marc,
linkage, map_records; each against pymarc on real files."""

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


def test_leader_has_pymarcs_names_and_is_a_str() -> None:
    path = corpus_path(MARC8)
    ours = marcmap.MARCReader(str(path))[0]
    theirs = _pymarc(path)[0].leader
    leader = ours.leader
    assert isinstance(leader, str) and isinstance(leader, marcmap.Leader)
    assert leader == str(theirs) and leader[5:9] == theirs[5:9]
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
    # (The pymarc loop of test_pymarc_compat.py compares as_marc() on every
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
