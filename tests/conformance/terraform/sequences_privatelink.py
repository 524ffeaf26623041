"""Call sequences of the AWS provider's PrivateLink resources, as facts read
from hashicorp/terraform-provider-aws (commits in each `source`); no provider code is copied.

The consumer side (aws_vpc_endpoint and its VPC) runs in a second account, as a Terraform
configuration with two provider aliases would.
"""

from __future__ import annotations

from dataclasses import replace

from tests.conformance.terraform.steps import ACCEPTS, GONE, WAIT, Resource, Step, tags

PROVIDER = "hashicorp/terraform-provider-aws"
SVC_NOT_FOUND = ("InvalidVpcEndpointServiceId.NotFound",)
_SVC_BY_ID = {"ServiceIds": ["${service_id}"]}
_SVC_READ = (
    Step(
        "DescribeVpcEndpointServiceConfigurations",
        _SVC_BY_ID,
        not_found=SVC_NOT_FOUND,
        expect={
            "ServiceConfigurations[0].ServiceId": "${service_id}",
            "ServiceConfigurations[0].ServiceType[0].ServiceType": "Interface",
        },
        why="resourceVPCEndpointServiceRead: findVPCEndpointServiceConfigurationByID (state "
        "Deleted/Failed or another id counts as not found)",
    ),
    Step(
        "DescribeVpcEndpointServicePermissions",
        {"ServiceId": "${service_id}"},
        why="findVPCEndpointServicePermissionsByServiceID (paginated)",
    ),
)
_SVC_AVAILABLE = Step(
    "DescribeVpcEndpointServiceConfigurations",
    _SVC_BY_ID,
    kind=WAIT,
    state="ServiceConfigurations[0].ServiceState",
    pending=("Pending",),
    target=("Available",),
    not_found=SVC_NOT_FOUND,
    why="waitVPCEndpointServiceAvailable (EC2's ServiceState enum is capitalised)",
)

ENDPOINT_SERVICE = Resource(
    name="aws_vpc_endpoint_service",
    source=f"{PROVIDER} internal/service/ec2/vpc_endpoint_service.go "
    "@01606926a0c0ab9174aec440f976a48b0baee722; waiters: ec2 wait.go (indexed copy listed "
    "at cda04ab9f781590765d09e3883f1f56e29710079)",
    needs=("aws_vpc", "aws_subnet", "aws_subnet_b", "aws_lb"),
    create=(
        Step(
            "CreateVpcEndpointServiceConfiguration",
            {
                "AcceptanceRequired": True,
                "ClientToken": "tf-${unique}",
                "NetworkLoadBalancerArns": ["${lb_arn}"],
                "TagSpecifications": tags("vpc-endpoint-service"),
            },
            save={
                "service_id": "ServiceConfiguration.ServiceId",
                "service_name": "ServiceConfiguration.ServiceName",
            },
            why="resourceVPCEndpointServiceCreate",
        ),
        _SVC_AVAILABLE,
        Step(
            "ModifyVpcEndpointServicePermissions",
            {
                "ServiceId": "${service_id}",
                "AddAllowedPrincipals": ["arn:aws:iam::${consumer}:root"],
            },
            why="resourceVPCEndpointServiceCreate (allowed_principals)",
        ),
        *_SVC_READ,
    ),
    read=_SVC_READ,
    update=(
        Step(
            "ModifyVpcEndpointServiceConfiguration",
            {"ServiceId": "${service_id}", "AcceptanceRequired": False},
            why="resourceVPCEndpointServiceUpdate",
        ),
        _SVC_AVAILABLE,
        Step(
            "ModifyVpcEndpointServiceConfiguration",
            {"ServiceId": "${service_id}", "AcceptanceRequired": True},
            why="(configuration back to acceptance_required = true)",
        ),
        _SVC_AVAILABLE,
        *_SVC_READ,
    ),
    delete=(
        Step(
            "DeleteVpcEndpointServiceConfigurations",
            _SVC_BY_ID,
            kind=ACCEPTS,
            not_found=SVC_NOT_FOUND,
            expect={"length(Unsuccessful)": 0},
            why="resourceVPCEndpointServiceDelete (an Unsuccessful item is an error)",
        ),
        Step(
            "DescribeVpcEndpointServiceConfigurations",
            _SVC_BY_ID,
            kind=GONE,
            state="ServiceConfigurations[0].ServiceState",
            pending=("Available", "Deleting"),
            gone_states=("Deleted",),
            not_found=SVC_NOT_FOUND,
            empty="ServiceConfigurations",
            why="waitVPCEndpointServiceDeleted: pending [Available, Deleting], target []",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeVpcEndpointServiceConfigurations",
            _SVC_BY_ID,
            kind=GONE,
            state="ServiceConfigurations[0].ServiceState",
            gone_states=("Deleted", "Failed"),
            not_found=SVC_NOT_FOUND,
            empty="ServiceConfigurations",
        ),
    ),
)

