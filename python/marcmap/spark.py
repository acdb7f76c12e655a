"""MARC files as a Spark data source, ``"marc"`` (a PySpark 4 Python data source).

Needs ``pip install 'marcmap[spark]'`` (PySpark 4 and pyarrow, and Java 17+ for
Spark itself); ``import marcmap`` does not import this module or pyspark.

::

    import marcmap.spark
    marcmap.spark.register(spark)
    df = (spark.read.format("marc")
          .option("shape", "columns")
          .option("columns", "id=001,title=245$a")
          .option("first", "true")
          .load("/data/books/*.mrc"))

Options (all strings, as Spark passes them; names are case-insensitive):

- ``shape``: ``records`` (the default), ``subfields`` or ``columns``, as
  ``MARCReader.to_arrow``; ``columns``: ``name=spec`` pairs separated by commas
  (``id=001,title=245$a``) or a JSON object; ``first``: ``true`` gives strings,
  not lists, for ``columns``.
- ``blocksize``: bytes a partition (``128 MiB`` by default); each partition is
  one equal block of a file, read on an executor (``marcmap._pieces`` says why).
- ``includePath``: ``true`` adds a ``path`` column naming each row's file.
- ``to_arrow``'s ``binary``, ``raw``, ``batch_size`` and ``threads`` (1 by
  default: Spark runs a partition per core), and ``MARCReader``'s options
  (``framing``, ``validation``, ``file_encoding``, ``force_utf8``, ...).
- ``storage_options.NAME``: fsspec's storage option ``NAME`` for URLs.

``record_index`` counts from each partition's first record; ``byte_offset``
(with ``path``) is a record's key across partitions. Spark has no unsigned
integers: an unsigned Arrow column is given as the signed type one size up
(``uint64``, which never holds a value past 2^63 here, as ``bigint``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from marcmap import _pieces
from marcmap._columns import parse_columns

try:
    from pyspark.sql.datasource import (  # type: ignore[import-not-found,unused-ignore]
        DataSource,
        DataSourceReader,
        InputPartition,
    )
except ImportError as e:
    raise ImportError("marcmap.spark needs pyspark 4: pip install 'marcmap[spark]'") from e

__all__ = ["MarcDataSource", "register"]

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")

# MARCReader's and to_arrow's options whose values are not strings.
_BOOL_OPTIONS = (
    "to_unicode",
    "force_utf8",
    "permissive",
    "raise_errors",
    "lazy_decoding",
    "mmap",
    "detect_utf8",
    "binary",
    "raw",
)
_INT_OPTIONS = ("batch_size", "threads")
# Spark lower-cases option names; these are the spellings MARCReader takes.
_OPTION_NAMES = {
    name.lower(): name
    for name in (
        *_BOOL_OPTIONS,
        *_INT_OPTIONS,
        "utf8_handling",
        "file_encoding",
        "framing",
        "validation",
        "marc8_handling",
        "marc8_normalization",
        "marc8_ligatures",
        "hide_utf8_warnings",
    )
}
# Spark's own camel-case spellings.
_OPTION_NAMES.update({"batchsize": "batch_size", "fileencoding": "file_encoding"})
_SOURCE_OPTIONS = ("path", "shape", "columns", "first", "blocksize", "includepath")


def register(spark: Any) -> None:
    """Registers the ``"marc"`` data source with the ``SparkSession``."""
    spark.dataSource.register(MarcDataSource)


def _bool(name: str, value: str) -> bool:
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ValueError(f"option {name}={value!r}: expected true or false")


def _request(options: Mapping[str, str]) -> tuple[_pieces.Request, dict[str, Any]]:
    """The read the options ask for, and the storage options for URLs."""
    opts = {k.lower(): v for k, v in options.items()}
    extra: dict[str, Any] = {}
    storage: dict[str, Any] = {}
    for key, value in opts.items():
        if key.startswith("storage_options."):
            storage[key.removeprefix("storage_options.")] = value
        elif key in _SOURCE_OPTIONS:
            continue
        elif key in _OPTION_NAMES:
            name = _OPTION_NAMES[key]
            if name in _BOOL_OPTIONS:
                extra[name] = _bool(key, value)
            elif name in _INT_OPTIONS:
                extra[name] = int(value)
            else:
                extra[name] = value
        else:
            raise ValueError(f"the marc data source has no option {key!r}")
    columns = parse_columns(opts["columns"], "option columns") if "columns" in opts else None
    shape = opts.get("shape", "columns" if columns else "records")
    reader, arrow = _pieces.split_options(extra)
    request = _pieces.Request(
        shape,
        columns,
        _bool("first", opts.get("first", "false")),
        _bool("includePath", opts.get("includepath", "false")),
        reader,
        arrow,
    )
    return request, storage


def _spark_arrow_type(t: Any) -> Any:
    """``t`` with the types Spark cannot take from Arrow replaced by ones it can."""
    import pyarrow as pa

    if pa.types.is_unsigned_integer(t):
        return {8: pa.int16(), 16: pa.int32(), 32: pa.int64(), 64: pa.int64()}[t.bit_width]
    if pa.types.is_string_view(t) or pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_binary_view(t) or pa.types.is_large_binary(t):
        return pa.binary()
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t):
        return pa.list_(t.value_field.with_type(_spark_arrow_type(t.value_type)))
    if pa.types.is_struct(t):
        return pa.struct([f.with_type(_spark_arrow_type(f.type)) for f in t])
    if pa.types.is_dictionary(t):
        return _spark_arrow_type(t.value_type)
    return t


def spark_arrow_schema(schema: Any) -> Any:
    """The Arrow schema of the batches given to Spark: ``schema`` with Spark's types."""
    import pyarrow as pa

    return pa.schema([f.with_type(_spark_arrow_type(f.type)) for f in schema])


