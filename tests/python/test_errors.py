"""marcmap's exception hierarchy, pymarc's names, and the damage that raises each."""

from __future__ import annotations

from pathlib import Path

import marcmap
import pymarc
import pytest
from conftest import corpus_path
from records import FT, RT, build, simple

GOOD = simple("g1")


def _patch(record: bytes, at: int, new: bytes) -> bytes:
    return record[:at] + new + record[at + len(new) :]


def _damaged() -> dict[str, bytes]:
    r = simple("d1")
    return {
        # Leader length not digits: framing cannot read it at all.
        "RecordLengthInvalid": b"abcde" + r[5:],
        # Ends before the leader's length.
        "TruncatedRecord": r[:-10],
        # Leader base address not a number.
        "BaseAddressNotFound": _patch(r, 12, b"00000"),
        # Base address past the end of the record.
        "BaseAddressInvalid": _patch(r, 12, b"%05d" % (len(r) + 50)),
        # A directory entry with a non-digit length.
        "RecordDirectoryInvalid": _patch(r, 24 + 3, b"x0y1"),
        # No directory entries at all.
        "NoFieldsFound": b"00026nam a2200025   4500" + FT + RT,
        # A leader with a non-ASCII byte.
        "RecordLeaderInvalid": _patch(r, 7, b"\xff"),
        # A field not ending in a field terminator.
        "FieldTerminatorMissing": _no_ft(r),
        # Directory entry pointing past the end.
        "FieldOutOfBounds": _patch(r, 24 + 7, b"99999"),
    }


def _no_ft(r: bytes) -> bytes:
    base = int(r[12:17])
    first_len = int(r[27:31])
    end = base + first_len - 1  # the 001's terminator
    return _patch(r, end, b"X")


def test_hierarchy_and_pymarc_names() -> None:
    names = [
        "RecordLengthInvalid",
        "TruncatedRecord",
        "EndOfRecordNotFound",
        "RecordLeaderInvalid",
        "BaseAddressInvalid",
        "BaseAddressNotFound",
        "RecordDirectoryInvalid",
        "NoFieldsFound",
    ]
    for name in names:
        cls = getattr(marcmap, name)
        assert issubclass(cls, marcmap.MarcError)
        assert hasattr(pymarc.exceptions, name)  # the name really is pymarc's
    assert issubclass(marcmap.Utf8DecodeError, UnicodeDecodeError)
    assert issubclass(marcmap.Marc8DecodeError, UnicodeDecodeError)
    assert marcmap.PymarcException is marcmap.MarcError


@pytest.mark.parametrize("kind", sorted(_damaged()))
def test_damage_raises_its_class(kind: str) -> None:
    bad = _damaged()[kind]
    # A truncated record can only be the last one; framing errors need strict framing
    # (lenient framing skips the damage and reports it in `skipped`).
    data = GOOD + bad + (b"" if kind == "TruncatedRecord" else simple("g2"))
    framing_kind = kind in ("RecordLengthInvalid", "TruncatedRecord")
    # Strict validation: some of this damage is repaired by default.
    reader = marcmap.MARCReader(
        data,
        framing="strict" if framing_kind else "lenient",
        validation="strict",
        raise_errors=True,
    )
    errors = []
    records = []
    it = iter(reader)
    for _ in range(10):
        try:
            records.append(next(it))
        except StopIteration:
            break
        except marcmap.MarcError as e:
            errors.append(e)
    assert errors, f"{kind}: no error raised"
    err = errors[0]
    assert type(err).__name__ == kind or isinstance(err, getattr(marcmap, kind)), repr(err)
    assert err.record_index == 1
    assert err.byte_offset is not None and err.byte_offset >= len(GOOD)
    assert f"record {err.record_index}" in str(err)
    assert records[0]["001"].data == "g1"


@pytest.mark.parametrize("kind", ["BaseAddressNotFound", "RecordDirectoryInvalid", "NoFieldsFound"])
def test_iteration_continues_past_a_bad_record(kind: str) -> None:
    # pymarc's iteration: the bad record is None, and current_exception says why.
    data = GOOD + _damaged()[kind] + simple("g2")
    items = list(marcmap.MARCReader(data))
    assert [r["001"].data if r is not None else None for r in items] == ["g1", None, "g2"]
    reader = marcmap.MARCReader(data, raise_errors=True)
    it = iter(reader)
    assert next(it)["001"].data == "g1"
    with pytest.raises(getattr(marcmap, kind)) as info:
        next(it)
    assert info.value.record_index == 1
    assert next(it)["001"].data == "g2"
    with pytest.raises(StopIteration):
        next(it)
    # Indexing raises the same error, with index and offset in the message.
    with pytest.raises(getattr(marcmap, kind)) as info:
        reader[1]
    assert "record 1" in str(info.value) and f"byte {info.value.byte_offset}" in str(info.value)
    assert info.value.byte_offset >= len(GOOD)


