"""Schemathesis against the OpenAPI documents of the events, booking and search services, every
request sent through nginx and the gateway of a stack without rate limits, as a buyer, an organizer
(who is an operator too) or nobody, depending on the operation: no generated request may get a 5xx.

Generated ids rarely name anything, so real ones (events, a venue, a hold, an order, seats) are drawn
from dictionaries most of the time: that takes the requests past the 404s into the handlers' logic.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import asyncpg

from tests.integration.booking.conftest import GOOD_CARD
from tests.integration.events.conftest import Organizer
from tests.support import Api, User

SERVICES = ("events", "booking", "search")
EXAMPLES = int(os.environ.get("BOXOFFICE_SCHEMATHESIS_EXAMPLES", "25"))
SKIPPED = r"^/(?!api/)|/seats/stream$|/ws$"  # pages and operators' endpoints; an endless stream; WebSockets
FAIL_ON = (
    "unresolvable_reference",
    "unsupported_regex",
    "missing_auth",
    "rate_limited",
    "unmatched_filter",
    "dictionary_mismatch",
    "base_url_mismatch",
)


def toml(value: object) -> str:
    return json.dumps(value)  # a JSON string or list of strings is valid TOML too


async def test_no_request_schemathesis_generates_gets_a_server_error(stack, api, tmp_path):
    buyer, organizer, ids = await world(stack, api)
    failures = []
    for service in SERVICES:
        config = tmp_path / f"{service}.toml"
        config.write_text(settings(ids, {"events": organizer, "booking": buyer}.get(service)))
        run = subprocess.run(
            [
                str(stack.root / ".venv" / "bin" / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"http://127.0.0.1:{stack.ports.service(service)}/docs/openapi.json",
                "--url",
                api.base_url,
                "--checks",
                "not_a_server_error",
                "--max-examples",
                str(EXAMPLES),
                "--exclude-path-regex",
                SKIPPED,
                "--request-timeout",
                "15",
                "--workers",
                "2",
                "--no-color",
                "--seed",
                "20261130",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
        )
        (stack.log_dir / f"schemathesis-{service}.log").write_text(run.stdout + run.stderr)
        if run.returncode != 0:
            failures.append(f"--- {service} ---\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}")
    assert not failures, "\n".join(failures)


async def world(stack, api: Api) -> tuple[User, User, dict[str, list[str]]]:
    """A buyer with an order and a live hold, an organizer (and operator) with a venue, events and a draft."""
    buyer, organizer = api.new_user("buyer"), api.new_user("organizer")
    db = await asyncpg.connect(stack.database_url)
    try:
        await db.execute(
            """UPDATE users SET roles = '["organizer", "operator"]'::jsonb WHERE id = $1::uuid""", organizer.id
        )
    finally:
        await db.close()
    organizer = User(organizer.id, organizer.email, "organizer", login(api, organizer))
    org = Organizer(api, organizer)
    venue = org.venue()
    paid, held = org.published(venue_id=venue["id"]), org.published(venue_id=venue["id"])
    draft = org.event(venue_id=venue["id"])
    seats = [s["id"] for s in api.get(f"/api/events/{held['id']}/seats").json()["seats"]]
    sold = [s["id"] for s in api.get(f"/api/events/{paid['id']}/seats").json()["seats"]][:2]
    bought = api.post("/api/holds", user=buyer, json={"event_id": paid["id"], "seat_ids": sold}).json()
    order = api.post(
        "/api/orders",
        user=buyer,
        json={"hold_id": bought["id"], "payment": GOOD_CARD},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert order.status_code == 201, order.text
    hold = api.post("/api/holds", user=buyer, json={"event_id": held["id"], "seat_ids": seats[:2]})
    assert hold.status_code == 201, hold.text
    return (
        buyer,
        organizer,
        {
            "events": [paid["id"], held["id"], draft["id"]],
            "venues": [venue["id"]],
            "holds": [hold.json()["id"], bought["id"]],
            "orders": [order.json()["id"]],
            "seats": seats[:6] + sold,
        },
    )


def login(api: Api, user: User) -> str:
    from tests.support import PASSWORD

    answer = api.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def settings(ids: dict[str, list[str]], user: User | None) -> str:
    """A schemathesis.toml: the real ids requests mostly draw, and whose token the service's operations
    that need one carry (the booking service's the buyer's, the events service's the organizer's)."""
    # A document Schemathesis cannot fully use fails the run, like a server error does.
    lines = ["[warnings]", f"fail-on = {toml(list(FAIL_ON))}", ""]
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {toml(values)}", ""]
    lines.append("[parameters]")
    for key, name in (
        ("path.event_id", "events"),
        ("body.event_id", "events"),
        ("path.venue_id", "venues"),
        ("body.venue_id", "venues"),
        ("path.hold_id", "holds"),
        ("body.hold_id", "holds"),
        ("path.order_id", "orders"),
        ("path.seat_id", "seats"),
        ("body.seat_ids[*]", "seats"),
    ):
        lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.8 }}')
    if user is not None:
        lines += [
            "",
            "[[operations]]",
            f"include-path-regex = {toml(r'^/api/(?!auth/|search/|events/[^/]+/seats)')}",
            f"headers = {{ Authorization = {toml('Bearer ' + user.token)} }}",
        ]
    return "\n".join(lines) + "\n"
