"""The MWAA environment record: what the caller asked for, and what MWAA made for it.

MWAA builds each environment out of ordinary privlink resources, owned by an
AWS-owned account (`MWAA_ACCOUNT`) or placed in the customer's VPC, all made
through other services' operations. The record remembers their ids so the
controller can wait for them, start the runtime on them and delete them again.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from privlink import errors
from privlink.store.records import Record

# The AWS-owned account that owns every environment's service VPC, load balancers and
# endpoint services (a made-up but fixed id: DescribeVpcEndpoints shows it as the
# services' owner, and the endpoint services allow exactly the customer's account).
MWAA_ACCOUNT = "961111110961"
MANAGED_TAG = "AmazonMWAAManaged"

# Status values (botocore EnvironmentStatus).
CREATING = "CREATING"
CREATE_FAILED = "CREATE_FAILED"
AVAILABLE = "AVAILABLE"
UPDATING = "UPDATING"
DELETING = "DELETING"
PENDING = "PENDING"
CREATING_SNAPSHOT = "CREATING_SNAPSHOT"
ROLLING_BACK = "ROLLING_BACK"
UPDATE_FAILED = "UPDATE_FAILED"
UNAVAILABLE = "UNAVAILABLE"
# LoggingConfiguration member -> the module's name in its log group (airflow-<Env>-<name>)
LOG_MODULES = {
    "DagProcessingLogs": "DAGProcessing",
    "SchedulerLogs": "Scheduler",
    "WebserverLogs": "WebServer",
    "WorkerLogs": "Worker",
    "TaskLogs": "Task",
}
STABLE = frozenset({AVAILABLE, CREATE_FAILED, UPDATE_FAILED, UNAVAILABLE})
# An update's statuses, while the controller works on it (nothing else may start).
UPDATE_STEPS = frozenset({CREATING_SNAPSHOT, UPDATING, ROLLING_BACK})
# Airflow runs and answers: tokens and InvokeRestApi are served.
SERVING = frozenset({AVAILABLE, UPDATING, UPDATE_FAILED})


class ServiceSide(BaseModel):
    """The resources in MWAA's own account: one VPC per environment, the hosts of the
    metadata database and the web server, their NLBs and endpoint services."""

    vpc_id: str = ""
    subnet_ids: list[str] = Field(default_factory=list)
    group_id: str = ""
    db_instance: str = ""
    web_instance: str = ""
    load_balancers: dict[str, str] = Field(default_factory=dict)  # role -> NLB ARN
    target_groups: dict[str, str] = Field(default_factory=dict)  # "role:port" -> TG ARN
    services: dict[str, str] = Field(default_factory=dict)  # role -> endpoint service id
    # A public web server (public_access.py): its internet gateway and Elastic IP.
    internet_gateway: str = ""
    public_address: str = ""


class Environment(Record):
    kind = "mwaa-environment"
    not_found = errors.MwaaEnvironmentNotFound
    name: str
    status: str
    created_at: float  # epoch seconds
    state_since: float
    # The request's members GetEnvironment echoes (defaults applied), by wire name.
    settings: dict[str, Any] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    host_id: str  # the uuid of the web server host name
    cell: int
    last_update: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    service_side: ServiceSide = Field(default_factory=ServiceSide)
    # In the customer's account: role ("database", "webserver") -> VPC endpoint id
    endpoints: dict[str, str] = Field(default_factory=dict)
    # Airflow components MWAA runs in the customer's VPC: component -> ENI id
    components: dict[str, str] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict)  # privlink.mwaa.spec.Secrets
    # During an update: the settings before it, restored if it fails (ROLLING_BACK).
    previous: dict[str, Any] | None = None

    @property
    def arn(self) -> str:
        return self.id

    @property
    def private(self) -> bool:
        return self.settings.get("WebserverAccessMode") != "PUBLIC_ONLY"

    @property
    def public(self) -> bool:
        """The web server is served on (privlink's) internet."""
        return self.settings.get("WebserverAccessMode") != "PRIVATE_ONLY"

    @property
    def customer_managed(self) -> bool:
        return self.settings.get("EndpointManagement") == "CUSTOMER"

    @property
    def webserver_host(self) -> str:
        suffix = "-vpce" if self.private else ""
        return f"{self.host_id}{suffix}.c{self.cell}.{self.region}.airflow.amazonaws.com"


def environment_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:airflow:{region}:{account}:environment/{name}"
