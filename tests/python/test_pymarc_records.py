"""marcmap against pymarc, file by file: the same records, fields, indicators and
subfields on every ISO 2709 file of the corpus (and on the fixtures in tests/data),
first record by record, then through a pymarc script run on both. pymarc's API
surface and its reading behaviours are in ``test_pymarc_api.py``.

The differential test
---------------------

Differential test: marcmap against pymarc 5.4.0 on every ISO 2709 file of the corpus.

For each file, pymarc ``MARCReader(open(f, 'rb'), to_unicode=True)`` is read next to
``marcmap.MARCReader(f, marc8_ligatures="pymarc")``: marcmap's defaults otherwise,
which are pymarc's behaviour (a bad record is ``None``, with ``current_exception``),
with repair of damaged directories, detection of UTF-8 under a MARC-8 leader, and
invalid MARC-8 replaced by U+FFFD. Records are paired by their start offset (pymarc
reads by leader length, so the file position before each ``next()`` is where its
record starts), and every pair is compared: leader, fields in order (tag, control
data, indicators, subfield codes and values), ``str(record)``, ``as_dict()``,
``as_json()`` and pymarc's properties.

Every way the two readers may differ is a *category*. A file's observed categories
must equal the documented ones in ``DOCUMENTED`` exactly: an undocumented difference
fails, and so does a documented one that no longer happens. One category is not
allowed at all: a record that pymarc reads and marcmap refuses.

The pymarc loop
---------------

pymarc scripts, run unchanged on marcmap: every ISO 2709 file of the corpus is
read by a plain pymarc 5.4 loop once with pymarc and once with marcmap in its
place (``import marcmap as pymarc``), and the outputs are compared.

A loop written for pymarc must run to the end on marcmap, on every file, and meet
no exception that pymarc did not meet. Where the outputs differ, the file's
differences are the ones the differential test above names (``DOCUMENTED``),
with their reasons; every other file gives exactly pymarc's output, ``as_marc()``
bytes included.
"""

from __future__ import annotations

import contextlib
import functools
import io
import pickle
import warnings
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import marcmap
import pymarc
import pytest
from conftest import DATA, TWINS, iso2709_files, looks_like_iso2709, rel, require_corpus
from helpers import differences, field_tuple, marcmap_by_offset, pymarc_items, record_view

# Categories.
FRAMING = "framing"  # record counts or start offsets differ
PYMARC_FAILS = "pymarc-fails"  # pymarc: None, from a pymarc limitation; marcmap reads every value
REPAIRED = "repaired"  # marcmap repaired the record's directory; values differ where pymarc
# trusted a wrong length (a byte cut off, the next field's terminator in the value)
MARC8_REPLACED = "marc8-replaced"  # invalid MARC-8: U+FFFD, where pymarc garbles the text
DETECTED_UTF8 = "detected-utf8"  # UTF-8 under a MARC-8 leader read as UTF-8; pymarc garbles it
VALUE_DIFFERS = "value-differs"  # a decoded value differs (reasons per file)
# Not allowed: a record that pymarc reads and marcmap refuses.
MARCMAP_REFUSES = "marcmap-refuses"

_C0_DROPPED = (
    "C0 control bytes are not MARC-8 characters: pymarc's decoder drops them, marcmap "
    "gives U+FFFD (marc8_handling='strict' raises Marc8DecodeError)"
)
_BAD_MARC8 = (
    "invalid MARC-8 (or another encoding under a MARC-8 leader): pymarc prints "
    "'Unable to parse character' and garbles the text, marcmap gives U+FFFD"
)
_FILLER = "trailing filler after the last record: pymarc reports it as a TruncatedRecord item"

_LEADER_FRAMING = (
    "the leader's record length is wrong: pymarc reads that many bytes, finds no record "
    "terminator (EndOfRecordNotFound) and stops; marcmap frames by the terminator and "
    "recovers every record (listed in reader.recovered)"
)
_GARBAGE = (
    "bytes that are not a record: pymarc reads them as a record and stops; marcmap skips them"
)
_NON_ASCII_INDICATOR = (
    "a non-ASCII indicator: pymarc decodes indicators as ASCII and gives None; marcmap "
    "reads the record"
)
_SHORT_LENGTH = (
    "a directory length short of the field's terminator: pymarc cuts the value there, "
    "marcmap reads the field to its terminator (record.repairs says so)"
)
_CHARACTER_LENGTHS = (
    "record and field lengths counted in characters, not bytes (UTF-8 text): pymarc "
    "reads that many bytes and stops (EndOfRecordNotFound or TruncatedRecord); marcmap "
    "frames the records by their terminators and locates the fields by theirs "
    "(reader.recovered, record.repairs)"
)
_YAZ_UTF8 = "yaz's UTF-8 output under a MARC-8 leader: marcmap detects and reads it as UTF-8"

