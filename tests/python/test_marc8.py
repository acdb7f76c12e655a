"""MARC-8 decoding through every accessor, on the corpus's MARC-8 / Unicode gold pairs."""

from __future__ import annotations

import json
import unicodedata
import warnings

import marcmap
import pytest
from conftest import corpus_path


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


PAIRS = [
    # (MARC-8 file, Unicode twin, ligature mapping used for the comparison)
    # utf8_only.mrc writes ligature halves as U+FE20/U+FE21 (as pymarc does), so its
    # pair is compared with marc8_ligatures="pymarc"; the LC default is checked below.
    ("marc4js/marc8_utf8_mixed.mrc", "marc4js/utf8_only.mrc", "pymarc"),
    ("pymarc/marc8.dat", "pymarc/utf8_with_leader_flag.dat", "lc"),
    ("yaz/marc6.marc", "yaz/marc6.xml.marc", "lc"),
    ("yaz/marc8.marc", "yaz/marc8.xml.marc", "lc"),
    ("yaz/marc9.marc", "yaz/marc9.xml.marc", "lc"),
]


def _nfc_deep(x):  # type: ignore[no-untyped-def]
    if isinstance(x, str):
        return nfc(x)
    if isinstance(x, list):
        return [_nfc_deep(i) for i in x]
    if isinstance(x, dict):
        return {k: _nfc_deep(v) for k, v in x.items()}
    return x


def _views(record) -> dict:  # type: ignore[no-untyped-def]
    return {
        "fields": [
            (f.tag, nfc(f.data))
            if f.is_control_field()
            else (f.tag, [(s.code, nfc(s.value)) for s in f.subfields], nfc(f.value()))
            for f in record.fields
        ],
        "first": [nfc(f["a"]) for f in record.fields if not f.is_control_field() and "a" in f],
        "str": nfc(str(record).split("\n", 1)[1]),  # without the leader (LDR/09 differs)
        "title": record.title and nfc(record.title),
        "author": record.author and nfc(record.author),
        "subjects": [nfc(str(f)) for f in record.subjects],
        "dict_fields": _nfc_deep(record.as_dict()["fields"]),
        "json_fields": _nfc_deep(json.loads(record.as_json())["fields"]),
    }


@pytest.mark.parametrize("marc8,unicode,ligatures", PAIRS, ids=[p[0] for p in PAIRS])
def test_gold_pair(marc8: str, unicode: str, ligatures: str) -> None:
    ours = marcmap.MARCReader(str(corpus_path(marc8)), marc8_ligatures=ligatures)
    twin = marcmap.MARCReader(str(corpus_path(unicode)))
    assert len(ours) == len(twin) > 0
    n_marc8 = 0
    for a, b in zip(ours, twin, strict=True):
        if a.leader[9] != "a":
            n_marc8 += 1
        assert _views(a) == _views(b)
    assert n_marc8 > 0, f"{marc8} has MARC-8 records"


def test_marc8_output_is_nfc_by_default() -> None:
    rec = marcmap.MARCReader(str(corpus_path("pymarc/marc8.dat")))[0]
    text = str(rec)
    assert text == nfc(text)
    assert any(ord(c) > 127 for c in text)
    nfd = marcmap.MARCReader(str(corpus_path("pymarc/marc8.dat")), marc8_normalization="NFD")[0]
    assert str(nfd) == unicodedata.normalize("NFD", str(nfd))
    assert nfc(str(nfd)) == text


def test_marc8_to_unicode_standalone() -> None:
    # Lines of pymarc's test_marc8.txt and test_utf8.txt are the same strings.
    m8 = corpus_path("pymarc/test_marc8.txt").read_bytes().split(b"\n")
    u8 = corpus_path("pymarc/test_utf8.txt").read_text("utf-8").split("\n")
    assert len(m8) == len(u8) > 1000
    for a, b in list(zip(m8, u8, strict=True))[::25]:
        assert marcmap.marc8_to_unicode(a) == nfc(b)
    assert marcmap.marc8_to_unicode(b"abc") == "abc"
    # A combining acute (0xE2) before its base letter composes under NFC.
    assert marcmap.marc8_to_unicode(b"Caf\xe2e") == "Café"
    assert marcmap.marc8_to_unicode(b"Caf\xe2e", normalization="NFD") == "Cafe\u0301"
    with pytest.raises(marcmap.Marc8DecodeError):
        marcmap.marc8_to_unicode(b"\x1b$1!!", errors="strict")  # truncated / unknown EACC
    # By default lenient, as pymarc's: replaced, with a warning (none when hidden).
    with pytest.warns(UnicodeWarning):
        assert "\ufffd" in marcmap.marc8_to_unicode(b"x\x1b$1!!")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "\ufffd" in marcmap.marc8_to_unicode(b"x\x1b$1!!", hide_utf8_warnings=True)
    assert "\ufffd" in marcmap.marc8_to_unicode(b"x\x1b$1!!", errors="replace")


