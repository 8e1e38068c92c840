"""Organizers edit an event in the form (and a stale second tab is told so); a search is a URL that
Back and Forward return to, query and all."""

from __future__ import annotations

import re
import time
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_console_errors, screenshot


def search_until_found(page, query: str, title: str) -> None:
    """Type `query` into the search box until the event shows (the relay indexes within about a second)."""
    deadline = time.monotonic() + 15
    while True:
        page.fill("#q", query)
        try:
            expect(page.locator("#results .event-card", has_text=title)).to_be_visible(timeout=2000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.fill("#q", "")


def indexed(api, event) -> None:
    deadline = time.monotonic() + 15
    while not api.get("/api/search/events", params={"q": event.title}).json()["total"]:
        assert time.monotonic() < deadline, f"{event.title} was never indexed"
        time.sleep(0.2)


def test_an_organizer_edits_the_title_it_shows_on_the_event_page_and_in_search_and_a_stale_tab_is_told(
    api, open_page, published_event
):
    organizer = api.new_user("organizer")
    event = published_event(organizer=organizer)
    page, other_tab = open_page(organizer), open_page(organizer)
    other_tab.goto(f"/organizer/events/{event.id}/edit")  # opened before the edit: now stale
    expect(other_tab.locator("#f-title")).to_have_value(event.title)

    page.goto(f"/organizer/events/{event.id}")
    page.click("#edit-event")
    page.wait_for_url(f"**/organizer/events/{event.id}/edit")
    expect(page.locator("#f-title")).to_have_value(event.title)
    expect(page.locator("#prices input[name='price:Standard']")).to_have_value("45.00")
    new_title = f"Moonrise Sonata {uuid.uuid4().hex[:6]}"
    page.fill("#f-title", new_title)
    page.check("#f-waiting_room")
    page.fill("#f-admit_per_minute", "250")
    screenshot(page, "organizer-event-edit")
    page.click("#event-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/organizer/events/{event.id}\?saved=1$"))
    expect(page.locator("h1")).to_have_text(new_title)
    expect(page.locator(".alert-success")).to_contain_text("Changes saved")
    saved = api.get(f"/api/events/{event.id}").json()
    assert saved["waiting_room"] == {"enabled": True, "admit_per_minute": 250, "admission_minutes": 10}

    page.goto(f"/events/{event.id}")  # the public event page
    expect(page.locator("h1")).to_have_text(new_title)
    page.goto("/")
    search_until_found(page, new_title.split()[-1], new_title)

    other_tab.fill("#f-title", "Written in the other tab")
    other_tab.click("#event-form button[type=submit]")
    expect(other_tab.locator("#stale-message")).to_contain_text("changed while you were editing")
    expect(other_tab.locator("#stale-message")).to_contain_text(new_title)
    expect(other_tab.locator("#f-title")).to_have_value("Written in the other tab")  # nothing typed is lost
    assert other_tab.url.endswith("/edit")
    screenshot(other_tab, "organizer-event-edit-stale")
    other_tab.click("#stale-reload")
    expect(other_tab.locator("#f-title")).to_have_value(new_title)
    expect(other_tab.locator("#stale-message")).to_have_count(0)
    other_tab.fill("#f-title", "")
    other_tab.click("#event-form button[type=submit]")
    expect(other_tab.locator("#f-title-error")).to_be_visible()
    expect(other_tab.locator("#f-title")).to_have_attribute("aria-invalid", "true")
    assert api.get(f"/api/events/{event.id}").json()["title"] == new_title
    assert_no_console_errors(page, other_tab)


def test_a_search_pushes_its_url_and_back_restores_the_previous_query_and_its_results(api, open_page, published_event):
    first = published_event(title=f"Amberly {uuid.uuid4().hex[:6]} Trio")
    second = published_event(title=f"Brackwater {uuid.uuid4().hex[:6]} Choir")
    for event in (first, second):
        indexed(api, event)
    page = open_page()
    page.goto("/")
    page.fill("#q", first.title.split()[1])
    expect(page.locator("#results .event-card", has_text=first.title)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/search\?q={first.title.split()[1]}&sort=date$"))  # no empty fields
    page.fill("#q", second.title.split()[1])
    expect(page.locator("#results .event-card", has_text=second.title)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/search\?q={second.title.split()[1]}&"))
    expect(page.locator("#results .event-card", has_text=first.title)).to_have_count(0)

    page.go_back()
    expect(page).to_have_url(re.compile(rf"/search\?q={first.title.split()[1]}&"))
    expect(page.locator("#q")).to_have_value(first.title.split()[1])
    expect(page.locator("#results .event-card", has_text=first.title)).to_be_visible()
    expect(page.locator("#results .event-card", has_text=second.title)).to_have_count(0)
    page.go_forward()
    expect(page.locator("#q")).to_have_value(second.title.split()[1])
    expect(page.locator("#results .event-card", has_text=second.title)).to_be_visible()

    shared = open_page()  # the URL alone is the search: opened elsewhere it shows the same
    shared.goto(page.url)
    expect(shared.locator("#q")).to_have_value(second.title.split()[1])
    expect(shared.locator("#results .event-card", has_text=second.title)).to_be_visible()
    assert_no_console_errors(page, shared)
