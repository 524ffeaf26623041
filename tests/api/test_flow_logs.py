"""VPC Flow Logs through EC2's API: create, describe, delete, and AWS's refusals.

Records themselves come from real traffic (tests/dataplane/test_flow_logs.py).
"""

from __future__ import annotations

import json
import uuid

from tests.api.ec2_helpers import AMI, aws_error, make_subnet, make_vpc
from tests.harness import fresh_account

DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)


def role_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:role/flow-logs"


def create(ec2, account, resource_ids, resource_type="VPC", **kwargs):
    params = {
        "ResourceIds": resource_ids,
        "ResourceType": resource_type,
        "TrafficType": "ALL",
        "LogGroupName": "flows",
        "DeliverLogsPermissionArn": role_arn(account),
    }
    params.update(kwargs)
    return ec2.create_flow_logs(**{k: v for k, v in params.items() if v is not None})


def test_create_for_vpc_subnet_and_interface_then_describe(ec2, account):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)
    eni = instance["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    made = [
        create(ec2, account, [vpc])["FlowLogIds"][0],
        create(ec2, account, [subnet], "Subnet", TrafficType="REJECT")["FlowLogIds"][0],
        create(
            ec2,
            account,
            [eni],
            "NetworkInterface",
            TrafficType="ACCEPT",
            LogGroupName=None,
            LogDestination=f"arn:aws:logs:us-east-1:{account}:log-group:eni-flows",
            MaxAggregationInterval=60,
            TagSpecifications=[
                {"ResourceType": "vpc-flow-log", "Tags": [{"Key": "team", "Value": "net"}]}
            ],
        )["FlowLogIds"][0],
    ]
    assert all(f.startswith("fl-") for f in made)
    found = {f["FlowLogId"]: f for f in ec2.describe_flow_logs()["FlowLogs"]}
    assert set(found) == set(made)
    by_vpc = found[made[0]]
    assert by_vpc["ResourceId"] == vpc
    assert by_vpc["TrafficType"] == "ALL"
    assert by_vpc["LogDestinationType"] == "cloud-watch-logs"
    assert by_vpc["LogGroupName"] == "flows"
    assert by_vpc["LogDestination"] == f"arn:aws:logs:us-east-1:{account}:log-group:flows"
    assert by_vpc["DeliverLogsPermissionArn"] == role_arn(account)
    assert by_vpc["DeliverLogsStatus"] == "SUCCESS"
    assert by_vpc["FlowLogStatus"] == "ACTIVE"
    assert by_vpc["LogFormat"] == DEFAULT_FORMAT
    assert by_vpc["MaxAggregationInterval"] == 600
    assert by_vpc["Tags"] == []
    by_eni = found[made[2]]
    assert by_eni["LogGroupName"] == "eni-flows"
    assert by_eni["MaxAggregationInterval"] == 60
    assert by_eni["Tags"] == [{"Key": "team", "Value": "net"}]
    assert found[made[1]]["TrafficType"] == "REJECT"
    # CreateTags and DescribeTags know flow logs (resource type vpc-flow-log).
    ec2.create_tags(Resources=[made[0]], Tags=[{"Key": "env", "Value": "dev"}])
    (tagged,) = ec2.describe_flow_logs(Filter=[{"Name": "tag:env", "Values": ["dev"]}])["FlowLogs"]
    assert tagged["FlowLogId"] == made[0]
    rows = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["vpc-flow-log"]}])
    assert {(t["ResourceId"], t["Key"]) for t in rows["Tags"]} == {
        (made[0], "env"),
        (made[2], "team"),
    }
    with aws_error("InvalidFlowLogId.NotFound"):
        ec2.create_tags(Resources=["fl-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])


def test_describe_filters_ids_and_pages(ec2, account):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    first = create(ec2, account, [vpc])["FlowLogIds"][0]
    second = create(ec2, account, [subnet], "Subnet", LogGroupName="other")["FlowLogIds"][0]

    def ids(**kwargs):
        return [f["FlowLogId"] for f in ec2.describe_flow_logs(**kwargs)["FlowLogs"]]

    assert ids(Filter=[{"Name": "resource-id", "Values": [subnet]}]) == [second]
    assert ids(Filter=[{"Name": "log-group-name", "Values": ["flows"]}]) == [first]
    assert ids(Filter=[{"Name": "flow-log-id", "Values": [first]}]) == [first]
    assert ids(Filter=[{"Name": "traffic-type", "Values": ["ALL"]}]) == [first, second]
    assert ids(FlowLogIds=[second]) == [second]
    assert ids(FlowLogIds=["fl-0123456789abcdef0"]) == []
    for n in range(4):
        create(ec2, account, [make_subnet(ec2, vpc, f"10.0.{n + 2}.0/24")], "Subnet")
    page = ec2.describe_flow_logs(MaxResults=5)
    rest = ec2.describe_flow_logs(MaxResults=5, NextToken=page["NextToken"])
    seen = [f["FlowLogId"] for f in page["FlowLogs"] + rest["FlowLogs"]]
    assert (len(page["FlowLogs"]), len(rest["FlowLogs"])) == (5, 1)
    assert len(set(seen)) == 6 and "NextToken" not in rest


def test_unknown_and_duplicate_resources_are_unsuccessful(ec2, account):
    vpc = make_vpc(ec2)
    create(ec2, account, [vpc])
    answer = create(ec2, account, [vpc, "vpc-0123456789abcdef0"])
    assert answer["FlowLogIds"] == []
    refused = {u["ResourceId"]: u["Error"] for u in answer["Unsuccessful"]}
    assert refused[vpc] == {
        "Code": "FlowLogAlreadyExists",
        "Message": "Error. There is an existing Flow Log with the same configuration and "
        "log destination.",
    }
    assert refused["vpc-0123456789abcdef0"] == {
        "Code": "InvalidVpcID.NotFound",
        "Message": "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    }
    answer = create(ec2, account, ["subnet-0123456789abcdef0"], "Subnet", TrafficType="REJECT")
    assert answer["Unsuccessful"][0]["Error"]["Code"] == "InvalidSubnetID.NotFound"
    other = create(ec2, account, [vpc], TrafficType="REJECT")
    assert len(other["FlowLogIds"]) == 1 and other["Unsuccessful"] == []


def test_request_errors(ec2, account):
    vpc = make_vpc(ec2)
    cases = [
        (
            {"DeliverLogsPermissionArn": None},
            "DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs.",
        ),
        (
            {"LogDestination": f"arn:aws:logs:us-east-1:{account}:log-group:x"},
            "Please only provide LogGroupName or only provide LogDestination.",
        ),
        ({"LogGroupName": None}, "LogDestination can't be empty if LogGroupName is not provided."),
        ({"MaxAggregationInterval": 30}, "Invalid Flow Log Max Aggregation Interval"),
        ({"LogFormat": "${srcaddr} ${nonsense}"}, "Unknown fields provided in LogFormat: nonsense"),
    ]
    for change, message in cases:
        with aws_error("InvalidParameter") as info:
            create(ec2, account, [vpc], **change)
        assert info.value.response["Error"]["Message"] == message
    with aws_error("InvalidParameterValue"):
        create(ec2, account, [vpc], TrafficType="SOME")
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_client_token_replays_and_mismatch(ec2, account):
    vpc = make_vpc(ec2)
    token = str(uuid.uuid4())
    first = create(ec2, account, [vpc], ClientToken=token)
    again = create(ec2, account, [vpc], ClientToken=token)
    assert again["FlowLogIds"] == first["FlowLogIds"]
    assert again["ClientToken"] == token
    assert len(ec2.describe_flow_logs()["FlowLogs"]) == 1
    with aws_error("IdempotentParameterMismatch"):
        create(ec2, account, [vpc], ClientToken=token, TrafficType="REJECT")


def test_delete_and_unknown_ids(server, ec2, account):
    vpc = make_vpc(ec2)
    made = create(ec2, account, [vpc])["FlowLogIds"][0]
    answer = ec2.delete_flow_logs(FlowLogIds=[made, "fl-0123456789abcdef0"])
    assert answer["Unsuccessful"] == [
        {
            "ResourceId": "fl-0123456789abcdef0",
            "Error": {
                "Code": "InvalidFlowLogId.NotFound",
                "Message": "The flow log ID 'fl-0123456789abcdef0' does not exist",
            },
        }
    ]
    assert ec2.describe_flow_logs()["FlowLogs"] == []
    # Another account's flow log is unknown to this one, and stays.
    made = create(ec2, account, [vpc])["FlowLogIds"][0]
    stranger = server.client("ec2", fresh_account())
    assert stranger.describe_flow_logs(FlowLogIds=[made])["FlowLogs"] == []
    refused = stranger.delete_flow_logs(FlowLogIds=[made])["Unsuccessful"]
    assert refused[0]["Error"]["Code"] == "InvalidFlowLogId.NotFound"
    assert [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]] == [made]


def test_cli_create_describe_delete(server, account):
    vpc = json.loads(
        server.aws("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16", account=account).stdout
    )["Vpc"]["VpcId"]
    made = json.loads(
        server.aws(
            "ec2",
            "create-flow-logs",
            "--resource-type",
            "VPC",
            "--resource-ids",
            vpc,
            "--traffic-type",
            "ALL",
            "--log-group-name",
            "cli-flows",
            "--deliver-logs-permission-arn",
            role_arn(account),
            account=account,
        ).stdout
    )
    (flow_log_id,) = made["FlowLogIds"]
    described = json.loads(
        server.aws(
            "ec2",
            "describe-flow-logs",
            "--filter",
            f"Name=resource-id,Values={vpc}",
            account=account,
        ).stdout
    )
    assert [f["FlowLogId"] for f in described["FlowLogs"]] == [flow_log_id]
    deleted = json.loads(
        server.aws("ec2", "delete-flow-logs", "--flow-log-ids", flow_log_id, account=account).stdout
    )
    assert deleted["Unsuccessful"] == []


def test_s3_destination(server, ec2, account):
    vpc = make_vpc(ec2)
    server.client("s3", account).create_bucket(Bucket=f"flows-{account}")
    to_s3 = {
        "LogGroupName": None,
        "DeliverLogsPermissionArn": None,
        "LogDestinationType": "s3",
        "LogDestination": f"arn:aws:s3:::flows-{account}/vpc-a",
    }
    made = create(
        ec2,
        account,
        [vpc, "vpc-0123456789abcdef0"],
        **to_s3,
        DestinationOptions={"FileFormat": "plain-text", "PerHourPartition": True},
    )
    assert [u["ResourceId"] for u in made["Unsuccessful"]] == ["vpc-0123456789abcdef0"]
    (found,) = ec2.describe_flow_logs(FlowLogIds=made["FlowLogIds"])["FlowLogs"]
    assert found["LogDestinationType"] == "s3"
    assert found["LogDestination"] == f"arn:aws:s3:::flows-{account}/vpc-a"
    assert "LogGroupName" not in found
    assert found["DestinationOptions"] == {
        "FileFormat": "plain-text",
        "HiveCompatiblePartitions": False,
        "PerHourPartition": True,
    }
    missing = create(
        ec2, account, [vpc], **{**to_s3, "LogDestination": "arn:aws:s3:::nobody-has-it"}
    )
    assert missing["Unsuccessful"] == [
        {
            "ResourceId": vpc,
            "Error": {"Code": "400", "Message": "LogDestination: nobody-has-it does not exist."},
        }
    ]
    with aws_error("InvalidParameter") as info:
        create(ec2, account, [vpc], **{**to_s3, "LogGroupName": "flows", "LogDestination": None})
    assert info.value.response["Error"]["Message"] == (
        "LogDestination type must be cloud-watch-logs if LogGroupName is provided."
    )
    with aws_error("InvalidParameter"):
        create(ec2, account, [vpc], **to_s3, DestinationOptions={"FileFormat": "parquet"})
