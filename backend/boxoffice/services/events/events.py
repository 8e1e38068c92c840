"""Events: /api/events. Drafts exist only for their owner; changes need the current ETag."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json

from boxoffice.domain.events import service as events
from boxoffice.domain.events.schemas import EventIn, EventList, EventPatch
from boxoffice.services.common.identity import require_role, require_user
from boxoffice.services.common.openapi import api
from boxoffice.services.common.validation import parse_body, parse_query

bp = Blueprint("events")
IF_MATCH = ("If-Match", {"type": "string", "description": "the ETag the change is based on"}, False)


def rendered(result: tuple[dict, str], status: int = 200) -> HTTPResponse:
    event, etag = result
    return json(event, status=status, headers={"ETag": etag})


def viewer_id(request: Request) -> str | None:
    return request.ctx.user.user_id if request.ctx.user else None


@bp.post("/api/events")
@api(body=EventIn, answers=(201, 400, 401, 403, 422), auth=True)
async def create_event(request: Request) -> HTTPResponse:
    user = require_role(request, "organizer")
    event, etag = await events.create_event(owner_id=user.user_id, form=parse_body(request, EventIn))
    return json(event, status=201, headers={"ETag": etag, "Location": f"/api/events/{event['id']}"})


@bp.get("/api/events")
@api(query=EventList, answers=(200, 401, 422))
async def list_events(request: Request) -> HTTPResponse:
    return json(await events.list_events(viewer_id=viewer_id(request), query=parse_query(request, EventList)))


@bp.get("/api/events/<event_id:str>")
@api(answers=(200, 404))
async def get_event(request: Request, event_id: str) -> HTTPResponse:
    return rendered(await events.get_event(event_id=event_id, viewer_id=viewer_id(request)))


@bp.patch("/api/events/<event_id:str>")
@api(body=EventPatch, headers=[IF_MATCH], answers=(200, 400, 401, 404, 409, 412, 422, 428), auth=True)
async def update_event(request: Request, event_id: str) -> HTTPResponse:
    user = require_user(request)
    form = parse_body(request, EventPatch)
    return rendered(
        await events.update_event(
            event_id=event_id, owner_id=user.user_id, if_match=request.headers.get("If-Match"), form=form
        )
    )


@bp.post("/api/events/<event_id:str>/publish")
@api(headers=[IF_MATCH], answers=(200, 401, 404, 409, 412, 422), auth=True)
async def publish_event(request: Request, event_id: str) -> HTTPResponse:
    user = require_user(request)
    return rendered(
        await events.publish_event(event_id=event_id, owner_id=user.user_id, if_match=request.headers.get("If-Match"))
    )


@bp.post("/api/events/<event_id:str>/cancel")
@api(headers=[IF_MATCH], answers=(200, 401, 404, 409, 412), auth=True)
async def cancel_event(request: Request, event_id: str) -> HTTPResponse:
    user = require_user(request)
    return rendered(
        await events.cancel_event(event_id=event_id, owner_id=user.user_id, if_match=request.headers.get("If-Match"))
    )


@bp.delete("/api/events/<event_id:str>")
@api(headers=[IF_MATCH], answers=(204, 401, 404, 409, 412), auth=True)
async def delete_event(request: Request, event_id: str) -> HTTPResponse:
    user = require_user(request)
    await events.delete_event(event_id=event_id, owner_id=user.user_id, if_match=request.headers.get("If-Match"))
    return empty(status=204)
