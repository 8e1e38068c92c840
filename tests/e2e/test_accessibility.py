"""Every page meets WCAG 2.1 AA (and axe-core's best practices) as axe-core judges it: as a visitor, a
buyer (seat map, checkout, tickets, orders) and an organizer (dashboard, sales, forms)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import accessibility_violations


def test_no_page_has_a_wcag_aa_violation(api, open_page, published_event):
    organizer = api.new_user("organizer")
    event = published_event(organizer=organizer, title="Accessible Evening")
    found: dict[str, list[str]] = {}

    def check(page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        found[name] = accessibility_violations(page)

    visitor = open_page()
    for name, path in (
        ("home", "/"),
        ("search", "/search?q=evening"),
        ("login", "/login"),
        ("register", "/register"),
        ("not-found", "/no-such-page"),
        ("event-as-visitor", f"/events/{event.id}"),
    ):
        visitor.goto(path)
        check(visitor, name)

    buyer = open_page(api.new_user("buyer"))
    buyer.goto(f"/events/{event.id}")
    expect(buyer.locator("#live")).to_have_attribute("data-state", "live")
    buyer.locator(f"#s{event.seat_ids[0]}").click()
    expect(buyer.locator("#basket .cart-list li")).to_have_count(1)
    check(buyer, "seat-map-with-basket")
    buyer.click("#checkout-link")
    expect(buyer.locator("#checkout form")).to_be_visible()
    check(buyer, "checkout")
    buyer.fill("#f-card_number", "4000 0000 0000 0002")
    buyer.fill("#f-expiry", "12/39")
    buyer.fill("#f-cvc", "123")
    buyer.click("#checkout button[type=submit]")
    expect(buyer.locator("#checkout .form-error, #checkout [role=alert]").first).to_be_visible()
    check(buyer, "checkout-declined")
    buyer.fill("#f-card_number", "4242 4242 4242 4242")
    buyer.fill("#f-cvc", "123")
    buyer.click("#checkout button[type=submit]")
    buyer.wait_for_url(re.compile(r"/orders/[0-9a-f-]+\?placed=1"))
    check(buyer, "tickets")
    buyer.goto("/orders")
    check(buyer, "orders")

    desk = open_page(organizer)
    for name, path in (
        ("organizer-dashboard", "/organizer"),
        ("organizer-event", f"/organizer/events/{event.id}"),
        ("venue-builder", "/organizer/venues/new"),
        ("event-form", "/organizer/events/new"),
        ("event-edit-form", f"/organizer/events/{event.id}/edit"),
    ):
        desk.goto(path)
        check(desk, name)

    queued = published_event(organizer=organizer, title="Queued Evening")
    etag = api.get(f"/api/events/{queued.id}", user=organizer).headers["etag"]
    room = {"waiting_room": {"enabled": True, "admit_per_minute": 1, "admission_minutes": 5}}
    assert (
        api.patch(f"/api/events/{queued.id}", user=organizer, json=room, headers={"If-Match": etag}).status_code == 200
    )
    for ahead in (api.new_user("buyer"), api.new_user("buyer")):  # one admitted a minute: this buyer waits
        assert api.post(f"/api/events/{queued.id}/queue", user=ahead).status_code == 201
    buyer.goto(f"/events/{queued.id}/queue")
    check(buyer, "queue-before-joining")
    buyer.get_by_role("button", name="Join the queue").click()
    expect(buyer.locator("#queue-title")).to_be_visible()
    check(buyer, "queue-in-line")

    assert len(found) == 18
    failing = {name: lines for name, lines in found.items() if lines}
    assert not failing, "\n".join(f"{name}: {line}" for name, lines in failing.items() for line in lines)
