"""Events: create, read, list, change, publish, cancel, delete.

Every change bumps the event's `search_version` and queues the new search document in the outbox
in the same transaction; relays are woken after the commit.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from boxoffice.domain.events import paging, repository
from boxoffice.domain.events.etags import etag, require_match
from boxoffice.domain.events.ids import is_uuid
from boxoffice.domain.events.models import Event, EventStatus, Venue
from boxoffice.domain.events.schemas import EventIn, EventList, EventPatch, problems
from boxoffice.domain.jobs import repository as jobs
from boxoffice.domain.jobs.models import JobKind
from boxoffice.domain.outbox import repository as outbox
from boxoffice.domain.search.documents import event_document, rfc3339, sold_seats
from boxoffice.domain.venues.seatmap import categories
from boxoffice.domain.venues.service import owned_venue
from boxoffice.errors import EventStateConflict, NotFound, SeatMapFrozen, Unauthorized, ValidationFailed

UPSERTED, DELETED = "event.upserted", "event.deleted"
EDITABLE = (
    "title",
    "description",
    "category",
    "performer",
    "starts_at",
    "ends_at",
    "on_sale_at",
    "currency",
    "price_categories",
    "max_tickets_per_order",
    "waiting_room",
)


def public(event: Event) -> dict:
    venue: Venue = event.venue
    return {
        "id": str(event.id),
        "status": str(event.status),
        "version": event.version,
        "title": event.title,
        "description": event.description,
        "category": str(event.category),
        "performer": event.performer,
        "venue": {"id": str(venue.id), "name": venue.name, "city": venue.city, "timezone": venue.timezone},
        "starts_at": rfc3339(event.starts_at),
        "ends_at": rfc3339(event.ends_at),
        "on_sale_at": rfc3339(event.on_sale_at),
        "currency": event.currency,
        "price_categories": event.price_categories,
        "max_tickets_per_order": event.max_tickets_per_order,
        "waiting_room": event.waiting_room,
        "seat_count": event.seat_count,
        "owner_id": str(event.owner_id),
        "created_at": rfc3339(event.created_at),
        "updated_at": rfc3339(event.updated_at),
        "published_at": rfc3339(event.published_at),
    }


def answer(event: Event) -> tuple[dict, str]:
    """The event and its ETag."""
    return public(event), etag(event.version)


async def create_event(*, owner_id: str, form: EventIn, now: datetime | None = None) -> tuple[dict, str]:
    """A draft at one of the organizer's venues, with its own copy of the venue's seats."""
    venue = await _venue_field(str(form.venue_id), owner_id)
    values = form.model_dump(exclude={"venue_id"})
    _check(values, venue, now=now, starts_changed=True)
    async with in_transaction():
        event = await repository.create(owner_id=owner_id, venue=venue, seat_count=venue.seat_count, **values)
        await repository.copy_seats(str(event.id), str(venue.id))
        await _queue(event, bump=False)  # a new event is at search version 1
    await outbox.notify()
    return answer(event)


async def get_event(*, event_id: str, viewer_id: str | None) -> tuple[dict, str]:
    """Public once published (or cancelled); a draft exists only for its owner."""
    event = await repository.get(event_id) if is_uuid(event_id) else None
    if event is None or (event.status == EventStatus.DRAFT and str(event.owner_id) != viewer_id):
        raise NotFound("No such event")
    return answer(event)


async def list_events(*, viewer_id: str | None, query: EventList, now: datetime | None = None) -> dict:
    """`mine`: the caller's events, newest first; otherwise upcoming published events, soonest first."""
    after = paging.decode(query.cursor) if query.cursor else None
    if query.mine:
        if viewer_id is None:
            raise Unauthorized("Log in to list your events")
        events = await repository.owned(owner_id=viewer_id, status=query.status, after=after, limit=query.limit + 1)
        key = "created_at"
    else:
        if query.status not in (None, EventStatus.PUBLISHED):
            raise ValidationFailed([{"field": "status", "message": "only published events are listed; use mine=true"}])
        events = await repository.upcoming(now=now or _now(), after=after, limit=query.limit + 1)
        key = "starts_at"
    page = events[: query.limit]
    more = len(events) > query.limit
    return {
        "items": [public(e) for e in page],
        "next": paging.encode(getattr(page[-1], key), page[-1].id) if more else None,
    }


