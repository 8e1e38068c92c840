"""Organizers in a real browser: register, build a venue, create and publish an event, find it."""

from __future__ import annotations

import re
import time
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_console_errors, screenshot


def test_an_organizer_builds_a_venue_and_an_event_in_the_forms_publishes_it_and_it_appears_in_search(api, open_page):
    page = open_page()
    page.goto("/register?role=organizer")
    page.fill("#f-name", "Olga Organizer")
    page.fill("#f-email", f"olga-{uuid.uuid4().hex[:8]}@example.com")
    page.fill("#f-password", "correct horse battery")
    page.click("#register-form button[type=submit]")
    page.wait_for_url("**/organizer")
    page.click("text=+ New venue")
    page.fill("#f-name", "Riverside Hall")
    page.fill("#f-city", "Dresden")
    page.fill("#f-address", "Elbufer 3")
    page.fill("#f-sections-0-rows", "6")
    expect(page.locator("#preview")).to_contain_text("184 seats")  # 6x20 + 4x16, redrawn as you type
    page.click("text=+ Add section")
    expect(page.locator("#sections .section-card")).to_have_count(3)
    expect(page.locator("#preview")).to_contain_text("244 seats")
    expect(page.locator("#preview svg rect")).to_have_count(245)  # the seats and the stage
    screenshot(page, "organizer-venue-builder")
    page.click("#venue-form button[type=submit]")
    page.wait_for_url(re.compile(r"/organizer/events/new\?venue_id="))

    title = f"Harbour Lights {uuid.uuid4().hex[:6]}"
    page.fill("#f-title", title)
    page.fill("#f-performer", "The Lanterns")
    page.fill("#f-starts_at", "2030-06-01T20:00")
    page.fill("#f-ends_at", "2030-06-01T22:30")
    prices = page.locator("#prices input[type=number]")
    expect(prices).to_have_count(2)  # Premium and Standard
    prices.nth(0).fill("79")
    prices.nth(1).fill("39.50")
    screenshot(page, "organizer-event-form")
    page.click("#event-form button[type=submit]")
    page.wait_for_url(re.compile(r"/organizer/events/[0-9a-f-]+$"))
    expect(page.locator(".badge")).to_contain_text("Draft")
    page.click("button:has-text('Publish')")
    expect(page.locator(".page-head .badge")).to_contain_text("On sale")
    expect(page.locator("#sales")).to_contain_text("Standard")
    expect(page.locator("[data-sales=free]")).to_have_text("244")
    event_id = page.url.rsplit("/", 1)[1]

    buyer = api.new_user("buyer")  # a sale elsewhere shows up in the live sales view
    seats = api.get(f"/api/events/{event_id}/seats").json()["seats"]
    assert (
        api.post("/api/holds", user=buyer, json={"event_id": event_id, "seat_ids": [seats[0]["id"]]}).status_code == 201
    )
    expect(page.locator("[data-sales=held]")).to_have_text("1", timeout=3000)
    expect(page.locator("[data-sales=free]")).to_have_text("243")
    screenshot(page, "organizer-live-sales")

    page.goto("/")
    deadline = time.monotonic() + 10
    while True:  # published changes are searchable within about a second
        page.fill("#q", title)
        try:
            expect(page.locator(".event-card", has_text=title)).to_be_visible(timeout=2000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.fill("#q", "")
    card = page.locator(".event-card", has_text=title)
    expect(card).to_contain_text("€39.50 – €79.00")
    expect(card).to_contain_text("Riverside Hall")
    screenshot(page, "home-search")
    assert_no_console_errors(page)


def test_the_home_page_suggests_events_as_you_type_and_filters_by_category(api, open_page, published_event):
    event = published_event(title=f"Zephyr Quartet {uuid.uuid4().hex[:4]}")
    page = open_page()
    page.goto("/")
    deadline = time.monotonic() + 10
    while True:
        page.fill("#q", "")
        page.type("#q", "Zeph", delay=30)
        try:
            expect(page.locator("#suggestions a", has_text="Zephyr Quartet")).to_have_count(1, timeout=2000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    page.fill("#q", "Zephyr")
    page.keyboard.press("Escape")
    expect(page.locator("#suggestions a")).to_have_count(0)
    expect(page.locator("#results .event-card", has_text=event.title)).to_be_visible()
    expect(page.locator("#results .event-card em")).to_have_text("Zephyr")  # the highlight
    page.locator(".chip", has_text="Sports").click()
    expect(page.locator("#results .event-card", has_text=event.title)).to_have_count(0)
    assert "category=sports" in page.url
    page.locator(".chip", has_text="Concert").click()
    expect(page.locator("#results .event-card", has_text=event.title)).to_be_visible()
    assert_no_console_errors(page)


def test_login_with_a_wrong_password_shows_an_inline_message_and_logout_clears_the_session(api, open_page):
    user = api.new_user("buyer")
    page = open_page()
    page.goto("/login")
    page.fill("#f-email", user.email)
    page.fill("#f-password", "not the password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-form .alert-error")).to_contain_text("do not match")
    expect(page.locator("#f-email")).to_have_value(user.email)  # htmx settles the new form's attributes after 20 ms
    page.fill("#f-password", "correct horse battery")
    expect(page.locator("#f-password")).to_have_value("correct horse battery")
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/", timeout=20_000)  # argon2 on a busy 2-core machine
    expect(page.locator(".main-nav")).to_contain_text("My tickets")
    cookie = next(c for c in page.context.cookies() if c["name"] == "bo_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.click(".main-nav button:has-text('Log out')")
    expect(page.locator(".main-nav")).to_contain_text("Log in")
    assert not [c for c in page.context.cookies() if c["name"] == "bo_session"]
    assert_no_console_errors(page)


def test_an_unknown_page_is_a_friendly_404_and_a_form_post_without_the_csrf_token_is_refused(api, open_page, base_url):
    page = open_page()
    response = page.goto("/no/such/page")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("We couldn't find that")
    response = page.goto(f"/events/{uuid.uuid4()}")
    assert response.status == 404
    expect(page.locator(".error-page")).to_be_visible()
    forged = api.post("/login", data={"email": "x@example.com", "password": "whatever"})
    assert forged.status_code == 403
    assert "text/html" in forged.headers["content-type"]
    assert "CSRF" in forged.text or "form token" in forged.text
