"""`Idempotency-Key` records in PostgreSQL: one per (user, key), kept 24 h.

`begin` either hands the caller the right to run the request (a new key, or one whose previous
runner crashed and whose lock lapsed) or tells it what to answer instead: the stored response
(replay), 422 (same key, other request), 409 (still running).

A record never holds card data: the request's fingerprint is an HMAC-SHA256, keyed with a secret
derived from the server's internal secret, of the request without its CVC (the card number only
inside the HMAC). A record with a fingerprint of another form (the plain SHA-256 of earlier
versions, erased by migration 4) is not matched: the request runs again, which is safe because a
retried checkout resumes the order of its hold and the provider charges an order once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from boxoffice.config import Config
from boxoffice.errors import BadRequest, BoxOfficeError, IdempotencyInFlight, IdempotencyMismatch

MAX_KEY_LENGTH = 255
FINGERPRINT_PREFIX = "hmac-sha256:"  # + 43 characters of base64url: fits request_hash (64)
KEY_PURPOSE = b"boxoffice idempotency fingerprint v1"


@dataclass(frozen=True, slots=True)
class Stored:
    status: int
    body: dict


@dataclass(frozen=True, slots=True)
class Policy:
    """How long keys live and lock, and the key of their fingerprints."""

    fingerprint_key: bytes
    ttl_s: int = 86400
    lock_s: int = 60

    @classmethod
    def from_config(cls, config: Config) -> Policy:
        return cls(
            fingerprint_key(config.internal_secret), ttl_s=config.idempotency_ttl_s, lock_s=config.idempotency_lock_s
        )

    def fingerprint(self, request: object) -> str:
        return fingerprint(self.fingerprint_key, request)


def fingerprint_key(secret: str) -> bytes:
    """The fingerprints' HMAC key: derived from a server secret, never the secret itself."""
    return hmac.new(secret.encode(), KEY_PURPOSE, hashlib.sha256).digest()


def fingerprint(key: bytes, request: object) -> str:
    """HMAC-SHA256 of the request's canonical JSON; give it the request without its CVC."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    digest = hmac.new(key, canonical.encode(), hashlib.sha256).digest()
    return FINGERPRINT_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def stored_error(error: BoxOfficeError) -> dict:
    """What a final error answer is stored as (without the request's correlation id)."""
    return {
        "type": error.type_slug,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "extra": error.extra,
    }


def replayed_error(stored: Stored, kinds: Iterable[type[BoxOfficeError]], *, headers: dict[str, str]) -> BoxOfficeError:
    """The stored error answer as an exception of its kind again, to be rendered like the first."""
    body = stored.body
    kind = next((k for k in kinds if k.type_slug == body.get("type") and k.status == stored.status), None)
    error = BoxOfficeError.__new__(kind or BoxOfficeError)
    BoxOfficeError.__init__(error, body.get("detail"), extra=body.get("extra") or {}, headers=headers)
    if kind is None:
        error.status, error.title, error.type_slug = stored.status, body.get("title", "Error"), body.get("type", "")
    return error


def check_key(key: str | None) -> str:
    if not key:
        raise BadRequest("This request needs an Idempotency-Key header")
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest("The Idempotency-Key must be a printable string of at most 255 characters")
    return key


async def begin(*, user_id: str, key: str, request_hash: str, ttl_s: int, lock_s: int) -> Stored | None:
    """None: run the request (and `finish` or `abandon` it). Stored: answer that. Raises 409 / 422."""
    async with in_transaction() as db:
        rows = await db.execute_query_dict(
            "INSERT INTO idempotency_records (user_id, key, request_hash, locked_until, created_at, expires_at)"
            " VALUES ($1, $2, $3, now() + make_interval(secs => $4), now(), now() + make_interval(secs => $5))"
            " ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [user_id, key, request_hash, float(lock_s), float(ttl_s)],
        )
        if rows:
            return None
        rows = await db.execute_query_dict(
            "SELECT request_hash, response_status, response_body, locked_until > now() AS busy,"
            " expires_at < now() AS stale FROM idempotency_records WHERE user_id = $1 AND key = $2 FOR UPDATE",
            [user_id, key],
        )
        record = rows[0]
        if record["stale"] or not record["request_hash"].startswith(FINGERPRINT_PREFIX):
            await db.execute_query(
                "UPDATE idempotency_records SET request_hash = $3, response_status = NULL, response_body = NULL,"
                " locked_until = now() + make_interval(secs => $4), created_at = now(),"
                " expires_at = now() + make_interval(secs => $5) WHERE user_id = $1 AND key = $2",
                [user_id, key, request_hash, float(lock_s), float(ttl_s)],
            )
            return None
        if record["request_hash"] != request_hash:
            raise IdempotencyMismatch("This Idempotency-Key was used for a different request")
        if record["response_status"] is not None:
            body = record["response_body"]
            return Stored(record["response_status"], json.loads(body) if isinstance(body, str) else body)
        if record["busy"]:
            raise IdempotencyInFlight(
                "The first request with this Idempotency-Key is still running", headers={"Retry-After": "1"}
            )
        await db.execute_query(  # its runner crashed: take over
            "UPDATE idempotency_records SET locked_until = now() + make_interval(secs => $3)"
            " WHERE user_id = $1 AND key = $2",
            [user_id, key, float(lock_s)],
        )
        return None


async def finish(*, user_id: str, key: str, status: int, body: dict) -> None:
    await get_connection("default").execute_query(
        "UPDATE idempotency_records SET response_status = $3, response_body = $4::jsonb, locked_until = NULL"
        " WHERE user_id = $1 AND key = $2",
        [user_id, key, status, json.dumps(body)],
    )


async def abandon(*, user_id: str, key: str) -> None:
    """Forget an attempt that failed in a way worth retrying (our fault, not the request's)."""
    await get_connection("default").execute_query(
        "DELETE FROM idempotency_records WHERE user_id = $1 AND key = $2 AND response_status IS NULL", [user_id, key]
    )


async def purge_expired() -> int:
    rowcount, _ = await get_connection("default").execute_query(
        "DELETE FROM idempotency_records WHERE expires_at < now()", []
    )
    return rowcount
