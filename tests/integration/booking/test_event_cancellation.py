"""Cancelling an event stops its sale at once and refunds every order exactly once, through nginx on
the test stack: the organizer's `POST /api/events/{id}/cancel`, the booking service's job runner."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from boxoffice.domain.jobs import repository as jobs
from boxoffice.domain.jobs.runner import JobRunner, JobSettings
from boxoffice.domain.orders import repository
from boxoffice.domain.orders import service as orders
from boxoffice.errors import EventClosed
from tests.integration.booking.factories import make_event, set_event
from tests.integration.booking.test_order_states import CARD, Crash, Gate, Provider, assert_consistent, stop_after
from tests.integration.booking.test_orders_api import hold_seats, pay
from tests.integration.booking.test_seat_stream import client, read_sse
from tests.support import assert_problem

SETTLE_WITHIN_S = 30


async def organizer_event(mint):
    organizer = mint("organizer")
    return organizer, await make_event(rows=[("A", 10, "standard"), ("B", 10, "standard")], owner=organizer.id)


def buy(api, mint, event, seats) -> dict:
    buyer = mint()
    answer = pay(api, buyer, hold_seats(api, buyer, event, seats)["id"])
    assert answer.status_code == 201, answer.text
    return answer.json()


async def changes_since(stack, event_id: str, cursor: str, want: int) -> list[dict]:
    async with client(stack) as http:
        async with http.stream("GET", f"/api/events/{event_id}/seats/stream", headers={"Last-Event-ID": cursor}) as r:
            return [json.loads(m["data"]) for m in await read_sse(r, want, timeout=SETTLE_WITHIN_S)]


async def orders_of_event(event_id: str) -> list[dict]:
    return await get_connection("default").execute_query_dict(
        "SELECT id, status, total, refund_ref, payment_ref FROM orders WHERE event_id = $1", [event_id]
    )


async def jobs_of(subject: str) -> list[tuple[str, str]]:
    rows = await get_connection("default").execute_query_dict(
        "SELECT kind, status FROM jobs WHERE subject = $1 ORDER BY id", [subject]
    )
    return [(r["kind"], r["status"]) for r in rows]


async def wait_until_all(event_id: str, status: str, timeout: float = SETTLE_WITHIN_S) -> None:
    t0 = time.monotonic()
    while {o["status"] for o in await orders_of_event(event_id)} != {status}:
        assert time.monotonic() - t0 < timeout, await orders_of_event(event_id)
        await asyncio.sleep(0.2)


async def wait_until_settled(api, buyers_orders: list[tuple], timeout: float = SETTLE_WITHIN_S) -> float:
    """Seconds until every order reads `cancelled` through the API."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if all(api.get(f"/api/orders/{o['id']}", user=b).json()["status"] == "cancelled" for b, o in buyers_orders):
            return time.monotonic() - t0
        await asyncio.sleep(0.2)
    pytest.fail(f"orders not cancelled within {timeout} s")


async def assert_refunded_once(domain, order: dict) -> None:
    refund = await domain.checkout.provider.refunded(reference=order["id"])
    row = await repository.get_order(order["id"])
    assert refund == {"refund_ref": row["refund_ref"], "amount": order["total"]}
    assert {t["status"] for t in (await repository.tickets_of([order["id"]]))[order["id"]]} == {"void"}


async def test_cancelling_an_event_ends_its_holds_live_and_refuses_new_holds_and_payments(stack, api, mint, domain):
    organizer, event = await organizer_event(mint)
    buyer, late = mint(), mint()
    held = event.rows["A"][:2]
    hold = hold_seats(api, buyer, event, held)
    cursor = api.get(f"/api/events/{event.id}/seats").json()["cursor"]
    assert api.post(f"/api/events/{event.id}/cancel", user=organizer).status_code == 200
    assert await changes_since(stack, event.id, cursor, 1) == [
        {"type": "released", "seat_ids": held, "reason": "cancelled"}
    ]
    assert_problem(
        api.post("/api/holds", user=late, json={"event_id": event.id, "seat_ids": [event.rows["A"][5]]}), 409
    )
    assert_problem(pay(api, buyer, hold["id"]), 409)
    for order in await orders_of_event(event.id):  # nothing charged, whatever was written
        charge = await domain.checkout.provider.lookup(reference=str(order["id"]))
        assert order["status"] != "confirmed" and not (charge and charge.charge_ref)


