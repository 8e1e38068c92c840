"""Two hundred buyers race for one seat: exactly one hold. Without the Lua guard the same race
double-holds the seat, which proves the race test can fail."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from boxoffice.domain.holds.scripts import SeatScripts, unguarded_source
from boxoffice.domain.holds.service import Holds
from boxoffice.errors import SeatsTaken
from tests.integration.booking.factories import make_event

BUYERS = 200


async def race(attempt, n: int = BUYERS) -> list[bool]:
    start = asyncio.Event()

    async def one(i: int) -> bool:
        await start.wait()
        return await attempt(i)

    tasks = [asyncio.create_task(one(i)) for i in range(n)]
    await asyncio.sleep(0.05)
    start.set()
    return await asyncio.gather(*tasks)


async def test_200_concurrent_buyers_through_nginx_get_exactly_one_hold(stack, mint, domain):
    made = await make_event(rows=[("A", 4, "standard")])
    seat = made.rows["A"][0]
    buyers = [mint() for _ in range(BUYERS)]
    limits = httpx.Limits(max_connections=BUYERS)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=60, limits=limits) as http:

        async def attempt(i: int) -> bool:
            answer = await http.post(
                "/api/holds",
                json={"event_id": made.id, "seat_ids": [seat]},
                headers={"Authorization": f"Bearer {buyers[i].token}"},
            )
            assert answer.status_code in (201, 409), answer.text
            if answer.status_code == 409:
                assert answer.json()["conflicting_seat_ids"] == [seat]
            return answer.status_code == 201

        won = await race(attempt)
        snapshot = (await http.get(f"/api/events/{made.id}/seats")).json()
    assert sum(won) == 1
    assert [s["status"] for s in snapshot["seats"] if s["id"] == seat] == ["held"]


async def _domain_race(domain, scripts: SeatScripts) -> int:
    made = await make_event(rows=[("A", 4, "standard")])
    holds = Holds(redis=domain.redis, scripts=scripts, catalog=domain.holds.catalog, config=domain.config)

    async def attempt(i: int) -> bool:
        try:
            await holds.create(user_id=str(uuid.uuid4()), event_id=made.id, seat_ids=[made.rows["A"][0]])
        except SeatsTaken:
            return False
        return True

    return sum(await race(attempt))


async def test_the_same_race_through_the_hold_script_gives_exactly_one_hold(domain):
    assert await _domain_race(domain, domain.scripts) == 1


async def test_without_the_lua_availability_guard_the_race_double_holds_the_seat(domain):
    unguarded = SeatScripts(domain.redis, maxlen=100, sources={"hold_create": unguarded_source("hold_create")})
    assert await _domain_race(domain, unguarded) > 1
