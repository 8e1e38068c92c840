"""Two instances of every service behave as one: live seat changes cross booking instances, the
expiry of a hold is announced once, rate-limit buckets and the waiting room are shared by the
gateways, two relays deliver every outbox row once and in order, and a killed booking instance
loses nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import asyncpg
import httpx
import websockets

from boxoffice import keys
from tests.integration.booking.factories import make_event
from tests.integration.booking.test_seat_stream import read_sse
from tests.integration.events.conftest import event_body, venue_body
from tests.support import Api


def internal(stack, user=None) -> dict[str, str]:
    """The headers the gateway sends a service: its credential and the caller."""
    headers = {"X-Boxoffice-Internal": stack.service_env()["BOXOFFICE_INTERNAL_SECRET"]}
    if user is not None:
        headers.update({"X-User-Id": user.id, "X-User-Roles": user.role})
    return headers


class Sse:
    """Reads messages off one open event stream, a few at a time."""

    def __init__(self, response: httpx.Response):
        self.lines = response.aiter_lines()

    async def next(self, want: int, timeout: float = 5.0) -> list[dict]:
        messages, current = [], {}

        async def collect() -> None:
            async for line in self.lines:
                if line == "":
                    if "id" in current or "event" in current:
                        messages.append(dict(current))
                    current.clear()
                    if len(messages) >= want:
                        return
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    current[name] = value.strip()

        await asyncio.wait_for(collect(), timeout)
        return messages


def booking(stack, instance: int) -> str:
    return f"http://127.0.0.1:{stack.ports.service('booking', instance)}"


async def test_a_hold_made_on_booking_0_reaches_sse_and_websocket_subscribers_of_booking_1(stack, mint, domain):
    made = await make_event(rows=[("A", 6, "standard")])
    seat, buyer = made.rows["A"][0], mint()
    async with httpx.AsyncClient(timeout=30) as http:
        ws_url = f"ws://127.0.0.1:{stack.ports.service('booking', 1)}/api/events/{made.id}/seats/ws"
        async with (
            http.stream(
                "GET", f"{booking(stack, 1)}/api/events/{made.id}/seats/stream", headers=internal(stack)
            ) as sse,
            websockets.connect(ws_url, additional_headers=internal(stack)) as ws,
        ):
            await asyncio.sleep(0.3)
            held = await http.post(
                f"{booking(stack, 0)}/api/holds",
                json={"event_id": made.id, "seat_ids": [seat]},
                headers=internal(stack, buyer),
            )
            assert held.status_code == 201, held.text
            message = (await read_sse(sse, 1))[0]
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert json.loads(message["data"]) == {"type": "held", "seat_ids": [seat]}
    assert (frame["type"], frame["seat_ids"], frame["id"]) == ("held", [seat], message["id"])


async def test_a_lapsed_hold_is_announced_once_although_both_booking_instances_sweep(stack, mint, domain):
    made = await make_event(rows=[("A", 6, "standard")])
    seats = made.rows["A"][:2]
    await domain.holds.create(user_id=mint().id, event_id=made.id, seat_ids=seats, ttl_s=1)
    async with httpx.AsyncClient(timeout=30) as http:
        async with (
            http.stream(
                "GET", f"{booking(stack, 0)}/api/events/{made.id}/seats/stream", headers=internal(stack)
            ) as zero,
            http.stream(
                "GET", f"{booking(stack, 1)}/api/events/{made.id}/seats/stream", headers=internal(stack)
            ) as one,
        ):
            got = [await read_sse(zero, 1, timeout=5), await read_sse(one, 1, timeout=5)]
            await asyncio.sleep(1.0)  # a second announcement would have arrived by now
    for messages in got:
        assert json.loads(messages[0]["data"]) == {"type": "released", "seat_ids": seats, "reason": "expired"}
    entries = await domain.redis.xrange(keys.seat_changes(made.id))
    assert [e.field_values["type"] for e in entries] == ["held", "released"]


async def test_rate_limit_buckets_are_shared_by_both_gateways(stack, mint, domain):
    buyer = mint()  # booking writes: 10/s, burst 20, for this buyer whichever gateway answers
    gateways = [f"http://127.0.0.1:{stack.ports.service('gateway', i)}" for i in range(2)]
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=80)) as http:
        answers = await asyncio.gather(
            *(
                http.post(f"{gateways[i % 2]}/api/holds", json={}, headers={"Authorization": f"Bearer {buyer.token}"})
                for i in range(60)
            )
        )
    passed = [a for a in answers if a.status_code != 429]
    refused = [a for a in answers if a.status_code == 429]
    assert 20 <= len(passed) <= 26, [a.status_code for a in answers]  # one bucket (two would pass 40)
    assert {a.request.url.port for a in refused} == {stack.ports.service("gateway", i) for i in range(2)}


async def test_the_waiting_room_is_the_same_line_through_either_gateway(stack, mint, domain):
    from tests.integration.queue.helpers import queued_event

    made = await queued_event(per_minute=1, on_sale_in_s=3600)
    first, buyer = mint(), mint()
    g0, g1 = (Api(f"http://127.0.0.1:{stack.ports.service('gateway', i)}") for i in range(2))
    try:
        g0.post(f"/api/events/{made.id}/queue", user=first)
        joined = g1.post(f"/api/events/{made.id}/queue", user=buyer)
        again = g0.post(f"/api/events/{made.id}/queue", user=buyer)
        read = g1.get(f"/api/events/{made.id}/queue", user=first)
    finally:
        g0.close(), g1.close()
    assert (joined.status_code, again.status_code, read.status_code) == (201, 200, 200)
    assert again.json()["status"] == read.json()["status"] == "early"
    assert await domain.redis.zcard(keys.queue_keys(made.id)[0]) == 2


async def test_two_event_relays_deliver_every_outbox_row_once_and_in_order_per_event(stack, api, domain):
    organizer = api.new_user("organizer")
    venue = api.post("/api/venues", user=organizer, json=venue_body()).json()
    events = [
        api.post("/api/events", user=organizer, json=event_body(venue["id"], title=f"Relay {i}")).json()
        for i in range(6)
    ]
    versions = {}
    for round_ in range(5):
        for event in events:
            etag = versions.get(event["id"], f'W/"{event["version"]}"')
            changed = api.patch(
                f"/api/events/{event['id']}",
                user=organizer,
                json={"title": f"Relay r{round_}"},
                headers={"If-Match": etag},
            )
            assert changed.status_code == 200, changed.text
            versions[event["id"]] = changed.headers["ETag"]
    ids = [e["id"] for e in events]
    deadline = time.monotonic() + 30
    while True:
        rows = await domain_rows(stack.database_url, ids)
        if all(r["status"] == "delivered" for r in rows) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.3)
    assert len(rows) == 6 * 6 and {r["status"] for r in rows} == {"delivered"}
    assert {r["attempts"] for r in rows} == {0}  # no row failed (a repeat or out-of-order write conflicts)
    for event_id in ids:
        mine = [r for r in rows if r["aggregate_id"] == event_id]
        assert [r["version"] for r in mine] == sorted(r["version"] for r in mine)
        assert [r["delivered_at"] for r in mine] == sorted(r["delivered_at"] for r in mine)
        doc = httpx.get(f"{stack.elasticsearch_url}/events/_doc/{event_id}").json()
        assert (doc["_version"], doc["_source"]["title"]) == (mine[-1]["version"], "Relay r4")
    delivered = [_metric(stack, "events", i, "boxoffice_outbox_delivered_total") for i in range(2)]
    assert all(n > 0 for n in delivered), delivered  # both instances' relays took part


async def domain_rows(database_url: str, ids: list[str]) -> list[dict]:
    """Read straight from this stack's PostgreSQL (Tortoise in this process may point at another stack)."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT aggregate_id, version, status, attempts, delivered_at FROM outbox"
            " WHERE aggregate_id = ANY($1::text[]) ORDER BY id",
            ids,
        )
    finally:
        await connection.close()
    return [dict(r) for r in rows]


