"""The queue page in Chromium: the seat map sends a buyer to the queue, the place is live, and when
the organizer raises the rate the buyer is admitted and lands on the seat map, where a click holds a
seat with the admission the page handed over."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, assert_no_console_errors, base_url, open_page  # noqa: F401


@pytest.fixture
def browser(stack):
    """Chromium for this test only: a Playwright left running would hold the event loop the
    asyncio tests of this session need."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def queued_event_via_api(api, organizer) -> dict:
    venue = api.post(
        "/api/venues",
        user=organizer,
        json={
            "name": "Stadium",
            "city": "Leipzig",
            "address": "Am Sportforum 1",
            "timezone": "Europe/Berlin",
            "sections": [{"name": "Floor", "rows": [{"label": "A", "seat_count": 10, "category": "Standard"}]}],
        },
    )
    assert venue.status_code == 201, venue.text
    starts = datetime.now(UTC) + timedelta(days=30)
    created = api.post(
        "/api/events",
        user=organizer,
        json={
            "title": "The Eras Tour",
            "description": "Hot.",
            "category": "concert",
            "performer": "The Testers",
            "venue_id": venue.json()["id"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "on_sale_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "currency": "EUR",
            "max_tickets_per_order": 4,
            "price_categories": [{"category": "Standard", "price": 9900}],
            "waiting_room": {"enabled": True, "admit_per_minute": 1, "admission_minutes": 10},
        },
    )
    assert created.status_code == 201, created.text
    published = api.post(f"/api/events/{created.json()['id']}/publish", user=organizer)
    assert published.status_code == 200, published.text
    return published.json() | {"etag": published.headers["ETag"]}


def test_a_buyer_waits_live_on_the_queue_page_and_is_moved_to_the_seat_map_when_admitted(api, open_page):  # noqa: F811
    organizer, first, buyer = api.new_user("organizer"), api.new_user("buyer"), api.new_user("buyer")
    event = queued_event_via_api(api, organizer)
    assert api.post(f"/api/events/{event['id']}/queue", user=first).status_code == 201  # takes the minute's admission
    page = open_page(buyer)
    page.goto(f"/events/{event['id']}")
    expect(page).to_have_url(re.compile(rf"/events/{event['id']}/queue$"))
    page.get_by_role("button", name="Join the queue").click()
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    expect(page.locator("[data-position]")).to_have_text("#2")  # second in line, for good
    faster = api.patch(
        f"/api/events/{event['id']}",
        user=organizer,
        headers={"If-Match": event["etag"]},
        json={"waiting_room": {"enabled": True, "admit_per_minute": 6000, "admission_minutes": 10}},
    )
    assert faster.status_code == 200, faster.text
    expect(page).to_have_url(re.compile(rf"/events/{event['id']}$"), timeout=15_000)
    seat = page.locator("svg [id^=s]").first
    seat.click()
    expect(seat).to_have_class(re.compile("st-mine"))
    assert_no_console_errors(page)
