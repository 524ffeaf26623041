"""The AWS services every account can reach through PrivateLink, per Region.

`ServiceOffer` is also the common view of a provider's endpoint service, so
DescribeVpcEndpointServices and CreateVpcEndpoint treat both alike.

Names follow the AWS patterns (interface service ``com.amazonaws.<r>.<code>``,
base DNS ``<code>.<r>.vpce.amazonaws.com`` with dotted codes reversed
(``ecr.dkr`` -> ``dkr.ecr.<r>.vpce.amazonaws.com``), private DNS the service's public
regional host name). AWS services are offered in every AZ of the Region,
auto-accept, and have a stable service id derived from Region, name and type.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from privlink.domain import endpoint_dns, regions
from privlink.services.privatelink.records import AWS_OWNER

__all__ = ["AWS_OWNER", "ServiceOffer", "aws_offers_named", "aws_service_name", "aws_services"]
DUAL = ("ipv4", "ipv6")
V4 = ("ipv4",)


@dataclass(frozen=True)
class ServiceOffer:
    """A service as a consumer sees it (DescribeVpcEndpointServices' ServiceDetail)."""

    name: str
    service_id: str
    service_type: str  # Interface | Gateway
    owner: str
    region: str
    zones: tuple[regions.Zone, ...]
    base_dns_names: tuple[str, ...]
    private_dns_names: tuple[str, ...] = ()
    verification_state: str | None = None
    policy_supported: bool = True
    acceptance_required: bool = False
    manages_vpc_endpoints: bool = False
    ip_address_types: tuple[str, ...] = V4
    payer_responsibility: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    wildcard_entries: bool = False  # S3-style "*.vpce-…" DnsEntries
    is_aws: bool = True

    @property
    def private_dns_name(self) -> str | None:
        return self.private_dns_names[0] if self.private_dns_names else None

    @property
    def zone_names(self) -> tuple[str, ...]:
        return tuple(z.name for z in self.zones)


@dataclass(frozen=True)
class _Entry:
    code: str
    private_dns: tuple[str, ...]  # "{r}" is the Region
    service_type: str = "Interface"
    policy: bool = True
    ip_types: tuple[str, ...] = DUAL
    wildcard: bool = False
    base: str | None = None  # gateway services: the public host name


def _i(
    code: str,
    *private_dns: str,
    policy: bool = True,
    ip: tuple[str, ...] = DUAL,
    wildcard: bool = False,
) -> _Entry:
    names = private_dns or (f"{code}.{{r}}.amazonaws.com",)
    return _Entry(code, names, policy=policy, ip_types=ip, wildcard=wildcard)


_ENTRIES: tuple[_Entry, ...] = (
    _i("airflow.api", "api.airflow.{r}.amazonaws.com", ip=V4),
    _i("airflow.api-fips", "api.airflow-fips.{r}.amazonaws.com", ip=V4),
    _i("airflow.env", "env.airflow.{r}.amazonaws.com", ip=V4),
    _i("airflow.env-fips", "env.airflow-fips.{r}.amazonaws.com", ip=V4),
    _i("airflow.ops", "ops.airflow.{r}.amazonaws.com", ip=V4),
    _i("athena"),
    _i("autoscaling"),
    _i("cloudformation"),
    _i("dynamodb", "dynamodb.{r}.amazonaws.com"),
    _i("ec2"),
    _i("ec2messages", ip=V4),
    _i("ecr.api", "api.ecr.{r}.amazonaws.com"),
    _i("ecr.dkr", "*.dkr.ecr.{r}.amazonaws.com"),
    _i("ecs"),
    _i("elasticloadbalancing"),
    _i("events"),
    _i("execute-api", "*.execute-api.{r}.amazonaws.com"),
    _i("glue"),
    _i("kinesis-streams", "kinesis.{r}.amazonaws.com"),
    _i("kms"),
    _i("lambda"),
    _i("logs"),
    _i("monitoring"),
    _i("rds"),
    _i("s3", "s3.{r}.amazonaws.com", "*.s3.{r}.amazonaws.com", wildcard=True),
    _i("secretsmanager"),
    _i("sns"),
    _i("sqs"),
    _i("ssm"),
    _i("ssmmessages", ip=V4),
    _i("states"),
    _i("sts"),
    _Entry("dynamodb", (), service_type="Gateway", ip_types=V4, base="dynamodb.{r}.amazonaws.com"),
    _Entry("s3", (), service_type="Gateway", ip_types=V4, base="s3.{r}.amazonaws.com"),
)


def aws_service_name(region: str, code: str) -> str:
    return f"com.amazonaws.{region}.{code}"


def _service_id(region: str, name: str, service_type: str) -> str:
    digest = hashlib.sha256(f"{region}|{name}|{service_type}".encode()).hexdigest()
    return f"vpce-svc-{digest[:17]}"


def _offer(entry: _Entry, region: str) -> ServiceOffer:
    name = aws_service_name(region, entry.code)
    if entry.base:
        bases = (entry.base.format(r=region),)
    else:
        # Dotted codes read backwards in host names: ecr.dkr -> dkr.ecr.<r>.vpce.amazonaws.com
        bases = (endpoint_dns.base_name(".".join(reversed(entry.code.split("."))), region),)
    return ServiceOffer(
        name=name,
        service_id=_service_id(region, name, entry.service_type),
        service_type=entry.service_type,
        owner=AWS_OWNER,
        region=region,
        zones=tuple(regions.zones(region)),
        base_dns_names=bases,
        private_dns_names=tuple(n.format(r=region) for n in entry.private_dns),
        verification_state="verified" if entry.private_dns else None,
        policy_supported=entry.policy,
        ip_address_types=entry.ip_types,
        wildcard_entries=entry.wildcard,
    )


@lru_cache(maxsize=64)
def _catalog(region: str) -> tuple[ServiceOffer, ...]:
    """Built once per Region: offers are immutable and the catalog is static."""
    offers = [_offer(e, region) for e in _ENTRIES]
    return tuple(sorted(offers, key=lambda o: (o.name, o.service_type != "Interface")))


@lru_cache(maxsize=64)
def _by_name(region: str) -> dict[str, tuple[ServiceOffer, ...]]:
    index: dict[str, list[ServiceOffer]] = {}
    for offer in _catalog(region):
        index.setdefault(offer.name, []).append(offer)
    return {name: tuple(offers) for name, offers in index.items()}


def aws_services(region: str) -> list[ServiceOffer]:
    """The AWS catalog of a Region, ordered by service name (Gateway after Interface)."""
    return list(_catalog(region))


def aws_offers_named(region: str, name: str) -> list[ServiceOffer]:
    return list(_by_name(region).get(name, ()))
