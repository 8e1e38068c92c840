"""The events service: accounts, venues, seat maps and events; the outbox relay."""

from __future__ import annotations

from sanic import Sanic

from boxoffice.config import Config
from boxoffice.infra.passwords import Passwords
from boxoffice.infra.postgres import use_postgres
from boxoffice.infra.tokens import TokenIssuer
from boxoffice.services.common.factory import create_base_app
from boxoffice.services.events import accounts


def create_app(config: Config | None = None) -> Sanic:
    config = config or Config.from_env()
    app = create_base_app("events", config)
    use_postgres(app, config)
    app.ext.dependency(Passwords(time_cost=config.argon2_time_cost, memory_kib=config.argon2_memory_kib))
    app.ext.dependency(TokenIssuer(config))
    app.blueprint(accounts.bp)
    return app
