"""The stubs type values as precisely as the reader's options allow: checked by
running mypy on a script that pymarc users would write."""

from __future__ import annotations

import textwrap
from pathlib import Path

SCRIPT = """
from typing import assert_type
import marcmap

reader = marcmap.MARCReader("catalogue.mrc")
record = reader[0]
assert record is not None
assert_type(record, marcmap.Record[str])
assert_type(record["245"]["a"], str)
assert_type(record["245"].get("a"), str | None)
assert_type(record["245"].get("a", ""), str)
assert_type(record.title, str | None)
assert_type(record.leader, marcmap.Leader)
assert_type(record.leader.coding_scheme, str)
assert_type(reader.extract("245$a"), list[list[str]])
assert_type(reader.extract("245$a", first=True), list[str | None])
for r in reader:
    if r is not None:
        assert_type(r.fields, marcmap.FieldList[str])
        assert_type(r.get_fields("650"), list[marcmap.Field[str]])
        assert_type(r.fields[0].subfields, marcmap.SubfieldList)

raw = marcmap.MARCReader(b"", to_unicode=False)
rec = raw[0]
assert rec is not None
assert_type(rec["245"]["a"], bytes)
assert_type(raw.extract("001", first=True), list[bytes | None])
"""


def test_values_are_typed_by_to_unicode(tmp_path: Path) -> None:
    import mypy.api as api  # a test dependency: missing, it fails (no skip)

    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(SCRIPT))
    out, err, status = api.run(["--strict", "--no-incremental", str(script)])
    assert status == 0, out + err
