"""The index behind the alias: versioned writes, ensure, reindex with no failed search."""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from tortoise import Tortoise

from boxoffice.db import tortoise_config
from boxoffice.domain.events.models import Event, Venue
from boxoffice.domain.search import index
from tests.integration.search.conftest import event_doc, found, titles


def test_a_stale_external_version_never_overwrites_a_newer_document(api, search_index):
    doc = event_doc("Version Five")
    assert search_index.put(doc, version=5).status_code == 201
    stale = search_index.put({**doc, "title": "Version Three"}, version=3)
    assert stale.status_code == 409
    assert search_index.put({**doc, "title": "Version Six"}, version=6).status_code == 200
    search_index.refresh()
    assert titles(api, q="version") == ["Version Six"]


def test_the_mapping_refuses_unknown_fields(search_index):
    answer = search_index.put({**event_doc("Strict"), "surprise": 1})
    assert answer.status_code == 400
    assert "strict_dynamic_mapping_exception" in answer.text


def test_a_write_to_a_missing_alias_does_not_create_an_index(search_index):
    answer = search_index.http.put("/events-missing/_doc/x", json={"title": "no"})
    assert answer.status_code == 404
    assert search_index.http.head("/events-missing").status_code == 404


def test_ensure_leaves_an_existing_alias_alone(stack, search_index):
    before = search_index.indices()
    out = stack.run_cli("index", "ensure")
    assert "nothing to do" in out.stdout
    assert search_index.indices() == before


async def _insert_published_event(database_url: str, title: str) -> str:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        owner = uuid.uuid4()
        venue = await Venue.create(
            owner_id=owner,
            name="Reindex Hall",
            city="Zürich",
            address="1 Main St",
            timezone="Europe/Zurich",
            sections=[],
            seat_count=10,
        )
        starts = datetime.now(UTC) + timedelta(days=10)
        event = await Event.create(
            owner_id=owner,
            venue=venue,
            title=title,
            category="concert",
            performer="The Rebuilders",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            currency="CHF",
            price_categories=[{"category": "A", "price": 4200}],
            status="published",
            seat_count=10,
            search_version=7,
            published_at=datetime.now(UTC),
        )
        return str(event.id)
    finally:
        await Tortoise.close_connections()


def test_reindex_rebuilds_from_postgres_and_swaps_the_alias_without_a_failed_search(api, stack, search_index):
    event_id = asyncio.run(_insert_published_event(stack.database_url, "Rebuilt From Postgres"))
    search_index.add(event_doc("Only In The Old Index"))
    old = search_index.indices()
    failures: list[str] = []
    searches = 0
    done = threading.Event()

    def keep_searching() -> None:
        nonlocal searches
        with httpx.Client(base_url=api.base_url, timeout=10) as http:
            while not done.is_set():
                answer = http.get("/api/search/events", params={"q": "rebuilt"})
                searches += 1
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        out = stack.run_cli("index", "reindex")
    finally:
        done.set()
        searcher.join()
    assert failures == [] and searches > 5, (failures[:3], searches)
    indexed = re.search(r"indexed (\d+)/(\d+) events", out.stdout)  # other tests' events are in PostgreSQL too
    assert "alias events ->" in out.stdout and indexed and indexed.group(1) == indexed.group(2) != "0"
    new = search_index.indices()
    assert len(new) == 1 and new != old
    assert all(search_index.http.head(f"/{name}").status_code == 404 for name in old)
    result = found(api, q="rebuilt")
    assert [(i["id"], i["city"], i["min_price"]) for i in result["items"]] == [(event_id, "Zürich", 4200)]
    assert titles(api, q="old index") == []
    assert search_index.get(event_id)["_version"] == 7


def test_ensure_rebuilds_an_index_of_an_older_mapping_so_every_event_gets_its_venues_time_zone(stack, search_index):
    """An index made before the mapping knew the venue's time zone (version 1 recorded no version):
    `index ensure` at the next deploy rebuilds it from PostgreSQL and swaps the alias."""
    event_id = asyncio.run(_insert_published_event(stack.database_url, "Older Mapping"))
    older = index.mappings()
    del older["_meta"], older["properties"]["timezone"]
    legacy, current = "events-v1-19990101000000000000", search_index.indices()
    assert (
        search_index.http.put(f"/{legacy}", json={"settings": index.settings(), "mappings": older}).status_code == 200
    )
    swapped = search_index.http.post(
        "/_aliases",
        json={
            "actions": [
                {"add": {"index": legacy, "alias": "events"}},
                *({"remove_index": {"index": name}} for name in current),
            ]
        },
    )
    assert swapped.status_code == 200, swapped.text
    out = stack.run_cli("index", "ensure")
    assert f"{legacy} has mapping version 1" in out.stdout
    rebuilt = search_index.indices()
    assert len(rebuilt) == 1 and rebuilt[0].startswith(f"events-v{index.MAPPING_VERSION}-")
    assert search_index.http.head(f"/{legacy}").status_code == 404
    assert search_index.get(event_id)["_source"]["timezone"] == "Europe/Zurich"
    assert "nothing to do" in stack.run_cli("index", "ensure").stdout
