"""The waiting room: join, where do I stand, admit the next buyers.

Fairness of the early line. A buyer who joins before `on_sale_at` brings a score drawn uniformly at
random from the 2**52 multiples of 2**-52 in [0, 1), independently of everything else (when it
joined, who it is, which gateway it reached). The line is ordered by score, so at `on_sale_at` the
early joiners stand in the order of n independent, identically distributed draws: by symmetry every
one of the n! orders is equally likely, which is a uniformly random shuffle. The only departure is a
tie (two equal draws, then Redis orders by buyer id), with probability below n**2 / 2**53
(about 1e-8 for a million early joiners). The score is fixed at the first join and joining again
keeps it, so retrying cannot buy a better draw. Later arrivals get the next arrival number (1, 2,
...), which sorts after every fraction: they join the back in arrival order.

Numbers in line. Early joiners get theirs when the sale opens, in the shuffled order (1, 2, ...);
later arrivals follow. A buyer's number (`position`) never changes while it waits; `ahead`, the
buyers still before it, only goes down as they are admitted.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import coredis

from boxoffice.domain.queue.admission import AdmissionTokens
from boxoffice.domain.queue.schemas import Place, WaitingRoom
from boxoffice.domain.queue.scripts import Admitted, QueueScripts, Standing
from boxoffice.errors import NotFound

SCORE_BITS = 52  # a double holds every multiple of 2**-52 in [0, 1) exactly


def random_score() -> str:
    """A uniform draw from [0, 1) that Redis stores exactly (repr round-trips a double)."""
    return repr(secrets.randbits(SCORE_BITS) / 2**SCORE_BITS)


@dataclass(slots=True)
class WaitingRooms:
    """The waiting rooms of every event: Redis scripts plus the admission-token signer."""

    redis: coredis.Redis
    scripts: QueueScripts
    tokens: AdmissionTokens

    async def join(self, *, room: WaitingRoom, user_id: str, now_ms: int) -> tuple[Place, bool]:
        """The buyer's place after joining, and whether this was its first join."""
        created, _ = await self.scripts.join(
            room.event_id, user_id, on_sale_ms=room.on_sale_ms, score=random_score(), keep_ms=room.keep_ms(now_ms)
        )
        return await self.place(room=room, user_id=user_id), created

    async def place(self, *, room: WaitingRoom, user_id: str) -> Place:
        """Where the buyer stands (404 if it never joined)."""
        standing = await self.scripts.place(room.event_id, user_id)
        if standing.kind == "none":
            raise NotFound("You have not joined this event's queue")
        return self.describe(room, user_id, standing)

    def describe(self, room: WaitingRoom, user_id: str, standing: Standing) -> Place:
        now = standing.now_ms
        if standing.kind == "admitted":
            if now >= standing.expires_ms:
                return Place("expired", None, None, 0)
            token = self.tokens.issue(
                user_id=user_id,
                event_id=room.event_id,
                admitted_ms=standing.admitted_ms,
                expires_ms=standing.expires_ms,
            )
            return Place("admitted", None, 0, 0, token, standing.expires_ms)
        if now < room.on_sale_ms:
            until_sale = -(-(room.on_sale_ms - now) // 1000)
            return Place("early", None, None, until_sale + room.seconds_for(standing.line_length / 2))
        return Place("waiting", standing.position, standing.ahead, room.seconds_for(standing.ahead + 1))

    async def admit(self, *, room: WaitingRoom, most: int = 1000) -> Admitted:
        """Admit the buyers whose turn has come (safe to call from every gateway at once)."""
        return await self.scripts.admit(
            room.event_id,
            on_sale_ms=room.on_sale_ms,
            per_minute=room.admit_per_minute,
            admission_ms=room.admission_ms,
            most=most,
        )
