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


def tortoise_config(database_url: str | None = None) -> dict:
    url = database_url or os.environ.get("BOXOFFICE_DATABASE_URL", "postgres://boxoffice@127.0.0.1:5432/boxoffice")
    return {
        "connections": {"default": url.replace("postgresql://", "postgres://", 1)},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config()
