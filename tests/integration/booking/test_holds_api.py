"""Holds through nginx -> gateway -> booking: all or nothing, one per buyer, caps, sale window, privacy."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.integration.booking.factories import make_event, set_event
from tests.support import assert_problem


def statuses(api, event_id, user=None) -> dict[str, tuple[str, bool]]:
    body = api.get(f"/api/events/{event_id}/seats", user=user).json()
    return {s["id"]: (s["status"], s["mine"]) for s in body["seats"]}


async def test_holding_seats_by_id_answers_the_hold_and_shows_them_held_and_mine(api, mint, event):
    buyer, other = mint(), mint()
    seats = event.rows["A"][:2]
    created = api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": seats})
    assert created.status_code == 201, created.text
    hold = created.json()
    assert hold["event_id"] == event.id and hold["seat_ids"] == seats and hold["expires_at"].endswith("Z")
    assert api.get(f"/api/holds/{hold['id']}", user=buyer).json() == hold
    assert statuses(api, event.id, buyer)[seats[0]] == ("held", True)
    assert statuses(api, event.id, other)[seats[0]] == ("held", False)


async def test_a_conflict_on_one_seat_holds_none_and_names_the_taken_seat(api, mint, event):
    first, second = mint(), mint()
    a = event.rows["A"]
    assert api.post("/api/holds", user=first, json={"event_id": event.id, "seat_ids": [a[2]]}).status_code == 201
    answer = api.post("/api/holds", user=second, json={"event_id": event.id, "seat_ids": [a[0], a[1], a[2]]})
    assert assert_problem(answer, 409)["conflicting_seat_ids"] == [a[2]]
    seen = statuses(api, event.id, second)
    assert seen[a[0]] == ("available", False) and seen[a[1]] == ("available", False)


async def test_a_buyer_has_one_hold_per_event_and_the_409_names_it(api, mint, event):
    buyer = mint()
    hold = api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": [event.rows["A"][0]]}).json()
    again = api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": [event.rows["A"][5]]})
    assert assert_problem(again, 409)["hold_id"] == hold["id"]


async def test_more_seats_than_max_tickets_per_order_is_422_also_across_add(api, mint, domain):
    small = await make_event(rows=[("A", 10, "standard")], max_tickets_per_order=3)
    buyer = mint()
    assert_problem(
        api.post("/api/holds", user=buyer, json={"event_id": small.id, "seat_ids": small.rows["A"][:4]}), 422
    )
    hold = api.post("/api/holds", user=buyer, json={"event_id": small.id, "seat_ids": small.rows["A"][:2]}).json()
    too_many = api.post(f"/api/holds/{hold['id']}/seats", user=buyer, json={"seat_ids": small.rows["A"][2:4]})
    assert_problem(too_many, 422)


async def test_holds_are_refused_with_403_outside_the_sale_window(api, mint, domain):
    later = await make_event(on_sale_at=datetime.now(UTC) + timedelta(days=1))
    draft = await make_event(status="draft")
    ended = await make_event()
    await set_event(
        ended.id, starts_at=datetime.now(UTC) - timedelta(hours=3), ends_at=datetime.now(UTC) - timedelta(hours=1)
    )
    buyer = mint()
    for made in (later, draft, ended):
        answer = api.post("/api/holds", user=buyer, json={"event_id": made.id, "seat_ids": made.seat_ids[:1]})
        assert_problem(answer, 403)


async def test_another_buyers_hold_does_not_exist_for_you(api, mint, event):
    owner, stranger = mint(), mint()
    hold = api.post("/api/holds", user=owner, json={"event_id": event.id, "seat_ids": event.rows["A"][:2]}).json()
    hid = hold["id"]
    assert_problem(api.get(f"/api/holds/{hid}", user=stranger), 404)
    assert_problem(api.delete(f"/api/holds/{hid}", user=stranger), 404)
    assert_problem(api.post(f"/api/holds/{hid}/extend", user=stranger), 404)
    assert_problem(api.post(f"/api/holds/{hid}/seats", user=stranger, json={"seat_ids": [event.rows["A"][5]]}), 404)
    assert_problem(api.delete(f"/api/holds/{hid}/seats/{event.rows['A'][0]}", user=stranger), 404)
    assert api.get(f"/api/holds/{hid}", user=owner).status_code == 200


async def test_add_drop_extend_once_and_release(api, mint, event, domain):
    buyer = mint()
    a = event.rows["A"]
    hold = api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": [a[0]]}).json()
    hid = hold["id"]
    added = api.post(f"/api/holds/{hid}/seats", user=buyer, json={"seat_ids": [a[1], a[2]]})
    assert added.status_code == 200 and added.json()["seat_ids"] == [a[0], a[1], a[2]]
    dropped = api.delete(f"/api/holds/{hid}/seats/{a[1]}", user=buyer)
    assert dropped.status_code == 200 and dropped.json()["seat_ids"] == [a[0], a[2]]
    extended = api.post(f"/api/holds/{hid}/extend", user=buyer)
    assert extended.status_code == 200
    assert extended.json()["expires_at"] > hold["expires_at"]
    assert_problem(api.post(f"/api/holds/{hid}/extend", user=buyer), 409)
    assert api.delete(f"/api/holds/{hid}", user=buyer).status_code == 204
    assert all(statuses(api, event.id)[s] == ("available", False) for s in a[:3])
    assert_problem(api.get(f"/api/holds/{hid}", user=buyer), 404)


async def test_unknown_seat_ids_and_bad_bodies_are_422(api, mint, event):
    buyer = mint()
    assert_problem(api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": ["999999999"]}), 422)
    assert_problem(api.post("/api/holds", user=buyer, json={"event_id": event.id}), 422)
    assert_problem(api.post("/api/holds", user=buyer, json={"event_id": event.id, "quantity": 2, "user_id": "x"}), 422)


async def test_holds_need_a_logged_in_buyer(api, event):
    assert_problem(api.post("/api/holds", json={"event_id": event.id, "seat_ids": event.rows["A"][:1]}), 401)


async def test_current_is_the_buyers_live_hold_at_the_event_and_none_once_released_or_lapsed(domain, event):
    user, other = str(uuid.uuid4()), str(uuid.uuid4())
    assert await domain.holds.current(event_id=event.id, user_id=user) is None
    hold = await domain.holds.create(user_id=user, event_id=event.id, seat_ids=[event.rows["A"][0]])
    assert await domain.holds.current(event_id=event.id, user_id=user) == hold
    assert await domain.holds.current(event_id=event.id, user_id=other) is None
    await domain.holds.release(user_id=user, hold_id=hold.id)
    assert await domain.holds.current(event_id=event.id, user_id=user) is None
    short = await domain.holds.create(user_id=user, event_id=event.id, seat_ids=[event.rows["A"][1]], ttl_s=1)
    assert await domain.holds.current(event_id=event.id, user_id=user) == short
    await asyncio.sleep(1.2)
    assert await domain.holds.current(event_id=event.id, user_id=user) is None


def test_the_seat_map_page_shows_the_buyers_live_hold_in_the_basket(stack, api, mint, event):
    buyer = mint()
    hold = api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": [event.rows["A"][2]]}).json()
    page = httpx.get(f"http://127.0.0.1:{stack.ports.http}/events/{event.id}", cookies={"bo_session": buyer.token})
    assert page.status_code == 200 and f'href="/checkout/{hold["id"]}"' in page.text
    stranger = httpx.get(f"http://127.0.0.1:{stack.ports.http}/events/{event.id}", cookies={"bo_session": mint().token})
    assert stranger.status_code == 200 and hold["id"] not in stranger.text
