"""Keyset pagination: an opaque cursor holding the sort key and id of the last item returned."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

from boxoffice.errors import ValidationFailed


def encode(moment: datetime, item_id: object) -> str:
    raw = json.dumps([moment.isoformat(), str(item_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    """(sort key, id) of the cursor; a cursor we did not make is a 422 on `cursor`, whatever it holds."""
    try:
        moment, item_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return read_moment(moment), str(uuid.UUID(item_id))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValidationFailed([{"field": "cursor", "message": "not a cursor this API returned"}]) from exc


def read_moment(text: str) -> datetime:
    """An ISO time of a cursor as an aware UTC datetime; ValueError for one PostgreSQL cannot compare."""
    moment = datetime.fromisoformat(text)
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None
