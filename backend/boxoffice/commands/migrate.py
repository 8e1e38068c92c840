"""Apply aerich migrations (the schema comes from migrations, never from generate_schemas)."""

from __future__ import annotations

from pathlib import Path

from aerich import Command

from boxoffice.db import tortoise_config

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


async def upgrade(database_url: str) -> list[str]:
    command = Command(tortoise_config=tortoise_config(database_url), app="models", location=str(MIGRATIONS))
    async with command:
        await command.init()
        return await command.upgrade(run_in_transaction=True)
