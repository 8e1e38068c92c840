"""Ids in paths are opaque strings to clients; one that is not even a UUID names nothing."""

from __future__ import annotations

from boxoffice.domain.ids import canonical_uuid, is_uuid

__all__ = ["canonical_uuid", "is_uuid"]
