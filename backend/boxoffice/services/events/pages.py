"""Pages: log in, register, log out (the session cookie); the organizer's venues and events."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from boxoffice.domain.accounts import service as accounts
from boxoffice.domain.accounts.schemas import Credentials, Registration
from boxoffice.domain.events import service as events
from boxoffice.domain.events.models import EventCategory
from boxoffice.domain.events.schemas import EventIn, EventList, EventPatch
from boxoffice.domain.venues import service as venues
from boxoffice.domain.venues.schemas import MAX_SEATS, VenueIn
from boxoffice.domain.venues.seatmap import layout
from boxoffice.errors import (
    BadCredentials,
    EmailTaken,
    EventStateConflict,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from boxoffice.infra.passwords import Passwords
from boxoffice.infra.tokens import TokenIssuer
from boxoffice.services.common.identity import hide_unless, require_role
from boxoffice.services.common.pages import (
    SESSION_COOKIE,
    Pages,
    add_page_errors,
    cookie_secure,
    field_messages,
    form_value,
    local_url,
    page_renderer,
    redirect,
)
from boxoffice.services.common.validation import validate
from boxoffice.services.events import forms

bp = Blueprint("events_pages")
add_page_errors(bp, page_renderer)


@bp.get("/login")
async def login_form(request: Request, pages: Pages) -> HTTPResponse:
    return pages.render(request, "pages/login.html", next=local_url(request.args.get("next")), email="", errors={})


@bp.post("/login")
async def login(request: Request, pages: Pages, passwords: Passwords, tokens: TokenIssuer) -> HTTPResponse:
    email, target = form_value(request, "email"), local_url(form_value(request, "next"))
    try:
        form = validate(Credentials, {"email": email, "password": request.form.get("password", "")})
        answer = await accounts.issue_token(form=form, passwords=passwords, tokens=tokens)
    except (BadCredentials, ValidationFailed) as exc:
        message = "That email and password do not match an account." if isinstance(exc, BadCredentials) else ""
        errors = field_messages(exc.extra.get("errors", [])) | ({"form": message} if message else {})
        return pages.render(
            request,
            "pages/login.html",
            fragment="partials/login_form.html",
            status=422,
            next=target,
            email=email,
            errors=errors,
        )
    return _signed_in(request, answer, target)


@bp.get("/register")
async def register_form(request: Request, pages: Pages) -> HTTPResponse:
    role = "organizer" if request.args.get("role") == "organizer" else "buyer"
    return pages.render(
        request, "pages/register.html", values={"role": role}, errors={}, next=local_url(request.args.get("next"), "")
    )


@bp.post("/register")
async def register(request: Request, pages: Pages, passwords: Passwords, tokens: TokenIssuer) -> HTTPResponse:
    values = {name: form_value(request, name) for name in ("email", "name", "role")}
    target = local_url(form_value(request, "next") or None, "/organizer" if values["role"] == "organizer" else "/")
    try:
        form = validate(Registration, values | {"password": request.form.get("password", "")})
        await accounts.register(form=form, passwords=passwords)
        answer = await accounts.issue_token(
            form=Credentials(email=form.email, password=form.password), passwords=passwords, tokens=tokens
        )
    except (EmailTaken, ValidationFailed) as exc:
        errors = (
            field_messages(exc.extra.get("errors", []))
            if isinstance(exc, ValidationFailed)
            else {"email": "An account with this email already exists. Log in instead?"}
        )
        return pages.render(
            request,
            "pages/register.html",
            fragment="partials/register_form.html",
            status=422,
            values=values,
            errors=errors,
            next=form_value(request, "next"),
        )
    return _signed_in(request, answer, target)


@bp.get("/logout")
async def logout_form(request: Request, pages: Pages) -> HTTPResponse:
    return pages.render(request, "pages/logout.html")


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    response = redirect(request, "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _signed_in(request: Request, answer: dict, target: str) -> HTTPResponse:
    """The token goes into an HttpOnly cookie that lives as long as the token."""
    response = redirect(request, target)
    response.add_cookie(
        SESSION_COOKIE,
        answer["access_token"],
        path="/",
        httponly=True,
        samesite="Lax",
        secure=cookie_secure(request),
        max_age=answer["expires_in"],
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- organizer ---------------------------------------------------------------------------------


@bp.get("/organizer")
async def dashboard(request: Request, pages: Pages) -> HTTPResponse:
    owner = require_role(request, "organizer").user_id
    listed = await events.list_events(viewer_id=owner, query=EventList(mine=True, limit=100))
    venue_list = await venues.list_venues(owner_id=owner, cursor=None, limit=100)
    return pages.render(request, "pages/organizer/dashboard.html", events=listed["items"], venues=venue_list["items"])


@bp.get("/organizer/venues/new")
async def venue_form(request: Request, pages: Pages) -> HTTPResponse:
    require_role(request, "organizer")
    return _venue_page(request, pages, {"timezone": "Europe/Berlin"}, forms.DEFAULT_SECTIONS, {})


@bp.post("/organizer/venues/new")
async def venue_create(request: Request, pages: Pages) -> HTTPResponse:
    owner = require_role(request, "organizer").user_id
    values = {name: form_value(request, name) for name in ("name", "city", "address", "timezone")}
    cards = forms.builder_sections(request.form)
    try:
        form = validate(VenueIn, values | {"sections": forms.layout_sections(cards)})
        venue = await venues.create_venue(owner_id=owner, form=form)
    except ValidationFailed as exc:
        errors = {forms.card_field(f): m for f, m in field_messages(exc.extra["errors"]).items()}
        return _venue_page(request, pages, values, cards, errors, status=422)
    return redirect(request, f"/organizer/events/new?venue_id={venue['id']}")


@bp.post("/organizer/venues/preview")
async def venue_preview(request: Request, pages: Pages) -> HTTPResponse:
    require_role(request, "organizer")
    sections = forms.layout_sections(forms.builder_sections(request.form))
    return pages.render(request, "partials/organizer/venue_preview.html", **_preview(sections))


@bp.get("/organizer/venues/section")
async def venue_section(request: Request, pages: Pages) -> HTTPResponse:
    require_role(request, "organizer")
    index = forms.to_count(request.args.get("index"), 0)
    card = {
        "name": f"Section {forms.to_count(request.args.get('number'), 1)}",
        "rows": 5,
        "seats": 12,
        "category": "Standard",
    }
    return pages.render(request, "partials/organizer/section_card.html", card=card, index=index, errors={})


@bp.get("/organizer/events/new")
async def event_form(request: Request, pages: Pages) -> HTTPResponse:
    owner = require_role(request, "organizer").user_id
    venue_list = (await venues.list_venues(owner_id=owner, cursor=None, limit=100))["items"]
    venue_id = request.args.get("venue_id") or (venue_list[0]["id"] if venue_list else "")
    values = {"venue_id": venue_id, "currency": "EUR", "category": "concert", "max_tickets_per_order": "8"}
    values |= WAITING_ROOM_DEFAULTS
    return await _event_page(
        request, pages, owner, venue_list, values, {}, {}, created=bool(request.args.get("venue_id"))
    )


@bp.get("/organizer/events/prices")
async def event_prices(request: Request, pages: Pages) -> HTTPResponse:
    owner = require_role(request, "organizer").user_id
    venue = await _venue_or_none(owner, request.args.get("venue_id", ""))
    return pages.render(
        request,
        "partials/organizer/price_fields.html",
        venue=venue,
        prices={},
        errors={},
        currency=request.args.get("currency", "EUR"),
    )


@bp.post("/organizer/events/new")
async def event_create(request: Request, pages: Pages) -> HTTPResponse:
    owner = require_role(request, "organizer").user_id
    values = _event_values(request)
    venue = await _venue_or_none(owner, values["venue_id"])
    prices = _prices(request)
    try:
        body = _event_body(values, prices, venue)
        form = validate(EventIn, body | {"waiting_room": body["waiting_room"] if values["waiting_room"] else None})
        event, _ = await events.create_event(owner_id=owner, form=form)
    except ValidationFailed as exc:
        venue_list = (await venues.list_venues(owner_id=owner, cursor=None, limit=100))["items"]
        return await _event_page(
            request, pages, owner, venue_list, values, prices, _form_errors(exc.extra["errors"]), status=422
        )
    return redirect(request, f"/organizer/events/{event['id']}")


@bp.get("/organizer/events/<event_id>")
async def event_detail(request: Request, pages: Pages, event_id: str) -> HTTPResponse:
    owner = require_role(request, "organizer").user_id
    event, _ = await events.get_event(event_id=event_id, viewer_id=owner)
    hide_unless(event["owner_id"] == owner, "event")
    venue = await venues.get_venue(venue_id=event["venue"]["id"], owner_id=owner)
    return pages.render(
        request, "pages/organizer/event.html", event=event, venue=venue, saved=request.args.get("saved") == "1"
    )


@bp.get("/organizer/events/<event_id>/edit")
async def event_edit_form(request: Request, pages: Pages, event_id: str) -> HTTPResponse:
    owner = require_role(request, "organizer").user_id
    event, venue = await _owned_event(owner, event_id)
    values, prices = _event_form_values(event, venue)
    return _edit_page(request, pages, event, venue, values, prices, {})


@bp.post("/organizer/events/<event_id>/edit")
async def event_update(request: Request, pages: Pages, event_id: str) -> HTTPResponse:
    """PATCH through the events domain with the version the form was opened at as If-Match: a
    change made meanwhile (another tab, another organizer) is reported in the form, not overwritten."""
    owner = require_role(request, "organizer").user_id
    event, venue = await _owned_event(owner, event_id)
    values, prices = _event_values(request), _prices(request)
    values["venue_id"], values["currency"] = event["venue"]["id"], event["currency"]
    version = form_value(request, "version")
    shown, _ = _event_form_values(event, venue)
    unchanged = {name for name in ("starts_at", "ends_at", "on_sale_at") if values[name] == shown[name]}
    body = {
        name: value
        for name, value in _event_body(values, prices, venue).items()
        if name not in {"venue_id", "currency"} | unchanged
    }  # a minute-precise input keeps the stored second
    if not values["waiting_room"] and not event["waiting_room"]:
        body.pop("waiting_room")  # never had one, still none
    try:
        form = validate(EventPatch, body)
        await events.update_event(
            event_id=event["id"], owner_id=owner, if_match=f'"{version}"' if version else None, form=form
        )
    except ValidationFailed as exc:
        return _edit_page(
            request, pages, event, venue, values, prices, _form_errors(exc.extra["errors"]), version=version, status=422
        )
    except (PreconditionFailed, PreconditionRequired):
        return _edit_page(request, pages, event, venue, values, prices, {}, version=version, stale=True, status=412)
    except EventStateConflict as exc:
        return _edit_page(
            request, pages, event, venue, values, prices, {"form": exc.detail}, version=version, status=409
        )
    return redirect(request, f"/organizer/events/{event['id']}?saved=1")


@bp.post("/organizer/events/<event_id>/publish")
async def event_publish(request: Request, event_id: str) -> HTTPResponse:
    await events.publish_event(event_id=event_id, owner_id=require_role(request, "organizer").user_id)
    return redirect(request, f"/organizer/events/{event_id}")


@bp.post("/organizer/events/<event_id>/cancel")
async def event_cancel(request: Request, event_id: str) -> HTTPResponse:
    await events.cancel_event(event_id=event_id, owner_id=require_role(request, "organizer").user_id)
    return redirect(request, f"/organizer/events/{event_id}")


EVENT_FIELDS = (
    "title",
    "performer",
    "category",
    "description",
    "venue_id",
    "starts_at",
    "ends_at",
    "on_sale_at",
    "currency",
    "max_tickets_per_order",
    "waiting_room",
    "admit_per_minute",
    "admission_minutes",
)
WAITING_ROOM_DEFAULTS = {"admit_per_minute": "100", "admission_minutes": "10"}


def _event_values(request: Request) -> dict:
    return {name: form_value(request, name) for name in EVENT_FIELDS}


def _prices(request: Request) -> dict:
    return {key[6:]: given[0].strip() for key, given in (request.form or {}).items() if key.startswith("price:")}


def _form_errors(errors: list[dict[str, str]]) -> dict[str, str]:
    """API error fields as the form's input names: waiting_room.admit_per_minute -> admit_per_minute,
    price_categories.1.price -> price_categories (one message above the price inputs)."""
    renamed = []
    for error in errors:
        field = error.get("field", "form")
        if field.startswith("waiting_room."):
            field = field.split(".", 1)[1]
        elif field.startswith("price_categories"):
            field = "price_categories"
        renamed.append(error | {"field": field})
    return field_messages(renamed)


def _event_form_values(event: dict, venue: dict) -> tuple[dict, dict]:
    """An event as the form's values: local times at the venue, prices in whole units."""
    zone, currency = venue["timezone"], event["currency"]
    room = event["waiting_room"] or {}
    values = {
        name: str(event[name])
        for name in ("title", "performer", "category", "description", "currency", "max_tickets_per_order")
    }
    values |= {name: forms.local_input(event[name], zone) for name in ("starts_at", "ends_at", "on_sale_at")}
    values |= {"venue_id": event["venue"]["id"], "waiting_room": "on" if room.get("enabled") else ""}
    values |= {name: str(room.get(name) or default) for name, default in WAITING_ROOM_DEFAULTS.items()}
    prices = {p["category"]: forms.from_minor(p["price"], currency) for p in event["price_categories"]}
    return values, prices


