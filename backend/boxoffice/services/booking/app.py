"""The booking service: seat holds, orders, payments, tickets; seat snapshot and live streams."""

from __future__ import annotations

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from boxoffice.config import Config
from boxoffice.services.common.factory import create_base_app
from boxoffice.services.common.identity import require_user


def create_app(config: Config | None = None) -> Sanic:
    config = config or Config.from_env()
    app = create_base_app("booking", config)
    app.add_route(noop, "/api/booking/noop", methods=["GET"])
    return app


async def noop(request: Request) -> HTTPResponse:
    """An authenticated request that does nothing: the yardstick for the benchmarks."""
    return json({"ok": True, "user_id": require_user(request).user_id})
