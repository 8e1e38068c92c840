"""The outbox relay against real PostgreSQL and Elasticsearch (a private database and alias)."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
import uuid

import pytest
from elastic_transport import ConnectionError as ElasticsearchConnectionError
from elasticsearch import AsyncElasticsearch
from tortoise.connection import get_connection

from boxoffice.domain.outbox import repository as outbox
from boxoffice.domain.outbox import service as operators
from boxoffice.domain.outbox.relay import Relay, RelaySettings, SearchDown
from boxoffice.infra.metrics import OUTBOX_DEAD
from tests.integration.events.conftest import ROOT_DIR, document, indexed, queue, rows_of

FAST = RelaySettings(batch_size=50, backoff_base_s=0.2, backoff_cap_s=60, max_attempts=12)


def new_ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


async def wait_until_available(*event_ids: str) -> None:
    rows = await rows_of(*event_ids)
    pause = max((r["available_at"] - r["now"]).total_seconds() for r in rows)
    await asyncio.sleep(max(0.0, pause) + 0.05)


async def test_a_relay_delivers_pending_rows_with_their_version_and_marks_them_delivered(es, alias, empty_outbox):
    a, b = new_ids(2)
    await queue(a, 1)
    await queue(a, 2)
    await queue(b, 1)
    assert await Relay(es=es, index=alias, settings=FAST).drain() == 3
    assert [(r["status"], r["attempts"]) for r in await rows_of(a, b)] == [("delivered", 0)] * 3
    doc_a, doc_b = await indexed(es, alias, a), await indexed(es, alias, b)
    assert (doc_a["_version"], doc_a["_source"]["title"]) == (2, "v2")
    assert (doc_b["_version"], doc_b["_source"]["title"]) == (1, "v1")


KILLED_RELAY = """
import asyncio, os, sys
from elasticsearch import AsyncElasticsearch
from tortoise import Tortoise
from boxoffice.db import tortoise_config
from boxoffice.domain.outbox.relay import Relay

async def die(rows):
    os._exit(17)  # killed after the Elasticsearch write, before the commit

async def main(database_url, es_url, alias):
    await Tortoise.init(config=tortoise_config(database_url))
    await Relay(es=AsyncElasticsearch(es_url), index=alias, after_write=die).deliver_batch()

