"""Orders: checkout a hold exactly once, list, read, cancel; the reconciler for stopped orders.

Checkout order of steps, each safe to stop after (the states are in models.py):
1. begin checkout in Redis (the sweeper leaves the hold alone for a lease);
2. write the order and its valid tickets (pending) in PostgreSQL: the partial unique index is the
   final guard against a double sale, and a cancelled event refuses the order;
3. charge the provider with the order id as idempotency key; record the charge id;
4. mark the seats booked in Redis (and the stream); 5. confirm the order.
Every step goes through `_settle`, which reads the order and takes the one step its state allows,
until the order is final (or confirmed): the checkout, a retried checkout, the reconciler, a
buyer's cancellation and an event's cancellation all drive an order the same way, so any of them
finishes what another one started, and two of them at once end in the same place.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import coredis

from boxoffice import keys
from boxoffice.domain.events import paging
from boxoffice.domain.events.models import EventStatus
from boxoffice.domain.holds.service import Holds, hold_event
from boxoffice.domain.orders import idempotency, repository
from boxoffice.domain.orders.models import FINAL, LIVE, OrderStatus
from boxoffice.domain.orders.schemas import OrderRequest
from boxoffice.domain.payments.provider import VOIDED, Card, Charge, Declined, PaymentProvider
from boxoffice.domain.seats.catalog import Catalog, rfc3339
from boxoffice.errors import (
    BadRequest,
    Conflict,
    EventClosed,
    EventStarted,
    HoldExpired,
    NotFound,
    PaymentDeclined,
    SeatsTaken,
    TooManySeats,
)
from boxoffice.infra.metrics import ORDERS

log = logging.getLogger("boxoffice.orders")
T = TypeVar("T")
DECLINE_MESSAGES = {"card_declined": "The card was declined", "insufficient_funds": "The card has insufficient funds"}
# Why an order was given up (orders.failure), besides the provider's decline codes.
ABANDONED, EVENT_CANCELLED, HOLD_LAPSED, BY_BUYER = "abandoned", "event_cancelled", "hold_lapsed", "cancelled_by_buyer"
# Answers that are final for a checkout request: stored and replayed. Anything else may be retried.
FINAL_ERRORS = (PaymentDeclined, HoldExpired, NotFound, SeatsTaken, TooManySeats, EventClosed)
REPLAYED = {"Idempotent-Replayed": "true"}
_unfinished: set[asyncio.Task] = set()  # work that outlives the request that started it


@dataclass(frozen=True, slots=True)
class Checkout:
    holds: Holds
    catalog: Catalog
    provider: PaymentProvider
    redis: coredis.Redis
    idempotency: idempotency.Policy


@dataclass(frozen=True, slots=True)
class Placed:
    body: dict  # the confirmed order
    replayed: bool  # answered from the Idempotency-Key's record


def public(order: dict, tickets: list[dict]) -> dict:
    return {
        "id": str(order["id"]),
        "status": order["status"],
        "event_id": str(order["event_id"]),
        "hold_id": order["hold_id"],
        "total": int(order["total"]),
        "currency": order["currency"],
        "created_at": rfc3339(order["created_at"]),
        "tickets": [
            {
                "id": str(t["id"]),
                "seat_id": str(t["seat_id"]),
                "label": t["label"],
                "code": t["code"],
                "price": int(t["price"]),
                "status": t["status"],
            }
            for t in tickets
        ],
    }


async def render(order_id: str) -> dict:
    order = await repository.get_order(order_id)
    return public(order, (await repository.tickets_of([order_id])).get(order_id, []))


# --- checkout ------------------------------------------------------------------------------------


async def place_order_once(*, user_id: str, key: str, form: OrderRequest, deps: Checkout) -> Placed:
    """POST /api/orders and the checkout page: pay for the hold once per `Idempotency-Key` (a checked
    key). The same key and request again answer what the first answered (a final error is raised
    again, with `Idempotent-Replayed`); 409 while the first still runs; 422 for another request.
    A client that hangs up does not stop the payment half way."""
    return await _uninterrupted(_place_order_once(user_id=user_id, key=key, form=form, deps=deps))


async def _place_order_once(*, user_id: str, key: str, form: OrderRequest, deps: Checkout) -> Placed:
    policy = deps.idempotency
    stored = await idempotency.begin(
        user_id=user_id,
        key=key,
        ttl_s=policy.ttl_s,
        lock_s=policy.lock_s,
        request_hash=policy.fingerprint(form.fingerprinted()),
    )
    if stored is not None:
        if stored.status >= 400:
            raise idempotency.replayed_error(stored, FINAL_ERRORS, headers=REPLAYED)
        return Placed(stored.body, replayed=True)
    try:
        body = await place_order(user_id=user_id, hold_id=form.hold_id, card=form.payment.card(), deps=deps)
    except FINAL_ERRORS as error:
        await idempotency.finish(user_id=user_id, key=key, status=error.status, body=idempotency.stored_error(error))
        raise
    except BaseException:
        await idempotency.abandon(user_id=user_id, key=key)
        raise
    await idempotency.finish(user_id=user_id, key=key, status=201, body=body)
    return Placed(body, replayed=False)


async def place_order(*, user_id: str, hold_id: str, card: Card, deps: Checkout) -> dict:
    """Pay for the caller's hold; 201 body of the confirmed order. 404 / 410 / 409 / 402 otherwise."""
    event_id = hold_event(hold_id)
    existing = await repository.live_order_for_hold(user_id=user_id, hold_id=hold_id)
    if existing is not None:
        return _checkout_answer(await _settle(str(existing["id"]), card=card, deps=deps))
    hold = await deps.holds.begin_checkout(user_id=user_id, hold_id=hold_id)
    event = await deps.catalog.get_any(event_id)
    try:
        order_id = await repository.create_pending(
            user_id=user_id,
            event_id=event_id,
            hold_id=hold_id,
            currency=event.currency,
            prices={seat: event.price(seat) for seat in hold.seat_ids},
            provider=deps.provider.name,
        )
    except (SeatsTaken, EventClosed):
        await deps.holds.end_checkout(event_id=event_id, hold_id=hold_id)
        ORDERS.labels("conflict").inc()
        raise
    return _checkout_answer(await _settle(order_id, card=card, deps=deps))


