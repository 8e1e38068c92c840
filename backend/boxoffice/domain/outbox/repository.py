"""Every outbox query. Rows are written inside the caller's transaction and claimed by relays.

Claiming is row locks only (`FOR UPDATE SKIP LOCKED` inside the relay's transaction): a relay that
dies releases its locks with its connection and its rows are simply still `pending`.

Order per event: a relay claims an event's *head* (its oldest pending row; dead rows do not block)
and, while holding that lock, the rows queued behind it. Any other relay sees the head as pending,
so none of that event's later rows is a head for it until the holder commits: two relays never
deliver rows of one event out of order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

from boxoffice.domain.outbox.models import OutboxRow

CHANNEL = "boxoffice_outbox"
PREFIX_FACTOR = 10  # pending rows looked at per head wanted

# The oldest `$2` pending rows, in id order, are a prefix of every event's queue: a row in it is its
# event's head when no older row of the same event is in it. Computed on that prefix only, the claim
# costs the same whatever the statistics say (a correlated NOT EXISTS over a freshly filled table
# once took 30 s). A prefix made only of rows backing off holds newer rows back until those retry
# or die, which is what Elasticsearch being down looks like anyway.
_CLAIM_HEADS = """
WITH prefix AS (
    SELECT id, aggregate_id FROM outbox WHERE status = 'pending' ORDER BY id LIMIT $2
), heads AS (
    SELECT DISTINCT ON (aggregate_id) id FROM prefix ORDER BY aggregate_id, id
)
SELECT o.id, o.aggregate_id FROM outbox o JOIN heads h ON h.id = o.id
WHERE o.status = 'pending' AND o.available_at <= now()
ORDER BY o.id
LIMIT $1
FOR UPDATE OF o SKIP LOCKED
"""

# Only the holder of a head's lock ever reaches the rows behind it, so this never waits in
# practice; lock_timeout turns a surprise into a rolled-back (and retried) batch, not a hang.
_CLAIM_QUEUED = """
SELECT o.id, o.aggregate_id, o.kind, o.version, o.payload, o.attempts FROM outbox o
JOIN unnest($1::text[], $2::bigint[]) AS h(aggregate_id, head_id)
  ON o.aggregate_id = h.aggregate_id AND o.id >= h.head_id
WHERE o.status = 'pending'
ORDER BY o.id
LIMIT $3
FOR UPDATE OF o
"""

_MARK_DELIVERED = """
UPDATE outbox SET status = 'delivered', delivered_at = (SELECT clock_timestamp())  -- one moment per batch
WHERE id = ANY($1::bigint[]) AND status = 'pending'
"""

_MARK_FAILED = """
UPDATE outbox o SET attempts = o.attempts + 1,
                    last_error = f.error,
                    available_at = now() + make_interval(secs => f.delay_s),
                    status = CASE WHEN o.attempts + 1 >= $4 THEN 'dead' ELSE 'pending' END
FROM unnest($1::bigint[], $2::float8[], $3::text[]) AS f(id, delay_s, error)
WHERE o.id = f.id AND o.status = 'pending'
"""


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    aggregate_id: str
    kind: str
    version: int
    payload: dict
    attempts: int


@dataclass(frozen=True, slots=True)
class Failure:
    id: int
    delay_s: float
    error: str


async def add(*, aggregate_id: str, kind: str, version: int, payload: dict) -> OutboxRow:
    """Queue one change; call it inside the transaction that makes the change."""
    return await OutboxRow.create(aggregate_id=aggregate_id, kind=kind, version=version, payload=payload)


async def add_many(conn: BaseDBAsyncClient, rows: Sequence[tuple[str, str, int, str]]) -> None:
    """Bulk queue (aggregate_id, kind, version, payload-json) rows, e.g. for the seed."""
    await conn.execute_query(
        "INSERT INTO outbox (aggregate_id, kind, version, payload, status, attempts, available_at, created_at) "
        "SELECT a, k, v, p::jsonb, 'pending', 0, now(), now() "
        "FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS r(a, k, v, p)",
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]],
    )


async def notify() -> None:
    """Wake the relays (after the commit that queued rows: a NOTIFY is only a hint)."""
    await get_connection("default").execute_query(f"SELECT pg_notify('{CHANNEL}', '')")


async def claim(conn: BaseDBAsyncClient, *, heads: int, limit: int) -> list[Claimed]:
    """Lock up to `heads` events' oldest pending rows, then up to `limit` rows queued from them on."""
    await conn.execute_query("SET LOCAL lock_timeout = '5s'")
    _, head_rows = await conn.execute_query(_CLAIM_HEADS, [heads, heads * PREFIX_FACTOR])
    if not head_rows:
        return []
    _, rows = await conn.execute_query(
        _CLAIM_QUEUED, [[h["aggregate_id"] for h in head_rows], [h["id"] for h in head_rows], limit]
    )
    return [
        Claimed(r["id"], r["aggregate_id"], r["kind"], r["version"], _json(r["payload"]), r["attempts"]) for r in rows
    ]


async def mark_delivered(conn: BaseDBAsyncClient, ids: Sequence[int]) -> None:
    if ids:
        await conn.execute_query(_MARK_DELIVERED, [list(ids)])


async def mark_failed(conn: BaseDBAsyncClient, failures: Sequence[Failure], *, max_attempts: int) -> None:
    if failures:
        await conn.execute_query(
            _MARK_FAILED,
            [[f.id for f in failures], [f.delay_s for f in failures], [f.error[:2000] for f in failures], max_attempts],
        )


async def purge_delivered(*, older_than_s: float, limit: int = 10_000) -> int:
    """Delete delivered rows past the retention; returns how many went."""
    count, _ = await get_connection("default").execute_query(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status = 'delivered' "
        "AND delivered_at < now() - make_interval(secs => $1) LIMIT $2)",
        [float(older_than_s), limit],
    )
    return count


async def health() -> tuple[float, int]:
    """(age in seconds of the oldest pending row, number of dead rows)."""
    rows = await get_connection("default").execute_query_dict(
        "SELECT coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0) AS lag,"
        " count(*) FILTER (WHERE status = 'dead') AS dead FROM outbox WHERE status IN ('pending', 'dead')"
    )
    return float(rows[0]["lag"]), int(rows[0]["dead"])


async def listing(*, status: str | None, after_id: int | None, limit: int) -> list[OutboxRow]:
    query = OutboxRow.all().order_by("id").limit(limit)
    if status:
        query = query.filter(status=status)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return await query


async def get(row_id: int) -> OutboxRow | None:
    return await OutboxRow.get_or_none(id=row_id)


async def requeue(*, ids: Sequence[int] | None = None) -> int:
    """Dead rows back to pending with a fresh budget of attempts (`ids` None: every dead row)."""
    sql = "UPDATE outbox SET status = 'pending', attempts = 0, available_at = now() WHERE status = 'dead'"
    if ids is None:
        count, _ = await get_connection("default").execute_query(sql)
    else:
        count, _ = await get_connection("default").execute_query(sql + " AND id = ANY($1::bigint[])", [list(ids)])
    return count


def _json(value: object) -> dict:
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[return-value]
