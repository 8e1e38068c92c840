"""The waiting room's Lua logic on a real Redis: one place per buyer, early joiners shuffled and
ahead of later arrivals, admission at the configured rate and never twice, lapsed admissions."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from boxoffice import keys
from boxoffice.domain.queue.admission import AdmissionTokens
from boxoffice.domain.queue.schemas import WaitingRoom
from boxoffice.domain.queue.scripts import QueueScripts
from boxoffice.domain.queue.service import WaitingRooms
from boxoffice.errors import NotFound


async def redis_ms(redis) -> int:
    """Redis's clock in ms (coredis's TIME reply loses the microseconds, hence the script)."""
    return int(await redis.eval("local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000)"))


def room(on_sale_ms: int = 0, per_minute: int = 600, minutes: int = 10) -> WaitingRoom:
    return WaitingRoom(
        event_id=str(uuid.uuid4()),
        admit_per_minute=per_minute,
        admission_minutes=minutes,
        on_sale_ms=on_sale_ms,
        ends_ms=on_sale_ms + 86_400_000,
    )


@pytest.fixture(scope="module")
async def rooms(redis):
    return WaitingRooms(redis=redis, scripts=QueueScripts(redis), tokens=AdmissionTokens(b"k" * 32))


async def test_joining_again_keeps_the_place_and_only_the_first_join_is_created(rooms, redis):
    r = room()
    first, created = await rooms.join(room=r, user_id="a", now_ms=await redis_ms(redis))
    await rooms.join(room=r, user_id="b", now_ms=0)
    again, created_again = await rooms.join(room=r, user_id="a", now_ms=0)
    assert created and not created_again
    assert first.status == again.status == "waiting" and first.position == again.position == 1
    assert (await rooms.place(room=r, user_id="b")).ahead == 1


async def test_a_buyer_who_never_joined_has_no_place(rooms):
    with pytest.raises(NotFound):
        await rooms.place(room=room(), user_id="nobody")


async def test_early_joiners_have_no_position_until_the_sale_then_stand_before_later_arrivals(rooms, redis):
    r = room(on_sale_ms=await redis_ms(redis) + 400)
    for buyer in ("e1", "e2", "e3"):
        place, _ = await rooms.join(room=r, user_id=buyer, now_ms=0)
        assert place.status == "early" and place.position is None and place.ahead is None
        assert place.estimated_wait_s >= 1
    await asyncio.sleep(0.5)
    for buyer in ("l1", "l2"):
        await rooms.join(room=r, user_id=buyer, now_ms=0)
    places = {b: await rooms.place(room=r, user_id=b) for b in ("e1", "e2", "e3", "l1", "l2")}
    assert {places[b].status for b in places} == {"waiting"}
    assert sorted(places[b].position for b in ("e1", "e2", "e3")) == [1, 2, 3]
    assert (places["l1"].position, places["l2"].position) == (4, 5)


async def test_admission_follows_the_configured_rate_on_redis_time(rooms, redis):
    r = room(on_sale_ms=await redis_ms(redis) + 1000, per_minute=1200)  # 20 a second
    for i in range(200):
        await rooms.join(room=r, user_id=f"b{i}", now_ms=0)
    assert not (await rooms.admit(room=r)).buyers  # nobody before the sale
    await asyncio.sleep(1.6)
    first = await rooms.admit(room=r)
    assert 10 <= len(first.buyers) <= 20  # at most one second's credit, however long since the sale
    admitted, last = 0, first
    while last.now_ms - first.now_ms < 2000:
        await asyncio.sleep(0.02)
        last = await rooms.admit(room=r)
        admitted += len(last.buyers)
    expected = (last.now_ms - first.now_ms) / 1000 * 20
    assert expected - 1 <= admitted <= expected + 1


async def test_many_concurrent_admitters_admit_each_buyer_once_in_line_order(rooms, redis):
    r = room(on_sale_ms=await redis_ms(redis) - 60_000, per_minute=6000)
    buyers = [f"c{i:03d}" for i in range(150)]
    for buyer in buyers:
        await rooms.join(room=r, user_id=buyer, now_ms=0)

    async def admitter() -> list[str]:
        got = []
        for _ in range(60):
            got += [b for b, _ in (await rooms.admit(room=r)).buyers]
            await asyncio.sleep(0.01)
        return got

    batches = await asyncio.gather(*(admitter() for _ in range(8)))
    everyone = [b for batch in batches for b in batch]
    assert len(everyone) == len(set(everyone))
    assert sorted(everyone) == buyers[: len(everyone)] and len(everyone) > 50
    assert await redis.hlen(keys.queue_keys(r.event_id)[2]) == len(everyone)


async def test_an_admitted_buyer_gets_a_token_and_a_lapsed_one_rejoins_at_the_back(rooms, redis):
    r = room(on_sale_ms=await redis_ms(redis) - 60_000, per_minute=60)
    await rooms.join(room=r, user_id="first", now_ms=0)
    await rooms.join(room=r, user_id="second", now_ms=0)
    assert [b for b, _ in (await rooms.admit(room=r)).buyers] == ["first"]
    admitted = await rooms.place(room=r, user_id="first")
    assert admitted.status == "admitted" and admitted.admission_token and admitted.admission_expires_ms
    rooms.tokens.check(admitted.admission_token, user_id="first", event_id=r.event_id)
    await redis.hset(keys.queue_keys(r.event_id)[2], {"first": "1,2"})  # lapsed long ago
    assert (await rooms.place(room=r, user_id="first")).status == "expired"
    rejoined, created = await rooms.join(room=r, user_id="first", now_ms=0)
    assert not created and rejoined.status == "waiting" and (rejoined.position, rejoined.ahead) == (3, 1)


async def test_a_number_in_line_is_given_once_and_ahead_only_goes_down_as_others_are_admitted(rooms, redis):
    r = room(on_sale_ms=await redis_ms(redis) - 60_000, per_minute=60)  # one admitted now, the next in a second
    for buyer in ("a", "b", "c"):
        await rooms.join(room=r, user_id=buyer, now_ms=0)
    before = {b: await rooms.place(room=r, user_id=b) for b in ("b", "c")}
    assert [b for b, _ in (await rooms.admit(room=r)).buyers] == ["a"]
    await rooms.join(room=r, user_id="d", now_ms=0)
    after = {b: await rooms.place(room=r, user_id=b) for b in ("b", "c", "d")}
    assert [(before[b].position, before[b].ahead) for b in ("b", "c")] == [(2, 1), (3, 2)]
    assert [(after[b].position, after[b].ahead) for b in ("b", "c", "d")] == [(2, 0), (3, 1), (4, 2)]


async def test_early_joiners_keep_their_shuffled_numbers_as_the_first_of_them_are_admitted(rooms, redis):
    r = room(on_sale_ms=await redis_ms(redis) + 300, per_minute=60)
    for buyer in ("e1", "e2", "e3"):
        await rooms.join(room=r, user_id=buyer, now_ms=0)
    await asyncio.sleep(0.4)
    opened = {b: (await rooms.place(room=r, user_id=b)).position for b in ("e1", "e2", "e3")}
    await asyncio.sleep(1.0)  # a second's credit: the first of them goes in
    ((first, _),) = (await rooms.admit(room=r)).buyers
    assert opened[first] == 1 and sorted(opened.values()) == [1, 2, 3]
    for buyer in {"e1", "e2", "e3"} - {first}:
        place = await rooms.place(room=r, user_id=buyer)
        assert (place.position, place.ahead) == (opened[buyer], opened[buyer] - 2)


async def test_once_the_line_has_opened_a_postponed_sale_puts_nobody_in_front(rooms, redis):
    r = room(on_sale_ms=await redis_ms(redis) - 60_000)
    await rooms.join(room=r, user_id="first", now_ms=0)
    postponed = WaitingRoom(
        event_id=r.event_id,
        admit_per_minute=r.admit_per_minute,
        admission_minutes=10,
        on_sale_ms=await redis_ms(redis) + 3_600_000,
        ends_ms=r.ends_ms,
    )
    await rooms.join(room=postponed, user_id="later", now_ms=0)
    standing = await rooms.scripts.place(r.event_id, "later")
    assert (standing.position, standing.ahead) == (2, 1)
    assert (await rooms.place(room=r, user_id="first")).position == 1


async def test_every_key_a_queue_script_touches_shares_the_events_hash_tag(rooms, redis):
    r = room()
    await rooms.join(room=r, user_id="x", now_ms=await redis_ms(redis))
    touched = [k async for k in redis.scan_iter(match=f"*{r.event_id}*")]
    assert touched and all(keys.event_tag(r.event_id) in k for k in touched)
