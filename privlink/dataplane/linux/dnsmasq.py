"""The Amazon-provided DNS server of a VPC: dnsmasq in the VPC router namespace.

AWS's resolver never goes away, so a record change must never restart the process clients
talk to. dnsmasq re-reads addn-hosts and servers-file on SIGHUP, but not cname= or
address= lines (and ignores address= lines inside a servers-file). So a VPC's resolver is
two processes:

* the *front* (base+2 and 169.254.169.253 on the router's loopback): A records from an
  addn-hosts file of the VPC's own, and a second one shared by every VPC (the public
  names no VPC answers itself, linux/public_dns.py: written once per apply when it
  changed, then each front reloads it once), and a servers-file that delegates every CNAME
  and wildcard name to the back with `server=/NAME/127.0.0.1#PORT`; all change by SIGHUP
  only. `local=/#/` makes every other name NXDOMAIN instead of REFUSED; no upstream. Its
  configuration file changes only with its listen addresses, i.e. never for a living VPC.
* the *back* (127.0.0.1, a free port under 32000; only in VPCs with CNAMEs or wildcards):
  the cname= and address= lines, and a hosts file of the CNAMEs' targets only (dnsmasq
  follows a CNAME only to a name it holds itself; copied from either of the front's files;
  the rest of the A records, which grow with every endpoint, stay in the front alone).
  A change starts a new back next to the old one, waits until it answers, and moves the
  front in two steps: first both backs are listed, the new one first (the front asks in
  order: strict-order), until the front answers from the new one (a probe name whose
  answer encodes the port) and HANDOVER_GRACE has passed; then the new one alone, and the
  old one is stopped. dnsmasq discards a reply from a server it no longer lists, and folds
  a repeated question into the lost one, so a one-step move lost every query in flight
  to the old back (8 in 1,200 with four busy askers). Left: a query in flight for a name
  that stops being delegated (a removed CNAME or wildcard, or a VPC's last ones, whose back
  then stops without a successor) is lost when the front drops that server line (the
  client retries); dnsmasq frees a forwarded query with its server line, and a plain
  local=/name/ line does not outrank a server= line for the same name, so the front
  cannot answer it locally while the line stays.

The host-side resolver is the same pair with an empty netns: in the driver's (host)
namespace, bound to 127.0.0.1 only (bind-interfaces + listen-address), no DHCP, no upstream.
Every process has its own pid-file under the state dir: the default /run/dnsmasq.pid is
shared by the whole host (and possibly a system dnsmasq).
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import signal
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path

from privlink.dataplane.linux import netns
from privlink.dataplane.linux.files import read, write_if_changed
from privlink.dataplane.linux.procs import ProcessTable
from privlink.dataplane.linux.spec import DnsSpec

READY_TIMEOUT = 5.0
PROBE = "records.plk.invalid"  # answered by the back only: says which back the front uses
BACK = "dnsrecords"  # process-key kind of a back: dnsrecords-<vpc_id>@<port>
BACK_PORTS = (20000, 32000)  # where a back listens on 127.0.0.1
HANDOVER_GRACE = 0.05  # seconds both backs are listed: the old one answers in ~1 ms


def _common(hosts_path: Path, log_path: Path, pid_path: Path | None) -> list[str]:
    """What a front and a back both say; addn-hosts may be given again (more files)."""
    return [
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
    ]


def render_conf(
    spec: DnsSpec,
    hosts_path: Path,
    log_path: Path,
    pid_path: Path | None = None,
    servers_path: Path | None = None,
    shared_path: Path | None = None,
) -> str:
    """The front: hosts (its own, and the shared file when `spec.shared_hosts`), the
    servers-file, the addresses it answers on; no records."""
    lines = [
        *_common(hosts_path, log_path, pid_path),
        *([f"addn-hosts={shared_path}"] if shared_path and spec.shared_hosts else []),
        *([f"servers-file={servers_path}", "strict-order"] if servers_path else []),
        *([f"port={spec.port}"] if spec.port != 53 else []),
        *(f"listen-address={ip}" for ip in spec.listen),
    ]
    return "\n".join(lines) + "\n"


def records_hosts(spec: DnsSpec) -> str:
    """The back's hosts file: the lines of the CNAMEs' targets (those of the shared file
    come with the spec: `shared_targets`)."""
    targets = {target for _, target in spec.cnames}
    own = "".join(
        line
        for line in spec.hosts.splitlines(keepends=True)
        if len(line.split()) > 1 and line.split()[1] in targets
    )
    return own + spec.shared_targets


def render_records(spec: DnsSpec, hosts_path: Path, log_path: Path, port: int) -> str:
    """The back: the CNAMEs' targets (`records_hosts`), the CNAMEs and wildcards, the probe."""
    lines = [
        *_common(hosts_path, log_path, hosts_path.with_name(f"records-{port}.pid")),
        "listen-address=127.0.0.1",
        f"port={port}",
        *(f"cname={name},{target}" for name, target in spec.cnames),
        # the name and every name under it (a Route 53 wildcard); more specific than /#/
        *(f"address=/{name}/{ip}" for name, ips in spec.wildcards for ip in ips),
        f"address=/{PROBE}/{_probe_answer(port)}",
    ]
    return "\n".join(lines) + "\n"


