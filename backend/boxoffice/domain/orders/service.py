"""Orders: checkout a hold exactly once, list, read, cancel; the reconciler for crashed checkouts.

Checkout order of steps, each safe to crash after:
1. begin checkout in Redis (the sweeper leaves the hold alone for a lease);
2. write the order and its valid tickets (pending) in PostgreSQL: the partial unique index is the
   final guard against a double sale;
3. charge the provider with the order id as idempotency key; record the charge id;
4. mark the seats booked in Redis (and the stream); 5. confirm the order.
A retried request resumes the order made from the same hold; the reconciler finishes (paid) or
undoes (not paid) pending orders nobody is working on.
"""

from __future__ import annotations

import base64
import uuid
import logging
from dataclasses import dataclass
from datetime import datetime

import coredis

from boxoffice import keys
from boxoffice.domain.holds.service import Holds, hold_event
from boxoffice.domain.orders import repository
from boxoffice.domain.payments.provider import Card, Declined, PaymentProvider
from boxoffice.domain.seats.catalog import Catalog, rfc3339
from boxoffice.errors import BadRequest, Conflict, EventClosed, HoldExpired, NotFound, PaymentDeclined, SeatsTaken
from boxoffice.infra.metrics import ORDERS

log = logging.getLogger("boxoffice.orders")
DECLINE_MESSAGES = {"card_declined": "The card was declined", "insufficient_funds": "The card has insufficient funds"}


@dataclass(frozen=True, slots=True)
class Checkout:
    holds: Holds
    catalog: Catalog
    provider: PaymentProvider
    redis: coredis.Redis


def public(order: dict, tickets: list[dict]) -> dict:
    return {
        "id": str(order["id"]), "status": order["status"], "event_id": str(order["event_id"]),
        "hold_id": order["hold_id"], "total": int(order["total"]), "currency": order["currency"],
        "created_at": rfc3339(order["created_at"]),
        "tickets": [{"id": str(t["id"]), "seat_id": str(t["seat_id"]), "label": t["label"], "code": t["code"],
                     "price": int(t["price"]), "status": t["status"]} for t in tickets],
    }


async def render(order_id: str) -> dict:
    order = await repository.get_order(order_id)
    return public(order, (await repository.tickets_of([order_id])).get(order_id, []))


async def place_order(*, user_id: str, hold_id: str, card: Card, deps: Checkout) -> dict:
    """Pay for the caller's hold; 201 body of the confirmed order. 404 / 410 / 409 / 402 otherwise."""
    event_id = hold_event(hold_id)
    existing = await repository.live_order_for_hold(user_id=user_id, hold_id=hold_id)
    if existing is not None:
        return await _resume(existing, card=card, deps=deps)
    hold = await deps.holds.begin_checkout(user_id=user_id, hold_id=hold_id)
    event = await deps.catalog.get_any(event_id)
    try:
        order_id = await repository.create_pending(
            user_id=user_id, event_id=event_id, hold_id=hold_id, currency=event.currency,
            prices={seat: event.price(seat) for seat in hold.seat_ids}, provider=deps.provider.name)
    except SeatsTaken as taken:
        await deps.holds.end_checkout(event_id=event_id, hold_id=hold_id)
        ORDERS.labels("conflict").inc()
        raise taken
    order = await repository.get_order(order_id)
    return await _resume(order, card=card, deps=deps)


async def _resume(order: dict, *, card: Card | None, deps: Checkout) -> dict:
    """Take a pending order from wherever it stopped to confirmed (or failed, when declined)."""
    order_id, event_id = str(order["id"]), str(order["event_id"])
    if order["status"] == "pending":
        if not order["payment_ref"]:
            await _charge(order, card=card, deps=deps)
        try:
            await _book(order, deps=deps)
        except SeatsTaken:
            await _undo_paid(order_id, reason="hold_lapsed", deps=deps)
            raise HoldExpired("Your hold lapsed before the payment went through and the seats were taken;"
                              " the charge was refunded") from None
        except EventClosed:
            await _undo_paid(order_id, reason="event_cancelled", deps=deps)
            raise
        await repository.confirm(order_id=order_id)
        await deps.redis.sadd(keys.SEARCH_DIRTY, [event_id])
        ORDERS.labels("confirmed").inc()
    return await render(order_id)


