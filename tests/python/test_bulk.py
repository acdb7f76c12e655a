"""extract / filter / validate, against a pure-Python loop over the same reader."""

from __future__ import annotations

import marcmap
import pytest
from conftest import corpus_path
from records import build, simple

FILE = "solrmarc/record_set_045.mrc"  # MARC-8, many 650s


@pytest.fixture(scope="module")
def reader() -> marcmap.MARCReader:
    return marcmap.MARCReader(str(corpus_path(FILE)), permissive=True)


def _loop(reader, tag, code=None, first=False):  # type: ignore[no-untyped-def]
    out = []
    for i in range(len(reader)):  # indexing: iteration would use up the shared cursor
        record = reader[i]
        if record is None:
            out.append(None if first else [])
            continue
        values = []
        for field in record.get_fields(tag):
            if code is None:
                values.append(field.data if field.is_control_field() else field.value())
            else:
                values.extend(field.get_subfields(code))
        out.append((values[0] if values else None) if first else values)
    return out


@pytest.mark.parametrize("spec", ["001", "245$a", "650$a", "100$a", "260"])
@pytest.mark.parametrize("threads", [1, 2])
def test_extract_matches_python_loop(reader, spec, threads) -> None:  # type: ignore[no-untyped-def]
    tag, _, code = spec.partition("$")
    want = _loop(reader, tag, code or None)
    assert reader.extract(spec, threads=threads) == want
    assert reader.extract(spec, threads=threads, first=True) == _loop(
        reader, tag, code or None, first=True
    )
    assert any(want), f"{spec} occurs in {FILE}"


def test_extract_all_repeats(reader) -> None:  # type: ignore[no-untyped-def]
    got = reader.extract("650$a")
    assert any(len(v) > 1 for v in got)


def test_extract_several_specs(reader) -> None:  # type: ignore[no-untyped-def]
    got = reader.extract("001", "245$a", "650$a", threads=2)
    assert got == list(
        zip(_loop(reader, "001"), _loop(reader, "245", "a"), _loop(reader, "650", "a"), strict=True)
    )
    assert all(isinstance(t, tuple) and len(t) == 3 for t in got)


@pytest.mark.parametrize("threads", [1, 2])
def test_filter(reader, threads) -> None:  # type: ignore[no-untyped-def]
    def loop(needle, ignore_case=False):  # type: ignore[no-untyped-def]
        out = []
        for i, values in enumerate(_loop(reader, "650", "a")):
            hay = [v.lower() for v in values] if ignore_case else values
            n = needle.lower() if ignore_case else needle
            if any(n in v for v in hay):
                out.append(i)
        return out

    hits = reader.filter("650$a", "Opera", threads=threads)
    assert hits == loop("Opera") and hits
    assert reader.filter("650$a", "opera", ignore_case=True, threads=threads) == loop("opera", True)
    assert len(loop("opera", True)) >= len(hits)
    assert reader.filter("650", threads=threads) == [
        i for i, v in enumerate(_loop(reader, "650")) if v
    ]


def test_validate_clean_and_damaged() -> None:
    clean = marcmap.MARCReader(str(corpus_path("traject/test/test_support/test_data.utf8.mrc")))
    assert clean.validate() == []
    bad = marcmap.MARCReader(str(corpus_path("pymarc/bad_records.mrc")))
    errors = bad.validate()
    assert errors and all(isinstance(e, marcmap.MarcError) for e in errors)
    # The same records fail when read one by one: `None`, or with
    # raise_errors=True the same error.
    failing = {i for i in range(len(bad)) if bad[i] is None}
    assert {e.record_index for e in errors} == failing
    raising = marcmap.MARCReader(str(corpus_path("pymarc/bad_records.mrc")), raise_errors=True)
    for e in errors:
        with pytest.raises(type(e)) as info:
            raising[e.record_index]
        assert str(info.value) == str(e)


def _first_decode_error(record: marcmap.Record) -> tuple[str, marcmap.MarcDecodeError]:
    """The first field of `record` with a value that does not decode, and its error."""
    for field in record.fields:
        try:
            # `subfields` is a live list: its values are decoded when it is read.
            field.data if field.is_control_field() else list(field.subfields)
        except marcmap.MarcDecodeError as e:
            return field.tag, e
    raise AssertionError("every value decodes")


@pytest.mark.parametrize("threads", [1, 2])
def test_bulk_decode_errors_match_the_accessors(threads: int) -> None:
    # Real invalid UTF-8 (ruby-marc): extract, filter and validate raise or return
    # the same MarcDecodeError as the field accessor: the value's bytes as
    # `.object`, the bad byte as `.start`, and the same position.
    reader = marcmap.MARCReader(
        str(corpus_path("ruby-marc/utf8_with_bad_bytes.marc")),
        lazy_decoding=True,
        raise_errors=True,
    )
    tag, want = _first_decode_error(reader[0])
    assert want.object and want.start < len(want.object)

    def same(got: BaseException) -> None:
        assert isinstance(got, marcmap.Utf8DecodeError)
        assert (got.object, got.start, got.end) == (want.object, want.start, want.end)
        assert (got.record_index, got.byte_offset, got.field_index) == (
            want.record_index,
            want.byte_offset,
            want.field_index,
        )
        assert str(got) == str(want)

    with pytest.raises(marcmap.Utf8DecodeError) as info:
        reader.extract(tag, threads=threads)
    same(info.value)
    with pytest.raises(marcmap.Utf8DecodeError) as info:
        reader.filter(tag, contains="x", threads=threads)
    same(info.value)
    found = reader.validate(threads=threads)
    assert len(found) == 1
    same(found[0])


