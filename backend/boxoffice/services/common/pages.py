"""Server-rendered pages for the htmx UI: one URL answers a whole page or, for htmx, its fragment.

A page template includes its fragment templates (contact-app), so `render` picks the page for a
plain or boosted request and the fragment for an htmx swap, and says so with `Vary: HX-Request`
(Sanic's docs site). Redirects become `HX-Redirect` for htmx; toasts travel out of band (Polar).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, html
from sanic.response import redirect as http_redirect

from boxoffice.errors import BoxOfficeError
from boxoffice.infra.logging import correlation_id
from boxoffice.services.common.problems import store_outage

log = logging.getLogger("boxoffice.pages")

FRONTEND_DIR = Path(__file__).resolve().parents[4] / "frontend"
SESSION_COOKIE = "bo_session"
CSRF_COOKIE = "bo_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_DECIMALS = {"JPY": 0, "KRW": 0, "ISK": 0, "HUF": 2, "BHD": 3, "KWD": 3}
PALETTE = ("#6366f1", "#f43f5e", "#10b981", "#f59e0b", "#0ea5e9", "#a855f7", "#14b8a6", "#ec4899", "#84cc16", "#f97316")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "SEK": "kr ", "NOK": "kr ", "DKK": "kr "}


def money(amount: int | None, currency: str = "EUR") -> str:
    """Minor units as a price for people: 4500 EUR -> '€45.00'."""
    if amount is None:
        return ""
    digits = _DECIMALS.get(currency.upper(), 2)
    value = f"{amount / 10**digits:,.{digits}f}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{value}" if symbol else f"{value} {currency.upper()}"


def as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def when(value: datetime | str | None, tz: str | None = None, fmt: str = "%a %d %b %Y · %H:%M") -> str:
    """A time in the venue's zone (UTC if unknown), e.g. 'Sat 14 Jun 2025 · 20:00'."""
    moment = as_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(ZoneInfo(tz)) if tz else moment
    except (KeyError, ValueError):
        pass
    return moment.strftime(fmt)


def rfc3339(value: datetime | str | None) -> str:
    moment = as_datetime(value)
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def cookie_secure(request: Request) -> bool:
    """Cookies are `Secure` whenever the deployment is HTTPS only (production, where nginx redirects
    plain HTTP), else when this request came over HTTPS: the development stack serves both
    http://localhost:8000 and https://localhost:8443, and a login over plain HTTP must keep working."""
    return request.app.ctx.config.env == "production" or request.headers.get("X-Forwarded-Proto") == "https"


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_fragment(request: Request) -> bool:
    """An htmx swap of part of a page (not a boosted navigation nor a history restore)."""
    return (
        is_htmx(request)
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def is_page_path(path: str) -> bool:
    return not path.startswith("/api/") and path != "/api"


def local_url(candidate: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site (no open redirects)."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//") and "\\" not in candidate:
        return candidate
    return default


class Pages:
    """The Jinja2 environment (autoescaped) and the page-or-fragment response rules."""

    def __init__(self, templates_dir: Path = FRONTEND_DIR / "templates"):
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            enable_async=False,
        )
        self.env.filters.update(money=money, when=when, rfc3339=rfc3339, urlquote=lambda v: quote(str(v), safe=""))
        self.env.globals.update(now=lambda: datetime.now(UTC), palette=PALETTE)

    def context(self, request: Request) -> dict[str, Any]:
        user = getattr(request.ctx, "user", None)
        return {
            "user": user,
            "is_organizer": bool(user and user.has("organizer")),
            "csrf_token": getattr(request.ctx, "csrf_token", ""),
            "path": request.path,
            "full_path": request.path + (f"?{request.query_string}" if request.query_string else ""),
            "correlation_id": correlation_id.get(),
        }

    def html(self, request: Request, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**self.context(request), **context)

    def render(
        self,
        request: Request,
        page: str,
        *,
        fragment: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        toasts: tuple[tuple[str, str], ...] = (),
        **context: Any,
    ) -> HTTPResponse:
        """The whole `page`, or `fragment` alone when htmx swaps part of it; toasts ride out of band."""
        template = fragment if fragment and wants_fragment(request) else page
        body = self.html(request, template, **context) + "".join(self.toast(m, k) for m, k in toasts)
        response = html(body, status=_swappable(request, status), headers=headers)
        response.headers["Vary"] = "HX-Request, HX-Boosted, Cookie"
        response.headers.setdefault("Cache-Control", "private, no-cache")
        return response

    def toast(self, message: str, kind: str = "info") -> str:
        """An out-of-band toast appended to the page's `#toasts` region."""
        item = self.env.get_template("components/toast.html").render(message=message, kind=kind)
        return f'<div hx-swap-oob="beforeend:#toasts">{item}</div>'

    def toast_only(self, message: str, kind: str = "error") -> HTTPResponse:
        """Nothing to swap but a toast: `HX-Reswap: none` keeps the target, the toast goes out of band."""
        return html(self.toast(message, kind), headers={"HX-Reswap": "none", "Vary": "HX-Request"})

    def error_page(
        self, request: Request, status: int, title: str, detail: str, *, headers: dict[str, str] | None = None
    ) -> HTTPResponse:
        """A friendly error: a toast for an htmx request (but a boosted navigation), else a whole page."""
        if is_htmx(request) and (request.method != "GET" or request.headers.get("HX-Boosted") != "true"):
            return self.toast_only(detail, "error")
        template = "pages/404.html" if status == 404 else "pages/error.html"
        return self.render(
            request, template, status=status, headers=headers, title=title, detail=detail, status_code=status
        )


