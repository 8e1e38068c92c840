"""Buyers in real browsers: live holds between two buyers, checkout, declined cards, expiry."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_console_errors, screenshot

GOOD_CARD, DECLINED_CARD = "4242 4242 4242 4242", "4000 0000 0000 0002"


def seat(page, seat_id: str):
    return page.locator(f"#s{seat_id}")


def pay(page, card: str) -> None:
    page.fill("#f-card_number", card)
    page.fill("#f-expiry", "12/39")
    page.fill("#f-cvc", "123")
    page.click("#checkout button[type=submit]")


HALL = (
    ("A", 14, "Premium"),
    ("B", 16, "Premium"),
    ("C", 18, "Standard"),
    ("D", 18, "Standard"),
    ("E", 20, "Standard"),
    ("F", 20, "Standard"),
    ("G", 20, "Balcony"),
    ("H", 20, "Balcony"),
)


def test_a_seat_held_by_buyer_a_shows_held_to_buyer_b_within_a_second_and_booked_after_checkout(
    api, open_page, published_event
):
    event = published_event(rows=HALL, prices={"Premium": 8900, "Standard": 4500, "Balcony": 2900})
    a, b = open_page(api.new_user("buyer")), open_page(api.new_user("buyer"))
    for page in (a, b):
        page.goto(f"/events/{event.id}")
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
    target = event.seat_ids[5]
    seat(a, target).click()
    expect(seat(a, target)).to_have_class(re.compile(r"\bst-mine\b"))
    expect(seat(b, target)).to_have_class(re.compile(r"\bst-held\b"), timeout=1000)
    expect(seat(b, target)).to_have_attribute("aria-label", re.compile(r"held by another buyer$"))
    expect(a.locator("#basket .cart-list li")).to_have_count(1)
    screenshot(a, "seatmap-buyer-a")
    screenshot(b, "seatmap-buyer-b")

    a.click("#checkout-link")
    expect(a.locator("#checkout form")).to_be_visible()
    screenshot(a, "checkout")
    pay(a, GOOD_CARD)
    a.wait_for_url(re.compile(r"/orders/[0-9a-f-]+\?placed=1"))
    expect(a.locator(".success-banner")).to_be_visible()
    expect(a.locator(".ticket .ticket-qr svg")).to_have_count(1)
    screenshot(a, "tickets")
    expect(seat(b, target)).to_have_class(re.compile(r"\bst-booked\b"), timeout=2000)
    expect(seat(b, target)).to_have_attribute("aria-label", re.compile(r"sold$"))
    third = api.new_user("buyer")
    assert (
        api.post("/api/holds", user=third, json={"event_id": event.id, "seat_ids": event.seat_ids[70:73]}).status_code
        == 201
    )
    for held in event.seat_ids[70:73]:
        expect(seat(b, held)).to_have_class(re.compile(r"\bst-held\b"))
    for other in event.seat_ids[38:40]:
        seat(b, other).click()
        expect(seat(b, other)).to_have_class(re.compile(r"\bst-mine\b"))
    screenshot(b, "seatmap")
    assert_no_console_errors(a, b)


def test_a_declined_card_shows_the_message_and_keeps_the_hold(api, open_page, published_event):
    event = published_event()
    buyer = open_page(api.new_user("buyer"))
    buyer.goto(f"/events/{event.id}")
    seat(buyer, event.seat_ids[0]).click()
    seat(buyer, event.seat_ids[1]).click()
    expect(buyer.locator("#basket .cart-list li")).to_have_count(2)
    buyer.click("#checkout-link")
    pay(buyer, DECLINED_CARD)
    expect(buyer.locator("#checkout-error")).to_contain_text("declined")
    expect(buyer.locator("#checkout-error")).to_contain_text("still held")
    screenshot(buyer, "checkout-declined")
    buyer.goto(f"/events/{event.id}")
    for seat_id in event.seat_ids[:2]:
        expect(seat(buyer, seat_id)).to_have_class(re.compile(r"\bst-mine\b"))
    expect(buyer.locator("#basket .cart-list li")).to_have_count(2)
    assert_no_console_errors(buyer)


def test_giving_a_seat_back_frees_it_for_the_other_buyer(api, open_page, published_event):
    event = published_event()
    a, b = open_page(api.new_user("buyer")), open_page(api.new_user("buyer"))
    for page in (a, b):
        page.goto(f"/events/{event.id}")
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
    target = event.seat_ids[2]
    seat(a, target).click()
    expect(seat(b, target)).to_have_class(re.compile(r"\bst-held\b"))
    expect(seat(a, target)).to_have_class(re.compile(r"\bst-mine\b"))  # B may hear of it before A's answer lands
    seat(a, target).click()
    expect(seat(a, target)).not_to_have_class(re.compile(r"\bst-"))
    expect(seat(b, target)).not_to_have_class(re.compile(r"\bst-"), timeout=3000)
    expect(a.locator("#basket .cart-list")).to_have_count(0)
    assert_no_console_errors(a, b)


def test_a_five_thousand_seat_map_draws_every_seat_and_answers_a_click(api, open_page, published_event):
    """A big house works in the browser (how fast is the benchmarks' business, not a test's)."""
    labels = [chr(65 + i // 26) + chr(65 + i % 26) for i in range(50)]
    event = published_event(rows=tuple((label, 100, "Standard") for label in labels), prices={"Standard": 2500})
    buyer = open_page(api.new_user("buyer"))
    buyer.goto(f"/events/{event.id}")
    expect(buyer.locator("#live")).to_have_attribute("data-state", "live")
    assert buyer.locator("#seatmap .seat").count() == 5000
    target = seat(buyer, event.seat_ids[2550])
    target.scroll_into_view_if_needed()
    target.click()
    expect(target).to_have_class(re.compile(r"\bst-mine\b"))
    assert_no_console_errors(buyer)


def test_keyboard_moves_between_seats_and_enter_holds_the_focused_seat(api, open_page, published_event):
    event = published_event()
    buyer = open_page(api.new_user("buyer"))
    buyer.goto(f"/events/{event.id}")
    first = seat(buyer, event.seat_ids[0])
    first.focus()
    buyer.keyboard.press("ArrowRight")
    buyer.keyboard.press("ArrowRight")
    focused = buyer.evaluate("document.activeElement.id")
    assert focused == f"s{event.seat_ids[2]}"
    buyer.keyboard.press("Enter")
    expect(seat(buyer, event.seat_ids[2])).to_have_attribute("aria-pressed", "true")
    expect(seat(buyer, event.seat_ids[2])).to_have_attribute(
        "aria-label", re.compile(r"^Stalls, row A, seat 3, €45\.00, in your basket$")
    )
    buyer.keyboard.press("ArrowDown")
    assert buyer.evaluate("document.activeElement.id") == f"s{event.seat_ids[14]}"
    assert_no_console_errors(buyer)


def test_an_expired_hold_turns_free_in_both_browsers(stack, api, open_page, published_event):
    from tests.e2e.conftest import lapse_hold_soon

    event = published_event()
    a, b = open_page(api.new_user("buyer")), open_page(api.new_user("buyer"))
    for page in (a, b):
        page.goto(f"/events/{event.id}")
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
    target = event.seat_ids[7]
    seat(a, target).click()
    expect(seat(b, target)).to_have_class(re.compile(r"\bst-held\b"))
    expect(a.locator("#basket")).to_have_attribute("data-hold", re.compile(r".+"))
    lapse_hold_soon(stack, event.id, a.locator("#basket").get_attribute("data-hold"))
    for page in (a, b):
        expect(seat(page, target)).not_to_have_class(re.compile(r"\bst-"), timeout=5000)
        expect(seat(page, target)).to_have_attribute("aria-label", re.compile(r"available$"))
    expect(a.locator(".toast")).to_contain_text("expired")
    expect(a.locator("#basket .cart-list")).to_have_count(0)
    screenshot(a, "seatmap-hold-expired")
    seat(a, target).click()  # and the seat can be taken again at once
    expect(seat(a, target)).to_have_class(re.compile(r"\bst-mine\b"))
    assert_no_console_errors(a, b)


def test_my_orders_lists_the_order_and_cancelling_it_frees_the_seats_live(api, open_page, published_event):
    event = published_event()
    buyer, watcher = open_page(api.new_user("buyer")), open_page(api.new_user("buyer"), width=390)
    watcher.goto(f"/events/{event.id}")
    buyer.goto(f"/events/{event.id}")
    target = event.seat_ids[4]
    seat(buyer, target).click()
    expect(buyer.locator("#checkout-link")).to_be_visible()
    buyer.click("#checkout-link")
    pay(buyer, GOOD_CARD)
    buyer.wait_for_url(re.compile(r"/orders/"))
    expect(seat(watcher, target)).to_have_class(re.compile(r"\bst-booked\b"))
    buyer.goto("/orders")
    expect(buyer.locator(".orders-table tbody tr")).to_have_count(1)
    expect(buyer.locator(".orders-table")).to_contain_text(event.title)
    screenshot(buyer, "orders")
    buyer.click("text=View tickets")
    buyer.on("dialog", lambda dialog: dialog.accept())
    buyer.click("button:has-text('Cancel order')")
    expect(buyer.locator("#order .page-head .badge")).to_contain_text("Cancelled")
    expect(buyer.locator(".ticket.void")).to_have_count(1)
    expect(buyer.locator(".toast")).to_contain_text("refunded")
    expect(seat(watcher, target)).not_to_have_class(re.compile(r"\bst-"), timeout=2000)
    screenshot(watcher, "seatmap-phone")
    assert_no_console_errors(buyer, watcher)


def test_two_quick_clicks_on_free_seats_hold_both_in_one_hold(api, open_page, published_event):
    event = published_event(rows=HALL, prices={"Premium": 8900, "Standard": 4500, "Balcony": 2900})
    page = open_page(api.new_user("buyer"))
    page.goto(f"/events/{event.id}")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    first, second = event.seat_ids[40], event.seat_ids[41]
    # Both clicks in one tick: the second comes before the first click's hold exists.
    page.evaluate(
        "ids => ids.forEach(id => document.getElementById('s' + id)"
        ".dispatchEvent(new MouseEvent('click', {bubbles: true})))",
        [first, second],
    )
    for taken in (first, second):
        expect(seat(page, taken)).to_have_class(re.compile(r"\bst-mine\b"))
    expect(page.locator("#basket .cart-list li")).to_have_count(2)
    assert_no_console_errors(page)
