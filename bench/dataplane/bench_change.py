"""What one change costs the data plane, by the size of the world it lands in.

For each size N, builds a store of N interface endpoints (N/4 consumer VPCs, each with a
subnet, an instance and 4 endpoints to one provider's NLB, every VPC under its default
security group, which admits its own members) with the operations the API uses, then
makes one change at a time: a new endpoint in an existing VPC (which also changes the
rules of the VPC's other endpoints: their group gains a member), alternating with a
rule added to one VPC's group. After each change it times, in one process:

- planning from a store snapshot: incremental (the parts kept, reconcile/pieces.py)
  and from nothing (what every change cost before), side by side;
- checking and rendering the plan into a KernelSpec: incremental (linux/rendered.py)
  and from nothing;
- with --kernel (root; holds the data-plane lock), the whole LinuxDriver.apply of the
  incremental plan to real namespaces, after a first apply of the world: its total and
  its phases. The world is torn down after each size.

Each incremental plan and spec is checked against the one built from nothing.

    .venv/bin/python bench/dataplane/bench_change.py --sizes 50 200 500 2000 [--kernel]

Run with PYTHONPATH=<another checkout> it measures that checkout's privlink (one from
before incremental planning, 47c5814, plans and renders from nothing only): the
before/after of docs/benchmarks.md ("What one change costs").
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from privlink.api import Scope
from privlink.dataplane.linux import LinuxDriver, topology
from privlink.dataplane.plan import DataplanePlan
from privlink.dataplane.plan_checks import validate
from privlink.reconcile.plan_builder import build_plan
from privlink.services.ec2.compute.instances import LaunchSpec, run_instances
from privlink.services.ec2.network.subnets import create_subnet
from privlink.services.ec2.network.vpcs import create_vpc
from privlink.services.ec2.security.groups import authorize_ingress
from privlink.services.ec2.security.permissions import Peer, Permission
from privlink.services.ec2.security.queries import default_group
from privlink.services.elbv2.operations import (
    NewLoadBalancer,
    SubnetMapping,
    create_load_balancer,
)
from privlink.services.privatelink import consumer, provider
from privlink.store import Store
from privlink.store.unit import Parsed

PROVIDER, REGION = "111111111111", "us-east-1"
PER_VPC = 4
VPCS_PER_ACCOUNT = 50  # under the per-account VPC limit
T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@contextmanager
def acting(store: Store, account: str) -> Iterator[Scope]:
    with store.unit() as uow:
        yield Scope(account, REGION, uow, now=lambda: T0)


def account(vpc: int) -> str:
    return f"2{vpc // VPCS_PER_ACCOUNT:011d}"


def service(store: Store) -> str:
    """An active internal NLB behind an auto-accepting service open to everyone."""
    with acting(store, PROVIDER) as a:
        vpc = create_vpc(a, "10.0.0.0/16")
        subnet = create_subnet(a, vpc.id, "10.0.1.0/24", "us-east-1a")
        mapping = (SubnetMapping(subnet.id),)
        lb, _ = create_load_balancer(
            a, NewLoadBalancer(name="svc", subnets=mapping, scheme="internal")
        )
        lb.state = "active"
        a.put(lb)
        spec = provider.EndpointServiceSpec(
            network_load_balancer_arns=[lb.id], acceptance_required=False
        )
        made = provider.create_endpoint_service(a, spec)
        provider.modify_endpoint_service_permissions(a, made.id, add=["*"])
        return made.service_name


def consumer_vpc(store: Store, index: int) -> tuple[str, str, str]:
    """(account, VPC, subnet) of consumer VPC `index`, with its instance."""
    owner = account(index)
    with acting(store, owner) as b:
        vpc = create_vpc(b, "10.0.0.0/16")
        subnet = create_subnet(b, vpc.id, "10.0.1.0/24", "us-east-1a")
        run_instances(b, LaunchSpec("ami-12345678", subnet_id=subnet.id))
        return owner, vpc.id, subnet.id


def endpoint(store: Store, name: str, where: tuple[str, str, str]) -> None:
    owner, vpc_id, subnet_id = where
    with acting(store, owner) as b:
        spec = consumer.InterfaceEndpointSpec(
            vpc_id=vpc_id, service_name=name, subnet_ids=[subnet_id]
        )
        consumer.create_interface_endpoint(b, spec)


def open_rule(store: Store, where: tuple[str, str, str], port: int) -> None:
    owner, vpc_id, _ = where
    with acting(store, owner) as b:
        group = default_group(b, vpc_id).id
        authorize_ingress(b, group, [Permission.tcp(port, Peer.cidr("192.0.2.0/24"))])


def ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    found = fn()
    return (time.perf_counter() - started) * 1000, found


class Planner:
    """Plans and renders as the application does (incremental), and from nothing. In a
    checkout from before incremental planning both are from nothing."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.parsed = Parsed()
        try:
            from privlink.dataplane.linux.rendered import Rendered
            from privlink.reconcile.pieces import Pieces
        except ImportError:
            self.pieces: Any = None
            self.rendered: Any = None
        else:
            self.pieces, self.rendered = Pieces(), Rendered()
        self.slots: dict[str, int] = {}

    def incremental(self) -> DataplanePlan:
        if self.pieces is None:
            return self.scratch()
        plan = build_plan(self.store.snapshot(self.parsed), pieces=self.pieces)
        self.parsed.turn()
        self.pieces.turn()
        return plan

    def scratch(self) -> DataplanePlan:
        return build_plan(self.store.snapshot())

    def render(self, plan: DataplanePlan, rendered: Any) -> Any:
        plan = plan.without(validate(plan))
        if rendered is None:
            return topology.build(plan, {}, self.slots)
        return topology.build(plan, {}, self.slots, rendered)


