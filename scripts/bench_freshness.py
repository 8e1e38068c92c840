"""Search freshness and outbox relay throughput against a running stack. Prints figures; not a test.

    .venv/bin/python scripts/bench_freshness.py --base-url http://127.0.0.1:8000 \
        --es-url http://127.0.0.1:9200 --database-url postgres://boxoffice@127.0.0.1:5432/boxoffice

1. Freshness: an organizer publishes N drafts one after another; for each, the time from the publish
   answer to the event being *searchable* (a `_search` on the alias finds it as published, or with
   --via api the search API finds its unique title). p50/p95/p99, then a few publishes each after
   the index sat idle for more than 30 s (search-idle shards are the classic freshness trap).
2. Relay throughput: 10,000 outbox rows queued at once (draft documents of throwaway ids, deleted
   again afterwards), timed until the relays have delivered them all: rows/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

ALIAS = os.environ.get("BOXOFFICE_SEARCH_ALIAS", "events")


def later(days: float, hours: float = 0) -> str:
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days, hours=hours)
    return moment.isoformat().replace("+00:00", "Z")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name}: n={len(ms)} p50={percentile(ms, 50):.0f} ms p95={percentile(ms, 95):.0f} ms "
        f"p99={percentile(ms, 99):.0f} ms max={max(ms):.0f} ms mean={statistics.mean(ms):.0f} ms",
        flush=True,
    )


class Organizer:
    def __init__(self, api: httpx.AsyncClient):
        self.api = api
        self.headers: dict[str, str] = {}

    async def login(self) -> None:
        email, password = f"bench-{uuid.uuid4().hex[:10]}@example.com", "bench-password-123"
        answer = await self.api.post(
            "/api/auth/register", json={"email": email, "password": password, "name": "Bench", "role": "organizer"}
        )
        answer.raise_for_status()
        token = (await self.api.post("/api/auth/token", json={"email": email, "password": password})).json()
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}

    async def venue(self) -> str:
        body = {
            "name": "Bench Hall",
            "city": "Benchville",
            "address": "1 Bench St",
            "timezone": "UTC",
            "sections": [{"name": "Floor", "rows": [{"label": "A", "seat_count": 20, "category": "standard"}]}],
        }
        answer = await self.api.post("/api/venues", json=body, headers=self.headers)
        answer.raise_for_status()
        return answer.json()["id"]

    async def draft(self, venue_id: str, title: str) -> str:
        body = {
            "title": title,
            "category": "concert",
            "performer": "Bench Performer",
            "venue_id": venue_id,
            "starts_at": later(60),
            "ends_at": later(60, 3),
            "currency": "EUR",
            "price_categories": [{"category": "standard", "price": 1000}],
        }
        answer = await self.api.post("/api/events", json=body, headers=self.headers)
        answer.raise_for_status()
        return answer.json()["id"]

    async def publish(self, event_id: str) -> None:
        (await self.api.post(f"/api/events/{event_id}/publish", headers=self.headers)).raise_for_status()

    async def cancel(self, event_id: str) -> None:
        await self.api.post(f"/api/events/{event_id}/cancel", headers=self.headers)


async def searchable(args, api: httpx.AsyncClient, es: httpx.AsyncClient, event_id: str, token: str) -> bool:
    if args.via == "api":
        answer = await api.get("/api/search/events", params={"q": token, "size": 5})
        return answer.status_code == 200 and any(item["id"] == event_id for item in answer.json()["items"])
    query = {"query": {"bool": {"filter": [{"term": {"id": event_id}}, {"term": {"status": "published"}}]}}, "size": 1}
    answer = await es.post(f"/{ALIAS}/_search", json=query)
    return answer.status_code == 200 and answer.json()["hits"]["total"]["value"] > 0


async def time_publish(args, organizer: Organizer, api, es, venue_id: str) -> float:
    token = f"fresh{uuid.uuid4().hex[:12]}"
    event_id = await organizer.draft(venue_id, f"Freshness {token}")
    await organizer.publish(event_id)
    started = time.perf_counter()
    while not await searchable(args, api, es, event_id, token):
        if time.perf_counter() - started > 30:
            raise SystemExit(f"event {event_id} not searchable after 30 s")
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - started
    await organizer.cancel(event_id)  # keep the demo search clean
    return elapsed


async def freshness(args) -> None:
    async with (
        httpx.AsyncClient(base_url=args.base_url, timeout=30, verify=False) as api,
        httpx.AsyncClient(base_url=args.es_url, timeout=30) as es,
    ):
        organizer = Organizer(api)
        await organizer.login()
        venue_id = await organizer.venue()
        busy = []
        for i in range(args.publishes):
            busy.append(await time_publish(args, organizer, api, es, venue_id))
            if (i + 1) % 50 == 0:
                print(f"  {i + 1}/{args.publishes} publishes", file=sys.stderr, flush=True)
        report(f"publish -> searchable ({args.via})", busy)
        idle = []
        for i in range(args.idle_samples):
            print(f"  idle {args.idle_s:.0f} s ({i + 1}/{args.idle_samples})", file=sys.stderr, flush=True)
            await asyncio.sleep(args.idle_s)
            idle.append(await time_publish(args, organizer, api, es, venue_id))
        if idle:
            report(f"publish -> searchable after {args.idle_s:.0f} s idle", idle)


async def throughput(args) -> None:
    db = await asyncpg.connect(args.database_url)
    try:
        ids = [f"bench-{uuid.uuid4()}" for _ in range(args.rows)]
        document = json.dumps(
            {
                "id": "x",
                "title": "relay bench",
                "status": "draft",
                "category": "other",
                "city": "Benchville",
                "city_key": "benchville",
                "min_price": 0,
                "max_price": 0,
                "currency": "EUR",
                "seat_count": 0,
                "available_seats": 0,
            }
        )
        for kind in ("event.upserted", "event.deleted"):
            first = await db.fetchval("SELECT coalesce(max(id), 0) + 1 FROM outbox")
            started = time.perf_counter()
            await db.execute(
                "INSERT INTO outbox (aggregate_id, kind, version, payload, status, attempts, available_at, created_at) "
                "SELECT a, $2, $3, jsonb_set($4::jsonb, '{id}', to_jsonb(a)), 'pending', 0, now(), now() "
                "FROM unnest($1::text[]) AS a",
                ids,
                kind,
                1 if kind == "event.upserted" else 2,
                document,
            )
            await db.execute("SELECT pg_notify('boxoffice_outbox', '')")
            queued = time.perf_counter() - started
            while await db.fetchval("SELECT count(*) FROM outbox WHERE id >= $1 AND status = 'pending'", first):
                if time.perf_counter() - started > 600:
                    raise SystemExit("the relays did not drain the backlog in 10 minutes")
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            dead = await db.fetchval("SELECT count(*) FROM outbox WHERE id >= $1 AND status = 'dead'", first)
            print(
                f"relay throughput ({kind}): {args.rows} rows in {elapsed:.2f} s = {args.rows / elapsed:,.0f} rows/s "
                f"(queueing took {queued:.2f} s; dead: {dead})",
                flush=True,
            )
    finally:
        await db.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base-url", default="http://127.0.0.1:8000", help="nginx (or the gateway)")
    p.add_argument("--es-url", default=os.environ.get("BOXOFFICE_ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    p.add_argument(
        "--database-url",
        default=os.environ.get("BOXOFFICE_DATABASE_URL", "postgres://boxoffice@127.0.0.1:5432/boxoffice"),
    )
    p.add_argument(
        "--via", choices=("es", "api"), default="es", help="detect searchability via ES _search or the search API"
    )
    p.add_argument("--publishes", type=int, default=200)
    p.add_argument("--idle-samples", type=int, default=3)
    p.add_argument("--idle-s", type=float, default=31.0)
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--skip", choices=("freshness", "throughput"), action="append", default=[])
    args = p.parse_args()
    if "freshness" not in args.skip:
        asyncio.run(freshness(args))
    if "throughput" not in args.skip:
        asyncio.run(throughput(args))


if __name__ == "__main__":
    main()
