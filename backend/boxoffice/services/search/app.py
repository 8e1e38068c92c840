"""The search service: full-text search over events and as-you-type suggestions."""

from __future__ import annotations

from sanic import Sanic

from boxoffice.config import Config
from boxoffice.infra.elasticsearch import use_elasticsearch
from boxoffice.services.common.factory import create_base_app
from boxoffice.services.common.pages import use_pages
from boxoffice.services.search import events, pages


def create_app(config: Config | None = None) -> Sanic:
    config = config or Config.from_env()
    app = create_base_app("search", config)
    use_elasticsearch(app, config)
    app.blueprint(events.bp)
    use_pages(app, pages.bp)
    return app
