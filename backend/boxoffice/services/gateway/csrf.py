"""CSRF for the web UI: a token bound to the browser and to its session.

Every browser gets a random `bo_csrf` cookie (HttpOnly: no script needs it). The token its pages carry
(the `csrf_token` form field; htmx and the page scripts echo it in `X-CSRF-Token`) is an HMAC, under a
key only the gateways hold, of that cookie and of the session cookie when it holds a valid session.
So a token is good for one browser and one login: another browser's token, or one from before a login
or logout, is refused; a logged-out browser still has a working token for the login and register
forms. The gateway works the token out and hands it to the service that renders the page.

Checked: every non-GET page request, and every API write that carries the session cookie, whatever
other headers it has (a browser attaches the cookie to a cross-site request; an `Authorization`
header does not make such a request safe). API clients that send a Bearer token and no session
cookie are not checked: another site cannot make a browser send their token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sanic import Request
from sanic.response import HTTPResponse

from boxoffice.config import Config
from boxoffice.errors import CsrfFailed, Unauthorized
from boxoffice.infra.tokens import TokenIssuer
from boxoffice.services.common.pages import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    cookie_secure,
    is_page_path,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def signing_key(config: Config) -> bytes:
    """A key of its own, derived from the internal secret that every gateway instance shares."""
    return hmac.new(config.internal_secret.encode(), b"boxoffice csrf token v1", hashlib.sha256).digest()


def token_for(key: bytes, browser: str, session: str) -> str:
    """The token of one browser (its `bo_csrf` cookie) in one session ('' when logged out)."""
    mac = hmac.new(key, f"{browser}\n{session}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def session_of(request: Request, tokens: TokenIssuer) -> str:
    """The session cookie if it holds a valid session, else ''."""
    cookie = request.cookies.get(SESSION_COOKIE) or ""
    if not cookie:
        return ""
    try:
        tokens.verify(cookie)
    except Unauthorized:
        return ""
    return cookie


def needs_check(request: Request) -> bool:
    if request.method in SAFE_METHODS:
        return False
    return is_page_path(request.path) or SESSION_COOKIE in request.cookies


def presented_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type.split(";")[0].strip() in FORM_TYPES and request.form:
        return request.form.get(CSRF_FIELD) or ""
    return ""


def check(request: Request, *, key: bytes, session: str) -> None:
    """Refuse a cross-site write: the browser's cookie must be there and the echoed token be its own."""
    if not needs_check(request):
        return
    browser, presented = request.cookies.get(CSRF_COOKIE, ""), presented_token(request)
    expected = token_for(key, browser, session)
    if not browser or not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise CsrfFailed("Your session's form token did not match. Reload the page and try again.")


def guard(request: Request, *, key: bytes, tokens: TokenIssuer) -> None:
    """Check the request, and work out the token its page will carry (a browser without a cookie gets
    one with its first page)."""
    session = session_of(request, tokens)
    check(request, key=key, session=session)
    browser = request.cookies.get(CSRF_COOKIE, "")
    request.ctx.csrf_new_cookie = None
    if not browser and is_page_path(request.path):
        browser = request.ctx.csrf_new_cookie = secrets.token_urlsafe(24)
    request.ctx.csrf_token = token_for(key, browser, session) if browser else ""


def set_cookie(request: Request, response: HTTPResponse) -> None:
    """Give a browser its `bo_csrf` cookie with the page whose token was made for it."""
    value = getattr(request.ctx, "csrf_new_cookie", None)
    if value and response is not None:
        response.add_cookie(
            CSRF_COOKIE,
            value,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=cookie_secure(request),
            max_age=30 * 24 * 3600,
        )
