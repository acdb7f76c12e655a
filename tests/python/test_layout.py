"""The crate's layout: no dependency cycle between the core's top-level modules.

A top-level module is a file ``src/X.rs`` or a directory ``src/X/``; the core is
every one of them except ``src/python/`` (the bindings) and ``lib.rs``. A module
depends on the modules its code names through ``crate::`` (``crate::X::…``,
``use crate::{X, Y::…}``, and names lib.rs re-exports, ``crate::MarcFile`` being
``file``) and through ``super::`` that climbs out of it. Comments and
``#[cfg(test)]`` items are not counted: a test may use the whole crate.

The bindings (``src/python/``) have no cycle either, between their own
top-level modules (``src/python/X.rs`` or ``src/python/X/``, whose files count
as ``X``): there a module depends on the modules it names through ``super::``
that climbs out of it and ``crate::python::`` (``self::`` stays inside it, and
``crate::X`` is the core).

The bindings use only the core's public API: ``src/python/`` names no item the
core declares ``pub(crate)`` (in a ``crate::`` path, or as ``Type::name(`` or
``.name(``), and what the core hides from its documentation for them
(``#[doc(hidden)]``) says why, in a ``// Hidden: …`` comment above it.

This reads only the Rust sources, so it needs neither marcmap nor the corpus.
Run it as a script to print both graphs and their layers (or their cycles):
``python tests/python/test_layout.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
BINDINGS = "python"


def code_of(text: str) -> str:
    """`text` without comments and string or char literals (each becomes ``""``)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif raw := re.match(r'b?r(#*)"', text[i : i + 300]):
            close = '"' + raw.group(1)
            end = text.find(close, i + raw.end())
            i = n if end < 0 else end + len(close)
            out.append('""')
        elif c == '"' or text.startswith('b"', i):
            i += 2 if c == "b" else 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'" and (char := re.match(r"'(\\[^']+|[^\\'])'", text[i : i + 12])):
            i += char.end()
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def without_tests(code: str) -> str:
    """`code` without the items under ``#[cfg(test)]``."""
    while (at := code.find("#[cfg(test)]")) >= 0:
        i = at + len("#[cfg(test)]")
        while True:  # further attributes on the same item
            while code[i].isspace():
                i += 1
            if not code.startswith("#[", i):
                break
            depth = 0
            while True:
                depth += {"[": 1, "]": -1}.get(code[i], 0)
                i += 1
                if depth == 0 and code[i - 1] == "]":
                    break
        brace, semi = code.find("{", i), code.find(";", i)
        if semi >= 0 and (brace < 0 or semi < brace):
            end = semi + 1
        else:
            depth, end = 0, brace
            while True:
                depth += {"{": 1, "}": -1}.get(code[end], 0)
                end += 1
                if depth == 0:
                    break
        code = code[:at] + code[end:]
    return code


def modules(root: Path) -> dict[str, list[Path]]:
    """The top-level modules under `root` and their files."""
    found: dict[str, list[Path]] = {}
    for path in sorted(root.iterdir()):
        if path.is_dir():
            found[path.name] = sorted(path.rglob("*.rs"))
        elif path.suffix == ".rs" and path.name not in ("lib.rs", "mod.rs"):
            found[path.stem] = [path]
    return found


def reexports(lib: Path) -> dict[str, str]:
    """The names lib.rs re-exports (``pub use X::{A, B}``) and their modules."""
    names = {}
    for use in re.finditer(r"pub use (\w+)::(\{[^}]*\}|\w+);", code_of(lib.read_text())):
        for name in re.findall(r"\w+", use.group(2)):
            names[name] = use.group(1)
    return names


def heads(group: str) -> list[str]:
    """The first segment of each path in a ``use`` group's body ``a::B, c, d::{e}``."""
    firsts, depth, start = [], 0, True
    for token in re.findall(r"\w+|::|[{},]", group):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif token == "," and depth == 0:
            start = True
        elif start and token not in ("::", ","):
            firsts.append(token)
            start = False
    return firsts


def named(code: str, path: list[str], root: tuple[str, ...] = ()) -> set[str]:
    """The top-level names `code`, in the module at `path` under the root, names
    through ``crate::`` or ``super::``. `root` is the root's own path in the
    crate (``("python",)`` for the bindings): ``crate::`` counts only when
    followed by it."""
    names = set()
    prefix = "".join(rf"\s*::\s*{segment}" for segment in root)
    for m in re.finditer(rf"(?<![\w$])crate{prefix}\s*::\s*(?:(\w+)|\{{)", code):
        if m.group(1):
            names.add(m.group(1))
        else:
            depth, i = 1, m.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(code[i], 0)
                i += 1
            names.update(heads(code[m.end() : i - 1]))
    for m in re.finditer(r"(?<![\w:])((?:super\s*::\s*)+)(\w+|\{)", code):
        up = m.group(1).count("super")
        if up < len(path):
            names.add(path[0])  # still inside the top-level module
        elif up == len(path) and m.group(2) != "{":
            names.add(m.group(2))
        elif up == len(path):
            depth, i = 1, m.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(code[i], 0)
                i += 1
            names.update(heads(code[m.end() : i - 1]))
    names.discard("self")
    return names


