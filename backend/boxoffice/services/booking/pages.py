"""Pages: the seat map (/events/{id}) with the buyer's basket, checkout, orders and tickets, and the
organizer's live sales table. Seat clicks go to the JSON holds API from static/js/seatmap.js."""

from __future__ import annotations

import uuid

from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from boxoffice.domain.events import service as events
from boxoffice.domain.holds.service import Holds, hold_event
from boxoffice.domain.orders import idempotency
from boxoffice.domain.orders import service as orders
from boxoffice.domain.orders.schemas import OrderRequest
from boxoffice.domain.orders.service import Checkout
from boxoffice.domain.venues import repository as venues
from boxoffice.errors import EventClosed, HoldExpired, IdempotencyInFlight, NotFound, PaymentDeclined, ValidationFailed
from boxoffice.infra.outages import unavailable
from boxoffice.services.booking import views
from boxoffice.services.common.identity import hide_unless, require_role, require_user
from boxoffice.services.common.pages import Pages, add_page_errors, field_messages, form_value, page_renderer, redirect
from boxoffice.services.common.validation import validate

bp = Blueprint("booking_pages")
add_page_errors(bp, page_renderer)
LAPSED = "Your hold has lapsed and the seats were released. Nothing was charged."


@bp.get("/events/<event_id>")
async def seat_map(request: Request, pages: Pages, holds: Holds, event_id: str) -> HTTPResponse:
    user_id = _user_id(request)
    event, _ = await events.get_event(event_id=event_id, viewer_id=user_id)
    venue = await venues.get(event["venue"]["id"])
    snapshot, seats_unavailable = await _snapshot_or_none(holds, event["id"], user_id)
    hold = await holds.current(event_id=event["id"], user_id=user_id) if snapshot and user_id else None
    return pages.render(
        request,
        "pages/event.html",
        event=event,
        venue=venue,
        snapshot=snapshot,
        seats_unavailable=seats_unavailable,
        map=views.seat_map(snapshot) if snapshot else None,
        basket=views.basket(hold.public() if hold else None, snapshot) if snapshot else None,
    )


@bp.get("/events/<event_id>/basket")
async def basket(request: Request, pages: Pages, holds: Holds, event_id: str) -> HTTPResponse:
    user_id = _user_id(request)
    event, _ = await events.get_event(event_id=event_id, viewer_id=user_id)
    snapshot = await holds.snapshot(event_id=event["id"], user_id=user_id)
    hold = await holds.current(event_id=event["id"], user_id=user_id) if user_id else None
    return pages.render(
        request, "partials/basket.html", event=event, basket=views.basket(hold.public() if hold else None, snapshot)
    )


@bp.get("/events/<event_id>/sales")
async def sales(request: Request, pages: Pages, holds: Holds, event_id: str) -> HTTPResponse:
    owner = require_role(request, "organizer").user_id
    event, _ = await events.get_event(event_id=event_id, viewer_id=owner)
    hide_unless(event["owner_id"] == owner, "event")
    snapshot = await holds.snapshot(event_id=event["id"], user_id=None)
    return pages.render(request, "partials/sales.html", sales=views.sales(snapshot))


@bp.get("/checkout/<hold_id>")
async def checkout_form(request: Request, pages: Pages, holds: Holds, hold_id: str) -> HTTPResponse:
    user_id = require_user(request).user_id
    return await _checkout_page(request, pages, holds, user_id, hold_id, errors={})


@bp.post("/checkout/<hold_id>")
async def checkout(request: Request, pages: Pages, holds: Holds, checkout: Checkout, hold_id: str) -> HTTPResponse:
    user_id = require_user(request).user_id
    key = idempotency.check_key(form_value(request, "idempotency_key") or None)
    card = {
        "method": "card",
        "card_number": form_value(request, "card_number"),
        "expiry": form_value(request, "expiry"),
        "cvc": form_value(request, "cvc"),
    }
    kept = {"expiry": card["expiry"]}  # never the card number or the CVC
    try:
        form = validate(OrderRequest, {"hold_id": hold_id, "payment": card})
        placed = await orders.place_order_once(user_id=user_id, key=key, form=form, deps=checkout)
    except ValidationFailed as exc:
        errors = {
            field.removeprefix("payment."): message for field, message in field_messages(exc.extra["errors"]).items()
        }
        return await _checkout_page(request, pages, holds, user_id, hold_id, errors=errors, values=kept, key=key)
    except PaymentDeclined as exc:
        message = f"{exc.detail}. Your seats are still held — try another card."
        return await _checkout_page(request, pages, holds, user_id, hold_id, errors={"form": message}, values=kept)
    except (HoldExpired, NotFound) as exc:
        message = exc.detail if exc.extra.get("refunded") else LAPSED
        return await _checkout_page(request, pages, holds, user_id, hold_id, errors={"form": message}, values=kept)
    except EventClosed as exc:
        return await _checkout_page(request, pages, holds, user_id, hold_id, errors={"form": exc.detail}, values=kept)
    except IdempotencyInFlight:
        return await _checkout_page(
            request,
            pages,
            holds,
            user_id,
            hold_id,
            values=kept,
            key=key,
            errors={"form": "Your payment is still being processed. One moment…"},
        )
    return redirect(request, f"/orders/{placed.body['id']}?placed=1")


