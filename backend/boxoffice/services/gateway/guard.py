"""Who is calling (JWT) and whether they may call now (token bucket)."""

from __future__ import annotations

import asyncio
import logging
import math

from sanic import Request
from sanic.response import HTTPResponse

from boxoffice.config import Config, RateLimit
from boxoffice.errors import TooManyRequests, Unauthorized
from boxoffice.infra.metrics import RATE_LIMIT_FAIL_OPEN, RATE_LIMIT_REJECTIONS
from boxoffice.infra.redis import BucketAnswer, RedisErrors, TokenBucket
from boxoffice.infra.tokens import Identity, TokenIssuer

log = logging.getLogger("boxoffice.gateway")
SESSION_COOKIE = "bo_session"
BUCKET_TIMEOUT_S = 0.5  # a Redis that hangs must not hold every request up for its whole command timeout


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'")
        return token.strip()
    return request.cookies.get(SESSION_COOKIE)


def authenticate(request: Request, tokens: TokenIssuer) -> Identity | None:
    """The verified caller, None for an anonymous request; a bad token is always a 401."""
    token = bearer_token(request)
    return tokens.verify(token) if token else None


def authenticate_page(request: Request, tokens: TokenIssuer) -> Identity | None:
    """A page's caller from the session cookie; a stale cookie just means logged out."""
    token = request.cookies.get(SESSION_COOKIE)
    try:
        return tokens.verify(token) if token else None
    except Unauthorized:
        request.ctx.stale_session = True
        return None


def client_ip(request: Request) -> str:
    """The address nginx saw (it overwrites X-Real-IP); a client cannot choose it."""
    return request.headers.get("X-Real-IP") or request.ip


async def take_token(bucket: TokenBucket, group: str, limit: RateLimit, caller: str) -> BucketAnswer | None:
    """The bucket's answer; None when Redis cannot be reached (we fail open, nginx still limits)."""
    try:
        return await asyncio.wait_for(bucket.take(group, caller, limit), BUCKET_TIMEOUT_S)
    except RedisErrors as exc:
        RATE_LIMIT_FAIL_OPEN.inc()
        log.warning("rate limiter fails open: Redis unreachable", extra={"error": str(exc), "group": group})
        return None


def rate_limit_headers(limit: RateLimit, answer: BucketAnswer | None) -> dict[str, str]:
    if answer is None:
        return {"RateLimit-Limit": str(limit.burst_capacity), "RateLimit-Remaining": str(limit.burst_capacity),
                "RateLimit-Reset": "0"}
    return {"RateLimit-Limit": str(limit.burst_capacity), "RateLimit-Remaining": str(answer.remaining),
            "RateLimit-Reset": str(math.ceil(answer.full_ms / 1000))}


def refuse(group: str, answer: BucketAnswer, headers: dict[str, str]) -> TooManyRequests:
    RATE_LIMIT_REJECTIONS.labels(group).inc()
    retry_after = max(1, math.ceil(answer.retry_ms / 1000))
    return TooManyRequests(f"Too many requests; retry in {retry_after} s",
                           headers={**headers, "RateLimit-Remaining": "0", "Retry-After": str(retry_after)})


def apply_headers(response: HTTPResponse, headers: dict[str, str]) -> None:
    for name, value in headers.items():
        response.headers[name] = value
