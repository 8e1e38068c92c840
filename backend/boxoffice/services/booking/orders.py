"""Orders: POST /api/orders (Idempotency-Key), GET /api/orders[/{id}], POST /api/orders/{id}/cancel."""

from __future__ import annotations

import json as jsonlib

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from boxoffice.config import Config
from boxoffice.domain.orders import idempotency
from boxoffice.domain.orders import service as orders
from boxoffice.domain.orders.schemas import OrderListQuery, OrderRequest
from boxoffice.domain.orders.service import Checkout
from boxoffice.errors import HoldExpired, NotFound, PaymentDeclined, SeatsTaken, TooManySeats
from boxoffice.services.common.identity import require_user
from boxoffice.services.common.problems import render
from boxoffice.services.common.validation import parse_body, parse_query

bp = Blueprint("orders")
REPLAYED = {"Idempotent-Replayed": "true"}
# Answers that are final for a request: stored and replayed. Anything else may be retried.
FINAL_ERRORS = (PaymentDeclined, HoldExpired, NotFound, SeatsTaken, TooManySeats)


@bp.post("/api/orders")
@openapi.body({"application/json": OrderRequest.model_json_schema()})
async def place_order(request: Request, checkout: Checkout, config: Config) -> HTTPResponse:
    user_id = require_user(request).user_id
    key = idempotency.check_key(request.headers.get("Idempotency-Key"))
    form = parse_body(request, OrderRequest)
    stored = await idempotency.begin(user_id=user_id, key=key, request_hash=idempotency.fingerprint(
        "POST", request.path, request.json), ttl_s=config.idempotency_ttl_s, lock_s=config.idempotency_lock_s)
    if stored is not None:
        return _replay(stored)
    try:
        body = await orders.place_order(user_id=user_id, hold_id=form.hold_id, card=form.payment.card(), deps=checkout)
    except FINAL_ERRORS as error:
        answer = render(error)
        await idempotency.finish(user_id=user_id, key=key, status=answer.status, body=jsonlib.loads(answer.body))
        raise
    except BaseException:
        await idempotency.abandon(user_id=user_id, key=key)
        raise
    await idempotency.finish(user_id=user_id, key=key, status=201, body=body)
    return json(body, status=201)


def _replay(stored: idempotency.Stored) -> HTTPResponse:
    content_type = "application/problem+json" if stored.status >= 400 else "application/json"
    return json(stored.body, status=stored.status, headers=REPLAYED, content_type=content_type)


@bp.get("/api/orders")
async def list_orders(request: Request) -> HTTPResponse:
    query = parse_query(request, OrderListQuery)
    return json(await orders.list_orders(user_id=require_user(request).user_id, limit=query.limit,
                                         cursor=query.cursor))


@bp.get("/api/orders/<order_id>")
async def get_order(request: Request, order_id: str) -> HTTPResponse:
    return json(await orders.get_order(user_id=require_user(request).user_id, order_id=order_id))


@bp.post("/api/orders/<order_id>/cancel")
async def cancel_order(request: Request, order_id: str, checkout: Checkout) -> HTTPResponse:
    return json(await orders.cancel_order(user_id=require_user(request).user_id, order_id=order_id, deps=checkout))

