"""pymarc's ``pymarc.leader``: the mutable ``Leader``."""

from __future__ import annotations

from marcmap._types import Leader
from marcmap.constants import LEADER_LEN  # noqa: F401 - pymarc.leader's names

__all__ = ["Leader"]
