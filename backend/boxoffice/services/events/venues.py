"""Venues: /api/venues (organizers only; each sees only their own)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from boxoffice.domain.venues import service as venues
from boxoffice.domain.venues.schemas import VenueIn, VenueList
from boxoffice.services.common.identity import require_role
from boxoffice.services.common.openapi import api
from boxoffice.services.common.validation import parse_body, parse_query

bp = Blueprint("venues")


@bp.post("/api/venues")
@api(body=VenueIn, answers=(201, 400, 401, 403, 422), auth=True)
async def create_venue(request: Request) -> HTTPResponse:
    user = require_role(request, "organizer")
    venue = await venues.create_venue(owner_id=user.user_id, form=parse_body(request, VenueIn))
    return json(venue, status=201, headers={"Location": f"/api/venues/{venue['id']}"})


@bp.get("/api/venues")
@api(query=VenueList, answers=(200, 401, 403, 422), auth=True)
async def list_venues(request: Request) -> HTTPResponse:
    user = require_role(request, "organizer")
    query = parse_query(request, VenueList)
    return json(await venues.list_venues(owner_id=user.user_id, cursor=query.cursor, limit=query.limit))


@bp.get("/api/venues/<venue_id:str>")
@api(answers=(200, 401, 403, 404), auth=True)
async def get_venue(request: Request, venue_id: str) -> HTTPResponse:
    user = require_role(request, "organizer")
    return json(await venues.get_venue(venue_id=venue_id, owner_id=user.user_id))
