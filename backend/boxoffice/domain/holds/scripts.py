"""Typed wrappers of the seat Lua scripts (infra/lua/hold_*.lua, seats_*.lua, holds_sweep.lua).

Each script is loaded once per process with the shared helpers (seats_lib.lua) in front of it and
receives the event's keys (keys.event_keys) and no others: holds and buyers live in hashes of the
event, so every key a script touches is declared and shares one hash tag.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import coredis
from coredis.commands.script import Script

from boxoffice import keys
from boxoffice.infra.pipelining import ScriptCalls
from boxoffice.infra.redis import load_lua

SCRIPTS = (
    "hold_create",
    "hold_add",
    "hold_drop",
    "hold_extend",
    "hold_release",
    "hold_checkout",
    "hold_checkout_end",
    "seats_book",
    "seats_cancel",
    "seats_close",
    "holds_sweep",
    "seats_snapshot",
    "seats_load",
)
Answer = list


def script_source(name: str) -> str:
    return load_lua("seats_lib") + "\n" + load_lua(name)


def unguarded_source(name: str) -> str:
    """The script without its availability check: only tests use it, to prove their race has teeth."""
    source = script_source(name)
    start, end = source.index("-- guard:begin"), source.index("-- guard:end")
    return source[:start] + source[end:]


class SeatScripts:
    """The seat scripts bound to one Redis client. `sources` swaps a script's text (tests only)."""

    def __init__(self, redis: coredis.Redis, *, maxlen: int, sources: dict[str, str] | None = None):
        self.redis = redis
        self.maxlen = maxlen
        sources = sources or {}
        self._scripts: dict[str, Script] = {
            name: redis.register_script(sources.get(name) or script_source(name)) for name in SCRIPTS
        }
        self._calls = ScriptCalls(redis)

    async def _run(self, name: str, event_id: str, args: Sequence) -> Answer:
        answer = await self._calls(self._scripts[name], keys.event_keys(event_id), [str(a) for a in args])
        return list(answer) if isinstance(answer, (list, tuple)) else [answer]

    async def create_hold(
        self,
        event_id: str,
        hold_id: str,
        user_id: str,
        *,
        ttl_ms: int,
        cap: int,
        seat_ids: Sequence[str] | None = None,
        quantity: int = 0,
        category: str = "",
    ) -> Answer:
        mode, what = ("ids", ",".join(seat_ids)) if seat_ids else ("best", quantity)
        return await self._run(
            "hold_create", event_id, [hold_id, user_id, ttl_ms, cap, self.maxlen, mode, what, category]
        )

    async def add_seats(
        self, event_id: str, hold_id: str, user_id: str, seat_ids: Sequence[str], *, cap: int
    ) -> Answer:
        return await self._run("hold_add", event_id, [hold_id, user_id, ",".join(seat_ids), cap, self.maxlen])

    async def drop_seat(self, event_id: str, hold_id: str, user_id: str, seat_id: str) -> Answer:
        return await self._run("hold_drop", event_id, [hold_id, user_id, seat_id, self.maxlen])

    async def extend(
        self, event_id: str, hold_id: str, user_id: str, *, extend_ms: int, max_lifetime_ms: int
    ) -> Answer:
        return await self._run("hold_extend", event_id, [hold_id, user_id, extend_ms, max_lifetime_ms])

    async def release(self, event_id: str, hold_id: str, user_id: str) -> Answer:
        return await self._run("hold_release", event_id, [hold_id, user_id, self.maxlen])

    async def begin_checkout(self, event_id: str, hold_id: str, user_id: str, *, lease_ms: int) -> Answer:
        return await self._run("hold_checkout", event_id, [hold_id, user_id, lease_ms, self.maxlen])

    async def end_checkout(self, event_id: str, hold_id: str) -> Answer:
        return await self._run("hold_checkout_end", event_id, [hold_id])

    async def book(self, event_id: str, hold_id: str, user_id: str, seat_ids: Sequence[str]) -> Answer:
        return await self._run("seats_book", event_id, [hold_id, user_id, ",".join(seat_ids), self.maxlen])

    async def cancel(self, event_id: str, user_id: str, seat_ids: Sequence[str]) -> Answer:
        return await self._run("seats_cancel", event_id, [user_id, ",".join(seat_ids), self.maxlen])

    async def close(self, event_id: str) -> Answer:
        return await self._run("seats_close", event_id, [self.maxlen])

    async def sweep(self, event_id: str, *, limit: int = 200) -> Answer:
        return await self._run("holds_sweep", event_id, [limit, self.maxlen])

    async def snapshot(self, event_id: str, user_id: str | None) -> Answer:
        return await self._run("seats_snapshot", event_id, [user_id or ""])

    async def load(
        self, event_id: str, *, rows: list, booked: list, force: bool = False, closed: bool = False
    ) -> Answer:
        payload = json.dumps({"rows": rows, "booked": booked}, separators=(",", ":"))
        return await self._run("seats_load", event_id, [payload, "force" if force else "", "closed" if closed else ""])
