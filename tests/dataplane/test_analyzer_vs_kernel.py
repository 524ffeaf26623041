"""The Reachability Analyzer is honest: for hypothesis-generated network configurations
and flows, its verdict (through the API) equals what a real TCP connection does in the
Linux data plane.

One world is built through the API on a live `--dataplane linux` privlink: a consumer
VPC (subnets a and b) with a client in a, a server in b, an interface endpoint with an
interface in each subnet; a peer VPC (a server) joined by an active peering; a provider
VPC whose NLB (TCP 80 -> 8080, a target per zone) is the endpoint's service. Every
server listens on all of PORTS. Each example then draws a configuration and applies it
through the API: the server's, the peer's, the endpoint's and the targets' security
group rules, the client's egress rules, a network ACL on subnet b (rules on single ports,
the ephemeral range or everything, allow or deny, both ways), routes to and from the
peer, a default route to the internet gateway, and sometimes an outage of zone b
(`privlink az fail us-east-1b`: the server, the endpoint's interface in b and b's target
drop everything; the client in a lives on). For every flow (client -> server, -> the
endpoint's interface in b and in a, -> the peer; privlink's internet -> the server's
Elastic IP) it asks the analyzer and tries a real connection; they must agree.

ACL port choices either cover the client's ephemeral ports (32768-60999) whole or not at
all, and each zone has one target, so a real connection's outcome is certain.

Examples: PRIVLINK_ANALYZER_EXAMPLES (default 8; docs/fuzzing.md).
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.dataplane.test_az_failure import az
from tests.dataplane.world import network, on_internet, run_in, wait_for
from tests.harness import Server

pytestmark = pytest.mark.dataplane

EXAMPLES = int(os.environ.get("PRIVLINK_ANALYZER_EXAMPLES", "8"))
PORTS = (22, 80, 443, 8080)
LISTENER, TARGET_PORT = 80, 8080
EPHEMERAL = (1024, 65535)
AMI = "ami-12345678"
ZONE_B = "us-east-1b"
SETTLE = 2.5  # seconds for the data plane to apply a changed configuration
SERVE = f"""#!/bin/bash
exec python3 -c '
import socket, threading
def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.close()
for p in {list(PORTS)}:
    threading.Thread(target=serve, args=(p,), daemon=True).start()
