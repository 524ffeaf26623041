"""`privlink up --region` is where unsigned requests land (signed ones carry their own)."""

from __future__ import annotations

import urllib.request
from typing import Any
from xml.etree import ElementTree


def zones(url: str) -> list[str]:
    body = b"Action=DescribeAvailabilityZones&Version=2016-11-15"
    request = urllib.request.Request(
        url, data=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    tree = ElementTree.fromstring(urllib.request.urlopen(request, timeout=10).read())
    return sorted(e.text or "" for e in tree.iter() if e.tag.endswith("zoneName"))


def test_unsigned_requests_use_the_configured_region(fresh_server: Any) -> None:
    server = fresh_server(extra_args=["--region", "eu-west-1"])
    found = zones(server.url)
    assert found and all(z.startswith("eu-west-1") for z in found), found
    # A signed request still answers for the region it was signed for.
    signed = server.client("ec2", region="us-east-2").describe_availability_zones()
    assert {z["RegionName"] for z in signed["AvailabilityZones"]} == {"us-east-2"}


def test_default_region_is_us_east_1(server: Any) -> None:
    assert all(z.startswith("us-east-1") for z in zones(server.url))