async def test_a_payment_under_way_when_the_event_is_cancelled_is_not_captured(api, mint, domain):
    organizer, event = await organizer_event(mint)
    buyer = mint()
    hold = hold_seats(api, buyer, event, event.rows["A"][:1])
    gate = Gate()  # the buyer's payment is on its way to the provider ...
    deps = replace(
        domain.checkout,
        provider=Provider(domain.checkout.provider, charge=gate.before(domain.checkout.provider.charge)),
    )
    paying = asyncio.ensure_future(orders.place_order(user_id=buyer.id, hold_id=hold["id"], card=CARD, deps=deps))
    await gate.wait()
    assert api.post(f"/api/events/{event.id}/cancel", user=organizer).status_code == 200  # ... when the event goes
    [order] = await orders_of_event(event.id)
    for _ in range(SETTLE_WITHIN_S * 10):
        if (await repository.get_order(str(order["id"])))["status"] == "failed":
            break
        await asyncio.sleep(0.1)
    gate.opened.set()
    with pytest.raises(EventClosed) as refused:
        await paying
    assert refused.value.extra == {"refunded": False}
    charge = await domain.checkout.provider.lookup(reference=str(order["id"]))
    assert charge.charge_ref is None
    assert (await assert_consistent(domain, str(order["id"])))["status"] == "failed"


async def test_every_confirmed_order_of_a_cancelled_event_is_refunded_once_and_cancelled_within_30_s(
    stack, api, mint, domain
):
    organizer, event = await organizer_event(mint)
    sales = [(mint(), seats) for seats in (event.rows["A"][:2], event.rows["A"][2:3], event.rows["B"][:4])]
    bought = []
    for buyer, seats in sales:
        order = pay(api, buyer, hold_seats(api, buyer, event, seats)["id"])
        assert order.status_code == 201, order.text
        bought.append((buyer, order.json()))
    cursor = api.get(f"/api/events/{event.id}/seats").json()["cursor"]
    assert api.post(f"/api/events/{event.id}/cancel", user=organizer).status_code == 200
    took = await wait_until_settled(api, bought)
    assert took < SETTLE_WITHIN_S
    for _buyer, order in bought:
        await assert_refunded_once(domain, order)
    announced = await changes_since(stack, event.id, cursor, len(bought))
    assert all(c["type"] == "released" and c["reason"] == "cancelled" for c in announced)
    assert sorted(s for c in announced for s in c["seat_ids"]) == sorted(s for _, seats in sales for s in seats)
    assert await jobs_of(event.id) == [("event.cancelled", "done")]
    # the job again (a retried or duplicate run) changes nothing: still one refund each
    assert await orders.settle_cancelled_event(event_id=event.id, deps=domain.checkout) == 0
    for _buyer, order in bought:
        await assert_refunded_once(domain, order)


async def test_the_refunds_of_an_event_cancelled_while_booking_is_down_are_made_when_it_is_back(
    stack, api, mint, domain
):
    organizer, event = await organizer_event(mint)
    bought = [buy(api, mint, event, seats) for seats in (event.rows["A"][:1], event.rows["B"][:2])]
    pid = stack._service_pid("booking-0")
    os.kill(pid, signal.SIGKILL)
    try:
        for _ in range(100):
            if not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z":
                break
            time.sleep(0.05)
        assert api.post(f"/api/events/{event.id}/cancel", user=organizer).status_code == 200
        await asyncio.sleep(1)
        assert {o["status"] for o in await orders_of_event(event.id)} == {"confirmed"}  # nobody ran the job yet
    finally:
        stack.start_services()
    await wait_until_all(event.id, "cancelled")
    for order in bought:
        await assert_refunded_once(domain, order)
    assert await jobs_of(event.id) == [("event.cancelled", "done")]


