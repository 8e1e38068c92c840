"""Venues through nginx: generated seats, validation, organizers only, each sees only their own."""

from __future__ import annotations

import time

from tests.integration.events.conftest import venue_body
from tests.support import assert_problem


def test_an_organizer_creates_a_venue_and_gets_its_generated_seats(api, organizer):
    answer = api.post("/api/venues", user=organizer, json=venue_body())
    assert answer.status_code == 201, answer.text
    venue = answer.json()
    assert answer.headers["location"] == f"/api/venues/{venue['id']}"
    assert (venue["name"], venue["city"], venue["seat_count"]) == ("Town Hall", "Zürich", 30)
    assert len(venue["seats"]) == 30
    first = venue["seats"][0]
    assert first["label"] == "A-1" and first["section"] == "Stalls" and first["row"] == "A" and first["number"] == 1
    assert first["category"] == "premium" and isinstance(first["x"], int) and isinstance(first["y"], int)
    assert api.get(f"/api/venues/{venue['id']}", user=organizer).json() == venue


def test_venue_validation_names_nested_fields_and_unknown_members(api, organizer):
    body = venue_body(owner_id="me")
    body["sections"][0]["rows"][1]["seat_count"] = 0
    problem = assert_problem(api.post("/api/venues", user=organizer, json=body), 422)
    assert {e["field"] for e in problem["errors"]} == {"sections.0.rows.1.seat_count", "owner_id"}


def test_row_labels_must_be_unique_within_a_venue(api, organizer):
    body = venue_body()
    body["sections"][1]["rows"][0]["label"] = "A"
    problem = assert_problem(api.post("/api/venues", user=organizer, json=body), 422)
    assert [e["field"] for e in problem["errors"]] == ["sections.1.rows.0.label"]


def test_a_buyer_cannot_create_venues_and_an_anonymous_caller_must_log_in(api, buyer):
    assert_problem(api.post("/api/venues", user=buyer, json=venue_body()), 403)
    assert_problem(api.post("/api/venues", json=venue_body()), 401)


def test_another_organizers_venue_does_not_exist_for_you(api, org_a, org_b):
    venue = org_a.venue()
    assert_problem(api.get(f"/api/venues/{venue['id']}", user=org_b.user), 404)
    assert_problem(api.get("/api/venues/not-a-uuid", user=org_a.user), 404)
    assert venue["id"] not in [v["id"] for v in api.get("/api/venues", user=org_b.user).json()["items"]]


def test_venues_are_listed_newest_first_with_a_next_cursor(api, org_b):
    made = [org_b.venue(name=f"Hall {i}")["id"] for i in range(3)]
    first = api.get("/api/venues?limit=2", user=org_b.user).json()
    second = api.get(f"/api/venues?limit=2&cursor={first['next']}", user=org_b.user).json()
    assert [v["id"] for v in first["items"] + second["items"]] == made[::-1]
    assert second["next"] is None


def test_a_five_thousand_seat_venue_and_its_event_are_created_quickly(api, organizer):
    rows = [{"label": f"R{i}", "seat_count": 200, "category": "standard" if i % 2 else "premium"} for i in range(25)]
    started = time.monotonic()
    venue = api.post("/api/venues", user=organizer, json=venue_body(sections=[{"name": "Arena", "rows": rows}]))
    assert venue.status_code == 201, venue.text
    assert venue.json()["seat_count"] == 5000
    from tests.integration.events.conftest import event_body

    event = api.post("/api/events", user=organizer, json=event_body(venue.json()["id"]))
    assert event.status_code == 201, event.text
    assert event.json()["seat_count"] == 5000
    assert time.monotonic() - started < 5