def _checkout_answer(order: dict) -> dict:
    """The checkout's answer for the order it settled: its body when confirmed, else why not."""
    status, failure = order["status"], order["failure"] or ""
    if status == OrderStatus.CONFIRMED:
        return order["body"]
    refunded = status == OrderStatus.CANCELLED
    money = {"refunded": refunded}
    outcome = " Your payment has been refunded." if refunded else " Nothing was charged."
    if failure == EVENT_CANCELLED:
        raise EventClosed("This event has been cancelled." + outcome, extra=money)
    if failure == HOLD_LAPSED:
        raise HoldExpired(
            "Your hold lapsed and its seats were taken before the payment went through." + outcome, extra=money
        )
    if status == OrderStatus.FAILED:
        raise PaymentDeclined(
            DECLINE_MESSAGES.get(failure, "The payment did not go through"), extra={"decline_code": failure}
        )
    raise Conflict(f"This order is {status}")


# --- the one way an order moves ------------------------------------------------------------------


async def _settle(order_id: str, *, card: Card | None, deps: Checkout) -> dict:
    """Drive the order until it is confirmed, failed or cancelled; the order as it ended, with its
    public `body`. `card` None: nobody is paying any more (the reconciler, an event's cancellation),
    so an attempt not yet charged is voided instead."""
    for _ in range(8):  # each round is one transition; a lost race is only a re-read
        order = await repository.get_order(order_id)
        status = order["status"]
        if status in LIVE:
            await _step_live(order, card=card, deps=deps)
        elif status == OrderStatus.CANCELLING:
            await _finish_cancelling([order], deps=deps)
        else:
            tickets = (await repository.tickets_of([order_id])).get(order_id, [])
            return {**order, "body": public(order, tickets)}
    raise RuntimeError(f"order {order_id} did not settle")


