"""The seat scripts' contract with Redis: they touch only the keys they are given, booking never takes
a seat from another buyer, and a closed event holds and sells nothing more."""

from __future__ import annotations

import time
import uuid

import pytest
from coredis.exceptions import AuthorizationError, ResponseError

from boxoffice import keys
from boxoffice.domain.holds.scripts import SeatScripts
from boxoffice.domain.orders import repository
from boxoffice.domain.orders import service as orders
from boxoffice.domain.payments.provider import Card
from boxoffice.errors import EventClosed, HoldExpired
from boxoffice.infra.redis import RedisClient
from tests.integration.booking.factories import make_event, set_event

CARD = Card("4242424242424242", "12/39", "123")


@pytest.fixture
async def confined(domain):
    """A second Redis client logged in as a user that may touch one event's keys (keys.event_keys)
    and nothing else: a script reaching any other key fails with NOPERM."""
    made = await make_event(rows=[("A", 6, "standard"), ("B", 6, "vip")], prices={"standard": 5000, "vip": 9000})
    await domain.holds.ensure_loaded(made.id)  # layout and booked seats, loaded as usual
    name, password = f"scripts-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    patterns = [f"~{key}" for key in keys.event_keys(made.id)]
    await domain.redis.acl_setuser(name, "on", f">{password}", "+@all", *patterns)
    url = domain.config.redis_url.replace("redis://", f"redis://{name}:{password}@", 1)
    client = RedisClient(url)
    await client.start()
    yield made, SeatScripts(client.client, maxlen=1000), client.client
    await client.stop()
    await domain.redis.acl_deluser([name])


async def test_every_seat_script_touches_only_the_event_keys_it_is_given(confined):
    made, scripts, client = confined
    with pytest.raises((AuthorizationError, ResponseError), match="(?i)noperm|permission"):
        await client.get(keys.HOLD_EXPIRIES)  # the confinement has teeth
    a, b, standard = str(uuid.uuid4()), str(uuid.uuid4()), made.rows["A"]
    hold_a, hold_b = f"{made.id}.{'a' * 16}", f"{made.id}.{'b' * 16}"
    assert (await scripts.create_hold(made.id, hold_a, a, ttl_ms=60_000, cap=8, seat_ids=standard[:2]))[0] == "ok"
    assert (await scripts.create_hold(made.id, hold_b, b, ttl_ms=60_000, cap=8, quantity=2, category="vip"))[0] == "ok"
    assert (await scripts.create_hold(made.id, f"{made.id}.{'c' * 16}", a, ttl_ms=1, cap=8, quantity=1))[0] == "exists"
    assert (await scripts.add_seats(made.id, hold_a, a, standard[2:3], cap=8))[0] == "ok"
    assert (await scripts.drop_seat(made.id, hold_a, a, standard[2]))[0] == "ok"
    assert (await scripts.extend(made.id, hold_a, a, extend_ms=1000, max_lifetime_ms=120_000))[0] == "ok"
    assert (await scripts.snapshot(made.id, a))[2] == hold_a
    assert (await scripts.begin_checkout(made.id, hold_a, a, lease_ms=5000))[0] == "ok"
    assert await scripts.end_checkout(made.id, hold_a) == [1]
    assert (await scripts.book(made.id, hold_a, a, standard[:2]))[0] == "ok"
    assert (await scripts.cancel(made.id, a, standard[:1]))[0] == "ok"
    lapsing = f"{made.id}.{'d' * 16}"
    assert (await scripts.create_hold(made.id, lapsing, str(uuid.uuid4()), ttl_ms=1, cap=8, quantity=1))[0] == "ok"
    time.sleep(0.01)
    assert (await scripts.sweep(made.id))[0] == 1
    assert (await scripts.release(made.id, hold_b, b))[0] == "ok"
    assert (await scripts.close(made.id))[0] == "ok"
    assert (await scripts.load(made.id, rows=[], booked=[], force=True, closed=True))[0] == 1


