"""The waiting room cannot be skipped: through nginx every spelling of a seat-taking write (paths with
a trailing slash, `//`, dot segments or escapes; event ids padded, upper case in braces, as a URN or
without hyphens) is judged as its canonical form, an event id that names no event is refused, and
booking itself refuses seat-taking writes without this buyer's admission to this event."""

from __future__ import annotations

import re
import time
import uuid

import httpx

from tests.integration.queue.helpers import bearer, queued_event, tokens_of
from tests.integration.queue.test_waiting_room_api import wait_for_status
from tests.support import assert_problem

SPELLINGS = {
    "canonical": lambda event_id: event_id,
    "padded": lambda event_id: f"  {event_id} ",
    "upper case in braces": lambda event_id: "{" + event_id.upper() + "}",
    "URN": lambda event_id: f"urn:uuid:{event_id}",
    "hyphenless": lambda event_id: event_id.replace("-", ""),
}
NEW_HOLD_PATHS = ("/api/holds", "/api/holds/", "/api//holds", "/api/./holds", "/api/hold%73", "/api/holds//")


def nginx(stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30)


async def admitted_token(http: httpx.AsyncClient, event_id: str, buyer) -> str:
    await http.post(f"/api/events/{event_id}/queue", headers=bearer(buyer))
    place = await wait_for_status(http, f"/api/events/{event_id}/queue", buyer, "admitted")
    assert place["status"] == "admitted", place
    return place["admission_token"]


async def seat_states(http: httpx.AsyncClient, event_id: str, buyer) -> set[str]:
    snapshot = await http.get(f"/api/events/{event_id}/seats", headers=bearer(buyer))
    return {seat["status"] for seat in snapshot.json()["seats"]}


def raw_path(http: httpx.AsyncClient, method: str, path: str, **kw) -> httpx.Request:
    """A request whose path goes out exactly as written (no client-side normalising)."""
    request = http.build_request(method, path, **kw)
    request.extensions["target"] = path.encode()
    return request


def new_hold_cases() -> list[tuple[str, str]]:
    """(path, id spelling): every path spelling with the canonical id, every id spelling on two paths
    (few enough per buyer for the booking-write rate limit)."""
    return [(path, "canonical") for path in NEW_HOLD_PATHS] + [
        (path, name) for name in SPELLINGS if name != "canonical" for path in ("/api/holds", "/api/holds/")
    ]


async def test_every_spelling_of_a_new_hold_is_refused_without_an_admission_and_held_for_the_canonical_event_with_one(
    stack, mint, domain
):
    made = await queued_event()
    stranger = mint()
    queue_url = f"/api/events/{made.id}/queue"
    async with nginx(stack) as http:
        for path, name in new_hold_cases():
            body = {"event_id": SPELLINGS[name](made.id), "seat_ids": [made.rows["A"][0]]}
            refused = await http.send(raw_path(http, "POST", path, json=body, headers=bearer(stranger)))
            assert assert_problem(refused, 403)["queue_url"] == queue_url, (path, name)
        assert await seat_states(http, made.id, stranger) == {"available"}

        buyers = {name: mint() for name in SPELLINGS}  # one admitted buyer per spelling
        tokens = {name: await admitted_token(http, made.id, buyer) for name, buyer in buyers.items()}
        for path, name in new_hold_cases():
            body = {"event_id": SPELLINGS[name](made.id), "seat_ids": [made.rows["A"][0]]}
            headers = {**bearer(buyers[name]), "X-Admission-Token": tokens[name]}
            held = await http.send(raw_path(http, "POST", path, json=body, headers=headers))
            assert held.status_code == 201, (path, name, held.text)
            assert held.json()["event_id"] == made.id and held.json()["id"].startswith(f"{made.id}.")
            released = await http.delete(f"/api/holds/{held.json()['id']}", headers=bearer(buyers[name]))
            assert released.status_code == 204


