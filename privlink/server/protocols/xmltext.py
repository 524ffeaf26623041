"""Text inside XML answers (ec2, query, rest-xml): always well-formed XML 1.0.

Values reach the serializers from clients: an id echoed into an error message, a tag
value, a description stored earlier. XML 1.0 has no way to carry most C0 control
characters (not even as `&#1;`), nor lone surrogates (which also cannot be encoded as
UTF-8), so one such character would make the whole document unreadable for every SDK,
and a stored one would break every later read of the account. Each is replaced by
U+FFFD here, the one place all XML text goes through; `\\r` is written as `&#13;` so a
parser does not fold it into `\\n`.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

# Everything XML 1.0's Char production leaves out, plus U+FFFE/U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ENTITIES = {"\r": "&#13;"}
# Line breaks would split the header (or inject another); surrogates cannot be encoded.
_UNSAFE_IN_HEADER = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")


def xml_text(value: str) -> str:
    """`value` as XML character data: markup escaped, unrepresentable characters replaced."""
    return escape(_FORBIDDEN.sub("\ufffd", value), _ENTITIES)


def header_text(value: str) -> str:
    """`value` as an HTTP header value: control characters (but tab) become spaces."""
    return _UNSAFE_IN_HEADER.sub(" ", value)
