"""Venue request bodies: the layout an organizer submits; seats are generated from it."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from boxoffice.services.common.validation import Body, Query

MAX_SEATS = 50_000


class RowIn(Body):
    label: str = Field(min_length=1, max_length=8, pattern=r"^[A-Za-z0-9]+$")
    seat_count: int = Field(ge=1, le=200)
    category: str = Field(min_length=1, max_length=64)


class SectionIn(Body):
    name: str = Field(min_length=1, max_length=120)
    rows: list[RowIn] = Field(min_length=1, max_length=200)


class VenueIn(Body):
    name: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=120)
    address: str = Field(min_length=1, max_length=300)
    timezone: str = Field(min_length=1, max_length=64)
    sections: list[SectionIn] = Field(min_length=1, max_length=50)

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown IANA time zone (e.g. Europe/Berlin)") from None
        return value

    def problems(self) -> list[dict[str, str]]:
        """What pydantic cannot see field by field: row labels unique in the venue, a size cap."""
        errors, seen = [], set()
        for s, section in enumerate(self.sections):
            for r, row in enumerate(section.rows):
                if row.label in seen:
                    errors.append(
                        {
                            "field": f"sections.{s}.rows.{r}.label",
                            "message": f"row label {row.label!r} is already used in this venue",
                        }
                    )
                seen.add(row.label)
        if sum(row.seat_count for s in self.sections for row in s.rows) > MAX_SEATS:
            errors.append({"field": "sections", "message": f"a venue holds at most {MAX_SEATS} seats"})
        return errors


class VenueList(Query):
    cursor: str | None = None
    limit: int = Field(default=20, ge=1, le=100)
