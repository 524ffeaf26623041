"""nft_members: a body's named sets and maps split from its shape, and the member-only
script between two bodies (pure; test_nft_members in tests/dataplane applies them)."""

from __future__ import annotations

from privlink.dataplane.linux.nft_members import members, split, update

CHAIN = ["chain c {", "  iifname @links accept", "}"]


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
    shape, found = split(body(["a"], {"a": 1}))
    assert "elements" not in shape
    assert found == {"links": {'"a"': '"a"'}, "marks": {'"a"': '"a" : 1'}}


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


def test_update_refuses_anything_but_members() -> None:
    assert update("inet plk", body(["a"], {}), body(["a"], {}, "chain d {", "}")) is None
