"""Endpoint DNS names and what they resolve to."""

from __future__ import annotations

import re

from privlink.domain.endpoint_dns import (
    EndpointAddress,
    EndpointDns,
    entries,
    new_token,
    private_zone_id,
    resolution,
)

BASE = "ec2.us-east-1.vpce.amazonaws.com"
ADDRESSES = (EndpointAddress("us-east-1a", "10.0.1.5"), EndpointAddress("us-east-1b", "10.0.2.5"))


def _dns(**kwargs) -> EndpointDns:
    values = {
        "endpoint_id": "vpce-0123456789abcdef0",
        "vpc_id": "vpc-1",
        "region": "us-east-1",
        "token": "ab12cd34",
        "base": BASE,
        "addresses": ADDRESSES,
        **kwargs,
    }
    return EndpointDns(**values)


def test_token_shape():
    assert re.fullmatch(r"[a-z0-9]{8}", new_token())


def test_entries_in_aws_order():
    dns = _dns(private_names=("ec2.us-east-1.amazonaws.com",))
    names = [(e.name, e.hosted_zone_id) for e in entries(dns)]
    assert names == [
        ("vpce-0123456789abcdef0-ab12cd34." + BASE, "Z7HUB22UULQXV"),
        ("vpce-0123456789abcdef0-ab12cd34-us-east-1a." + BASE, "Z7HUB22UULQXV"),
        ("vpce-0123456789abcdef0-ab12cd34-us-east-1b." + BASE, "Z7HUB22UULQXV"),
        ("ec2.us-east-1.amazonaws.com", private_zone_id("vpc-1", "ec2.us-east-1.amazonaws.com")),
    ]


def test_resolution_of_aws_service():
    answers = resolution(_dns(private_names=("ec2.us-east-1.amazonaws.com",)))
    regional = answers["vpce-0123456789abcdef0-ab12cd34." + BASE]
    assert regional.scope == "public" and regional.ipv4 == ("10.0.1.5", "10.0.2.5")
    assert answers["vpce-0123456789abcdef0-ab12cd34-us-east-1b." + BASE].ipv4 == ("10.0.2.5",)
    private = answers["ec2.us-east-1.amazonaws.com"]
    assert private.scope == "vpc" and private.ipv4 == ("10.0.1.5", "10.0.2.5")


def test_provider_private_name_is_a_cname_to_the_regional_name():
    dns = _dns(private_names=("api.example.com",), private_names_alias_regional=True)
    answers = resolution(dns)
    assert answers["api.example.com"].cname == "vpce-0123456789abcdef0-ab12cd34." + BASE
    assert answers["api.example.com"].ipv4 == ()


def test_wildcard_names():
    answers = resolution(_dns(base="s3.us-east-1.vpce.amazonaws.com", wildcard=True))
    names = list(answers)
    assert names[0] == "*.vpce-0123456789abcdef0-ab12cd34.s3.us-east-1.vpce.amazonaws.com"
    assert all(a.wildcard for a in answers.values())
