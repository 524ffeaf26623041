"""The flow log record format: AWS's fields, their versions, and one record as a line.

A format is `${field}` tokens separated by spaces. A record's `version` is the highest
version among the format's fields (the default format is version 2). Fields privlink
cannot know print "-", as AWS prints a field that does not apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from privlink import errors

DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)
VERSIONS = {
    **dict.fromkeys(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
        "bytes start end action log-status".split(),
        2,
    ),
    **dict.fromkeys(
        "vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr".split(), 3
    ),
    **dict.fromkeys("region az-id sublocation-type sublocation-id".split(), 4),
    **dict.fromkeys(
        "pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path".split(), 5
    ),
}
_TOKEN = re.compile(r"\$\{([a-z0-9-]+)\}")


def fields(log_format: str) -> list[str]:
    """The fields of a format, refused when it holds anything but known `${field}`s."""
    tokens = log_format.split()
    names = [m.group(1) if (m := _TOKEN.fullmatch(t)) else t for t in tokens]
    unknown = [n for n in names if n not in VERSIONS]
    if unknown or not names:
        raise errors.FlowLogBadFormat(", ".join(unknown) or "(empty)")
    return names


def line(log_format: str, values: Mapping[str, object]) -> str:
    """One record: each field's value, "-" where there is none."""
    names = fields(log_format)
    version = max(VERSIONS[n] for n in names)
    out = []
    for name in names:
        value = version if name == "version" else values.get(name)
        out.append("-" if value is None or value == "" else str(value))
    return " ".join(out)
