"""Differential test: marcmap against pymarc 5.4.0 on every ISO 2709 file of the corpus.

For each file, pymarc ``MARCReader(open(f, 'rb'), permissive=True, to_unicode=True)``
is read next to ``marcmap.MARCReader(f, permissive=True, marc8_ligatures="pymarc")``.
Records are paired by their start offset (pymarc reads by leader length, so the file
position before each ``next()`` is where its record starts), and every pair is
compared: leader, fields in order (tag, control data, indicators, subfield codes and
values), ``str(record)``, ``as_dict()``, ``as_json()`` and pymarc's properties.

Every way the two readers may differ is a *category*. A file's observed categories
must equal the documented ones in ``DOCUMENTED`` exactly: an undocumented difference
fails, and so does a documented one that no longer happens.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import marcmap
import pymarc
import pytest
from conftest import iso2709_files, rel, require_corpus
from helpers import differences, field_tuple, marcmap_by_offset, pymarc_items, record_view

# Categories.
FRAMING = "framing"  # record counts or start offsets differ
LAZY_DECODE = (
    "lazy-decode"  # pymarc: None (UnicodeDecodeError); marcmap: a Record whose bad value raises
)
PYMARC_FAILS = "pymarc-fails"  # pymarc: None, from a pymarc limitation; marcmap reads every value
STRICTER_STRUCTURE = "stricter-structure"  # marcmap: None (StructureError); pymarc reads it
MARC8_RAISES = "marc8-raises"  # values pymarc decodes leniently (garbled) raise Marc8DecodeError
VALUE_DIFFERS = "value-differs"  # a decoded value differs (reasons per file)

_C0_DROPPED = (
    "C0 control bytes are not MARC-8 characters: pymarc's decoder drops them, marcmap "
    "raises Marc8DecodeError (utf8_handling='replace' gives U+FFFD)"
)
_BAD_MARC8 = (
    "invalid MARC-8 (or another encoding under a MARC-8 leader): pymarc prints "
    "'Unable to parse character' and garbles the text, marcmap raises Marc8DecodeError"
)
_TERMINATOR = (
    "a directory length does not end on a field terminator: pymarc cuts the last "
    "byte off whatever is there, marcmap reports FieldTerminatorMissing"
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
        "skips it; the other 8 records pair up"
    },
    "ruby-marc/cp866_multirecord.marc": {FRAMING: _LEADER_FRAMING},
    "yaz/marc4.marc": {FRAMING: _GARBAGE},
    # --- lazy decoding: pymarc gives None, marcmap a Record whose bad value raises ---
    "marc4j/test/resources/incomplete_esc_seq.mrc": {LAZY_DECODE: "an incomplete MARC-8 escape"},
    "marc4j/test/resources/pride-and-prejudice-with-many-errors.mrc": {
        LAZY_DECODE: "74 records with invalid UTF-8"
    },
    "marc4j/test/resources/sample1.mrc": {LAZY_DECODE: "invalid UTF-8 (0xF8)"},
    "marc4js/marc8_accented_chars.marc": {
        LAZY_DECODE: "MARC-8 bytes under a UTF-8 leader (LDR/09 'a')"
    },
    "ruby-marc/marc8_accented_chars.marc": {
        LAZY_DECODE: "MARC-8 bytes under a UTF-8 leader (LDR/09 'a')"
    },
    "mrrc/error_fixtures/e301_invalid_utf8_in_control_field.bin": {LAZY_DECODE: "0xFF in a 00X"},
    "mrrc/error_fixtures/e301_invalid_utf8_in_subfield.bin": {LAZY_DECODE: "0xFF in a subfield"},
    "ruby-marc/utf8_with_bad_bytes.marc": {LAZY_DECODE: "invalid UTF-8"},
    "traject/test/test_support/bad_utf_byte.utf8.marc": {LAZY_DECODE: "0xC0 in UTF-8"},
    "yaz/marc12.json.marc": {
        LAZY_DECODE: "UTF-8 text under a MARC-8 leader: pymarc's MARC-8 decoder fails with "
        "IndexError (a pymarc bug), marcmap raises Marc8DecodeError on the value"
    },
    # --- pymarc fails where the record is readable ---
    "marc4j/test/resources/185258.mrc": {PYMARC_FAILS: "non-ASCII bytes in a directory tag"},
    "yaz/marc0.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/marc0.json.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/marc0.xml.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/tmarc0.xml.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/xml2marc0.xml.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/xml2tmarc0.xml.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    "yaz/marc5.marc": {PYMARC_FAILS: _NON_ASCII_INDICATOR},
    # --- marcmap checks structure pymarc does not ---
    "mrrc/error_fixtures/e101_directory_no_terminator.bin": {
        STRICTER_STRUCTURE: "no directory terminator before the base address: marcmap "
        "BaseAddressInvalid, pymarc reads on"
    },
    "mrrc/error_fixtures/e106_authority_field_too_short.bin": {STRICTER_STRUCTURE: _TERMINATOR},
    "mrrc/error_fixtures/e301_invalid_utf8_in_authority_control_field.bin": {
        STRICTER_STRUCTURE: _TERMINATOR
    },
    "mrrc/simple_authority.mrc": {STRICTER_STRUCTURE: _TERMINATOR},
    "mrrc/simple_holdings.mrc": {STRICTER_STRUCTURE: _TERMINATOR},
    "pymarc/bad_subfield_code.dat": {STRICTER_STRUCTURE: _TERMINATOR},
    "mrrc/error_fixtures/e106_field_length_past_data.bin": {
        STRICTER_STRUCTURE: "a directory entry of length 9999 runs past the record: "
        "marcmap FieldOutOfBounds, pymarc returns a short field"
    },
    "mrrc-testbed/synthetic/malformed/bad_directory.mrc": {
        STRICTER_STRUCTURE: "a directory entry starts at 99999: marcmap FieldOutOfBounds, "
        "pymarc returns an empty field"
    },
    # --- invalid or mislabelled MARC-8: marcmap raises, pymarc garbles ---
    "marc4j/test/resources/chinese_mangled_multibyte.mrc": {
        MARC8_RAISES: "the mangled CJK variant: EACC codes cut in the middle",
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
        MARC8_RAISES: "Greek bytes without a charset escape",
        VALUE_DIFFERS: "the NCR variant: marcmap decodes &#x03B1; to real characters (as "
        "LC recommends), pymarc leaves the NCR text and misplaces its diacritics",
    },
    "marcjs/bib.mrc": {
        FRAMING: _FILLER,
        MARC8_RAISES: "UNIMARC records (ISO 5426) read as MARC-8",
    },
    "pymarc/1251.dat": {
        MARC8_RAISES: "Windows-1251 under a MARC-8 leader",
        VALUE_DIFFERS: "some Windows-1251 values happen to be valid MARC-8 ending in "
        "combining marks: pymarc drops trailing combining marks, marcmap keeps them",
    },
    "pymarc/bad_eacc_encoding.dat": {MARC8_RAISES: "an EACC code not in the table: " + _BAD_MARC8},
    "ruby-marc/bad_eacc_encoding.marc8.marc": {
        MARC8_RAISES: "an EACC code not in the table: " + _BAD_MARC8
    },
    "pymarc/bad_marc8_escape.dat": {MARC8_RAISES: "a bad escape sequence: " + _BAD_MARC8},
    "pymarc/utf8_without_leader_flag.dat": {MARC8_RAISES: "UTF-8 under a MARC-8 leader"},
    "rust-marc/marc-8.sample.mrc": {MARC8_RAISES: "UTF-8 under a MARC-8 leader"},
    "yaz/marc7.json.marc": {MARC8_RAISES: "yaz's UTF-8 output under a MARC-8 leader"},
    "yaz/marc8.json.marc": {MARC8_RAISES: "yaz's UTF-8 output under a MARC-8 leader"},
    "yaz/marc9.json.marc": {MARC8_RAISES: "yaz's UTF-8 output under a MARC-8 leader"},
    "yaz/marc10.json.marc": {MARC8_RAISES: "yaz's UTF-8 output under a MARC-8 leader"},
    "yaz/marc11.json.marc": {MARC8_RAISES: "yaz's UTF-8 output under a MARC-8 leader"},
    "yaz/marc10.marc": {MARC8_RAISES: "Danish test record with '@UB7'-style and invalid bytes"},
    "yaz/marc11.marc": {MARC8_RAISES: "Danish test record with invalid MARC-8 bytes"},
    "yaz/marc12.marc": {
        MARC8_RAISES: "a form feed (0x0C) inside a CJK 880: not a MARC-8 character"
    },
    "marc4j/test/resources/bad-characters-in-various-fields.mrc": {
        MARC8_RAISES: "C0 control bytes (0x14) in values: " + _C0_DROPPED
    },
    "mrrc-testbed/synthetic/malformed/embedded_terminators.mrc": {
        VALUE_DIFFERS: "a field terminator (0x1E) inside a MARC-8 value: pymarc's decoder "
        "drops it, marcmap's passes the ISO 2709 delimiters (0x1D-0x1F) through"
    },
    # --- decoded values that differ ---
    "pymarc/testunimarc.dat": {
        FRAMING: _FILLER,
        VALUE_DIFFERS: "UNIMARC non-sorting markers 0x98/0x9C (C1 controls): pymarc drops "
        "them, marcmap passes C1 controls through",
    },
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
    reader = marcmap.MARCReader(str(path), permissive=True, marc8_ligatures="pymarc")
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
        ours = reader[offsets[start]]
        if theirs is None and ours is None:
            continue
        if theirs is None:
            if isinstance(exc, pymarc.exceptions.FatalReaderError):
                # pymarc frames by the leader's length; marcmap found the record anyway.
                seen.add(FRAMING)
                log.append(f"@{start}: pymarc {type(exc).__name__}, marcmap recovered the record")
                continue
            view = record_view(ours)
            raised = [f for f in view["fields"] if f[0] == "raised"]
            if raised:
                # The documented lazy behaviour: the record reads, the bad value raises.
                bad = next(f for f in ours.fields if _raises(lambda f=f: field_tuple(f)))
                with pytest.raises(marcmap.MarcDecodeError) as info:
                    field_tuple(bad)
                assert isinstance(info.value, UnicodeDecodeError)
                assert info.value.record_index == offsets[start]
                seen.add(LAZY_DECODE)
            else:
                seen.add(PYMARC_FAILS)
            log.append(f"@{start}: pymarc None ({type(exc).__name__}: {exc}); marcmap reads")
            continue
        if ours is None:
            err = reader.current_exception
            assert isinstance(err, marcmap.StructureError), err
            assert err.record_index == offsets[start]
            seen.add(STRICTER_STRUCTURE)
            log.append(f"@{start}: marcmap None ({type(err).__name__}: {err}); pymarc reads")
            continue
        ours_fields = record_view(ours)["fields"]
        theirs_fields = [field_tuple(f) for f in theirs.fields]
        assert len(ours_fields) == len(theirs_fields), f"@{start}: field counts differ"
        any_raised = False
        for i, (a, b) in enumerate(zip(ours_fields, theirs_fields, strict=True)):
            if a == b:
                continue
            if a == ("raised", "Marc8DecodeError"):
                seen.add(MARC8_RAISES)
                any_raised = True
            else:
                seen.add(VALUE_DIFFERS)
            log.append(f"@{start} field {i}: marcmap {a!r} != pymarc {b!r}"[:300])
        if not any_raised and VALUE_DIFFERS not in seen:
            # Same fields: every other view must be the same too.
            diff = differences(ours, theirs)
            assert not diff, f"{rel(path)} @{start}: {diff}"
    return seen, log


def _raises(fn) -> bool:  # type: ignore[no-untyped-def]
    try:
        fn()
    except marcmap.MarcError:
        return True
    return False


FILES = iso2709_files()


def test_corpus_has_iso2709_files() -> None:
    require_corpus()
    # The corpus's PROVENANCE lists hundreds of ISO 2709 files; finding few means
    # the content sniffing broke.
    assert len(FILES) > 250


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_differential(path: Path) -> None:
    seen, log = _observe(path)
    documented = DOCUMENTED.get(rel(path), {})
    assert seen == set(documented), "\n".join(
        [f"observed {sorted(seen)}, documented {sorted(documented)}", *log[:12]]
    )
