"""The search API's query parameters, checked before anything reaches Elasticsearch."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from boxoffice.domain.events.models import EventCategory
from boxoffice.services.common.validation import Query

MAX_WINDOW = 10_000  # Elasticsearch's max_result_window: page * size may not go past it
MAX_PRICE = 2**53 - 1  # minor units; beyond any price, and exact in JSON and in Elasticsearch's long
SORTS = ("relevance", "date", "price_asc", "price_desc")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _moment(value: object, *, end_of_day: bool) -> datetime | None:
    """'2026-12-01' (a whole day) or an RFC 3339 time; a time without offset is UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("must be a date (YYYY-MM-DD) or an RFC 3339 time")
    try:
        if _DATE_ONLY.match(value):
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.max if end_of_day else time.min)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD) or an RFC 3339 time") from None
    try:  # 9999-12-31T23:59:59-23:00 is a moment of the year 10000 in UTC
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("must lie between 0001-01-01 and 9999-12-31 in UTC") from None


class SearchParams(Query):
    q: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=120)
    category: EventCategory | None = None
    from_: datetime | None = Field(None, alias="from")
    to: datetime | None = None
    min_price: int | None = Field(None, ge=0, le=MAX_PRICE)
    max_price: int | None = Field(None, ge=0, le=MAX_PRICE)
    available: bool = False
    sort: Literal["relevance", "date", "price_asc", "price_desc"] = "relevance"
    page: int = Field(1, ge=1, le=MAX_WINDOW)
    size: int = Field(20, ge=1, le=100, validate_default=True)  # checked against the page even when absent

    @field_validator("q", "city", "category", "min_price", "max_price", "available", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("available", mode="before")
    @classmethod
    def _available_default(cls, value: object) -> object:
        return False if value is None else value

    @field_validator("from_", mode="before")
    @classmethod
    def _from(cls, value: object) -> datetime | None:
        return _moment(value, end_of_day=False)

    @field_validator("to", mode="before")
    @classmethod
    def _to(cls, value: object) -> datetime | None:
        return _moment(value, end_of_day=True)

    @field_validator("to")
    @classmethod
    def _to_not_before_from(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("from_")
        if value is not None and start is not None and start > value:
            raise ValueError("must not be before 'from'")
        return value

    @field_validator("max_price")
    @classmethod
    def _max_not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_price")
        if value is not None and low is not None and low > value:
            raise ValueError("must not be below min_price")
        return value

    @field_validator("size")
    @classmethod
    def _inside_window(cls, value: int, info: ValidationInfo) -> int:
        page = info.data.get("page")
        if page is not None and page * value > MAX_WINDOW:
            raise ValueError(f"page * size must not exceed {MAX_WINDOW}")
        return value

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


class SuggestParams(Query):
    q: str = Field(min_length=1, max_length=100)
