"""Every event query. An event's seats are copied from its venue with one INSERT ... SELECT."""

from __future__ import annotations

from datetime import datetime

from tortoise.connection import get_connection
from tortoise.expressions import Q

from boxoffice.domain.events.models import Event, EventSeat, EventStatus

_COPY_SEATS = """
INSERT INTO event_seats (event_id, label, section, "row", number, category, x, y)
SELECT $1::uuid, label, section, "row", number, category, x, y FROM venue_seats WHERE venue_id = $2::uuid ORDER BY id
"""


async def create(**values) -> Event:
    return await Event.create(**values)


async def copy_seats(event_id: str, venue_id: str) -> None:
    await get_connection("default").execute_query(_COPY_SEATS, [event_id, venue_id])


async def drop_seats(event_id: str) -> None:
    await EventSeat.filter(event_id=event_id).delete()


async def get(event_id: str) -> Event | None:
    return await Event.get_or_none(id=event_id).prefetch_related("venue")


async def get_for_update(event_id: str) -> Event | None:
    """The event row locked until the surrounding transaction ends."""
    event = await Event.select_for_update().get_or_none(id=event_id)
    if event is not None:
        await event.fetch_related("venue")
    return event


async def ever_sold(event_id: str) -> bool:
    """Whether any ticket (valid or void) names one of the event's seats: then its seat map is frozen."""
    rows = await get_connection("default").execute_query_dict(
        "SELECT EXISTS (SELECT 1 FROM tickets WHERE event_id = $1::uuid) AS sold", [event_id]
    )
    return bool(rows[0]["sold"])


async def owned(
    *, owner_id: str, status: EventStatus | None, after: tuple[datetime, str] | None, limit: int
) -> list[Event]:
    """The owner's events, newest first."""
    query = Event.filter(owner_id=owner_id)
    if status is not None:
        query = query.filter(status=status)
    if after is not None:
        moment, last_id = after
        query = query.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=last_id))
    return await query.order_by("-created_at", "-id").limit(limit).prefetch_related("venue")


async def upcoming(*, now: datetime, after: tuple[datetime, str] | None, limit: int) -> list[Event]:
    """Published events that have not ended, soonest first."""
    query = Event.filter(status=EventStatus.PUBLISHED, ends_at__gt=now)
    if after is not None:
        moment, last_id = after
        query = query.filter(Q(starts_at__gt=moment) | Q(starts_at=moment, id__gt=last_id))
    return await query.order_by("starts_at", "id").limit(limit).prefetch_related("venue")


_INSERT_MANY = """
INSERT INTO events (id, owner_id, venue_id, title, description, category, performer, starts_at, ends_at, on_sale_at,
                    currency, price_categories, max_tickets_per_order, waiting_room, status, version, search_version,
                    seat_count, created_at, updated_at, published_at)
SELECT e.id, $1::uuid, e.venue_id, e.title, e.description, e.category, e.performer, e.starts_at, e.ends_at, NULL,
       e.currency, e.prices::jsonb, 8, NULL, e.status, 1, 1, e.seat_count, now(), now(), e.published_at
FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[],
            $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::int[], $14::timestamptz[])
     AS e(id, venue_id, title, description, category, performer, starts_at, ends_at, currency, prices, status,
          seat_count, published_at)
ON CONFLICT (id) DO NOTHING
RETURNING id, venue_id
"""

_COPY_SEATS_MANY = """
INSERT INTO event_seats (event_id, label, section, "row", number, category, x, y)
SELECT e.id, s.label, s.section, s."row", s.number, s.category, s.x, s.y
FROM unnest($1::uuid[], $2::uuid[]) AS e(id, venue_id) JOIN venue_seats s ON s.venue_id = e.venue_id
ORDER BY e.id, s.id
"""


async def insert_many(owner_id: str, columns: dict[str, list]) -> list[tuple[str, str]]:
    """Bulk insert events (one list per column, see _INSERT_MANY); existing ids are skipped.
    Returns (event id, venue id) of the rows inserted, each with its seats copied."""
    conn = get_connection("default")
    names = (
        "id",
        "venue_id",
        "title",
        "description",
        "category",
        "performer",
        "starts_at",
        "ends_at",
        "currency",
        "prices",
        "status",
        "seat_count",
        "published_at",
    )
    rows = await conn.execute_query_dict(_INSERT_MANY, [owner_id, *(columns[n] for n in names)])
    inserted = [(str(r["id"]), str(r["venue_id"])) for r in rows]
    if inserted:
        await conn.execute_query(_COPY_SEATS_MANY, [[i for i, _ in inserted], [v for _, v in inserted]])
    return inserted
