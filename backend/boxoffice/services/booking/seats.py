"""Seats: the snapshot, and every change live over SSE and WebSocket (never who holds a seat)."""

from __future__ import annotations

import asyncio
import contextlib
import json as jsonlib

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic.server.websockets.impl import WebsocketImplProtocol

from boxoffice.config import Config
from boxoffice.domain.holds.service import Holds
from boxoffice.domain.seats.catalog import Catalog
from boxoffice.domain.seats.feed import PING, RESET, Change, SeatFeed
from boxoffice.errors import ServiceUnavailable
from boxoffice.infra.metrics import STREAM_CONNECTIONS
from boxoffice.services.common.openapi import api
from boxoffice.services.common.validation import resume_point

bp = Blueprint("seats")
CURSOR = {"type": "string", "pattern": r"^[0-9]{1,20}-[0-9]{1,20}$", "description": "a stream position to resume after"}
LAST_EVENT_ID = ("Last-Event-ID", CURSOR, False)
TRY_AGAIN_LATER = 1013  # WebSocket close code: the server is overloaded


class StreamQuery(BaseModel):
    cursor: str | None = Field(None, pattern=CURSOR["pattern"], description=CURSOR["description"])


@bp.on_request
async def refuse_before_upgrade(request: Request) -> None:
    """A WebSocket that cannot be served is answered as plain HTTP, before the upgrade: a 404 problem
    for an unknown event, a 503 problem (Retry-After) past the per-process connection cap.

    Sanic runs route middleware before its WebSocket handler performs the handshake, so an exception
    here becomes an ordinary problem response and the client never sees a 101."""
    if request.route is None or not request.route.extra.websocket:
        return
    resume_point(request)
    await request.app.ctx.holds.catalog.get(request.match_info["event_id"])
    request.app.ctx.feed.check_capacity()


@bp.get("/api/events/<event_id>/seats")
@api(answers=(200, 404))
async def snapshot(request: Request, event_id: str, holds: Holds) -> HTTPResponse:
    user = request.ctx.user
    body = await holds.snapshot(event_id=event_id, user_id=user.user_id if user else None)
    return json(body, headers={"Cache-Control": "no-store"})


def sse_message(item: Change | object) -> str:
    if item is PING:
        return ": ping\n\n"
    if item is RESET:
        return "event: reset\ndata: {}\n\n"
    return f"id: {item.id}\nevent: seats\ndata: {jsonlib.dumps(item.data(), separators=(',', ':'))}\n\n"


@bp.get("/api/events/<event_id>/seats/stream")
@api(query=StreamQuery, headers=[LAST_EVENT_ID], answers=(200, 404, 422), content="text/event-stream")
async def stream(request: Request, event_id: str, catalog: Catalog, feed: SeatFeed, config: Config) -> None:
    """SSE from `Last-Event-ID` (or `?cursor=`), else from now; a ping every `sse_ping_s`."""
    cursor = resume_point(request)
    event = await catalog.get(event_id)
    subscription = await feed.subscribe(event.id, cursor)
    STREAM_CONNECTIONS.labels("sse").inc()
    try:
        response = await request.respond(
            content_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )
        await response.send("retry: 1000\n\n")
        async for item in subscription.items(ping_s=config.sse_ping_s, lifetime_s=config.sse_max_lifetime_s):
            if request.transport.is_closing():
                break
            await response.send(sse_message(item))
        with contextlib.suppress(Exception):
            await response.eof()
    finally:
        subscription.close()
        STREAM_CONNECTIONS.labels("sse").dec()


@bp.websocket("/api/events/<event_id>/seats/ws")
async def stream_ws(
    request: Request, ws: WebsocketImplProtocol, event_id: str, catalog: Catalog, feed: SeatFeed, config: Config
) -> None:
    """The same changes, one JSON text frame each: {id, type, seat_ids, reason?}; {type: reset} ends it."""
    event = await catalog.get(event_id)
    try:
        subscription = await feed.subscribe(event.id, resume_point(request))
    except ServiceUnavailable:  # the last slot went to another client during our handshake
        await ws.close(TRY_AGAIN_LATER, "try again later")
        return
    STREAM_CONNECTIONS.labels("ws").inc()
    listener = asyncio.create_task(_until_closed(ws))
    try:
        async for item in subscription.items(ping_s=config.sse_ping_s, lifetime_s=config.sse_max_lifetime_s):
            if listener.done():
                break
            if item is PING:
                continue
            frame = {"id": None, "type": "reset"} if item is RESET else {"id": item.id, **item.data()}
            await ws.send(jsonlib.dumps(frame, separators=(",", ":")))
    finally:
        listener.cancel()
        subscription.close()
        STREAM_CONNECTIONS.labels("ws").dec()
        with contextlib.suppress(Exception):
            await ws.close()


async def _until_closed(ws: WebsocketImplProtocol) -> None:
    while await ws.recv() is not None:
        pass
