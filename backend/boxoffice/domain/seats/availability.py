"""Sold and released seats reach the search index through the outbox, batched per event.

Orders and cancellations only mark their event dirty in Redis; once a second one instance at a
time (a short Redis lock) writes one `event.upserted` outbox row per dirty event, with a freshly
bumped `search_version`, so an on-sale storm costs one index write per event per second.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

import coredis
from tortoise.transactions import in_transaction

from boxoffice import keys
from boxoffice.domain.events import service as events
from boxoffice.domain.outbox import repository as outbox
from boxoffice.infra.outages import OutageLog, down_store

log = logging.getLogger("boxoffice.seats.availability")
BATCH = 200


async def flush_dirty(*, redis: coredis.Redis, lock_ms: int = 5000) -> int:
    """Write one outbox row per dirty event; returns how many (0 when another instance holds the lock).
    An event that fails stays dirty; with PostgreSQL down, so do all the others (and the flush stops)."""
    token = secrets.token_hex(8)
    if not await redis.set(keys.SEARCH_FLUSH_LOCK, token, px=lock_ms, condition=coredis.PureToken.NX):
        return 0
    written = 0
    try:
        events = list(await redis.spop(keys.SEARCH_DIRTY, BATCH) or ())
        for i, event_id in enumerate(events):
            try:
                written += await publish_availability(event_id)
            except Exception as error:
                if down_store(error):
                    await redis.sadd(keys.SEARCH_DIRTY, events[i:])
                    raise
                log.exception("availability update failed", extra={"event_id": event_id})
                await redis.sadd(keys.SEARCH_DIRTY, [event_id])
    finally:
        if await redis.get(keys.SEARCH_FLUSH_LOCK) == token:
            await redis.delete([keys.SEARCH_FLUSH_LOCK])
    return written


async def publish_availability(event_id: str) -> int:
    """Queue the event's current document (with its available_seats) under a fresh search version."""
    async with in_transaction():
        await events.refresh_search_document(event_id=event_id)
    await outbox.notify()
    return 1


async def run_flusher(*, redis: coredis.Redis, interval_s: float) -> None:
    outages = OutageLog(log, "availability flush")
    while True:
        try:
            await flush_dirty(redis=redis)
            outages.succeeded()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            outages.failed(error)
        await asyncio.sleep(interval_s)
