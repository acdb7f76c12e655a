"""``MARCReader.where(expr)``: the records that meet a filter expression, as a
lazy view. Nothing is read until the view is used. ``write`` tests each record
as it writes it, in one pass (``reader.write(where=expr)``), unless the records
were found already. The other uses (``extract``, ``to_arrow``, ``to_parquet``,
``len``, iteration) find the records once (``reader.filter``, on all cores
without the GIL) and then read only those, each pass without the GIL too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marcmap._marcmap import Expr, MARCReader, Record


class Selection:
    """The records of ``reader`` that meet ``expr``, in file order."""

    def __init__(self, reader: MARCReader[Any], expr: Expr) -> None:
        self._reader = reader
        self._expr = expr
        self._lock = threading.Lock()
        self._found: list[int] | None = None

    @property
    def expr(self) -> Expr:
        """The filter expression."""
        return self._expr

    def indices(self, *, threads: int | None = None) -> list[int]:
        """The indices of the records that meet the expression (found on the
        first use, on ``threads`` threads; every core by default)."""
        with self._lock:
            if self._found is None:
                self._found = self._reader.filter(self._expr, threads=threads)
            return list(self._found)

    def _found_on(self, options: dict[str, Any]) -> list[int]:
        """The indices, found (on first use) on the ``threads`` a use asks for:
        ``extract(..., threads=1)`` is one core throughout."""
        return self.indices(threads=options.get("threads"))

    def __len__(self) -> int:
        return len(self.indices())

    def __iter__(self) -> Iterator[Record[Any] | None]:
        reader = self._reader
        for i in self.indices():
            yield reader[i]

    def __repr__(self) -> str:
        return f"<Selection {str(self._expr)!r} of {self._reader!r}>"

    def write(self, target: Any, format: Any = "marc", **options: Any) -> Any:
        """``reader.write(target, format, **options)`` on these records. Unless
        they were found already, they are found as they are written, in one
        pass (``write(where=expr)``); the result's ``matched`` counts them.
        ``records=`` and ``where=`` are the selection's own, so not taken."""
        taken = sorted({"records", "where"} & options.keys())
        if taken:
            raise TypeError(f"Selection.write() chooses the records itself; got {taken[0]}=")
        with self._lock:
            found = self._found
        if found is None:
            return self._reader.write(target, format, where=self._expr, **options)
        result = self._reader.write(target, format, records=list(found), **options)
        return result._replace(matched=len(found))

    def extract(self, *specs: Any, **options: Any) -> list[Any]:
        """``reader.extract(*specs, records=..., **options)`` on these records."""
        return self._reader.extract(*specs, records=self._found_on(options), **options)

    def to_arrow(self, *args: Any, **options: Any) -> Any:
        """``reader.to_arrow(..., records=...)`` on these records."""
        return self._reader.to_arrow(*args, records=self._found_on(options), **options)

    def to_parquet(self, path: Any, *args: Any, **options: Any) -> Any:
        """``reader.to_parquet(path, ..., records=...)`` on these records."""
        return self._reader.to_parquet(path, *args, records=self._found_on(options), **options)
