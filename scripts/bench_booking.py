#!/usr/bin/env python3
"""Benchmark of the booking service through nginx -> gateway -> booking (prints figures, not a test).

(a) hold throughput and p50/p99 with 200 concurrent buyers on a 5,000-seat event (each buyer holds
    2 best-available seats, then releases them, again and again), against the no-op endpoint driven
    the same way; (b) an on-sale storm: 2,000 buyers race for 500 seats and check out: time to sell
    out, seats oversold (from PostgreSQL), 5xx answers; (c) SSE fan-out: 2,000 subscribers on one
    event, latency from a hold being sent to each subscriber seeing it.

Starts its own stack (ports shifted by --offset, rate limits opened up), stops it unless --keep.
The load generator is Python (aiohttp + uvloop) on the same 2 cores: it takes a share of the CPU.

    .venv/bin/python scripts/bench_booking.py [--seconds 10] [--buyers 200] [--part a,b,c]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CARD = {"method": "card", "card_number": "4242424242424242", "expiry": "12/39", "cvc": "123"}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Bench:
    def __init__(self, base: str, issuer):
        self.base = base
        self.issuer = issuer

    def token(self, role: str = "buyer") -> tuple[str, dict]:
        user_id = str(uuid.uuid4())
        return user_id, {"Authorization": f"Bearer {self.issuer.issue(user_id, [role])}"}

    async def make_event(self, http: aiohttp.ClientSession, seats: int, per_row: int = 50) -> str:
        _, organizer = self.token("organizer")
        rows = [
            {"label": f"R{i}", "seat_count": min(per_row, seats - i * per_row), "category": "standard"}
            for i in range((seats + per_row - 1) // per_row)
        ]
        sections = [{"name": "Floor", "rows": rows}]
        async with http.post(
            "/api/venues",
            headers=organizer,
            json={
                "name": "Bench Arena",
                "city": "Benchville",
                "address": "1 Load St",
                "timezone": "UTC",
                "sections": sections,
            },
        ) as r:
            venue = await r.json()
            assert r.status == 201, venue
        starts = datetime.now(UTC) + timedelta(days=30)
        async with http.post(
            "/api/events",
            headers=organizer,
            json={
                "title": "Bench Night",
                "category": "concert",
                "performer": "The Loads",
                "venue_id": venue["id"],
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=3)).isoformat(),
                "currency": "EUR",
                "price_categories": [{"category": "standard", "price": 5000}],
                "max_tickets_per_order": 8,
            },
        ) as r:
            event = await r.json()
            assert r.status == 201, event
        async with http.post(f"/api/events/{event['id']}/publish", headers=organizer) as r:
            assert r.status == 200, await r.text()
        return event["id"]


async def closed_loop(http, workers: int, seconds: float, step) -> tuple[int, list[float], dict[int, int]]:
    """`workers` coroutines each running `step(i)` (-> measured latency or None) until time is up."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        while time.perf_counter() < deadline:
            status, latency = await step(i)
            statuses[status] = statuses.get(status, 0) + 1
            if latency is not None:
                latencies.append(latency)

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(workers)))
    return len(latencies), latencies, statuses | {"elapsed": time.perf_counter() - started}


