"""Live seat changes: one Redis Stream reader per event per process, fanned out to local subscribers.

A subscriber attaches to the event's channel first and then replays what it missed since its cursor
from the stream (XRANGE); live entries at or below the last id it emitted are skipped, so the
replay and the live feed meet with no gap and no duplicate. If entries after the cursor have been
trimmed away the subscriber gets a reset instead (the client re-reads the snapshot).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import coredis

from boxoffice import keys
from boxoffice.errors import ServiceUnavailable, ValidationFailed
from boxoffice.infra.outages import OutageLog

log = logging.getLogger("boxoffice.seats.feed")
CURSOR = re.compile(r"^\d{1,20}-\d{1,20}$")
MAX_ID_PART = 2**64 - 1  # both halves of a Redis stream id are unsigned 64-bit integers
FUTURE_SLACK_MS = 3_600_000  # clocks differ; a cursor further ahead than this was never handed out
QUEUE_SIZE = 2000
READ_BLOCK_MS = 2000
REPLAY_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Change:
    id: str
    type: str
    seat_ids: list[str]
    reason: str | None = None

    def data(self) -> dict:
        body = {"type": self.type, "seat_ids": self.seat_ids}
        if self.reason:
            body["reason"] = self.reason
        return body


class Reset:
    """The subscriber's position is gone (trimmed, or it fell too far behind): re-read the snapshot."""


class Ping:
    """Nothing happened for a while."""


RESET, PING = Reset(), Ping()


def stream_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def valid_cursor(cursor: str | None) -> bool:
    return bool(cursor) and bool(CURSOR.match(cursor)) and max(stream_id(cursor)) <= MAX_ID_PART


def check_cursor(cursor: str | None, *, field: str) -> str | None:
    """A resume point a client may send (None: from now); anything else is a 422 naming `field`.

    Stream ids are `<ms>-<seq>` with both parts below 2**64 (Redis refuses others), and a cursor
    from further in the future than clocks can differ was never handed out."""
    if cursor is None or cursor == "":
        return None
    if not valid_cursor(cursor):
        raise ValidationFailed([{"field": field, "message": "must be a stream position like 1718000000000-0"}])
    if stream_id(cursor)[0] > time.time() * 1000 + FUTURE_SLACK_MS:
        raise ValidationFailed([{"field": field, "message": "is ahead of the stream"}])
    return cursor


def to_change(entry_id: str, fields: dict) -> Change:
    return Change(
        entry_id,
        fields.get("type", ""),
        [s for s in fields.get("seats", "").split(",") if s],
        fields.get("reason") or None,
    )


class Subscription:
    def __init__(self, channel: Channel):
        self.channel = channel
        self.queue: asyncio.Queue[Change | Reset] = asyncio.Queue(QUEUE_SIZE)
        self.last: tuple[int, int] = (0, 0)
        self.backlog: list[Change | Reset] = []
        self.closed = False

    def push(self, change: Change) -> None:
        try:
            self.queue.put_nowait(change)
        except asyncio.QueueFull:  # too slow a reader: it must start over from a snapshot
            self.queue = asyncio.Queue(1)
            self.queue.put_nowait(RESET)

    async def items(self, *, ping_s: float, lifetime_s: float) -> AsyncIterator[Change | Reset | Ping]:
        """Changes in order (a Reset ends the stream), a Ping after `ping_s` of silence, until `lifetime_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + lifetime_s
        for item in self.backlog:
            yield item
            if item is RESET:
                return
        self.backlog = []
        while (left := deadline - loop.time()) > 0:
            try:
                item = await asyncio.wait_for(self.queue.get(), timeout=min(ping_s, left))
            except TimeoutError:
                yield PING
                continue
            if item is RESET:
                yield item
                return
            if stream_id(item.id) <= self.last:
                continue
            self.last = stream_id(item.id)
            yield item

    def close(self) -> None:
        """Leave the channel and give the connection slot back (once, however often it is called)."""
        if not self.closed:
            self.closed = True
            self.channel.remove(self)
            self.channel.feed.connections -= 1


class Channel:
    """The one reader of one event's stream in this process."""

    def __init__(self, feed: SeatFeed, event_id: str):
        self.feed = feed
        self.event_id = event_id
        self.stream = keys.seat_changes(event_id)
        self.subscribers: set[Subscription] = set()
        self.position = "0-0"
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()  # set once its starter has finished, started or not

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    async def start(self) -> None:
        last = await self.feed.redis.xrevrange(self.stream, "+", "-", count=1)
        self.position = last[0].identifier if last else "0-0"
        self.task = asyncio.create_task(self._read(), name=f"seat-feed-{self.event_id}")

    async def _read(self) -> None:
        outages = OutageLog(log, "reading seat changes")
        while True:
            try:
                answer = await self.feed.reader.xread({self.stream: self.position}, count=500, block=READ_BLOCK_MS)
                outages.succeeded()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis away: subscribers wait, then get what they missed
                outages.failed(error, event_id=self.event_id)
                await asyncio.sleep(0.5)
                continue
            for entry in (answer or {}).get(self.stream, ()):
                self.position = entry.identifier
                change = to_change(entry.identifier, entry.field_values)
                for subscriber in tuple(self.subscribers):
                    subscriber.push(change)

    def remove(self, subscription: Subscription) -> None:
        """Forget a subscriber; the last one to leave stops the reader."""
        self.subscribers.discard(subscription)
        if not self.subscribers:
            self.feed.drop(self)


