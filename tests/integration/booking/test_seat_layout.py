"""An unsold event's seat map may be replaced (PATCH venue_id): booking's Redis copy follows it."""

from __future__ import annotations

import time

from tests.integration.events.conftest import Organizer


def seat_labels(api, event_id: str) -> list[str]:
    return sorted(s["label"] for s in api.get(f"/api/events/{event_id}/seats").json()["seats"])


def test_a_replaced_seat_map_reaches_the_snapshot_and_holds(api):
    organizer = Organizer(api, api.new_user("organizer"))
    small = [
        {
            "name": "Stalls",
            "rows": [
                {"label": "A", "seat_count": 4, "category": "premium"},
                {"label": "B", "seat_count": 4, "category": "standard"},
            ],
        }
    ]
    other = [
        {
            "name": "Hall",
            "rows": [
                {"label": "Q", "seat_count": 3, "category": "premium"},
                {"label": "R", "seat_count": 5, "category": "standard"},
            ],
        }
    ]
    event = organizer.published(venue_id=organizer.venue(sections=small)["id"], on_sale_at=None)
    path = f"/api/events/{event['id']}"
    before = api.get(f"{path}/seats").json()["seats"]  # loads the layout into Redis
    assert sorted(s["label"] for s in before) == [f"{r}-{n}" for r in "AB" for n in range(1, 5)]
    buyer = api.new_user()
    assert (
        api.post("/api/holds", user=buyer, json={"event_id": event["id"], "seat_ids": [before[0]["id"]]}).status_code
        == 201
    )
    moved = api.patch(
        path,
        user=organizer.user,
        json={"venue_id": organizer.venue(sections=other)["id"]},
        headers={"If-Match": f'W/"{event["version"]}"'},
    )
    assert moved.status_code == 200, moved.text
    want = [f"Q-{n}" for n in range(1, 4)] + [f"R-{n}" for n in range(1, 6)]
    deadline = time.monotonic() + 6  # booking re-reads an event at most every event_cache_s (2 s)
    while seat_labels(api, event["id"]) != want:
        assert time.monotonic() < deadline, seat_labels(api, event["id"])
        time.sleep(0.2)
    after = api.get(f"{path}/seats").json()["seats"]
    assert all(s["status"] == "available" for s in after)
    # Redis knows the new seats (a hold on one works) and no longer the old ones
    other_buyer = api.new_user()
    new_seat = next(s["id"] for s in after if s["label"] == "R-3")
    held = api.post("/api/holds", user=other_buyer, json={"event_id": event["id"], "seat_ids": [new_seat]})
    assert held.status_code == 201, held.text
    stale = api.post("/api/holds", user=api.new_user(), json={"event_id": event["id"], "seat_ids": [before[1]["id"]]})
    assert stale.status_code == 422 and stale.json()["errors"][0]["field"] == "seat_ids"
    best = api.post(
        "/api/holds", user=api.new_user(), json={"event_id": event["id"], "quantity": 2, "category": "premium"}
    )
    assert best.status_code == 201, best.text
    assert {s["label"] for s in after if s["id"] in best.json()["seat_ids"]} <= {"Q-1", "Q-2", "Q-3"}
