"""The sidecar ``FILE.mmi``: ``reader.save_index()``, ``marcmap index FILE``, and
``MARCReader(path, index="auto" | "require" | "rebuild" | "off")``."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import marcmap
import pytest
from conftest import DATA

FIXTURES = ["sample.mrc", "malformed/pymarc_bad_records.mrc", "malformed/mrrc-testbed_garbage.mrc"]


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / Path(name).name
    shutil.copyfile(DATA / name, target)
    return target


def snapshot(reader: marcmap.MARCReader) -> tuple[object, ...]:
    records = []
    for r in reader:
        records.append(None if r is None else (r.offset, bytes(r.raw)))
    return (len(reader), records, reader.skipped, reader.recovered)


def quietly(path: Path, **kwargs: object) -> marcmap.MARCReader:
    """A reader opened with warnings turned into errors: none is expected."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return marcmap.MARCReader(path, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", FIXTURES)
def test_a_saved_index_is_used_and_reads_the_same(name: str, tmp_path: Path) -> None:
    path = copy(name, tmp_path)
    with quietly(path) as reader:
        assert reader.index_status == "missing"
        expected = snapshot(reader)
        written = reader.save_index(control_numbers=True)
    assert written == str(path) + ".mmi"
    for index in ("auto", "require"):
        with quietly(path, index=index) as reader:
            assert reader.index_status == "used"
            assert snapshot(reader) == expected
    with quietly(path, index="off") as reader:
        assert reader.index_status == "off"
        assert snapshot(reader) == expected


def test_lookups_by_001_come_from_the_sidecar(tmp_path: Path) -> None:
    path = copy("sample.mrc", tmp_path)
    with marcmap.MARCReader(path) as reader:
        wanted = {reader[i]["001"].data: i for i in (0, 7, 29)}  # type: ignore[index]
        reader.save_index(control_numbers=True)
    with quietly(path, index="require") as reader:
        for cn, i in wanted.items():
            found = reader.get_by_control_number(cn)
            assert found is not None and found.offset == reader.offset(i)
        assert reader.get_by_control_number("no such number") is None


def test_a_changed_file_makes_the_sidecar_stale(tmp_path: Path) -> None:
    path = copy("sample.mrc", tmp_path)
    with marcmap.MARCReader(path) as reader:
        reader.save_index()
        count = len(reader)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.warns(marcmap.SidecarWarning, match="stale"):
        reader = marcmap.MARCReader(path)
    assert reader.index_status == "stale"
    assert len(reader) < count, "the data was indexed, not the stale sidecar"
    with pytest.raises(marcmap.SidecarError, match="stale") as raised:
        marcmap.MARCReader(path, index="require")
    assert raised.value.path == str(path) + ".mmi"
    # The same bytes back, but a new modification time: still stale.
    path.write_bytes(data)
    os.utime(path, ns=(0, 1_000_000_000))
    with pytest.warns(marcmap.SidecarWarning, match="modification time"):
        marcmap.MARCReader(path)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "not a sidecar"])
def test_a_corrupt_sidecar_is_rebuilt_under_auto_and_an_error_under_require(
    damage: str, tmp_path: Path
) -> None:
    path = copy("malformed/pymarc_bad_records.mrc", tmp_path)
    with marcmap.MARCReader(path) as reader:
        expected = snapshot(reader)
        sidecar = Path(reader.save_index(control_numbers=True))
    good = sidecar.read_bytes()
    bad = {
        "truncated": good[: len(good) - 9],
        "flipped": good[:150] + bytes([good[150] ^ 0x40]) + good[151:],
        "empty": b"",
        "not a sidecar": b"00042nam a2200037 a 4500",
    }[damage]
    sidecar.write_bytes(bad)
    with pytest.warns(marcmap.SidecarWarning, match="corrupt"):
        reader = marcmap.MARCReader(path)
    assert reader.index_status == "corrupt"
    assert snapshot(reader) == expected
    with pytest.raises(marcmap.SidecarError, match="corrupt") as raised:
        marcmap.MARCReader(path, index="require")
    error = raised.value
    assert isinstance(error, marcmap.MarcError)
    again = pickle.loads(pickle.dumps(error))
    assert again.path == error.path and str(again) == str(error)


def test_require_without_a_sidecar_and_rebuild(tmp_path: Path) -> None:
    path = copy("sample.mrc", tmp_path)
    with pytest.raises(marcmap.SidecarError, match="no sidecar"):
        marcmap.MARCReader(path, index="require")
    with quietly(path, index="rebuild") as reader:
        assert reader.index_status == "written"
    assert (tmp_path / "sample.mrc.mmi").exists()
    with quietly(path, index="require") as reader:
        assert reader.index_status == "used"
    # Strict framing has its own index: the lenient one does not serve it.
    with pytest.raises(marcmap.SidecarError, match="framing"):
        marcmap.MARCReader(path, index="require", framing="strict")


def test_only_whole_files_from_a_path_have_a_sidecar(tmp_path: Path) -> None:
    path = copy("sample.mrc", tmp_path)
    with (
        marcmap.MARCReader(path, byte_range=(0, 1000)) as part,
        pytest.raises(marcmap.SidecarError, match="byte range"),
    ):
        part.save_index()
    with marcmap.MARCReader(path.read_bytes()) as in_memory:
        assert in_memory.index_status == "off"
        with pytest.raises(marcmap.SidecarError):
            in_memory.save_index(tmp_path / "x.mmi")
    with pytest.raises(ValueError, match="index must be"):
        marcmap.MARCReader(path.read_bytes(), index="require")
    # Anywhere else, under any name.
    with marcmap.MARCReader(path) as reader:
        elsewhere = tmp_path / "sub" / "other.idx"
        elsewhere.parent.mkdir()
        assert reader.save_index(elsewhere) == str(elsewhere)
    assert elsewhere.stat().st_size > 0
    assert not (tmp_path / "sample.mrc.mmi").exists()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "marcmap", *args], capture_output=True, text=True, timeout=60
    )


def test_the_index_command(tmp_path: Path) -> None:
    path = copy("sample.mrc", tmp_path)
    missing = _cli("index", str(path), "--check")
    assert missing.returncode == 1 and "no sidecar" in missing.stderr
    out = _cli("index", str(path))
    assert out.returncode == 0, out.stderr
    assert "wrote" in out.stdout and "30 records" in out.stdout and "001 index" in out.stdout
    assert _cli("index", str(path), "--check").returncode == 0
    with quietly(path, index="require") as reader:
        assert reader.get_by_control_number(reader[3]["001"].data) is not None  # type: ignore[index]
    # The file changes: the check fails, and `count` warns and reads the data.
    path.write_bytes(path.read_bytes() + b"\n")
    stale = _cli("index", str(path), "--check")
    assert stale.returncode == 1 and "stale" in stale.stderr
    count = _cli("count", str(path))
    assert "SidecarWarning" in count.stderr
    # The newline is a skipped byte range: a problem, so exit 1.
    assert count.returncode == 1 and "1 skipped byte range" in count.stdout
    assert _cli("index", "-").returncode == 2
    assert _cli("index", str(tmp_path / "missing.mrc")).returncode == 2
    strict = _cli(
        "index",
        str(path),
        "--strict-framing",
        "--no-control-numbers",
        "-o",
        str(tmp_path / "strict.mmi"),
    )
    assert strict.returncode == 0 and "001" not in strict.stdout
