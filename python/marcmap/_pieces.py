"""What the Dask and Spark readers share: MARC files cut into byte-range pieces,
and one piece read into Arrow.

A piece is a plain equal block of one file, not a range from ``partitions()``.
``MARCReader(source, byte_range=(start, end))`` reads exactly the records that
*start* in those bytes (finding the first with a small window before ``start``),
so blocks that meet read every record once. Equal blocks cost the driver
nothing but each file's size (one ``stat``, or one ``fs.size`` request on object
storage), while ``partitions()`` would read about 110 KB a cut on the driver
before any work began; with blocks that aligning is done by the workers, in
parallel, as part of reading. A block that holds no record start is an empty
piece, which both engines accept.

``record_index`` in a piece counts from the piece's first record (the reader's
rule for ranges: the count of the records before it is not known without
reading them). The key of a record across pieces is its ``byte_offset``
(absolute in its file), with the file's path when there are several files
(``include_path``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marcmap import _fsspec

if TYPE_CHECKING:
    import pyarrow as pa

PathsLike = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]

SHAPES = ("records", "subfields", "columns")

# The options of ``to_arrow`` itself; every other option goes to ``MARCReader``.
ARROW_OPTIONS = ("binary", "raw", "batch_size", "threads")

DEFAULT_BLOCKSIZE = 128 << 20

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 1 << 10,
    "mib": 1 << 20,
    "gib": 1 << 30,
    "tib": 1 << 40,
}


def parse_size(size: int | str) -> int:
    """Bytes from ``128 << 20``, ``"128 MiB"``, ``"64MB"`` or ``"1 GiB"``."""
    if isinstance(size, bool):
        raise TypeError("blocksize must be a number of bytes or a string such as '128 MiB'")
    if isinstance(size, int):
        value = size
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", size)
        if match is None or match.group(2).lower() not in _UNITS:
            raise ValueError(f"blocksize {size!r} is not a size such as '128 MiB' or '64MB'")
        value = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if value <= 0:
        raise ValueError(f"blocksize must be positive, not {size!r}")
    return value


@dataclass(frozen=True)
class MarcFile:
    """One file to read: a local path (memory-mapped) or an fsspec URL."""

    source: str
    size: int
    # fsspec's storage options for a URL (credentials, endpoints): they travel
    # with each piece to the worker that opens it.
    storage_options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Piece:
    """Bytes ``start`` to ``end`` of a file: its records are those starting there."""

    file: MarcFile
    start: int
    end: int

    @property
    def source(self) -> str:
        return self.file.source


def _is_url(text: str) -> bool:
    return "://" in text


def _expand_url(url: str, storage_options: Mapping[str, Any]) -> list[MarcFile]:
    fsspec = _fsspec.import_fsspec(url)
    fs, _token, paths = fsspec.core.get_fs_token_paths(url, storage_options=dict(storage_options))
    if isinstance(fs, fsspec.implementations.local.LocalFileSystem):
        # file:// is mapped like any local path.
        return [MarcFile(p, os.path.getsize(p)) for p in sorted(paths)]
    out = []
    for p in sorted(paths):
        full = fs.unstrip_protocol(p)
        out.append(MarcFile(full, int(fs.size(p)), dict(storage_options)))
    if not out and not glob.has_magic(url):
        raise FileNotFoundError(f"no such file: {url!r}")
    return out


def expand(paths: PathsLike, storage_options: Mapping[str, Any] | None = None) -> list[MarcFile]:
    """The files named by a path, a URL, a glob of either, or a list of them, in
    the order given (each glob's matches sorted). A name that matches nothing is
    a ``FileNotFoundError``."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files: list[MarcFile] = []
    for item in items:
        text = os.fspath(item)
        if _is_url(text):
            found = _expand_url(text, storage_options or {})
        elif glob.has_magic(text):
            found = [MarcFile(p, os.path.getsize(p)) for p in sorted(glob.glob(text))]
        else:
            found = [MarcFile(text, os.stat(text).st_size)]
        if not found:
            raise FileNotFoundError(f"no file matches {text!r}")
        files.extend(found)
    if not files:
        raise FileNotFoundError("no MARC files were given")
    return files


def pieces(files: Sequence[MarcFile], blocksize: int) -> list[Piece]:
    """Each file cut into equal blocks of ``blocksize`` bytes (the last shorter).
    An empty file gives one empty piece, so that every file is seen."""
    out = []
    for f in files:
        if f.size == 0:
            out.append(Piece(f, 0, 0))
            continue
        for start in range(0, f.size, blocksize):
            out.append(Piece(f, start, min(start + blocksize, f.size)))
    return out


def split_options(options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(MARCReader options, to_arrow options)``. ``threads`` is ``to_arrow``'s
    and defaults to 1: the engine runs one piece per core already, and a piece
    that took every core too would oversubscribe them."""
    reader = {k: v for k, v in options.items() if k not in ARROW_OPTIONS}
    arrow = {k: v for k, v in options.items() if k in ARROW_OPTIONS}
    arrow.setdefault("threads", 1)
    return reader, arrow


@dataclass(frozen=True)
class Request:
    """What to read from each piece: ``to_arrow``'s shape, columns and options."""

    shape: str = "records"
    columns: Any = None
    first: bool = False
    include_path: bool = False
    reader_options: Mapping[str, Any] = field(default_factory=dict)
    arrow_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {self.shape!r}")
        if self.shape == "columns" and not self.columns:
            raise ValueError('shape="columns" needs columns, such as {"id": "001"}')


@contextlib.contextmanager
def _opened(piece: Piece, request: Request) -> Iterator[Any]:
    from marcmap import MARCReader

    with (
        _fsspec.storage_options(piece.file.storage_options),
        MARCReader(
            piece.source, byte_range=(piece.start, piece.end), **request.reader_options
        ) as reader,
    ):
        yield reader


def _arrow_stream(reader: Any, request: Request) -> Any:
    kwargs = dict(request.arrow_options)
    if request.shape == "columns" or request.columns is not None:
        kwargs["columns"] = request.columns
    return reader.to_arrow(request.shape, first=request.first, **kwargs)


def _with_path(batch: pa.RecordBatch, path: str) -> pa.RecordBatch:
    import pyarrow as pa

    column = pa.array([path] * batch.num_rows, pa.string())
    return pa.RecordBatch.from_arrays(
        [*batch.columns, column], schema=batch.schema.append(pa.field("path", pa.string(), False))
    )


def schema(piece: Piece, request: Request) -> pa.Schema:
    """The Arrow schema every piece's batches have, read from ``to_arrow`` on an
    empty range of the first file (no record is read)."""
    import pyarrow as pa

    empty = Piece(piece.file, 0, 0)
    with _opened(empty, request) as reader:
        result = pa.schema(_arrow_stream(reader, request))
    if request.include_path:
        result = result.append(pa.field("path", pa.string(), False))
    return result


def read_batches(piece: Piece, request: Request) -> Iterator[pa.RecordBatch]:
    """The piece's records as Arrow batches, in file order."""
    import pyarrow as pa

    with _opened(piece, request) as reader:
        arrow = _arrow_stream(reader, request)
        try:
            for batch in pa.RecordBatchReader.from_stream(arrow):
                yield _with_path(batch, piece.source) if request.include_path else batch
        finally:
            # Also when the engine stops reading early (a LIMIT, a cancelled
            # task): the null rows handed out so far are reported.
            _report_nulled(piece, arrow.errors)


def _report_nulled(piece: Piece, errors: list[Any]) -> None:
    """Warns of the records of ``piece`` made null (on a worker, into its log):
    none is left out unsaid."""
    if not errors:
        return
    import warnings

    from marcmap.errors import SkippedRecordsWarning

    n = len(errors)
    message = (
        f"{piece.source} (bytes {piece.start}-{piece.end}): {n} record"
        f"{'s' * (n > 1)} could not be read and {'were' if n > 1 else 'was'} made null;"
        f" the first: {errors[0]}"
    )
    warnings.warn(SkippedRecordsWarning(message, errors), stacklevel=2)


def read_table(piece: Piece, request: Request, arrow_schema: pa.Schema) -> pa.Table:
    """The piece's records as one Arrow table of ``arrow_schema``."""
    import pyarrow as pa

    return pa.Table.from_batches(list(read_batches(piece, request)), schema=arrow_schema)


def require(module: str, extra: str) -> Any:
    """Imports an engine, or says which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"marcmap.{extra} needs {module.split('.')[0]}: pip install 'marcmap[{extra}]'"
        ) from e
