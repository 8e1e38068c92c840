"""What operators do with jobs: look at them (dead ones above all) and re-queue dead ones."""

from __future__ import annotations

from boxoffice.domain.jobs import repository
from boxoffice.domain.jobs.models import Job, JobStatus
from boxoffice.domain.search.documents import rfc3339
from boxoffice.errors import Conflict, NotFound


def public(job: Job) -> dict:
    return {
        "id": job.id,
        "kind": job.kind,
        "subject": job.subject,
        "status": str(job.status),
        "attempts": job.attempts,
        "last_error": job.last_error,
        "available_at": rfc3339(job.available_at),
        "created_at": rfc3339(job.created_at),
        "finished_at": rfc3339(job.finished_at),
    }


async def list_jobs(*, status: JobStatus | None, cursor: int | None, limit: int) -> dict:
    """Jobs oldest first; `next` is the cursor of the following page."""
    rows = await repository.listing(status=status, after_id=cursor, limit=limit + 1)
    page = rows[:limit]
    return {"items": [public(j) for j in page], "next": str(page[-1].id) if len(rows) > limit else None}


async def requeue_job(*, job_id: int) -> dict:
    """A dead job back to pending, due now, with a fresh budget of attempts."""
    job = await repository.get(job_id)
    if job is None:
        raise NotFound("No such job")
    if job.status != JobStatus.DEAD:
        raise Conflict(f"Only dead jobs can be re-queued; this one is {job.status}")
    await repository.requeue(ids=[job_id])
    await repository.notify()
    return public(await repository.get(job_id))


async def requeue_dead() -> int:
    count = await repository.requeue()
    await repository.notify()
    return count
