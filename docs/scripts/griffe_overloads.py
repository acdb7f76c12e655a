"""A griffe extension for the API reference: stub-only overloads become members.

In a ``.pyi`` stub an overloaded method has no implementation, so griffe keeps
its ``@overload`` signatures aside and lists no member of that name
(``MARCReader.extract``, ``MARCReader.__getitem__``). This adds one, with the
last overload's signature, the others as its overloads, and the docstring one of
them carries.
"""

from __future__ import annotations

from typing import Any

import griffe


class StubOverloads(griffe.Extension):
    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        for name, overloads in list(cls.overloads.items()):
            if not overloads or name in cls.members:
                continue
            last = overloads[-1]
            function = griffe.Function(
                name,
                lineno=last.lineno,
                endlineno=last.endlineno,
                parameters=last.parameters,
                returns=last.returns,
                docstring=next((o.docstring for o in overloads if o.docstring), None),
                parent=cls,
            )
            # The last overload is the member's own signature: rendered once.
            function.overloads = overloads[:-1]
            cls.set_member(name, function)
            del cls.overloads[name]
