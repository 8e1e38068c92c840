"""Signing in is limited per client address and per target account, in nginx and in the gateway (each
attempt costs an argon2 hash): neither throwaway accounts' tokens, nor made-up X-Forwarded-For
headers, nor many addresses against one account buy more password checks. A refusal is a 429 problem
with Retry-After; the login page says it in words."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import coredis
import httpx
import pytest

from boxoffice import keys
from tests.support import PASSWORD, User, assert_problem, page_csrf_token


def settle() -> None:
    """Give the address's budget in nginx (20 r/s here) back to the tests that follow."""
    time.sleep(2.5)


def test_nginx_limits_posts_to_the_login_and_register_pages_per_address_but_not_the_forms(stack):
    paths = ("/login", "/register", "/login/", "/register/")
    with (
        httpx.Client(
            base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30, limits=httpx.Limits(max_connections=48)
        ) as http,
        ThreadPoolExecutor(max_workers=48) as pool,
    ):
        posts = list(pool.map(lambda i: http.post(paths[i % 4], data={"email": "x@example.com"}), range(240)))
        settle()
        forms = list(pool.map(lambda i: http.get(paths[i % 2]), range(120)))
    refused = [r for r in posts if r.status_code == 429 and "ratelimit-limit" not in r.headers]  # nginx's own
    assert refused, sorted({r.status_code for r in posts})
    assert_problem(refused[0], 429)
    assert int(refused[0].headers["retry-after"]) >= 1
    assert {r.url.path for r in refused} == set(paths)
    assert [r.status_code for r in forms] == [200] * len(forms)
    settle()


@pytest.fixture
def throwaways(api) -> list[User]:
    """Accounts an attacker made for their tokens."""
    return [api.new_user() for _ in range(3)]


@pytest.fixture
def spent_address_budget(stack, throwaways):
    """This address (127.0.0.1, as nginx tells the gateway) has spent its sign-in budget: its `auth`
    bucket is deep in debt for the rest of the test (the suite's budget refills far too fast to be
    spent by requests), and paid back afterwards."""
    tokens_key, time_key = keys.rate_limit_bucket("auth", "ip:127.0.0.1")

    async def spend() -> None:
        async with coredis.Redis.from_url(stack.redis_url, decode_responses=True) as client:
            await client.set(tokens_key, "-1000000", px=120_000)
            await client.set(time_key, str(int(time.time() * 1000)), px=120_000)

    async def pay_back() -> None:
        async with coredis.Redis.from_url(stack.redis_url, decode_responses=True) as client:
            await client.delete([tokens_key, time_key])

    with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever loop this thread may hold
        pool.submit(asyncio.run, spend()).result()
        yield
        pool.submit(asyncio.run, pay_back()).result()


def test_one_address_has_one_gateway_budget_of_password_checks_whatever_token_or_forwarded_for_it_sends(
    api, stack, throwaways, spent_address_budget
):
    attempts = [
        api.post(
            "/api/auth/token",
            json={"email": f"nobody-{i}@example.com", "password": "a guess"},
            headers={
                "Authorization": f"Bearer {throwaways[i % 3].token}",
                "X-Forwarded-For": f"198.51.100.{i}",
                "X-Real-IP": f"198.51.100.{i}",
            },
        )
        for i in range(6)
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        form = http.get("/login")
        page = http.post(
            "/login",
            data={"email": "nobody@example.com", "password": "a guess", "csrf_token": page_csrf_token(form)},
            headers={"X-Forwarded-For": "192.0.2.1"},
        )
    signup = api.post(
        "/api/auth/register",
        user=throwaways[0],
        json={"email": f"new-{uuid.uuid4().hex}@example.com", "password": PASSWORD, "name": "New", "role": "buyer"},
    )
    for refused in [*attempts, signup]:
        body = assert_problem(refused, 429)
        assert "from your address" in body["detail"] and int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-remaining"] == "0"
    assert page.status_code == 429 and "Too many sign-in attempts from your address" in page.text
    assert api.get("/api/me", user=throwaways[0]).status_code == 200  # only password checks share this budget


def test_login_attempts_at_one_account_are_limited_whatever_address_token_or_spelling_they_use(api, stack):
    victim, throwaway, bystander = api.new_user(), api.new_user(), api.new_user()
    spellings = (victim.email.upper(), f"  {victim.email}  ", victim.email, victim.email.title())
    answers = []
    for i in range(12):
        answers.append(
            api.post(
                "/api/auth/token",
                json={"email": spellings[i % 4], "password": "not the password"},
                headers={
                    "X-Forwarded-For": f"203.0.113.{i}",
                    "X-Real-IP": f"203.0.113.{i}",
                    "Authorization": f"Bearer {throwaway.token}",
                },
            )
        )
        time.sleep(0.12)  # well inside the address's own budget: only the account's may run out
    statuses = [a.status_code for a in answers]
    # 10 attempts per account (one of them spent on the victim's own login in new_user), then one per 10 s
    assert statuses[:9] == [401] * 9 and statuses[-2:] == [429, 429] and set(statuses) == {401, 429}, statuses
    body = assert_problem(answers[-1], 429)
    assert "for this account" in body["detail"] and int(answers[-1].headers["retry-after"]) >= 5
    assert answers[-1].headers["ratelimit-limit"] == "10"

    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        form = http.get("/login")
        page = http.post(
            "/login", data={"email": victim.email, "password": PASSWORD, "csrf_token": page_csrf_token(form)}
        )
        toast = http.post(
            "/login",
            data={"email": victim.email, "password": PASSWORD},
            headers={"HX-Request": "true", "X-CSRF-Token": page_csrf_token(form)},
        )
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
    assert "Too many sign-in attempts for this account" in page.text and int(page.headers["retry-after"]) >= 1
    assert toast.status_code == 200 and "Too many sign-in attempts for this account" in toast.text
    assert "hx-swap-oob" in toast.text

    other = api.post("/api/auth/token", json={"email": bystander.email, "password": PASSWORD})
    assert other.status_code == 200, other.text
    settle()
