"""Searching and suggesting events: one Elasticsearch call each, errors turned into 503s."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, AsyncElasticsearch

from boxoffice.domain.search import query
from boxoffice.domain.search.schemas import SearchParams, SuggestParams
from boxoffice.errors import SearchUnavailable, ValidationFailed

log = logging.getLogger("boxoffice.search")


async def _ask(call: Awaitable[Any]) -> dict:
    """Elasticsearch's answer as a dict. A query it refuses (400) is the parameters' fault: 422;
    down, slow, a missing index or any other failure: 503."""
    try:
        return dict((await call).body)
    except TransportError as exc:
        raise SearchUnavailable(private={"elasticsearch": f"{type(exc).__name__}: {exc}"}) from None
    except ApiError as exc:
        if exc.meta.status == 400:
            log.warning("Elasticsearch refused a search", extra={"elasticsearch": str(exc.info)[:500]})
            raise ValidationFailed(
                [{"field": "query", "message": "these parameters cannot be searched"}],
                "This search cannot be run; change its parameters",
            ) from None
        raise SearchUnavailable(private={"elasticsearch": f"{exc.meta.status} {exc.message}"}) from None


async def search_events(
    *, es: AsyncElasticsearch, alias: str, params: SearchParams, fields: tuple[str, ...] = query.ITEM_FIELDS
) -> dict:
    """One page of published, upcoming events matching `params` (each with `fields`), with facets and
    highlights."""
    answer = await _ask(es.search(index=alias, body=query.search_body(params, fields)))
    return query.search_result(answer, params, fields)


async def suggest(*, es: AsyncElasticsearch, alias: str, params: SuggestParams) -> dict:
    """As-you-type suggestions (titles and performers) of published, upcoming events."""
    answer = await _ask(es.search(index=alias, body=query.suggest_body(params.q)))
    return query.suggestions(answer, now=datetime.now(UTC))
