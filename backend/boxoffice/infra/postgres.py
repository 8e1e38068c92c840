"""PostgreSQL through Tortoise ORM: per-worker init and close, schemas from aerich migrations."""

from __future__ import annotations

from sanic import Sanic
from tortoise.connection import get_connection
from tortoise.contrib.sanic import register_tortoise

from boxoffice.config import Config
from boxoffice.db import tortoise_config
from boxoffice.services.common.factory import add_ready_check


def use_postgres(app: Sanic, config: Config) -> None:
    register_tortoise(
        app,
        config=tortoise_config(
            config.database_url,
            connect_timeout_s=config.pg_connect_timeout_s,
            command_timeout_s=config.pg_command_timeout_s,
        ),
    )
    add_ready_check(app, "postgres", ping)


async def ping() -> bool:
    await get_connection("default").execute_query("SELECT 1")
    return True
