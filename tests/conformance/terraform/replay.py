"""Replays a Resource's call sequence against a live privlink with botocore, doing with
each answer what the AWS provider does (see steps.py), and says per phase what went wrong.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import jmespath
from botocore import xform_name
from botocore.exceptions import ClientError

from tests.conformance.terraform.sequences import RESOURCES
from tests.conformance.terraform.steps import (
    ACCEPTS,
    CALL,
    GONE,
    PHASES,
    TOLERATED,
    WAIT,
    Resource,
    Step,
)
from tests.harness import Server, fresh_account, wait_until

POLL, TIMEOUT = 0.2, 30.0  # privlink's controllers settle in about a second


class StepFailed(Exception):
    """A step got an answer the provider would fail on."""


class Replay:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.accounts = {"provider": fresh_account(), "consumer": fresh_account()}
        self.vars: dict[str, Any] = {
            "unique": secrets.token_hex(4),
            "account": self.accounts["provider"],
            "consumer": self.accounts["consumer"],
            "other": fresh_account(),
        }
        self.clients: dict[tuple[str, str], Any] = {}
        self.notes: list[str] = []  # tolerated failures: the provider only logs them

    def run(self, resource: Resource) -> dict[str, str | None]:
        """Create the needs, run every phase, tear the needs down; phase -> failure or None."""
        results: dict[str, str | None] = {}
        setup = self._phase([s for need in resource.needs for s in RESOURCES[need].create])
        for phase in PHASES:
            if not resource.phase(phase):
                continue
            if setup is not None:
                results[phase] = f"not reached: a prerequisite failed: {setup}"
            elif phase in ("read", "update") and results.get("create"):
                results[phase] = "not reached: create failed"
            else:
                results[phase] = self._phase(resource.phase(phase))
        for need in reversed(resource.needs):
            failure = self._phase(RESOURCES[need].delete)
            if failure:
                self.notes.append(f"teardown of {need}: {failure}")
        return results

    def _phase(self, steps: list[Step] | tuple[Step, ...]) -> str | None:
        for index, step in enumerate(steps):
            try:
                self._step(step)
            except StepFailed as failed:
                return f"step {index + 1} {step.operation}: {failed} [{step.why}]"
        return None

    def _step(self, step: Step) -> None:
        if step.kind == WAIT:
            self._wait(step)
        elif step.kind == GONE:
            self._gone(step)
        else:
            code, said, answer = self._call(step)
            if code is None:
                self._check(step, answer)
            elif step.kind == TOLERATED:
                self.notes.append(f"{step.operation} answered {said} (the provider only logs it)")
            elif not (step.kind == ACCEPTS and code in step.not_found):
                wanted = (
                    "success" if step.kind == CALL else f"success or {'/'.join(step.not_found)}"
                )
                raise StepFailed(f"privlink answered {said}; the provider needs {wanted}")

    def _call(self, step: Step) -> tuple[str | None, str, Any]:
        """(None, "", answer) on success; (error code, code with status and message, None)."""
        key = (step.service, step.account)
        if key not in self.clients:
            self.clients[key] = self.server.client(step.service, self.accounts[step.account])
        method = getattr(self.clients[key], xform_name(step.operation))
        try:
            return None, "", method(**self._fill(step.params))
        except ClientError as err:
            error, meta = err.response.get("Error", {}), err.response.get("ResponseMetadata", {})
            code = str(error.get("Code"))
            return code, f"{code} (HTTP {meta.get('HTTPStatusCode')}: {error.get('Message')})", None

    def _check(self, step: Step, answer: Any) -> None:
        for path, wanted in step.expect.items():
            got = jmespath.search(self._fill(path), answer)
            if got != self._fill(wanted):
                raise StepFailed(f"{path} is {got!r}; the provider expects {self._fill(wanted)!r}")
        for var, path in step.save.items():
            path, suffix, _ = path.partition("|lb_suffix")  # "net/NAME/ID" of an LB's ARN
            value = jmespath.search(self._fill(path), answer)
            if value is None:
                raise StepFailed(f"the answer has no {path}")
            self.vars[var] = value.split(":loadbalancer/", 1)[-1] if suffix else value

    def _observe(self, step: Step) -> tuple[bool, str | None, Any]:
        """(gone?, state, answer) as the provider's status function sees it."""
        code, said, answer = self._call(step)
        if code is not None:
            if code in step.not_found:
                return True, None, None
            raise StepFailed(
                f"privlink answered {said}; the provider needs success or "
                f"{'/'.join(step.not_found) or 'nothing else'}"
            )
        if step.empty and not jmespath.search(step.empty, answer):
            return True, None, answer
        state = jmespath.search(self._fill(step.state), answer) if step.state else None
        if isinstance(state, bool):
            state = str(state).lower()
        return False, state, answer

    def _wait(self, step: Step) -> None:
        seen = "nothing"

        def settled() -> bool:
            nonlocal seen
            gone, state, answer = self._observe(step)
            if gone and not step.target:
                return True
            if not gone and state in step.target:
                self._check(step, answer)
                return True
            if not gone and state not in step.pending:
                raise StepFailed(
                    f"unexpected state {state!r}: the waiter takes pending "
                    f"{list(step.pending)} and target {list(step.target)}"
                )
            seen = "not found" if gone else repr(state)
            return False

        self._poll(
            settled,
            lambda: f"still {seen} after {TIMEOUT:g}s; the waiter wants {list(step.target)}",
        )

    def _gone(self, step: Step) -> None:
        seen = "nothing"

        def went() -> bool:
            nonlocal seen
            gone, state, answer = self._observe(step)
            if gone or (state is not None and state in step.gone_states):
                return True
            if step.expect and not step.state:
                self._check(step, answer)
                return True
            if step.pending and state not in step.pending:
                raise StepFailed(
                    f"unexpected state {state!r} while the provider waits for it to "
                    f"go (pending {list(step.pending)})"
                )
            seen = repr(state) if step.state else "still listed"
            return False

        self._poll(
            went,
            lambda: f"{seen} after {TIMEOUT:g}s; the provider wants a not-found answer "
            f"({'/'.join(step.not_found) or 'empty'})",
        )

    @staticmethod
    def _poll(settled: Callable[[], bool], failure: Callable[[], str]) -> None:
        """The harness's poller, its timeout turned into a StepFailed: a waiter that never
        settles is a conformance finding for the phase, not an error of the test run."""
        try:
            wait_until(settled, TIMEOUT, POLL)
        except AssertionError:
            raise StepFailed(failure()) from None

    def _fill(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self._fill(k): self._fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._fill(v) for v in value]
        if not isinstance(value, str) or "${" not in value:
            return value
        for name in list(self.vars):
            token = "${" + name + "}"
            if value == token:
                return self.vars[name]
            value = value.replace(token, str(self.vars[name]))
        if "${" in value:
            raise StepFailed(f"no value for {value} (an earlier step did not save it)")
        return value
