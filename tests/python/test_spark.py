"""The ``"marc"`` Spark data source (``marcmap.spark``) in ``local[2]``: what its
partitions read is what one process's ``to_arrow`` reads from the whole file,
in every shape, with Spark's types.

One SparkSession for the module (starting one takes about 15 s here). Spark
needs Java: without it (or without pyspark) these tests are skipped, saying so,
except where scripts/test.sh must test the engines (CI, MARCMAP_ENGINES=1).
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import marcmap
import pytest
from conftest import corpus_path, engines_required, require_engine

pa = require_engine("pyarrow", "spark")
require_engine("pyspark.sql.datasource", "spark")


def _java_missing() -> str | None:
    java = shutil.which("java", path=os.path.join(os.environ.get("JAVA_HOME", ""), "bin"))
    java = java or shutil.which("java")
    if java is None:
        return "Spark needs Java 17+, and no java is on PATH or in JAVA_HOME"
    if subprocess.run([java, "-version"], capture_output=True).returncode != 0:
        return f"{java} -version failed"
    return None


if (_why := _java_missing()) is not None:
    if engines_required():
        pytest.fail("CI=true, MARCMAP_ENGINES=1: " + _why, pytrace=False)
    # Spark runs on a JVM, which no pip install brings: a machine without Java
    # cannot run these tests at all, so they skip with the reason. CI has Java
    # 17 and must run them (the line above).
    pytest.skip(_why, allow_module_level=True)

import marcmap.spark  # noqa: E402  (after the engine checks)

UVA = "solrmarc/uva_001_2000.mrc"
DAMAGED = "marc4j/test/resources/bad_hathi_records.mrc"
BLOCK = 256 << 10


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    # Spark's Python workers must be this interpreter (the one marcmap is in).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("marcmap-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    marcmap.spark.register(session)
    yield session
    session.stop()


def reference(path: Path, shape: str, columns: Any = None, **kwargs: Any) -> Any:
    with marcmap.MARCReader(path) as reader:
        return pa.table(reader.to_arrow(shape, columns, **kwargs))


def rows(table: Any) -> list[dict[str, Any]]:
    """The table's rows without ``record_index`` (it counts from each partition's
    first record), compared as Python values."""
    return table.drop_columns([n for n in table.column_names if n == "record_index"]).to_pylist()


@pytest.mark.parametrize(
    ("shape", "options", "columns", "first"),
    [
        ("records", {}, None, False),
        ("subfields", {}, None, False),
        ("columns", {"columns": "id=001,title=245$a,subject=650$a"}, None, False),
        ("columns", {"columns": "id=001,title=245$a", "first": "true"}, None, True),
    ],
    ids=["records", "subfields", "columns", "columns-first"],
)
def test_shapes_equal_to_arrow(
    spark: Any, shape: str, options: dict[str, str], columns: Any, first: bool
) -> None:
    path = corpus_path(UVA)
    reader = spark.read.format("marc").option("blocksize", str(BLOCK))
    if shape != "columns":
        reader = reader.option("shape", shape)
    for key, value in options.items():
        reader = reader.option(key, value)
    df = reader.load(str(path))
    assert df.rdd.getNumPartitions() == -(-path.stat().st_size // BLOCK)
    if shape == "columns":
        columns = marcmap.spark.parse_columns(options["columns"])
    expected = reference(path, shape, columns, first=first)
    assert df.columns == expected.column_names
    got = df.toArrow()
    assert got.num_rows == expected.num_rows
    assert rows(got) == rows(expected)
    # Spark's types are to_arrow's, unsigned integers one signed size up.
    from pyspark.sql.pandas.types import from_arrow_schema

    assert df.schema == from_arrow_schema(marcmap.spark.spark_arrow_schema(expected.schema))


def test_groupby_subject_equals_the_single_process_count(spark: Any) -> None:
    from pyspark.sql import functions as F

    path = corpus_path(UVA)
    with marcmap.MARCReader(path) as reader:
        expected = collections.Counter(s for values in reader.extract("650$a") for s in values)
    df = (
        spark.read.format("marc")
        .option("columns", "subject=650$a")
        .option("blocksize", str(BLOCK))
        .load(str(path))
    )
    counted = df.select(F.explode("subject").alias("s")).groupBy("s").count().collect()
    assert {r["s"]: r["count"] for r in counted} == dict(expected)


def test_globs_damage_and_paths(spark: Any, tmp_path: Path) -> None:
    uva, damaged = corpus_path(UVA), corpus_path(DAMAGED)
    shutil.copyfile(uva, tmp_path / "a.mrc")
    shutil.copyfile(damaged, tmp_path / "b.mrc")
    df = (
        spark.read.format("marc")
        .option("blocksize", "64 KiB")
        .option("includePath", "true")
        .load(f"file://{tmp_path}/*.mrc")
    )
    got = df.toArrow()
    expected = [*rows(reference(uva, "records")), *rows(reference(damaged, "records"))]
    assert rows(got.drop_columns(["path"])) == expected
    with marcmap.MARCReader(uva) as reader:
        n = len(reader)
    assert got.column("path").to_pylist()[n - 1 : n + 1] == [
        str(tmp_path / "a.mrc"),
        str(tmp_path / "b.mrc"),
    ]


def test_compressed_and_transcoded_input_gives_every_record(spark: Any, tmp_path: Path) -> None:
    # Equal blocks of a gzip or MARCXML file: the block holding byte 0 reads
    # every record, the others none (before, every block read nothing).
    import gzip

    source = Path(__file__).resolve().parents[1] / "data" / "authority.mrc"
    with marcmap.MARCReader(source) as reader:
        expected = [values[0] for values in reader.extract("001")]
        reader.write(tmp_path / "authority.xml", "marcxml")
    (tmp_path / "authority.mrc.gz").write_bytes(gzip.compress(source.read_bytes()))
    for name in ("authority.mrc.gz", "authority.xml"):
        df = (
            spark.read.format("marc")
            .option("columns", "id=001")
            .option("first", "true")
            .option("blocksize", "4096")
            .load(str(tmp_path / name))
        )
        assert df.rdd.getNumPartitions() > 1
        assert df.toArrow().column("id").to_pylist() == expected, name


def test_bad_options(spark: Any) -> None:
    path = str(corpus_path(UVA))
    with pytest.raises(Exception, match="no option 'colums'"):
        spark.read.format("marc").option("colums", "id=001").load(path).schema  # noqa: B018
    with pytest.raises(Exception, match="expected name=spec pairs"):
        spark.read.format("marc").option("columns", "id=").load(path).schema  # noqa: B018
    with pytest.raises(ValueError, match="named twice"):
        marcmap.spark.parse_columns("id=001,id=245$a")
    # The CLI's syntax: a bare spec is named by itself.
    assert marcmap.spark.parse_columns("id=001,245$a") == {"id": "001", "245$a": "245$a"}
    assert marcmap.spark.parse_columns('{"id": "001", "t": "245$a"}') == {
        "id": "001",
        "t": "245$a",
    }
