"""WebSocket routes proxied to the booking service (seat changes)."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from sanic import Blueprint, Request
from sanic.server.websockets.impl import WebsocketImplProtocol

from boxoffice.services.common.validation import resume_point
from boxoffice.services.gateway.proxy import forward_headers

bp = Blueprint("gateway-ws")


@bp.on_request
async def refuse_before_upgrade(request: Request) -> None:
    """An absurd resume point is a 422 problem before the handshake (booking checks it too, but
    behind an upgraded connection its answer could only be a close frame)."""
    resume_point(request)


@bp.websocket("/api/events/<event_id>/seats/ws")
async def seats_ws(request: Request, ws: WebsocketImplProtocol, event_id: str) -> None:
    from boxoffice.services.gateway.app import identity_headers

    app = request.app
    headers = forward_headers(request, identity_headers(request, app.ctx.config))
    headers = {k: v for k, v in headers.items() if not k.lower().startswith("sec-websocket")}
    base = app.ctx.upstreams.candidates("booking")[0].replace("http", "ws", 1)
    target = f"{base}{request.path}" + (f"?{request.query_string}" if request.query_string else "")
    async with app.ctx.upstreams.session.ws_connect(target, headers=headers, heartbeat=20) as upstream:
        await _pump(ws, upstream)


async def _pump(client: WebsocketImplProtocol, upstream: aiohttp.ClientWebSocketResponse) -> None:
    async def downstream() -> None:
        async for message in upstream:
            if message.type == aiohttp.WSMsgType.TEXT:
                await client.send(message.data)
            elif message.type == aiohttp.WSMsgType.BINARY:
                await client.send(message.data)
            else:
                break

    async def upward() -> None:
        while True:
            data = await client.recv()
            if data is None:
                break
            await upstream.send_str(data) if isinstance(data, str) else await upstream.send_bytes(data)

    tasks = [asyncio.create_task(downstream()), asyncio.create_task(upward())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.gather(*tasks)