_PRINCIPAL = "arn:aws:iam::${other}:root"
_PERMISSIONS = Step(
    "DescribeVpcEndpointServicePermissions",
    {"ServiceId": "${service_id}"},
    not_found=SVC_NOT_FOUND,
    expect={f"contains(AllowedPrincipals[].Principal, '{_PRINCIPAL}')": True},
    why="resourceVPCEndpointServiceAllowedPrincipalRead (matched client-side)",
)
ALLOWED_PRINCIPAL = Resource(
    name="aws_vpc_endpoint_service_allowed_principal",
    source=f"{PROVIDER} internal/service/ec2/vpc_endpoint_service_allowed_principal.go "
    "@04c79849dbe7fbe76c3054b364357bcdaade9ac5; newer finder: find.go "
    "findVPCEndpointServicePermission (client-side filter, no 'principal' filter)",
    needs=("aws_vpc", "aws_subnet", "aws_subnet_b", "aws_lb", "aws_vpc_endpoint_service"),
    create=(
        Step(
            "DescribeVpcEndpointServicePermissions",
            {"ServiceId": "${service_id}"},
            why="create first reads the service's permissions",
        ),
        Step(
            "ModifyVpcEndpointServicePermissions",
            {"ServiceId": "${service_id}", "AddAllowedPrincipals": [_PRINCIPAL]},
            why="resourceVPCEndpointServiceAllowedPrincipalCreate",
        ),
        _PERMISSIONS,
    ),
    read=(_PERMISSIONS,),
    delete=(
        Step(
            "ModifyVpcEndpointServicePermissions",
            {"ServiceId": "${service_id}", "RemoveAllowedPrincipals": [_PRINCIPAL]},
            kind=ACCEPTS,
            not_found=SVC_NOT_FOUND,
            why="resourceVPCEndpointServiceAllowedPrincipalDelete",
        ),
    ),
    refresh_gone=(
        replace(
            _PERMISSIONS,
            expect={f"contains(AllowedPrincipals[].Principal, '{_PRINCIPAL}')": False},
            why="read: a principal no longer listed is removed from state",
        ),
    ),
)

VPCE_NOT_FOUND = ("InvalidVpcEndpointId.NotFound",)
_VPCE_BY_ID = {"VpcEndpointIds": ["${vpce_id}"]}
_VPCE_READ = (
    Step(
        "DescribeVpcEndpoints",
        _VPCE_BY_ID,
        account="consumer",
        not_found=VPCE_NOT_FOUND,
        save={"vpce_eni_0": "VpcEndpoints[0].NetworkInterfaceIds[0]"},
        expect={
            "VpcEndpoints[0].VpcEndpointType": "Interface",
            "VpcEndpoints[0].ServiceName": "${service_name}",
        },
        why="resourceVPCEndpointRead: findVPCEndpointByID (state deleted counts as not found)",
    ),
    Step(
        "DescribePrefixLists",
        {"Filters": [{"Name": "prefix-list-name", "Values": ["${service_name}"]}]},
        kind=ACCEPTS,
        account="consumer",
        not_found=("InvalidPrefixListID.NotFound",),
        why="resourceVPCEndpointRead: findPrefixListByName; a list (empty = not found) or "
        "InvalidPrefixListID.NotFound is fine, any other error fails the read",
    ),
    Step(
        "DescribeNetworkInterfaces",
        {"NetworkInterfaceIds": ["${vpce_eni_0}"]},
        account="consumer",
        why="findSubnetConfigurationsByNetworkInterfaceIDs: one call per interface",
    ),
)
_VPCE_AVAILABLE = Step(
    "DescribeVpcEndpoints",
    _VPCE_BY_ID,
    kind=WAIT,
    account="consumer",
    state="VpcEndpoints[0].State",
    pending=("pending",),
    target=("available", "pendingAcceptance"),
    not_found=VPCE_NOT_FOUND,
    why="waitVPCEndpointAvailable",
)

