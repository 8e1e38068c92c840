"""The pages' own defences in Chromium: no page breaks its Content-Security-Policy (no inline script,
no eval, no inline style left anywhere, htmx and the SSE and WebSocket streams included), no other
site can frame a page, and times read as the venue's whatever zone the reader is in."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_console_errors
from tests.integration.queue.test_queue_page_browser import queued_event_via_api

# Kept by the page itself, before any of its scripts run; read back before each navigation.
LISTENER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                           (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""


def watched(page):
    """`page` keeping every CSP violation (event or console message) in `page.violations`."""
    page.violations = []
    page.add_init_script(LISTENER)
    page.on("console", lambda m: "Content Security Policy" in m.text and page.violations.append(m.text))
    return page


def collect(page) -> None:
    page.violations += page.evaluate("window.__violations || []")
    page.evaluate("window.__violations = []")


def visit(page, path: str) -> None:
    collect(page)
    page.goto(path)


def search_until_found(page, text: str) -> None:
    deadline = time.monotonic() + 15
    while True:  # the outbox relay indexes a published event within about a second
        page.fill("#q", text)
        try:
            expect(page.locator(".event-card", has_text=text)).to_be_visible(timeout=2000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.fill("#q", "")


def test_no_key_page_breaks_the_content_security_policy(api, open_page, published_event):
    organizer = api.new_user("organizer")
    event = published_event(organizer=organizer, title=f"Policy Night {uuid.uuid4().hex[:6]}")
    queued = queued_event_via_api(api, organizer)

    visitor = watched(open_page())
    visit(visitor, "/")
    search_until_found(visitor, event.title)
    visitor.fill("#q", event.title[:8])
    expect(visitor.locator("#suggestions a").first).to_be_visible()
    visit(visitor, "/login")
    visitor.fill("#f-email", "nobody@example.com")
    visitor.fill("#f-password", "not the password")
    visitor.click("#login-form button[type=submit]")
    expect(visitor.locator("#login-form")).to_contain_text("do not match")
    visit(visitor, "/register")

    buyer = watched(open_page(api.new_user("buyer")))
    visit(buyer, f"/events/{event.id}")
    expect(buyer.locator("#live")).to_have_attribute("data-state", "live")
    buyer.locator(f"#s{event.seat_ids[0]}").click()
    expect(buyer.locator(f"#s{event.seat_ids[0]}")).to_have_class(re.compile(r"\bst-mine\b"))
    buyer.click("#checkout-link")
    clock = buyer.locator("#checkout .countdown")
    expect(clock).to_have_text(re.compile(r"^\d+:\d\d$"))  # the countdown runs from static script
    first = clock.text_content()
    expect(clock).not_to_have_text(first, timeout=3000)
    buyer.fill("#f-card_number", "4242 4242 4242 4242")
    buyer.fill("#f-expiry", "12/39")
    buyer.fill("#f-cvc", "123")
    buyer.click("#checkout button[type=submit]")
    buyer.wait_for_url(re.compile(r"/orders/[0-9a-f-]+\?placed=1"))
    expect(buyer.locator(".ticket .ticket-qr svg")).to_have_count(1)
    visit(buyer, "/orders")
    visit(buyer, f"/events/{queued['id']}")
    expect(buyer).to_have_url(re.compile(rf"/events/{queued['id']}/queue$"))
    buyer.get_by_role("button", name="Join the queue").click()
    expect(buyer.locator("#live")).to_have_attribute("data-state", "live")  # the queue's WebSocket

    manager = watched(open_page(organizer))
    visit(manager, "/organizer")
    visit(manager, "/organizer/venues/new")
    expect(manager.locator("#preview")).to_contain_text("224 seats")  # 8 x 20 stalls, 4 x 16 balcony
    manager.click("text=+ Add section")  # numbered by static script (it was an hx-vals 'js:' expression)
    expect(manager.locator("#sections .section-card")).to_have_count(3)
    expect(manager.locator("#sections .section-card").nth(2).locator("input").first).to_have_value("Section 3")
    expect(manager.locator("#preview")).to_contain_text("284 seats")
    manager.locator("#sections .section-card").nth(1).get_by_role("button", name=re.compile("^Remove section")).click()
    expect(manager.locator("#sections .section-card")).to_have_count(2)
    expect(manager.locator("#preview")).to_contain_text("220 seats")  # the removal redrew the preview
    visit(manager, "/organizer/events/new")
    visit(manager, f"/organizer/events/{event.id}")
    expect(manager.locator("#sales svg.bar")).not_to_have_count(0)
    visit(manager, f"/organizer/events/{event.id}/edit")
    manager.fill("#f-title", "")
    manager.click("#event-form button[type=submit]")
    expect(manager.locator("#event-form")).to_contain_text("Please fix the highlighted fields.")

    for page in (visitor, buyer, manager):
        collect(page)
        assert page.violations == [], page.violations
    assert_no_console_errors(visitor, buyer, manager)


def test_no_other_site_can_frame_a_page(browser, base_url, api, published_event):
    """Chromium refuses to show a page inside another page (frame-ancestors 'none', X-Frame-Options)."""
    event = published_event()
    context = browser.new_context()
    try:
        page = context.new_page()
        for path in ("/login", f"/events/{event.id}"):
            page.set_content(f'<iframe id="framed" src="{base_url}{path}" width="800" height="600"></iframe>')
            frame = page.frame_locator("#framed")
            page.wait_for_timeout(1500)
            assert frame.locator("main").count() == 0, f"{path} was shown inside another page"
    finally:
        context.close()


def test_a_vienna_evening_reads_19_00_on_the_search_card_for_a_reader_in_los_angeles(browser, base_url, api):
    organizer = api.new_user("organizer")
    venue = api.post(
        "/api/venues",
        user=organizer,
        json={
            "name": "Musikverein",
            "city": "Wien",
            "address": "Musikvereinsplatz 1",
            "timezone": "Europe/Vienna",
            "sections": [{"name": "Saal", "rows": [{"label": "A", "seat_count": 4, "category": "Standard"}]}],
        },
    )
    assert venue.status_code == 201, venue.text
    evening = datetime(date.today().year + 1, 1, 15, 19, 0, tzinfo=ZoneInfo("Europe/Vienna"))
    title = f"Walzer {uuid.uuid4().hex[:6]}"
    created = api.post(
        "/api/events",
        user=organizer,
        json={
            "title": title,
            "description": "",
            "category": "concert",
            "performer": "Das Orchester",
            "venue_id": venue.json()["id"],
            "starts_at": evening.astimezone(UTC).isoformat(),
            "ends_at": (evening + timedelta(hours=2)).astimezone(UTC).isoformat(),
            "currency": "EUR",
            "price_categories": [{"category": "Standard", "price": 7000}],
        },
    )
    assert created.status_code == 201, created.text
    assert api.post(f"/api/events/{created.json()['id']}/publish", user=organizer).status_code == 200
    context = browser.new_context(base_url=base_url, timezone_id="America/Los_Angeles", locale="en-US")
    try:
        page = context.new_page()
        page.goto("/")
        search_until_found(page, title)
        card = page.locator(".event-card", has_text=title)
        expect(card.locator("time")).to_have_text(evening.strftime("%a %d %b %Y · 19:00"))
        expect(card.locator(".date-badge")).to_contain_text("15")
        page.goto(f"/events/{created.json()['id']}")
        expect(page.locator(".event-hero time")).to_have_text(evening.strftime("%a %d %b %Y · 19:00"))
    finally:
        context.close()
