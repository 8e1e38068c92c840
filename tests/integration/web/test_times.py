"""Every time is shown in the venue's time zone, in one format, on every page: a Vienna evening at
19:00 reads 19:00 on the search card, the event page, checkout, the orders, the organizer's pages and
the waiting room, whatever zone the server or the reader is in."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.integration.web.test_search_and_edit_pages import searched
from tests.support import Api, User

VIENNA = ZoneInfo("Europe/Vienna")
# A winter evening (UTC+1): 19:00 in Vienna is 18:00 UTC, so a page showing UTC or the reader's zone is caught.
EVENING = datetime.combine(date(date.today().year + 1, 1, 15), time(19, 0), tzinfo=VIENNA)
ON_SALE = datetime.combine(date.today() + timedelta(days=20), time(10, 30), tzinfo=VIENNA)
SHOWN = EVENING.strftime("%a %d %b %Y · 19:00")  # the one format: 'Fri 15 Jan 2027 · 19:00'
IN_UTC = EVENING.astimezone(UTC)


def vienna_event(api: Api, organizer: User, title: str, **extra) -> str:
    layout = [{"name": "Parterre", "rows": [{"label": "A", "seat_count": 6, "category": "Standard"}]}]
    venue = api.post(
        "/api/venues",
        user=organizer,
        json={
            "name": "Konzerthaus",
            "city": "Wien",
            "address": "Lothringerstr. 20",
            "timezone": "Europe/Vienna",
            "sections": layout,
        },
    )
    assert venue.status_code == 201, venue.text
    created = api.post(
        "/api/events",
        user=organizer,
        json={
            "title": title,
            "description": "",
            "category": "concert",
            "performer": "Wiener Symphoniker",
            "venue_id": venue.json()["id"],
            "starts_at": EVENING.isoformat(),
            "ends_at": (EVENING + timedelta(hours=2)).isoformat(),
            "currency": "EUR",
            "price_categories": [{"category": "Standard", "price": 5900}],
            **extra,
        },
    )
    assert created.status_code == 201, created.text
    published = api.post(f"/api/events/{created.json()['id']}/publish", user=organizer)
    assert published.status_code == 200, published.text
    return published.json()["id"]


def browser(stack, user: User) -> httpx.Client:
    http = httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30)
    http.cookies.set("bo_session", user.token)
    return http


def times_on(page: httpx.Response) -> set[str]:
    """Every 'hh:mm' a page shows (not inside attributes: those carry RFC 3339 instants)."""
    text = re.sub(r"<[^>]+>", " ", page.text)
    return set(re.findall(r"\b\d{1,2}:\d{2}\b(?:\s?[AP]M)?", text))


@pytest.fixture(scope="module")
def vienna(api: Api) -> dict:
    organizer, buyer = api.new_user("organizer"), api.new_user("buyer")
    word = f"Neujahr{uuid.uuid4().hex[:6]}"
    event_id = vienna_event(api, organizer, f"{word} Konzert")
    queued = vienna_event(
        api, organizer, f"{word} Warteschlange", on_sale_at=ON_SALE.isoformat(), waiting_room={"enabled": True}
    )
    seat = api.get(f"/api/events/{event_id}/seats").json()["seats"][0]["id"]
    hold = api.post("/api/holds", user=buyer, json={"event_id": event_id, "seat_ids": [seat]})
    assert hold.status_code == 201, hold.text
    order = api.post(
        "/api/orders",
        user=buyer,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={
            "hold_id": hold.json()["id"],
            "payment": {"method": "card", "card_number": "4242424242424242", "expiry": "12/30", "cvc": "123"},
        },
    )
    assert order.status_code == 201, order.text
    other_seat = api.get(f"/api/events/{event_id}/seats").json()["seats"][1]["id"]
    pending = api.post("/api/holds", user=buyer, json={"event_id": event_id, "seat_ids": [other_seat]})
    assert pending.status_code == 201, pending.text
    return {
        "word": word,
        "event_id": event_id,
        "queued": queued,
        "organizer": organizer,
        "buyer": buyer,
        "order_id": order.json()["id"],
        "hold_id": pending.json()["id"],
    }


def test_the_search_card_shows_the_venues_19_00_and_its_date(stack, api, vienna):
    with browser(stack, vienna["buyer"]) as http:
        results = searched(http, f"/search?q={vienna['word']}+Konzert", vienna["event_id"])
    card = re.search(rf'<a class="event-card[^"]*" href="/events/{vienna["event_id"]}".*?</a>', results.text, re.S)
    assert card, results.text[:500]
    assert SHOWN in card.group(0) and times_on(httpx.Response(200, text=card.group(0))) == {"19:00"}
    assert '<div class="d">15</div>' in card.group(0) and '<div class="m">Jan</div>' in card.group(0)
    assert "data-local" not in results.text  # no script turns it into the reader's time any more
    item = next(
        i
        for i in api.get("/api/search/events", params={"q": vienna["word"]}).json()["items"]
        if i["id"] == vienna["event_id"]
    )
    assert item["starts_at"] == IN_UTC.strftime("%Y-%m-%dT%H:%M:%SZ")  # the API's times stay RFC 3339 UTC


def test_the_event_checkout_and_order_pages_show_19_00(stack, vienna):
    with browser(stack, vienna["buyer"]) as http:
        pages = {
            "event": http.get(f"/events/{vienna['event_id']}"),
            "checkout": http.get(f"/checkout/{vienna['hold_id']}"),
            "orders": http.get("/orders"),
            "order": http.get(f"/orders/{vienna['order_id']}"),
        }
    for name, page in pages.items():
        assert page.status_code == 200, (name, page.status_code)
        assert SHOWN in page.text, name
        assert not any(t.endswith("M") for t in times_on(page)), (name, times_on(page))


def test_the_organizers_pages_and_the_waiting_room_show_the_venues_time(stack, vienna):
    with browser(stack, vienna["organizer"]) as http:
        dashboard = http.get("/organizer")
        event = http.get(f"/organizer/events/{vienna['event_id']}")
    with browser(stack, vienna["buyer"]) as http:
        queue = http.get(f"/events/{vienna['queued']}/queue")
    for name, page in (("dashboard", dashboard), ("organizer event", event), ("queue", queue)):
        assert page.status_code == 200, (name, page.status_code)
        assert SHOWN in page.text, name
    assert ON_SALE.strftime("%a %d %b %Y · 10:30") in queue.text
    in_utc = {IN_UTC.strftime("%H:%M"), ON_SALE.astimezone(UTC).strftime("%H:%M")}
    assert in_utc & times_on(queue) == set(), times_on(queue)
