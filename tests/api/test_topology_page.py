"""The live topology page (/_privlink/ui) in headless Chromium: what is drawn, and that it
follows the store as it changes (an endpoint accepted), with a screenshot in the output."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.api.ec2_helpers import AMI
from tests.api.privatelink import allow, make_net, make_service, party, wait_state
from tests.api.test_az_cli import az
from tests.browser import Browser, available
from tests.harness import Server, needs

pytestmark = needs(available(), "chromium")

A, B = "us-east-1a", "us-east-1b"


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


def drawn(browser: Browser, resource_id: str) -> dict[str, str] | None:
    """The drawn element of a resource: its kind, state and text (None: not drawn)."""
    return browser.evaluate(  # type: ignore[no-any-return]
        f"""(() => {{ const e = document.querySelector('[data-id="{resource_id}"]');
        return e && {{kind: e.dataset.kind, state: e.dataset.state, text: e.textContent}}; }})()"""
    )


def test_page_draws_the_topology_and_follows_changes(
    fresh_server: Callable[..., Server], browser: Browser, tmp_path: Path
) -> None:
    server = fresh_server()
    provider, consumer = party(server), party(server)
    service = make_service(provider, acceptance=True)
    allow(provider, service["ServiceId"], consumer)
    net = make_net(consumer.ec2, "10.40.0.0/16")
    instance = consumer.ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=net.subnets[A]
    )["Instances"][0]["InstanceId"]
    endpoint = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=service["ServiceName"],
        SubnetIds=[net.subnets[A], net.subnets[B]],
    )["VpcEndpoint"]  # fmt: skip
    eid, enis = endpoint["VpcEndpointId"], endpoint["NetworkInterfaceIds"]
    wait_state(consumer.ec2, eid, "pendingAcceptance")

    browser.goto(server.url + "/_privlink/ui")
    browser.wait_for(f"document.querySelector('[data-id=\"{eid}\"]')")
    assert drawn(browser, eid)["state"] == "pendingAcceptance"  # type: ignore[index]
    assert drawn(browser, service["ServiceId"])["kind"] == "endpoint service"  # type: ignore[index]
    lb = drawn(browser, service["NetworkLoadBalancerArns"][0])
    assert lb is not None and lb["state"] == "active"
    for resource in [net.vpc_id, *net.subnets.values(), *enis, provider.nets[0].vpc_id]:
        assert drawn(browser, resource) is not None, resource
    zones = browser.evaluate(
        f"""[...document.querySelectorAll('[data-id="{net.vpc_id}"] .zone')]
        .map(z => z.dataset.zone)"""
    )
    assert zones == [A, B]
    in_a = browser.evaluate(
        f"""[...document.querySelectorAll('[data-id="{net.subnets[A]}"] [data-id]')]
        .map(e => e.dataset.id)"""
    )
    assert instance in in_a and any(e in in_a for e in enis)
    browser.wait_for(
        f'document.querySelector(\'[data-id="{instance}"]\')?.dataset.state === "running"'
    )
    assert browser.evaluate(
        f"""document.querySelector('path[data-link="{eid}->{service["ServiceId"]}"]') !== null"""
    )

    provider.ec2.accept_vpc_endpoint_connections(
        ServiceId=service["ServiceId"], VpcEndpointIds=[eid]
    )
    wait_state(consumer.ec2, eid, "available")
    browser.wait_for(f'document.querySelector(\'[data-id="{eid}"]\').dataset.state === "available"')
    assert "available" in drawn(browser, eid)["text"]  # type: ignore[index]
    assert browser.evaluate("document.getElementById('status').textContent").startswith("live")

    # a zonal outage: zone a's column turns impaired (badge, greyed) live, b's stays up
    assert az(server, "fail", A).returncode == 0
    zone_a = f'document.querySelector(\'[data-id="{net.vpc_id}"] .zone[data-zone="{A}"]\')'
    zone_b = zone_a.replace(A, B)
    browser.wait_for(f'{zone_a}.dataset.zoneState === "impaired"')
    assert browser.evaluate(f"{zone_a}.querySelector('.badge').textContent") == "impaired"
    assert browser.evaluate(f"{zone_a}.classList.contains('impaired')")
    assert browser.evaluate(f"getComputedStyle({zone_a}.querySelector('.subnet')).opacity") != "1"
    assert browser.evaluate(f"{zone_b}.dataset.zoneState") == "available"
    assert browser.evaluate(f"{zone_b}.querySelector('.badge')") is None
    assert browser.evaluate("document.getElementById('outages').textContent") == f"impaired: {A}"
    shot = browser.screenshot(tmp_path / "topology.png")
    assert shot.stat().st_size > 10_000
    print(f"topology screenshot: {shot}")
    assert az(server, "restore", A).returncode == 0
    browser.wait_for(f'{zone_a}.dataset.zoneState === "available"')
    assert browser.evaluate(f"{zone_a}.querySelector('.badge')") is None


def test_page_highlights_an_analysis_path_and_its_blocking_component(
    fresh_server: Callable[..., Server], browser: Browser, tmp_path: Path
) -> None:
    server = fresh_server()
    provider, consumer = party(server), party(server)
    service = make_service(provider, acceptance=True)
    allow(provider, service["ServiceId"], consumer)
    net = make_net(consumer.ec2, "10.41.0.0/16")
    client = consumer.ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=net.subnets[A]
    )["Instances"][0]["InstanceId"]
    eid = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=service["ServiceName"],
        SubnetIds=[net.subnets[A]],
    )["VpcEndpoint"]["VpcEndpointId"]  # fmt: skip
    wait_state(consumer.ec2, eid, "pendingAcceptance")
    path = consumer.ec2.create_network_insights_path(
        Source=client, Destination=eid, Protocol="tcp", DestinationPort=80
    )["NetworkInsightsPath"]["NetworkInsightsPathId"]
    aid = consumer.ec2.start_network_insights_analysis(NetworkInsightsPathId=path)[
        "NetworkInsightsAnalysis"
    ]["NetworkInsightsAnalysisId"]

    browser.goto(f"{server.url}/_privlink/ui?analysis={aid}")
    browser.wait_for(
        "document.querySelector('#analysis .verdict')?.textContent.includes('BAD_STATE')"
    )
    assert "on-path" in classes(browser, client)
    assert "blocked" in classes(browser, eid) and "on-path" not in classes(browser, net.subnets[B])
    steps = browser.evaluate(
        "[...document.querySelectorAll('#analysis li')].map(l => [l.dataset.stepId, l.className])"
    )
    assert steps[0] == [client, ""] and [eid, "blocked"] in steps
    assert browser.evaluate("document.getElementById('analysis').dataset.pathFound") == "false"
    shot = browser.screenshot(tmp_path / "analysis.png")
    assert shot.stat().st_size > 10_000
    print(f"analysis screenshot: {shot}")


def classes(browser: Browser, resource_id: str) -> list[str]:
    """The classes of a drawn resource in the topology (not in the analysis panel)."""
    return browser.evaluate(  # type: ignore[no-any-return]
        f"""[...(document.querySelector('#accounts .vpc [data-id="{resource_id}"], """
        f"""#accounts [data-id="{resource_id}"]')?.classList || [])]"""
    )


def test_page_and_state_need_the_admin_key_in_strict_mode(
    fresh_server: Callable[..., Server],
) -> None:
    admin, secret = "999999999999", "admin-secret"
    server = fresh_server(
        extra_args=[
            "--strict-key",
            f"{admin}:{secret}",
            "--strict-key",
            "333333333333:user",
            "--admin-key",
            admin,
        ]  # fmt: skip
    )
    for path in ("/_privlink/ui", "/_privlink/ui/state"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url + path, timeout=5)
        assert refused.value.code == 403
        for key, key_secret, status in (("333333333333", "user", 403), (admin, secret, 200)):
            request = AWSRequest(method="GET", url=server.url + path, data=b"")
            SigV4Auth(Credentials(key, key_secret), "privlink", "us-east-1").add_auth(request)
            prepared = urllib.request.Request(server.url + path, headers=dict(request.headers))
            try:
                with urllib.request.urlopen(prepared, timeout=5) as answer:
                    got, body = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                got, body = error.code, error.read()
            assert got == status, body
            if status == 200 and path.endswith("state"):
                assert set(json.loads(body)) == {"accounts", "services", "mwaa", "impaired_zones"}