async def test_booking_refuses_a_seat_another_buyer_holds_now_and_the_late_order_is_refunded(mint, event, domain, api):
    late, other = str(uuid.uuid4()), mint()
    seat = event.rows["C"][0]
    hold = await domain.holds.create(user_id=late, event_id=event.id, seat_ids=[seat])
    await domain.holds.begin_checkout(user_id=late, hold_id=hold.id)
    order_id = await repository.create_pending(
        user_id=late, event_id=event.id, hold_id=hold.id, prices={seat: 9000}, currency="EUR", provider="simulated"
    )
    await domain.checkout.provider.charge(reference=order_id, amount=9000, currency="EUR", card=CARD)
    # ... the checkout stalls past its lease: the hold lapses and another buyer takes the seat
    past = str(int(time.time() * 1000) - 1)
    await domain.redis.hset(
        keys.holds(event.id), {keys.hold_field(hold.id, "expires"): past, keys.hold_field(hold.id, "checkout"): past}
    )
    await domain.redis.zadd(keys.hold_expiries(event.id), {hold.id: 1})
    await domain.holds.scripts.sweep(event.id)
    taken = api.post("/api/holds", user=other, json={"event_id": event.id, "seat_ids": [seat]})
    assert taken.status_code == 201, taken.text
    with pytest.raises(HoldExpired):
        await orders.place_order(user_id=late, hold_id=hold.id, card=CARD, deps=domain.checkout)
    order = await repository.get_order(order_id)
    assert order["status"] == "cancelled" and order["failure"] == "hold_lapsed"
    assert (await domain.checkout.provider.lookup(reference=order_id)).charge_ref  # charged once ...
    assert (
        order["refund_ref"] == (await domain.checkout.provider.refunded(reference=order_id))["refund_ref"]
    )  # ... refunded
    snapshot = await domain.holds.snapshot(event_id=event.id, user_id=other.id)
    assert {s["id"]: (s["status"], s["mine"]) for s in snapshot["seats"]}[seat] == ("held", True)
    paid = api.post(
        "/api/orders",
        user=other,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={
            "hold_id": taken.json()["id"],
            "payment": {"method": "card", "card_number": "4242424242424242", "expiry": "12/39", "cvc": "123"},
        },
    )
    assert paid.status_code == 201, paid.text


async def test_closing_an_event_ends_every_hold_and_refuses_holds_checkouts_and_bookings(event, domain):
    buyer, other = str(uuid.uuid4()), str(uuid.uuid4())
    first = await domain.holds.create(user_id=buyer, event_id=event.id, seat_ids=event.rows["A"][:2])
    paying = await domain.holds.create(user_id=other, event_id=event.id, seat_ids=event.rows["B"][:1])
    await domain.holds.begin_checkout(user_id=other, hold_id=paying.id)
    before = await domain.redis.xrevrange(keys.seat_changes(event.id), count=1)
    assert await domain.holds.close_event(event_id=event.id) == 2
    assert await domain.holds.close_event(event_id=event.id) == 0  # idempotent
    after = await domain.redis.xrange(keys.seat_changes(event.id), start=before[0].identifier)
    released = [dict(entry.field_values) for entry in after[1:]]
    assert released == [
        {"type": "released", "seats": ",".join(event.rows["A"][:2] + event.rows["B"][:1]), "reason": "cancelled"}
    ]
    snapshot = await domain.holds.snapshot(event_id=event.id, user_id=buyer)
    assert {s["status"] for s in snapshot["seats"]} == {"available"}
    with pytest.raises(EventClosed):
        await domain.holds.create(user_id=buyer, event_id=event.id, seat_ids=event.rows["C"][:1])
    with pytest.raises(EventClosed):
        await domain.holds.begin_checkout(user_id=buyer, hold_id=first.id)
    with pytest.raises(EventClosed):
        await domain.holds.book(event_id=event.id, hold_id=paying.id, user_id=other, seat_ids=event.rows["B"][:1])


async def test_a_cancelled_event_stays_closed_when_redis_is_rebuilt_from_postgresql(domain):
    made = await make_event()
    await domain.holds.ensure_loaded(made.id)
    await set_event(made.id, status="cancelled", version=2)
    await domain.redis.delete(list(keys.event_keys(made.id)))
    domain.holds.catalog.forget(made.id)
    with pytest.raises(EventClosed):
        await domain.holds.create(user_id=str(uuid.uuid4()), event_id=made.id, seat_ids=made.rows["A"][:1])
    await domain.holds.ensure_loaded(made.id)
    assert await domain.redis.exists([keys.event_keys(made.id)[keys.EVENT_KEY_PARTS.index("closed")]]) == 1
    answer = await domain.holds.scripts.create_hold(
        made.id, f"{made.id}.{'e' * 16}", str(uuid.uuid4()), ttl_ms=60_000, cap=8, seat_ids=made.rows["A"][:1]
    )
    assert answer == ["closed"]