def render_servers(spec: DnsSpec, port: int | None) -> str:
    """The front's servers-file: the back's names, delegated to it (nothing without one)."""
    if port is None:
        return ""
    delegated = [PROBE, *(name for name, _ in spec.cnames), *(name for name, _ in spec.wildcards)]
    return "".join(f"server=/{name}/127.0.0.1#{port}\n" for name in dict.fromkeys(delegated))


def _probe_answer(port: int) -> str:
    return f"127.0.{port >> 8}.{port & 0xFF}"


class DnsmasqManager:
    def __init__(self, state_dir: Path, procs: ProcessTable) -> None:
        self.state_dir = state_dir
        self.procs = procs
        # The shared hosts file of public names, outside vpc/ (swept per VPC id), and the
        # version (digest) of what it holds, None until written by this process.
        self.public_path = state_dir / "dns" / "public.hosts"
        self._public: str | None = None
        # vpc id -> (spec, shared file version, (key, pid) of its processes) that ensure()
        # last converged
        self._ensured: dict[str, tuple[DnsSpec, str, tuple[tuple[str, int], ...]]] = {}
        self._ports: dict[str, int | None] = {}  # back_port(), once read or written

    def write_public(self, content: str) -> list[str]:
        """Write the shared hosts file when its content changed (tmp + rename: a front
        reloading meanwhile reads the old or the new file, whole). Each front reloads it
        in its next `ensure` (one SIGHUP, with its own changes if it has any)."""
        self.public_path.parent.mkdir(parents=True, exist_ok=True)
        changed = write_if_changed(self.public_path, content)
        self._public = hashlib.sha256(content.encode()).hexdigest()
        return ["dnsmasq: shared public names rewritten"] if changed else []

    def _public_version(self) -> str:
        if self._public is None:  # nothing written by this process: an empty file at least
            self.public_path.parent.mkdir(parents=True, exist_ok=True)
            self.public_path.touch(exist_ok=True)
            return ""
        return self._public

    def _dir(self, vpc_id: str) -> Path:
        return self.state_dir / "vpc" / vpc_id

    @staticmethod
    def key(vpc_id: str) -> str:
        return f"dnsmasq-{vpc_id}"

    @staticmethod
    def back_key(vpc_id: str, port: int) -> str:
        return f"{BACK}-{vpc_id}@{port}"

    def back_port(self, vpc_id: str) -> int | None:
        """The port of the back the front is meant to use (recorded in the state dir,
        read once per process)."""
        if vpc_id not in self._ports:
            try:
                self._ports[vpc_id] = int((self._dir(vpc_id) / "records.port").read_text())
            except (FileNotFoundError, ValueError):
                self._ports[vpc_id] = None
        return self._ports[vpc_id]

    def _record_back_port(self, vpc_id: str, port: int | None) -> None:
        path = self._dir(vpc_id) / "records.port"
        if port is None:
            path.unlink(missing_ok=True)
        else:
            write_if_changed(path, str(port))
        self._ports[vpc_id] = port

    def forget(self) -> None:
        """Trust nothing remembered about the resolvers (a resync, a teardown)."""
        self._ensured.clear()
        self._ports.clear()

    def current(self, spec: DnsSpec) -> bool:
        """Nothing for ensure() to do: it converged this very spec last, with the shared
        file as it is now, and the processes it left (front, back) still run. Reading and
        comparing a VPC's files cost ~0.4 ms, 200 ms a pass at 500 unchanged VPCs."""
        ensured = self._ensured.get(spec.vpc_id)
        return (
            ensured is not None
            and ensured[:2] == (spec, self._public_version())
            and all(self.procs.alive(key, pid) for key, pid in ensured[2])
        )

    def ensure(self, spec: DnsSpec) -> list[str]:
        """Converge one resolver; clients of the front never see it go away for a change
        of records (see the module docstring). Safe to call for many VPCs in parallel."""
        root = self._dir(spec.vpc_id)
        root.mkdir(parents=True, exist_ok=True)
        hosts, servers = root / "hosts", root / "servers"
        hosts_changed = write_if_changed(hosts, spec.hosts)
        # the shared file's version this front has loaded: reload it when that is not the
        # current one (recorded only once loaded, so a failed pass tries again)
        marker, public = root / "public.loaded", self._public_version()
        public_stale = spec.shared_hosts and read(marker) != public
        old, port, changes = self._back(spec, root)
        conf = render_conf(
            spec, hosts, root / "dnsmasq.log", root / "dnsmasq.pid", servers, self.public_path
        )
        conf_changed = write_if_changed(root / "dnsmasq.conf", conf)
        key = self.key(spec.vpc_id)
        running = self.procs.pid(key) is not None
        wanted = render_servers(spec, port)
        if running and not conf_changed and old is not None and port is not None:
            self._hand_over(spec, servers, wanted, port)
        servers_changed = write_if_changed(servers, wanted)
        if running and not conf_changed:
            if hosts_changed or servers_changed or public_stale:
                self.procs.signal(key, signal.SIGHUP)
                changes.append(f"dnsmasq {spec.vpc_id}: reload")
                if old is not None or servers_changed:  # the old back serves until then
                    self._confirm(spec, old, port)
        else:
            if running:  # its own addresses changed: nothing of the VPC can still use them
                self.procs.stop(key)
            self._start(key, spec, root / "dnsmasq.conf", spec.listen[0], spec.port)
            changes.append(f"dnsmasq {spec.vpc_id}: {'restart' if running else 'start'}")
        if public_stale:
            marker.write_text(public)
        if old is not None:
            self.procs.stop(self.back_key(spec.vpc_id, old))
        self._remember(spec, public)
        return changes

    def _hand_over(self, spec: DnsSpec, servers: Path, wanted: str, new: int) -> None:
        """The first half of moving a front from its old back to a new one: both listed,
        the new one first (the front asks in order: strict-order), until the front answers
        from the new one and HANDOVER_GRACE has passed. A query forwarded to the old back
        before is then still answered: dnsmasq drops a reply from a server it no longer
        lists, and folds a repeated question into the lost one. ensure() then lists the
        new back alone and stops the old."""
        listed = read(servers) or ""  # the old back's lines
        if write_if_changed(servers, wanted + listed):
            self.procs.signal(self.key(spec.vpc_id), signal.SIGHUP)
            self._confirm(spec, None, new)
            time.sleep(HANDOVER_GRACE)

    def _remember(self, spec: DnsSpec, public: str) -> None:
        """Record what ensure() left: the spec, and the (key, pid) of its front and back;
        nothing when one of them is not running (the next pass looks again)."""
        keys = [self.key(spec.vpc_id)]
        port = self.back_port(spec.vpc_id)
        if port is not None:
            keys.append(self.back_key(spec.vpc_id, port))
        running = [(key, self.procs.pid(key)) for key in keys]
        if any(pid is None for _, pid in running):
            self._ensured.pop(spec.vpc_id, None)
            return
        self._ensured[spec.vpc_id] = (spec, public, tuple((k, p) for k, p in running if p))

    def _back(self, spec: DnsSpec, root: Path) -> tuple[int | None, int | None, list[str]]:
        """Make sure the wanted back runs: (old port to stop once the front has moved,
        the port the front must use, changes)."""
        current = self.back_port(spec.vpc_id)
        alive = current is not None and self.procs.pid(self.back_key(spec.vpc_id, current))
        if not spec.cnames and not spec.wildcards:
            self._record_back_port(spec.vpc_id, None)
            return (current if alive else None), None, []
        hosts_changed = write_if_changed(root / "records.hosts", records_hosts(spec))
        if alive and current is not None:
            wanted = render_records(spec, root / "records.hosts", root / "records.log", current)
            if read(root / f"records-{current}.conf") == wanted:
                if hosts_changed:
                    self.procs.signal(self.back_key(spec.vpc_id, current), signal.SIGHUP)
                return None, current, []
        port = self._start_back(spec, root, current)
        self._record_back_port(spec.vpc_id, port)
        if current is not None:
            (root / f"records-{current}.conf").unlink(missing_ok=True)
        return (current if alive else None), port, [f"dnsmasq {spec.vpc_id}: records on {port}"]

    def _start_back(self, spec: DnsSpec, root: Path, current: int | None) -> int:
        """Start a back on a free port; another port if that one was taken meanwhile
        (seen about once in 200 starts at scale, "Address already in use")."""
        for attempt in range(3):
            port = free_port(spec.netns, avoid=current)
            conf = root / f"records-{port}.conf"
            conf.write_text(
                render_records(spec, root / "records.hosts", root / "records.log", port)
            )
            try:
                self._start(self.back_key(spec.vpc_id, port), spec, conf, "127.0.0.1", port)
            except TimeoutError as exc:
                conf.unlink(missing_ok=True)
                if "in use" not in str(exc) or attempt == 2:
                    raise
                continue
            return port
        raise AssertionError("not reached")

    def _start(self, key: str, spec: DnsSpec, conf: Path, address: str, port: int) -> None:
        argv = netns.exec_argv(spec.netns, ["dnsmasq", f"--conf-file={conf}"])
        out = conf.parent / f"{conf.stem}.out"
        self.procs.start(key, argv, out)
        try:
            wait_ready(spec.netns, address, port, alive=lambda: self.procs.pid(key) is not None)
        except TimeoutError as exc:  # e.g. the host port is taken: say why, from its output
            self.procs.stop(key)
            tail = _tail(out)
            raise TimeoutError(f"{exc}{': ' + tail if tail else ''}") from None

    def _confirm(self, spec: DnsSpec, old: int | None, new: int | None) -> None:
        """Wait (bounded) until the front answers the probe from the back on `new` (with
        none: no longer from `old`); after that nothing is forwarded to the old back."""
        if new is not None:
            answer = socket.inet_aton(_probe_answer(new))
            wait_ready(spec.netns, spec.listen[0], spec.port, name=PROBE, answer=answer)
        elif old is not None:
            stale = socket.inet_aton(_probe_answer(old))
            wait_ready(spec.netns, spec.listen[0], spec.port, name=PROBE, unlike=stale)


