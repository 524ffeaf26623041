"""Reachability Analyzer during a zonal outage: `privlink az fail ZONE` turns an
analysis not reachable where the path enters the failed zone (an instance, an endpoint's
interface), and `privlink az restore ZONE` turns it back.

Its own server: a failed zone is host-wide and the shared server keeps every zone up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.test_az_cli import az
from tests.api.test_network_insights import A, B, answer, consumer_setup, launch
from tests.harness import Server


def verdict(ec2: Any, path_id: str) -> dict[str, Any]:
    """A new analysis of an existing path, answered."""
    started = ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)
    return answer(ec2, started["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"])


def path(ec2: Any, source: str, destination: str, port: int = 80) -> str:
    return str(
        ec2.create_network_insights_path(
            Source=source, Destination=destination, Protocol="tcp", DestinationPort=port
        )["NetworkInsightsPath"]["NetworkInsightsPathId"]
    )


def test_a_failed_zone_turns_analyses_unreachable_until_restored(
    fresh_server: Callable[..., Server],
) -> None:
    server = fresh_server()
    consumer, net, client, endpoint, _ = consumer_setup(server, acceptance=False)
    ec2 = consumer.ec2
    other = launch(ec2, net.subnets[B])  # in zone b, the client in a
    enis = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0][
        "NetworkInterfaceIds"
    ]
    eni_a = next(
        e["NetworkInterfaceId"]
        for e in ec2.describe_network_interfaces(NetworkInterfaceIds=enis)["NetworkInterfaces"]
        if e["AvailabilityZone"] == A
    )
    to_client, to_interface = path(ec2, other, client), path(ec2, other, eni_a)
    for path_id in (to_client, to_interface):
        assert verdict(ec2, path_id)["NetworkPathFound"] is True

    assert az(server, "fail", A).returncode == 0
    for path_id, blocked, kind in ((to_client, client, "instance"),
                                   (to_interface, eni_a, "network-interface")):  # fmt: skip
        result = verdict(ec2, path_id)
        assert result["NetworkPathFound"] is False
        [why] = result["Explanations"]
        assert why["ExplanationCode"] == "BAD_STATE"
        assert why["Component"]["Id"] == blocked and f":{kind}/" in why["Component"]["Arn"]
        assert why["State"] == "impaired" and why["AvailabilityZones"] == [A]

    assert az(server, "restore", A).returncode == 0
    for path_id in (to_client, to_interface):
        assert verdict(ec2, path_id)["NetworkPathFound"] is True
