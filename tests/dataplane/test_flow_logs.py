"""VPC Flow Logs from real traffic: a consumer instance talks to a provider's service
through an interface endpoint; the consumer VPC's flow log shows the flow at both
interfaces (the instance's and the endpoint's) in CloudWatch Logs, read with the unmodified
`aws logs tail` and `filter-log-events`, and in an S3 bucket in AWS's key layout; a
security group that stops allowing the flow turns it into a REJECT record."""

from __future__ import annotations

import gzip
import json
import subprocess
from typing import Any

import pytest

from tests.api.test_logs_cli import CLI_V2, cli_v2_available
from tests.dataplane.world import CONSUMER, World, observed_world, read_all, wait_for
from tests.harness import needs

pytestmark = pytest.mark.dataplane

GROUP = "consumer-flows"
FIELDS = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
    "bytes start end action log-status"
).split()
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.fixture
def world(fresh_server: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("PRIVLINK_OBSERVE_SECONDS", "2")  # the server's collection period
    return observed_world(fresh_server)


def flow_log(world: World) -> str:
    iam = world.server.client("iam", CONSUMER)
    role = iam.create_role(RoleName="flow-logs", AssumeRolePolicyDocument=json.dumps(TRUST))
    made = world.c_ec2.create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[world.c_vpc],
        TrafficType="ALL",
        LogGroupName=GROUP,
        DeliverLogsPermissionArn=role["Role"]["Arn"],
        MaxAggregationInterval=60,
    )
    assert made["Unsuccessful"] == []
    return str(made["FlowLogIds"][0])


