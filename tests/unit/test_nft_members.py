"""nft_members: a body's named sets and maps split from its shape, and the member-only
script between two bodies (pure; test_nft_members in tests/dataplane applies them)."""

from __future__ import annotations

from privlink.dataplane.linux.nft_members import members, split, update

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
