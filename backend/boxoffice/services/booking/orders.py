"""Orders: POST /api/orders (Idempotency-Key), GET /api/orders[/{id}], POST /api/orders/{id}/cancel."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from boxoffice.domain.orders import idempotency
from boxoffice.domain.orders import service as orders
from boxoffice.domain.orders.schemas import OrderListQuery, OrderRequest
from boxoffice.domain.orders.service import REPLAYED, Checkout
from boxoffice.services.common.identity import require_user
from boxoffice.services.common.openapi import api
from boxoffice.services.common.validation import parse_body, parse_query

bp = Blueprint("orders")
IDEMPOTENCY_KEY = ("Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 255}, True)


@bp.post("/api/orders")
@api(body=OrderRequest, headers=[IDEMPOTENCY_KEY], answers=(201, 400, 401, 402, 404, 409, 410, 422), auth=True)
async def place_order(request: Request, checkout: Checkout) -> HTTPResponse:
    user_id = require_user(request).user_id
    key = idempotency.check_key(request.headers.get("Idempotency-Key"))
    form = parse_body(request, OrderRequest)
    placed = await orders.place_order_once(user_id=user_id, key=key, form=form, deps=checkout)
    return json(placed.body, status=201, headers=REPLAYED if placed.replayed else None)


@bp.get("/api/orders")
@api(query=OrderListQuery, answers=(200, 400, 401, 422), auth=True)
async def list_orders(request: Request) -> HTTPResponse:
    query = parse_query(request, OrderListQuery)
    return json(await orders.list_orders(user_id=require_user(request).user_id, limit=query.limit, cursor=query.cursor))


@bp.get("/api/orders/<order_id>")
@api(answers=(200, 401, 404), auth=True)
async def get_order(request: Request, order_id: str) -> HTTPResponse:
    return json(await orders.get_order(user_id=require_user(request).user_id, order_id=order_id))


@bp.post("/api/orders/<order_id>/cancel")
@api(answers=(200, 401, 404, 409), auth=True)
async def cancel_order(request: Request, order_id: str, checkout: Checkout) -> HTTPResponse:
    return json(await orders.cancel_order(user_id=require_user(request).user_id, order_id=order_id, deps=checkout))
