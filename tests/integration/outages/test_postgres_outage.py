"""PostgreSQL stopped under the running services: what needs it answers a 503 problem with
Retry-After at once, holds and search go on, and once it is back the same processes use it again and
a checkout retried with its Idempotency-Key makes exactly one order."""

from __future__ import annotations

import uuid

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
    until,
)


def test_with_postgres_down_orders_are_a_prompt_503_holds_and_search_go_on_and_a_retried_checkout_pays_once(
    stack, api, org
):
    title = f"Postgres outage {uuid.uuid4().hex[:8]}"
    event = org.published(title=title)
    seats = seat_ids(api, event["id"])
    earlier, buyer, latecomer = api.new_user(), api.new_user(), api.new_user()
    paid_before = pay(api, earlier, hold(api, earlier, event["id"], seats[:2]).json()["id"])
    assert paid_before.status_code == 201, paid_before.text
    basket = hold(api, buyer, event["id"], seats[2:4]).json()
    searchable(api, title)
    pids, key = service_pids(stack), uuid.uuid4().hex
    traffic = Traffic(
        {
            "event": lambda: api.get(f"/api/events/{event['id']}"),
            "orders": lambda: api.get("/api/orders", user=earlier),
            "seats": lambda: api.get(f"/api/events/{event['id']}/seats"),
            "search": lambda: api.get("/api/search/events", params={"q": title}),
            "event page": lambda: api.get(f"/events/{event['id']}"),
        }
    )
    with traffic:
        stack.stop_postgres()
        try:
            assert_outage_problem(answer_of("checkout", lambda: pay(api, buyer, basket["id"], key)))
            assert_outage_problem(answer_of("event", lambda: api.get(f"/api/events/{event['id']}")))
            page = answer_of("event page", lambda: api.get(f"/events/{event['id']}"))
            assert (page.status, page.content_type.split(";")[0]) == (503, "text/html") and page.retry_after, page
            late = hold(api, latecomer, event["id"], seats[4:5])  # booking's copy of the event suffices
            assert late.status_code == 201, late.text
            assert api.get("/api/search/events", params={"q": title}).status_code == 200
            until(lambda: api.get("/api/orders", user=earlier), lambda r: r.status_code == 503, timeout=10)
        finally:
            stack.start_postgres()
        order = until(
            lambda: pay(api, buyer, basket["id"], key),
            lambda r: r.status_code == 201,
            timeout=30,
            what="the checkout never went through once PostgreSQL was back",
        ).json()
        until(lambda: api.get("/api/orders", user=earlier), lambda r: r.status_code == 200, timeout=10)
    assert_honest(traffic.answers)
    assert 503 in traffic.statuses("event") and 503 in traffic.statuses("orders"), "the outage was not seen"
    assert traffic.statuses("seats") == {200} and traffic.statuses("search") == {200}
    replayed = pay(api, buyer, basket["id"], key)
    assert (replayed.status_code, replayed.json()["id"], replayed.headers.get("idempotent-replayed")) == (
        201,
        order["id"],
        "true",
    )
    mine = [o for o in api.get("/api/orders", user=buyer).json()["items"] if o["hold_id"] == basket["id"]]
    assert [(o["id"], o["status"]) for o in mine] == [(order["id"], "confirmed")], "exactly one order"
    before = api.get(f"/api/orders/{paid_before.json()['id']}", user=earlier).json()
    assert before["status"] == "confirmed", "an order made before the outage is kept"
    assert pay(api, latecomer, late.json()["id"]).status_code == 201, "a hold made during the outage can be paid"
    assert service_pids(stack) == pids, "the services were not restarted"
