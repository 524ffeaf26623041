"""A replay of the API calls Terraform's AWS provider makes, against a live privlink.

This is not Terraform: neither Terraform nor its AWS provider can be downloaded on these
machines. The call sequences per resource and phase (create, read/refresh, update, delete,
the refresh after deletion), the waiters' pending/target states and the answers the
provider takes as "not found" were read from the provider's public source
(hashicorp/terraform-provider-aws; files and commits in tests/conformance/terraform/
sequences_*.py, `source` of each resource) and are replayed here with botocore, doing with
each answer what the provider does. One test per resource and phase; a phase privlink does
not pass yet is a strict xfail naming the issue item, so the suite turns red when the
behaviour lands and the mark is still there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conformance.terraform.replay import Replay
from tests.conformance.terraform.sequences import REPLAYED, RESOURCES
from tests.conformance.terraform.steps import PHASES
from tests.harness import Server

pytestmark = pytest.mark.conformance

NAT_WITHOUT_GATEWAY = (
    "the replay makes no internet gateway (aws_internet_gateway is not replayed), so its "
    "public NAT gateway goes failed with Gateway.NotAttached, as on AWS: the create waiter, "
    "and the read and update after it, cannot pass until the replay attaches one"
)
# (resource, phase) -> why privlink fails it today.
KNOWN_FAILURES: dict[tuple[str, str], str] = {
    ("aws_nat_gateway", phase): NAT_WITHOUT_GATEWAY for phase in ("create", "read", "update")
}


def cases() -> Iterator[object]:
    for name in REPLAYED:
        for phase in PHASES:
            if not RESOURCES[name].phase(phase):
                continue
            marks = [pytest.mark.xdist_group(f"terraform-{name}")]
            if (name, phase) in KNOWN_FAILURES:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[name, phase]))
            yield pytest.param(name, phase, marks=marks, id=f"{name}-{phase}")


Outcome = tuple[dict[str, "str | None"], list[str]]  # phase -> failure; tolerated failures


@pytest.fixture(scope="session")
def replayed(server: Server) -> Callable[[str], Outcome]:
    """Each resource replayed once (all its phases), on first use."""
    done: dict[str, Outcome] = {}

    def get(name: str) -> Outcome:
        if name not in done:
            replay = Replay(server)
            done[name] = (replay.run(RESOURCES[name]), replay.notes)
        return done[name]

    return get


@pytest.mark.parametrize(("resource", "phase"), cases())
def test_provider_call_sequence(
    replayed: Callable[[str], Outcome], resource: str, phase: str
) -> None:
    failure = replayed(resource)[0][phase]
    assert failure is None, f"{resource} {phase}: {failure}"


@pytest.mark.xdist_group("terraform-aws_vpc")
def test_vpc_refresh_has_nothing_to_warn_about(replayed: Callable[[str], Outcome]) -> None:
    """Calls whose failure the provider only logs still lose attributes (default ACL id)."""
    assert replayed("aws_vpc")[1] == []
