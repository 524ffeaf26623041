"""Bad input over raw HTTP and boto3: the protocol's error, well-formed, a 4xx, never a 500."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
from botocore.exceptions import ClientError

AUTH = (
    "AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=host, Signature=00"
)
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def post(server, body: bytes | str, auth: str | None = AUTH, content_type: str = FORM):
    headers = {"content-type": content_type}
    if auth:
        headers["authorization"] = auth
    return httpx.post(server.url + "/", content=body, headers=headers, timeout=60)


def ec2_error(response) -> tuple[str, str]:
    """(Code, Message) from the EC2 error document, checking its whole shape."""
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    error = root.find("./Errors/Error")
    assert error is not None
    code, message = error.findtext("Code"), error.findtext("Message")
    assert code and message is not None
    assert root.findtext("RequestID")
    assert response.headers["content-type"].startswith("text/xml")
    return code, message


def test_unknown_action(server):
    response = post(server, "Action=LaunchRockets&Version=2016-11-15")
    assert response.status_code == 400
    code, message = ec2_error(response)
    assert code == "InvalidAction"
    assert "LaunchRockets" in message


def test_missing_action(server):
    response = post(server, "Version=2016-11-15")
    assert response.status_code == 400
    assert ec2_error(response)[0] == "MissingParameter"


def test_missing_action_unsigned(server):
    response = post(server, "Version=2016-11-15", auth=None)
    assert 400 <= response.status_code < 500
    ec2_error(response)


def test_malformed_integer(server):
    response = post(server, "Action=DescribeVpcs&Version=2016-11-15&MaxResults=abc")
    assert response.status_code == 400
    code, message = ec2_error(response)
    assert code == "InvalidParameterValue"
    assert "abc" in message


def test_malformed_boolean(server):
    response = post(server, "Action=DescribeVpcs&Version=2016-11-15&DryRun=perhaps")
    assert response.status_code == 400
    assert ec2_error(response)[0] == "InvalidParameterValue"


def test_missing_required_parameter(server):
    response = post(server, "Action=CreateSubnet&Version=2016-11-15&CidrBlock=10.0.0.0/24")
    assert response.status_code == 400
    code, message = ec2_error(response)
    assert code == "MissingParameter"
    assert "VpcId" in message


def test_dry_run(server):
    response = post(server, "Action=DescribeVpcs&Version=2016-11-15&DryRun=true")
    assert response.status_code == 412
    assert ec2_error(response)[0] == "DryRunOperation"


def test_body_too_large(server):
    body = b"Action=DescribeVpcs&Version=2016-11-15&Pad=" + b"x" * (10 * 1024 * 1024 + 10)
    response = post(server, body)
    assert response.status_code == 413
    assert ec2_error(response)[0] == "RequestEntityTooLarge"


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00garbage\x80",
        b"Action=DescribeVpcs&Version=2016-11-15&Filter.x.Name=vpc-id",
        b"Action=DescribeVpcs&Version=2016-11-15&Filter=plain",
        b"Action=DescribeVpcs&Version=2016-11-15&VpcId.1.Nested=oops",
        b"Action=CreateTags&Version=2016-11-15&ResourceId.1=vpc-1&Tag.1=flat",
        b"%%%%&&&===",
        b"Action=DescribeVpcs&Version=2016-11-15&MaxResults=99999999999999999999999",
        b"Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1&ImageId=ami-12345678"
        b"&UserData=%FF%FE",
    ],
)
def test_garbage_never_500(server, body):
    response = post(server, body)
    assert 400 <= response.status_code < 500, response.text
    ec2_error(response)


def test_garbage_with_odd_content_type(server):
    response = post(server, b"{not json", content_type="application/json")
    assert 400 <= response.status_code < 500, response.text
    ec2_error(response)


def test_get_with_query_string(server):
    response = httpx.get(
        server.url + "/?Action=DescribeVpcs&Version=2016-11-15&MaxResults=abc",
        headers={"authorization": AUTH},
    )
    assert response.status_code == 400
    assert ec2_error(response)[0] == "InvalidParameterValue"


def test_garbage_unsigned(server):
    response = post(server, b"\xff\xfe\x00garbage\x80", auth=None)
    assert 400 <= response.status_code < 500, response.text
    ec2_error(response)


# --- the request id where every SDK looks for it ----------------------------------


def test_request_id_header_matches_the_body(server, account):
    """JavaScript SDK v3 reads the request id only from x-amzn-RequestId."""
    ec2 = server.client("ec2", account)
    answer = ec2.describe_vpcs()["ResponseMetadata"]
    assert answer["HTTPHeaders"]["x-amzn-requestid"] == answer["RequestId"]
    sns = server.client("sns", account)
    answer = sns.list_topics()["ResponseMetadata"]
    assert answer["HTTPHeaders"]["x-amzn-requestid"] == answer["RequestId"]
    with pytest.raises(ClientError) as failed:
        ec2.describe_vpcs(VpcIds=["vpc-00000000000000000"])
    answer = failed.value.response["ResponseMetadata"]
    assert answer["HTTPHeaders"]["x-amzn-requestid"] == answer["RequestId"]
    with pytest.raises(ClientError) as failed:
        sns.get_topic_attributes(TopicArn=f"arn:aws:sns:us-east-1:{account}:nope")
    answer = failed.value.response["ResponseMetadata"]
    assert answer["HTTPHeaders"]["x-amzn-requestid"] == answer["RequestId"]


def test_request_id_header_on_unroutable_garbage(server):
    response = post(server, b"%%%", auth=None)
    assert response.headers["x-amzn-requestid"] == ET.fromstring(response.content).findtext(
        "RequestID"
    )


# --- list indices and numbers: ASCII digits only ----------------------------------


@pytest.mark.parametrize("index", ["²", "١", "¹0", "1²", "-1", "+1", " 1"])
def test_list_index_that_is_not_an_ascii_number(server, index):
    body = f"Action=DescribeVpcs&Version=2016-11-15&Filter.{index}.Name=vpc-id&Filter.1.Value.1=x"
    response = post(server, body.encode())
    assert response.status_code == 400, response.text
    code, message = ec2_error(response)
    assert code == "InvalidParameterValue"
    assert "Filter" in message


@pytest.mark.parametrize(
    "body",
    [
        "Action=CreateTopic&Version=2010-03-31&Name=t&Attributes.entry.².key=DisplayName",
        "Action=CreateTopic&Version=2010-03-31&Name=t&Tags.member.١.Key=k",
    ],
)
def test_query_list_index_that_is_not_an_ascii_number(server, body):
    response = post(server, body.encode(), auth=AUTH.replace("/ec2/", "/sns/"))
    assert response.status_code == 400, response.text
    assert query_error(response)[0] == "InvalidParameterValue"


@pytest.mark.parametrize("number", ["١٠", "²", "1_0", "2147483648", "-2147483649"])
def test_integer_that_is_not_an_ascii_int32(server, number):
    response = post(server, f"Action=DescribeVpcs&Version=2016-11-15&MaxResults={number}".encode())
    assert response.status_code == 400, response.text
    assert ec2_error(response)[0] == "InvalidParameterValue"


# --- XML answers stay well-formed whatever was echoed or stored -------------------

CONTROL = "a\x01b\x1fc\ufffed"


def test_control_characters_echoed_into_an_error_message(server, account):
    ec2 = server.client("ec2", account)
    with pytest.raises(ClientError) as failed:  # botocore parsed the error document
        ec2.describe_vpcs(VpcIds=["vpc-" + CONTROL])
    assert failed.value.response["Error"]["Code"].startswith("InvalidVpc")
    assert "\x01" not in failed.value.response["Error"]["Message"]


def test_control_characters_echoed_into_a_success_answer(server, account):
    ec2 = server.client("ec2", account)
    answer = ec2.delete_vpc_endpoints(VpcEndpointIds=["vpce-" + CONTROL])
    [item] = answer["Unsuccessful"]
    assert item["ResourceId"] == "vpce-a\ufffdb\ufffdc\ufffdd"
    assert item["Error"]["Code"]


def test_a_tag_value_with_control_characters_never_poisons_reads(server, account):
    """EC2 documents no character set for tag values, so the write is accepted; every
    later read must still be XML botocore can parse."""
    ec2 = server.client("ec2", account)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k\x02", "Value": CONTROL + "\r\n"}])
    [found] = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]
    assert {"Key": "k\ufffd", "Value": "a\ufffdb\ufffdc\ufffdd\r\n"} in found["Tags"]
    assert ec2.describe_vpcs()["Vpcs"]
    assert ec2.describe_tags()["Tags"]


def test_security_group_descriptions_outside_aws_character_set(server, account):
    ec2 = server.client("ec2", account)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(ClientError) as failed:
        ec2.create_security_group(GroupName="g", Description="bad\x01", VpcId=vpc)
    assert failed.value.response["Error"] == {
        "Code": "InvalidParameterValue",
        "Message": "Invalid security group description. Valid descriptions are strings less "
        "than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
    }
    with pytest.raises(ClientError) as failed:
        ec2.create_security_group(GroupName="g", Description="caf\u00e9", VpcId=vpc)
    assert failed.value.response["Error"]["Message"] == (
        "Value (caf\u00e9) for parameter GroupDescription is invalid. Character sets beyond "
        "ASCII are not supported."
    )
    group = ec2.create_security_group(GroupName="g", Description="ok (1) #x", VpcId=vpc)
    rule = {
        "IpProtocol": "tcp",
        "FromPort": 80,
        "ToPort": 80,
        "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "it's\x01"}],
    }
    with pytest.raises(ClientError) as failed:
        ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[rule])
    assert failed.value.response["Error"]["Message"].startswith("Invalid rule description.")
    assert ec2.describe_security_groups(GroupIds=[group["GroupId"]])["SecurityGroups"]


def test_sns_display_name_with_control_characters_never_poisons_reads(server, account):
    sns = server.client("sns", account)
    arn = sns.create_topic(Name="poison", Attributes={"DisplayName": "x\x01y"})["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="\x07")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "\ufffd"
    assert sns.list_topics()["Topics"]


# --- errors come in the protocol of the service the request was for ---------------


def query_error(response) -> tuple[str, str]:
    """(Code, Message) from a query-protocol ErrorResponse, checking its shape."""
    root = ET.fromstring(response.content)
    assert root.tag.endswith("ErrorResponse"), response.text
    namespace = root.tag.partition("}")[0] + "}" if root.tag.startswith("{") else ""
    error = root.find(f"{namespace}Error")
    assert error is not None
    assert root.findtext(f"{namespace}RequestId") == response.headers["x-amzn-requestid"]
    return error.findtext(f"{namespace}Code") or "", error.findtext(f"{namespace}Message") or ""


def test_unsigned_sns_request_with_a_body_that_is_not_utf8(server):
    body = b"Action=ListTopics&Version=2010-03-31&NextToken=\xff\xfe"
    response = post(server, body, auth=None)
    assert response.status_code == 400, response.text
    assert query_error(response)[0] == "InvalidParameterValue"


@pytest.mark.parametrize("digit", ["²", "١"])
def test_numbers_in_service_values_written_with_other_digits(server, account, digit):
    """Values services read as numbers (IP protocol, health-check port, attribute values)
    pass str.isdigit() with "²": the answer is the service's validation error, not a 500."""
    ec2 = server.client("ec2", account)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="n", Description="n", VpcId=vpc)["GroupId"]
    rule = {"IpProtocol": digit, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    with pytest.raises(ClientError) as failed:
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[rule])
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    elb = server.client("elbv2", account)
    with pytest.raises(ClientError) as failed:
        elb.create_target_group(
            Name="n", Protocol="TCP", Port=80, VpcId=vpc, HealthCheckPort=digit * 2
        )
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    arn = elb.create_target_group(Name="n", Protocol="TCP", Port=80, VpcId=vpc)["TargetGroups"][0][
        "TargetGroupArn"
    ]
    attribute = {"Key": "deregistration_delay.timeout_seconds", "Value": digit * 2}
    with pytest.raises(ClientError) as failed:
        elb.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[attribute])
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
