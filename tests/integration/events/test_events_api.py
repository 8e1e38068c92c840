"""Events through nginx: the lifecycle, validation, ETags, ownership, the frozen seat map, listing."""

from __future__ import annotations

import time
import uuid

import httpx

from tests.integration.events.conftest import event_body, later
from tests.support import assert_problem


def test_creating_an_event_gives_a_draft_with_its_venue_summary_and_an_etag(api, org_a):
    venue = org_a.venue()
    body = event_body(venue["id"], waiting_room={"enabled": True, "admit_per_minute": 500, "admission_minutes": 15})
    answer = api.post("/api/events", user=org_a.user, json=body)
    assert answer.status_code == 201, answer.text
    event = answer.json()
    assert answer.headers["etag"] == 'W/"1"' and answer.headers["location"] == f"/api/events/{event['id']}"
    assert (event["status"], event["version"], event["seat_count"]) == ("draft", 1, 30)
    assert event["venue"] == {"id": venue["id"], "name": "Town Hall", "city": "Zürich", "timezone": "Europe/Zurich"}
    assert event["starts_at"] == body["starts_at"] and event["starts_at"].endswith("Z")
    assert event["waiting_room"] == {"enabled": True, "admit_per_minute": 500, "admission_minutes": 15}
    assert event["price_categories"] == body["price_categories"]


def test_event_validation_reports_every_rule_by_field(api, org_a):
    venue = org_a.venue()
    body = event_body(
        venue["id"],
        starts_at=later(-1),
        ends_at=later(-2),
        category="opera",
        currency="eur",
        max_tickets_per_order=21,
        status="published",
    )
    problem = assert_problem(api.post("/api/events", user=org_a.user, json=body), 422)
    assert {e["field"] for e in problem["errors"]} == {"category", "currency", "max_tickets_per_order", "status"}
    body = event_body(
        venue["id"], starts_at=later(-1), ends_at=later(-2), price_categories=[{"category": "premium", "price": 100}]
    )
    problem = assert_problem(api.post("/api/events", user=org_a.user, json=body), 422)
    assert {e["field"] for e in problem["errors"]} == {"starts_at", "ends_at", "price_categories"}


def test_an_event_needs_one_of_your_own_venues(api, org_a, org_b):
    problem = assert_problem(api.post("/api/events", user=org_b.user, json=event_body(org_a.venue()["id"])), 422)
    assert problem["errors"][0]["field"] == "venue_id"


def test_a_buyer_cannot_create_events(api, buyer, org_a):
    assert_problem(api.post("/api/events", user=buyer, json=event_body(org_a.venue()["id"])), 403)


def test_a_draft_is_visible_only_to_its_owner_until_published(api, org_a, org_b, buyer):
    event = org_a.event()
    path = f"/api/events/{event['id']}"
    assert api.get(path, user=org_a.user).status_code == 200
    for caller in (org_b.user, buyer, None):
        assert_problem(api.get(path, user=caller), 404)
    published = api.post(f"{path}/publish", user=org_a.user)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["published_at"] and published.headers["etag"] == 'W/"2"'
    assert api.get(path).json()["status"] == "published"


def test_another_organizer_cannot_change_publish_cancel_or_delete_your_draft(api, org_a, org_b):
    event = org_a.event()
    path = f"/api/events/{event['id']}"
    assert_problem(api.patch(path, user=org_b.user, json={"title": "Mine now"}, headers={"If-Match": 'W/"1"'}), 404)
    assert_problem(api.post(f"{path}/publish", user=org_b.user), 404)
    assert_problem(api.post(f"{path}/cancel", user=org_b.user), 404)
    assert_problem(api.delete(path, user=org_b.user), 404)
    assert api.get(path, user=org_a.user).json()["version"] == 1


def test_patch_needs_the_current_etag(api, org_a):
    event = org_a.event()
    path = f"/api/events/{event['id']}"
    assert_problem(api.patch(path, user=org_a.user, json={"title": "New"}), 428)
    changed = api.patch(path, user=org_a.user, json={"title": "New"}, headers={"If-Match": 'W/"1"'})
    assert changed.status_code == 200 and changed.json()["title"] == "New" and changed.json()["version"] == 2
    assert changed.headers["etag"] == 'W/"2"'
    stale = assert_problem(api.patch(path, user=org_a.user, json={"title": "Newer"}, headers={"If-Match": '"1"'}), 412)
    assert "version 2" in stale["detail"]
    assert api.patch(path, user=org_a.user, json={"title": "Newer"}, headers={"If-Match": '"2"'}).json()["version"] == 3


def test_patch_checks_the_merged_event_and_refuses_server_owned_members(api, org_a):
    event = org_a.event()
    path, etag = f"/api/events/{event['id']}", {"If-Match": 'W/"1"'}
    problem = assert_problem(api.patch(path, user=org_a.user, json={"ends_at": later(1)}, headers=etag), 422)
    assert [e["field"] for e in problem["errors"]] == ["ends_at"]
    for member in ("status", "version", "owner_id", "seat_count"):
        problem = assert_problem(api.patch(path, user=org_a.user, json={member: 1}, headers=etag), 422)
        assert problem["errors"] == [{"field": member, "message": "unknown field"}]
    cleared = api.patch(
        path,
        user=org_a.user,
        headers=etag,
        json={"on_sale_at": later(1), "waiting_room": {"enabled": True}, "max_tickets_per_order": 2},
    )
    assert cleared.json()["waiting_room"] == {"enabled": True, "admit_per_minute": 100, "admission_minutes": 10}
    assert (
        api.patch(path, user=org_a.user, json={"waiting_room": None}, headers={"If-Match": 'W/"2"'}).json()[
            "waiting_room"
        ]
        is None
    )


