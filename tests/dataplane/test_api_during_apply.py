"""The API answers while the data plane is busy (issue 12: the API never waits for it).

A `delay` fault (POST /_privlink/faults) holds the next apply at one resource's
namespace step, as a slow apply over a large world would; meanwhile API calls,
reads and writes, must answer. Before, the store thread asked the driver for target
health every 2 s under the lock an apply holds for its whole pass, so every call
queued behind the apply (boto3's read timeout ended them).
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.dataplane.world import network, wait_for

pytestmark = pytest.mark.dataplane

HELD = 300.0  # seconds the apply would wait if the test did not release it
# Far below HELD: a call that queued behind the held apply fails instead of answering late.
PATIENT = Config(
    retries={"max_attempts": 1}, read_timeout=30, connect_timeout=5, inject_host_prefix=False
)


def faults(server: Any, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        server.url + "/_privlink/faults", data=json.dumps(body).encode(), method="POST"
    )
    assert json.loads(urllib.request.urlopen(request, timeout=5).read()) == {"armed": True}


def launch(ec2: Any, subnet: str) -> str:
    return ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)[
        "Instances"
    ][0]["InstanceId"]


def state(ec2: Any, instance: str) -> str:
    found = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]
    return str(found["State"]["Name"])


def test_api_answers_while_an_apply_is_held(fresh_server: Any) -> None:
    server = fresh_server(extra_args=["--dataplane", "linux"])
    ec2 = boto3.client(
        "ec2",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="111111111111",
        aws_secret_access_key="test",
        config=PATIENT,
    )
    vpc, subnets = network(ec2, "10.0.0.0/16")
    first = launch(ec2, subnets[0])
    wait_for(lambda: state(ec2, first) == "running", 30, "the first instance to run")

    faults(server, {"resource": first, "delay": HELD})
    second = launch(ec2, subnets[1])  # a change: the next pass stops at `first`
    try:
        for round in range(6):  # over several health-sync periods (2 s each)
            assert ec2.describe_availability_zones()["AvailabilityZones"]
            assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
            group = ec2.create_security_group(
                GroupName=f"during-{round}", Description="while held", VpcId=vpc
            )["GroupId"]
            assert ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"]
            time.sleep(0.5)
        # The apply was still held all along: what it would realise is not there yet.
        assert state(ec2, second) == "pending"
    finally:
        faults(server, {"clear": True})
    wait_for(lambda: state(ec2, second) == "running", 60, "the second instance to run")
