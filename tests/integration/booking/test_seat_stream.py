"""The snapshot cursor, SSE (ids, Last-Event-ID replay, reset when trimmed, expiry news) and WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid

import httpx
import websockets

from boxoffice import keys
from boxoffice.domain.holds.scripts import SeatScripts
from boxoffice.domain.holds.service import Holds
from boxoffice.domain.seats.feed import SeatFeed
from boxoffice.infra.redis import RedisClient


async def read_sse(response: httpx.Response, want: int, timeout: float = 5.0) -> list[dict]:
    """The next `want` messages (id, event, data) of an open SSE response."""
    messages, current = [], {}

    async def collect():
        async for line in response.aiter_lines():
            if line == "":
                if "event" in current or "id" in current:
                    messages.append(dict(current))
                current.clear()
                if len(messages) >= want:
                    return
            elif line.startswith(":"):
                continue
            else:
                name, _, value = line.partition(":")
                current[name] = value.strip()

    await asyncio.wait_for(collect(), timeout)
    return messages


def client(stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30)


async def test_changes_after_the_snapshot_cursor_replay_with_no_gap_and_no_duplicate(stack, api, mint, event):
    buyer = mint()
    cursor = api.get(f"/api/events/{event.id}/seats").json()["cursor"]
    a = event.rows["A"]
    hold = api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": [a[0]]}).json()
    api.post(f"/api/holds/{hold['id']}/seats", user=buyer, json={"seat_ids": [a[1]]})
    api.delete(f"/api/holds/{hold['id']}/seats/{a[0]}", user=buyer)
    async with client(stack) as http:
        async with http.stream("GET", f"/api/events/{event.id}/seats/stream", headers={"Last-Event-ID": cursor}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            first = await read_sse(r, 3)
        assert [json.loads(m["data"]) for m in first] == [
            {"type": "held", "seat_ids": [a[0]]},
            {"type": "held", "seat_ids": [a[1]]},
            {"type": "released", "seat_ids": [a[0]], "reason": "released"},
        ]
        assert all(m["event"] == "seats" for m in first)
        # reconnect from the second message: exactly the third, then what happens next
        async with http.stream(
            "GET", f"/api/events/{event.id}/seats/stream", headers={"Last-Event-ID": first[1]["id"]}
        ) as r:
            api.delete(f"/api/holds/{hold['id']}", user=buyer)
            again = await read_sse(r, 2)
        assert [m["id"] for m in again][0] == first[2]["id"]
        assert json.loads(again[1]["data"]) == {"type": "released", "seat_ids": [a[1]], "reason": "released"}
        assert again[1]["id"] > first[2]["id"]
    assert "who" not in first[0]["data"] and buyer.id not in json.dumps(first)


async def test_a_cursor_query_parameter_resumes_like_last_event_id(stack, api, mint, event):
    cursor = api.get(f"/api/events/{event.id}/seats").json()["cursor"]
    api.post("/api/holds", user=mint(), json={"event_id": event.id, "seat_ids": [event.rows["B"][0]]})
    async with client(stack) as http:
        async with http.stream("GET", f"/api/events/{event.id}/seats/stream", params={"cursor": cursor}) as r:
            [message] = await read_sse(r, 1)
    assert json.loads(message["data"])["seat_ids"] == [event.rows["B"][0]]


async def test_a_trimmed_point_answers_reset_and_a_kept_one_replays(stack, api, event, domain):
    cursor = api.get(f"/api/events/{event.id}/seats").json()["cursor"]
    short = SeatScripts(domain.redis, maxlen=5)
    holds = Holds(redis=domain.redis, scripts=short, catalog=domain.holds.catalog, config=domain.config)
    user = str(uuid.uuid4())
    for seat in event.rows["A"][:6]:
        hold = await holds.create(user_id=user, event_id=event.id, seat_ids=[seat])
        await holds.release(user_id=user, hold_id=hold.id)
    kept = await domain.redis.xrange(keys.seat_changes(event.id), "-", "+")
    assert len(kept) == 5
    async with client(stack) as http:
        async with http.stream("GET", f"/api/events/{event.id}/seats/stream", headers={"Last-Event-ID": cursor}) as r:
            [message] = await read_sse(r, 1)
        async with http.stream(
            "GET", f"/api/events/{event.id}/seats/stream", headers={"Last-Event-ID": kept[0].identifier}
        ) as r:
            replayed = await read_sse(r, 4)
    assert message["event"] == "reset"
    assert [m["id"] for m in replayed] == [e.identifier for e in kept[1:]]


async def test_a_lapsed_hold_is_announced_released_expired_within_a_second(stack, api, event, domain):
    async with client(stack) as http:
        async with http.stream("GET", f"/api/events/{event.id}/seats/stream") as r:
            await asyncio.sleep(0.2)
            hold = await domain.holds.create(
                user_id=str(uuid.uuid4()), event_id=event.id, seat_ids=[event.rows["A"][3]], ttl_s=1
            )
            held, released = await read_sse(r, 2, timeout=5)
            seen_at = time.time()
    assert json.loads(held["data"])["type"] == "held"
    assert json.loads(released["data"]) == {"type": "released", "seat_ids": [event.rows["A"][3]], "reason": "expired"}
    assert seen_at - hold.expires_ms / 1000 < 1.0
    snapshot = api.get(f"/api/events/{event.id}/seats").json()
    assert {s["id"]: s["status"] for s in snapshot["seats"]}[event.rows["A"][3]] == "available"


async def test_websocket_sends_one_json_frame_per_change_and_resumes_from_a_cursor(stack, api, mint, event):
    cursor = api.get(f"/api/events/{event.id}/seats").json()["cursor"]
    buyer = mint()
    hold = api.post("/api/holds", user=buyer, json={"event_id": event.id, "seat_ids": [event.rows["C"][0]]}).json()
    url = f"ws://127.0.0.1:{stack.ports.http}/api/events/{event.id}/seats/ws?cursor={cursor}"
    async with websockets.connect(url) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 5))
        api.delete(f"/api/holds/{hold['id']}", user=buyer)
        second = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert first["type"] == "held" and first["seat_ids"] == [event.rows["C"][0]] and first["id"] > cursor
    assert second == {"id": second["id"], "type": "released", "seat_ids": [event.rows["C"][0]], "reason": "released"}


async def test_an_unknown_event_has_no_stream(api):
    assert api.get(f"/api/events/{uuid.uuid4()}/seats/stream").status_code == 404
    assert api.get("/api/events/not-an-id/seats").status_code == 404


async def sse_connections(stack) -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"http://127.0.0.1:{stack.ports.booking}/metrics")).text
    return float(re.search(r'boxoffice_stream_connections\{kind="sse"\} (\S+)', text).group(1))


async def open_raw_stream(stack, event_id: str) -> asyncio.StreamWriter:
    """An SSE request through nginx on a bare socket, once its first bytes have arrived."""
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.ports.http)
    writer.write(
        f"GET /api/events/{event_id}/seats/stream HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"retry: 1000"), 10)
    assert head.startswith(b"HTTP/1.1 200")
    return writer


async def test_dropped_sse_clients_are_noticed_at_once_and_their_connections_given_back(stack, event):
    before = await sse_connections(stack)
    writers = await asyncio.gather(*(open_raw_stream(stack, event.id) for _ in range(50)))
    deadline = time.monotonic() + 5
    while await sse_connections(stack) < before + 50:
        assert time.monotonic() < deadline, "not every stream reached the booking service"
        await asyncio.sleep(0.05)
    for writer in writers:
        writer.transport.abort()  # gone without a goodbye, well before the next ping (15 s)
    dropped = time.monotonic()
    while await sse_connections(stack) > before:
        assert time.monotonic() - dropped < 3, "dropped streams are still counted as open"
        await asyncio.sleep(0.05)


async def test_a_subscriber_that_leaves_while_the_event_channel_starts_leaves_nothing_behind(domain, event):
    reader = RedisClient(domain.config.redis_url, stream_timeout=30.0)
    await reader.start()
    feed = SeatFeed(redis=domain.redis, reader=reader.client, max_connections=10)
    try:
        first = asyncio.create_task(feed.subscribe(event.id, None))
        await asyncio.sleep(0)  # the first subscriber is now starting the event's channel (reading Redis)
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        assert (feed.connections, feed.channels) == (0, {})
        subscription = await asyncio.wait_for(feed.subscribe(event.id, None), 2)
        assert feed.connections == 1 and feed.channels[event.id].running
        subscription.close()
        subscription.close()  # a second close gives nothing back twice
        assert (feed.connections, feed.channels) == (0, {})
    finally:
        await feed.close()
        await reader.stop()


async def test_absurd_resume_points_are_422_problems_naming_the_header_or_parameter(api, event):
    stream = f"/api/events/{event.id}/seats/stream"
    cases = [
        ({"headers": {"Last-Event-ID": "99999999999999999999-0"}}, "Last-Event-ID"),
        ({"headers": {"Last-Event-ID": "18446744073709551615-18446744073709551616"}}, "Last-Event-ID"),
        ({"headers": {"Last-Event-ID": "99999999999999-0"}}, "Last-Event-ID"),  # the year 5138
        ({"params": {"cursor": "99999999999999999999-0"}}, "cursor"),
        ({"params": {"cursor": "last"}}, "cursor"),
    ]
    for kw, field in cases:
        answer = api.get(stream, **kw)
        assert answer.status_code == 422, (kw, answer.status_code, answer.text[:200])
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_an_absurd_websocket_cursor_is_refused_with_a_422_before_the_handshake(stack, event):
    url = f"ws://127.0.0.1:{stack.ports.http}/api/events/{event.id}/seats/ws?cursor=99999999999999999999-0"
    try:
        async with websockets.connect(url, open_timeout=10):
            raise AssertionError("the handshake should have been refused")
    except websockets.InvalidStatus as refused:
        assert refused.response.status_code == 422
        assert b'"field":"cursor"' in refused.response.body
