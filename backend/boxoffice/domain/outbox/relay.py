"""The outbox relay: claims pending rows, writes them to Elasticsearch, marks them delivered.

One batch is one PostgreSQL transaction: claim (row locks), bulk write, mark, commit. A relay that
dies mid-batch leaves its rows `pending` (its locks go with its connection) and another relay, or
itself after a restart, delivers them again: delivery is at least once. Writes carry the row's
version as an external version, so a replayed or late write never replaces a newer document.

Several relays may run at once (one per events-service process, or more): see `repository.claim`
for how they share the work without delivering one event's rows out of order.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg
from elastic_transport import TransportError
from elasticsearch import ApiError, AsyncElasticsearch
from tortoise.transactions import in_transaction

from boxoffice.config import Config
from boxoffice.domain.outbox import repository as outbox
from boxoffice.domain.outbox.repository import Claimed, Failure
from boxoffice.infra.metrics import OUTBOX_DEAD, OUTBOX_DELIVERED, OUTBOX_LAG
from boxoffice.infra.outages import OutageLog, down_store

log = logging.getLogger("boxoffice.outbox")

DELETE_KINDS = frozenset({"event.deleted"})
AfterWrite = Callable[[list[Claimed]], Awaitable[None]]


class SearchDown(Exception):
    """Elasticsearch took none of the batch (unreachable, timed out, overloaded): not the rows' fault.
    The batch rolls back with no attempt counted, so however long an outage lasts no row ends `dead`
    because of it; the relay backs off as a whole and delivers everything once Elasticsearch is back."""


@dataclass(frozen=True, slots=True)
class RelaySettings:
    batch_size: int = 500  # events (heads) per batch; rows queued behind them come along
    max_attempts: int = 12
    poll_s: float = 1.0
    retention_s: float = 86_400.0
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 60.0
    metrics_every_s: float = 1.0
    purge_every_s: float = 60.0
    outage_pause_cap_s: float = 10.0  # the longest wait between tries while Elasticsearch or PostgreSQL is down

    @classmethod
    def from_config(cls, config: Config) -> RelaySettings:
        return cls(
            batch_size=config.outbox_batch_size,
            max_attempts=config.outbox_max_attempts,
            poll_s=config.outbox_poll_s,
            retention_s=config.outbox_retention_s,
        )


def backoff_s(attempts: int, *, base: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempts))."""
    return rng() * min(cap, base * 2 ** min(attempts, 32))


def bulk_operations(index: str, rows: Sequence[Claimed]) -> list[dict]:
    """One action per row; deletes have no source line."""
    operations: list[dict] = []
    for row in rows:
        meta = {"_index": index, "_id": row.aggregate_id, "version": row.version, "version_type": "external"}
        if row.kind in DELETE_KINDS:
            operations.append({"delete": meta})
        else:
            operations.extend(({"index": meta}, row.payload))
    return operations


def item_error(item: dict) -> str | None:
    """None when the item counts as delivered: written, already superseded (409), or already gone (404)."""
    ((action, result),) = item.items()
    status = result.get("status", 500)
    if status < 300 or status == 409 or (action == "delete" and status == 404):
        return None
    error = result.get("error") or {}
    return f"{status} {error.get('type', 'error')}: {error.get('reason', '')}".strip()


def latest_per_event(rows: Sequence[Claimed]) -> dict[str, Claimed]:
    """The newest claimed row of each event: the only write that matters (older ones would lose)."""
    latest: dict[str, Claimed] = {}
    for row in rows:
        if row.aggregate_id not in latest or row.id > latest[row.aggregate_id].id:
            latest[row.aggregate_id] = row
    return latest


async def write(es: AsyncElasticsearch, index: str, rows: Sequence[Claimed]) -> dict[str, str | None]:
    """Bulk-write the newest row of each event; the outcome per event id (None = delivered). Raises
    SearchDown when Elasticsearch is not taking writes at all."""
    latest = list(latest_per_event(rows).values())
    try:
        answer = await es.bulk(operations=bulk_operations(index, latest), require_alias=True, refresh=False)
    except (TimeoutError, ApiError, TransportError, OSError) as exc:
        reason = f"{type(exc).__name__}: {exc}"[:500]
        if down_store(exc):
            raise SearchDown(reason) from exc
        return {row.aggregate_id: reason for row in latest}
    return {row.aggregate_id: item_error(item) for row, item in zip(latest, answer.body["items"], strict=True)}


