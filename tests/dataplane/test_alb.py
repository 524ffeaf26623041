"""Application load balancers and NLB TLS listeners end to end (`privlink up --dataplane
linux`), the MWAA seed's load-balancer path with any private web server:

provider: an instance serving HTTPS on 8443 (`/` answers 302 like an Airflow web server,
/echo answers the request's headers and peer) and plain HTTP on 8080, behind an internal
NLB (TCP 443 -> 8443, and a TLS listener 8443 -> 8080 with an imported certificate),
published as an endpoint service.
consumer: an interface endpoint to it; an internal ALB whose HTTPS listener (imported
certificate) forwards to an ip target group holding the endpoint's two addresses; a
client instance in the ALB's VPC that curls the ALB's DNS name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_acm import Pki, make_pki
from tests.dataplane.world import network, open_group, run_in, wait_for
from tests.harness import Server

pytestmark = pytest.mark.dataplane

PROVIDER = "111111111111"
CONSUMER = "222222222222"
WEB = """
import http.server, json, ssl, sys, threading
class Web(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            self.send_response(302)
            self.send_header("Location", "/home")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"path": self.path, "peer": self.client_address[0],
                           "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
plain = http.server.ThreadingHTTPServer(("0.0.0.0", 8080), Web)
threading.Thread(target=plain.serve_forever, daemon=True).start()
secure = http.server.ThreadingHTTPServer(("0.0.0.0", 8443), Web)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
secure.socket = context.wrap_socket(secure.socket, server_side=True)
secure.serve_forever()
"""


def curl(instance: str, *args: str) -> Any:
    return run_in(instance, "curl", "-s", "--max-time", "5", *args)


class AlbWorld:
    def __init__(self, server: Server, tmp: Path) -> None:
        self.server, self.tmp = server, tmp
        self.pki: Pki = make_pki()
        self.p_ec2, self.p_elb = server.client("ec2", PROVIDER), server.client("elbv2", PROVIDER)
        self.c_ec2, self.c_elb = server.client("ec2", CONSUMER), server.client("elbv2", CONSUMER)
        (tmp / "ca.pem").write_bytes(self.pki.root.pem)

    def certificate(self, account: str, name: str) -> str:
        """An imported certificate for `name` (the seed's import-certificate flow)."""
        leaf = self.pki.leaf(name)
        return self.server.client("acm", account).import_certificate(
            Certificate=leaf.pem, PrivateKey=leaf.key_pem, CertificateChain=self.pki.chain
        )["CertificateArn"]

    def provider(self) -> None:
        ec2, elb = self.p_ec2, self.p_elb
        vpc, subnets = network(ec2, "10.0.0.0/16")
        group = open_group(ec2, vpc, "web", (8080, 8443), "10.0.0.0/16")
        leaf = self.pki.leaf("backend.internal")
        (self.tmp / "web.pem").write_bytes(leaf.pem)
        (self.tmp / "web.key").write_bytes(leaf.key_pem)
        (self.tmp / "web.py").write_text(WEB)
        script = (
            f"#!/bin/sh\nexec python3 {self.tmp}/web.py {self.tmp}/web.pem {self.tmp}/web.key\n"
        )
        self.backend = ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnets[0],
            SecurityGroupIds=[group], UserData=script,
        )["Instances"][0]["InstanceId"]  # fmt: skip
        nlb = elb.create_load_balancer(
            Name="web", Type="network", Scheme="internal", Subnets=subnets
        )["LoadBalancers"][0]
        self.nlb_dns = nlb["DNSName"]
        elb.modify_load_balancer_attributes(
            LoadBalancerArn=nlb["LoadBalancerArn"],
            Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}],
        )
        self.nlb_groups = []
        for name, port, listen in (("https", 8443, 443), ("plain", 8080, 8443)):
            tg = elb.create_target_group(
                Name=name, Protocol="TCP", Port=port, VpcId=vpc, TargetType="instance",
                HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2,
                HealthyThresholdCount=2,
            )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": self.backend}])
            tls = listen == 8443
            elb.create_listener(
                LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TLS" if tls else "TCP",
                Port=listen, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
                **({"Certificates": [{"CertificateArn": self.certificate(PROVIDER, self.nlb_dns)}]}
                   if tls else {}),
            )  # fmt: skip
            self.nlb_groups.append(tg)
        service = ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[nlb["LoadBalancerArn"]], AcceptanceRequired=False
        )["ServiceConfiguration"]
        ec2.modify_vpc_endpoint_service_permissions(
            ServiceId=service["ServiceId"], AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"]
        )
        self.service_name = service["ServiceName"]

    def consumer(self) -> None:
        ec2, elb = self.c_ec2, self.c_elb
        vpc, subnets = network(ec2, "10.1.0.0/16")
        endpoint_group = open_group(ec2, vpc, "endpoint", (443, 443), "10.1.0.0/16")
        endpoint = ec2.create_vpc_endpoint(
            VpcId=vpc, ServiceName=self.service_name, VpcEndpointType="Interface",
            SubnetIds=subnets, SecurityGroupIds=[endpoint_group],
        )["VpcEndpoint"]  # fmt: skip
        enis = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])[
            "NetworkInterfaces"
        ]
        self.endpoint_ips = sorted(e["PrivateIpAddress"] for e in enis)
        alb_group = open_group(ec2, vpc, "alb", (80, 443), "10.1.0.0/16")
        alb = elb.create_load_balancer(
            Name="seed", Scheme="internal", Subnets=subnets, SecurityGroups=[alb_group]
        )["LoadBalancers"][0]
        self.alb_dns, self.alb = alb["DNSName"], alb["LoadBalancerArn"]
        self.tg = elb.create_target_group(
            Name="endpoint", Protocol="HTTPS", Port=443, VpcId=vpc, TargetType="ip",
            HealthCheckProtocol="HTTPS", Matcher={"HttpCode": "200,302"},
            HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2,
        )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
        elb.register_targets(
            TargetGroupArn=self.tg, Targets=[{"Id": ip, "Port": 443} for ip in self.endpoint_ips]
        )
        elb.create_listener(
            LoadBalancerArn=self.alb, Protocol="HTTPS", Port=443,
            Certificates=[{"CertificateArn": self.certificate(CONSUMER, self.alb_dns)}],
            DefaultActions=[{"Type": "forward", "TargetGroupArn": self.tg}],
        )  # fmt: skip
        self.client = ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnets[1]
        )["Instances"][0]
        self.client_id, self.client_ip = self.client["InstanceId"], self.client["PrivateIpAddress"]

    def health(self) -> list[tuple[str, str, str | None]]:
        found = self.c_elb.describe_target_health(TargetGroupArn=self.tg)
        return sorted(
            (d["Target"]["Id"], d["TargetHealth"]["State"], d["TargetHealth"].get("Reason"))
            for d in found["TargetHealthDescriptions"]
        )


