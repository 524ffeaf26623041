"""Changing a table in place when only the members of its named sets and maps differ.

A ruleset (rulesets.py) declares the sets and maps whose members come and go with
endpoints one to a line, nothing else on it: `set NAME { type T; elements = { a, b } }`
or `map NAME { typeof K : V; elements = { k : v } }` (`members` writes them). `skeleton`
is a body with those members taken out: two bodies with the same skeleton differ only in
members, and `update` is the nft script that deletes and adds just those, so one more
ENI behind an NLB with hundreds costs a few elements instead of the whole table. Pure: no
I/O (nft.py runs the script).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DECLARATION = re.compile(r"^(\s*(?:set|map) (\S+) \{ [^{}]*?)(?: elements = \{ (.*) \};)? \}$")


def members(kind: str, name: str, spec: str, elements: Iterable[str]) -> str:
    """One line declaring a named set or map (`kind`) with its members; `spec` is its
    type ("type ifname", "typeof iifname : ct mark"). Duplicates are dropped."""
    listed = sorted(set(elements))
    inner = f" elements = {{ {', '.join(listed)} }};" if listed else ""
    return f"{kind} {name} {{ {spec};{inner} }}"


def split(body: str) -> tuple[str, dict[str, dict[str, str]]]:
    """(the body without members, each named set's or map's members by key: a map's
    member is keyed by what precedes " : ", a set's by itself)."""
    lines: list[str] = []
    found: dict[str, dict[str, str]] = {}
    for line in body.split("\n"):
        match = _DECLARATION.match(line)
        if match is None:
            lines.append(line)
            continue
        head, name, listed = match.groups()
        lines.append(f"{head} }}")
        items = listed.split(", ") if listed else []
        found[name] = {item.split(" : ")[0]: item for item in items}
    return "\n".join(lines), found


def skeleton(body: str) -> str:
    return split(body)[0]


def update(table: str, old: str, new: str) -> str | None:
    """The script that turns `table` (e.g. "inet plk") as `old` declared it into `new`;
    None when they differ in more than members (the table is then written whole). A
    member whose value changed is deleted and added again; deletions come first."""
    old_shape, old_members = split(old)
    new_shape, new_members = split(new)
    if old_shape != new_shape:
        return None
    lines = []
    for name, after in sorted(new_members.items()):
        before = old_members.get(name, {})
        gone = sorted(k for k, item in before.items() if after.get(k) != item)
        came = sorted(item for k, item in after.items() if before.get(k) != item)
        if gone:
            lines.append(f"delete element {table} {name} {{ {', '.join(gone)} }}")
        if came:
            lines.append(f"add element {table} {name} {{ {', '.join(came)} }}")
    return "\n".join(lines)
