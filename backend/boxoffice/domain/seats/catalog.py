"""What the booking service needs to know about an event, cached in-process.

The hold path never waits for PostgreSQL: an event's sale window and prices are re-read at most
every `event_cache_s` seconds, its seat layout only when the event's version has changed (a draft's
or an unsold event's seat map is replaced when its venue changes; `EventInfo.layout` tells layouts
apart, and the hold book makes Redis follow it).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.connection import get_connection

from boxoffice.domain.events.models import EventStatus
from boxoffice.domain.ids import canonical_uuid
from boxoffice.domain.queue.schemas import waiting_room_on
from boxoffice.errors import EventClosed, NotFound, NotOnSale

MAX_EVENTS = 2000


@dataclass(frozen=True, slots=True)
class Seat:
    id: str
    label: str
    section: str
    row: str
    number: int
    category: str
    x: int
    y: int


@dataclass(slots=True)
class EventInfo:
    id: str
    status: str
    on_sale_at: datetime | None
    ends_at: datetime
    currency: str
    max_tickets_per_order: int
    prices: dict[str, int]
    seats: dict[str, Seat] = field(default_factory=dict)  # in layout order
    read_at: float = 0.0
    version: int = 0
    layout: str = ""  # a fingerprint of the seat ids: a replaced seat map has another one
    waiting_room: bool = False  # seat-taking writes need an admission (domain/queue/admission.py)

    @property
    def public(self) -> bool:
        return self.status != EventStatus.DRAFT

    @property
    def closed(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def check_on_sale(self, now: datetime | None = None) -> None:
        """409 once cancelled; 403 unless the event is published, its sale has started and it has not ended."""
        now = now or datetime.now(UTC)
        if self.closed:
            raise EventClosed()
        if self.status != EventStatus.PUBLISHED:
            raise NotOnSale("This event is not on sale")
        if self.on_sale_at and now < self.on_sale_at:
            raise NotOnSale(f"Sale starts at {rfc3339(self.on_sale_at)}")
        if now >= self.ends_at:
            raise NotOnSale("This event has ended")

    def price(self, seat_id: str) -> int:
        return self.prices.get(self.seats[seat_id].category, 0)

    def rows(self) -> list[tuple[str, list[str]]]:
        """(category, seat ids by number) per row, rows in layout order (front first)."""
        grouped: dict[tuple[str, str, str], list[Seat]] = {}
        for seat in self.seats.values():
            grouped.setdefault((seat.section, seat.row, seat.category), []).append(seat)
        return [(key[2], [s.id for s in sorted(seats, key=lambda s: s.number)]) for key, seats in grouped.items()]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_uuid(event_id: str) -> str:
    """The canonical form of an event id; anything else is a 404."""
    try:
        return canonical_uuid(event_id)
    except ValueError:
        raise NotFound("No such event") from None


class Catalog:
    """Events as the booking service sees them; one per process."""

    def __init__(self, *, refresh_s: float = 2.0):
        self.refresh_s = refresh_s
        self._events: OrderedDict[str, EventInfo] = OrderedDict()
        self._loading: dict[str, asyncio.Future] = {}

    async def get(self, event_id: str) -> EventInfo:
        """The event (404 if it does not exist or is a draft)."""
        info = await self.get_any(event_id)
        if not info.public:
            raise NotFound("No such event")
        return info

    async def get_any(self, event_id: str, *, fresh: bool = False) -> EventInfo:
        """The event, drafts included. A stale copy is answered at once while a fresh one is read,
        unless `fresh` (read PostgreSQL now: for loading the seats into Redis)."""
        event_id = event_uuid(event_id)
        info = self._events.get(event_id)
        if fresh:
            return await self._read(event_id, info)
        if info is not None and time.monotonic() - info.read_at < self.refresh_s:
            return info
        pending = self._loading.get(event_id)
        if pending is None:
            pending = asyncio.ensure_future(self._read(event_id, info))
            self._loading[event_id] = pending
            pending.add_done_callback(self._loaded(event_id))
        if info is not None:  # never make the hold path wait for PostgreSQL
            return info
        return await asyncio.shield(pending)

    def _loaded(self, event_id: str):
        def done(future: asyncio.Future) -> None:
            self._loading.pop(event_id, None)
            if not future.cancelled():
                future.exception()  # a failed background refresh is retried on the next call

        return done

    def forget(self, event_id: str) -> None:
        self._events.pop(event_id, None)

    async def _read(self, event_id: str, previous: EventInfo | None) -> EventInfo:
        db = get_connection("default")
        rows = await db.execute_query_dict(
            "SELECT id, status, on_sale_at, ends_at, currency, max_tickets_per_order, price_categories, seat_count,"
            " version, waiting_room FROM events WHERE id = $1",
            [event_id],
        )
        if not rows:
            self._events.pop(event_id, None)
            raise NotFound("No such event")
        row = rows[0]
        if previous and previous.version == row["version"] and len(previous.seats) == row["seat_count"]:
            seats, layout = previous.seats, previous.layout
        else:
            seats = await _seats(event_id)
            layout = fingerprint(seats)
        prices = _json(row["price_categories"])
        info = EventInfo(
            id=event_id,
            status=str(row["status"]),
            on_sale_at=row["on_sale_at"],
            ends_at=row["ends_at"],
            currency=row["currency"],
            max_tickets_per_order=row["max_tickets_per_order"],
            prices={p["category"]: int(p["price"]) for p in prices},
            seats=seats,
            read_at=time.monotonic(),
            version=row["version"],
            layout=layout,
            waiting_room=waiting_room_on(_json(row["waiting_room"])),
        )
        self._events[event_id] = info
        self._events.move_to_end(event_id)
        while len(self._events) > MAX_EVENTS:
            self._events.popitem(last=False)
        return info


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def fingerprint(seats: dict[str, Seat]) -> str:
    """The same for the same seat ids (a seat map copied again gets new ids)."""
    return hashlib.blake2b(",".join(seats).encode(), digest_size=8).hexdigest()


async def _seats(event_id: str) -> dict[str, Seat]:
    rows = await get_connection("default").execute_query_dict(
        "SELECT id, label, section, row, number, category, x, y FROM event_seats WHERE event_id = $1 ORDER BY id",
        [event_id],
    )
    return {
        str(r["id"]): Seat(str(r["id"]), r["label"], r["section"], r["row"], r["number"], r["category"], r["x"], r["y"])
        for r in rows
    }
