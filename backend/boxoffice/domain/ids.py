"""Ids are UUIDs with one canonical spelling: lower-case hex in the 8-4-4-4-12 hyphenated form.

A client may send a UUID in any of the spellings UUID readers commonly accept: upper case, padded
with whitespace, in braces, as a `urn:uuid:` URN, or without hyphens. Every layer turns it into the
canonical form with `canonical_uuid` before it judges it (the gateway before it looks for the
event's waiting room, booking before it holds a seat), so one id never means one event to the
gateway and another to booking. Anything else (stray hyphens, signs, underscores, mixed forms) is
not an id at all.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_HEX = re.compile(r"[0-9a-f]{8}(-?)[0-9a-f]{4}\1[0-9a-f]{4}\1[0-9a-f]{4}\1[0-9a-f]{12}")
URN_PREFIX = "urn:uuid:"


def canonical_uuid(value: object) -> str:
    """The canonical spelling of a UUID; ValueError if `value` is no accepted spelling of one."""
    if not isinstance(value, str) or len(value) > 128:
        raise ValueError("must be a UUID")
    spelled = value.strip().lower()
    if spelled.startswith(URN_PREFIX):
        spelled = spelled[len(URN_PREFIX) :]
    elif spelled.startswith("{") and spelled.endswith("}"):
        spelled = spelled[1:-1]
    if not _HEX.fullmatch(spelled):
        raise ValueError("must be a UUID")
    hexdigits = spelled.replace("-", "")
    return f"{hexdigits[:8]}-{hexdigits[8:12]}-{hexdigits[12:16]}-{hexdigits[16:20]}-{hexdigits[20:]}"


def is_uuid(value: object) -> bool:
    try:
        canonical_uuid(value)
    except ValueError:
        return False
    return True


# A request member that is an id: validated and canonical once parsed.
Uuid = Annotated[str, AfterValidator(canonical_uuid)]
