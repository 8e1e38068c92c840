"""`boxoffice outbox list|requeue`: what operators do with rows that gave up."""

from __future__ import annotations

import json

from tortoise import Tortoise

from boxoffice.config import Config
from boxoffice.db import tortoise_config
from boxoffice.domain.outbox import service
from boxoffice.domain.outbox.models import OutboxStatus


async def list_rows(config: Config, *, status: str | None, limit: int) -> None:
    """One JSON object per line, oldest first."""
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        page = await service.list_rows(status=OutboxStatus(status) if status else None, cursor=None, limit=limit)
        for row in page["items"]:
            print(json.dumps(row))
    finally:
        await Tortoise.close_connections()


async def requeue(config: Config, *, row_id: int | None, all_dead: bool) -> None:
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        if all_dead:
            print(f"re-queued {await service.requeue_dead()} dead rows")
        else:
            row = await service.requeue_row(row_id=row_id)
            print(f"re-queued row {row['id']} ({row['kind']} of {row['aggregate_id']})")
    finally:
        await Tortoise.close_connections()
