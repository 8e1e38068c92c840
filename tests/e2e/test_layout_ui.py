"""Every key page at desktop (1280 px) and phone (390 px) width: screenshots to look at, and nothing
wider than the screen (no sideways scrolling on a phone)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_console_errors, screenshot

WIDTHS = (1280, 390)
OVERFLOW = """() => [...document.querySelectorAll('body *')]
  .filter(el => { const r = el.getBoundingClientRect(); return r.width && r.right > window.innerWidth + 1
                  && !el.closest('.seatmap-scroll, .table-scroll, [data-scroll-x]'); })
  .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.'))"""


def fits(page, name: str) -> None:
    """The page is no wider than the window (wide content scrolls inside its own box)."""
    wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"{name} is {wider}px wider than the window: {page.evaluate(OVERFLOW)}"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_key_page_fits_the_window_at_desktop_and_phone_width(api, open_page, published_event, width):
    organizer = api.new_user("organizer")
    event = published_event(organizer=organizer, title="The Very Long Named Midsummer Night Orchestra Gala")
    buyer = open_page(api.new_user("buyer"), width=width)
    tour = []

    def visit(page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        screenshot(page, f"tour-{name}-{width}")
        fits(page, name)
        tour.append(name)

    buyer.goto("/")
    expect(buyer.locator("#q")).to_be_visible()
    visit(buyer, "home")
    buyer.goto(f"/events/{event.id}")
    expect(buyer.locator("#live")).to_have_attribute("data-state", "live")
    for seat_id in event.seat_ids[:2]:
        buyer.locator(f"#s{seat_id}").click()
        expect(buyer.locator(f"#s{seat_id}")).to_have_class(re.compile(r"\bst-mine\b"))
    expect(buyer.locator("#basket .cart-list li")).to_have_count(2)
    visit(buyer, "event-seatmap")
    buyer.click("#checkout-link")
    expect(buyer.locator("#checkout form")).to_be_visible()
    visit(buyer, "checkout")
    buyer.fill("#f-card_number", "4242 4242 4242 4242")
    buyer.fill("#f-expiry", "12/39")
    buyer.fill("#f-cvc", "123")
    buyer.click("#checkout button[type=submit]")
    buyer.wait_for_url(re.compile(r"/orders/[0-9a-f-]+\?placed=1"))
    expect(buyer.locator(".ticket .ticket-qr svg")).to_have_count(2)
    visit(buyer, "tickets")
    buyer.goto("/orders")
    visit(buyer, "orders")

    desk = open_page(organizer, width=width)
    desk.goto("/organizer")
    visit(desk, "organizer-dashboard")
    desk.goto(f"/organizer/events/{event.id}")
    expect(desk.locator("[data-sales=free]")).to_be_visible()
    visit(desk, "organizer-event")
    desk.goto("/organizer/venues/new")
    expect(desk.locator("#preview svg")).to_be_visible()
    visit(desk, "venue-builder")
    desk.goto("/organizer/events/new")
    visit(desk, "event-form")
    desk.goto(f"/organizer/events/{event.id}/edit")
    visit(desk, "event-edit-form")
    assert len(tour) == 10
    assert_no_console_errors(buyer, desk)
