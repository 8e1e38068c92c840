"""Every order, ticket and idempotency query (PostgreSQL). Raw SQL where it carries the guarantees."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from boxoffice.errors import EventClosed, SeatsTaken

ORDER_COLUMNS = (
    "id, user_id, event_id, hold_id, status, total, currency, payment_provider, payment_ref,"
    " refund_ref, failure, created_at"
)


def _db():
    return get_connection("default")


async def valid_seats(event_id: str) -> list[tuple[str, str]]:
    """(seat id, buyer) of every valid ticket of the event: the seats Redis must show as booked."""
    rows = await _db().execute_query_dict(
        "SELECT t.seat_id, o.user_id FROM tickets t JOIN orders o ON o.id = t.order_id"
        " WHERE t.event_id = $1 AND t.status = 'valid'",
        [event_id],
    )
    return [(str(r["seat_id"]), str(r["user_id"])) for r in rows]


async def live_order_for_hold(*, user_id: str, hold_id: str) -> dict | None:
    """The order already made from this hold and not given up (a retried checkout resumes it)."""
    rows = await _db().execute_query_dict(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE hold_id = $1 AND user_id = $2"
        " AND status IN ('pending', 'reconciling', 'confirmed', 'cancelling') LIMIT 1",
        [hold_id, user_id],
    )
    return rows[0] if rows else None


async def create_pending(
    *, user_id: str, event_id: str, hold_id: str, prices: dict[str, int], currency: str, provider: str
) -> str:
    """Write the order and its (valid) tickets; the partial unique index refuses a seat sold twice,
    and a cancelled event refuses the order (409)."""
    order_id = str(uuid.uuid4())
    seat_ids = list(prices)
    try:
        async with in_transaction() as db:
            await _lock_open_event(db, event_id)
            await db.execute_query(
                "INSERT INTO orders (id, user_id, event_id, hold_id, status, total, currency, payment_provider,"
                " created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, now(), now())",
                [order_id, user_id, event_id, hold_id, sum(prices.values()), currency, provider],
            )
            await db.execute_query(
                "INSERT INTO tickets (id, order_id, event_id, seat_id, code, status, price, created_at)"
                " SELECT gen_random_uuid(), $1, $2, s, c, 'valid', p, now()"
                " FROM unnest($3::bigint[], $4::text[], $5::bigint[]) AS t(s, c, p)",
                [
                    order_id,
                    event_id,
                    [int(s) for s in seat_ids],
                    [secrets.token_urlsafe(18) for _ in seat_ids],
                    [prices[s] for s in seat_ids],
                ],
            )
    except IntegrityError:
        raise SeatsTaken(await sold_among(event_id, seat_ids), "Some of these seats have just been sold") from None
    return order_id


async def _lock_open_event(db: BaseDBAsyncClient, event_id: str) -> None:
    """Refuse (409) unless the event is still selling. FOR KEY SHARE waits for a cancellation under way
    (it locks the row FOR UPDATE) and lets everything else through: once the cancellation commits, no
    order of the event is created or confirmed any more, so its refund job misses none."""
    rows = await db.execute_query_dict("SELECT status FROM events WHERE id = $1 FOR KEY SHARE", [event_id])
    if not rows or rows[0]["status"] == "cancelled":
        raise EventClosed()


async def sold_among(event_id: str, seat_ids: Sequence[str]) -> list[str]:
    rows = await _db().execute_query_dict(
        "SELECT seat_id FROM tickets WHERE event_id = $1 AND status = 'valid' AND seat_id = ANY($2::bigint[])",
        [event_id, [int(s) for s in seat_ids]],
    )
    return sorted(str(r["seat_id"]) for r in rows)


# --- transitions: each guarded on the state it expects; False when it matched no row ---------------


async def record_charge(*, order_id: str, payment_ref: str) -> bool:
    """pending / reconciling: remember the provider's charge."""
    rows = await _db().execute_query_dict(
        "UPDATE orders SET payment_ref = $2, updated_at = now() WHERE id = $1"
        " AND status IN ('pending', 'reconciling') AND (payment_ref IS NULL OR payment_ref = $2) RETURNING id",
        [order_id, payment_ref],
    )
    return bool(rows)


async def confirm(*, order_id: str, event_id: str) -> bool:
    """pending / reconciling, charged -> confirmed; 409 EventClosed once the event is cancelled."""
    async with in_transaction() as db:
        await _lock_open_event(db, event_id)
        rows = await db.execute_query_dict(
            "UPDATE orders SET status = 'confirmed', updated_at = now() WHERE id = $1"
            " AND status IN ('pending', 'reconciling') AND payment_ref IS NOT NULL RETURNING id",
            [order_id],
        )
    return bool(rows)


async def fail(*, order_id: str, reason: str) -> bool:
    """pending / reconciling, never charged -> failed, and only then are its tickets void."""
    async with in_transaction() as db:
        rows = await db.execute_query_dict(
            "UPDATE orders SET status = 'failed', failure = $2, updated_at = now() WHERE id = $1"
            " AND status IN ('pending', 'reconciling') AND payment_ref IS NULL RETURNING id",
            [order_id, reason[:200]],
        )
        if rows:
            await db.execute_query("UPDATE tickets SET status = 'void' WHERE order_id = $1", [order_id])
    return bool(rows)