threading.Event().wait()
'
"""
TRY = (
    "import socket,sys\n"
    "try:\n"
    "    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.5).close()\n"
    "except OSError:\n"
    "    sys.exit(1)\n"
)


@dataclass
class Lab:
    ec2: Any  # the consumer account (client, server, endpoint, peer)
    p_ec2: Any
    client: str
    server: str
    peer: str
    endpoint: str
    enis: dict[str, tuple[str, str]]  # subnet -> (eni id, address)
    subnets: list[str]
    cidrs: dict[str, str]  # "vpc", "a", "b", "peer"
    groups: dict[str, str]  # "client", "server", "peer", "endpoint", "target"
    tables: dict[str, str]  # "here", "there"
    pcx: str
    igw: str
    public: str  # the server's Elastic IP
    acl_b: str = ""
    ips: dict[str, str] | None = None
    privlink: Server | None = None  # the privlink the lab runs on (for `privlink az`)
    zone_b_down: bool = False


def _launch(ec2: Any, subnet: str, group: str, user_data: str | None = SERVE) -> str:
    extra = {"UserData": user_data} if user_data else {}
    return str(
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet,
                          SecurityGroupIds=[group], **extra)["Instances"][0]["InstanceId"]
    )  # fmt: skip


def _group(ec2: Any, vpc: str) -> str:
    name = "g-" + secrets.token_hex(4)
    return str(ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"])


def _provider(server: Server, account: str) -> tuple[Any, str, str]:
    """The NLB service: TCP 80 -> 8080 on one target per zone. (ec2, service name, group)"""
    ec2, elb = server.client("ec2", account), server.client("elbv2", account)
    vpc, subnets = network(ec2, "10.9.0.0/16")
    group = _group(ec2, vpc)
    targets = [_launch(ec2, s, group) for s in subnets]
    lb = elb.create_load_balancer(Name="svc", Type="network", Scheme="internal", Subnets=subnets)[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    tg = elb.create_target_group(
        Name="t", Protocol="TCP", Port=TARGET_PORT, VpcId=vpc, TargetType="instance",
        HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": t} for t in targets])
    elb.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=LISTENER,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])  # fmt: skip
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[lb], AcceptanceRequired=False
    )["ServiceConfiguration"]
    return ec2, str(service["ServiceName"]), group


def build(server: Server) -> Lab:
    p_ec2, service_name, target_group = _provider(server, "444444444444")
    ec2 = server.client("ec2", "555555555555")
    p_ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service_name.rsplit(".", 1)[-1],
        AddAllowedPrincipals=["arn:aws:iam::555555555555:root"],
    )
    vpc, subnets = network(ec2, "10.7.0.0/16")
    peer_vpc, peer_subnets = network(ec2, "10.8.0.0/16")
    groups = {k: _group(ec2, vpc) for k in ("client", "server", "endpoint")}
    groups["peer"], groups["target"] = _group(ec2, peer_vpc), target_group
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=service_name, VpcEndpointType="Interface", SubnetIds=subnets,
        SecurityGroupIds=[groups["endpoint"]],
    )["VpcEndpoint"]  # fmt: skip
    enis = {
        e["SubnetId"]: (e["NetworkInterfaceId"], e["PrivateIpAddress"])
        for e in ec2.describe_network_interfaces(
            NetworkInterfaceIds=endpoint["NetworkInterfaceIds"]
        )["NetworkInterfaces"]
    }
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    tables = {
        side: ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [v]}])["RouteTables"][
            0
        ]["RouteTableId"]
        for side, v in (("here", vpc), ("there", peer_vpc))
    }
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    lab = Lab(
        ec2, p_ec2,
        client=_launch(ec2, subnets[0], groups["client"], None),
        server=_launch(ec2, subnets[1], groups["server"]),
        peer=_launch(ec2, peer_subnets[0], groups["peer"]),
        endpoint=endpoint["VpcEndpointId"], enis=enis, subnets=subnets,
        cidrs={"vpc": "10.7.0.0/16", "a": "10.7.1.0/24", "b": "10.7.2.0/24",
               "peer": "10.8.0.0/16"},
        groups=groups, tables=tables, pcx=pcx, igw=igw, public="",
    )  # fmt: skip
    described = ec2.describe_instances(InstanceIds=[lab.server, lab.peer])["Reservations"]
    lab.ips = {i["InstanceId"]: i["PrivateIpAddress"] for r in described for i in r["Instances"]}
    wait_for(lambda: _running(ec2, [lab.client, lab.server, lab.peer]), 60, "instances")
    address = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(InstanceId=lab.server, AllocationId=address["AllocationId"])
    lab.public = address["PublicIp"]
    return lab


def _running(ec2: Any, ids: list[str]) -> bool:
    found = ec2.describe_instances(InstanceIds=ids)["Reservations"]
    return all(i["State"]["Name"] == "running" for r in found for i in r["Instances"])


# --- configurations ------------------------------------------------------------------------
SOURCES = ("vpc", "a", "b", "peer", "anywhere")
rule = st.tuples(st.sampled_from(PORTS), st.sampled_from(SOURCES))
acl_ports = st.sampled_from([*((p, p) for p in PORTS), EPHEMERAL, None])  # None: all traffic
acl_entry = st.tuples(st.booleans(), st.booleans(), acl_ports)  # egress, allow, ports


@dataclass(frozen=True)
class Config:
    server: frozenset[tuple[int, str]]
    peer: frozenset[tuple[int, str]]
    endpoint: frozenset[str]  # sources admitted on the listener port
    target_open: bool
    client_egress: frozenset[int] | None  # None: everything (the default rule)
    acl: tuple[tuple[bool, bool, tuple[int, int] | None], ...] | None  # None: default ACL
    route_there: bool
    route_back: bool
    route_internet: bool  # 0.0.0.0/0 -> the internet gateway (the client's VPC)
    port: int
    zone_b_down: bool = False  # privlink az fail us-east-1b


OPEN = Config(
    server=frozenset({(80, "anywhere")}), peer=frozenset({(80, "vpc")}),
    endpoint=frozenset({"a"}), target_open=True, client_egress=None, acl=None,
    route_there=True, route_back=True, route_internet=True, port=80,
)  # fmt: skip
configs = st.builds(
    Config,
    server=st.frozensets(rule, max_size=3),
    peer=st.frozensets(rule, max_size=2),
    endpoint=st.frozensets(st.sampled_from(SOURCES), max_size=2),
    target_open=st.booleans(),
    client_egress=st.none() | st.frozensets(st.sampled_from(PORTS), max_size=3),
    acl=st.none() | st.lists(acl_entry, min_size=1, max_size=4).map(tuple),
    route_there=st.booleans(),
    route_back=st.booleans(),
    route_internet=st.booleans(),
    port=st.sampled_from(PORTS),
    zone_b_down=st.sampled_from((False, False, False, True)),  # mostly up: rules matter too
)


def _cidr(lab: Lab, source: str) -> str:
    return "0.0.0.0/0" if source == "anywhere" else lab.cidrs[source]


def _set_rules(ec2: Any, group: str, rules: list[dict[str, Any]], egress: bool = False) -> None:
    """Make the group's rules in one direction exactly `rules`."""
    current = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])
    ids = [
        r["SecurityGroupRuleId"] for r in current["SecurityGroupRules"] if r["IsEgress"] == egress
    ]
    if ids and egress:
        ec2.revoke_security_group_egress(GroupId=group, SecurityGroupRuleIds=ids)
    elif ids:
        ec2.revoke_security_group_ingress(GroupId=group, SecurityGroupRuleIds=ids)
    if rules and egress:
        ec2.authorize_security_group_egress(GroupId=group, IpPermissions=rules)
    elif rules:
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rules)


