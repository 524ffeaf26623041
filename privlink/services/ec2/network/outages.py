"""Availability-zone outages on demand (`privlink az fail ZONE` / `restore ZONE`).

A zonal outage is the physical world's doing, not any account's: one record per
failed zone, owned by AWS itself (`OWNER`) in the zone's region, so it survives
a restart like every other record and flows into the data-plane plan
(`failed_zones`). DescribeAvailabilityZones shows such a zone "impaired", the
state AWS's API has for a zone in trouble.

Zones are named as `DescribeAvailabilityZones` names them (us-east-1a) or by
zone ID (use1-az6); privlink's zone names are the same in every account.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.domain import regions
from privlink.store.records import Record
from privlink.store.unit import UnitOfWork

OWNER = "aws"  # the account outage records belong to: nobody's, the infrastructure's
AVAILABLE = "available"
IMPAIRED = "impaired"


class ZoneOutage(Record):
    """One failed availability zone; its id is the zone name (us-east-1a)."""

    kind = "zone-outage"
    zone_id: str
    since: str  # ISO time the zone failed


@dataclass(frozen=True)
class ZoneState:
    """A zone as `privlink az` lists it."""

    name: str
    zone_id: str
    region: str
    state: str  # AVAILABLE | IMPAIRED
    since: str | None = None


def resolve(name_or_id: str) -> regions.Zone:
    """The zone a name or zone ID means, in whichever region has it; the error
    DescribeAvailabilityZones gives for an unknown one."""
    for region in regions.regions():
        zone = regions.zone_named(region, name_or_id)
        if zone is not None:
            return zone
    raise errors.InvalidParameterValue.because(f"Invalid availability zone: [{name_or_id}]")


def outage_scope(uow: UnitOfWork, zone: regions.Zone) -> Scope:
    """Where a zone's outage record lives: AWS's own account in the zone's region."""
    return Scope(OWNER, zone.region, uow)


def fail_zone(scope: Scope, zone: regions.Zone) -> ZoneState:
    """Fail `zone` (idempotent: failing a failed zone keeps its first time)."""
    outage = scope.get(ZoneOutage, zone.name)
    if outage is None:
        outage = ZoneOutage(
            id=zone.name,
            account=scope.account,
            region=scope.region,
            zone_id=zone.zone_id,
            since=scope.now().isoformat(),
        )
        scope.add(outage)
    return ZoneState(zone.name, zone.zone_id, zone.region, IMPAIRED, outage.since)


def restore_zone(scope: Scope, zone: regions.Zone) -> ZoneState:
    """Bring `zone` back (idempotent: restoring a healthy zone changes nothing)."""
    outage = scope.get(ZoneOutage, zone.name)
    if outage is not None:
        scope.delete(outage)
    return ZoneState(zone.name, zone.zone_id, zone.region, AVAILABLE)


def failed_zones(uow: UnitOfWork) -> frozenset[str]:
    """The names of every failed zone, all regions (what the data plane honours)."""
    return frozenset(o.id for o in uow.list(ZoneOutage, account=OWNER))


def zone_states(uow: UnitOfWork, region: str | None = None) -> list[ZoneState]:
    """Every zone (of one region, or of all) with its state."""
    failed = {o.id: o for o in uow.list(ZoneOutage, account=OWNER)}
    return [
        ZoneState(
            zone.name,
            zone.zone_id,
            zone.region,
            IMPAIRED if zone.name in failed else AVAILABLE,
            failed[zone.name].since if zone.name in failed else None,
        )
        for name in ([region] if region else regions.regions())
        for zone in regions.zones(name)
    ]
