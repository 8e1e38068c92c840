"""problem+json (RFC 9457) rendering: the one place where errors become responses."""

from __future__ import annotations

import logging

from sanic import Request
from sanic.exceptions import SanicException
from sanic.handlers import ErrorHandler
from sanic.response import HTTPResponse, json

from boxoffice.errors import BoxOfficeError, StoreUnavailable
from boxoffice.infra.logging import correlation_id
from boxoffice.infra.metrics import STORE_UNAVAILABLE
from boxoffice.infra.outages import unavailable

log = logging.getLogger("boxoffice.errors")

_SANIC_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    413: "Payload too large",
    416: "Range not satisfiable",
    503: "Service unavailable",
}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_slug: str = "about:blank",
    extra: dict | None = None,
    headers: dict | None = None,
) -> HTTPResponse:
    body = {
        "type": type_slug if type_slug == "about:blank" else f"https://boxoffice.dev/problems/{type_slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "correlation_id": correlation_id.get(),
    }
    body.update(extra or {})
    return json(body, status=status, headers=headers, content_type="application/problem+json")


def render(exception: Exception) -> HTTPResponse:
    if not isinstance(exception, BoxOfficeError):
        exception = unavailable(exception) or exception
    if isinstance(exception, BoxOfficeError):
        return problem(
            exception.status,
            exception.title,
            exception.detail,
            type_slug=exception.type_slug,
            extra=exception.extra,
            headers=exception.headers,
        )
    if isinstance(exception, SanicException) and 400 <= exception.status_code < 500:
        status = exception.status_code
        detail = str(exception) if status != 400 else _bad_request_detail(exception)
        return problem(
            status, _SANIC_TITLES.get(status, "Client error"), detail, headers=getattr(exception, "headers", None)
        )
    return problem(500, "Internal error", "Something went wrong on our side; the correlation id identifies it.")


def _bad_request_detail(exception: SanicException) -> str:
    text = str(exception)
    return "The request body is not valid JSON" if "json" in text.lower() else text


class ProblemErrorHandler(ErrorHandler):
    """Every exception, ours or Sanic's, leaves as problem+json; unexpected ones are logged once."""

    def default(self, request: Request, exception: Exception) -> HTTPResponse:
        if outage := store_outage(request, exception):
            return render(outage)
        quiet = getattr(exception, "quiet", isinstance(exception, SanicException))
        status = getattr(exception, "status", getattr(exception, "status_code", 500))
        if not quiet or status >= 500:
            log.error(
                "request failed: %s",
                exception,
                exc_info=status >= 500 and not isinstance(exception, BoxOfficeError),
                extra={"path": request.path, "status": status, **getattr(exception, "private", {})},
            )
        return render(exception)


def store_outage(request: Request, exception: Exception) -> StoreUnavailable | None:
    """The 503 for an error that only says a store is down, counted and logged once without a traceback
    (the store's own monitoring tells why); None for any other error."""
    outage = None if isinstance(exception, BoxOfficeError) else unavailable(exception)
    if outage is not None:
        STORE_UNAVAILABLE.labels(outage.store).inc()
        log.warning("store unavailable: %s", outage.store, extra={"path": request.path, **outage.private})
    return outage