async def _owned_event(owner: str, event_id: str) -> tuple[dict, dict]:
    event, _ = await events.get_event(event_id=event_id, viewer_id=owner)
    hide_unless(event["owner_id"] == owner, "event")
    return event, await venues.get_venue(venue_id=event["venue"]["id"], owner_id=owner)


def _edit_page(
    request: Request,
    pages: Pages,
    event: dict,
    venue: dict,
    values: dict,
    prices: dict,
    errors: dict,
    *,
    version: str | int | None = None,
    stale: bool = False,
    status: int = 200,
) -> HTTPResponse:
    return pages.render(
        request,
        "pages/organizer/event_edit.html",
        fragment="partials/organizer/event_form.html",
        status=status,
        event=event,
        editing=event,
        version=event["version"] if version is None else version,
        stale=stale,
        venues=[],
        venue=venue,
        values=values,
        prices=prices,
        errors=errors,
        currencies=forms.CURRENCIES,
        categories=[c.value for c in EventCategory],
        created=False,
        currency=event["currency"],
    )


def _event_body(values: dict, prices: dict, venue: dict | None) -> dict:
    zone = venue["timezone"] if venue else "UTC"
    currency = values["currency"] or "EUR"
    return {
        "title": values["title"],
        "performer": values["performer"],
        "category": values["category"],
        "description": values["description"],
        "venue_id": values["venue_id"] or None,
        "currency": currency,
        "starts_at": forms.local_instant(values["starts_at"], zone),
        "ends_at": forms.local_instant(values["ends_at"], zone),
        "on_sale_at": forms.local_instant(values["on_sale_at"], zone),
        "max_tickets_per_order": values["max_tickets_per_order"] or 8,
        "price_categories": [{"category": c, "price": forms.to_minor(p, currency)} for c, p in prices.items()],
        "waiting_room": {
            "enabled": bool(values["waiting_room"]),
            "admit_per_minute": values["admit_per_minute"] or WAITING_ROOM_DEFAULTS["admit_per_minute"],
            "admission_minutes": values["admission_minutes"] or WAITING_ROOM_DEFAULTS["admission_minutes"],
        },
    }


