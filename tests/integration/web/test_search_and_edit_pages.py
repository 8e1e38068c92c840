"""The search page's shareable URL and the organizer's event edit form, over HTTP through nginx."""

from __future__ import annotations

import re
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx

from tests.support import Api, User


@contextmanager
def browser(stack, user: User | None = None):
    """A cookie-carrying client like a browser's: the session cookie (if any) and the CSRF cookie."""
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        if user is not None:
            http.cookies.set("bo_session", user.token)
        http.get("/login")
        yield http


def published_event(api: Api, organizer: User, title: str) -> dict:
    layout = [
        {
            "name": "Stalls",
            "rows": [
                {"label": "A", "seat_count": 6, "category": "Standard"},
                {"label": "B", "seat_count": 4, "category": "Premium"},
            ],
        }
    ]
    venue = api.post(
        "/api/venues",
        user=organizer,
        json={
            "name": "Elbe Hall",
            "city": "Dresden",
            "address": "Ufer 1",
            "timezone": "Europe/Berlin",
            "sections": layout,
        },
    )
    assert venue.status_code == 201, venue.text
    starts = datetime.now(UTC) + timedelta(days=20)
    created = api.post(
        "/api/events",
        user=organizer,
        json={
            "title": title,
            "description": "",
            "category": "theatre",
            "performer": "The Players",
            "venue_id": venue.json()["id"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "currency": "EUR",
            "price_categories": [{"category": "Standard", "price": 3000}, {"category": "Premium", "price": 6000}],
        },
    )
    assert created.status_code == 201, created.text
    published = api.post(f"/api/events/{created.json()['id']}/publish", user=organizer)
    assert published.status_code == 200, published.text
    return published.json()


def searched(http: httpx.Client, url: str, expected: str, headers: dict | None = None) -> httpx.Response:
    """`url` once the search index has the event (the outbox relay takes about a second)."""
    deadline = time.monotonic() + 15
    while True:
        answer = http.get(url, headers=headers)
        if expected in answer.text or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


def edit_form(http: httpx.Client, event_id: str, **changes: str) -> dict:
    """The edit form's fields as the page renders them, with `changes` typed in."""
    page = http.get(f"/organizer/events/{event_id}/edit").text
    fields = dict(
        re.findall(r'<input id="[^"]*" name="([^"]+)" type="(?:text|number|datetime-local)" value="([^"]*)"', page)
    )
    fields |= dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields |= dict(re.findall(r'name="(price:[^"]+)"[^>]*?value="([^"]*)"', page))
    fields |= {"category": "theatre", "description": ""}
    return fields | changes


def test_a_search_has_its_own_url_that_renders_the_home_page_with_the_query_filled_in_and_its_results(stack, api):
    word = f"Quillon{uuid.uuid4().hex[:6]}"
    card = f'href="/events/{published_event(api, api.new_user("organizer"), f"{word} Nights")["id"]}"'
    with browser(stack) as http:
        page = searched(http, f"/search?q={word}", card)
        fragment = searched(http, f"/search?q={word}&category=theatre", card, headers={"HX-Request": "true"})
        other = http.get(f"/search?q={word}&category=sports")
    assert page.status_code == 200 and page.text.startswith("<!doctype html>")
    assert f'id="q" name="q" type="search" value="{word}"' in page.text
    assert f"Results for “{word}”" in page.text and card in page.text
    assert 'action="/search"' in page.text and 'hx-push-url="true"' in page.text
    assert "HX-Request" in page.headers["vary"]
    assert fragment.status_code == 200 and "<!doctype" not in fragment.text and card in fragment.text
    assert card not in other.text and "No events match" in other.text


def test_the_edit_form_saves_changes_with_the_version_it_was_opened_at_and_a_stale_version_is_reported_inline(
    stack, api
):
    organizer = api.new_user("organizer")
    event = published_event(api, organizer, f"Before {uuid.uuid4().hex[:6]}")
    with browser(stack, organizer) as http:
        first, second = edit_form(http, event["id"]), edit_form(http, event["id"])  # two tabs
        assert first["version"] == str(event["version"]) and first["title"] == event["title"]
        assert first["price:Standard"] == "30.00" and first["starts_at"]

        saved = http.post(f"/organizer/events/{event['id']}/edit", data=first | {"title": "After the edit"})
        assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
        after = api.get(f"/api/events/{event['id']}").json()
        assert after["title"] == "After the edit" and after["version"] == event["version"] + 1
        assert after["starts_at"] == event["starts_at"]  # the form shows minutes; an untouched time keeps its seconds

        stale = http.post(f"/organizer/events/{event['id']}/edit", data=second | {"title": "Second tab"})
        stale_fragment = http.post(
            f"/organizer/events/{event['id']}/edit",
            data=second | {"title": "Second tab"},
            headers={"HX-Request": "true"},
        )
    assert stale.status_code == 412 and stale.text.startswith("<!doctype html>")
    assert "was changed while you were editing it" in stale.text and "Reload the latest version" in stale.text
    assert 'value="Second tab"' in stale.text  # what was typed is still there to copy
    assert stale_fragment.status_code == 200
    assert (
        stale_fragment.text.lstrip().startswith('<form id="event-form"') and 'id="stale-message"' in stale_fragment.text
    )
    assert api.get(f"/api/events/{event['id']}").json()["title"] == "After the edit"


def test_the_edit_form_shows_validation_errors_next_to_their_fields_and_changes_nothing(stack, api):
    organizer = api.new_user("organizer")
    event = published_event(api, organizer, f"Valid {uuid.uuid4().hex[:6]}")
    with browser(stack, organizer) as http:
        form = edit_form(
            http, event["id"], title="", admit_per_minute="0", waiting_room="on", **{"price:Premium": "-5"}
        )
        answer = http.post(f"/organizer/events/{event['id']}/edit", data=form, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    for name in ("title", "admit_per_minute"):
        assert re.search(rf'<span class="field-error" id="f-{name}-error">[^<]+</span>', answer.text), name
    assert "Please fix the highlighted fields." in answer.text
    assert re.search(r'<div class="field-error[^"]*"[^>]*>[^<]*greater than or equal', answer.text)  # the price
    assert api.get(f"/api/events/{event['id']}").json()["title"] == event["title"]
