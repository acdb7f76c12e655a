"""pymarc's ``pymarc.marc8``: ``marc8_to_unicode`` and ``MARC8ToUnicode``, on
marcmap's MARC-8 decoder (in Rust).

As pymarc's, ``marc8_to_unicode`` is lenient by default: bytes that are not
valid MARC-8 become U+FFFD, with a ``UnicodeWarning`` (none with
``hide_utf8_warnings=True``), where pymarc prints to stderr. ``errors="strict"``
raises ``Marc8DecodeError`` instead.
"""

from __future__ import annotations

import warnings
from typing import Literal

from marcmap._marcmap import marc8_to_unicode as _decode
from marcmap.errors import Marc8DecodeError

_Handling = Literal["strict", "replace", "ignore"]


def marc8_to_unicode(
    marc8: bytes | str,
    hide_utf8_warnings: bool = False,
    *,
    errors: _Handling | None = None,
    normalization: Literal["NFC", "NFD"] = "NFC",
    ligatures: Literal["lc", "pymarc"] = "lc",
) -> str:
    """Decodes MARC-8 bytes on their own (a field or subfield value).

    By default, as pymarc's: a byte that is not valid MARC-8 becomes U+FFFD and
    a ``UnicodeWarning`` says where (``hide_utf8_warnings=True``: no warning).
    ``errors``: ``"strict"`` raises ``Marc8DecodeError``, ``"replace"`` and
    ``"ignore"`` decode without a warning. A ``str`` is text already: it is
    given back as it is.
    """
    if isinstance(marc8, str):
        return marc8
    if errors is not None:
        return _decode(marc8, errors=errors, normalization=normalization, ligatures=ligatures)
    try:
        return _decode(marc8, errors="strict", normalization=normalization, ligatures=ligatures)
    except Marc8DecodeError as e:
        if not hide_utf8_warnings:
            warnings.warn(f"invalid MARC-8 replaced by U+FFFD: {e}", UnicodeWarning, stacklevel=2)
        return _decode(marc8, errors="replace", normalization=normalization, ligatures=ligatures)


class MARC8ToUnicode:
    """pymarc's converter object: ``MARC8ToUnicode(quiet=False).translate(bytes)``.

    ``G0`` and ``G1`` (the initial character sets) are pymarc's defaults, Basic
    Latin and ANSEL, which are MARC-8's: other starting sets are not supported.
    """

    basic_latin = 0x42
    ansel = 0x45

    def __init__(self, G0: int = basic_latin, G1: int = ansel, quiet: bool = False) -> None:
        if (self.basic_latin, self.ansel) != (G0, G1):
            raise ValueError("MARC8ToUnicode starts in Basic Latin (G0) and ANSEL (G1) only")
        self.g0, self.g1, self.quiet = G0, G1, quiet

    def translate(self, marc8_string: bytes | str) -> str:
        """The text of ``marc8_string``, decoded as ``marc8_to_unicode`` does."""
        return marc8_to_unicode(marc8_string, hide_utf8_warnings=self.quiet)


__all__ = ["MARC8ToUnicode", "marc8_to_unicode"]
