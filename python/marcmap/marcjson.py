"""pymarc's ``pymarc.marcjson``: MARC-in-JSON to records."""

from __future__ import annotations

from typing import IO, Any

from marcmap._marcmap import Field, Record
from marcmap._readers import JSONReader
from marcmap._types import Indicators, Leader


class JSONHandler:
    """pymarc's handler of MARC-in-JSON dicts: ``elements(dicts)`` gives
    records, each passed to ``process_record`` (to override for streaming)."""

    def __init__(self) -> None:
        self.records: list[Record[str]] = []

    def element(self, element_dict: dict[str, Any], name: str | None = None) -> None:
        """Makes a record of one MARC-in-JSON dict and processes it."""
        record: Record[str] = Record()
        record.leader = Leader(element_dict["leader"])
        for field in element_dict["fields"]:
            ((tag, body),) = field.items()
            if isinstance(body, dict):
                new = Field(tag, Indicators(body["ind1"], body["ind2"]))
                for sub in body["subfields"]:
                    ((code, value),) = sub.items()
                    new.add_subfield(code, value)
            else:
                new = Field(tag, data=body)
            record.add_field(new)
        self.process_record(record)

    def elements(self, dict_list: list[dict[str, Any]] | dict[str, Any]) -> list[Record[str]]:
        """Makes a record of each dict; gives ``records``."""
        for rec in dict_list if isinstance(dict_list, list) else [dict_list]:
            self.element(rec)
        return self.records

    def process_record(self, record: Record[str]) -> None:
        """Appends ``record`` to ``records``."""
        self.records.append(record)


def parse_json_to_array(json_file: str | bytes | IO[str] | IO[bytes]) -> list[Record[str]]:
    """Every record of a MARC-in-JSON document (a path, the JSON itself, or a file)."""
    return [r for r in JSONReader(json_file) if r is not None]


__all__ = ["JSONHandler", "JSONReader", "parse_json_to_array"]
