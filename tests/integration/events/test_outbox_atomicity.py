"""Every event change writes its outbox row in the same transaction (domain calls on a private database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.connection import get_connection

from boxoffice.domain.events import service as events
from boxoffice.domain.events.models import Event
from boxoffice.domain.events.schemas import EventIn, EventPatch
from boxoffice.domain.outbox import repository as outbox
from boxoffice.domain.venues import service as venues
from boxoffice.domain.venues.schemas import VenueIn
from tests.integration.events.conftest import event_body, venue_body


class Boom(RuntimeError):
    pass


async def make_draft(owner: str) -> dict:
    venue = await venues.create_venue(owner_id=owner, form=VenueIn.model_validate(venue_body()))
    event, _ = await events.create_event(owner_id=owner, form=EventIn.model_validate(event_body(venue["id"])))
    return event


async def outbox_rows(event_id: str) -> list[dict]:
    return await get_connection("default").execute_query_dict(
        "SELECT kind, version, payload FROM outbox WHERE aggregate_id = $1 ORDER BY id", [event_id]
    )


@pytest.fixture
def failing_outbox(monkeypatch):
    """The outbox write succeeds, then the change fails before its transaction commits."""
    written = []
    real_add = outbox.add

    async def add_then_fail(**row):
        written.append(await real_add(**row))
        raise Boom("after the event and outbox writes")

    monkeypatch.setattr(outbox, "add", add_then_fail)
    return written


async def test_a_create_that_fails_after_the_event_write_leaves_neither_event_nor_outbox_row(relay_db, failing_outbox):
    owner = str(uuid.uuid4())
    venue = await venues.create_venue(owner_id=owner, form=VenueIn.model_validate(venue_body()))
    with pytest.raises(Boom):
        await events.create_event(owner_id=owner, form=EventIn.model_validate(event_body(venue["id"])))
    (row,) = failing_outbox
    assert await outbox_rows(row.aggregate_id) == []
    assert not await Event.exists(id=row.aggregate_id)
    seats = await get_connection("default").execute_query_dict(
        "SELECT count(*) AS n FROM event_seats WHERE event_id = $1::uuid", [row.aggregate_id]
    )
    assert seats[0]["n"] == 0


async def test_a_patch_that_fails_after_the_event_write_leaves_the_event_and_outbox_as_they_were(relay_db, monkeypatch):
    owner = str(uuid.uuid4())
    event = await make_draft(owner)
    real_add = outbox.add

    async def add_then_fail(**row):
        await real_add(**row)
        raise Boom()

    monkeypatch.setattr(outbox, "add", add_then_fail)
    with pytest.raises(Boom):
        await events.update_event(
            event_id=event["id"], owner_id=owner, if_match='W/"1"', form=EventPatch.model_validate({"title": "Never"})
        )
    stored = await Event.get(id=event["id"])
    assert (stored.title, stored.version, stored.search_version) == ("Motörhead Tribute", 1, 1)
    assert [r["version"] for r in await outbox_rows(event["id"])] == [1]


async def test_every_change_queues_the_full_document_with_a_growing_search_version(relay_db):
    owner = str(uuid.uuid4())
    event = await make_draft(owner)
    await events.update_event(
        event_id=event["id"], owner_id=owner, if_match='W/"1"', form=EventPatch.model_validate({"title": "Renamed"})
    )
    await events.publish_event(event_id=event["id"], owner_id=owner)
    await events.cancel_event(event_id=event["id"], owner_id=owner)
    rows = await outbox_rows(event["id"])
    assert [(r["kind"], r["version"]) for r in rows] == [("event.upserted", v) for v in (1, 2, 3, 4)]
    documents = [
        r["payload"] if isinstance(r["payload"], dict) else __import__("json").loads(r["payload"]) for r in rows
    ]
    assert [d["status"] for d in documents] == ["draft", "draft", "published", "cancelled"]
    assert documents[1]["title"] == "Renamed" and documents[0]["city_key"] == "zurich"
    assert documents[3]["available_seats"] == 30 and documents[3]["min_price"] == 4500

    draft = await make_draft(owner)
    await events.delete_event(event_id=draft["id"], owner_id=owner)
    assert [(r["kind"], r["version"]) for r in await outbox_rows(draft["id"])] == [
        ("event.upserted", 1),
        ("event.deleted", 2),
    ]


async def test_a_past_start_cannot_be_published(relay_db):
    owner = str(uuid.uuid4())
    event = await make_draft(owner)
    from boxoffice.errors import EventStateConflict

    with pytest.raises(EventStateConflict):
        await events.publish_event(event_id=event["id"], owner_id=owner, now=datetime.now(UTC) + timedelta(days=365))


async def test_refreshing_the_search_document_queues_it_with_the_next_search_version(relay_db):
    owner = str(uuid.uuid4())
    event = await make_draft(owner)
    from tortoise.transactions import in_transaction

    async with in_transaction():
        await events.refresh_search_document(event_id=event["id"])
    assert [r["version"] for r in await outbox_rows(event["id"])] == [1, 2]
    assert (await Event.get(id=event["id"])).version == 1, "the ETag version is the organizer's, not search's"
