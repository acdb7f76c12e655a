"""pymarc's ``pymarc.reader``: the ``Reader`` base class and the readers."""

from __future__ import annotations

from abc import ABC

from marcmap._functions import map_records
from marcmap._marcmap import MARCReader
from marcmap._readers import JSONReader, MARCMakerReader
from marcmap.constants import END_OF_RECORD  # noqa: F401 - pymarc.reader's names


class Reader(ABC):  # noqa: B024 - pymarc's base class has no abstract method either
    """The base class of pymarc's readers, to subclass for a reader of your own;
    marcmap's readers are registered as its subclasses (``isinstance`` holds)."""


Reader.register(MARCReader)
Reader.register(JSONReader)
Reader.register(MARCMakerReader)

__all__ = ["JSONReader", "MARCMakerReader", "MARCReader", "Reader", "map_records"]
