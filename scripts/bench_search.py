#!/usr/bin/env python3
"""Search latency benchmark: p50/p99 at 10k and 100k indexed events. Not a test.

Bulk-loads synthetic search documents (the real mapping, from boxoffice.domain.search.index) into a
scratch index behind a scratch alias of a running Elasticsearch, then times the search API's own
request bodies (boxoffice.domain.search.query.search_body: fuzzy multi-match, filters, facets,
highlights, sorts):

  - directly against Elasticsearch with the service's async client (default), or
  - through a running search service (`--service http://127.0.0.1:8083`), which must have been started
    with BOXOFFICE_SEARCH_ALIAS set to the scratch alias (`--alias`, default bench-events).

    .venv/bin/python scripts/bench_search.py --es http://127.0.0.1:9200 --sizes 10000,100000

The scratch index is deleted at the end unless --keep. The target on the dev machine: p99 <= 50 ms at 100k.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from boxoffice.config import DEV_PLACEHOLDER, Config
from boxoffice.domain.search import index, query
from boxoffice.domain.search.documents import fold, rfc3339, suggest_weight
from boxoffice.domain.search.repository import VersionedDocument
from boxoffice.domain.search.schemas import SearchParams
from boxoffice.infra.elasticsearch import client

PERFORMERS = [
    "Taylor Swift",
    "Beyoncé",
    "Motörhead",
    "Adele",
    "Coldplay",
    "Ed Sheeran",
    "Rammstein",
    "Björk",
    "Sigur Rós",
    "Die Ärzte",
    "Metallica",
    "Dua Lipa",
    "Billie Eilish",
    "The Weeknd",
    "Rosalía",
    "Måneskin",
    "Stromae",
    "Zaz",
    "Kraftwerk",
    "Röyksopp",
    "Arctic Monkeys",
    "Muse",
    "Queen Tribute",
    "Vienna Philharmonic",
    "Berlin Symphony",
    "Cirque Éloize",
    "Stand-up Collective",
    "FC Zürich",
]
WORDS = [
    "Concert",
    "Live",
    "Tour",
    "Night",
    "Festival",
    "Gala",
    "Evening",
    "Show",
    "Unplugged",
    "Anniversary",
    "Symphony",
    "Matinée",
    "Tribute",
    "Session",
    "Classics",
    "Open Air",
    "Christmas",
    "Summer",
]
CITIES = [
    "Zürich",
    "Genève",
    "Berlin",
    "München",
    "Wien",
    "Köln",
    "Paris",
    "London",
    "Kraków",
    "Malmö",
    "Basel",
    "Hamburg",
    "Lyon",
    "Milano",
    "Praha",
]
VENUES = ["Hallenstadion", "Arena", "Stadthalle", "Opéra", "Philharmonie", "Town Hall", "Club Rote Fabrik", "Palais"]
CATEGORIES = ["concert", "theatre", "sports", "comedy", "family", "festival", "other"]
QUERIES = [
    "tylor swift",
    "beyonce concerts",
    "motorhead",
    "adele live",
    "coldplay",
    "rammstein tour",
    "bjork",
    "festival",
    "zurich",
    "symphony",
    "muse",
    "queen",
    "christmas gala",
    "open air",
    "dua lipa",
]


def synthetic(rng: random.Random, now: datetime) -> VersionedDocument:
    performer, city = rng.choice(PERFORMERS), rng.choice(CITIES)
    title = f"{performer} {rng.choice(WORDS)}" + (f" {rng.choice(WORDS)}" if rng.random() < 0.3 else "")
    starts = now + timedelta(days=rng.uniform(-60, 400))
    ends = starts + timedelta(hours=rng.choice((2, 3, 4)))
    low = rng.randrange(1000, 15000, 500)
    doc = {
        "id": str(uuid.uuid4()),
        "title": title,
        "performer": performer,
        "category": rng.choice(CATEGORIES),
        "description": f"{performer} in {city}: an unforgettable {rng.choice(WORDS).lower()} at the "
        f"{rng.choice(VENUES)}. " + " ".join(rng.choices(WORDS, k=12)).lower(),
        "status": rng.choices(("published", "draft", "cancelled"), (90, 7, 3))[0],
        "venue_id": str(uuid.uuid4()),
        "venue_name": f"{rng.choice(VENUES)} {city}",
        "city": city,
        "city_key": fold(city),
        "starts_at": rfc3339(starts),
        "ends_at": rfc3339(ends),
        "on_sale_at": None,
        "published_at": rfc3339(now),
        "min_price": low,
        "max_price": low + rng.randrange(0, 20000, 500),
        "currency": "EUR",
        "seat_count": 500,
        "available_seats": rng.choice((0, 3, 40, 200, 500)),
        "suggest": {"input": [title, performer], "weight": suggest_weight(ends)},
    }
    return VersionedDocument(doc["id"], 1, doc)


def random_params(rng: random.Random) -> SearchParams:
    args: dict = {"sort": rng.choice(("relevance", "relevance", "date", "price_asc"))}
    if rng.random() < 0.8:
        args["q"] = rng.choice(QUERIES)
    if rng.random() < 0.3:
        args["city"] = fold(rng.choice(CITIES))
    if rng.random() < 0.2:
        args["category"] = rng.choice(CATEGORIES)
    if rng.random() < 0.2:
        args["available"] = "true"
    if rng.random() < 0.1:
        args["page"] = str(rng.randint(2, 5))
    return SearchParams.model_validate(args)


async def load(es, alias: str, name: str, target: int, have: int, rng: random.Random) -> None:
    now, started = datetime.now(UTC), time.perf_counter()
    while have < target:
        batch = [synthetic(rng, now) for _ in range(min(2000, target - have))]
        await index.bulk_write(es, name, batch)
        have += len(batch)
        print(f"  loaded {have}/{target} ({have / (time.perf_counter() - started):.0f} docs/s)", end="\r", flush=True)
    await es.indices.refresh(index=alias)
    await es.indices.forcemerge(index=name, max_num_segments=1, request_timeout=600)
    print()


async def time_direct(es, alias: str, params: list[SearchParams]) -> list[float]:
    times = []
    for p in params:
        t0 = time.perf_counter()
        await es.search(index=alias, body=query.search_body(p))
        times.append((time.perf_counter() - t0) * 1000)
    return times


async def time_service(url: str, secret: str, params: list[SearchParams]) -> list[float]:
    times = []
    async with httpx.AsyncClient(base_url=url, headers={"X-Boxoffice-Internal": secret}, timeout=10) as http:
        for p in params:
            args = p.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True, mode="json")
            t0 = time.perf_counter()
            answer = await http.get("/api/search/events", params=args)
            times.append((time.perf_counter() - t0) * 1000)
            answer.raise_for_status()
    return times


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(42)
    config = Config(elasticsearch_url=args.es, search_alias=args.alias)
    async with client(config, request_timeout=60) as es:
        name = index.new_index_name(args.alias)
        await index.create_index(es, name)
        await es.indices.update_aliases(actions=[{"add": {"index": name, "alias": args.alias}}])
        print(
            f"scratch index {name} behind alias {args.alias} on {args.es}; "
            f"timing {'the search service at ' + args.service if args.service else 'Elasticsearch directly'}"
        )
        have = 0
        try:
            for size in args.sizes:
                await load(es, args.alias, name, size, have, rng)
                have = size
                warm = [random_params(rng) for _ in range(args.warmup)]
                timed = [random_params(rng) for _ in range(args.queries)]
                if args.service:
                    await time_service(args.service, args.secret, warm)
                    times = await time_service(args.service, args.secret, timed)
                else:
                    await time_direct(es, args.alias, warm)
                    times = await time_direct(es, args.alias, timed)
                print(
                    f"{size:>7} events: {len(times)} searches  p50 {percentile(times, 50):6.1f} ms  "
                    f"p99 {percentile(times, 99):6.1f} ms  mean {statistics.fmean(times):6.1f} ms  "
                    f"max {max(times):6.1f} ms"
                )
        finally:
            if not args.keep:
                await es.indices.delete(index=name, ignore_unavailable=True)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--es", default="http://127.0.0.1:9200", help="Elasticsearch URL")
    p.add_argument("--alias", default="bench-events", help="scratch alias (never the live 'events')")
    p.add_argument("--sizes", default="10000,100000", type=lambda s: [int(x) for x in s.split(",")])
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--service", help="time through this search service instead of Elasticsearch directly")
    p.add_argument("--secret", default=DEV_PLACEHOLDER, help="the internal secret the service expects")
    p.add_argument("--keep", action="store_true", help="keep the scratch index")
    args = p.parse_args()
    if args.alias == "events":
        p.error("use a scratch alias, not the live one")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
