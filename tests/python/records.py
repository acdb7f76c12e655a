"""Builds small ISO 2709 records (good and deliberately damaged) for the tests."""

from __future__ import annotations

FT, RT, SF = b"\x1e", b"\x1d", b"\x1f"


def build(fields: list[tuple[str, bytes]], leader9: bytes = b"a") -> bytes:
    """A valid record: `fields` are (tag, data-without-terminator)."""
    directory = b""
    data = b""
    for tag, value in fields:
        body = value + FT
        directory += tag.encode() + b"%04d%05d" % (len(body), len(data))
        data += body
    base = 24 + len(directory) + 1
    length = base + len(data) + 1
    leader = b"%05dnam " % length + leader9 + b"22%05d   4500" % base
    assert len(leader) == 24
    return leader + directory + FT + data + RT


def simple(cn: str = "1", title: str = "A title", leader9: bytes = b"a") -> bytes:
    return build(
        [
            ("001", cn.encode()),
            ("245", b"10" + SF + b"a" + title.encode() + SF + b"cBy someone."),
            ("650", b" 0" + SF + b"aHistory" + SF + b"xStudy."),
            ("650", b" 0" + SF + b"aArt."),
        ],
        leader9,
    )