def graph(root: Path, lib: Path | None) -> dict[str, set[str]]:
    """Each top-level module under `root` and the others it names: `root` is
    ``src/`` with `lib` its lib.rs, or a module's folder (``src/python/``)
    without one."""
    mods = modules(root)
    alias = reexports(lib) if lib else {}
    edges: dict[str, set[str]] = {}
    for name, files in mods.items():
        deps = set()
        for file in files:
            parts = list(file.relative_to(root).with_suffix("").parts)
            if parts[-1] == "mod":
                parts.pop()
            code = without_tests(code_of(file.read_text()))
            within = () if lib else root.relative_to(SRC).parts
            for dep in named(code, parts if lib else [name] + parts[1:], within):
                deps.add(alias.get(dep, dep))
        edges[name] = {d for d in deps if d in mods and d != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def core() -> dict[str, set[str]]:
    edges = graph(SRC, SRC / "lib.rs")
    del edges[BINDINGS]
    return {m: deps - {BINDINGS} for m, deps in edges.items()}


def bindings() -> dict[str, set[str]]:
    """The bindings' top-level modules and the others each names."""
    return graph(SRC / BINDINGS, None)


def layers(edges: dict[str, set[str]]) -> list[list[str]]:
    """The modules of an acyclic graph by depth: each layer names only lower ones."""
    depth: dict[str, int] = {}

    def of(m: str) -> int:
        if m not in depth:
            depth[m] = 1 + max((of(d) for d in edges[m]), default=-1)
        return depth[m]

    out: list[list[str]] = []
    for m in sorted(edges):
        d = of(m)
        out.extend([] for _ in range(d + 1 - len(out)))
        out[d].append(m)
    return out


def test_the_checker_sees_the_crate() -> None:
    edges = core()
    assert {"file", "record", "error", "text"} <= edges.keys()
    assert "error" in edges["record"]
    assert "record" in edges["file"]


def test_the_checker_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    code = without_tests(
        code_of("use crate::{a::B, c}; // crate::d\n#[cfg(test)]\nmod t { use crate::e; }")
    )
    assert named(code, ["x"]) == {"a", "c"}
    assert named("use super::{y, z};", ["x", "w"]) == {"x"}


def described(edges: dict[str, set[str]], found: list[list[str]]) -> str:
    """Each cycle of `found` and, for each module in it, what it names in it."""
    return "\n".join(
        " <-> ".join(c) + "\n" + "\n".join(f"  {m} -> {sorted(edges[m] & set(c))}" for m in c)
        for c in found
    )


def test_no_cycle_between_core_modules() -> None:
    edges = core()
    found = cycles(edges)
    assert not found, "cycles between the core's top-level modules:\n" + described(edges, found)


def test_the_checker_reads_the_bindings_paths() -> None:
    code = "use super::{a, b::C};\nuse crate::python::d::E;\nuse crate::text::F;\nself::g::h();"
    assert named(code, ["x"], ("python",)) == {"a", "b", "d"}
    assert named("use super::super::{a, b};\nuse super::c;", ["x", "y"], ("python",)) == {
        "a",
        "b",
        "x",
    }
    assert named("use crate::python::{a::B, c};", ["x"], ("python",)) == {"a", "c"}


def test_the_checker_sees_the_bindings() -> None:
    edges = bindings()
    assert {"reader", "record", "owned", "errors", "text"} <= edges.keys()
    assert "record" in edges["reader"]
    assert "record" in edges["owned"] and "args" in edges["record"]
    assert "errors" in edges["text"]
    # `crate::text` in the bindings is the core's, not `src/python/text.rs`.
    assert "text" not in edges["errors"]


def test_no_cycle_between_binding_modules() -> None:
    edges = bindings()
    found = cycles(edges)
    assert not found, "cycles between the bindings' top-level modules:\n" + described(edges, found)


# An item's kind and name, after its visibility (`extern "C"` is `extern ""` in `code_of`).
ITEM = (
    r"(?:(?:unsafe|async|const|extern\s*\"\")\s+)*"
    r"(fn|struct|enum|trait|const|static|type|mod)\s+(\w+)"
)


def core_files() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.rs")) if BINDINGS not in p.relative_to(SRC).parts[:1]]


def declared(code: str, visibility: str) -> dict[str, set[str]]:
    """The names `code` declares with `visibility` (``pub(crate)`` or ``pub``),
    by kind (``fn``, ``struct``...)."""
    out: dict[str, set[str]] = {}
    vis = re.escape(visibility) + (r"(?!\s*\()" if visibility == "pub" else "")
    for m in re.finditer(rf"(?<![\w$]){vis}\s+{ITEM}", code):
        out.setdefault(m.group(1), set()).add(m.group(2))
    return out


def crate_only(files: list[Path]) -> tuple[set[str], set[str]]:
    """The names `files` declare ``pub(crate)`` and never ``pub``: as any item
    (for paths), and as functions (for method calls)."""
    crate: dict[str, set[str]] = {}
    public: dict[str, set[str]] = {}
    for file in files:
        code = without_tests(code_of(file.read_text()))
        for kind, names in declared(code, "pub(crate)").items():
            crate.setdefault(kind, set()).update(names)
        for kind, names in declared(code, "pub").items():
            public.setdefault(kind, set()).update(names)
    every_crate = set().union(*crate.values())
    every_public = set().union(*public.values())
    return every_crate - every_public, crate.get("fn", set()) - public.get("fn", set())


def used(code: str) -> tuple[set[str], set[str]]:
    """The names `code` uses through ``crate::`` paths (every segment, ``use``
    groups included, ``crate::python::`` left out), and those it calls as
    ``Type::name(`` or ``.name(``."""
    paths = set()
    for m in re.finditer(r"(?<![\w$])crate\s*::", code):
        i, depth = m.end(), 0
        while i < len(code) and (code[i] in "{},:" or code[i].isalnum() or code[i] in "_ \n"):
            if code[i] == "{":
                depth += 1
            elif code[i] == "}":
                if depth == 0:
                    break
                depth -= 1
            elif code[i] in ", " and depth == 0:
                break
            i += 1
        segment = code[m.end() : i]
        if not re.match(r"\s*python\b", segment):
            paths.update(re.findall(r"[A-Za-z_]\w*", segment))
    calls = set(re.findall(r"(?:\.|::)\s*(\w+)\s*(?:::\s*<[^>]*>\s*)?\(", code))
    return paths, calls


# Methods of std types that the bindings call and a crate-private core type also
# declares (`Vec::append`, `String::push_str`...): the call is not the core's.
STD_METHODS = {"append", "push_str", "truncate", "with_capacity"}


def private_uses(bindings: list[Path], core: list[Path]) -> dict[str, set[str]]:
    """Each binding file and the core's ``pub(crate)`` names it uses (a function
    the bindings declare themselves, or a std method, is not the core's)."""
    crate_items, crate_fns = crate_only(core)
    theirs = set(STD_METHODS)
    codes = {f: without_tests(code_of(f.read_text())) for f in bindings}
    for code in codes.values():
        theirs.update(m.group(2) for m in re.finditer(rf"(?<![\w$]){ITEM}", code))
    found = {}
    for file, code in codes.items():
        paths, calls = used(code)
        names = (paths & crate_items) | ((calls & crate_fns) - theirs)
        if names:
            where = file.relative_to(SRC).as_posix() if file.is_relative_to(SRC) else file.name
            found[where] = names
    return found


def test_the_checker_finds_a_private_use(tmp_path: Path) -> None:
    core_rs = tmp_path / "core.rs"
    core_rs.write_text(
        "pub(crate) struct Hook;\npub(crate) fn located() {}\npub(crate) fn shared() {}\n"
        "pub fn shared() {}\npub struct Open;\npub(crate) mod inner { pub fn f() {} }\n"
    )
    binding = tmp_path / "binding.rs"
    binding.write_text(
        "use crate::core::{Hook, Open};\nfn g(r: R) { r.located(1, 2); r.shared(); }\n"
        "fn h() { crate::inner::f(); crate::python::Hook; }\n// crate::core::Hook\n"
    )
    assert private_uses([binding], [core_rs]) == {"binding.rs": {"Hook", "located", "inner"}}


def test_the_bindings_use_only_the_public_api() -> None:
    bindings_files = sorted((SRC / BINDINGS).rglob("*.rs"))
    found = private_uses(bindings_files, core_files())
    assert not found, "the bindings use pub(crate) items of the core:\n" + "\n".join(
        f"  {f}: {sorted(names)}" for f, names in sorted(found.items())
    )


def test_what_the_core_hides_says_why() -> None:
    unexplained = []
    for file in core_files():
        lines = file.read_text().splitlines()
        for n, line in enumerate(lines):
            if line.strip() != "#[doc(hidden)]":
                continue
            above = n - 1
            while above >= 0 and lines[above].lstrip().startswith(("#[", "///")):
                above -= 1
            comment: list[str] = []
            while above >= 0 and lines[above].lstrip().startswith("//"):
                comment.insert(0, lines[above].strip())
                above -= 1
            if not (comment and comment[0].startswith("// Hidden:")):
                unexplained.append(f"{file.relative_to(SRC)}:{n + 1}")
    assert not unexplained, "#[doc(hidden)] without a `// Hidden: why` comment: " + ", ".join(
        unexplained
    )


if __name__ == "__main__":
    edges = core()
    for m in sorted(edges):
        print(f"{m}: {' '.join(sorted(edges[m]))}")
    found = cycles(edges)
    for c in found:
        print("CYCLE:", " ".join(c))
    if not found:
        for d, layer in enumerate(layers(edges)):
            print(f"layer {d}: {' '.join(layer)}")
    edges = bindings()
    for m in sorted(edges):
        print(f"python/{m}: {' '.join(sorted(edges[m]))}")
    found = cycles(edges)
    for c in found:
        print("BINDINGS CYCLE:", " ".join(c))
    if not found:
        for d, layer in enumerate(layers(edges)):
            print(f"python layer {d}: {' '.join(layer)}")
