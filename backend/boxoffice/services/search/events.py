"""Search API: /api/search/events and /api/search/suggest (anyone)."""

from __future__ import annotations

from elasticsearch import AsyncElasticsearch
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from boxoffice.config import Config
from boxoffice.domain.search import service as search
from boxoffice.domain.search.schemas import SearchParams, SuggestParams
from boxoffice.services.common.openapi import api
from boxoffice.services.common.validation import parse_query

bp = Blueprint("search_api")


@bp.get("/api/search/events")
@api(query=SearchParams, answers=(200, 422))
async def search_events(request: Request, es: AsyncElasticsearch, config: Config) -> HTTPResponse:
    params = parse_query(request, SearchParams)
    return json(await search.search_events(es=es, alias=config.search_alias, params=params))


@bp.get("/api/search/suggest")
@api(query=SuggestParams, answers=(200, 422))
async def suggest(request: Request, es: AsyncElasticsearch, config: Config) -> HTTPResponse:
    params = parse_query(request, SuggestParams)
    return json(await search.suggest(es=es, alias=config.search_alias, params=params))