VPC_ENDPOINT = Resource(
    name="aws_vpc_endpoint",
    source=f"{PROVIDER} internal/service/ec2/vpc_endpoint.go "
    "@008db85aad5e56627b1eecab8830464a282552ed",
    needs=(
        "aws_vpc",
        "aws_subnet",
        "aws_subnet_b",
        "aws_lb",
        "aws_vpc_endpoint_service",
        "consumer_vpc",
        "consumer_subnet_a",
        "consumer_subnet_b",
    ),
    create=(
        Step(
            "CreateVpcEndpoint",
            {
                "ClientToken": "tf-${unique}",
                "PrivateDnsEnabled": False,
                "TagSpecifications": tags("vpc-endpoint"),
                "VpcEndpointType": "Interface",
                "VpcId": "${consumer_vpc}",
                "ServiceName": "${service_name}",
                "SubnetIds": ["${consumer_subnet_a}", "${consumer_subnet_b}"],
            },
            account="consumer",
            save={"vpce_id": "VpcEndpoint.VpcEndpointId"},
            why="resourceVPCEndpointCreate",
        ),
        _VPCE_AVAILABLE,
        *_VPCE_READ,
    ),
    read=_VPCE_READ,
    update=(
        Step(
            "ModifyVpcEndpoint",
            {"VpcEndpointId": "${vpce_id}", "RemoveSubnetIds": ["${consumer_subnet_b}"]},
            account="consumer",
            why="resourceVPCEndpointUpdate (subnet_ids changed)",
        ),
        _VPCE_AVAILABLE,
        *_VPCE_READ,
    ),
    delete=(
        Step(
            "DeleteVpcEndpoints",
            _VPCE_BY_ID,
            account="consumer",
            expect={"length(Unsuccessful)": 0},
            why="resourceVPCEndpointDelete (an Unsuccessful item is an error unless its code is "
            "InvalidVpcEndpoint.NotFound)",
        ),
        Step(
            "DescribeVpcEndpoints",
            _VPCE_BY_ID,
            kind=GONE,
            account="consumer",
            state="VpcEndpoints[0].State",
            pending=("deleting", "deleted"),
            gone_states=("deleted",),
            not_found=VPCE_NOT_FOUND,
            empty="VpcEndpoints",
            why="waitVPCEndpointDeleted: pending [deleting, deleted], target []",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeVpcEndpoints",
            _VPCE_BY_ID,
            kind=GONE,
            account="consumer",
            state="VpcEndpoints[0].State",
            gone_states=("deleted",),
            not_found=VPCE_NOT_FOUND,
            empty="VpcEndpoints",
        ),
        Step(
            "DeleteVpcEndpoints",
            _VPCE_BY_ID,
            account="consumer",
            expect={"Unsuccessful[0].Error.Code": "InvalidVpcEndpoint.NotFound"},
            why="destroy of an endpoint already gone: the provider treats only this "
            "Unsuccessful code (errCodeInvalidVPCEndpointNotFound) as success",
        ),
    ),
)

