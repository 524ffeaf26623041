"""What a namespace's network changed since the driver last converged it. Pure: no I/O.

A namespace whose links, routes or rules changed used to be looked at whole: every link,
address, route and rule dumped and decoded. An NLB's namespace holds every ENI of every
endpoint behind it, so one endpoint more cost the dump of 2,000 links, 4,000 routes and
2,000 rules (~90 ms at 2,000 endpoints) for one link, two routes and one rule. When the
driver knows the namespace's shape as it last converged it (settled.py: the same
namespace, by inode), and the change is only links that came or went and routes and
rules that differ, the pass changes just that (`Delta`), trusting the rest as it trusts
a settled namespace; the trickle of re-verification still looks at it whole now and
then, which repairs what was changed by hand. Anything else (a link of the same name
that changed, its loopback addresses, PROXY v2 listeners or the subnet shortcut's ports,
a bridge: its ports' shortcut entries are written from a look) is looked at whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlink.dataplane.linux.spec import LinkSpec, NamespaceSpec, PortSpec, RouteSpec, RuleSpec

# A namespace's network as the driver converges it (settled.py keeps it per namespace):
# its loopback addresses, links, routes, rules, the links with PROXY v2 listeners and
# the subnet shortcut's ports.
Shape = tuple[
    tuple[str, ...],
    tuple[LinkSpec, ...],
    tuple[RouteSpec, ...],
    tuple[RuleSpec, ...],
    list[str],  # a list, as before: memory.py keeps digests of its repr across restarts
    tuple[PortSpec, ...],
]


def shape(ns: NamespaceSpec) -> Shape:
    return (
        ns.loopback,
        ns.links,
        ns.routes,
        ns.rules,
        sorted({h.link for h in ns.headers}),
        ns.shortcuts,
    )


@dataclass(frozen=True)
class Delta:
    removed: tuple[str, ...] = ()  # links gone (by name)
    added: tuple[LinkSpec, ...] = ()  # links new, in the spec's order
    routes_gone: tuple[RouteSpec, ...] = ()
    routes_new: tuple[RouteSpec, ...] = ()
    rules_gone: tuple[RuleSpec, ...] = ()
    rules_new: tuple[RuleSpec, ...] = ()


def between(before: Shape, after: Shape) -> Delta | None:
    """The change from shape `before` to `after`, or None when it must be looked at
    whole."""
    loopback, links, routes, rules, headers, shortcuts = before
    if (loopback, headers, shortcuts) != (after[0], after[4], after[5]):
        return None
    old = {link.name: link for link in links}
    new = {link.name: link for link in after[1]}
    if any(link.kind == "bridge" for link in (*old.values(), *new.values())):
        return None
    if any(old[name] != new[name] for name in old.keys() & new.keys()):
        return None
    old_routes, new_routes = set(routes), set(after[2])
    old_rules, new_rules = set(rules), set(after[3])
    return Delta(
        tuple(sorted(old.keys() - new.keys())),
        tuple(link for link in after[1] if link.name not in old),
        tuple(r for r in routes if r not in new_routes),
        tuple(r for r in after[2] if r not in old_routes),
        tuple(r for r in rules if r not in new_rules),
        tuple(r for r in after[3] if r not in old_rules),
    )