STEPS = {
    "cancelling written": (repository, "start_cancelling"),
    "refunded": ("provider", "refund"),
    "seats released": ("holds", "cancel_seats"),
    "cancelled written": (repository, "finish_cancelling"),
}


@pytest.mark.parametrize("step", list(STEPS))
async def test_a_refund_job_whose_runner_died_after_any_step_is_finished_by_another_runner(
    step, api, mint, domain, monkeypatch
):
    organizer, event = await organizer_event(mint)
    bought = [buy(api, mint, event, seats) for seats in (event.rows["A"][:1], event.rows["A"][1:3])]
    async with in_transaction() as db:  # the cancellation, its job claimed by a runner with a 2 s lease ...
        await db.execute_query(
            "UPDATE events SET status = 'cancelled', version = version + 1 WHERE id = $1", [event.id]
        )
        await db.execute_query(
            "INSERT INTO jobs (kind, subject, status, attempts, available_at, created_at)"
            " VALUES ('event.cancelled', $1, 'pending', 1, now() + interval '2 seconds', now())",
            [event.id],
        )
    owner, name = STEPS[step]
    stops = stop_after(
        monkeypatch, {"provider": domain.checkout.provider, "holds": domain.holds}.get(owner, owner), name
    )
    with contextlib.suppress(Crash, RuntimeError):  # ... that dies at this step
        await orders.settle_cancelled_event(event_id=event.id, deps=domain.checkout)
    monkeypatch.undo()
    assert stops
    await wait_until_all(event.id, "cancelled")  # the booking service's runner takes the job once the lease lapses
    for order in bought:
        await assert_refunded_once(domain, order)
    for _ in range(SETTLE_WITHIN_S * 5):
        if await jobs_of(event.id) == [("event.cancelled", "done")]:
            break
        await asyncio.sleep(0.2)
    assert await jobs_of(event.id) == [("event.cancelled", "done")]


async def test_buyers_cannot_cancel_once_the_event_has_started(api, mint, domain):
    organizer, event = await organizer_event(mint)
    buyer = mint()
    order = pay(api, buyer, hold_seats(api, buyer, event, event.rows["A"][:1])["id"]).json()
    await set_event(event.id, starts_at=datetime.now(UTC) - timedelta(minutes=5))
    assert_problem(api.post(f"/api/orders/{order['id']}/cancel", user=buyer), 409)
    assert api.get(f"/api/orders/{order['id']}", user=buyer).json() == order
    assert await domain.checkout.provider.refunded(reference=order["id"]) is None


async def test_a_job_that_keeps_failing_backs_off_and_ends_dead_with_its_error_for_operators(stack, domain):
    subject = str(uuid.uuid4())
    async with in_transaction():
        await jobs.add(kind="test.always-failing", subject=subject)

    async def fails(_: str) -> None:
        raise ValueError("the provider is down")

    runner = JobRunner(
        handlers={"test.always-failing": fails},
        settings=JobSettings(max_attempts=3, backoff_base_s=0.05, backoff_cap_s=0.2),
    )
    for _ in range(200):
        [job] = [j for j in await jobs.listing(status=None, after_id=None, limit=10_000) if j.subject == subject]
        if job.status == "dead":
            break
        await runner.run_due()
        await asyncio.sleep(0.02)
    assert job.status == "dead" and job.attempts == 3
    assert job.last_error == "ValueError: the provider is down"
    listed = stack.run_cli("jobs", "list", "--status", "dead").stdout
    assert any(json.loads(line)["subject"] == subject for line in listed.splitlines())
    stack.run_cli("jobs", "requeue", str(job.id))
    assert (await jobs.get(job.id)).status == "pending"
    await get_connection("default").execute_query("DELETE FROM jobs WHERE id = $1", [job.id])