class MarcPartition(InputPartition):  # type: ignore[misc,unused-ignore]
    """One piece of a file: the records that start in its bytes."""

    def __init__(self, piece: _pieces.Piece) -> None:
        super().__init__(piece)
        self.piece = piece


class MarcDataSource(DataSource):  # type: ignore[misc,unused-ignore]
    """The ``"marc"`` data source: ISO 2709 files (paths, globs, fsspec URLs) as
    the rows of ``MARCReader.to_arrow``'s shapes."""

    @classmethod
    def name(cls) -> str:
        return "marc"

    def _plan(self) -> tuple[_pieces.Request, list[_pieces.Piece], Any]:
        opts = {k.lower(): v for k, v in self.options.items()}
        if "path" not in opts:
            raise ValueError("the marc data source needs a path: .load(path_or_glob)")
        request, storage = _request(self.options)
        files = _pieces.expand(opts["path"], storage)
        blocksize = _pieces.parse_size(opts.get("blocksize", _pieces.DEFAULT_BLOCKSIZE))
        pieces = _pieces.pieces(files, blocksize)
        return request, pieces, _pieces.schema(pieces[0], request)

    def schema(self) -> Any:
        from pyspark.sql.pandas.types import (  # type: ignore[import-not-found,unused-ignore]
            from_arrow_schema,
        )

        _request, _pieces_, arrow_schema = self._plan()
        return from_arrow_schema(spark_arrow_schema(arrow_schema))

    def reader(self, schema: Any) -> MarcReader:
        return MarcReader(*self._plan())


class MarcReader(DataSourceReader):  # type: ignore[misc,unused-ignore]
    """Reads the pieces on Spark's executors, a batch at a time."""

    def __init__(
        self, request: _pieces.Request, pieces: list[_pieces.Piece], arrow_schema: Any
    ) -> None:
        self.request = request
        self.pieces = pieces
        self.arrow_schema = spark_arrow_schema(arrow_schema)

    def partitions(self) -> list[MarcPartition]:
        return [MarcPartition(p) for p in self.pieces]

    def read(self, partition: InputPartition) -> Iterator[Any]:
        assert isinstance(partition, MarcPartition), partition
        for batch in _pieces.read_batches(partition.piece, self.request):
            yield batch.cast(self.arrow_schema)