def size(
    count: int, changes: int, kernel: bool, state: Path, profile: Path | None = None
) -> dict[str, Any]:
    store = Store(f"sqlite:///{state / 'store.db'}")
    name = service(store)
    vpcs = []
    for index in range(count // PER_VPC):
        vpcs.append(consumer_vpc(store, index))
        for _ in range(PER_VPC):
            endpoint(store, name, vpcs[-1])
    planner = Planner(store)
    plan = planner.incremental()
    planner.slots = planner.render(plan, planner.rendered).eni_slots
    driver = LinuxDriver(state / "dataplane") if kernel else None
    result: dict[str, Any] = {"endpoints": len(plan.endpoints), "vpcs": len(plan.vpcs)}
    if driver is not None:
        result["first_apply_s"] = round(ms(lambda: driver.apply(plan))[0] / 1000, 2)
    rows: list[dict[str, float]] = []
    try:
        for n in range(changes):
            where = vpcs[(n * 7) % len(vpcs)]
            if n % 2:
                open_rule(store, where, 10000 + n)
            else:
                endpoint(store, name, where)
            last = n == changes - 1
            rows.append(one_change(planner, driver, profile if last else None))
    finally:
        if driver is not None:
            result["teardown_s"] = round(ms(driver.teardown)[0] / 1000, 2)
        store.close()
    for key in rows[0]:
        result[key] = round(statistics.median(r[key] for r in rows), 2)
    return result


def one_change(
    planner: Planner, driver: LinuxDriver | None, profile: Path | None = None
) -> dict[str, float]:
    row: dict[str, float] = {}
    row["plan_ms"], plan = ms(planner.incremental)
    row["built_parts"] = planner.pieces.built if planner.pieces else -1
    row["plan_scratch_ms"], scratch = ms(planner.scratch)
    assert plan == scratch, "the incremental plan differs from the one built from nothing"
    row["render_ms"], spec = ms(lambda: planner.render(plan, planner.rendered))
    row["render_scratch_ms"], whole = ms(lambda: planner.render(plan, None))
    assert spec == whole, "the incremental spec differs from the one built from nothing"
    planner.slots = spec.eni_slots
    if driver is not None:
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        row["apply_ms"], report = ms(lambda: driver.apply(plan))
        if profiler is not None and profile is not None:
            profiler.disable()
            with profile.open("w") as out:
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        assert not report.errors, report.errors
        for phase, spent in report.phases.items():  # already in ms
            row[f"apply_{phase.replace(' ', '_')}_ms"] = spent
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500, 2000])
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--kernel", action="store_true", help="apply to real namespaces")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", type=Path, help="cProfile the last apply (PATH.N.txt)")
    args = parser.parse_args()
    gc.set_threshold(20000, 20, 20)  # as `privlink up` sets it
    import privlink

    results: list[dict[str, Any]] = [{"privlink": str(Path(privlink.__file__).parent)}]
    for count in args.sizes:
        with tempfile.TemporaryDirectory(prefix="plk-bench-") as tmp:
            profile = args.profile.with_suffix(f".{count}.txt") if args.profile else None
            found = size(count, args.changes, args.kernel, Path(tmp), profile)
            results.append({"size": count, **found})
        print(json.dumps(results[-1]), flush=True)
    if args.json:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        args.json.write_text(json.dumps({"when": stamp, "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