def _perm(port: int | None, cidr: str) -> dict[str, Any]:
    if port is None:
        return {"IpProtocol": "-1", "IpRanges": [{"CidrIp": cidr}]}
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}


def _route(ec2: Any, table: str, cidr: str, target: dict[str, str], wanted: bool) -> None:
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    present = any(r.get("DestinationCidrBlock") == cidr for r in routes)
    if wanted and not present:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=cidr, **target)
    elif present and not wanted:
        ec2.delete_route(RouteTableId=table, DestinationCidrBlock=cidr)


def _acl(lab: Lab, entries: tuple[tuple[bool, bool, tuple[int, int] | None], ...] | None) -> None:
    ec2, subnet = lab.ec2, lab.subnets[1]
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["NetworkAcls"][0]
    association = next(a for a in current["Associations"] if a["SubnetId"] == subnet)
    if entries is None:
        target = ec2.describe_network_acls(
            Filters=[{"Name": "vpc-id", "Values": [current["VpcId"]]},
                     {"Name": "default", "Values": ["true"]}]
        )["NetworkAcls"][0]["NetworkAclId"]  # fmt: skip
    else:
        target = ec2.create_network_acl(VpcId=current["VpcId"])["NetworkAcl"]["NetworkAclId"]
        for number, (egress, allow, ports) in enumerate(entries, 1):
            extra = {"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {}
            ec2.create_network_acl_entry(
                NetworkAclId=target, RuleNumber=number * 10, Egress=egress,
                RuleAction="allow" if allow else "deny", Protocol="6" if ports else "-1",
                CidrBlock="0.0.0.0/0", **extra,
            )  # fmt: skip
    if target != current["NetworkAclId"]:
        ec2.replace_network_acl_association(
            AssociationId=association["NetworkAclAssociationId"], NetworkAclId=target
        )
        if not current["IsDefault"]:
            ec2.delete_network_acl(NetworkAclId=current["NetworkAclId"])


def apply(lab: Lab, config: Config) -> None:
    ec2 = lab.ec2
    _set_rules(ec2, lab.groups["server"], [_perm(p, _cidr(lab, s)) for p, s in config.server])
    _set_rules(ec2, lab.groups["peer"], [_perm(p, _cidr(lab, s)) for p, s in config.peer])
    _set_rules(
        ec2, lab.groups["endpoint"], [_perm(LISTENER, _cidr(lab, s)) for s in config.endpoint]
    )
    _set_rules(lab.p_ec2, lab.groups["target"],
               [_perm(TARGET_PORT, "10.9.0.0/16")] if config.target_open else [])  # fmt: skip
    egress = [_perm(None, "0.0.0.0/0")] if config.client_egress is None else [
        _perm(p, "0.0.0.0/0") for p in config.client_egress
    ]  # fmt: skip
    _set_rules(ec2, lab.groups["client"], egress, egress=True)
    _acl(lab, config.acl)
    pcx, igw = {"VpcPeeringConnectionId": lab.pcx}, {"GatewayId": lab.igw}
    _route(ec2, lab.tables["here"], lab.cidrs["peer"], pcx, config.route_there)
    _route(ec2, lab.tables["there"], lab.cidrs["vpc"], pcx, config.route_back)
    _route(ec2, lab.tables["here"], "0.0.0.0/0", igw, config.route_internet)
    if config.zone_b_down != lab.zone_b_down:
        assert lab.privlink is not None
        az(lab.privlink, "fail" if config.zone_b_down else "restore", ZONE_B)
        lab.zone_b_down = config.zone_b_down


def verdict(lab: Lab, source: str, destination: str, port: int) -> bool:
    path = lab.ec2.create_network_insights_path(
        Source=source, Destination=destination, Protocol="tcp", DestinationPort=port
    )["NetworkInsightsPath"]["NetworkInsightsPathId"]
    aid = lab.ec2.start_network_insights_analysis(NetworkInsightsPathId=path)[
        "NetworkInsightsAnalysis"
    ]["NetworkInsightsAnalysisId"]

    def done() -> dict[str, Any] | None:
        found = lab.ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[aid])
        item = found["NetworkInsightsAnalyses"][0]
        return dict(item) if item["Status"] != "running" else None

    result = wait_for(done, 15, f"analysis {aid}")
    assert result["Status"] == "succeeded", result
    lab.ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=aid)
    lab.ec2.delete_network_insights_path(NetworkInsightsPathId=path)
    return bool(result["NetworkPathFound"])


