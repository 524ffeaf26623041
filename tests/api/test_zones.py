"""DescribeAvailabilityZones and DescribeRegions."""

from __future__ import annotations

from tests.api.ec2_helpers import aws_error


def test_zones_shape(ec2):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"us-east-1{c}" for c in "abcdef"]
    first = zones[0]
    assert first == {
        "State": "available",
        "OptInStatus": "opt-in-not-required",
        "Messages": [],
        "RegionName": "us-east-1",
        "ZoneName": "us-east-1a",
        "ZoneId": "use1-az6",
        "GroupName": "us-east-1-zg-1",
        "GroupLongName": "US East (N. Virginia) 1",
        "NetworkBorderGroup": "us-east-1",
        "ZoneType": "availability-zone",
    }
    assert len({z["ZoneId"] for z in zones}) == 6


def test_zones_in_another_region(server, account):
    ec2 = server.client("ec2", account, region="eu-central-1")
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert {z["RegionName"] for z in zones} == {"eu-central-1"}
    assert [z["ZoneId"] for z in zones] == ["euc1-az2", "euc1-az3", "euc1-az1"]


def test_zones_by_name_id_and_filters(ec2):
    def names(**kwargs):
        return [
            z["ZoneName"] for z in ec2.describe_availability_zones(**kwargs)["AvailabilityZones"]
        ]

    assert names(ZoneNames=["us-east-1c"]) == ["us-east-1c"]
    assert names(ZoneIds=["use1-az1"]) == ["us-east-1b"]
    assert names(Filters=[{"Name": "zone-name", "Values": ["us-east-1a", "us-east-1b"]}]) == [
        "us-east-1a",
        "us-east-1b",
    ]
    assert len(names(Filters=[{"Name": "zone-name", "Values": ["us-east-1?"]}])) == 6
    assert names(Filters=[{"Name": "zone-id", "Values": ["use1-az6"]}]) == ["us-east-1a"]
    assert len(names(Filters=[{"Name": "region-name", "Values": ["us-east-1"]}])) == 6
    assert len(names(Filters=[{"Name": "state", "Values": ["available"]}])) == 6
    assert len(names(Filters=[{"Name": "zone-type", "Values": ["availability-zone"]}])) == 6
    assert names(Filters=[{"Name": "zone-type", "Values": ["local-zone"]}]) == []
    assert len(names(AllAvailabilityZones=True)) == 6


def test_unknown_zone(ec2):
    with aws_error("InvalidParameterValue") as info:
        ec2.describe_availability_zones(ZoneNames=["us-east-1z"])
    assert "us-east-1z" in info.value.response["Error"]["Message"]
    with aws_error("InvalidParameterValue"):
        ec2.describe_availability_zones(ZoneIds=["use1-az99"])
    with aws_error("InvalidParameterValue"):
        ec2.describe_availability_zones(Filters=[{"Name": "colour", "Values": ["x"]}])


def test_regions(ec2):
    regions = ec2.describe_regions()["Regions"]
    by_name = {r["RegionName"]: r for r in regions}
    assert by_name["us-east-1"] == {
        "Endpoint": "ec2.us-east-1.amazonaws.com",
        "RegionName": "us-east-1",
        "OptInStatus": "opt-in-not-required",
    }
    assert "eu-west-1" in by_name and "af-south-1" not in by_name
    everything = {r["RegionName"]: r for r in ec2.describe_regions(AllRegions=True)["Regions"]}
    assert everything["af-south-1"]["OptInStatus"] == "not-opted-in"
    assert set(by_name) < set(everything)
    picked = ec2.describe_regions(RegionNames=["eu-west-2", "us-west-2"])["Regions"]
    assert {r["RegionName"] for r in picked} == {"eu-west-2", "us-west-2"}
    filtered = ec2.describe_regions(Filters=[{"Name": "endpoint", "Values": ["*eu-north-1*"]}])
    assert [r["RegionName"] for r in filtered["Regions"]] == ["eu-north-1"]
    opted = ec2.describe_regions(
        AllRegions=True, Filters=[{"Name": "opt-in-status", "Values": ["not-opted-in"]}]
    )["Regions"]
    assert {r["OptInStatus"] for r in opted} == {"not-opted-in"}
    with aws_error("InvalidParameterValue"):
        ec2.describe_regions(RegionNames=["mars-north-1"])