def test_ligature_mappings() -> None:
    # Record 3 of marc8_utf8_mixed.mrc has "i͡a" (MARC-8 EB ... EC): LC maps the first
    # half to U+0361 and drops the second; pymarc maps them to U+FE20 / U+FE21.
    path = str(corpus_path("marc4js/marc8_utf8_mixed.mrc"))
    lc = marcmap.MARCReader(path)[3]["700"]["a"]
    pm = marcmap.MARCReader(path, marc8_ligatures="pymarc")[3]["700"]["a"]
    assert "i\u0361a" in lc and "\ufe20" not in lc
    assert "i\ufe20a\ufe21" in pm
    assert lc.replace("\u0361", "") == pm.replace("\ufe20", "").replace("\ufe21", "")


def test_detect_utf8_reads_mislabelled_records_as_utf8() -> None:
    # The same records, one file with LDR/09 'a', one with LDR/09 blank (mislabelled).
    labelled = marcmap.MARCReader(str(corpus_path("pymarc/utf8_with_leader_flag.dat")))
    mislabelled = str(corpus_path("pymarc/utf8_without_leader_flag.dat"))
    # Detection is the default; detect_utf8=False reads LDR/09 as it is.
    plain = marcmap.MARCReader(mislabelled, detect_utf8=False, marc8_handling="strict")
    detecting = marcmap.MARCReader(mislabelled)
    flagged = detecting.mislabelled_utf8()
    assert flagged == plain.mislabelled_utf8() and flagged
    assert labelled.mislabelled_utf8() == []
    for i in range(len(detecting)):
        want = labelled[i]
        got = detecting[i]
        assert want is not None and got is not None
        assert got.encoding == ("utf-8-detected" if i in flagged else "marc-8")
        assert want.encoding == "utf-8"
        assert [str(f) for f in got.fields] == [str(f) for f in want.fields]
    # Without detection the same bytes are MARC-8, and UTF-8 sequences are not
    # MARC-8: with strict MARC-8 handling the records are bad, and their errors
    # say that detect_utf8 would read them.
    for i in flagged:
        assert plain[i] is None
        error = plain.current_exception
        assert isinstance(error, marcmap.Marc8DecodeError)
        assert "detect_utf8=True reads them" in str(error)
    lazy = marcmap.MARCReader(
        mislabelled, detect_utf8=False, marc8_handling="strict", lazy_decoding=True
    )
    with pytest.raises(marcmap.Marc8DecodeError):
        for i in flagged:
            rec = lazy[i]
            assert rec is not None
            [str(f) for f in rec.fields]


def test_numeric_character_references_decode_in_all_ascii_marc8_values() -> None:
    from records import SF, build

    raw = build([("001", b"1"), ("245", b"10" + SF + b"a&#x03B1;&#x03B2; &amp; AT&T")], b" ")
    record = marcmap.MARCReader(raw)[0]
    assert record is not None
    assert record["245"]["a"] == "\u03b1\u03b2 &amp; AT&T"
    assert marcmap.marc8_to_unicode(b"&#x03B1;") == "\u03b1"
    # A UTF-8 record keeps the text as it is: references are a MARC-8 convention.
    utf8 = marcmap.MARCReader(build([("245", b"10" + SF + b"a&#x03B1;")]))[0]
    assert utf8 is not None and utf8["245"]["a"] == "&#x03B1;"


def test_standalone_marc8_errors_name_no_record() -> None:
    with pytest.raises(marcmap.Marc8DecodeError) as info:
        marcmap.marc8_to_unicode(b"ab\x1b(Zc", errors="strict")
    assert info.value.record_index is None and info.value.byte_offset is None
    assert "record" not in str(info.value)
