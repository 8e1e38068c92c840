"""Operators: /api/outbox (list rows, dead ones above all) and /api/outbox/{id}/requeue."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from boxoffice.domain.outbox import service as outbox
from boxoffice.domain.outbox.schemas import OutboxList
from boxoffice.services.common.identity import require_role
from boxoffice.services.common.openapi import api
from boxoffice.services.common.validation import parse_query

bp = Blueprint("outbox")
OPERATOR = "operator"


@bp.get("/api/outbox")
@api(query=OutboxList, answers=(200, 401, 403, 422), auth=True)
async def list_rows(request: Request) -> HTTPResponse:
    require_role(request, OPERATOR)
    query = parse_query(request, OutboxList)
    return json(await outbox.list_rows(status=query.status, cursor=query.cursor, limit=query.limit))


@bp.post("/api/outbox/<row_id:int>/requeue")
@api(answers=(200, 401, 403, 404, 409), auth=True)
async def requeue(request: Request, row_id: int) -> HTTPResponse:
    require_role(request, OPERATOR)
    return json(await outbox.requeue_row(row_id=row_id))