async def part_a(bench: Bench, http: aiohttp.ClientSession, buyers: int, seconds: float) -> None:
    event_id = await bench.make_event(http, 5000)
    tokens = [bench.token()[1] for _ in range(buyers)]

    async def hold_and_release(i: int):
        t0 = time.perf_counter()
        async with http.post("/api/holds", headers=tokens[i], json={"event_id": event_id, "quantity": 2}) as r:
            body = await r.json()
            latency = time.perf_counter() - t0
        if r.status == 201:
            async with http.delete(f"/api/holds/{body['id']}", headers=tokens[i]) as d:
                await d.read()
        return r.status, latency

    async def noop_twice(i: int):
        t0 = time.perf_counter()
        async with http.get("/api/booking/noop", headers=tokens[i]) as r:
            await r.read()
            latency = time.perf_counter() - t0
        async with http.get("/api/booking/noop", headers=tokens[i]) as again:
            await again.read()
        return r.status, latency

    await closed_loop(http, buyers, 2, noop_twice)  # warm up
    results = {}
    for name, step in (("hold (+release)", hold_and_release), ("noop (x2)", noop_twice)):
        count, latencies, statuses = await closed_loop(http, buyers, seconds, step)
        results[name] = (count / statuses.pop("elapsed"), latencies, statuses)
    print(
        f"\n(a) {buyers} concurrent buyers, 5,000-seat event, {seconds:.0f} s each, through nginx -> gateway -> booking"
    )
    print(f"{'what':18} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for name, (rate, latencies, statuses) in results.items():
        print(f"{name:18} {rate:8.0f} {pct(latencies, 50) * 1000:8.2f} {pct(latencies, 99) * 1000:8.2f}  {statuses}")
    hold_rate, noop_rate = results["hold (+release)"][0], results["noop (x2)"][0]
    print(
        f"holds/s {hold_rate:.0f} (target >= 1000); ratio to noop on the same path {hold_rate / noop_rate:.2f}"
        f" (target >= 0.5); hold p99 {pct(results['hold (+release)'][1], 99) * 1000:.1f} ms (target <= 100)"
    )


async def part_b(
    bench: Bench, http: aiohttp.ClientSession, database_url: str, buyers: int = 2000, seats: int = 500
) -> None:
    import asyncpg

    event_id = await bench.make_event(http, seats)
    tokens = [bench.token()[1] for _ in range(buyers)]
    statuses: dict[int, int] = {}
    sold_at: list[float] = []
    gate = asyncio.Event()

    async def buyer(i: int) -> None:
        await gate.wait()
        async with http.post("/api/holds", headers=tokens[i], json={"event_id": event_id, "quantity": 1}) as r:
            body = await r.json()
            statuses[r.status] = statuses.get(r.status, 0) + 1
        if r.status != 201:
            return
        async with http.post(
            "/api/orders",
            headers={**tokens[i], "Idempotency-Key": uuid.uuid4().hex},
            json={"hold_id": body["id"], "payment": CARD},
        ) as o:
            await o.read()
            statuses[o.status] = statuses.get(o.status, 0) + 1
            if o.status == 201:
                sold_at.append(time.perf_counter())

    tasks = [asyncio.create_task(buyer(i)) for i in range(buyers)]
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    gate.set()
    await asyncio.gather(*tasks)
    db = await asyncpg.connect(database_url)
    valid = await db.fetchval(
        "SELECT count(*) FROM tickets WHERE event_id = $1 AND status = 'valid'", uuid.UUID(event_id)
    )
    doubles = await db.fetchval(
        "SELECT count(*) FROM (SELECT seat_id FROM tickets WHERE event_id = $1 AND status ="
        " 'valid' GROUP BY seat_id HAVING count(*) > 1) d",
        uuid.UUID(event_id),
    )
    await db.close()
    fivexx = sum(n for s, n in statuses.items() if s >= 500)
    print(f"\n(b) on-sale storm: {buyers} buyers race for {seats} seats (hold 1 best available, then pay)")
    print(
        f"sold {len(sold_at)} / {seats}; time to sell out {max(sold_at) - started if sold_at else float('nan'):.2f} s;"
        f" valid tickets {valid}; oversold {max(0, valid - seats) + doubles} (target 0); 5xx {fivexx} (target 0);"
        f" statuses {dict(sorted(statuses.items()))}"
    )


async def part_c(bench: Bench, base: str, subscribers: int = 2000, changes: int = 20) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(base, connector=connector, timeout=aiohttp.ClientTimeout(total=None)) as http:
        event_id = await bench.make_event(http, 500)
        received: dict[str, list[float]] = {}
        ready = 0

        async def subscribe() -> None:
            nonlocal ready
            async with http.get(f"/api/events/{event_id}/seats/stream") as r:
                ready += 1
                async for line in r.content:
                    if line.startswith(b"data:"):
                        data = json.loads(line[5:])
                        received.setdefault(",".join(data["seat_ids"]), []).append(time.perf_counter())

        listeners = [asyncio.create_task(subscribe()) for _ in range(subscribers)]
        while ready < subscribers:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        sent: dict[str, float] = {}
        for _ in range(changes):
            # Timed from the moment the hold is sent: this one process also reads the 2,000 streams, so
            # it may only get round to the hold's response after the streams already delivered it (a
            # "from the response" clock then reads below zero). An upper bound, the hold's own time included.
            started = time.perf_counter()
            async with http.post(
                "/api/holds", headers=bench.token()[1], json={"event_id": event_id, "quantity": 1}
            ) as r:
                body = await r.json()
                sent[",".join(body["seat_ids"])] = started
            await asyncio.sleep(0.25)
        await asyncio.sleep(2)
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
    latencies = [t - sent[k] for k, times in received.items() if k in sent for t in times]
    print(f"\n(c) SSE fan-out: {subscribers} subscribers, {changes} holds")
    print(
        f"deliveries {len(latencies)} / {subscribers * changes}; latency p50 {pct(latencies, 50) * 1000:.1f} ms,"
        f" p99 {pct(latencies, 99) * 1000:.1f} ms (target <= 500)"
    )


async def run(args, stack) -> None:
    from boxoffice.config import Config
    from boxoffice.infra.tokens import TokenIssuer

    base = f"http://127.0.0.1:{stack.ports.http}"
    bench = Bench(base, TokenIssuer(Config.from_env(stack.service_env(include_os_environ=False))))
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(base, connector=connector, timeout=aiohttp.ClientTimeout(total=600)) as http:
        if "a" in args.part:
            await part_a(bench, http, args.buyers, args.seconds)
        if "b" in args.part:
            await part_b(bench, http, stack.database_url)
    if "c" in args.part:
        await part_c(bench, base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--part", default="a,b,c")
    parser.add_argument("--offset", type=int, default=24000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    from boxoffice.stack.testing import bench_env, start_test_stack, stop_test_stack

    stack = start_test_stack(ROOT, offset=args.offset, env_overrides=bench_env())
    try:
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        asyncio.run(run(args, stack))
    finally:
        if not args.keep:
            stop_test_stack(stack)


if __name__ == "__main__":
    main()
