"""Tortoise ORM configuration only: aerich imports this module, so it has no side effects."""

from __future__ import annotations

import os

MODEL_MODULES = [
    "boxoffice.domain.accounts.models",
    "boxoffice.domain.events.models",
    "boxoffice.domain.outbox.models",
    "boxoffice.domain.orders.models",
    "boxoffice.domain.jobs.models",
    "aerich.models",
]


def tortoise_config(
    database_url: str | None = None, *, connect_timeout_s: float | None = None, command_timeout_s: float | None = None
) -> dict:
    """Tortoise's configuration; the services pass timeouts so that a PostgreSQL that is down or hangs
    costs a request seconds, not minutes (asyncpg waits 60 s for a connection and forever for an answer)."""
    url = database_url or os.environ.get("BOXOFFICE_DATABASE_URL", "postgres://boxoffice@127.0.0.1:5432/boxoffice")
    connection: str | dict = url.replace("postgresql://", "postgres://", 1)
    if connect_timeout_s is not None or command_timeout_s is not None:
        from tortoise.backends.base.config_generator import expand_db_url

        connection = expand_db_url(connection)
        if connect_timeout_s is not None:
            connection["credentials"]["timeout"] = connect_timeout_s
        if command_timeout_s is not None:
            connection["credentials"]["command_timeout"] = command_timeout_s
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config()