async def test_seats_cannot_be_added_nor_a_hold_extended_without_an_admission_whatever_the_path_spelling(
    stack, mint, domain
):
    made = await queued_event()
    buyer = mint()
    async with nginx(stack) as http:
        token = await admitted_token(http, made.id, buyer)
        created = await http.post(
            "/api/holds",
            json={"event_id": made.id, "seat_ids": [made.rows["A"][0]]},
            headers={**bearer(buyer), "X-Admission-Token": token},
        )
        assert created.status_code == 201, created.text
        hold = created.json()
        for action, body in (("seats", {"seat_ids": [made.rows["A"][1]]}), ("extend", None)):
            for path in (
                f"/api/holds/{hold['id']}/{action}/",
                f"/api/holds/{hold['id']}//{action}",
                f"/api/holds/{hold['id']}/./{action}",
                f"/api/holds/{hold['id']}/{action}",
            ):
                refused = await http.send(raw_path(http, "POST", path, json=body, headers=bearer(buyer)))
                assert assert_problem(refused, 403)["queue_url"] == f"/api/events/{made.id}/queue", path
        now = await http.get(f"/api/holds/{hold['id']}", headers=bearer(buyer))
        assert now.json() == hold  # no seat added, not extended
        added = await http.post(
            f"/api/holds/{hold['id']}/seats/",
            json={"seat_ids": [made.rows["A"][1]]},
            headers={**bearer(buyer), "X-Admission-Token": token},
        )
        assert added.status_code == 200 and len(added.json()["seat_ids"]) == 2, added.text


def refusals(stack, reason: str) -> float:
    """Seat-taking writes the gateways refused for `reason`, summed over both (each on its own port)."""
    total = 0.0
    for instance in range(2):
        text = httpx.get(f"http://127.0.0.1:{stack.ports.service('gateway', instance)}/metrics").text
        found = re.search(rf'^boxoffice_queue_refusals_total{{reason="{reason}"}} (\S+)$', text, re.M)
        total += float(found.group(1)) if found else 0.0
    return total


async def test_an_event_id_that_names_no_event_is_refused_by_the_gateway_not_waved_through(stack, mint, domain):
    buyer, nowhere = mint(), str(uuid.uuid4())
    before = refusals(stack, "unknown_event")
    async with nginx(stack) as http:
        for event_id in (nowhere, "{" + nowhere.upper() + "}"):
            refused = await http.post("/api/holds/", json={"event_id": event_id, "quantity": 1}, headers=bearer(buyer))
            assert assert_problem(refused, 403)["type"].endswith("/not-on-sale")
        refused = await http.post(
            f"/api/holds/{nowhere}.0123456789abcdef/seats", json={"seat_ids": ["1"]}, headers=bearer(buyer)
        )
        assert_problem(refused, 404)
    assert refusals(stack, "unknown_event") - before == 3


async def test_booking_itself_refuses_seat_taking_writes_without_this_buyers_admission_to_this_event(
    stack, mint, domain
):
    made, other = await queued_event(), await queued_event()
    buyer, stranger = mint(), mint()
    signer = tokens_of(stack)
    now = int(time.time() * 1000)

    def admission(user=buyer, event_id=made.id, *, admitted_ms=now, expires_ms=now + 600_000) -> str:
        return signer.issue(user_id=user.id, event_id=event_id, admitted_ms=admitted_ms, expires_ms=expires_ms)

    good = admission()
    refused_tokens = {
        "none": None,
        "another buyer's": admission(stranger),
        "another event's": admission(event_id=other.id),
        "expired": admission(admitted_ms=now - 700_000, expires_ms=now - 100_000),
        "forged": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "junk": "junk",
    }
    secret = stack.service_env()["BOXOFFICE_INTERNAL_SECRET"]
    identity = {"X-Boxoffice-Internal": secret, "X-User-Id": buyer.id, "X-User-Roles": "buyer"}
    queue_url = f"/api/events/{made.id}/queue"
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{stack.ports.service('booking', 0)}", timeout=30
    ) as booking:

        async def post(path: str, body: dict | None, token: str | None) -> httpx.Response:
            headers = {**identity, **({"X-Admission-Token": token} if token else {})}
            return await booking.post(path, json=body, headers=headers)

        new_hold = {"event_id": "{" + made.id.upper() + "}", "seat_ids": [made.rows["A"][0]]}
        for name, token in refused_tokens.items():
            assert assert_problem(await post("/api/holds", new_hold, token), 403)["queue_url"] == queue_url, name
        held = await post("/api/holds", new_hold, good)
        assert held.status_code == 201 and held.json()["event_id"] == made.id, held.text
        hold_id = held.json()["id"]
        for name, token in refused_tokens.items():
            added = await post(f"/api/holds/{hold_id}/seats", {"seat_ids": [made.rows["A"][1]]}, token)
            assert assert_problem(added, 403)["queue_url"] == queue_url, name
            assert (
                assert_problem(await post(f"/api/holds/{hold_id}/extend", None, token), 403)["queue_url"] == queue_url
            )
        assert (await post(f"/api/holds/{hold_id}/seats", {"seat_ids": [made.rows["A"][1]]}, good)).status_code == 200
        assert (await post(f"/api/holds/{hold_id}/extend", None, good)).status_code == 200