async def _step_live(order: dict, *, card: Card | None, deps: Checkout) -> None:
    """pending / reconciling: charge (or void), then book the seats and confirm."""
    order_id, event_id = str(order["id"]), str(order["event_id"])
    if not order["payment_ref"]:
        charge = await _charge(order, card=card, deps=deps)
        if charge is not None:
            await repository.record_charge(order_id=order_id, payment_ref=charge.charge_ref)
        return
    try:
        await _book(order, deps=deps)
        if await repository.confirm(order_id=order_id, event_id=event_id):
            await deps.redis.sadd(keys.SEARCH_DIRTY, [event_id])
            ORDERS.labels("confirmed").inc()
    except SeatsTaken:  # Redis gave the seats to another buyer after the hold lapsed: refund
        await repository.start_cancelling(order_ids=[order_id], reason=HOLD_LAPSED, before_start=False)
    except EventClosed:  # charged while the event was being cancelled: refund
        await repository.start_cancelling(order_ids=[order_id], reason=EVENT_CANCELLED, before_start=False)


async def _charge(order: dict, *, card: Card | None, deps: Checkout) -> Charge | None:
    """The charge taken for the order; None when there is none and never will be (the order failed)."""
    order_id = str(order["id"])
    closed = await _event_cancelled(str(order["event_id"]), deps=deps, fresh=card is None)
    try:
        if card is None or closed:
            charge = await deps.provider.void(reference=order_id)
            if charge is None:
                raise Declined(EVENT_CANCELLED if closed else ABANDONED)
            return charge
        return await deps.provider.charge(
            reference=order_id, amount=int(order["total"]), currency=order["currency"], card=card
        )
    except Declined as declined:
        reason = declined.reason
        if reason == VOIDED:  # the reconciler or the event's cancellation gave the attempt up first
            reason = (
                EVENT_CANCELLED if await _event_cancelled(str(order["event_id"]), deps=deps, fresh=True) else ABANDONED
            )
        if await repository.fail(order_id=order_id, reason=reason):
            await deps.holds.end_checkout(event_id=str(order["event_id"]), hold_id=order["hold_id"])
            ORDERS.labels("declined").inc()
        return None


async def _event_cancelled(event_id: str, *, deps: Checkout, fresh: bool) -> bool:
    """A hint that saves a charge that would only be refunded; the guards decide, not this."""
    return (await deps.catalog.get_any(event_id, fresh=fresh)).status == EventStatus.CANCELLED


async def _book(order: dict, *, deps: Checkout) -> None:
    tickets = (await repository.tickets_of([str(order["id"])])).get(str(order["id"]), [])
    await deps.holds.book(
        event_id=str(order["event_id"]),
        hold_id=order["hold_id"],
        user_id=str(order["user_id"]),
        seat_ids=[str(t["seat_id"]) for t in tickets],
    )


async def _finish_cancelling(orders: list[dict], *, deps: Checkout) -> None:
    """cancelling: refund (once per order at the provider), give the seats back in Redis, then write
    cancelled + refund + void tickets in one transaction. Each step may run again after a crash."""
    if not orders:
        return
    ids = [str(o["id"]) for o in orders]
    refund_refs = await _bounded([deps.provider.refund(reference=str(o["id"]), amount=int(o["total"])) for o in orders])
    tickets = await repository.tickets_of(ids)
    await _bounded(
        [
            deps.holds.cancel_seats(
                event_id=str(o["event_id"]),
                user_id=str(o["user_id"]),
                seat_ids=[str(t["seat_id"]) for t in tickets.get(str(o["id"]), [])],
            )
            for o in orders
        ]
    )
    if done := await repository.finish_cancelling(dict(zip(ids, refund_refs, strict=True))):
        await deps.redis.sadd(keys.SEARCH_DIRTY, list({str(o["event_id"]) for o in orders}))
        ORDERS.labels("cancelled").inc(len(done))


# --- reading -------------------------------------------------------------------------------------


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


# --- cancelling ----------------------------------------------------------------------------------


async def cancel_order(*, user_id: str, order_id: str, deps: Checkout) -> dict:
    """Refund, void the tickets, release the seats live (reason 'cancelled'); 409 once the event has
    started. A client that hangs up does not stop it half way (nor would a crash: the reconciler)."""
    status = (await _own_order(user_id, order_id))["status"]
    if status == OrderStatus.CONFIRMED:
        await repository.start_cancelling(order_ids=[order_id], reason=BY_BUYER, before_start=True)
        status = (await repository.get_order(order_id))["status"]
        if status == OrderStatus.CONFIRMED:
            raise EventStarted("The event has started: its orders can no longer be cancelled")
    if status not in (OrderStatus.CANCELLING, OrderStatus.CANCELLED):
        raise Conflict(f"A {status} order cannot be cancelled")
    return (await _uninterrupted(_settle(order_id, card=None, deps=deps)))["body"]


