"""Request bodies of the hold endpoints."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from boxoffice.domain.ids import Uuid
from boxoffice.services.common.validation import Body

SeatId = str


def _seat_ids(ids: list[str]) -> list[str]:
    for seat in ids:
        if not seat.isdigit() or len(seat) > 19:
            raise ValueError("seat ids are the ids of the snapshot's seats")
    return list(dict.fromkeys(ids))


class HoldRequest(Body):
    """Either `seat_ids`, or `quantity` (and optionally `category`) for the best available seats."""

    event_id: Uuid = Field(min_length=1, max_length=64)  # canonical once parsed
    seat_ids: list[SeatId] | None = Field(default=None, min_length=1, max_length=100)
    quantity: int | None = Field(default=None, ge=1, le=100)
    category: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("seat_ids")
    @classmethod
    def known_form(cls, value: list[str] | None) -> list[str] | None:
        return _seat_ids(value) if value is not None else None

    @model_validator(mode="after")
    def one_way_of_choosing(self) -> HoldRequest:
        if (self.seat_ids is None) == (self.quantity is None):
            raise ValueError("give either seat_ids or quantity")
        if self.category is not None and self.quantity is None:
            raise ValueError("category goes with quantity")
        return self


class AddSeats(Body):
    seat_ids: list[SeatId] = Field(min_length=1, max_length=100)

    @field_validator("seat_ids")
    @classmethod
    def known_form(cls, value: list[str]) -> list[str]:
        return _seat_ids(value)
