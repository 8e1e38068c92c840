"""ETags of events: the event's version, sent weak (`W/"3"`); `If-Match` accepts `"3"`, `W/"3"` or `*`."""

from __future__ import annotations

from boxoffice.errors import PreconditionRequired, StaleEtag


def etag(version: int) -> str:
    return f'W/"{version}"'


def matches(if_match: str, version: int) -> bool:
    for candidate in (part.strip() for part in if_match.split(",")):
        if candidate == "*":
            return True
        if candidate.removeprefix("W/").strip('"') == str(version):
            return True
    return False


def require_match(if_match: str | None, version: int) -> None:
    """428 without `If-Match`, 412 when it names another version than the current one."""
    if not if_match:
        raise PreconditionRequired("Send If-Match with the ETag you last read")
    if not matches(if_match, version):
        raise StaleEtag(f"The event is at version {version}; read it again and retry", headers={"ETag": etag(version)})