def _swappable(request: Request, status: int) -> int:
    """htmx answers are 200 so htmx swaps them (a re-rendered form with its messages) and the
    browser logs no failed request; plain browsers get the real status."""
    return 200 if is_htmx(request) and 400 <= status < 500 else status


def redirect(request: Request, url: str, *, status: int = 303) -> HTTPResponse:
    """Go to `url`: `HX-Redirect` for htmx (a full load, so the nav and cookies refresh), else 303."""
    if is_htmx(request):
        response = empty(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return http_redirect(url, status=status)


def form_value(request: Request, name: str, default: str = "") -> str:
    value = request.form.get(name) if request.form else None
    return (value if value is not None else default).strip()


def add_page_errors(bp: Blueprint, pages_of: Any) -> None:
    """Errors in this blueprint's page routes become a page or a toast, never problem+json."""

    @bp.exception(Exception)
    async def page_error(request: Request, exception: Exception) -> HTTPResponse:
        pages: Pages = pages_of(request)
        exception = store_outage(request, exception) or exception
        if isinstance(exception, BoxOfficeError):
            if exception.status == 401:
                return redirect(request, f"/login?next={quote(request.path)}")
            return pages.error_page(
                request, exception.status, exception.title, exception.detail, headers=exception.headers
            )
        status = getattr(exception, "status_code", 500)
        if 400 <= status < 500:
            return pages.error_page(
                request, status, "Not found" if status == 404 else "Something is off", str(exception)
            )
        log.error("page failed: %s", exception, exc_info=exception, extra={"path": request.path})
        return pages.error_page(
            request, 500, "Something went wrong", "We could not show this page. Please try again in a moment."
        )


def use_pages(app: Any, bp: Blueprint) -> Pages:
    """Give `app` a renderer (built per worker, in create_app) and register the page blueprint."""
    pages = Pages()
    app.ctx.pages = pages
    app.ext.dependency(pages)
    app.blueprint(bp)
    return pages


def page_renderer(request: Request) -> Pages:
    return request.app.ctx.pages


def field_messages(errors: list[dict[str, str]]) -> dict[str, str]:
    """problem `errors` as {field: message} for inline form messages (first message per field)."""
    messages: dict[str, str] = {}
    for error in errors:
        messages.setdefault(error.get("field", "body"), error.get("message", "is not valid"))
    return messages
