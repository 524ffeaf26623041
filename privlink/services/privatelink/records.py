"""PrivateLink records: VPC endpoints, endpoint services, permissions, notifications.

Stored as the domain needs them, not as the wire shows them; the handlers
render the wire shapes (`handlers/wire.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pydantic import Field

from privlink import errors
from privlink.services.ec2.records import Tagged
from privlink.store.records import Record

AWS_OWNER = "amazon"  # service_owner of endpoints to AWS services
_SERVICE_NAME = re.compile(
    r"(?:[a-z0-9.-]*\.)?com\.amazonaws\.vpce\.[a-z0-9-]+\.(vpce-svc-[0-9a-f]{17})"
)


def iso(value: dt.datetime) -> str:
    """Timestamps as records keep them (and the wire shows them)."""
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def service_name(region: str, service_id: str) -> str:
    """The name consumers use for a provider's endpoint service."""
    return f"com.amazonaws.vpce.{region}.{service_id}"


def service_id_from_name(name: str) -> str | None:
    """The provider service id inside a service name (None: an AWS service's name)."""
    match = _SERVICE_NAME.fullmatch(name)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Refusal:
    """One item a batch operation did not act on, and why (the wire's Unsuccessful item)."""

    resource_id: str
    error: errors.AwsError


class VpcEndpoint(Tagged):
    """A VPC endpoint in the consumer's account (Interface or Gateway)."""

    kind = "vpc-endpoint"
    not_found = errors.InvalidVpcEndpointIdNotFound
    vpc_id: str
    endpoint_type: str  # Interface | Gateway
    service_name: str
    service_id: str  # provider service id, or the catalog id of an AWS service
    service_owner: str  # "amazon" or the provider's account
    service_region: str
    state: str
    state_since: str  # ISO time of the last state change (the reconciler's clock)
    creation_timestamp: str
    policy_document: str | None = None
    subnet_ids: list[str] = Field(default_factory=list)
    # subnet id -> endpoint network interface id (one per subnet, in subnet order)
    interfaces: dict[str, str] = Field(default_factory=dict)
    group_ids: list[str] = Field(default_factory=list)
    route_table_ids: list[str] = Field(default_factory=list)
    ip_address_type: str | None = None
    dns_record_ip_type: str | None = None
    private_dns_only_for_inbound_resolver: bool | None = None
    private_dns_enabled: bool = False
    # private names this endpoint holds in its VPC (claimed in the store)
    private_dns_names: list[str] = Field(default_factory=list)
    dns_token: str = ""  # fixed for the endpoint's life, like every name built from it
    dns_base: str = ""  # the service's base name when the endpoint was made
    dns_wildcard: bool = False
    requester_managed: bool = False
    connection_id: str = ""
    last_error_code: str | None = None
    last_error_message: str | None = None

    @property
    def parent(self) -> str | None:
        return self.vpc_id

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:vpc-endpoint/{self.id}"


class EndpointService(Tagged):
    """A provider's endpoint service configuration (NLB-backed)."""

    kind = "vpc-endpoint-service"
    not_found = errors.InvalidVpcEndpointServiceIdNotFound
    service_name: str
    service_type: str = "Interface"
    state: str = "Available"
    acceptance_required: bool = False
    network_load_balancer_arns: list[str] = Field(default_factory=list)
    gateway_load_balancer_arns: list[str] = Field(default_factory=list)
    supported_ip_address_types: list[str] = Field(default_factory=lambda: ["ipv4"])
    supported_regions: list[str] = Field(default_factory=list)
    availability_zones: list[str] = Field(default_factory=list)
    availability_zone_ids: list[str] = Field(default_factory=list)
    private_dns_name: str | None = None
    private_dns_state: str | None = None  # pendingVerification | verified | failed
    private_dns_txt_name: str | None = None
    private_dns_txt_value: str | None = None
    payer_responsibility: str = "ServiceOwner"

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:vpc-endpoint-service/{self.id}"

    @property
    def base_dns_name(self) -> str:
        return f"{self.id}.{self.region}.vpce.amazonaws.com"


class ServicePermission(Tagged):
    """One allowed principal of an endpoint service."""

    kind = "vpc-endpoint-service-permission"
    service_id: str
    principal: str
    principal_type: str

    @property
    def parent(self) -> str | None:
        return self.service_id


class ConnectionNotification(Record):
    """An SNS topic subscribed to the connection events of an endpoint or a service."""

    kind = "vpc-endpoint-connection-notification"
    not_found = errors.InvalidConnectionNotification
    topic_arn: str
    events: list[str]
    service_id: str | None = None
    vpc_endpoint_id: str | None = None
    state: str = "Enabled"

    @property
    def parent(self) -> str | None:
        return self.service_id or self.vpc_endpoint_id
