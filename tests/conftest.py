"""Shared fixtures: a live privlink server driven black-box over HTTP (see tests/harness.py).

The launcher, ports, polling and account ids live in tests.harness, shared with bench/:
import them from there, not from here.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import Server, fresh_account, wait_until

__all__ = ["wait_until"]  # for tests/api/test_mwaa.py only, until it imports tests.harness


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One privlink for the whole session; tests isolate themselves by account and resources."""
    state = Path(tempfile.mkdtemp(prefix="privlink-test-"))
    srv = Server(state).start()
    yield srv
    srv.stop()
    shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def fresh_server() -> Iterator[Callable[..., Server]]:
    """Factory for private servers (restart tests, databases); all stopped at the end."""
    made: list[Server] = []

    def make(**kwargs: Any) -> Server:
        state = Path(tempfile.mkdtemp(prefix="privlink-test-"))
        srv = Server(state, **kwargs)
        made.append(srv)
        return srv.start()

    yield make
    for srv in made:
        srv.stop()
        shutil.rmtree(srv.state_dir, ignore_errors=True)


@pytest.fixture
def account() -> str:
    """A fresh 12-digit account for this test, so its resources are its own."""
    return fresh_account()


@pytest.fixture
def ec2(server: Server, account: str) -> Any:
    return server.client("ec2", account)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the group (its plugin registers later)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Data-plane tests share host-wide kernel names (plk*): keep them on one xdist worker."""
    for item in items:
        if item.get_closest_marker("dataplane"):
            item.add_marker(pytest.mark.xdist_group("dataplane"))