asyncio.run(main(*sys.argv[1:]))
"""


async def test_a_relay_killed_between_the_write_and_the_commit_leaves_rows_pending_and_they_are_redelivered(
    stack, es, alias, relay_db, empty_outbox
):
    a, b = new_ids(2)
    await queue(a, 1)
    await queue(b, 4)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RELAY, relay_db, stack.elasticsearch_url, alias],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == 17, killed.stderr
    assert (await indexed(es, alias, b))["_version"] == 4  # the write happened...
    assert [(r["status"], r["attempts"]) for r in await rows_of(a, b)] == [("pending", 0)] * 2  # ...the commit not
    assert await Relay(es=es, index=alias, settings=FAST).drain() == 2
    assert [r["status"] for r in await rows_of(a, b)] == ["delivered", "delivered"]
    assert (await indexed(es, alias, a))["_source"]["title"] == "v1"


class RecordingElasticsearch:
    """Notes every versioned write as the bulk call starts, and which events are being written by whom;
    sleeps a little to widen the race."""

    def __init__(self, es: AsyncElasticsearch, log: dict, name: str):
        self.es, self.log, self.name = es, log, name

    async def bulk(self, *, operations, **kw):
        mine = [op.get("index") or op.get("delete") for op in operations]
        mine = [(meta["_id"], meta["version"]) for meta in mine if meta and "version_type" in meta]
        self.log["calls"].append(self.name)
        self.log["writes"].extend(mine)
        for event_id, _ in mine:
            other = self.log["busy"].setdefault(event_id, self.name)
            if other != self.name:
                self.log["overlaps"].append((event_id, other, self.name))
        await asyncio.sleep(random.uniform(0, 0.02))
        try:
            return await self.es.bulk(operations=operations, **kw)
        finally:
            for event_id, _ in mine:
                self.log["busy"].pop(event_id, None)


async def test_three_relays_at_once_lose_nothing_and_never_write_an_events_rows_out_of_order(es, alias, empty_outbox):
    events, versions = new_ids(8), 20
    log: dict = {"calls": [], "writes": [], "busy": {}, "overlaps": []}
    relays = [
        Relay(es=RecordingElasticsearch(es, log, f"r{i}"), index=alias, settings=RelaySettings(batch_size=2))
        for i in range(3)
    ]
    produced = asyncio.Event()

    async def produce() -> None:
        for version in range(1, versions + 1):
            for event_id in random.sample(events, len(events)):
                await queue(event_id, version)
                await asyncio.sleep(random.uniform(0, 0.004))
        produced.set()

    async def relay_until_empty(relay: Relay) -> None:
        while True:
            if not await relay.deliver_batch():
                if produced.is_set() and not await pending():
                    return
                await asyncio.sleep(0.002)

    await asyncio.wait_for(asyncio.gather(produce(), *(relay_until_empty(r) for r in relays)), timeout=120)
    rows = await rows_of(*events)
    assert len(rows) == len(events) * versions and {r["status"] for r in rows} == {"delivered"}
    assert len(set(log["calls"])) == 3, "every relay took part"
    assert log["overlaps"] == [], "two relays wrote one event at the same time"
    for event_id in events:
        sent = [version for target, version in log["writes"] if target == event_id]
        assert sent == sorted(set(sent)), f"out of order for {event_id}: {sent}"
        delivered = [r["delivered_at"] for r in rows if r["aggregate_id"] == event_id]
        assert delivered == sorted(delivered)
        doc = await indexed(es, alias, event_id)
        assert (doc["_version"], doc["_source"]["title"]) == (versions, f"v{versions}")


async def pending() -> int:
    rows = await get_connection("default").execute_query_dict(
        "SELECT count(*) AS n FROM outbox WHERE status = 'pending'"
    )
    return rows[0]["n"]


async def test_an_elasticsearch_outage_uses_up_no_attempts_however_long_and_rows_arrive_once_it_returns(
    es, alias, empty_outbox
):
    a, b = new_ids(2)
    await queue(a, 1)
    await queue(b, 1)
    down = AsyncElasticsearch("http://127.0.0.1:9", request_timeout=1, max_retries=0)
    relay = Relay(es=down, index=alias, settings=RelaySettings(max_attempts=2))
    for _ in range(4):  # more failed batches than the rows have attempts
        with pytest.raises(SearchDown):
            await relay.deliver_batch()
    await down.close()
    assert [(r["status"], r["attempts"], r["last_error"]) for r in await rows_of(a, b)] == [("pending", 0, None)] * 2
    await queue(a, 2)  # queued while Elasticsearch is down: waits behind its event's older row
    assert await Relay(es=es, index=alias, settings=FAST).drain() == 3
    assert {r["status"] for r in await rows_of(a, b)} == {"delivered"}
    assert (await indexed(es, alias, a))["_source"]["title"] == "v2"
    assert (await indexed(es, alias, b))["_version"] == 1


async def test_a_running_relay_backs_off_while_elasticsearch_is_down_and_resumes_by_itself(es, alias, empty_outbox):
    (a,) = new_ids(1)
    await queue(a, 1)
    calls = []

    class Down:
        async def bulk(self, **kw):
            calls.append(time.monotonic())
            raise ElasticsearchConnectionError("refused")

    relay = Relay(es=Down(), index=alias, settings=RelaySettings(poll_s=0.05, backoff_base_s=0.5), rng=lambda: 1.0)
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(3.2)
    assert 2 <= len(calls) <= 4, f"{len(calls)} tries in 3 s: pauses of 1, 2, 4 s expected, not one per poll"
    relay.es = es  # Elasticsearch is back: the next try delivers
    deadline = time.monotonic() + 10
    while (await rows_of(a))[0]["status"] != "delivered":
        assert time.monotonic() < deadline, "the relay did not resume"
        await asyncio.sleep(0.1)
    relay.stop()
    await asyncio.wait_for(task, 10)
    assert (await rows_of(a))[0]["attempts"] == 0


async def test_a_stale_version_never_overwrites_a_newer_document(es, alias, empty_outbox):
    (a,) = new_ids(1)
    await es.index(index=alias, id=a, document=document(a, 5), version=5, version_type="external", refresh=True)
    await queue(a, 3)
    assert await Relay(es=es, index=alias, settings=FAST).drain() == 1
    (row,) = await rows_of(a)
    assert (row["status"], row["last_error"]) == ("delivered", None)  # superseded counts as delivered
    doc = await indexed(es, alias, a)
    assert (doc["_version"], doc["_source"]["title"]) == (5, "v5")


async def test_rows_that_keep_failing_end_dead_do_not_block_their_event_and_can_be_requeued(es, alias, empty_outbox):
    (a,) = new_ids(1)
    await queue(a, 1)
    missing = f"relaytest-missing-{uuid.uuid4().hex[:8]}"  # Elasticsearch answers, and refuses the rows
    dying = Relay(es=es, index=missing, settings=RelaySettings(max_attempts=3, backoff_base_s=0.01))
    for _ in range(3):
        await wait_until_available(a)
        await dying.deliver_batch()
    (row,) = await rows_of(a)
    assert (row["status"], row["attempts"]) == ("dead", 3) and "index_not_found" in row["last_error"]
    await dying.record_health()
    assert OUTBOX_DEAD._value.get() == 1
    relay = Relay(es=es, index=alias, settings=FAST)
    assert await relay.drain() == 0, "dead rows are not retried by themselves"
    await queue(a, 2)
    assert await relay.drain() == 1, "a dead row does not hold back newer rows of its event"
    assert await operators.requeue_dead() == 1
    assert await relay.drain() == 1
    assert [(r["version"], r["status"], r["attempts"]) for r in await rows_of(a)] == [
        (1, "delivered", 0),
        (2, "delivered", 0),
    ]
    assert (await indexed(es, alias, a))["_source"]["title"] == "v2"


async def test_a_notify_wakes_a_sleeping_relay_long_before_its_poll(es, alias, relay_db, empty_outbox):
    relay = Relay(es=es, index=alias, settings=RelaySettings(poll_s=30))
    task = asyncio.create_task(relay.run(database_url=relay_db))
    await asyncio.sleep(1.0)  # the relay has found nothing and sleeps on LISTEN
    (a,) = new_ids(1)
    started = time.monotonic()
    await queue(a, 1)
    await outbox.notify()
    while (await rows_of(a))[0]["status"] != "delivered":
        assert time.monotonic() - started < 5, "not woken"
        await asyncio.sleep(0.02)
    relay.stop()
    await asyncio.wait_for(task, 10)


async def test_deletes_remove_the_document_and_deleting_a_missing_one_counts_as_delivered(es, alias, empty_outbox):
    a, never_indexed = new_ids(2)
    await queue(a, 1)
    await Relay(es=es, index=alias, settings=FAST).drain()
    await queue(a, 2, kind="event.deleted")
    await queue(never_indexed, 1, kind="event.deleted")
    assert await Relay(es=es, index=alias, settings=FAST).drain() == 2
    assert {r["status"] for r in await rows_of(a, never_indexed)} == {"delivered"}
    assert await indexed(es, alias, a) is None


async def test_a_missing_alias_fails_the_row_rather_than_creating_an_index(es, empty_outbox):
    (a,) = new_ids(1)
    await queue(a, 1)
    missing = f"relaytest-missing-{uuid.uuid4().hex[:8]}"
    await Relay(es=es, index=missing, settings=FAST).deliver_batch()
    (row,) = await rows_of(a)
    assert row["status"] == "pending" and row["attempts"] == 1 and "index_not_found" in row["last_error"]
    assert not (await es.indices.exists(index=missing)).body


async def test_delivered_rows_past_the_retention_are_deleted_and_nothing_else(relay_db, empty_outbox):
    conn = get_connection("default")
    await conn.execute_query(
        "INSERT INTO outbox (aggregate_id, kind, version, payload, status, attempts, available_at, created_at,"
        " delivered_at) VALUES "
        "('old', 'event.upserted', 1, '{}', 'delivered', 0, now(), now() - interval '3 days',"
        " now() - interval '2 days'),"
        "('new', 'event.upserted', 1, '{}', 'delivered', 0, now(), now(), now()),"
        "('stuck', 'event.upserted', 1, '{}', 'pending', 0, now() + interval '1 hour',"
        " now() - interval '3 days', NULL),"
        "('gone', 'event.upserted', 1, '{}', 'dead', 12, now(), now() - interval '3 days', NULL)"
    )
    assert await outbox.purge_delivered(older_than_s=86_400) == 1
    left = await conn.execute_query_dict("SELECT aggregate_id FROM outbox ORDER BY id")
    assert [r["aggregate_id"] for r in left] == ["new", "stuck", "gone"]
