"""Two versions of privlink side by side: the direct and kernel rows of bench.py, run from
the checkout given (its own privlink and bench.py), a few rounds each call, appended to a
JSON file per version. Calling it alternately for two checkouts (a `git worktree` of the
older commit) interleaves them, so a busy spell of this shared machine falls on both.

Usage (root):
  for i in 1 2 3 4; do
    python bench/dataplane/bench_ab.py /tmp/old 3 /tmp/ab-old.json
    python bench/dataplane/bench_ab.py . 3 /tmp/ab-new.json
  done
  python bench/dataplane/bench_ab.py --report /tmp/ab-old.json /tmp/ab-new.json
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def rounds(checkout: Path, count: int, out: Path) -> None:
    sys.path[:0] = [str(checkout / "bench" / "dataplane"), str(checkout)]
    import bench  # that checkout's, with its privlink

    results = json.loads(out.read_text()) if out.exists() else {}
    with bench.Bench() as b:
        b.driver.apply(bench.plan())
        b.server("7777")
        time.sleep(0.5)
        for _ in range(count):
            for test in ("rr", "up", "cr"):
                for path in ("direct", "kernel"):
                    value = bench.measure(b.nb, path, test, 3)
                    results.setdefault(path, {}).setdefault(test, []).append(value)
                    time.sleep(0.5)
    out.write_text(json.dumps(results, indent=1))


def report(files: list[Path]) -> None:
    """Medians of the per-round ratios to the direct path (added microseconds for rr)."""
    print("| version | rounds | added RTT p50 | bulk (x direct) | new conn/s (x direct) |")
    print("|---|---|---|---|---|")
    for path in files:
        data: dict[str, Any] = json.loads(path.read_text())
        direct, kernel = data["direct"], data["kernel"]
        pairs = {t: list(zip(direct[t], kernel[t], strict=True)) for t in ("rr", "up", "cr")}
        added = statistics.median(k - d for d, k in pairs["rr"])
        up, cr = (statistics.median(k / d for d, k in pairs[t] if d) for t in ("up", "cr"))
        print(f"| {path.name} | {len(pairs['up'])} | +{added:.1f} us | {up:.2f}x | {cr:.2f}x |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--report"]:
        report([Path(p) for p in sys.argv[2:]])
    else:
        rounds(Path(sys.argv[1]).resolve(), int(sys.argv[2]), Path(sys.argv[3]))
