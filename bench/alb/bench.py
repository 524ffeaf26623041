"""Benchmark application load balancers and NLB TLS listeners against the direct path
and against HAProxy's own figures, in one run, side by side.

One plan built by LinuxDriver: a VPC 10.0.0.0/16 with a server instance (subnet 1, a
Python HTTP server on 8080: /small answers 2 bytes, /big 256 MiB) and a client instance
(subnet 2); an ALB (nodes in both subnets) with an HTTP listener :80 and an HTTPS listener
:443 forwarding to the server; an NLB with a TLS listener :8443 to the server.

Paths:  direct     client -> server:8080 (the VPC router only)
        alb-http   client -> ALB :80 -> server
        alb-https  client -> ALB :443 (TLS ends in the ALB's HAProxy) -> server
        nlb-tls    client -> NLB :8443 (TLS ends in the NLB namespace's HAProxy) -> server
        haproxy    client -> a plain HAProxy (same build, started here by hand, ssl ->
                   127.0.0.1:8080) inside the server's namespace: HAProxy's own figures
Tests:  rtt   median of 300 keep-alive GET /small on one connection (curl), in ms
        MB/s  one GET /big (curl, 256 MiB)
        hs/s  new TLS sessions per second (openssl s_time -new, 5 s, one client)

Usage (root): python bench/alb/bench.py [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from privlink.dataplane.alb import (
    AlbListener,
    AlbNet,
    HttpCheck,
    HttpTargetGroup,
    TlsCertificate,
    TlsTermination,
)
from privlink.dataplane.linux import LinuxDriver
from privlink.dataplane.plan import (
    DataplanePlan,
    InstanceNet,
    NlbListener,
    NlbNet,
    NlbNode,
    SecurityRules,
    SgRule,
    SubnetNet,
    Target,
    TargetGroupNet,
    VpcNet,
)

A, B = "us-east-1a", "us-east-1b"
OPEN = SecurityRules(ingress=(SgRule("all", cidrs=("10.0.0.0/16",)),))
SERVER = """
import http.server, sys
BIG, CHUNK = 256 << 20, b"x" * (1 << 20)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes
    def do_GET(self):
        size = BIG if self.path == "/big" else 2
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if size == 2:
            self.wfile.write(b"ok")
            return
        for _ in range(size >> 20):
            self.wfile.write(CHUNK)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("0.0.0.0", 8080), H).serve_forever()
