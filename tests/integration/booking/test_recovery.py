"""Redis is a cache of PostgreSQL; a checkout that stops anywhere is finished or undone."""

from __future__ import annotations

import uuid

import pytest

from boxoffice.domain.orders import repository
from boxoffice.domain.orders import service as orders
from boxoffice.domain.orders.schemas import OrderRequest
from boxoffice.domain.payments.provider import Card
from boxoffice.errors import SeatsTaken
from boxoffice.services.common.validation import validate
from tests.integration.booking.conftest import GOOD_CARD
from tests.integration.booking.test_orders_api import hold_seats, pay, seat_status
from tests.support import assert_problem

CARD = Card("4242424242424242", "12/39", "123")


async def test_after_redis_is_flushed_mid_sale_sold_seats_stay_sold(api, mint, event, domain):
    buyer, late = mint(), mint()
    seat = event.rows["A"][0]
    assert pay(api, buyer, hold_seats(api, buyer, event, [seat])["id"]).status_code == 201
    await domain.redis.flushdb()
    assert seat_status(api, event.id, seat) == "booked"
    answer = api.post("/api/holds", user=late, json={"event_id": event.id, "seat_ids": [seat]})
    assert assert_problem(answer, 409)["conflicting_seat_ids"] == [seat]


async def test_postgres_refuses_a_second_valid_ticket_even_when_redis_lets_a_hold_through(mint, event, domain):
    seat = event.rows["B"][0]
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    hold = await domain.holds.create(user_id=first, event_id=event.id, seat_ids=[seat])
    await orders.place_order(user_id=first, hold_id=hold.id, card=CARD, deps=domain.checkout)
    await domain.redis.hdel(f"seats:{{ev:{event.id}}}:state", [seat])  # Redis forgets the sale
    other = await domain.holds.create(user_id=second, event_id=event.id, seat_ids=[seat])
    with pytest.raises(SeatsTaken) as taken:
        await orders.place_order(user_id=second, hold_id=other.id, card=CARD, deps=domain.checkout)
    assert taken.value.extra["conflicting_seat_ids"] == [seat]
    assert await repository.sold_among(event.id, [seat]) == [seat]


async def test_a_checkout_that_stopped_after_the_charge_is_confirmed_by_the_reconciler(mint, event, domain):
    user = str(uuid.uuid4())
    seat = event.rows["B"][1]
    hold = await domain.holds.begin_checkout(
        user_id=user, hold_id=(await domain.holds.create(user_id=user, event_id=event.id, seat_ids=[seat])).id
    )
    order_id = await repository.create_pending(
        user_id=user, event_id=event.id, hold_id=hold.id, prices={seat: 5000}, currency="EUR", provider="simulated"
    )
    await domain.checkout.provider.charge(reference=order_id, amount=5000, currency="EUR", card=CARD)
    # ... the process dies here: no payment_ref recorded, Redis not told, order pending
    assert await orders.reconcile(older_than_s=0, deps=domain.checkout) >= 1
    order = await repository.get_order(order_id)
    assert order["status"] == "confirmed" and order["payment_ref"]
    snapshot = await domain.holds.snapshot(event_id=event.id, user_id=user)
    assert {s["id"]: s["status"] for s in snapshot["seats"]}[seat] == "booked"


async def test_a_checkout_that_stopped_before_the_charge_is_undone_by_the_reconciler(mint, event, domain):
    user = str(uuid.uuid4())
    seat = event.rows["B"][2]
    hold = await domain.holds.create(user_id=user, event_id=event.id, seat_ids=[seat])
    order_id = await repository.create_pending(
        user_id=user, event_id=event.id, hold_id=hold.id, prices={seat: 5000}, currency="EUR", provider="simulated"
    )
    await orders.reconcile(older_than_s=0, deps=domain.checkout)
    order = await repository.get_order(order_id)
    assert order["status"] == "failed"
    assert await repository.sold_among(event.id, [seat]) == []


async def test_a_retry_after_a_crash_with_the_same_key_finishes_the_same_order(api, mint, event, domain):
    buyer = mint()
    hold = hold_seats(api, buyer, event, [event.rows["B"][3]])
    key = uuid.uuid4().hex
    from boxoffice.domain.orders import idempotency

    body = {"hold_id": hold["id"], "payment": GOOD_CARD}
    # the first attempt took the key and wrote the order, then its process died (lock lapsed)
    await idempotency.begin(
        user_id=buyer.id,
        key=key,
        ttl_s=60,
        lock_s=0,
        request_hash=domain.checkout.idempotency.fingerprint(validate(OrderRequest, body).fingerprinted()),
    )
    await domain.holds.begin_checkout(user_id=buyer.id, hold_id=hold["id"])
    order_id = await repository.create_pending(
        user_id=buyer.id,
        event_id=event.id,
        hold_id=hold["id"],
        prices={event.rows["B"][3]: 5000},
        currency="EUR",
        provider="simulated",
    )
    answer = api.post("/api/orders", user=buyer, json=body, headers={"Idempotency-Key": key})
    assert answer.status_code == 201, answer.text
    assert answer.json()["id"] == order_id and answer.json()["status"] == "confirmed"