DOCUMENTED: dict[str, dict[str, str]] = {
    # --- framing: pymarc stops at its first framing error; marcmap resynchronises ---
    "marc4j/test/resources/008008027.mrc": {
        FRAMING: "file cut at 65,536 bytes: pymarc yields a TruncatedRecord item for the "
        "cut record, marcmap skips it (reader.skipped)"
    },
    "marc4j/test/resources/bad_hathi_records.mrc": {
        FRAMING: "record 4's leader length is wrong and a 1 MB tail has no leader: pymarc "
        "stops with EndOfRecordNotFound, marcmap skips the range"
    },
    "marc4j/test/resources/bad_too_long_plus_2.mrc": {FRAMING: _LEADER_FRAMING},
    "marc4j/test/resources/datos-20161010-slice.mrc": {
        FRAMING: "no usable leader in the file: pymarc reports EndOfRecordNotFound, marcmap "
        "finds no record and skips the whole range"
    },
    "marc4j/src/org/marc4j/samples/resources/error.mrc": {FRAMING: _CHARACTER_LENGTHS},
    "ruby-marc/cp866_unimarc.marc": {FRAMING: _CHARACTER_LENGTHS},
    "ruby-marc/marc_with_bad_utf8.utf8.marc": {FRAMING: _CHARACTER_LENGTHS},
    "marc4js/PGA_2records.mrc": {FRAMING: _LEADER_FRAMING},
    "marc4js/collection-error.mrc": {FRAMING: _LEADER_FRAMING},
    "marc4js/utf8_only.mrc": {FRAMING: _FILLER},
    "marcli/pkg/marc/testdata/test_bad.xml": {FRAMING: _FILLER},
    "mrrc/error_fixtures/e001_record_length_below_24.bin": {FRAMING: _LEADER_FRAMING},
    "mrrc/fuzz-regressions/recovery_mode_consistency/oob-salvage-slice.mrc": {FRAMING: _GARBAGE},
    "mrrc/fuzz-regressions/recovery_mode_consistency/zero-length-control-field.mrc": {
        FRAMING: _GARBAGE
    },
    "mrrc-testbed/synthetic/malformed/invalid_lengths.mrc": {FRAMING: _GARBAGE},
    "mrrc-testbed/synthetic/malformed/missing_terminators.mrc": {FRAMING: _LEADER_FRAMING},
    "mrrc-testbed/synthetic/malformed/truncated_leader.mrc": {FRAMING: _GARBAGE},
    "pymarc/bad_indicator.dat": {
        FRAMING: "821 bytes of filler after the record: pymarc reports RecordLengthInvalid, "
        "marcmap skips them"
    },
    "pymarc/bad_records.mrc": {
        FRAMING: "the last (truncated) record: pymarc yields a TruncatedRecord item, marcmap "
        "skips it; the other 8 records pair up",
        PYMARC_FAILS: "record 1's base address (99937) disagrees with its terminated "
        "directory: pymarc BaseAddressInvalid, marcmap repairs the base address",
    },
    "ruby-marc/cp866_multirecord.marc": {FRAMING: _LEADER_FRAMING},
    "yaz/marc4.marc": {FRAMING: _GARBAGE},
    # --- pymarc fails where the record is readable ---
    "marc4j/test/resources/185258.mrc": {PYMARC_FAILS: "non-ASCII bytes in a directory tag"},
    "marc4j/test/resources/incomplete_esc_seq.mrc": {
        PYMARC_FAILS: "an incomplete MARC-8 escape: pymarc's decoder raises "
        "UnicodeDecodeError, marcmap gives U+FFFD"
    },
    "mrrc/error_fixtures/e003_base_address_below_24.bin": {
        PYMARC_FAILS: "base address 00010, inside the leader: pymarc NoFieldsFound, marcmap "
        "takes the data start from the terminated directory (record.repairs)"
    },
    "mrrc/error_fixtures/e004_base_address_past_record.bin": {
        PYMARC_FAILS: "base address past the record: pymarc BaseAddressInvalid, marcmap "
        "takes the data start from the terminated directory (record.repairs)"
    },
    "yaz/marc0.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/marc0.json.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/marc0.xml.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/tmarc0.xml.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/xml2marc0.xml.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/xml2tmarc0.xml.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/marc5.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/marc12.json.marc": {
        PYMARC_FAILS: "UTF-8 text under a MARC-8 leader: pymarc's MARC-8 decoder fails with "
        "IndexError (a pymarc bug), marcmap detects and reads the UTF-8"
    },
    # --- repaired directories: pymarc trusts the wrong lengths ---
    "mrrc/simple_authority.mrc": {REPAIRED: _SHORT_LENGTH},
    "mrrc/simple_holdings.mrc": {REPAIRED: _SHORT_LENGTH},
    "mrrc/error_fixtures/e106_authority_field_too_short.bin": {
        REPAIRED: _SHORT_LENGTH + "; the 100's length is 1: pymarc gives an empty field"
    },
    "mrrc/error_fixtures/e301_invalid_utf8_in_authority_control_field.bin": {
        REPAIRED: _SHORT_LENGTH,
        MARC8_REPLACED: "0xFF in the 001 of a MARC-8 record: pymarc decodes control fields "
        "as Latin-1 (ÿ), marcmap as MARC-8 (U+FFFD)",
    },
    "mrrc/error_fixtures/e106_field_length_past_data.bin": {
        REPAIRED: "a directory entry of length 9999 runs past the record: pymarc's field "
        "holds every later field and the record terminator, marcmap's ends at its terminator"
    },
    "mrrc-testbed/synthetic/malformed/bad_directory.mrc": {
        REPAIRED: "a directory entry starts at 99999: pymarc returns an empty field, marcmap "
        "the record's one field (located by its terminator)"
    },
    "pymarc/bad_subfield_code.dat": {
        REPAIRED: "the 245's length is one short and every later field starts one byte "
        "early: pymarc puts the terminator in each later field's indicators and cuts each "
        "last value's last byte, marcmap locates the fields by their terminators"
    },
    # --- invalid MARC-8: marcmap gives U+FFFD, pymarc garbles ---
    "marc4j/test/resources/chinese_mangled_multibyte.mrc": {
        MARC8_REPLACED: "the mangled CJK variant: EACC codes cut in the middle",
        VALUE_DIFFERS: "the NCR variant (all-ASCII &#x...; text): marcmap decodes the "
        "references to the CJK characters, pymarc leaves them literal",
    },
    "ruby-marc/escaped_character_reference.marc8.marc": {
        VALUE_DIFFERS: "&#xFFFD; in MARC-8 text: marcmap decodes the reference (MARC 21's "
        "convention for characters outside MARC-8), pymarc leaves it literal",
    },
    "traject/test/test_support/escaped_character_reference.marc8.marc": {
        VALUE_DIFFERS: "&#xFFFD; in MARC-8 text: marcmap decodes the reference (MARC 21's "
        "convention for characters outside MARC-8), pymarc leaves it literal",
    },
    "marc4j/test/resources/greekmissingcharsetchange.mrc": {
        MARC8_REPLACED: "Greek bytes without a charset escape",
        VALUE_DIFFERS: "the NCR variant: marcmap decodes &#x03B1; to real characters (as "
        "LC recommends), pymarc leaves the NCR text and misplaces its diacritics",
    },
    "pymarc/1251.dat": {
        MARC8_REPLACED: "Windows-1251 under a MARC-8 leader (file_encoding='cp1251' reads it)",
        VALUE_DIFFERS: "some Windows-1251 values happen to be valid MARC-8 ending in "
        "combining marks: pymarc drops trailing combining marks, marcmap keeps them",
    },
    "pymarc/bad_eacc_encoding.dat": {
        MARC8_REPLACED: "an EACC code not in the table: " + _BAD_MARC8
    },
    "ruby-marc/bad_eacc_encoding.marc8.marc": {
        MARC8_REPLACED: "an EACC code not in the table: " + _BAD_MARC8
    },
    "pymarc/bad_marc8_escape.dat": {MARC8_REPLACED: "a bad escape sequence: " + _BAD_MARC8},
    "yaz/marc10.marc": {MARC8_REPLACED: "Danish test record with '@UB7'-style and invalid bytes"},
    "yaz/marc11.marc": {MARC8_REPLACED: "Danish test record with invalid MARC-8 bytes"},
    "yaz/marc12.marc": {
        MARC8_REPLACED: "a form feed (0x0C) inside a CJK 880: not a MARC-8 character"
    },
    "marc4j/test/resources/bad-characters-in-various-fields.mrc": {
        MARC8_REPLACED: "C0 control bytes (0x14) in values: " + _C0_DROPPED
    },
    "mrrc-testbed/synthetic/malformed/embedded_terminators.mrc": {
        VALUE_DIFFERS: "a field terminator (0x1E) inside a MARC-8 value: pymarc's decoder "
        "drops it, marcmap's passes the ISO 2709 delimiters (0x1D-0x1F) through"
    },
    # --- UTF-8 under a MARC-8 leader: marcmap detects it, pymarc decodes MARC-8 garbage ---
    "pymarc/utf8_without_leader_flag.dat": {DETECTED_UTF8: "UTF-8 under a MARC-8 leader"},
    "rust-marc/marc-8.sample.mrc": {DETECTED_UTF8: "UTF-8 under a MARC-8 leader"},
    "marcjs/bib-one.mrc": {DETECTED_UTF8: "a UTF-8 UNIMARC record under a blank LDR/09"},
    "marcjs/bib.mrc": {
        FRAMING: _FILLER,
        DETECTED_UTF8: "UTF-8 UNIMARC records under a blank LDR/09",
    },
    "pymarc/testunimarc.dat": {
        FRAMING: _FILLER,
        DETECTED_UTF8: "a UTF-8 UNIMARC record under a blank LDR/09: its non-sorting "
        "markers U+0088/U+0089 stay C1 controls, pymarc's MARC-8 reading makes them U+2117",
    },
    "yaz/marc1.json.marc": {DETECTED_UTF8: _YAZ_UTF8},
    "yaz/marc2.json.marc": {DETECTED_UTF8: _YAZ_UTF8},
    "yaz/marc7.json.marc": {DETECTED_UTF8: _YAZ_UTF8},
    "yaz/marc8.json.marc": {DETECTED_UTF8: _YAZ_UTF8},
    "yaz/marc9.json.marc": {DETECTED_UTF8: _YAZ_UTF8},
    "yaz/marc10.json.marc": {DETECTED_UTF8: _YAZ_UTF8},
    "yaz/marc11.json.marc": {DETECTED_UTF8: _YAZ_UTF8},
    # --- decoded values that differ ---
    "solrmarc/record_set_045.mrc": {
        VALUE_DIFFERS: "a MARC-8 combining mark at the end of a value ('prf' + 0xE7): "
        "pymarc drops it, marcmap keeps it on the preceding letter (NFC gives U+1E1F)"
    },
}