"""
PATHS = {
    "direct": "http://10.0.1.10:8080",
    "alb-http": "http://10.0.1.100",
    "alb-https": "https://10.0.1.100",
    "nlb-tls": "https://10.0.1.200:8443",
    "haproxy": "https://10.0.1.10:9443",
}


def certificate() -> str:
    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench.example.com")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2020, 1, 1))
        .not_valid_after(dt.datetime(2040, 1, 1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM).decode() + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip


def plan(pem: str) -> DataplanePlan:
    vpc = VpcNet("vpc-bench", "10.0.0.0/16", (SubnetNet("subnet-a", "10.0.1.0/24", A),
                                              SubnetNet("subnet-b", "10.0.2.0/24", B)))  # fmt: skip
    tls = TlsTermination((TlsCertificate("arn:bench", pem),), "TLSv1.2")
    check = HttpCheck(path="/small", interval=5, timeout=2, healthy_threshold=2)
    group = HttpTargetGroup("tg-http", "http", (Target("10.0.1.10", 8080, A),), check)
    alb = AlbNet(
        "alb-bench", "vpc-bench",
        (NlbNode("subnet-a", A, "10.0.1.100"), NlbNode("subnet-b", B, "10.0.2.100")), OPEN,
        (AlbListener("http", 80, "forward", group),
         AlbListener("https", 443, "forward", group, tls=tls)),
    )  # fmt: skip
    tcp = TargetGroupNet("tg-tcp", "tcp", (Target("10.0.1.10", 8080, A),), health_check=None)
    nlb = NlbNet("nlb-bench", "vpc-bench", (NlbNode("subnet-a", A, "10.0.1.200"),),
                 (NlbListener("tcp", 8443, tcp, tls),))  # fmt: skip
    return DataplanePlan(
        (vpc,),
        (InstanceNet("i-server", "vpc-bench", "subnet-a", "10.0.1.10", OPEN),
         InstanceNet("i-client", "vpc-bench", "subnet-b", "10.0.2.10", OPEN)),
        (nlb,), albs=(alb,),
    )  # fmt: skip


def client(*argv: str, timeout: float = 120) -> str:
    done = subprocess.run(["ip", "netns", "exec", "plk-i-client", *argv], capture_output=True,
                          text=True, timeout=timeout)  # fmt: skip
    return done.stdout


def rtt_ms(base: str) -> float:
    urls = [arg for _ in range(300) for arg in ("-o", "/dev/null", f"{base}/small")]
    out = client("curl", "-sk", "-w", "%{time_total}\n", *urls)
    times = [float(t) for t in out.split()][20:]  # the connection is warm by then
    return statistics.median(times) * 1000 if times else 0.0


def mbps(base: str) -> float:
    out = client("curl", "-sk", "-o", "/dev/null", "-w", "%{speed_download}", f"{base}/big")
    return float(out or 0) / 1e6


def handshakes(base: str) -> float | None:
    if not base.startswith("https"):
        return None
    host = base.removeprefix("https://")
    host = host if ":" in host else host + ":443"
    out = client("openssl", "s_time", "-connect", host, "-new", "-time", "5")
    for line in out.splitlines():
        if "connections/user sec" in line:
            return float(line.split("connections in")[0].split()[-1]) / 5.0
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="plk-albbench-"))
    pem = certificate()
    (work / "cert.pem").write_text(pem)
    (work / "server.py").write_text(SERVER)
    (work / "own.cfg").write_text(
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n"
        "  timeout server 60s\nfrontend f\n"
        f"  bind :9443 ssl crt {work}/cert.pem alpn http/1.1\n  default_backend b\n"
        "backend b\n  server s 127.0.0.1:8080\n"
    )
    driver = LinuxDriver(work / "state")
    procs: list[subprocess.Popen[bytes]] = []
    results: dict[str, dict[str, float | None]] = {}
    try:
        report = driver.apply(plan(pem))
        print(f"apply: {len(report.changes)} changes, errors {report.errors}", flush=True)
        for argv in (["python3", str(work / "server.py")],
                     ["haproxy", "-db", "-f", str(work / "own.cfg")]):  # fmt: skip
            procs.append(
                subprocess.Popen(
                    ["ip", "netns", "exec", "plk-i-server", *argv], stderr=subprocess.DEVNULL
                )
            )
        deadline = time.monotonic() + 60  # the ALB's checks: two 5 s intervals
        while time.monotonic() < deadline and any(
            h.state.value != "healthy" for h in driver.target_health("tg-http")
        ):
            time.sleep(0.5)
        for path, base in PATHS.items():
            results[path] = {"rtt_ms": rtt_ms(base), "MBps": mbps(base), "hs_s": handshakes(base)}
            print(path, results[path], flush=True)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=5)
        driver.teardown()
        shutil.rmtree(work, ignore_errors=True)
    direct = results["direct"]
    own = results["haproxy"]
    print("\n| path | RTT ms (added) | MB/s (x direct) | TLS handshakes/s (x HAProxy's own) |")
    print("|---|---|---|---|")
    for path, r in results.items():
        hs = r["hs_s"]
        hs_text = "-" if hs is None else f"{hs:,.0f} ({hs / (own['hs_s'] or 1):.2f})"
        print(
            f"| {path} | {r['rtt_ms']:.3f} (+{r['rtt_ms'] - direct['rtt_ms']:.3f}) "  # type: ignore[operator]
            f"| {r['MBps']:.0f} ({r['MBps'] / direct['MBps']:.2f}) | {hs_text} |"
        )  # type: ignore[operator]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
