"""nft_members: a body's named sets and maps split from its shape, and the member-only
script between two bodies, and those members encoded for netlink (nft_elements.py) (pure;
test_nft_members in tests/dataplane applies them)."""

from __future__ import annotations

import sys

from privlink.dataplane.linux import nft_elements
from privlink.dataplane.linux.nft_members import Members, members, split, update

CHAIN = [
    "chain c {",
    "  type filter hook input priority 0; policy accept;",
    "  iifname @links accept",
    "}",
]


def body(links: list[str], marks: dict[str, int], *extra: str) -> str:
    declared = [
        members("set", "links", "type ifname", (f'"{n}"' for n in links)),
        members(
            "map", "marks", "typeof iifname : ct mark", (f'"{n}" : {m}' for n, m in marks.items())
        ),
    ]
    return "\n".join(["# t", *declared, *CHAIN, *extra])


def test_members_are_declared_one_line_each_sorted_and_deduplicated() -> None:
    assert members("set", "s", "type ifname", ['"b"', '"a"', '"b"']) == (
        'set s { type ifname; elements = { "a", "b" }; }'
    )
    assert members("set", "s", "type ifname", []) == "set s { type ifname; }"


def test_split_keys_map_members_by_their_key() -> None:
    shape, found, chains = split(
        body(["a"], {"a": 1}, "chain sg_1 {", "  tcp dport 22 accept", "}")
    )
    assert "elements" not in shape and "chain c {" in shape  # a base chain is shape
    assert found == {"links": {'"a"': '"a"'}, "marks": {'"a"': '"a" : 1'}}
    assert chains == {"sg_1": "chain sg_1 {\n  tcp dport 22 accept\n}"}


def test_update_deletes_then_adds_and_replaces_changed_values() -> None:
    script = update(
        "inet plk", body(["a", "b"], {"a": 1, "b": 2}), body(["a", "c"], {"a": 9, "c": 3})
    )
    assert script == "\n".join(
        [
            'delete element inet plk links { "b" }',
            'add element inet plk links { "c" }',
            'delete element inet plk marks { "a", "b" }',
            'add element inet plk marks { "a" : 9, "c" : 3 }',
        ]
    )
    assert update("inet plk", body(["a"], {}), body(["a"], {})) == ""


def test_regular_chains_come_before_their_members_and_go_after() -> None:
    sg = ("chain sg_1 {", "  tcp dport 22 accept", "}")
    script = update("inet plk", body(["a"], {}), body(["a", "b"], {}, *sg))
    declared = "table inet plk {\nchain sg_1 {\n  tcp dport 22 accept\n}\n}"
    assert script == f'{declared}\nadd element inet plk links {{ "b" }}'
    assert update("inet plk", body(["a", "b"], {}, *sg), body(["a"], {})) == (
        'delete element inet plk links { "b" }\ndelete chain inet plk sg_1'
    )


def test_update_refuses_anything_but_members_and_regular_chains() -> None:
    base = ("chain d {", "  type filter hook output priority 0; policy accept;", "}")
    assert update("inet plk", body(["a"], {}), body(["a"], {}, *base)) is None
    changed = ("chain sg_1 {", "  tcp dport 23 accept", "}")
    sg = ("chain sg_1 {", "  tcp dport 22 accept", "}")
    assert update("inet plk", body(["a"], {}, *sg), body(["a"], {}, *changed)) is None


def test_members_are_encoded_for_netlink_as_nft_stores_them() -> None:
    """Interface names NUL-padded to 16 bytes, addresses in network order, each part of a
    concatenation padded to 4 bytes, zones and marks in host order, verdicts by chain."""
    own = Members("eni_own", "typeof iifname . ip daddr", (), ('"plkab" . 10.0.1.50',))
    zone = Members("eni_zone", "typeof iifname : ct zone", ('"plkcd" : 7',), ())
    verdict = Members("eni_sg", "type ifname : verdict", (), ('"plkab" : jump sg_1',))
    messages = nft_elements.encode("inet plk", [own, zone, verdict])
    assert messages is not None
    deleted, added_own, added_verdict = (dict(m["attrs"]) for m in messages)
    assert deleted["NFTA_SET_ELEM_LIST_SET"] == "eni_zone"
    key = deleted["NFTA_SET_ELEM_LIST_ELEMENTS"][0]["attrs"][0][1]["attrs"][0][1]
    assert key == b"plkcd".ljust(16, b"\0")
    key = added_own["NFTA_SET_ELEM_LIST_ELEMENTS"][0]["attrs"][0][1]["attrs"][0][1]
    assert key == b"plkab".ljust(16, b"\0") + bytes([10, 0, 1, 50])
    data = dict(added_verdict["NFTA_SET_ELEM_LIST_ELEMENTS"][0]["attrs"])["NFTA_SET_ELEM_DATA"]
    assert dict(data["attrs"][0][1]["attrs"]) == {
        "NFTA_VERDICT_CODE": nft_elements.NFT_JUMP,
        "NFTA_VERDICT_CHAIN": "sg_1",
    }
    assert nft_elements._VALUES["ct zone"]("7") == (7).to_bytes(2, sys.byteorder)


def test_a_type_it_does_not_know_is_left_to_libnftables() -> None:
    other = Members("v6", "type ipv6_addr", (), ("2001:db8::1",))
    assert nft_elements.encode("inet plk", [other]) is None
    assert nft_elements.encode("ip plk", []) is None  # another family


def test_chains_no_member_jumps_to_go_last_in_the_same_batch() -> None:
    change = Members("eni_sg", "type ifname : verdict", ('"plkab"',), ())
    messages = nft_elements.encode("inet plk", [change], ["sg_old"])
    assert messages is not None
    *_, last = messages
    assert dict(last["attrs"]) == {"NFTA_CHAIN_TABLE": "plk", "NFTA_CHAIN_NAME": "sg_old"}
