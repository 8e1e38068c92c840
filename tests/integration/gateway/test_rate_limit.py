"""The token bucket (one Lua script in Redis) and nginx's own limit_req."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from boxoffice.config import RateLimit
from boxoffice.infra.redis import RedisClient, TokenBucket
from tests.support import assert_problem, burst


@pytest.fixture
async def bucket(stack):
    client = RedisClient(f"redis://127.0.0.1:{stack.ports.redis}/0")
    await client.start()
    yield TokenBucket(client.client)
    await client.stop()


async def test_a_burst_of_capacity_passes_and_the_next_is_refused(bucket):
    who, limit = uuid.uuid4().hex, RateLimit(replenish_rate=2, burst_capacity=5)
    answers = [await bucket.take("t", who, limit) for _ in range(6)]
    assert [a.allowed for a in answers] == [True] * 5 + [False]
    assert [a.remaining for a in answers[:5]] == [4, 3, 2, 1, 0]
    assert 0 < answers[5].retry_ms <= 500


async def test_one_token_comes_back_after_one_over_replenish_seconds(bucket):
    who, limit = uuid.uuid4().hex, RateLimit(replenish_rate=4, burst_capacity=2)
    for _ in range(2):
        assert (await bucket.take("t", who, limit)).allowed
    assert not (await bucket.take("t", who, limit)).allowed
    await asyncio.sleep(0.27)  # 1/4 s and a little
    assert (await bucket.take("t", who, limit)).allowed
    assert not (await bucket.take("t", who, limit)).allowed


async def test_buckets_of_different_callers_are_independent(bucket):
    limit = RateLimit(replenish_rate=1, burst_capacity=1)
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    assert (await bucket.take("t", first, limit)).allowed
    assert not (await bucket.take("t", first, limit)).allowed
    assert (await bucket.take("t", second, limit)).allowed


async def test_requested_tokens_take_several_at_once(bucket):
    who, limit = uuid.uuid4().hex, RateLimit(replenish_rate=1, burst_capacity=10, requested_tokens=4)
    assert [(await bucket.take("t", who, limit)).allowed for _ in range(3)] == [True, True, False]


def test_booking_writes_allow_a_burst_of_20_then_429_with_headers(api):
    user = api.new_user()
    responses = burst(api, 40, "POST", "/api/holds", user=user, json={})
    passed = [r for r in responses if r.status_code != 429]
    assert 20 <= len(passed) <= 26  # the burst, plus what 10/s refills while 40 requests are in flight
    refused = next(r for r in responses if r.status_code == 429)
    body = assert_problem(refused, 429)
    assert refused.headers["ratelimit-remaining"] == "0" and refused.headers["ratelimit-limit"] == "20"
    assert int(refused.headers["retry-after"]) >= 1
    assert "retry" in body["detail"].lower()


def test_every_api_response_carries_ratelimit_headers(api):
    response = api.get("/api/me", user=api.new_user())
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= response.headers.keys()


def test_spoofed_identity_headers_never_change_the_bucket(api):
    victim, attacker = api.new_user(), api.new_user()
    burst(api, 40, "POST", "/api/holds", user=attacker, json={})
    spoofs = [
        {"X-User-Id": victim.id},
        {"X-Forwarded-For": "203.0.113.7"},
        {"X-Real-IP": "203.0.113.8"},
        {"X-Boxoffice-Internal": "guess", "X-User-Id": victim.id},
    ]
    for spoof in spoofs:
        assert 429 in [
            r.status_code for r in burst(api, 12, "POST", "/api/holds", user=attacker, json={}, headers=spoof)
        ]
    assert api.post("/api/holds", user=victim, json={}).status_code != 429


def test_anonymous_callers_are_limited_per_ip_whatever_they_claim(api):
    spoof = {"X-Forwarded-For": "198.51.100.1", "X-Real-IP": "198.51.100.2", "X-User-Id": str(uuid.uuid4())}
    statuses = [r.status_code for r in burst(api, 40, "POST", "/api/holds", json={}, headers=spoof)]
    assert statuses.count(429) >= 10
    time.sleep(2.1)  # give the shared anonymous bucket back to the other tests


def test_nginx_limit_req_answers_429_on_the_token_endpoint(stack):
    # One client with kept-alive connections: a flood must outpace the zone even on a busy machine.
    with (
        httpx.Client(
            base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30, limits=httpx.Limits(max_connections=48)
        ) as http,
        ThreadPoolExecutor(max_workers=48) as pool,
    ):
        # GET: nginx counts it all the same, the service answers cheaply
        responses = list(pool.map(lambda _: http.get("/api/auth/token"), range(300)))
    # refused by nginx before the gateway saw them (the gateway's own 429s carry RateLimit-* headers)
    limited = [r for r in responses if r.status_code == 429 and "ratelimit-limit" not in r.headers]
    assert limited, sorted(Counter((r.status_code, "ratelimit-limit" in r.headers) for r in responses).items())
    assert limited[0].headers["content-type"].startswith("application/problem+json")
    time.sleep(2.5)
