"""Reads other code builds on: an environment by name, and what the data plane needs.

`dns_records` gives the names an environment adds to the network (the plan
builder puts them in VPC resolvers and the host resolver); `component_hosts`
gives the ENIs of the Airflow components MWAA runs in customers' VPCs, which
the plan builder realises like instances (a namespace each, in its subnet,
under its security groups).
"""

from __future__ import annotations

from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.domain import endpoint_dns
from privlink.services.ec2.records import ElasticIp, Instance, NetworkInterface
from privlink.services.mwaa.records import Environment, environment_arn
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.unit import UnitOfWork


def environment(scope: Scope, name: str) -> Environment:
    found = scope.get(Environment, environment_arn(scope.account, scope.region, name))
    if found is None:
        raise errors.MwaaEnvironmentNotFound(name)
    return found


def environments(scope: Scope) -> list[Environment]:
    return sorted(scope.list(Environment), key=lambda e: e.name)


def regional_name(endpoint: VpcEndpoint) -> str:
    """The endpoint's regional DNS name (vpce-<id>-<token>.vpce-svc-....vpce.amazonaws.com)."""
    return endpoint_dns.regional_name(endpoint.id, endpoint.dns_token, endpoint.dns_base)


@dataclass(frozen=True)
class DnsRecord:
    """A name to answer: in one VPC (vpc_id) or everywhere (None: a public name)."""

    vpc_id: str | None
    name: str
    addresses: tuple[str, ...] = ()
    cname: str | None = None


def _endpoint(uow: UnitOfWork, env: Environment, role: str) -> VpcEndpoint | None:
    """The endpoint to one of the environment's services that carries its traffic."""
    service_id = env.service_side.services.get(role)
    wanted = env.endpoints.get(role)
    for endpoint in uow.list(VpcEndpoint, env.account, env.region):
        if endpoint.state != "available":
            continue
        if endpoint.id == wanted or (not wanted and endpoint.service_id == service_id):
            return endpoint
    return None


def _host_ip(uow: UnitOfWork, instance_id: str) -> str | None:
    instance = uow.get(Instance, instance_id)
    return instance.private_ip if instance and instance.state in ("pending", "running") else None


def dns_records(uow: UnitOfWork) -> list[DnsRecord]:
    """Per environment: the web server host name, public, as a CNAME to the web server
    endpoint's regional name (UG "Identifying the private IP addresses..."), or for a
    public web server its public address (public_access.py); and in the
    service VPC, the endpoints' regional names pointing at the hosts themselves, so every
    component uses one address: the endpoint's name (split horizon, see docs/mwaa.md)."""
    records: list[DnsRecord] = []
    for env in uow.list(Environment):
        side = env.service_side
        eip = uow.get(ElasticIp, side.public_address) if side.public_address else None
        if eip is not None and not env.private:  # PUBLIC_ONLY: served on the internet
            records.append(DnsRecord(None, env.webserver_host, (eip.public_ip,)))
        for role, host in (("database", side.db_instance), ("webserver", side.web_instance)):
            endpoint = _endpoint(uow, env, role)
            if endpoint is None:
                continue
            name = regional_name(endpoint)
            if role == "webserver" and env.private:
                records.append(DnsRecord(None, env.webserver_host, cname=name))
            address = _host_ip(uow, host)
            if address and side.vpc_id:
                records.append(DnsRecord(side.vpc_id, name, (address,)))
    return records


def component_hosts(uow: UnitOfWork) -> list[NetworkInterface]:
    """The ENIs of every environment's customer-VPC components."""
    wanted = [eni for env in uow.list(Environment) for eni in env.components.values()]
    found = uow.get_many(NetworkInterface, wanted)
    return [found[i] for i in wanted if i in found]


def summaries(uow: UnitOfWork) -> list[dict[str, str]]:
    """Every environment of every account, for `privlink status`: where it is, its
    state, and the last update's error when it failed."""
    rows = []
    for env in sorted(uow.list(Environment), key=lambda e: (e.account, e.region, e.name)):
        error = (env.last_update or {}).get("Error") or {}
        rows.append(
            {
                "name": env.name,
                "account": env.account,
                "region": env.region,
                "status": env.status,
                "airflow_version": str(env.settings.get("AirflowVersion", "")),
                "webserver": env.webserver_host,
                "error": str(error.get("ErrorCode", "")),
            }
        )
    return rows
