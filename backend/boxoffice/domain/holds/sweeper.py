"""Expiry of lapsed holds, safe with any number of booking instances.

`holds:events` (a sorted set) says when each event's earliest hold lapses; every instance looks at
the events that are due and runs holds_sweep.lua for each. The script removes and announces
atomically, so two sweepers never announce one expiry twice. Updating the schedule afterwards races
with new holds, so each update is followed by a re-read of the event's own expiry set.
"""

from __future__ import annotations

import asyncio
import logging
import time

import coredis

from boxoffice import keys
from boxoffice.domain.holds.scripts import SeatScripts
from boxoffice.infra.outages import OutageLog

log = logging.getLogger("boxoffice.holds.sweeper")


async def sweep_due(*, redis: coredis.Redis, scripts: SeatScripts, limit: int = 100) -> int:
    """Expire the lapsed holds of every event that is due; returns how many holds expired."""
    now_ms = int(time.time() * 1000)
    due = await redis.zrange(keys.HOLD_EXPIRIES, 0, now_ms, sortby=coredis.PureToken.BYSCORE, offset=0, count=limit)
    expired = 0
    for event_id in due:
        expired += await sweep_event(redis=redis, scripts=scripts, event_id=event_id)
    return expired


async def sweep_event(*, redis: coredis.Redis, scripts: SeatScripts, event_id: str) -> int:
    count, next_ms = await scripts.sweep(event_id)
    if next_ms == "":
        await redis.zrem(keys.HOLD_EXPIRIES, [event_id])
    else:
        await redis.zadd(keys.HOLD_EXPIRIES, {event_id: float(next_ms)})
    earliest = await redis.zrange(keys.hold_expiries(event_id), 0, 0, withscores=True)
    if earliest:
        await redis.zadd(keys.HOLD_EXPIRIES, {event_id: float(earliest[0][1])}, comparison=coredis.PureToken.LT)
    return int(count)


async def run_sweeper(*, redis: coredis.Redis, scripts: SeatScripts, interval_s: float) -> None:
    """Sweep forever (a background task of every booking instance)."""
    outages = OutageLog(log, "hold sweep")
    while True:
        try:
            await sweep_due(redis=redis, scripts=scripts)
            outages.succeeded()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a sweeper survives Redis outages; the next round catches up
            outages.failed(error)
        await asyncio.sleep(interval_s)
