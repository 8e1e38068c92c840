"""The waiting room through nginx and both gateways: joining, places, the WebSocket, admission
tokens on hold writes, the queue page, and the operators' metrics."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import websockets

from tests.integration.queue.helpers import bearer, queued_event, tokens_of
from tests.support import assert_problem


async def wait_for_status(http: httpx.AsyncClient, path: str, user, status: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = (await http.get(path, headers=bearer(user))).json()
        if body["status"] == status or time.monotonic() > deadline:
            return body
        await asyncio.sleep(0.1)


async def test_joining_answers_201_then_200_with_the_same_place_and_reading_needs_a_join(stack, mint, domain):
    made = await queued_event(per_minute=1, on_sale_in_s=-3600)
    path = f"/api/events/{made.id}/queue"
    a, b = mint(), mint()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        assert_problem(await http.get(path, headers=bearer(a)), 404)
        first = await http.post(path, headers=bearer(a))
        admitted = await wait_for_status(http, path, a, "admitted")  # one a minute: a's turn came at once
        second = await http.post(path, headers=bearer(b))
        again = await http.post(path, headers=bearer(a))
        read = await http.get(path, headers=bearer(b))
        assert_problem(await http.post(path), 401)
    assert (first.status_code, second.status_code, again.status_code) == (201, 201, 200)
    assert first.json()["position"] == 1 and first.json()["status"] in ("waiting", "admitted")
    assert read.json() == {"status": "waiting", "position": 2, "ahead": 0, "estimated_wait_s": 60}
    assert again.json()["status"] == "admitted" and again.json()["admission_token"] == admitted["admission_token"]


async def test_an_event_without_a_waiting_room_has_no_queue(stack, mint, domain):
    from tests.integration.booking.factories import make_event

    made = await make_event()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        assert_problem(await http.post(f"/api/events/{made.id}/queue", headers=bearer(mint())), 404)
        assert_problem(await http.post("/api/events/not-an-event/queue", headers=bearer(mint())), 404)


async def test_the_websocket_pushes_the_place_as_it_changes_and_the_admission_last(stack, mint, domain):
    made = await queued_event(per_minute=60, on_sale_in_s=2)
    path = f"/api/events/{made.id}/queue"
    ahead, buyer = mint(), mint()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        for user in (ahead, buyer):
            await http.post(path, headers=bearer(user))
    frames = []
    url = f"ws://127.0.0.1:{stack.ports.http}{path}/ws"
    async with websockets.connect(url, additional_headers=bearer(buyer), open_timeout=10) as ws:
        async for message in ws:
            frames.append(json.loads(message))
        assert ws.close_code == 1000
    statuses = [f["status"] for f in frames]
    assert statuses[0] == "early" and frames[0]["position"] is None
    assert statuses[-1] == "admitted" and frames[-1]["admission_token"]
    assert statuses.count("admitted") == 1
    assert all(s in ("early", "waiting") for s in statuses[:-1])


async def test_a_websocket_needs_a_caller(stack, domain):
    made = await queued_event()
    url = f"ws://127.0.0.1:{stack.ports.http}/api/events/{made.id}/queue/ws"
    try:
        async with websockets.connect(url, open_timeout=10):
            raise AssertionError("an anonymous WebSocket was accepted")
    except websockets.InvalidStatus as refused:
        assert refused.response.status_code == 401


async def test_holds_need_this_buyers_admission_to_this_event(stack, mint, domain):
    made, other = await queued_event(), await queued_event()
    buyer, stranger = mint(), mint()
    signer = tokens_of(stack)
    now = int(time.time() * 1000)
    hold = {"event_id": made.id, "seat_ids": [made.rows["A"][0]]}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:

        async def with_token(token: str | None, user=buyer) -> httpx.Response:
            headers = {**bearer(user), **({"X-Admission-Token": token} if token else {})}
            return await http.post("/api/holds", json=hold, headers=headers)

        for event_id, user in ((made.id, buyer), (made.id, stranger), (other.id, buyer)):
            await http.post(f"/api/events/{event_id}/queue", headers=bearer(user))
        admitted = await wait_for_status(http, f"/api/events/{made.id}/queue", buyer, "admitted")
        strangers = await wait_for_status(http, f"/api/events/{made.id}/queue", stranger, "admitted")
        others = await wait_for_status(http, f"/api/events/{other.id}/queue", buyer, "admitted")
        expired = signer.issue(user_id=buyer.id, event_id=made.id, admitted_ms=now - 700_000, expires_ms=now - 100_000)
        forged = admitted["admission_token"][:-4] + (
            "AAAA" if not admitted["admission_token"].endswith("AAAA") else "BBBB"
        )
        for token in (None, expired, forged, strangers["admission_token"], others["admission_token"], "junk"):
            problem = assert_problem(await with_token(token), 403)
            assert problem["queue_url"] == f"/api/events/{made.id}/queue"
        created = await with_token(admitted["admission_token"])
        assert created.status_code == 201, created.text
        hold_id = created.json()["id"]
        add = await http.post(
            f"/api/holds/{hold_id}/seats", json={"seat_ids": [made.rows["A"][1]]}, headers=bearer(buyer)
        )
        assert assert_problem(add, 403)["queue_url"] == f"/api/events/{made.id}/queue"
        with_cookie = await http.post(
            f"/api/holds/{hold_id}/seats",
            json={"seat_ids": [made.rows["A"][1]]},
            headers={**bearer(buyer), "Cookie": f"bo_admit_{made.id}={admitted['admission_token']}"},
        )
        assert with_cookie.status_code == 200, with_cookie.text
        released = await http.delete(f"/api/holds/{hold_id}", headers=bearer(buyer))  # giving back needs no admission
        assert released.status_code == 204


async def test_the_queue_page_shows_the_place_and_sends_the_admitted_buyer_to_the_seat_map(stack, mint, domain):
    made = await queued_event(per_minute=1, on_sale_in_s=-3600)
    first, second = mint(), mint()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:

        async def page(path: str, user) -> httpx.Response:
            return await http.get(path, headers={"Cookie": f"bo_session={user.token}"})

        assert (await page(f"/events/{made.id}", second)).headers["location"] == f"/events/{made.id}/queue"
        for user in (first, second):
            await http.post(f"/api/events/{made.id}/queue", headers=bearer(user))
        await wait_for_status(http, f"/api/events/{made.id}/queue", first, "admitted")
        waiting = await page(f"/events/{made.id}/queue", second)
        assert waiting.status_code == 200 and "data-queue" in waiting.text and "#2" in waiting.text
        admitted = await page(f"/events/{made.id}/queue", first)
        assert admitted.status_code == 303 and admitted.headers["location"] == f"/events/{made.id}"
        cookie = admitted.cookies[f"bo_admit_{made.id}"]
        seat_map = await http.get(
            f"/events/{made.id}", headers={"Cookie": f"bo_session={first.token}; bo_admit_{made.id}={cookie}"}
        )
        assert seat_map.status_code == 200 and "Choose your seats" in seat_map.text


async def test_operators_see_queue_length_admissions_and_waiting_time_in_metrics(stack, mint, domain):
    made = await queued_event(per_minute=60, on_sale_in_s=-3600)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        for _ in range(4):
            await http.post(f"/api/events/{made.id}/queue", headers=bearer(mint()))
    await asyncio.sleep(0.5)
    texts = [httpx.get(f"http://127.0.0.1:{stack.ports.service('gateway', i)}/metrics").text for i in range(2)]
    joined = "\n".join(texts)
    assert f'boxoffice_queue_length{{event_id="{made.id}"}}' in joined
    assert f'boxoffice_queue_admit_per_minute{{event_id="{made.id}"}} 60.0' in joined
    assert "boxoffice_queue_admissions_total" in joined and "boxoffice_queue_wait_seconds_bucket" in joined


async def test_a_cookie_websocket_from_another_site_is_refused(stack, mint, domain):
    made = await queued_event()
    buyer = mint()
    url = f"ws://127.0.0.1:{stack.ports.http}/api/events/{made.id}/queue/ws"
    try:
        async with websockets.connect(
            url,
            open_timeout=10,
            origin="https://evil.example",
            additional_headers={"Cookie": f"bo_session={buyer.token}"},
        ):
            raise AssertionError("a cross-site WebSocket was accepted")
    except websockets.InvalidStatus as refused:
        assert refused.response.status_code == 403


async def test_a_cookie_websocket_from_this_sites_page_is_accepted(stack, mint, domain):
    made = await queued_event()
    buyer = mint()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        await http.post(f"/api/events/{made.id}/queue", headers=bearer(buyer))
    url = f"ws://127.0.0.1:{stack.ports.http}/api/events/{made.id}/queue/ws"
    async with websockets.connect(
        url,
        open_timeout=10,
        origin=f"http://127.0.0.1:{stack.ports.http}",
        additional_headers={"Cookie": f"bo_session={buyer.token}"},
    ) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["status"] in ("waiting", "admitted")
