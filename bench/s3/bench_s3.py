"""S3 throughput: privlink vs moto's server side by side, and a plain file copy on the same disk.

Workload (issue 8): PUT and GET of 1 MiB and 100 MiB objects (MiB/s) and small
(1 KiB) object PUT+GET operations per second, alternating between the two
servers round by round so machine noise hits both alike (medians reported).
The physical limit is a plain copy of the same 100 MiB file on the disk that
holds privlink's state dir (write: copy into place; read: read it back).
privlink's peak RSS (VmHWM) is read after each phase: it must not grow with
object size, since bodies are streamed through files, never held whole.

    .venv/bin/python bench/s3/bench_s3.py [--rounds 3] [--small 200]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.api.bench_endpoints import start_moto, start_privlink, stop  # noqa: E402

MiB = 1024 * 1024
RESULTS = Path(__file__).with_name("results.json")


def client(url: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="123456789012",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def put_get(s3: Any, bucket: str, source: Path, size: int, count: int) -> tuple[float, float]:
    """MiB/s of `count` PUTs of the file, then `count` GETs read in 1 MiB chunks."""
    start = time.perf_counter()
    for i in range(count):
        with open(source, "rb") as body:
            s3.put_object(Bucket=bucket, Key=f"obj-{size}-{i}", Body=body)
    put = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(count):
        stream = s3.get_object(Bucket=bucket, Key=f"obj-{size}-{i}")["Body"]
        got = sum(len(chunk) for chunk in stream.iter_chunks(MiB))
        assert got == size
    get = time.perf_counter() - start
    total = size * count / MiB
    return total / put, total / get


def small_ops(s3: Any, bucket: str, count: int) -> float:
    """PUT+GET operations per second on 1 KiB objects (each call counts as one)."""
    body = os.urandom(1024)
    start = time.perf_counter()
    for i in range(count):
        s3.put_object(Bucket=bucket, Key=f"small/{i}", Body=body)
    for i in range(count):
        s3.get_object(Bucket=bucket, Key=f"small/{i}")["Body"].read()
    return 2 * count / (time.perf_counter() - start)


def disk_copy(source: Path, directory: Path) -> tuple[float, float]:
    """MiB/s of copying the file into `directory` and of reading the copy back."""
    target = directory / "copy.bin"
    size = source.stat().st_size / MiB
    start = time.perf_counter()
    shutil.copyfile(source, target)
    write = size / (time.perf_counter() - start)
    start = time.perf_counter()
    with open(target, "rb") as file:
        while file.read(MiB):
            pass
    read = size / (time.perf_counter() - start)
    target.unlink()
    return write, read


def disk_copy_synced(source: Path, directory: Path) -> float:
    """MiB/s of the same copy made durable (fsync): what the disk itself sustains."""
    target = directory / "copy.bin"
    start = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb+") as file:
        os.fsync(file.fileno())
    rate = source.stat().st_size / MiB / (time.perf_counter() - start)
    target.unlink()
    return rate


def run(rounds: int, small: int, work: Path) -> dict[str, Any]:
    files = {size: work / f"src-{size}.bin" for size in (MiB, 100 * MiB)}
    for size, path in files.items():
        path.write_bytes(os.urandom(size))
    privlink = start_privlink(work / "privlink-state")
    moto, moto_url = start_moto()
    try:
        servers = {"privlink": client(privlink.url), "moto": client(moto_url)}
        for name, s3 in servers.items():
            s3.create_bucket(Bucket=f"bench-{name}")
        samples: dict[str, dict[str, list[float]]] = {
            n: {} for n in [*servers, "disk", "disk (fsync)"]
        }
        rss: dict[str, float] = {}

        def add(server: str, measure: str, value: float) -> None:
            samples[server].setdefault(measure, []).append(value)

        assert privlink.proc is not None
        for _ in range(rounds):
            for name, s3 in servers.items():
                add(name, "small ops/s", small_ops(s3, f"bench-{name}", small))
        rss["after small objects"] = peak_rss_mib(privlink.proc.pid)
        for size, count in ((MiB, 20), (100 * MiB, 2)):
            label = "1 MiB" if size == MiB else "100 MiB"
            for _ in range(rounds):
                for name, s3 in servers.items():
                    put, get = put_get(s3, f"bench-{name}", files[size], size, count)
                    add(name, f"{label} PUT MiB/s", put)
                    add(name, f"{label} GET MiB/s", get)
            rss[f"after {label} objects"] = peak_rss_mib(privlink.proc.pid)
        for _ in range(rounds):
            write, read = disk_copy(files[100 * MiB], work / "privlink-state")
            add("disk", "100 MiB PUT MiB/s", write)
            add("disk", "100 MiB GET MiB/s", read)
            add("disk (fsync)", "100 MiB PUT MiB/s", disk_copy_synced(files[100 * MiB], work))
    finally:
        privlink.stop()
        stop(moto)
    medians = {s: {m: statistics.median(v) for m, v in ms.items()} for s, ms in samples.items()}
    return {
        "rounds": rounds,
        "small_objects": small,
        "medians": medians,
        "privlink_peak_rss_mib": rss,
    }


def table(result: dict[str, Any]) -> str:
    p, m, d, f = (result["medians"][k] for k in ("privlink", "moto", "disk", "disk (fsync)"))
    lines = [
        "| measure | privlink | moto server | privlink / moto | file copy (page cache) "
        "| file copy + fsync | privlink / copy+fsync |",
        "|---|---|---|---|---|---|---|",
    ]
    for measure, value in p.items():
        cached, synced = d.get(measure), f.get(measure)
        row = f"| {measure} | {value:.0f} | {m[measure]:.0f} | {value / m[measure]:.2f}x | "
        row += f"{cached:.0f} | " if cached else "- | "
        row += f"{synced:.0f} | {value / synced:.2f}x |" if synced else "- | - |"
        lines.append(row)
    lines.append("")
    lines += [
        f"privlink peak RSS {k}: {v:.0f} MiB" for k, v in result["privlink_peak_rss_mib"].items()
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--small", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="privlink-bench-s3-", dir=Path.home()))
    try:
        result = run(args.rounds, args.small, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))


if __name__ == "__main__":
    main()
