"""The MWAA controller: environments from CREATING to AVAILABLE, and DELETING to gone.

On the store thread, never blocking: it reads whether the network MWAA built
is realised (instances running, endpoints available, the components'
namespaces READY in their Progress), builds the runtime's spec from the
records, and hands starting and stopping Airflow to `RuntimeWorker` (threads);
a later pass reads the outcome and writes the status back in a unit of work.
Failure is state: a start whose components cannot reach the database through
the database endpoint ends CREATE_FAILED with INCORRECT_CONFIGURATION.
Updates (services/mwaa/updates.py) go CREATING_SNAPSHOT -> UPDATING ->
AVAILABLE, or on failure ROLLING_BACK -> UPDATE_FAILED, one job per step.

While environments run it copies their DAGs from S3 and ships their task
logs to CloudWatch Logs every few seconds (services/mwaa/artifacts.py).
After a restart (even SIGKILL) AVAILABLE environments are started again: the
runtime adopts the processes still running from its state dir. Without the
Linux data plane nothing can run, so creation fails and says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from privlink import errors
from privlink.api import Scope
from privlink.dataplane import names
from privlink.mwaa.spec import Endpoint, EnvironmentSpec, Secrets
from privlink.reconcile.mwaa_worker import Job, Result, RuntimeWorker
from privlink.reconcile.progress import Progress, Stage
from privlink.services.ec2.records import Instance, NetworkInterface
from privlink.services.mwaa import artifacts, operations, provisioning, queries, updates
from privlink.services.mwaa.records import (
    AVAILABLE,
    CREATING,
    CREATING_SNAPSHOT,
    DELETING,
    PENDING,
    ROLLING_BACK,
    UPDATE_FAILED,
    UPDATE_STEPS,
    UPDATING,
    Environment,
)
from privlink.services.mwaa.runtime_access import runtime_dir
from privlink.services.privatelink.records import VpcEndpoint
from privlink.services.s3.storage import Storage
from privlink.store import Store
from privlink.store.unit import UnitOfWork
from privlink.tls import LocalCA

log = logging.getLogger("privlink.reconcile.mwaa")

WAIT = 1.0  # something is in flight: look again soon
SYNC = 5.0  # DAG and task-log sync period
# A rollback that fails is tried again (its stop/restore/start may meet what the failed
# update left behind, say a port not yet released) before the environment is UNAVAILABLE.
ROLLBACK_ATTEMPTS = 3
NO_DATAPLANE = (
    "privlink runs Apache Airflow only with the Linux data plane (privlink up --dataplane "
    "linux): its components live in the network MWAA builds."
)


class MwaaController:
    name = "mwaa"
    kinds = frozenset(
        {Environment.kind, Instance.kind, VpcEndpoint.kind, NetworkInterface.kind, Progress.kind}
    )

    def __init__(self, state_dir: Path, dataplane: bool, kick: Callable[[], None]) -> None:
        self.state_dir = state_dir
        self.dataplane = dataplane
        self.storage = Storage(state_dir / "s3")
        self.ca = LocalCA(state_dir / "tls")
        self.worker = RuntimeWorker(kick)
        self.running: set[str] = set()  # environments whose runtime this process started
        self.stopped: set[str] = set()  # deleting environments whose runtime is stopped
        self.specs: dict[str, EnvironmentSpec] = {}
        self.rollback_failures: dict[str, int] = {}  # rollbacks failed in a row, per env

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        jobs: list[Job] = []
        with store.unit() as uow:
            for result in self.worker.take_results():
                self._record(uow, result)
            ids = [e.id for e in uow.list(Environment)]
        for env_id in ids:  # one unit each: a step that fails rolls back only its own writes
            try:
                with store.unit() as uow:
                    env = uow.get(Environment, env_id)
                    job = self._step(Scope.of(env, uow), env) if env is not None else None
            except Exception:
                log.exception("environment %s: step failed; retrying", env_id)
                continue
            if job is not None:
                jobs.append(job)
        with store.unit() as uow:
            self._sync(uow)
        for job in jobs:
            self.worker.submit(job)
        busy = bool(self.worker.jobs) or any(
            e.status in (CREATING, DELETING) or e.status in UPDATE_STEPS
            for e in self._statuses(store)
        )
        return WAIT if busy else SYNC

    def _statuses(self, store: Store) -> list[Environment]:
        with store.unit() as uow:
            return uow.list(Environment)

    # -- lifecycle ------------------------------------------------------------------------
    def _step(self, scope: Scope, env: Environment) -> Job | None:
        if self.worker.busy(env.id):
            return None
        if env.status == CREATING:
            return self._creating(scope, env)
        found = provisioning.customer_endpoints(scope, env) if env.status == PENDING else {}
        if env.status == PENDING and all(r in found for r in provisioning.endpoint_roles(env)):
            operations.mark_creating(scope, env)
        elif env.status in UPDATE_STEPS:
            return self._updating(scope, env)
        elif env.status in (AVAILABLE, UPDATE_FAILED) and env.id not in self.running:
            return self._job(scope, env, "start")  # after a restart: adopt or start again
        elif env.status == DELETING:
            return self._deleting(scope, env)
        return None

    def _creating(self, scope: Scope, env: Environment) -> Job | None:
        found = provisioning.customer_endpoints(scope, env)
        if env.customer_managed and any(r not in found for r in provisioning.endpoint_roles(env)):
            operations.mark_pending(scope, env)  # until the customer makes the endpoints
            return None
        if not self.dataplane:
            operations.mark_failed(scope, env, "DATAPLANE_REQUIRED", NO_DATAPLANE)
            return None
        endpoints = self._endpoints_ready(scope, env)
        if endpoints is None:
            return None
        failure = self._hosts_failed(scope.uow, env)
        if failure:
            operations.mark_failed(scope, env, "INTERNAL_ERROR", failure)
            return None
        if not self._hosts_ready(scope.uow, env) or len(endpoints) < len(
            provisioning.endpoint_roles(env)
        ):
            return None
        return self._job(scope, env, "start")

    def _updating(self, scope: Scope, env: Environment) -> Job | None:
        """One job per update step; Airflow restarts only once the endpoints an access
        mode or group change re-provisioned are available again."""
        snapshot = (
            runtime_dir(self.state_dir, env)
            / "snapshots"
            / (f"update-{int((env.last_update or {}).get('CreatedAt', 0))}.dump")
        )
        if env.status == CREATING_SNAPSHOT:
            running = self.specs.get(env.id) or self._saved_spec(env)
            if running is None:  # nothing ran yet: nothing to keep
                updates.mark_updating(scope, env)
                return None
            return Job(env.id, "snapshot", running, snapshot=snapshot)
        if self._endpoints_ready(scope, env) is None:
            return None
        action = "restart" if env.status == UPDATING else "rollback"
        job = self._job(scope, env, action)
        return Job(job.env_id, action, job.spec, job.database_probe, snapshot) if job else None

    def _endpoints_ready(self, scope: Scope, env: Environment) -> dict[str, VpcEndpoint] | None:
        """role -> available endpoint, once every endpoint the environment needs is."""
        found = provisioning.customer_endpoints(scope, env)
        needed = provisioning.endpoint_roles(env)
        if any(role not in found or found[role].state != "available" for role in needed):
            return None
        return found

    def _hosts_ready(self, uow: UnitOfWork, env: Environment) -> bool:
        side = env.service_side
        for instance_id in (side.db_instance, side.web_instance):
            instance = uow.get(Instance, instance_id)
            if instance is None or instance.state != "running":
                return False
        return all(
            (progress := uow.get(Progress, eni)) is not None and progress.stage == Stage.READY
            for eni in env.components.values()
        )

    def _hosts_failed(self, uow: UnitOfWork, env: Environment) -> str | None:
        for eni in env.components.values():
            progress = uow.get(Progress, eni)
            if progress is not None and progress.stage == Stage.FAILED:
                return f"The network of component {eni} could not be built: {progress.reason}"
        return None

    def _deleting(self, scope: Scope, env: Environment) -> Job | None:
        if env.id not in self.stopped:
            spec = self.specs.get(env.id) or self._saved_spec(env)
            if spec is not None:
                return Job(env.id, "stop", spec)
            self.stopped.add(env.id)
        if env.components or any(
            e.state not in ("deleting", "deleted")
            for e in provisioning.customer_endpoints(scope, env).values()
        ):
            provisioning.tear_down_customer_side(scope, env)
            scope.put(env)
        if provisioning.connections_left(scope, env) or provisioning.endpoints_left(scope, env):
            return None
        provisioning.tear_down_service_side(scope, env)
        operations.forget(scope, env)
        self.stopped.discard(env.id)
        self.running.discard(env.id)
        self.specs.pop(env.id, None)
        return None

    def _record(self, uow: UnitOfWork, result: Result) -> None:
        env = uow.get(Environment, result.env_id)
        if env is None:
            return
        scope = Scope.of(env, uow)
        log.info("environment %s: %s %s in %.1fs %s", env.name, result.action,
                 "ok" if result.ok else "failed", result.seconds, result.message)  # fmt: skip
        if result.action == "stop":
            self.stopped.add(env.id)
            self.running.discard(env.id)
        elif result.action == "snapshot":
            if env.status == CREATING_SNAPSHOT and result.ok:
                updates.mark_updating(scope, env)
            elif env.status == CREATING_SNAPSHOT:
                updates.mark_rolling_back(scope, env, "INTERNAL_ERROR", result.message)
        elif result.action == "rollback":
            (self.running.add if result.ok else self.running.discard)(env.id)
            failures = 0 if result.ok else self.rollback_failures.get(env.id, 0) + 1
            if failures and failures < ROLLBACK_ATTEMPTS:  # e.g. a port still held: again
                self.rollback_failures[env.id] = failures
            elif env.status == ROLLING_BACK:
                self.rollback_failures.pop(env.id, None)
                updates.mark_rolled_back(scope, env, result.ok, result.message)
        elif result.ok:
            self.running.add(env.id)
            if env.status in (CREATING, UPDATING):
                operations.mark_available(scope, env)
        else:
            self.running.discard(env.id)
            self._failed(scope, env, result)

    def _failed(self, scope: Scope, env: Environment, result: Result) -> None:
        """A start or restart that failed: CREATE_FAILED, or an update rolling back."""
        code, message = (
            (operations.INCORRECT_CONFIGURATION, operations.INCORRECT_CONFIGURATION_MESSAGE)
            if result.network_fault
            else ("INTERNAL_ERROR", result.message)
        )
        if env.status == CREATING:
            operations.mark_failed(scope, env, code, message)
        elif env.status == UPDATING:
            updates.mark_rolling_back(scope, env, code, message)

    # -- the runtime's spec ---------------------------------------------------------------
    def _saved_spec(self, env: Environment) -> EnvironmentSpec | None:
        folder = runtime_dir(self.state_dir, env)
        try:
            return EnvironmentSpec.load(folder)
        except (OSError, ValueError, TypeError):
            return None

    def _job(self, scope: Scope, env: Environment, action: str) -> Job | None:
        try:
            spec, probe = self._spec(scope, env)
        except (ValueError, LookupError) as exc:
            if env.status == CREATING:
                operations.mark_failed(scope, env, "INTERNAL_ERROR", str(exc))
            elif env.status == UPDATING:
                updates.mark_rolling_back(scope, env, "INTERNAL_ERROR", str(exc))
            elif env.status == ROLLING_BACK:
                updates.mark_rolled_back(scope, env, False, str(exc))
            return None
        self.specs[env.id] = spec
        return Job(env.id, action, spec, probe)

    def _spec(self, scope: Scope, env: Environment) -> tuple[EnvironmentSpec, tuple[str, int]]:
        uow = scope.uow
        side = env.service_side
        db = uow.get(Instance, side.db_instance)
        web = uow.get(Instance, side.web_instance)
        endpoints = provisioning.customer_endpoints(scope, env)
        if db is None or web is None or "database" not in endpoints:
            raise LookupError("the environment's hosts or database endpoint are gone")
        folder = runtime_dir(self.state_dir, env)
        for path in (folder.parent, folder):
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o711)  # the database server runs as `postgres` and must get in
        # A certificate's common name holds 64 characters at most: the cell's wildcard first.
        cell = env.webserver_host.split(".", 1)[1]
        tls = self.ca.issue_files(folder / "tls", "front", [f"*.{cell}", env.webserver_host])
        database = Endpoint(
            queries.regional_name(endpoints["database"]), provisioning.DATABASE_PORT
        )
        web_address = (
            Endpoint(queries.regional_name(endpoints["webserver"]), provisioning.EXECUTION_API_PORT)
            if "webserver" in endpoints
            else Endpoint(web.private_ip, provisioning.EXECUTION_API_PORT)
        )
        web_ns = names.instance_netns(web.id)
        netns = {"postgres": names.instance_netns(db.id), "front": web_ns, "forkserver": web_ns,
                 "api-server": web_ns, "webserver": web_ns}  # fmt: skip
        netns.update({c: names.instance_netns(eni) for c, eni in env.components.items()})
        spec = EnvironmentSpec(
            name=env.name,
            airflow_version=env.settings["AirflowVersion"],
            state_dir=folder,
            dags_folder=folder / "dags",
            database=Endpoint(db.private_ip, provisioning.DATABASE_PORT),
            web=Endpoint(web.private_ip, provisioning.EXECUTION_API_PORT),
            front=Endpoint(web.private_ip, provisioning.FRONT_PORT),
            tls_cert=tls.cert,
            tls_key=tls.key,
            secrets=Secrets(**env.secrets),
            database_address=database,
            web_address=web_address,
            netns=netns,
            configuration=dict(env.settings.get("AirflowConfigurationOptions") or {}),
        )
        eni = uow.get(NetworkInterface, next(iter(endpoints["database"].interfaces.values())))
        if eni is None:
            raise LookupError("the database endpoint has no interface")
        return spec, (eni.private_ip, provisioning.DATABASE_PORT)

    # -- DAGs and task logs ---------------------------------------------------------------
    def _sync(self, uow: UnitOfWork) -> None:
        for env in uow.list(Environment):
            spec = self.specs.get(env.id)
            if env.id not in self.running or spec is None or env.status == DELETING:
                continue
            scope = Scope.of(env, uow)
            try:
                artifacts.sync_dags(scope, self.storage, env, spec.dags_folder)
                artifacts.ship_task_logs(scope, env, spec.layout.task_logs, spec.state_dir)
            except (OSError, errors.AwsError):
                log.exception("environment %s: DAG or log sync failed", env.name)

    def stop(self) -> None:
        """privlink is shutting down: stop the runtimes before the data plane goes."""
        self.worker.stop_all(list(self.specs.values()))
