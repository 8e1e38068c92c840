"""The web UI's pure parts: formatting, the page-or-fragment rule, CSRF decisions, the organizer's
form conversions and what the booking pages draw."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from boxoffice.errors import CsrfFailed
from boxoffice.services.booking import views
from boxoffice.services.common.pages import (
    FRONTEND_DIR,
    PALETTE,
    Pages,
    cookie_secure,
    local_url,
    money,
    wants_fragment,
    when,
)
from boxoffice.services.events import forms
from boxoffice.services.gateway import csrf


def request(method="GET", path="/", headers=None, cookies=None, form=None, content_type=""):
    return SimpleNamespace(
        method=method, path=path, headers=headers or {}, cookies=cookies or {}, form=form, content_type=content_type
    )


def test_money_uses_the_currency_minor_units_and_symbol():
    assert money(4550, "EUR") == "€45.50"
    assert money(123456, "USD") == "$1,234.56"
    assert money(1200, "JPY") == "¥1,200"
    assert money(990, "PLN") == "9.90 PLN"


def test_times_are_shown_in_the_venue_zone():
    assert when("2027-06-01T18:00:00Z", "Europe/Berlin") == "Tue 01 Jun 2027 · 20:00"
    assert when("2027-06-01T18:00:00Z", None, "%H:%M") == "18:00"


@pytest.mark.parametrize(
    "target, expected",
    [("/orders", "/orders"), ("//evil.example", "/"), ("https://evil.example", "/"), (None, "/"), ("/\\evil", "/")],
)
def test_redirect_targets_stay_on_this_site(target, expected):
    assert local_url(target) == expected


def test_only_an_htmx_swap_gets_the_fragment_not_a_boosted_navigation():
    assert wants_fragment(request(headers={"HX-Request": "true"}))
    assert not wants_fragment(request(headers={"HX-Request": "true", "HX-Boosted": "true"}))
    assert not wants_fragment(request(headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}))
    assert not wants_fragment(request())


def test_templates_escape_what_users_typed():
    pages = Pages()
    html = pages.env.get_template("components/toast.html").render(message="<script>alert(1)</script>", kind="error")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_csrf_checks_page_posts_and_every_api_write_carrying_the_session_cookie_whatever_its_headers():
    assert csrf.needs_check(request("POST", "/login"))
    assert csrf.needs_check(request("POST", "/login", headers={"Authorization": "Bearer t"}))
    assert csrf.needs_check(request("POST", "/api/holds", cookies={"bo_session": "t"}))
    assert csrf.needs_check(
        request("POST", "/api/holds", headers={"Authorization": "Bearer t"}, cookies={"bo_session": "t"})
    )
    assert not csrf.needs_check(request("POST", "/api/holds", headers={"Authorization": "Bearer t"}))
    assert not csrf.needs_check(request("POST", "/api/auth/token"))
    assert not csrf.needs_check(request("GET", "/organizer", cookies={"bo_session": "t"}))


KEY = b"k" * 32


def test_csrf_accepts_only_the_token_of_this_browser_and_this_session_from_a_header_or_a_form_field():
    mine = csrf.token_for(KEY, "browser-a", "session-1")
    csrf.check(
        request("POST", "/logout", cookies={"bo_csrf": "browser-a"}, headers={"X-CSRF-Token": mine}),
        key=KEY,
        session="session-1",
    )
    csrf.check(
        request(
            "POST",
            "/logout",
            cookies={"bo_csrf": "browser-a"},
            form={"csrf_token": mine},
            content_type="application/x-www-form-urlencoded",
        ),
        key=KEY,
        session="session-1",
    )
    refused = [
        (request("POST", "/logout", cookies={"bo_csrf": "browser-b"}, headers={"X-CSRF-Token": mine}), "session-1"),
        (request("POST", "/logout", cookies={"bo_csrf": "browser-a"}, headers={"X-CSRF-Token": mine}), "session-2"),
        (request("POST", "/logout", cookies={"bo_csrf": "browser-a"}, headers={"X-CSRF-Token": mine}), ""),
        (
            request("POST", "/logout", cookies={"bo_csrf": "browser-a"}, headers={"X-CSRF-Token": "browser-a"}),
            "session-1",
        ),  # the old double submit: the cookie's own value
        (request("POST", "/logout", headers={"X-CSRF-Token": mine}), "session-1"),
        (request("POST", "/logout", cookies={"bo_csrf": "browser-a"}), "session-1"),
        (
            request("POST", "/logout", cookies={"bo_csrf": "browser-a"}, headers={"X-CSRF-Token": "é" + mine}),
            "session-1",
        ),
    ]
    for bad, session in refused:
        with pytest.raises(CsrfFailed):
            csrf.check(bad, key=KEY, session=session)
    assert csrf.token_for(b"another key" * 3, "browser-a", "session-1") != mine


def test_row_labels_run_on_like_spreadsheet_columns():
    assert [forms.row_label(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


def test_builder_cards_become_sections_with_rows_lettered_across_the_venue():
    posted = {
        "sections-0-name": ["Stalls"],
        "sections-0-rows": ["2"],
        "sections-0-seats": ["10"],
        "sections-0-category": ["Standard"],
        "sections-7-name": ["Balcony"],
        "sections-7-rows": ["1"],
        "sections-7-seats": ["8"],
        "sections-7-category": ["VIP"],
        "name": ["Hall"],
    }
    sections = forms.layout_sections(forms.builder_sections(posted))
    assert sections == [
        {
            "name": "Stalls",
            "rows": [
                {"label": "A", "seat_count": 10, "category": "Standard"},
                {"label": "B", "seat_count": 10, "category": "Standard"},
            ],
        },
        {"name": "Balcony", "rows": [{"label": "C", "seat_count": 8, "category": "VIP"}]},
    ]
    assert forms.card_field("sections.1.rows.0.seat_count") == "sections-1-seats"


def test_prices_in_whole_units_become_minor_units_and_local_times_get_the_venue_offset():
    assert forms.to_minor("39.50", "EUR") == 3950
    assert forms.to_minor("1200", "JPY") == 1200
    assert forms.to_minor("cheap", "EUR") == "cheap"  # left for validation to refuse
    assert forms.local_instant("2030-06-01T20:00", "Europe/Berlin") == "2030-06-01T20:00:00+02:00"
    assert forms.local_instant("", "Europe/Berlin") is None


SNAPSHOT = {
    "currency": "EUR",
    "cursor": "1-0",
    "seats": [
        {
            "id": "1",
            "label": "A-1",
            "section": "Stalls",
            "row": "A",
            "number": 1,
            "category": "Std",
            "price": 4500,
            "status": "available",
            "mine": False,
            "x": 20,
            "y": 20,
        },
        {
            "id": "2",
            "label": "A-2",
            "section": "Stalls",
            "row": "A",
            "number": 2,
            "category": "Std",
            "price": 4500,
            "status": "held",
            "mine": True,
            "x": 50,
            "y": 20,
        },
        {
            "id": "3",
            "label": "A-3",
            "section": "Stalls",
            "row": "A",
            "number": 3,
            "category": "VIP",
            "price": 9000,
            "status": "held",
            "mine": False,
            "x": 80,
            "y": 20,
        },
        {
            "id": "4",
            "label": "A-4",
            "section": "Stalls",
            "row": "A",
            "number": 4,
            "category": "VIP",
            "price": 9000,
            "status": "booked",
            "mine": True,
            "x": 110,
            "y": 20,
        },
    ],
}


def test_the_seat_map_names_each_seat_with_section_row_number_price_and_status():
    drawn = views.seat_map(SNAPSHOT)
    assert [s["status"] for s in drawn["seats"]] == ["available", "mine", "held", "booked"]
    assert drawn["seats"][0]["label"] == "Stalls, row A, seat 1, €45.00, available"
    assert drawn["seats"][1]["label"].endswith("in your basket")
    assert drawn["seats"][2]["label"].endswith("held by another buyer")
    assert drawn["seats"][3]["label"].endswith("sold")
    assert [(c["name"], c["price"]) for c in drawn["legend"]] == [("Std", 4500), ("VIP", 9000)]


def test_the_basket_totals_the_held_seats_and_sales_count_per_category():
    basket = views.basket({"id": "h", "expires_at": "2030-01-01T00:00:00Z", "seat_ids": ["2"]}, SNAPSHOT)
    assert basket["total"] == 4500 and [s["id"] for s in basket["seats"]] == ["2"]
    table = views.sales(SNAPSHOT)
    assert table["rows"] == [
        {"category": "Std", "sold": 0, "held": 1, "free": 1, "total": 2, "revenue": 0},
        {"category": "VIP", "sold": 1, "held": 1, "free": 0, "total": 2, "revenue": 9000},
    ]
    assert table["total"]["sold"] == 1 and table["total"]["free"] == 1


def test_a_ticket_code_becomes_an_inline_svg_qr_code():
    svg = views.qr_svg("TCK-123")
    assert svg.startswith("<svg") and "<?xml" not in svg and "path" in svg


def test_cookies_are_secure_in_production_whatever_the_scheme_and_elsewhere_when_the_request_was_https():
    def over(env: str, proto: str | None):
        app = SimpleNamespace(ctx=SimpleNamespace(config=SimpleNamespace(env=env)))
        return SimpleNamespace(app=app, headers={"X-Forwarded-Proto": proto} if proto else {})

    assert cookie_secure(over("production", "http")) and cookie_secure(over("production", None))
    assert cookie_secure(over("development", "https")) and cookie_secure(over("test", "https"))
    assert not cookie_secure(over("development", "http")) and not cookie_secure(over("test", None))


def test_the_style_sheet_colours_each_seat_category_class_as_the_palette_does():
    css = (FRONTEND_DIR / "static" / "css" / "app.css").read_text()
    for index, colour in enumerate(PALETTE):
        assert f".pal-{index} {{ background: {colour}; }}" in css
        assert f".c{index} {{ fill: {colour}; }}" in css
