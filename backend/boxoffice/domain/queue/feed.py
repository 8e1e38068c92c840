"""Admission news across gateways: one reader of each event's admissions stream per process.

The admitting gateway appends every admitted batch to the event's stream (inside queue_admit.lua);
each gateway reads it once per event and wakes the WebSockets of the admitted buyers it serves, so
an admission reaches the buyer at once whichever gateway admitted it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator

import coredis

from boxoffice import keys

log = logging.getLogger("boxoffice.queue")
READ_BLOCK_MS = 5000
REPLAY_MS = 5000  # a new reader starts a little in the past: nothing admitted while it starts is lost


class AdmissionFeed:
    """Waiting buyers of this process by event, woken when the stream names them."""

    def __init__(self, reader: coredis.Redis):
        self.reader = reader  # a client with a pool big enough for one blocking XREAD per event
        self._waiting: dict[str, dict[str, set[asyncio.Event]]] = {}
        self._readers: dict[str, asyncio.Task] = {}

    @contextlib.contextmanager
    def watch(self, event_id: str, user_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever `user_id` is admitted to `event_id`, for the life of the block."""
        woken = asyncio.Event()
        self._waiting.setdefault(event_id, {}).setdefault(user_id, set()).add(woken)
        if event_id not in self._readers:
            self._readers[event_id] = asyncio.create_task(self._read(event_id), name=f"admissions-{event_id}")
        try:
            yield woken
        finally:
            self._forget(event_id, user_id, woken)

    def _forget(self, event_id: str, user_id: str, woken: asyncio.Event) -> None:
        buyers = self._waiting.get(event_id, {})
        buyers.get(user_id, set()).discard(woken)
        if not buyers.get(user_id):
            buyers.pop(user_id, None)
        if not buyers:
            self._waiting.pop(event_id, None)
            reader = self._readers.pop(event_id, None)
            if reader:
                reader.cancel()

    async def _read(self, event_id: str) -> None:
        stream = keys.queue_keys(event_id)[4]
        position = f"{int(time.time() * 1000) - REPLAY_MS}-0"
        while True:
            try:
                answer = await self.reader.xread({stream: position}, count=200, block=READ_BLOCK_MS)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading admissions failed", extra={"event_id": event_id})
                await asyncio.sleep(0.5)
                continue
            for entry in (answer or {}).get(stream, ()):
                position = entry.identifier
                self.wake(event_id, str(entry.field_values.get("buyers", "")).split(","))

    def wake(self, event_id: str, buyers: list[str]) -> None:
        """Wake this process's sockets of these buyers (their place changed)."""
        waiting = self._waiting.get(event_id, {})
        for buyer in buyers:
            for woken in waiting.get(buyer, ()):
                woken.set()

    async def close(self) -> None:
        readers, self._readers = list(self._readers.values()), {}
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