class SeatFeed:
    """Seat-change subscriptions of one process, capped at `max_connections`."""

    def __init__(self, *, redis: coredis.Redis, reader: coredis.Redis, max_connections: int):
        self.redis = redis
        self.reader = reader  # a client with a pool big enough for one blocking XREAD per event
        self.max_connections = max_connections
        self.connections = 0
        self.channels: dict[str, Channel] = {}

    def check_capacity(self) -> None:
        """503 when this process already serves `max_connections` subscriptions."""
        if self.connections >= self.max_connections:
            raise ServiceUnavailable(
                "Too many live connections on this instance; try again shortly", headers={"Retry-After": "5"}
            )

    async def subscribe(self, event_id: str, cursor: str | None) -> Subscription:
        """A subscription from `cursor` (exclusive), or from now when there is none (503 past the cap).

        Whatever happens on the way (the caller cancelled, Redis failed), nothing is left behind:
        the slot is given back and a channel nobody listens to is stopped.
        """
        self.check_capacity()
        self.connections += 1
        try:
            return await self._subscribe(event_id, cursor)
        except BaseException:
            self.connections -= 1
            raise

    async def _channel(self, event_id: str) -> Channel:
        """The event's running channel, started by the first subscriber; if that one fails or is
        cancelled while starting it, the channel is dropped and the next subscriber starts it afresh."""
        while True:
            channel = self.channels.get(event_id)
            if channel is None:
                channel = self.channels[event_id] = Channel(self, event_id)
                try:
                    await channel.start()
                except BaseException:
                    self.drop(channel)
                    raise
                finally:
                    channel.ready.set()
                return channel
            await channel.ready.wait()
            if self.channels.get(event_id) is channel and channel.running:
                return channel

    async def _subscribe(self, event_id: str, cursor: str | None) -> Subscription:
        channel = await self._channel(event_id)
        subscription = Subscription(channel)
        channel.subscribers.add(subscription)
        if cursor is None:
            subscription.last = stream_id(channel.position)
            return subscription
        try:
            subscription.backlog = await self._replay(event_id, cursor)
        except BaseException:
            channel.remove(subscription)
            raise
        subscription.last = max(
            [stream_id(cursor), *(stream_id(c.id) for c in subscription.backlog if isinstance(c, Change))]
        )
        return subscription

    async def _replay(self, event_id: str, cursor: str) -> list[Change | Reset]:
        if not valid_cursor(cursor):
            return [RESET]
        stream = keys.seat_changes(event_id)
        backlog: list[Change | Reset] = []
        start = cursor
        while True:
            page = await self.redis.xrange(stream, f"({start}", "+", count=REPLAY_PAGE)
            backlog.extend(to_change(e.identifier, e.field_values) for e in page)
            if len(page) < REPLAY_PAGE:
                break
            start = page[-1].identifier
        if stream_id(await self._last_trimmed(event_id)) > stream_id(cursor):
            return [RESET]
        return backlog

    async def _last_trimmed(self, event_id: str) -> str:
        """The newest id trimmed away from the event's stream (the scripts record it when trimming)."""
        trimmed = await self.redis.get(keys.changes_trimmed(event_id))
        return trimmed if valid_cursor(trimmed) else "0-0"

    def drop(self, channel: Channel) -> None:
        if self.channels.get(channel.event_id) is channel:
            del self.channels[channel.event_id]
        if channel.task:
            channel.task.cancel()

    async def close(self) -> None:
        for channel in list(self.channels.values()):
            self.drop(channel)
