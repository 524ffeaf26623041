"""What CreateEnvironment builds and DeleteEnvironment removes, through operations only.

In MWAA's own account (`MWAA_ACCOUNT`), per environment: a service VPC with a
subnet in each of the environment's two AZs, an instance hosting the metadata
database and one hosting the web server (the runtime puts PostgreSQL and the
api-server with the HTTPS front in their namespaces), an internal NLB in front
of each (TCP 5432; TCP 443 for the front and 8080 for Airflow's execution API,
which the workers call) and an endpoint service per NLB that accepts the
customer's account without acceptance.

In the customer's account: interface endpoints to those services (the database
always, the web server when the web server is private), one ENI per
environment subnet, the environment's security groups, tagged
AmazonMWAAManaged, private DNS off; and a requester-managed ENI per Airflow
component MWAA runs in the customer's VPC (scheduler with its LocalExecutor
workers, DAG processor, triggerer), under the environment's security groups.
The data plane makes each such ENI a namespace in its subnet, so those
components reach the database only through the database endpoint, exactly as
the customer's security groups allow.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.services.ec2.compute import instances, interfaces
from privlink.services.ec2.network import subnets, vpcs
from privlink.services.ec2.records import Instance, NetworkInterface, SecurityGroup, Subnet, Vpc
from privlink.services.ec2.security import groups
from privlink.services.ec2.security.permissions import Peer, Permission
from privlink.services.elbv2 import operations as elb
from privlink.services.elbv2.records import LoadBalancer
from privlink.services.mwaa import public_access
from privlink.services.mwaa.records import MANAGED_TAG, MWAA_ACCOUNT, Environment
from privlink.services.privatelink import consumer, provider
from privlink.services.privatelink import queries as privatelink_queries
from privlink.services.privatelink.records import EndpointService, VpcEndpoint

SERVICE_CIDR = "10.0.0.0/16"
HOST_IMAGE = "ami-0a1b2c3d4e5f60718"  # the AMI the service hosts "run" (never booted)
DATABASE_PORT = 5432
FRONT_PORT = 443
EXECUTION_API_PORT = 8080
PORTS = {"database": (DATABASE_PORT,), "webserver": (FRONT_PORT, EXECUTION_API_PORT)}
# Airflow components MWAA runs in the customer's VPC, and which of the two subnets holds each.
CUSTOMER_COMPONENTS = {"scheduler": 0, "dag-processor": 1, "triggerer": 0}


def mwaa_scope(scope: Scope) -> Scope:
    return scope.acting_as(MWAA_ACCOUNT)


def _tags(env: Environment, role: str) -> dict[str, str]:
    return {"Name": f"airflow-{env.name}-{role}", "mwaa:environment": env.arn}


def build_service_side(scope: Scope, env: Environment, zones: list[str]) -> None:
    """The service VPC, the two hosts, their NLBs and endpoint services (MWAA's account)."""
    mwaa = mwaa_scope(scope)
    side = env.service_side
    vpc = vpcs.create_vpc(mwaa, SERVICE_CIDR, _tags(env, "service"))
    side.vpc_id = vpc.id
    made = [
        subnets.create_subnet(mwaa, vpc.id, f"10.0.{i}.0/24", zone, _tags(env, f"service-{i}"))
        for i, zone in enumerate(zones, start=1)
    ]
    side.subnet_ids = [s.id for s in made]
    group = groups.create_security_group(
        mwaa, f"airflow-{env.host_id}", "MWAA service hosts", vpc.id, _tags(env, "hosts")
    )
    side.group_id = group.id
    everywhere = Peer.cidr(SERVICE_CIDR)
    ports = [DATABASE_PORT, FRONT_PORT, EXECUTION_API_PORT]
    groups.authorize_ingress(mwaa, group.id, [Permission.tcp(p, everywhere) for p in ports])
    hosts = {}
    for role, subnet in (("database", made[0]), ("webserver", made[-1])):
        launch = instances.LaunchSpec(
            image_id=HOST_IMAGE,
            instance_type="mw1.host",
            subnet_id=subnet.id,
            group_ids=[group.id],
            tags={"instance": _tags(env, role)},
        )
        hosts[role] = instances.run_instances(mwaa, launch)[1][0]
    side.db_instance = hosts["database"].id
    side.web_instance = hosts["webserver"].id
    for role, host in hosts.items():
        _load_balanced_service(mwaa, env, role, host, made, scope.account)
    if env.public:
        public_access.serve(scope, env)


def _load_balanced_service(
    mwaa: Scope, env: Environment, role: str, host: Instance, made: list[Subnet], customer: str
) -> None:
    side = env.service_side
    short = f"{env.host_id[:8]}-{role[:3]}"
    lb, _ = elb.create_load_balancer(
        mwaa,
        elb.NewLoadBalancer(
            name=f"airflow-{short}",
            subnets=tuple(elb.SubnetMapping(s.id) for s in made),
            scheme="internal",
            tags=_tags(env, role),
        ),
    )
    elb.modify_load_balancer_attributes(
        mwaa, lb.id, [("load_balancing.cross_zone.enabled", "true")]
    )
    side.load_balancers[role] = lb.id
    for port in PORTS[role]:
        tg, _ = elb.create_target_group(
            mwaa,
            elb.NewTargetGroup(
                name=f"airflow-{short}-{port}",
                protocol="TCP",
                port=port,
                vpc_id=side.vpc_id,
                target_type="ip",
                health_check=elb.HealthCheckSettings(interval=5, timeout=2, healthy_threshold=2),
            ),
        )
        elb.register_targets(mwaa, tg.id, [elb.Target(host.private_ip, port)])
        elb.create_listener(mwaa, elb.NewListener(lb.id, "TCP", port, elb.forward(tg.id)))
        side.target_groups[f"{role}:{port}"] = tg.id
    service = provider.create_endpoint_service(
        mwaa,
        provider.EndpointServiceSpec([lb.id], acceptance_required=False, tags=_tags(env, role)),
    )
    provider.modify_endpoint_service_permissions(
        mwaa, service.id, add=[f"arn:aws:iam::{customer}:root"]
    )
    side.services[role] = service.id


def service_name(scope: Scope, env: Environment, role: str) -> str | None:
    service_id = env.service_side.services.get(role)
    service = scope.foreign(EndpointService, service_id) if service_id else None
    return service.service_name if service else None


def endpoint_roles(env: Environment) -> list[str]:
    return ["database", "webserver"] if env.private else ["database"]


def build_customer_side(scope: Scope, env: Environment, subnet_ids: list[str]) -> None:
    """The endpoints MWAA makes in the customer's VPC (unless the customer makes them) and
    the ENIs of the Airflow components that run there."""
    group_ids = _groups(env)
    if not env.customer_managed:
        for role in endpoint_roles(env):
            _make_endpoint(scope, env, role)
    for component, index in CUSTOMER_COMPONENTS.items():
        eni = interfaces.create_network_interface(
            scope,
            interfaces.InterfaceSpec(
                subnet_id=subnet_ids[index],
                group_ids=group_ids,
                description=f"AWS-MWAA {env.name} {component}",
                tags={MANAGED_TAG: "true"},
            ),
        )
        eni.requester_managed = True
        eni.requester_id = MWAA_ACCOUNT
        eni.status = "in-use"
        eni.owner_resource = env.arn
        scope.put(eni)
        env.components[component] = eni.id


def _groups(env: Environment) -> list[str]:
    return list(env.settings["NetworkConfiguration"]["SecurityGroupIds"])


def _make_endpoint(scope: Scope, env: Environment, role: str) -> None:
    """An AmazonMWAAManaged interface endpoint to one of the environment's services, in
    both of its subnets, under its security groups, private DNS off."""
    subnet_ids = list(env.settings["NetworkConfiguration"]["SubnetIds"])
    name = service_name(scope, env, role)
    assert name is not None
    endpoint = consumer.create_interface_endpoint(
        scope,
        consumer.InterfaceEndpointSpec(
            vpc_id=scope.require(Subnet, subnet_ids[0]).vpc_id,
            service_name=name,
            subnet_ids=subnet_ids,
            security_group_ids=_groups(env),
            private_dns_enabled=False,
            tags={MANAGED_TAG: "true"},
        ),
    )
    env.endpoints[role] = endpoint.id


def apply_network(scope: Scope, env: Environment) -> None:
    """Make what MWAA built in the customer's VPC match the settings again (an update, or
    its rollback): the security groups on the endpoints MWAA made and on the components'
    ENIs; the web server endpoint made or deleted as the access mode now asks."""
    groups = _groups(env)
    (public_access.serve if env.public else public_access.withdraw)(scope, env)
    if not env.customer_managed:
        wanted = endpoint_roles(env)
        gone = [role for role in env.endpoints if role not in wanted]
        consumer.delete_endpoints(scope, [env.endpoints.pop(role) for role in gone])
        for role in wanted:
            if role not in env.endpoints:
                _make_endpoint(scope, env, role)
    for endpoint_id in env.endpoints.values():
        endpoint = scope.get(VpcEndpoint, endpoint_id)
        if endpoint is None or endpoint.group_ids == groups:
            continue
        change = consumer.EndpointChange(
            endpoint_id,
            add_security_group_ids=[g for g in groups if g not in endpoint.group_ids],
            remove_security_group_ids=[g for g in endpoint.group_ids if g not in groups],
        )
        consumer.modify_endpoint(scope, change)
    for eni in scope.require_all(NetworkInterface, env.components.values()):
        if eni.group_ids != groups:
            eni.group_ids = list(groups)
            scope.put(eni)


def customer_endpoints(scope: Scope, env: Environment) -> dict[str, VpcEndpoint]:
    """role -> the customer's live endpoint to that MWAA service: the ones MWAA made, or
    (EndpointManagement CUSTOMER) any the customer made in the environment's VPC."""
    found: dict[str, VpcEndpoint] = {}
    for role, service_id in env.service_side.services.items():
        made = env.endpoints.get(role)
        if made:
            endpoint = scope.get(VpcEndpoint, made)
            if endpoint is not None:
                found[role] = endpoint
            continue
        for endpoint in scope.list(VpcEndpoint):
            if endpoint.service_id == service_id and endpoint.state in ("pending", "available"):
                found[role] = endpoint
                break
    return found


# --- delete -------------------------------------------------------------------------
def tear_down_customer_side(scope: Scope, env: Environment) -> None:
    """Delete the endpoints MWAA made and the components' ENIs (first phase of a delete)."""
    consumer.delete_endpoints(scope, env.endpoints.values())
    for eni_id in env.components.values():
        eni = scope.get(NetworkInterface, eni_id)
        if eni is not None:
            interfaces.release(scope, eni)
    env.components = {}
    mwaa = mwaa_scope(scope)
    side = env.service_side
    live = [i for i in (side.db_instance, side.web_instance) if mwaa.get(Instance, i)]
    if live:
        instances.terminate_instances(mwaa, live)


def connections_left(scope: Scope, env: Environment) -> bool:
    """Whether any endpoint (anyone's) still holds a connection to the services."""
    mwaa = mwaa_scope(scope)
    for service_id in env.service_side.services.values():
        service = mwaa.get(EndpointService, service_id)
        if service is not None and privatelink_queries.connected_endpoints(mwaa.uow, service):
            return True
    return False


def endpoints_left(scope: Scope, env: Environment) -> bool:
    """Whether an endpoint MWAA made is still being torn down (its ENIs still exist)."""
    return any(
        (endpoint := scope.get(VpcEndpoint, e)) is not None and endpoint.state != "deleted"
        for e in env.endpoints.values()
    )


def tear_down_service_side(scope: Scope, env: Environment) -> None:
    """Services, load balancers, target groups, subnets, group, VPC (second phase)."""
    mwaa = mwaa_scope(scope)
    side = env.service_side
    public_access.withdraw(scope, env)
    provider.delete_endpoint_services(mwaa, side.services.values())
    for arn in side.load_balancers.values():
        if mwaa.get(LoadBalancer, arn) is not None:
            elb.delete_load_balancer(mwaa, arn)
    for arn in side.target_groups.values():
        elb.delete_target_group(mwaa, arn)
    for subnet_id in side.subnet_ids:
        if mwaa.get(Subnet, subnet_id) is not None:
            subnets.delete_subnet(mwaa, subnet_id)
    if side.group_id and mwaa.get(SecurityGroup, side.group_id) is not None:
        groups.delete_security_group(mwaa, side.group_id)
    if side.vpc_id and mwaa.get(Vpc, side.vpc_id) is not None:
        vpcs.delete_vpc(mwaa, side.vpc_id)
