"""MARC-8 out: ``unicode_to_marc8``, ``reader.write(..., to_marc8=True)``,
``MARCWriter(fh, encoding="marc8")`` and ``marcmap convert --to-marc8``, read back
by marcmap and by pymarc (the oracle) on the corpus's UTF-8 records."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import marcmap
import pymarc
import pytest
from conftest import corpus_path, iso2709_files, rel, require_corpus
from helpers import run_cli

# A clean UTF-8 file with diacritics, and a UTF-8 file with Cyrillic, CJK and
# Arabic (880s) and characters MARC-8 lacks.
CLEAN = "traject/test/test_support/test_data.utf8.mrc"

_REFERENCE = re.compile(r"&#x([0-9A-Fa-f]{1,6});")


# The controls MARC-8 has in ANSEL's C1 range (non-sort markers, joiners):
# pymarc's MARC-8 decoder drops them.
_C1 = dict.fromkeys(map(ord, "\u0098\u009c\u200c\u200d"))


def comparable(text: str, pymarc_marc8: bool = False) -> str:
    """Text as both sides of a comparison can have it: NFC, pymarc's ligature
    halves (U+FE20-FE23) as LC's mapping reads their bytes back, and LC's
    ``&#xHHHH;`` references resolved (pymarc leaves them literal). With
    ``pymarc_marc8``, without the C1 controls pymarc's MARC-8 decoder drops."""
    if pymarc_marc8:
        text = text.translate(_C1)
    text = _REFERENCE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = text.replace("\ufe20", "\u0361").replace("\ufe22", "\u0360")
    text = text.replace("\ufe21", "").replace("\ufe23", "")
    return unicodedata.normalize("NFC", text)


def fields(record, pymarc_marc8: bool = False) -> list[tuple]:  # type: ignore[no-untyped-def]
    """A record's fields as comparable tuples (marcmap and pymarc records alike)."""
    out = []
    for f in record.fields:
        if f.is_control_field():
            out.append((f.tag, comparable(f.data, pymarc_marc8)))
        else:
            subs = [(s.code, comparable(s.value, pymarc_marc8)) for s in f.subfields]
            # An indicator byte that is not ASCII is no UTF-8 character: the
            # writers make it a blank (pymarc reads the original's as Latin-1).
            ind = [i if i.isascii() else " " for i in (f.indicator1, f.indicator2)]
            out.append((f.tag, *ind, subs))
    return out


def utf8_files() -> list[Path]:
    """The corpus's ISO 2709 files whose records are all UTF-8 (LDR/09 ``a``)."""
    out = []
    for path in iso2709_files():
        reader = marcmap.MARCReader(str(path), permissive=True)
        leaders = [r.leader for r in reader if r is not None]
        if leaders and all(str(ldr)[9] == "a" for ldr in leaders):
            out.append(path)
    return out


def test_unicode_to_marc8_reads_back() -> None:
    text = "Caf\u00e9 \u041c\u0438\u0440 \u4e00 x\u00b2 \u263a &#x41; t\u0361s"
    data = marcmap.unicode_to_marc8(text)
    assert data == (
        b"Caf\xe2e \x1b(NmIR\x1b(B \x1b$1!0!\x1b(B x\x1bp2\x1bs &#x263A; &#x0026;#x41; \xebt\xecs"
    )
    assert marcmap.marc8_to_unicode(data) == unicodedata.normalize("NFC", text)
    # pymarc reads it too (it leaves references literal: comparable() resolves
    # them, so the text's own literal one is left out here).
    plain = text.replace(" &#x41;", "")
    assert comparable(pymarc.marc8_to_unicode(marcmap.unicode_to_marc8(plain))) == comparable(plain)
    assert marcmap.unicode_to_marc8("") == b""
    with pytest.raises(TypeError):
        marcmap.unicode_to_marc8(b"bytes")  # type: ignore[arg-type]


