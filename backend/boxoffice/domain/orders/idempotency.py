"""`Idempotency-Key` records in PostgreSQL: one per (user, key), kept 24 h.

`begin` either hands the caller the right to run the request (a new key, or one whose previous
runner crashed and whose lock lapsed) or tells it what to answer instead: the stored response
(replay), 422 (same key, other request), 409 (still running).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from boxoffice.errors import BadRequest, IdempotencyInFlight, IdempotencyMismatch

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Stored:
    status: int
    body: dict


def fingerprint(method: str, path: str, body: object) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


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
            " ON CONFLICT (user_id, key) DO NOTHING RETURNING id", [user_id, key, request_hash, float(lock_s), float(ttl_s)])
        if rows:
            return None
        rows = await db.execute_query_dict(
            "SELECT request_hash, response_status, response_body, locked_until > now() AS busy,"
            " expires_at < now() AS stale FROM idempotency_records WHERE user_id = $1 AND key = $2 FOR UPDATE",
            [user_id, key])
        record = rows[0]
        if record["stale"]:
            await db.execute_query(
                "UPDATE idempotency_records SET request_hash = $3, response_status = NULL, response_body = NULL,"
                " locked_until = now() + make_interval(secs => $4), created_at = now(),"
                " expires_at = now() + make_interval(secs => $5) WHERE user_id = $1 AND key = $2",
                [user_id, key, request_hash, float(lock_s), float(ttl_s)])
            return None
        if record["request_hash"] != request_hash:
            raise IdempotencyMismatch("This Idempotency-Key was used for a different request")
        if record["response_status"] is not None:
            body = record["response_body"]
            return Stored(record["response_status"], json.loads(body) if isinstance(body, str) else body)
        if record["busy"]:
            raise IdempotencyInFlight("The first request with this Idempotency-Key is still running",
                                      headers={"Retry-After": "1"})
        await db.execute_query(  # its runner crashed: take over
            "UPDATE idempotency_records SET locked_until = now() + make_interval(secs => $3)"
            " WHERE user_id = $1 AND key = $2", [user_id, key, float(lock_s)])
        return None


async def finish(*, user_id: str, key: str, status: int, body: dict) -> None:
    await get_connection("default").execute_query(
        "UPDATE idempotency_records SET response_status = $3, response_body = $4::jsonb, locked_until = NULL"
        " WHERE user_id = $1 AND key = $2", [user_id, key, status, json.dumps(body)])


async def abandon(*, user_id: str, key: str) -> None:
    """Forget an attempt that failed in a way worth retrying (our fault, not the request's)."""
    await get_connection("default").execute_query(
        "DELETE FROM idempotency_records WHERE user_id = $1 AND key = $2 AND response_status IS NULL",
        [user_id, key])


async def purge_expired() -> int:
    rowcount, _ = await get_connection("default").execute_query(
        "DELETE FROM idempotency_records WHERE expires_at < now()", [])
    return rowcount
