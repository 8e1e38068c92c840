"""Pages: `/` (upcoming events, search as you type, filters, facets, paging) and its suggestions;
`/search?q=...` is the same page for one search (the URL the search box pushes, to share or go Back to)."""

from __future__ import annotations

from urllib.parse import urlencode

from elasticsearch import AsyncElasticsearch
from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from boxoffice.config import Config
from boxoffice.domain.events.models import EventCategory
from boxoffice.domain.search import service as search
from boxoffice.domain.search.query import CARD_FIELDS
from boxoffice.domain.search.schemas import SearchParams, SuggestParams
from boxoffice.errors import SearchUnavailable, ValidationFailed
from boxoffice.services.common.pages import Pages, add_page_errors, field_messages, page_renderer
from boxoffice.services.common.validation import validate

bp = Blueprint("search_pages")
add_page_errors(bp, page_renderer)
PAGE_SIZE = 12
FILTERS = ("q", "city", "category", "from", "to", "min_price", "max_price", "available", "sort")


@bp.get("/", name="home")
@bp.get("/search", name="search")
async def home(request: Request, pages: Pages, es: AsyncElasticsearch, config: Config) -> HTTPResponse:
    query = {key: request.args.get(key) for key in FILTERS + ("page",) if request.args.get(key)}
    query = _prices_in_minor_units(query)
    query.setdefault("sort", "relevance" if query.get("q") else "date")
    results, problem = None, None
    try:
        params = validate(SearchParams, query | {"size": PAGE_SIZE})
        results = _with_markup(
            await search.search_events(es=es, alias=config.search_alias, params=params, fields=CARD_FIELDS)
        )
    except ValidationFailed as exc:
        problem = "Some filters are not valid: " + "; ".join(
            f"{field}: {message}" for field, message in field_messages(exc.extra["errors"]).items()
        )
    except SearchUnavailable:
        problem = "Search is taking a short break. Please try again in a moment."
    return pages.render(
        request,
        "pages/home.html",
        fragment="partials/search_results.html",
        results=results,
        problem=problem,
        args=request.args,
        categories=[c.value for c in EventCategory],
        page_url=lambda page: "/search?" + urlencode(_page_args(request, page)),
    )


@bp.get("/search/suggestions")
async def suggestions(request: Request, pages: Pages, es: AsyncElasticsearch, config: Config) -> HTTPResponse:
    q = (request.args.get("q") or "").strip()
    found = []
    if q:
        try:
            found = (
                await search.suggest(es=es, alias=config.search_alias, params=validate(SuggestParams, {"q": q[:100]}))
            )["suggestions"]
        except (SearchUnavailable, ValidationFailed):
            found = []
    return pages.render(request, "partials/suggestions.html", suggestions=found, q=q)


def _prices_in_minor_units(query: dict) -> dict:
    """People type prices in whole units; the API counts minor units."""
    for key in ("min_price", "max_price"):
        if key in query:
            try:
                query[key] = str(round(float(query[key]) * 100))
            except (ValueError, OverflowError):  # 'abc', 'nan', 'inf': validation names the field
                pass
    return query


def _page_args(request: Request, page: int) -> dict:
    return {key: request.args.get(key) for key in FILTERS if request.args.get(key)} | {"page": page}


def _with_markup(results: dict) -> dict:
    """Highlights come HTML-escaped from Elasticsearch (encoder html) with <em> marks only."""
    for item in results["items"]:
        item["highlights"] = {
            field: [Markup(f) for f in fragments] for field, fragments in item.get("highlights", {}).items()
        }
    return results