async def settle_cancelled_event(*, event_id: str, deps: Checkout, batch: int = 200) -> int:
    """The job of a cancelled event: close its sale in Redis (holds end, announced), then take every
    order still holding money or seats to failed (never charged) or cancelled (refunded once), a
    batch at a time. Safe to run again after a crash, and on several instances at once; returns
    how many orders it settled. Raises when some could not be settled yet (the job is retried)."""
    await deps.holds.close_event(event_id=event_id)
    deps.catalog.forget(event_id)
    settled, stuck, after = 0, 0, None
    while orders := await repository.unsettled_of_event(event_id=event_id, after=after, limit=batch):
        after = str(orders[-1]["id"])
        ids = [str(o["id"]) for o in orders]
        await repository.start_cancelling(
            order_ids=[i for i, o in zip(ids, orders, strict=True) if o["status"] == OrderStatus.CONFIRMED],
            reason=EVENT_CANCELLED,
            before_start=False,
        )
        current = await repository.get_orders(ids)
        owed = [o for o in current if o["status"] == OrderStatus.CANCELLING]
        live = [str(o["id"]) for o in current if o["status"] in LIVE]
        for failure in await _bounded(
            [_finish_cancelling(owed, deps=deps), *(_settle_for_cancelled_event(i, deps) for i in live)], errors=True
        ):
            if failure is not None:
                log.error("settling orders of a cancelled event failed: %r", failure, extra={"event_id": event_id})
        unsettled = [o for o in await repository.get_orders(ids) if o["status"] not in FINAL]
        stuck, settled = stuck + len(unsettled), settled + len(ids) - len(unsettled)
    if stuck:
        raise RuntimeError(f"{stuck} orders of cancelled event {event_id} are not settled yet")
    return settled


async def _settle_for_cancelled_event(order_id: str, deps: Checkout) -> None:
    for _ in range(3):  # a confirmation that won its race with the cancellation is refunded too
        order = await _settle(order_id, card=None, deps=deps)
        if order["status"] != OrderStatus.CONFIRMED:
            return
        await repository.start_cancelling(order_ids=[order_id], reason=EVENT_CANCELLED, before_start=False)


# --- the reconciler ------------------------------------------------------------------------------


async def reconcile(*, older_than_s: float, deps: Checkout) -> int:
    """Finish the orders left pending, reconciling or cancelling for `older_than_s` (a crash, a lost
    client): charged ones are confirmed, never charged ones fail, owed refunds are made."""
    done = 0
    for order in await repository.claim_unfinished(older_than_s=older_than_s):
        try:
            await _settle(str(order["id"]), card=None, deps=deps)
        except Exception:
            log.exception("reconciling order failed", extra={"order_id": str(order["id"])})
            continue
        done += 1
    return done


# --- helpers -------------------------------------------------------------------------------------


async def _bounded(work: list[Awaitable[T]], *, limit: int = 16, errors: bool = False) -> list:
    """Await all of `work`, at most `limit` at a time; results in order. `errors`: an exception is
    returned in place of its result (else the first one is raised, once all have ended)."""
    gate = asyncio.Semaphore(limit)

    async def one(item: Awaitable[T]):
        async with gate:
            return await item

    outcomes = await asyncio.gather(*(one(w) for w in work), return_exceptions=True)
    if not errors:
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
    return outcomes


async def _uninterrupted(work: Awaitable[T]) -> T:
    """Await `work` to its end even if the caller is cancelled (Sanic cancels the handler of a
    client that hangs up): money moves whole or the order stays where the reconciler finds it."""
    task = asyncio.ensure_future(work)
    _unfinished.add(task)
    task.add_done_callback(_forget)
    return await asyncio.shield(task)


def _forget(task: asyncio.Task) -> None:
    _unfinished.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: the caller, if it did not hang up, raised it already


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
        return paging.read_moment(moment), str(uuid.UUID(order_id))
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("Invalid cursor") from None