@bp.get("/orders")
async def order_list(request: Request, pages: Pages) -> HTTPResponse:
    user_id = require_user(request).user_id
    listed = await orders.list_orders(user_id=user_id, limit=50, cursor=request.args.get("cursor"))
    return pages.render(
        request,
        "pages/orders.html",
        orders=listed["items"],
        next=listed["next"],
        events=await _events_of(listed["items"], user_id),
    )


@bp.get("/orders/<order_id>")
async def order_detail(request: Request, pages: Pages, order_id: str) -> HTTPResponse:
    user_id = require_user(request).user_id
    order = await orders.get_order(user_id=user_id, order_id=order_id)
    return await _order_page(request, pages, order, user_id, placed=request.args.get("placed") == "1")


@bp.post("/orders/<order_id>/cancel")
async def order_cancel(request: Request, pages: Pages, checkout: Checkout, order_id: str) -> HTTPResponse:
    user_id = require_user(request).user_id
    order = await orders.cancel_order(user_id=user_id, order_id=order_id, deps=checkout)
    return await _order_page(
        request,
        pages,
        order,
        user_id,
        toasts=(("Order cancelled and refunded; the seats are back on sale.", "success"),),
    )


async def _checkout_page(
    request: Request,
    pages: Pages,
    holds: Holds,
    user_id: str,
    hold_id: str,
    *,
    errors: dict,
    values: dict | None = None,
    key: str | None = None,
) -> HTTPResponse:
    """The card form with a fresh idempotency key per attempt (a re-render after a decline is a new one)."""
    event_id = hold_event(hold_id)
    event, _ = await events.get_event(event_id=event_id, viewer_id=user_id)
    try:
        hold = await holds.get(user_id=user_id, hold_id=hold_id)
    except (HoldExpired, NotFound):
        hold = None
    snapshot = await holds.snapshot(event_id=event_id, user_id=user_id)
    venue = await venues.get(event["venue"]["id"])
    return pages.render(
        request,
        "pages/checkout.html",
        fragment="partials/checkout_form.html",
        event=event,
        venue=venue,
        hold_id=hold_id,
        basket=views.basket(hold.public(), snapshot) if hold else None,
        errors=errors,
        values=values or {},
        idempotency_key=key or uuid.uuid4().hex,
    )


async def _order_page(
    request: Request, pages: Pages, order: dict, user_id: str, *, placed: bool = False, toasts: tuple = ()
) -> HTTPResponse:
    event, _ = await events.get_event(event_id=order["event_id"], viewer_id=user_id)
    venue = await venues.get(event["venue"]["id"])
    qr = {t["id"]: Markup(views.qr_svg(t["code"])) for t in order["tickets"]}
    return pages.render(
        request,
        "pages/order.html",
        fragment="partials/order_body.html",
        order=order,
        event=event,
        venue=venue,
        qr=qr,
        placed=placed,
        toasts=toasts,
    )


async def _events_of(items: list[dict], user_id: str) -> dict[str, dict]:
    found = {}
    for event_id in {o["event_id"] for o in items}:
        try:
            found[event_id], _ = await events.get_event(event_id=event_id, viewer_id=user_id)
        except NotFound:
            continue
    return found


async def _snapshot_or_none(holds: Holds, event_id: str, user_id: str | None) -> tuple[dict | None, bool]:
    """(the snapshot, whether the seats are unavailable): no seat map for a draft (its owner previews the
    page without one); without Redis the page still shows the event and says the map is away."""
    try:
        return await holds.snapshot(event_id=event_id, user_id=user_id), False
    except NotFound:
        return None, False
    except Exception as error:
        if unavailable(error) is None:
            raise
        return None, True


def _user_id(request: Request) -> str | None:
    return request.ctx.user.user_id if request.ctx.user else None
