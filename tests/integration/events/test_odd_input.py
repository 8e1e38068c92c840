"""Input the handlers cannot store or compare is a 422 naming the field, not a database error (500)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.integration.events.conftest import event_body, venue_body
from tests.support import PASSWORD, assert_problem


def fields(body: dict) -> set[str]:
    return {error["field"] for error in body["errors"]}


def test_a_nul_character_in_any_stored_text_is_a_422(api, org_a):
    registered = api.post(
        "/api/auth/register", json={"email": "nul@example.com", "password": PASSWORD, "name": "Nul\u0000Name"}
    )
    assert fields(assert_problem(registered, 422)) == {"name"}
    assert fields(assert_problem(api.post("/api/auth/token", json={"email": "a\u0000@b.c", "password": "x"}), 422)) == {
        "email"
    }
    venue = api.post("/api/venues", user=org_a.user, json=venue_body(name="Hall\u0000"))
    assert fields(assert_problem(venue, 422)) == {"name"}
    event = api.post("/api/events", user=org_a.user, json=event_body(org_a.venue()["id"], title="\u0000"))
    assert fields(assert_problem(event, 422)) == {"title"}


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-23:00", "0001-01-01T00:00:00+23:00"])
def test_a_time_outside_the_years_one_to_9999_in_utc_is_a_422(api, org_a, moment):
    created = api.post("/api/events", user=org_a.user, json=event_body(org_a.venue()["id"], ends_at=moment))
    assert fields(assert_problem(created, 422)) == {"ends_at"}
    event = org_a.event()
    changed = api.patch(
        f"/api/events/{event['id']}",
        user=org_a.user,
        json={"on_sale_at": moment},
        headers={"If-Match": f'"{event["version"]}"'},
    )
    assert fields(assert_problem(changed, 422)) == {"on_sale_at"}


def forged(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        forged("2020-01-01T00:00:00+00:00", "abc"),
        forged("9999-12-31T23:59:59-23:00", "0b5ff0ae-5b53-4c0c-9d4e-1a9e4a8e3b11"),
    ],
)
def test_a_forged_list_cursor_is_a_422(api, org_a, cursor):
    assert_problem(api.get("/api/events", params={"mine": "true", "cursor": cursor}, user=org_a.user), 422)
    assert_problem(api.get("/api/venues", params={"cursor": cursor}, user=org_a.user), 422)
    raw = base64.urlsafe_b64encode(b"9999-12-31T23:59:59-23:00|0b5ff0ae-5b53-4c0c-9d4e-1a9e4a8e3b11").decode()
    assert api.get("/api/orders", params={"cursor": raw}, user=org_a.user).status_code in (400, 422)


def test_outbox_ids_beyond_a_bigint_are_refused_not_sent_to_postgres(api, operator):
    assert fields(assert_problem(api.get("/api/outbox", params={"cursor": str(2**63)}, user=operator), 422)) == {
        "cursor"
    }
    assert_problem(api.post(f"/api/outbox/{2**64}/requeue", user=operator), 404)
