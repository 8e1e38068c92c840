"""The Elasticsearch client and its lifecycle.

Short timeouts and no retries: a search that cannot be answered quickly is answered with a 503,
and the outbox relay has its own backoff. This build answers 405 on `GET /` (so the client's
`info()`/`ping()` fail); readiness asks `GET /_cluster/health` instead.
"""

from __future__ import annotations

import logging

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TransportError
from elasticsearch import ApiError, AsyncElasticsearch
from sanic import Sanic

from boxoffice.config import Config

log = logging.getLogger("boxoffice.elasticsearch")

# What "Elasticsearch is not answering" looks like to callers (timeouts are ConnectionErrors too).
UNAVAILABLE = (TransportConnectionError, ConnectionTimeout)
ElasticsearchErrors = (ApiError, TransportError)


def client(config: Config, *, request_timeout: float = 2.0, max_retries: int = 0) -> AsyncElasticsearch:
    """A new client for `config.elasticsearch_url`; the caller closes it (`await es.close()`)."""
    return AsyncElasticsearch(
        config.elasticsearch_url,
        request_timeout=request_timeout,
        max_retries=max_retries,
        retry_on_timeout=False,
        http_compress=False,
        connections_per_node=32,
    )


async def healthy(es: AsyncElasticsearch) -> bool:
    """True when the cluster answers and is at least yellow (a single node never goes green with replicas)."""
    try:
        health = await es.cluster.health(request_timeout=1.0)
    except ElasticsearchErrors:
        return False
    return health.get("status") in ("green", "yellow")


def use_elasticsearch(app: Sanic, config: Config) -> None:
    """Open one client per worker before serving, close it after; readiness checks cluster health."""
    from boxoffice.services.common.factory import add_ready_check

    @app.before_server_start
    async def open_elasticsearch(app: Sanic) -> None:
        app.ctx.elasticsearch = client(config)
        app.ext.dependency(app.ctx.elasticsearch)

    @app.after_server_stop
    async def close_elasticsearch(app: Sanic) -> None:
        await app.ctx.elasticsearch.close()

    async def elasticsearch_ready() -> bool:
        return await healthy(app.ctx.elasticsearch)

    add_ready_check(app, "elasticsearch", elasticsearch_ready)
