"""Reading search documents out of PostgreSQL in batches (the rebuild's source)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from tortoise.connection import get_connection

from boxoffice.domain.events.models import Event
from boxoffice.domain.search.documents import event_document


@dataclass(frozen=True, slots=True)
class VersionedDocument:
    id: str
    version: int  # the event's search_version: the external version of the write
    document: dict


async def sold_by_event(event_ids: list[str]) -> dict[str, int]:
    if not event_ids:
        return {}
    rows = await get_connection("default").execute_query_dict(
        "SELECT event_id::text AS id, count(*) AS n FROM tickets"
        " WHERE event_id = ANY($1::uuid[]) AND status = 'valid' GROUP BY event_id",
        [event_ids],
    )
    return {row["id"]: int(row["n"]) for row in rows}


async def all_documents(
    *, batch_size: int = 1000, ids: list[str] | None = None
) -> AsyncIterator[list[VersionedDocument]]:
    """Every event (or the given ones) as versioned documents, in batches ordered by id."""
    after = None
    while True:
        query = Event.all().order_by("id").limit(batch_size).prefetch_related("venue")
        if ids is not None:
            query = query.filter(id__in=ids)
        if after is not None:
            query = query.filter(id__gt=after)
        events = await query
        if not events:
            return
        sold = await sold_by_event([str(e.id) for e in events])
        yield [
            VersionedDocument(str(e.id), int(e.search_version), event_document(e, e.venue, sold=sold.get(str(e.id), 0)))
            for e in events
        ]
        after = events[-1].id


async def current_versions() -> dict[str, int]:
    """Every event's id and search_version: cheap, to find what changed while a rebuild ran."""
    rows = await get_connection("default").execute_query_dict("SELECT id::text AS id, search_version FROM events")
    return {row["id"]: int(row["search_version"]) for row in rows}
