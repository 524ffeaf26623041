"""Filter patterns for FilterLogEvents: terms, quoted phrases, ?alternatives, -exclusions, %regex%.

`ERROR "disk full"` matches messages containing both; `?ERROR ?WARN` either;
`ERROR -timeout` ERROR without timeout; `%ERR[0-9]+%` a regular expression.
Terms are case-sensitive, as on AWS. JSON (`{ $.x = 1 }`) and space-delimited
(`[ip, user, ...]`) patterns are not emulated and are refused with a message
that says so, rather than silently matching everything.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from privlink import errors

Matcher = Callable[[str], bool]


def compile_pattern(pattern: str | None) -> Matcher:
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if text[0] in "{[":
        raise errors.LogsInvalidParameter(
            "privlink supports term, quoted-phrase, ?alternative, -exclusion and %regex% filter "
            "patterns; JSON and space-delimited patterns are not emulated"
        )
    if len(text) > 1 and text[0] == text[-1] == "%":
        try:
            regex = re.compile(text[1:-1])
        except re.error as exc:
            raise errors.LogsInvalidParameter("Invalid regex in filter pattern") from exc
        return lambda message: regex.search(message) is not None
    try:
        words = shlex.split(text, posix=True)
    except ValueError as exc:
        raise errors.LogsInvalidParameter("Invalid character(s) in term") from exc
    required = [w for w in words if w[0] not in "?-"]
    anyof = [w[1:] for w in words if w.startswith("?") and len(w) > 1]
    excluded = [w[1:] for w in words if w.startswith("-") and len(w) > 1]

    def matches(message: str) -> bool:
        return (
            all(w in message for w in required)
            and (not anyof or any(w in message for w in anyof))
            and not any(w in message for w in excluded)
        )

    return matches
