"""Events for booking tests, written straight into PostgreSQL (fast; no organizer round trips)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction


@dataclass
class MadeEvent:
    id: str
    rows: dict[str, list[str]] = field(default_factory=dict)  # row label -> seat ids by number
    prices: dict[str, int] = field(default_factory=dict)

    @property
    def seat_ids(self) -> list[str]:
        return [s for ids in self.rows.values() for s in ids]


async def make_event(
    *,
    rows: list[tuple[str, int, str]] | None = None,
    prices: dict[str, int] | None = None,
    status: str = "published",
    on_sale_at: datetime | None = None,
    ends_at: datetime | None = None,
    max_tickets_per_order: int = 8,
    title: str = "Booking test event",
    owner: str | None = None,
) -> MadeEvent:
    """A venue and an event with `rows` [(label, seat count, category)], on sale now by default."""
    rows = rows or [("A", 10, "standard")]
    prices = prices or {category: 5000 for _, _, category in rows}
    now = datetime.now(UTC)
    starts_at = now + timedelta(days=30)
    ends_at = ends_at or starts_at + timedelta(hours=3)
    owner, venue_id, event_id = owner or str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    seat_count = sum(n for _, n, _ in rows)
    sections = [{"name": "Main", "rows": [{"label": r, "seat_count": n, "category": c} for r, n, c in rows]}]
    made = MadeEvent(event_id, prices=prices)
    async with in_transaction() as db:
        first_seat = await _seat_ids(db, seat_count)
        await db.execute_query(
            "INSERT INTO venues (id, owner_id, name, city, address, timezone, sections, seat_count, created_at)"
            " VALUES ($1, $2, 'Test Hall', 'Testville', '1 Test St', 'UTC', $3::jsonb, $4, now())",
            [venue_id, owner, json.dumps(sections), seat_count],
        )
        await db.execute_query(
            "INSERT INTO events (id, owner_id, venue_id, title, description, category, performer, starts_at, ends_at,"
            " on_sale_at, currency, price_categories, max_tickets_per_order, status, version, search_version,"
            " seat_count, created_at, updated_at, published_at)"
            " VALUES ($1, $2, $3, $4, '', 'concert', 'The Testers', $5, $6, $7, 'EUR', $8::jsonb, $9, $10, 1, 1, $11,"
            " now(), now(), now())",
            [
                event_id,
                owner,
                venue_id,
                title,
                starts_at,
                ends_at,
                on_sale_at,
                json.dumps([{"category": c, "price": p} for c, p in prices.items()]),
                max_tickets_per_order,
                status,
                seat_count,
            ],
        )
        next_id = first_seat
        for y, (label, count, category) in enumerate(rows):
            inserted = await db.execute_query_dict(
                "INSERT INTO event_seats (id, event_id, label, section, row, number, category, x, y)"
                " SELECT $6 + n - 1, $1, $2 || '-' || n, 'Main', $2, n, $3, n * 10, $4 FROM generate_series(1, $5) AS n"
                " ORDER BY n RETURNING id",
                [event_id, label, category, y * 10, count, next_id],
            )
            made.rows[label] = [str(r["id"]) for r in inserted]
            next_id += count
    return made


async def _seat_ids(db, count: int) -> int:
    """The first of `count` consecutive seat ids taken from the event_seats sequence."""
    rows = await db.execute_query_dict(
        "SELECT setval(pg_get_serial_sequence('event_seats', 'id'),"
        " nextval(pg_get_serial_sequence('event_seats', 'id')) + $1 - 1) - $1 + 1 AS first",
        [count],
    )
    return int(rows[0]["first"])


async def set_event(event_id: str, **columns) -> None:
    """Change event columns (e.g. status, on_sale_at) behind the API's back."""
    assignments = ", ".join(f"{name} = ${i + 2}" for i, name in enumerate(columns))
    await get_connection("default").execute_query(
        f"UPDATE events SET {assignments} WHERE id = $1", [event_id, *columns.values()]
    )
