"""sg_rules.effective_rules: the data plane's view of an interface's security groups."""

from __future__ import annotations

from privlink.services.ec2.records import NetworkInterface, SecurityGroup, SecurityGroupRule
from privlink.services.ec2.security.effective_rules import EffectiveRule, effective_rules
from privlink.store import Store

ACCOUNT, REGION = "111111111111", "us-east-1"


def group(group_id: str, *rules: SecurityGroupRule) -> SecurityGroup:
    return SecurityGroup(
        id=group_id,
        account=ACCOUNT,
        region=REGION,
        vpc_id="vpc-1",
        name=group_id,
        description="d",
        rules=list(rules),
    )


def interface(eni_id: str, address: str, *group_ids: str) -> NetworkInterface:
    return NetworkInterface(
        id=eni_id,
        account=ACCOUNT,
        region=REGION,
        vpc_id="vpc-1",
        subnet_id="subnet-1",
        availability_zone="us-east-1a",
        private_ip=address,
        mac_address="0e:00:00:00:00:00",
        group_ids=list(group_ids),
    )


def test_referenced_groups_expand_to_member_addresses(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    web_rule = SecurityGroupRule(
        rule_id="sgr-1",
        is_egress=False,
        ip_protocol="tcp",
        from_port=5432,
        to_port=5432,
        referenced_group_id="sg-web",
        referenced_group_owner=ACCOUNT,
    )
    cidr_rule = SecurityGroupRule(
        rule_id="sgr-2", is_egress=True, ip_protocol="-1", cidr_ipv4="0.0.0.0/0"
    )
    list_rule = SecurityGroupRule(
        rule_id="sgr-3",
        is_egress=True,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        prefix_list_id="pl-63a5400a",
    )
    with store.unit() as uow:
        uow.add(group("sg-db", web_rule, cidr_rule, list_rule))
        uow.add(group("sg-web"))
        uow.add(interface("eni-1", "10.0.1.4", "sg-web"))
        uow.add(interface("eni-2", "10.0.1.5", "sg-web", "sg-db"))
        uow.add(interface("eni-3", "10.0.1.6", "sg-db"))
    with store.unit() as uow:
        rules = effective_rules(uow, ["sg-db", "sg-unknown"])
    store.close()
    assert rules == [
        EffectiveRule("sg-db", "sgr-1", False, "tcp", 5432, 5432, ("10.0.1.4/32", "10.0.1.5/32")),
        EffectiveRule("sg-db", "sgr-2", True, "-1", None, None, ("0.0.0.0/0",)),
        EffectiveRule("sg-db", "sgr-3", True, "tcp", 443, 443, (), "pl-63a5400a"),
    ]
