"""The booking service: seat holds, orders, payments, tickets; seat snapshot and live streams."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from functools import partial

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from boxoffice import keys
from boxoffice.config import Config
from boxoffice.domain.holds.scripts import SeatScripts
from boxoffice.domain.holds.service import Holds
from boxoffice.domain.holds.sweeper import run_sweeper
from boxoffice.domain.jobs.models import JobKind
from boxoffice.domain.jobs.runner import JobRunner, JobSettings
from boxoffice.domain.orders import idempotency
from boxoffice.domain.orders import service as orders
from boxoffice.domain.orders.service import Checkout
from boxoffice.domain.payments.provider import make_provider
from boxoffice.domain.seats.availability import run_flusher
from boxoffice.domain.seats.catalog import Catalog
from boxoffice.domain.seats.feed import SeatFeed
from boxoffice.infra.outages import OutageLog
from boxoffice.infra.postgres import use_postgres
from boxoffice.infra.redis import RedisClient, use_redis
from boxoffice.services.booking import holds, pages, seats
from boxoffice.services.booking import orders as orders_routes
from boxoffice.services.common.factory import create_base_app
from boxoffice.services.common.identity import require_user
from boxoffice.services.common.openapi import api
from boxoffice.services.common.pages import use_pages

log = logging.getLogger("boxoffice.booking")


def create_app(config: Config | None = None) -> Sanic:
    config = config or Config.from_env()
    app = create_base_app("booking", config)
    use_postgres(app, replace(config, database_url=with_pool(config.database_url, config.booking_pg_pool)))
    use_redis(app, config)
    _add_booking(app, config)
    app.blueprint(holds.bp)
    app.blueprint(orders_routes.bp)
    app.blueprint(seats.bp)
    use_pages(app, pages.bp)
    app.add_route(noop, "/api/booking/noop", methods=["GET"])
    return app


def with_pool(url: str, size: int) -> str:
    """The database URL with a connection pool of `size` (unless the URL sets one)."""
    if "maxsize=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}maxsize={size}"


@api(answers=(200, 401), auth=True)
async def noop(request: Request) -> HTTPResponse:
    """An authenticated request that does nothing: the yardstick for the benchmarks."""
    return json({"ok": True, "user_id": require_user(request).user_id})


def _add_booking(app: Sanic, config: Config) -> None:
    app.ctx.stream_redis = RedisClient(
        config.redis_url, max_connections=max(64, config.sse_max_connections // 2), stream_timeout=30.0
    )

    @app.before_server_start
    async def build(app: Sanic) -> None:
        redis = app.ctx.redis.client
        await app.ctx.stream_redis.start()
        catalog = Catalog(refresh_s=config.event_cache_s)
        scripts = SeatScripts(redis, maxlen=config.seat_stream_maxlen)
        book = Holds(redis=redis, scripts=scripts, catalog=catalog, config=config)
        app.ctx.holds = book
        app.ctx.feed = SeatFeed(
            redis=redis, reader=app.ctx.stream_redis.client, max_connections=config.sse_max_connections
        )
        app.ctx.checkout = Checkout(
            holds=book,
            catalog=catalog,
            provider=make_provider(config.payment_provider, redis),
            redis=redis,
            idempotency=idempotency.Policy.from_config(config),
        )
        app.ctx.jobs = JobRunner(
            settings=JobSettings.from_config(config),
            handlers={JobKind.EVENT_CANCELLED: partial(_settle_cancelled_event, app.ctx.checkout)},
        )
        for dependency in (catalog, book, app.ctx.feed, app.ctx.checkout):
            app.ext.dependency(dependency)

    @app.after_server_start
    async def start_tasks(app: Sanic) -> None:
        app.ctx.tasks = [
            asyncio.create_task(
                run_sweeper(
                    redis=app.ctx.redis.client, scripts=app.ctx.holds.scripts, interval_s=config.sweep_interval_s
                ),
                name="hold-sweeper",
            ),
            asyncio.create_task(
                run_flusher(redis=app.ctx.redis.client, interval_s=config.search_flush_s), name="availability-flusher"
            ),
            asyncio.create_task(_housekeeping(app, config), name="order-reconciler"),
            asyncio.create_task(app.ctx.jobs.run(database_url=config.database_url), name="job-runner"),
        ]

    @app.before_server_stop
    async def stop_tasks(app: Sanic) -> None:
        await app.ctx.feed.close()
        app.ctx.jobs.stop()
        for task in getattr(app.ctx, "tasks", []):
            task.cancel()
        await asyncio.gather(*getattr(app.ctx, "tasks", []), return_exceptions=True)

    @app.after_server_stop
    async def close_streams(app: Sanic) -> None:
        await app.ctx.stream_redis.stop()


async def _settle_cancelled_event(checkout: Checkout, event_id: str) -> None:
    await orders.settle_cancelled_event(event_id=event_id, deps=checkout)


async def _housekeeping(app: Sanic, config: Config) -> None:
    """Rebuild booked seats of the events Redis knows from PostgreSQL, then reconcile every few seconds."""
    redis = app.ctx.redis.client
    with contextlib.suppress(Exception):
        for event_id in await redis.smembers(keys.LOADED_EVENTS):
            await app.ctx.holds.ensure_loaded(event_id, force=True)
    outages = OutageLog(log, "order reconciliation")
    while True:
        try:
            await orders.reconcile(older_than_s=config.reconcile_after_s, deps=app.ctx.checkout)
            await idempotency.purge_expired()
            outages.succeeded()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            outages.failed(error)
        await asyncio.sleep(5)
