"""`python -m marcmap count|dump|validate`, run as a subprocess."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pymarc
from conftest import corpus_path

CLEAN = "traject/test/test_support/test_data.utf8.mrc"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "marcmap", *args], capture_output=True, text=True, timeout=60
    )


def _pymarc(path):  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh:
        return list(pymarc.MARCReader(fh))


def test_count() -> None:
    path = corpus_path(CLEAN)
    out = _run("count", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{len(_pymarc(path))} records, 0 bad records")


def test_validate_exit_codes() -> None:
    ok = _run("validate", str(corpus_path(CLEAN)))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = _run("validate", str(corpus_path("pymarc/bad_records.mrc")))
    assert bad.returncode == 1
    assert "RecordDirectoryInvalid" in bad.stdout or "Error" in bad.stdout
    missing = _run("validate", "/nonexistent/file.mrc")
    assert missing.returncode == 2


def test_dump_index_and_control_number() -> None:
    path = corpus_path(CLEAN)
    theirs = _pymarc(path)
    out = _run("dump", str(path), "--index", "4")
    assert out.returncode == 0, out.stderr
    assert out.stdout == str(theirs[4]) + "\n"
    out = _run("dump", str(path), "--index", "-1")
    assert out.stdout == str(theirs[-1]) + "\n"
    cn = theirs[12]["001"].data
    out = _run("dump", str(path), "--control-number", cn)
    assert out.returncode == 0
    assert out.stdout == str(theirs[12]) + "\n"
    out = _run("dump", str(path), "--control-number", "no-such-cn")
    assert out.returncode == 1


def test_dump_all_equals_pymarc_text() -> None:
    path = corpus_path(CLEAN)
    out = _run("dump", str(path))
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
    out = _run("count", "/nonexistent/file.mrc")
    assert out.returncode == 2
    assert "/nonexistent/file.mrc" in out.stderr and "No such file" in out.stderr


def test_not_marc_exits_non_zero() -> None:
    out = _run("count", "/etc/passwd")
    assert out.returncode == 1
    assert "0 records" in out.stdout


def test_plurals_and_version() -> None:
    one = _run("count", str(corpus_path("pymarc/marc8.dat")))
    assert one.stdout.startswith("1 record, 0 bad records, 0 skipped byte ranges"), one.stdout
    version = _run("--version")
    assert version.returncode == 0 and version.stdout.startswith("marcmap ")
    for command in ("count", "dump", "validate"):
        help_text = _run(command, "--help").stdout
        assert "FILE" in help_text and "``" not in help_text
        assert "--strict-records" in help_text and "--encoding" in help_text


def test_strict_framing_that_stopped_early_says_so() -> None:
    path = str(corpus_path("pymarc/bad_records.mrc"))
    out = _run("count", "--strict-framing", path)
    assert "stopped early (strict framing)" in out.stdout


def test_count_includes_text_problems() -> None:
    path = str(corpus_path("ruby-marc/utf8_with_bad_bytes.marc"))
    out = _run("count", path)
    assert out.stdout.startswith("1 record, 1 bad record (1 with text that does not decode)")
    structural = _run("count", "--no-decode", path)
    assert "0 bad records (text not checked)" in structural.stdout


def test_dump_prints_each_error_and_goes_on() -> None:
    # Strict MARC-8 handling makes a bad escape an error: dump reports it with
    # its position and goes on to the next record; exit status 1.
    path = str(corpus_path("pymarc/bad_records.mrc"))
    out = _run("dump", path)
    assert out.returncode == 1
    assert out.stderr.count("error: record ") >= 5
    assert out.stdout.count("=LDR  ") == 3
    strict = _run("dump", "--errors", "strict", str(corpus_path("pymarc/bad_marc8_escape.dat")))
    assert strict.returncode == 1 and "Marc8" not in strict.stdout
    assert "invalid MARC-8" in strict.stderr
    replaced = _run("dump", "--replace", str(corpus_path("pymarc/bad_marc8_escape.dat")))
    assert replaced.returncode == 0 and "\ufffd" in replaced.stdout


def test_text_flags() -> None:
    mislabelled = str(corpus_path("pymarc/utf8_without_leader_flag.dat"))
    detected = _run("dump", mislabelled)
    assert "solitude à la communauté" in unicodedata.normalize("NFC", detected.stdout)
    plain = _run("dump", "--no-detect-utf8", "--errors", "strict", mislabelled)
    assert plain.returncode == 1
    cp1251 = _run("dump", "--encoding", "cp1251", str(corpus_path("pymarc/1251.dat")))
    assert cp1251.returncode == 0 and any("\u0400" <= c <= "\u04ff" for c in cp1251.stdout)
    lig = str(corpus_path("yaz/marc7.marc"))
    assert "\u0361" in _run("dump", lig).stdout
    assert "\ufe20" in _run("dump", "--ligatures", "pymarc", lig).stdout


def test_strict_records_refuses_repairs() -> None:
    path = str(corpus_path("mrrc/simple_holdings.mrc"))
    repaired = _run("validate", path)
    assert repaired.returncode == 1 and "repaired:" in repaired.stdout
    assert _run("dump", path).returncode == 0
    strict = _run("dump", "--strict-records", path)
    assert strict.returncode == 1 and "FieldTerminatorMissing" not in strict.stdout
    assert "field does not end with the field terminator" in strict.stderr


def test_count_counts_bad_records_as_the_reader_reads_them() -> None:
    # Invalid MARC-8 is replaced by default, so the record is not bad; with
    # --errors strict it is.
    path = str(corpus_path("pymarc/bad_marc8_escape.dat"))
    assert _run("count", path).stdout.startswith("1 record, 0 bad records")
    strict = _run("count", "--errors", "strict", path).stdout
    assert strict.startswith("1 record, 1 bad record (1 with text that does not decode)")
