"""Reading through fsspec: ``MARCReader(url, ...)`` and ``marcmap.partitions(url)``
for ``s3://``, ``gs://``, ``file://``, ``memory://`` and any other fsspec URL.

Only local files can be memory-mapped, so a URL's bytes are read into memory:
the whole object, or for a byte range only a window around its start (to find
its first record) and the range with the tail of its last record, each with one
``fs.cat_file(path, start, end)``. fsspec is needed only for URLs.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping
from typing import Any

# fsspec's storage options (credentials, endpoints) for the URLs opened in this
# context: the engines' workers set them around each piece they open, since
# ``MARCReader(url)`` itself takes none.
_storage_options: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "marcmap_storage_options", default=None
)


@contextlib.contextmanager
def storage_options(options: Mapping[str, Any]) -> Iterator[None]:
    """Opens URLs with fsspec's ``options`` inside the ``with`` block."""
    token = _storage_options.set(options)
    try:
        yield
    finally:
        _storage_options.reset(token)


def import_fsspec(url: str) -> Any:
    """fsspec, or an ``ImportError`` saying that reading ``url`` needs it."""
    try:
        import fsspec  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as e:
        raise ImportError(
            f"reading {url!r} needs fsspec (pip install fsspec, with the package for its "
            "protocol, such as s3fs or gcsfs)"
        ) from e
    return fsspec


def open_url(url: str) -> tuple[int, Callable[[int, int], bytes]]:
    """The size of the object at ``url``, and a function reading its bytes
    ``start`` to ``end``."""
    fsspec = import_fsspec(url)
    fs, path = fsspec.core.url_to_fs(url, **(_storage_options.get() or {}))
    size = int(fs.size(path))

    def read(start: int, end: int) -> bytes:
        return bytes(fs.cat_file(path, start=start, end=end))

    return size, read
