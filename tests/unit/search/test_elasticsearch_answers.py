"""How Elasticsearch's failures reach the client: a refused query is the parameters' fault (422), an
unreachable or failing cluster an outage (503)."""

from __future__ import annotations

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import ApiError, BadRequestError

from boxoffice.domain.search.service import _ask
from boxoffice.errors import SearchUnavailable, ValidationFailed


def meta(status: int) -> ApiResponseMeta:
    return ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0, node=None)


async def failing(error: Exception):
    raise error


async def test_a_query_elasticsearch_refuses_is_a_422_not_an_outage():
    refused = BadRequestError("search_phase_execution_exception", meta(400), {"error": {"type": "x"}})
    with pytest.raises(ValidationFailed) as caught:
        await _ask(failing(refused))
    assert caught.value.status == 422 and caught.value.extra["errors"][0]["field"] == "query"


@pytest.mark.parametrize(
    "error", [TransportConnectionError("refused"), ApiError("busy", meta(503), {}), ApiError("no index", meta(404), {})]
)
async def test_an_unreachable_or_failing_cluster_is_a_503(error):
    with pytest.raises(SearchUnavailable) as caught:
        await _ask(failing(error))
    assert caught.value.status == 503 and caught.value.headers["Retry-After"]
