#!/usr/bin/env python3
"""Benchmark of hot on-sales (prints figures, not a test).

(1) The booking storm of scripts/bench_booking.py (N buyers race for M seats: hold one best-available
    seat, pay) run with 1 instance of every service, then with 2: throughput and the 2:1 ratio,
    oversold (from PostgreSQL), 5xx.
(2) The same storm through the waiting room (2 instances of everything): Q buyers join before the sale,
    the gateways admit them at the configured rate, W of them watch their place over the WebSocket and,
    once admitted, hold a seat and pay with their admission token. Figures: admission rate held
    (measured on the admissions stream), place-update p99 (admission -> the WebSocket frame saying so),
    5xx, oversold.

Starts its own stack (ports shifted by --offset, rate limits opened up), stops it unless --keep. The
load generator is Python on the same cores as the system: it takes a share of the CPU.

    .venv/bin/python scripts/bench_storm.py [--buyers 2000] [--seats 500] [--queue 10000] [--watchers 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_booking import CARD, Bench, pct  # noqa: E402  (the booking benchmark's pieces)

from boxoffice.stack.testing import bench_env  # noqa: E402

STORM_ENV = {**bench_env(), "BOXOFFICE_SSE_MAX_CONNECTIONS": "20000"}


async def oversold(database_url: str, event_id: str, seats: int) -> int:
    import asyncpg

    db = await asyncpg.connect(database_url)
    try:
        valid = await db.fetchval(
            "SELECT count(*) FROM tickets WHERE event_id = $1 AND status = 'valid'", uuid.UUID(event_id)
        )
        doubles = await db.fetchval(
            "SELECT count(*) FROM (SELECT seat_id FROM tickets WHERE event_id = $1 AND"
            " status = 'valid' GROUP BY seat_id HAVING count(*) > 1) d",
            uuid.UUID(event_id),
        )
    finally:
        await db.close()
    return max(0, valid - seats) + doubles


async def buy(
    http: aiohttp.ClientSession, event_id: str, headers: dict, statuses: Counter, answered: list[float] | None = None
) -> bool:
    """Hold one best-available seat and pay for it; True when a ticket was bought."""
    async with http.post("/api/holds", headers=headers, json={"event_id": event_id, "quantity": 1}) as r:
        body = await r.json(content_type=None)
        statuses[r.status] += 1
    if answered is not None:
        answered.append(time.perf_counter())
    if r.status != 201:
        return False
    async with http.post(
        "/api/orders",
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        json={"hold_id": body["id"], "payment": CARD},
    ) as o:
        await o.read()
        statuses[o.status] += 1
    if answered is not None:
        answered.append(time.perf_counter())
    return o.status == 201


async def storm(bench: Bench, http: aiohttp.ClientSession, database_url: str, buyers: int, seats: int) -> dict:
    event_id = await bench.make_event(http, seats)
    tokens = [bench.token()[1] for _ in range(buyers)]
    statuses: Counter = Counter()
    answered: list[float] = []
    gate = asyncio.Event()

    async def buyer(i: int) -> float | None:
        await gate.wait()
        return time.perf_counter() if await buy(http, event_id, tokens[i], statuses, answered) else None

    tasks = [asyncio.create_task(buyer(i)) for i in range(buyers)]
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    gate.set()
    sold_at = [t for t in await asyncio.gather(*tasks) if t]
    elapsed = time.perf_counter() - started
    t99 = pct([t - started for t in answered], 99)  # stragglers (timeouts) are counted as 5xx, not as speed
    return {
        "sold": len(sold_at),
        "sell_out_s": (max(sold_at) - started) if sold_at else float("nan"),
        "requests_per_s": 0.99 * len(answered) / t99,
        "p99_answered_s": t99,
        "elapsed_s": elapsed,
        "fivexx": sum(n for s, n in statuses.items() if s >= 500),
        "oversold": await oversold(database_url, event_id, seats),
        "statuses": dict(sorted(statuses.items())),
    }


async def queue_storm(
    bench: Bench,
    http: aiohttp.ClientSession,
    stack,
    *,
    joiners: int,
    watchers: int,
    seats: int,
    per_minute: int,
    lead_s: float,
) -> dict:
    from boxoffice import keys
    from boxoffice.infra.redis import RedisClient

    event_id = await bench.make_event(http, seats)
    _, organizer = bench.token("organizer")
    on_sale = time.time() + lead_s
    await _enable_waiting_room(http, event_id, per_minute, on_sale)
    tokens = [bench.token()[1] for _ in range(joiners)]
    statuses: Counter = Counter()
    joined_at = time.perf_counter()
    semaphore = asyncio.Semaphore(256)

    async def join(i: int) -> None:
        async with semaphore, http.post(f"/api/events/{event_id}/queue", headers=tokens[i]) as r:
            await r.read()
            statuses[r.status] += 1

    await asyncio.gather(*(join(i) for i in range(joiners)))
    join_s = time.perf_counter() - joined_at
    frames: Counter = Counter()
    delays: list[float] = []
    bought = Counter()

    async def watch(i: int) -> None:
        url = f"/api/events/{event_id}/queue/ws"
        async with http.ws_connect(url, headers=tokens[i], heartbeat=30) as ws:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                place = json.loads(message.data)
                frames[place["status"]] += 1
                if place["status"] == "admitted":
                    admitted_s = _admitted_at(place["admission_expires_at"], bench.admission_minutes)
                    delays.append(max(0.0, time.time() - admitted_s))
                    headers = {**tokens[i], "X-Admission-Token": place["admission_token"]}
                    bought[await buy(http, event_id, headers, statuses)] += 1
                    break

    watching = [asyncio.create_task(watch(i)) for i in range(watchers)]
    redis = RedisClient(stack.redis_url)
    await redis.start()
    stream = keys.queue_keys(event_id)[4]
    try:
        while True:
            entries = await redis.client.xrange(stream)
            admitted = sum(len(e.field_values["buyers"].split(",")) for e in entries)
            if admitted >= joiners:
                break
            await asyncio.sleep(0.5)
        entries = await redis.client.xrange(stream)
    finally:
        await redis.stop()
    await asyncio.wait_for(asyncio.gather(*watching, return_exceptions=True), 120)
    times = sorted(int(e.field_values["admitted"]) for e in entries for _ in e.field_values["buyers"].split(","))
    window = (times[-1] - times[0]) / 1000 or float("nan")
    return {
        "joined": joiners,
        "join_s": join_s,
        "admitted": len(times),
        "admit_window_s": window,
        "rate_per_min": (len(times) - 1) / window * 60,
        "configured_per_min": per_minute,
        "place_update_p50_ms": pct(delays, 50) * 1000,
        "place_update_p99_ms": pct(delays, 99) * 1000,
        "frames": dict(frames),
        "bought": bought[True],
        "fivexx": sum(n for s, n in statuses.items() if s >= 500),
        "oversold": await oversold(stack.database_url, event_id, seats),
        "statuses": dict(sorted(statuses.items())),
    }


def _admitted_at(expires_at: str, minutes: int) -> float:
    from datetime import datetime

    return datetime.fromisoformat(expires_at.replace("Z", "+00:00")).timestamp() - minutes * 60


async def _enable_waiting_room(http: aiohttp.ClientSession, event_id: str, per_minute: int, on_sale: float) -> None:
    """Straight into PostgreSQL (a published event's sale start is the organizer's to move via PATCH too)."""
    from datetime import UTC, datetime

    import asyncpg

    db = await asyncpg.connect(http.bench_database_url)  # type: ignore[attr-defined]
    try:
        await db.execute(
            "UPDATE events SET waiting_room = $2::jsonb, on_sale_at = $3 WHERE id = $1",
            uuid.UUID(event_id),
            json.dumps({"enabled": True, "admit_per_minute": per_minute, "admission_minutes": 10}),
            datetime.fromtimestamp(on_sale, UTC),
        )
    finally:
        await db.close()


async def run_storm(stack, args) -> dict:
    from boxoffice.config import Config
    from boxoffice.infra.tokens import TokenIssuer

    base = f"http://127.0.0.1:{stack.ports.http}"
    bench = Bench(base, TokenIssuer(Config.from_env(stack.service_env(include_os_environ=False))))
    async with aiohttp.ClientSession(
        base, connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=600)
    ) as http:
        await storm(bench, http, stack.database_url, 200, 50)  # warm up
        return await storm(bench, http, stack.database_url, args.buyers, args.seats)


async def run_queue(stack, args) -> dict:
    from boxoffice.config import Config
    from boxoffice.infra.tokens import TokenIssuer

    base = f"http://127.0.0.1:{stack.ports.http}"
    bench = Bench(base, TokenIssuer(Config.from_env(stack.service_env(include_os_environ=False))))
    bench.admission_minutes = 10
    async with aiohttp.ClientSession(
        base, connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=900)
    ) as http:
        http.bench_database_url = stack.database_url
        return await queue_storm(
            bench,
            http,
            stack,
            joiners=args.queue,
            watchers=args.watchers,
            seats=args.seats,
            per_minute=args.rate,
            lead_s=args.lead,
        )


def show(title: str, figures: dict) -> None:
    print(f"\n{title}")
    for name, value in figures.items():
        print(f"  {name:22} {value:.2f}" if isinstance(value, float) else f"  {name:22} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=500)
    parser.add_argument("--queue", type=int, default=10000, help="buyers joining the waiting room")
    parser.add_argument("--watchers", type=int, default=1000, help="of them, watching over the WebSocket")
    parser.add_argument("--rate", type=int, default=12000, help="admissions per minute")
    parser.add_argument("--lead", type=float, default=30.0, help="seconds from creating the event to the sale")
    parser.add_argument("--part", default="storm,queue")
    parser.add_argument("--offset", type=int, default=25000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    from boxoffice.stack.testing import start_test_stack, stop_test_stack

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    stack = None
    try:
        results = {}
        if "storm" in args.part:
            for instances in (1, 2):
                stack = start_test_stack(ROOT, offset=args.offset, instances=instances, env_overrides=STORM_ENV)
                results[instances] = asyncio.run(run_storm(stack, args))
                show(
                    f"storm: {args.buyers} buyers, {args.seats} seats, {instances} instance(s) of every service",
                    results[instances],
                )
            print(
                f"\nthroughput ratio 2:1 instances = {results[2]['requests_per_s'] / results[1]['requests_per_s']:.2f}"
                " (requests answered per s up to the 99th percentile);"
                f" sell-out {results[1]['sell_out_s']:.2f} s -> {results[2]['sell_out_s']:.2f} s"
            )
        if "queue" in args.part:
            if stack is None or stack.instances != 2:
                stack = start_test_stack(ROOT, offset=args.offset, instances=2, env_overrides=STORM_ENV)
            show(
                f"waiting room: {args.queue} join, {args.watchers} watch and buy, {args.seats} seats,"
                f" {args.rate}/min, 2 instances of everything",
                asyncio.run(run_queue(stack, args)),
            )
    finally:
        if stack is not None and not args.keep:
            stop_test_stack(stack)


if __name__ == "__main__":
    main()
