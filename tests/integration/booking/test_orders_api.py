"""Orders through nginx: pay once (Idempotency-Key), test cards, expiry, privacy, listing, cancel."""

from __future__ import annotations

import asyncio
import json
import re
import uuid

from boxoffice.domain.orders import idempotency
from boxoffice.domain.orders.schemas import OrderRequest
from boxoffice.services.common.validation import validate
from tests.integration.booking.conftest import DECLINED_CARD, GOOD_CARD, POOR_CARD
from tests.integration.booking.test_seat_stream import client, read_sse
from tests.support import assert_problem


def hold_seats(api, buyer, event, seats) -> dict:
    answer = api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": seats})
    assert answer.status_code == 201, answer.text
    return answer.json()


def pay(api, buyer, hold_id, card=GOOD_CARD, key=None):
    return api.post(
        "/api/orders",
        user=buyer,
        json={"hold_id": hold_id, "payment": card},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def seat_status(api, event_id, seat_id) -> str:
    seats = api.get(f"/api/events/{event_id}/seats").json()["seats"]
    return {s["id"]: s["status"] for s in seats}[seat_id]


async def test_paying_for_a_hold_confirms_the_order_with_unguessable_tickets_and_books_the_seats(api, mint, event):
    buyer = mint()
    seats = event.rows["A"][:2]
    hold = hold_seats(api, buyer, event, seats)
    answer = pay(api, buyer, hold["id"])
    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert order["status"] == "confirmed" and order["event_id"] == event.id
    assert order["total"] == 10000 and order["currency"] == "EUR"
    assert [t["seat_id"] for t in order["tickets"]] == seats
    assert [t["label"] for t in order["tickets"]] == ["A-1", "A-2"]
    codes = [t["code"] for t in order["tickets"]]
    assert len(set(codes)) == 2 and all(len(c) >= 20 for c in codes)
    assert seat_status(api, event.id, seats[0]) == "booked"
    assert_problem(api.get(f"/api/holds/{hold['id']}", user=buyer), 404)
    assert api.get(f"/api/orders/{order['id']}", user=buyer).json() == order


async def test_idempotency_key_matrix(api, mint, event, domain):
    buyer = mint()
    hold = hold_seats(api, buyer, event, [event.rows["A"][4]])
    assert_problem(api.post("/api/orders", user=buyer, json={"hold_id": hold["id"], "payment": GOOD_CARD}), 400)
    key = uuid.uuid4().hex
    first = pay(api, buyer, hold["id"], key=key)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    replay = pay(api, buyer, hold["id"], key=key)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    other_body = pay(api, buyer, hold["id"], card={**GOOD_CARD, "expiry": "11/39"}, key=key)
    assert_problem(other_body, 422)
    # keys belong to their user: another buyer's same key is a fresh request of theirs
    stranger = mint()
    assert_problem(pay(api, stranger, hold["id"], key=key), 404)
    # the same key while the first request still runs
    running = uuid.uuid4().hex
    body = {"hold_id": "x", "payment": GOOD_CARD}
    await idempotency.begin(
        user_id=buyer.id,
        key=running,
        ttl_s=60,
        lock_s=60,
        request_hash=domain.checkout.idempotency.fingerprint(validate(OrderRequest, body).fingerprinted()),
    )
    in_flight = api.post("/api/orders", user=buyer, json=body, headers={"Idempotency-Key": running})
    assert_problem(in_flight, 409)


async def test_concurrent_requests_with_one_key_charge_once(stack, mint, event):
    buyer = mint()
    async with client(stack) as http:
        hold = (
            await http.post(
                "/api/holds",
                json={"event_id": event.id, "seat_ids": [event.rows["B"][0]]},
                headers={"Authorization": f"Bearer {buyer.token}"},
            )
        ).json()
        key = uuid.uuid4().hex
        answers = await asyncio.gather(
            *(
                http.post(
                    "/api/orders",
                    json={"hold_id": hold["id"], "payment": GOOD_CARD},
                    headers={"Authorization": f"Bearer {buyer.token}", "Idempotency-Key": key},
                )
                for _ in range(5)
            )
        )
        listed = (await http.get("/api/orders", headers={"Authorization": f"Bearer {buyer.token}"})).json()
    assert {a.status_code for a in answers} <= {201, 409}
    assert any(a.status_code == 201 for a in answers)
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
    assert len(listed["items"]) == 1


async def test_a_declined_card_is_402_and_the_hold_stays_for_another_try(api, mint, event):
    buyer = mint()
    hold = hold_seats(api, buyer, event, [event.rows["A"][6]])
    declined = assert_problem(pay(api, buyer, hold["id"], card=DECLINED_CARD), 402)
    assert declined["decline_code"] == "card_declined"
    assert api.get(f"/api/holds/{hold['id']}", user=buyer).status_code == 200
    assert seat_status(api, event.id, event.rows["A"][6]) == "held"
    poor = assert_problem(pay(api, buyer, hold["id"], card=POOR_CARD), 402)
    assert poor["decline_code"] == "insufficient_funds"
    assert pay(api, buyer, hold["id"]).status_code == 201


async def test_card_details_are_checked_before_any_charge(api, mint, event):
    buyer = mint()
    hold = hold_seats(api, buyer, event, [event.rows["A"][7]])
    for bad, field in (
        (dict(card_number="4242424242424241"), "payment.card_number"),
        (dict(expiry="01/20"), "payment.expiry"),
        (dict(expiry="13/39"), "payment.expiry"),
        (dict(cvc="12"), "payment.cvc"),
    ):
        body = assert_problem(pay(api, buyer, hold["id"], card={**GOOD_CARD, **bad}), 422)
        assert field in [e["field"] for e in body["errors"]]
    assert api.get(f"/api/holds/{hold['id']}", user=buyer).status_code == 200


async def test_paying_for_a_lapsed_hold_is_410(api, mint, event, domain):
    buyer = mint()
    hold = await domain.holds.create(user_id=buyer.id, event_id=event.id, seat_ids=[event.rows["B"][5]], ttl_s=0.2)
    await asyncio.sleep(0.4)
    assert_problem(pay(api, buyer, hold.id), 410)


async def test_another_buyers_order_and_hold_are_404(api, mint, event):
    buyer, stranger = mint(), mint()
    hold = hold_seats(api, buyer, event, [event.rows["B"][8]])
    assert_problem(pay(api, stranger, hold["id"]), 404)
    order = pay(api, buyer, hold["id"]).json()
    assert_problem(api.get(f"/api/orders/{order['id']}", user=stranger), 404)
    assert_problem(api.post(f"/api/orders/{order['id']}/cancel", user=stranger), 404)
    assert_problem(api.get("/api/orders/not-an-id", user=stranger), 404)
    assert api.get("/api/orders", user=stranger).json() == {"items": [], "next": None}


async def test_orders_are_listed_newest_first_with_a_next_cursor(api, mint, domain):
    from tests.integration.booking.factories import make_event

    buyer = mint()
    made = [await make_event() for _ in range(3)]
    ids = []
    for m in made:
        ids.append(pay(api, buyer, hold_seats(api, buyer, m, m.seat_ids[:1])["id"]).json()["id"])
    first = api.get("/api/orders", user=buyer, params={"limit": 2}).json()
    second = api.get("/api/orders", user=buyer, params={"limit": 2, "cursor": first["next"]}).json()
    assert [o["id"] for o in first["items"] + second["items"]] == ids[::-1]
    assert second["next"] is None
    assert_problem(api.get("/api/orders", user=buyer, params={"limit": 101}), 422)


async def test_cancelling_refunds_voids_tickets_and_releases_the_seats_live(stack, api, mint, event):
    buyer = mint()
    seats = event.rows["C"][:2]
    order = pay(api, buyer, hold_seats(api, buyer, event, seats)["id"]).json()
    async with client(stack) as http:
        async with http.stream("GET", f"/api/events/{event.id}/seats/stream") as r:
            await asyncio.sleep(0.2)
            cancelled = api.post(f"/api/orders/{order['id']}/cancel", user=buyer)
            [message] = await read_sse(r, 1)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert {t["status"] for t in cancelled.json()["tickets"]} == {"void"}
    assert json.loads(message["data"]) == {"type": "released", "seat_ids": seats, "reason": "cancelled"}
    assert seat_status(api, event.id, seats[0]) == "available"
    # the seats can be sold again
    again = mint()
    assert pay(api, again, hold_seats(api, again, event, seats)["id"]).status_code == 201


async def test_sales_reach_the_search_outbox_as_available_seats(api, mint, event, domain):
    from tortoise.connection import get_connection

    buyer = mint()
    pay(api, buyer, hold_seats(api, buyer, event, event.rows["B"][2:4])["id"])
    rows = []
    for _ in range(30):
        rows = await get_connection("default").execute_query_dict(
            "SELECT version, payload FROM outbox WHERE aggregate_id = $1 AND kind = 'event.upserted'"
            " ORDER BY id DESC LIMIT 1",
            [event.id],
        )
        if rows:
            break
        await asyncio.sleep(0.2)
    payload = rows[0]["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert payload["available_seats"] == 26 - 2
    assert rows[0]["version"] >= 2


async def test_a_buyers_order_list_is_served_by_a_user_id_created_at_index(domain):
    from tortoise.connection import get_connection

    rows = await get_connection("default").execute_query_dict(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'orders'"
    )
    assert any(re.search(r"\(user_id, created_at\)", r["indexdef"]) for r in rows), rows
