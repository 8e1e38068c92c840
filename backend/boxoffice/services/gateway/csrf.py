"""CSRF for the web UI: a double-submit token (`bo_csrf` cookie, echoed in a form field or header).

Every non-GET page request is checked, and so is every non-GET API request that authenticates with
the session cookie; Bearer-token API clients cannot be driven by another site, so they are exempt.
"""

from __future__ import annotations

import hmac

from sanic import Request
from sanic.response import HTTPResponse

from boxoffice.errors import CsrfFailed
from boxoffice.services.common.pages import (CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, is_page_path,
                                             new_csrf_token)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def needs_check(request: Request) -> bool:
    if request.method in SAFE_METHODS or request.headers.get("Authorization"):
        return False
    return is_page_path(request.path) or SESSION_COOKIE in request.cookies


def presented_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type.split(";")[0].strip() in FORM_TYPES and request.form:
        return request.form.get(CSRF_FIELD) or ""
    return ""


def check(request: Request) -> None:
    """Refuse a cross-site write: the cookie and the echoed token must both be there and agree."""
    if not needs_check(request):
        return
    cookie, presented = request.cookies.get(CSRF_COOKIE, ""), presented_token(request)
    if not cookie or not presented or not hmac.compare_digest(cookie.encode(), presented.encode()):
        raise CsrfFailed("Your session's form token did not match. Reload the page and try again.")


def ensure_cookie(request: Request, headers: dict[str, str]) -> str | None:
    """A new token for a browser that has none, passed on to the service so its forms carry it."""
    if request.cookies.get(CSRF_COOKIE):
        return None
    token = new_csrf_token()
    existing = headers.get("Cookie") or headers.get("cookie") or ""
    headers.pop("cookie", None)
    headers["Cookie"] = f"{existing}; {CSRF_COOKIE}={token}" if existing else f"{CSRF_COOKIE}={token}"
    return token


def set_cookie(request: Request, response: HTTPResponse, token: str) -> None:
    """Readable by the page's script (it echoes it in htmx headers), so not HttpOnly."""
    response.add_cookie(CSRF_COOKIE, token, path="/", httponly=False, samesite="Lax", secure=is_https(request),
                        max_age=30 * 24 * 3600)


def is_https(request: Request) -> bool:
    return request.headers.get("X-Forwarded-Proto", request.scheme) == "https"
