"""Which service owns a path, and which rate-limit group a request belongs to."""

from __future__ import annotations

import re

ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/api/events/[^/]+/seats(/|$)"), "booking"),
    (re.compile(r"^/api/(holds|orders|booking)(/|$)"), "booking"),
    (re.compile(r"^/api/search(/|$)"), "search"),
    (re.compile(r"^/api/(auth|me|venues|events|outbox)(/|$)"), "events"),
)

# Pages of the web UI (every path outside /api), by the service that renders them.
PAGE_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/(search(/.*)?)?$"), "search"),
    (re.compile(r"^/(login|register|logout|organizer)(/|$)"), "events"),
    (re.compile(r"^/(events|checkout|orders)(/|$)"), "booking"),
)
PAGE_AUTH_PATHS = frozenset({"/login", "/register"})
# Requests that check a password against an account: limited per client address and per target email.
CREDENTIAL_PATHS = frozenset({"/api/auth/token", "/login"})

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def service_for(path: str) -> str | None:
    for pattern, service in ROUTES:
        if pattern.match(path):
            return service
    return None


def page_service_for(path: str) -> str | None:
    for pattern, service in PAGE_ROUTES:
        if pattern.match(path):
            return service
    return None


def _trimmed(path: str) -> str:
    """The path as the services' routers match it (a trailing slash makes no difference there)."""
    return path.rstrip("/") or "/"


def rate_limit_group(method: str, path: str, service: str | None) -> str:
    if path.startswith("/api/auth/") or (_trimmed(path) in PAGE_AUTH_PATHS and method in WRITE_METHODS):
        return "auth"
    if service == "booking" and method in WRITE_METHODS:
        return "booking_write"
    if service == "search":
        return "search"
    return "default"


def checks_credentials(method: str, path: str) -> bool:
    """A login attempt: POST /api/auth/token or the login page's form."""
    return method == "POST" and _trimmed(path) in CREDENTIAL_PATHS
