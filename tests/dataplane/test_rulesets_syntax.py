"""Every endpoint and NLB ruleset shape is valid nftables (checked by `nft -c`, nothing
applied)."""

from __future__ import annotations

import subprocess

import pytest

from privlink.dataplane.linux import nlb_rulesets, rulesets
from privlink.dataplane.plan import SgRule, Target

pytestmark = pytest.mark.dataplane

LINKS, IPS = ["plkaaaaaaaae0", "plkaaaaaaaae1"], ["10.0.1.5", "10.0.2.5"]
SG = (SgRule("tcp", 80, 81, ("10.0.0.0/16",)),)
ZONE = nlb_rulesets.NlbZone("10.9.1.100", ("plkaaaaaaaae0",), (nlb_rulesets.ENI_MARK | 1,))
FORWARDS = [
    nlb_rulesets.NlbForward("tcp", 80, ZONE, (Target("10.9.1.10", 8080, "az"),)),
    nlb_rulesets.NlbForward("tcp", 81, ZONE, (Target("10.9.1.10", 8081, "az"),)),
    nlb_rulesets.NlbForward("udp", 53, ZONE, (Target("10.9.1.10", 53, "az"),)),
]


def endpoint(name: str, active: bool, *enis: int) -> nlb_rulesets.NlbEndpoint:
    """An endpoint of the NLB with ENIs numbered `enis` (equal addresses on purpose)."""
    return nlb_rulesets.NlbEndpoint(
        name,
        tuple(
            nlb_rulesets.Eni(f"plkaaaaaaaae{i}", "10.0.1.5", i + 1, nlb_rulesets.ENI_MARK | (i + 1))
            for i in enis
        ),
        SG,
        active,
    )


def parses(text: str) -> None:
    script = f"table inet plk {{\n{text}\n}}\n"  # as nft.apply wraps a body
    check = subprocess.run(["nft", "-c", "-f", "-"], input=script, capture_output=True, text=True)
    assert check.returncode == 0, f"{check.stderr}\n{text}"


@pytest.mark.parametrize(
    ("links", "active", "ingress"),
    [
        (LINKS, True, SG),
        (LINKS, True, ()),
        (LINKS[:1], False, ()),
        ([], True, ()),  # interfaces already torn down
        ([], False, ()),
    ],
    ids=["active", "no-rules", "inactive", "no-enis-active", "no-enis-inactive"],
)
def test_endpoint_rulesets_parse(links, active, ingress) -> None:  # type: ignore[no-untyped-def]
    parses(rulesets.endpoint(links, IPS[: len(links)], ingress, active=active, proxy_ports=[443]))


@pytest.mark.parametrize(
    "endpoints",
    [
        [],
        [endpoint("vpce-1", True, 0)],
        [endpoint("vpce-1", True, 0, 1), endpoint("vpce-2", False, 2)],
        [endpoint("vpce-1", False, 0)],
    ],
    ids=["no-endpoints", "one", "active-and-inactive", "inactive"],
)
def test_nlb_rulesets_parse(endpoints: list[nlb_rulesets.NlbEndpoint]) -> None:
    parses(nlb_rulesets.nlb([ZONE], FORWARDS, [443], endpoints))
