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


def rate_limit_group(method: str, path: str, service: str | None) -> str:
    if path.startswith("/api/auth/") or (path in PAGE_AUTH_PATHS and method in WRITE_METHODS):
        return "auth"
    if service == "booking" and method in WRITE_METHODS:
        return "booking_write"
    if service == "search":
        return "search"
    return "default"
