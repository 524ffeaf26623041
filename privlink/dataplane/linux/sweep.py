"""What a pass removes before it makes anything: processes, namespaces, links, tables and
files the plan does not own (processes first: a proxy holds sockets in the namespaces it
serves), and the host namespace's links and tables of ours, which must never exist."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pyroute2 import IPRoute

from privlink.dataplane import names
from privlink.dataplane.linux import daemons, libnft, netns, nft
from privlink.dataplane.linux.dnsmasq import BACK
from privlink.dataplane.linux.settled import VERIFY_AFTER

if TYPE_CHECKING:
    from privlink.dataplane.linux.converge import Converge


def unowned(pass_: Converge) -> None:
    """Stop processes and delete namespaces, links, tables and files the plan does not
    own. Processes first: a proxy holds sockets in the namespaces it serves."""
    dns = pass_.driver.dns
    wanted = {
        "dnsmasq": set(pass_.spec.dns),
        BACK: {f"{v}@{port}" for v in pass_.spec.dns if (port := dns.back_port(v))},
        "proxy": set(pass_.spec.proxies),
        "userdata": set(pass_.spec.instances),
        **daemons.wanted(pass_.spec.daemons.values()),
        "haproxy": {key.partition("-")[2] for key in pass_.spec.haproxies},
    }
    unwanted = [
        key
        for key in pass_.driver.procs.keys()
        if key.partition("-")[2] not in wanted.get(key.partition("-")[0], set())
    ]
    for key in pass_.driver.procs.stop_all(unwanted):
        pass_.report.changes.append(f"process {key}: stopped")
    if time.monotonic() - pass_.driver.orphans_looked >= VERIFY_AFTER:
        # a look at every process's environment (~25 ms at 1,000 daemons): on the
        # first pass, then now and then (orphans come from a previous process)
        pass_.driver.orphans_looked = time.monotonic()
        live = {
            key
            for key in pass_.driver.procs.keys()
            if key.partition("-")[2] in wanted.get(key.partition("-")[0], set())
        }
        pass_.report.changes.extend(pass_.driver.procs.stop_orphans(live))
    doomed = {
        name
        for name in netns.list_names()
        if names.is_ours(name) and name not in pass_.spec.namespaces
    }
    for name in doomed:
        pass_.driver._sysctls_set.pop(name, None)
        nft.forget(name)
    netns.kill_processes_in(doomed)  # one look at /proc for all of them
    for name in sorted(doomed):
        pass_.step(name, "sweep", _remove_netns, name)
    for change in sweep_root():
        pass_.report.changes.append(change)
    instance_ns = {i.netns for i in pass_.spec.instances.values()} | set(pass_.spec.resolv)
    for path in etc_netns_dirs():
        if path.name not in instance_ns:
            shutil.rmtree(path, ignore_errors=True)
            pass_.report.changes.append(f"rm {path}")
    for sub, keep in (
        ("instances", set(pass_.spec.instances)),
        ("endpoints", set(pass_.spec.endpoints)),
        ("vpc", set(pass_.spec.dns)),
        ("clientvpn", set(daemons.wanted(pass_.spec.daemons.values()).get("openvpn", ()))),
    ):
        root = pass_.driver.state_dir / sub
        if root.exists():
            for path in root.iterdir():
                if path.name not in keep:
                    shutil.rmtree(path, ignore_errors=True)


def _remove_netns(name: str) -> list[str]:
    netns.remove(name, kill=False)
    return [f"netns del {name}"]


def etc_netns_dirs() -> list[Path]:
    if not netns.ETC_DIR.exists():
        return []
    return [p for p in netns.ETC_DIR.iterdir() if names.is_ours(p.name)]


def sweep_root() -> list[str]:
    """The host namespace must hold nothing of ours: delete any plk* link or table (both
    looked at over netlink from this thread, which stays in the host's namespace)."""
    changes = []
    with IPRoute() as ipr:
        for msg in ipr.get_links():
            name = msg.get_attr("IFLA_IFNAME")
            if names.is_ours(name):
                ipr.link("del", index=msg["index"])
                changes.append(f"host: link del {name}")
    for family, name, _ in nft.tables_here():
        if names.is_ours(name):
            libnft.run_here(f"delete table {family} {name}")
            changes.append(f"host: delete table {family} {name}")
    return changes