def test_pymarc_agrees_on_the_kind() -> None:
    # pymarc raises the same-named error for the damage where it checks it.
    for kind in ["BaseAddressNotFound", "BaseAddressInvalid", "NoFieldsFound"]:
        reader = pymarc.MARCReader(_damaged()[kind])
        assert next(reader) is None
        assert type(reader.current_exception).__name__ == kind


def _end_of_record_damage() -> bytes:
    r = simple("e1")
    return GOOD + r[:-1] + b"X" + simple("g2")  # right length, wrong last byte


def test_end_of_record_not_found_strict_framing() -> None:
    reader = marcmap.MARCReader(_end_of_record_damage(), framing="strict")
    assert isinstance(reader.framing_error, marcmap.EndOfRecordNotFound)
    assert reader.framing_error.record_index == 1
    assert len(reader) == 1


def test_end_of_record_not_found_lenient_keeps_next_record() -> None:
    # The damaged record stays a record (reported with its position); the next is kept.
    lenient = marcmap.MARCReader(_end_of_record_damage())
    assert len(lenient) == 3 and not lenient.skipped
    items = list(lenient)
    assert [r["001"].data if r is not None else None for r in items] == ["g1", None, "g2"]
    with pytest.raises(marcmap.EndOfRecordNotFound) as info:
        marcmap.MARCReader(_end_of_record_damage(), raise_errors=True)[1]
    assert info.value.record_index == 1
    assert info.value.byte_offset == lenient.offset(2) - 1


def test_strict_vs_lenient_framing_on_corpus() -> None:
    path = corpus_path("marc4j/test/resources/bad_hathi_records.mrc")
    lenient = marcmap.MARCReader(str(path), permissive=True)
    strict = marcmap.MARCReader(str(path), framing="strict", permissive=True)
    assert len(strict) < len(lenient) or strict.framing_error is not None
    assert strict.framing_error is not None
    assert lenient.skipped
    for offset, length, reason in lenient.skipped:
        assert isinstance(offset, int) and length > 0 and isinstance(reason, str) and reason
    # Records after the damage are whole records: each parses and ends in 0x1D.
    for i in range(len(lenient)):
        rec = lenient[i]
        if rec is not None:
            assert bytes(rec.raw)[-1:] == RT
    # strict iteration reports the framing error (permissive: a final None).
    items = list(strict)
    assert items[-1] is None
    assert isinstance(strict.current_exception, marcmap.FramingError)


def test_errors_pickle() -> None:
    import pickle

    e = marcmap.RecordDirectoryInvalid("msg", 3, 400, 2)
    f = pickle.loads(pickle.dumps(e))
    assert (type(f), f.record_index, f.byte_offset, f.field_index, str(f)) == (
        marcmap.RecordDirectoryInvalid,
        3,
        400,
        2,
        "msg",
    )


def test_build_helper_makes_valid_records() -> None:
    # Guard for the damage tests: the undamaged record reads in both readers.
    r = build([("001", b"x"), ("245", b"00\x1faT")])
    assert next(pymarc.MARCReader(r))["245"]["a"] == "T"
    assert marcmap.MARCReader(r)[0]["245"]["a"] == "T"


def test_write_where_reports_the_strict_framing_stop(tmp_path: Path) -> None:
    # A filtered write of the whole file reports where strict framing stopped,
    # as any whole-file write does, whether or not a record matched.
    reader = marcmap.MARCReader(_end_of_record_damage(), framing="strict")
    for expr, matched in (("001 = g1", 1), ("001 = none", 0)):
        out = tmp_path / "out.mrc"
        result = reader.write(str(out), where=expr)
        assert (result.matched, result.written) == (matched, matched)
        assert len(result.errors) == 1
        assert isinstance(result.errors[0], marcmap.EndOfRecordNotFound)
        assert result.errors[0].record_index == 1
        assert out.read_bytes() == (GOOD if matched else b"")
    # With raise_errors=True it is raised, and the target is left as it was.
    strict = marcmap.MARCReader(_end_of_record_damage(), framing="strict", raise_errors=True)
    target = tmp_path / "kept.mrc"
    target.write_bytes(b"before")
    with pytest.raises(marcmap.EndOfRecordNotFound):
        strict.write(str(target), where="001 = g1")
    assert target.read_bytes() == b"before"
