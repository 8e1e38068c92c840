"""Test helpers shared by integration and e2e tests: an API client and data factories."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field

import httpx

PASSWORD = "correct horse battery"


@dataclass
class User:
    id: str
    email: str
    role: str
    token: str
    headers: dict[str, str] = field(default_factory=dict)


class Api:
    """A thin httpx client for one base URL (nginx, the gateway, or a service)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30, verify=False)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, user: User | None = None, **kw) -> httpx.Response:
        headers = dict(kw.pop("headers", {}) or {})
        if user is not None:
            headers.setdefault("Authorization", f"Bearer {user.token}")
        return self.http.request(method, path, headers=headers, **kw)

    def get(self, path: str, **kw) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> httpx.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw) -> httpx.Response:
        return self.request("DELETE", path, **kw)

    def new_user(self, role: str = "buyer", name: str = "Test User") -> User:
        """Register a fresh user (unique email) and log in."""
        email = f"{role}-{uuid.uuid4().hex[:12]}@example.com"
        created = self.patiently(
            "/api/auth/register", {"email": email, "password": PASSWORD, "name": name, "role": role}
        )
        assert created.status_code == 201, created.text
        token = self.patiently("/api/auth/token", {"email": email, "password": PASSWORD})
        assert token.status_code == 200, token.text
        return User(created.json()["id"], email, role, token.json()["access_token"])

    def patiently(self, path: str, body: dict) -> httpx.Response:
        """POST, waiting out a 429: the per-address limits on signing in and up are shared by every test
        (and may be busy with another test's flood)."""
        for _ in range(50):
            answer = self.post(path, json=body)
            if answer.status_code != 429:
                return answer
            time.sleep(0.2)
        return answer


def page_csrf_token(page: httpx.Response) -> str:
    """The CSRF token a page carries (bound by the gateway to this browser and its session)."""
    match = re.search(r'data-csrf="([^"]+)"', page.text)
    assert match, f"no CSRF token on {page.url}"
    return match.group(1)


def burst(api: Api, count: int, method: str, path: str, **kw) -> list[httpx.Response]:
    """`count` requests sent at once (a bucket refills while sequential requests crawl along)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(count, 32)) as pool:
        return list(pool.map(lambda _: api.request(method, path, **kw), range(count)))


def assert_problem(response: httpx.Response, status: int) -> dict:
    """The response is an RFC 9457 problem with this status and our correlation id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "correlation_id"} <= body.keys()
    assert body["correlation_id"] == response.headers["x-correlation-id"]
    return body
