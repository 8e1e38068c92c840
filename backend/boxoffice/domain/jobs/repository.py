"""Every job query. `add` runs inside the caller's transaction; runners claim with a lease."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.connection import get_connection

from boxoffice.domain.jobs.models import Job

CHANNEL = "boxoffice_jobs"

# The due rows of the kinds the runner knows, oldest first; a claim pushes `available_at` out by the
# lease, so no other runner takes the job while this one works on it, and takes it if this one dies.
_CLAIM = """
UPDATE jobs SET attempts = attempts + 1, available_at = now() + make_interval(secs => $1)
WHERE id IN (
    SELECT id FROM jobs WHERE status = 'pending' AND available_at <= now() AND kind = ANY($3::text[])
    ORDER BY available_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
)
RETURNING id, kind, subject, attempts
"""

_FAILED = """
UPDATE jobs SET last_error = $2, available_at = now() + make_interval(secs => $3),
                status = CASE WHEN attempts >= $4 THEN 'dead' ELSE 'pending' END
WHERE id = $1 AND status = 'pending'
"""


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    kind: str
    subject: str
    attempts: int


def _db():
    return get_connection("default")


async def add(*, kind: str, subject: str) -> None:
    """Queue a job due now; call it inside the transaction that makes it necessary."""
    await _db().execute_query(
        "INSERT INTO jobs (kind, subject, status, attempts, available_at, created_at)"
        " VALUES ($1, $2, 'pending', 0, now(), now())",
        [kind, subject],
    )


async def notify() -> None:
    """Wake the runners (after the commit that queued the job: a NOTIFY is only a hint)."""
    await _db().execute_query(f"SELECT pg_notify('{CHANNEL}', '')")


async def claim(*, kinds: Sequence[str], lease_s: float, limit: int) -> list[Claimed]:
    rows = await _db().execute_query_dict(_CLAIM, [float(lease_s), limit, list(kinds)])
    return [Claimed(r["id"], r["kind"], r["subject"], r["attempts"]) for r in rows]


async def mark_done(job_id: int) -> None:
    await _db().execute_query(
        "UPDATE jobs SET status = 'done', last_error = NULL, finished_at = now() WHERE id = $1 AND status = 'pending'",
        [job_id],
    )


async def mark_failed(job_id: int, *, error: str, delay_s: float, max_attempts: int) -> None:
    await _db().execute_query(_FAILED, [job_id, error[:2000], float(delay_s), max_attempts])


async def health() -> tuple[float, int]:
    """(seconds the oldest due job has waited, number of dead jobs)."""
    rows = await _db().execute_query_dict(
        "SELECT coalesce(extract(epoch FROM now() - min(available_at) FILTER (WHERE status = 'pending'"
        " AND available_at <= now())), 0) AS lag, count(*) FILTER (WHERE status = 'dead') AS dead"
        " FROM jobs WHERE status IN ('pending', 'dead')"
    )
    return float(rows[0]["lag"]), int(rows[0]["dead"])


async def listing(*, status: str | None, after_id: int | None, limit: int) -> list[Job]:
    query = Job.all().order_by("id").limit(limit)
    if status:
        query = query.filter(status=status)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return await query


async def get(job_id: int) -> Job | None:
    return await Job.get_or_none(id=job_id)


async def requeue(*, ids: Sequence[int] | None = None) -> int:
    """Dead jobs back to pending, due now, with a fresh budget of attempts (`ids` None: all)."""
    sql = "UPDATE jobs SET status = 'pending', attempts = 0, available_at = now() WHERE status = 'dead'"
    if ids is None:
        count, _ = await _db().execute_query(sql)
    else:
        count, _ = await _db().execute_query(sql + " AND id = ANY($1::bigint[])", [list(ids)])
    return count
