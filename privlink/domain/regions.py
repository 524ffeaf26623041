"""Regions and their availability zones (names and zone IDs), as AWS lists them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Zone:
    name: str  # us-east-1a
    zone_id: str  # use1-az1
    region: str


_REGION_ZONES: dict[str, tuple[str, list[tuple[str, int]]]] = {
    # region: (zone-id prefix, [(letter, az number)])
    "us-east-1": ("use1", [("a", 6), ("b", 1), ("c", 2), ("d", 4), ("e", 3), ("f", 5)]),
    "us-east-2": ("use2", [("a", 1), ("b", 2), ("c", 3)]),
    "us-west-1": ("usw1", [("a", 3), ("c", 1)]),
    "us-west-2": ("usw2", [("a", 2), ("b", 1), ("c", 3), ("d", 4)]),
    "ca-central-1": ("cac1", [("a", 1), ("b", 2), ("d", 4)]),
    "eu-west-1": ("euw1", [("a", 3), ("b", 1), ("c", 2)]),
    "eu-west-2": ("euw2", [("a", 2), ("b", 3), ("c", 1)]),
    "eu-central-1": ("euc1", [("a", 2), ("b", 3), ("c", 1)]),
    "eu-north-1": ("eun1", [("a", 1), ("b", 2), ("c", 3)]),
    "ap-southeast-1": ("apse1", [("a", 2), ("b", 1), ("c", 3)]),
    "ap-southeast-2": ("apse2", [("a", 1), ("b", 3), ("c", 2)]),
    "ap-northeast-1": ("apne1", [("a", 4), ("c", 1), ("d", 2)]),
    "ap-south-1": ("aps1", [("a", 1), ("b", 3), ("c", 2)]),
    "sa-east-1": ("sae1", [("a", 1), ("b", 2), ("c", 3)]),
}


def regions() -> list[str]:
    return list(_REGION_ZONES)


def is_region(name: str) -> bool:
    return name in _REGION_ZONES


def zones(region: str) -> list[Zone]:
    prefix, letters = _REGION_ZONES.get(region, _REGION_ZONES["us-east-1"])
    name_region = region if region in _REGION_ZONES else "us-east-1"
    return [Zone(f"{name_region}{letter}", f"{prefix}-az{num}", region) for letter, num in letters]


def zone_named(region: str, name_or_id: str) -> Zone | None:
    for zone in zones(region):
        if name_or_id in (zone.name, zone.zone_id):
            return zone
    return None
