"""The search index: a versioned index behind an alias."""

from __future__ import annotations

from boxoffice.config import Config


async def ensure(config: Config) -> None:
    from boxoffice.domain.search.index import ensure_index

    await ensure_index(config)


async def reindex(config: Config) -> None:
    from boxoffice.domain.search.index import reindex as run_reindex

    await run_reindex(config)