def test_reader_write_to_marc8_reads_back_in_marcmap_and_pymarc() -> None:
    require_corpus()
    files = utf8_files()
    assert len(files) > 20, files
    compared = converted = 0
    for path in files:
        reader = marcmap.MARCReader(str(path), permissive=True)
        out = io.BytesIO()
        result = reader.write(out, "marc", to_marc8=True, threads=4)
        bad = {e.record_index for e in result.errors}
        good = [r for i, r in enumerate(reader) if r is not None and i not in bad]
        assert result.written == len(good), rel(path)
        data = out.getvalue()
        # marcmap reads every record back, LDR/09 blank, the same text. (Read
        # as MARC-8 whatever the bytes look like: a record whose only non-ASCII
        # bytes are, say, "\xc3\xa2" (ANSEL for "©Ø") is also valid UTF-8, and
        # detect_utf8 would take it for mislabelled UTF-8.)
        back = list(marcmap.MARCReader(data, detect_utf8=False))
        assert len(back) == len(good), rel(path)
        for ours, original in zip(back, good, strict=True):
            assert str(ours.leader)[9] == " "
            assert fields(ours) == fields(original), rel(path)
        converted += len(back)
        # pymarc (MARC-8 decoding of its own) reads the same records as it
        # reads from the UTF-8 original: where pymarc reads the original record
        # by record as marcmap does (not damaged files it frames otherwise), and
        # not the records marcmap repaired (pymarc reads their damage as data).
        with open(path, "rb") as fh:
            theirs_before = list(pymarc.MARCReader(fh, to_unicode=True, permissive=True))
        if len(theirs_before) != len(reader) or reader.skipped:
            continue
        theirs_after = list(pymarc.MARCReader(io.BytesIO(data), to_unicode=True, permissive=True))
        assert len(theirs_after) == len(good)
        kept = [i for i in range(len(reader)) if i not in bad]
        for i, a, b in zip(kept, theirs_after, [theirs_before[i] for i in kept], strict=True):
            if a is None or b is None or i in result.reframed:
                continue
            assert a.leader[9] == " "
            assert fields(a, True) == fields(b, True), rel(path)
            compared += 1
    assert converted > 9000 and compared > 9000, (converted, compared)
    # The count of references is per record.
    reader = marcmap.MARCReader(str(corpus_path(CLEAN)))
    result = reader.write(io.BytesIO(), "marc", to_marc8=True)
    assert all(n > 0 for _, n in result.references)


def test_marcwriter_marc8_writes_owned_pymarc_and_view_records() -> None:
    original = marcmap.MARCReader(str(corpus_path(CLEAN)))[0]
    owned = original.to_owned() if hasattr(original, "to_owned") else None
    edited = marcmap.OwnedRecord()
    edited.add_control_field("001", "x1")
    edited.add_data_field(
        "245", "1", "0", [("a", "\u0412\u043e\u0439\u043d\u0430 /"), ("c", "Tolsto\u012d \u2603")]
    )
    pm = pymarc.Record()
    pm.add_field(
        pymarc.Field(
            tag="245", indicators=["0", "0"], subfields=[pymarc.Subfield("a", "Ni\u00f1o")]
        )
    )
    out = io.BytesIO()
    with marcmap.MARCWriter(out, encoding="marc8") as writer:
        writer.write(edited)
        writer.write(pm)
        writer.write(original)
        if owned is not None:
            writer.write(owned)
        assert writer.references == 1  # the snowman
        written = writer.written
        out_bytes = out.getvalue()
    back = list(marcmap.MARCReader(out_bytes))
    assert len(back) == written
    assert back[0]["245"]["a"] == "\u0412\u043e\u0439\u043d\u0430 /"
    assert back[0]["245"]["c"] == "Tolsto\u012d \u2603"
    assert b"\x1b(NwOJNA /\x1b(B" in out_bytes and b"&#x2603;" in out_bytes
    assert back[1]["245"]["a"] == "Ni\u00f1o"
    assert fields(back[2]) == fields(original)
    theirs = list(pymarc.MARCReader(io.BytesIO(out_bytes), to_unicode=True))
    assert [fields(r, True) for r in theirs] == [fields(r, True) for r in back]
    assert all(str(r.leader)[9] == " " for r in back)


