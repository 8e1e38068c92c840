"""Ids in paths are opaque strings to clients; one that is not even a UUID names nothing."""

from __future__ import annotations

from uuid import UUID


def is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
