"""Hypothesis strategies for an operation's input, driven by its botocore shape.

Values are valid-ish (enum values, ids of resources that exist, CIDRs, names) or hostile:
control characters, unicode, non-ASCII digits, overlong text, edge and out-of-range
numbers, and scalars of the wrong type. Every value is one botocore's serializers can
write with parameter validation off; what they cannot express goes out as raw HTTP
(see wire.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import strategies as st

MAX_DEPTH = 5

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x01b",
    "\x07\x08\x0b\x0c\x1b[31m",
    "tab\there\r\nline",
    "\ufffe\uffff",
    "²",
    "١٢٣",
    "<Error>&amp;</x>",
    "]]>",
    "' OR 1=1 --",
    "%00%ff",
    "../../etc/passwd",
    "aws:reserved",
    "\u202eevil",
    "😀" * 3,
    "x" * 257,
    "y" * 4097,
]
NUMBER_EDGES = [0, -1, 1, 5, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**30]
WRONG_SCALARS = ["abc", "١٢", "²", "1.5", "true", "", "null", "[]"]


def _valid_ish(name: str, pool: Sequence[str]) -> st.SearchStrategy[str]:
    """Strings that look like what a member of this name holds."""
    lowered = name.lower()
    choices: list[str] = list(pool)
    if "cidr" in lowered:
        choices += ["10.0.0.0/16", "10.0.1.0/24", "0.0.0.0/0", "::/0", "10.0.0.0/33"]
    if lowered.endswith(("port", "protocol")):
        choices += ["tcp", "udp", "-1", "80", "traffic-port", "HTTP", "TCP"]
    if "arn" in lowered:
        choices += ["arn:aws:sns:us-east-1:123456789012:t", "arn:aws:iam::aws:policy/x", "arn:"]
    if "name" in lowered or "key" in lowered or lowered.endswith("prefix"):
        choices += ["fuzz", "Name", "tag:Name", "vpc-id", "a-b_c.d", "/aws/x"]
    choices += ["vpc-12345678", "subnet-0", "sg-1", "i-1", "vpce-1", "us-east-1a", "true", "1"]
    return st.sampled_from(choices)


def _string(shape: Shape, name: str, pool: Sequence[str]) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = [
        _valid_ish(name, pool),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=12),
        st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=4),
    ]
    if shape.enum:
        options.insert(0, st.sampled_from(list(shape.enum)))
    return st.one_of(*options)


def _integer(shape: Shape) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(-2, 100),
        st.sampled_from(NUMBER_EDGES),
        st.sampled_from(WRONG_SCALARS),
    )


def _scalar(shape: Shape, name: str, pool: Sequence[str]) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "string":
        return _string(shape, name, pool)
    if kind in ("integer", "long"):
        return _integer(shape)
    if kind in ("float", "double"):
        # (botocore's json serializer cannot write a string here: raw bodies cover that)
        return st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, -1]))
    if kind == "boolean":
        return st.one_of(st.booleans(), st.sampled_from(["maybe", "TRUE", "0"]))
    if kind == "timestamp":
        return st.one_of(
            st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 1, 1)).map(
                lambda value: value.replace(tzinfo=dt.UTC)
            ),
            st.sampled_from([0, 2**31, 4102444800, -1]),
        )
    if kind == "blob":
        return st.binary(max_size=64)
    return st.none()


def for_shape(
    shape: Shape, pool: Sequence[str], name: str = "", depth: int = 0
) -> st.SearchStrategy[Any]:
    """A strategy for values of `shape` (recursion bounded by MAX_DEPTH)."""
    if isinstance(shape, StructureShape):
        return _structure(shape, pool, depth)
    if isinstance(shape, ListShape):
        if depth >= MAX_DEPTH:
            return st.just([])
        return st.lists(for_shape(shape.member, pool, name, depth + 1), max_size=3)
    if isinstance(shape, MapShape):
        if depth >= MAX_DEPTH:
            return st.just({})
        keys = _string(shape.key, name, pool).filter(lambda key: isinstance(key, str))
        values = for_shape(shape.value, pool, name, depth + 1)
        return st.dictionaries(keys, values, max_size=3)
    return _scalar(shape, name, pool)


def _structure(shape: StructureShape, pool: Sequence[str], depth: int) -> st.SearchStrategy[Any]:
    if depth >= MAX_DEPTH:
        return st.just({})
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for member_name, member in shape.members.items():
        if member.serialization.get("eventstream") or member_name == "DryRun":
            continue  # DryRun only ever answers DryRunOperation: it would hide the rest
        strategy = for_shape(member, pool, member_name, depth + 1)
        if member_name in shape.required_members:
            required[member_name] = strategy
        else:
            optional[member_name] = strategy
    whole = st.fixed_dictionaries(required, optional=optional)
    # Sometimes a required member goes missing: the protocol must say so, not crash.
    # (Not a URI label: botocore cannot write a path without it.)
    droppable = [n for n in required if shape.members[n].serialization.get("location") != "uri"]
    if not droppable:
        return whole
    return st.one_of(whole, whole.map(lambda value: _without(value, droppable[0])), whole)


def _without(value: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: item for key, item in value.items() if key != name}
