"""What a store that is down looks like, whichever store: one classification for the error rendering
(a 503 problem with Retry-After instead of a 500) and for the background loops (wait, say so once,
go on when it is back).

The clients reconnect by themselves once the store answers again: asyncpg's pool replaces closed
connections on acquire, coredis's pool opens new ones (its retry policy resends a command whose
pooled connection died), and the Elasticsearch transport revives its node after a failed request.
"""

from __future__ import annotations

import logging

import asyncpg
import coredis.exceptions as redis_errors
from elastic_transport import ConnectionError as ElasticsearchConnectionError
from elastic_transport import ConnectionTimeout as ElasticsearchTimeout
from elasticsearch import ApiError
from tortoise.exceptions import DBConnectionError

from boxoffice.errors import StoreUnavailable

POSTGRES_DOWN = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
    DBConnectionError,
)
REDIS_DOWN = (redis_errors.ConnectionError, redis_errors.ClusterDownError, redis_errors.TryAgainError)
ELASTICSEARCH_DOWN = (ElasticsearchConnectionError, ElasticsearchTimeout)
BUSY_STATUSES = frozenset({429, 502, 503, 504})
# A refused or timed-out connection: asyncpg raises the socket's own error, bare.
NOT_ANSWERING = (ConnectionError, TimeoutError)


def down_store(error: BaseException) -> str | None:
    """The store `error` (or what it was raised from) says is not answering, else None."""
    for cause in _chain(error):
        if isinstance(cause, POSTGRES_DOWN) or _closed_connection(cause):
            return "postgres"
        if isinstance(cause, REDIS_DOWN):
            return "redis"
        if isinstance(cause, ELASTICSEARCH_DOWN) or (
            isinstance(cause, ApiError) and cause.meta.status in BUSY_STATUSES
        ):
            return "elasticsearch"
    for cause in _chain(error):
        if isinstance(cause, NOT_ANSWERING):
            return _client_in_traceback(cause) or "store"
    return None


def unavailable(error: BaseException) -> StoreUnavailable | None:
    """The 503 problem for an error that only means a store is down (None: it means something else)."""
    if isinstance(error, StoreUnavailable):
        return error
    store = down_store(error)
    return (
        StoreUnavailable(store, private={"store": store, "error": f"{type(error).__name__}: {error}"[:300]})
        if store
        else None
    )


def _closed_connection(error: BaseException) -> bool:
    """asyncpg's 'the underlying connection is closed' (PostgreSQL went away under a transaction)."""
    return isinstance(error, asyncpg.InterfaceError) and "closed" in str(error)


CLIENTS = (("asyncpg", "postgres"), ("tortoise", "postgres"), ("coredis", "redis"), ("elastic", "elasticsearch"))


def _client_in_traceback(error: BaseException) -> str | None:
    """Whose client raised a bare socket error: the innermost frame of a store's client says."""
    store, trace = None, error.__traceback__
    while trace is not None:
        module = trace.tb_frame.f_globals.get("__name__", "")
        store = next((name for prefix, name in CLIENTS if module.startswith(prefix)), store)
        trace = trace.tb_next
    return store


def _chain(error: BaseException, depth: int = 5) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(found) < depth:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


class OutageLog:
    """How a background loop reports failures: the first failure of an outage is one warning (no
    traceback: the store's own monitoring says why), the rest are counted quietly and the recovery is
    logged; any other error is logged with its traceback every time."""

    def __init__(self, logger: logging.Logger, task: str):
        self.log, self.task = logger, task
        self.store: str | None = None
        self.failures = 0

    def failed(self, error: BaseException, **extra: object) -> None:
        store = down_store(error)
        if store is None:
            self.log.exception("%s failed", self.task, exc_info=error, extra=extra)
            return
        if self.store is None:
            self.log.warning(
                "%s waits: %s unavailable",
                self.task,
                store,
                extra={"store": store, "error": f"{type(error).__name__}: {error}"[:300], **extra},
            )
        self.store = store
        self.failures += 1

    def succeeded(self) -> None:
        if self.store is not None:
            self.log.info(
                "%s resumed: %s answers again",
                self.task,
                self.store,
                extra={"store": self.store, "failures": self.failures},
            )
            self.store, self.failures = None, 0
