"""Who is calling (JWT) and whether they may call now (token bucket)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math

from sanic import Request
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse

from boxoffice.config import Config, RateLimit
from boxoffice.errors import TooManyRequests, Unauthorized
from boxoffice.infra.metrics import RATE_LIMIT_FAIL_OPEN, RATE_LIMIT_REJECTIONS
from boxoffice.infra.redis import BucketAnswer, RedisErrors, TokenBucket
from boxoffice.infra.tokens import Identity, TokenIssuer
from boxoffice.services.common.pages import is_page_path
from boxoffice.services.gateway.routing import checks_credentials, rate_limit_group

log = logging.getLogger("boxoffice.gateway")
SESSION_COOKIE = "bo_session"
BUCKET_TIMEOUT_S = 0.5  # a Redis that hangs must not hold every request up for its whole command timeout
EMAIL_GROUP = "auth_email"  # login attempts per target account, whatever address they come from
REFUSALS = {
    "auth": "Too many sign-in attempts from your address",
    EMAIL_GROUP: "Too many sign-in attempts for this account",
}


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


FORWARDING_HEADERS = ("X-Real-IP", "X-Forwarded-For", "Forwarded")


def from_outside(request: Request) -> bool:
    """A request a proxy (nginx) passed on from a client; Prometheus and operators call our port directly."""
    return any(request.headers.get(name) is not None for name in FORWARDING_HEADERS)


def client_ip(request: Request) -> str:
    """The address nginx saw (it overwrites X-Real-IP); a client cannot choose it."""
    return request.headers.get("X-Real-IP") or request.ip


async def limit(request: Request, bucket: TokenBucket, config: Config, service: str | None) -> dict[str, str]:
    """Take this request's tokens: its route group's bucket and, for a login attempt, its target
    account's; the RateLimit-* headers to send, or TooManyRequests from the bucket that is empty."""
    group = rate_limit_group(request.method, request.path, service)
    buckets = [(group, caller(request, group))]
    email = target_email(request) if checks_credentials(request.method, request.path) else None
    if email:
        buckets.append((EMAIL_GROUP, "email:" + hashlib.sha256(email.encode()).hexdigest()[:32]))
    headers: dict[str, str] = {}
    for name, who in buckets:
        rule = config.rate_limits.get(name, config.rate_limits["default"])
        answer = await take_token(bucket, name, rule, who)
        headers = headers or rate_limit_headers(rule, answer)
        if answer is None:
            break  # Redis is away: fail open at once rather than wait for it again
        if not answer.allowed:
            raise refuse(name, answer, rate_limit_headers(rule, answer))
    return headers


def caller(request: Request, group: str) -> str:
    """Whose bucket: the user's, else the address's. Sign-in and sign-up always count per address, so
    a token of a throwaway account never buys a fresh budget of password checks."""
    user = request.ctx.user
    return f"user:{user.user_id}" if user and group != "auth" else f"ip:{client_ip(request)}"


def target_email(request: Request) -> str | None:
    """The account a login attempt is about, as the events service looks it up (trimmed, lower case);
    None when the body names none (the service then refuses it without hashing anything)."""
    try:
        body = request.form if is_page_path(request.path) else request.json
        value = body.get("email") if body is not None and hasattr(body, "get") else None
    except (SanicException, ValueError):  # a malformed body: the service answers 400 without checking a password
        return None
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


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
        return {
            "RateLimit-Limit": str(limit.burst_capacity),
            "RateLimit-Remaining": str(limit.burst_capacity),
            "RateLimit-Reset": "0",
        }
    return {
        "RateLimit-Limit": str(limit.burst_capacity),
        "RateLimit-Remaining": str(answer.remaining),
        "RateLimit-Reset": str(math.ceil(answer.full_ms / 1000)),
    }


def refuse(group: str, answer: BucketAnswer, headers: dict[str, str]) -> TooManyRequests:
    RATE_LIMIT_REJECTIONS.labels(group).inc()
    retry_after = max(1, math.ceil(answer.retry_ms / 1000))
    return TooManyRequests(
        f"{REFUSALS.get(group, 'Too many requests')}; retry in {retry_after} s",
        headers={**headers, "RateLimit-Remaining": "0", "Retry-After": str(retry_after)},
    )


def apply_headers(response: HTTPResponse, headers: dict[str, str]) -> None:
    for name, value in headers.items():
        response.headers[name] = value
