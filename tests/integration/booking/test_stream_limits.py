"""Live seat streams on a booking process of their own (short ping interval, a cap of two
connections): the SSE heartbeat, and the per-process cap for SSE and WebSocket."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time

import httpx
import pytest
import websockets

from tests.integration.booking.factories import make_event

PING_S = 0.5
CAP = 2


@pytest.fixture(scope="module")
def booking(stack):
    """A second booking process (BOXOFFICE_SSE_PING_S=0.5, BOXOFFICE_SSE_MAX_CONNECTIONS=2), reached
    directly with the gateway's internal credential: (base url, headers)."""
    port = stack.ports.booking + 71
    env = stack.service_env() | {"BOXOFFICE_SSE_PING_S": str(PING_S), "BOXOFFICE_SSE_MAX_CONNECTIONS": str(CAP)}
    log = stack.log_dir / "booking-stream-limits.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(stack.root / ".venv/bin/boxoffice"), "serve", "booking", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.2)
    yield base, {"X-Boxoffice-Internal": env["BOXOFFICE_INTERNAL_SECRET"]}
    process.terminate()
    process.wait(10)


async def open_connections(base: str) -> float:
    """SSE plus WebSocket connections the process counts now."""
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{base}/metrics")).text
    return sum(float(v) for v in re.findall(r'boxoffice_stream_connections\{kind="\w+"\} (\S+)', text))


async def until_idle(base: str) -> None:
    deadline = time.monotonic() + 5
    while await open_connections(base) > 0:
        assert time.monotonic() < deadline, "earlier connections were never given back"
        await asyncio.sleep(0.1)


async def test_a_quiet_sse_stream_gets_a_ping_comment_at_least_every_sse_ping_s(booking, domain):
    base, headers = booking
    event = await make_event()
    await until_idle(base)
    pings = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as http:
        async with http.stream("GET", f"/api/events/{event.id}/seats/stream") as response:
            assert response.status_code == 200
            opened = time.monotonic()

            async def read():
                buffer = ""
                async for chunk in response.aiter_text():
                    buffer += chunk
                    while "\n\n" in buffer:
                        message, buffer = buffer.split("\n\n", 1)
                        if message == ": ping":
                            pings.append(time.monotonic())
                            if len(pings) == 5:
                                return

            await asyncio.wait_for(read(), 10)
    gaps = [b - a for a, b in zip([opened, *pings], pings, strict=False)]
    assert len(pings) == 5
    assert max(gaps) < PING_S + 0.35, gaps
    assert min(gaps) > PING_S * 0.5, gaps  # pings mark silence; they are not a flood


async def test_past_the_connection_cap_sse_answers_a_503_problem(booking, domain):
    base, headers = booking
    event = await make_event()
    await until_idle(base)
    path = f"/api/events/{event.id}/seats/stream"
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as http:
        async with http.stream("GET", path) as first, http.stream("GET", path) as second:
            assert (first.status_code, second.status_code) == (200, 200)
            refused = await http.get(path)
            assert refused.status_code == 503
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["status"] == 503 and refused.headers["retry-after"] == "5"
        await until_idle(base)  # a slot given back is usable again
        async with http.stream("GET", path) as again:
            assert again.status_code == 200


async def test_past_the_connection_cap_a_websocket_is_refused_with_503_before_the_upgrade(booking, domain):
    base, headers = booking
    event = await make_event()
    await until_idle(base)
    url = base.replace("http://", "ws://") + f"/api/events/{event.id}/seats/ws"
    async with websockets.connect(url, additional_headers=headers), websockets.connect(url, additional_headers=headers):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(url, additional_headers=headers)
        assert refused.value.response.status_code == 503
        assert refused.value.response.headers["Content-Type"].startswith("application/problem+json")
        assert b'"status":503' in refused.value.response.body.replace(b" ", b"")
        # an SSE client is refused too: both kinds share the cap
        async with httpx.AsyncClient(base_url=base, headers=headers) as http:
            assert (await http.get(f"/api/events/{event.id}/seats/stream")).status_code == 503
    await until_idle(base)
    async with websockets.connect(url, additional_headers=headers) as ws:
        assert ws.protocol.state.name == "OPEN"


async def test_a_websocket_for_an_unknown_event_is_a_404_before_the_upgrade(booking):
    base, headers = booking
    url = base.replace("http://", "ws://") + "/api/events/00000000-0000-4000-8000-000000000000/seats/ws"
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(url, additional_headers=headers)
    assert refused.value.response.status_code == 404
