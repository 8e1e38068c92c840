"""The hash-tag discipline, checked by the cluster itself: a script whose keys span two slots is
refused, so is one that reaches an undeclared key elsewhere, and every key family our scripts get
lives in one slot. Rate limiting and the waiting room work on the cluster as on one Redis."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from coredis._utils import hash_slot
from coredis.exceptions import ResponseError

from boxoffice import keys
from boxoffice.stack import redis_cluster
from tests.integration.queue.helpers import bearer, queued_event


def raw_command(port: int, *args: str) -> bytes:
    payload = f"*{len(args)}\r\n".encode() + b"".join(f"${len(a.encode())}\r\n{a}\r\n".encode() for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload)
        return s.recv(4096)


def slots(*names: str) -> set[int]:
    return {hash_slot(name.encode()) for name in names}


def test_a_script_call_with_keys_of_two_hash_tags_is_refused_by_every_node(stack):
    one, other = keys.queue_keys("a")[0], keys.queue_keys("b")[0]
    assert len(slots(one, other)) == 2
    for port in redis_cluster.node_ports(stack):
        assert raw_command(port, "EVAL", "return 1", "2", one, other).startswith(b"-CROSSSLOT")


async def test_a_script_reaching_an_undeclared_key_of_another_slot_is_refused(domain):
    declared = keys.seat_states("11111111-1111-1111-1111-111111111111")
    stray = keys.seat_states("22222222-2222-2222-2222-222222222222")
    assert len(slots(declared, stray)) == 2
    with pytest.raises(ResponseError, match="(?i)slot|non local"):
        await domain.redis.eval(f"return redis.call('GET', '{stray}')", keys=[declared])


def test_every_key_family_a_script_receives_shares_one_slot():
    event_id = "33333333-3333-3333-3333-333333333333"
    seat_script_keys = keys.event_keys(event_id)  # holds and buyers are hashes of the event
    assert len(slots(*seat_script_keys)) == 1
    assert len(slots(*keys.queue_keys(event_id))) == 1
    assert slots(*keys.queue_keys(event_id)) == slots(*seat_script_keys)
    assert len(slots(*keys.rate_limit_bucket("booking_write", "user:x"))) == 1


def test_the_keys_of_many_events_spread_over_all_three_primaries():
    assert len({hash_slot(keys.seat_states(f"event-{i}").encode()) * 3 // 16384 for i in range(50)}) == 3


async def test_the_token_bucket_on_the_cluster_passes_one_burst_and_refuses_the_rest(stack, mint, domain):
    buyer = mint()
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{stack.ports.gateway}", timeout=30, limits=httpx.Limits(max_connections=60)
    ) as http:
        answers = await asyncio.gather(*(http.post("/api/holds", json={}, headers=bearer(buyer)) for _ in range(50)))
    passed = sum(a.status_code != 429 for a in answers)
    assert 20 <= passed <= 26, [a.status_code for a in answers]
    assert all("RateLimit-Remaining" in a.headers for a in answers)


async def test_the_waiting_room_on_the_cluster_admits_everyone_once_and_the_admission_takes_seats(stack, mint, domain):
    made = await queued_event(per_minute=6000, seats=40)
    buyers = [mint() for _ in range(30)]
    path = f"/api/events/{made.id}/queue"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        joined = await asyncio.gather(*(http.post(path, headers=bearer(b)) for b in buyers))
        assert {j.status_code for j in joined} == {201}
        await asyncio.sleep(1.0)
        places = [(await http.get(path, headers=bearer(b))).json() for b in buyers]
        assert {p["status"] for p in places} == {"admitted"}
        held = await http.post(
            "/api/holds",
            json={"event_id": made.id, "seat_ids": [made.rows["A"][0]]},
            headers={**bearer(buyers[0]), "X-Admission-Token": places[0]["admission_token"]},
        )
        refused = await http.post(
            "/api/holds",
            json={"event_id": made.id, "seat_ids": [made.rows["A"][1]]},
            headers={**bearer(buyers[1]), "X-Admission-Token": places[0]["admission_token"]},
        )
    assert held.status_code == 201, held.text
    assert refused.status_code == 403 and refused.json()["queue_url"] == path
    entries = await domain.redis.xrange(keys.queue_keys(made.id)[4])
    names = [b for e in entries for b in e.field_values["buyers"].split(",")]
    assert sorted(names) == sorted(b.id for b in buyers)
