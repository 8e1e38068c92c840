"""The events service: accounts, venues, seat maps and events; the outbox relay."""

from __future__ import annotations

import asyncio

from sanic import Sanic

from boxoffice.config import Config
from boxoffice.domain.outbox.relay import Relay, RelaySettings
from boxoffice.infra import elasticsearch
from boxoffice.infra.passwords import Passwords
from boxoffice.infra.postgres import use_postgres
from boxoffice.infra.tokens import TokenIssuer
from boxoffice.services.common.factory import create_base_app
from boxoffice.services.common.pages import use_pages
from boxoffice.services.events import accounts, events, outbox, pages, venues


def create_app(config: Config | None = None) -> Sanic:
    config = config or Config.from_env()
    app = create_base_app("events", config)
    use_postgres(app, config)
    app.ext.dependency(Passwords(time_cost=config.argon2_time_cost, memory_kib=config.argon2_memory_kib))
    app.ext.dependency(TokenIssuer(config))
    for module in (accounts, venues, events, outbox):
        app.blueprint(module.bp)
    use_pages(app, pages.bp)
    run_outbox_relays(app, config)
    return app


def run_outbox_relays(app: Sanic, config: Config) -> None:
    """Relays start once the server (and Tortoise) is up and stop before Tortoise closes.

    The relay has its own Elasticsearch client: the events API keeps working, and stays ready,
    while Elasticsearch is down; the rows simply wait.
    """

    @app.after_server_start
    async def start_relays(app: Sanic) -> None:
        app.ctx.relays, app.ctx.relay_tasks = [], []
        if config.outbox_relays <= 0:
            return
        app.ctx.relay_es = elasticsearch.client(config, request_timeout=10.0)
        settings = RelaySettings.from_config(config)
        for i in range(config.outbox_relays):
            relay = Relay(es=app.ctx.relay_es, index=config.search_alias, settings=settings, name=f"relay-{i}")
            app.ctx.relays.append(relay)
            app.ctx.relay_tasks.append(
                asyncio.create_task(relay.run(database_url=config.database_url), name=f"outbox-relay-{i}")
            )

    @app.before_server_stop
    async def stop_relays(app: Sanic) -> None:
        for relay in app.ctx.relays:
            relay.stop()
        if app.ctx.relay_tasks:
            _, late = await asyncio.wait(app.ctx.relay_tasks, timeout=15)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            await app.ctx.relay_es.close()