def test_bad_combinations_raise() -> None:
    reader = marcmap.MARCReader(str(corpus_path(CLEAN)))
    with pytest.raises(ValueError, match="to_marc8"):
        reader.write(io.BytesIO(), "marcxml", to_marc8=True)
    with pytest.raises(ValueError, match="to_marc8"):
        reader.write(io.BytesIO(), "marc", to_marc8=True, to_utf8=True)
    with pytest.raises(ValueError, match="encoding"):
        marcmap.MARCWriter(io.BytesIO(), encoding="latin-1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="to_utf8"):
        marcmap.MARCWriter(io.BytesIO(), to_utf8=False, encoding="utf-8")


def test_cli_convert_to_marc8(tmp_path: Path) -> None:
    src = corpus_path(CLEAN)
    out = tmp_path / "out.mrc"
    done = run_cli("convert", str(src), str(out), "--to-marc8")
    assert done.returncode == 0, done.stderr
    original = list(marcmap.MARCReader(str(src)))
    back = list(marcmap.MARCReader(str(out)))
    assert [fields(r) for r in back] == [fields(r) for r in original]
    assert all(str(r.leader)[9] == " " for r in back)
    assert f"{len(original)} records written" in done.stderr
    refused = run_cli("convert", str(src), str(tmp_path / "out.xml"), "--to-marc8")
    assert refused.returncode == 2
    assert "--to-marc8" in refused.stderr
    both = run_cli("convert", str(src), str(out), "--to-marc8", "--to-utf8")
    assert both.returncode == 2
    # The edit command's output too: edited, then written as MARC-8.
    edited = tmp_path / "edited.mrc"
    done = run_cli("edit", str(src), str(edited), "-e", "delete 9XX", "--to-marc8")
    assert done.returncode == 0, done.stderr
    back = list(marcmap.MARCReader(str(edited), detect_utf8=False))
    assert len(back) == len(original)
    assert all(str(r.leader)[9] == " " for r in back)
    assert all(not r.get_fields("900", "949", "999") for r in back)
    want = [[f for f in fields(r) if not f[0].startswith("9")] for r in original]
    assert [fields(r) for r in back] == want


def test_cli_edit_reports_what_marc8_lacks(tmp_path: Path) -> None:
    """``edit --to-marc8`` says, record by record, what it wrote as ``&#xHHHH;``, as
    ``convert`` does: a snowman (MARC-8 has no U+2603) added to each record is one
    more reference a record than the same edit without it."""

    def references(rule: str) -> tuple[list[int], int]:
        out = tmp_path / "edited.mrc"
        done = run_cli("edit", str(src), str(out), "-e", rule, "--to-marc8")
        assert done.returncode == 0, done.stderr
        per_record = [
            int(m.group(1))
            for m in re.finditer(r"^record \d+: (\d+) characters? MARC-8 lacks", done.stderr, re.M)
        ]
        total = re.search(r"(\d+) characters? written as &#xHHHH;$", done.stderr.splitlines()[-1])
        return per_record, int(total.group(1)) if total else 0

    src = corpus_path(CLEAN)
    records = len(list(marcmap.MARCReader(str(src))))
    plain, plain_total = references("add 500 __ $a Snow")
    snowy, snowy_total = references("add 500 __ $a Snow \u2603")
    assert len(snowy) == records and sum(snowy) == snowy_total
    assert sum(plain) == plain_total
    assert snowy_total == plain_total + records
    back = list(marcmap.MARCReader(str(tmp_path / "edited.mrc"), detect_utf8=False))
    # LC's lossless rule read back: the reference is the character again.
    assert all(any(f["a"] == "Snow \u2603" for f in r.get_fields("500")) for r in back)