def _metric(stack, service: str, instance: int, name: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{stack.ports.service(service, instance)}/metrics").text
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name))


async def test_a_killed_booking_instance_loses_nothing_its_sse_client_resumes_on_the_other(stack, mint, domain):
    made = await make_event(rows=[("A", 8, "standard")])
    a, buyer = made.rows["A"], mint()
    headers = internal(stack, buyer)
    received: list[dict] = []
    async with httpx.AsyncClient(timeout=30) as http:

        async def change(instance: int, seat: str, holder=None) -> str:
            held = await http.post(
                f"{booking(stack, instance)}/api/holds",
                json={"event_id": made.id, "seat_ids": [seat]},
                headers=internal(stack, holder or mint()),
            )
            assert held.status_code == 201, held.text
            return held.json()["id"]

        kept = await change(1, a[0], buyer)
        async with http.stream(
            "GET", f"{booking(stack, 1)}/api/events/{made.id}/seats/stream", headers={**headers, "Last-Event-ID": "0-0"}
        ) as response:
            sse = Sse(response)
            received += await sse.next(1)
            await change(0, a[1])
            received += await sse.next(1)
            victim = stack._service_pid("booking-1")
            os.killpg(victim, signal.SIGKILL)
        for seat in a[2:5]:  # while the client is away
            await change(0, seat)
        # back through nginx: whichever gateway answers finds booking-1 refusing and takes booking-0
        async with http.stream(
            "GET",
            f"http://127.0.0.1:{stack.ports.http}/api/events/{made.id}/seats/stream",
            headers={"Last-Event-ID": received[-1]["id"]},
        ) as response:
            sse = Sse(response)
            received += await sse.next(3)
            await change(0, a[5])
            received += await sse.next(1)
        survived = await http.get(f"{booking(stack, 0)}/api/holds/{kept}", headers=headers)
    stack.start_services()  # bring booking-1 back for the other tests
    seats = [json.loads(m["data"])["seat_ids"][0] for m in received]
    assert seats == a[:6]  # every change once, in order, across the failover
    assert len({m["id"] for m in received}) == 6
    assert survived.status_code == 200 and survived.json()["seat_ids"] == [a[0]]  # it lived in Redis, not in booking-1
    snapshot = await http_get_json(f"{booking(stack, 0)}/api/events/{made.id}/seats", internal(stack))
    assert {s["id"] for s in snapshot["seats"] if s["status"] == "held"} == set(a[:6])


async def http_get_json(url: str, headers: dict) -> dict:
    async with httpx.AsyncClient(timeout=30) as http:
        return (await http.get(url, headers=headers)).json()
