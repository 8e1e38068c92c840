"""Seat holds: create (by seat ids or best available), add, drop, extend, release, checkout.

All seat state lives in Redis and changes only inside the Lua scripts (scripts.py), one call per
operation; PostgreSQL's valid tickets are the truth Redis is rebuilt from (`ensure_loaded`).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import coredis

from boxoffice import keys
from boxoffice.config import Config
from boxoffice.domain.holds.scripts import Answer, SeatScripts
from boxoffice.domain.ids import canonical_uuid
from boxoffice.domain.orders import repository as orders_repository
from boxoffice.domain.queue.admission import AdmissionTokens, admission_key
from boxoffice.domain.seats.catalog import Catalog, EventInfo, event_uuid, rfc3339
from boxoffice.errors import (
    Conflict,
    EventClosed,
    HoldBusy,
    HoldExists,
    HoldExpired,
    NotFound,
    SeatsTaken,
    TooManySeats,
    ValidationFailed,
)
from boxoffice.infra.metrics import HOLDS


@dataclass(frozen=True, slots=True)
class Hold:
    id: str
    event_id: str
    seat_ids: list[str]
    expires_ms: int

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires_ms / 1000, UTC)

    def public(self) -> dict:
        return {
            "id": self.id,
            "event_id": self.event_id,
            "seat_ids": self.seat_ids,
            "expires_at": rfc3339(self.expires_at),
        }


HOLD_TOKEN = re.compile(r"[0-9a-f]{16}")


def new_hold_id(event_id: str) -> str:
    return f"{event_id}.{secrets.token_hex(8)}"


def hold_event(hold_id: str) -> str:
    """The event a hold id belongs to. A hold id is ours and has one spelling only, the one
    `new_hold_id` gave it (`<canonical event id>.<16 hex>`): any other names no hold."""
    event_id, _, token = hold_id.partition(".")
    try:
        canonical = canonical_uuid(event_id)
    except ValueError:
        canonical = None
    if canonical != event_id or not HOLD_TOKEN.fullmatch(token):
        raise NotFound("No such hold")
    return event_id


def _seats(csv: str) -> list[str]:
    return [s for s in csv.split(",") if s]


class Holds:
    """The hold book of one process: Redis scripts plus the cached event catalog."""

    def __init__(self, *, redis: coredis.Redis, scripts: SeatScripts, catalog: Catalog, config: Config):
        self.redis = redis
        self.scripts = scripts
        self.catalog = catalog
        self.config = config
        self.admissions = AdmissionTokens(admission_key(config.internal_secret))
        self._loading: dict[str, asyncio.Lock] = {}
        self._layouts: dict[str, str] = {}  # event id -> the layout this process saw Redis hold

    # --- buyer operations -------------------------------------------------------------------

    async def create(
        self,
        *,
        user_id: str,
        event_id: str,
        seat_ids: list[str] | None = None,
        quantity: int | None = None,
        category: str | None = None,
        ttl_s: int | None = None,
        admission: str | None = None,
    ) -> Hold:
        """Hold these seats (all or nothing) or the best `quantity` seats of `category`; `admission` is
        the buyer's admission token, needed when the event has a waiting room."""
        event = await self.catalog.get_any(event_id)
        event.check_on_sale()
        self._admit(event, user_id, admission)
        await self._follow_layout(event)
        if category and category not in event.prices:
            raise ValidationFailed([{"field": "category", "message": "no such seat category at this event"}])
        if not seat_ids and not quantity:
            raise ValidationFailed([{"field": "quantity", "message": "give seat_ids or a quantity of at least 1"}])
        self._check_count(event, len(seat_ids) if seat_ids else quantity)
        hold_id = new_hold_id(event.id)
        ttl_ms = int((ttl_s or self.config.hold_ttl_s) * 1000)
        answer = await self._call(
            event.id,
            lambda: self.scripts.create_hold(
                event.id,
                hold_id,
                user_id,
                ttl_ms=ttl_ms,
                cap=event.max_tickets_per_order,
                seat_ids=seat_ids,
                quantity=quantity or 0,
                category=category or "",
            ),
        )
        HOLDS.labels(answer[0]).inc()
        return await self._hold_from(answer, hold_id, event)

    async def add_seats(self, *, user_id: str, hold_id: str, seat_ids: list[str], admission: str | None = None) -> Hold:
        event = await self.catalog.get_any(hold_event(hold_id))
        event.check_on_sale()
        self._admit(event, user_id, admission)
        await self._follow_layout(event)
        answer = await self._call(
            event.id,
            lambda: self.scripts.add_seats(event.id, hold_id, user_id, seat_ids, cap=event.max_tickets_per_order),
        )
        return await self._hold_from(answer, hold_id, event)

    async def drop_seat(self, *, user_id: str, hold_id: str, seat_id: str) -> Hold | None:
        """Give one seat back; None when that was the last seat (the hold is over)."""
        event_id = hold_event(hold_id)
        answer = await self._call(event_id, lambda: self.scripts.drop_seat(event_id, hold_id, user_id, seat_id))
        if answer[0] == "ended":
            return None
        if answer[0] == "noseat":
            raise NotFound("This seat is not part of the hold")
        return await self._hold_from(answer, hold_id, None, event_id)

    async def extend(self, *, user_id: str, hold_id: str, admission: str | None = None) -> Hold:
        event_id = hold_event(hold_id)
        self._admit(await self.catalog.get_any(event_id), user_id, admission)
        answer = await self._call(
            event_id,
            lambda: self.scripts.extend(
                event_id,
                hold_id,
                user_id,
                extend_ms=self.config.hold_extend_s * 1000,
                max_lifetime_ms=self.config.hold_max_lifetime_s * 1000,
            ),
        )
        if answer[0] == "extended":
            raise Conflict("A hold can be extended only once")
        return await self._hold_from(answer, hold_id, None, event_id)

    async def release(self, *, user_id: str, hold_id: str) -> None:
        event_id = hold_event(hold_id)
        self._refuse(await self._call(event_id, lambda: self.scripts.release(event_id, hold_id, user_id)))

    async def get(self, *, user_id: str, hold_id: str) -> Hold:
        event_id = hold_event(hold_id)
        fields = await self.redis.hmget(
            keys.holds(event_id),
            [keys.hold_field(hold_id, name) for name in ("user", "seats", "expires", "checkout", "status")],
        )
        user, seats, expires, checkout, status = fields
        if user != user_id:
            raise NotFound("No such hold")
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        if status != "active" or max(int(expires), int(checkout)) <= now_ms:
            raise HoldExpired("This hold has expired")
        return Hold(hold_id, event_id, _seats(seats), int(expires))

    async def current(self, *, event_id: str, user_id: str) -> Hold | None:
        """The buyer's live hold at this event, if any (the pointer the hold scripts keep per buyer)."""
        hold_id = await self.redis.hget(keys.buyers(event_uuid(event_id)), user_id)
        if not hold_id:
            return None
        try:
            return await self.get(user_id=user_id, hold_id=hold_id)
        except (NotFound, HoldExpired):
            return None

    # --- checkout (used by orders) --------------------------------------------------------------

    async def begin_checkout(self, *, user_id: str, hold_id: str) -> Hold:
        """Protect the hold from expiring while it is paid for; 404 / 410 / 409 as for any change."""
        event_id = hold_event(hold_id)
        answer = await self._call(
            event_id,
            lambda: self.scripts.begin_checkout(
                event_id, hold_id, user_id, lease_ms=self.config.checkout_lease_s * 1000
            ),
        )
        self._refuse(answer)
        return Hold(hold_id, event_id, _seats(answer[2]), int(answer[1]))

    async def end_checkout(self, *, event_id: str, hold_id: str) -> None:
        await self.scripts.end_checkout(event_id, hold_id)

    async def book(self, *, event_id: str, hold_id: str, user_id: str, seat_ids: list[str]) -> None:
        """Mark seats of a paid order booked (idempotent) and end their hold; 409 when another buyer
        holds or owns one of them by now (SeatsTaken) or the event is closed (EventClosed)."""
        self._refuse(await self._call(event_id, lambda: self.scripts.book(event_id, hold_id, user_id, seat_ids)))

    async def close_event(self, *, event_id: str) -> int:
        """Stop the sale of a cancelled event in Redis: no new holds, checkouts or bookings; every hold
        ends now, its seats announced released (reason 'cancelled'). Idempotent; returns holds ended."""
        answer = await self._call(event_id, lambda: self.scripts.close(event_id))
        return int(answer[1])

    async def cancel_seats(self, *, event_id: str, user_id: str, seat_ids: list[str]) -> None:
        await self._call(event_id, lambda: self.scripts.cancel(event_id, user_id, seat_ids))

    async def snapshot(self, *, event_id: str, user_id: str | None) -> dict:
        """Every seat with its status and price, and the stream cursor taken at the same instant."""
        event = await self.catalog.get(event_id)
        await self._follow_layout(event)
        answer = await self._call(event.id, lambda: self.scripts.snapshot(event.id, user_id))
        event = await self.catalog.get(event.id)  # a reload just now may have read a newer layout
        cursor, my_hold, flat = answer[1], answer[2], answer[3:]
        taken = dict(zip(flat[0::2], flat[1::2], strict=True))
        mine = {f"h:{my_hold}" if my_hold else None, f"b:{user_id}" if user_id else None} - {None}
        seats = []
        for seat in event.seats.values():
            state = taken.get(seat.id)
            status = "available" if state is None else ("booked" if state.startswith("b:") else "held")
            seats.append(
                {
                    "id": seat.id,
                    "label": seat.label,
                    "section": seat.section,
                    "row": seat.row,
                    "number": seat.number,
                    "category": seat.category,
                    "price": event.prices.get(seat.category, 0),
                    "status": status,
                    "mine": state in mine,
                    "x": seat.x,
                    "y": seat.y,
                }
            )
        return {"event_id": event.id, "cursor": cursor, "currency": event.currency, "seats": seats}

    # --- Redis as a cache of PostgreSQL ---------------------------------------------------------

    async def ensure_loaded(self, event_id: str, *, force: bool = False) -> None:
        """Load the event's layout and booked seats (valid tickets) into Redis if they are missing."""
        async with self._lock(event_id):
            if not force and await self.redis.exists([keys.seats_loaded(event_id)]):
                return
            await self._load(await self.catalog.get_any(event_id, fresh=True), force=force)

    async def _follow_layout(self, event: EventInfo) -> None:
        """Make Redis's copy of the seat layout follow PostgreSQL's: a draft's or an unsold event's seat
        map is replaced when its venue changes (new seat ids, hence a new `layout`). Once per layout
        per process a GET; a changed layout is loaded again (held seats are kept; seats of the old
        map simply no longer exist for the scripts)."""
        if self._layouts.get(event.id) == event.layout:
            return
        async with self._lock(event.id):
            if self._layouts.get(event.id) == event.layout:
                return
            if await self.redis.get(keys.seats_layout(event.id)) != event.layout:
                await self._load(event, force=True)
            self._layouts[event.id] = event.layout

    async def _load(self, event: EventInfo, *, force: bool) -> None:
        rows = [[i, category, ids] for i, (category, ids) in enumerate(event.rows())]
        booked = [[seat, user] for seat, user in await orders_repository.valid_seats(event.id)]
        loaded = await self.scripts.load(event.id, rows=rows, booked=booked, force=force, closed=event.closed)
        if int(loaded[0]):  # else another instance had just loaded it (and recorded its layout)
            await self.redis.set(keys.seats_layout(event.id), event.layout)
        await self.redis.sadd(keys.LOADED_EVENTS, [event.id])

    def _lock(self, event_id: str) -> asyncio.Lock:
        return self._loading.setdefault(event_id, asyncio.Lock())

    async def _call(self, event_id: str, run) -> Answer:
        answer = await run()
        if answer[0] == "notloaded":
            await self.ensure_loaded(event_id)
            answer = await run()
        return answer

    # --- answers -----------------------------------------------------------------------------

    def _admit(self, event: EventInfo, user_id: str, admission: str | None) -> None:
        """Seats are taken only with the buyer's admission when the event has a waiting room, even
        by a request that did not come past the gateway's own check."""
        self.admissions.require(admission, user_id=user_id, event_id=event.id, waiting_room=event.waiting_room)

    def _check_count(self, event: EventInfo, count: int) -> None:
        if count > event.max_tickets_per_order:
            raise TooManySeats(f"At most {event.max_tickets_per_order} seats per buyer for this event")

    async def _hold_from(self, answer: Answer, hold_id: str, event: EventInfo | None, event_id: str = "") -> Hold:
        self._refuse(answer, event)
        hold = Hold(hold_id, event.id if event else event_id, _seats(answer[2]), int(answer[1]))
        if int(answer[3]):
            await track_expiry(self.redis, hold.event_id, hold.expires_ms)
        return hold

    def _refuse(self, answer: Answer, event: EventInfo | None = None) -> None:
        kind = answer[0]
        if kind == "ok":
            return
        if kind == "notfound":
            raise NotFound("No such hold")
        if kind == "closed":
            raise EventClosed()
        if kind == "expired":
            raise HoldExpired("This hold has expired")
        if kind == "busy":
            raise HoldBusy("This hold is being paid for")
        if kind == "exists":
            raise HoldExists(answer[1])
        if kind == "cap":
            cap = event.max_tickets_per_order if event else 0
            raise TooManySeats(f"At most {cap} seats per buyer for this event (you have {answer[1]})")
        if kind == "unknown":
            raise ValidationFailed(
                [{"field": "seat_ids", "message": f"no such seat at this event: {', '.join(answer[1:])}"}]
            )
        if kind == "conflict":
            raise SeatsTaken(list(answer[1:]))
        if kind == "unavailable":
            raise SeatsTaken([], "Not enough seats available")
        raise RuntimeError(f"unexpected script answer {answer!r}")


async def track_expiry(redis: coredis.Redis, event_id: str, expires_ms: int) -> None:
    """Tell the sweepers (of every instance) when this event's earliest hold lapses."""
    await redis.zadd(keys.HOLD_EXPIRIES, {event_id: expires_ms}, comparison=coredis.PureToken.LT)
