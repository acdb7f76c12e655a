"""Nothing lost, nothing silent: outputs never destroy the input or leave half a
file, compressed names are written compressed, one definition of a bad record
and one exit rule, and the sidecar keeps its 001 keys by default. Each test runs
on a real file from ``tests/data`` (permissively licensed copies of corpus
files), so it runs without the corpus too."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import marcmap
import pymarc
import pytest
from helpers import run_cli

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "sample.mrc"
MARC8 = DATA / "marc8" / "pymarc_test.dat"


def _copy(tmp_path: Path, source: Path = SAMPLE) -> Path:
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    return path


def _control_numbers(path: Path | bytes) -> list[str]:
    with marcmap.MARCReader(path) as reader:
        return [record["001"].data for record in reader]  # type: ignore[index]


# 1. Writing onto the input file


@pytest.mark.parametrize(
    "command",
    [
        ["convert", "{f}", "{f}", "--to-utf8"],
        ["convert", "{f}", "{link}"],
        ["convert", "{f}", "{hard}", "--to", "marcxml"],
        ["index", "{f}", "-o", "{f}"],
        ["index", "{f}", "-o", "{link}"],
    ],
)
def test_the_cli_refuses_to_write_onto_its_input(tmp_path: Path, command: list[str]) -> None:
    path = _copy(tmp_path, MARC8)
    before = path.read_bytes()
    (tmp_path / "link.mrc").symlink_to(path)
    os.link(path, tmp_path / "hard.mrc")
    names = {"f": str(path), "link": str(tmp_path / "link.mrc"), "hard": str(tmp_path / "hard.mrc")}
    out = run_cli(*[part.format(**names) for part in command])
    assert out.returncode == 2, out.stdout + out.stderr
    assert "is the input file" in out.stderr
    assert out.stderr.startswith("marcmap: ")
    assert path.read_bytes() == before


def test_the_parquet_command_refuses_its_input(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    before = path.read_bytes()
    out = run_cli("parquet", str(path), str(path))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "is the input file" in out.stderr
    assert path.read_bytes() == before


def test_standard_output_onto_the_input_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    before = path.read_bytes()
    with open(path, "ab") as appended:
        out = subprocess.run(
            [sys.executable, "-m", "marcmap", "convert", str(path), "-"],
            stdout=appended,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert out.returncode == 2, out.stderr
    assert "standard output is the input file" in out.stderr
    assert path.read_bytes() == before


def test_python_writers_refuse_the_input(tmp_path: Path) -> None:
    path = _copy(tmp_path, MARC8)
    before = path.read_bytes()
    with marcmap.MARCReader(path) as reader:
        with pytest.raises(ValueError, match="is the input file"):
            reader.write(path, "marc", to_utf8=True)
        with pytest.raises(ValueError, match="is the input file"):
            reader.write(str(path), "marcxml")
        with pytest.raises(ValueError, match="is the input file"):
            reader.to_parquet(path)
        with pytest.raises(ValueError, match="is the input file"):
            reader.save_index(path)
        # The reader still reads the file, whole.
        assert len(reader) == 10
        assert reader[9] is not None
    with (
        open(path, "rb") as fh,
        marcmap.MARCReader(fh) as reader,
        pytest.raises(ValueError, match="is the input file"),
    ):
        reader.write(path)
    assert path.read_bytes() == before


def test_a_failed_write_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "out.mrc"
    target.write_bytes(b"the user's earlier output")

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with marcmap.MARCReader(SAMPLE) as reader:
        with pytest.raises(KeyboardInterrupt):
            reader.write(target, progress=stop)
        with pytest.raises(KeyboardInterrupt):
            reader.to_parquet(target, progress=stop)
    assert target.read_bytes() == b"the user's earlier output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mrc"], "no temporary file left"
    # A write that completes replaces it.
    with marcmap.MARCReader(SAMPLE) as reader:
        assert reader.write(target).written == 30
    assert target.read_bytes() == SAMPLE.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mrc"]


def test_writing_to_a_device_writes_in_place() -> None:
    with marcmap.MARCReader(SAMPLE) as reader:
        assert reader.write(os.devnull, "marcxml").written == 30
    assert Path(os.devnull).is_char_device()


# 4. A compressed output name


@pytest.mark.parametrize(
    ("name", "fmt", "magic"),
    [
        ("s.xml.gz", "marcxml", b"\x1f\x8b"),
        ("s.mrc.gz", "marc", b"\x1f\x8b"),
        ("s.jsonl.zst", "jsonl", b"\x28\xb5\x2f\xfd"),
    ],
)
def test_convert_compresses_as_the_name_says(
    tmp_path: Path, name: str, fmt: str, magic: bytes
) -> None:
    out_path = tmp_path / name
    out = run_cli("convert", str(SAMPLE), str(out_path))
    assert out.returncode == 0, out.stderr
    compression = "gzip" if name.endswith(".gz") else "zstd"
    assert f"30 records written to {out_path} ({fmt}, {compression})" in out.stderr
    assert out_path.read_bytes().startswith(magic)
    with marcmap.MARCReader(out_path) as reader:
        assert reader.compression == compression
        assert reader.format == fmt
    assert _control_numbers(out_path) == _control_numbers(SAMPLE)


def test_python_write_compresses_by_name(tmp_path: Path) -> None:
    target = tmp_path / "books.mrc.gz"
    with marcmap.MARCReader(SAMPLE) as reader:
        assert reader.write(target).written == 30
    assert gzip.decompress(target.read_bytes()) == SAMPLE.read_bytes()
    # pymarc reads what was written.
    theirs = list(pymarc.MARCReader(gzip.decompress(target.read_bytes())))
    assert [r["001"].data for r in theirs] == _control_numbers(SAMPLE)


# 6. One definition of a bad record, one exit rule


@pytest.mark.parametrize(
    "name",
    [
        "malformed/pymarc_bad_records.mrc",
        "encodings/pymarc_bad_marc8_escape.dat",
        "malformed/marc4js_collection-error.mrc",
        "holdings.mrc",
        "sample.mrc",
    ],
)
def test_count_and_validate_agree(name: str) -> None:
    path = DATA / name
    count = run_cli("count", str(path))
    validate = run_cli("validate", str(path))
    counted = count.stdout.splitlines()[0]
    summary = validate.stdout.splitlines()[-1]
    bad = counted.split(", ")[1].split(" (")[0]
    assert bad in summary, (counted, summary)
    assert count.returncode == validate.returncode, (count.stdout, validate.stdout)
    with marcmap.MARCReader(path) as reader:
        problems = (
            reader.validate()
            or reader.skipped
            or reader.recovered
            or any(r is not None and r.repairs for r in reader)
        )
    assert count.returncode == (1 if problems else 0), count.stdout


def test_a_bad_marc8_escape_is_a_bad_record() -> None:
    path = DATA / "encodings" / "pymarc_bad_marc8_escape.dat"
    count = run_cli("count", str(path))
    assert count.returncode == 1
    assert "1 bad record (1 with text that does not decode)" in count.stdout
    validate = run_cli("validate", str(path))
    assert "Marc8DecodeError" in validate.stdout
    assert validate.returncode == 1


def test_count_strict_means_both_strict_options() -> None:
    path = DATA / "holdings.mrc"
    out = run_cli("count", "--strict", str(path))
    assert out.returncode == 1, out.stderr
    assert "1 record, 1 bad record" in out.stdout
    lenient = run_cli("count", str(path))
    assert "1 record, 0 bad records, 1 repaired record" in lenient.stdout


# 7. The sidecar keeps the 001 index by default


def test_save_index_keeps_control_numbers_by_default(tmp_path: Path) -> None:
    path = _copy(tmp_path, DATA / "authority.mrc")
    with marcmap.MARCReader(path) as reader:
        with_keys = Path(reader.save_index(tmp_path / "default.mmi")).stat().st_size
    with marcmap.MARCReader(path) as reader:
        without = Path(reader.save_index(tmp_path / "bare.mmi", control_numbers=False))
    assert with_keys >= without.stat().st_size + 8 * 150  # 8 bytes a key
    cli = run_cli("index", str(path), "-o", str(tmp_path / "cli.mmi"))
    assert cli.returncode == 0, cli.stderr
    assert (tmp_path / "cli.mmi").stat().st_size == with_keys


def test_index_on_compressed_input_says_why(tmp_path: Path) -> None:
    path = tmp_path / "sample.mrc.gz"
    path.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    out = run_cli("index", str(path))
    assert out.returncode != 0
    assert "gzip-compressed" in out.stderr, out.stderr
    assert "bytes in memory" not in out.stderr


# 2. Byte ranges over compressed and transcoded input


def _compressed_and_transcoded(tmp_path: Path) -> list[Path]:
    """``authority.mrc`` (150 records) gzipped, and as MARCXML, plain and gzipped."""
    source = DATA / "authority.mrc"
    gz = tmp_path / "authority.mrc.gz"
    gz.write_bytes(gzip.compress(source.read_bytes()))
    xml = tmp_path / "authority.xml"
    xml_gz = tmp_path / "authority.xml.gz"
    with marcmap.MARCReader(source) as reader:
        reader.write(xml, "marcxml")
        reader.write(xml_gz, "marcxml")
    return [gz, xml, xml_gz]


def test_byte_ranges_of_compressed_and_transcoded_input_give_every_record(
    tmp_path: Path,
) -> None:
    expected = _control_numbers(DATA / "authority.mrc")
    assert len(expected) == 150
    for path in _compressed_and_transcoded(tmp_path):
        size = path.stat().st_size
        assert marcmap.partitions(path, 4) == [(0, size)], path.name
        with marcmap.MARCReader(path) as whole:
            fmt, compression = whole.format, whole.compression
        got: list[str] = []
        for start, end in [(0, size // 3), (size // 3, 2 * size // 3), (2 * size // 3, size)]:
            with marcmap.MARCReader(path, byte_range=(start, end)) as part:
                assert (part.format, part.compression) == (fmt, compression), path.name
                got.extend(record["001"].data for record in part)  # type: ignore[index]
        assert got == expected, path.name
        # From bytes in memory too.
        data = path.read_bytes()
        with marcmap.MARCReader(data, byte_range=(0, 10)) as part:
            assert len(part) == 150


def test_dask_reads_every_record_of_compressed_and_transcoded_input(tmp_path: Path) -> None:
    from conftest import require_engine

    require_engine("dask.dataframe", "dask")
    import marcmap.dask

    for path in _compressed_and_transcoded(tmp_path):
        df = marcmap.dask.read_marc(path, "columns", {"id": "001"}, first=True, blocksize=4096)
        assert df.npartitions > 1
        assert list(df.compute(scheduler="sync")["id"]) == _control_numbers(
            DATA / "authority.mrc"
        ), path.name


# 11. Small things a user meets


def test_dump_index_takes_a_range_and_names_the_count() -> None:
    theirs = list(pymarc.MARCReader(SAMPLE.read_bytes()))
    out = run_cli("dump", str(SAMPLE), "--index", "27:")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "".join(str(r) + "\n" for r in theirs[27:])
    out = run_cli("dump", str(SAMPLE), "--index=-2:")
    assert out.stdout == "".join(str(r) + "\n" for r in theirs[-2:])
    huge = run_cli("dump", str(SAMPLE), "--index", str(10**30))
    assert huge.returncode == 2
    assert "out of range for 30 records" in huge.stderr, huge.stderr
    bad = run_cli("dump", str(SAMPLE), "--index", "a:b")
    assert bad.returncode == 2 and "not a record index" in bad.stderr
    missing = run_cli("dump", str(SAMPLE), "--control-number", "nosuch")
    assert missing.returncode == 1
    assert missing.stderr == "marcmap: no record has 001 'nosuch'\n"


def test_not_marc_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("These are a user's notes, not MARC records.\n" * 20)
    with pytest.raises(marcmap.NotMarcError) as raised:
        marcmap.MARCReader(path)
    assert str(raised.value).startswith(f"{path}: this looks like")
    cli = run_cli("count", str(path))
    assert cli.returncode == 1
    assert cli.stderr.count(str(path)) == 1, cli.stderr


def test_write_progress_reports_each_step_once(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    source = tmp_path / "many.mrc"
    # 2,400 records: more than two of the writer's 1,024-record steps.
    source.write_bytes((DATA / "authority.mrc").read_bytes() * 16)
    with marcmap.MARCReader(source) as reader:
        reader.write(tmp_path / "out.mrc", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1024, 2400), (2048, 2400), (2400, 2400)]


def test_extract_documents_what_a_bad_record_gives() -> None:
    doc = marcmap.MARCReader.extract.__doc__ or ""
    assert "gives empty entries" in doc and "raise_errors=True" in doc
    with marcmap.MARCReader(DATA / "malformed" / "pymarc_bad_records.mrc") as reader:
        values = reader.extract("001")
        bad = {e.record_index for e in reader.validate()}
    assert bad and all(values[i] == [] for i in bad)
