"""`python -m marcmap count|dump|validate|convert`, run as a subprocess."""

from __future__ import annotations

import gzip
import io
import json
import struct
import subprocess
import sys
import unicodedata
import zlib
from pathlib import Path

import pymarc
from conftest import corpus_path
from helpers import run_cli

CLEAN = "traject/test/test_support/test_data.utf8.mrc"


def _pymarc(path):  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh:
        return list(pymarc.MARCReader(fh))


def test_count() -> None:
    path = corpus_path(CLEAN)
    out = run_cli("count", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{len(_pymarc(path))} records, 0 bad records")


def test_validate_exit_codes() -> None:
    ok = run_cli("validate", str(corpus_path(CLEAN)))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = run_cli("validate", str(corpus_path("pymarc/bad_records.mrc")))
    assert bad.returncode == 1
    assert "RecordDirectoryInvalid" in bad.stdout or "Error" in bad.stdout
    missing = run_cli("validate", "/nonexistent/file.mrc")
    assert missing.returncode == 2


def test_dump_index_and_control_number() -> None:
    path = corpus_path(CLEAN)
    theirs = _pymarc(path)
    out = run_cli("dump", str(path), "--index", "4")
    assert out.returncode == 0, out.stderr
    assert out.stdout == str(theirs[4]) + "\n"
    out = run_cli("dump", str(path), "--index", "-1")
    assert out.stdout == str(theirs[-1]) + "\n"
    cn = theirs[12]["001"].data
    out = run_cli("dump", str(path), "--control-number", cn)
    assert out.returncode == 0
    assert out.stdout == str(theirs[12]) + "\n"
    out = run_cli("dump", str(path), "--control-number", "no-such-cn")
    assert out.returncode == 1


def test_dump_all_equals_pymarc_text() -> None:
    path = corpus_path(CLEAN)
    out = run_cli("dump", str(path))
    assert out.returncode == 0
    assert out.stdout == "".join(str(r) + "\n" for r in _pymarc(path))


def test_stdin_dash_and_options_after_the_command() -> None:
    path = corpus_path(CLEAN)
    data = path.read_bytes()
    out = subprocess.run(
        [sys.executable, "-m", "marcmap", "count", "--strict-framing", "-"],
        input=data,
        capture_output=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().startswith(f"{len(_pymarc(path))} records, 0 bad records")


def test_missing_file_names_the_path() -> None:
    out = run_cli("count", "/nonexistent/file.mrc")
    assert out.returncode == 2
    assert "/nonexistent/file.mrc" in out.stderr and "No such file" in out.stderr


def _png(path: Path) -> Path:
    """A real 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    image = zlib.compress(b"\x00\xff\x00\x00")
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", image) + chunk(b"IEND", b"")
    )
    return path


def test_not_marc_exits_non_zero_and_says_what_it_is(tmp_path: Path) -> None:
    png = _png(tmp_path / "logo.png")
    for command in ("count", "dump", "validate"):
        out = run_cli(command, "/etc/passwd")
        assert out.returncode == 1, (command, out.stderr)
        assert "looks like plain text" in out.stderr and "not MARC" in out.stderr
        out = run_cli(command, str(png))
        assert out.returncode == 1
        assert "this looks like a PNG image, not MARC" in out.stderr, out.stderr
    out = run_cli("convert", str(png), str(tmp_path / "out.xml"))
    assert out.returncode == 1 and "PNG image" in out.stderr


TWINS_TRAJECT = [
    "traject/test/test_support/test_data.utf8.mrc",
    "traject/test/test_support/test_data.utf8.marc.xml",
    "traject/test/test_support/test_data.utf8.json",
]


def test_every_command_reads_every_format(tmp_path: Path) -> None:
    paths = [corpus_path(p) for p in TWINS_TRAJECT]
    gz = tmp_path / "test_data.utf8.mrc.gz"
    gz.write_bytes(gzip.compress(paths[0].read_bytes()))
    dumps = []
    for path in [*paths, gz]:
        count = run_cli("count", str(path))
        assert count.returncode == 0, count.stderr
        assert count.stdout.startswith("30 records, 0 bad records"), (path, count.stdout)
        assert run_cli("validate", str(path)).returncode == 0
        dump = run_cli("dump", str(path))
        assert dump.returncode == 0, dump.stderr
        dumps.append(dump.stdout)
    assert all(d == dumps[0] for d in dumps[1:])
    forced = run_cli("count", "--from", "marcxml", str(paths[1]))
    assert forced.stdout.startswith("30 records")


def test_convert_round_trips_through_every_format(tmp_path: Path) -> None:
    source = corpus_path(CLEAN)
    original = run_cli("dump", str(source)).stdout
    for ext in ("xml", "json", "jsonl", "mrk", "mrc"):
        out = tmp_path / f"out.{ext}"
        done = run_cli("convert", str(source), str(out))
        assert done.returncode == 0, done.stderr
        assert "30 records written" in done.stderr
        back = tmp_path / f"back-{ext}.mrc"
        assert run_cli("convert", str(out), str(back), "--to", "marc").returncode == 0
        assert run_cli("dump", str(back)).stdout == original, ext


def test_convert_stdin_to_stdout() -> None:
    data = corpus_path(CLEAN).read_bytes()
    out = subprocess.run(
        [sys.executable, "-m", "marcmap", "convert", "-", "-", "--to", "jsonl"],
        input=data,
        capture_output=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(records) == 30
    assert records[0]["leader"] == data[:24].decode()


def test_convert_names_each_bad_record_and_sums_up(tmp_path: Path) -> None:
    out = run_cli("convert", str(corpus_path("pymarc/bad_records.mrc")), str(tmp_path / "x.xml"))
    assert out.returncode == 1
    errors = [line for line in out.stderr.splitlines() if line.startswith("error: record ")]
    assert errors and all("byte" in e for e in errors), out.stderr
    assert f"{len(errors)} bad record" in out.stderr.splitlines()[-1]


def test_convert_to_utf8_transcodes_marc8(tmp_path: Path) -> None:
    out = tmp_path / "utf8.mrc"
    done = run_cli("convert", str(corpus_path("pymarc/marc8.dat")), str(out), "--to-utf8")
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data[9:10] == b"a"
    with open(corpus_path("pymarc/marc8.dat"), "rb") as fh:
        theirs = next(iter(pymarc.MARCReader(fh, to_unicode=True)))
    ours = next(iter(pymarc.MARCReader(io.BytesIO(data), to_unicode=True)))
    assert unicodedata.normalize("NFC", str(ours["245"])) == unicodedata.normalize(
        "NFC", str(theirs["245"])
    )


def test_plurals_and_version() -> None:
    one = run_cli("count", str(corpus_path("pymarc/marc8.dat")))
    assert one.stdout.startswith("1 record, 0 bad records, 0 skipped byte ranges"), one.stdout
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("marcmap ")
    for command in ("count", "dump", "validate"):
        help_text = run_cli(command, "--help").stdout
        assert "FILE" in help_text and "``" not in help_text
        assert "--strict-records" in help_text and "--encoding" in help_text


def test_strict_framing_that_stopped_early_says_so() -> None:
    path = str(corpus_path("pymarc/bad_records.mrc"))
    out = run_cli("count", "--strict-framing", path)
    assert "stopped early (strict framing)" in out.stdout


def test_count_includes_text_problems() -> None:
    path = str(corpus_path("ruby-marc/utf8_with_bad_bytes.marc"))
    out = run_cli("count", path)
    assert out.stdout.startswith("1 record, 1 bad record (1 with text that does not decode)")
    structural = run_cli("count", "--no-decode", path)
    assert "0 bad records (text not checked)" in structural.stdout


def test_dump_prints_each_error_and_goes_on() -> None:
    # Strict MARC-8 handling makes a bad escape an error: dump reports it with
    # its position and goes on to the next record; exit status 1.
    path = str(corpus_path("pymarc/bad_records.mrc"))
    out = run_cli("dump", path)
    assert out.returncode == 1
    assert out.stderr.count("error: record ") >= 5
    assert out.stdout.count("=LDR  ") == 3
    strict = run_cli("dump", "--errors", "strict", str(corpus_path("pymarc/bad_marc8_escape.dat")))
    assert strict.returncode == 1 and "Marc8" not in strict.stdout
    assert "invalid MARC-8" in strict.stderr
    replaced = run_cli("dump", "--replace", str(corpus_path("pymarc/bad_marc8_escape.dat")))
    assert replaced.returncode == 0 and "\ufffd" in replaced.stdout


def test_text_flags() -> None:
    mislabelled = str(corpus_path("pymarc/utf8_without_leader_flag.dat"))
    detected = run_cli("dump", mislabelled)
    assert "solitude à la communauté" in unicodedata.normalize("NFC", detected.stdout)
    plain = run_cli("dump", "--no-detect-utf8", "--errors", "strict", mislabelled)
    assert plain.returncode == 1
    cp1251 = run_cli("dump", "--encoding", "cp1251", str(corpus_path("pymarc/1251.dat")))
    assert cp1251.returncode == 0 and any("\u0400" <= c <= "\u04ff" for c in cp1251.stdout)
    lig = str(corpus_path("yaz/marc7.marc"))
    assert "\u0361" in run_cli("dump", lig).stdout
    assert "\ufe20" in run_cli("dump", "--ligatures", "pymarc", lig).stdout


def test_strict_records_refuses_repairs() -> None:
    path = str(corpus_path("mrrc/simple_holdings.mrc"))
    repaired = run_cli("validate", path)
    assert repaired.returncode == 1 and "repaired:" in repaired.stdout
    assert run_cli("dump", path).returncode == 0
    strict = run_cli("dump", "--strict-records", path)
    assert strict.returncode == 1 and "FieldTerminatorMissing" not in strict.stdout
    assert "field does not end with the field terminator" in strict.stderr


def test_count_counts_bad_records_as_validate_does() -> None:
    # Invalid MARC-8 is read with U+FFFD by default, but the record is bad all
    # the same: count and validate share one definition, whatever --errors says.
    path = str(corpus_path("pymarc/bad_marc8_escape.dat"))
    for options in ([], ["--errors", "strict"], ["--replace"]):
        out = run_cli("count", *options, path)
        assert out.stdout.startswith("1 record, 1 bad record (1 with text that does not decode)")
        assert out.returncode == 1


def test_dump_reports_each_bad_record_with_its_own_error() -> None:
    path = corpus_path("pymarc/bad_records.mrc")
    out = subprocess.run(
        [sys.executable, "-m", "marcmap", "dump", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert out.returncode == 1 and len(errors) > 1
    assert len(set(errors)) == len(errors), "each None shows the error behind it"


def test_a_command_imports_only_its_own_module() -> None:
    """``marcmap stats FILE`` loads marcmap.cli.stats and no other command's module;
    the table of command names is the one the full parser (--help) registers."""
    path = corpus_path(CLEAN)
    code = (
        "import sys, argparse\n"
        "from marcmap import cli\n"
        f"status = cli.main(['stats', {str(path)!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('marcmap.cli.') "
        "and not m.startswith('marcmap.cli._'))\n"
        "sub = next(a for a in cli.build_parser()._actions "
        "if isinstance(a, argparse._SubParsersAction))\n"
        "print(status, loaded, list(sub.choices) == list(cli.COMMANDS), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.stderr.strip().splitlines()[-1] == "0 ['marcmap.cli.stats'] True", out.stderr
