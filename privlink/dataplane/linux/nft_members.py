"""Changing a table in place when only its members differ.

A ruleset (nlb_rulesets.py) declares the sets and maps whose members come and go with
endpoints one to a line, nothing else on it: `set NAME { type T; elements = { a, b } }`
or `map NAME { typeof K : V; elements = { k : v } }` (`members` writes them). Regular
chains (no hook: jumped to, like a security group's) come and go with them. `split`
takes both out of a body: two bodies with the same shape differ only in members and in
which regular chains they hold, and `update` is the nft script that adds and deletes just
those, so one more ENI behind an NLB with hundreds costs a few elements instead of the
whole table. A body is one object per line or per `chain NAME {` ... `}` block, as the
rulesets write them. Pure: no I/O (nft.py runs the script).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_DECLARATION = re.compile(r"^(\s*(?:set|map) (\S+) \{ [^{}]*?)(?: elements = \{ (.*) \};)? \}$")


def members(kind: str, name: str, spec: str, elements: Iterable[str]) -> str:
    """One line declaring a named set or map (`kind`) with its members; `spec` is its
    type ("type ifname", "typeof iifname : ct mark"). Duplicates are dropped."""
    listed = sorted(set(elements))
    inner = f" elements = {{ {', '.join(listed)} }};" if listed else ""
    return f"{kind} {name} {{ {spec};{inner} }}"


@functools.lru_cache(maxsize=64)  # a body is split as the new one, then as the old one
def split(body: str) -> tuple[str, dict[str, dict[str, str]], dict[str, str]]:
    """(the body's shape: without members and regular chains, each named set's or map's
    members by key (a map's member is keyed by what precedes " : ", a set's by itself),
    each regular chain's block by name). Shared by callers: read, never change it."""
    lines: list[str] = []
    found: dict[str, dict[str, str]] = {}
    chains: dict[str, str] = {}
    block: list[str] = []
    for line in body.split("\n"):
        if block:
            block.append(line)
            if line == "}":
                if len(block) > 1 and block[1].startswith("  type "):  # a base chain: shape
                    lines += block
                else:
                    chains[block[0].split()[1]] = "\n".join(block)
                block = []
            continue
        if line.startswith("chain ") and line.endswith("{"):
            block = [line]
            continue
        match = _DECLARATION.match(line)
        if match is None:
            lines.append(line)
            continue
        head, name, listed = match.groups()
        lines.append(f"{head} }}")
        items = listed.split(", ") if listed else []
        found[name] = {item.split(" : ")[0]: item for item in items}
    return "\n".join(lines + block), found, chains


def update(table: str, old: str, new: str) -> str | None:
    """The script that turns `table` (e.g. "inet plk") as `old` declared it into `new`;
    None when they differ in more than members and which regular chains they hold (the
    table is then written whole). New chains come first, members are deleted before they
    are added (a changed value is both), chains no member jumps to any more go last."""
    old_shape, old_members, old_chains = split(old)
    new_shape, new_members, new_chains = split(new)
    if old_shape != new_shape or any(
        old_chains[n] != new_chains[n] for n in old_chains.keys() & new_chains.keys()
    ):
        return None
    lines = [
        f"table {table} {{\n{new_chains[n]}\n}}"
        for n in sorted(new_chains.keys() - old_chains.keys())
    ]
    for name, after in sorted(new_members.items()):
        before = old_members.get(name, {})
        gone = sorted(k for k, item in before.items() if after.get(k) != item)
        came = sorted(item for k, item in after.items() if before.get(k) != item)
        if gone:
            lines.append(f"delete element {table} {name} {{ {', '.join(gone)} }}")
        if came:
            lines.append(f"add element {table} {name} {{ {', '.join(came)} }}")
    lines += [f"delete chain {table} {n}" for n in sorted(old_chains.keys() - new_chains.keys())]
    return "\n".join(lines)
