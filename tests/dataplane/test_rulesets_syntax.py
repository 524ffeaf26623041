"""Every endpoint ruleset shape is valid nftables (checked by `nft -c`, nothing applied)."""

from __future__ import annotations

import subprocess

import pytest

from privlink.dataplane.linux import rulesets
from privlink.dataplane.plan import SgRule

pytestmark = pytest.mark.dataplane

ENIS = [
    rulesets.EniPath("plkaaaaaaaae0", "10.0.1.5", "plkaaaaaaaat0", "169.254.0.0", "169.254.0.1"),
    rulesets.EniPath("plkaaaaaaaae1", "10.0.2.5", "plkaaaaaaaat1", "169.254.0.2", ""),
]


@pytest.mark.parametrize(
    ("enis", "active", "ingress"),
    [
        (ENIS, True, (SgRule("tcp", 80, 81, ("10.0.0.0/16",)),)),
        (ENIS, True, ()),
        (ENIS[:1], False, ()),
        ([], True, ()),  # interfaces already torn down
        ([], False, ()),
    ],
    ids=["active", "no-rules", "inactive", "no-enis-active", "no-enis-inactive"],
)
def test_endpoint_rulesets_parse(enis, active, ingress) -> None:  # type: ignore[no-untyped-def]
    text = rulesets.endpoint(
        enis, ingress, active=active, tcp_ports=[80], udp_ports=[53], proxy_ports=[81]
    )
    script = f"table inet plk {{\n{text}\n}}\n"  # as nft.apply wraps a body
    check = subprocess.run(["nft", "-c", "-f", "-"], input=script, capture_output=True, text=True)
    assert check.returncode == 0, f"{check.stderr}\n{text}"
