"""The error hierarchy. Each business condition is a subclass that only sets class attributes.

`detail` and `extra` members are shown to the client (problem+json); `private` is for logs only.
Rendering lives in one place: `boxoffice.services.common.problems`.
"""

from __future__ import annotations

from typing import Any


class BoxOfficeError(Exception):
    status: int = 500
    title: str = "Internal error"
    type_slug: str = "about:blank"
    quiet: bool = True

    def __init__(
        self,
        detail: str | None = None,
        *,
        extra: dict[str, Any] | None = None,
        private: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra or {}
        self.private = private or {}
        self.headers = headers or {}


class BadRequest(BoxOfficeError):
    status, title, type_slug = 400, "Bad request", "bad-request"


class Unauthorized(BoxOfficeError):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str | None = None, **kw: Any):
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="boxoffice"'})
        super().__init__(detail, **kw)


class PaymentRequired(BoxOfficeError):
    status, title, type_slug = 402, "Payment declined", "payment-declined"


class Forbidden(BoxOfficeError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class NotFound(BoxOfficeError):
    status, title, type_slug = 404, "Not found", "not-found"


class Conflict(BoxOfficeError):
    status, title, type_slug = 409, "Conflict", "conflict"


class Gone(BoxOfficeError):
    status, title, type_slug = 410, "Gone", "gone"


class PreconditionFailed(BoxOfficeError):
    status, title, type_slug = 412, "Precondition failed", "precondition-failed"


class ValidationFailed(BoxOfficeError):
    status, title, type_slug = 422, "Validation failed", "validation-failed"

    def __init__(self, errors: list[dict[str, str]], detail: str | None = None):
        super().__init__(detail or "The request did not pass validation", extra={"errors": errors})


class PreconditionRequired(BoxOfficeError):
    status, title, type_slug = 428, "Precondition required", "precondition-required"


class TooManyRequests(BoxOfficeError):
    status, title, type_slug = 429, "Too many requests", "rate-limited"


class BadGateway(BoxOfficeError):
    status, title, type_slug, quiet = 502, "Bad gateway", "upstream-unavailable", False


class ServiceUnavailable(BoxOfficeError):
    status, title, type_slug, quiet = 503, "Service unavailable", "service-unavailable", False


class StoreUnavailable(ServiceUnavailable):
    """PostgreSQL, Redis or Elasticsearch did not answer: nothing was decided, the request may be retried."""

    title, type_slug = "Temporarily unavailable", "store-unavailable"
    RETRY_AFTER_S = 5

    def __init__(self, store: str, detail: str | None = None, **kw: Any):
        kw.setdefault("headers", {"Retry-After": str(self.RETRY_AFTER_S)})
        super().__init__(
            detail or "Part of the system this request needs is not answering; please try again in a few seconds", **kw
        )
        self.store = store


class GatewayTimeout(BoxOfficeError):
    status, title, type_slug, quiet = 504, "Gateway timeout", "upstream-timeout", False


# --- accounts -----------------------------------------------------------------------------------


class EmailTaken(Conflict):
    title, type_slug = "Email already registered", "email-taken"


class BadCredentials(Unauthorized):
    title, type_slug = "Invalid email or password", "bad-credentials"


# --- venues, events, outbox ----------------------------------------------------------------------


class SeatMapFrozen(Conflict):
    title, type_slug = "Seat map frozen", "seat-map-frozen"


class EventStateConflict(Conflict):
    title, type_slug = "Not allowed in this event state", "event-state"


class StaleEtag(PreconditionFailed):
    title, type_slug = "The event changed since you read it", "stale-etag"


# --- web UI -------------------------------------------------------------------------------------


class CsrfFailed(Forbidden):
    title, type_slug = "CSRF check failed", "csrf-failed"


# --- search -------------------------------------------------------------------------------------


class SearchUnavailable(ServiceUnavailable):
    title, type_slug = "Search is unavailable", "search-unavailable"

    def __init__(self, detail: str | None = None, **kw: Any):
        kw.setdefault("headers", {"Retry-After": "5"})
        super().__init__(detail or "Search is temporarily unavailable; please try again shortly", **kw)


# --- booking ------------------------------------------------------------------------------------


class SeatsTaken(Conflict):
    title, type_slug = "Seats not available", "seats-taken"

    def __init__(self, seat_ids: list[str], detail: str | None = None):
        super().__init__(detail or "Some of these seats are not available", extra={"conflicting_seat_ids": seat_ids})


class HoldExists(Conflict):
    title, type_slug = "You already hold seats for this event", "hold-exists"

    def __init__(self, hold_id: str):
        super().__init__("Add seats to your existing hold or release it first", extra={"hold_id": hold_id})


class HoldBusy(Conflict):
    title, type_slug = "Checkout in progress", "hold-in-checkout"


class HoldExpired(Gone):
    title, type_slug = "Hold expired", "hold-expired"


class NotOnSale(Forbidden):
    title, type_slug = "Not on sale", "not-on-sale"


class EventClosed(Conflict):
    title, type_slug = "Event cancelled", "event-cancelled"

    def __init__(self, detail: str | None = None, **kw: Any):
        super().__init__(detail or "This event has been cancelled: nothing more can be held or bought", **kw)


class TooManySeats(BoxOfficeError):
    status, title, type_slug = 422, "Too many seats", "too-many-seats"


class PaymentDeclined(PaymentRequired):
    title, type_slug = "Payment declined", "payment-declined"


class EventStarted(Conflict):
    title, type_slug = "The event has started", "event-started"


class IdempotencyInFlight(Conflict):
    title, type_slug = "A request with this Idempotency-Key is still running", "idempotency-in-flight"


class IdempotencyMismatch(BoxOfficeError):
    status, title, type_slug = 422, "Idempotency-Key reused with another request", "idempotency-mismatch"


# --- waiting room -------------------------------------------------------------------------------


class AdmissionRequired(Forbidden):
    title, type_slug = "Admission required", "admission-required"

    def __init__(self, event_id: str, detail: str | None = None):
        super().__init__(
            detail or "This event has a waiting room: join it and hold seats once admitted",
            extra={"queue_url": f"/api/events/{event_id}/queue", "queue_page": f"/events/{event_id}/queue"},
        )
