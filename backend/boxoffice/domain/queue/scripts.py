"""Typed wrappers of the waiting-room Lua scripts (infra/lua/queue_*.lua).

Every script receives the event's queue keys (keys.queue_keys), which share the event's hash tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import coredis
from coredis.commands.script import Script

from boxoffice import keys
from boxoffice.infra.redis import load_lua

ADMISSIONS_KEPT = 10_000  # admission batches kept in each event's stream


@dataclass(frozen=True, slots=True)
class Standing:
    """The raw answer of queue_place.lua."""

    kind: str  # none | admitted | line
    now_ms: int
    ahead: int = 0
    line_length: int = 0
    position: int = 0  # the buyer's number in line, fixed once the sale has opened
    admitted_ms: int = 0
    expires_ms: int = 0


@dataclass(frozen=True, slots=True)
class Admitted:
    """The raw answer of queue_admit.lua: who got in and when they had joined (ms)."""

    line_length: int
    now_ms: int
    buyers: list[tuple[str, int]]


class QueueScripts:
    def __init__(self, redis: coredis.Redis, *, sources: dict[str, str] | None = None):
        sources = sources or {}
        self._scripts: dict[str, Script] = {
            name: redis.register_script(sources.get(name) or load_lua(name))
            for name in ("queue_join", "queue_place", "queue_admit")
        }

    async def _run(self, name: str, event_id: str, args: Sequence) -> list:
        answer = await self._scripts[name](keys=list(keys.queue_keys(event_id)), args=[str(a) for a in args])
        return list(answer)

    async def join(
        self, event_id: str, user_id: str, *, on_sale_ms: int, score: str, keep_ms: int
    ) -> tuple[bool, bool]:
        """(created, early)."""
        created, early = await self._run("queue_join", event_id, [user_id, on_sale_ms, score, keep_ms])
        return bool(int(created)), bool(int(early))

    async def place(self, event_id: str, user_id: str) -> Standing:
        answer = await self._run("queue_place", event_id, [user_id])
        kind, now = str(answer[0]), int(answer[1])
        if kind == "admitted":
            return Standing(kind, now, admitted_ms=int(answer[2]), expires_ms=int(answer[3]))
        if kind == "line":
            return Standing(kind, now, ahead=int(answer[2]), line_length=int(answer[3]), position=int(answer[4]))
        return Standing("none", now)

    async def admit(self, event_id: str, *, on_sale_ms: int, per_minute: int, admission_ms: int, most: int) -> Admitted:
        answer = await self._run("queue_admit", event_id, [on_sale_ms, per_minute, admission_ms, most, ADMISSIONS_KEPT])
        rest = answer[3:]
        buyers = [(str(rest[i]), int(rest[i + 1])) for i in range(0, len(rest), 2)]
        return Admitted(line_length=int(answer[1]), now_ms=int(answer[2]), buyers=buyers)
