"""AWS-managed prefix lists: the S3 and DynamoDB address ranges of each region.

Gateway endpoints route to these lists (a route whose destination is the
list, target the endpoint), security group rules name them, and Terraform's
aws_vpc_endpoint reads DescribePrefixLists (filtered by prefix-list-name) on
every refresh. The lists are AWS's, not an account's: every account of a
region sees the same ones, owned by "AWS", and none can change them.

Ids are AWS's real ones where they are published (S3 in twelve regions,
DynamoDB in five). Other (region, service) pairs get a deterministic id
derived from the name (`pl-` + 8 hex digits of its SHA-256), stable across
restarts and hosts but not AWS's. Entries are AWS's published ranges for
us-east-1 and us-west-2; other regions get one /28 per list from
198.19.255.0/24, the top of the range privlink keeps for its own internet
(see `network.addresses`): never a real AWS range, so nothing mistakes it
for one.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from privlink.domain import regions

SERVICES = ("s3", "dynamodb")
OWNER = "AWS"

_KNOWN_IDS: dict[tuple[str, str], str] = {
    ("us-east-1", "s3"): "pl-63a5400a",
    ("us-east-2", "s3"): "pl-7ba54012",
    ("us-west-1", "s3"): "pl-6ba54002",
    ("us-west-2", "s3"): "pl-68a54001",
    ("eu-west-1", "s3"): "pl-6da54004",
    ("eu-central-1", "s3"): "pl-6ea54007",
    ("ap-south-1", "s3"): "pl-78a54011",
    ("ap-southeast-1", "s3"): "pl-6fa54006",
    ("ap-southeast-2", "s3"): "pl-6ca54005",
    ("ap-northeast-1", "s3"): "pl-61a54008",
    ("sa-east-1", "s3"): "pl-6aa54003",
    ("us-east-1", "dynamodb"): "pl-02cd2c6b",
    ("us-east-2", "dynamodb"): "pl-4ca54025",
    ("us-west-1", "dynamodb"): "pl-6ea54007",
    ("us-west-2", "dynamodb"): "pl-00a54069",
    ("ap-southeast-2", "dynamodb"): "pl-62a5400b",
}
_KNOWN_CIDRS: dict[tuple[str, str], tuple[str, ...]] = {
    ("us-east-1", "s3"): (
        "3.5.0.0/19",
        "16.15.176.0/20",
        "16.182.0.0/16",
        "18.34.0.0/19",
        "18.34.232.0/21",
        "52.216.0.0/15",
        "54.231.0.0/16",
    ),
    ("us-east-1", "dynamodb"): (
        "3.218.180.0/23",
        "3.218.182.0/24",
        "52.94.0.0/22",
        "52.119.224.0/20",
    ),
    ("us-west-2", "s3"): ("52.92.32.0/22", "52.218.128.0/17", "54.231.160.0/19"),
    ("us-west-2", "dynamodb"): ("52.94.10.0/24", "52.94.28.0/23"),
}
_PLACEHOLDER = ipaddress.IPv4Network("198.19.255.0/24")


@dataclass(frozen=True)
class ManagedPrefixList:
    prefix_list_id: str
    name: str
    region: str
    cidrs: tuple[str, ...]

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:aws:prefix-list/{self.prefix_list_id}"


def _derived_id(name: str) -> str:
    return "pl-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def _placeholder(region: str, service: str) -> tuple[str, ...]:
    index = (regions.regions() + [region]).index(region) * len(SERVICES) + SERVICES.index(service)
    block = list(_PLACEHOLDER.subnets(new_prefix=28))[index % 16]
    return (str(block),)


def managed_lists(region: str) -> list[ManagedPrefixList]:
    """The region's AWS-managed lists, in AWS's order (S3, then DynamoDB)."""
    found = []
    for service in SERVICES:
        name = f"com.amazonaws.{region}.{service}"
        key = (region, service)
        found.append(
            ManagedPrefixList(
                _KNOWN_IDS.get(key) or _derived_id(name),
                name,
                region,
                _KNOWN_CIDRS.get(key) or _placeholder(region, service),
            )
        )
    return found


def by_id(region: str, prefix_list_id: str) -> ManagedPrefixList | None:
    return next((p for p in managed_lists(region) if p.prefix_list_id == prefix_list_id), None)


def for_service(region: str, service_name: str) -> ManagedPrefixList | None:
    """The list a gateway endpoint to `service_name` routes (com.amazonaws.REGION.s3)."""
    return next((p for p in managed_lists(region) if p.name == service_name), None)
