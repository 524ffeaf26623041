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
from dataclasses import dataclass

_EMPTY = re.compile(r"^\s*(?:set|map) (\S+) \{ ([^{};]*); \}$")
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


@dataclass(frozen=True)
class Members:
    """One named set's or map's change: its type (as declared) and the members gone and
    come (a changed map value is both)."""

    name: str
    spec: str
    gone: tuple[str, ...]
    came: tuple[str, ...]


@dataclass(frozen=True)
class Changes:
    """What turns one body into another of the same shape: regular chains that come (their
    blocks) and go (their names), and members."""

    chains_new: tuple[str, ...]
    members: tuple[Members, ...]
    chains_gone: tuple[str, ...]


def changes(old: str, new: str) -> Changes | None:
    """The change from body `old` to `new`; None when they differ in more than members and
    which regular chains they hold (the table is then written whole)."""
    old_shape, old_members, old_chains = split(old)
    new_shape, new_members, new_chains = split(new)
    if old_shape != new_shape or any(
        old_chains[n] != new_chains[n] for n in old_chains.keys() & new_chains.keys()
    ):
        return None
    specs = _specs(new_shape)
    found = []
    for name, after in sorted(new_members.items()):
        before = old_members.get(name, {})
        gone = tuple(sorted(k for k, item in before.items() if after.get(k) != item))
        came = tuple(sorted(item for k, item in after.items() if before.get(k) != item))
        if gone or came:
            found.append(Members(name, specs[name], gone, came))
    return Changes(
        tuple(new_chains[n] for n in sorted(new_chains.keys() - old_chains.keys())),
        tuple(found),
        tuple(sorted(old_chains.keys() - new_chains.keys())),
    )


def update(table: str, old: str, new: str) -> str | None:
    """The script that turns `table` (e.g. "inet plk") as `old` declared it into `new`;
    None when they differ in more than members and which regular chains they hold (the
    table is then written whole). New chains come first, members are deleted before they
    are added (a changed value is both), chains no member jumps to any more go last."""
    found = changes(old, new)
    if found is None:
        return None
    lines = [f"table {table} {{\n{block}\n}}" for block in found.chains_new]
    for change in found.members:
        if change.gone:
            lines.append(f"delete element {table} {change.name} {{ {', '.join(change.gone)} }}")
        if change.came:
            lines.append(f"add element {table} {change.name} {{ {', '.join(change.came)} }}")
    lines += [f"delete chain {table} {name}" for name in found.chains_gone]
    return "\n".join(lines)


def _specs(shape: str) -> dict[str, str]:
    """Each named set's or map's type in a body's shape ("set NAME { SPEC; }")."""
    found = {}
    for line in shape.split("\n"):
        match = _EMPTY.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found
