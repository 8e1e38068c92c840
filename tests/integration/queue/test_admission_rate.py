"""Admission at the configured rate across two gateways (each runs an admitter), nobody twice."""

from __future__ import annotations

import asyncio
import re
import time

import httpx

from boxoffice import keys
from tests.integration.queue.helpers import bearer, queued_event

PER_MINUTE = 600  # 10 a second
BUYERS = 160
WINDOW_S = 10


async def test_two_gateways_together_admit_at_the_configured_rate_and_nobody_twice(stack, mint, domain):
    made = await queued_event(per_minute=PER_MINUTE, on_sale_in_s=4)
    buyers = [mint() for _ in range(BUYERS)]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        joined = await asyncio.gather(*(http.post(f"/api/events/{made.id}/queue", headers=bearer(b)) for b in buyers))
        assert {j.status_code for j in joined} == {201} and {j.json()["status"] for j in joined} == {"early"}
        on_sale_ms = int(await domain.redis.eval("local t = redis.call('TIME') return t[1]")) * 1000
    stream = keys.queue_keys(made.id)[4]
    first = None
    while first is None or time.time() * 1000 < first + WINDOW_S * 1000 + 500:
        entries = await domain.redis.xrange(stream)
        first = first or (int(entries[0].field_values["admitted"]) if entries else None)
        await asyncio.sleep(0.2)
    entries = await domain.redis.xrange(stream)
    admitted = [(int(e.field_values["admitted"]), b) for e in entries for b in e.field_values["buyers"].split(",")]
    in_window = [b for at, b in admitted if at < first + WINDOW_S * 1000]
    expected = PER_MINUTE / 60 * WINDOW_S
    assert abs(len(in_window) - expected) <= 0.1 * expected, (len(in_window), expected)
    assert first - on_sale_ms < 6000
    while len(admitted) < BUYERS and time.time() * 1000 < first + 25_000:  # let the line run dry
        await asyncio.sleep(0.5)
        entries = await domain.redis.xrange(stream)
        admitted = [(int(e.field_values["admitted"]), b) for e in entries for b in e.field_values["buyers"].split(",")]
    await asyncio.sleep(0.3)
    names = [b for _, b in admitted]
    assert len(names) == len(set(names)) == BUYERS and set(names) == {b.id for b in buyers}
    per_gateway = []
    for i in range(2):
        text = httpx.get(f"http://127.0.0.1:{stack.ports.service('gateway', i)}/metrics").text
        found = re.search(rf'boxoffice_queue_admissions_total{{event_id="{made.id}"}} ([0-9.]+)', text)
        per_gateway.append(float(found.group(1)) if found else 0.0)
    assert all(n > 0 for n in per_gateway) and sum(per_gateway) == len(names)  # both admitted, together once each
