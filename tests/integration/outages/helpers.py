"""What the outage tests share: steady traffic from a thread across an outage, the rules every
answer given during one must follow, and small steps of a buyer's journey."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tests.integration.booking.conftest import GOOD_CARD
from tests.support import Api, User

PROMPT_S = 10.0  # a store that is down is a 503 within this, never a hang


@dataclass(frozen=True)
class Answer:
    name: str
    status: int
    seconds: float
    content_type: str
    retry_after: str | None
    text: str


def answer_of(name: str, call: Callable[[], httpx.Response]) -> Answer:
    started = time.monotonic()
    response = call()
    return Answer(
        name,
        response.status_code,
        time.monotonic() - started,
        response.headers.get("content-type", ""),
        response.headers.get("retry-after"),
        response.text[:300],
    )


class Traffic:
    """The same requests, one after another from a thread, from before an outage until after it, so
    that some are always in flight when a store goes away or comes back."""

    def __init__(self, calls: dict[str, Callable[[], httpx.Response]]):
        self.calls = calls
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, call in self.calls.items():
                self.answers.append(answer_of(name, call))
            time.sleep(0.05)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def statuses(self, name: str) -> set[int]:
        return {a.status for a in self.answers if a.name == name}


def assert_honest(answers: list[Answer]) -> None:
    """Every answer was prompt, and a server error was only ever an outage's 503 with Retry-After
    (problem+json from the API, a page for a browser)."""
    for answer in answers:
        assert answer.seconds < PROMPT_S, f"{answer.name} took {answer.seconds:.1f} s"
        if answer.status >= 500:
            assert answer.status == 503, answer
            assert answer.retry_after and int(answer.retry_after) > 0, answer
            assert answer.content_type.startswith(("application/problem+json", "text/html")), answer


def assert_outage_problem(answer: Answer) -> None:
    assert answer.status == 503, answer
    assert answer.seconds < PROMPT_S, answer
    assert answer.retry_after and int(answer.retry_after) > 0, answer
    assert answer.content_type.startswith("application/problem+json"), answer


def until(
    call: Callable[[], httpx.Response], ok: Callable[[httpx.Response], bool], *, timeout: float = 30, what: str = ""
) -> httpx.Response:
    """Repeat `call` until `ok` holds for its answer (a store that came back is used again)."""
    deadline = time.monotonic() + timeout
    while True:
        response = call()
        if ok(response):
            return response
        assert time.monotonic() < deadline, f"{what or 'never ok'}: {response.status_code} {response.text[:300]}"
        time.sleep(0.2)


def seat_ids(api: Api, event_id: str) -> list[str]:
    answer = api.get(f"/api/events/{event_id}/seats")
    assert answer.status_code == 200, answer.text
    return [seat["id"] for seat in answer.json()["seats"]]


def hold(api: Api, buyer: User, event_id: str, seats: list[str]) -> httpx.Response:
    return api.post("/api/holds", user=buyer, json={"event_id": event_id, "seat_ids": seats})


def pay(api: Api, buyer: User, hold_id: str, key: str | None = None) -> httpx.Response:
    return api.post(
        "/api/orders",
        user=buyer,
        json={"hold_id": hold_id, "payment": GOOD_CARD},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def searchable(api: Api, title: str, *, timeout: float = 30) -> None:
    until(
        lambda: api.get("/api/search/events", params={"q": title}),
        lambda r: r.status_code == 200 and any(i["title"] == title for i in r.json()["items"]),
        timeout=timeout,
        what=f"{title!r} never became searchable",
    )


def service_pids(stack) -> dict[str, int | None]:
    """The services' process ids: the same after an outage means nobody restarted them."""
    return {key: stack._service_pid(key) for _, _, key in stack._service_keys()}


async def sse_changes(response: httpx.Response, into: list[dict]) -> None:
    """Append each seat change of an open SSE response to `into` (until cancelled)."""
    import json

    current: dict = {}
    async for line in response.aiter_lines():
        if line == "":
            if current.get("event") == "seats":
                into.append({"id": current["id"], **json.loads(current["data"])})
            current = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            current[name] = value.strip()
