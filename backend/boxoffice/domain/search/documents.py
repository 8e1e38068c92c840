"""The search document of an event: what the relay writes to Elasticsearch and search reads back.

Field names here and in the index mapping (`index.py`) must agree; `city_key` is folded in Python
because this Elasticsearch build cannot fold inside a keyword normalizer.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from tortoise.connection import get_connection

from boxoffice.domain.events.models import Event, Venue


def fold(text: str) -> str:
    """Lower-case, accents removed: 'Zürich' -> 'zurich'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def rfc3339(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


async def sold_seats(event_id: str) -> int:
    rows = await get_connection("default").execute_query_dict(
        "SELECT count(*) AS n FROM tickets WHERE event_id = $1 AND status = 'valid'", [event_id]
    )
    return int(rows[0]["n"])


_EPOCH = datetime(2000, 1, 1).date()


def suggest_weight(ends_at: datetime | None) -> int:
    """Later-ending events weigh more, so when several events share a suggestion text the one kept by
    `skip_duplicates` is the last to end: an ended one wins only when all of them have ended."""
    return max(1, (ends_at.date() - _EPOCH).days) if ends_at else 1


def event_document(event: Event, venue: Venue, *, sold: int) -> dict:
    prices = [int(p["price"]) for p in event.price_categories] or [0]
    return {
        "id": str(event.id),
        "title": event.title,
        "description": event.description,
        "performer": event.performer,
        "category": str(event.category),
        "status": str(event.status),
        "venue_id": str(venue.id),
        "venue_name": venue.name,
        "city": venue.city,
        "city_key": fold(venue.city),
        "timezone": venue.timezone,  # times are shown in the venue's zone
        "starts_at": rfc3339(event.starts_at),
        "ends_at": rfc3339(event.ends_at),
        "on_sale_at": rfc3339(event.on_sale_at),
        "published_at": rfc3339(event.published_at),
        "min_price": min(prices),
        "max_price": max(prices),
        "currency": event.currency,
        "seat_count": event.seat_count,
        "available_seats": max(0, event.seat_count - sold),
        "suggest": {"input": [event.title, event.performer], "weight": suggest_weight(event.ends_at)},
    }


async def build_document(event_id: str) -> dict | None:
    """The current document of an event from PostgreSQL; None if the event no longer exists."""
    event = await Event.get_or_none(id=event_id).prefetch_related("venue")
    if event is None:
        return None
    return event_document(event, event.venue, sold=await sold_seats(event_id))