def free_port(netns_name: str, avoid: int | None = None) -> int:
    """A loopback port free for both UDP and TCP in the namespace, below the ephemeral
    range (32768 and up by default): a socket the kernel numbers itself, such as the
    readiness probe's, can never take it between this choice and the back's bind."""

    def pick() -> int:
        for port in random.sample(range(*BACK_PORTS), 50):
            if port == avoid:
                continue
            with (
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
                socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
            ):
                with contextlib.suppress(OSError):
                    udp.bind(("127.0.0.1", port))
                    tcp.bind(("127.0.0.1", port))
                    return port
        raise OSError("no free loopback port for a resolver")

    return netns.run_in(netns_name, pick) if netns_name else pick()


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
    name: str = "plk-ready.invalid",
    answer: bytes | None = None,
    unlike: bytes | None = None,
) -> None:
    """Block until the resolver answers a query for `name` (ending in `answer`, or not in
    `unlike`, when given: the probe's A record), bounded, so apply() returns a working VPC.
    `netns_name` "" asks from the driver's own namespace (the host-side resolver); `alive`
    ends the wait early when the process has already exited (a port in use, say)."""
    if netns_name:
        sock = netns.run_in(netns_name, lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    deadline = time.monotonic() + timeout
    try:
        sock.settimeout(0.2)
        # connected: "nothing listens yet" (ICMP port unreachable) comes back at once as
        # ECONNREFUSED instead of a 0.2 s silence; dnsmasq answers ~12 ms after its start
        sock.connect((server, port))
        asked: set[int] = set()  # a late reply to an earlier query counts as well
        delay = 0.002
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                break
            qid, packet = _query(name)
            asked.add(qid)
            with contextlib.suppress(OSError):
                sock.send(packet)
                while True:  # every reply waiting, until one fits or none is left
                    reply = sock.recv(512)
                    if len(reply) < 2 or struct.unpack("!H", reply[:2])[0] not in asked:
                        continue
                    if (answer is None or reply.endswith(answer)) and (
                        unlike is None or not reply.endswith(unlike)
                    ):
                        return
                    sock.settimeout(0)  # drain what is already here, then ask again
            sock.settimeout(0.2)
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
    finally:
        sock.close()
    where = netns_name or "the host namespace"
    raise TimeoutError(f"dnsmasq in {where} did not answer {name} on {server}:{port}")