def _observe(path: Path) -> tuple[set[str], list[str]]:
    """The categories of difference seen in `path`, and a log of what was seen."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        items = pymarc_items(path)
    reader = marcmap.MARCReader(str(path), marc8_ligatures="pymarc")
    offsets = marcmap_by_offset(reader)
    seen: set[str] = set()
    log: list[str] = []
    if len(items) != len(reader) or any(start not in offsets for start, _, _ in items):
        seen.add(FRAMING)
        log.append(
            f"framing: pymarc {len(items)} items at {[s for s, _, _ in items][:6]}, "
            f"marcmap {len(reader)} records, skipped {reader.skipped}"
        )
    for start, theirs, exc in items:
        if start not in offsets:
            continue
        i = offsets[start]
        ours = reader[i]
        if ours is None:
            err = reader.current_exception
            assert isinstance(err, marcmap.MarcError), err
            assert err.record_index == i
        if theirs is None and ours is None:
            if isinstance(err, marcmap.MarcDecodeError):
                # Both refuse invalid text (pymarc with a UnicodeDecodeError); with
                # lazy decoding marcmap reads the record, and the bad value raises
                # when it is read.
                assert isinstance(exc, UnicodeDecodeError), exc
                _check_lazy(path, i)
            continue
        if theirs is None:
            if isinstance(exc, pymarc.exceptions.FatalReaderError):
                # pymarc frames by the leader's length; marcmap found the record anyway.
                seen.add(FRAMING)
                log.append(f"@{start}: pymarc {type(exc).__name__}, marcmap recovered the record")
            else:
                seen.add(PYMARC_FAILS)
                log.append(f"@{start}: pymarc None ({type(exc).__name__}: {exc}); marcmap reads")
            continue
        if ours is None:
            seen.add(MARCMAP_REFUSES)
            log.append(f"@{start}: marcmap None ({type(err).__name__}: {err}); pymarc reads")
            continue
        ours_fields = record_view(ours)["fields"]
        theirs_fields = [field_tuple(f) for f in theirs.fields]
        assert len(ours_fields) == len(theirs_fields), f"@{start}: field counts differ"
        differs = False
        repaired = {w.field_index for w in ours.repairs}
        for k, (a, b) in enumerate(zip(ours_fields, theirs_fields, strict=True)):
            if a == b:
                continue
            differs = True
            if k in repaired:
                seen.add(REPAIRED)
            elif ours.encoding == "utf-8-detected":
                seen.add(DETECTED_UTF8)
            elif _invalid_marc8(path, i, k):
                seen.add(MARC8_REPLACED)
            else:
                seen.add(VALUE_DIFFERS)
            log.append(f"@{start} field {k}: marcmap {a!r} != pymarc {b!r}"[:300])
        if not differs:
            # Same fields: every other view must be the same too (leader
            # positions, linkage and as_marc() included).
            diff = differences(ours, theirs)
            assert not diff, f"{rel(path)} @{start}: {diff}"
        # Records compare by value and pickle by value.
        back = pickle.loads(pickle.dumps(ours))
        assert back == ours and hash(back) == hash(ours) and str(back) == str(ours)
    return seen, log


def _invalid_marc8(path: Path, i: int, k: int) -> bool:
    """Whether field `k` of record `i` holds invalid MARC-8 (strict handling raises)."""
    strict = marcmap.MARCReader(str(path), marc8_handling="strict", lazy_decoding=True)
    record = strict[i]
    assert record is not None
    try:
        field_tuple(record.fields[k])
    except marcmap.Marc8DecodeError:
        return True
    return False


def _check_lazy(path: Path, i: int) -> None:
    """With lazy decoding, record `i` reads and its bad value raises a positioned error."""
    lazy = marcmap.MARCReader(str(path), lazy_decoding=True)
    record = lazy[i]
    assert record is not None
    with pytest.raises(marcmap.MarcDecodeError) as info:
        for field in record.fields:
            field_tuple(field)
    assert isinstance(info.value, UnicodeDecodeError)
    assert info.value.record_index == i


FILES = iso2709_files()

# The permissively licensed copies in tests/data, each with the corpus file it is
# a copy of: the differential runs on them with or without the corpus.
# As for the corpus, files are ISO 2709 by content.
FIXTURES = sorted(name for name in TWINS if looks_like_iso2709(DATA / name))


def _documented(name: str) -> dict[str, str]:
    """The documented differences of the corpus file a fixture is a copy of."""
    for copy in TWINS[name]:
        if copy in DOCUMENTED:
            return DOCUMENTED[copy]
    return {}


def test_corpus_has_iso2709_files() -> None:
    require_corpus()
    # The corpus's PROVENANCE lists hundreds of ISO 2709 files; finding few means
    # the content sniffing broke.
    assert len(FILES) > 250


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_differential(path: Path) -> None:
    seen, log = _observe(path)
    assert MARCMAP_REFUSES not in seen, "\n".join(log[:12])
    documented = DOCUMENTED.get(rel(path), {})
    assert seen == set(documented), "\n".join(
        [f"observed {sorted(seen)}, documented {sorted(documented)}", *log[:12]]
    )


@pytest.mark.parametrize("name", FIXTURES)
def test_differential_on_fixtures(name: str) -> None:
    # The same categories as the corpus file the fixture is a copy of.
    seen, log = _observe(DATA / name)
    assert MARCMAP_REFUSES not in seen, "\n".join(log[:12])
    documented = _documented(name)
    assert seen == set(documented), "\n".join(
        [f"observed {sorted(seen)}, documented {sorted(documented)}", *log[:12]]
    )


def test_fixtures_cover_every_kind_of_difference() -> None:
    # Without the corpus the fixtures must still meet every category but one
    # that only the large marc4j (LGPL) files show.
    kinds = {k for name in FIXTURES for k in _documented(name)}
    assert kinds >= {FRAMING, PYMARC_FAILS, REPAIRED, MARC8_REPLACED, DETECTED_UTF8, VALUE_DIFFERS}


def test_strict_validation_refuses_what_repair_reads() -> None:
    # Every record that the default validation repairs is refused under
    # validation="strict", with a structure error naming the record.
    require_corpus()
    repaired = 0
    for path in FILES:
        reader = marcmap.MARCReader(str(path))
        strict = marcmap.MARCReader(str(path), validation="strict")
        for i in range(len(reader)):
            record = reader[i]
            if record is None or not record.repairs:
                assert (strict[i] is None) == (record is None), f"{rel(path)} {i}"
                continue
            repaired += 1
            for w in record.repairs:
                assert w.record_index == i and w.byte_offset >= reader.offset(i)
            assert strict[i] is None, f"{rel(path)} {i}"
            assert isinstance(strict.current_exception, marcmap.StructureError)
            assert strict.current_exception.record_index == i
    # The corpus's damaged directories: mrrc's fixtures, pymarc's, lengths in characters.
    assert repaired >= 12


# The pymarc loop, run unchanged on marcmap (FILES and FIXTURES as above).


def _loop(pm: ModuleType | SimpleNamespace, path: Path) -> list[Any]:
    """The plain pymarc loop of the issue: iterate, check for None, read the
    001, title, author, isbn, pubyear, subjects, str() of the 245 and 650s, and
    as_marc(). An exception ends the loop, as it would end a script."""
    out: list[Any] = []
    with open(path, "rb") as fh:
        reader = pm.MARCReader(fh)
        try:
            for record in reader:
                if record is None:
                    out.append(("none",))
                    continue
                cn = record["001"].data if "001" in record else None
                out.append(
                    (
                        [str(f) for f in record.fields],
                        cn,
                        record.title,
                        record.author,
                        record.isbn,
                        record.pubyear,
                        [str(f) for f in record.subjects],
                        [str(f) for f in record.get_fields("245", "650")],
                        record.as_marc(),
                    )
                )
        except Exception as e:  # noqa: BLE001 - the point is where a script would stop
            out.append(("raised", type(e).__name__, str(e)[:200]))
    return out


def _run(pm: ModuleType | SimpleNamespace, path: Path) -> list[Any]:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _loop(pm, path)


def _check(path: Path, documented: dict[str, str]) -> None:
    theirs = _run(pymarc, path)
    ours = _run(marcmap, path)
    # pymarc itself runs to the end on every corpus file; so must marcmap.
    assert not [t for t in theirs if t[0] == "raised"], "pymarc raised: name the file"
    raised = [o for o in ours if o[0] == "raised"]
    assert not raised, f"a pymarc loop raised on marcmap: {raised}"
    if documented:
        # The file's differences are named by the differential test; the records
        # they do not touch (the same fields, as text) give the same output.
        if FRAMING not in documented and len(ours) == len(theirs):
            for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
                if o[0] == t[0]:
                    assert o == t, f"item {i}: marcmap {o!r:.300} != pymarc {t!r:.300}"
        return
    if ours != theirs and any(_ligature_fields(path)):
        # The one difference of marcmap's defaults that the differential test
        # (which reads with marc8_ligatures="pymarc") does not name: MARC-8's
        # ligature and double-tilde halves map as LC says (U+0361/U+0360, second
        # half dropped), where pymarc gives U+FE20-U+FE23. With pymarc's mapping
        # the outputs are the same.
        ours = _run(_PYMARC_LIGATURES, path)
    assert ours == theirs, (
        next(
            (f"item {i}: marcmap {o!r:.300} != pymarc {t!r:.300}")
            for i, (o, t) in enumerate(zip(ours, theirs, strict=False))
            if o != t
        )
        if len(ours) == len(theirs)
        else f"{len(ours)} items != {len(theirs)}"
    )


_PYMARC_LIGATURES = SimpleNamespace(
    MARCReader=functools.partial(marcmap.MARCReader, marc8_ligatures="pymarc")
)


def _ligature_fields(path: Path) -> list[str]:
    """The fields of `path` whose text holds an LC ligature or double tilde."""
    reader = marcmap.MARCReader(str(path))
    found = []
    for record in reader:
        if record is not None:
            found += [str(f) for f in record.fields if "\u0361" in str(f) or "\u0360" in str(f)]
    return found


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_pymarc_loop_runs_unchanged(path: Path) -> None:
    _check(path, DOCUMENTED.get(rel(path), {}))


@pytest.mark.parametrize("name", FIXTURES)
def test_pymarc_loop_runs_unchanged_on_fixtures(name: str) -> None:
    _check(DATA / name, _documented(name))
