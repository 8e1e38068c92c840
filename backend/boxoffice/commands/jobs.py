"""`boxoffice jobs list|requeue`: what operators do with jobs that gave up."""

from __future__ import annotations

import json

from tortoise import Tortoise

from boxoffice.config import Config
from boxoffice.db import tortoise_config
from boxoffice.domain.jobs import service
from boxoffice.domain.jobs.models import JobStatus


async def list_jobs(config: Config, *, status: str | None, limit: int) -> None:
    """One JSON object per line, oldest first."""
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        page = await service.list_jobs(status=JobStatus(status) if status else None, cursor=None, limit=limit)
        for job in page["items"]:
            print(json.dumps(job))
    finally:
        await Tortoise.close_connections()


async def requeue(config: Config, *, job_id: int | None, all_dead: bool) -> None:
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        if all_dead:
            print(f"re-queued {await service.requeue_dead()} dead jobs")
        else:
            job = await service.requeue_job(job_id=job_id)
            print(f"re-queued job {job['id']} ({job['kind']} of {job['subject']})")
    finally:
        await Tortoise.close_connections()
