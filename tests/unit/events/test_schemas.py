"""Request bodies: field paths of errors, server-owned members refused, cross-member rules."""

from datetime import UTC, datetime, timedelta

import pytest

from boxoffice.domain.events.schemas import EventIn, EventPatch, problems
from boxoffice.domain.venues.schemas import VenueIn
from boxoffice.errors import ValidationFailed
from boxoffice.services.common.validation import validate

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def venue_body(**changes) -> dict:
    body = {
        "name": "Hall",
        "city": "Berlin",
        "address": "Street 1",
        "timezone": "Europe/Berlin",
        "sections": [
            {
                "name": "Floor",
                "rows": [
                    {"label": "A", "seat_count": 10, "category": "standard"},
                    {"label": "B", "seat_count": 10, "category": "standard"},
                ],
            }
        ],
    }
    return body | changes


def event_body(**changes) -> dict:
    body = {
        "title": "Show",
        "category": "concert",
        "performer": "Band",
        "venue_id": "5f0c4a8e-8c1f-4a8e-9a57-4f1d2f0c4a8e",
        "starts_at": "2030-02-01T20:00:00Z",
        "ends_at": "2030-02-01T23:00:00Z",
        "currency": "EUR",
        "price_categories": [{"category": "standard", "price": 4500}],
    }
    return body | changes


def fields_of(model, body) -> set[str]:
    with pytest.raises(ValidationFailed) as failed:
        validate(model, body)
    return {e["field"] for e in failed.value.extra["errors"]}


def test_venue_errors_name_the_nested_member():
    body = venue_body()
    body["sections"][0]["rows"][1]["seat_count"] = 0
    assert fields_of(VenueIn, body) == {"sections.0.rows.1.seat_count"}


def test_venue_refuses_unknown_members_and_unknown_time_zones():
    assert fields_of(VenueIn, venue_body(owner_id="x", timezone="Mars/Olympus")) == {"owner_id", "timezone"}


def test_venue_row_labels_must_be_unique_across_sections():
    body = venue_body()
    body["sections"].append({"name": "Balcony", "rows": [{"label": "A", "seat_count": 5, "category": "cheap"}]})
    assert validate(VenueIn, body).problems() == [
        {"field": "sections.1.rows.0.label", "message": "row label 'A' is already used in this venue"}
    ]


@pytest.mark.parametrize("member", ["status", "version", "owner_id", "seat_count", "published_at", "id"])
def test_event_refuses_server_owned_members(member):
    assert fields_of(EventIn, event_body(**{member: "x"})) == {member}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"category": "opera"}, "category"),
        ({"currency": "eur"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"max_tickets_per_order": 0}, "max_tickets_per_order"),
        ({"max_tickets_per_order": 21}, "max_tickets_per_order"),
        ({"starts_at": "2030-02-01T20:00:00"}, "starts_at"),
        ({"price_categories": []}, "price_categories"),
        ({"price_categories": [{"category": "standard", "price": -1}]}, "price_categories.0.price"),
        ({"waiting_room": {"enabled": True, "admit_per_minute": 0}}, "waiting_room.admit_per_minute"),
        ({"waiting_room": {"enabled": True, "admission_minutes": 61}}, "waiting_room.admission_minutes"),
        ({"waiting_room": {"admit_per_minute": 10}}, "waiting_room.enabled"),
    ],
)
def test_event_members_are_checked_one_by_one(changes, field):
    assert fields_of(EventIn, event_body(**changes)) == {field}


def test_event_waiting_room_is_accepted_and_kept():
    form = validate(
        EventIn, event_body(waiting_room={"enabled": True, "admit_per_minute": 100000, "admission_minutes": 60})
    )
    assert form.model_dump()["waiting_room"] == {"enabled": True, "admit_per_minute": 100000, "admission_minutes": 60}


def test_patch_keeps_only_the_members_sent_and_refuses_null_for_required_ones():
    assert validate(EventPatch, {"title": "New", "on_sale_at": None}).changes() == {"title": "New", "on_sale_at": None}
    assert fields_of(EventPatch, {"title": None, "status": "published"}) == {"title", "status"}


def values(**changes) -> dict:
    base = {
        "starts_at": NOW + timedelta(days=10),
        "ends_at": NOW + timedelta(days=10, hours=3),
        "on_sale_at": None,
        "price_categories": [{"category": "standard", "price": 10}, {"category": "premium", "price": 20}],
    }
    return base | changes


def test_cross_member_rules_pass_for_a_sound_event():
    assert problems(values(), venue_categories={"standard", "premium"}, now=NOW, starts_changed=True) == []


def test_ends_at_must_follow_starts_at_and_starts_at_lie_ahead():
    found = problems(
        values(starts_at=NOW - timedelta(hours=1), ends_at=NOW - timedelta(hours=2)),
        venue_categories={"standard", "premium"},
        now=NOW,
        starts_changed=True,
    )
    assert {e["field"] for e in found} == {"ends_at", "starts_at"}


def test_a_start_in_the_past_is_fine_when_the_patch_does_not_move_it():
    found = problems(
        values(starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=2)),
        venue_categories={"standard", "premium"},
        now=NOW,
        starts_changed=False,
    )
    assert found == []


def test_every_seat_category_needs_exactly_one_price_of_a_known_category():
    found = problems(
        values(
            price_categories=[
                {"category": "standard", "price": 1},
                {"category": "standard", "price": 2},
                {"category": "vip", "price": 3},
            ]
        ),
        venue_categories={"standard", "premium"},
        now=NOW,
        starts_changed=True,
    )
    assert [e["field"] for e in found] == [
        "price_categories.1.category",
        "price_categories.2.category",
        "price_categories",
    ]
    assert "premium" in found[-1]["message"]
