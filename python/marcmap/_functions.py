"""pymarc's module-level helpers, over marcmap's reader."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from marcmap._marcmap import MARCReader, Record


def map_records(f: Callable[[Record[Any] | None], Any], *files: str | bytes | IO[bytes]) -> None:
    """Applies `f` to each record of each file in turn, as pymarc's
    ``map_records``: a bad record is passed as ``None``."""
    for file in files:
        for record in MARCReader(file):
            f(record)