_CONNECTION_STATE = "VpcEndpointConnections[?VpcEndpointId=='${vpce_id}'] | [0].VpcEndpointState"
_CONNECTION = Step(
    "DescribeVpcEndpointConnections",
    {"Filters": [{"Name": "service-id", "Values": ["${service_id}"]}]},
    expect={
        "VpcEndpointConnections[?VpcEndpointId=='${vpce_id}'] | [0].VpcEndpointState": "available"
    },
    why="findVPCEndpointConnectionByServiceIDAndVPCEndpointID: filter service-id "
    "only, the endpoint is matched client-side",
)
ACCEPTER = Resource(
    name="aws_vpc_endpoint_connection_accepter",
    source=f"{PROVIDER} internal/service/ec2/vpc_endpoint_connection_accepter.go "
    "@0620f2a6a126dfcbc4aecbc9a117b0fbea1656ff; finder: ec2 find.go (indexed copy)",
    needs=VPC_ENDPOINT.needs + ("aws_vpc_endpoint",),
    create=(
        Step(
            "AcceptVpcEndpointConnections",
            {"ServiceId": "${service_id}", "VpcEndpointIds": ["${vpce_id}"]},
            expect={"length(Unsuccessful)": 0},
            why="resourceVPCEndpointConnectionAccepterCreate",
        ),
        replace(
            _CONNECTION,
            kind=WAIT,
            expect={},
            state="VpcEndpointConnections[?VpcEndpointId=='${vpce_id}'] | [0].VpcEndpointState",
            pending=("pendingAcceptance", "pending"),
            target=("available",),
            why="waitVPCEndpointConnectionAccepted",
        ),
        _CONNECTION,
    ),
    read=(_CONNECTION,),
    delete=(
        Step(
            "RejectVpcEndpointConnections",
            {"ServiceId": "${service_id}", "VpcEndpointIds": ["${vpce_id}"]},
            kind=ACCEPTS,
            not_found=SVC_NOT_FOUND,
            why="resourceVPCEndpointConnectionAccepterDelete",
        ),
    ),
    refresh_gone=(
        replace(
            _CONNECTION,
            expect={_CONNECTION_STATE: "rejected"},
            why="read after reject: the connection is still listed, now rejected",
        ),
    ),
)

_CN_BY_ID = {"ConnectionNotificationId": "${cn_id}"}
_CN_READ = Step(
    "DescribeVpcEndpointConnectionNotifications",
    _CN_BY_ID,
    not_found=("InvalidConnectionNotification",),
    expect={
        "ConnectionNotificationSet[0].ConnectionNotificationId": "${cn_id}",
        "ConnectionNotificationSet[0].ServiceId": "${service_id}",
    },
    why="findVPCEndpointConnectionNotificationByID (exactly one, same id)",
)
NOTIFICATION = Resource(
    name="aws_vpc_endpoint_connection_notification",
    source=f"{PROVIDER} internal/service/ec2/vpc_endpoint_connection_notification.go "
    "@07e0d0b940f57c782f8fcc9ccfd8b19f59383b51",
    needs=(
        "aws_vpc",
        "aws_subnet",
        "aws_subnet_b",
        "aws_lb",
        "aws_vpc_endpoint_service",
        "aws_sns_topic",
    ),
    create=(
        Step(
            "CreateVpcEndpointConnectionNotification",
            {
                "ClientToken": "tf-${unique}",
                "ConnectionEvents": ["Accept", "Reject"],
                "ConnectionNotificationArn": "${topic_arn}",
                "ServiceId": "${service_id}",
            },
            save={"cn_id": "ConnectionNotification.ConnectionNotificationId"},
            why="resourceVPCEndpointConnectionNotificationCreate",
        ),
        _CN_READ,
    ),
    read=(_CN_READ,),
    update=(
        Step(
            "ModifyVpcEndpointConnectionNotification",
            {
                "ConnectionNotificationId": "${cn_id}",
                "ConnectionEvents": ["Accept", "Reject", "Connect"],
            },
            why="resourceVPCEndpointConnectionNotificationUpdate",
        ),
        _CN_READ,
    ),
    delete=(
        Step(
            "DeleteVpcEndpointConnectionNotifications",
            {"ConnectionNotificationIds": ["${cn_id}"]},
            kind=ACCEPTS,
            not_found=("InvalidConnectionNotification",),
            why="resourceVPCEndpointConnectionNotificationDelete",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeVpcEndpointConnectionNotifications",
            _CN_BY_ID,
            kind=GONE,
            not_found=("InvalidConnectionNotification",),
            empty="ConnectionNotificationSet",
        ),
    ),
)

SNS_TOPIC = Resource(
    name="aws_sns_topic",
    source="setup only (aws_sns_topic is not replayed): a topic the notification points at",
    create=(
        Step(
            "CreateTopic", {"Name": "tf-${unique}"}, service="sns", save={"topic_arn": "TopicArn"}
        ),
    ),
    delete=(Step("DeleteTopic", {"TopicArn": "${topic_arn}"}, service="sns"),),
)
