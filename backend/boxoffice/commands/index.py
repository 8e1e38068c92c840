"""The search index: a versioned index behind an alias (`boxoffice index ensure|reindex`)."""

from __future__ import annotations

from tortoise import Tortoise

from boxoffice.config import Config
from boxoffice.db import tortoise_config


async def ensure(config: Config) -> None:
    """Create the index and its alias (filled from PostgreSQL) unless the alias exists."""
    from boxoffice.domain.search.index import ensure_index

    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        await ensure_index(config)
    finally:
        await Tortoise.close_connections()


async def reindex(config: Config) -> None:
    """Rebuild the index from PostgreSQL into a new index and swap the alias to it."""
    from boxoffice.domain.search.index import reindex as run_reindex

    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        await run_reindex(config)
    finally:
        await Tortoise.close_connections()