async def _charge(order: dict, *, card: Card | None, deps: Checkout) -> None:
    order_id, event_id = str(order["id"]), str(order["event_id"])
    try:
        if card is None:
            charge = await deps.provider.lookup(reference=order_id)
            if charge is None or not charge.charge_ref:
                raise Declined(charge.declined if charge else "abandoned")
        else:
            charge = await deps.provider.charge(reference=order_id, amount=int(order["total"]),
                                                currency=order["currency"], card=card)
    except Declined as declined:
        await repository.fail(order_id=order_id, reason=declined.reason)
        await deps.holds.end_checkout(event_id=event_id, hold_id=order["hold_id"])
        ORDERS.labels("declined").inc()
        raise PaymentDeclined(DECLINE_MESSAGES.get(declined.reason, "The payment did not go through"),
                              extra={"decline_code": declined.reason}) from None
    await repository.record_charge(order_id=order_id, payment_ref=charge.charge_ref)


async def _book(order: dict, *, deps: Checkout) -> None:
    tickets = (await repository.tickets_of([str(order["id"])])).get(str(order["id"]), [])
    await deps.holds.book(event_id=str(order["event_id"]), hold_id=order["hold_id"], user_id=str(order["user_id"]),
                          seat_ids=[str(t["seat_id"]) for t in tickets])


async def _undo_paid(order_id: str, *, reason: str, deps: Checkout) -> None:
    """A charged order whose seats could not be booked: refund it and let it fail."""
    order = await repository.get_order(order_id)
    if order["payment_ref"]:
        await deps.provider.refund(reference=order_id, amount=int(order["total"]))
    await repository.fail(order_id=order_id, reason=reason)
    ORDERS.labels("undone").inc()


async def get_order(*, user_id: str, order_id: str) -> dict:
    order = await _own_order(user_id, order_id)
    return public(order, (await repository.tickets_of([order_id])).get(order_id, []))


async def list_orders(*, user_id: str, limit: int, cursor: str | None) -> dict:
    orders = await repository.orders_of(user_id=user_id, limit=limit + 1, after=_read_cursor(cursor))
    page = orders[:limit]
    tickets = await repository.tickets_of([str(o["id"]) for o in page]) if page else {}
    items = [public(o, tickets.get(str(o["id"]), [])) for o in page]
    following = _write_cursor(page[-1]) if len(orders) > limit else None
    return {"items": items, "next": following}


async def cancel_order(*, user_id: str, order_id: str, deps: Checkout) -> dict:
    """Refund, void the tickets, release the seats live (reason 'cancelled')."""
    order = await _own_order(user_id, order_id)
    if order["status"] == "cancelled":
        return await render(order_id)
    if order["status"] != "confirmed":
        raise Conflict(f"A {order['status']} order cannot be cancelled")
    refund_ref = await deps.provider.refund(reference=order_id, amount=int(order["total"]))
    await repository.cancel(order_id=order_id, refund_ref=refund_ref)
    body = await render(order_id)
    await deps.holds.cancel_seats(event_id=body["event_id"], user_id=user_id,
                                  seat_ids=[t["seat_id"] for t in body["tickets"]])
    await deps.redis.sadd(keys.SEARCH_DIRTY, [body["event_id"]])
    ORDERS.labels("cancelled").inc()
    return body


async def reconcile(*, older_than_s: int, deps: Checkout) -> int:
    """Finish (paid) or undo (not paid) pending orders whose checkout stopped; returns how many."""
    done = 0
    for order in await repository.claim_stale_pending(older_than_s=older_than_s):
        try:
            await _resume(order, card=None, deps=deps)
        except (PaymentDeclined, HoldExpired, EventClosed):  # undone: failed, and refunded if charged
            pass
        except Exception:
            log.exception("reconciling order failed", extra={"order_id": str(order["id"])})
            continue
        done += 1
    return done


async def _own_order(user_id: str, order_id: str) -> dict:
    try:
        order = await repository.get_order(str(uuid.UUID(order_id)))
    except ValueError:
        order = None
    if order is None or str(order["user_id"]) != user_id:
        raise NotFound("No such order")
    return order


def _write_cursor(order: dict) -> str:
    raw = f"{order['created_at'].isoformat()}|{order['id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, order_id = raw.split("|")
        return datetime.fromisoformat(moment), str(uuid.UUID(order_id))
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("Invalid cursor") from None
