"""Accounts: /api/auth/register, /api/auth/token, /api/me."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from boxoffice.domain.accounts import service as accounts
from boxoffice.domain.accounts.schemas import Credentials, Registration
from boxoffice.infra.passwords import Passwords
from boxoffice.infra.tokens import TokenIssuer
from boxoffice.services.common.identity import require_user
from boxoffice.services.common.openapi import api
from boxoffice.services.common.validation import parse_body

bp = Blueprint("accounts")


@bp.post("/api/auth/register")
@api(body=Registration, answers=(201, 400, 409, 422))
async def register(request: Request, passwords: Passwords) -> HTTPResponse:
    user = await accounts.register(form=parse_body(request, Registration), passwords=passwords)
    return json(user, status=201)


@bp.post("/api/auth/token")
@api(body=Credentials, answers=(200, 400, 401, 422))
async def token(request: Request, passwords: Passwords, tokens: TokenIssuer) -> HTTPResponse:
    answer = await accounts.issue_token(form=parse_body(request, Credentials), passwords=passwords, tokens=tokens)
    return json(answer, headers={"Cache-Control": "no-store"})


@bp.get("/api/me")
@api(answers=(200, 401), auth=True)
async def me(request: Request) -> HTTPResponse:
    return json(await accounts.get_user(user_id=require_user(request).user_id))
