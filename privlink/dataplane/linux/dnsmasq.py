"""The Amazon-provided DNS server of a VPC: one dnsmasq in the VPC router namespace.

It answers at VPC base+2 and 169.254.169.253 (both on the router's loopback), from an
addn-hosts file (A records), cname= lines and address= lines (wildcards), and nothing
else: no upstream servers, and `local=/#/` makes every unknown name NXDOMAIN instead of
REFUSED. A hosts change is a SIGHUP (dnsmasq re-reads addn-hosts); a config change (cnames,
wildcards, addresses) is a restart.

The host-side resolver is the same program with an empty netns: it runs in the driver's
(host) namespace, bound to 127.0.0.1 on a high port only (bind-interfaces + listen-address),
so it never answers on, or touches, any other interface; no DHCP, no upstream.
Every instance gets its own pid-file under the state dir: the default /run/dnsmasq.pid is
shared by the whole host (and possibly a system dnsmasq).
"""

from __future__ import annotations

import contextlib
import random
import signal
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path

from privlink.dataplane.linux import netns
from privlink.dataplane.linux.procs import ProcessTable
from privlink.dataplane.linux.spec import DnsSpec

READY_TIMEOUT = 5.0


def render_conf(
    spec: DnsSpec, hosts_path: Path, log_path: Path, pid_path: Path | None = None
) -> str:
    lines = [
        "# written by privlink; changes are overwritten",
        "no-resolv",
        "no-hosts",
        "no-poll",
        "keep-in-foreground",
        "bind-interfaces",
        "user=root",  # the state dir may not be readable by nobody; scope is one namespace
        "local=/#/",
        "bogus-priv",
        "cache-size=1000",
        f"addn-hosts={hosts_path}",
        f"log-facility={log_path}",
        *([f"pid-file={pid_path}"] if pid_path else []),
        *([f"port={spec.port}"] if spec.port != 53 else []),
        *(f"listen-address={ip}" for ip in spec.listen),
        *(f"cname={name},{target}" for name, target in spec.cnames),
        # the name and every name under it (a Route 53 wildcard); more specific than /#/
        *(f"address=/{name}/{ip}" for name, ips in spec.wildcards for ip in ips),
    ]
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, content: str) -> bool:
    try:
        if path.read_text() == content:
            return False
    except FileNotFoundError:
        pass
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(content)
    tmp.replace(path)
    return True


class DnsmasqManager:
    def __init__(self, state_dir: Path, procs: ProcessTable) -> None:
        self.state_dir = state_dir
        self.procs = procs

    def _dir(self, vpc_id: str) -> Path:
        return self.state_dir / "vpc" / vpc_id

    @staticmethod
    def key(vpc_id: str) -> str:
        return f"dnsmasq-{vpc_id}"

    def ensure(self, spec: DnsSpec) -> list[str]:
        root = self._dir(spec.vpc_id)
        root.mkdir(parents=True, exist_ok=True)
        hosts, conf = root / "hosts", root / "dnsmasq.conf"
        hosts_changed = _write_if_changed(hosts, spec.hosts)
        conf_changed = _write_if_changed(
            conf, render_conf(spec, hosts, root / "dnsmasq.log", root / "dnsmasq.pid")
        )
        key = self.key(spec.vpc_id)
        running = self.procs.pid(key) is not None
        if running and not conf_changed:
            if hosts_changed:
                self.procs.signal(key, signal.SIGHUP)
                return [f"dnsmasq {spec.vpc_id}: reload"]
            return []
        if running:
            self.procs.stop(key)
        argv = ["dnsmasq", f"--conf-file={conf}"]
        if spec.netns:
            argv = ["ip", "netns", "exec", spec.netns, *argv]
        self.procs.start(key, argv, root / "dnsmasq.out")
        try:
            wait_ready(
                spec.netns, spec.listen[0], spec.port, alive=lambda: self.procs.pid(key) is not None
            )
        except TimeoutError as exc:  # e.g. the host port is taken: say why, from its output
            tail = _tail(root / "dnsmasq.out")
            raise TimeoutError(f"{exc}{': ' + tail if tail else ''}") from None
        return [f"dnsmasq {spec.vpc_id}: {'restart' if running else 'start'}"]


def _query(name: str) -> tuple[int, bytes]:
    qid = random.randrange(1 << 16)
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p)
    return qid, struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\x00\x00\x01\x00\x01"


def _tail(path: Path, limit: int = 300) -> str:
    try:
        return path.read_text(errors="replace")[-limit:].strip()
    except FileNotFoundError:
        return ""


def wait_ready(
    netns_name: str,
    server: str,
    port: int = 53,
    timeout: float = READY_TIMEOUT,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Block until the resolver answers a query (bounded), so apply() returns a working VPC.
    `netns_name` "" asks from the driver's own namespace (the host-side resolver); `alive`
    ends the wait early when the process has already exited (a port in use, say)."""
    if netns_name:
        sock = netns.run_in(netns_name, lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    deadline = time.monotonic() + timeout
    try:
        sock.settimeout(0.2)
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                break
            qid, packet = _query("plk-ready.invalid")
            with contextlib.suppress(OSError):
                sock.sendto(packet, (server, port))
                reply = sock.recv(512)
                if len(reply) >= 2 and struct.unpack("!H", reply[:2])[0] == qid:
                    return
            time.sleep(0.05)
    finally:
        sock.close()
    where = netns_name or "the host namespace"
    raise TimeoutError(f"dnsmasq in {where} did not answer on {server}:{port}")
