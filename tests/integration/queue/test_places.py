"""A buyer's place through nginx and both gateways: a number in line given once, `ahead` only going
down, and a WebSocket opened before the join that stays silent until the join."""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import websockets

from tests.integration.queue.helpers import bearer, queued_event
from tests.integration.queue.test_waiting_room_api import wait_for_status


async def test_numbers_in_line_stay_the_same_and_ahead_goes_down_as_buyers_before_are_admitted(stack, mint, domain):
    made = await queued_event(per_minute=1, on_sale_in_s=-3600)  # the first at once, the next in a minute
    path = f"/api/events/{made.id}/queue"
    first, second, third = mint(), mint(), mint()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        joined = [(await http.post(path, headers=bearer(user))).json() for user in (first, second, third)]
        await wait_for_status(http, path, first, "admitted")
        later = [(await http.get(path, headers=bearer(user))).json() for user in (second, third)]
    assert [j["position"] for j in joined[1:]] == [2, 3]
    assert [(p["status"], p["position"], p["ahead"]) for p in later] == [("waiting", 2, 0), ("waiting", 3, 1)]
    assert joined[1]["ahead"] >= later[0]["ahead"] and joined[2]["ahead"] >= later[1]["ahead"]


def open_queue_sockets(stack) -> float:
    """Queue WebSockets the gateways hold open, summed over both (each on its own port)."""
    total = 0.0
    for instance in range(2):
        text = httpx.get(f"http://127.0.0.1:{stack.ports.service('gateway', instance)}/metrics").text
        found = re.search(r'^boxoffice_stream_connections{kind="queue_ws"} (\S+)$', text, re.M)
        total += float(found.group(1)) if found else 0.0
    return total


async def test_a_websocket_opened_before_joining_is_silent_until_the_join_then_pushes_the_place_within_a_second(
    stack, mint, domain
):
    made = await queued_event(per_minute=1, on_sale_in_s=-3600)
    path = f"/api/events/{made.id}/queue"
    ahead, buyer, passer_by = mint(), mint(), mint()
    url = f"ws://127.0.0.1:{stack.ports.http}{path}/ws"
    before = open_queue_sockets(stack)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        await http.post(path, headers=bearer(ahead))
        await wait_for_status(http, path, ahead, "admitted")  # the buyer will wait a minute behind
        async with (
            websockets.connect(url, additional_headers=bearer(buyer), open_timeout=10) as ws,
            websockets.connect(url, additional_headers=bearer(passer_by), open_timeout=10) as never_joins,
        ):
            for socket in (ws, never_joins):
                try:
                    said = await asyncio.wait_for(socket.recv(), 1.5)
                    raise AssertionError(f"a socket spoke before its buyer joined: {said}")
                except TimeoutError:
                    pass
            joined = await http.post(path, headers=bearer(buyer))
            answered = time.monotonic()
            pushed = json.loads(await asyncio.wait_for(ws.recv(), 5.0))
            elapsed = time.monotonic() - answered
    assert joined.status_code == 201
    assert pushed == joined.json() == {"status": "waiting", "position": 2, "ahead": 0, "estimated_wait_s": 60}
    assert elapsed < 1.0, elapsed
    deadline = time.monotonic() + 3
    while open_queue_sockets(stack) > before and time.monotonic() < deadline:  # both left: nothing lingers
        await asyncio.sleep(0.1)
    assert open_queue_sockets(stack) <= before
