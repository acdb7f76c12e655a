"""MARC files as a Dask DataFrame: ``marcmap.dask.read_marc``.

Needs ``pip install 'marcmap[dask]'`` (dask's DataFrame, pandas and pyarrow);
``import marcmap`` does not import this module or dask.

::

    import marcmap.dask
    df = marcmap.dask.read_marc("s3://bucket/books/*.mrc", "columns",
                                {"id": "001", "subject": "650$a"})
    df.explode("subject")["subject"].value_counts().compute()

Each partition is one equal block of a file (``blocksize``), read on a worker
with ``MARCReader(source, byte_range=...)`` and ``to_arrow``: the driver reads
only the files' sizes (``marcmap._pieces`` says why blocks and not
``partitions()``). The columns are pyarrow-backed (``pd.ArrowDtype``) and the
same as ``to_arrow``'s for the shape.
"""

from __future__ import annotations

from typing import Any

from marcmap import _pieces

__all__ = ["read_marc"]


class _ReadPiece:
    """The function ``dd.from_map`` calls on each piece (a class, so that it
    pickles to the workers with what it reads)."""

    def __init__(self, request: _pieces.Request, arrow_schema: Any) -> None:
        self.request = request
        self.arrow_schema = arrow_schema

    def __call__(self, piece: _pieces.Piece) -> Any:
        import pandas as pd

        table = _pieces.read_table(piece, self.request, self.arrow_schema)
        return table.to_pandas(types_mapper=pd.ArrowDtype)


def read_marc(
    paths: _pieces.PathsLike,
    shape: str = "records",
    columns: Any = None,
    *,
    first: bool = False,
    blocksize: int | str = "128 MiB",
    storage_options: dict[str, Any] | None = None,
    include_path: bool = False,
    **reader_options: Any,
) -> Any:
    """A lazy ``dask.dataframe.DataFrame`` of the MARC records in ``paths``.

    ``paths``: a local path, an fsspec URL (``s3://``, ``gs://``, ``file://``,
    ...), a glob of either, or a list of them. ``shape``, ``columns`` and
    ``first`` are ``MARCReader.to_arrow``'s: ``"records"`` (a row a record,
    its fields nested), ``"subfields"`` (a row a subfield or control field) or
    ``"columns"`` (``columns`` maps names to extract specs such as
    ``{"id": "001", "title": "245$a"}``).

    ``blocksize`` (bytes, or a string such as ``"64 MiB"``): one partition per
    block of each file; a partition holds the records that start in its block.
    ``storage_options`` go to fsspec for URLs. ``include_path`` adds a ``path``
    column naming each row's file. Other keyword arguments are ``MARCReader``'s
    (``framing``, ``validation``, ``file_encoding``, ...) or ``to_arrow``'s
    (``binary``, ``raw``, ``batch_size``; ``threads`` defaults to 1 a partition,
    since Dask runs a partition per core).

    ``record_index`` counts from each partition's first record, as a byte range's
    reader counts; a record's key across partitions is ``byte_offset`` (with
    ``path`` when there are several files). The partitions' rows, in order, are
    exactly the whole files' ``to_arrow`` rows.
    """
    dd = _pieces.require("dask.dataframe", "dask")
    pd = _pieces.require("pandas", "dask")
    reader, arrow = _pieces.split_options(reader_options)
    request = _pieces.Request(shape, columns, first, include_path, reader, arrow)
    files = _pieces.expand(paths, storage_options)
    pieces = _pieces.pieces(files, _pieces.parse_size(blocksize))
    arrow_schema = _pieces.schema(pieces[0], request)
    meta = arrow_schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    return dd.from_map(
        _ReadPiece(request, arrow_schema),
        pieces,
        meta=meta,
        label="read-marc",
        enforce_metadata=False,
    )
