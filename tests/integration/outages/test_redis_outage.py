"""Redis stopped under the running services: holds answer a 503 problem with Retry-After at once, the
event page, orders and search go on (the gateway's limiter lets traffic through), and once Redis is
back the same processes use it again: the holds made before are still there, a hold that lapsed
meanwhile is expired, and a seat stream opened before the outage carries on."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from tests.integration.outages.helpers import (
    Traffic,
    answer_of,
    assert_honest,
    assert_outage_problem,
    hold,
    pay,
    searchable,
    seat_ids,
    service_pids,
    sse_changes,
    until,
)


async def test_with_redis_down_holds_are_a_prompt_503_the_rest_goes_on_and_nothing_held_is_lost(
    stack, api, org, mint, domain
):
    title = f"Redis outage {uuid.uuid4().hex[:8]}"
    event = org.published(title=title)
    seats = seat_ids(api, event["id"])
    holder, earlier = api.new_user(), api.new_user()
    basket = hold(api, holder, event["id"], seats[:2]).json()
    paid = pay(api, earlier, hold(api, earlier, event["id"], seats[2:3]).json()["id"]).json()
    lapsing = await domain.holds.create(user_id=mint().id, event_id=event["id"], seat_ids=[seats[3]], ttl_s=8)
    searchable(api, title)
    pids, key, seen = service_pids(stack), uuid.uuid4().hex, []
    traffic = Traffic(
        {
            "event": lambda: api.get(f"/api/events/{event['id']}"),
            "order": lambda: api.get(f"/api/orders/{paid['id']}", user=earlier),
            "search": lambda: api.get("/api/search/events", params={"q": title}),
            "event page": lambda: api.get(f"/events/{event['id']}"),
            "seats": lambda: api.get(f"/api/events/{event['id']}/seats"),
            "hold": lambda: hold(api, api_user, event["id"], seats[9:10]),
        }
    )
    api_user = api.new_user()
    async with httpx.AsyncClient(base_url=api.base_url, timeout=None) as http:
        async with http.stream("GET", f"/api/events/{event['id']}/seats/stream") as stream:
            listener = asyncio.create_task(sse_changes(stream, seen))
            with traffic:
                stack.stop_redis()
                try:
                    assert_outage_problem(answer_of("hold", lambda: hold(api, api.new_user(), event["id"], seats[5:6])))
                    assert_outage_problem(answer_of("checkout", lambda: pay(api, holder, basket["id"], key)))
                    assert_outage_problem(answer_of("seats", lambda: api.get(f"/api/events/{event['id']}/seats")))
                    page = api.get(f"/events/{event['id']}")
                    assert page.status_code == 200 and "seat map is taking a short break" in page.text, page.text[:300]
                    await asyncio.sleep(max(0.0, lapsing.expires_ms / 1000 - time.time() + 1))  # it lapses meanwhile
                finally:
                    stack.start_redis()
                until(
                    lambda: hold(api, api_user, event["id"], seats[9:10]),
                    lambda r: r.status_code in (201, 409),
                    timeout=15,
                    what="holds never came back",
                )
            order = until(
                lambda: pay(api, holder, basket["id"], key), lambda r: r.status_code == 201, timeout=15
            ).json()
            until(
                lambda: api.get(f"/api/events/{event['id']}/seats"),
                lambda r: {s["id"]: s["status"] for s in r.json()["seats"]}[seats[3]] == "available",
                timeout=10,
                what="the sweeper never expired the hold that lapsed during the outage",
            )
            deadline = time.monotonic() + 10
            while not ({"booked", "released"} <= {c["type"] for c in seen}) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            listener.cancel()
    assert_honest(traffic.answers)
    assert 503 in traffic.statuses("hold") and traffic.statuses("search") == {200}
    assert traffic.statuses("event") == {200} and traffic.statuses("order") == {200}
    assert traffic.statuses("event page") == {200}
    assert order["status"] == "confirmed" and sorted(t["seat_id"] for t in order["tickets"]) == sorted(seats[:2]), (
        "the hold made before the outage was paid whole"
    )
    assert {"type": "released", "seat_ids": [seats[3]], "reason": "expired"} in [
        {k: v for k, v in c.items() if k != "id"} for c in seen
    ], f"the open stream missed the expiry: {seen}"
    assert any(c["type"] == "booked" and set(c["seat_ids"]) == set(seats[:2]) for c in seen), seen
    assert service_pids(stack) == pids, "the services were not restarted"