@pytest.mark.parametrize("spec", ["", "24$a", "2450", "245$", "$a"])
def test_invalid_specs(reader, spec) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        reader.extract(spec)
    with pytest.raises(ValueError):
        reader.filter(spec, "x")


def test_bad_threads(reader) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        reader.extract("001", threads=0)
    with pytest.raises(TypeError):
        reader.extract()


def test_extract_leaves_the_gc_as_it_found_it(reader) -> None:  # type: ignore[no-untyped-def]
    # extract() turns the cyclic GC off while it builds each chunk of its result;
    # it must turn it back on, also when it stops on a bad record, and must not
    # turn it on when the caller had it off.
    import gc

    assert gc.isenabled()
    assert reader.extract("245$a", threads=2) == _loop(reader, "245", "a")
    assert gc.isenabled()
    bad = marcmap.MARCReader(
        str(corpus_path("ruby-marc/utf8_with_bad_bytes.marc")), raise_errors=True
    )
    with pytest.raises(marcmap.Utf8DecodeError):
        bad.extract("245$a")
    assert gc.isenabled()
    gc.disable()
    try:
        reader.extract("650$a", threads=2)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("001", b"\xffab\x1fcd"),  # a control field may hold 0x1F
        ("001", b"ab\x1f\xffcd"),
        ("245", b"10\x1fa\xffab\x1ecd\x1fbok"),  # a subfield value may hold 0x1E
    ],
)
def test_bulk_decode_errors_hold_the_whole_value(tag: str, value: bytes) -> None:
    # The value is found again as the accessors split it, not guessed from the
    # next delimiter.
    data = build([("001", b"1"), (tag, value)] if tag != "001" else [(tag, value)])
    reader = marcmap.MARCReader(data, lazy_decoding=True, raise_errors=True)
    _, want = _first_decode_error(reader[0])
    spec = tag if tag == "001" else f"{tag}$a"
    with pytest.raises(marcmap.Utf8DecodeError) as info:
        reader.extract(spec)
    got = info.value
    assert (got.object, got.start, got.byte_offset, str(got)) == (
        want.object,
        want.start,
        want.byte_offset,
        str(want),
    )
    [found] = reader.validate()
    assert (found.object, found.start) == (want.object, want.start)


@pytest.mark.filterwarnings("ignore:The subfield contained a non-ASCII subfield code")
@pytest.mark.parametrize(
    "raw",
    [b"\xc3\xa9abc", b"\xe9abc", b"\xe4\xb8\xadxyz", b"\xc3\xa9ab\xffc", b"\xe9"],
    ids=["utf8-e-acute", "latin1-e-acute", "cjk", "utf8-code-bad-value", "code-only"],
)
def test_non_ascii_subfield_codes_read_as_pymarc_in_bulk_too(raw: bytes) -> None:
    # pymarc reads a non-ASCII code byte as the first ASCII character left after
    # NFKD (so "é" is "e") and moves the value's start past the first character.
    # The accessors, extract, filter and validate must all read it so.
    import pymarc  # a test dependency: missing, it fails (no skip)

    data = build([("001", b"1"), ("245", b"10\x1faTitle\x1f" + raw)])
    reader = marcmap.MARCReader(data, utf8_handling="replace")
    ours = [tuple(s) for s in reader[0]["245"].subfields]
    theirs = [
        tuple(s)
        for s in next(iter(pymarc.MARCReader(data, utf8_handling="replace")))["245"].subfields
    ]
    assert ours == theirs
    code, value = ours[1]
    if code.isupper():
        # MARCspec has no uppercase subfield codes (its test suite says `$A` is invalid).
        with pytest.raises(marcmap.SpecError, match="subfield code"):
            reader.extract(f"245${code}")
    elif code:
        assert reader.extract(f"245${code}") == [[value]]
        assert reader.filter(f"245${code}", contains=value) == [0]
    strict = marcmap.MARCReader(data, lazy_decoding=True)
    try:
        str(strict[0])
        accessor_error = None
    except marcmap.Utf8DecodeError as e:
        accessor_error = e
    found = strict.validate()
    assert [(e.object, e.start) for e in found] == (
        [] if accessor_error is None else [(accessor_error.object, accessor_error.start)]
    )


def test_absurd_thread_counts_are_bounded() -> None:
    reader = marcmap.MARCReader(simple("a") * 200)
    assert reader.extract("001", threads=10**6, first=True) == ["a"] * 200
    assert reader.filter("001", "a", threads=10**6) == list(range(200))


def test_filter_compares_what_extract_gives() -> None:
    reader = marcmap.MARCReader(simple("a"))
    # A data field without codes is its joined value(), as extract("245") gives it.
    assert reader.extract("245", first=True) == ["A title By someone."]
    assert reader.filter("245", "title By") == [0]
    assert reader.filter("245$a", "title By") == []
    raw = marcmap.MARCReader(simple("a"), to_unicode=False)
    assert raw.filter("245$a", "A TITLE", ignore_case=True) == [0]
    assert raw.filter("245$a", "A TITLE") == []
