"""Keyset pagination: an opaque cursor holding the sort key and id of the last item returned."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from boxoffice.errors import ValidationFailed


def encode(moment: datetime, item_id: object) -> str:
    raw = json.dumps([moment.isoformat(), str(item_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    """(sort key, id) of the cursor; a cursor we did not make is a 422 on `cursor`."""
    try:
        moment, item_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(moment), str(item_id)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed([{"field": "cursor", "message": "not a cursor this API returned"}]) from exc