async def start_cancelling(*, order_ids: Sequence[str], reason: str, before_start: bool) -> set[str]:
    """confirmed -> cancelling (`before_start`: only while the event has not started, a buyer's
    cancellation); without it a charged order still being paid for too (its event was cancelled,
    or its seats were lost). Returns the ids it moved."""
    if before_start:
        sql = (
            "UPDATE orders o SET status = 'cancelling', failure = $2, updated_at = now() FROM events e"
            " WHERE o.id = ANY($1::uuid[]) AND o.status = 'confirmed' AND e.id = o.event_id"
            " AND e.starts_at > now() RETURNING o.id"
        )
    else:
        sql = (
            "UPDATE orders SET status = 'cancelling', failure = $2, updated_at = now() WHERE id = ANY($1::uuid[])"
            " AND (status = 'confirmed' OR (status IN ('pending', 'reconciling') AND payment_ref IS NOT NULL))"
            " RETURNING id"
        )
    if not order_ids:
        return set()
    return {str(r["id"]) for r in await _db().execute_query_dict(sql, [list(order_ids), reason[:200]])}


async def finish_cancelling(refunds: Mapping[str, str]) -> set[str]:
    """cancelling -> cancelled with its refund (order id -> refund id), and only the orders it moved
    get void tickets, in the same transaction. Returns the ids it moved."""
    if not refunds:
        return set()
    async with in_transaction() as db:
        rows = await db.execute_query_dict(
            "UPDATE orders o SET status = 'cancelled', refund_ref = r.refund_ref, updated_at = now()"
            " FROM unnest($1::uuid[], $2::text[]) AS r(id, refund_ref)"
            " WHERE o.id = r.id AND o.status = 'cancelling' RETURNING o.id",
            [list(refunds), list(refunds.values())],
        )
        moved = [str(r["id"]) for r in rows]
        if moved:
            await db.execute_query("UPDATE tickets SET status = 'void' WHERE order_id = ANY($1::uuid[])", [moved])
    return set(moved)


async def get_order(order_id: str) -> dict | None:
    rows = await _db().execute_query_dict(f"SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1", [order_id])
    return rows[0] if rows else None


async def get_orders(order_ids: Sequence[str]) -> list[dict]:
    return await _db().execute_query_dict(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE id = ANY($1::uuid[])", [list(order_ids)]
    )


async def tickets_of(order_ids: Sequence[str]) -> dict[str, list[dict]]:
    rows = await _db().execute_query_dict(
        "SELECT t.id, t.order_id, t.seat_id, s.label, t.code, t.price, t.status FROM tickets t"
        " JOIN event_seats s ON s.id = t.seat_id WHERE t.order_id = ANY($1::uuid[]) ORDER BY t.seat_id",
        [list(order_ids)],
    )
    tickets: dict[str, list[dict]] = {}
    for r in rows:
        tickets.setdefault(str(r["order_id"]), []).append(r)
    return tickets


async def orders_of(*, user_id: str, limit: int, after: tuple[datetime, str] | None) -> list[dict]:
    """The user's orders, newest first, after the (created_at, id) cursor."""
    if after is None:
        return await _db().execute_query_dict(
            f"SELECT {ORDER_COLUMNS} FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            [user_id, limit],
        )
    return await _db().execute_query_dict(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE user_id = $1 AND (created_at, id) < ($2, $3::uuid)"
        " ORDER BY created_at DESC, id DESC LIMIT $4",
        [user_id, after[0], after[1], limit],
    )


async def claim_unfinished(*, older_than_s: float, limit: int = 50) -> list[dict]:
    """Orders left in an intermediate state for a while (a crashed or abandoned request): a pending
    one becomes reconciling; claiming bumps `updated_at`, so another reconciler skips them (SKIP
    LOCKED while the claim runs)."""
    rows = await _db().execute_query_dict(
        "UPDATE orders SET status = CASE WHEN status = 'pending' THEN 'reconciling' ELSE status END,"
        " updated_at = now() WHERE id IN (SELECT id FROM orders"
        " WHERE status IN ('pending', 'reconciling', 'cancelling') AND updated_at < now() - make_interval(secs => $1)"
        " ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
        f" RETURNING {ORDER_COLUMNS}",
        [float(older_than_s), limit],
    )
    return [dict(r) for r in rows]


async def unsettled_of_event(*, event_id: str, after: str | None, limit: int) -> list[dict]:
    """The event's orders that still hold money or seats (all but failed and cancelled), by id."""
    return await _db().execute_query_dict(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE event_id = $1 AND id > $2::uuid"
        " AND status IN ('pending', 'reconciling', 'confirmed', 'cancelling') ORDER BY id LIMIT $3",
        [event_id, after or "00000000-0000-0000-0000-000000000000", limit],
    )
