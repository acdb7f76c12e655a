"""pymarc's ``pymarc.writer``: the ``Writer`` base class and the writers."""

from __future__ import annotations

from abc import ABC
from typing import IO, Any

from marcmap._marcmap import JSONWriter, MARCWriter, OwnedRecord, Record, TextWriter, XMLWriter
from marcmap.errors import WriteNeedsRecord


class Writer(ABC):  # noqa: B024 - pymarc's base class has no abstract method either
    """The base class of pymarc's writers, to subclass for a writer of your own
    (``write`` checks its argument is a record, ``close`` closes the file);
    marcmap's writers are registered as its subclasses (``isinstance`` holds)."""

    def __init__(self, file_handle: IO[Any]) -> None:
        self.file_handle: IO[Any] | None = file_handle

    def write(self, record: Any) -> None:
        """Checks that ``record`` is a record (``WriteNeedsRecord`` if not)."""
        if not isinstance(record, (Record, OwnedRecord)):
            raise WriteNeedsRecord(f"a writer writes records, not {type(record).__name__}")

    def close(self, close_fh: bool = True) -> None:
        """Closes the writer, and its file unless ``close_fh=False``."""
        if close_fh and self.file_handle:
            self.file_handle.close()
        self.file_handle = None


for _cls in (MARCWriter, JSONWriter, TextWriter, XMLWriter):
    Writer.register(_cls)

__all__ = ["JSONWriter", "MARCWriter", "TextWriter", "Writer", "XMLWriter"]
