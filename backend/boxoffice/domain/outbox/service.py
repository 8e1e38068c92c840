"""What operators do with the outbox: look at rows (dead ones above all) and re-queue dead rows."""

from __future__ import annotations

from boxoffice.domain.outbox import repository
from boxoffice.domain.outbox.models import OutboxRow, OutboxStatus
from boxoffice.domain.outbox.schemas import MAX_ID
from boxoffice.domain.search.documents import rfc3339
from boxoffice.errors import Conflict, NotFound


def public(row: OutboxRow) -> dict:
    return {
        "id": row.id,
        "aggregate_id": row.aggregate_id,
        "kind": row.kind,
        "version": row.version,
        "status": str(row.status),
        "attempts": row.attempts,
        "last_error": row.last_error,
        "available_at": rfc3339(row.available_at),
        "created_at": rfc3339(row.created_at),
        "delivered_at": rfc3339(row.delivered_at),
    }


async def list_rows(*, status: OutboxStatus | None, cursor: int | None, limit: int) -> dict:
    """Rows oldest first; `next` is the cursor of the following page."""
    rows = await repository.listing(status=status, after_id=cursor, limit=limit + 1)
    page = rows[:limit]
    return {"items": [public(r) for r in page], "next": str(page[-1].id) if len(rows) > limit else None}


async def requeue_row(*, row_id: int) -> dict:
    """A dead row back to pending with a fresh budget of attempts."""
    row = await repository.get(row_id) if 0 < row_id <= MAX_ID else None
    if row is None:
        raise NotFound("No such outbox row")
    if row.status != OutboxStatus.DEAD:
        raise Conflict(f"Only dead rows can be re-queued; this one is {row.status}")
    await repository.requeue(ids=[row_id])
    await repository.notify()
    return public(await repository.get(row_id))


async def requeue_dead() -> int:
    """Every dead row back to pending; returns how many."""
    count = await repository.requeue()
    await repository.notify()
    return count
