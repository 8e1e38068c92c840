"""Holds: POST /api/holds, GET/DELETE /api/holds/{id}, seats in and out, extend."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json

from boxoffice.domain.holds.schemas import AddSeats, HoldRequest
from boxoffice.domain.holds.service import Holds
from boxoffice.domain.queue.admission import ADMISSION_HEADER
from boxoffice.services.common.identity import require_user
from boxoffice.services.common.openapi import api
from boxoffice.services.common.validation import parse_body

bp = Blueprint("holds")
ADMISSION = (ADMISSION_HEADER, {"type": "string", "description": "the admission of an event's waiting room"}, False)


@bp.post("/api/holds")
@api(body=HoldRequest, headers=[ADMISSION], answers=(201, 400, 401, 403, 404, 409, 422), auth=True)
async def create_hold(request: Request, holds: Holds) -> HTTPResponse:
    form = parse_body(request, HoldRequest)
    hold = await holds.create(
        user_id=require_user(request).user_id,
        event_id=form.event_id,
        seat_ids=form.seat_ids,
        quantity=form.quantity,
        category=form.category,
        admission=request.headers.get(ADMISSION_HEADER),
    )
    return json(hold.public(), status=201)


@bp.get("/api/holds/<hold_id>")
@api(answers=(200, 401, 404, 410), auth=True)
async def get_hold(request: Request, hold_id: str, holds: Holds) -> HTTPResponse:
    return json((await holds.get(user_id=require_user(request).user_id, hold_id=hold_id)).public())


@bp.delete("/api/holds/<hold_id>")
@api(answers=(204, 401, 404, 409, 410), auth=True)
async def release_hold(request: Request, hold_id: str, holds: Holds) -> HTTPResponse:
    await holds.release(user_id=require_user(request).user_id, hold_id=hold_id)
    return empty()


@bp.post("/api/holds/<hold_id>/seats")
@api(body=AddSeats, headers=[ADMISSION], answers=(200, 400, 401, 403, 404, 409, 410, 422), auth=True)
async def add_seats(request: Request, hold_id: str, holds: Holds) -> HTTPResponse:
    form = parse_body(request, AddSeats)
    hold = await holds.add_seats(
        user_id=require_user(request).user_id,
        hold_id=hold_id,
        seat_ids=form.seat_ids,
        admission=request.headers.get(ADMISSION_HEADER),
    )
    return json(hold.public())


@bp.delete("/api/holds/<hold_id>/seats/<seat_id>")
@api(answers=(200, 204, 401, 404, 409, 410), auth=True)
async def drop_seat(request: Request, hold_id: str, seat_id: str, holds: Holds) -> HTTPResponse:
    """The hold without that seat; 204 when it was the last seat (the hold is over)."""
    hold = await holds.drop_seat(user_id=require_user(request).user_id, hold_id=hold_id, seat_id=seat_id)
    return json(hold.public()) if hold else empty()


@bp.post("/api/holds/<hold_id>/extend")
@api(headers=[ADMISSION], answers=(200, 401, 403, 404, 409, 410), auth=True)
async def extend_hold(request: Request, hold_id: str, holds: Holds) -> HTTPResponse:
    hold = await holds.extend(
        user_id=require_user(request).user_id, hold_id=hold_id, admission=request.headers.get(ADMISSION_HEADER)
    )
    return json(hold.public())