def records(world: World) -> list[dict[str, str]]:
    """Every record so far, as `aws logs tail` prints them (time, stream, message)."""
    tail = subprocess.run(
        [str(CLI_V2), "--endpoint-url", world.server.url, "logs", "tail", GROUP, "--since", "1h"],
        env=world.server.cli_env(CONSUMER),
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "ResourceNotFoundException" in tail.stderr:
        return []  # the first window is not delivered yet: no group
    assert tail.returncode == 0, tail.stderr
    found = []
    for line in tail.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 + len(FIELDS):
            found.append({"stream": parts[1], **dict(zip(FIELDS, parts[2:], strict=True))})
    return found


def matching(found: list[dict[str, str]], **want: str) -> list[dict[str, str]]:
    return [r for r in found if all(r[k] == v for k, v in want.items())]


@needs(cli_v2_available(), "the AWS CLI v2 (Debian's awscli): `aws logs tail`")
def test_accept_and_reject_records_from_real_traffic(world: World) -> None:
    flow_log(world)
    endpoint = world.accept(world.create_endpoint()["VpcEndpointId"])
    enis = world.c_ec2.describe_network_interfaces(
        NetworkInterfaceIds=endpoint["NetworkInterfaceIds"]
    )["NetworkInterfaces"]
    eni = next(e for e in enis if e["SubnetId"] == world.c_subnets[0])
    instance = world.c_ec2.describe_instances(InstanceIds=[world.client])["Reservations"][0][
        "Instances"
    ][0]
    client_ip = instance["PrivateIpAddress"]
    client_eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]

    s3 = world.server.client("s3", CONSUMER)
    s3.create_bucket(Bucket="consumer-flows")
    to_s3 = world.c_ec2.create_flow_logs(
        ResourceType="NetworkInterface",
        ResourceIds=[client_eni],
        TrafficType="ACCEPT",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::consumer-flows/instances",
        MaxAggregationInterval=60,
    )
    assert to_s3["Unsuccessful"] == []

    reply = wait_for(
        lambda: read_all(world.client, eni["PrivateIpAddress"], 80),
        20,
        "a reply through the endpoint",
    )
    port, answered = reply.stdout.split()
    out = {"srcaddr": client_ip, "dstaddr": eni["PrivateIpAddress"], "srcport": port}
    back = {"srcaddr": eni["PrivateIpAddress"], "dstaddr": client_ip, "dstport": port}

    def both_ends() -> list[dict[str, str]] | None:
        found = records(world)
        wanted = [
            matching(found, stream=client_eni, **out),
            matching(found, stream=client_eni, **back),
            matching(found, stream=eni["NetworkInterfaceId"], **out),
            matching(found, stream=eni["NetworkInterfaceId"], **back),
        ]
        return [w[0] for w in wanted] if all(len(w) == 1 for w in wanted) else None

    sent, received, arrived, left = wait_for(both_ends, 30, "ACCEPT records at both ends")
    for record in (sent, received, arrived, left):
        assert record["version"] == "2" and record["account-id"] == CONSUMER
        assert record["protocol"] == "6" and record["action"] == "ACCEPT"
        assert record["log-status"] == "OK"
        assert record["interface-id"] == record["stream"]
        assert int(record["start"]) <= int(record["end"])
    assert sent["dstport"] == "80" and received["srcport"] == "80"
    # The same packets leave the instance and reach the endpoint's interface (and back).
    assert (sent["packets"], sent["bytes"]) == (arrived["packets"], arrived["bytes"])
    assert (received["packets"], received["bytes"]) == (left["packets"], left["bytes"])
    # The answer's bytes, plus an IPv4 and TCP header (with options) per packet.
    packets, nbytes = int(received["packets"]), int(received["bytes"])
    assert 3 <= packets <= 10
    assert int(answered) + 40 * packets <= nbytes <= int(answered) + 60 * packets

    # The same flow, in AWS's S3 layout: a gzipped object with a header line.
    folder = f"instances/AWSLogs/{CONSUMER}/vpcflowlogs/us-east-1/"
    keys = wait_for(
        lambda: [
            o["Key"]
            for o in s3.list_objects_v2(Bucket="consumer-flows", Prefix=folder).get("Contents", [])
        ],
        20,
        "flow log objects in the bucket",
    )
    assert keys and all(k.endswith(".log.gz") and f"_{to_s3['FlowLogIds'][0]}_" in k for k in keys)
    lines = [
        line
        for key in keys
        for line in gzip.decompress(s3.get_object(Bucket="consumer-flows", Key=key)["Body"].read())
        .decode()
        .splitlines()
    ]
    assert lines[0].split() == FIELDS
    written = [dict(zip(FIELDS, line.split(), strict=True)) for line in lines if line != lines[0]]
    assert matching(written, **out, packets=sent["packets"], bytes=sent["bytes"])
    assert matching(written, **back, packets=received["packets"], bytes=received["bytes"])

    # The endpoint's group stops allowing the client: its SYNs are REJECTed at the ENI.
    world.c_ec2.revoke_security_group_ingress(
        GroupId=world.c_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 81,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            }
        ],
    )

    def rejected() -> dict[str, str] | None:
        read_all(world.client, eni["PrivateIpAddress"], 80, timeout=10)
        events = world.server.aws(
            "logs",
            "filter-log-events",
            "--log-group-name",
            GROUP,
            "--log-stream-names",
            eni["NetworkInterfaceId"],
            "--filter-pattern",
            "REJECT",
            account=CONSUMER,
        )
        for event in json.loads(events.stdout)["events"]:
            parts = event["message"].split()
            if parts[3:5] == [client_ip, eni["PrivateIpAddress"]] and parts[6] == "80":
                return {"packets": parts[8], "bytes": parts[9], "action": parts[12]}
        return None

    reject = wait_for(rejected, 40, "a REJECT record at the endpoint's interface")
    assert reject["action"] == "REJECT" and int(reject["packets"]) >= 1
    assert int(reject["bytes"]) >= 60 * int(reject["packets"])  # SYNs: 60 bytes each
    described = world.c_ec2.describe_flow_logs()["FlowLogs"][0]
    assert described["DeliverLogsStatus"] == "SUCCESS"