@pytest.fixture
def world(fresh_server: Any, tmp_path: Path) -> AlbWorld:
    built = AlbWorld(fresh_server(extra_args=["--dataplane", "linux"]), tmp_path)
    built.provider()
    built.consumer()
    return built


def test_private_web_server_through_an_alb_and_an_endpoint(world: AlbWorld) -> None:
    """The seed's path: healthy with matcher 200,302; HTTPS at the ALB's name with its
    certificate; X-Forwarded-*; unhealthy (ResponseCodeMismatch) with matcher 200 only."""
    wait_for(
        lambda: [h[1] for h in world.health()] == ["healthy", "healthy"], 60, "healthy targets"
    )
    ca = str(world.tmp / "ca.pem")
    url = f"https://{world.alb_dns}/echo"
    done = wait_for(lambda: curl(world.client_id, "--cacert", ca, url).stdout, 20, "an answer")
    echoed = json.loads(done)
    headers = {k.lower(): v for k, v in echoed["headers"].items()}
    assert headers["x-forwarded-for"].split(",")[0].strip() == world.client_ip
    assert (headers["x-forwarded-proto"], headers["x-forwarded-port"]) == ("https", "443")
    root = curl(world.client_id, "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}",
                f"https://{world.alb_dns}/")  # fmt: skip
    assert root.stdout == "302"

    world.c_elb.modify_target_group(TargetGroupArn=world.tg, Matcher={"HttpCode": "200"})
    wait_for(
        lambda: world.health()
        == [(ip, "unhealthy", "Target.ResponseCodeMismatch") for ip in world.endpoint_ips],
        40,
        "targets unhealthy with Target.ResponseCodeMismatch",
    )
    description = world.c_elb.describe_target_health(TargetGroupArn=world.tg)[
        "TargetHealthDescriptions"
    ][0]["TargetHealth"]["Description"]
    assert description == "Health checks failed with these codes: [302]"


def test_redirect_fixed_response_and_security_groups(world: AlbWorld) -> None:
    elb = world.c_elb
    elb.create_listener(
        LoadBalancerArn=world.alb, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": {
            "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
    )  # fmt: skip
    elb.create_listener(
        LoadBalancerArn=world.alb, Protocol="HTTP", Port=8080,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "503", "ContentType": "application/json",
            "MessageBody": '{"maintenance": true}'}}],
    )  # fmt: skip
    host = world.alb_dns
    moved = wait_for(
        lambda: curl(world.client_id, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                     f"http://{host}/a/b?x=1").stdout.removeprefix("000 "),
        30, "the redirect",
    )  # fmt: skip
    assert moved == f"301 https://{host}/a/b?x=1"
    # 8080 is not open in the ALB's security group: nothing answers
    blocked = curl(world.client_id, "--max-time", "2", f"http://{host}:8080/")
    assert blocked.returncode == 28  # timed out
    group = elb.describe_load_balancers(LoadBalancerArns=[world.alb])["LoadBalancers"][0][
        "SecurityGroups"
    ][0]
    world.c_ec2.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=8080, ToPort=8080, CidrIp="10.1.0.0/16"
    )
    fixed = wait_for(
        lambda: curl(world.client_id, "-w", " %{http_code} %{content_type}",
                     f"http://{host}:8080/").stdout.removeprefix(" 000 "),
        20, "the fixed response",
    )  # fmt: skip
    assert fixed == '{"maintenance": true} 503 application/json'


def test_nlb_tls_listener_terminates_with_the_acm_certificate(world: AlbWorld) -> None:
    ca = str(world.tmp / "ca.pem")
    url = f"https://{world.nlb_dns}:8443/echo"
    done = wait_for(lambda: curl(world.backend, "--cacert", ca, url).stdout, 40, "TLS via NLB")
    assert json.loads(done)["path"] == "/echo"  # plain HTTP behind: TLS ended at the NLB
