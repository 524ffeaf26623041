"""Reachability Analyzer through EC2's API (boto3 and the AWS CLI): paths, analyses that
go running -> succeeded with the path components, and AWS's explanation codes when a
security group, a network ACL, a missing route or an endpoint's state blocks the way."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from tests.api.ec2_helpers import AMI, aws_error, unvalidated
from tests.api.privatelink import Net, Party, allow, make_net, party, wait_state
from tests.harness import Server, fresh_account, wait_until

A, B = "us-east-1a", "us-east-1b"


def group(ec2: Any, vpc_id: str, port: int | None, cidr: str) -> str:
    """A security group admitting tcp `port` from `cidr` (None: admitting nothing)."""
    gid = ec2.create_security_group(
        GroupName="g-" + secrets.token_hex(4), Description="t", VpcId=vpc_id
    )["GroupId"]
    if port is not None:
        ec2.authorize_security_group_ingress(
            GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                                         "IpRanges": [{"CidrIp": cidr}]}],
        )  # fmt: skip
    return str(gid)


def launch(ec2: Any, subnet: str, groups: list[str] | None = None) -> str:
    extra = {"SecurityGroupIds": groups} if groups else {}
    return str(
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, **extra)[
            "Instances"
        ][0]["InstanceId"]
    )


def analyse(ec2: Any, source: str, destination: str, port: int = 80, **kw: Any) -> dict[str, Any]:
    """Create a path, start an analysis, wait for its answer."""
    path = ec2.create_network_insights_path(
        Source=source, Destination=destination, Protocol="tcp", DestinationPort=port, **kw
    )["NetworkInsightsPath"]["NetworkInsightsPathId"]
    started = ec2.start_network_insights_analysis(NetworkInsightsPathId=path)[
        "NetworkInsightsAnalysis"
    ]
    assert started["Status"] == "running" and "NetworkPathFound" not in started
    return answer(ec2, started["NetworkInsightsAnalysisId"])


def answer(ec2: Any, analysis_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        found = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[analysis_id])
        item = found["NetworkInsightsAnalyses"][0]
        return dict(item) if item["Status"] != "running" else None

    result = wait_until(done, 15, 0.2, f"{analysis_id} to finish")
    assert result["Status"] == "succeeded", result
    return result


def components(analysis: dict[str, Any]) -> list[str]:
    return [c["Component"]["Id"] for c in analysis["ForwardPathComponents"]]


def provider_service(provider: Party, acceptance: bool) -> tuple[dict[str, Any], str]:
    """An endpoint service: an NLB (zones a and b) whose TCP 80 listener forwards to an
    instance admitting port 80 from its VPC. Returns the service and the instance."""
    net = make_net(provider.ec2, "10.60.0.0/16")
    backend = launch(provider.ec2, net.subnets[A], [group(provider.ec2, net.vpc_id, 80, net.cidr)])
    lb = provider.elbv2.create_load_balancer(
        Name="nlb-" + secrets.token_hex(4), Type="network", Scheme="internal",
        Subnets=list(net.subnets.values()),
    )["LoadBalancers"][0]["LoadBalancerArn"]  # fmt: skip
    tg = provider.elbv2.create_target_group(
        Name="tg-" + secrets.token_hex(4), Protocol="TCP", Port=80, VpcId=net.vpc_id,
        TargetType="instance",
    )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
    provider.elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": backend, "Port": 80}])
    provider.elbv2.create_listener(
        LoadBalancerArn=lb, Protocol="TCP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )  # fmt: skip
    wait_until(
        lambda: provider.elbv2.describe_load_balancers(LoadBalancerArns=[lb])["LoadBalancers"][0][
            "State"
        ]["Code"]
        == "active",
        20, 0.2, "the NLB to be active",
    )  # fmt: skip
    service = provider.ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[lb], AcceptanceRequired=acceptance
    )["ServiceConfiguration"]
    return dict(service), backend


def consumer_setup(server: Server, acceptance: bool) -> tuple[Party, Net, str, str, str]:
    """Consumer instance in zone a, an interface endpoint (zones a, b) to the provider's
    service. Returns the consumer, its net, the instance, the endpoint and the backend."""
    provider, consumer = party(server), party(server)
    service, backend = provider_service(provider, acceptance)
    allow(provider, service["ServiceId"], consumer)
    net = make_net(consumer.ec2, "10.70.0.0/16")
    client = launch(consumer.ec2, net.subnets[A])
    endpoint = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=service["ServiceName"],
        SubnetIds=[net.subnets[A], net.subnets[B]],
    )["VpcEndpoint"]["VpcEndpointId"]  # fmt: skip
    wait_state(consumer.ec2, endpoint, "pendingAcceptance" if acceptance else "available")
    return consumer, net, client, endpoint, backend


def test_instance_to_endpoint_to_service_is_reachable(server: Server) -> None:
    consumer, net, client, endpoint, backend = consumer_setup(server, acceptance=False)
    result = analyse(consumer.ec2, client, endpoint)
    assert result["NetworkPathFound"] is True
    assert "Explanations" not in result
    ids = components(result)
    assert ids[0] == client and ids[-1] == backend
    assert endpoint in ids and net.default_group in ids
    kinds = {
        c["Component"]["Arn"].split(":")[5].split("/")[0] for c in result["ForwardPathComponents"]
    }
    assert {"instance", "security-group", "vpc-endpoint", "network-interface"} <= kinds
    assert any(c.get("ElasticLoadBalancerListener") for c in result["ForwardPathComponents"])
    numbers = [c["SequenceNumber"] for c in result["ForwardPathComponents"]]
    assert numbers == list(range(1, len(numbers) + 1))
    egress = next(c for c in result["ForwardPathComponents"] if c.get("SecurityGroupRule"))
    assert egress["SecurityGroupRule"]["Direction"] == "egress"
    # Each ARN names its owner: the consumer's side, then the provider's (the account
    # in the load balancer's ARN) from the endpoint service on.
    owner = {
        c["Component"]["Id"]: c["Component"]["Arn"].split(":")[4]
        for c in result["ForwardPathComponents"]
    }
    listener = next(
        c for c in result["ForwardPathComponents"] if c.get("ElasticLoadBalancerListener")
    )
    provider = listener["ElasticLoadBalancerListener"]["Arn"].split(":")[4]
    assert provider != consumer.account
    assert owner[client] == owner[endpoint] == consumer.account
    assert owner[backend] == provider


def test_pending_acceptance_endpoint_is_a_bad_state(server: Server) -> None:
    consumer, _, client, endpoint, _ = consumer_setup(server, acceptance=True)
    result = analyse(consumer.ec2, client, endpoint)
    assert result["NetworkPathFound"] is False
    [why] = result["Explanations"]
    assert why["ExplanationCode"] == "BAD_STATE"
    assert why["Component"]["Id"] == endpoint and why["State"] == "pendingAcceptance"


def test_blocked_by_a_security_group_names_the_group(ec2: Any) -> None:
    net = make_net(ec2, "10.80.0.0/16")
    closed = group(ec2, net.vpc_id, None, "0.0.0.0/0")
    client, target = launch(ec2, net.subnets[A]), launch(ec2, net.subnets[B], [closed])
    result = analyse(ec2, client, target, 443)
    assert result["NetworkPathFound"] is False
    [why] = result["Explanations"]
    assert why["ExplanationCode"] == "ENI_SG_RULES_MISMATCH"
    assert why["Direction"] == "ingress"
    assert [g["Id"] for g in why["SecurityGroups"]] == [closed]
    # opening the port turns the answer around
    ec2.authorize_security_group_ingress(
        GroupId=closed, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                        "IpRanges": [{"CidrIp": net.cidr}]}],
    )  # fmt: skip
    again = analyse(ec2, client, target, 443)
    assert again["NetworkPathFound"] is True
    assert any(c.get("SecurityGroupRule", {}).get("SecurityGroupId") == closed
               for c in again["ForwardPathComponents"])  # fmt: skip


def test_blocked_by_a_network_acl_names_the_rule(ec2: Any) -> None:
    net = make_net(ec2, "10.81.0.0/16")
    open_ = group(ec2, net.vpc_id, 22, net.cidr)
    client, target = launch(ec2, net.subnets[A]), launch(ec2, net.subnets[B], [open_])
    acl = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=90, Protocol="6",
                                     RuleAction="deny", Egress=egress, CidrBlock="10.81.1.0/24",
                                     PortRange={"From": 22, "To": 22})  # fmt: skip
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                                     RuleAction="allow", Egress=egress,
                                     CidrBlock="0.0.0.0/0")  # fmt: skip
    association = next(
        a["NetworkAclAssociationId"]
        for a in ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [net.subnets[B]]}]
        )["NetworkAcls"][0]["Associations"]
        if a["SubnetId"] == net.subnets[B]
    )
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    result = analyse(ec2, client, target, 22)
    assert result["NetworkPathFound"] is False
    [why] = result["Explanations"]
    assert why["ExplanationCode"] == "SUBNET_ACL_RESTRICTION"
    assert why["Acl"]["Id"] == acl and why["Direction"] == "ingress"
    assert why["AclRule"]["RuleNumber"] == 90 and why["AclRule"]["RuleAction"] == "deny"
    assert why["Subnet"]["Id"] == net.subnets[B]
    # another port passes the ACL both ways
    assert analyse(ec2, client, target, 2222)["NetworkPathFound"] is False  # the group says no
    anywhere = [{"CidrIp": "0.0.0.0/0"}]
    ec2.authorize_security_group_ingress(GroupId=open_, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 2222, "ToPort": 2222, "IpRanges": anywhere}
    ])  # fmt: skip
    passed = analyse(ec2, client, target, 2222)
    assert passed["NetworkPathFound"] is True
    rules = [c["AclRule"] for c in passed["ForwardPathComponents"] if c.get("AclRule")]
    assert [r["RuleNumber"] for r in rules] == [100]
    assert passed["ReturnPathComponents"]


def test_missing_route_to_a_peer(ec2: Any) -> None:
    here, there = make_net(ec2, "10.82.0.0/16"), make_net(ec2, "10.83.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=here.vpc_id, PeerVpcId=there.vpc_id)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    client = launch(ec2, here.subnets[A])
    target = launch(ec2, there.subnets[A], [group(ec2, there.vpc_id, 80, here.cidr)])
    result = analyse(ec2, client, target)
    assert result["NetworkPathFound"] is False
    [why] = result["Explanations"]
    assert why["ExplanationCode"] == "NO_ROUTE_TO_DESTINATION"
    assert why["RouteTable"]["Id"] == here.route_table
    ec2.create_route(RouteTableId=here.route_table, DestinationCidrBlock=there.cidr,
                     VpcPeeringConnectionId=pcx)  # fmt: skip
    one_way = analyse(ec2, client, target)  # the answer has no way back yet
    assert one_way["NetworkPathFound"] is False
    assert one_way["Explanations"][0]["RouteTable"]["Id"] == there.route_table
    ec2.create_route(RouteTableId=there.route_table, DestinationCidrBlock=here.cidr,
                     VpcPeeringConnectionId=pcx)  # fmt: skip
    both = analyse(ec2, client, target)
    assert both["NetworkPathFound"] is True
    assert pcx in components(both)
    route = next(c["RouteTableRoute"] for c in both["ForwardPathComponents"]
                 if c.get("RouteTableRoute"))  # fmt: skip
    assert route == {"DestinationCidr": there.cidr, "VpcPeeringConnectionId": pcx,
                     "Origin": "CreateRoute", "State": "active"}  # fmt: skip


def test_describe_filters_pages_and_deletes(ec2: Any) -> None:
    net = make_net(ec2, "10.84.0.0/16")
    client, target = launch(ec2, net.subnets[A]), launch(ec2, net.subnets[B])
    paths = [
        ec2.create_network_insights_path(
            Source=client, Destination=target, Protocol=proto, DestinationPort=port,
            TagSpecifications=[{"ResourceType": "network-insights-path",
                                "Tags": [{"Key": "n", "Value": str(port)}]}],
        )["NetworkInsightsPath"]
        for proto, port in (("tcp", 80), ("udp", 53), ("tcp", 443))
    ]  # fmt: skip
    ids = [p["NetworkInsightsPathId"] for p in paths]
    assert paths[0]["Tags"] == [{"Key": "n", "Value": "80"}]
    assert paths[0]["NetworkInsightsPathArn"].endswith(f":network-insights-path/{ids[0]}")
    udp = ec2.describe_network_insights_paths(Filters=[{"Name": "protocol", "Values": ["udp"]}])
    assert [p["NetworkInsightsPathId"] for p in udp["NetworkInsightsPaths"]] == [ids[1]]
    at = ec2.create_network_insights_path(
        Source=client, Destination=target, Protocol="tcp",
        FilterAtDestination={"DestinationPortRange": {"FromPort": 8000, "ToPort": 8100}},
    )["NetworkInsightsPath"]  # fmt: skip
    assert at["FilterAtDestination"] == {"DestinationPortRange": {"FromPort": 8000, "ToPort": 8100}}
    ranged = ec2.describe_network_insights_paths(
        Filters=[{"Name": "filter-at-destination.destination-port-range", "Values": ["8000-8100"]}]
    )["NetworkInsightsPaths"]
    assert [p["NetworkInsightsPathId"] for p in ranged] == [at["NetworkInsightsPathId"]]
    with aws_error("InvalidParameterValue"):
        ec2.describe_network_insights_paths(Filters=[{"Name": "source-ip", "Values": ["x"]}])
    first = ec2.describe_network_insights_paths(NetworkInsightsPathIds=ids, MaxResults=2)
    rest = ec2.describe_network_insights_paths(
        NetworkInsightsPathIds=ids, MaxResults=2, NextToken=first["NextToken"]
    )
    seen = first["NetworkInsightsPaths"] + rest["NetworkInsightsPaths"]
    assert [p["NetworkInsightsPathId"] for p in seen] == ids
    analysis = ec2.start_network_insights_analysis(NetworkInsightsPathId=ids[0])[
        "NetworkInsightsAnalysis"
    ]["NetworkInsightsAnalysisId"]
    answer(ec2, analysis)
    by_path = ec2.describe_network_insights_analyses(NetworkInsightsPathId=ids[0])
    assert [a["NetworkInsightsAnalysisId"] for a in by_path["NetworkInsightsAnalyses"]] == [
        analysis
    ]
    found = ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[analysis], Filters=[{"Name": "path-found", "Values": ["true"]}]
    )["NetworkInsightsAnalyses"]
    assert len(found) == 1
    with aws_error("AnalysisExistsForNetworkInsightsPath"):
        ec2.delete_network_insights_path(NetworkInsightsPathId=ids[0])
    assert (
        ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=analysis)[
            "NetworkInsightsAnalysisId"
        ]
        == analysis
    )
    assert (
        ec2.delete_network_insights_path(NetworkInsightsPathId=ids[0])["NetworkInsightsPathId"]
        == ids[0]
    )
    with aws_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.describe_network_insights_paths(NetworkInsightsPathIds=[ids[0]])


def test_errors_for_bad_ids_parameters_and_other_accounts(server: Server, ec2: Any) -> None:
    net = make_net(ec2, "10.85.0.0/16")
    client = launch(ec2, net.subnets[A])
    missing_path, missing_analysis = "nip-0123456789abcdef0", "nia-0123456789abcdef0"
    with aws_error("InvalidNetworkInsightsPathId.NotFound") as info:
        ec2.start_network_insights_analysis(NetworkInsightsPathId=missing_path)
    assert missing_path in info.value.response["Error"]["Message"]
    with aws_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.delete_network_insights_path(NetworkInsightsPathId=missing_path)
    with aws_error("InvalidNetworkInsightsAnalysisId.NotFound"):
        ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=missing_analysis)
    with aws_error("InvalidNetworkInsightsAnalysisId.NotFound"):
        ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[missing_analysis])
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.create_network_insights_path(Source="i-0123456789abcdef0", Destination=client,
                                         Protocol="tcp")  # fmt: skip
    with aws_error("InvalidParameterValue"):
        ec2.create_network_insights_path(Source=net.vpc_id, Destination=client, Protocol="tcp")
    with aws_error("InvalidParameterCombination"):
        ec2.create_network_insights_path(Source=client, Protocol="tcp")
    with aws_error("InvalidParameterValue"):
        ec2.create_network_insights_path(Source=client, DestinationIp="10.85.300.1",
                                         Protocol="tcp")  # fmt: skip
    with aws_error("MissingParameter"):
        unvalidated(server, fresh_account()).create_network_insights_path(Source=client)
    # another account sees neither the instance nor the path
    other = server.client("ec2", fresh_account())
    with aws_error("InvalidInstanceID.NotFound"):
        other.create_network_insights_path(Source=client, DestinationIp="10.85.1.9", Protocol="tcp")
    path = ec2.create_network_insights_path(Source=client, DestinationIp="10.85.2.9",
                                            Protocol="tcp")["NetworkInsightsPath"]  # fmt: skip
    with aws_error("InvalidNetworkInsightsPathId.NotFound"):
        other.start_network_insights_analysis(NetworkInsightsPathId=path["NetworkInsightsPathId"])
    assert other.describe_network_insights_paths()["NetworkInsightsPaths"] == []


def test_the_cli_creates_analyses_and_waits(server: Server, account: str) -> None:
    ec2 = server.client("ec2", account)
    net = make_net(ec2, "10.86.0.0/16")
    client = launch(ec2, net.subnets[A])
    target = launch(ec2, net.subnets[B], [group(ec2, net.vpc_id, 8080, net.cidr)])

    def cli(*args: str) -> Any:
        return json.loads(server.aws("ec2", *args, account=account).stdout)

    path = cli("create-network-insights-path", "--source", client, "--destination", target,
               "--protocol", "tcp", "--destination-port", "8080")  # fmt: skip
    pid = path["NetworkInsightsPath"]["NetworkInsightsPathId"]
    started = cli("start-network-insights-analysis", "--network-insights-path-id", pid)
    aid = started["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    got: Callable[[], Any] = lambda: cli(  # noqa: E731
        "describe-network-insights-analyses", "--network-insights-analysis-ids", aid,
        "--query", "NetworkInsightsAnalyses[0].[Status,NetworkPathFound]",
    )  # fmt: skip
    listed = cli("describe-network-insights-paths", "--filters", "Name=source,Values=" + client)
    assert [p["NetworkInsightsPathId"] for p in listed["NetworkInsightsPaths"]] == [pid]
    assert wait_until(lambda: got() if got()[0] != "running" else None, 15, 0.2, aid) == [
        "succeeded", True,
    ]  # fmt: skip
