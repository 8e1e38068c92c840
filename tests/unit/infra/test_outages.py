"""Which errors mean 'a store is down' (a 503 with Retry-After, a loop that waits) and which are bugs."""

from __future__ import annotations

import logging

import asyncpg
import coredis
import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders
from elastic_transport import ConnectionError as ElasticsearchConnectionError
from elasticsearch import ApiError

from boxoffice.infra.outages import OutageLog, down_store, unavailable


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0, node=None)
    return ApiError("x", meta, {})


@pytest.mark.parametrize(
    ("error", "store"),
    [
        (asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"), "postgres"),
        (asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"), "postgres"),
        (
            asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
            "postgres",
        ),
        (asyncpg.InterfaceError("cannot call Transaction.rollback(): the underlying connection is closed"), "postgres"),
        (coredis.exceptions.ConnectionError("Unable to establish a connection"), "redis"),
        (coredis.exceptions.BusyLoadingError("LOADING"), "redis"),
        (ElasticsearchConnectionError("refused"), "elasticsearch"),
        (api_error(503), "elasticsearch"),
        (TimeoutError("GET timed out after 5.0 seconds"), "store"),
    ],
)
def test_errors_of_a_store_that_does_not_answer_name_the_store(error, store):
    assert down_store(error) == store
    assert unavailable(error).status == 503 and unavailable(error).headers["Retry-After"] == "5"


@pytest.mark.parametrize(
    "error",
    [
        KeyError("seat"),
        ValueError("bad"),
        api_error(400),
        FileNotFoundError("x.html"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
    ],
)
def test_bugs_and_refusals_are_not_outages(error):
    assert down_store(error) is None and unavailable(error) is None


def test_a_wrapped_outage_is_still_an_outage():
    try:
        try:
            raise coredis.exceptions.ConnectionError("gone")
        except coredis.exceptions.ConnectionError as cause:
            raise RuntimeError("while holding seats") from cause
    except RuntimeError as wrapped:
        assert down_store(wrapped) == "redis"


async def test_a_bare_socket_error_is_named_after_the_client_that_raised_it():
    with pytest.raises(OSError) as refused:
        await asyncpg.connect("postgres://nobody@127.0.0.1:9/none", timeout=2)
    assert down_store(refused.value) == "postgres"


def test_a_loop_logs_an_outage_once_and_its_end_once_but_every_bug(caplog):
    outages = OutageLog(logging.getLogger("test.outages"), "hold sweep")
    with caplog.at_level(logging.INFO, logger="test.outages"):
        for _ in range(5):
            outages.failed(coredis.exceptions.ConnectionError("gone"))
        outages.succeeded()
        outages.succeeded()
        outages.failed(KeyError("bug"))
        outages.failed(KeyError("bug"))
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert messages == [
        ("WARNING", "hold sweep waits: redis unavailable"),
        ("INFO", "hold sweep resumed: redis answers again"),
        ("ERROR", "hold sweep failed"),
        ("ERROR", "hold sweep failed"),
    ]
    assert caplog.records[1].failures == 5
