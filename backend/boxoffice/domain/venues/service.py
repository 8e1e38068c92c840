"""Venues: an organizer describes sections and rows; the seats are generated from that layout."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from boxoffice.domain.events import paging
from boxoffice.domain.events.ids import is_uuid
from boxoffice.domain.events.models import Venue
from boxoffice.domain.venues import repository
from boxoffice.domain.venues.schemas import VenueIn
from boxoffice.domain.venues.seatmap import layout
from boxoffice.errors import NotFound, ValidationFailed


def summary(venue: Venue) -> dict:
    return {
        "id": str(venue.id),
        "name": venue.name,
        "city": venue.city,
        "address": venue.address,
        "timezone": venue.timezone,
        "seat_count": venue.seat_count,
        "created_at": venue.created_at.isoformat().replace("+00:00", "Z"),
    }


def public(venue: Venue, seats: list[dict]) -> dict:
    return summary(venue) | {"sections": venue.sections, "seats": seats}


async def create_venue(*, owner_id: str, form: VenueIn) -> dict:
    """Store the layout and its generated seats in one transaction."""
    if errors := form.problems():
        raise ValidationFailed(errors)
    sections = [section.model_dump() for section in form.sections]
    seats = list(layout(sections))
    async with in_transaction():
        venue = await repository.create(
            owner_id=owner_id,
            name=form.name,
            city=form.city,
            address=form.address,
            timezone=form.timezone,
            sections=sections,
            seats=seats,
        )
    return public(venue, [seat.as_dict() for seat in seats])


async def owned_venue(*, venue_id: str, owner_id: str) -> Venue:
    """The venue if `owner_id` owns it; anyone else's (or a malformed id) does not exist for them."""
    venue = await repository.get(venue_id) if is_uuid(venue_id) else None
    if venue is None or str(venue.owner_id) != owner_id:
        raise NotFound("No such venue")
    return venue


async def get_venue(*, venue_id: str, owner_id: str) -> dict:
    venue = await owned_venue(venue_id=venue_id, owner_id=owner_id)
    return public(venue, await repository.seats(str(venue.id)))


async def list_venues(*, owner_id: str, cursor: str | None, limit: int) -> dict:
    venues = await repository.owned(owner_id=owner_id, after=paging.decode(cursor) if cursor else None, limit=limit + 1)
    page = venues[:limit]
    more = len(venues) > limit
    return {
        "items": [summary(v) for v in page],
        "next": paging.encode(page[-1].created_at, page[-1].id) if more else None,
    }