async def update_event(
    *, event_id: str, owner_id: str, if_match: str | None, form: EventPatch, now: datetime | None = None
) -> tuple[dict, str]:
    """Apply the members sent, if the caller read the current version; the seat map only while unsold."""
    changes = form.changes()
    async with in_transaction():
        event = await _owned_for_update(event_id, owner_id)
        require_match(if_match, event.version)
        if not changes:
            return answer(event)
        if event.status == EventStatus.CANCELLED:
            raise EventStateConflict("A cancelled event cannot change")
        venue_id = changes.pop("venue_id", None)
        venue = event.venue
        if venue_id is not None and str(venue_id) != str(event.venue_id):
            venue = await _venue_field(str(venue_id), owner_id)
        merged = {name: getattr(event, name) for name in EDITABLE} | changes
        starts_changed = "starts_at" in changes and changes["starts_at"] != event.starts_at
        _check(merged, venue, now=now, starts_changed=starts_changed)
        if venue.id != event.venue.id:
            await _move_seat_map(event, venue)
        for name, value in changes.items():
            setattr(event, name, value)
        event.version += 1
        await _queue(event)
    await outbox.notify()
    return answer(event)


async def publish_event(
    *, event_id: str, owner_id: str, if_match: str | None = None, now: datetime | None = None
) -> tuple[dict, str]:
    """Draft -> published (already published: unchanged); an event that has started cannot be published."""
    now = now or _now()
    async with in_transaction():
        event = await _owned_for_update(event_id, owner_id)
        if if_match:
            require_match(if_match, event.version)
        if event.status == EventStatus.PUBLISHED:
            return answer(event)
        if event.status == EventStatus.CANCELLED:
            raise EventStateConflict("A cancelled event cannot be published")
        if event.starts_at <= now:
            raise EventStateConflict("The event has already started; change starts_at first")
        event.status, event.published_at = EventStatus.PUBLISHED, now
        event.version += 1
        await _queue(event)
    await outbox.notify()
    return answer(event)


async def cancel_event(*, event_id: str, owner_id: str, if_match: str | None = None) -> tuple[dict, str]:
    """Draft or published -> cancelled (already cancelled: unchanged). A published event's sale stops
    and its orders are refunded by a job queued in the same transaction (booking runs it)."""
    async with in_transaction():
        event = await _owned_for_update(event_id, owner_id)
        if if_match:
            require_match(if_match, event.version)
        if event.status == EventStatus.CANCELLED:
            return answer(event)
        was_on_sale = event.status == EventStatus.PUBLISHED
        event.status = EventStatus.CANCELLED
        event.version += 1
        await _queue(event)
        if was_on_sale:
            await jobs.add(kind=JobKind.EVENT_CANCELLED, subject=str(event.id))
    await outbox.notify()
    await jobs.notify()
    return answer(event)


async def delete_event(*, event_id: str, owner_id: str, if_match: str | None = None) -> None:
    """Only a draft can be deleted; its seats go with it and its search document is deleted."""
    async with in_transaction():
        event = await _owned_for_update(event_id, owner_id)
        if if_match:
            require_match(if_match, event.version)
        if event.status != EventStatus.DRAFT:
            raise EventStateConflict("Only a draft can be deleted; cancel a published event instead")
        await _queue(event, kind=DELETED)
        await event.delete()
    await outbox.notify()


async def refresh_search_document(*, event_id: str) -> None:
    """Queue the event's current search document (e.g. after seats sold or released: `available_seats`).

    Call it inside the transaction that made the change, then `outbox.notify()` after the commit.
    """
    event = await repository.get_for_update(event_id)
    if event is not None:
        await _queue(event)


async def _queue(event: Event, *, kind: str = UPSERTED, bump: bool = True) -> None:
    """Bump the search version, save the event, queue its document: part of the caller's transaction."""
    if bump:
        event.search_version += 1
        await event.save()
    document = event_document(event, event.venue, sold=await sold_seats(str(event.id)))
    await outbox.add(aggregate_id=str(event.id), kind=kind, version=event.search_version, payload=document)


async def _move_seat_map(event: Event, venue: Venue) -> None:
    if await repository.ever_sold(str(event.id)):
        raise SeatMapFrozen("Tickets have been sold for this event: its seat map can no longer change")
    await repository.drop_seats(str(event.id))
    await repository.copy_seats(str(event.id), str(venue.id))
    event.venue, event.seat_count = venue, venue.seat_count


async def _owned_for_update(event_id: str, owner_id: str) -> Event:
    event = await repository.get_for_update(event_id) if is_uuid(event_id) else None
    if event is None or str(event.owner_id) != owner_id:
        raise NotFound("No such event")
    return event


async def _venue_field(venue_id: str, owner_id: str) -> Venue:
    try:
        return await owned_venue(venue_id=venue_id, owner_id=owner_id)
    except NotFound:
        raise ValidationFailed([{"field": "venue_id", "message": "no such venue of yours"}]) from None


def _check(values: dict, venue: Venue, *, now: datetime | None, starts_changed: bool) -> None:
    errors = problems(
        values, venue_categories=categories(venue.sections), now=now or _now(), starts_changed=starts_changed
    )
    if errors:
        raise ValidationFailed(errors)


def _now() -> datetime:
    return datetime.now(UTC)
