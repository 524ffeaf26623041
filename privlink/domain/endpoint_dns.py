"""DNS names of interface VPC endpoints, and what each name resolves to.

Pure rules shared by the control plane (DnsEntries in API answers) and the
data plane (the VPC resolver that answers them), so both always agree:

* regional  ``<vpce-id>-<token>.<base>``
* zonal     ``<vpce-id>-<token>-<az>.<base>``, one per endpoint AZ
* private   the service's own name (``ec2.us-east-1.amazonaws.com``) when
  private DNS is enabled; A records for AWS services, a CNAME to the
  regional name for provider services.

``<base>`` is the service's first BaseEndpointDnsName
(``ec2.us-east-1.vpce.amazonaws.com`` / ``vpce-svc-….us-east-1.vpce.amazonaws.com``).
The 8-character token is drawn once at creation and kept for the
endpoint's life, so names never change.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

TOKEN_ALPHABET = string.ascii_lowercase + string.digits
TOKEN_LENGTH = 8

# Public Route 53 zone of <region>.vpce.amazonaws.com (spec interface-endpoints §6.2).
VPCE_HOSTED_ZONES: dict[str, str] = {
    "us-east-1": "Z7HUB22UULQXV",
    "us-east-2": "ZC8PG0KIFKBRI",
    "us-west-1": "Z12I86A8N7VCZO",
    "us-west-2": "Z1YSA3EXCYUU9Z",
    "ca-central-1": "ZRCXCF510Y6P9",
    "sa-east-1": "Z2LXUWEVLCVZIB",
    "ap-northeast-1": "Z2E726K9Y6RL4W",
    "ap-northeast-2": "Z27UANNT0PRK1T",
    "eu-west-1": "Z38GZ743OKFT7T",
    "eu-west-2": "Z7K1066E3PUKB",
    "eu-west-3": "Z1DWHTMFP0WECP",
    "eu-central-1": "Z273ZU8SZ5RJPC",
    "eu-north-1": "Z3OWWK6JFDEDGC",
    "ap-southeast-1": "Z18LLCSTV4NVNL",
    "ap-southeast-2": "ZDK2GCRPAFKGO",
    "ap-south-1": "Z2KVTB3ZLFM7JR",
}


def new_token(choice: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def base_name(service_code_or_id: str, region: str) -> str:
    """``ec2`` -> ``ec2.us-east-1.vpce.amazonaws.com``; works for ``vpce-svc-…`` ids too."""
    return f"{service_code_or_id}.{region}.vpce.amazonaws.com"


def public_zone_id(region: str) -> str:
    # Regions without a published id get a stable made-up one.
    return VPCE_HOSTED_ZONES.get(region) or _zone_id("vpce-public", region)


def private_zone_id(vpc_id: str, name: str) -> str:
    """Id of the hidden, AWS-managed private hosted zone for ``name`` in ``vpc_id``."""
    return _zone_id(vpc_id, name)


def _zone_id(*parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest().upper()
    alphabet = string.ascii_uppercase + string.digits
    return "Z" + "".join(alphabet[int(digest[i : i + 2], 16) % 36] for i in range(0, 40, 2))


def _prefixed(name: str, wildcard: bool) -> str:
    return f"*.{name}" if wildcard else name


def regional_name(endpoint_id: str, token: str, base: str, wildcard: bool = False) -> str:
    return _prefixed(f"{endpoint_id}-{token}.{base}", wildcard)


def zonal_name(endpoint_id: str, token: str, az: str, base: str, wildcard: bool = False) -> str:
    return _prefixed(f"{endpoint_id}-{token}-{az}.{base}", wildcard)


@dataclass(frozen=True)
class EndpointAddress:
    """One endpoint network interface as DNS sees it."""

    az: str
    ipv4: str | None
    ipv6: str | None = None


@dataclass(frozen=True)
class EndpointDns:
    """Everything needed to name an endpoint. Build it with
    ``privlink.services.privatelink.views.endpoint_dns(uow, endpoint)``."""

    endpoint_id: str
    vpc_id: str
    region: str
    token: str
    base: str  # the service's first BaseEndpointDnsName
    addresses: tuple[EndpointAddress, ...]  # one per AZ, in subnet order
    private_names: tuple[str, ...] = ()  # empty unless private DNS is enabled
    private_names_alias_regional: bool = False  # provider service: CNAME, not A
    private_names_inbound_only: bool = False  # S3: only Resolver inbound endpoints see them
    wildcard: bool = False  # S3-style "*.vpce-…" names
    regional_only: bool = False  # cross-Region endpoints have no zonal names


@dataclass(frozen=True)
class DnsEntry:
    """A DnsEntries item: name and the hosted zone AWS reports it in."""

    name: str
    hosted_zone_id: str


@dataclass(frozen=True)
class Answer:
    """What a name resolves to. ``scope`` "public" names resolve from anywhere,
    "vpc" names only through the endpoint VPC's resolver (private hosted zone),
    "inbound-resolver" names only for queries arriving through a Route 53
    Resolver inbound endpoint (in-VPC queries keep the public answer)."""

    name: str
    scope: str  # "public" | "vpc" | "inbound-resolver"
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    cname: str | None = None
    wildcard: bool = field(default=False)


def _zones(dns: EndpointDns) -> Sequence[EndpointAddress]:
    return () if dns.regional_only else dns.addresses


def entries(dns: EndpointDns) -> list[DnsEntry]:
    """DnsEntries in AWS order: regional, one zonal per AZ, then private names."""
    public_zone = public_zone_id(dns.region)
    out = [DnsEntry(regional_name(dns.endpoint_id, dns.token, dns.base, dns.wildcard), public_zone)]
    for address in _zones(dns):
        name = zonal_name(dns.endpoint_id, dns.token, address.az, dns.base, dns.wildcard)
        out.append(DnsEntry(name, public_zone))
    for name in dns.private_names:
        out.append(DnsEntry(name, private_zone_id(dns.vpc_id, name)))
    return out


def resolution(dns: EndpointDns) -> dict[str, Answer]:
    """Every name of the endpoint -> its answer (for the data plane's resolver).

    A name starting with ``*.`` is a wildcard: it answers for any label(s)
    in front of the rest of the name.
    """
    v4 = tuple(a.ipv4 for a in dns.addresses if a.ipv4)
    v6 = tuple(a.ipv6 for a in dns.addresses if a.ipv6)
    regional = regional_name(dns.endpoint_id, dns.token, dns.base, dns.wildcard)
    out: dict[str, Answer] = {
        regional: Answer(regional, "public", v4, v6, wildcard=dns.wildcard),
    }
    for address in _zones(dns):
        name = zonal_name(dns.endpoint_id, dns.token, address.az, dns.base, dns.wildcard)
        out[name] = Answer(
            name,
            "public",
            (address.ipv4,) if address.ipv4 else (),
            (address.ipv6,) if address.ipv6 else (),
            wildcard=dns.wildcard,
        )
    scope = "inbound-resolver" if dns.private_names_inbound_only else "vpc"
    for name in dns.private_names:
        wildcard = name.startswith("*.")
        if dns.private_names_alias_regional:
            target = regional.removeprefix("*.")
            out[name] = Answer(name, scope, cname=target, wildcard=wildcard)
        else:
            out[name] = Answer(name, scope, v4, v6, wildcard=wildcard)
    return out