async def _venue_or_none(owner: str, venue_id: str) -> dict | None:
    try:
        return await venues.get_venue(venue_id=venue_id, owner_id=owner) if venue_id else None
    except NotFound:
        return None


async def _event_page(
    request: Request,
    pages: Pages,
    owner: str,
    venue_list: list[dict],
    values: dict,
    prices: dict,
    errors: dict,
    *,
    status: int = 200,
    created: bool = False,
) -> HTTPResponse:
    venue = await _venue_or_none(owner, values.get("venue_id", ""))
    return pages.render(
        request,
        "pages/organizer/event_form.html",
        fragment="partials/organizer/event_form.html",
        status=status,
        venues=venue_list,
        venue=venue,
        values=values,
        prices=prices,
        errors=errors,
        currencies=forms.CURRENCIES,
        categories=[c.value for c in EventCategory],
        created=created,
        currency=values.get("currency") or "EUR",
        editing=None,
        version="",
        stale=False,
    )


def _venue_page(
    request: Request, pages: Pages, values: dict, cards: list[dict], errors: dict, *, status: int = 200
) -> HTTPResponse:
    return pages.render(
        request,
        "pages/organizer/venue_form.html",
        fragment="partials/organizer/venue_form.html",
        status=status,
        values=values,
        cards=cards,
        errors=errors,
        timezones=forms.TIMEZONES,
        **_preview(forms.layout_sections(cards)),
    )


def _preview(sections: list[dict]) -> dict:
    """The generated seats, with the drawing's size, the seat count and the categories."""
    drawable = [s for s in sections if s["rows"]]
    small_enough = sum(r["seat_count"] for s in drawable for r in s["rows"]) <= MAX_SEATS
    seats = [seat.as_dict() for seat in layout(drawable)] if small_enough else []
    width = max((s["x"] for s in seats), default=0) + 40
    height = max((s["y"] for s in seats), default=0) + 40
    names = sorted({s["category"] for s in seats})
    return {
        "preview_seats": seats,
        "preview_width": width,
        "preview_height": height,
        "preview_categories": names,
        "preview_sections": sections,
    }
