"""DescribeAvailabilityZones and DescribeRegions, from `domain.regions`.

A zone failed with `privlink az fail` shows State "impaired" (network/outages.py).
Every region privlink knows is enabled by default (opt-in-not-required);
AllRegions adds a few opt-in regions as "not-opted-in", as an account that
never enabled them sees them.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.domain import filters, regions
from privlink.services.ec2.network import outages
from privlink.services.shared.describe import narrow

OPT_IN_REGIONS = ("af-south-1", "ap-east-1", "eu-south-1", "me-south-1")
# The region names AWS's zone groups carry (GroupLongName "US East (N. Virginia) 1").
LONG_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "ca-central-1": "Canada (Central)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-north-1": "Europe (Stockholm)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "sa-east-1": "South America (Sao Paulo)",
}


def wire_zone(zone: regions.Zone, failed: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        "State": outages.IMPAIRED if zone.name in failed else outages.AVAILABLE,
        "OptInStatus": "opt-in-not-required",
        "Messages": [],
        "RegionName": zone.region,
        "ZoneName": zone.name,
        "ZoneId": zone.zone_id,
        # A region's availability zones form its zone group 1 (local zones have their own).
        "GroupName": f"{zone.region}-zg-1",
        "GroupLongName": f"{LONG_NAMES.get(zone.region, zone.region)} 1",
        "NetworkBorderGroup": zone.region,
        "ZoneType": "availability-zone",
    }


ZONE_FILTERS: dict[str, filters.Getter] = {
    "group-name": lambda z: z["GroupName"],
    "message": lambda z: [],
    "network-border-group": lambda z: z["NetworkBorderGroup"],
    "opt-in-status": lambda z: z["OptInStatus"],
    "region-name": lambda z: z["RegionName"],
    "state": lambda z: z["State"],
    "zone-id": lambda z: z["ZoneId"],
    "zone-name": lambda z: z["ZoneName"],
    "zone-type": lambda z: z["ZoneType"],
}


@handles("DescribeAvailabilityZones")
def describe_zones(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    failed = outages.failed_zones(ctx.uow)
    zones = [wire_zone(z, failed) for z in regions.zones(ctx.region)]
    names = params.get("ZoneNames") or []
    ids = params.get("ZoneIds") or []
    if names or ids:
        unknown = [n for n in names if n not in {z["ZoneName"] for z in zones}]
        if unknown:
            raise errors.InvalidParameterValue.because(
                f"Invalid availability zone: [{', '.join(unknown)}]"
            )
        unknown = [i for i in ids if i not in {z["ZoneId"] for z in zones}]
        if unknown:
            raise errors.InvalidParameterValue.because(
                f"Invalid availability zone ID: [{', '.join(unknown)}]"
            )
        zones = [z for z in zones if z["ZoneName"] in names or z["ZoneId"] in ids]
    zones, _ = narrow(zones, params, ZONE_FILTERS, lambda z: z["ZoneName"], tags=lambda z: {})
    return {"AvailabilityZones": zones}


def wire_region(name: str, status: str) -> dict[str, Any]:
    return {"Endpoint": f"ec2.{name}.amazonaws.com", "RegionName": name, "OptInStatus": status}


REGION_FILTERS: dict[str, filters.Getter] = {
    "endpoint": lambda r: r["Endpoint"],
    "opt-in-status": lambda r: r["OptInStatus"],
    "region-name": lambda r: r["RegionName"],
}


@handles("DescribeRegions")
def describe_regions(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    enabled = [wire_region(name, "opt-in-not-required") for name in regions.regions()]
    opt_in = [wire_region(name, "not-opted-in") for name in OPT_IN_REGIONS]
    known = enabled + opt_in
    names = params.get("RegionNames") or []
    if names:
        unknown = [n for n in names if n not in {r["RegionName"] for r in known}]
        if unknown:
            raise errors.InvalidParameterValue.because(
                f"Invalid region names: [{', '.join(unknown)}]"
            )
        found = [r for r in known if r["RegionName"] in names]
    else:
        found = known if params.get("AllRegions") else enabled
    found, _ = narrow(found, params, REGION_FILTERS, lambda r: r["RegionName"], tags=lambda r: {})
    return {"Regions": found}
