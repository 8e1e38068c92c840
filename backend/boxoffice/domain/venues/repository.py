"""Every venue query. Seats go in with one statement (arrays unnested), whatever the venue's size."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise.connection import get_connection
from tortoise.expressions import Q

from boxoffice.domain.events.models import Venue, VenueSeat
from boxoffice.domain.venues.seatmap import Seat

SEAT_FIELDS = ("label", "section", "row", "number", "category", "x", "y")

_INSERT_SEATS = """
INSERT INTO venue_seats (venue_id, label, section, "row", number, category, x, y)
SELECT $1::uuid, s.* FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::int[])
    AS s(label, section, "row", number, category, x, y)
"""


async def create(
    *, owner_id: str, name: str, city: str, address: str, timezone: str, sections: list[dict], seats: Sequence[Seat]
) -> Venue:
    venue = await Venue.create(
        owner_id=owner_id,
        name=name,
        city=city,
        address=address,
        timezone=timezone,
        sections=sections,
        seat_count=len(seats),
    )
    await insert_seats(str(venue.id), seats)
    return venue


async def insert_seats(venue_id: str, seats: Sequence[Seat]) -> None:
    columns = [[getattr(seat, name) for seat in seats] for name in SEAT_FIELDS]
    await get_connection("default").execute_query(_INSERT_SEATS, [venue_id, *columns])


async def get(venue_id: str) -> Venue | None:
    return await Venue.get_or_none(id=venue_id)


async def seats(venue_id: str) -> list[dict]:
    return await VenueSeat.filter(venue_id=venue_id).order_by("id").values(*SEAT_FIELDS)


async def owned(*, owner_id: str, after: tuple[datetime, str] | None, limit: int) -> list[Venue]:
    """The owner's venues, newest first, after the cursor position."""
    query = Venue.filter(owner_id=owner_id)
    if after is not None:
        moment, last_id = after
        query = query.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=last_id))
    return await query.order_by("-created_at", "-id").limit(limit)
