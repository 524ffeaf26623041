"""Fragments of the last KernelSpec, kept by the plan parts they were rendered from: how
one change costs the renderer what it changes.

topology.build renders the whole KernelSpec from every plan (so the kernel stays a pure
function of the plan), but the per-resource pieces (an instance's namespace and links, a
VPC router's, an endpoint's ENIs in its NLB's namespace) go through `Rendered.part`:
rendered into a Parts of their own, kept with the inputs they were rendered from, and
merged into the build. While those inputs are the same (the planner hands over the very
same objects for what did not change: reconcile/pieces.py, so comparing is mostly
identity checks), the kept fragment is merged again instead. A namespace whose draft
and links are the very ones of the last build is the very same NamespaceSpec too
(`finished`), which is what the converge pass checks first (settled.py, nft.py).

Inputs must name everything a piece reads: a piece rendered from a part of the plan it
was not keyed by would be kept stale. What a build did not use is forgotten at `turn()`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from privlink.dataplane.linux.spec import CheckSpec, LinkSpec, NamespaceSpec, Parts

T = TypeVar("T")
# The KernelSpec fields (dicts) a piece may add to.
MERGED = ("dns", "instances", "proxies", "endpoints", "daemons", "haproxies", "resolv", "eni_slots")


@dataclass(frozen=True)
class _Fragment:
    """A piece as rendered: its inputs, value, and what it added to its Parts (only
    what it did add: merging a fragment costs what it holds)."""

    inputs: tuple[object, ...]
    value: Any
    links: tuple[tuple[str, list[LinkSpec]], ...]
    drafts: tuple[NamespaceSpec, ...]
    entries: tuple[tuple[str, dict[str, Any]], ...]  # KernelSpec field -> what it added
    checks: tuple[CheckSpec, ...]

    @classmethod
    def of(cls, inputs: tuple[object, ...], value: Any, parts: Parts) -> _Fragment:
        spec = parts.spec
        assert not spec.namespaces and not spec.public_hosts, "set by the build itself"
        entries = tuple((name, found) for name in MERGED if (found := getattr(spec, name)))
        return cls(
            inputs, value, tuple(parts.links.items()), tuple(parts.drafts), entries,
            tuple(spec.checks),
        )  # fmt: skip

    def merge(self, parts: Parts) -> None:
        for netns, links in self.links:
            parts.links.setdefault(netns, []).extend(links)
        parts.drafts.extend(self.drafts)
        for name, found in self.entries:
            getattr(parts.spec, name).update(found)
        parts.spec.checks.extend(self.checks)


class Rendered:
    def __init__(self) -> None:
        self._kept: dict[Hashable, _Fragment] = {}
        self._used: dict[Hashable, _Fragment] = {}
        # namespace -> (its draft, links and spec as last finished)
        self.finished: dict[str, tuple[NamespaceSpec, NamespaceSpec]] = {}
        self.made = 0  # pieces rendered (not kept) by the build in the making

    def part(
        self,
        parts: Parts,
        key: Hashable,
        inputs: tuple[object, ...],
        make: Callable[[Parts], T],
    ) -> T:
        """Merge piece `key` into `parts`: the kept fragment if rendered from equal
        `inputs`, else `make` renders it (into a Parts of its own); returns its value."""
        kept = self._kept.pop(key, None)
        if kept is None or kept.inputs != inputs:
            own = Parts()
            kept = _Fragment.of(inputs, make(own), own)
            self.made += 1
        self._used[key] = kept
        kept.merge(parts)
        return cast(T, kept.value)

    def turn(self) -> None:
        """A build is done: keep only the pieces it used."""
        self._kept, self._used = self._used, {}
        self.made = 0