class Relay:
    """Delivers outbox rows to the search alias; `run()` until `stop()`, or `deliver_batch()` by hand."""

    def __init__(
        self,
        *,
        es: AsyncElasticsearch,
        index: str,
        settings: RelaySettings | None = None,
        name: str = "relay",
        after_write: AfterWrite | None = None,
        rng: Callable[[], float] = random.random,
    ):
        self.es, self.index, self.name = es, index, name
        self.settings = settings or RelaySettings()
        self.after_write = after_write  # a test's fault injection point: between the ES write and the commit
        self.rng = rng
        self._wake = asyncio.Event()
        self._stopping = False
        self._listener: asyncpg.Connection | None = None
        self._delivery = OutageLog(log, f"outbox {name}: delivery")
        self._upkeep = OutageLog(log, f"outbox {name}: upkeep")

    async def deliver_batch(self) -> int:
        """Claim, write and mark one batch in one transaction; returns how many rows it claimed."""
        async with in_transaction() as conn:
            rows = await outbox.claim(conn, heads=self.settings.batch_size, limit=self.settings.batch_size * 4)
            if not rows:
                return 0
            outcome = await write(self.es, self.index, rows)
            if self.after_write is not None:
                await self.after_write(rows)
            delivered = [row.id for row in rows if outcome[row.aggregate_id] is None]
            failures = [
                Failure(row.id, self._delay(row.attempts), outcome[row.aggregate_id] or "")
                for row in rows
                if outcome[row.aggregate_id] is not None
            ]
            await outbox.mark_delivered(conn, delivered)
            await outbox.mark_failed(conn, failures, max_attempts=self.settings.max_attempts)
        OUTBOX_DELIVERED.inc(len(delivered))
        if failures:
            log.warning(
                "outbox rows failed", extra={"relay": self.name, "failed": len(failures), "error": failures[0].error}
            )
        return len(rows)

    async def drain(self) -> int:
        """Deliver batches until nothing is claimable now (tests, the seed); returns rows claimed."""
        total = 0
        while claimed := await self.deliver_batch():
            total += claimed
        return total

    def _delay(self, attempts: int) -> float:
        return backoff_s(attempts, base=self.settings.backoff_base_s, cap=self.settings.backoff_cap_s, rng=self.rng)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self, *, database_url: str | None = None) -> None:
        """Deliver until `stop()`: right away after a NOTIFY, else every `poll_s`."""
        next_metrics = next_purge = 0.0
        try:
            while not self._stopping:
                await self._ensure_listener(database_url)
                self._wake.clear()
                claimed = await self._guarded(self.deliver_batch(), 0, self._delivery)
                now = time.monotonic()
                if now >= next_metrics:
                    next_metrics = now + self.settings.metrics_every_s
                    await self._guarded(self.record_health(), None, self._upkeep)
                if now >= next_purge:
                    next_purge = now + self.settings.purge_every_s
                    await self._guarded(outbox.purge_delivered(older_than_s=self.settings.retention_s), 0, self._upkeep)
                if not claimed and not self._stopping:
                    try:
                        await asyncio.wait_for(self._wake.wait(), self.settings.poll_s)
                    except TimeoutError:
                        pass
        finally:
            await self._close_listener()

    async def record_health(self) -> None:
        lag, dead = await outbox.health()
        OUTBOX_LAG.set(lag)
        OUTBOX_DEAD.set(dead)

    async def _guarded(self, work: Awaitable, fallback, outages: OutageLog):
        """A relay outlives any failure (a store down, a bug in one batch): log, wait, go on. While a
        store is down it waits longer each time (full jitter, at most `outage_pause_cap_s`)."""
        try:
            result = await work
        except asyncio.CancelledError:
            raise
        except Exception as error:
            outages.failed(error, relay=self.name)
            pause = self.settings.poll_s
            if outages.store is not None:
                pause = backoff_s(
                    outages.failures,
                    base=self.settings.backoff_base_s,
                    cap=self.settings.outage_pause_cap_s,
                    rng=self.rng,
                )
            await asyncio.sleep(pause)
            return fallback
        outages.succeeded()
        return result

    async def _ensure_listener(self, database_url: str | None) -> None:
        if database_url is None or (self._listener is not None and not self._listener.is_closed()):
            return
        try:
            self._listener = await asyncpg.connect(database_url, timeout=5)
            await self._listener.add_listener(outbox.CHANNEL, lambda *_: self._wake.set())
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            log.warning("outbox LISTEN unavailable, polling", extra={"relay": self.name, "error": str(exc)})
            self._listener = None

    async def _close_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close(timeout=2)
        self._listener = None
