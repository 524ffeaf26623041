"""PrivateLink driven through operations alone, with the real data plane: no HTTP at all.

This is how another service (MWAA next) uses PrivateLink: inside one unit of
work on privlink's store thread it creates, on an account's behalf, an NLB-backed
endpoint service in a provider account and an interface endpoint in a consumer
account. The in-process Runtime's controllers and Linux data plane do the rest,
exactly as for API calls: the endpoint becomes available and carries traffic.
"""

from __future__ import annotations

import asyncio
import base64
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from privlink.api import Scope
from privlink.app import Runtime
from privlink.config import Settings
from privlink.services.ec2.compute.instances import LaunchSpec, run_instances
from privlink.services.ec2.network.subnets import create_subnet
from privlink.services.ec2.network.vpcs import create_vpc
from privlink.services.ec2.records import NetworkInterface
from privlink.services.ec2.security.groups import authorize_ingress, create_security_group
from privlink.services.ec2.security.permissions import Peer, Permission
from privlink.services.elbv2.operations import NewLoadBalancer, SubnetMapping, create_load_balancer
from privlink.services.elbv2.operations.listeners import NewListener, create_listener, forward
from privlink.services.elbv2.operations.target_groups import NewTargetGroup, create_target_group
from privlink.services.elbv2.operations.targets import Target, register_targets
from privlink.services.privatelink import consumer, provider
from privlink.services.privatelink.records import VpcEndpoint
from tests.harness import free_port, wait_until

pytestmark = pytest.mark.dataplane

PROVIDER, CONSUMER = "111111111111", "222222222222"
REGION = "us-east-1"
ZONES = ("us-east-1a", "us-east-1b")
SERVER = """#!/usr/bin/env python3
import http.server


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hello from ops")


http.server.HTTPServer(("", 8080), Hello).serve_forever()
"""
T = TypeVar("T")


class InProcess:
    """A Runtime with the Linux data plane, its lifespan running on its own loop thread."""

    def __init__(self, state_dir: Path) -> None:
        settings = Settings(
            port=free_port(), https_port=0, dns_port=0, state_dir=state_dir, dataplane="linux"
        )
        self.runtime = Runtime(settings)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._call(self._startup())

    async def _startup(self) -> None:
        for hook in self.runtime.on_startup:
            await hook()

    async def _shutdown(self) -> None:
        for hook in reversed(self.runtime.on_shutdown):
            await hook()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)

    def in_store(self, fn: Callable[[], T]) -> T:
        """Run fn on the store thread, where API handlers and controllers run."""
        return self.runtime.gateway.executor.submit(fn).result(timeout=60)

    def act(self, account: str, fn: Callable[[Scope], T]) -> T:
        def unit() -> T:
            with self.runtime.store.unit() as uow:
                return fn(Scope(account, REGION, uow))

        return self.in_store(unit)

    def close(self) -> None:
        self._call(self._shutdown())
        self.runtime.gateway.executor.shutdown(wait=True)
        self.runtime.store.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture
def privlink(tmp_path: Path) -> Iterator[InProcess]:
    running = InProcess(tmp_path / "state")
    yield running
    running.close()


def network(scope: Scope, cidr: str) -> tuple[str, list[str], str]:
    vpc = create_vpc(scope, cidr)
    prefix = cidr.rsplit(".", 2)[0]
    subnets = [
        create_subnet(scope, vpc.id, f"{prefix}.{i + 1}.0/24", zone).id
        for i, zone in enumerate(ZONES)
    ]
    group = create_security_group(scope, "web", "web", vpc.id)
    authorize_ingress(
        scope,
        group.id,
        [Permission.tcp(8080, Peer.cidr(cidr)), Permission.tcp(80, Peer.cidr(cidr))],
    )
    return vpc.id, subnets, group.id


def provide(scope: Scope) -> tuple[str, str]:
    """Provider: a web server instance behind an NLB behind an endpoint service."""
    vpc_id, subnets, group = network(scope, "10.0.0.0/16")
    _, (web,) = run_instances(
        scope,
        LaunchSpec(
            image_id="ami-12345678",
            subnet_id=subnets[0],
            group_ids=[group],
            user_data=base64.b64encode(SERVER.encode()).decode(),
        ),
    )
    lb, _ = create_load_balancer(
        scope,
        NewLoadBalancer(
            name="web", subnets=tuple(SubnetMapping(s) for s in subnets), scheme="internal"
        ),
    )
    tg, _ = create_target_group(scope, NewTargetGroup("web", "TCP", 8080, vpc_id))
    register_targets(scope, tg.id, [Target(web.id)])
    create_listener(scope, NewListener(lb.id, "TCP", 80, forward(tg.id)))
    service = provider.create_endpoint_service(
        scope, provider.EndpointServiceSpec([lb.id], acceptance_required=True)
    )
    provider.modify_endpoint_service_permissions(
        scope, service.id, add=[f"arn:aws:iam::{CONSUMER}:root"]
    )
    return service.id, service.service_name


def consume(scope: Scope, service_name: str) -> tuple[str, str, list[str]]:
    """Consumer: a client instance and an interface endpoint to the service."""
    vpc_id, subnets, group = network(scope, "10.0.0.0/16")  # same CIDR: no overlap issue
    _, (client,) = run_instances(
        scope, LaunchSpec(image_id="ami-12345678", subnet_id=subnets[0], group_ids=[group])
    )
    endpoint = consumer.create_interface_endpoint(
        scope,
        consumer.InterfaceEndpointSpec(
            vpc_id=vpc_id, service_name=service_name, subnet_ids=subnets, security_group_ids=[group]
        ),
    )
    ips = [
        scope.uow.get(NetworkInterface, e).private_ip  # type: ignore[union-attr]
        for e in endpoint.interfaces.values()
    ]
    return endpoint.id, client.id, ips


def test_operations_alone_make_an_endpoint_that_carries_traffic(privlink: InProcess) -> None:
    service_id, service_name = privlink.act(PROVIDER, provide)
    endpoint_id, client, ips = privlink.act(CONSUMER, lambda s: consume(s, service_name))

    def state() -> str:
        return privlink.act(CONSUMER, lambda s: s.require(VpcEndpoint, endpoint_id).state)

    assert state() == "pendingAcceptance"
    refused = privlink.act(
        PROVIDER, lambda s: provider.accept_connections(s, service_id, [endpoint_id])
    )
    assert refused == []
    wait_until(lambda: state() == "available", 60, message="the endpoint to become available")

    driver = privlink.runtime.dataplane
    assert driver is not None
    netns = wait_until(lambda: driver.instance_netns(client), 30, message="the client's netns")

    def fetch() -> str:
        done = subprocess.run(
            ["ip", "netns", "exec", netns, "curl", "-sf", "-m", "3", f"http://{ips[0]}:80/"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return done.stdout

    assert wait_until(fetch, 40, message="a reply through the endpoint") == "hello from ops"
