"""The ways into a VPC from outside, from the plan: a bastion's sshd (an instance with a
key pair) and Client VPN endpoints. Pure: no I/O (see sshd.py and clientvpn.py)."""

from __future__ import annotations

from privlink.dataplane import names
from privlink.dataplane.linux import clientvpn, sshd
from privlink.dataplane.linux.spec import Parts
from privlink.dataplane.plan import DataplanePlan


def build(parts: Parts, plan: DataplanePlan) -> None:
    for inst in plan.instances:
        if inst.ssh_key:
            bastion = sshd.daemon(
                inst.instance_id, names.instance_netns(inst.instance_id), inst.ssh_key
            )
            parts.spec.daemons[bastion.key] = bastion
    for vpn in plan.client_vpns:
        clientvpn.build(parts, plan, vpn)
