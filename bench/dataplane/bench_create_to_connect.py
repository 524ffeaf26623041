"""Time from CreateVpcEndpoint to the first TCP connection through the new endpoint.

Runs a real `privlink up --dataplane linux`, builds a provider (a TCP server
instance behind an NLB, published as an endpoint service that auto-accepts)
and a consumer instance, then repeatedly: start a poller whose socket lives
in the consumer instance's namespace, call CreateVpcEndpoint with a fixed
ENI address (SubnetConfigurations), and record when the first connection to
that address completes; delete the endpoint, wait until its ENI is gone and let the
data plane settle (SETTLE), so each sample measures the create path alone rather than
queueing behind the previous sample's teardown.
AWS takes minutes for this; the goal here is a median under 200 ms.

    sudo .venv/bin/python bench/dataplane/bench_create_to_connect.py [--samples 15]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from privlink.dataplane import names
from privlink.dataplane.linux import netns

# Run as a script: the checkout's root (not the cwd) must be importable for tests.harness.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.harness import Server, wait_until  # noqa: E402

SETTLE = 1.0  # seconds between samples, so no earlier teardown is still being applied
log = logging.getLogger("bench")
PROVIDER, CONSUMER = "111111111111", "222222222222"
SERVER = """#!/bin/bash
exec python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080)); s.listen(64)
while True:
    c, _ = s.accept(); c.close()