async def test_the_seat_map_can_move_to_another_venue_until_tickets_are_sold(api, org_a, main_db):
    event = org_a.event()
    path = f"/api/events/{event['id']}"
    bigger = org_a.venue(
        sections=[
            {
                "name": "Hall",
                "rows": [
                    {"label": "Z", "seat_count": 50, "category": "premium"},
                    {"label": "Y", "seat_count": 5, "category": "standard"},
                ],
            }
        ]
    )
    moved = api.patch(path, user=org_a.user, json={"venue_id": bigger["id"]}, headers={"If-Match": 'W/"1"'})
    assert moved.status_code == 200, moved.text
    assert moved.json()["seat_count"] == 55 and moved.json()["venue"]["id"] == bigger["id"]
    await sell_one_ticket(main_db, event["id"])
    frozen = api.patch(path, user=org_a.user, json={"venue_id": org_a.venue()["id"]}, headers={"If-Match": 'W/"2"'})
    assert assert_problem(frozen, 409)["type"].endswith("seat-map-frozen")
    assert (
        api.patch(path, user=org_a.user, json={"title": "Still fine"}, headers={"If-Match": 'W/"2"'}).status_code == 200
    )


async def sell_one_ticket(main_db, event_id: str) -> None:
    """What the booking service does when an order goes through, reduced to the rows."""
    seat = await main_db.fetchval("SELECT id FROM event_seats WHERE event_id = $1::uuid LIMIT 1", event_id)
    order = uuid.uuid4()
    await main_db.execute(
        "INSERT INTO orders (id, user_id, event_id, hold_id, status, total, currency, "
        "payment_provider, created_at, updated_at) VALUES ($1, $2, $3::uuid, 'h', 'confirmed', "
        "100, 'EUR', 'simulated', now(), now())",
        order,
        uuid.uuid4(),
        event_id,
    )
    await main_db.execute(
        "INSERT INTO tickets (id, order_id, event_id, seat_id, code, status, price, created_at) "
        "VALUES ($1, $2, $3::uuid, $4, $5, 'valid', 100, now())",
        uuid.uuid4(),
        order,
        event_id,
        seat,
        uuid.uuid4().hex,
    )


def test_publish_cancel_and_delete_follow_the_event_states(api, org_a):
    draft = org_a.event()
    path = f"/api/events/{draft['id']}"
    assert api.post(f"{path}/publish", user=org_a.user).json()["version"] == 2
    assert api.post(f"{path}/publish", user=org_a.user).json()["version"] == 2  # already published: unchanged
    assert_problem(api.delete(path, user=org_a.user), 409)
    cancelled = api.post(f"{path}/cancel", user=org_a.user)
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["version"] == 3
    assert_problem(api.post(f"{path}/publish", user=org_a.user), 409)
    assert_problem(api.patch(path, user=org_a.user, json={"title": "x"}, headers={"If-Match": 'W/"3"'}), 409)
    other = org_a.event()
    assert api.delete(f"/api/events/{other['id']}", user=org_a.user).status_code == 204
    assert_problem(api.get(f"/api/events/{other['id']}", user=org_a.user), 404)


def test_mine_lists_my_events_newest_first_by_status_with_a_cursor(api, org_b):
    venue = org_b.venue()["id"]
    made = [org_b.event(venue, title=f"Show {i}")["id"] for i in range(3)]
    api.post(f"/api/events/{made[0]}/publish", user=org_b.user)
    first = api.get("/api/events?mine=true&limit=2", user=org_b.user).json()
    second = api.get(f"/api/events?mine=true&limit=2&cursor={first['next']}", user=org_b.user).json()
    assert [e["id"] for e in first["items"] + second["items"]] == made[::-1] and second["next"] is None
    drafts = api.get("/api/events?mine=true&status=draft", user=org_b.user).json()["items"]
    assert [e["id"] for e in drafts] == made[:0:-1]
    assert_problem(api.get("/api/events?mine=true"), 401)
    assert_problem(api.get("/api/events?mine=true&status=gone", user=org_b.user), 422)
    assert_problem(api.get("/api/events?mine=true&cursor=garbage", user=org_b.user), 422)
    assert_problem(api.get("/api/events?limit=101"), 422)


def test_the_public_list_shows_only_published_events_soonest_first(api, org_a):
    venue = org_a.venue()["id"]
    late = org_a.published(venue_id=venue, starts_at=later(400), ends_at=later(400, 2))
    soon = org_a.published(venue_id=venue, starts_at=later(399), ends_at=later(399, 2))
    hidden = org_a.event(venue_id=venue, starts_at=later(398), ends_at=later(398, 2))
    seen, cursor = [], None
    for _ in range(50):
        page = api.get("/api/events", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert hidden["id"] not in seen
    assert seen.index(soon["id"]) < seen.index(late["id"])


def test_a_published_event_is_in_elasticsearch_within_seconds_with_its_search_version(api, org_a, stack):
    event = org_a.published(title="Freshness Check")
    es = httpx.Client(base_url=stack.elasticsearch_url, timeout=5)
    started = time.monotonic()
    while time.monotonic() - started < 10:
        doc = es.get(f"/events/_doc/{event['id']}")
        if doc.status_code == 200 and doc.json()["_source"]["status"] == "published":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("never indexed")
    assert doc.json()["_version"] == 2 and doc.json()["_source"]["title"] == "Freshness Check"
    api.post(f"/api/events/{event['id']}/cancel", user=org_a.user)
    deadline = time.monotonic() + 10
    while es.get(f"/events/_doc/{event['id']}").json()["_source"]["status"] != "cancelled":
        assert time.monotonic() < deadline
        time.sleep(0.05)