def kernel(source: str, address: str, port: int) -> bool:
    """A real TCP connect from the client's namespace, or from privlink's internet."""
    argv = ("python3", "-c", TRY, address, str(port))
    done = on_internet(*argv) if source.startswith("igw-") else run_in(source, *argv)
    return done.returncode == 0


@pytest.fixture
def lab(fresh_server: Any) -> Lab:
    server = fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])
    lab = build(server)
    lab.privlink = server
    return lab


def test_analyzer_agrees_with_the_kernel(lab: Lab) -> None:
    assert lab.ips is not None
    ips, me = lab.ips, lab.client
    flows = {  # name: (source, destination, the address to connect to, port)
        "server": lambda c: (me, lab.server, ips[lab.server], c.port),
        "endpoint in b": lambda c: (me, *lab.enis[lab.subnets[1]], LISTENER),
        "endpoint in a": lambda c: (me, *lab.enis[lab.subnets[0]], LISTENER),
        "peer": lambda c: (me, lab.peer, ips[lab.peer], c.port),
        "from the internet": lambda c: (lab.igw, lab.server, lab.public, c.port),
    }

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(config=configs)
    @example(config=OPEN)  # every flow goes through: the kernel's "yes" is exercised too
    @example(config=replace(OPEN, zone_b_down=True))  # only zone a's ways and the peer live
    def agree(config: Config) -> None:
        apply(lab, config)
        time.sleep(SETTLE)
        disagreements = []
        for name, flow in flows.items():
            source, destination, address, port = flow(config)
            said, did = verdict(lab, source, destination, port), kernel(source, address, port)
            seen.add(did)
            if said != did:
                disagreements.append(f"{name} :{port}: analyzer {said}, kernel {did}")
        assert not disagreements, f"{config}: {disagreements}"

    seen: set[bool] = set()
    agree()
    assert seen == {True, False}, "every flow went the same way: the check proved nothing"