'
"""


def poll_connect(namespace: str, address: str, port: int, deadline: float) -> float | None:
    """In the namespace: connect until one succeeds; returns its monotonic time."""

    def loop() -> float | None:
        while time.monotonic() < deadline:
            with socket.socket() as s:
                s.settimeout(0.05)
                try:
                    s.connect((address, port))
                    return time.monotonic()
                except OSError:
                    time.sleep(0.002)
        return None

    return netns.run_in(namespace, loop)


def link_gone(namespace: str, link: str) -> bool:
    """The link is no more in the namespace (an ENI's veth: gone with its endpoint)."""
    return all(name != link for _, name in netns.run_in(namespace, socket.if_nameindex))


def existing(server: Server, service_name: str, count: int) -> None:
    """`count` endpoints to the same service that exist before the samples (40 per VPC, 40
    VPCs per account), all available first: the samples then measure a create among them."""
    made: list[tuple[Any, str]] = []
    for index in range(0, count, 40):
        ec2 = server.client("ec2", f"3{index // 1600:011d}")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(
            VpcId=vpc, CidrBlock="10.0.0.0/20", AvailabilityZone="us-east-1a"
        )["Subnet"]["SubnetId"]
        for _ in range(min(40, count - index)):
            made.append(
                (
                    ec2,
                    ec2.create_vpc_endpoint(
                        VpcId=vpc,
                        ServiceName=service_name,
                        VpcEndpointType="Interface",
                        SubnetIds=[subnet],
                    )["VpcEndpoint"]["VpcEndpointId"],
                )
            )

    def available() -> bool:
        states: dict[str, str] = {}
        for ec2 in {id(c): c for c, _ in made}.values():
            for page in ec2.get_paginator("describe_vpc_endpoints").paginate():
                states.update({e["VpcEndpointId"]: e["State"] for e in page["VpcEndpoints"]})
        return all(states.get(e) == "available" for _, e in made)

    wait_until(available, 600, 1.0, f"{count} existing endpoints to be available")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument(
        "--existing", type=int, default=0, help="endpoints that exist before the samples"
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("create_to_connect.json")
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=os.environ.get("PRIVLINK_BENCH_LOG_LEVEL", "warning").upper(),
        format="%(asctime)s %(name)s: %(message)s",
    )
    state = Path(tempfile.mkdtemp(prefix="privlink-bench-"))
    server = Server(
        state,
        extra_args=["--dataplane", "linux"],
        log_level=os.environ.get("PRIVLINK_BENCH_LOG_LEVEL", "warning"),
        log=Path(os.environ.get("PRIVLINK_BENCH_LOG", os.devnull)),
        strict_output=False,
    )

    def client(service: str, account: str) -> Any:
        return server.client(service, account)

    try:
        server.start()
        p_ec2, p_elb, c_ec2 = (
            client("ec2", PROVIDER),
            client("elbv2", PROVIDER),
            client("ec2", CONSUMER),
        )
        p_vpc = p_ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        p_sub = p_ec2.create_subnet(
            VpcId=p_vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a"
        )["Subnet"]["SubnetId"]
        group = p_ec2.create_security_group(GroupName="web", Description="web", VpcId=p_vpc)[
            "GroupId"
        ]
        p_ec2.authorize_security_group_ingress(
            GroupId=group, IpProtocol="tcp", FromPort=8080, ToPort=8080, CidrIp="10.0.0.0/16"
        )
        backend = p_ec2.run_instances(
            ImageId="ami-12345678",
            MinCount=1,
            MaxCount=1,
            SubnetId=p_sub,
            SecurityGroupIds=[group],
            UserData=SERVER,
        )["Instances"][0]["InstanceId"]
        nlb = p_elb.create_load_balancer(
            Name="svc", Type="network", Scheme="internal", Subnets=[p_sub]
        )["LoadBalancers"][0]["LoadBalancerArn"]
        tg = p_elb.create_target_group(
            Name="svc",
            Protocol="TCP",
            Port=8080,
            VpcId=p_vpc,
            HealthCheckIntervalSeconds=5,
            HealthCheckTimeoutSeconds=2,
            HealthyThresholdCount=2,
        )["TargetGroups"][0]["TargetGroupArn"]
        p_elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": backend}])
        p_elb.create_listener(
            LoadBalancerArn=nlb,
            Protocol="TCP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
        )
        service = p_ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[nlb], AcceptanceRequired=False
        )["ServiceConfiguration"]
        p_ec2.modify_vpc_endpoint_service_permissions(
            ServiceId=service["ServiceId"], AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"]
        )
        wait_until(
            lambda: p_elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"][0][
                "TargetHealth"
            ]["State"]
            == "healthy",
            60,
            0.05,
            "target healthy",
        )

        if args.existing:
            p_ec2.modify_vpc_endpoint_service_permissions(
                ServiceId=service["ServiceId"], AddAllowedPrincipals=["*"]
            )
            existing(server, service["ServiceName"], args.existing)
        c_vpc = c_ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        c_sub = c_ec2.create_subnet(
            VpcId=c_vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a"
        )["Subnet"]["SubnetId"]
        c_group = c_ec2.create_security_group(GroupName="e", Description="e", VpcId=c_vpc)[
            "GroupId"
        ]
        c_ec2.authorize_security_group_ingress(
            GroupId=c_group, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="10.0.0.0/16"
        )
        consumer = c_ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=c_sub
        )["Instances"][0]["InstanceId"]
        namespace = names.instance_netns(consumer)
        wait_until(lambda: netns.exists(namespace), 30, 0.05, "consumer instance namespace")

        samples: list[float] = []
        for n in range(args.samples):
            address = f"10.0.1.{100 + n}"
            result: dict[str, float | None] = {}
            start = time.monotonic()
            log.debug("sample %d: CreateVpcEndpoint", n)
            poller = threading.Thread(
                target=lambda r=result, a=address, s=start: r.update(
                    t=poll_connect(namespace, a, 80, s + 10)
                )
            )
            poller.start()
            endpoint = c_ec2.create_vpc_endpoint(
                VpcId=c_vpc,
                ServiceName=service["ServiceName"],
                VpcEndpointType="Interface",
                SubnetConfigurations=[{"SubnetId": c_sub, "Ipv4": address}],
                SecurityGroupIds=[c_group],
            )["VpcEndpoint"]["VpcEndpointId"]
            poller.join()
            if result.get("t") is None:
                raise RuntimeError(f"sample {n}: no connection within 10 s")
            samples.append((result["t"] - start) * 1000)  # type: ignore[operator]
            log.debug("sample %d: created at +0, connected at +%.0f ms", n, samples[-1])
            (eni,) = c_ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0][
                "NetworkInterfaceIds"
            ]
            c_ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
            gone = functools.partial(link_gone, names.vpc_netns(c_vpc), names.eni_port(eni))
            wait_until(gone, 30, 0.05, "the endpoint's ENI to be removed")
            time.sleep(SETTLE)  # start the next sample from a quiet data plane
        summary = {
            "existing_endpoints": args.existing,
            "samples_ms": samples,
            "median_ms": statistics.median(samples),
            "p90_ms": sorted(samples)[int(len(samples) * 0.9) - 1],
            "min_ms": min(samples),
            "max_ms": max(samples),
        }
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
        print(
            f"create -> first connection: median {summary['median_ms']:.0f} ms, "
            f"p90 {summary['p90_ms']:.0f} ms, min {summary['min_ms']:.0f} ms, "
            f"max {summary['max_ms']:.0f} ms over {len(samples)} samples"
            f" with {args.existing} endpoints existing"
        )
    finally:
        server.stop(timeout=60)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
