"""The search service."""

from __future__ import annotations

from sanic import Sanic

from boxoffice.config import Config
from boxoffice.services.common.factory import create_base_app


def create_app(config: Config | None = None) -> Sanic:
    config = config or Config.from_env()
    app = create_base_app("search", config)
    return app
