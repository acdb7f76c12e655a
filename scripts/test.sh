#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
#
# Needs: a Rust toolchain (stable; nightly too for the fuzz smoke run) and CPython 3.11+.
# It installs everything else itself into ./.venv (and ./.venv313 when a CPython 3.13
# is found): the wheel built from this checkout, pytest, pymarc 5.4.0, mypy and ruff,
# and MkDocs for the documentation site.
#
#   MARCMAP_SKIP_FUZZ=1  skips the fuzz smoke run (it needs the nightly toolchain).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# The first candidate that really runs (pyenv puts shims on PATH that fail when
# their version is not selected) and is at least Python $1.
find_python() {
    local minor=$1
    shift
    for candidate in "$@"; do
        if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] < (3, $minor))" \
            >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

PY311=$(find_python 11 ${PYTHON:+"$PYTHON"} "$HOME"/.pyenv/versions/3.11*/bin/python3 python3.11 python3)
PY313=$(find_python 13 "$HOME"/.pyenv/versions/3.13*/bin/python3 python3.13 || true)

# The shared MARC corpus: tests that need it skip without it (saying so), except
# under CI=true, where a missing corpus fails them.
CORPUS=${MARCMAP_CORPUS:-../shared/marc-corpus}
if [ -d "$CORPUS" ]; then
    echo "MARC corpus: $CORPUS"
else
    echo "MARC corpus: not found at $CORPUS; the tests that need it are skipped (set MARCMAP_CORPUS)"
fi

# MARC::Lint 1.53, the oracle of tests/lint.rs (which fails without it under CI=true).
if ! perl -MMARC::Lint -e1 >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        step "Installing MARC::Lint (libmarc-lint-perl), the lint oracle"
        apt-get update -qq && apt-get install -y -qq libmarc-lint-perl
    else
        echo "MARC::Lint not installed (apt-get install libmarc-lint-perl): the lint differential test skips it, or fails under CI=true"
    fi
fi

# The MARC-8 encoding oracles of tests/marc8_oracles.rs (which fails without them
# under CI=true): Perl's MARC::Charset and yaz (yaz-iconv, yaz-marcdump).
if ! perl -MMARC::Charset -e1 >/dev/null 2>&1 || ! command -v yaz-iconv >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        step "Installing the MARC-8 oracles (libmarc-charset-perl, yaz)"
        apt-get update -qq && apt-get install -y -qq libmarc-charset-perl yaz
    else
        echo "MARC::Charset or yaz not installed (apt-get install libmarc-charset-perl yaz): the MARC-8 differential test skips them, or fails under CI=true"
    fi
fi

step "Rust: format, lints, tests"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --features python -- -D warnings
cargo clippy --all-targets --features arbitrary -- -D warnings
cargo clippy --all-targets --features arrow,parquet -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
cargo test
# The same without the corpus, as a clone with no ../shared runs it: every test
# that needs the corpus must skip (not fail) there.
MARCMAP_CORPUS=/nonexistent/marc-corpus CI=false cargo test --quiet
# The `arbitrary` feature: its unit and doc tests, and the differential fuzz
# inputs, which decode through it (plain `cargo test` skips them).
cargo test --features arbitrary --lib arbitrary
cargo test --features arbitrary --doc arbitrary
cargo test --features arbitrary --test fuzz_replay
# The `arrow` and `parquet` features: the builders against the core views, the
# Parquet writer, and the arrow fuzz inputs replayed.
cargo test --features arrow,parquet --test arrow --test fuzz_replay

step "Build the abi3 wheel once"
[ -x .venv/bin/python ] || "$PY311" -m venv .venv
.venv/bin/pip install -q "maturin>=1.7,<2"

step "Rust: the python feature's unit tests, against CPython 3.11"
# Without maturin, pyo3 links libpython into the test binary; it must be found
# at run time too.
LIBDIR=$(.venv/bin/python -c "import sysconfig; print(sysconfig.get_config_var('LIBDIR'))")
PYO3_PYTHON="$PWD/.venv/bin/python" LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    cargo test --features python --lib
rm -rf target/wheels
.venv/bin/maturin build --release --quiet --out target/wheels
WHEEL=$(ls target/wheels/marcmap-*.whl)

# $3: the extras to install; "test,test-engines" also tests the Dask and Spark
# readers there, and fails (not skips) them if their dependencies or Java are
# missing. pyspark is about 300 MB, so one venv gets them.
# $4: "hidden" runs the suite as a clone without ../shared does: the corpus
# hidden, and its tests skipped (not failed) even under CI.
run_python_suite() {
    local venv=$1 python=$2 extras=$3 corpus=${4:-}
    step "Python tests with $("$python" --version) in $venv"
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --force-reinstall --no-deps "$WHEEL"
    "$venv/bin/pip" install -q "$WHEEL[$extras]"
    local engines=0
    [[ ",$extras," == *",test-engines,"* ]] && engines=1
    if [ "$corpus" = hidden ]; then
        echo "(the corpus hidden: as in a clone without ../shared)"
        MARCMAP_CORPUS=/nonexistent/marc-corpus CI=false MARCMAP_ENGINES=$engines \
            "$venv/bin/python" -m pytest -q -p no:cacheprovider
    else
        MARCMAP_ENGINES=$engines "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider
    fi
    # stubtest imports the installed package; run it outside the repo root.
    (cd target && "../$venv/bin/python" -m mypy.stubtest marcmap._marcmap marcmap.errors marcmap._types marcmap._functions)
}

run_python_suite .venv "$PY311" test,test-engines
if [ -n "$PY313" ]; then
    # CPython 3.13, and the corpus hidden (the 3.11 run above reads it).
    run_python_suite .venv313 "$PY313" test hidden
else
    echo "(no CPython 3.13 found: the corpus-hidden run uses 3.11)"
    MARCMAP_CORPUS=/nonexistent/marc-corpus CI=false \
        .venv/bin/python -m pytest -q -p no:cacheprovider
fi

step "Python: ruff and mypy"
.venv/bin/ruff check python tests/python benchmarks fuzz/python
.venv/bin/ruff format --check python tests/python benchmarks fuzz/python
.venv/bin/python -m mypy python/marcmap

step "Docs: mkdocs build --strict (the API reference from the stubs' docstrings)"
# Not the wheel's extra: that would reinstall the wheel. Kept in step with
# pyproject.toml's "docs" extra. Builds in about two seconds.
.venv/bin/pip install -q "mkdocs-material>=9.5" "mkdocstrings[python]>=1.0" "mkdocstrings-python>=2.0"
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir target/site

if [ "${MARCMAP_SKIP_FUZZ:-0}" != 1 ] && [ -x fuzz/smoke.sh ]; then
    step "Fuzz smoke run"
    fuzz/smoke.sh
fi
step "All tests passed"
