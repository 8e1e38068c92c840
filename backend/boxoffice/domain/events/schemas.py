"""Event request bodies and query strings. Server-owned members (status, version, owner_id,
seat_count, published_at...) are not fields, so a body carrying them is refused (extra=forbid)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, Field

from boxoffice.domain.events.models import EventCategory, EventStatus
from boxoffice.services.common.validation import Body, Query

CURRENCY = r"^[A-Z]{3}$"  # ISO 4217 alphabetic code


def _in_utc_range(value: datetime) -> datetime:
    """9999-12-31T23:59:59-23:00 is a moment of the year 10000 in UTC, where nothing can store it."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must lie between 0001-01-01 and 9999-12-31 in UTC") from None
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_in_utc_range)]


class PriceCategory(Body):
    category: str = Field(min_length=1, max_length=64)
    price: int = Field(ge=0, le=100_000_000)  # minor units


class WaitingRoom(Body):
    enabled: bool
    admit_per_minute: int = Field(default=100, ge=1, le=100_000)
    admission_minutes: int = Field(default=10, ge=1, le=60)


class EventIn(Body):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    category: EventCategory
    performer: str = Field(min_length=1, max_length=200)
    venue_id: UUID
    starts_at: Moment
    ends_at: Moment
    on_sale_at: Moment | None = None
    currency: str = Field(pattern=CURRENCY)
    price_categories: list[PriceCategory] = Field(min_length=1, max_length=50)
    max_tickets_per_order: int = Field(default=8, ge=1, le=20)
    waiting_room: WaitingRoom | None = None


class EventPatch(Body):
    """Every member optional; `on_sale_at` and `waiting_room` may be set to null, the others not
    (a default of None is never validated, an explicit null is, and fails the type)."""

    title: str = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
    description: str = Field(default=None, max_length=5000)  # type: ignore[assignment]
    category: EventCategory = None  # type: ignore[assignment]
    performer: str = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
    venue_id: UUID = None  # type: ignore[assignment]
    starts_at: Moment = None  # type: ignore[assignment]
    ends_at: Moment = None  # type: ignore[assignment]
    on_sale_at: Moment | None = None
    currency: str = Field(default=None, pattern=CURRENCY)  # type: ignore[assignment]
    price_categories: list[PriceCategory] = Field(default=None, min_length=1, max_length=50)  # type: ignore[assignment]
    max_tickets_per_order: int = Field(default=None, ge=1, le=20)  # type: ignore[assignment]
    waiting_room: WaitingRoom | None = None

    def changes(self) -> dict:
        """Only the members the client sent, as model values."""
        return self.model_dump(include=self.model_fields_set)


class EventList(Query):
    mine: bool = False
    status: EventStatus | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


def problems(values: dict, *, venue_categories: set[str], now: datetime, starts_changed: bool) -> list[dict[str, str]]:
    """The rules across members: time order, a future start, a price for every seat category."""
    errors: list[dict[str, str]] = []

    def add(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if values["ends_at"] <= values["starts_at"]:
        add("ends_at", "must be after starts_at")
    if starts_changed and values["starts_at"] <= now:
        add("starts_at", "must be in the future")
    if values.get("on_sale_at") and values["on_sale_at"] >= values["ends_at"]:
        add("on_sale_at", "must be before ends_at")
    priced: set[str] = set()
    for i, price in enumerate(values["price_categories"]):
        category = price["category"]
        if category in priced:
            add(f"price_categories.{i}.category", f"{category!r} is priced twice")
        elif category not in venue_categories:
            add(f"price_categories.{i}.category", f"the venue has no seats of category {category!r}")
        priced.add(category)
    for category in sorted(venue_categories - priced):
        add("price_categories", f"no price for seat category {category!r}")
    return errors
